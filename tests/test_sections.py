"""The one section reader and the one conflict-marker rule (store/sections.py): what the cache
refresh, the fast write path, `check`, a read view and the merge driver all read through."""

from __future__ import annotations

import ast
import itertools
import tomllib
from pathlib import Path

import pytest

from aes_tracker.errors import TrackerError
from aes_tracker.store import sections
from aes_tracker.store.check import check_file
from aes_tracker.store.core import load
from aes_tracker.store.paths import Location
from aes_tracker.store.sections import SectionReader, marker_lines

from .conftest import DATA

SRC = Path(__file__).resolve().parents[1] / "src" / "aes_tracker"
ID = "sec-targeted-training"


def test_the_reader_gives_each_section_as_the_whole_parse_does() -> None:
    raw = DATA.read_bytes()
    whole = tomllib.loads(raw.decode())
    reader = SectionReader(raw)
    assert reader.ok
    got = list(reader)
    assert got[0].id is None and got[0].span[0] == 0
    assert got[0].table == {k: v for k, v in whole.items() if k != "commitments"}
    assert [s.id for s in got[1:]] == sorted(whole["commitments"])
    for s in got[1:]:
        assert s.id is not None and s.table == whole["commitments"][s.id]
        assert raw[s.span[0] : s.span[1]].decode() == s.text
    ends = [s.span for s in got]
    assert all(a[1] == b[0] for a, b in itertools.pairwise(ends)), "sections not adjacent"
    assert ends[-1][1] == len(raw)


@pytest.mark.parametrize(
    "damage",
    [
        "marker",  # a conflict marker opening a line
        "other-id",  # the section holds another commitment's keys
        "bad-utf8",
        "huge-int",  # past Python's digit limit: ValueError, not a TOML error
        "deep",  # nested past the recursion limit
        "syntax",
    ],
)
def test_every_guard_gives_none_never_an_exception(damage: str) -> None:
    text = DATA.read_text()
    head = f"[commitments.{ID}]\n"
    insert = {
        "marker": "<<<<<<< ours: x\n",
        "other-id": "",
        "bad-utf8": "",
        "huge-int": "size = " + "9" * 5000 + "\n",
        "deep": "deep = " + "[" * 3000 + "]" * 3000 + "\n",
        "syntax": "title = = 1\n",
    }[damage]
    text = text.replace(head, head + insert, 1)
    raw = text.encode()
    if damage == "bad-utf8":
        raw = raw.replace(head.encode(), head.encode() + b'notes = "\xff"\n', 1)
    spans = SectionReader(DATA.read_bytes()).layout.spans
    start = raw.index(head.encode())
    end = start + spans[ID][1] - spans[ID][0] + len(raw) - len(DATA.read_bytes())
    if damage == "other-id":  # a span (a stale cache's, say) running into the next section
        end = sorted(e for _s, e in spans.values() if e > spans[ID][1])[0]
    assert SectionReader(raw).commitment(ID, (start, end)).table is None


def test_the_top_may_not_hold_commitments() -> None:
    raw = b'schema = 1\ncommitments.x.title = "t"\n'
    assert SectionReader(raw).top().table is None


def test_the_marker_rule_is_a_line_that_starts_the_block() -> None:
    assert marker_lines("a\n<<<<<<< ours\nb\n=======\nc\n>>>>>>> theirs\n") == [2]
    assert marker_lines('notes = "<<<<<<< not at the start"\n') == []
    assert marker_lines(" <<<<<<< indented\n") == []


def _literals(path: Path) -> list[str]:
    """The string constants in a module's code, docstrings left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and id(node) not in docs:
            v = node.value
            if isinstance(v, bytes):
                v = v.decode("latin-1")
            if isinstance(v, str):
                out.append(v)
    return out


def test_the_marker_syntax_is_spelled_in_one_place() -> None:
    """`<<<<<<<`, `=======`, `>>>>>>>` appear in the code of sections.py only (the others
    import them): a second spelling is how `check` and the store came to disagree."""
    spelled = [
        str(p.relative_to(SRC))
        for p in sorted(SRC.rglob("*.py"))
        if p.name != "sections.py"
        and any(m in v for v in _literals(p) for m in (sections.START, sections.END))
    ]
    assert spelled == []


VARIANTS = {
    "clean": lambda t: t,
    "marker-in-a-section": lambda t: t.replace(
        f"[commitments.{ID}]\n", f"[commitments.{ID}]\n<<<<<<< ours\n", 1
    ),
    "marker-in-the-top": lambda t: "<<<<<<< ours\n" + t,
    "marker-in-a-string": lambda t: t.replace(
        'notes = "One of three', 'notes = """\n<<<<<<< ours\nOne of three', 1
    ).replace("sec-military-equipment).", 'sec-military-equipment)."""', 1),
    "marker-mid-line": lambda t: t.replace('notes = "One of three', 'notes = "<<<<<<< three', 1),
    "crlf": lambda t: t.replace("\n", "\r\n"),
    "headers-out-of-order": lambda t: (
        t.replace(f"[commitments.{ID}]", f"[commitments.{ID}]", 1)
        + '\n[commitments.aaa-late]\ntitle = "x"\n'
    ),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_check_passes_exactly_the_files_the_store_reads(tmp_path: Path, variant: str) -> None:
    """`check` reads section by section, the store whole or through the cache: through the one
    reader they agree on every file."""
    p = tmp_path / "c.toml"
    p.write_bytes(VARIANTS[variant](DATA.read_text()).encode())
    loc = Location(p, True)
    try:
        load(loc)
        store_reads = True
    except TrackerError:
        store_reads = False
    try:
        check_passes = not check_file(loc).errors
    except TrackerError:
        check_passes = False
    assert check_passes == store_reads
