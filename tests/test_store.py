"""The store: which file, reading through the cache (cold and warm give the same), changes
under the lock through a Draft, the fast write path, and what a write keeps."""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
import tomllib
from collections.abc import Callable
from dataclasses import replace as replace_entry
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aes_tracker.domain import editing, progress
from aes_tracker.domain.draft import Entry, Outcome, Who
from aes_tracker.domain.editing import NewCommitment
from aes_tracker.domain.statuses import DONE, SECURITY, Status, parse_status
from aes_tracker.errors import TrackerError
from aes_tracker.store import core as store
from aes_tracker.store import transaction
from aes_tracker.store.core import Draft, load, update, view
from aes_tracker.store.paths import Location, locate
from aes_tracker.store.tomlfile import dumps

from .conftest import DATA, Cli

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
TODAY = date(2026, 11, 28)
WHO = Who("t", TODAY, NOW)


def apply(path: Path, fn: Callable[[Draft], Outcome], **kw: Any) -> Outcome:
    out, _written = update(Location(path, True), fn, describe=lambda o: o.line, **kw)
    return out


def _done(cid: str) -> Callable[[Draft], Outcome]:
    return lambda d: progress.set_status(d, cid, DONE, WHO, Entry(on=TODAY))


def test_locate_order(tmp_path: Path) -> None:
    env = {"XDG_DATA_HOME": str(tmp_path / "x")}
    assert locate("a.toml", {"AES_TRACKER_FILE": "b.toml"}, tmp_path) == Location(
        Path("a.toml"), True
    )
    assert locate(None, {"AES_TRACKER_FILE": "b.toml"}, tmp_path) == Location(Path("b.toml"), True)
    assert locate(None, env, tmp_path) == Location(
        tmp_path / "x" / "aes-tracker" / "commitments.toml", False
    )
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "commitments.toml").write_text("schema = 1\n")
    assert locate(None, env, tmp_path) == Location(Path("data") / "commitments.toml", False)


def test_missing_default_file_reads_bundled_and_first_write_creates_it(tmp_path: Path) -> None:
    loc = Location(tmp_path / "u" / "aes-tracker" / "commitments.toml", False)
    assert load(loc).bundled
    _, written = update(loc, _done("sec-targeted-training"))
    assert written.created and loc.path.exists()
    assert not load(loc).bundled
    # The first write can be undone too: the file goes, and reads show the bundled data again.
    store.undo(loc)
    assert not loc.path.exists() and load(loc).bundled


def test_missing_explicit_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(TrackerError, match="no such file"):
        load(Location(tmp_path / "nope.toml", True))
    with pytest.raises(TrackerError, match="no such file"):
        update(Location(tmp_path / "nope.toml", True), _done("x"))
    assert not (tmp_path / "nope.toml").exists()


def test_wrong_type_names_line_and_field(datafile: Path, tmp_path: Path) -> None:
    text = datafile.read_text().replace("review = 2026-01-03", 'review = "tomorrowish"')
    p = tmp_path / "bad.toml"
    p.write_text(text)
    with pytest.raises(TrackerError) as e:
        load(Location(p, True))
    assert e.value.line == text.splitlines().index('review = "tomorrowish"') + 1
    assert e.value.message == (
        "commitments.inst-next-session-date.review: 'tomorrowish' is not a "
        "date (write it bare, as 2026-04-03)"
    )


def test_write_keeps_unknown_keys(datafile: Path) -> None:
    text = datafile.read_text().replace(
        "[commitments.sec-targeted-training]\n",
        '[commitments.sec-targeted-training]\nanalyst_flag = "watch"\n',
        1,
    )
    text = text.replace("schema = 1\n", 'schema = 1\nowner = "desk-sahel"\n')
    datafile.write_text(text)
    apply(datafile, _done("sec-targeted-training"))
    raw = tomllib.loads(datafile.read_text())
    assert raw["owner"] == "desk-sahel"
    assert raw["commitments"]["sec-targeted-training"]["analyst_flag"] == "watch"
    assert raw["commitments"]["sec-targeted-training"]["status"] == "done"


