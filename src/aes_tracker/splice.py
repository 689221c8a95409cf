"""The fast write path: change one commitment of 10,000 without parsing and re-writing them all.

When the parse cache says the file's current bytes (by SHA-256) are the writer's own canonical
layout, the file is a prefix (schema, parties, sources) followed by one table per commitment, in
ID order. A change then only needs the prefix and the tables it touches: the commitments mapping
given to the change loads each table on first access. Afterwards, each changed table is written
by the same canonical writer, read back and checked, and spliced between the untouched tables,
which are copied byte for byte. The result is the same bytes as a full rewrite (a property test
compares the two).

Anything outside that (a change to the prefix, a deletion, a file that is not canonical, a table
with a comment) falls back to the full rewrite, which is always correct.
"""

from __future__ import annotations

import copy
import itertools
import os
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from aes_tracker import cache
from aes_tracker.errors import TrackerError
from aes_tracker.model import Commitment, Data, build

_UNLOADED: Any = object()


class LazyCommitments(dict[str, Any]):
    """`raw["commitments"]` for the fast path: every ID is there; a table is parsed when first
    read. Anything that needs them all (values, items, deletions) loads them all and marks the
    change for the full rewrite."""

    def __init__(self, ids: Iterable[str], load_one: Any) -> None:
        super().__init__(dict.fromkeys(ids, _UNLOADED))
        self._load_one = load_one
        self.touched: set[str] = set()
        self.needs_full = False

    def _get(self, key: str) -> Any:
        v = dict.__getitem__(self, key)
        if v is _UNLOADED:
            v = self._load_one(key)
            dict.__setitem__(self, key, v)
        self.touched.add(key)
        return v

    def __getitem__(self, key: str) -> Any:
        return self._get(key)

    def get(self, key: str, default: Any = None) -> Any:
        return self._get(key) if key in self else default

    def setdefault(self, key: str, default: Any = None) -> Any:
        if key in self:
            return self._get(key)
        self[key] = default
        return default

    def __setitem__(self, key: str, value: Any) -> None:
        self.touched.add(key)
        dict.__setitem__(self, key, value)

    def load_all(self) -> None:
        for key in list(dict.keys(self)):
            if dict.__getitem__(self, key) is _UNLOADED:
                dict.__setitem__(self, key, self._load_one(key))

    def values(self) -> Any:
        self.load_all()
        self.needs_full = True
        return super().values()

    def items(self) -> Any:
        self.load_all()
        self.needs_full = True
        return super().items()

    def __delitem__(self, key: str) -> None:
        self.load_all()
        self.needs_full = True
        super().__delitem__(key)

    def pop(self, key: str, *default: Any) -> Any:
        self.load_all()
        self.needs_full = True
        return super().pop(key, *default)

    def popitem(self) -> tuple[str, Any]:
        self.load_all()
        self.needs_full = True
        return super().popitem()

    def clear(self) -> None:
        self.needs_full = True
        super().clear()

    def update(self, *a: Any, **k: Any) -> None:
        self.load_all()
        self.needs_full = True
        super().update(*a, **k)


