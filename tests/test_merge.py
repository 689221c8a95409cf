"""The three-way merge of the data file (merge.py), without git: field by field, histories as a
union, the schedule of a recurring commitment recomputed, conflicts kept per commitment between
markers that `check` names and `settle` (the core of `resolve`) finishes."""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aes_tracker.desk.merge import Merged, merge_documents, merge_history
from aes_tracker.desk.mergefile import merge_bytes, render
from aes_tracker.desk.resolve import settle
from aes_tracker.desk.units import MISSING
from aes_tracker.domain import draft, editing, progress
from aes_tracker.domain.draft import Entry
from aes_tracker.domain.statuses import DONE, IN_PROGRESS
from aes_tracker.domain.validate import check_document
from aes_tracker.errors import TrackerError
from aes_tracker.store import markers
from aes_tracker.store.check import conflicts as marker_errors
from aes_tracker.store.core import Draft
from aes_tracker.store.tomlfile import dumps, same

from .conftest import DATA

BASE: dict[str, Any] = tomllib.loads(DATA.read_text(encoding="utf-8"))
TODAY = date(2026, 11, 28)
REC = "inst-annual-consultations"
X = "sec-targeted-training"


def who(by: str, second: int = 0) -> draft.Who:
    return draft.Who(by, TODAY, datetime(2026, 11, 28, 12, 0, second, tzinfo=UTC))


def apply(doc: dict[str, Any], *changes: Callable[[Draft], object]) -> dict[str, Any]:
    """`doc` after the changes, made by the same functions the commands use."""
    raw = copy.deepcopy(doc)
    cs = raw.pop("commitments", {})
    d = Draft(Path("x.toml"), raw, lambda cid: cs[cid], cs)
    for change in changes:
        change(d)
    return d._document_now()


def merged(b: dict[str, Any], o: dict[str, Any], t: dict[str, Any]) -> Merged:
    return merge_documents(copy.deepcopy(b), copy.deepcopy(o), copy.deepcopy(t))


def clean(b: dict[str, Any], o: dict[str, Any], t: dict[str, Any]) -> dict[str, Any]:
    m = merged(b, o, t)
    assert m.clean, [c.label for c in m.conflicts]
    _doc, problems = check_document(m.document)
    assert problems == []
    return m.document


def history(doc: dict[str, Any], cid: str) -> list[dict[str, Any]]:
    return list(doc["commitments"][cid]["history"])


def note(cid: str, text: str, by: str, second: int = 0) -> Callable[[Draft], object]:
    return lambda d: progress.add_note(d, cid, who(by, second), Entry(on=TODAY, note=text))


def edit(cid: str, by: str, **fields: Any) -> Callable[[Draft], object]:
    return lambda d: editing.edit(d, cid, fields, who(by))


def status(cid: str, value: str, by: str) -> Callable[[Draft], object]:
    return lambda d: progress.set_status(d, cid, value, who(by), Entry(on=TODAY))  # type: ignore[arg-type]


def session(on: date, by: str, second: int = 0) -> Callable[[Draft], object]:
    later = draft.Who(by, date(2030, 1, 1), who(by, second).now)  # sessions up to 2029
    return lambda d: progress.done(d, REC, later, Entry(on=on, force=True))


# ---- the field rule ------------------------------------------------------------------------------


def test_changes_to_different_fields_of_one_commitment_merge_cleanly() -> None:
    ours = apply(BASE, edit(X, "awa", title="Train the AES Unified Force"), note(X, "a", "awa"))
    theirs = apply(BASE, status(X, IN_PROGRESS, "ivan"), note(X, "b", "ivan"))
    doc = clean(BASE, ours, theirs)
    c = doc["commitments"][X]
    assert c["title"] == "Train the AES Unified Force" and c["status"] == IN_PROGRESS
    notes = [h.get("note") for h in c["history"]]
    assert "a" in notes and "b" in notes
    assert len(c["history"]) == 1 + 2 + 2  # recorded, ours' edit and note, theirs' status and note


def test_one_sided_and_same_changes_take_that_value() -> None:
    ours = apply(BASE, status(X, DONE, "awa"))
    assert same(clean(BASE, ours, BASE), ours)
    assert same(clean(BASE, BASE, ours), ours)
    assert same(clean(BASE, ours, ours), ours)


