"""The data file as the commands use it: reading it (through the parse cache), and changing it
under the lock, atomically, through the undo journal. The order of things lives here; the
pieces live in paths.py (which file), tomlfile.py (TOML), fileio.py (lock, atomic replace),
cache.py (summaries), splice.py (fast writes) and journal.py (undo).

A change is a function of a `Draft`: the document as the change may read and edit it. A draft
gives typed views of what is in the file (`summary`, `commitment`) and the raw tables to edit;
it never hands out the whole raw document unless the change asks for it (`raw_document`), so a
change that touches one commitment of 10,000 reads and rewrites that one only.

A write is: take the lock, read the file, build the draft, run the change, check the result,
record the undo step, replace the file atomically (an editor's save made meanwhile is never
overwritten: the change is applied again to it), mark the undo step complete, update the cache.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from aes_tracker.domain.model import (
    Catalog,
    Commitment,
    Context,
    Document,
    Groups,
    Problem,
    Source,
    Summary,
    check_commitment,
    check_document,
    context_of,
    summarize,
)
from aes_tracker.errors import TrackerError
from aes_tracker.i18n import _
from aes_tracker.store import cache as cachemod
from aes_tracker.store import fileio
from aes_tracker.store.paths import Location, bundled_path, environment, real
from aes_tracker.store.tomlfile import (
    KeyIndex,
    Loaded,
    canonical,
    canonical_commitment,
    decode,
    dumps,
    find_comment,
    parse,
    same,
    sections,
)

if TYPE_CHECKING:
    from aes_tracker.store.journal import Journal

T = TypeVar("T")

# The fast write path can be switched off, so that tests can compare its bytes with the full
# rewrite's.
FAST_WRITES = True


def _missing_hint(path: Path) -> str:
    return _("create it with: aes-tracker --file {path} init").format(path=path)


def read_bytes(loc: Location) -> tuple[bytes, Path, bool]:
    """The bytes to read, the path they came from, and whether they are the bundled data (the
    default data file does not exist yet)."""
    if not loc.explicit and not os.path.lexists(loc.path):
        b = bundled_path()
        return fileio.read_file(b), b, True
    return fileio.read_file(loc.path, missing_hint=_missing_hint(loc.path)), loc.path, False


def _read_for_write(loc: Location) -> tuple[bytes, Path, bool, fileio.FileId | None]:
    """`read_bytes`, and the identity of the version read, which the replace checks."""
    if not loc.explicit and not os.path.lexists(loc.path):
        return (*read_bytes(loc), None)
    data, seen = fileio.read_file_seen(loc.path, missing_hint=_missing_hint(loc.path))
    return data, loc.path, False, seen


# ---- reading in full -----------------------------------------------------------------------------


def first_error(problems: list[Problem], text: str, path: str) -> TrackerError:
    return KeyIndex(text).error(problems[0], path)


def load_bytes(raw_bytes: bytes, path: Path, *, bundled: bool = False) -> Loaded:
    shown = str(path)
    text = decode(raw_bytes, shown)
    _refuse_conflict_markers(text, shown)
    raw = parse(text, shown)
    doc, problems = check_document(raw)
    if problems:
        raise first_error(problems, text, shown)
    return Loaded(path, raw_bytes, text, raw, doc, bundled)


def load(loc: Location) -> Loaded:
    """Read and check the whole data file (no lock: writers replace the file atomically, so a
    reader sees the old or the new file whole)."""
    raw_bytes, src, bundled = read_bytes(loc)
    loaded = load_bytes(raw_bytes, src, bundled=bundled)
    if bundled:
        loaded = Loaded(loc.path, loaded.raw_bytes, loaded.text, loaded.raw, loaded.doc, True)
    return loaded


_MARKERS = ("<<<<<<< ", "=======", ">>>>>>> ")


def conflict_lines(text: str) -> list[int]:
    """The lines of unresolved merge-conflict markers (`<<<<<<<` lines)."""
    if "<<<<<<<" not in text:
        return []
    return [
        no for no, line in enumerate(text.split("\n"), 1) if line.startswith(_MARKERS[0].strip())
    ]


def _refuse_conflict_markers(text: str, path: str) -> None:
    lines = conflict_lines(text)
    if lines:
        raise TrackerError(
            _("has an unresolved merge conflict; nothing was read"),
            path=path,
            line=lines[0],
            hint=_(
                "`aes-tracker check` lists each one; `aes-tracker resolve ID --ours` "
                "or `--theirs` settles it"
            ),
        )


def restorable(
    raw_bytes: bytes, path: Path, merge_committed: Callable[[Path], bool] | None = None
) -> None:
    """Raise TrackerError unless `undo` may put these bytes back: a file that parses and checks
    clean, or one that holds the conflict blocks of a merge (each version of it parses), as
    `resolve` found it, while that merge is still going on. Once git has committed the merge
    (`sync` after `resolve`), bringing the markers back would put them in the desk's history;
    outside a git work tree (a merge-file run by hand) nothing says the merge is over.

    `merge_committed` is the desk's answer to "is the merge that wrote these markers over?"
    (the store knows no git); None refuses markers outright, the safe answer."""
    from aes_tracker.store import markers

    shown = str(path)
    text = decode(raw_bytes, shown)
    if not conflict_lines(text):
        load_bytes(raw_bytes, path)
        return
    segments = markers.split(text, shown)
    for which in (markers.OURS_LABEL, markers.THEIRS_LABEL):
        parse(markers.side(segments, which), shown)
    if merge_committed is None or merge_committed(path):
        raise TrackerError(
            _(
                "cannot undo: that would bring back the merge conflict a resolve settled, and "
                "the merge is committed; nothing was changed"
            ),
            path=shown,
            hint=_("to change the outcome, use edit or status on the commitment"),
        )


def git_setting(loc: Location) -> bool | None:
    """`git = true|false` under `[settings]` in the data file, read from its first section only;
    None when it is not set (or the file cannot say)."""
    try:
        raw_bytes, _src, bundled = read_bytes(loc)
    except TrackerError:
        return None
    if bundled:
        return None
    from aes_tracker.store.tomlfile import toml

    # The settings come before the first commitment: parse that much only (a byte search, not
    # the section scan, so that a change to a 10 MB file pays microseconds for it).
    first = raw_bytes.find(b"\n[commitments.")
    end = len(raw_bytes) if first < 0 else first + 1
    try:
        top = toml().loads(raw_bytes[:end].decode("utf-8"))
    except Exception:  # markers, a hand edit: the file cannot say, and the check will
        return None
    value = top.get("settings", {}).get("git") if isinstance(top.get("settings"), dict) else None
    return value if isinstance(value, bool) else None


# ---- reading for the read commands -------------------------------------------------------------


class View:
    """What the read commands see: the summaries of every commitment (from the parse cache when
    it has this version of the file), and any commitment in full on demand.

    On a warm read the file's bytes are not held (only their digest was needed to find the
    cache entry); `raw_bytes` reads them when a command wants a commitment in full, and refuses
    if the file is no longer the version the summaries came from."""

    def __init__(
        self,
        path: Path,
        raw_bytes: bytes | None,
        catalog: Catalog,
        spans: Mapping[str, tuple[int, int]],
        document: Document | None = None,
        digest: str = "",
    ) -> None:
        self.path = path
        self._raw_bytes = raw_bytes
        self._digest = digest
        self.catalog = catalog
        self._spans = spans
        self._document = document
        self._fd: int | None = None  # the file, open for reading single sections

    @property
    def raw_bytes(self) -> bytes:
        if self._raw_bytes is None:
            data = fileio.read_file(self.path, missing_hint=_missing_hint(self.path))
            if fileio.digest(data) != self._digest:
                raise TrackerError(
                    _("the file changed while it was being read; run the command again"),
                    path=str(self.path),
                )
            self._raw_bytes = data
        return self._raw_bytes

    def document(self) -> Document:
        if self._document is None:
            self._document = load_bytes(self.raw_bytes, self.path).doc
        return self._document

    def detail(self, cid: str) -> Commitment:
        """One commitment in full: parsed from its own table in the file when the cache knows
        where that is, else from the whole file."""
        if self._document is not None:
            return self._document.commitments[cid]
        span = self._spans.get(cid)
        if span is not None:
            chunk = self._chunk(span)
            found = _parse_one(chunk, (0, len(chunk)), cid, _catalog_context(self.catalog))
            if found is not None:
                return found
        return self.document().commitments[cid]

    def _chunk(self, span: tuple[int, int]) -> bytes:
        """The bytes of one section, read from the file on their own when the file's bytes are
        not held (a report needs a few tables of 10,000, not 10 MB): through one descriptor,
        whose content is checked once against the digest the summaries came from."""
        if self._raw_bytes is not None:
            return self._raw_bytes[span[0] : span[1]]
        if self._fd is None:
            fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)
            try:
                if fileio.digest_fd(fd) != self._digest:
                    raise TrackerError(
                        _("the file changed while it was being read; run the command again"),
                        path=str(self.path),
                    )
            except BaseException:
                os.close(fd)
                raise
            self._fd = fd
        return os.pread(self._fd, span[1] - span[0], span[0])

    def __del__(self) -> None:
        if getattr(self, "_fd", None) is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)  # type: ignore[arg-type]

    def details(self, ids: Iterable[str]) -> list[Commitment]:
        return [self.detail(cid) for cid in ids]


def _catalog_context(c: Catalog) -> Context:
    return Context(frozenset(c.sources), tuple(c.parties), c.groups)


def _parse_one(
    raw_bytes: bytes, span: tuple[int, int], cid: str, ctx: Context
) -> Commitment | None:
    table = _table_at(raw_bytes, span, cid)
    if table is None:
        return None
    full, problems = check_commitment(cid, table, ctx)
    return None if problems else full


def _table_at(raw_bytes: bytes, span: tuple[int, int], cid: str) -> dict[str, Any] | None:
    """The raw table of commitment `cid` parsed from its own bytes, or None when those bytes are
    not exactly that table."""
    from aes_tracker.store.tomlfile import toml

    start, end = span
    mod = toml()
    try:
        doc = mod.loads(raw_bytes[start:end].decode("utf-8"))
    except (mod.TOMLDecodeError, UnicodeDecodeError, RecursionError):
        return None
    cs = doc.get("commitments")
    if set(doc) != {"commitments"} or not isinstance(cs, dict) or set(cs) != {cid}:
        return None
    t = cs[cid]
    return t if isinstance(t, dict) else None


def tidy(path: Path) -> None:
    """Remove the temp files a killed writer left beside the data file, from any command: a
    reader does it only when no writer holds the lock (then no temp file belongs to a live one),
    and only looks when there is one."""
    r = real(path)
    prefix = fileio.temp_prefix(r)
    try:
        if not any(n.startswith(prefix) for n in os.listdir(r.parent)):
            return
    except OSError:
        return
    with fileio.lock_if_free(path) as free:
        if free:
            fileio.sweep_temps(r)


def view(loc: Location, environ: Mapping[str, str] = environment()) -> View:
    """The file for the read commands, through the parse cache."""
    if not loc.explicit and not os.path.lexists(loc.path):
        raw_bytes, src, _bundled = read_bytes(loc)
        loaded = load_bytes(raw_bytes, src, bundled=True)
        return View(loc.path, raw_bytes, loaded.doc.catalog(), {}, loaded.doc)
    tidy(loc.path)
    digest = fileio.digest_file(loc.path, missing_hint=_missing_hint(loc.path))
    old = cachemod.read(loc.path, environ)
    if old is not None and old.digest == digest:
        return View(loc.path, None, old.catalog, old.spans, digest=digest)
    raw_bytes = read_bytes(loc)[0]
    fresh = refresh(loc.path, raw_bytes, environ, old)
    return View(
        loc.path,
        raw_bytes,
        fresh.entry.catalog,
        fresh.entry.spans,
        fresh.document,
        fresh.entry.digest,
    )


@dataclass
class Fresh:
    entry: cachemod.Entry
    document: Document | None  # set when the whole file had to be parsed


def refresh(
    path: Path,
    raw_bytes: bytes,
    environ: Mapping[str, str],
    old: cachemod.Entry | Literal[False] | None = False,
) -> Fresh:
    """The cache entry for exactly these bytes: the cached one when it matches; else rebuilt,
    parsing again only the tables whose digest changed since the cached version (all of them
    when there is none), or the whole file when it is not laid out one table per commitment.
    `old` is the cached entry when the caller has already read it."""
    digest = fileio.digest(raw_bytes)
    if old is False:
        old = cachemod.read(path, environ)
    if old is not None and old.digest == digest:
        return Fresh(old, None)
    fresh = _incremental(path, raw_bytes, digest, old)
    if fresh is None:
        loaded = load_bytes(raw_bytes, path)
        secs = sections(raw_bytes)
        fresh = Fresh(
            cachemod.Entry(
                digest,
                False,
                secs.prefix_end if secs.ok else 0,
                "",
                loaded.doc.catalog(),
                dict(secs.spans) if secs.ok else {},
                {},
            ),
            loaded.doc,
        )
    cachemod.write(path, fresh.entry, environ)
    return fresh


def _incremental(
    path: Path, raw_bytes: bytes, digest: str, old: cachemod.Entry | None
) -> Fresh | None:
    """Rebuild the entry table by table; None when the whole file must be parsed (another
    layout, or a problem to report with its line)."""
    secs = sections(raw_bytes)
    if not secs.ok or b"\x00" in raw_bytes or raw_bytes.startswith(b"\xef\xbb\xbf"):
        return None
    prefix_bytes = raw_bytes[: secs.prefix_end]
    try:
        prefix_text = prefix_bytes.decode("utf-8")
        if "<<<<<<<" in prefix_text:
            return None
        from aes_tracker.store.tomlfile import toml

        top = toml().loads(prefix_text)
    except Exception:  # any doubt: the full parse reports it properly
        return None
    if "commitments" in top:
        return None
    top_doc, problems = check_document(top)
    if problems:
        return None
    ctx = context_of(top)
    prefix_digest = cachemod.table_digest(prefix_bytes)
    reuse = old is not None and _same_context(old.catalog, top_doc)
    canonical_now = bool(old is not None and old.canonical and old.prefix_digest == prefix_digest)
    summaries: dict[str, Summary] = {}
    tables: dict[str, str] = {}
    for cid, span in secs.spans.items():
        chunk = raw_bytes[span[0] : span[1]]
        td = cachemod.table_digest(chunk)
        tables[cid] = td
        if (
            reuse
            and old is not None
            and old.tables.get(cid) == td
            and cid in old.catalog.commitments
        ):
            summaries[cid] = old.catalog.commitments[cid]
            continue
        try:
            if "<<<<<<<" in chunk.decode("utf-8"):
                return None
        except UnicodeDecodeError:
            return None
        table = _table_at(raw_bytes, span, cid)
        if table is None:
            return None
        full, problems = check_commitment(cid, table, ctx)
        if full is None or problems:
            return None
        summaries[cid] = summarize(full)
        if canonical_now:
            canonical_now = _dump_table(cid, table).rstrip(b"\n") == chunk.rstrip(b"\n")
    if not secs.spans and top_doc.commitments:
        return None
    catalog = Catalog(top_doc.sources, summaries, top_doc.parties, top_doc.groups)
    entry = cachemod.Entry(
        digest, canonical_now, secs.prefix_end, prefix_digest, catalog, dict(secs.spans), tables
    )
    return Fresh(entry, None)


def _same_context(old: Catalog, new: Document) -> bool:
    """The old summaries can be reused only when sources, parties and groups are the same: a
    table's check depends on them."""
    return (
        set(old.sources) == set(new.sources)
        and tuple(old.parties) == tuple(new.parties)
        and dict(old.groups) == dict(new.groups)
    )


