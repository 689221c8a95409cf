"""Party groups and per-party assessments: the `[groups.NAME]` tables and what `check` says of
them, `status|done|note ID --party P` as history events, a member's own assessment over its
group's, and what `list` and `show` say of it."""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path

import pytest

from aes_tracker.domain.parties import groups_of, party_status
from aes_tracker.domain.validate import check_document
from aes_tracker.store.tomlfile import dumps

from .conftest import DATA, Cli

HERE = Path(__file__).resolve().parent
PARTIES = HERE / "data" / "parties.toml"
AS_OF = "2026-06-01"


@pytest.fixture
def fx(tmp_path: Path) -> Cli:
    """The per-party fixture (tests/data/parties.toml), with today 2026-06-01."""
    path = tmp_path / "parties.toml"
    shutil.copyfile(PARTIES, path)
    return Cli(path)


def _history(path: Path, cid: str) -> list[dict]:
    return tomllib.loads(path.read_text())["commitments"][cid]["history"]  # type: ignore[no-any-return]


# ---- groups --------------------------------------------------------------------------------------


def test_check_reports_every_group_mistake_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "groups.toml"
    path.write_text(
        'schema = 1\nparties = ["AES", "Mali", "Niger", "Russia", "Sahel"]\n\n'
        '[groups.AES]\nmembers = ["Mali", "Nigeria", "Mali"]\n\n'
        '[groups.Sahel]\nmembers = ["AES"]\n\n'
        "[groups.ECOWAS]\nmembers = []\n\n"
        "[groups.Russia]\nmembers = 3\n"
    )
    r = Cli(path)("check")
    assert r.exit_code == 1
    p = str(path)
    assert r.stderr.splitlines()[-1] == "6 problems found"
    assert r.stderr.splitlines()[:-1] == [
        f"error: {p}:5:11: groups.AES.members: 'Nigeria' is not a known party "
        "(one of: AES, Mali, Niger, Russia, Sahel)",
        f"error: {p}:5:11: groups.AES.members: 'Mali' is listed twice",
        f"error: {p}:8:11: groups.Sahel.members: 'AES' is itself a group: a group's members "
        "are parties, not groups",
        f"error: {p}:10:1: groups.ECOWAS: 'ECOWAS' is not a known party "
        "(one of: AES, Mali, Niger, Russia, Sahel); list it in `parties`",
        f"error: {p}:11:11: groups.ECOWAS.members: must name at least one member",
        f"error: {p}:14:11: groups.Russia.members: must be a list of strings",
    ]


def test_a_file_without_groups_reads_as_before(tmp_path: Path) -> None:
    """Files written before groups existed have a `parties` array and no `groups`: no groups,
    and no member of the AES can be assessed on its own there."""
    raw = tomllib.loads(DATA.read_text())
    del raw["groups"]
    old = tmp_path / "old.toml"
    old.write_bytes(dumps(raw))
    doc, problems = check_document(raw)
    assert problems == [] and doc.groups == {}
    cli = Cli(old)
    assert cli("list").exit_code == 0
    r = cli("status", "dev-infra", "in_progress", "--party", "Mali")
    assert (r.exit_code, r.stderr) == (
        2,
        "error: --party: Mali is not a party to dev-infrastructure (its parties: AES, Russia)\n",
    )
    # A file that names neither its parties nor its groups gets the defaults of both.
    assert groups_of({"schema": 1}) == {"AES": ("Burkina Faso", "Mali", "Niger")}


def test_groups_are_written_after_the_parties_sorted_by_name() -> None:
    raw = {
        "schema": 1,
        "sources": {},
        "groups": {"Zeta": {"members": ["B"], "note": "x"}, "Alpha": {"members": ["A"]}},
        "parties": ["A", "Alpha", "B", "Zeta"],
    }
    assert dumps(raw).decode() == (
        'schema = 1\nparties = [\n    "A",\n    "Alpha",\n    "B",\n    "Zeta",\n]\n\n'
        '[groups.Alpha]\nmembers = [\n    "A",\n]\n\n'
        '[groups.Zeta]\nmembers = [\n    "B",\n]\nnote = "x"\n\n[sources]\n'
    )


