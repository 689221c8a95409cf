"""Every command through Typer's CliRunner: exit codes, messages, and the data file."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from aes_tracker.cli import app

from .conftest import Cli

LIST_KEYS = {"id", "title", "category", "parties", "status", "due", "days_left", "overdue"}


def test_version(cli: Cli) -> None:
    r = cli("--version")
    assert r.exit_code == 0 and r.stdout.startswith("aes-tracker 0.")


def test_every_command_has_help_with_an_example() -> None:
    from typer.main import get_command

    group = get_command(app)
    names = []
    for name, cmd in group.commands.items():  # type: ignore[attr-defined]
        subs = getattr(cmd, "commands", None)
        if subs:
            names += [(f"{name} {s}", c) for s, c in subs.items()]
        else:
            names.append((name, cmd))
    assert {
        "list",
        "due",
        "show",
        "done",
        "status",
        "note",
        "add",
        "edit",
        "undo",
        "init",
        "check",
        "fmt",
        "source add",
        "source list",
    } <= {n for n, _ in names}
    for name, cmd in names:
        assert cmd.help and "Example: aes-tracker" in cmd.help, name


def test_list_json_keys_and_order(cli: Cli) -> None:
    r = cli("list", "--format", "json")
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert len(rows) == 12
    assert all(set(row) >= LIST_KEYS for row in rows)
    first = rows[0]
    assert first["id"] == "inst-annual-consultations"
    assert first["due"] == "2026-04-03" and first["overdue"] is True
    assert first["days_left"] == -239
    assert isinstance(first["parties"], list)
    assert all(r["due"] is None and r["days_left"] is None for r in rows[1:])


def test_list_table_shows_every_id_and_the_overdue_days(cli: Cli) -> None:
    r = cli("list")
    assert r.exit_code == 0
    for cid in tomllib.loads(cli.path.read_text())["commitments"]:
        assert cid in r.stdout
    line = next(ln for ln in r.stdout.splitlines() if ln.startswith("inst-annual-consultations"))
    assert line.split()[:4] == ["inst-annual-consultations", "pending", "2026-04-03", "-239"]
    assert "\x1b[" not in r.stdout
    assert max(len(ln) for ln in r.stdout.splitlines()) <= 100


def test_list_colour_when_forced(cli: Cli) -> None:
    r = cli("list", env={"FORCE_COLOR": "1"})
    assert "\x1b[31m" in r.stdout  # overdue in red


def test_list_filters(cli: Cli) -> None:
    def ids(*args: str) -> list[str]:
        r = cli("list", "--format", "json", *args)
        assert r.exit_code == 0, r.output
        return [row["id"] for row in json.loads(r.stdout)]

    assert ids("--overdue") == ["inst-annual-consultations"]
    assert set(ids("--category", "security")) == {
        "sec-strategic-partnership",
        "sec-technical-assistance",
        "sec-military-equipment",
        "sec-targeted-training",
    }
    assert set(ids("--party", "russia", "--category", "security")) == set(
        ids("--category", "security")
    )
    # Mali is a member of the AES, so a party to its commitments (issue 23), not to Russia's own.
    assert "sec-strategic-partnership" in ids("--party", "Mali")
    assert "sec-technical-assistance" not in ids("--party", "Mali")
    assert ids("--status", "done") == []
    # Accent- and case-insensitive, over title, quote and notes: the three undertakings share
    # the quote "des équipements militaires adaptés".
    undertakings = {"sec-technical-assistance", "sec-military-equipment", "sec-targeted-training"}
    assert set(ids("--search", "equipement")) == undertakings
    assert set(ids("--search", "ÉQUIPEMENTS MILITAIRES")) == undertakings
    assert ids("--search", "Provide Targeted") == ["sec-targeted-training"]
    # Punctuation is ignored too: the other two undertakings' notes name sec-targeted-training.
    assert set(ids("--search", "targeted training")) == undertakings
    assert ids("--search", "no such words") == []
    assert cli("note", "dev-inf", "Première pierre posée à Niamey").exit_code == 0
    assert ids("--search", "premiere pierre") == ["dev-infrastructure"]
    assert ids("--due-before", "2026-05-01") == ["inst-annual-consultations"]
    assert ids("--due-after", "2026-05-01") == []
    assert ids("--closed") == []
    assert len(ids("--open")) == 12
    assert ids("--sort", "id")[:2] == ["dev-economic-operators", "dev-infrastructure"]
    assert ids("--sort", "id", "--reverse")[0] == "sec-technical-assistance"


def test_due_lists_overdue_first_and_review_dates(cli: Cli) -> None:
    r = cli("due", "--format", "json")
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert rows[0]["id"] == "inst-annual-consultations" and rows[0]["overdue"]
    assert rows[1]["id"] == "inst-next-session-date" and rows[1]["review_due"]
    assert len(rows) == 12
    # Before any review date, only what is due within the window shows.
    r = cli("due", "--within", "7d", "--format", "json", as_of="2025-06-01")
    assert json.loads(r.stdout) == []
    r = cli("due", "--within", "2m", "--format", "json", as_of="2026-01-10")
    assert [x["id"] for x in json.loads(r.stdout)] == ["inst-next-session-date"]
    r = cli("due", "--within", "3m", "--format", "json", as_of="2026-01-10")
    ids = [x["id"] for x in json.loads(r.stdout)]
    # "Review due" is exactly "review date <= today": the review dates of 2026-04-03 inside
    # the window have not come yet (the report lists them under "Review soon").
    assert ids == ["inst-next-session-date", "inst-annual-consultations"]
    r = cli("due", as_of="2025-06-01")
    assert r.stdout == "Nothing overdue or due within 30d.\n"


def test_show_json_and_text(cli: Cli) -> None:
    r = cli("show", "inst-a", "--format", "json")
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert LIST_KEYS | {"quote", "source", "history"} <= set(d)
    assert d["source"] == "aes-russia-2025-04-03"
    assert d["quote"].startswith("Les ministres sont convenus")
    assert [(h["on"], h["status"]) for h in d["history"]] == [("2025-04-03", "pending")] * 2
    text = cli("show", "sec-targ").stdout
    assert "« s’est engagée à fournir une assistance technique" in text
    assert "History" in text and "2025-04-03" in text


def test_done_closes_and_records_note_and_evidence(cli: Cli) -> None:
    r = cli(
        "done",
        "sec-targ",
        "--note",
        "First course held",
        "--evidence",
        "https://example.org/a",
        "--on",
        "20 novembre 2026",
    )
    assert r.exit_code == 0, r.output
    assert r.stdout == "sec-targeted-training: pending → done\n"
    c = tomllib.loads(cli.path.read_text())["commitments"]["sec-targeted-training"]
    assert c["status"] == "done"
    h = c["history"][-1]
    assert (str(h["on"]), h["by"], h["status"], h["note"], h["evidence"]) == (
        "2026-11-20",
        "tester",
        "done",
        "First course held",
        ["https://example.org/a"],
    )
    assert h["changes"] == ["status: pending → done"]
    row = json.loads(cli("list", "--format", "json", "--closed").stdout)
    assert [x["id"] for x in row] == ["sec-targeted-training"]


def test_done_on_the_consultations_moves_to_the_next_occurrence(cli: Cli) -> None:
    r = cli("done", "inst-annual", "--on", "2026-05-12", "--host", "Mali")
    assert r.exit_code == 0, r.output
    assert r.stdout == (
        "inst-annual-consultations: occurrence of 2026-05-12 (held 39 days late) recorded; "
        "next due 2027-04-03, expected host: Russia\n"
    )
    c = tomllib.loads(cli.path.read_text())["commitments"]["inst-annual-consultations"]
    assert c["status"] == "pending" and str(c["due"]) == "2027-04-03"
    assert c["next_host"] == "Russia"
    last = c["history"][-1]
    assert (last["event"], last["host"], str(last["on"])) == ("occurrence", "Mali", "2026-05-12")
    r = cli("done", "inst-annual", "--on", "2027-04-03", as_of="2027-04-04")
    c = tomllib.loads(cli.path.read_text())["commitments"]["inst-annual-consultations"]
    assert (str(c["due"]), c["next_host"], c["history"][-1]["host"]) == (
        "2028-04-03",
        "AES member state",
        "Russia",
    )


def test_status_any_of_seven_and_reopen(cli: Cli) -> None:
    for st in ("in_progress", "stalled", "partial", "broken", "dropped", "done"):
        assert cli("status", "dev-eco", st).exit_code == 0
    r = cli("status", "dev-eco", "pending", "--note", "Talks resumed")
    assert r.stdout == "dev-economic-operators: done → pending\n"
    c = tomllib.loads(cli.path.read_text())["commitments"]["dev-economic-operators"]
    assert [h["status"] for h in c["history"]] == [
        "pending",
        "in_progress",
        "stalled",
        "partial",
        "broken",
        "dropped",
        "done",
        "pending",
    ]
    r = cli("status", "dev-eco", "finished")
    assert r.exit_code == 2 and "error: " in r.stderr and "finished" in r.stderr


def test_note_keeps_status(cli: Cli) -> None:
    r = cli("note", "sec-mil", "Deliveries reported", "--evidence", "https://example.org/n")
    assert (r.exit_code, r.stdout) == (0, "sec-military-equipment: note added\n")
    c = tomllib.loads(cli.path.read_text())["commitments"]["sec-military-equipment"]
    assert c["status"] == "pending" and c["history"][-1]["event"] == "note"
    assert cli("note", "sec-mil", "   ").exit_code == 2


def test_add_edit_and_slip(cli: Cli) -> None:
    r = cli(
        "add",
        "Open a trade house in Bamako",
        "--category",
        "development",
        "--party",
        "Russia",
        "--party",
        "Mali",
        "--due",
        "15 janvier 2027",
        "--quote",
        "un texte",
        "--due-reason",
        "announced by the ministry",
    )
    assert (r.exit_code, r.stdout) == (0, "dev-open-trade-house\n"), r.output
    r = cli(
        "add",
        "Open a trade house in Bamako",
        "--category",
        "development",
        "--party",
        "Russia",
        "--no-deadline",
        "--review",
        "+6m",
        "--quote",
        "x",
    )
    assert r.exit_code == 2, "the same title and source again is refused"
    assert r.stderr.startswith("error: dev-open-trade-house has the same title and source")
    r = cli(
        "add",
        "Open a trade house in Bamako",
        "--category",
        "development",
        "--party",
        "Russia",
        "--no-deadline",
        "--review",
        "+6m",
        "--quote",
        "x",
        "--force",
    )
    assert r.stdout == "dev-open-trade-house-2\n"
    r = cli("edit", "dev-open-trade-house", "--due", "2027-04-03")
    assert r.exit_code == 0, r.output
    text = cli("show", "dev-open-trade-house").stdout
    assert "due 2027-04-03, originally 2027-01-15, slipped 78 days" in text
    d = json.loads(cli("show", "dev-open-trade-house", "--format", "json").stdout)
    assert (d["original_due"], d["slip_days"]) == ("2027-01-15", 78)
    r = cli("edit", "dev-open-trade-house", "--due", "2027-05-01")
    d = json.loads(cli("show", "dev-open-trade-house", "--format", "json").stdout)
    assert d["original_due"] == "2027-01-15", "the original due date is the first one"


def test_add_with_a_given_id_and_recurrence(cli: Cli) -> None:
    r = cli(
        "add",
        "Joint commission",
        "--category",
        "institutional",
        "--party",
        "AES",
        "--party",
        "Russia",
        "--due",
        "2027-01-01",
        "--recur",
        "FREQ=YEARLY;INTERVAL=2",
        "--host",
        "Russia",
        "--host",
        "AES member state",
        "--quote",
        "q",
        "--id",
        "inst-jc",
    )
    assert (r.exit_code, r.stdout) == (0, "inst-jc\n"), r.output
    assert cli("done", "inst-jc", "--on", "2027-01-01", as_of="2027-01-02").exit_code == 0
    c = tomllib.loads(cli.path.read_text())["commitments"]["inst-jc"]
    assert (str(c["due"]), c["next_host"]) == ("2029-01-01", "AES member state")


# A valid `add`, for the cases that change one part of it.
_ADD = [
    "add",
    "T",
    "--category",
    "security",
    "--party",
    "Russia",
    "--due",
    "2027-01-01",
    "--quote",
    "q",
]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["show", "nope"], "error: no commitment 'nope'"),
        (
            ["show", "sec-"],
            "error: 'sec-' is ambiguous: it starts sec-military-equipment, "
            "sec-strategic-partnership, sec-targeted-training, "
            "sec-technical-assistance",
        ),
        (
            ["done", "sec-targ", "--on", "March 2026"],
            "error: --on: 'March 2026' is not a full date",
        ),
        (["done", "sec-targ", "--on", "02/03/2026"], "error: --on: '02/03/2026' is ambiguous"),
        (["list", "--party", "France"], "error: --party: 'France' is not a known party"),
        (["list", "--source", "x"], "error: --source: no source 'x'"),
        (["list", "--due-within", "soon"], "error: --due-within: 'soon' is not a duration"),
        (
            ["list", "--status", "finished"],
            "error: --status: 'finished' is not a status; use one of pending, in_progress, "
            "stalled, done, partial, broken, dropped",
        ),
        (
            ["list", "--category", "defence"],
            "error: --category: 'defence' is not a category; use one of security, "
            "diplomacy, development, institutional",
        ),
        (
            ["add", "T", "--category", "security", "--party", "Russia", "--due", "2027-01-01"],
            "error: --quote: the quote is missing: copy the communiqué's words",
        ),
        (["add", "  ", *_ADD[2:]], "error: TITLE: must not be blank"),
        (
            ["add", "T", "--category", "security", "--party", "Russia", "--quote", "q"],
            "error: give --due DATE, or --no-deadline with --review DATE",
        ),
        (
            [*_ADD[:4], "--party", "Wakanda", *_ADD[6:]],
            "error: --party: 'Wakanda' is not a known party (one of: AES, Burkina Faso, Mali, "
            "Niger, Russia)",
        ),
        ([*_ADD, "--source", "zz"], "error: --source: no source 'zz'"),
        (
            [*_ADD, "--id", "sec-targeted-training"],
            "error: --id: a commitment 'sec-targeted-training' already exists",
        ),
        (["edit", "sec-targ"], "error: nothing to change"),
        (
            ["edit", "sec-targ", "--title", "Provide targeted training to the AES Unified Force"],
            "error: nothing to change: the values given are the current ones",
        ),
        (["--as-of", "someday", "list"], "error: --as-of: 'someday' is not a date"),
        (["frobnicate"], "error: no such command: frobnicate"),
    ],
)
def test_bad_input_is_one_error_line_exit_2_and_no_change(
    cli: Cli, args: list[str], message: str
) -> None:
    before = cli.bytes()
    r = cli(*args)
    assert r.exit_code == 2, r.output
    assert r.stderr.startswith(message), r.stderr
    assert "Traceback" not in r.output
    assert cli.bytes() == before
    assert r.stdout == ""


def test_a_malformed_file_is_reported_with_its_line(cli: Cli) -> None:
    cli.path.write_text(
        cli.path.read_text().replace("review = 2026-01-03", 'review = "tomorrowish"')
    )
    before = cli.bytes()
    r = cli("done", "sec-targ")
    assert r.exit_code == 2
    line = cli.path.read_text().splitlines().index('review = "tomorrowish"') + 1
    assert r.stderr == (
        f"error: {cli.path}:{line}:10: commitments.inst-next-session-date.review: "
        "'tomorrowish' is not a date (write it bare, as 2026-04-03)\n"
    )
    assert cli.bytes() == before


def test_a_comment_blocks_writes_but_not_reads(cli: Cli) -> None:
    cli.path.write_text("# desk notes\n" + cli.path.read_text())
    before = cli.bytes()
    assert cli("list").exit_code == 0
    r = cli("done", "sec-targ")
    assert r.exit_code == 2
    assert r.stderr.splitlines()[0] == (
        f"error: {cli.path}:1: has a comment, and writing the file would drop it; "
        "nothing was written"
    )
    assert cli.bytes() == before


def test_undo_restores_exact_bytes_step_by_step(cli: Cli) -> None:
    states = [cli.bytes()]
    for args in (
        ["done", "sec-targ"],
        ["note", "dev-inf", "x"],
        ["edit", "dip-un", "--notes", "watch"],
    ):
        assert cli(*args).exit_code == 0
        states.append(cli.bytes())
    for expected in reversed(states[:-1]):
        r = cli("undo")
        assert r.exit_code == 0, r.output
        assert cli.bytes() == expected
    r = cli("undo")
    assert r.exit_code == 2 and "nothing to undo" in r.stderr


def test_undo_refuses_after_a_hand_edit(cli: Cli) -> None:
    cli("done", "sec-targ")
    edited = cli.path.read_text().replace('place = "Moscow"', 'place = "Moscou"')
    cli.path.write_text(edited)
    r = cli("undo")
    assert r.exit_code == 2
    assert "was changed outside aes-tracker" in r.stderr
    assert cli.path.read_text() == edited


def test_init_writes_bundled_and_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "new" / "c.toml"
    c = Cli(target)
    r = c("init")
    assert (r.exit_code, r.stdout) == (0, f"wrote {target}\n")
    from .conftest import DATA

    assert target.read_bytes() == DATA.read_bytes()
    target.write_text(target.read_text().replace("Moscow", "Moscou"))
    r = c("init")
    assert r.exit_code == 2 and "already exists" in r.stderr
    assert "Moscou" in target.read_text()
    assert c("init", "--force").exit_code == 0
    assert target.read_bytes() == DATA.read_bytes()


@pytest.mark.parametrize("content", [b"", b"garbage = [\n", b"schema = 1\n<<<<<<< ours\n"])
def test_init_force_will_not_replace_a_file_it_cannot_read(tmp_path: Path, content: bytes) -> None:
    """Undo may only restore a file that reads clean, so what --force would replace there could
    not be brought back: init says so, in one line and a hint, and writes nothing."""
    target = tmp_path / "broken.toml"
    target.write_bytes(content)
    r = Cli(target)("init", "--empty", "--force")
    assert r.exit_code == 2
    first, hint = r.stderr.splitlines()
    assert first.startswith(f"error: {target}") and "cannot be read" in first, first
    assert "undo could not bring it back" in first and first.endswith("nothing was written")
    assert hint == "hint: fix it, or move it away, then run init again"
    assert target.read_bytes() == content


def test_first_write_without_a_file_creates_the_user_data_file(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    runner = CliRunner()
    r = runner.invoke(app, ["--as-of", "2026-11-28", "list", "--format", "json"])
    assert r.exit_code == 0 and len(json.loads(r.stdout)) == 12
    r = runner.invoke(app, ["--by", "t", "done", "sec-targ"])
    user = tmp_path / "xdg-data" / "aes-tracker" / "commitments.toml"
    assert r.exit_code == 0
    assert r.stderr == f"aes-tracker: created {user} from the bundled data\n"
    assert 'status = "done"' in user.read_text()


def test_source_add_and_list(cli: Cli) -> None:
    r = cli(
        "source",
        "add",
        "aes-russia-2026",
        "--title",
        "Deuxième session",
        "--date",
        "20 mai 2026",
        "--place",
        "Bamako",
        "--language",
        "fr",
        "--party",
        "Belarus",
    )
    assert r.exit_code == 0, r.output
    rows = json.loads(cli("source", "list", "--format", "json").stdout)
    assert [(s["id"], s["date"], s["commitments"]) for s in rows] == [
        ("aes-russia-2025-04-03", "2025-04-03", 12),
        ("aes-russia-2026", "2026-05-20", 0),
    ]
    add = ["add", "Hold a joint exercise", "--category", "security", "--party", "Belarus"]
    add += ["--due", "2027-01-01", "--quote", "q"]
    r = cli(*add)
    assert r.exit_code == 2, "with several sources, --source is needed"
    assert r.stderr == (
        "error: --source: this file has several sources; say which with --source "
        "(aes-russia-2025-04-03, aes-russia-2026)\n"
    )
    r = cli(*add, "--source", "aes-russia-2026")
    assert r.exit_code == 0, r.output
    d = json.loads(cli("show", r.stdout.strip(), "--format", "json").stdout)
    assert d["source"] == "aes-russia-2026"
    assert (
        cli("source", "add", "aes-russia-2026", "--title", "x", "--date", "2026-01-01").exit_code
        == 2
    )


def test_check_reports_every_problem(cli: Cli) -> None:
    assert cli("check").exit_code == 0
    text = (
        cli.path.read_text()
        .replace("review = 2026-01-03", 'review = "soon"')
        .replace('category = "security"', 'category = "defence"', 1)
    )
    cli.path.write_text("# a remark\n" + text)
    r = cli("check")
    assert r.exit_code == 1
    lines = r.stderr.splitlines()
    assert len(lines) == 4 and lines[-1] == "3 problems found"
    assert all(ln.startswith(f"error: {cli.path}:") for ln in lines[:3])
    cli.path.write_text("schema = [")
    assert cli("check").exit_code == 2


def test_fmt_and_fmt_check(cli: Cli) -> None:
    assert cli("fmt", "--check").exit_code == 0
    text = cli.path.read_text()
    messy = text.replace("[sources.aes-russia-2025-04-03]", '[sources."aes-russia-2025-04-03"]')
    cli.path.write_text(messy)
    r = cli("fmt", "--check")
    assert r.exit_code == 1 and cli.path.read_text() == messy
    assert cli("fmt").exit_code == 0
    assert cli.path.read_text() == text
    cli.path.write_text("# c\n" + text)
    assert cli("fmt").exit_code == 2
    assert cli("fmt", "--drop-comments").exit_code == 0
    assert cli.path.read_text() == text


@pytest.mark.parametrize("fmt", ["plain", "csv", "markdown"])
def test_other_formats(cli: Cli, fmt: str) -> None:
    r = cli("list", "--format", fmt)
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    if fmt == "plain":
        assert len(lines) == 12
        assert lines[0].split("\t")[:4] == [
            "inst-annual-consultations",
            "pending",
            "2026-04-03",
            "-239",
        ]
    elif fmt == "csv":
        import csv
        import io

        rows = list(csv.DictReader(io.StringIO(r.stdout)))
        assert len(rows) == 12 and rows[0]["parties"] == "AES; Russia"
        assert list(rows[0]) == list(json.loads(cli("list", "--format", "json").stdout)[0])
        assert r.stdout_bytes.endswith(b"\r\n")
    else:
        assert lines[0].startswith("| ID | Title |") and lines[1].startswith("|---|")
        assert len(lines) == 14


@pytest.mark.parametrize(
    "args",
    [
        ["due", "--within", "99999y"],
        ["report", "--since", "9999y", "--within", "9999y"],
        ["--as-of", "9999-12-31", "due"],
        ["--as-of", "9999-12-31", "report"],
        ["--as-of", "9999-12-31", "timeline", "--months", "120"],
        ["--as-of", "0001-01-01", "timeline", "--months", "120"],
        ["--as-of", "0001-01-01", "report", "--since", "1y"],
        ["--as-of", "9999-12-31", "list", "--due-within", "1d"],
        ["--as-of", "9999-12-31", "stats"],
    ],
)
def test_windows_at_the_ends_of_the_calendar_stop_there(cli: Cli, args: list[str]) -> None:
    r = cli(*args[2:], as_of=args[1]) if args[0] == "--as-of" else cli(*args)
    assert r.exit_code == 0, r.output


@pytest.mark.parametrize(
    "args",
    [
        ["list", "--due-before", "+99999y"],
        ["done", "sec-targ", "--on", "-9999y"],
        ["--as-of", "+9999y", "list"],
    ],
)
def test_dates_outside_the_calendar_are_refused(cli: Cli, args: list[str]) -> None:
    r = cli(*args)
    assert r.exit_code == 2 and "falls outside the calendar (years 1 to 9999)" in r.stderr


def test_a_recurrence_that_ends_closes_the_commitment(cli: Cli) -> None:
    r = cli(
        "add",
        "Two sessions only",
        "--category",
        "institutional",
        "--party",
        "AES",
        "--due",
        "2026-01-01",
        "--recur",
        "FREQ=YEARLY;COUNT=2",
        "--quote",
        "q",
        "--id",
        "inst-two",
    )
    assert r.exit_code == 0, r.output
    assert "next due 2027-01-01" in cli("done", "inst-two", "--on", "2026-01-01").stdout
    r = cli("done", "inst-two", "--on", "2027-01-01", as_of="2027-01-02")
    assert r.exit_code == 0 and "no further occurrence" in r.stdout
    # Read as of the day it was recorded (as of an earlier day, the session is not there yet).
    d = json.loads(cli("show", "inst-two", "--format", "json", as_of="2027-01-02").stdout)
    assert (d["status"], d["due"]) == ("done", "2027-01-01")


def test_who_made_the_change(datafile: Path) -> None:
    from typer.testing import CliRunner

    runner = CliRunner()
    base = ["--file", str(datafile), "--as-of", "2026-11-28"]
    runner.invoke(app, [*base, "note", "dip-un", "a"], env={"AES_TRACKER_USER": "amina"})
    runner.invoke(
        app, [*base, "--by", "oleg", "note", "dip-un", "b"], env={"AES_TRACKER_USER": "amina"}
    )
    runner.invoke(app, [*base, "note", "dip-un", "c"], env={"AES_TRACKER_USER": None})
    h = tomllib.loads(datafile.read_text())["commitments"]["dip-un-charter"]["history"]
    import getpass

    assert [(e["note"], e["by"]) for e in h[-3:]] == [
        ("a", "amina"),
        ("b", "oleg"),
        ("c", getpass.getuser()),
    ]
    assert all(e["at"].tzinfo is not None for e in h[-3:]), "and when, in UTC"


def _command_names() -> list[str]:
    from typer.main import get_command

    from aes_tracker.cli import app

    return sorted(get_command(app).commands)  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", _command_names())
def test_the_app_built_for_one_command_runs_it_as_the_whole_app_does(
    name: str, datafile: Path
) -> None:
    """`main` registers only the command named in the arguments (Typer inspects every
    registered command on every run); that command's help, and its errors, are the same."""
    from typer.testing import CliRunner

    from aes_tracker.cli import app
    from aes_tracker.cli.base import app_for

    for argv in (
        ["--file", str(datafile), "--as-of", "2026-11-28", name, "--help"],
        ["--file", str(datafile), name, "--no-such-option"],
    ):
        slim = app_for(argv)
        assert slim is not app and len(slim.registered_commands + slim.registered_groups) == 1
        got, want = CliRunner().invoke(slim, argv), CliRunner().invoke(app, argv)
        assert (got.exit_code, got.stdout, got.stderr) == (want.exit_code, want.stdout, want.stderr)