def _dump_table(cid: str, table: dict[str, Any]) -> bytes:
    return dumps({"commitments": {cid: table}})


# ---- the draft a change works on ---------------------------------------------------------------


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
        self.top_touched = False
        self.whole = False  # the change took the whole document

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
        self.top_touched = True
        return self._top

    def raw_document(self) -> dict[str, Any]:
        """The whole document, every table loaded; the change may edit any of it."""
        self.whole = True
        self.top_touched = True
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


# ---- writing -------------------------------------------------------------------------------------


@dataclass
class Written:
    path: Path
    created: bool  # the user data file was created from the bundled data
    changed: bool
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Plan:
    draft: Draft
    old_bytes: bytes
    entry: cachemod.Entry | None  # set for the fast path
    bundled: bool  # the draft was read from the bundled data: the file does not exist yet
    new_file: bool = False  # the file does not exist yet (bundled, or `create`)
    seen: fileio.FileId | None = None  # the version of the file the draft was read from
    old_digest: str = ""  # of old_bytes, taken once (a hash of 10 MB is milliseconds)

    def __post_init__(self) -> None:
        self.new_file = self.new_file or self.bundled
        if not self.old_digest:
            self.old_digest = fileio.digest(self.old_bytes)


def _plan(
    loc: Location,
    environ: Mapping[str, str],
    *,
    create: bool = False,
    allow_comments: bool = False,
) -> _Plan:
    """Read the file (under the lock) and make the draft: the fast one when the cache knows
    these exact bytes are the writer's canonical layout, else the full one. `create`: a file
    that does not exist is an empty document."""
    if create and not os.path.lexists(loc.path):

        def nothing(cid: str) -> dict[str, Any]:
            raise KeyError(cid)

        return _Plan(Draft(loc.path, {}, nothing, ()), b"", None, False, True)
    raw_bytes, src, bundled, seen = _read_for_write(loc)
    digest = fileio.digest(raw_bytes)
    if not bundled and FAST_WRITES:
        entry = cachemod.read(loc.path, environ, for_write=True)
        if entry is not None and entry.digest == digest and entry.canonical:
            draft = _fast_draft(loc.path, raw_bytes, entry)
            if draft is not None:
                return _Plan(draft, raw_bytes, entry, False, seen=seen, old_digest=digest)
    loaded = load_bytes(raw_bytes, src, bundled=bundled)
    if not allow_comments:
        _refuse_comments(loaded)
    raw = loaded.raw
    cs = raw.pop("commitments", {})
    draft = Draft(
        loc.path,
        raw,
        lambda cid: cs[cid],
        cs,
        {cid: summarize(c) for cid, c in loaded.doc.commitments.items()},
    )
    return _Plan(draft, raw_bytes, None, bundled, seen=seen, old_digest=digest)


