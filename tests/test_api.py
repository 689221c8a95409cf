"""The core API (`aes_tracker.api`): what the commands call, usable without a terminal. A script
gets the same data and the same errors as the command line, and the commands do nothing but
translate options into one call (the CLI tests hold the wording)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from aes_tracker.api import (
    Edit,
    ImportRequest,
    ListQuery,
    LogQuery,
    Narrow,
    NewOne,
    Progress,
    StatsQuery,
    Tracker,
    actor,
    merge_files,
)
from aes_tracker.errors import TrackerError
from aes_tracker.store.paths import Location

from .conftest import Cli

TODAY = date(2026, 11, 28)  # conftest.AS_OF
WHO = actor("tester", TODAY, datetime(2026, 11, 28, 12, tzinfo=UTC))


def _tracker(path: Path, environ: dict[str, str] | None = None) -> Tracker:
    home = {"HOME": str(path.parent), "XDG_CACHE_HOME": str(path.parent / "cache")}
    return Tracker(Location(path, True), TODAY, lambda: WHO, environ or home, as_of=True)


def _json(value: object) -> object:
    return json.loads(json.dumps(value, default=str))


def test_list_gives_the_rows_the_command_prints(cli: Cli) -> None:
    q = ListQuery(Narrow(categories=["security"]), open=True, sort="id")
    found = _tracker(cli.path).list(q)
    printed = json.loads(
        cli("list", "--category", "security", "--open", "--sort", "id", "--format", "json").stdout
    )
    assert _json([dict(r) for r in found.rows]) == printed
    assert printed, "the bundled data has open security commitments"


def test_list_counts_the_closed_ones_it_leaves_out(datafile: Path) -> None:
    _tracker(datafile).set_status("sec-targ", "dropped", Progress(note="no longer pursued"))
    t = _tracker(datafile)
    default, every = t.list(ListQuery()), t.list(ListQuery(all=True))
    assert default.hidden == len(every.rows) - len(default.rows) > 0
    assert every.hidden == 0


@pytest.mark.parametrize(
    ("query", "message", "field"),
    [
        (ListQuery(open=True, closed=True), "--open and --closed exclude each other", None),
        (ListQuery(all=True, open=True), "--all, --open and --closed exclude each other", None),
        (ListQuery(sort="colour"), "'colour' is not a sort key", "sort"),
        (ListQuery(due_before="tomorrowish"), "tomorrowish", "due_before"),
    ],
)
def test_list_errors_name_the_field_not_a_flag(
    datafile: Path, query: ListQuery, message: str, field: str | None
) -> None:
    with pytest.raises(TrackerError) as e:
        _tracker(datafile).list(query)
    assert message in e.value.message and e.value.field == field


@pytest.mark.parametrize(
    ("due", "review", "no_deadline", "message"),
    [
        ("2027-01-01", None, True, "--due and --no-deadline exclude each other: give one"),
        (None, None, True, "--no-deadline needs --review DATE: when to look at it again"),
        ("2027-01-01", "2027-02-01", False, "--review goes with --no-deadline"),
        (None, None, False, "give --due DATE, or --no-deadline with --review DATE"),
    ],
)
def test_the_deadline_rule_of_a_new_commitment(
    datafile: Path, due: str | None, review: str | None, no_deadline: bool, message: str
) -> None:
    new = NewOne("t", "security", ["Russia"], due=due, review=review, no_deadline=no_deadline)
    before = datafile.read_bytes()
    with pytest.raises(TrackerError) as e:
        _tracker(datafile).add(new._replace(quote="q"))
    assert e.value.message == message
    assert datafile.read_bytes() == before


def test_add_writes_through_the_store(datafile: Path) -> None:
    new = NewOne(
        "Open a trade house in Bamako",
        "development",
        ["Russia"],
        quote="une maison du commerce",
        review="2027-06-01",
        no_deadline=True,
    )
    done = _tracker(datafile).add(new)
    assert done.written.changed and done.outcome.cid in datafile.read_text(encoding="utf-8")
    with pytest.raises(TrackerError) as e:
        _tracker(datafile).add(new._replace(quote=" "))
    assert e.value.field == "quote"


def test_import_dry_run_reports_and_writes_nothing(datafile: Path, tmp_path: Path) -> None:
    src = tmp_path / "new.csv"
    src.write_text(
        "id,title,category,parties,source,quote,status,due\n"
        "dev-trade-house,Open a trade house,development,Russia,aes-russia-2025-04-03,"
        "un texte,pending,2027-03-01\n",
        encoding="utf-8",
    )
    before = datafile.read_bytes()
    t = _tracker(datafile)
    dry = t.import_(ImportRequest(str(src), dry_run=True))
    assert (dry.dry_run, dry.written, dry.report["added"]) == (True, None, ["dev-trade-house"])
    assert datafile.read_bytes() == before
    done = t.import_(ImportRequest(str(src)))
    assert done.written is not None and done.written.changed
    assert done.report["added"] == ["dev-trade-house"]


def test_the_tracker_reads_its_environment_not_the_process(
    datafile: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The environment is handed in: what the process holds does not reach the store."""
    monkeypatch.setenv("XDG_STATE_HOME", str(datafile.parent / "process-state"))
    mine = datafile.parent / "my-state"
    t = _tracker(datafile, {"XDG_STATE_HOME": str(mine), "HOME": str(datafile.parent)})
    t.note("sec-targ", "Reported by the press", Progress())
    assert mine.is_dir() and not (datafile.parent / "process-state").exists()


