"""The numbers a briefing quotes (issue 23), through the CLI: a member of a group is a party to
the group's commitments, and every read command takes the same filters."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from .conftest import AS_OF, DATA, Cli

# The bundled commitments that name the AES (and so bind Burkina Faso, Mali and Niger).
AES_OWN = [
    "dev-economic-operators",
    "dev-infrastructure",
    "dev-investment-climate",
    "dip-equitable-treatment",
    "dip-non-interference",
    "dip-un-charter",
    "inst-annual-consultations",
    "inst-next-session-date",
    "sec-strategic-partnership",
]
RUSSIA_ONLY = ["sec-military-equipment", "sec-targeted-training", "sec-technical-assistance"]


def _json(r: Any) -> Any:
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def _ids(r: Any) -> list[str]:
    return sorted(x["id"] for x in _json(r))


_MALI_ALONE = (
    "add",
    "Mali alone",
    "--category",
    "security",
    "--party",
    "Mali",
    "--due",
    "2026-12-15",
    "--quote",
    "q",
    "--id",
    "sec-mali-alone",
)


def _add_for_mali(cli: Cli) -> None:
    r = cli(*_MALI_ALONE)
    assert r.exit_code == 0, r.output


# ---- members of a group are parties ------------------------------------------------------------


def test_list_party_a_member_matches_its_groups_commitments(cli: Cli) -> None:
    assert _ids(cli("list", "--party", "Niger", "--format", "json")) == AES_OWN
    assert _ids(cli("list", "--party", "AES", "--format", "json")) == AES_OWN
    assert _ids(cli("list", "--party", "Russia", "--format", "json")) == sorted(
        AES_OWN + RUSSIA_ONLY
    )


def test_a_members_own_commitment_binds_it_not_its_group_nor_the_others(cli: Cli) -> None:
    _add_for_mali(cli)
    assert "sec-mali-alone" in _ids(cli("list", "--party", "Mali", "--format", "json"))
    assert "sec-mali-alone" not in _ids(cli("list", "--party", "AES", "--format", "json"))
    assert "sec-mali-alone" not in _ids(cli("list", "--party", "Niger", "--format", "json"))


@pytest.mark.parametrize("given", ["burkina", "BURKINA FASO", "Bürkina", "burkina faso "])
def test_party_takes_a_unique_prefix_any_case_accents_ignored(cli: Cli, given: str) -> None:
    assert _ids(cli("list", "--party", given, "--format", "json")) == AES_OWN


def test_a_near_miss_of_a_party_gets_did_you_mean(cli: Cli) -> None:
    r = cli("list", "--party", "Nigr")
    assert (r.exit_code, r.stderr.splitlines()) == (
        2,
        [
            "error: --party: 'Nigr' is not a known party (one of: AES, Burkina Faso, Mali, "
            "Niger, Russia)",
            "hint: did you mean Niger?",
        ],
    )


def test_an_empty_party_is_refused_and_one_letter_will_do(cli: Cli) -> None:
    r = cli("list", "--party", "")
    assert r.exit_code == 2
    r = cli("list", "--party", "m")
    assert r.exit_code == 0, r.output  # Mali, the only party starting "m"


def test_list_help_says_a_member_matches_its_groups_commitments(cli: Cli) -> None:
    r = cli("list", "--help", env={"COLUMNS": "200"})
    assert r.exit_code == 0
    assert "or a group it belongs to" in " ".join(r.stdout.split())


# ---- the same filters on every read command ------------------------------------------------------


def test_due_takes_the_filters(cli: Cli) -> None:
    every = _ids(cli("due", "--within", "1y", "--format", "json"))
    assert "inst-annual-consultations" in every
    assert _ids(cli("due", "--within", "1y", "--party", "Niger", "--format", "json")) == [
        i for i in every if i in AES_OWN
    ]
    assert _ids(
        cli("due", "--within", "1y", "--category", "institutional", "--format", "json")
    ) == [i for i in every if i.startswith("inst-")]
    assert _ids(cli("due", "--within", "1y", "--status", "done", "--format", "json")) == []
    assert (
        _ids(
            cli(
                "due",
                "--within",
                "1y",
                "--source",
                "aes-russia",
                "--format",
                "json",
            )
        )
        == every
    )


def test_report_takes_the_filters(cli: Cli) -> None:
    _add_for_mali(cli)
    full = _json(cli("report", "--within", "30d", "--format", "json"))
    assert "sec-mali-alone" in [x["id"] for x in full["due_soon"]]
    niger = _json(cli("report", "--within", "30d", "--party", "Niger", "--format", "json"))
    assert "sec-mali-alone" not in [x["id"] for x in niger["due_soon"]]
    assert niger["summary"]["total"] == len(AES_OWN)
    sec = _json(cli("report", "--category", "security", "--format", "json"))
    assert sec["summary"]["by_category"]["security"] == sec["summary"]["total"] == 5


def test_log_takes_the_filters(cli: Cli) -> None:
    _add_for_mali(cli)
    assert [x["id"] for x in _json(cli("log", "--format", "json"))].count("sec-mali-alone") == 1
    assert "sec-mali-alone" not in [
        x["id"] for x in _json(cli("log", "--party", "Niger", "--format", "json"))
    ]
    only = _json(cli("log", "--party", "Mali", "--category", "security", "--format", "json"))
    assert {x["id"] for x in only} == {"sec-mali-alone", "sec-strategic-partnership"}


def test_timeline_takes_the_filters(cli: Cli) -> None:
    _add_for_mali(cli)

    def ids(*args: str) -> set[str]:
        t = _json(cli("timeline", "--months", "12", "--format", "json", *args))
        return {x["id"] for m in t["months"] for x in m["items"]}

    assert {"sec-mali-alone", "inst-annual-consultations"} <= ids()
    # Niger through the AES: the AES's own commitments in the window (due dates, and the review
    # dates of the undated ones), never Mali's own.
    niger = ids("--party", "Niger")
    assert "inst-annual-consultations" in niger and "sec-mali-alone" not in niger
    assert niger <= set(AES_OWN)
    assert ids("--category", "security") <= {
        "sec-mali-alone",
        *(i for i in AES_OWN + RUSSIA_ONLY if i.startswith("sec-")),
    }
    assert "sec-mali-alone" in ids("--category", "security")
    assert ids("--status", "done") == set()


def test_stats_takes_the_filters(cli: Cli) -> None:
    st = _json(cli("stats", "--party", "Niger", "--format", "json"))
    assert {g["group"]: g["total"] for g in st["groups"]} == {"AES": 9, "Russia": 9}
    st = _json(cli("stats", "--by", "category", "--status", "pending", "--format", "json"))
    assert sum(g["total"] for g in st["groups"]) == 12
    st = _json(cli("stats", "--by", "category", "--category", "security", "--format", "json"))
    assert {g["group"]: g["total"] for g in st["groups"] if g["total"]} == {"security": 4}
    m = _json(cli("stats", "--matrix", "--party", "Mali", "--format", "json"))
    assert sorted(r["id"] for r in m["rows"]) == AES_OWN


def test_stats_by_member_gives_each_member_its_own_row(cli: Cli) -> None:
    r = cli("status", "sec-strategic", "in_progress", "--party", "AES")
    assert r.exit_code == 0, r.output
    r = cli("status", "sec-strategic", "broken", "--party", "Mali")
    assert r.exit_code == 0, r.output
    st = _json(cli("stats", "--by", "member", "--format", "json"))
    assert st["by"] == "member"
    groups = {g["group"]: g for g in st["groups"]}
    assert sorted(groups) == ["Burkina Faso", "Mali", "Niger", "Russia"]
    assert groups["Mali"]["total"] == groups["Niger"]["total"] == 9
    assert groups["Russia"]["total"] == 12
    # Mali's own assessment over its group's; Niger has the AES's.
    assert groups["Mali"]["by_status"]["broken"] == 1
    assert groups["Mali"]["by_status"]["in_progress"] == 0
    assert groups["Niger"]["by_status"]["in_progress"] == 1
    assert groups["Niger"]["by_status"]["broken"] == 0


# ---- --as-of is a point in time ------------------------------------------------------------------

ANNUAL = "inst-annual-consultations"


def _reads(cli: Cli, day: str) -> dict[str, str]:
    """What every read command prints as of `day`, in JSON (or the table where it has none)."""
    out = {}
    for args in (
        ("list", "--format", "json"),
        ("due", "--within", "1y", "--format", "json"),
        ("show", ANNUAL, "--format", "json"),
        ("show", "sec-targeted", "--format", "json"),
        ("show", "dev-infra", "--format", "json"),
        ("stats", "--format", "json"),
        ("stats", "--matrix", "--by", "member", "--format", "json"),
        ("report", "--since", "30d", "--format", "json"),
        ("timeline", "--months", "12", "--format", "json"),
        ("log", "--format", "json"),
    ):
        r = cli(*args, as_of=day)
        assert r.exit_code == 0, (args, r.output)
        out[" ".join(args)] = r.stdout
    return out


def test_as_of_a_past_day_reads_what_that_day_read(cli: Cli) -> None:
    """Printed on 2026-11-28, then changed in December (statuses, a session, a per-party
    assessment, a note, an edit of title and due, a review, a new commitment, a backdated
    status): read again as of 2026-11-28, every command prints what it printed then."""
    then = _reads(cli, "2026-11-28")
    steps = [
        ("2026-12-01", ("status", "sec-targeted", "done", "--note", "Delivered.")),
        ("2026-12-02", ("done", "inst-annual", "--on", "2026-12-02", "--host", "Mali")),
        ("2026-12-03", ("status", "dev-infra", "stalled", "--party", "Niger")),
        ("2026-12-04", ("note", "dev-infra", "A note.")),
        ("2026-12-05", ("edit", "sec-military", "--title", "Renamed", "--due", "2027-06-30")),
        ("2026-12-06", ("review", "dev-economic")),
        ("2026-12-07", (*_MALI_ALONE,)),
        # Backdated: happened before 2026-11-28, recorded after it.
        ("2026-12-08", ("status", "sec-technical", "broken", "--on", "2026-11-20")),
    ]
    for day, args in steps:
        r = cli(*args, as_of=day)
        assert r.exit_code == 0, (args, r.output)
    now = _reads(cli, "2026-11-28")
    for key in then:
        assert now[key] == then[key], key
    # And the changes are there as of their own days.
    shown = _json(cli("show", "sec-targeted", "--format", "json", as_of="2026-12-01"))
    assert shown["status"] == "done"


def test_as_of_before_a_commitment_was_added_it_does_not_exist(cli: Cli) -> None:
    _add_for_mali(cli)  # recorded on 2026-11-28
    assert "sec-mali-alone" not in _ids(cli("list", "--format", "json", as_of="2026-11-27"))
    r = cli("show", "sec-mali-alone", as_of="2026-11-27")
    assert (r.exit_code, r.stderr.splitlines()[0]) == (2, "error: no commitment 'sec-mali-alone'")


def test_as_of_a_past_day_stats_count_no_later_closing(cli: Cli) -> None:
    r = cli("status", "sec-targeted", "done", as_of="2026-12-15")
    assert r.exit_code == 0, r.output
    st = _json(cli("stats", "--format", "json", as_of="2026-04-01"))
    russia = {g["group"]: g for g in st["groups"]}["Russia"]
    assert (russia["by_status"]["done"], russia["closed"]) == (0, 0)


def test_as_of_a_past_day_show_hides_a_later_session_and_its_next_date(cli: Cli) -> None:
    r = cli("done", "inst-annual", "--on", "2026-12-05", "--host", "Mali", as_of="2026-12-06")
    assert r.exit_code == 0, r.output
    c = _json(cli("show", ANNUAL, "--format", "json", as_of="2026-11-30"))
    assert c["due"] == "2026-04-03"
    assert "2026-12-05" not in [h["on"] for h in c["history"]]


def test_a_write_under_a_past_as_of_keeps_todays_file(cli: Cli) -> None:
    """Writes record history; they do not rewrite it: under a past --as-of, a note keeps the
    later edit, and a session before the last recorded one is refused as it is today."""
    assert cli("edit", "sec-military", "--title", "Renamed", as_of="2026-12-05").exit_code == 0
    r = cli("done", "inst-annual", "--on", "2026-12-02", as_of="2026-12-05")
    assert r.exit_code == 0, r.output
    r = cli(
        "note", "sec-military", "Old news.", as_of="2026-11-01", now="2026-12-06T09:00:00+00:00"
    )
    assert r.exit_code == 0, r.output
    assert (
        _json(cli("show", "sec-military", "--format", "json", as_of="2026-12-06"))["title"]
        == "Renamed"
    )
    r = cli("done", "inst-annual", "--on", "2026-10-01", as_of="2026-11-01")
    assert r.exit_code == 2
    assert "is before the last recorded session (2026-12-02)" in r.stderr


# ---- a recurring session counts once, for the slot it was owed -----------------------------------


@pytest.mark.parametrize("on", ["2026-09-30", "2026-10-05"])
def test_a_late_session_fills_the_slot_it_was_owed_and_says_how_late(cli: Cli, on: str) -> None:
    """The 2026 session was owed on 2026-04-03: held on 30 September or on 5 October, it is
    that year's, held late, and the next is due in 2027 (five days used to decide it)."""
    r = cli("done", "inst-annual", "--on", on, "--host", "Mali", as_of="2026-11-28")
    assert r.exit_code == 0, r.output
    late = (date.fromisoformat(on) - date(2026, 4, 3)).days
    assert f"held {late} days late" in r.stdout
    c = _json(cli("show", ANNUAL, "--format", "json"))
    assert c["due"] == "2027-04-03"
    assert c["sessions"][-1]["slot"] == "2026-04-03"
    assert c["sessions"][-1]["days_late"] == late
    assert c["sessions"][0]["days_late"] == 0
    assert f"{on}, Mali (held {late} days late)" in cli("show", ANNUAL).stdout


