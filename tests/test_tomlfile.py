"""The data file as TOML: decoding, errors with their position, where each key is, comments, the
canonical layout, and the sections the fast paths rely on."""

from __future__ import annotations

import tomllib
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import given, settings
from hypothesis import strategies as st

from aes_tracker.errors import TrackerError
from aes_tracker.store.tomlfile import (
    KeyIndex,
    _out_of_bounds,
    _within_bounds,
    decode,
    dumps,
    find_comment,
    key_line,
    parse,
    same,
    sections,
    toml,
)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x00\x00\x00", "contains a NUL byte"),
        ("schema = 1\n".encode("utf-16"), "is UTF-16"),
        (b"\xef\xbb\xbfschema = 1\n", "byte-order mark"),
        (b'schema = 1\ntitle = "\xe9"\n', "is not valid UTF-8"),
    ],
)
def test_not_text(content: bytes, message: str) -> None:
    with pytest.raises(TrackerError, match=message):
        decode(content, "f.toml")


def test_invalid_toml_gives_line_and_column_in_our_words() -> None:
    with pytest.raises(TrackerError) as e:
        parse("schema = 1\n[commitments.x\n", "f.toml")
    assert (e.value.line, e.value.col) == (2, 15)
    assert str(e.value) == "f.toml:2:15: invalid TOML: a table header is missing its ']'"
    with pytest.raises(TrackerError) as e:
        parse("a = 1\n[t]\nb = 1\n[t]\nc = 2\n", "f.toml")
    assert e.value.message == "invalid TOML: t is declared twice (a duplicate ID?)"
    assert e.value.line == 4


@pytest.mark.parametrize(
    ("line", "field", "value"),
    [
        ("due = 2026-13-01", "commitments.x.due", "2026-13-01"),
        ("due = 2026-12-32", "commitments.x.due", "2026-12-32"),
        ("review = 2026-12-1  # a comment", "commitments.x.review", "2026-12-1"),
        ("on = 2026-1-05", "commitments.x.history.on", "2026-1-05"),
    ],
)
def test_a_date_that_is_not_one_is_named_with_its_field(line: str, field: str, value: str) -> None:
    """A hand-typed date the TOML parser cannot read is said to be a date that is not one, with
    the key it is for, not as the parser sees it ("something follows a value")."""
    history = field.endswith(".on")
    text = (
        "schema = 1\n[commitments.x]\ntitle = 'T'\n"
        + ("[[commitments.x.history]]\n" if history else "")
        + line
        + "\n"
    )
    with pytest.raises(TrackerError) as e:
        parse(text, "f.toml")
    n = 5 if history else 4
    assert str(e.value) == (
        f"f.toml:{n}:{line.index(value) + 1}: {field}: '{value}' is not a date (write it "
        "as YYYY-MM-DD)"
    )


def test_positions_come_from_the_exception_not_its_text() -> None:
    """tomli's TOMLDecodeError carries lineno and colno; they are used as they are."""
    from aes_tracker.store.tomlfile import toml

    mod = toml()
    try:
        mod.loads("a = [1,\n")
    except mod.TOMLDecodeError as e:
        expected = (getattr(e, "lineno", None), getattr(e, "colno", None))
    with pytest.raises(TrackerError) as err:
        parse("a = [1,\n", "f.toml")
    if expected[0] is not None:
        assert (err.value.line, err.value.col) == expected


def test_key_line_finds_history_entries() -> None:
    text = (
        'schema = 1\n\n[commitments.a]\ntitle = "x"\n\n[[commitments.a.history]]\n'
        "on = 2025-01-01\n\n[[commitments.a.history]]\non = 2025-01-02\nstatus = 1\n"
    )
    assert key_line(text, ("schema",)) == 1
    assert key_line(text, ("commitments", "a", "title")) == 4
    assert key_line(text, ("commitments", "a", "history", 1, "status")) == 11
    assert key_line(text, ("commitments", "a", "missing")) == 3


def test_a_table_header_inside_a_multiline_string_is_not_a_table() -> None:
    text = 'schema = 1\nnote = """\n[commitments.b]\nx = 1\n"""\n\n[commitments.b]\nx = 2\n'
    assert key_line(text, ("commitments", "b", "x")) == 8


def test_the_key_index_locates_every_problem_of_a_big_file() -> None:
    """16,000 problems, each at its own line, from one index built in one pass (the old search
    scanned the text once per problem; benchmarks/run.py times `check` on such a file)."""
    from aes_tracker.domain.validate import Problem

    n = 16_000
    text = "".join(f'[commitments.c{i}]\ntitle = "x"\n\n' for i in range(n))
    index = KeyIndex(text)
    errors = [index.error(Problem(("commitments", f"c{i}", "title"), "m"), "f") for i in range(n)]
    assert [e.line for e in errors] == [3 * i + 2 for i in range(n)]
    assert {e.col for e in errors} == {9}


def test_find_comment_ignores_hashes_in_strings() -> None:
    assert find_comment('a = "#1"\nb = \'#\'\nc = """\n# not a comment\n"""\n') is None
    assert find_comment('a = "#1"\nb = 2 # here\n') == 2
    assert find_comment("# top\na = 1\n") == 1


def test_canonical_output_is_stable_and_sorted(datafile: Path) -> None:
    raw = tomllib.loads(datafile.read_text())
    shuffled = {
        "commitments": dict(reversed(list(raw["commitments"].items()))),
        "sources": raw["sources"],
        "names_fr": raw["names_fr"],
        "groups": raw["groups"],
        "parties": raw["parties"],
        "schema": 1,
    }
    assert dumps(shuffled) == datafile.read_bytes()


