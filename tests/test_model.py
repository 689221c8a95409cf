"""The model: the registries, the two shapes of a commitment, IDs, and the checks."""

from __future__ import annotations

import dataclasses
import json
import shutil
import tomllib
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from aes_tracker.domain import model
from aes_tracker.domain import statuses as registry
from aes_tracker.domain.ids import check_id, is_id
from aes_tracker.domain.model import Commitment, Event, Summary, summarize
from aes_tracker.domain.statuses import (
    Status,
    StatusInfo,
    parse_category,
    parse_status,
    score,
    status_info,
    statuses,
)
from aes_tracker.domain.text import check_text
from aes_tracker.domain.validate import check_document
from aes_tracker.errors import TrackerError

from .conftest import DATA, Cli


def test_each_status_declares_its_meaning_once() -> None:
    table = {s.name: (s.open, s.score, s.score_overdue) for s in statuses()}
    assert table == {
        "pending": (True, None, -1),
        "in_progress": (True, 0, -1),
        "stalled": (True, -1, -1),
        "done": (False, 1, 1),
        "partial": (False, 0, 0),
        "broken": (False, -1, -1),
        "dropped": (False, None, None),
    }
    assert score("in_progress", overdue=True) == -1 and score("done", overdue=True) == 1
    assert all(s.glyph and s.style for s in statuses())


def test_statuses_and_categories_are_read_as_people_type_them() -> None:
    assert parse_status("Done") == "done"
    assert parse_status("IN-PROGRESS") == "in_progress"
    assert parse_status(" in progress ") == "in_progress"
    assert parse_category("Security") == "security"
    with pytest.raises(TrackerError) as e:
        parse_status("finished")
    assert e.value.field == "status"
    assert e.value.message == (
        "'finished' is not a status; use one of pending, in_progress, stalled, done, partial, "
        "broken, dropped"
    )


def test_a_summary_is_a_commitment_without_its_text_and_history() -> None:
    assert set(Summary._fields) - {"days", "updated", "occurrences", "assessments"} <= {
        f.name for f in dataclasses.fields(Commitment)
    }
    for missing in ("quote", "notes", "history", "due_reason", "review_reason"):
        assert missing not in Summary._fields
    doc, _ = check_document(tomllib.loads(DATA.read_text()))
    c = doc.commitments["inst-annual-consultations"]
    s = summarize(c)
    assert s.occurrences == ((date(2025, 4, 3), "Russia"),)
    assert s.updated == date(2025, 4, 3) and s.is_open


def test_a_session_recorded_twice_the_same_day_is_one_session_the_first_recorded() -> None:
    def held(day: int, host: str, hour: int) -> Event:
        at = datetime(2026, 5, day, hour, tzinfo=UTC)
        return Event(date(2026, 5, day), Status("pending"), "occurrence", host=host, at=at)

    later, first, other = held(12, "Niger", 15), held(12, "Mali", 9), held(3, "Russia", 9)
    note = Event(date(2026, 5, 1), Status("pending"), "note")
    history = [later, note, first, other]
    assert model.sessions_of(history) == (other, first)
    assert model.occurrences_of(history) == (
        (date(2026, 5, 3), "Russia"),
        (date(2026, 5, 12), "Mali"),
    )


@pytest.mark.parametrize("bad", ["sec-b\n", "Sec", "-x", "x y", "é", "", "x\x1b"])
def test_ids_are_lower_case_ascii_and_nothing_else(bad: str) -> None:
    assert not is_id(bad)
    with pytest.raises(TrackerError, match="is not a valid ID"):
        check_id(bad)
    assert is_id("sec-targeted-training") and is_id("a.b_c-1")


def test_control_characters_are_refused_in_text() -> None:
    with pytest.raises(TrackerError, match="control character U\\+001B"):
        check_text("clear \x1b[2J screen", "title")
    assert check_text("two\nlines\tand a tab", "note") == "two\nlines\tand a tab"