def test_a_year_passed_without_a_session_is_missed_not_filled_by_the_next(cli: Cli) -> None:
    r = cli("done", "inst-annual", "--on", "2027-05-01", "--host", "Mali", as_of="2027-05-02")
    assert r.exit_code == 0, r.output
    c = _json(cli("show", ANNUAL, "--format", "json", as_of="2027-05-02"))
    assert (c["sessions"][-1]["slot"], c["sessions"][-1]["days_late"]) == ("2027-04-03", 28)
    assert c["missed"] == ["2026-04-03"]
    assert c["due"] == "2028-04-03"


def test_the_same_meeting_recorded_twice_on_two_days_is_refused(cli: Cli) -> None:
    r = cli("done", "inst-annual", "--on", "2026-12-05", "--host", "Mali", as_of="2026-12-06")
    assert r.exit_code == 0, r.output
    before = cli.bytes()
    r = cli("done", "inst-annual", "--on", "2026-12-06", "--host", "Mali", as_of="2026-12-06")
    assert r.exit_code == 2
    assert r.stderr.splitlines() == [
        "error: --on: the session of 2026-12-05 already counts for the 2026-04-03 session of "
        "inst-annual-consultations, and 2027-04-03's is not due yet; nothing was recorded",
        "hint: if it is the same meeting, there is nothing to do; a genuinely extra session: "
        "add --force",
    ]
    assert cli.bytes() == before
    r = cli(
        "done", "inst-annual", "--on", "2026-12-06", "--host", "Mali", "--force", as_of="2026-12-06"
    )
    assert r.exit_code == 0, r.output
    assert _json(cli("show", ANNUAL, "--format", "json", as_of="2026-12-06"))["due"] == "2028-04-03"


