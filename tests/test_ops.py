"""The changes and their rules, as functions of a Draft: no file, no terminal."""

from __future__ import annotations

import tomllib
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from aes_tracker.domain import editing, ids, inputs, progress
from aes_tracker.domain.draft import Entry, Who
from aes_tracker.domain.editing import EDITABLE, NewCommitment
from aes_tracker.domain.statuses import DONE, DROPPED, IN_PROGRESS, SECURITY
from aes_tracker.errors import TrackerError
from aes_tracker.store.core import Draft

from .conftest import DATA

TODAY = date(2026, 11, 28)
WHO = Who("ana", TODAY, datetime(2026, 11, 28, 12, tzinfo=UTC))
ANNUAL = "inst-annual-consultations"


def draft(extra_sources: int = 0) -> Draft:
    raw = tomllib.loads(DATA.read_text())
    for i in range(extra_sources):
        raw["sources"][f"s-{i}"] = {"title": f"Source {i}", "date": date(2026, 1, 1 + i)}
    cs: dict[str, Any] = raw.pop("commitments")
    return Draft(Path("d.toml"), raw, lambda cid: cs[cid], cs)


def changes(d: Draft, cid: str) -> list[str]:
    return list(d.table(cid)["history"][-1].get("changes", []))


# ---- edit --------------------------------------------------------------------------------------

VALUES: dict[str, Any] = {
    "title": "A new title",
    "title_fr": "Un nouveau titre",
    "category": "development",
    "parties": ["Mali", "Russia"],
    "beneficiaries": ["AES Unified Force", "Mali"],
    "source": "s-0",
    "quote": "un autre texte",
    "timing": ["dès que possible"],
    "due": date(2027, 1, 15),
    "due_reason": "announced",
    "review": date(2027, 2, 1),
    "review_reason": "why not",
    "recur": "FREQ=YEARLY;INTERVAL=2",
    "notes": "remarks",
}


def test_every_editable_field_has_a_test_value() -> None:
    assert set(EDITABLE) == set(VALUES)


@pytest.mark.parametrize("field", sorted(VALUES))
def test_edit_sets_each_field_and_records_it(field: str) -> None:
    d = draft(extra_sources=1)
    # A recurrence needs a due date: the consultations have one.
    cid = ANNUAL if field == "recur" else "sec-targeted-training"
    before = d.table(cid).get(field)
    value = VALUES[field]
    out = editing.edit(d, cid, {field: value}, WHO, note="why")
    t = d.table(cid)
    shown = ", ".join(value) if isinstance(value, list) else str(value)
    assert t[field] == value
    entry = t["history"][-1]
    assert (entry["event"], entry["by"], entry["note"]) == ("edit", "ana", "why")
    assert any(
        line.startswith(f"{field}: ") and line.endswith(f"→ {shown}") for line in entry["changes"]
    )
    assert out.line.startswith(f"{cid}: ")
    assert before != value


def test_a_due_date_on_an_undated_one_clears_its_review_fields_kept_in_the_record() -> None:
    d = draft()
    cid = "dev-infrastructure"
    editing.edit(d, cid, {"due": date(2027, 3, 1)}, WHO)
    t = d.table(cid)
    assert t["due"] == date(2027, 3, 1)
    assert "no_deadline" not in t and "review" not in t and "review_reason" not in t
    lines = changes(d, cid)
    assert "due: ∅ → 2027-03-01" in lines
    assert "review: 2026-04-03 → ∅" in lines and "no_deadline: true → ∅" in lines
    assert any(line.startswith("review_reason: The text gives no date.") for line in lines)
    # And back: no deadline, with a review date.
    editing.edit(d, cid, {"due": None, "review": date(2027, 6, 1)}, WHO)
    t = d.table(cid)
    assert "due" not in t and t["no_deadline"] is True and t["review"] == date(2027, 6, 1)


def test_parties_are_replaced_added_and_removed() -> None:
    d = draft()
    cid = "dev-infrastructure"
    editing.edit(d, cid, {}, WHO, add_parties=["mali"])
    assert d.table(cid)["parties"] == ["AES", "Russia", "Mali"]
    editing.edit(d, cid, {}, WHO, remove_parties=["AES"])
    assert d.table(cid)["parties"] == ["Russia", "Mali"]
    with pytest.raises(TrackerError, match="not a party to"):
        editing.edit(d, cid, {}, WHO, remove_parties=["Niger"])
    with pytest.raises(TrackerError, match="at least one"):
        editing.edit(d, cid, {}, WHO, remove_parties=["Russia", "Mali"])


