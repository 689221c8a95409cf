"""The parse cache: reading 10,000 commitments with a TOML parser takes seconds, so the tool keeps
the summaries of the last version of each data file it read, in $XDG_CACHE_HOME/aes-tracker/.

- Keyed by content, never by mtime: the SHA-256 of the whole file, and of each commitment's
  table. An edit of the same size with the mtime put back is a new digest. After an edit (a hand
  edit, a `git pull`), only the tables whose digest changed are parsed again.
- Authenticated: an HMAC-SHA256 with a per-user random key kept beside it (0600, in a 0700
  folder that aes-tracker checks is the user's own). A cache file written by anything but the
  tool, or torn, truncated or from another version, fails the check and is ignored.
- `marshal`, not JSON or pickle: plain tuples of strings, numbers and date ordinals load in a few
  milliseconds, and marshal never runs code. What is loaded is still checked for shape before
  any of it is used.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import hmac
import marshal
import os
from collections.abc import ItemsView, Iterator, Mapping, Sequence, ValuesView
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from aes_tracker.domain.model import Catalog, Data, Source, Summary
from aes_tracker.errors import TrackerError
from aes_tracker.store.fileio import private_dir, sweep_private, write_private
from aes_tracker.store.paths import cache_home, file_key

# The file type. Which code wrote an entry is not in it but in the body (`cache_key`), taken from
# the package's version and from the code itself, so that no one has to remember to bump it.
_MAGIC = b"AESTRK\x00\x06"
_KEY_NAME = "key"
_COLUMNS = 9  # where the columns are in the frozen tuple (after the header: see `_header`)
_DATE_FIELDS = tuple(
    i
    for i, f in enumerate(Summary._fields)
    if f in ("due", "original_due", "review", "recur_start", "updated")
)
_DAYS = Summary._fields.index("days")
_OCC = Summary._fields.index("occurrences")


@dataclass(frozen=True)
class Entry:
    """What the cache knows about one version of the data file."""

    digest: str  # of the whole file
    canonical: bool  # the bytes are the writer's own layout (the fast write path relies on it)
    prefix_end: int
    prefix_digest: str
    catalog: Catalog
    spans: dict[str, tuple[int, int]]  # each commitment's byte range in the file
    tables: dict[str, str]  # each commitment's table digest
    # For a write: the columns this entry (or the one it was made from) was read as, and the
    # IDs whose summaries differ from them. Writing the entry then patches those rows instead
    # of converting 10,000 again.
    frozen: tuple[Any, ...] | None = field(default=None, compare=False, repr=False)
    patched: frozenset[str] = field(default=frozenset(), compare=False, repr=False)


# What a cached summary is made by, in domain/: the records and summarize (model), the checks
# that build a record from its table (validate, with ids, text, parties, statuses, dates and
# recurrence under it), and a past day's records for the `asof` variant (asof).
SUMMARY_CODE = (
    "model",
    "validate",
    "ids",
    "text",
    "parties",
    "statuses",
    "dates",
    "recurrence",
    "asof",
)


def format_source() -> str:
    """What an entry is made of: the fields of the summary, the catalog and the entry, and the
    code that builds summaries and stores them: the domain modules that turn a file's tables
    into records and records into summaries (`SUMMARY_CODE`, as they are read from their folder,
    not imported) and this module. A change to any of them is a new cache format."""
    import dataclasses

    from aes_tracker.domain import model

    folder = Path(model.__file__).parent

    parts = [
        ",".join(Summary._fields),
        ",".join(f.name for f in dataclasses.fields(Data)),
        ",".join(f.name for f in dataclasses.fields(Entry)),
        ",".join(f.name for f in dataclasses.fields(Source)),
    ]
    for module_file in [*(folder / f"{name}.py" for name in SUMMARY_CODE), Path(__file__)]:
        try:
            parts.append(module_file.read_text(encoding="utf-8"))
        except (OSError, TypeError, UnicodeDecodeError):
            parts.append(str(module_file))  # no source at hand: the fields and the version
    return "\n".join(parts)


_fingerprint: str | None = None


def format_fingerprint() -> str:
    """The cache format's version, derived from the code (`format_source`), once per process."""
    global _fingerprint
    if _fingerprint is None:
        _fingerprint = hashlib.sha256(format_source().encode("utf-8")).hexdigest()[:16]
    return _fingerprint


