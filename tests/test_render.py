"""Rendering: the console policy, the one registry of formats and its dispatch, and the plain
forms (CSV for Excel, escaping what a terminal would run)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from aes_tracker import render
from aes_tracker.render import (
    FORMATS,
    KIND_FORMATS,
    RENDERERS,
    Format,
    Output,
    excel_cell,
    format_info,
    renderer,
    safe,
    to_csv,
)

from .conftest import Cli


def test_every_kind_has_a_renderer_for_each_of_its_formats_and_no_other() -> None:
    for kind, fmts in KIND_FORMATS.items():
        for f in fmts:
            assert format_info(f).name == f
            assert callable(renderer(kind, f)), (kind, f)
    declared = {(k, f) for k, fs in KIND_FORMATS.items() for f in fs}
    assert set(RENDERERS) == declared
    assert {f.name for f in FORMATS} == {f for fs in KIND_FORMATS.values() for f in fs}


def test_an_added_format_reaches_the_commands_of_its_kind(
    datafile: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One format declared and rendered in the registry: `list` and `due` take it and list it;
    `show` (another kind) does not."""
    for kind in KIND_FORMATS:
        renderer(kind, KIND_FORMATS[kind][0])  # load every kind's renderers first
    monkeypatch.setattr(render, "FORMATS", (*FORMATS, Format("yaml", "YAML", True)))
    monkeypatch.setitem(KIND_FORMATS, "rows", (*KIND_FORMATS["rows"], "yaml"))
    monkeypatch.setitem(
        RENDERERS,
        ("rows", "yaml"),
        lambda p, out: "".join(f"- {r['id']}\n" for r in p.rows),
    )
    cli = Cli(datafile)
    r = cli("list", "--format", "yaml", "--overdue")
    assert (r.exit_code, r.stdout) == (0, "- inst-annual-consultations\n")
    assert cli("due", "--format", "yaml").stdout.startswith("- inst-annual-consultations\n")
    assert "yaml" in cli("list", "--help").stdout and "yaml" in cli("due", "--help").stdout
    assert "yaml" not in cli("show", "--help").stdout
    r = cli("show", "sec-targ", "--format", "yaml")
    assert r.exit_code == 2
    assert r.stderr == (
        "error: --format: 'yaml' is not a format here; use one of table, plain, json, csv, "
        "markdown\n"
    )


@pytest.mark.parametrize(
    ("stream_tty", "color", "env", "expected"),
    [
        (False, "auto", {}, False),
        (True, "auto", {}, True),
        (True, "auto", {"NO_COLOR": "1"}, False),
        (True, "auto", {"TERM": "dumb"}, False),
        (False, "auto", {"FORCE_COLOR": "1"}, True),
        (False, "always", {}, True),
        (True, "never", {"FORCE_COLOR": "1"}, False),
    ],
)
def test_colour_policy(stream_tty: bool, color: str, env: dict[str, str], expected: bool) -> None:
    class Stream(io.StringIO):
        def isatty(self) -> bool:
            return stream_tty

        def fileno(self) -> int:
            raise OSError

    out = Output.decide(Stream(), color, 80, env)
    assert out.color is expected


def test_width_policy() -> None:
    s = io.StringIO()
    assert Output.decide(s, "auto", None, {}).width == 100, "not a terminal: 100 columns"
    assert Output.decide(s, "auto", None, {"COLUMNS": "72"}).width == 72
    assert Output.decide(s, "auto", 5, {}).width == 20, "never narrower than 20"


def test_excel_cells_that_would_run_as_formulas_are_made_text() -> None:
    assert excel_cell('=HYPERLINK("http://evil","click")') == '\'=HYPERLINK("http://evil","click")'
    for text in ("+1+1", "@SUM(A1)", "-2+3", "\tx", "\rx"):
        assert excel_cell(text) == "'" + text
    assert excel_cell("-239") == "-239", "numbers stay numbers"
    assert excel_cell("Provide training") == "Provide training"
    rows = [{"id": "x", "title": "=1+1"}]
    assert to_csv(rows, ("id", "title")) == "id,title\r\nx,=1+1\r\n", "the plain CSV is raw"
    assert to_csv(rows, ("id", "title"), excel=True) == "\ufeffid,title\r\nx,'=1+1\r\n"