def _fast_draft(path: Path, raw_bytes: bytes, entry: cachemod.Entry) -> Draft | None:
    from aes_tracker.store.tomlfile import toml

    try:
        top = toml().loads(raw_bytes[: entry.prefix_end].decode("utf-8"))
    except Exception:
        return None
    if "commitments" in top:
        return None

    def load_table(cid: str) -> dict[str, Any]:
        # Decisions come from the file's own bytes: the table is parsed from them, never
        # taken from the cache.
        span = entry.spans.get(cid)
        t = _table_at(raw_bytes, span, cid) if span is not None else None
        if t is None:
            raise _Unexpected(cid)
        return t

    return Draft(path, top, load_table, entry.catalog.commitments, entry.catalog.commitments)


class _Unexpected(Exception):
    """A table is not where the cache said: do it the full way."""


def _refuse_comments(loaded: Loaded) -> None:
    line = find_comment(loaded.text)
    if line is not None:
        raise TrackerError(
            _("has a comment, and writing the file would drop it; nothing was written"),
            path=str(loaded.path),
            line=line,
            hint=_(
                "move the remark into the commitment's `notes` field, "
                "or run `aes-tracker fmt --drop-comments`"
            ),
        )


@dataclass
class _Result:
    new_bytes: bytes
    entry: cachemod.Entry | None  # the cache entry of the new bytes, when cheap to know