def test_init_empty_declares_the_aes_group(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "new.toml")
    assert cli("init", "--empty").exit_code == 0
    raw = tomllib.loads(cli.bytes().decode())
    assert raw["groups"] == {"AES": {"members": ["Burkina Faso", "Mali", "Niger"]}}


# ---- per-party assessments -----------------------------------------------------------------------


def test_status_for_one_party_is_a_history_event(cli: Cli) -> None:
    r = cli(
        "status",
        "sec-military",
        "in_progress",
        "--party",
        "russia",
        "--note",
        "First deliveries reported",
        "--evidence",
        "https://example.org/deliveries",
        "--on",
        "2026-11-20",
    )
    assert r.exit_code == 0, r.output
    assert r.stdout == "sec-military-equipment: Russia: pending → in_progress\n"
    last = _history(cli.path, "sec-military-equipment")[-1]
    assert last == {
        "on": tomllib.loads("d = 2026-11-20")["d"],
        "at": last["at"],
        "by": "tester",
        "event": "status",
        "party": "Russia",
        "status": "in_progress",
        "note": "First deliveries reported",
        "evidence": ["https://example.org/deliveries"],
        "changes": ["status: pending → in_progress"],
    }
    raw = tomllib.loads(cli.bytes().decode())
    assert raw["commitments"]["sec-military-equipment"]["status"] == "pending", (
        "the commitment's own status stays what the analyst set"
    )
    assert cli("check").exit_code == 0


def test_a_members_own_assessment_overrides_its_groups(cli: Cli) -> None:
    assert cli("status", "dev-infra", "stalled", "--party", "AES").exit_code == 0
    r = cli("status", "dev-infra", "in_progress", "--party", "Mali", "--note", "Works resumed")
    # Mali's status before was the group's.
    assert r.stdout == "dev-infrastructure: Mali: stalled → in_progress\n"
    raw = tomllib.loads(cli.bytes().decode())
    doc, problems = check_document(raw)
    assert problems == []
    c = doc.commitments["dev-infrastructure"]
    got = {p: tuple(party_status(c, p, doc.groups)) for p in ("AES", "Mali", "Niger", "Russia")}
    assert got == {
        "AES": ("AES", "stalled", "own", ""),
        "Mali": ("Mali", "in_progress", "own", ""),
        "Niger": ("Niger", "stalled", "group", "AES"),
        "Russia": ("Russia", "pending", "commitment", ""),
    }


def test_done_and_note_for_one_party(cli: Cli) -> None:
    r = cli("done", "sec-targ", "--party", "Russia", "--note", "First course held")
    assert r.stdout == "sec-targeted-training: Russia: pending → done\n"
    r = cli("done", "sec-targ", "--party", "Russia")
    assert (r.exit_code, r.stderr) == (
        2,
        "error: Russia is already done on sec-targeted-training; nothing was recorded\n"
        "hint: to add to its record, use `aes-tracker note sec-targeted-training TEXT "
        "--party Russia`\n",
    )
    r = cli("note", "sec-targ", "Certificates handed over", "--party", "Russia")
    assert r.stdout == "sec-targeted-training: note added (Russia)\n"
    last = _history(cli.path, "sec-targeted-training")[-1]
    assert (last["event"], last["party"], last["status"]) == ("note", "Russia", "done")
    raw = tomllib.loads(cli.bytes().decode())
    assert raw["commitments"]["sec-targeted-training"]["status"] == "pending"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["status", "sec-targ", "done", "--party", "Nigeria"],
            "error: --party: 'Nigeria' is not a known party (one of: AES, Burkina Faso, Mali, "
            "Niger, Russia)",
        ),
        (
            ["status", "sec-targ", "done", "--party", "Mali"],
            "error: --party: Mali is not a party to sec-targeted-training (its parties: Russia)",
        ),
        (
            ["done", "inst-annual", "--party", "Russia"],
            "error: --party: inst-annual-consultations recurs: a session is recorded for all "
            "its parties with `aes-tracker done inst-annual-consultations --on DATE`",
        ),
        (
            ["done", "dev-infra", "--party", "Mali", "--host", "Bamako"],
            "error: --host: a host is for a recurring commitment's sessions, not for one party",
        ),
    ],
)
def test_per_party_mistakes_are_one_line(cli: Cli, args: list[str], message: str) -> None:
    before = cli.bytes()
    r = cli(*args)
    assert r.exit_code == 2
    assert r.stderr.splitlines()[0] == message
    assert cli.bytes() == before


