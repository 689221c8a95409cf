"""The parse cache: reading 10,000 commitments with tomllib takes seconds, so the read commands
keep a summary of each version of the data file in $XDG_CACHE_HOME/aes-tracker/.

- Keyed by the SHA-256 of the file's bytes, never by mtime: an edit of the same size with the
  mtime put back is a new key. The file is read and hashed on every run (milliseconds).
- A summary holds what `list`, `due` and `report` need for every commitment (no quote, notes or
  history entries) and the byte range of each commitment's table in the file; `show` and the
  report's Changed section parse just the tables they need from the file itself.
- JSON, not pickle: a corrupt or foreign cache file can at worst fail to load, and then it is
  ignored and rebuilt. Any doubt about an entry means a full parse.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from aes_tracker.model import Category, Commitment, Data, Source, Status, build

VERSION = 1

_HEADER_RE = re.compile(rb"\[\[?[ \t]*([^\]\n]+?)[ \t]*\]\]?[ \t]*$")
_LINE_START_RE = re.compile(rb"\n\[")
_ID_RE = re.compile(r'^commitments\.(?:"([^"\\]+)"|([A-Za-z0-9_-]+))(?:\.|$)')


def cache_dir(environ: Mapping[str, str]) -> Path:
    base = environ.get("XDG_CACHE_HOME") or str(Path(environ.get("HOME") or Path.home()) / ".cache")
    return Path(base) / "aes-tracker"


def cache_file(path: Path, environ: Mapping[str, str]) -> Path:
    key = hashlib.sha256(os.path.realpath(path).encode()).hexdigest()[:24]
    return cache_dir(environ) / f"{key}.json"


def sections(raw_bytes: bytes) -> dict[str, tuple[int, int]]:
    """Byte ranges of each commitment's tables ([commitments.ID] and its sub-tables), for files
    laid out one table per commitment. A commitment split across the file is left out."""
    # Header lines start with "[" at the start of a line; a literal search for "\n[" is ten
    # times faster than a multi-line regex over the whole file, which matters at 10 MB.
    starts = [0] if raw_bytes.startswith(b"[") else []
    starts += [m.start() + 1 for m in _LINE_START_RE.finditer(raw_bytes)]
    out: dict[str, tuple[int, int]] = {}
    split: set[str] = set()
    # Array-of-tables headers ([[...]]) never start a commitment: they extend the table
    # before them (whose owner the loaders check), so only "[" headers bound a section.
    starts = [st for st in starts if raw_bytes[st + 1 : st + 2] != b"["]
    for i, start in enumerate(starts):
        eol = raw_bytes.find(b"\n", start)
        m = _HEADER_RE.match(raw_bytes, start, len(raw_bytes) if eol < 0 else eol)
        if m is None:
            continue  # "[" opening a line inside a multi-line value, not a header
        idm = _ID_RE.match(m.group(1).decode("utf-8", "replace"))
        if idm is None:
            continue
        cid = idm.group(1) or idm.group(2)
        end = starts[i + 1] if i + 1 < len(starts) else len(raw_bytes)
        if cid in out:
            s, e = out[cid]
            if e != start:
                split.add(cid)
            out[cid] = (s, end)
        else:
            out[cid] = (start, end)
    for cid in split:
        del out[cid]
    return out


def _iso(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


def summarize(data: Data, raw_bytes: bytes, digest: str, canonical: bool = False) -> dict[str, Any]:
    """`canonical` is True only for bytes aes-tracker wrote itself (the writer's own layout):
    the fast write path relies on it (see splice.py)."""
    where = sections(raw_bytes)
    rows = []
    for c in data.commitments.values():
        start, end = where.get(c.id, (-1, -1))
        rows.append(
            [
                c.id,
                c.title,
                c.category.value,
                list(c.parties),
                list(c.beneficiaries),
                c.source,
                c.status.value,
                _iso(c.due),
                _iso(c.original_due),
                c.no_deadline,
                _iso(c.review),
                c.recur,
                _iso(c.recur_start),
                c.next_host,
                [d.isoformat() for d in c.days],
                start,
                end,
            ]
        )
    sources = {
        s.id: [s.title, s.date.isoformat(), s.place, s.language, s.publisher, s.author, s.url]
        for s in data.sources.values()
    }
    return {
        "v": VERSION,
        "digest": digest,
        "canonical": canonical,
        "parties": list(data.parties),
        "sources": sources,
        "rows": rows,
    }


def _day(v: Any) -> date | None:
    return None if v is None else _iso_day(v)


# Lookups instead of Enum calls and a bound method: restoring 10,000 summaries is a hot path.
_CATEGORIES = {c.value: c for c in Category}
_STATUSES = {s.value: s for s in Status}
_iso_day = date.fromisoformat


@dataclass(frozen=True)
class Summary:
    data: Data  # commitments marked `summary=True`
    where: dict[str, tuple[int, int]]  # each commitment's byte range in the file
    canonical: bool  # the bytes are the writer's own layout


def restore(summary: Any, digest: str) -> Summary | None:
    """The summary as Data, or None if it is not a summary of these bytes or not one this
    version wrote."""
    try:
        if summary.get("v") != VERSION or summary.get("digest") != digest:
            return None
        sources = {
            sid: Source(sid, t, date.fromisoformat(d), pl, la, pu, au, u)
            for sid, (t, d, pl, la, pu, au, u) in summary["sources"].items()
        }
        commitments = {}
        where = {}
        for (
            cid,
            title,
            cat,
            parties,
            benef,
            src,
            status,
            due,
            odue,
            nodl,
            review,
            recur,
            rstart,
            host,
            days,
            start,
            end,
        ) in summary["rows"]:
            commitments[cid] = Commitment(
                id=cid,
                title=title,
                category=_CATEGORIES[cat],
                parties=tuple(parties),
                source=src,
                quote="",
                status=_STATUSES[status],
                beneficiaries=tuple(benef),
                due=_day(due),
                original_due=_day(odue),
                no_deadline=bool(nodl),
                review=_day(review),
                recur=recur,
                recur_start=_day(rstart),
                next_host=host,
                history_days=tuple(map(_iso_day, days)),
                summary=True,
            )
            if start >= 0:
                where[cid] = (int(start), int(end))
        data = Data(sources, commitments, tuple(summary["parties"]))
        return Summary(data, where, summary.get("canonical") is True)
    except (AttributeError, TypeError, ValueError, KeyError, IndexError):
        return None


def read(path: Path, digest: str, environ: Mapping[str, str]) -> Summary | None:
    try:
        with open(cache_file(path, environ), "rb") as f:
            return restore(json.loads(f.read()), digest)
    except (OSError, ValueError, RecursionError):
        return None


def write(path: Path, summary: dict[str, Any], environ: Mapping[str, str]) -> None:
    """Best effort: a cache that cannot be written only costs time."""
    target = cache_file(path, environ)
    with contextlib.suppress(OSError):
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        tmp.write_bytes(
            json.dumps(summary, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        )
        os.replace(tmp, target)


def detail(raw_bytes: bytes, where: tuple[int, int], cid: str, data: Data) -> Commitment | None:
    """One commitment in full, parsed from its own tables in the file."""
    start, end = where
    try:
        raw = tomllib.loads(raw_bytes[start:end].decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return None
    cs = raw.get("commitments")
    if not isinstance(cs, dict) or set(cs) != {cid}:
        return None
    sources = {s.id: {"title": s.title, "date": s.date} for s in data.sources.values()}
    full, problems = build(
        {"schema": 1, "parties": list(data.parties), "sources": sources, "commitments": cs}
    )
    return None if problems else full.commitments.get(cid)
