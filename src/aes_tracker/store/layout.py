"""Is a data file exactly what the canonical writer would write? Told section by section, for the
first write to a file the tool has not written (a fresh clone, a file received by mail, a file
only read so far): when it is, the write takes the fast path (store/splice.py) instead of
parsing the whole file, checking it, writing all of it again and reading that back.

The file's bytes are read once, one section at a time, through the section reader's guards
(store/sections.py): each commitment's table is parsed from its own bytes, checked (or its
summary taken from the cache, when the cache has that table's digest under the same sources,
parties and groups), written again by the canonical writer and compared with the bytes it came
from. The file is canonical when the top tables and every section are byte for byte what the
writer writes and the blank lines between them are the writer's. Only then is the entry
returned, with `canonical` set; on any doubt (another layout, a problem, a table the writer
would lay out otherwise) the answer is None and the write goes the full way, which reports
problems with their lines.

No table is held after its section is read: at 100,000 commitments the memory is the file's
bytes and the summaries, not the parsed document.

Also here, the fast path's draft (`fast_draft`): the tables a change asks for, each parsed from
its own bytes where the entry says it is.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from aes_tracker.domain.model import (
    TOP_KEYS,
    Catalog,
    Document,
    Summary,
    summarize,
)
from aes_tracker.domain.validate import check_commitment, check_document, context_of
from aes_tracker.store import cache as cachemod
from aes_tracker.store.draft import Draft
from aes_tracker.store.sections import SectionReader, read_section
from aes_tracker.store.tomlfile import dumps, same
from aes_tracker.store.view import _table_at, load_bytes

_TOP = frozenset(TOP_KEYS) - {"commitments"}


def canonical_entry(
    raw_bytes: bytes, digest: str, old: cachemod.Entry | None
) -> cachemod.Entry | None:
    """The cache entry of `raw_bytes` (whose digest is `digest`), canonical, when the file is
    exactly what the writer writes and checks clean; else None. `old`, the cache's entry for
    this file (any version), lends the summaries of the tables it has the digest of, and, when
    it was canonical with the same top tables, the knowledge that those tables are laid out as
    the writer lays them out."""
    reader = SectionReader(raw_bytes)
    if not reader.ok:
        return None
    top = reader.top().table
    if top is None:
        return None
    if not set(top) <= _TOP:
        return None  # a table of its own would be written after the commitments
    top_doc, problems = check_document(top)
    if problems:
        return None
    spans = reader.spans
    prefix_end = reader.prefix_end
    prefix = raw_bytes[:prefix_end]
    if prefix != dumps(top) + (b"\n" if spans else b""):
        return None
    prefix_digest = cachemod.table_digest(prefix)
    ctx = context_of(top)
    reuse = old is not None and _same_context(old.catalog, top_doc)
    known_layout = (
        reuse and old is not None and old.canonical and old.prefix_digest == prefix_digest
    )
    old_tables = old.tables if old is not None and reuse else {}
    old_summaries = old.catalog.commitments if old is not None else {}
    summaries: dict[str, Summary] = {}
    tables: dict[str, str] = {}
    last_end = len(raw_bytes)
    for cid, (start, end) in spans.items():
        chunk = raw_bytes[start:end]
        td = cachemod.table_digest(chunk)
        tables[cid] = td
        tail = b"\n" if end == last_end else b"\n\n"
        if not chunk.endswith(tail) or chunk.endswith(tail + b"\n"):
            return None  # the blank lines between sections are not the writer's
        known = old_tables.get(cid) == td and cid in old_summaries
        if known and known_layout:
            summaries[cid] = old_summaries[cid]
            continue
        table = reader.commitment(cid, (start, end)).table
        if table is None:
            return None
        if dumps({"commitments": {cid: table}}) != chunk[: len(chunk) - len(tail) + 1]:
            return None  # the writer lays this table out otherwise
        if known:
            summaries[cid] = old_summaries[cid]
            continue
        full, problems = check_commitment(cid, table, ctx)
        if full is None or problems:
            return None
        summaries[cid] = summarize(full)
    if not spans and top_doc.commitments:
        return None
    catalog = top_doc.with_records(summaries)
    return cachemod.Entry(digest, True, prefix_end, prefix_digest, catalog, spans, tables)


def _same_context(old: Catalog, new: Document) -> bool:
    """The cached summaries hold only under the same sources, parties and groups: a table's
    check depends on them."""
    return (
        set(old.sources) == set(new.sources)
        and tuple(old.parties) == tuple(new.parties)
        and dict(old.groups) == dict(new.groups)
    )


class FastTables:
    """The tables of a draft on the fast path: each parsed from its own bytes, where the cache
    says it is (decisions come from the file's bytes, never from the cache). Should a table not
    be there, the whole file is parsed once and the draft goes on from it, the full way: the
    change is not run again."""

    def __init__(self, path: Path, raw_bytes: bytes, entry: cachemod.Entry) -> None:
        self.path = path
        self.raw_bytes = raw_bytes
        self.entry = entry
        self.top: dict[str, Any] = {}
        self.full: dict[str, Any] | None = None  # the whole file's tables, once it had to be read

    def __call__(self, cid: str) -> dict[str, Any]:
        if self.full is None:
            span = self.entry.spans.get(cid)
            t = _table_at(self.raw_bytes, span, cid) if span is not None else None
            if t is not None:
                return t
            raw = load_bytes(self.raw_bytes, self.path).raw
            tables: dict[str, Any] = raw.pop("commitments", {})
            if not same(raw, self.top):
                # The tables already handed out came from where the cache said; with the top
                # tables elsewhere too, nothing it said can be trusted. A bug, not a user error.
                raise AssertionError("the parse cache does not describe the file")
            self.full = tables
            return tables[cid]  # type: ignore[no-any-return]
        return self.full[cid]  # type: ignore[no-any-return]


def fast_draft(
    path: Path, raw_bytes: bytes, entry: cachemod.Entry
) -> tuple[Draft, FastTables] | None:
    top = read_section(raw_bytes, (0, entry.prefix_end), None).table
    if top is None:
        return None
    tables = FastTables(path, raw_bytes, entry)
    tables.top = copy.deepcopy(top)
    draft = Draft(path, top, tables, entry.catalog.commitments, entry.catalog.commitments)
    return draft, tables
