"""Trust in daily use, through the CLI as an analyst types it: recurring sessions that cannot
slip by mistake, the review cycle, undo and redo of every write, the change log, exact report
windows, careful input, exchange that round-trips."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from .conftest import AS_OF, DATA, Cli

ANNUAL = "inst-annual-consultations"


def _c(cli: Cli, cid: str, as_of: str = AS_OF) -> dict[str, object]:
    return json.loads(cli("show", cid, "--format", "json", as_of=as_of).stdout)  # type: ignore[no-any-return]


# ---- recurring consultations ----------------------------------------------------------------


def test_recording_the_same_session_twice_does_not_move_the_schedule(cli: Cli) -> None:
    r = cli("done", "inst-annual", "--on", "2026-05-12", "--host", "Mali")
    assert r.exit_code == 0, r.output
    c = _c(cli, ANNUAL)
    assert (c["due"], c["next_host"]) == ("2027-04-03", "Russia")
    before = cli.bytes()
    r = cli("done", "inst-annual", "--on", "2026-05-12", "--host", "Mali")
    assert r.exit_code == 2
    assert r.stderr.startswith(
        "error: --on: a session of inst-annual-consultations on 2026-05-12 is already recorded"
    )
    assert cli.bytes() == before


def test_show_gives_each_session_with_its_host_note_evidence_and_who_recorded_it(
    cli: Cli,
) -> None:
    r = cli(
        "done",
        "inst-annual",
        "--on",
        "2026-05-12",
        "--host",
        "Mali",
        "--note",
        "Held in Bamako",
        "--evidence",
        "https://example.org/session",
        by="ana",
    )
    assert r.exit_code == 0, r.output
    held = _c(cli, ANNUAL)["sessions"]
    assert isinstance(held, list) and len(held) == 2
    assert list(held[1].items()) == [
        ("on", "2026-05-12"),
        ("host", "Mali"),
        ("note", "Held in Bamako"),
        ("evidence", ["https://example.org/session"]),
        ("by", "ana"),
        ("place", None),  # the city, with done --place (issue 23)
        ("slot", "2026-04-03"),  # the year it was owed for (issue 23)
        ("days_late", 39),
    ]
    assert [s["on"] for s in held] == ["2025-04-03", "2026-05-12"]


def test_status_done_on_the_consultations_is_refused_with_a_hint(cli: Cli) -> None:
    r = cli("status", "inst-annual", "done")
    assert r.exit_code == 2
    assert r.stderr.splitlines() == [
        "error: STATUS: inst-annual-consultations recurs: a session is recorded with "
        "`aes-tracker done inst-annual-consultations --on DATE`",
        "hint: to end the series, set it to dropped: aes-tracker status "
        "inst-annual-consultations dropped",
    ]


@pytest.mark.parametrize(
    ("on", "message"),
    [
        ("+5d", "is after today"),
        ("2025-12-01", "is before the last recorded session"),
    ],
)
def test_a_session_in_the_future_or_out_of_order_is_refused(
    cli: Cli, on: str, message: str
) -> None:
    cli("done", "inst-annual", "--on", "2026-05-12")
    before = cli.bytes()
    r = cli("done", "inst-annual", "--on", on)
    assert r.exit_code == 2 and message in r.stderr
    assert cli.bytes() == before


def test_a_missed_session_is_recorded_with_force_and_the_schedule_recomputed(cli: Cli) -> None:
    """The 2027 session is recorded; the 2026 one, held but forgotten, is recorded later with
    --force: it takes its place in the record, and the next host is recomputed from the whole
    record (a third session: the AES's turn), not stepped on from the last."""
    cli("done", "inst-annual", "--on", "2027-04-05", "--host", "Mali", as_of="2027-04-06")
    # Read on the day it was recorded: as of an earlier day (--as-of), it is not there yet.
    assert _c(cli, ANNUAL, "2027-04-06")["next_host"] == "Russia"
    r = cli("done", "inst-annual", "--on", "2026-04-10", "--host", "Russia", as_of="2027-04-06")
    assert r.exit_code == 2 and "--force" in r.stderr
    r = cli(
        "done",
        "inst-annual",
        "--on",
        "2026-04-10",
        "--host",
        "Russia",
        "--force",
        as_of="2027-04-06",
    )
    assert r.exit_code == 0, r.output
    c = _c(cli, ANNUAL, "2027-04-06")
    assert [s["on"] for s in c["sessions"]] == ["2025-04-03", "2026-04-10", "2027-04-05"]  # type: ignore[index]
    assert (c["due"], c["next_host"]) == ("2028-04-03", "AES member state")


def test_done_on_a_closed_commitment_is_refused(cli: Cli) -> None:
    cli("done", "sec-targ", "--on", "2026-05-12")
    r = cli("done", "sec-targ")
    assert r.exit_code == 2
    assert r.stderr.startswith("error: sec-targeted-training is already done since 2026-05-12")


def test_show_lists_every_session_and_the_next(cli: Cli) -> None:
    cli(
        "done",
        "inst-annual",
        "--on",
        "2026-05-12",
        "--host",
        "Mali",
        "--evidence",
        "https://example.org/bamako",
    )
    text = cli("show", "inst-annual").stdout
    assert "2025-04-03, Russia" in text
    assert "2026-05-12, Mali" in text and "https://example.org/bamako" in text
    assert "2027-04-03, expected host: Russia" in text


# ---- the review cycle ---------------------------------------------------------------------------


def test_review_marks_it_reviewed_and_it_leaves_review_due(cli: Cli) -> None:
    due = {r["id"] for r in json.loads(cli("due", "--format", "json").stdout)}
    assert "dev-infrastructure" in due
    r = cli("review", "dev-infra", "--note", "No works started", "--next", "+6m")
    assert (r.exit_code, r.stdout) == (0, "dev-infrastructure: reviewed; next review 2027-05-28\n")
    due = {r["id"] for r in json.loads(cli("due", "--format", "json").stdout)}
    assert "dev-infrastructure" not in due
    rep = json.loads(cli("report", "--format", "json").stdout)
    assert "dev-infrastructure" not in [x["id"] for x in rep["review_due"]]
    assert [x["event"] for x in rep["changed"]] == ["review"]


def test_review_due_means_the_review_date_has_come(cli: Cli) -> None:
    """On 2026-03-25, the review dates of 2026-04-03 are inside the report's 14-day window but
    have not come: they are "Review soon", not "Review due", and `review_due` says false."""
    rep = json.loads(cli("report", "--format", "json", as_of="2026-03-25").stdout)
    assert [x["id"] for x in rep["review_due"]] == ["inst-next-session-date"]
    assert len(rep["review_soon"]) == 10
    assert all(x["review_due"] is False for x in rep["review_soon"])
    rows = json.loads(cli("list", "--format", "json", as_of="2026-03-25").stdout)
    assert {r["id"] for r in rows if r["review_due"]} == {"inst-next-session-date"}


def test_a_due_date_makes_an_undated_commitment_dated_and_back(cli: Cli) -> None:
    r = cli("edit", "dev-infra", "--due", "2027-03-01")
    assert r.exit_code == 0, r.output
    raw = tomllib.loads(cli.path.read_text())["commitments"]["dev-infrastructure"]
    assert "review" not in raw and "no_deadline" not in raw and "review_reason" not in raw
    assert any(line.startswith("review_reason: ") for line in raw["history"][-1]["changes"])
    r = cli("edit", "dev-infra", "--no-deadline", "--review", "2027-06-01")
    assert r.exit_code == 0, r.output
    raw = tomllib.loads(cli.path.read_text())["commitments"]["dev-infrastructure"]
    assert raw["no_deadline"] is True and str(raw["review"]) == "2027-06-01" and "due" not in raw


# ---- undo, redo, rm, log ---------------------------------------------------------------------


def test_init_force_and_the_first_write_can_be_undone(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "d.toml")
    assert cli("init").exit_code == 0
    cli("note", "sec-targ", "work to keep")
    kept = cli.bytes()
    assert cli("init", "--force").exit_code == 0
    assert cli.bytes() == DATA.read_bytes()
    r = cli("undo")
    assert r.exit_code == 0 and r.stdout.startswith("undid: init: ")
    assert cli.bytes() == kept
    assert cli("undo").exit_code == 0, "the note before it can still be undone"


def test_rm_removes_a_mistake_and_undo_brings_it_back(cli: Cli) -> None:
    add = ["add", "Typo", "--category", "security", "--party", "Russia", "--due", "2027-01-01"]
    cid = cli(*add, "--quote", "q").stdout.strip()
    before = cli.bytes()
    assert cli("rm", cid).stdout == f"{cid}: removed\n"
    assert cid not in cli("list").stdout
    r = cli("rm", "sec-targ")
    assert r.exit_code == 0, "only its recording in the history: no --force needed"
    cli("undo")
    cli("note", "dev-inf", "work")
    r = cli("rm", "dev-inf")
    assert r.exit_code == 2 and "--force" in r.stderr
    cli("undo")
    cli("undo")
    assert cli.bytes() == before


def test_log_lists_history_across_commitments_newest_first(cli: Cli) -> None:
    cli("note", "dev-inf", "first", as_of="2026-11-20")
    cli("status", "sec-targ", "in_progress", by="ana", as_of="2026-11-25")
    cli("note", "dip-un", "backdated", "--on", "2026-10-01", as_of="2026-11-26")
    rows = json.loads(cli("log", "--since", "7d", "--format", "json").stdout)
    assert [(r["id"], r["event"], r["on"]) for r in rows] == [
        ("sec-targeted-training", "status", "2026-11-25"),
        ("dip-un-charter", "note", "2026-10-01"),
    ]
    assert rows[1]["backdated"] is True
    # As of an earlier day, what came after it is not known yet: --until is today by default.
    early = cli("log", "--since", "7d", "--format", "json", as_of="2026-11-21").stdout
    assert [(r["id"], r["on"]) for r in json.loads(early)] == [("dev-infrastructure", "2026-11-20")]
    assert [r["id"] for r in json.loads(cli("log", "--by", "ANA", "--format", "json").stdout)] == [
        "sec-targeted-training"
    ]
    assert len(json.loads(cli("log", "dev-inf", "--format", "json").stdout)) == 2
    for fmt in ("table", "plain", "csv", "markdown"):
        r = cli("log", "--since", "7d", "--format", fmt)
        assert r.exit_code == 0 and "sec-targeted-training" in r.stdout


def test_weekly_reports_neither_overlap_nor_leave_a_gap(cli: Cli) -> None:
    for day in ("2026-05-11", "2026-05-12", "2026-05-18", "2026-05-19"):
        cli("note", "dev-inf", f"on {day}", "--on", day, as_of=day)
    week = [
        [x["on"] for x in json.loads(cli("report", "--format", "json", as_of=d).stdout)["changed"]]
        for d in ("2026-05-11", "2026-05-18", "2026-05-25")
    ]
    assert week == [["2026-05-11"], ["2026-05-12", "2026-05-18"], ["2026-05-19"]]


def test_a_backdated_change_is_in_the_week_it_was_recorded(cli: Cli) -> None:
    cli("done", "sec-targ", "--on", "20 avril 2026", as_of="2026-05-13")
    rep = json.loads(cli("report", "--format", "json", as_of="2026-05-18").stdout)
    (x,) = rep["changed"]
    assert (x["on"], x["at"][:10], x["backdated"]) == ("2026-04-20", "2026-05-13", True)
    text = cli("report", as_of="2026-05-18").stdout
    assert "2026-04-20 sec-targeted-training: status (done) by tester (backdated: recorded " in text


# ---- careful input ------------------------------------------------------------------------------


def test_open_and_closed_together_is_an_error(cli: Cli) -> None:
    r = cli("list", "--open", "--closed")
    assert (r.exit_code, r.stderr) == (
        2,
        "error: --open and --closed exclude each other: give one\n",
    )


def test_evidence_must_be_a_link_or_a_file(cli: Cli) -> None:
    before = cli.bytes()
    r = cli("note", "sec-targ", "x", "--evidence", "example.org/article")
    assert r.exit_code == 2
    assert r.stderr.startswith(
        "error: --evidence: 'example.org/article' is neither an http(s) URL nor a file that exists"
    )
    assert cli.bytes() == before


def test_edit_party_help_says_it_replaces(cli: Cli) -> None:
    text = cli("edit", "--help").stdout
    assert "Replace the list of committing parties" in text
    assert "--add-party" in text and "--remove-party" in text


# ---- exchange that round-trips ----------------------------------------------------------------


def test_the_excel_csv_imports_back_and_moves_between_dated_and_undated(
    cli: Cli, tmp_path: Path
) -> None:
    import csv
    import io

    f = tmp_path / "sheet.csv"
    assert cli("export", "--format", "csv", "--excel", "-o", str(f)).exit_code == 0
    assert f.read_bytes().startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(f.read_text(encoding="utf-8-sig"))))
    head = rows[0]
    assert "no_deadline" in head and "review" in head
    # In the sheet, dev-infrastructure gets a due date: it becomes dated.
    for row in rows[1:]:
        if row[0] == "dev-infrastructure":
            row[head.index("due")] = "2027-02-01"
            row[head.index("no_deadline")] = "false"
            row[head.index("review")] = ""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    f.write_text("\ufeff" + buf.getvalue(), encoding="utf-8")
    r = cli("import", str(f), "--update")
    assert r.exit_code == 0, r.output
    assert "dev-infrastructure: updated" in r.stdout
    c = _c(cli, "dev-infrastructure")
    assert (c["due"], c["review"]) == ("2027-02-01", None)
    # The update is in the history, the log and the report, as `edit` would record it.
    log = json.loads(cli("log", "dev-infra", "--format", "json").stdout)
    assert log[0]["event"] == "edit"
    assert {"field": "due", "before": None, "after": "2027-02-01"} in log[0]["changes"]
    rep = json.loads(cli("report", "--format", "json").stdout)
    assert any(x["id"] == "dev-infrastructure" and x["event"] == "edit" for x in rep["changed"])