def test_terminal_escapes_in_the_data_are_shown_not_run(datafile: Path) -> None:
    text = datafile.read_text().replace(
        'title = "Provide targeted training', 'title = "Provide \\u009b2J targeted training', 1
    )
    datafile.write_text(text)
    r = Cli(datafile)("list")
    assert r.exit_code == 2, "a control character in the file is refused on read"
    assert safe("a\x1b[2Jb\x9b") == "a\\x1b[2Jb\\x9b"
    assert safe("line\nnext\ttab") == "line\nnext\ttab"


def test_json_formats_are_the_same_whatever_the_terminal(datafile: Path) -> None:
    cli = Cli(datafile)
    plain = cli("list", "--format", "json").stdout
    forced = cli("--color", "always", "--width", "40", "list", "--format", "json").stdout
    assert plain == forced and json.loads(plain)


@pytest.mark.parametrize("n", [0, 1, 511, 512, 513, 1024, 1500])
def test_json_lines_in_chunks_are_one_array_one_object_per_line(n: int) -> None:
    items: list[dict[str, object]] = [
        {
            "id": f"c-{i}",
            "title": 'Forces unifiées “AES” \\ "q"\n\x01\u2028',
            "n": i,
            "parties": ["Mali", "AES"],
            "assessments": {"Mali": "done"} if i % 2 else {},
            "open": i % 3 == 0,
            "due": None,
        }
        for i in range(n)
    ]
    chunks = list(render.to_json_lines(iter(items)))
    text = "".join(chunks)
    assert json.loads(text) == items
    assert text.endswith("\n") and all(chunks)
    lines = text.removesuffix("\n").split("\n")  # not splitlines: U+2028 is not a line end here
    assert lines == (
        ["[]"]
        if n == 0
        else [
            "[",
            *(json.dumps(x, ensure_ascii=False) + "," for x in items[:-1]),
            json.dumps(items[-1], ensure_ascii=False),
            "]",
        ]
    )
    if n > 512:
        assert len(chunks) > 1, "a long array is written in several chunks"


def test_a_table_in_chunks_is_the_table_whole() -> None:
    from aes_tracker.render.layout import Column, plan, table
    from aes_tracker.render.layout import render as render_table

    rows = [{"id": f"c-{i:04}", "t": "word " * (i % 7)} for i in range(1300)]
    cols = [
        Column("ID", lambda r: r["id"]),
        Column("Title", lambda r: r["t"], wrap=True, grow=True),
    ]
    found = plan(iter(rows), cols, 40)
    assert found is not None
    chunks = list(render_table(found, 40, False))
    assert len(chunks) > 2
    assert "".join(chunks) == table(rows, cols, 40, False)
    assert all(c.endswith("\n") for c in chunks)


def test_a_column_that_can_go_goes_before_a_cell_that_stays_is_wrapped() -> None:
    """With the title below the rows, Category (which can go) is dropped rather than the Due
    cell "review 2026-01-03" broken over two lines; cells wrap only when dropping is not
    enough."""
    from aes_tracker.render.layout import Column, plan

    rows = [{"id": "dev-infrastructure", "due": "review 2026-04-03", "cat": "development"}]
    cols = [
        Column("ID", lambda r: r["id"]),
        Column("Due", lambda r: r["due"], wrap=True),
        Column("Category", lambda r: r["cat"], drop=1),
        Column("Title", lambda r: "A title " * 8, wrap=True, grow=True),
    ]
    # 18 + 17 + 11 + 2 gaps = 50 columns: too wide for 45, not with Category gone (37).
    found = plan(iter(rows), cols, 45)
    assert found is not None
    p, _cells = found
    assert [c.head for c in p.columns] == ["ID", "Due"] and p.widths == [18, 17]
    assert p.below is not None and p.below.head == "Title"
    # At 30 even that does not fit: the Due cell wraps, and Category is gone too.
    found = plan(iter(rows), cols, 30)
    assert found is not None
    p, _cells = found
    assert [c.head for c in p.columns] == ["ID", "Due"] and p.widths[1] < 17
