"""Compliance stats, the timeline, and export / import."""

from __future__ import annotations

import json
import tomllib
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest

from aes_tracker.model import build
from aes_tracker.stats import compliance, score

from .conftest import DATA, Cli

ALL = """schema = 1
parties = ["AES", "Mali", "Russia"]

[sources.s]
title = "Communiqué"
date = 2025-04-03
"""


def _commitment(cid: str, status: str, due: str | None, parties: str = '["Russia"]') -> str:
    when = f"due = {due}" if due else "no_deadline = true\nreview = 2026-06-01"
    return (
        f'\n[commitments.{cid}]\ntitle = "{cid}"\ncategory = "security"\n'
        f'parties = {parties}\nsource = "s"\nquote = "q"\nstatus = "{status}"\n{when}\n'
    )


def _every_status(path: Path) -> Path:
    text = ALL
    for cid, status, due in [
        ("c-done", "done", "2026-01-01"),  # +1
        ("c-partial", "partial", "2026-01-01"),  # 0
        ("c-progress", "in_progress", "2027-01-01"),  # 0
        ("c-progress-late", "in_progress", "2026-01-01"),  # -1: open and overdue
        ("c-broken", "broken", "2027-01-01"),  # -1
        ("c-stalled", "stalled", "2027-01-01"),  # -1
        ("c-pending-late", "pending", "2026-01-01"),  # -1
        ("c-pending", "pending", "2027-01-01"),  # not scored: not yet due
        ("c-undated", "pending", None),  # not scored: no deadline
        ("c-dropped", "dropped", "2026-01-01"),  # not scored
    ]:
        text += _commitment(
            cid, status, due, '["Russia", "Mali"]' if cid == "c-done" else '["Russia"]'
        )
    path.write_text(text)
    return path


def test_score_rule_on_every_status(tmp_path: Path) -> None:
    path = _every_status(tmp_path / "all.toml")
    data, problems = build(tomllib.loads(path.read_text()))
    assert problems == []
    today = date(2026, 11, 28)
    assert {cid: score(c, today) for cid, c in data.commitments.items()} == {
        "c-done": 1,
        "c-partial": 0,
        "c-progress": 0,
        "c-progress-late": -1,
        "c-broken": -1,
        "c-stalled": -1,
        "c-pending-late": -1,
        "c-pending": None,
        "c-undated": None,
        "c-dropped": None,
    }
    st = compliance(data, today, "party")
    groups = {g["group"]: g for g in st["groups"]}
    assert set(groups) == {"Mali", "Russia"}
    russia = groups["Russia"]
    assert (russia["total"], russia["scored"], russia["score"]) == (10, 7, round(-3 / 7, 4))
    assert (russia["closed"], russia["share_closed"], russia["overdue"]) == (4, 0.4, 2)
    assert groups["Mali"]["score"] == 1.0, "a commitment counts for each of its parties"
    r = Cli(path)("stats", "--format", "json")
    assert r.exit_code == 0 and json.loads(r.stdout) == st


def test_stats_table_and_markdown(cli: Cli) -> None:
    r = cli("stats", "--by", "category")
    assert r.exit_code == 0 and "institutional" in r.stdout and "-1.00" in r.stdout
    assert "…" not in r.stdout and "\x1b[" not in r.stdout
    md = cli("stats", "--by", "source", "--format", "markdown").stdout
    assert md.splitlines()[2].startswith("| aes-russia-2025-04-03 | 12 |")


def test_stats_svg_is_well_formed(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "c.svg"
    r = cli("stats", "--format", "svg", "-o", str(out))
    assert r.exit_code == 0, r.output
    root = ET.fromstring(out.read_text(encoding="utf-8"))
    assert root.tag.endswith("svg")
    assert "Russia" in out.read_text()


def test_timeline_shows_consultations_with_host(cli: Cli) -> None:
    tl = json.loads(cli("timeline", "--months", "6", "--format", "json").stdout)
    months = {m["month"]: m["items"] for m in tl["months"]}
    keys = list(months)
    assert (keys[0], keys[-1]) == ("2026-05", "2027-05")
    assert [(i["id"], i["state"], i["host"]) for i in months["2027-04"]] == [
        ("inst-annual-consultations", "expected", "Russia")
    ]
    tl = json.loads(cli("timeline", "--months", "12", "--format", "json").stdout)
    months = {m["month"]: m["items"] for m in tl["months"]}
    assert ("overdue", "AES member state") in [(i["state"], i["host"]) for i in months["2026-04"]]
    text = cli("timeline", "--months", "12").stdout
    assert "● 2026-04-03 inst-annual-consultations (overdue, host: AES member state)" in text
    assert "2026-11 ◀ now" in text


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

    def events(path: Path) -> dict[str, object]:
        assert cli("export", "--format", "ics", "-o", str(path)).exit_code == 0
        cal = Calendar.from_ical(path.read_bytes())
        return {str(e["UID"]): e for e in cal.walk("VEVENT")}

    first = events(tmp_path / "a.ics")
    assert set(first) == {"inst-annual-consultations@aes-tracker", "dev-infrastructure@aes-tracker"}
    ev = first["dev-infrastructure@aes-tracker"]
    assert ev.decoded("DTSTART") == date(2027, 1, 15)  # type: ignore[attr-defined]
    assert "d’accélérer la mise en œuvre" in str(ev["DESCRIPTION"])  # type: ignore[index]
    consult = first["inst-annual-consultations@aes-tracker"]
    assert consult["RRULE"]["FREQ"] == ["YEARLY"]  # type: ignore[index]
    cli("note", "dev-inf", "later")
    assert set(events(tmp_path / "b.ics")) == set(first)
    cli("done", "dev-inf")
    assert set(events(tmp_path / "c.ics")) == {"inst-annual-consultations@aes-tracker"}


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