def _finish(plan: _Plan) -> _Result:
    """The new bytes of the drafted document, checked, and the cache entry that goes with them."""
    d = plan.draft
    if plan.entry is not None and not d.whole:
        fast = _finish_fast(plan)
        if fast is not None:
            return fast
    raw = d._document_now()
    new_bytes = dumps(raw)
    doc = _verify(new_bytes, raw, d.path)
    secs = sections(new_bytes)
    entry = None
    if secs.ok:
        entry = cachemod.Entry(
            fileio.digest(new_bytes),
            True,
            secs.prefix_end,
            cachemod.table_digest(new_bytes[: secs.prefix_end]),
            doc.catalog(),
            dict(secs.spans),
            {cid: cachemod.table_digest(new_bytes[a:b]) for cid, (a, b) in secs.spans.items()},
        )
    return _Result(new_bytes, entry)


def _finish_fast(plan: _Plan) -> _Result | None:
    from aes_tracker.store.splice import assemble
    from aes_tracker.store.tomlfile import toml

    d, entry = plan.draft, plan.entry
    assert entry is not None
    ctx = context_of(d._top)
    old_ctx = _catalog_context(entry.catalog)
    if d.top_touched and not (
        ctx.sources >= old_ctx.sources
        and set(ctx.parties) >= set(old_ctx.parties)
        and dict(ctx.groups) == dict(old_ctx.groups)
    ):
        return None  # a reference elsewhere may break: check the whole document
    changed: dict[str, bytes | None] = {cid: None for cid in d.removed if cid in entry.spans}
    new_summaries: dict[str, Summary] = {}
    for cid in sorted(d.touched):
        table = d._tables[cid]
        if cid in entry.spans:
            original = _table_at(plan.old_bytes, entry.spans[cid], cid)
            if original is not None and same(original, table):
                continue
        text = _dump_table(cid, table)
        back = toml().loads(text.decode("utf-8"))
        if not same(back, {"commitments": {cid: canonical_commitment(table)}}):
            raise AssertionError("the canonical writer changed the data")  # a bug
        full, problems = check_commitment(cid, table, ctx)
        if full is None or problems:
            raise _located(problems, text, d.path)
        changed[cid] = text
        new_summaries[cid] = summarize(full)
    new_prefix = None
    top_doc: Document | None = None
    if d.top_touched:
        new_prefix = dumps(d._top)
        back = toml().loads(new_prefix.decode("utf-8"))
        if not same(back, canonical(d._top)):
            raise AssertionError("the canonical writer changed the data")  # a bug
        top_doc, problems = check_document(back)
        if problems:
            raise _located(problems, new_prefix, d.path)
        if new_prefix.rstrip(b"\n") == plan.old_bytes[: entry.prefix_end].rstrip(b"\n"):
            new_prefix = None
    if not changed and new_prefix is None:
        return _Result(plan.old_bytes, entry)
    new_bytes, prefix_end, spans = assemble(
        plan.old_bytes, entry.prefix_end, entry.spans, changed, new_prefix
    )
    summaries = dict(entry.catalog.commitments)
    tables = dict(entry.tables)
    for cid, part in changed.items():
        if part is None:
            summaries.pop(cid, None)
            tables.pop(cid, None)
        else:
            summaries[cid] = new_summaries[cid]
            tables[cid] = cachemod.table_digest(part)
    catalog = Catalog(
        top_doc.sources if top_doc is not None else entry.catalog.sources,
        dict(sorted(summaries.items())),
        top_doc.parties if top_doc is not None else entry.catalog.parties,
        top_doc.groups if top_doc is not None else entry.catalog.groups,
    )
    new_entry = cachemod.Entry(
        fileio.digest(new_bytes),
        True,
        prefix_end,
        cachemod.table_digest(new_bytes[:prefix_end]),
        catalog,
        spans,
        tables,
        entry.frozen,
        frozenset(new_summaries),
    )
    return _Result(new_bytes, new_entry)


