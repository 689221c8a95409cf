"""Compliance stats, the timeline, and export / import."""

from __future__ import annotations

import csv
import io
import json
import re
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
    ids = {c for c in tomllib.loads(cli.path.read_text())["commitments"]}
    # One event per commitment, dated or undated (its review date), and one per session held.
    assert set(first) == {f"{c}@aes-tracker" for c in ids} | {
        "inst-annual-consultations-session-1@aes-tracker"
    }
    review = first["sec-targeted-training@aes-tracker"]
    assert review.decoded("DTSTART") == date(2026, 4, 3)  # type: ignore[attr-defined]
    assert [str(c) for c in review["CATEGORIES"].cats] == ["review"]  # type: ignore[index]
    ev = first["dev-infrastructure@aes-tracker"]
    assert ev.decoded("DTSTART") == date(2027, 1, 15)  # type: ignore[attr-defined]
    assert "d’accélérer la mise en œuvre" in str(ev["DESCRIPTION"])  # type: ignore[index]
    consult = first["inst-annual-consultations@aes-tracker"]
    assert "RRULE" not in consult  # type: ignore[operator]
    # A later export supersedes an earlier one (SEQUENCE), so that a calendar applies the
    # update instead of ignoring it; DTSTAMP is the export time.
    cli("note", "dev-inf", "later")
    second = events(tmp_path / "b.ics", now="2026-11-28T15:00:00+00:00")
    assert set(second) == set(first)
    seq = [int(x["dev-infrastructure@aes-tracker"]["SEQUENCE"]) for x in (first, second)]  # type: ignore[index]
    assert seq[1] > seq[0]
    stamp = second["dev-infrastructure@aes-tracker"].decoded("DTSTAMP")  # type: ignore[attr-defined]
    assert stamp.isoformat() == "2026-11-28T15:00:00+00:00"
    assert "LAST-MODIFIED" in second["dev-infrastructure@aes-tracker"]  # type: ignore[operator]
    cli("done", "dev-inf")
    closed = events(tmp_path / "c.ics", now="2026-11-28T16:00:00+00:00")
    assert str(closed["dev-infrastructure@aes-tracker"]["SUMMARY"]).startswith("✓ done: ")  # type: ignore[index]


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
            "due: '2027-02-30' is not a real date (February 2027 has no day 30)",
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


# ---- per-party assessments through export and import ---------------------------------------------

PARTIES = Path(__file__).resolve().parent / "data" / "parties.toml"
PARTIES_AS_OF = "2026-06-01"


def _assessments(path: Path) -> dict[str, dict[str, tuple[object, ...]]]:
    """Each commitment's latest own assessment of each party, as (status, on, at, by, note,
    evidence)."""
    from aes_tracker.domain.validate import check_document

    doc, problems = check_document(tomllib.loads(path.read_text()))
    assert problems == []
    return {
        cid: {
            p: (e.status, e.on, e.at, e.by, e.note, e.evidence)
            for p, e in c.latest_assessments().items()
        }
        for cid, c in doc.commitments.items()
        if c.assessments
    }


def _without_assessments(src: Path, dst: Path) -> None:
    from aes_tracker.store.tomlfile import dumps

    raw = tomllib.loads(src.read_text())
    for c in raw["commitments"].values():
        c["history"] = [h for h in c["history"] if "party" not in h]
    dst.write_bytes(dumps(raw))


def test_json_round_trip_keeps_groups_and_assessments(tmp_path: Path) -> None:
    exported = tmp_path / "p.json"
    assert Cli(PARTIES)("export", "-o", str(exported), as_of=PARTIES_AS_OF).exit_code == 0
    doc = json.loads(exported.read_text())
    assert doc["groups"] == {"AES": {"members": ["Burkina Faso", "Mali", "Niger"]}}
    mali = doc["commitments"]["dev-split"]["history"][-1]
    assert (mali["party"], mali["status"], mali["changes"]) == (
        "Mali",
        "in_progress",
        [{"field": "status", "before": "stalled", "after": "in_progress"}],
    )
    fresh = Cli(tmp_path / "fresh.toml")
    fresh("init", "--empty")
    r = fresh("import", str(exported), as_of=PARTIES_AS_OF)
    assert r.exit_code == 0, r.output
    fresh("fmt")
    assert fresh.bytes() == PARTIES.read_bytes()


