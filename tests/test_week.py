"""What a week of use tripped on (issue 29): each test failed on the code before its fix."""

from __future__ import annotations

import tomllib
from datetime import date

import pytest
from typer.testing import CliRunner

from aes_tracker.domain.dates import parse_date

from .conftest import Cli


def _history(cli: Cli, cid: str) -> list[dict[str, object]]:
    doc = tomllib.loads(cli.path.read_text(encoding="utf-8"))
    return list(doc["commitments"][cid]["history"])


# ---- IDs that keep their meaning -----------------------------------------------------------------


def test_an_id_keeps_the_words_that_say_what_it_is_not_the_numbers(cli: Cli) -> None:
    r = cli(
        "add",
        "Deliver 25,000 tonnes of wheat to Mali",
        "--category",
        "development",
        "--party",
        "Russia",
        "--due",
        "2027-06-30",
        "--quote",
        "un texte",
    )
    assert (r.exit_code, r.stdout) == (0, "dev-deliver-wheat-mali\n"), r.output


def test_a_title_of_numbers_only_still_gets_an_id(cli: Cli) -> None:
    r = cli(
        "add",
        "2027 2028",
        "--category",
        "development",
        "--party",
        "Russia",
        "--due",
        "2027-06-30",
        "--quote",
        "un texte",
    )
    assert (r.exit_code, r.stdout) == (0, "dev-2027-2028\n"), r.output


# ---- dates as people type them -------------------------------------------------------------------


def test_iso_8601_basic_dates_are_read() -> None:
    assert parse_date("20260403", date(2026, 1, 1)) == date(2026, 4, 3)


def test_iso_8601_basic_dates_through_the_cli(cli: Cli) -> None:
    r = cli("edit", "sec-targ", "--due", "20270105")
    assert r.exit_code == 0, r.output
    assert "2027-01-05" in r.stdout


def test_an_impossible_basic_date_is_named_as_such() -> None:
    with pytest.raises(Exception, match="not a real date"):
        parse_date("20261301", date(2026, 1, 1))


# ---- quiet echoes --------------------------------------------------------------------------------


def test_edit_echoes_the_change_made_and_names_what_it_cleared(cli: Cli) -> None:
    r = cli("edit", "sec-targ", "--due", "2027-01-05")
    assert (r.exit_code, r.stdout) == (
        0,
        "sec-targeted-training: due: ∅ → 2027-01-05; cleared: no_deadline, review, review_reason\n",
    ), r.output
    # The record keeps every value it replaced.
    last = _history(cli, "sec-targeted-training")[-1]
    assert any(str(c).startswith("review_reason: The text gives no date") for c in last["changes"])


def test_the_marks_footnote_in_a_terminal_has_no_markdown_backticks(cli: Cli) -> None:
    assert cli("status", "dev-infra", "stalled", "--party", "Mali").exit_code == 0
    r = cli("list")
    assert r.exit_code == 0
    assert "* parties' own assessments differ" in r.stdout
    assert "`" not in r.stdout, r.stdout
    # Markdown keeps the command as code.
    r = cli("list", "--format", "markdown")
    assert "`aes-tracker show ID`" in r.stdout, r.stdout


# ---- order within a second -----------------------------------------------------------------------


def test_log_lists_entries_of_the_same_second_newest_first(cli: Cli) -> None:
    now = "2026-11-28T12:00:00+00:00"
    assert cli("note", "sec-targ", "first", now=now).exit_code == 0
    assert cli("note", "sec-targ", "second", now=now).exit_code == 0
    r = cli("log", "--format", "plain")
    lines = [ln for ln in r.stdout.splitlines() if "first" in ln or "second" in ln]
    assert len(lines) == 2 and "second" in lines[0] and "first" in lines[1], r.stdout


# ---- the right hint ------------------------------------------------------------------------------


def test_done_for_a_party_whose_assessment_is_broken_hints_at_status(cli: Cli) -> None:
    assert cli("status", "sec-targ", "broken", "--party", "Russia").exit_code == 0
    r = cli("done", "sec-targ", "--party", "Russia")
    assert (r.exit_code, r.stderr) == (
        2,
        "error: Russia is already broken on sec-targeted-training; nothing was recorded\n"
        "hint: to record it as done after all, use `aes-tracker status sec-targeted-training "
        "done --party Russia`\n",
    )


def test_done_on_a_dropped_commitment_hints_at_status(cli: Cli) -> None:
    assert cli("status", "sec-targ", "dropped").exit_code == 0
    r = cli("done", "sec-targ")
    assert r.exit_code == 2
    assert r.stderr.splitlines()[-1] == (
        "hint: to record it as done after all, use `aes-tracker status sec-targeted-training done`"
    )


# ---- help grouped by task ------------------------------------------------------------------------


def test_every_command_has_its_panel_and_the_help_reads_in_the_days_order() -> None:
    from typer.main import get_command

    from aes_tracker.cli import app
    from aes_tracker.cli.base import PANELS

    group = get_command(app)
    placed = [name for _panel, names in PANELS for name in names]
    assert sorted(group.commands) == sorted(placed)  # nothing left in a panel of its own
    r = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "100"})
    titles = [ln.split(" ")[1] for ln in r.stdout.splitlines() if ln.startswith("╭─ ")]
    assert titles == ["Options", *(panel for panel, _names in PANELS)]
    order = [
        ln.split()[1]
        for ln in r.stdout.splitlines()
        if ln.startswith("│ ") and ln[2] != " " and ln.split()[1] in placed
    ]
    assert order[:5] == ["list", "due", "show", "log", "report"]
    assert order[-1] == "merge-file"


def test_the_panels_are_in_french_under_lang_fr() -> None:
    from aes_tracker.cli import app

    r = CliRunner().invoke(app, ["--lang", "fr", "--help"], env={"COLUMNS": "100"})
    assert "╭─ Au quotidien " in r.stdout, r.stdout
