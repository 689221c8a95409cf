"""The ICS export as calendar programs read it (issue 24, "Calendars that update"): the real
clients, icalendar and recurring-ical-events, read two exports around a change, and a calendar
applies the second by UID and SEQUENCE."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from .conftest import Cli

recurring_ical_events = pytest.importorskip("recurring_ical_events")


def _export(cli: Cli, path: Path, now: str) -> bytes:
    r = cli("export", "--format", "ics", "-o", str(path), now=now)
    assert r.exit_code == 0, r.output
    return path.read_bytes()


def _events(data: bytes) -> dict[str, Any]:
    from icalendar import Calendar

    return {str(e["UID"]): e for e in Calendar.from_ical(data).walk("VEVENT")}


class Calendar:
    """What a calendar program keeps: per UID, the event with the highest SEQUENCE it was
    given (RFC 5546: an update with a lower SEQUENCE is ignored)."""

    def __init__(self) -> None:
        self.held: dict[str, Any] = {}

    def load(self, data: bytes) -> None:
        for uid, ev in _events(data).items():
            old = self.held.get(uid)
            if old is None or int(ev["SEQUENCE"]) > int(old["SEQUENCE"]):
                self.held[uid] = ev

    def day(self, uid: str) -> date:
        d = self.held[uid].decoded("DTSTART")
        return d if isinstance(d, date) else d.date()


def test_an_undo_moves_the_calendars_event_back(cli: Cli, tmp_path: Path) -> None:
    cal = Calendar()
    cal.load(_export(cli, tmp_path / "a.ics", "2026-11-28T09:00:00+00:00"))
    assert cli("edit", "dev-inf", "--due", "2027-01-15").exit_code == 0
    cal.load(_export(cli, tmp_path / "b.ics", "2026-11-28T10:00:00+00:00"))
    assert cal.day("dev-infrastructure@aes-tracker") == date(2027, 1, 15)
    assert cli("undo").exit_code == 0
    cal.load(_export(cli, tmp_path / "c.ics", "2026-11-28T11:00:00+00:00"))
    # Back on its review date: the undone date does not stay in the calendar.
    assert cal.day("dev-infrastructure@aes-tracker") == date(2026, 4, 3)


def test_a_hand_edit_of_a_due_date_reaches_the_calendar(cli: Cli, tmp_path: Path) -> None:
    cal = Calendar()
    cal.load(_export(cli, tmp_path / "a.ics", "2026-11-28T09:00:00+00:00"))
    text = cli.path.read_text(encoding="utf-8")
    cli.path.write_text(text.replace("due = 2026-04-03", "due = 2026-05-04", 1), encoding="utf-8")
    cal.load(_export(cli, tmp_path / "b.ics", "2026-11-28T10:00:00+00:00"))
    assert cal.day("inst-annual-consultations@aes-tracker") == date(2026, 5, 4)


def test_one_uid_per_commitment_whether_it_has_a_date_or_a_review(cli: Cli, tmp_path: Path) -> None:
    before = _events(_export(cli, tmp_path / "a.ics", "2026-11-28T09:00:00+00:00"))
    assert cli("edit", "dev-inf", "--due", "2027-01-15").exit_code == 0
    after = _events(_export(cli, tmp_path / "b.ics", "2026-11-28T10:00:00+00:00"))
    assert "dev-infrastructure@aes-tracker" in before
    assert set(after) == set(before)
    assert not any(uid.endswith("-review@aes-tracker") for uid in after)


def test_a_closed_commitment_stays_in_the_calendar_marked(cli: Cli, tmp_path: Path) -> None:
    assert cli("done", "sec-targ").exit_code == 0
    assert cli("status", "sec-mil", "dropped").exit_code == 0
    assert cli("status", "dip-un", "broken").exit_code == 0
    events = _events(_export(cli, tmp_path / "a.ics", "2026-11-28T09:00:00+00:00"))
    done = events["sec-targeted-training@aes-tracker"]
    assert str(done["SUMMARY"]).startswith("✓ done: ")
    assert "STATUS" not in done or str(done["STATUS"]) != "CANCELLED"
    for uid in ("sec-military-equipment@aes-tracker", "dip-un-charter@aes-tracker"):
        assert str(events[uid]["STATUS"]) == "CANCELLED"


def test_every_event_leaves_the_analyst_free(cli: Cli, tmp_path: Path) -> None:
    events = _events(_export(cli, tmp_path / "a.ics", "2026-11-28T09:00:00+00:00"))
    assert events and all(str(e["TRANSP"]) == "TRANSPARENT" for e in events.values())


def _occurrences(data: bytes, start: date, end: date) -> list[tuple[date, str, str]]:
    from icalendar import Calendar as ICal

    cal = ICal.from_ical(data)
    out = []
    for ev in recurring_ical_events.of(cal).between(start, end):
        if not str(ev["UID"]).startswith("inst-annual-consultations"):
            continue
        d = ev.decoded("DTSTART")
        out.append(
            (d if isinstance(d, date) else d.date(), str(ev["SUMMARY"]), str(ev["DESCRIPTION"]))
        )
    return sorted(out)


def test_the_consultations_in_a_calendar_are_what_show_says(cli: Cli, tmp_path: Path) -> None:
    assert cli("edit", "inst-annual", "--due", "2027-06-15").exit_code == 0
    data = _export(cli, tmp_path / "a.ics", "2026-11-28T09:00:00+00:00")
    got = _occurrences(data, date(2025, 1, 1), date(2031, 1, 1))
    # The session held, on its date with its host; the next expected one, on the tool's date
    # with the tool's host; nothing projected beyond what the tool knows.
    assert [(d, "Host: Russia" in desc) for d, _s, desc in got] == [
        (date(2025, 4, 3), True),
        (date(2027, 6, 15), False),
    ]
    assert "Expected host: AES member state" in got[1][2]
    shown = cli("show", "inst-annual").stdout
    assert "2027-06-15, expected host: AES member state" in shown


def test_a_recorded_session_stays_in_the_calendar_on_its_date(cli: Cli, tmp_path: Path) -> None:
    cal = Calendar()
    cal.load(_export(cli, tmp_path / "a.ics", "2026-11-28T09:00:00+00:00"))
    assert cli("done", "inst-annual", "--on", "2026-11-20", "--host", "Mali").exit_code == 0
    data = _export(cli, tmp_path / "b.ics", "2026-11-28T10:00:00+00:00")
    cal.load(data)
    days = sorted(cal.day(uid) for uid in cal.held if uid.startswith("inst-annual"))
    assert date(2026, 11, 20) in days and date(2025, 4, 3) in days
    held = [d for d, _s, desc in _occurrences(data, date(2026, 1, 1), date(2027, 1, 1))]
    assert held == [date(2026, 11, 20)]


def test_the_last_day_of_the_calendar_exports(cli: Cli, tmp_path: Path) -> None:
    assert cli("edit", "dev-inf", "--due", "9999-12-31").exit_code == 0
    events = _events(_export(cli, tmp_path / "a.ics", "2026-11-28T09:00:00+00:00"))
    assert events["dev-infrastructure@aes-tracker"].decoded("DTSTART") == date(9999, 12, 31)