def test_each_read_gives_the_data_its_command_prints(cli: Cli) -> None:
    t = _tracker(cli.path)

    def printed(*args: str) -> object:
        r = cli(*args, "--format", "json")
        assert r.exit_code == 0, r.stderr
        return json.loads(r.stdout)

    assert _json([dict(r) for r in t.due("3m")]) == printed("due", "--within", "3m")
    assert _json(t.sources()) == printed("source", "list")
    assert _json(t.report("7d", "14d").data) == printed("report")
    log = t.log(LogQuery(since="1y", by="ana"))
    assert _json(log) == printed("log", "--since", "1y", "--by", "ana")
    one = t.show("sec-targ")
    assert one.commitment.id == printed("show", "sec-targ")["id"]  # type: ignore[index]


@pytest.mark.parametrize(
    ("by", "matrix", "message"),
    [
        ("colour", False, "'colour' is not a grouping"),
        ("colour", True, "with --matrix, 'colour' is not a grouping"),
    ],
)
def test_stats_errors(datafile: Path, by: str, matrix: bool, message: str) -> None:
    with pytest.raises(TrackerError) as e:
        _tracker(datafile).stats(StatsQuery(by=by, matrix=matrix))
    assert message in e.value.message and e.value.field == "by"


def test_today_is_asked_for_once_and_only_when_needed(datafile: Path) -> None:
    asked: list[int] = []

    def today() -> date:
        asked.append(1)
        return TODAY

    t = Tracker(Location(datafile, True), today, lambda: WHO, {"HOME": str(datafile.parent)})
    with pytest.raises(TrackerError):
        t.list(ListQuery(sort="colour"))
    assert asked == [], "an option error comes before the day is needed"
    t.due("7d")
    t.due("7d")
    assert asked == [1]


def test_changes_and_upkeep_through_the_api(datafile: Path) -> None:
    """A script can do what the commands do: record progress, edit, take it back."""
    t = _tracker(datafile)
    before = datafile.read_bytes()
    done = t.note("sec-targ", "Reported by the press", Progress(on="2026-11-20"))
    assert done.outcome.cid == "sec-targeted-training" and done.written.changed
    edited = t.edit("sec-targ", Edit(title="Targeted training", note="shorter"))
    assert "Targeted training" in datafile.read_text(encoding="utf-8")
    assert edited.outcome.cid == "sec-targeted-training"
    with pytest.raises(TrackerError, match="nothing to change"):
        t.edit("sec-targ", Edit())
    with pytest.raises(TrackerError, match="--due and --no-deadline exclude each other"):
        t.edit("sec-targ", Edit(due="2027-01-01", no_deadline=True))
    t.undo()
    t.undo()
    assert datafile.read_bytes() == before
    assert t.check().errors == []
    assert t.where(named=False).how == "environment"


def test_the_merge_driver_writes_ours(tmp_path: Path, datafile: Path) -> None:
    base = datafile.read_bytes()
    theirs = base.replace(b'title = "', b'title = "Renamed: ', 1)
    assert theirs != base
    paths = []
    for name, data in (("base", base), ("ours", base), ("theirs", theirs)):
        (tmp_path / name).write_bytes(data)
        paths.append(tmp_path / name)
    result = merge_files(paths[0], paths[1], paths[2], "data/commitments.toml")
    assert not result.conflicts
    assert (tmp_path / "ours").read_bytes() == result.data
    assert b'title = "Renamed: ' in result.data, "their change is merged in"
    (tmp_path / "theirs").write_bytes(b"not = [toml")
    with pytest.raises(TrackerError) as e:
        merge_files(paths[0], paths[1], paths[2], "data/commitments.toml")
    assert e.value.hint and "both versions" in e.value.hint
    assert (tmp_path / "ours").read_bytes().startswith(b"<<<<<<< ours\n")