def test_an_early_session_a_year_on_is_no_duplicate(cli: Cli) -> None:
    r = cli("done", "inst-annual", "--on", "2026-03-01", "--host", "Mali", as_of="2026-03-02")
    assert r.exit_code == 0, r.output
    assert "held 33 days early" in r.stdout


@pytest.mark.parametrize("host", ["Bamako", "Moscow"])
def test_the_host_is_a_party_not_a_place(cli: Cli, host: str) -> None:
    before = cli.bytes()
    r = cli("done", "inst-annual", "--on", "2026-10-05", "--host", host)
    assert r.exit_code == 2
    assert r.stderr.splitlines() == [
        f"error: --host: '{host}' is not a known party (one of: AES, Burkina Faso, Mali, Niger, "
        "Russia)",
        "hint: the host is a party or a member state; put the city in --place",
    ]
    assert cli.bytes() == before
    r = cli("done", "inst-annual", "--on", "2026-10-05", "--host", "burkina")
    assert r.exit_code == 0, r.output
    assert _json(cli("show", ANNUAL, "--format", "json"))["sessions"][-1]["host"] == "Burkina Faso"


# ---- late is shown as late -----------------------------------------------------------------------


def test_an_overdue_review_says_how_late_in_json_list_due_and_report(cli: Cli) -> None:
    """dev-infrastructure's review was on 2026-04-03: on 2026-11-28 it is 239 days late."""
    rows = {r["id"]: r for r in _json(cli("list", "--format", "json"))}
    assert rows["dev-infrastructure"]["review_days_left"] == -239
    assert rows[ANNUAL]["review_days_left"] is None  # dated: days_left says it
    due = {r["id"]: r for r in _json(cli("due", "--format", "json"))}
    assert due["dev-infrastructure"]["review_days_left"] == -239
    for args in (("list",), ("due",)):
        line = next(
            x
            for x in cli(*args, env={"COLUMNS": "200"}).stdout.splitlines()
            if "dev-infrastructure" in x
        )
        assert "review 2026-04-03" in line and "-239" in line, line
    report = cli("report").stdout
    assert "review date 2026-04-03, 239 days late" in report
    rep = _json(cli("report", "--format", "json"))
    item = next(x for x in rep["review_due"] if x["id"] == "dev-infrastructure")
    assert item["review_days_left"] == -239