def cache_key() -> str:
    """Which writer an entry comes from: the package's version and the cache format's. An entry
    with another key is ignored (and rebuilt), so a new release never serves an old summary."""
    import aes_tracker

    return f"{aes_tracker.__version__}/{format_fingerprint()}"


def _dir(environ: Mapping[str, str]) -> Path | None:
    try:
        return private_dir(cache_home(environ))
    except TrackerError:
        return None  # an unusable cache folder only costs time


def _key(folder: Path) -> bytes | None:
    path = folder / _KEY_NAME
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        key = os.urandom(32)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        except FileExistsError:
            return _key(folder)  # another process made it first
        except OSError:
            return None
        try:
            os.write(fd, key)
        finally:
            os.close(fd)
        return key
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if st.st_mode & 0o077 or (hasattr(os, "getuid") and st.st_uid != os.getuid()):
            return None  # readable or writable by others: not a secret
        key = os.read(fd, 64)
    finally:
        os.close(fd)
    return key if len(key) == 32 else None


def cache_file(path: Path, environ: Mapping[str, str], variant: str = "") -> Path:
    return cache_home(environ) / _name(path, variant)


def _name(path: Path, variant: str) -> str:
    """The file of one data file's entry; a `variant` (`asof`: the file as it stood on a past
    day, store.view.view_as_of) is a file of its own beside it, one entry each."""
    return f"{file_key(path)}.{variant}.cache" if variant else f"{file_key(path)}.cache"


def read(
    path: Path,
    environ: Mapping[str, str],
    *,
    for_write: bool = False,
    variant: str = "",
    lean: bool = False,
) -> Entry | None:
    """The cached entry for the data file at `path`, whatever version of it; None if there is
    none or it does not authenticate. `for_write`: keep the columns as read, for `write` to
    patch. `lean`: the summaries are `ColumnRows`, left in the columns until they are asked
    for (a write asks for one or two of 10,000; `list` reads the columns themselves)."""
    folder = _dir(environ)
    if folder is None:
        return None
    key = _key(folder)
    if key is None:
        return None
    try:
        with open(folder / _name(path, variant), "rb") as f:
            blob = f.read()
    except OSError:
        return None
    head = len(_MAGIC) + 32
    if len(blob) < head or not blob.startswith(_MAGIC):
        return None
    with memoryview(blob) as body:
        if not hmac.compare_digest(
            blob[len(_MAGIC) : head], hmac.digest(key, body[head:], "sha256")
        ):
            return None
    with collector_paused():
        with memoryview(blob) as body:
            try:
                obj = marshal.loads(body[head:])
            except (ValueError, TypeError, EOFError):
                return None
        del blob  # the restore's peak is the columns and the rows, not the file as well
        try:
            if lean:
                return _restore_lean(obj, keep=for_write)
            return _restore(obj, keep=for_write)
        except (ValueError, TypeError, EOFError, IndexError, KeyError, OverflowError):
            return None


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """The collector paused while plain values (no cycle) are made by the ten thousand."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def write(path: Path, entry: Entry, environ: Mapping[str, str], variant: str = "") -> None:
    """Best effort: a cache that cannot be written only costs time."""
    folder = _dir(environ)
    if folder is None:
        return
    key = _key(folder)
    if key is None:
        return
    body = marshal.dumps(_patch(entry) if entry.frozen is not None else _freeze(entry))
    sweep_private(folder)
    with contextlib.suppress(OSError):
        write_private(
            folder / _name(path, variant),
            (_MAGIC, hmac.digest(key, body, "sha256"), body),  # written in turn, never joined
            _cache_mode(path),
            sync=False,  # a torn or lost cache fails its MAC and is rebuilt: it only costs time
        )


def _cache_mode(path: Path) -> int:
    """The data file's own mode, at most 0600: the cache holds its titles."""
    try:
        return os.stat(path).st_mode & 0o600 or 0o600
    except OSError:
        return 0o600


def _ord(d: date | None) -> int:
    return 0 if d is None else d.toordinal()