def test_write_refuses_a_file_with_comments(datafile: Path) -> None:
    text = datafile.read_text().replace("schema = 1\n", "schema = 1\n# keep me\n")
    datafile.write_text(text)
    with pytest.raises(TrackerError) as e:
        apply(datafile, _done("sec-targeted-training"))
    assert e.value.line == 2 and "comment" in e.value.message
    assert datafile.read_text() == text


def test_write_keeps_mode_and_symlink(datafile: Path, tmp_path: Path) -> None:
    os.chmod(datafile, 0o640)
    link = tmp_path / "link.toml"
    link.symlink_to(datafile)
    apply(link, _done("sec-targeted-training"))
    assert link.is_symlink() and os.readlink(link) == str(datafile)
    assert stat.S_IMODE(os.stat(datafile).st_mode) == 0o640
    assert 'status = "done"' in datafile.read_text()
    assert sorted(p.name for p in datafile.parent.iterdir()) == [
        "commitments.toml",
        "commitments.toml.lock",
    ]


def test_a_failed_change_writes_nothing(datafile: Path) -> None:
    before = datafile.read_bytes()

    def change(d: Draft) -> Outcome:
        d.table("sec-targeted-training")["status"] = "finished"
        return Outcome("sec-targeted-training", "x")

    with pytest.raises(TrackerError, match="'finished' is not a status"):
        apply(datafile, change)
    assert datafile.read_bytes() == before


def test_hand_edit_between_read_and_write_is_kept_and_the_change_runs_once(
    datafile: Path,
) -> None:
    """Someone saves the file (same size, mtime put back) while our change is being computed:
    the change's result is carried over on top of their edit, and the change is not run again
    (its side effects would repeat)."""
    calls = []

    def change(d: Draft) -> Outcome:
        calls.append(1)
        if len(calls) == 1:
            st = os.stat(datafile)
            text = datafile.read_text().replace('place = "Moscow"', 'place = "Moscou"')
            datafile.write_text(text)
            os.utime(datafile, ns=(st.st_atime_ns, st.st_mtime_ns))
        return progress.set_status(d, "sec-targeted-training", DONE, WHO, Entry(on=TODAY))

    apply(datafile, change)
    raw = tomllib.loads(datafile.read_text())
    assert len(calls) == 1
    assert raw["sources"]["aes-russia-2025-04-03"]["place"] == "Moscou"
    assert raw["commitments"]["sec-targeted-training"]["status"] == "done"


@pytest.mark.parametrize("fast", [True, False])
def test_a_hand_edit_of_what_the_change_touches_refuses_the_write(
    datafile: Path, fast: bool
) -> None:
    """The editor saved the very commitment the change edits: carrying the change over would
    throw their edit away, and running it again would repeat it. The write is refused, their
    save is what stays, and the change ran once."""
    if fast:
        assert Cli(datafile)("list").exit_code == 0  # a warm cache: the fast path
    calls = []
    saved = b""

    def change(d: Draft) -> Outcome:
        nonlocal saved
        calls.append(1)
        text = datafile.read_text().replace(
            'title = "Provide targeted training to the AES Unified Force"',
            'title = "Provide targeted training to the Unified Force"',
        )
        datafile.write_text(text)
        saved = datafile.read_bytes()
        return progress.add_note(d, "sec-targeted-training", WHO, Entry(on=TODAY, note="ours"))

    with pytest.raises(TrackerError, match="keeps changing"):
        apply(datafile, change)
    assert calls == [1]
    assert datafile.read_bytes() == saved