def test_an_edit_that_changes_nothing_is_refused() -> None:
    d = draft()
    with pytest.raises(TrackerError, match="nothing to change"):
        editing.edit(d, "dip-un-charter", {"title": d.summary("dip-un-charter").title}, WHO)


# ---- add -----------------------------------------------------------------------------------------


def _new(**kw: Any) -> NewCommitment:
    base: dict[str, Any] = {
        "title": "Open a trade house in Bamako",
        "category": "development",
        "parties": ["Russia"],
        "quote": "q",
        "due": date(2027, 1, 1),
    }
    return NewCommitment(**{**base, **kw})


def test_add_makes_a_short_readable_id() -> None:
    d = draft()
    assert editing.add_commitment(d, _new(), WHO).cid == "dev-open-trade-house"
    long = "Establish a permanent joint secretariat for the consultations in Niamey"
    cid = editing.add_commitment(d, _new(title=long), WHO).cid
    assert cid == "dev-establish-permanent" and len(cid) <= ids.MAX_ID
    cyr = editing.add_commitment(d, _new(title="Поставка военной техники"), WHO).cid
    assert cyr.startswith("dev-postavka") and cyr.isascii()
    arabic = editing.add_commitment(d, _new(title="تعزيز التعاون الأمني"), WHO).cid
    assert arabic.startswith("dev-") and arabic != "dev" and arabic.isascii()


def test_add_refuses_a_duplicate_of_title_and_source_unless_forced() -> None:
    d = draft()
    title = d.summary("dev-infrastructure").title
    with pytest.raises(TrackerError, match="dev-infrastructure has the same title and source"):
        editing.add_commitment(d, _new(title=title.upper()), WHO)
    assert editing.add_commitment(d, _new(title=title), WHO, force=True).cid.startswith("dev-")


def test_add_needs_a_source_when_the_file_has_several() -> None:
    d = draft(extra_sources=1)
    with pytest.raises(TrackerError, match="several sources") as e:
        editing.add_commitment(d, _new(), WHO)
    assert e.value.field == "source"
    assert editing.add_commitment(d, _new(source="s-0"), WHO).cid


def test_add_refuses_control_characters_and_newlines_in_ids() -> None:
    d = draft()
    with pytest.raises(TrackerError, match="control character"):
        editing.add_commitment(d, _new(title="a\x1b[2Jb"), WHO)
    with pytest.raises(TrackerError, match="not a valid ID"):
        editing.add_commitment(d, _new(cid="sec-b\n"), WHO)
    with pytest.raises(TrackerError, match="not a valid ID"):
        editing.add_source(d, "src-y\n", title="t", day=TODAY)


# ---- status, done, the recurring consultations ----------------------------------------------


def test_done_on_a_closed_commitment_is_refused_and_says_since_when() -> None:
    d = draft()
    progress.set_status(d, "sec-targeted-training", DONE, WHO, Entry(on=date(2026, 5, 12)))
    with pytest.raises(TrackerError, match="is already done since 2026-05-12"):
        progress.done(d, "sec-targeted-training", WHO, Entry(on=TODAY))


def test_status_done_on_a_recurring_commitment_is_refused_with_a_hint() -> None:
    d = draft()
    with pytest.raises(TrackerError) as e:
        progress.set_status(d, ANNUAL, DONE, WHO, Entry(on=TODAY))
    assert "aes-tracker done" in e.value.message and "dropped" in (e.value.hint or "")
    progress.set_status(d, ANNUAL, DROPPED, WHO, Entry(on=TODAY))  # ending the series is allowed
    assert d.table(ANNUAL)["status"] == "dropped"


def test_a_session_recorded_twice_is_refused() -> None:
    d = draft()
    progress.done(d, ANNUAL, WHO, Entry(on=date(2026, 5, 12), host="Mali"))
    assert (d.table(ANNUAL)["due"], d.table(ANNUAL)["next_host"]) == (date(2027, 4, 3), "Russia")
    with pytest.raises(TrackerError, match="already recorded"):
        progress.done(d, ANNUAL, WHO, Entry(on=date(2026, 5, 12), host="Mali"))
    assert d.table(ANNUAL)["due"] == date(2027, 4, 3), "the schedule did not move"