# Columns with few distinct values: each value is stored once and referred to after (marshal
# writes a reference for an object it has already written), so they load as shared objects.
_SHARED_FIELDS = frozenset(
    {"title_fr", "category", "parties", "beneficiaries", "source", "status", "recur", "hosts"}
    | {"next_host", "assessments", "no_deadline"}
)
_SHARED = tuple(i for i, f in enumerate(Summary._fields) if f in _SHARED_FIELDS)


def _freeze(e: Entry) -> tuple[Any, ...]:
    """The entry as plain columns (one tuple per field, dates as ordinals, 0 for none): 23
    tuples load much faster than 10,000 small ones."""
    rows = list(e.catalog.commitments.values())
    cols: list[Any] = [tuple(col) for col in zip(*rows, strict=True)] if rows else []
    if not rows:
        cols = [() for _f in Summary._fields]
    ordinals: dict[date, int] = {}

    def ord_(d: date) -> int:
        o = ordinals.get(d)
        if o is None:
            o = ordinals[d] = d.toordinal()
        return o

    for i in _DATE_FIELDS:
        cols[i] = tuple(0 if d is None else ord_(d) for d in cols[i])
    cols[_DAYS] = tuple(tuple(map(ord_, days)) for days in cols[_DAYS])
    cols[_OCC] = tuple(tuple((ord_(d), h) for d, h in occ) for occ in cols[_OCC])
    for i in _SHARED:
        seen: dict[Any, Any] = {}
        cols[i] = tuple(seen.setdefault(v, v) for v in cols[i])
    ids = cols[0]
    return (*_header(e), tuple(cols), *_placed(e, ids))


def _freeze_row(c: Summary) -> tuple[Any, ...]:
    """One summary as `_freeze` puts it in the columns."""
    row: list[Any] = list(c)
    for i in _DATE_FIELDS:
        row[i] = _ord(row[i])
    row[_DAYS] = tuple(d.toordinal() for d in c.days)
    row[_OCC] = tuple((d.toordinal(), h) for d, h in c.occurrences)
    return tuple(row)


def _patch(e: Entry) -> tuple[Any, ...]:
    """`_freeze(e)`, from the columns `e` was read as: only the patched rows are converted."""
    assert e.frozen is not None
    cols = e.frozen[_COLUMNS]
    ids = cols[0]
    if tuple(e.catalog.commitments) != ids:
        return _freeze(e)  # added, removed or reordered: convert them all
    new_cols = list(cols)
    for cid in e.patched:
        i = ids.index(cid)
        for k, v in enumerate(_freeze_row(e.catalog.commitments[cid])):
            col = new_cols[k]
            if not _same_value(col[i], v):  # only a column that changed is copied
                new_cols[k] = (*col[:i], v, *col[i + 1 :])
    return (*_header(e), tuple(new_cols), *_placed(e, ids))


def _same_value(a: Any, b: Any) -> bool:
    """Equal and of the same types all the way down (so that they load the same: 1 and True
    are equal, and marshal tells them apart)."""
    if a is b:
        return True
    if type(a) is not type(b) or a != b:
        return False
    if type(a) is tuple:
        return all(_same_value(x, y) for x, y in zip(a, b, strict=True))
    return True


def _placed(e: Entry, ids: tuple[str, ...]) -> tuple[tuple[Any, ...], tuple[str, ...]]:
    """Each commitment's span and table digest, in the order of the columns."""
    ids = tuple(ids)
    spans, tables = e.spans, e.tables
    return (
        # Already in that order (a write's entry is): the values as they are, at C speed.
        tuple(spans.values())
        if tuple(spans) == ids
        else tuple(spans.get(cid, (-1, -1)) for cid in ids),
        tuple(tables.values())
        if tuple(tables) == ids
        else tuple(tables.get(cid, "") for cid in ids),
    )


def _header(e: Entry) -> tuple[Any, ...]:
    sources = tuple(
        (
            s.id,
            s.title,
            s.date.toordinal(),
            s.place,
            s.language,
            s.publisher,
            s.author,
            s.url,
            s.text,
        )
        for s in e.catalog.sources.values()
    )
    return (
        cache_key(),
        e.digest,
        e.canonical,
        e.prefix_end,
        e.prefix_digest,
        tuple(e.catalog.parties),
        tuple((name, tuple(members)) for name, members in e.catalog.groups.items()),
        sources,
        tuple(e.catalog.names_fr.items()),
    )