def test_the_same_field_set_differently_is_a_conflict_for_that_commitment_only() -> None:
    ours = apply(BASE, edit(X, "awa", title="Ours"), note("dev-infrastructure", "o", "awa"))
    theirs = apply(BASE, edit(X, "ivan", title="Theirs"), note("dev-infrastructure", "t", "ivan"))
    m = merged(BASE, ours, theirs)
    assert [c.label for c in m.conflicts] == [X]
    (c,) = m.conflicts
    assert c.fields == ("title",)
    # Both versions carry the merged history: whichever is kept, no entry is lost.
    assert c.ours["history"] == c.theirs["history"] and len(c.ours["history"]) == 3
    notes = {h.get("note") for h in history(m.document, "dev-infrastructure")}
    assert {"o", "t"} <= notes
    text = render(m).decode()
    errors = marker_errors(text, "f.toml")
    assert [e.message for e in errors] == [f"unresolved merge conflict on {X}"]
    line = text.split("\n")[errors[0].line - 1]  # type: ignore[operator]
    assert line == f"<<<<<<< ours: {X}"
    # Outside the block everything is merged; each side of the block is the table only.
    block = markers.blocks(markers.split(text))[0]
    assert block.ours.startswith(f"[commitments.{X}]\n") and 'title = "Ours"' in block.ours
    assert block.theirs.startswith(f"[commitments.{X}]\n") and 'title = "Theirs"' in block.theirs
    for which in ("ours", "theirs"):
        whole = tomllib.loads(markers.side(markers.split(text), which))
        assert check_document(whole)[1] == []


def test_the_deadline_is_one_fact_a_due_date_on_one_side_and_a_review_on_the_other() -> None:
    """A due date set on one side (which ends the review cycle) and a review recorded on the
    other: a conflict whose sides are each a whole deadline, never a due date with the other
    side's review date, which neither analyst wrote."""
    u = "dip-equitable-treatment"
    ours = apply(
        BASE,
        lambda d: progress.review(d, u, who("ivan"), Entry(on=TODAY), next_review=date(2027, 2, 1)),
    )
    theirs = apply(BASE, edit(u, "awa", due=date(2027, 1, 15)))
    m = merged(BASE, ours, theirs)
    assert [c.label for c in m.conflicts] == [u]
    (c,) = m.conflicts
    keys = ("due", "no_deadline", "review", "review_reason")
    for side, own in ((c.ours, ours), (c.theirs, theirs)):
        assert {k: side.get(k) for k in keys} == {k: own["commitments"][u].get(k) for k in keys}
    assert "due" in c.theirs and "review" not in c.theirs and "due" not in c.ours
    # Either side kept checks clean, and both analysts' entries are in it.
    assert len(c.ours["history"]) == len(c.theirs["history"]) == 3


def test_added_on_one_side_kept_on_both_equal_fine_on_both_different_a_conflict() -> None:
    def add(title: str, by: str) -> Callable[[Draft], object]:
        new = editing.NewCommitment(
            title=title, category="security", parties=["Russia"], quote="q", review=TODAY
        )
        return lambda d: editing.add_commitment(d, new, who(by), force=True)

    ours = apply(BASE, add("Deliver helicopters", "awa"))
    theirs = apply(BASE, add("Open a trade house", "ivan"))
    doc = clean(BASE, ours, theirs)
    assert {"sec-deliver-helicopters", "sec-open-trade-house"} <= set(doc["commitments"])
    # The same ID added on both sides with different content: a conflict on that ID only.
    ours2 = apply(BASE, add("Deliver helicopters", "awa"))
    theirs2 = apply(BASE, add("Deliver helicopters", "ivan"), edit(X, "ivan", title="T"))
    m = merged(BASE, ours2, theirs2)
    assert [c.label for c in m.conflicts] == []  # same fields; both recordings kept
    assert len(history(m.document, "sec-deliver-helicopters")) == 2
    theirs3 = apply(
        BASE,
        add("Deliver helicopters", "ivan"),
        edit("sec-deliver-helicopters", "ivan", quote="other words"),
    )
    m = merged(BASE, ours2, theirs3)
    assert [(c.label, c.fields) for c in m.conflicts] == [("sec-deliver-helicopters", ("quote",))]