def test_a_session_in_the_future_or_before_the_last_needs_care() -> None:
    d = draft()
    with pytest.raises(TrackerError, match="after today") as e:
        progress.done(d, ANNUAL, WHO, Entry(on=date(2026, 12, 3)))
    assert e.value.field == "on"
    progress.done(d, ANNUAL, WHO, Entry(on=date(2026, 5, 12)))
    with pytest.raises(TrackerError, match="before the last recorded session") as e:
        progress.done(d, ANNUAL, WHO, Entry(on=date(2025, 12, 1)))
    assert "--force" in (e.value.hint or "")


def test_a_missed_session_recorded_later_is_put_in_order() -> None:
    """Sessions of 2026-05-12 then, with force, 2025-12-01 (a missed extra one): the schedule is
    recomputed from all three, not stepped on from the last."""
    from aes_tracker.domain.recurrence import schedule

    d = draft()
    progress.done(d, ANNUAL, WHO, Entry(on=date(2026, 5, 12)))
    progress.done(d, ANNUAL, WHO, Entry(on=date(2025, 12, 1), force=True))
    t = d.table(ANNUAL)
    held = [date(2025, 4, 3), date(2025, 12, 1), date(2026, 5, 12)]
    sch = schedule("yearly", date(2025, 4, 3), held, ["Russia", "AES member state"])
    assert (t["due"], t["next_host"]) == (sch.next_due, sch.next_host)
    assert [e.on for e in d.commitment(ANNUAL).events() if e.event == "occurrence"] == held


# ---- evidence, dates, review, rm ------------------------------------------------------------


@pytest.mark.parametrize(
    "bad", ["example.org/x", "ftp://example.org/x", "https://", "not a link", "javascript:x"]
)
def test_evidence_is_a_link_or_a_file(bad: str, tmp_path: Path) -> None:
    with pytest.raises(TrackerError, match="neither an http"):
        inputs.check_evidence([bad])
    f = tmp_path / "minutes.pdf"
    f.write_text("x")
    assert inputs.check_evidence(["https://example.org/a?b=1", str(f)]) == [
        "https://example.org/a?b=1",
        str(f),
    ]


def test_a_history_date_more_than_a_year_before_the_source_is_refused() -> None:
    d = draft()
    with pytest.raises(TrackerError, match="more than a year before") as e:
        progress.add_note(d, "dip-un-charter", WHO, Entry(on=date(2024, 1, 1), note="x"))
    assert e.value.field == "on"
    progress.add_note(d, "dip-un-charter", WHO, Entry(on=date(2024, 6, 1), note="x"))


def test_review_records_it_and_sets_the_next_date() -> None:
    d = draft()
    cid = "dev-infrastructure"
    out = progress.review(d, cid, WHO, Entry(on=TODAY, note="no progress"))
    t = d.table(cid)
    # The review date 2026-04-03 was set on 2025-04-03: the same interval, a year, from today.
    assert t["review"] == date(2027, 11, 28)
    entry = t["history"][-1]
    assert (entry["event"], entry["note"]) == ("review", "no progress")
    assert entry["changes"] == ["review: 2026-04-03 → 2027-11-28"]
    assert out.line == "dev-infrastructure: reviewed; next review 2027-11-28"
    progress.review(d, cid, WHO, Entry(on=TODAY), next_review=date(2027, 1, 1))
    assert d.table(cid)["review"] == date(2027, 1, 1)
    with pytest.raises(TrackerError, match="has a due date"):
        progress.review(d, ANNUAL, WHO, Entry(on=TODAY))


def test_rm_needs_force_when_there_is_history_beyond_the_recording() -> None:
    d = draft()
    assert editing.remove(d, "dip-un-charter").line == "dip-un-charter: removed"
    assert not d.has("dip-un-charter")
    progress.set_status(d, "dev-infrastructure", IN_PROGRESS, WHO, Entry(on=TODAY))
    with pytest.raises(TrackerError, match="1 history entries besides"):
        editing.remove(d, "dev-infrastructure")
    editing.remove(d, "dev-infrastructure", force=True)
    assert not d.has("dev-infrastructure")


def test_an_id_starts_with_its_category() -> None:
    d = draft()
    assert editing.add_commitment(d, _new(category=SECURITY, title="Train"), WHO).cid == "sec-train"