def test_canonical_layout_is_exact() -> None:
    raw = {
        "schema": 1,
        "zz": "kept",
        "commitments": {
            "b": {
                "status": "done",
                "title": "T",
                "history": [{"status": "done", "on": date(2026, 1, 2)}],
            }
        },
    }
    assert dumps(raw).decode() == (
        'schema = 1\nzz = "kept"\n\n[commitments.b]\ntitle = "T"\nstatus = "done"\n'
        'history = [\n    { on = 2026-01-02, status = "done" },\n]\n'
    )


def test_same_treats_nan_as_nan() -> None:
    nan = float("nan")
    assert same({"x": [nan]}, {"x": [nan]})
    assert not same({"x": 1}, {"x": True}), "an integer is not a boolean"
    assert not same({"x": date(2026, 1, 1)}, {"x": "2026-01-01"})


COMMUNIQUE = b'communique-aes-russie-2025-04-03.txt"'


def test_sections_cover_each_commitment(datafile: Path) -> None:
    raw = datafile.read_bytes()
    secs = sections(raw)
    assert secs.ok and len(secs.spans) == 12
    start, end = secs.spans["sec-targeted-training"]
    assert raw[start:end].startswith(b"[commitments.sec-targeted-training]\n")
    assert b"[commitments.sec-technical-assistance]" not in raw[start:end]
    assert raw[: secs.prefix_end].startswith(b"schema = 1\n")
    prefix = raw[: secs.prefix_end].rstrip()
    author = b'author = "Boubacar Gu\xc3\xa9d\xc3\xa9"\n'
    assert prefix.endswith(author + b'text = "sources/' + COMMUNIQUE)


@pytest.mark.parametrize(
    "text",
    [
        # a commitment's table split in two
        "[commitments.a]\nx = 1\n[commitments.b]\nx = 2\n[commitments.a.extra]\ny = 1\n",
        # declared twice
        "[commitments.a]\nx = 1\n[commitments.a]\nx = 2\n",
        # out of order
        "[commitments.b]\nx = 1\n[commitments.a]\nx = 2\n",
        # another table after the commitments
        "[commitments.a]\nx = 1\n[sources.s]\nx = 2\n",
    ],
)
def test_sections_know_when_the_layout_is_another(text: str) -> None:
    """(Keys of commitments in the prefix, `commitments.a.x = 1`, are for the reader of the
    prefix to see: store.py parses it and takes the full path; see test_store.py.)"""
    assert not sections(text.encode()).ok


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.from_regex(r"[a-z][a-z0-9-]{0,8}", fullmatch=True), unique=True, min_size=1, max_size=6
    )
)
def test_sections_of_a_canonical_file_rebuild_it(ids: list[str]) -> None:
    doc = {
        "schema": 1,
        "commitments": {
            cid: {"title": cid, "history": [{"on": date(2026, 1, 1)}] * (len(cid) % 3)}
            for cid in ids
        },
    }
    raw = dumps(doc)
    secs = sections(raw)
    assert secs.ok and sorted(secs.spans) == sorted(ids)
    pieces = [raw[: secs.prefix_end]] + [raw[a:b] for a, b in sorted(secs.spans.values())]
    assert b"".join(pieces) == raw


# ---- the bound that spares a section its walk (Reader.loads) -------------------------------------


@st.composite
def _nested(draw: st.DrawFn) -> dict[str, Any]:
    """A document nested about as deep as the limit, through tables, arrays, arrays of tables
    and keys with a dot in them, around a value that may be a date-time at the calendar's ends."""
    value: Any = draw(
        st.sampled_from(
            [
                1,
                "x.y[z]",
                date(9999, 1, 1),
                datetime(1, 1, 1, 1, 0, tzinfo=timezone(timedelta(hours=3))),
                datetime(9999, 12, 31, 23, 0, tzinfo=timezone(timedelta(hours=-3))),
                datetime(2026, 1, 1, 9, 0, tzinfo=UTC),
            ]
        )
    )
    for _n in range(draw(st.integers(0, 36))):
        key = draw(st.sampled_from(["a", "b.c", "d"]))
        kind = draw(st.sampled_from(["table", "array", "tables"]))
        value = {key: value} if kind == "table" else [value] if kind == "array" else [{key: value}]
    return {"top": value}


def _walked(text: str) -> bool:
    """Whether the walk over the parsed document finds something out of bounds."""
    return _out_of_bounds(tomllib.loads(text)) is not None


@settings(max_examples=400, deadline=None)
@given(_nested())
def test_the_text_bound_never_spares_a_walk_that_finds_something(doc: dict[str, Any]) -> None:
    text = tomli_w.dumps(doc)
    if _within_bounds(text):
        assert not _walked(text)
    # The same through the reader: refused exactly when the walk finds something.
    try:
        toml().loads(text)
        refused = False
    except toml().TOMLDecodeError:
        refused = True
    assert refused == _walked(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["a", '"b.c"', "d"]), min_size=1, max_size=20), st.integers(0, 30))
def test_the_text_bound_with_dotted_keys_and_inline_arrays(keys: list[str], n: int) -> None:
    text = f"[{'.'.join(keys[: len(keys) // 2 or 1])}]\n{'.'.join(keys)} = {'[' * n}1{']' * n}\n"
    if _within_bounds(text):
        assert not _walked(text)