def test_removed_on_one_side() -> None:
    ours = apply(BASE, lambda d: editing.remove(d, X, force=True))
    assert X not in clean(BASE, ours, BASE)["commitments"]
    assert (
        X not in clean(BASE, ours, apply(BASE, note("dev-infrastructure", "n", "i")))["commitments"]
    )
    # Removed on one side, changed on the other: a conflict, one side empty.
    theirs = apply(BASE, note(X, "still here", "ivan"))
    m = merged(BASE, ours, theirs)
    (c,) = m.conflicts
    assert c.label == X and c.ours is MISSING and c.theirs["history"][-1]["note"] == "still here"
    block = markers.blocks(markers.split(render(m).decode()))[0]
    assert block.ours == "" and block.theirs.startswith(f"[commitments.{X}]")


def test_unknown_keys_settings_parties_and_sources_follow_the_same_rules() -> None:
    ours = copy.deepcopy(BASE)
    theirs = copy.deepcopy(BASE)
    ours["commitments"][X]["x_priority"] = "high"
    theirs["commitments"][X]["x_owner"] = "ivan"
    ours["settings"] = {"git": True, "groups": {"AES": ["Mali"]}}
    theirs["settings"] = {"report_window": "14d"}
    ours["parties"] = [*BASE["parties"], "China"]
    theirs["parties"] = [p for p in BASE["parties"] if p != "Niger"] + ["Togo"]
    ours["sources"]["s-ours"] = {"title": "A", "date": date(2025, 1, 1)}
    theirs["sources"]["s-theirs"] = {"title": "B", "date": date(2025, 2, 1)}
    doc = merged(BASE, ours, theirs).document
    c = doc["commitments"][X]
    assert c["x_priority"] == "high" and c["x_owner"] == "ivan"
    assert doc["settings"] == {"git": True, "groups": {"AES": ["Mali"]}, "report_window": "14d"}
    assert doc["parties"] == ["AES", "Burkina Faso", "Mali", "Russia", "China", "Togo"]
    assert {"s-ours", "s-theirs"} <= set(doc["sources"])
    # The same setting set differently: a conflict on `settings`, the rest merged.
    ours["settings"]["git"] = True
    theirs["settings"] = {"git": False}
    m = merged(BASE, ours, theirs)
    assert [(c.label, c.fields) for c in m.conflicts] == [("settings", ("git",))]
    text = render(m).decode()
    assert "<<<<<<< ours: settings\n[settings]\n" in text
    for which in ("ours", "theirs"):
        tomllib.loads(markers.side(markers.split(text), which))


def test_a_merge_that_would_not_check_is_a_conflict_instead() -> None:
    # One side drops a party from the list (by hand), the other adds a commitment of that party:
    # each file checks, their merge would not.
    ours = copy.deepcopy(BASE)
    ours["parties"] = [p for p in BASE["parties"] if p != "Niger"]
    for g in ours.get("groups", {}).values():  # and from the groups that list it
        g["members"] = [m for m in g["members"] if m != "Niger"]
    new = editing.NewCommitment(
        title="Niger hosts a session", category="institutional", parties=["Niger"], quote="q",
        review=TODAY,
    )  # fmt: skip
    theirs = apply(BASE, lambda d: editing.add_commitment(d, new, who("ivan")))
    m = merged(BASE, ours, theirs)
    # The conflict is on what one side removed and the other uses (issue 22, item 10): on the
    # new commitment, keeping it could never check and the other choice deleted it.
    assert [(c.label, c.fields) for c in m.conflicts] == [
        ("parties", ("removed on one side, used by inst-niger-hosts-session on the other",))
    ]
    assert "Niger" not in m.conflicts[0].ours and "Niger" in m.conflicts[0].theirs
    text = render(m).decode()
    assert check_document(tomllib.loads(markers.side(markers.split(text), "theirs")))[1] == []


def test_no_common_ancestor_merges_as_added_on_both_sides() -> None:
    ours = apply(BASE, note(X, "o", "awa"))
    theirs = apply(BASE, note(X, "t", "ivan"))
    doc = clean({}, ours, theirs)
    assert {"o", "t"} <= {h.get("note") for h in history(doc, X)}


# ---- histories -----------------------------------------------------------------------------------


def test_two_notes_in_the_same_second_by_the_same_person_both_survive() -> None:
    ours = apply(BASE, note(X, "first", "awa", 5))
    theirs = apply(BASE, note(X, "second", "awa", 5))
    notes = [h.get("note") for h in history(clean(BASE, ours, theirs), X)]
    assert notes.count("first") == 1 and notes.count("second") == 1