class Plan:
    """What the fast path knows about the file as it is now."""

    def __init__(
        self,
        path: Path,
        raw_bytes: bytes,
        summary: cache.Summary,
        spans: dict[str, tuple[int, int]],
        prefix_end: int,
        top: dict[str, Any],
    ) -> None:
        self.path = path
        self.raw_bytes = raw_bytes
        self.summary = summary
        self.spans = spans
        self.prefix_end = prefix_end
        self.top = top
        self.originals: dict[str, Any] = {}

    def _load_one(self, cid: str) -> Any:
        start, end = self.spans[cid]
        table = tomllib.loads(self.raw_bytes[start:end].decode("utf-8"))
        cs = table.get("commitments")
        if not isinstance(cs, dict) or set(cs) != {cid} or set(table) != {"commitments"}:
            raise Unexpected(cid)
        self.originals[cid] = copy.deepcopy(cs[cid])
        return cs[cid]

    def raw(self) -> dict[str, Any]:
        out = copy.deepcopy(self.top)
        out["commitments"] = LazyCommitments(self.spans, self._load_one)
        return out

    def loaded(self, path: Path) -> Any:
        from aes_tracker.store import Loaded

        return Loaded(path, self.raw_bytes, "", self.top, self.summary.data, False)

    def materialize(self, raw: dict[str, Any]) -> dict[str, Any]:
        """The document in full, for the full rewrite."""
        cs = raw.get("commitments")
        if isinstance(cs, LazyCommitments):
            cs.load_all()
            raw["commitments"] = dict(dict.items(cs))
        return raw

    def finish(self, raw: dict[str, Any]) -> tuple[bytes, Data] | None:
        """The new bytes and data, or None when this change needs the full rewrite."""
        from aes_tracker.store import dumps, find_comment

        cs = raw.get("commitments")
        if not isinstance(cs, LazyCommitments) or cs.needs_full:
            return None
        if {k: v for k, v in raw.items() if k != "commitments"} != self.top:
            return None
        changed: dict[str, Any] = {}
        for cid in sorted(cs.touched):
            new = dict.__getitem__(cs, cid)
            if not isinstance(new, dict):
                return None
            if cid in self.spans:
                if new == self.originals.get(cid, _UNLOADED):
                    continue
                start, end = self.spans[cid]
                if find_comment(self.raw_bytes[start:end].decode("utf-8")) is not None:
                    return None  # the full path refuses, naming the line
            changed[cid] = new
        if not changed:
            return self.raw_bytes, self.summary.data
        tables: dict[str, bytes] = {}
        full: dict[str, Commitment] = {}
        for cid, c in changed.items():
            text = dumps({"commitments": {cid: c}})
            if tomllib.loads(text.decode("utf-8")) != {"commitments": {cid: c}}:
                raise AssertionError("the canonical writer changed the data")  # a bug
            doc = {k: v for k, v in self.top.items() if k in ("schema", "parties", "sources")}
            data, problems = build({**doc, "commitments": {cid: c}})
            if problems:
                raise TrackerError(problems[0].message, path=str(self.path))
            tables[cid] = text
            full[cid] = data.commitments[cid]
        parts = []
        prefix = self.raw_bytes[: self.prefix_end]
        if prefix.strip():
            parts.append(prefix.rstrip(b"\n") + b"\n")
        for cid in sorted(set(self.spans) | set(changed)):
            if cid in tables:
                part = tables[cid]
            else:
                start, end = self.spans[cid]
                part = self.raw_bytes[start:end]
            parts.append(part.rstrip(b"\n") + b"\n")
        new_bytes = b"\n".join(parts)
        old = self.summary.data
        commitments = {
            cid: full.get(cid) or old.commitments[cid]
            for cid in sorted(set(old.commitments) | set(full))
        }
        return new_bytes, Data(old.sources, commitments, old.parties)


class Unexpected(Exception):
    """A table is not where the plan expected it: use the full rewrite."""


def plan(path: Path, raw_bytes: bytes, environ: Mapping[str, str] = os.environ) -> Plan | None:
    """A plan for these bytes, or None when the fast path does not apply."""
    import hashlib

    summary = cache.read(path, hashlib.sha256(raw_bytes).hexdigest(), environ)
    if summary is None or not summary.canonical:
        return None
    # The byte ranges come from the bytes themselves, never from the cache file.
    spans = cache.sections(raw_bytes)
    order = sorted(spans.items(), key=lambda kv: kv[1][0])
    ids = [cid for cid, _ in order]
    if not ids or ids != sorted(ids) or set(ids) != set(summary.data.commitments):
        return None
    for (_, (_, end)), (_, (start, _)) in itertools.pairwise(order):
        if end != start:
            return None
    if order[-1][1][1] != len(raw_bytes):
        return None
    prefix_end = order[0][1][0]
    try:
        top = tomllib.loads(raw_bytes[:prefix_end].decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return None
    if "commitments" in top:
        return None
    return Plan(path, raw_bytes, summary, spans, prefix_end, top)
