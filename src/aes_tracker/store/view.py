"""Reading the data file: in full (`load`, which every check goes through), and as the read
commands see it (`View`, through the parse cache, refreshed table by table after an edit).

A reader takes no lock: writers replace the file atomically, so a reader sees the old or the new
file whole. A view is a context manager: inside `with store.view(loc) as v:` the file stays open
for reading single commitments; outside, each such read opens it again and checks it."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from aes_tracker.domain.model import Catalog, Commitment, Document, Summary, summarize
from aes_tracker.errors import TrackerError
from aes_tracker.i18n import _, set_names_fr
from aes_tracker.store import cache as cachemod
from aes_tracker.store import fileio, filelock, fileread
from aes_tracker.store.paths import Location, bundled_path, environment, real, temp_prefix

# store.tomlfile and store.sections (the parser, the writer, the section reader) and the
# checks of domain.validate are imported where they are used: a warm read from the cache needs
# none of them.
if TYPE_CHECKING:
    from aes_tracker.domain.validate import Context, Problem
    from aes_tracker.store.tomlfile import Loaded


def _missing_hint(path: Path) -> str:
    return _("create it with: aes-tracker --file {path} init").format(path=path)


def read_bytes(loc: Location) -> tuple[bytes, Path, bool]:
    """The bytes to read, the path they came from, and whether they are the bundled data (the
    default data file does not exist yet)."""
    if not loc.explicit and not os.path.lexists(loc.path):
        b = bundled_path()
        return fileread.read_file(b), b, True
    return fileread.read_file(loc.path, missing_hint=_missing_hint(loc.path)), loc.path, False


def _read_for_write(loc: Location) -> tuple[bytes, Path, bool, fileread.FileId | None]:
    """`read_bytes`, and the identity of the version read, which the replace checks."""
    if not loc.explicit and not os.path.lexists(loc.path):
        return (*read_bytes(loc), None)
    data, seen = fileread.read_file_seen(loc.path, missing_hint=_missing_hint(loc.path))
    return data, loc.path, False, seen


# ---- reading in full -----------------------------------------------------------------------------


def first_error(problems: list[Problem], text: str, path: str) -> TrackerError:
    from aes_tracker.store.tomlfile import KeyIndex

    return KeyIndex(text).error(problems[0], path)


def load_bytes(raw_bytes: bytes, path: Path, *, bundled: bool = False) -> Loaded:
    from aes_tracker.domain.validate import check_document
    from aes_tracker.store.tomlfile import Loaded, decode, parse

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
    from aes_tracker.store.tomlfile import Loaded

    raw_bytes, src, bundled = read_bytes(loc)
    loaded = load_bytes(raw_bytes, src, bundled=bundled)
    if bundled:
        loaded = Loaded(loc.path, loaded.raw_bytes, loaded.text, loaded.raw, loaded.doc, True)
    return loaded


def conflict_lines(text: str) -> list[int]:
    """The lines of unresolved merge-conflict markers (`<<<<<<<` lines): sections.py's rule."""
    from aes_tracker.store.sections import marker_lines

    return marker_lines(text)