def test_an_entry_on_both_sides_is_kept_once_and_one_removed_by_a_side_goes() -> None:
    mid = apply(BASE, note(X, "shared", "awa"))
    ours = apply(mid, note(X, "o", "awa", 1))
    theirs = apply(mid, note(X, "t", "ivan", 2))
    notes = [h.get("note") for h in history(clean(mid, ours, theirs), X)]
    assert notes.count("shared") == 1
    # The same entry reaching both sides (a cherry-pick) is one entry.
    twice = apply(BASE, note(X, "same", "awa", 3))
    doc = clean(BASE, apply(twice, note(X, "o", "awa", 4)), apply(twice, note(X, "t", "i", 4)))
    assert [h.get("note") for h in history(doc, X)].count("same") == 1
    # `undo` on one side removed an entry the other still has: it goes.
    undone = copy.deepcopy(mid)
    undone["commitments"][X]["history"].pop()
    doc = clean(mid, undone, theirs)
    notes = [h.get("note") for h in history(doc, X)]
    assert "shared" not in notes and "t" in notes


def test_the_merged_history_is_in_date_order() -> None:
    h = [{"on": date(2026, 1, 1), "event": "note", "note": "base"}]
    o = [*h, {"on": date(2026, 3, 1), "event": "note", "note": "o"}]
    t = [*h, {"on": date(2026, 2, 1), "event": "note", "note": "t"}]
    assert [e["note"] for e in merge_history(h, o, t)] == ["base", "t", "o"]
    assert merge_history(h, o, h) is o  # one side changed it: that side's list, as it is


# ---- the schedule of a recurring commitment ------------------------------------------------------


def test_the_same_session_recorded_on_both_sides_moves_the_schedule_once() -> None:
    ours = apply(BASE, session(date(2026, 5, 12), "awa", 1))
    theirs = apply(BASE, session(date(2026, 5, 12), "ivan", 2))
    doc = clean(BASE, ours, theirs)
    c = doc["commitments"][REC]
    assert c["due"] == date(2027, 4, 3) == ours["commitments"][REC]["due"]
    assert c["next_host"] == ours["commitments"][REC]["next_host"]
    held = [h["by"] for h in c["history"] if h["event"] == "occurrence"]
    assert held == ["bundled-data", "awa", "ivan"]


def test_sessions_recorded_on_each_side_give_the_schedule_of_all_of_them() -> None:
    first = apply(BASE, session(date(2026, 4, 10), "awa"))
    ours = apply(first, session(date(2027, 4, 5), "awa"))
    theirs = apply(first, session(date(2028, 4, 2), "ivan"), note(REC, "n", "ivan"))
    doc = clean(first, ours, theirs)
    everything = apply(first, session(date(2027, 4, 5), "awa"), session(date(2028, 4, 2), "ivan"))
    for key in ("due", "next_host"):
        assert doc["commitments"][REC][key] == everything["commitments"][REC][key]
    assert doc["commitments"][REC]["due"] == date(2029, 4, 3)


def test_one_slot_filled_on_both_sides_on_different_days_is_a_conflict() -> None:
    """Issue 23: two analysts recording the same meeting on 2026-12-05 and 2026-12-06 merged
    as two sessions, moving the schedule two years. Both fill the owed 2026 slot: a conflict on
    that commitment, each version with its own session (and every other merged change)."""
    ours = apply(BASE, session(date(2026, 12, 5), "awa", 1))
    theirs = apply(BASE, session(date(2026, 12, 6), "ivan", 2), note(REC, "venue?", "ivan"))
    m = merged(BASE, ours, theirs)
    assert [c.unit for c in m.conflicts] == [("commitments", REC)]
    c = m.conflicts[0]
    for version, side in ((c.ours, ours), (c.theirs, theirs)):
        held = [h["on"] for h in version["history"] if h["event"] == "occurrence"]
        assert len(held) == 2  # the bundled 2025 session and this side's own
        assert version["due"] == side["commitments"][REC]["due"] == date(2027, 4, 3)
        assert any(h["event"] == "note" and h["note"] == "venue?" for h in version["history"])
    assert date(2026, 12, 5) in [h["on"] for h in c.ours["history"]]
    assert date(2026, 12, 6) not in [h["on"] for h in c.ours["history"]]
    assert date(2026, 12, 6) in [h["on"] for h in c.theirs["history"]]
    # The same day on both sides is one session, and two owed years two sessions: no conflict.
    assert merged(BASE, ours, apply(BASE, session(date(2026, 12, 5), "ivan", 2))).clean
    later = apply(BASE, session(date(2026, 12, 5), "ivan"), session(date(2027, 4, 3), "ivan", 2))
    assert merged(BASE, ours, later).clean


