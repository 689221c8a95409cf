"""The draft a change works on: the document as the change may read and edit it.

A draft gives typed views of what is in the file (`summary`, `commitment`) and the raw tables to
edit; it never hands out the whole raw document unless the change asks for it (`raw_document`),
so a change that touches one commitment of 10,000 reads and rewrites that one only. What was
edited (`touched`, `removed`, `top_touched`, `whole`) is what the transaction writes.
Plain data: no file, no lock (store/transaction.py does the writing; `preview` there runs a
change on a draft for a dry run)."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from aes_tracker.domain.model import Commitment, Source, Summary, summarize
from aes_tracker.domain.parties import Groups
from aes_tracker.domain.validate import check_commitment, check_document, context_of
from aes_tracker.errors import TrackerError


class Draft:
    """The document being changed, as a change sees it.

    Read: `ids()`, `summary(cid)`, `commitment(cid)` (typed, from the table as it is now in the
    draft), `sources()`, `parties()`. Edit: `table(cid)` (the raw table, edited in place),
    `add(cid, table)`, `remove(cid)`, `edit_top()` (schema, parties, settings, sources).
    `raw_document()` hands out the whole document, for the few changes that need it (import)."""

    def __init__(
        self,
        path: Path,
        top: dict[str, Any],
        load_table: Callable[[str], dict[str, Any]],
        ids: Iterable[str],
        summaries: Mapping[str, Summary] | None = None,
    ) -> None:
        self.path = path
        self._top = top
        self._load_table = load_table
        self._ids = set(ids)
        self._summaries = summaries or {}
        self._tables: dict[str, dict[str, Any]] = {}
        self.touched: set[str] = set()
        self.removed: set[str] = set()
        # What the top tables (schema, settings, sources, parties) were: a change that edits
        # them without `edit_top()` (through the mapping `settings()` returns, say) is seen
        # all the same, and written, on the fast path too.
        self._top_before = copy.deepcopy(top)
        self._top_edited = False
        self.whole = False  # the change took the whole document

    @property
    def top_touched(self) -> bool:
        """The top tables were edited, by `edit_top()` or otherwise."""
        return self._top_edited or self._top != self._top_before

    # reading
    def ids(self) -> list[str]:
        return sorted(self._ids)

    def has(self, cid: str) -> bool:
        return cid in self._ids

    def parties(self) -> tuple[str, ...]:
        return context_of(self._top).parties

    def groups(self) -> Groups:
        return context_of(self._top).groups

    def source_ids(self) -> list[str]:
        s = self._top.get("sources")
        return sorted(s) if isinstance(s, dict) else []

    def sources(self) -> dict[str, Source]:
        doc, _problems = check_document({k: v for k, v in self._top.items() if k != "commitments"})
        return dict(doc.sources)

    def settings(self) -> Mapping[str, Any]:
        s = self._top.get("settings")
        return s if isinstance(s, dict) else {}

    def _table(self, cid: str) -> dict[str, Any]:
        t = self._tables.get(cid)
        if t is None:
            if cid not in self._ids:
                raise KeyError(cid)  # a bug: IDs are resolved first
            t = self._load_table(cid)
            self._tables[cid] = t
        return t

    def commitment(self, cid: str) -> Commitment:
        """The commitment as it now stands in the draft, typed and checked."""
        full, problems = check_commitment(cid, self._table(cid), context_of(self._top))
        if full is None or problems:
            raise TrackerError(problems[0].message if problems else cid, path=str(self.path))
        return full

    def summary(self, cid: str) -> Summary:
        if cid not in self.touched and cid in self._summaries:
            return self._summaries[cid]
        return summarize(self.commitment(cid))

    # editing
    def table(self, cid: str) -> dict[str, Any]:
        t = self._table(cid)
        self.touched.add(cid)
        return t

    def add(self, cid: str, table: dict[str, Any]) -> None:
        if cid in self._ids:
            raise KeyError(cid)  # a bug: the caller checks first
        self._ids.add(cid)
        self._tables[cid] = table
        self.touched.add(cid)
        self.removed.discard(cid)

    def remove(self, cid: str) -> dict[str, Any]:
        t = self._table(cid)
        self._ids.discard(cid)
        self._tables.pop(cid, None)
        self.touched.discard(cid)
        self.removed.add(cid)
        return t

    def edit_top(self) -> dict[str, Any]:
        self._top_edited = True
        return self._top

    def raw_document(self) -> dict[str, Any]:
        """The whole document, every table loaded; the change may edit any of it."""
        self.whole = True
        self._top_edited = True
        for cid in self._ids:
            self._table(cid)
        cs = {cid: self._tables[cid] for cid in sorted(self._ids)}
        self._top["commitments"] = cs
        return self._top

    def _document_now(self) -> dict[str, Any]:
        if self.whole:
            doc = self._top
            cs = doc.get("commitments")
            if isinstance(cs, dict):
                # The change may have added or removed tables in the raw document directly.
                self._ids = set(cs)
            return doc
        for cid in self._ids:
            self._table(cid)
        return {**self._top, "commitments": {cid: self._tables[cid] for cid in sorted(self._ids)}}