def test_a_group_that_differs_on_import_is_a_conflict(tmp_path: Path) -> None:
    exported = tmp_path / "p.json"
    Cli(PARTIES)("export", "-o", str(exported), as_of=PARTIES_AS_OF)
    doc = json.loads(exported.read_text())
    doc["groups"]["AES"]["members"] = ["Mali", "Niger"]
    exported.write_text(json.dumps(doc))
    target = tmp_path / "t.toml"
    target.write_bytes(PARTIES.read_bytes())
    cli = Cli(target)
    r = cli("import", str(exported), as_of=PARTIES_AS_OF)
    assert r.exit_code == 1 and "groups.AES: conflict" in r.stdout
    assert target.read_bytes() == PARTIES.read_bytes()
    r = cli("import", str(exported), "--update", as_of=PARTIES_AS_OF)
    assert r.exit_code == 0, r.output
    assert tomllib.loads(target.read_text())["groups"]["AES"]["members"] == ["Mali", "Niger"]


def test_per_party_csv_has_one_row_per_commitment_and_party(tmp_path: Path) -> None:
    r = Cli(PARTIES)("export", "--format", "csv", "--per-party", as_of=PARTIES_AS_OF)
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert list(rows[0]) == [
        "id",
        "title",
        "party",
        "member_of",
        "status",
        "from",
        "via",
        "on",
        "at",
        "by",
        "note",
        "evidence",
        "commitment_status",
    ]
    # dev-aes-done: the AES and its 3 members; dev-split, dip-waiting, sec-kept: the AES, its 3
    # members and Russia; inst-mali: Mali and Russia; sec-late: Russia.
    assert len(rows) == 4 + 5 + 5 + 2 + 5 + 1
    split = {r["party"]: r for r in rows if r["id"] == "dev-split"}
    assert [split[p]["status"] for p in ("AES", "Burkina Faso", "Mali", "Niger", "Russia")] == [
        "stalled",
        "stalled",
        "in_progress",
        "stalled",
        "partial",
    ]
    assert (split["Niger"]["from"], split["Niger"]["via"], split["Niger"]["member_of"]) == (
        "group",
        "AES",
        "AES",
    )
    mali = split["Mali"]
    assert (mali["from"], mali["on"], mali["by"], mali["note"], mali["evidence"]) == (
        "own",
        "2026-05-28",
        "ben",
        "Works resumed in Mali.",
        "https://example.org/fixture/mali-works",
    )
    assert mali["commitment_status"] == "in_progress"
    assert {r["from"] for r in rows if r["id"] == "sec-late"} == {"commitment"}