def test_undo_takes_back_a_party_assessment(cli: Cli) -> None:
    before = cli.bytes()
    cli("status", "dev-infra", "stalled", "--party", "Niger")
    r = cli("undo")
    assert r.exit_code == 0 and "[Niger]" in r.stdout
    assert cli.bytes() == before


# ---- what list and show say ------------------------------------------------------------------


def test_list_marks_a_status_the_parties_do_not_share(fx: Cli) -> None:
    r = fx("--width", "80", "list", "--all", "--sort", "id", "--columns", "id,status", as_of=AS_OF)
    assert r.stdout == (
        "ID            Status\n"
        "──────────────────────────\n"
        "dev-aes-done  done\n"
        "dev-split     in_progress*\n"
        "dip-waiting   in_progress*\n"
        "inst-mali     in_progress*\n"
        "sec-kept      done\n"
        "sec-late      pending\n"
        "* parties' own assessments differ from this status: aes-tracker show ID has each\n"
        "party's line\n"
    )
    rows = {
        x["id"]: x for x in json.loads(fx("list", "--all", "--format", "json", as_of=AS_OF).stdout)
    }
    assert rows["dev-split"]["status"] == "in_progress", "the status itself is never marked"
    assert rows["dev-split"]["assessments"] == {
        "AES": "stalled",
        "Mali": "in_progress",
        "Russia": "partial",
    }
    assert rows["sec-kept"]["assessments"] == {}


def test_list_without_assessments_has_no_mark_and_no_legend(cli: Cli) -> None:
    cli("status", "dev-infra", "pending", "--party", "Russia")  # agrees with the status
    r = cli("list", "--columns", "id,status")
    assert "*" not in r.stdout


def test_an_assessment_of_a_party_no_longer_bound_neither_marks_nor_shows(cli: Cli) -> None:
    """After `edit --remove-party Niger`, Niger's old assessment stays in the history (nothing
    is lost) but no longer counts: no mark, not in the row's assessments, as in the matrix. A
    member's assessment still counts while its group is a party."""
    assert cli("status", "dev-infra", "stalled", "--party", "Niger").exit_code == 0
    assert cli("status", "dev-inv", "stalled", "--party", "Mali").exit_code == 0
    assert cli("edit", "dev-infra", "--remove-party", "AES", "--add-party", "Mali").exit_code == 0
    rows = {x["id"]: x for x in json.loads(cli("list", "--format", "json").stdout)}
    assert rows["dev-infrastructure"]["assessments"] == {}
    assert rows["dev-investment-climate"]["assessments"] == {"Mali": "stalled"}
    table = cli("--width", "120", "list", "--columns", "id,status").stdout
    assert "dev-infrastructure         pending\n" in table
    assert "dev-investment-climate     pending*\n" in table
    shown = json.loads(cli("show", "dev-infra", "--format", "json").stdout)
    assert shown["assessments"] == {} and shown["by_party"] == []
    assert "Niger" in {h.get("party") for h in shown["history"]}, "the entry itself stays"
    assert "*" not in cli("show", "dev-infra").stdout.split("Status", 1)[1].split("\n", 1)[0]


def test_show_has_each_partys_line(fx: Cli) -> None:
    r = fx("--width", "100", "show", "dev-split", as_of=AS_OF)
    lines = r.stdout.splitlines()
    i = next(n for n, ln in enumerate(lines) if ln.startswith("By party"))
    assert lines[i - 1].startswith("Status ") and lines[i - 1].endswith("in_progress*")
    assert [
        ln.split("  ", 1)[1].strip() if ln.startswith("By party") else ln.strip()
        for ln in lines[i : i + 5]
    ] == [
        "AES: stalled (2026-03-10, ana)",
        "Burkina Faso: stalled (from AES)",
        "Mali: in_progress (2026-05-28, ben)",
        "Niger: stalled (from AES)",
        "Russia: partial (2026-04-15, ana)",
    ]
    detail = json.loads(fx("show", "dev-split", "--format", "json", as_of=AS_OF).stdout)
    assert detail["by_party"][2] == {
        "party": "Mali",
        "status": "in_progress",
        "from": "own",
        "via": None,
        "on": "2026-05-28",
        "by": "ben",
        "note": "Works resumed in Mali.",
        "evidence": ["https://example.org/fixture/mali-works"],
    }
    # The keys in this order (scripts and the JSON diff read them so); none for a party whose
    # status comes from its group.
    assert list(detail["by_party"][1].items()) == [
        ("party", "Burkina Faso"),
        ("status", "stalled"),
        ("from", "group"),
        ("via", "AES"),
        ("on", None),
        ("by", None),
        ("note", None),
        ("evidence", []),
    ]
    # No assessment at all: no party lines.
    assert "By party" not in fx("show", "sec-late", as_of=AS_OF).stdout