def test_a_session_on_one_side_and_an_edit_on_the_other_merge_cleanly() -> None:
    ours = apply(BASE, session(date(2026, 5, 12), "awa"))
    theirs = apply(BASE, edit(REC, "ivan", notes="Venue to be agreed"))
    c = clean(BASE, ours, theirs)["commitments"][REC]
    assert c["due"] == date(2027, 4, 3) and c["notes"] == "Venue to be agreed"


# ---- bytes in, bytes out -------------------------------------------------------------------------


def test_merge_bytes_writes_canonical_bytes_and_reads_no_marked_input() -> None:
    b = DATA.read_bytes()
    o = dumps(apply(BASE, note(X, "o", "awa")))
    t = dumps(apply(BASE, note(X, "t", "ivan")))
    r = merge_bytes(b, o, t, "data/commitments.toml")
    assert r.conflicts == () and r.data == dumps(tomllib.loads(r.data.decode()))
    with pytest.raises(TrackerError) as e:
        merge_bytes(b, o, b'schema = 1\ntitle = "x\n', "data/commitments.toml")
    assert str(e.value).startswith("data/commitments.toml:2:")
    assert str(e.value).endswith("(their version)")
    marked = render(merged(BASE, apply(BASE, edit(X, "a", title="A")), BASE | {"schema": 1}))
    with pytest.raises(TrackerError):
        merge_bytes(b, b"schema = 1\n<<<<<<< ours: x\n=======\n>>>>>>> theirs: x\n", marked, "p")
    # An unreadable common ancestor is refused too: taken as empty, what one side removed
    # would come back (an empty one, no common ancestor, is an empty document).
    with pytest.raises(TrackerError) as e:
        merge_bytes(b"\x00garbage", o, t, "p")
    assert str(e.value).endswith("(the common ancestor)")
    assert merge_bytes(b"", o, t, "p").conflicts == ()


# ---- settling a conflict -------------------------------------------------------------------------


def conflicted() -> str:
    ours = apply(
        BASE,
        edit(X, "awa", title="Ours"),
        status(X, DONE, "awa"),
        edit("dev-infrastructure", "awa", title="Infra ours"),
    )
    theirs = apply(
        BASE,
        edit(X, "ivan", title="Theirs"),
        status(X, IN_PROGRESS, "ivan"),
        edit("dev-infrastructure", "ivan", title="Infra theirs"),
    )
    return render(merged(BASE, ours, theirs)).decode()


def test_settle_with_one_side_then_the_other_gives_a_canonical_file() -> None:
    text = conflicted()
    data, s = settle(
        text, "sec-targ", side="ours", fields={}, who=who("lead"), path="f", today=TODAY
    )
    assert s.unit == X and s.left == ("dev-infrastructure",)
    assert markers.has_markers(data.decode())
    data, s = settle(
        data.decode(), "dev-infrastructure", side="theirs", fields={}, who=who("lead"), path="f",
        today=TODAY,
    )  # fmt: skip
    assert s.left == ()
    doc = tomllib.loads(data.decode())
    assert data == dumps(doc) and check_document(doc)[1] == []
    c = doc["commitments"][X]
    assert c["title"] == "Ours" and c["status"] == DONE
    last = c["history"][-1]
    assert last["by"] == "lead" and last["event"] == "edit"
    assert set(last["changes"]) == {"title: Theirs → Ours", "status: in_progress → done"}
    assert doc["commitments"]["dev-infrastructure"]["title"] == "Infra theirs"