def _located(problems: list[Problem], text: bytes, path: Path) -> TrackerError:
    return KeyIndex(text.decode("utf-8")).error(problems[0], str(path))


def _verify(new_bytes: bytes, raw: dict[str, Any], path: Path) -> Document:
    """Read back what is about to be written: it must parse, check clean and equal the document."""
    text = new_bytes.decode("utf-8")
    again = parse(text, str(path))
    doc, problems = check_document(again)
    if problems:
        raise first_error(problems, text, str(path))
    if not same(again, canonical(raw)):
        raise AssertionError("the canonical writer changed the data")  # a bug, not a user error
    return doc


def update(
    loc: Location,
    change: Callable[[Draft], T],
    *,
    lock_timeout: float = fileio.DEFAULT_LOCK_TIMEOUT,
    describe: Callable[[T], str] | None = None,
    by: str = "",
    environ: Mapping[str, str] = environment(),
    create: bool = False,
    allow_comments: bool = False,
) -> tuple[T, Written]:
    """Apply `change` to the data file under the lock and write the result atomically, through
    the undo journal. If the file is saved by an editor between our read and our write, the
    change is applied again to the new content (five tries, then refused). `describe` turns the
    change's result into the line `undo` prints."""
    from aes_tracker.store.journal import Journal

    path = loc.path
    if loc.explicit and not create and not os.path.lexists(path):
        fileio.read_file(path, missing_hint=_missing_hint(path))  # raises "no such file"
    fileio.check_writable(path)
    with _create_lock(path, lock_timeout):
        fileio.sweep_temps(real(path))
        journal = Journal(path, environ)
        for _attempt in range(5):
            plan = _plan(loc, environ, create=create, allow_comments=allow_comments)
            try:
                result = change(plan.draft)
                out = _finish(plan)
            except _Unexpected:
                plan = _plan_full(loc, allow_comments)
                result = change(plan.draft)
                out = _finish(plan)
            if out.new_bytes == plan.old_bytes and not plan.new_file:
                return result, Written(path, False, False)
            if not plan.new_file and not fileio.still(real(path), plan.old_digest, plan.seen):
                continue  # saved by an editor meanwhile: start again from its version
            what = describe(result) if describe is not None else ""
            before = None if plan.new_file else plan.old_bytes
            new_digest = out.entry.digest if out.entry is not None else ""
            warnings = _put_in_place(
                journal,
                path,
                before,
                out.new_bytes,
                what,
                by,
                plan.seen,
                digests=(plan.old_digest, new_digest),
            )
            if warnings is None:
                continue  # saved by an editor at the last moment: start again from its version
            if out.entry is not None:
                cachemod.write(path, out.entry, environ)
            return result, Written(path, plan.bundled, True, warnings)
    raise TrackerError(
        _("the file keeps changing on disk while aes-tracker writes it; nothing was written"),
        path=str(path),
    )