def test_a_file_with_a_control_character_names_its_line(tmp_path: Path) -> None:
    text = DATA.read_text().replace(
        'title = "Provide targeted training', 'title = "Provide \\u001b[2J targeted training', 1
    )
    p = tmp_path / "d.toml"
    p.write_text(text)
    r = Cli(p)("list")
    assert r.exit_code == 2
    assert "sec-targeted-training.title: contains the control character U+001B" in r.stderr
    assert "\x1b" not in r.stderr


def test_history_reads_in_date_order_whatever_the_file_holds() -> None:
    paris = timezone(timedelta(hours=1))
    a = Event(date(2026, 5, 2), Status("pending"), at=datetime(2026, 5, 2, 9, tzinfo=UTC))
    b = Event(date(2026, 5, 2), Status("pending"), at=datetime(2026, 5, 2, 9, 30, tzinfo=paris))
    c = Event(date(2026, 5, 1), Status("pending"))
    pending = Status("pending")
    x = Commitment("x", "t", registry.SECURITY, ("Russia",), "s", "q", pending, history=(a, b, c))
    assert x.events() == [c, b, a], "08:30 UTC (09:30 in Paris) comes before 09:00 UTC"


def test_an_added_status_reaches_every_command(
    datafile: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One entry in the registry, and nothing else: the CLI accepts it, lists it in help and
    errors, `check` accepts it in the file, stats and the report count it."""
    deferred = StatusInfo(Status("deferred"), True, None, -1, "bright_black", "~", "put off")
    monkeypatch.setattr(registry, "STATUSES", (*registry.STATUSES, deferred))
    assert status_info("deferred").open
    cli = Cli(datafile)
    assert cli("status", "dev-inf", "Deferred").exit_code == 0
    rows = json.loads(cli("list", "--status", "deferred", "--format", "json").stdout)
    assert [r["id"] for r in rows] == ["dev-infrastructure"]
    assert "deferred" in cli("status", "--help").stdout
    assert "deferred" in cli("list", "--help").stdout
    assert "deferred" in cli("status", "dev-inf", "nope").stderr
    assert cli("check").exit_code == 0
    md = cli("stats", "--format", "markdown").stdout.splitlines()
    head = [c.strip() for c in md[0].strip("|").split("|")]
    assert "deferred" in head
    for line in md[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        counts = cells[2 : 2 + len(statuses())]
        assert sum(int(n) for n in counts) == int(cells[1]), "the columns sum to the total"
    rep = json.loads(cli("report", "--format", "json").stdout)
    assert rep["summary"]["by_status"]["deferred"] == 1
    assert sum(rep["summary"]["by_status"].values()) == rep["summary"]["total"]


def test_check_reports_every_problem_at_once(tmp_path: Path) -> None:
    p = tmp_path / "d.toml"
    shutil.copyfile(DATA, p)
    text = p.read_text().replace('status = "pending"', 'status = "finished"', 3)
    p.write_text(text.replace('category = "security"', 'category = "defence"', 1))
    r = Cli(p)("check")
    assert r.exit_code == 1
    lines = r.stderr.splitlines()
    assert lines[-1] == "4 problems found"
    assert sum("is not a status" in ln for ln in lines) == 3
    assert all(ln.startswith(f"error: {p}:") for ln in lines[:-1])


def test_catalog_and_document_are_built_through_their_names() -> None:
    # They are `Data[Summary]` and `Data[Commitment]`: each name builds a `Data`, whose records
    # can be swapped for another kind (a frozen dataclass with slots failed here).
    from aes_tracker.domain.model import Catalog, Data, Document

    doc = Document({}, {})
    assert isinstance(doc, Data) and doc.commitments == {}
    cat = Catalog({}, {}, ("A",))
    assert cat.with_records({"x": 1}) == Data({}, {"x": 1}, ("A",))
    assert doc.catalog() == Data({}, {})