def test_the_reports_changed_section_shows_each_partys_change(fx: Cli) -> None:
    text = fx("--width", "100", "report", as_of=AS_OF).stdout
    changed = text.split("Changed (2)\n", 1)[1].split("\n\n", 1)[0]
    assert changed.splitlines() == [
        "  - 2026-05-28 dev-split: Mali: stalled → in_progress by ben: Works resumed in Mali.",
        "      evidence: https://example.org/fixture/mali-works",
        "  - 2026-05-30 dip-waiting: Russia: in_progress → pending by ana: Nothing done yet on the "
        "Russian",
        "      side.",
    ]
    rep = json.loads(fx("report", "--format", "json", as_of=AS_OF).stdout)
    first = rep["changed"][0]
    assert (first["party"], first["event"], first["changes"]) == (
        "Mali",
        "status",
        [{"field": "status", "before": "stalled", "after": "in_progress"}],
    )
    # Recorded through the CLI, today: "Niger: pending → stalled" in this week's report.
    fx("status", "dev-split", "in_progress", "--party", "Niger", as_of=AS_OF)
    text = fx("--width", "100", "report", as_of=AS_OF).stdout
    assert "  - 2026-06-01 dev-split: Niger: stalled → in_progress by tester\n" in text
    fx("status", "dev-split", "in_progress", "--party", "Niger", as_of=AS_OF)
    md = fx("report", "--format", "markdown", as_of=AS_OF).stdout
    assert (
        "- 2026-06-01 `dev-split`: Niger: `in_progress` (confirmed) by tester: status confirmed as "
        "in_progress\n" in md
    )


# ---- names check refuses (issue 22, item 11) ---------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        (
            'members = [\n    "Burkina Faso",\n    "Mali",\n    "Niger",\n]',
            'members = "Mali"',
            11,
            "groups.AES.members: must be a list of strings",
        ),
        (
            'parties = [\n    "AES",\n',
            'parties = [\n    "",\n    "AES",\n',
            2,
            "parties: '': a party's name must not be blank",
        ),
        (
            '    "Mali",\n    "Niger",\n    "Russia",\n]',
            '    "Mali",\n    "mali",\n    "Niger",\n    "Russia",\n]',
            2,
            "parties: 'mali' and 'Mali' differ only in case: write one name, one way",
        ),
        (
            '    "Niger",\n    "Russia",\n]',
            '    "Niger",\n    "Russia",\n    "Niger",\n]',
            2,
            "parties: 'Niger' is listed twice",
        ),
    ],
    ids=["members-a-string", "blank-party", "case-twin", "twice"],
)
def test_check_refuses_party_names_that_mean_two_things(
    datafile: Path, old: str, new: str, line: int, message: str
) -> None:
    """check accepted each: the matrix (which reads the groups without checking them) and
    `status --party` then disagreed on who is a member."""
    text = datafile.read_text(encoding="utf-8")
    assert old in text
    datafile.write_text(text.replace(old, new, 1), encoding="utf-8")
    cli = Cli(datafile)
    r = cli("check")
    assert r.exit_code == 1, r.output
    errors = [ln for ln in r.stderr.splitlines() if ln.startswith("error: ")]
    assert errors, r.output
    assert errors[0].startswith(f"error: {datafile}:{line}:"), errors[0]
    assert errors[0].endswith(message), errors[0]
    # And the other commands refuse it too, in one line, rather than read it two ways.
    r = cli("stats", "--matrix", "--by", "member")
    assert r.exit_code == 2, r.output
    assert r.stderr.startswith(f"error: {datafile}:{line}:")