def _restore(obj: Any, keep: bool = False, rows: bool = True) -> Entry | None:
    """The entry, checked for shape before any of it is used. `rows` False: the summaries are
    left in the columns (`ColumnRows`)."""
    if type(obj) is not tuple or len(obj) != 12 or obj[0] != cache_key():
        return None
    (
        _,
        digest,
        canonical,
        prefix_end,
        prefix_digest,
        parties,
        groups,
        sources,
        names_fr,
        cols,
        spans,
        tables,
    ) = obj
    if not (
        type(digest) is str
        and type(canonical) is bool
        and type(prefix_end) is int
        and type(prefix_digest) is str
        and type(parties) is tuple
        and all(type(p) is str for p in parties)
        and type(groups) is tuple
        and all(
            type(g) is tuple
            and len(g) == 2
            and type(g[0]) is str
            and type(g[1]) is tuple
            and all(type(m) is str for m in g[1])
            for g in groups
        )
        and type(sources) is tuple
        and type(cols) is tuple
        and len(cols) == len(Summary._fields)
        and all(type(c) is tuple for c in cols)
        and type(spans) is tuple
        and type(tables) is tuple
        and type(names_fr) is tuple
        and all(
            type(x) is tuple and len(x) == 2 and type(x[0]) is str and type(x[1]) is str
            for x in names_fr
        )
    ):
        return None
    n = len(cols[0])
    if any(len(c) != n for c in cols) or len(spans) != n or len(tables) != n:
        return None
    if not all(type(x) is str for x in cols[0]):
        return None
    srcs: dict[str, Source] = {}
    for s in sources:
        if type(s) is not tuple or len(s) != 9:
            return None
        sid, title, day, *rest = s
        srcs[sid] = Source(sid, title, date.fromordinal(day), *rest)
    ids = cols[0]
    if not rows:
        return Entry(
            digest,
            canonical,
            prefix_end,
            prefix_digest,
            Data(srcs, ColumnRows(cols), parties, dict(groups), dict(names_fr)),
            {cid: (a, b) for cid, (a, b) in zip(ids, spans, strict=True) if a >= 0},
            dict(zip(ids, tables, strict=True)),
            obj if keep else None,
        )
    summaries = _summaries(cols)
    return Entry(
        digest,
        canonical,
        prefix_end,
        prefix_digest,
        Data(srcs, summaries, parties, dict(groups), dict(names_fr)),
        {cid: (a, b) for cid, (a, b) in zip(ids, spans, strict=True) if a >= 0},
        dict(zip(ids, tables, strict=True)),
        obj if keep else None,
    )