# ---- where the options go ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "hint"),
    [
        (
            ("list", "--as-of", "2026-04-01"),
            "hint: put --as-of before the command: aes-tracker --as-of 2026-04-01 list",
        ),
        (
            ("list", "--width", "80"),
            "hint: put --width before the command: aes-tracker --width 80 list",
        ),
        (
            ("due", "--within", "2w", "--file", "x.toml"),
            "hint: put --file before the command: aes-tracker --file x.toml due --within 2w",
        ),
        (
            ("show", "inst-annual-consultations", "--as-of=2027-06-01"),
            "hint: put --as-of before the command: "
            "aes-tracker --as-of 2027-06-01 show inst-annual-consultations",
        ),
        (
            ("note", "dip-un-charter", "a note's words", "--file", "my data.toml"),
            "hint: put --file before the command: "
            "aes-tracker --file 'my data.toml' note dip-un-charter 'a note'\"'\"'s words'",
        ),
    ],
)
def test_a_global_option_after_the_command_gets_the_one_right_hint(
    cli: Cli, args: tuple[str, ...], hint: str
) -> None:
    r = cli(*args)
    assert r.exit_code == 2
    option = hint.split()[2]  # "hint: put OPTION before ..."
    assert r.stderr.splitlines() == [f"error: no such option: {option}", hint]