@pytest.mark.parametrize("fast", [True, False])
def test_a_settings_edit_through_settings_is_written(
    datafile: Path, fast: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A change that edits `[settings]` through the mapping `settings()` gives, not through
    `edit_top()`: the edit is written on the fast path as on the full one, never lost."""
    monkeypatch.setattr(transaction, "FAST_WRITES", fast)

    def start(d: Draft) -> Outcome:
        d.edit_top()["settings"] = {"git": True}
        return Outcome("", "settings")

    apply(datafile, start)  # the writer's own layout, and the cache of it: the fast path's start

    def change(d: Draft) -> Outcome:
        settings = d.settings()
        assert isinstance(settings, dict)
        settings["git"] = False
        return Outcome("", "settings")

    apply(datafile, change)
    raw = tomllib.loads(datafile.read_text())
    assert raw["settings"]["git"] is False


def test_a_commitment_in_the_prefix_is_read_and_kept(tmp_path: Path) -> None:
    """A layout the writer does not make (a commitment as an inline table before the others):
    read whole, and the write is the full canonical one."""
    p = tmp_path / "d.toml"
    inline = (
        'commitments.aaa-inline = { title = "Inline", category = "security", '
        'parties = ["Russia"], source = "aes-russia-2025-04-03", quote = "q", '
        'status = "pending", due = 2027-01-01 }\n'
    )
    p.write_text(DATA.read_text().replace("parties = [\n", inline + "parties = [\n", 1))
    v = view(Location(p, True))
    assert v.detail("aaa-inline").title == "Inline" and len(v.catalog.commitments) == 13
    apply(p, _done("aaa-inline"))
    raw = tomllib.loads(p.read_text())
    assert raw["commitments"]["aaa-inline"]["status"] == "done"
    assert dumps(raw) == p.read_bytes()


# ---- cold and warm reads -------------------------------------------------------------------------

READS = [
    *[["list", "--format", f] for f in ("table", "plain", "json", "csv", "markdown")],
    ["list", "--search", "formations"],
    ["due"],
    *[["report", "--format", f] for f in ("text", "markdown", "json", "html")],
    ["show", "inst-annual-consultations", "--format", "json"],
    ["show", "sec-targ"],
    ["stats", "--format", "json"],
    ["stats", "--by", "source"],
    ["timeline", "--months", "12"],
    ["export", "--format", "json"],
    ["export", "--format", "csv"],
    ["source", "list"],
]


@pytest.mark.parametrize("argv", READS, ids=lambda a: " ".join(a))
@pytest.mark.parametrize("data", ["bundled", "multi"])
def test_a_cold_and_a_warm_read_print_the_same(argv: list[str], data: str, tmp_path: Path) -> None:
    """The same command, on the same file: with no cache (every table parsed), with a warm one
    (summaries restored), and after an edit of one table (that table parsed again)."""
    from .conftest import Cli
    from .test_golden import MULTI

    p = tmp_path / "d.toml"
    shutil.copyfile(DATA if data == "bundled" else MULTI, p)
    cli = Cli(p)
    as_of = "2026-11-28" if data == "bundled" else "2026-05-18"
    if argv[0] == "show" and data == "multi":
        argv = ["show", "sec-joint", *argv[2:]]
    cold = cli(*argv, as_of=as_of)
    assert cold.exit_code == 0, cold.output
    cache_dir = Path(os.environ["XDG_CACHE_HOME"]) / "aes-tracker"
    if argv[0] != "export":  # export reads the whole raw document, not the summaries
        assert any(cache_dir.glob("*.cache")), "the cold read filled the cache"
    warm = cli(*argv, as_of=as_of)
    assert warm.stdout == cold.stdout
    shutil.rmtree(cache_dir, ignore_errors=True)
    assert cli(*argv, as_of=as_of).stdout == cold.stdout
    # A hand edit of one table: the next read parses that table again and reuses the rest.
    text = p.read_text()
    first_title = text.index('title = "', text.index("[commitments."))
    p.write_text(text[:first_title] + 'title = "Edited by hand: ' + text[first_title + 9 :])
    incremental = cli(*argv, as_of=as_of)
    shutil.rmtree(cache_dir, ignore_errors=True)
    assert incremental.stdout == cli(*argv, as_of=as_of).stdout


def test_a_warm_read_holds_no_bytes_and_refuses_a_file_changed_under_it(datafile: Path) -> None:
    """On a warm read only the digest of the file is taken (the summaries come from the cache);
    a command that then wants a commitment in full reads the file and must get the version the
    summaries describe, or refuse, never mix two versions."""
    loc = Location(datafile, explicit=True)
    view(loc)  # fills the cache
    warm = view(loc)
    assert warm._raw_bytes is None
    cid = next(iter(warm.catalog.commitments))
    assert warm.detail(cid).title == warm.catalog.commitments[cid].title
    assert warm._raw_bytes is None, "one table was read, not the whole file"
    again = view(loc)
    datafile.write_bytes(datafile.read_bytes().replace(b'title = "', b'title = "X', 1))
    with pytest.raises(TrackerError, match="changed while it was being read"):
        again.detail(cid)


# ---- the fast write path -------------------------------------------------------------------------

IDS = [
    "dev-economic-operators",
    "inst-annual-consultations",
    "sec-technical-assistance",
    "dip-un-charter",
]
words = st.text(alphabet="abcdefgh éà’-", min_size=1, max_size=10).filter(str.strip)
step = st.one_of(
    st.tuples(
        st.just("status"),
        st.sampled_from(IDS),
        st.sampled_from(["pending", "in_progress", "broken", "dropped"]),
    ),
    st.tuples(st.just("note"), st.sampled_from(IDS), words),
    st.tuples(
        st.just("edit"), st.sampled_from(IDS), words, st.dates(date(2025, 1, 1), date(2030, 1, 1))
    ),
    st.tuples(st.just("add"), st.sampled_from(["aaa-first", "zzz-last", "m-middle"]), words),
    st.tuples(st.just("rm"), st.sampled_from([*IDS, "aaa-first", "zzz-last"])),
    st.tuples(st.just("rm-all")),
    st.tuples(st.just("source"), st.sampled_from(["s-new", "s-other"]), words),
)


def _step(s: tuple[Any, ...]) -> Callable[[Draft], Outcome]:
    kind = s[0]

    def change(d: Draft) -> Outcome:
        if kind == "status":
            return progress.set_status(d, s[1], parse_status(s[2]), WHO, Entry(on=TODAY))
        if kind == "note":
            return progress.add_note(d, s[1], WHO, Entry(on=TODAY, note=s[2]))
        if kind == "edit":
            return editing.edit(d, s[1], {"title": s[2], "due": s[3]}, WHO)
        if kind == "add":
            new = NewCommitment(
                title=s[2],
                category=SECURITY,
                parties=["Russia"],
                quote="q",
                source="aes-russia-2025-04-03",
                due=TODAY,
                cid=s[1],
            )
            return editing.add_commitment(d, new, WHO, force=True)
        if kind == "rm":
            if not d.has(s[1]):
                raise TrackerError("no such commitment")
            return editing.remove(d, s[1], force=True)
        if kind == "rm-all":  # the file with no commitment at all
            for cid in d.ids():
                editing.remove(d, cid, force=True)
            return Outcome("", "")
        return editing.add_source(d, s[1], title=s[2], day=TODAY)

    return change


class _Refused(Exception):
    pass


def _apply_step(path: Path, s: tuple[Any, ...], fast: bool) -> None:
    transaction.FAST_WRITES = fast
    try:
        apply(path, _step(s))
    except Exception as e:  # the same refusal must happen on both sides
        raise _Refused(type(e).__name__) from e
    finally:
        transaction.FAST_WRITES = True


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(step, min_size=1, max_size=8))
def test_fast_writes_give_the_bytes_of_a_full_rewrite(steps: list[tuple[Any, ...]]) -> None:
    with tempfile.TemporaryDirectory() as d:
        fast, slow = Path(d) / "fast.toml", Path(d) / "slow.toml"
        shutil.copyfile(DATA, fast)
        shutil.copyfile(DATA, slow)
        for s in steps:
            outcomes = []
            for path, is_fast in ((fast, True), (slow, False)):
                try:
                    _apply_step(path, s, is_fast)
                    outcomes.append("ok")
                except _Refused as e:
                    outcomes.append(str(e))
            assert outcomes[0] == outcomes[1], s
            assert fast.read_bytes() == slow.read_bytes(), s


def test_the_fast_path_is_taken_once_the_cache_is_warm(
    datafile: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def note(text: str) -> Callable[[Draft], Outcome]:
        return lambda d: progress.add_note(d, "dip-un-charter", WHO, Entry(on=TODAY, note=text))

    apply(datafile, note("first"))  # a full rewrite; it leaves a warm cache

    def no_full_parse(*a: Any, **k: Any) -> Any:
        raise AssertionError("the fast path parsed the whole file")

    real_dumps = transaction.dumps

    def one_table_only(raw: dict[str, Any]) -> bytes:
        assert list(raw) == ["commitments"] and len(raw["commitments"]) == 1, "a full rewrite"
        return real_dumps(raw)

    monkeypatch.setattr(transaction, "load_bytes", no_full_parse)
    monkeypatch.setattr(transaction, "dumps", one_table_only)
    apply(datafile, note("second"))
    apply(datafile, note("third"))
    monkeypatch.undo()
    text = datafile.read_text()
    assert text.index('note = "second"') < text.index('note = "third"')
    assert dumps(load(Location(datafile, True)).raw) == datafile.read_bytes()


def test_writes_decide_from_the_file_not_from_the_cache(datafile: Path) -> None:
    """A cache entry whose summary lies (here: the consultations do not recur) cannot make
    `done` close the consultations instead of recording a session: the rule is read from the
    file's own table."""
    from aes_tracker.store import cache

    apply(
        datafile,
        lambda d: progress.add_note(d, "dip-un-charter", WHO, Entry(on=TODAY, note="warm")),
    )
    entry = cache.read(datafile, os.environ)
    assert entry is not None and entry.canonical
    cid = "inst-annual-consultations"
    lying = dict(entry.catalog.commitments)
    lying[cid] = lying[cid]._replace(recur="")
    from dataclasses import replace

    cache.write(
        datafile, replace(entry, catalog=replace(entry.catalog, commitments=lying)), os.environ
    )
    apply(datafile, lambda d: progress.done(d, cid, WHO, Entry(on=date(2026, 5, 12))))
    c = tomllib.loads(datafile.read_text())["commitments"][cid]
    assert c["status"] == "pending" and c["history"][-1]["event"] == "occurrence"


def test_the_change_sees_typed_views_and_raw_tables_only(datafile: Path) -> None:
    """A change gets a Draft: typed summaries and commitments, and the raw table of what it
    edits; never the whole raw document unless it asks for it."""
    seen: dict[str, Any] = {}

    def change(d: Draft) -> Outcome:
        seen["ids"] = d.ids()
        seen["summary"] = d.summary("inst-annual-consultations")
        seen["full"] = d.commitment("inst-annual-consultations")
        return Outcome("", "")

    apply(datafile, change)
    assert len(seen["ids"]) == 12
    assert not hasattr(seen["summary"], "quote"), "a summary has no quote field at all"
    assert seen["full"].quote.startswith("Les ministres")
    assert isinstance(seen["summary"].status, str) and seen["summary"].status == Status("pending")


def test_a_table_not_where_the_cache_says_is_read_whole_and_the_change_runs_once(
    datafile: Path,
) -> None:
    """The fast path parses each table from where the cache says it is; if one is not there
    (a cache entry for these bytes with a wrong span), the whole file is read and the change
    goes on from it: it is not run a second time."""
    import os

    from aes_tracker.store import cache

    apply(datafile, _done("dip-un-charter"))  # the writer's layout and a warm cache
    entry = cache.read(datafile, os.environ)
    assert entry is not None and entry.canonical
    cid = "sec-targeted-training"
    a, b = entry.spans[cid]
    wrong = {**entry.spans, cid: (a + 1, b)}
    cache.write(datafile, replace_entry(entry, spans=wrong), os.environ)
    calls = []

    def change(d: Draft) -> Outcome:
        calls.append(1)
        return progress.add_note(d, cid, WHO, Entry(on=TODAY, note="once"))

    apply(datafile, change)
    assert calls == [1]
    raw = tomllib.loads(datafile.read_text())
    assert [h.get("note") for h in raw["commitments"][cid]["history"]][-1] == "once"
