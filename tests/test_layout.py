"""The first write to a file the tool has never written: told canonical section by section
(store/layout.py), it takes the fast path, and writes exactly the bytes of a full rewrite."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aes_tracker.domain import progress
from aes_tracker.domain.draft import Entry, Outcome
from aes_tracker.store import cache, transaction
from aes_tracker.store.core import Draft, update
from aes_tracker.store.fileread import digest
from aes_tracker.store.layout import canonical_entry
from aes_tracker.store.paths import Location
from aes_tracker.store.tomlfile import dumps, parse

from .conftest import DATA
from .test_store import TODAY, WHO

ORIGINAL = DATA.read_bytes()


def _edit(kind: str, at: int, data: bytes) -> bytes:
    """One hand edit of the kind a person or another program makes, near byte `at`."""
    lines = data.split(b"\n")
    i = at % len(lines)
    line = lines[i]
    if kind == "blank":
        lines.insert(i, b"")
    elif kind == "drop-blank" and line == b"":
        del lines[i]
    elif kind == "comment":
        lines.insert(i, b"# a remark")
    elif kind == "spaces" and b" = " in line:
        lines[i] = line.replace(b" = ", b"  =  ", 1)
    elif kind == "trailing":
        lines[i] = line + b" "
    elif kind == "swap" and i + 1 < len(lines) and b" = " in line and b" = " in lines[i + 1]:
        lines[i], lines[i + 1] = lines[i + 1], line
    elif kind == "literal" and line.count(b'"') == 2 and b"'" not in line and b"\\" not in line:
        lines[i] = line.replace(b'"', b"'")
    elif kind == "escape" and b"\xc3\xa9" in line:
        lines[i] = line.replace(b"\xc3\xa9", b"\\u00e9", 1)
    elif kind == "inline-array" and line.endswith(b"= ["):
        j = i + 1
        while j < len(lines) and lines[j] != b"]":
            j += 1
        items = b" ".join(x.strip() for x in lines[i + 1 : j])
        lines[i : j + 1] = [line + items.rstrip(b",") + b"]"]
    elif kind == "retitle" and line.startswith(b'title = "'):
        lines[i] = b'title = "Retitled ' + line[9:]
    return b"\n".join(lines)


edits = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "blank",
                "drop-blank",
                "comment",
                "spaces",
                "trailing",
                "swap",
                "literal",
                "escape",
                "inline-array",
                "retitle",
            ]
        ),
        st.integers(0, 10_000),
    ),
    max_size=3,
)


def _edited(chosen: list[tuple[str, int]]) -> bytes:
    data = ORIGINAL
    for kind, at in chosen:
        data = _edit(kind, at, data)
    return data


@settings(max_examples=150, deadline=None)
@given(edits)
def test_canonical_only_when_the_writer_would_write_these_bytes(
    chosen: list[tuple[str, int]],
) -> None:
    data = _edited(chosen)
    entry = canonical_entry(data, digest(data), None)
    try:
        writer_would = dumps(parse(data.decode("utf-8"), "x")) == data
    except Exception:
        writer_would = False
    if entry is not None:
        assert writer_would and entry.canonical and entry.digest == digest(data)
    if not chosen:
        assert entry is not None


def _note(d: Draft) -> Outcome:
    return progress.add_note(d, "dip-un-charter", WHO, Entry(on=TODAY, note="first write"))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits, st.booleans())
def test_the_first_write_gives_the_bytes_of_a_full_rewrite(
    chosen: list[tuple[str, int]], read_first: bool
) -> None:
    """No cache, or only the cache of a read (which does not say the file is canonical): the
    write gives what the full path gives, or refuses as it does."""
    data = _edited(chosen)
    with tempfile.TemporaryDirectory() as d:
        fast, slow = Path(d) / "fast.toml", Path(d) / "slow.toml"
        fast.write_bytes(data)
        slow.write_bytes(data)
        results = []
        for path, is_fast in ((fast, True), (slow, False)):
            if read_first:
                from aes_tracker.store.view import view

                with contextlib.suppress(Exception):
                    view(Location(path, True))
            transaction.FAST_WRITES = is_fast
            try:
                update(Location(path, True), _note, describe=lambda o: o.line)
                results.append("ok")
            except Exception as e:
                results.append(type(e).__name__ + str(e).replace(str(path), "P"))
            finally:
                transaction.FAST_WRITES = True
        assert results[0] == results[1]
        assert fast.read_bytes() == slow.read_bytes()
        if results[0] == "ok":
            entry = cache.read(fast, os.environ)
            assert entry is not None and entry.digest == digest(fast.read_bytes())


def test_a_canonical_file_never_written_takes_the_fast_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = tmp_path / "d.toml"
    shutil.copyfile(DATA, p)

    def no_full_parse(*a: object, **k: object) -> object:
        raise AssertionError("the first write parsed the whole file")

    real_dumps: Callable[..., bytes] = transaction.dumps  # type: ignore[attr-defined]

    def one_table_only(raw: dict[str, object]) -> bytes:
        assert list(raw) == ["commitments"], "a full rewrite"
        return real_dumps(raw)

    with monkeypatch.context() as m:
        m.setattr(transaction, "load_bytes", no_full_parse)
        m.setattr(transaction, "dumps", one_table_only)
        update(Location(p, True), _note, describe=lambda o: o.line)
    entry = cache.read(p, os.environ)
    assert entry is not None and entry.canonical


@settings(max_examples=300, deadline=None)
@given(
    cells=st.lists(
        st.tuples(
            st.text("ab c\n{}é", max_size=30),
            st.text("xy z", max_size=12),
            st.text("0-9", max_size=6),
        ),
        max_size=12,
    ),
    width=st.integers(10, 90),
    color=st.booleans(),
)
def test_every_line_at_once_is_each_row_laid_out_alone(
    cells: list[tuple[str, str, str]], width: int, color: bool
) -> None:
    """`render` lays out the rows whose cells all fit in one pass (`_overflowing` tells the
    others): the same text as laying out every row as a block of its own."""
    from unittest import mock

    from aes_tracker.render import layout

    columns = [
        layout.Column("Title", lambda r: r["a"], wrap=True, grow=True, min_grow=8),
        layout.Column("Who", lambda r: r["b"], wrap=True, drop=1),
        layout.Column("N", lambda r: r["c"], right=True),
    ]
    rows = [{"a": a, "b": b, "c": c} for a, b, c in cells]

    def styled(r: dict[str, str]) -> str:
        return "red" if r["c"] else ""

    fast = layout.table(rows, columns, width, color, styled)
    with mock.patch.object(layout, "_overflowing", lambda texts, widths: set(range(len(rows)))):
        full = layout.table(rows, columns, width, color, styled)
    assert fast == full