class ColumnRows(Mapping[str, Summary]):
    """The summaries of an entry as the cache's columns hold them, a row made only when asked
    for, all of them at once when they are all asked for (`values`, `items`); `rows` overrides
    or adds rows (a write's changed commitments), in the columns' order, then the added ones.
    As `domain.query.Columns`, a field's values are read straight from its column."""

    def __init__(
        self,
        cols: tuple[tuple[Any, ...], ...],
        rows: Mapping[str, Summary] | None = None,
        index: dict[str, int] | None = None,
    ) -> None:
        self._cols = cols
        self._ids: tuple[str, ...] = cols[0]
        self._index = index if index is not None else {cid: i for i, cid in enumerate(self._ids)}
        self._rows = dict(rows or {})
        self._added = [cid for cid in self._rows if cid not in self._index]
        self._all: dict[str, Summary] | None = None
        self._day_map: dict[int, date | None] | None = None

    def __getitem__(self, cid: str) -> Summary:
        if self._all is not None:
            return self._all[cid]
        row = self._rows.get(cid)
        if row is not None:
            return row
        return _row(self._cols, self._index[cid])

    def __contains__(self, cid: object) -> bool:
        return cid in self._rows or cid in self._index

    def __iter__(self) -> Iterator[str]:
        yield from self._ids
        yield from self._added

    def __len__(self) -> int:
        return len(self._ids) + len(self._added)

    def values(self) -> ValuesView[Summary]:
        return self._every().values()

    def items(self) -> ItemsView[str, Summary]:
        return self._every().items()

    def _every(self) -> dict[str, Summary]:
        """Every row, made at once (as `_restore` makes them) the first time."""
        if self._all is None:
            every = _summaries(self._cols, self.days())
            every.update(self._rows)
            self._all = every
        return self._all

    def days(self) -> dict[int, date | None]:
        """The date of each ordinal of the columns (0: none), made once."""
        if self._day_map is None:
            self._day_map = _days(self._cols)
        return self._day_map

    def field(self, name: str) -> Sequence[Any]:
        """One field of every row, in order; dates as dates."""
        if self._rows:
            return [getattr(c, name) for c in self._every().values()]
        k = _FIELD[name]
        col = self._cols[k]
        day = self.days().__getitem__
        if k in _DATE_FIELDS:
            return list(map(day, col))
        if k == _DAYS:
            return [tuple(map(day, days)) if days else () for days in col]
        if k == _OCC:
            return [tuple((day(d), h) for d, h in occ) if occ else () for occ in col]
        return col

    def summary(self, i: int) -> Summary:
        """Row `i`, in the order of iteration."""
        return (
            self[self._ids[i]]
            if i < len(self._ids)
            else self._rows[self._added[i - len(self._ids)]]
        )

    def with_rows(self, rows: Mapping[str, Summary]) -> ColumnRows:
        """The same, with `rows` in place of (or after) the columns' rows."""
        return ColumnRows(self._cols, {**self._rows, **rows}, self._index)


_FIELD = {f: i for i, f in enumerate(Summary._fields)}


def _row(cols: tuple[tuple[Any, ...], ...], i: int) -> Summary:
    """Row `i` of the columns, as `_restore` makes it."""
    fields: list[Any] = [c[i] for c in cols]
    for k in _DATE_FIELDS:
        fields[k] = date.fromordinal(fields[k]) if fields[k] else None
    fields[_DAYS] = tuple(map(date.fromordinal, fields[_DAYS]))
    fields[_OCC] = tuple((date.fromordinal(d), h) for d, h in fields[_OCC])
    return Summary._make(fields)


def _restore_lean(obj: Any, keep: bool) -> Entry | None:
    """`_restore(obj, keep)` with the summaries left in their columns (`ColumnRows`); the
    same checks of shape, and of every date ordinal."""
    entry = _restore(obj, keep=keep, rows=False)
    if entry is None:
        return None
    rows = entry.catalog.commitments
    assert isinstance(rows, ColumnRows)
    rows.days()  # raises as `_restore` would on a damaged entry
    return entry


def _days(cols: tuple[tuple[Any, ...], ...]) -> dict[int, date | None]:
    """One date object per distinct day of the columns (a few thousand at most), shared by
    every row; 0 is none."""
    ords: set[int] = set().union(*(cols[i] for i in _DATE_FIELDS), *cols[_DAYS])
    ords.update(x for occ in cols[_OCC] for x, _h in occ)
    ords.discard(0)
    days: dict[int, date | None] = dict(zip(ords, map(date.fromordinal, ords), strict=True))
    days[0] = None
    return days


def _summaries(
    cols: tuple[tuple[Any, ...], ...], days: dict[int, date | None] | None = None
) -> dict[str, Summary]:
    """Every row of the columns as a summary, at once."""
    day = (_days(cols) if days is None else days).__getitem__
    fields: list[Any] = list(cols)
    for i in _DATE_FIELDS:
        fields[i] = list(map(day, fields[i]))
    fields[_DAYS] = [tuple(map(day, d)) if d else () for d in fields[_DAYS]]
    fields[_OCC] = [tuple((day(d), h) for d, h in occ) if occ else () for occ in fields[_OCC]]
    return dict(zip(fields[0], map(Summary._make, zip(*fields, strict=True)), strict=True))


def table_digest(data: bytes) -> str:
    """The digest of one section of the file, without the blank lines after it (which depend on
    whether another section follows)."""
    return hashlib.sha256(data.rstrip(b"\n")).hexdigest()
