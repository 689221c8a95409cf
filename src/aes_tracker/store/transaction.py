"""Writing the data file: one transaction for every writer (`update` for a change to the
document, `rewrite` for one to the bytes as they are, `undo` and `redo`).

The order of a write: take the lock, read the file, build the draft and run the change once,
read back and check the result, record the undo step, replace the file atomically (an editor's
save made meanwhile is never overwritten: the change's result is carried over to it, or the
write refused), mark the undo step complete, update the cache.

Two ways to the new bytes: the fast one when the cache knows these exact bytes are the
writer's canonical layout (only the tables the change touched are parsed, checked and spliced
in: store/splice.py), else the whole document is written again.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar, Unpack

from aes_tracker.domain.model import Document, Summary, summarize
from aes_tracker.domain.validate import Problem, check_commitment, check_document, context_of
from aes_tracker.errors import TrackerError
from aes_tracker.i18n import _
from aes_tracker.store import cache as cachemod
from aes_tracker.store import fileio, filelock, fileread
from aes_tracker.store.draft import Draft
from aes_tracker.store.layout import FastTables, canonical_entry, fast_draft
from aes_tracker.store.paths import Location, environment, real
from aes_tracker.store.splice import Spliced, assemble, splice_one
from aes_tracker.store.tomlfile import (
    KeyIndex,
    Loaded,
    canonical,
    canonical_commitment,
    dumps,
    find_comment,
    parse,
    same,
    sections,
)
from aes_tracker.store.view import (
    _catalog_context,
    _dump_table,
    _missing_hint,
    _read_for_write,
    _table_at,
    first_error,
    load,
    load_bytes,
)

if TYPE_CHECKING:
    from aes_tracker.store.journal import Journal

T = TypeVar("T")


class WriteOptions(TypedDict, total=False):
    """What every writer (`update`, `rewrite`) takes besides its change, with its default."""

    lock_timeout: float  # seconds to wait for another writer's lock: filelock.DEFAULT_LOCK_TIMEOUT
    by: str  # who writes, for the undo journal: "" (the journal's own guess)
    environ: Mapping[str, str]  # the environment: paths.environment() at the call


def _environ(options: WriteOptions) -> Mapping[str, str]:
    return options["environ"] if "environ" in options else environment()


# The fast write path can be switched off, so that tests can compare its bytes with the full
# rewrite's.
FAST_WRITES = True


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
    loader: FastTables | None = field(default=None, kw_only=True)  # the fast path's tables
    bundled: bool  # the draft was read from the bundled data: the file does not exist yet
    new_file: bool = False  # the file does not exist yet (bundled, or `create`)
    seen: fileread.FileId | None = None  # the version of the file the draft was read from
    old_digest: str = ""  # of old_bytes, taken once (a hash of 10 MB is milliseconds)

    def __post_init__(self) -> None:
        self.new_file = self.new_file or self.bundled
        if not self.old_digest:
            self.old_digest = fileread.digest(self.old_bytes)


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
    digest = fileread.digest(raw_bytes)
    if not bundled and FAST_WRITES:
        entry = cachemod.read(loc.path, environ, for_write=True, lean=True)
        if entry is None or entry.digest != digest or not entry.canonical:
            # Not written by the tool as it is now (or not since it was read): is it laid out
            # as the writer lays it out all the same? Then the fast path serves this write too.
            entry = canonical_entry(raw_bytes, digest, entry)
        if entry is not None and entry.digest == digest and entry.canonical:
            fast = fast_draft(loc.path, raw_bytes, entry)
            if fast is not None:
                draft, loader = fast
                return _Plan(
                    draft, raw_bytes, entry, False, seen=seen, old_digest=digest, loader=loader
                )
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
    new_bytes: bytes | Spliced  # Spliced: one section replaced, the file never joined
    entry: cachemod.Entry | None  # the cache entry of the new bytes, when cheap to know


def _finish(plan: _Plan) -> _Result:
    """The new bytes of the drafted document, checked, and the cache entry that goes with them."""
    d = plan.draft
    fell_back = plan.loader is not None and plan.loader.full is not None
    if plan.entry is not None and not d.whole and not fell_back:
        fast = _finish_fast(plan)
        if fast is not None:
            return fast
    raw = d._document_now()
    return _written_whole(raw, d.path)


def _written_whole(raw: dict[str, Any], path: Path) -> _Result:
    """The bytes of a whole document, read back and checked, and their cache entry."""
    new_bytes = dumps(raw)
    doc = _verify(new_bytes, raw, path)
    secs = sections(new_bytes)
    entry = None
    if secs.ok:
        entry = cachemod.Entry(
            fileread.digest(new_bytes),
            True,
            secs.prefix_end,
            cachemod.table_digest(new_bytes[: secs.prefix_end]),
            doc.catalog(),
            dict(secs.spans),
            {cid: cachemod.table_digest(new_bytes[a:b]) for cid, (a, b) in secs.spans.items()},
        )
    return _Result(new_bytes, entry)


def _finish_fast(plan: _Plan) -> _Result | None:
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
    one = None
    if new_prefix is None and len(changed) == 1:
        ((cid, part),) = changed.items()
        if part is not None:
            one = splice_one(plan.old_bytes, entry.prefix_end, entry.spans, cid, part)
    new_bytes: bytes | Spliced
    if one is not None:
        new_bytes, prefix_end, spans = one
    else:
        new_bytes, prefix_end, spans = assemble(
            plan.old_bytes, entry.prefix_end, entry.spans, changed, new_prefix
        )
    tables = dict(entry.tables)
    for cid, part in changed.items():
        if part is None:
            tables.pop(cid, None)
        else:
            tables[cid] = cachemod.table_digest(part)
    reordered = any(cid not in entry.catalog.commitments for cid in new_summaries)
    old_rows = entry.catalog.commitments
    summaries: Mapping[str, Summary]
    if isinstance(old_rows, cachemod.ColumnRows) and not reordered and None not in changed.values():
        summaries = old_rows.with_rows(new_summaries)  # the 10,000 others stay in the columns
    else:
        rows = dict(old_rows)
        for cid, part in changed.items():
            if part is None:
                rows.pop(cid, None)
            else:
                rows[cid] = new_summaries[cid]
        summaries = dict(sorted(rows.items())) if reordered else rows
    catalog = (entry.catalog if top_doc is None else top_doc).with_records(summaries)
    new_entry = cachemod.Entry(
        new_bytes.digest() if isinstance(new_bytes, Spliced) else fileread.digest(new_bytes),
        True,
        prefix_end,
        cachemod.table_digest(
            new_bytes.old[:prefix_end] if isinstance(new_bytes, Spliced) else new_bytes[:prefix_end]
        ),
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


def _put_in_place(
    journal: Journal,
    path: Path,
    before: bytes | None,
    new: bytes | Spliced,
    what: str,
    by: str,
    seen: fileread.FileId | None,
    digests: tuple[str, str] = ("", ""),
) -> list[str] | None:
    """Record the undo step, replace the file (`before` None: create it), mark the step done;
    the warnings to show. None when an editor's save landed meanwhile: nothing was put in
    place, and the change starts again from that save. `digests`: those of `before` and `new`
    when the caller has them (each is a hash of the whole file)."""
    before_digest = "" if before is None else digests[0] or fileread.digest(before)
    new_digest = digests[1] or (new.digest() if isinstance(new, Spliced) else fileread.digest(new))
    step = journal.begin(before, new, what, by, digests=(before_digest or None, new_digest))
    try:
        fileio.replace(
            path,
            new,
            expect=None if before is None else before_digest,
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


def _plan_full(loc: Location, allow_comments: bool) -> _Plan:
    raw_bytes, src, bundled, seen = _read_for_write(loc)
    loaded = load_bytes(raw_bytes, src, bundled=bundled)
    if not allow_comments:
        _refuse_comments(loaded)
    raw = loaded.raw
    cs = raw.pop("commitments", {})
    draft = Draft(loc.path, raw, lambda cid: cs[cid], cs)
    return _Plan(draft, raw_bytes, None, bundled, seen=seen)


# ---- the one write loop ----------------------------------------------------------------------


@dataclass
class _Attempt:
    """One computed write: the version of the file it was computed from, and the new bytes."""

    before: bytes | None  # None: the file does not exist yet, and is created
    seen: fileread.FileId | None  # the identity of the version `before` was read from
    before_digest: str
    after: bytes | Spliced  # Spliced: `before` with one section replaced
    entry: cachemod.Entry | None  # the cache entry of `after`, when cheap to know
    created: bool = False  # the user data file is created from the bundled data


def _unchanged(attempt: _Attempt) -> bool:
    after = attempt.after
    if isinstance(after, Spliced) and after.old is attempt.before:
        return after.unchanged()
    if isinstance(after, Spliced):
        after = after.tobytes()
    return after == attempt.before


def _keeps_changing(path: Path) -> TrackerError:
    return TrackerError(
        _("the file keeps changing on disk while aes-tracker writes it; nothing was written"),
        path=str(path),
    )


def _transaction(
    path: Path,
    compute: Callable[[], tuple[_Attempt, T]],
    describe: Callable[[T], str] | None,
    rebase: Callable[[_Attempt], _Attempt] | None,
    forget: Callable[[], None] | None,
    options: WriteOptions,
) -> tuple[T, Written]:
    """Every write goes through here: take the lock, read the file and compute the change (once:
    `compute`), check it (`compute` reads the result back), record the undo step, replace the
    file atomically, mark the step done, update the cache.

    If an editor saved the file between our read and our write, its save is never overwritten:
    `rebase` carries the computed change over to the saved version when the save did not touch
    what the change touches, else refuses (TrackerError); without `rebase` the write is refused.
    Five saves in a row, and the write is refused. `forget` drops what the caller holds of the
    computation (the old file, its draft) once the file is in place, before the cache is
    written: the peak memory of a write is then not the old file and the new cache at once."""
    from aes_tracker.store.journal import Journal

    lock_timeout = options.get("lock_timeout", filelock.DEFAULT_LOCK_TIMEOUT)
    environ = _environ(options)
    by = options.get("by", "")
    fileio.check_writable(path)
    with _create_lock(path, lock_timeout):
        fileio.sweep_temps(real(path))
        journal = Journal(path, environ)
        attempt, result = compute()
        what: str | None = None
        for _try in range(5):
            if attempt.before is not None and _unchanged(attempt):
                return result, Written(path, False, False)
            if attempt.before is None or fileio.still(
                real(path), attempt.before_digest, attempt.seen
            ):
                if what is None:
                    what = describe(result) if describe is not None else ""
                new_digest = attempt.entry.digest if attempt.entry is not None else ""
                warnings = _put_in_place(
                    journal,
                    path,
                    attempt.before,
                    attempt.after,
                    what,
                    by,
                    attempt.seen,
                    digests=(attempt.before_digest, new_digest),
                )
                if warnings is not None:
                    entry, created = attempt.entry, attempt.created
                    del attempt  # the old bytes and the new ones: no longer needed
                    if forget is not None:
                        forget()
                    if entry is not None:
                        cachemod.write(path, entry, environ)
                    return result, Written(path, created, True, warnings)
            # Saved by an editor meanwhile: nothing was put in place.
            if rebase is None:
                raise _keeps_changing(path)
            attempt = rebase(attempt)
    raise _keeps_changing(path)


def update(
    loc: Location,
    change: Callable[[Draft], T],
    *,
    describe: Callable[[T], str] | None = None,
    create: bool = False,
    allow_comments: bool = False,
    **options: Unpack[WriteOptions],
) -> tuple[T, Written]:
    """Apply `change` to the data file under the lock and write the result atomically, through
    the undo journal. The change runs once. If an editor saves the file between our read and
    our write, the change's result is carried over to the saved version (`_rebase`), or the
    write is refused when the save touched what the change touched. `describe` turns the
    change's result into the line `undo` prints."""
    path = loc.path
    if loc.explicit and not create and not os.path.lexists(path):
        fileread.read_file(path, missing_hint=_missing_hint(path))  # raises "no such file"
    plans: list[_Plan] = []

    def compute() -> tuple[_Attempt, T]:
        plan = _plan(loc, _environ(options), create=create, allow_comments=allow_comments)
        plans.append(plan)
        result = change(plan.draft)  # the one run of the change
        out = _finish(plan)
        before = None if plan.new_file else plan.old_bytes
        attempt = _Attempt(
            before, plan.seen, plan.old_digest, out.new_bytes, out.entry, plan.bundled
        )
        return attempt, result

    def rebase(attempt: _Attempt) -> _Attempt:
        return _rebase(loc, plans[0], attempt, allow_comments)

    return _transaction(path, compute, describe, rebase, plans.clear, options)