# ---- which file was changed ----------------------------------------------------------------------


def test_a_write_to_the_folders_data_file_says_which_file_it_changed(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from aes_tracker.cli import app

    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copyfile(DATA, folder / "commitments.toml")
    env = {"_AES_TRACKER_TEST_NOW": f"{AS_OF}T12:00:00+00:00"}
    runner = CliRunner()
    r = runner.invoke(app, ["--as-of", AS_OF, "note", "dev-infra", "Seen."], env=env)
    assert r.exit_code == 0, r.output
    assert r.stderr == (
        "aes-tracker: changed data/commitments.toml, the data file of this folder "
        "(--file names another)\n"
    )
    # Read commands say nothing; a file named by --file needs no word.
    assert runner.invoke(app, ["--as-of", AS_OF, "list"], env=env).stderr == ""
    named = ["--file", "data/commitments.toml", "--as-of", AS_OF, "note", "dev-infra", "Again."]
    r = runner.invoke(app, named, env=env)
    assert (r.exit_code, r.stderr) == (0, "")


def test_a_word_too_many_reads_as_a_sentence(cli: Cli) -> None:
    r = cli("due", "--within", "2", "weeks")
    assert (r.exit_code, r.stderr.splitlines()) == (
        2,
        [
            "error: unexpected extra argument: weeks",
            "hint: --within takes one value: put a value with spaces in quotes",
        ],
    )
    r = cli("note", "dev-infra", "two", "words")
    assert r.stderr.splitlines()[0] == "error: unexpected extra argument: words"
    r = cli("list", "--open", "extra")
    assert r.stderr.splitlines() == [
        "error: unexpected extra argument: extra",
        "hint: put text with spaces in quotes",
    ]


def test_where_names_the_file_and_how_it_was_chosen(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from aes_tracker.cli import app

    runner = CliRunner()
    user = tmp_path / "xdg-data" / "aes-tracker" / "commitments.toml"
    r = runner.invoke(app, ["where"])
    assert (r.exit_code, r.stdout) == (0, f"{user}: the user data file\n")
    (tmp_path / "data").mkdir()
    shutil.copyfile(DATA, tmp_path / "data" / "commitments.toml")
    r = runner.invoke(app, ["where"])
    assert (
        r.stdout == "data/commitments.toml: the data file of this folder (--file names another)\n"
    )
    r = runner.invoke(app, ["where"], env={"AES_TRACKER_FILE": "/srv/aes.toml"})
    assert r.stdout == "/srv/aes.toml: named by $AES_TRACKER_FILE\n"
    r = runner.invoke(app, ["--file", "x.toml", "where"])
    assert r.stdout == "x.toml: named by --file\n"


# ---- list shows open ones by default -------------------------------------------------------------


def _close_two(cli: Cli) -> None:
    for cid in ("dip-un-charter", "sec-military-equipment"):
        r = cli("done", cid)
        assert r.exit_code == 0, r.output


def test_list_shows_open_ones_by_default_and_all_or_closed_the_rest(cli: Cli) -> None:
    _close_two(cli)
    every = sorted(AES_OWN + RUSSIA_ONLY)
    closed = ["dip-un-charter", "sec-military-equipment"]
    still_open = [i for i in every if i not in closed]
    assert _ids(cli("list", "--format", "json")) == still_open
    assert _ids(cli("list", "--open", "--format", "json")) == still_open
    assert _ids(cli("list", "--all", "--format", "json")) == every
    assert _ids(cli("list", "--closed", "--format", "json")) == closed
    # CSV and plain follow the same selection.
    csv = cli("list", "--format", "csv").stdout
    assert "dip-un-charter" not in csv and "dev-infrastructure" in csv
    plain = cli("list", "--format", "plain").stdout
    assert "dip-un-charter" not in plain and "dev-infrastructure" in plain
    assert "dip-un-charter" in cli("list", "--all", "--format", "plain").stdout
    # A --status names the statuses wanted: closed ones among them are shown.
    assert _ids(cli("list", "--status", "done", "--format", "json")) == closed


def test_list_table_footer_says_when_closed_ones_are_hidden(cli: Cli) -> None:
    _close_two(cli)
    r = cli("list")
    assert r.exit_code == 0, r.output
    assert "2 closed not shown: --all" in r.stdout
    assert "dip-un-charter" not in r.stdout
    assert "closed not shown" not in cli("list", "--all").stdout
    assert "closed not shown" not in cli("list", "--closed").stdout
    # Nothing open left to show: the footer still says where the rest is.
    r = cli("list", "--party", "Russia", "--category", "diplomacy")
    assert "1 closed not shown: --all" in r.stdout, r.stdout


def test_list_excludes_all_with_open_or_closed(cli: Cli) -> None:
    for other in ("--closed", "--open"):
        r = cli("list", "--all", other)
        assert r.exit_code == 2
        assert r.stderr == "error: --all, --open and --closed exclude each other: give one\n"


# ---- the timeline folds empty months and shows held, late and missed sessions --------------------


def test_timeline_folds_runs_of_empty_months(cli: Cli) -> None:
    out = cli("timeline", "--months", "12").stdout
    lines = out.splitlines()
    assert "2026-05–2026-10: nothing due" in lines
    assert "2026-12–2027-03: nothing due" in lines
    assert "2026-11 ◀ now" in lines  # the current month stays, empty or not
    assert "2026-02–2026-03: nothing due" in lines
    assert "2026-06" not in lines and "2026-07" not in lines
    assert "2025-11–2025-12: nothing due" in lines
    fr = cli("--lang", "fr", "timeline", "--months", "12").stdout
    assert "mai–octobre 2026 : rien à échéance" in fr.splitlines(), fr


def test_timeline_shows_held_late_and_missed_sessions_as_show_does(cli: Cli) -> None:
    r = cli("done", "inst-annual", "--on", "2027-05-01", "--host", "Mali", as_of="2027-05-02")
    assert r.exit_code == 0, r.output
    out = cli("timeline", "--months", "14", as_of="2027-05-02").stdout
    assert "  ✗ 2026-04-03 inst-annual-consultations (missed)" in out, out
    assert "  ◆ 2027-05-01 inst-annual-consultations (held 28 days late, host: Mali)" in out
    tl = _json(cli("timeline", "--months", "14", "--format", "json", as_of="2027-05-02"))
    items = [i for m in tl["months"] for i in m["items"] if i["id"] == ANNUAL]
    got = {(i["due"], i["status"], i["days_late"]) for i in items}
    assert ("2026-04-03", "missed", None) in got
    assert ("2027-05-01", "held", 28) in got
    c = _json(cli("show", ANNUAL, "--format", "json", as_of="2027-05-02"))
    assert c["missed"] == [i["due"] for i in items if i["status"] == "missed"]


def test_timeline_an_owed_slot_passed_over_is_missed_not_also_overdue(cli: Cli) -> None:
    """No session since 2025: on 2027-05-02 the 2026 slot is missed (the 2027 one has come)."""
    tl = _json(cli("timeline", "--months", "14", "--format", "json", as_of="2027-05-02"))
    items = [(i["due"], i["status"]) for m in tl["months"] for i in m["items"] if i["id"] == ANNUAL]
    assert ("2026-04-03", "missed") in items
    assert ("2026-04-03", "overdue") not in items


def test_report_next_consultation_names_the_missed_years_and_the_late_session(cli: Cli) -> None:
    r = cli("done", "inst-annual", "--on", "2027-05-01", "--host", "Mali", as_of="2027-05-02")
    assert r.exit_code == 0, r.output
    c = _json(cli("show", ANNUAL, "--format", "json", as_of="2027-05-02"))
    rep = _json(cli("report", "--format", "json", as_of="2027-05-02"))
    (x,) = rep["next_consultation"]
    assert x["missed"] == c["missed"] == ["2026-04-03"]
    assert (x["last_held"], x["last_days_late"]) == ("2027-05-01", 28)
    text = " ".join(cli("report", as_of="2027-05-02").stdout.split())
    assert "last held 2027-05-01 (held 28 days late); missed: 2026-04-03" in text, text


# ---- evidence that still resolves tomorrow -------------------------------------------------------


def _evidence(cli: Cli, cid: str) -> list[str]:
    """The evidence of the commitment's last history entry, as the data file holds it."""
    import tomllib

    doc = tomllib.loads(cli.path.read_text(encoding="utf-8"))
    return list(doc["commitments"][cid]["history"][-1]["evidence"])


def test_a_local_evidence_path_is_stored_relative_to_the_data_files_folder(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = cli.path.parent / "docs"
    docs.mkdir()
    (docs / "roadmap.pdf").write_bytes(b"%PDF-1.4\n")
    monkeypatch.chdir(docs)
    r = cli("done", "dip-un-charter", "--evidence", "roadmap.pdf")
    assert r.exit_code == 0, r.output
    assert _evidence(cli, "dip-un-charter") == ["docs/roadmap.pdf"]
    r = cli("status", "sec-targ", "in_progress", "--evidence", "./roadmap.pdf")
    assert r.exit_code == 0, r.output
    assert _evidence(cli, "sec-targeted-training") == ["docs/roadmap.pdf"]


def test_a_local_evidence_path_outside_the_data_files_folder_is_stored_absolute(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "memo.pdf").write_bytes(b"%PDF-1.4\n")
    monkeypatch.chdir(elsewhere)
    r = cli("note", "sec-targ", "a memo", "--evidence", "memo.pdf")
    assert r.exit_code == 0, r.output
    stored = (elsewhere / "memo.pdf").resolve().as_posix()
    assert _evidence(cli, "sec-targeted-training") == [stored]
    before = cli.bytes()
    r = cli("note", "sec-targ", "x", "--evidence", "gone.pdf")
    assert (r.exit_code, cli.bytes()) == (2, before)
    assert r.stderr.startswith("error: --evidence: 'gone.pdf' is neither an http(s) URL nor a file")


def test_evidence_given_from_a_subfolder_is_found_by_the_site_from_anywhere(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = cli.path.parent / "docs"
    docs.mkdir()
    (docs / "roadmap.pdf").write_bytes(b"%PDF-1.4 roadmap")
    monkeypatch.chdir(docs)
    r = cli("note", "sec-mil", "Roadmap agreed", "--evidence", "roadmap.pdf")
    assert r.exit_code == 0, r.output
    monkeypatch.chdir(tmp_path)
    site = tmp_path / "site"
    r = cli("site", str(site))
    assert r.exit_code == 0, r.output
    page = (site / "c" / "sec-military-equipment.html").read_text(encoding="utf-8")
    assert 'href="../evidence/1-roadmap.pdf"' in page
    assert (site / "evidence" / "1-roadmap.pdf").read_bytes() == b"%PDF-1.4 roadmap"


# ---- a session's place --------------------------------------------------------------------------


def test_done_place_records_where_a_session_was_held_and_show_says_it(cli: Cli) -> None:
    r = cli("done", "inst-annual", "--on", "2026-10-05", "--host", "Mali", "--place", "Bamako")
    assert r.exit_code == 0, r.output
    assert _last_entry(cli, ANNUAL)["place"] == "Bamako"
    assert _last_entry(cli, ANNUAL)["host"] == "Mali"
    c = _json(cli("show", ANNUAL, "--format", "json"))
    assert (c["sessions"][-1]["host"], c["sessions"][-1]["place"]) == ("Mali", "Bamako")
    assert c["sessions"][0]["place"] is None
    assert "2026-10-05, Mali, in Bamako (held 185 days late)" in cli("show", ANNUAL).stdout
    fr = " ".join(cli("--lang", "fr", "show", ANNUAL).stdout.split())
    assert "Mali, à Bamako" in fr


def test_place_is_only_for_a_recurring_ones_session(cli: Cli) -> None:
    before = cli.bytes()
    r = cli("done", "sec-targ", "--place", "Bamako")
    assert (r.exit_code, cli.bytes()) == (2, before)
    assert r.stderr == "error: --place: a place is only for recurring commitments' sessions\n"


def _last_entry(cli: Cli, cid: str) -> dict[str, Any]:
    import tomllib

    doc = tomllib.loads(cli.path.read_text(encoding="utf-8"))
    return dict(doc["commitments"][cid]["history"][-1])


def test_show_and_report_name_the_missed_sessions_and_the_one_owed_now(cli: Cli) -> None:
    """No session since 2025: on 2027-05-02 the 2026 slot is missed and the 2027 one is owed
    (29 days overdue), in `show` and the report as in the timeline; the commitment's own due
    date stays the first one unmet."""
    c = _json(cli("show", ANNUAL, "--format", "json", as_of="2027-05-02"))
    assert (c["missed"], c["due"]) == (["2026-04-03"], "2026-04-03")
    out = cli("show", ANNUAL, as_of="2027-05-02").stdout
    lines = {
        ln.split("  ")[0]: ln.split("  ")[-1].strip() for ln in out.splitlines() if ln[:1] != " "
    }
    assert lines["Missed sessions"] == "2026-04-03", out
    assert lines["Next session"] == "2027-04-03, expected host: AES member state", out
    fr = cli("--lang", "fr", "show", ANNUAL, as_of="2027-05-02").stdout
    assert "Sessions manquées      3 avril 2026" in fr.splitlines(), fr
    assert "Missed sessions" not in cli("show", ANNUAL, as_of="2026-12-01").stdout
    rep = _json(cli("report", "--format", "json", as_of="2027-05-02"))
    (x,) = rep["next_consultation"]
    assert (x["due"], x["days_left"], x["overdue"], x["missed"]) == (
        "2027-04-03",
        -29,
        True,
        ["2026-04-03"],
    )
    text = " ".join(cli("report", as_of="2027-05-02").stdout.split())
    assert "next expected 2027-04-03 (29 days overdue)" in text, text
    tl = _json(cli("timeline", "--months", "14", "--format", "json", as_of="2027-05-02"))
    items = [(i["due"], i["status"]) for m in tl["months"] for i in m["items"] if i["id"] == ANNUAL]
    assert ("2027-04-03", "overdue") in items
