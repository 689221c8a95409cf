"""Readable at every width, the same facts in every format, and errors that are always one plain
line (the golden files show the layouts themselves; these tests check the rules over them)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.main import get_command

from aes_tracker.cli import app

from .conftest import DATA, Cli, bare_env, installed_cmd
from .test_golden import CASES, GOLDEN


def _stdout(name: str) -> str:
    text = (GOLDEN / f"{name}.txt").read_text(encoding="utf-8")
    return text.split("--- stdout\n", 1)[1].split("--- stderr\n", 1)[0]


def _width(argv: list[str]) -> int:
    return int(argv[argv.index("--width") + 1]) if "--width" in argv else 100


HUMAN = {"table", "text", "markdown", "plain"}


def _is_human(argv: list[str]) -> bool:
    fmt = argv[argv.index("--format") + 1] if "--format" in argv else "table"
    return fmt in {"table", "text"} and "--help" not in argv


@pytest.mark.parametrize("name", sorted(n for n, (_, a) in CASES.items() if _is_human(a)))
def test_no_line_is_wider_than_the_page_or_ends_in_a_space(name: str) -> None:
    width = _width(CASES[name][1])
    for line in _stdout(name).splitlines():
        assert not line.endswith(" "), f"{name}: a line ends in a space: {line!r}"
        assert len(line) <= width, f"{name}: {len(line)} columns on a {width}-column page: {line!r}"


@pytest.mark.parametrize("data", ["bundled", "multi"])
@pytest.mark.parametrize("width", [60, 80, 100, 160])
def test_the_list_is_a_table_with_a_header_at_every_width(data: str, width: int) -> None:
    lines = _stdout(f"{data}-list-table-{width}").splitlines()
    if (data, width) == ("multi", 60):
        # A 24-character ID, 'in_progress' and 'review 2026-05-01' (a Due cell never wraps)
        # need 62 columns: blocks, each saying its numbers in words, IDs whole.
        ids = [ln for ln in lines if re.match(r"^[a-z]+-[a-z0-9-]+$", ln)]
        assert len(ids) == 5  # the open ones: list hides the closed one by default (issue 23)
        assert "pending, due 2026-04-03, 45 days overdue" in " ".join(" ".join(lines).split())
        return
    assert lines[0].startswith("ID ") or lines[1].startswith("ID "), "a header row"
    assert any(set(ln) == {"─"} for ln in lines[:4]), "a rule under the header"
    ids = [ln.split()[0] for ln in lines if re.match(r"^[a-z]+-[a-z0-9-]+ ", ln)]
    # The open ones: the multi file's closed one is left out by default (issue 23).
    assert len(ids) == (12 if data == "bundled" else 5), "one row per commitment, IDs whole"


def test_a_narrow_page_gets_blocks_that_say_what_their_numbers_are(cli: Cli) -> None:
    text = cli("--width", "40", "list").stdout
    assert "pending, due 2026-04-03, 239 days overdue" in " ".join(text.split())
    assert all(len(ln) <= 40 for ln in text.splitlines())


def test_the_title_gets_the_room(cli: Cli) -> None:
    """At 100 columns the consultations' title is not folded word by word: Category and
    Parties go first."""
    text = cli("--width", "100", "list").stdout
    title_lines = [
        ln for ln in text.splitlines() if "foreign ministers" in ln or "alternating" in ln
    ]
    assert title_lines and all(len(ln.split("  ")[-1]) >= 30 for ln in title_lines)


def test_columns_can_be_chosen(cli: Cli) -> None:
    text = cli("list", "--columns", "id,status,due,title").stdout
    head = text.splitlines()[0].split()
    assert head == ["ID", "Status", "Due", "Title"]


@pytest.mark.parametrize(
    "argv",
    [
        ["show", "inst-annual"],
        ["stats"],
        ["stats", "--matrix"],
        ["timeline"],
        ["report"],
        ["list"],
        ["due"],
        ["log", "--since", "2000-01-01"],
        ["source", "list"],
    ],
)
@pytest.mark.parametrize("width", [30, 40, 60, 80])
def test_nothing_is_wider_than_the_width_given(cli: Cli, argv: list[str], width: int) -> None:
    # A note with a link, so that the log has one: links are printed whole on a line of their
    # own, the one thing allowed past the page's edge.
    url = "https://example.org/evidence"
    assert cli("note", "sec-targ", "Premier lot livré", "--evidence", url).exit_code == 0
    out = cli("--width", str(width), *argv).stdout
    assert out
    for line in out.splitlines():
        assert len(line) <= width or line.strip().endswith(url), line
        assert not line.endswith(" "), line
        assert "\t" not in line, "a table or blocks, not tab-separated lines"


def test_numbers_and_group_names_are_never_cut(cli: Cli) -> None:
    for width in (60, 80, 100):
        text = cli("--width", str(width), "stats", "--by", "source").stdout
        assert "aes-russia-2025-04-03" in text and "…" not in text
        assert "-1.00 on 1 of 12 scored" in text


def test_singular_when_it_is_one(tmp_path: Path) -> None:
    from .test_golden import MULTI

    p = tmp_path / "m.toml"
    p.write_bytes(MULTI.read_bytes())
    cli = Cli(p)
    assert "in 1 day\n" in cli("report", as_of="2026-05-18").stdout
    assert "1 day overdue" in cli("report", as_of="2026-05-20").stdout


# ---- errors: one plain line, in our words --------------------------------------------------

BAD = [
    (["status", "sec-targ", "Donne"], "error: STATUS: 'Donne' is not a status; use one of "),
    (["list", "--status", "Finished"], "error: --status: 'Finished' is not a status"),
    (["list", "--category", "defence"], "error: --category: 'defence' is not a category"),
    (["list", "--format", "xml"], "error: --format: 'xml' is not a format here"),
    (["due", "--format", "xml"], "error: --format: 'xml' is not a format here"),
    (["show", "sec-targ", "--format", "xml"], "error: --format: 'xml' is not a format here"),
    (["report", "--format", "pdf"], "error: --format: 'pdf' is not a format here"),
    (["stats", "--format", "png"], "error: --format: 'png' is not a format here"),
    (["timeline", "--format", "png"], "error: --format: 'png' is not a format here"),
    (["export", "--format", "xls"], "error: --format: 'xls' is not a format here"),
    (["log", "--format", "xls"], "error: --format: 'xls' is not a format here"),
    (["source", "list", "--format", "xls"], "error: --format: 'xls' is not a format here"),
    (["list", "--sort", "when"], "error: --sort: 'when' is not a sort key"),
    (["list", "--columns", "id,nope"], "error: --columns: 'nope' is not a column"),
    (["stats", "--by", "week"], "error: --by: 'week' is not a grouping"),
    (["timeline", "--months", "x"], "error: --months: 'x' is not a whole number"),
    (["timeline", "--months", "0"], "error: --months: 0 is out of range"),
    (["--width", "abc", "list"], "error: --width: 'abc' is not a whole number"),
    (["--lock-timeout", "soon", "list"], "error: --lock-timeout: 'soon' is not a number"),
    (["--color", "sometimes", "list"], "error: --color: 'sometimes' is not a colour mode"),
    (["--lang", "de", "list"], "error: --lang: 'de' is not a language"),
    (["--as-of", "someday", "list"], "error: --as-of: 'someday' is not a date"),
    (["list", "--due-within", "soon"], "error: --due-within: 'soon' is not a duration"),
    (["list", "--due-before", "soon"], "error: --due-before: 'soon' is not a date"),
    (["due", "--within", "1 week"], "error: --within: '1 week' is not a duration"),
    (["report", "--since", "last week"], "error: --since: 'last week' is not a date"),
    (["log", "--until", "never"], "error: --until: 'never' is not a date"),
    (["done", "sec-targ", "--on", "hier soir"], "error: --on: 'hier soir' is not a date"),
    (["review", "dev-inf", "--next", "later"], "error: --next: 'later' is not a date"),
    (["edit", "sec-targ", "--review", "x"], "error: --review: 'x' is not a date"),
    (["edit", "sec-targ", "--category", "x"], "error: --category: 'x' is not a category"),
    (
        ["edit", "sec-targ", "--remove-party", "Mali"],
        "error: --remove-party: Mali is not a party to sec-targeted-training",
    ),
    (
        ["edit", "sec-targ", "--remove-party", "Narnia"],
        "error: --remove-party: 'Narnia' is not a known party",
    ),
    (
        ["edit", "sec-targ", "--remove-party", "Russia"],
        "error: --remove-party: name at least one committing party",
    ),
    (["edit", "sec-targ", "--add-party", "Narnia"], "error: --add-party: 'Narnia' is not a known"),
    (
        ["add", "T", "--party", "Russia", "--due", "2027-01-01", "--quote", "q"],
        "error: --category is missing",
    ),
    (
        [
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
            "--recur",
            "every year",
        ],
        "error: --recur: 'every year' is not a recurrence",
    ),
    (
        ["source", "add", "s", "--title", "T", "--date", "someday"],
        "error: --date: 'someday' is not a date",
    ),
    (["source"], "error: give a command: add, show, list"),
    (["note"], "error: ID is missing"),
    (["list", "--bogus"], "error: no such option: --bogus"),
    (["frobnicate"], "error: no such command: frobnicate"),
    (["show", "sec-targ", "extra"], "error: unexpected extra argument"),
    (["import", "/nonexistent.json"], "error: /nonexistent.json: no such file"),
    (["show", "sec-targetted-training"], "error: no commitment 'sec-targetted-training'"),
]


@pytest.mark.parametrize(
    ("argv", "start"), BAD, ids=lambda x: " ".join(x) if isinstance(x, list) else ""
)
def test_every_mistake_is_one_plain_line(cli: Cli, argv: list[str], start: str) -> None:
    before = cli.bytes()
    r = cli(*argv)
    assert r.exit_code == 2, r.output
    lines = r.stderr.splitlines()
    assert lines[0].startswith(start), lines[0]
    assert len(lines) <= 2 and all(ln.startswith(("error: ", "hint: ")) for ln in lines)
    for word in ("Value error", "Traceback", "Invalid value", "Choose from", "pydantic", "<str>"):
        assert word not in r.output
    if "hint" in r.stderr:
        assert "init" not in lines[-1] or argv[0] != "import", "no wrong hint"
    assert cli.bytes() == before


def _commands() -> list[tuple[str, object]]:
    group = get_command(app)
    out: list[tuple[str, object]] = []
    for name, cmd in group.commands.items():  # type: ignore[attr-defined]
        subs = getattr(cmd, "commands", None)
        if subs:
            out += [(f"{name} {s}", c) for s, c in subs.items()]
        else:
            out.append((name, cmd))
    return out


@pytest.mark.parametrize(("name", "cmd"), _commands(), ids=[n for n, _ in _commands()])
def test_every_command_and_option_is_described(name: str, cmd: object) -> None:
    assert cmd.help and "Example: aes-tracker" in cmd.help, name  # type: ignore[attr-defined]
    for p in cmd.params:  # type: ignore[attr-defined]
        if p.name in ("help",):
            continue
        assert getattr(p, "help", None), f"{name} {p.opts}: no description"
        if not getattr(p, "is_flag", False) and p.param_type_name == "option":
            assert (p.metavar and p.metavar.isupper()) or "|" in (p.metavar or ""), (
                f"{name} {p.opts}: its value should read as a person writes it"
            )


def test_every_mistake_is_matched_in_any_case(cli: Cli) -> None:
    assert cli("show", "INST-NEXT").exit_code == 0
    assert cli("status", "SEC-TARG", "Done").exit_code == 0
    assert cli("list", "--category", "SECURITY").exit_code == 0


# ---- piped into head ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["list"],
        ["list", "--format", "json"],
        ["due"],
        ["report"],
        ["stats"],
        ["timeline"],
        ["log", "--since", "2000-01-01"],
        ["export"],
        ["show", "c-00001"],
    ],
)
def test_a_reader_that_leaves_early_ends_the_command_quietly(
    tmp_path: Path, argv: list[str]
) -> None:
    """`aes-tracker list | head -1`: the command ends with status 0 and says nothing, whatever it
    was printing."""
    big = tmp_path / "big.toml"
    gen = Path(__file__).resolve().parents[1] / "benchmarks" / "generate.py"
    subprocess.run([sys.executable, str(gen), "3000", "--seed", "3", "-o", str(big)], check=True)
    if argv[0] == "show":
        text = big.read_text()
        first = text[text.index("[commitments.") + 13 :].split("]", 1)[0]
        argv = ["show", first]
    p = subprocess.Popen(
        [*installed_cmd(), "--file", str(big), "--as-of", "2026-11-28", *argv],
        env=bare_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert p.stdout is not None and p.stderr is not None
    p.stdout.readline()
    p.stdout.close()
    err = p.stderr.read()
    assert p.wait(timeout=120) == 0, err
    assert err == b"", err


@pytest.mark.parametrize("argv", [["--help"], ["list", "--help"], ["--version"], ["list"]])
def test_help_and_version_end_quietly_when_the_reader_is_gone(
    tmp_path: Path, argv: list[str]
) -> None:
    """`aes-tracker --help | head -1`: Rich, which draws the help, ends with status 1 when its
    reader has left; the tool says 0, as for every other command. The reader is gone before
    the first write (a closed pipe), and the output unbuffered (as under PYTHONUNBUFFERED=1),
    so that every write meets it whatever the pipe's and Python's buffers."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        p = subprocess.run(
            [*installed_cmd(), "--file", str(DATA), *argv],
            env={**bare_env(tmp_path), "PYTHONUNBUFFERED": "1"},
            stdout=write_end,
            stderr=subprocess.PIPE,
            timeout=60,
        )
    finally:
        os.close(write_end)
    assert (p.returncode, p.stderr) == (0, b"")