def _same_or_absent(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return same(a, b)


def _rebase(loc: Location, plan: _Plan, attempt: _Attempt, allow_comments: bool) -> _Attempt:
    """The change of `plan`'s draft, carried over to the version an editor saved meanwhile:
    the tables the change wrote or removed (and the top tables, if it edited them) must be in
    that version as they were in the one the change read; then the result is that version
    with the change's tables in place, checked whole. Else the write is refused: running the
    change again would repeat what it did (and whatever it printed)."""
    d = plan.draft
    if attempt.before is None or d.whole:
        raise _keeps_changing(loc.path)
    theirs_bytes, src, _bundled, seen = _read_for_write(loc)
    theirs = load_bytes(theirs_bytes, src)
    if not allow_comments:
        _refuse_comments(theirs)
    base = load_bytes(attempt.before, src).raw
    base_tables = base.pop("commitments", {})
    top = theirs.raw
    tables = top.pop("commitments", {})
    if d.top_touched:
        if not same(top, base):
            raise _keeps_changing(loc.path)
        top = copy.deepcopy(d._top)
    for cid in d.touched | d.removed:
        if not _same_or_absent(tables.get(cid), base_tables.get(cid)):
            raise _keeps_changing(loc.path)
    for cid in d.removed:
        tables.pop(cid, None)
    for cid in d.touched:
        tables[cid] = d._table(cid)
    out = _written_whole({**top, "commitments": dict(sorted(tables.items()))}, d.path)
    return _Attempt(theirs_bytes, seen, fileread.digest(theirs_bytes), out.new_bytes, out.entry)


def rewrite(
    loc: Location,
    change: Callable[[bytes], tuple[bytes, T]],
    *,
    describe: Callable[[T], str] | None = None,
    **options: Unpack[WriteOptions],
) -> tuple[T, Written]:
    """Change the file's bytes as they are, without reading them as a document: for a file that
    holds conflict markers, which nothing else may read (`resolve`). The same transaction as
    `update`: under the lock, through the undo journal, replaced atomically; an editor's save
    made meanwhile is never overwritten (the write is refused: the change runs once). `change`
    gets the bytes and returns the new bytes (it checks them) and its result."""
    path = loc.path
    hint = _missing_hint(path)
    if not os.path.lexists(path):
        fileread.read_file(path, missing_hint=hint)  # raises "no such file"

    def compute() -> tuple[_Attempt, T]:
        old, seen = fileread.read_file_seen(path, missing_hint=hint)
        new, result = change(old)
        return _Attempt(old, seen, fileread.digest(old), new, None), result

    return _transaction(path, compute, describe, None, None, options)


def preview(loc: Location, change: Callable[[Draft], T]) -> T:
    """A dry run: `change` on a draft of the file as it is now; nothing is written, no lock."""
    loaded = load(loc)
    raw = loaded.raw
    cs = raw.pop("commitments", {})
    return change(Draft(loc.path, raw, lambda cid: cs[cid], cs))


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
        self._cm = filelock.locked(self.path, self.timeout)
        self._cm.__enter__()

    def __exit__(self, *exc: object) -> None:
        self._cm.__exit__(*exc)
