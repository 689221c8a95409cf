"""Compliance stats, the timeline, and export / import."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

import pytest

from .conftest import DATA, Cli


def test_json_round_trip_is_exact(cli: Cli, tmp_path: Path) -> None:
    cli("done", "sec-targ", "--note", "Premier stage", "--evidence", "https://example.org/x")
    cli("edit", "dev-inf", "--due", "2027-01-15")
    original = cli.bytes()
    exported = tmp_path / "all.json"
    assert cli("export", "--format", "json", "-o", str(exported)).exit_code == 0
    fresh = Cli(tmp_path / "fresh.toml")
    assert fresh("init", "--empty").exit_code == 0
    r = fresh("import", str(exported))
    assert r.exit_code == 0, r.output
    assert r.stdout.endswith("12 added, 0 updated, 0 unchanged, 0 conflicts\n")
    assert fresh("fmt").exit_code == 0
    assert fresh.bytes() == original
    # Importing the same again changes nothing.
    r = fresh("import", str(exported))
    assert r.stdout.endswith("0 added, 0 updated, 12 unchanged, 0 conflicts\n")
    assert fresh.bytes() == original


def test_ics_parses_back_with_stable_uids(cli: Cli, tmp_path: Path) -> None:
    from icalendar import Calendar

    cli("edit", "dev-inf", "--due", "2027-01-15")

    def events(path: Path, **kw: str) -> dict[str, object]:
        assert cli("export", "--format", "ics", "-o", str(path), **kw).exit_code == 0
        cal = Calendar.from_ical(path.read_bytes())
        return {str(e["UID"]): e for e in cal.walk("VEVENT")}

    first = events(tmp_path / "a.ics")
    dated = {"inst-annual-consultations@aes-tracker", "dev-infrastructure@aes-tracker"}
    assert dated <= set(first)
    # An undated commitment is not invisible in a calendar: its review date is an event.
    reviews = {uid for uid in first if uid.endswith("-review@aes-tracker")}
    assert len(reviews) == 10 and set(first) == dated | reviews
    review = first["sec-targeted-training-review@aes-tracker"]
    assert review.decoded("DTSTART") == date(2026, 4, 3)  # type: ignore[attr-defined]
    assert [str(c) for c in review["CATEGORIES"].cats] == ["review"]  # type: ignore[index]
    ev = first["dev-infrastructure@aes-tracker"]
    assert ev.decoded("DTSTART") == date(2027, 1, 15)  # type: ignore[attr-defined]
    assert "d’accélérer la mise en œuvre" in str(ev["DESCRIPTION"])  # type: ignore[index]
    consult = first["inst-annual-consultations@aes-tracker"]
    assert consult["RRULE"]["FREQ"] == ["YEARLY"]  # type: ignore[index]
    # A change bumps SEQUENCE, so that a calendar applies the update instead of ignoring it;
    # DTSTAMP is the export time.
    cli("note", "dev-inf", "later")
    second = events(tmp_path / "b.ics", now="2026-11-28T15:00:00+00:00")
    assert set(second) == set(first)
    seq = [int(x["dev-infrastructure@aes-tracker"]["SEQUENCE"]) for x in (first, second)]  # type: ignore[index]
    assert seq[1] == seq[0] + 1
    stamp = second["dev-infrastructure@aes-tracker"].decoded("DTSTAMP")  # type: ignore[attr-defined]
    assert stamp.isoformat() == "2026-11-28T15:00:00+00:00"
    assert "LAST-MODIFIED" in second["dev-infrastructure@aes-tracker"]  # type: ignore[operator]
    cli("done", "dev-inf")
    assert "dev-infrastructure@aes-tracker" not in events(tmp_path / "c.ics")


def test_csv_export_and_excel_bom(cli: Cli) -> None:
    plain = cli("export", "--format", "csv").stdout_bytes
    assert plain.startswith(b"id,title,")
    excel = cli("export", "--format", "csv", "--excel").stdout_bytes
    assert excel.startswith("\ufeff".encode()) and excel[3:] == plain


def test_csv_import_adds_updates_and_lists_conflicts(cli: Cli, tmp_path: Path) -> None:
    src = tmp_path / "new.csv"
    src.write_text(
        "id,title,category,parties,source,quote,status,due\n"
        "dev-trade-house,Open a trade house,development,Russia; Mali,aes-russia-2025-04-03,"
        "un texte,pending,2027-03-01\n"
        "sec-targeted-training,Provide targeted training (renamed),security,Russia,"
        "aes-russia-2025-04-03,des formations,pending,\n"
    )
    before = cli.bytes()
    r = cli("import", str(src), "--dry-run")
    assert r.exit_code == 1
    assert "dev-trade-house: would be added" in r.stdout
    assert "sec-targeted-training: conflict" in r.stdout
    assert cli.bytes() == before
    r = cli("import", str(src))
    assert r.exit_code == 1 and "1 added" in r.stdout
    raw = tomllib.loads(cli.path.read_text())
    assert raw["commitments"]["dev-trade-house"]["parties"] == ["Russia", "Mali"]
    assert raw["commitments"]["sec-targeted-training"]["title"].startswith("Provide targeted")
    assert not raw["commitments"]["sec-targeted-training"]["title"].endswith("(renamed)")
    r = cli("import", str(src), "--update")
    assert r.exit_code == 0, r.output
    raw = tomllib.loads(cli.path.read_text())
    assert raw["commitments"]["sec-targeted-training"]["title"].endswith("(renamed)")
    assert raw["commitments"]["sec-targeted-training"]["history"][-1]["event"] == "edit"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "dev-x,T,development,Wakanda,aes-russia-2025-04-03,q,pending,2027-01-01",
            "row 3: commitments.dev-x.parties: 'Wakanda' is not a known party",
        ),
        (
            "dev-x,T,development,Russia,aes-russia-2025-04-03,q,finished,2027-01-01",
            "row 3: commitments.dev-x.status: 'finished' is not a status",
        ),
        (
            "dev-x,T,development,Russia,aes-russia-2025-04-03,q,pending,2027-02-30",
            "due: '2027-02-30' is not a date",
        ),
    ],
)
def test_an_import_with_one_bad_row_writes_nothing(
    cli: Cli, tmp_path: Path, row: str, message: str
) -> None:
    src = tmp_path / "bad.csv"
    src.write_text(
        "id,title,category,parties,source,quote,status,due\n"
        "dev-ok,Fine,development,Russia,aes-russia-2025-04-03,q,pending,2027-01-01\n"
        f"{row}\n"
    )
    before = cli.bytes()
    r = cli("import", str(src))
    assert r.exit_code == 2
    assert r.stderr.startswith(f"error: {src}:3") and message in r.stderr
    assert cli.bytes() == before


def test_import_of_a_file_that_is_neither(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "x.txt"
    bad.write_text("hello\n")
    r = cli("import", str(bad))
    assert r.exit_code == 2 and "neither an exported JSON document nor a CSV" in r.stderr
    assert cli("import", str(tmp_path / "missing.json")).exit_code == 2


def test_bundled_file_round_trips_through_json(tmp_path: Path) -> None:
    target = Cli(tmp_path / "copy.toml")
    target("init", "--empty")
    exported = tmp_path / "b.json"
    Cli(DATA)("export", "-o", str(exported))
    assert target("import", str(exported)).exit_code == 0
    target("fmt")
    assert target.bytes() == DATA.read_bytes()