@pytest.mark.parametrize(
    "argv",
    [[], ["--help"], ["--file", "x"], ["lsit"], ["--as-of", "2026-01-01", "--", "nope"]],
)
def test_without_a_known_command_main_uses_the_whole_app(argv: list[str]) -> None:
    from aes_tracker.cli import app
    from aes_tracker.cli.base import app_for

    assert app_for(argv) is app


def test_the_table_of_command_modules_names_the_modules_that_register_each_command() -> None:
    """`cli.COMMANDS` (what `main` imports for a command) is what the modules register."""
    import aes_tracker.cli as cli

    registered: dict[str, set[str]] = {}
    for c in cli.app.registered_commands:
        assert c.callback is not None
        name = c.name or c.callback.__name__
        registered.setdefault(name, set()).add(c.callback.__module__)
    for g in cli.app.registered_groups:
        assert g.name is not None and g.typer_instance is not None
        mods = {c.callback.__module__ for c in g.typer_instance.registered_commands if c.callback}
        registered.setdefault(g.name, set()).update(mods)
    want = {name: {f"aes_tracker.cli.{m}" for m in mods} for name, mods in cli.COMMANDS.items()}
    assert registered == want
    assert sorted(cli.MODULES) == sorted({m for mods in cli.COMMANDS.values() for m in mods})