def conflict_sides(
    raw_bytes: bytes, path: Path, as_of: date | None = None
) -> dict[str, Document] | None:
    """The two versions in a file a merge left conflicts in ("ours" and "theirs": every block
    taken from that side), each read and checked as a file of its own, and under `as_of` as it
    stood at the end of that day (as `view_as_of`); None when the file holds no conflict marker.
    What `show` reads while a conflict waits to be resolved."""
    from aes_tracker.domain.asof import document_as_of, unsettled
    from aes_tracker.store import markers
    from aes_tracker.store.tomlfile import decode

    def at(doc: Document) -> Document:
        if as_of is None:
            return doc
        ids = unsettled(doc.catalog().commitments.values(), as_of)
        return document_as_of(doc, as_of, ids) if ids else doc

    shown = str(path)
    text = decode(raw_bytes, shown)
    if not conflict_lines(text):
        return None
    segments = markers.split(text, shown)
    return {
        which: at(load_bytes(markers.side(segments, which).encode("utf-8"), path).doc)
        for which in (markers.OURS_LABEL, markers.THEIRS_LABEL)
    }


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
        as_of: date | None = None,
        seen: fileread.FileId | None = None,
    ) -> None:
        self.path = path
        self._raw_bytes = raw_bytes
        self._digest = digest
        # Under --as-of, when the summaries came from the cache: the day, to which each
        # commitment read in full is turned back (domain.asof; a settled one is left as it is).
        self._as_of = as_of
        self.catalog = catalog
        # The names' French forms for whatever this command shows (a view per command).
        set_names_fr(catalog.names_fr)
        self._spans = spans
        self._document = document
        self._fd: int | None = None  # the file, open for reading sections, inside `with`
        # The version checked against the digest (by `view`, on the descriptor it hashed).
        self._seen: fileread.FileId | None = seen
        self._entered = False

    def __enter__(self) -> View:
        self._entered = True
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Let go of the file (a `with` block does it); the view stays usable, and opens the
        file again, checked, if a commitment is wanted in full."""
        self._entered = False
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)

    @property
    def raw_bytes(self) -> bytes:
        if self._raw_bytes is None:
            data = fileread.read_file(self.path, missing_hint=_missing_hint(self.path))
            if fileread.digest(data) != self._digest:
                raise TrackerError(
                    _("the file changed while it was being read; run the command again"),
                    path=str(self.path),
                )
            self._raw_bytes = data
        return self._raw_bytes

    def document(self) -> Document:
        if self._document is None:
            doc = load_bytes(self.raw_bytes, self.path).doc
            if self._as_of is not None:
                from aes_tracker.domain.asof import document_as_of

                doc = document_as_of(doc, self._as_of)
            self._document = doc
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
                if self._as_of is not None:
                    from aes_tracker.domain.asof import commitment_as_of

                    then = commitment_as_of(found, self._as_of)
                    if then is None:
                        raise KeyError(cid)  # not recorded yet on that day
                    return then
                return found
        return self.document().commitments[cid]

    def _chunk(self, span: tuple[int, int]) -> bytes:
        """The bytes of one section, read from the file on their own when the file's bytes are
        not held (a report needs a few tables of 10,000, not 10 MB). The file's content is
        checked once against the digest the summaries came from; after that, a stat tells it
        is the same version (a save by rename is a new inode, a write in place a new ctime).
        Inside `with view:` one descriptor serves every section; outside, each read opens and
        closes the file, so a view never holds a descriptor it could forget."""
        if self._raw_bytes is not None:
            return self._raw_bytes[span[0] : span[1]]
        fd = self._fd
        if fd is None:
            fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)
        try:
            seen = fileread.file_id(os.fstat(fd))
            if self._seen is None or seen != self._seen:
                if fileread.digest_fd(fd) != self._digest:
                    raise TrackerError(
                        _("the file changed while it was being read; run the command again"),
                        path=str(self.path),
                    )
                self._seen = seen
            chunk = os.pread(fd, span[1] - span[0], span[0])
        except BaseException:
            if fd != self._fd:
                os.close(fd)
            raise
        if self._fd is None and self._entered:
            self._fd = fd
        elif fd != self._fd:
            os.close(fd)
        return chunk

    def details(self, ids: Iterable[str]) -> list[Commitment]:
        return [self.detail(cid) for cid in ids]


def _catalog_context(c: Catalog) -> Context:
    from aes_tracker.domain.validate import Context

    return Context(frozenset(c.sources), tuple(c.parties), c.groups)


def _parse_one(
    raw_bytes: bytes, span: tuple[int, int], cid: str, ctx: Context
) -> Commitment | None:
    from aes_tracker.domain.validate import check_commitment

    table = _table_at(raw_bytes, span, cid)
    if table is None:
        return None
    full, problems = check_commitment(cid, table, ctx)
    return None if problems else full


def _table_at(raw_bytes: bytes, span: tuple[int, int], cid: str) -> dict[str, Any] | None:
    """The raw table of commitment `cid` parsed from its own bytes, or None when those bytes are
    not exactly that table (the section reader's guards)."""
    from aes_tracker.store.sections import read_section

    return read_section(raw_bytes, span, cid).table


def tidy(path: Path) -> None:
    """Remove the temp files a killed writer left beside the data file, from any command: a
    reader does it only when no writer holds the lock (then no temp file belongs to a live one),
    and only looks when there is one."""
    r = real(path)
    prefix = temp_prefix(r)
    try:
        if not any(n.startswith(prefix) for n in os.listdir(r.parent)):
            return
    except OSError:
        return
    with filelock.lock_if_free(path) as free:
        if free:
            fileio.sweep_temps(r)


def _digest_seen(path: Path) -> tuple[str, fileread.FileId]:
    """The digest of the file's content and the identity of the version hashed, from one
    descriptor: reading a commitment in full later needs only a stat to know the file is still
    that version (`View._chunk`), not a second hash of the whole file."""
    with fileread.open_regular(path, _missing_hint(path)) as fd:
        try:
            seen = fileread.file_id(os.fstat(fd))
            return fileread.digest_fd(fd), seen
        except OSError as e:
            raise TrackerError(
                _("cannot read: {reason}").format(reason=e.strerror or e), path=str(path)
            ) from None


def view(loc: Location, environ: Mapping[str, str] = environment()) -> View:
    """The file for the read commands, through the parse cache."""
    if not loc.explicit and not os.path.lexists(loc.path):
        raw_bytes, src, _bundled = read_bytes(loc)
        loaded = load_bytes(raw_bytes, src, bundled=True)
        return View(loc.path, raw_bytes, loaded.doc.catalog(), {}, loaded.doc)
    tidy(loc.path)
    digest, seen = _digest_seen(loc.path)
    old = cachemod.read(loc.path, environ, lean=True)  # rows made only if they are asked for
    if old is not None and old.digest == digest:
        return View(loc.path, None, old.catalog, old.spans, digest=digest, seen=seen)
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


def view_as_of(loc: Location, day: date, environ: Mapping[str, str] = environment()) -> View:
    """The file as it stood at the end of `day` (domain.asof): as `view` gives it when nothing
    in it happened or was recorded after that day, else read in full and turned back. The
    summaries as they stood that day are cached beside the file's own (one day at a time): for
    the same version of the file and the same day, nothing is parsed, and the file's own entry
    is not even read."""
    from aes_tracker.domain.asof import document_as_of, unsettled

    if loc.explicit or os.path.lexists(loc.path):
        tidy(loc.path)
        digest, seen = _digest_seen(loc.path)
        key = f"{digest}@{day.isoformat()}"
        cached = cachemod.read(loc.path, environ, variant=_AS_OF)
        if cached is not None and cached.digest == key:
            return View(
                loc.path, None, cached.catalog, cached.spans, digest=digest, as_of=day, seen=seen
            )
    v = view(loc, environ)
    ids = unsettled(v.catalog.commitments.values(), day)
    if not ids:
        return v
    doc = document_as_of(v.document(), day, ids)
    catalog = doc.catalog()
    if v._digest:
        key = f"{v._digest}@{day.isoformat()}"
        entry = cachemod.Entry(key, False, 0, "", catalog, dict(v._spans), {})
        cachemod.write(loc.path, entry, environ, _AS_OF)
    return View(v.path, None, catalog, {}, doc, v._digest)


_AS_OF = "asof"  # the cache's variant for the file as it stood on a past day


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
    from aes_tracker.store.tomlfile import sections

    digest = fileread.digest(raw_bytes)
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
    from aes_tracker.domain.validate import check_commitment, check_document, context_of
    from aes_tracker.store.sections import SectionReader

    reader = SectionReader(raw_bytes)
    if not reader.ok:
        return None
    top = reader.top().table
    if top is None:
        return None  # any doubt: the full parse reports it properly
    top_doc, problems = check_document(top)
    if problems:
        return None
    ctx = context_of(top)
    prefix_digest = cachemod.table_digest(raw_bytes[: reader.prefix_end])
    reuse = old is not None and _same_context(old.catalog, top_doc)
    canonical_now = bool(old is not None and old.canonical and old.prefix_digest == prefix_digest)
    summaries: dict[str, Summary] = {}
    tables: dict[str, str] = {}
    spans = reader.spans
    for cid, span in spans.items():
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
        table = reader.commitment(cid).table
        if table is None:
            return None
        full, problems = check_commitment(cid, table, ctx)
        if full is None or problems:
            return None
        summaries[cid] = summarize(full)
        if canonical_now:
            canonical_now = _dump_table(cid, table).rstrip(b"\n") == chunk.rstrip(b"\n")
    if not spans and top_doc.commitments:
        return None
    catalog = top_doc.with_records(summaries)
    entry = cachemod.Entry(
        digest, canonical_now, reader.prefix_end, prefix_digest, catalog, spans, tables
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
    from aes_tracker.store.tomlfile import dumps

    return dumps({"commitments": {cid: table}})
