"""The one reader of the data file section by section, and the one conflict-marker rule.

A file laid out as the writer lays it out (tomlfile.sections: the top tables, then one section
per commitment, in ID order) can be read one section at a time: the cache refresh parses only
the tables that changed, the fast write path only those a change touches, `check` never holds a
50 MB file as one document, and a read view parses one commitment from its own bytes. They all
read through `SectionReader`, so they share one set of guards: a section is used only when its
bytes decode as UTF-8, hold no conflict marker, parse, and are exactly what the layout says
(the top tables and nothing of `commitments`, or exactly the table of that one ID). On any
doubt the section's table is None, and the caller reads the whole file instead, which reports
the problem with its line.

The conflict-marker rule (git's layout: a line starting `<<<<<<<`, then `=======`, then
`>>>>>>>`) is spelled here and nowhere else; markers.py reads and writes the blocks.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from aes_tracker.store.tomlfile import Sections, sections, toml

START, BASE, MIDDLE, END = "<<<<<<<", "|||||||", "=======", ">>>>>>>"


def marker_lines(text: str) -> list[int]:
    """The lines (from 1) that open an unresolved merge conflict: those starting `<<<<<<<`.
    A file with one is not one version of the data, and nothing reads it as one."""
    if START not in text:
        return []
    return [no for no, line in enumerate(text.split("\n"), 1) if line.startswith(START)]


def has_markers(text: str) -> bool:
    return bool(marker_lines(text))


def both_whole(ours: bytes, theirs: bytes) -> bytes:
    """Both versions, whole, as one conflict block: what the merge driver leaves when it
    cannot merge (each side ends with a newline)."""

    def ended(b: bytes) -> bytes:
        return b if not b or b.endswith(b"\n") else b + b"\n"

    return b"".join(
        [
            f"{START} ours\n".encode(),
            ended(ours),
            f"{MIDDLE}\n".encode(),
            ended(theirs),
            f"{END} theirs\n".encode(),
        ]
    )


class Section(NamedTuple):
    """One section of the file: `id` None for the top tables (schema, settings, sources,
    parties, groups), else the commitment's ID. `table` is what the section holds (for the top,
    the top tables; for a commitment, its table), or None when a guard failed."""

    id: str | None
    span: tuple[int, int]
    table: dict[str, Any] | None
    text: str | None  # the section's text, when it decoded


# What the parser may raise on bytes it was not built for: a syntax error, an invalid escape, an
# integer past Python's digit limit (ValueError), nesting past the recursion limit, a date past
# the calendar's end.
_PARSE_ERRORS: tuple[type[BaseException], ...] = (ValueError, RecursionError, OverflowError)


class SectionReader:
    """The sections of one version of the file's bytes, read on demand, each through the same
    guards. `ok` is False when the file is not in the writer's layout (or starts with a BOM,
    holds a NUL byte): then nothing here is to be used, and the whole file is read instead."""

    def __init__(self, raw_bytes: bytes, layout: Sections | None = None) -> None:
        self.raw_bytes = raw_bytes
        self.layout = layout if layout is not None else sections(raw_bytes)
        self.ok = (
            self.layout.ok
            and not raw_bytes.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"))
            and b"\x00" not in raw_bytes
        )

    @property
    def prefix_end(self) -> int:
        return self.layout.prefix_end

    @property
    def spans(self) -> dict[str, tuple[int, int]]:
        return dict(self.layout.spans)

    def top(self) -> Section:
        """The top tables, from the bytes before the first commitment."""
        return self._read(None, (0, self.layout.prefix_end))

    def commitment(self, cid: str, span: tuple[int, int] | None = None) -> Section:
        """Commitment `cid`'s section, where the layout (or `span`, from a cache of it) says."""
        where = span if span is not None else self.layout.spans.get(cid)
        if where is None:
            return Section(cid, (0, 0), None, None)
        return self._read(cid, where)

    def __iter__(self) -> Iterator[Section]:
        """The top tables, then each commitment in file order."""
        yield self.top()
        for cid, span in sorted(self.layout.spans.items(), key=lambda kv: kv[1]):
            yield self._read(cid, span)

    def _read(self, cid: str | None, span: tuple[int, int]) -> Section:
        return read_section(self.raw_bytes, span, cid)


def read_section(raw_bytes: bytes, span: tuple[int, int], cid: str | None) -> Section:
    """The section at `span` of `raw_bytes`, through the guards (see the module's docstring)."""
    start, end = span
    try:
        text = raw_bytes[start:end].decode("utf-8")
    except UnicodeDecodeError:
        return Section(cid, span, None, None)
    if marker_lines(text) or "\x00" in text:
        return Section(cid, span, None, text)
    mod = toml()
    try:
        doc = mod.loads(text)
    except (mod.TOMLDecodeError, *_PARSE_ERRORS):
        return Section(cid, span, None, text)
    if cid is None:
        return Section(None, span, None if "commitments" in doc else doc, text)
    cs = doc.get("commitments")
    if set(doc) != {"commitments"} or not isinstance(cs, dict) or set(cs) != {cid}:
        return Section(cid, span, None, text)
    table = cs[cid]
    return Section(cid, span, table if isinstance(table, dict) else None, text)