@pytest.mark.parametrize(
    ("argv", "modules"),
    [
        (["list"], {"read"}),
        (["--as-of", "2026-11-28", "due"], {"read"}),
        (["done", "nope", "--note", "x"], {"change"}),
        (["check"], {"maint"}),
        (["source", "list"], {"change", "extract", "read"}),
        (["git", "--help"], {"desk"}),
        (["--help"], {"change", "desk", "exchange", "extract", "maint", "read", "site"}),
        (["lsit"], {"change", "desk", "exchange", "extract", "maint", "read", "site"}),
    ],
)
def test_a_run_imports_only_the_module_of_its_command(
    argv: list[str], modules: set[str], datafile: Path, tmp_path: Path
) -> None:
    """`list` does not import cli.desk, cli.change...: only what registers the command run (the
    whole app when the command is not known, to list them all)."""
    import subprocess
    import sys

    from .conftest import bare_env

    code = (
        "import sys\n"
        "from aes_tracker.cli import main\n"
        f"sys.argv = ['aes-tracker', '--file', {str(datafile)!r}, *{argv!r}]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "names = ('change', 'desk', 'exchange', 'extract', 'maint', 'read', 'site')\n"
        "print(*[n for n in names if 'aes_tracker.cli.' + n in sys.modules], file=sys.stderr)\n"
    )
    p = subprocess.run(
        [sys.executable, "-c", code],
        env=bare_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert set(p.stderr.strip().splitlines()[-1].split()) == modules, p.stderr


def test_a_transposed_command_is_the_first_guess(cli: Cli) -> None:
    """`lsit` is `list` with two letters swapped: it is named first, before `site`, which
    difflib rates as close."""
    r = cli("lsit")
    assert r.exit_code == 2
    assert r.stderr.splitlines()[1] == "hint: did you mean list or site?", r.stderr