def _put_in_place(
    journal: Journal,
    path: Path,
    before: bytes | None,
    new: bytes,
    what: str,
    by: str,
    seen: fileio.FileId | None,
    digests: tuple[str, str] = ("", ""),
) -> list[str] | None:
    """Record the undo step, replace the file (`before` None: create it), mark the step done;
    the warnings to show. None when an editor's save landed meanwhile: nothing was put in
    place, and the change starts again from that save. `digests`: those of `before` and `new`
    when the caller has them (each is a hash of the whole file)."""
    before_digest = "" if before is None else digests[0] or fileio.digest(before)
    step = journal.begin(
        before, new, what, by, digests=(before_digest or None, digests[1] or fileio.digest(new))
    )
    try:
        fileio.replace(
            path,
            new,
            expect=None if before is None or fileio.unprotected() else before_digest,
            seen=seen,
            create=before is None,
        )
    except fileio.HandEdit:
        journal.abandon(step)
        return None
    except BaseException:
        journal.abandon(step)
        raise
    return journal.commit(step)


def rewrite(
    loc: Location,
    change: Callable[[bytes], tuple[bytes, T]],
    *,
    lock_timeout: float = fileio.DEFAULT_LOCK_TIMEOUT,
    describe: Callable[[T], str] | None = None,
    by: str = "",
    environ: Mapping[str, str] = environment(),
) -> tuple[T, Written]:
    """Change the file's bytes as they are, without reading them as a document: for a file that
    holds conflict markers, which nothing else may read (`resolve`). The same guarantees as
    `update`: under the lock, through the undo journal, replaced atomically, and applied again
    to an editor's save made meanwhile. `change` gets the bytes and returns the new bytes (it
    checks them) and its result."""
    from aes_tracker.store.journal import Journal

    path = loc.path
    hint = _missing_hint(path)
    if not os.path.lexists(path):
        fileio.read_file(path, missing_hint=hint)  # raises "no such file"
    fileio.check_writable(path)
    with _create_lock(path, lock_timeout):
        fileio.sweep_temps(real(path))
        journal = Journal(path, environ)
        for _attempt in range(5):
            old, seen = fileio.read_file_seen(path, missing_hint=hint)
            new, result = change(old)
            if new == old:
                return result, Written(path, False, False)
            if not fileio.still(real(path), fileio.digest(old), seen):
                continue
            what = describe(result) if describe else ""
            warnings = _put_in_place(journal, path, old, new, what, by, seen)
            if warnings is None:
                continue
            return result, Written(path, False, True, warnings)
    raise TrackerError(
        _("the file keeps changing on disk while aes-tracker writes it; nothing was written"),
        path=str(path),
    )