def test_per_party_csv_round_trip_carries_the_assessments(tmp_path: Path) -> None:
    sheet = tmp_path / "parties.csv"
    r = Cli(PARTIES)(
        "export", "--format", "csv", "--per-party", "--excel", "-o", str(sheet), as_of=PARTIES_AS_OF
    )
    assert r.exit_code == 0, r.output
    bare = tmp_path / "bare.toml"
    _without_assessments(PARTIES, bare)
    cli = Cli(bare)
    untouched = bare.read_bytes()
    r = cli("import", str(sheet), "--dry-run", as_of=PARTIES_AS_OF)
    assert r.exit_code == 0, r.output
    assert "dev-split [Mali]: assessment would be recorded" in r.stdout
    assert r.stdout.endswith("5 assessments would be recorded, 0 unchanged, 0 conflicts\n")
    assert bare.read_bytes() == untouched
    r = cli("import", str(sheet), as_of=PARTIES_AS_OF)
    assert r.exit_code == 0, r.output
    assert "dev-split [Mali]: assessment recorded" in r.stdout
    assert r.stdout.endswith("5 assessments recorded, 0 unchanged, 0 conflicts\n")
    assert _assessments(bare) == _assessments(PARTIES)
    # The same again: nothing to record.
    before = bare.read_bytes()
    r = cli("import", str(sheet), as_of=PARTIES_AS_OF)
    assert r.stdout.endswith("0 assessments recorded, 5 unchanged, 0 conflicts\n")
    assert bare.read_bytes() == before
    # A sheet older than the data file: what it says is in the history already, superseded.
    cli("status", "inst-mali", "stalled", "--party", "Mali", as_of=PARTIES_AS_OF)
    before = bare.read_bytes()
    r = cli("import", str(sheet), as_of=PARTIES_AS_OF)
    assert r.stdout.endswith("0 assessments recorded, 5 unchanged, 0 conflicts\n")
    assert bare.read_bytes() == before
    # A sheet that says something the data file does not know: a conflict, unless --update,
    # which records it at its own date.
    text = sheet.read_text(encoding="utf-8-sig").replace(
        "Mali,,done,own,,2026-01-20", "Mali,,partial,own,,2026-05-15"
    )
    assert "partial,own,,2026-05-15" in text
    sheet.write_text(text, encoding="utf-8")
    r = cli("import", str(sheet), as_of=PARTIES_AS_OF)
    assert r.exit_code == 1
    assert "inst-mali [Mali]: conflict: differs from the data file (use --update)" in r.stdout
    assert bare.read_bytes() == before
    r = cli("import", str(sheet), "--update", as_of=PARTIES_AS_OF)
    assert r.exit_code == 0, r.output
    assert r.stdout.endswith("1 assessment recorded, 4 unchanged, 0 conflicts\n")
    history = tomllib.loads(bare.read_text())["commitments"]["inst-mali"]["history"]
    assert [(h["on"].isoformat(), h["status"]) for h in history if h.get("party")] == [
        ("2026-01-20", "done"),
        ("2026-06-01", "stalled"),
        ("2026-05-15", "partial"),
    ]
    # Its status is its latest by date: the stalled of 2026-06-01.
    assert _assessments(bare)["inst-mali"]["Mali"][:2] == ("stalled", date(2026, 6, 1))


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("nope,Russia,done,own,2026-05-01", "row 3: no commitment 'nope'"),
        ("sec-late,Mali,done,own,2026-05-01", "row 3: Mali is not a party to sec-late"),
        ("sec-late,Russia,finished,own,2026-05-01", "row 3: status: 'finished' is not a status"),
        ("sec-late,Russia,done,own,2026-13-01", "row 3: on: '2026-13-01' is not a date"),
        ("sec-late,Russia,done,own,2026-07-01", "row 3: on: 2026-07-01 is after today"),
    ],
)
def test_a_bad_per_party_row_writes_nothing(tmp_path: Path, row: str, message: str) -> None:
    target = tmp_path / "t.toml"
    target.write_bytes(PARTIES.read_bytes())
    src = tmp_path / "bad.csv"
    src.write_text(f"id,party,status,from,on\nsec-kept,Russia,done,own,2026-01-01\n{row}\n")
    r = Cli(target)("import", str(src), as_of=PARTIES_AS_OF)
    assert r.exit_code == 2, r.output
    assert r.stderr.startswith(f"error: {src}:3: {message}"), r.stderr
    assert target.read_bytes() == PARTIES.read_bytes()


UNREADABLE = r":\d+: is not a CSV this tool can read \(new-line character seen in .*\)\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "id,party,status,from,on,at\nsec-late,Russia,done,own,2026-05-01,noon\n",
            r":2: row 2: at: 'noon' is not a date-time \(write 2026-04-03T09:00:00\+00:00\)\n",
        ),
        # (The csv module counts lines its own way on an error: the line is not pinned.)
        (
            "id,party,status,from,on\nsec-late,Russia,done,own,2026-05-01\rx\n",
            UNREADABLE,
        ),
        (
            "id,title,status\nsec-late,Late,done\rx\n",
            UNREADABLE,
        ),
    ],
)
def test_a_csv_that_cannot_be_read_is_one_line_naming_the_line(
    tmp_path: Path, text: str, message: str
) -> None:
    target = tmp_path / "t.toml"
    target.write_bytes(PARTIES.read_bytes())
    src = tmp_path / "bad.csv"
    src.write_bytes(text.encode())
    r = Cli(target)("import", str(src), as_of=PARTIES_AS_OF)
    assert r.exit_code == 2, r.output
    assert re.fullmatch(f"error: {re.escape(str(src))}{message}", r.stderr), r.stderr
    assert target.read_bytes() == PARTIES.read_bytes()


def test_per_party_is_for_csv(cli: Cli) -> None:
    r = cli("export", "--format", "json", "--per-party")
    assert (r.exit_code, r.stderr) == (2, "error: --per-party goes with --format csv\n")