def test_settle_with_fields() -> None:
    text = conflicted()
    with pytest.raises(TrackerError) as e:
        settle(text, X, side=None, fields={"status": "done"}, who=who("l"), path="f", today=TODAY)
    assert "also differ on title" in e.value.message
    data, _s = settle(
        text, X, side=None, fields={"status": "stalled", "title": "Both"}, who=who("l"),
        path="f", today=TODAY,
    )  # fmt: skip
    data, _s = settle(
        data.decode(), "dev-infra", side="theirs", fields={"title": "Infra both"}, who=who("l"),
        path="f", today=TODAY,
    )  # fmt: skip
    doc = tomllib.loads(data.decode())
    assert doc["commitments"][X]["status"] == "stalled"
    assert doc["commitments"]["dev-infrastructure"]["title"] == "Infra both"
    with pytest.raises(TrackerError) as e:
        settle(
            text, X, side="ours", fields={"status": "Done!"}, who=who("l"), path="f", today=TODAY
        )
    assert e.value.field == "field"


def test_settle_refuses_what_it_cannot_settle() -> None:
    with pytest.raises(TrackerError) as e:
        settle("schema = 1\n", X, side="ours", fields={}, who=who("l"), path="f", today=TODAY)
    assert "no unresolved merge conflict" in e.value.message
    with pytest.raises(TrackerError) as e:
        settle(conflicted(), "nothing-like", side="ours", fields={}, who=who("l"), path="f",
               today=TODAY)  # fmt: skip
    assert e.value.message.startswith("no conflict on 'nothing-like': the conflicts are on ")
    git_own = "schema = 1\n<<<<<<< HEAD\nx = 1\n=======\nx = 2\n>>>>>>> other\n"
    with pytest.raises(TrackerError) as e:
        settle(git_own, X, side="ours", fields={}, who=who("l"), path="f", today=TODAY)
    assert "not written by aes-tracker" in e.value.message and e.value.line == 2


# ---- properties ----------------------------------------------------------------------------------

IDS = sorted(BASE["commitments"])
TITLES = ["A", "B", "C"]
STATUSES = ["pending", "in_progress", "done", "stalled"]


@st.composite
def versions(draw: st.DrawFn) -> dict[str, Any]:
    """The bundled document after a few random edits of the raw tables: fields from small pools
    (so that the two sides often agree or clash), notes, removals, additions, settings."""
    doc = copy.deepcopy(BASE)
    cs = doc["commitments"]
    for _ in range(draw(st.integers(0, 5))):
        kind = draw(st.sampled_from(["title", "status", "note", "unknown", "rm", "add", "set"]))
        cid = draw(st.sampled_from(IDS))
        if cid not in cs:
            continue
        if kind == "title":
            cs[cid]["title"] = draw(st.sampled_from(TITLES))
        elif kind == "status":
            cs[cid]["status"] = draw(st.sampled_from(STATUSES))
        elif kind == "note":
            cs[cid]["history"].append(
                {
                    "on": date(2026, 1, draw(st.integers(1, 3))),
                    "at": datetime(2026, 1, 5, 12, 0, draw(st.integers(0, 2)), tzinfo=UTC),
                    "by": draw(st.sampled_from(["awa", "ivan"])),
                    "event": "note",
                    "status": "pending",
                    "note": draw(st.sampled_from(["x", "y"])),
                }
            )
        elif kind == "unknown":
            cs[cid]["x_tag"] = draw(st.sampled_from(["a", "b"]))
        elif kind == "rm":
            del cs[cid]
        elif kind == "add":
            new = draw(st.sampled_from(["new-a", "new-b"]))
            cs[new] = {
                **copy.deepcopy(BASE["commitments"][IDS[0]]),
                "title": draw(st.sampled_from(TITLES)),
            }
        else:
            doc.setdefault("settings", {})["x_mode"] = draw(st.sampled_from(["a", "b"]))
    return doc


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(versions())
def test_merging_with_an_unchanged_side_gives_the_changed_side(x: dict[str, Any]) -> None:
    for m in (merged(BASE, x, BASE), merged(BASE, BASE, x), merged(BASE, x, x)):
        assert m.clean and same(m.document, x)


@SETTINGS
@given(versions(), versions())
def test_ours_and_theirs_are_symmetric_but_for_the_labels(
    x: dict[str, Any], y: dict[str, Any]
) -> None:
    a, b = merged(BASE, x, y), merged(BASE, y, x)
    assert [c.unit for c in a.conflicts] == [c.unit for c in b.conflicts]
    for ca, cb in zip(a.conflicts, b.conflicts, strict=True):
        assert _same_or_missing(ca.ours, cb.theirs) and _same_or_missing(ca.theirs, cb.ours)
    units = {c.unit for c in a.conflicts}
    for doc_a, doc_b in ((a.document, b.document),):
        for key in ("commitments", "sources"):
            for uid in set(doc_a.get(key, {})) | set(doc_b.get(key, {})):
                if (key, uid) not in units:
                    assert same(doc_a[key][uid], doc_b[key][uid])
    if a.clean:
        assert render(a) == render(b)