def _plan_full(loc: Location, allow_comments: bool) -> _Plan:
    raw_bytes, src, bundled, seen = _read_for_write(loc)
    loaded = load_bytes(raw_bytes, src, bundled=bundled)
    if not allow_comments:
        _refuse_comments(loaded)
    raw = loaded.raw
    cs = raw.pop("commitments", {})
    draft = Draft(loc.path, raw, lambda cid: cs[cid], cs)
    return _Plan(draft, raw_bytes, None, bundled, seen=seen)


class _create_lock:
    """For the first write to the user data file: make its folder, then lock as usual."""

    def __init__(self, path: Path, timeout: float) -> None:
        self.path = path
        self.timeout = timeout
        self._cm: Any = None

    def __enter__(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise TrackerError(
                _("cannot create {folder}: {reason}").format(
                    folder=self.path.parent, reason=e.strerror
                ),
                path=str(self.path),
            ) from None
        self._cm = fileio.locked(self.path, self.timeout)
        self._cm.__enter__()

    def __exit__(self, *exc: object) -> None:
        self._cm.__exit__(*exc)


def forbidden_outputs(
    loc: Location, environ: Mapping[str, str] = environment()
) -> tuple[Path, ...]:
    """Paths an `--output` must never be: the data file, its lock, its undo journal."""
    from aes_tracker.store.journal import journal_dir
    from aes_tracker.store.paths import lock_path

    return (loc.path, lock_path(loc.path), journal_dir(loc.path, environ))


# ---- undo and redo -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Undone:
    what: str
    left: int  # how many more steps can be taken the same way, from the file as it now is


def undo(
    loc: Location,
    *,
    redo: bool = False,
    lock_timeout: float = fileio.DEFAULT_LOCK_TIMEOUT,
    environ: Mapping[str, str] = environment(),
    merge_committed: Callable[[Path], bool] | None = None,
) -> Undone:
    """Take back the last change made through the tool (or, `redo`, re-apply the last one taken
    back), byte for byte. Refused when the file changed since that step, when the step is damaged,
    or when the bytes it would restore do not parse and check clean."""
    from aes_tracker.store.journal import Journal

    path = loc.path
    state = "redo" if redo else "done"
    with _create_lock(path, lock_timeout):
        fileio.sweep_temps(real(path))
        journal = Journal(path, environ)
        step = journal.latest(state)
        if step is None:
            raise TrackerError(
                _("nothing to redo: no change was undone since the last change")
                if redo
                else _(
                    "nothing to undo: no change made through aes-tracker is recorded for this file"
                ),
                path=str(path),
            )
        exists = os.path.lexists(path)
        current = fileio.read_file(path) if exists else None
        current_digest = None if current is None else fileio.digest(current)
        expected = step.before if redo else step.after
        if current_digest != expected:
            raise TrackerError(
                _(
                    "cannot redo: the file was changed since that change was undone; nothing was "
                    "changed"
                )
                if redo
                else _(
                    "cannot undo: the file was changed outside aes-tracker since its last change, "
                    "and undo would throw that edit away; nothing was changed"
                ),
                path=str(path),
                hint=_(
                    "a hand edit or a git pull (sync) changed it since: git diff and git log -p "
                    "show what; take back a hand edit yourself, then run undo again"
                )
                if not redo
                else None,
            )
        target_digest = step.after if redo else step.before
        if target_digest is None:
            # The step created the file: taking it back removes it.
            fileio.check_writable(path)
            try:
                os.unlink(real(path))
            except OSError as e:
                raise TrackerError(
                    fileio.os_message(e, real(path).parent), path=str(path)
                ) from None
        else:
            base = current if current is not None else b""
            try:
                restored = step.apply(base, forward=redo)
            except ValueError:
                restored = b""
            if fileio.digest(restored) != target_digest:
                raise TrackerError(
                    _("the undo step {n} does not fit the file; nothing was changed").format(
                        n=step.n
                    ),
                    path=str(path),
                )
            restorable(restored, path, merge_committed)  # they must parse and check clean
            fileio.check_writable(path)
            try:
                fileio.replace(path, restored, expect=current_digest, create=current is None)
            except fileio.HandEdit:
                raise TrackerError(
                    _("the file changed while undo ran; nothing was changed"), path=str(path)
                ) from None
        journal.mark(step, "done" if redo else "redo")
        left = journal.count(state, target_digest)
        return Undone(step.what, left)