@SETTINGS
@given(versions(), versions())
def test_merging_is_idempotent_and_loses_no_added_entry(
    x: dict[str, Any], y: dict[str, Any]
) -> None:
    m = merged(BASE, x, y)
    for which in ("ours", "theirs"):
        text = render(m).decode()
        doc = tomllib.loads(markers.side(markers.split(text), which))
        again = merged(BASE, doc, doc)
        assert again.clean and same(again.document, doc)
        # Every entry either side added is there, whichever version of a conflict is kept,
        # unless that version is the removal of the commitment.
        for side in (x, y):
            for cid, c in side["commitments"].items():
                if cid not in doc["commitments"]:
                    continue
                for h in c["history"]:
                    assert h in doc["commitments"][cid]["history"], (cid, h)


def _same_or_missing(a: Any, b: Any) -> bool:
    return (a is MISSING and b is MISSING) or (a is not MISSING and b is not MISSING and same(a, b))


# ---- the section-wise merge (issue 22 item 14) --------------------------------------------------


@st.composite
def top_changes(draw: st.DrawFn, doc: dict[str, Any]) -> dict[str, Any]:
    """`doc` with, now and then, a change to its top tables: a party dropped or added, a source
    removed, a group's members changed (what commitments use), or a comment."""
    doc = copy.deepcopy(doc)
    kind = draw(st.sampled_from(["none"] * 6 + ["party+", "party-", "source", "group"]))
    if kind == "party+":
        doc["parties"] = [*doc.get("parties", []), "Chad"]
    elif kind == "party-" and doc.get("parties"):
        doc["parties"] = doc["parties"][:-1]
    elif kind == "source" and doc.get("sources"):
        del doc["sources"][sorted(doc["sources"])[0]]
    elif kind == "group" and doc.get("groups"):
        name = sorted(doc["groups"])[0]
        doc["groups"][name] = {**doc["groups"][name], "members": ["Mali"]}
    return doc


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_the_section_wise_merge_gives_the_bytes_of_the_whole_file_merge(
    data: st.DataObject,
) -> None:
    from aes_tracker.desk.mergefile import merge_whole

    x = data.draw(top_changes(data.draw(versions())))
    y = data.draw(top_changes(data.draw(versions())))
    b, o, t = (dumps(d) for d in (BASE, x, y))
    if data.draw(st.integers(0, 3)) == 0:
        o = o.replace(b"\n[commitments.", b"\n# a note\n[commitments.", 1)
    try:
        whole = merge_whole(b, o, t, "x.toml")
    except TrackerError as e:
        with pytest.raises(TrackerError) as fast_e:
            merge_bytes(b, o, t, "x.toml")
        assert fast_e.value.message == e.message
        return
    fast = merge_bytes(b, o, t, "x.toml")
    assert fast.data == whole.data
    assert [c.unit for c in fast.conflicts] == [c.unit for c in whole.conflicts]


def test_the_merge_parses_only_the_commitments_a_side_changed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from aes_tracker.desk import mergefile
    from aes_tracker.store.sections import SectionReader

    o = apply(BASE, edit(X, "awa", title="Ours"), note(REC, "n", "awa"))
    t = apply(BASE, edit(X, "ivan", title="Theirs"), edit(IDS[0], "ivan", title="T0"))
    parsed: list[str] = []
    real = SectionReader.commitment

    def counting(self: SectionReader, cid: str, span: Any = None) -> Any:
        parsed.append(cid)
        return real(self, cid, span)

    monkeypatch.setattr(SectionReader, "commitment", counting)
    b, ob, tb = dumps(BASE), dumps(o), dumps(t)
    fast = mergefile._merge_sections(b, ob, tb)
    assert fast is not None
    # The one changed on both sides in each version (to merge it), the ones changed on one side
    # in that side (to refuse what the whole merge refuses), and no other.
    assert sorted(parsed) == sorted([X, X, X, REC, IDS[0]])
    assert fast.data == mergefile.merge_whole(b, ob, tb, "x.toml").data
    assert [c.unit for c in fast.conflicts] == [("commitments", X)]
