"""The tracker as a program can use it: one `Tracker` per data file (where it is, what day it is,
who acts, the environment), one method per command, each taking a typed query or change and
returning plain data, raising `TrackerError` for anything a user can cause. The command line
(cli/) only turns options into one call and hands the result to render/; a script, a test or a
cron job can do the same without a terminal (as sqlite-utils' `Database` under its `cli.py`).

The methods here do not word any output: they return rows, reports and outcomes, and the
renderers write them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aes_tracker.errors import TrackerError
from aes_tracker.i18n import _

if TYPE_CHECKING:
    from aes_tracker.domain.changes import NewCommitment, Outcome, Who
    from aes_tracker.domain.model import Commitment, Groups, Source
    from aes_tracker.domain.query import RowList
    from aes_tracker.store.core import Draft, View, Written
    from aes_tracker.store.paths import Location
    from aes_tracker.store.tomlfile import Loaded


@dataclass(frozen=True)
class ListQuery:
    """What `list` selects, as given (text): the method checks and reads each value."""

    statuses: Sequence[str] = ()
    categories: Sequence[str] = ()
    parties: Sequence[str] = ()
    sources: Sequence[str] = ()
    overdue: bool = False
    due_within: str | None = None
    due_before: str | None = None
    due_after: str | None = None
    search: str = ""
    open: bool = False
    closed: bool = False
    sort: str = "due"
    reverse: bool = False


@dataclass(frozen=True)
class LogQuery:
    """What `log` shows: one commitment (an ID or a prefix) or all, from `since` (a duration or a
    date) to `until` (a date; default today), by whoever's name holds `by`."""

    cid: str | None = None
    since: str | None = None
    until: str | None = None
    by: str = ""


@dataclass(frozen=True)
class StatsQuery:
    """What `stats` counts: grouped `by` party, category or source; or the matrix, its columns
    by party or member; only the commitments of `sources` (IDs or prefixes) when given."""

    by: str = "party"
    matrix: bool = False
    sources: Sequence[str] = ()


@dataclass(frozen=True)
class Detail:
    """One commitment in full, with its source (None if the file lacks it) and the file's party
    groups (which members an assessment of a group binds)."""

    commitment: Commitment
    source: Source | None
    groups: Groups


@dataclass(frozen=True)
class ImportRequest:
    """`import FILE`: the file's name as given, whether existing commitments that differ are
    replaced, and whether anything is written."""

    file: str
    update: bool = False
    dry_run: bool = False


@dataclass(frozen=True)
class Imported:
    """What an import did, or would do (`dry_run`): the IDs in each of the exchange's lists
    (`added`, `updated`, `unchanged`, `conflicts`, `sources`; or, from a per-party CSV,
    `assessed`, `assessments_unchanged`, `conflicts`)."""

    report: Mapping[str, list[str]]
    dry_run: bool
    written: Written | None = None

    @property
    def per_party(self) -> bool:
        return "assessed" in self.report


@dataclass(frozen=True)
class Changed:
    """A change made: its outcome (the line the command prints, the ID) and what the store did
    (the file created, warnings, whether the bytes changed)."""

    outcome: Outcome
    written: Written


class Tracker:
    """One data file, as of one day. `today` may be given as a function, asked once when first
    needed, and `who` is asked for only when a change is made: a command's errors then come in
    the order its options are read, and a read never checks --by. `lock_timeout`: how long a
    change waits for the file's lock."""

    def __init__(
        self,
        location: Location,
        today: date | Callable[[], date],
        who: Callable[[], Who],
        environ: Mapping[str, str],
        lock_timeout: float = 5.0,
    ) -> None:
        self.location = location
        self._today = today
        self.who = who
        self.environ = environ
        self.lock_timeout = lock_timeout
        self._view: View | None = None

    @property
    def today(self) -> date:
        if not isinstance(self._today, date):
            self._today = self._today()
        return self._today

    # ---- reading ---------------------------------------------------------------------------------

    def view(self) -> View:
        """The file for reading, through the parse cache; read once per tracker."""
        if self._view is None:
            from aes_tracker.store.core import view

            self._view = view(self.location, self.environ)
        return self._view

    def list(self, q: ListQuery) -> RowList:
        """The rows of `list`: the commitments `q` selects, in its order."""
        from aes_tracker.domain.model import Summary, parse_category, parse_status
        from aes_tracker.domain.query import SORTS, Filter, resolve_id, rows, select
        from aes_tracker.domain.query import sort as sort_rows

        if q.open and q.closed:
            raise TrackerError(_("--open and --closed exclude each other: give one"))
        if q.sort not in SORTS:
            raise TrackerError(
                _("'{value}' is not a sort key; use one of {choices}").format(
                    value=q.sort, choices=", ".join(SORTS)
                ),
                field="sort",
            )
        today = self.today
        v = self.view()
        catalog = v.catalog
        for p in q.parties:
            if p.casefold() not in {k.casefold() for k in catalog.parties}:
                raise TrackerError(
                    _("'{value}' is not a known party (one of: {choices})").format(
                        value=p, choices=", ".join(catalog.parties)
                    ),
                    field="party",
                )
        sources = [resolve_id(catalog.sources, src, "source", "source") for src in q.sources]
        haystack = None
        if q.search:
            doc = v.document()

            def haystack(c: Summary) -> str:
                full = doc.commitments[c.id]
                return "\n".join(
                    [full.title, full.quote, full.notes, *(e.note for e in full.history)]
                )

        f = Filter(
            statuses=[parse_status(x) for x in q.statuses],
            categories=[parse_category(x) for x in q.categories],
            parties=q.parties,
            sources=sources,
            overdue=q.overdue,
            due_within=window(q.due_within, "due_within") if q.due_within else None,
            due_before=maybe_day(q.due_before, today, "due_before"),
            due_after=maybe_day(q.due_after, today, "due_after"),
            search=q.search,
            open=True if q.open else False if q.closed else None,
        )
        chosen = sort_rows(
            select(catalog.commitments.values(), today, f, haystack), q.sort, q.reverse
        )
        return rows(chosen, today, catalog.groups)

    def resolve(self, given: str) -> str:
        """A commitment's ID from any unique prefix of one (any case)."""
        from aes_tracker.domain.query import resolve_id

        return resolve_id(self.view().catalog.commitments, given)

    def due(self, within: str) -> RowList:
        """The rows of `due`: open commitments overdue or due within the window, and undated
        ones whose review date has come, most overdue first."""
        from aes_tracker.domain.query import due_soon, rows

        ahead = window(within, "within")
        catalog = self.view().catalog
        found = due_soon(catalog.commitments.values(), self.today, ahead)
        return rows(found, self.today, catalog.groups)

    def show(self, given: str) -> Detail:
        """One commitment in full, with its source and the file's party groups."""
        v = self.view()
        c = v.detail(self.resolve(given))
        return Detail(c, v.catalog.sources.get(c.source), v.catalog.groups)

    def report(self, since: str, within: str) -> dict[str, Any]:
        """The weekly report, as JSON-ready data (domain/report.py)."""
        from aes_tracker.domain import report as rp

        first = since_day(since, self.today)
        w = rp.window(self.today, first, window(within, "within"))
        v = self.view()
        return rp.build(v.catalog, w, v.details)

    def log(self, q: LogQuery) -> Sequence[dict[str, Any]]:
        """History entries across all commitments (or one), newest first."""
        from aes_tracker.domain.report import history_log

        first = None if q.since is None else since_day(q.since, self.today)
        # Today by default: as of an earlier day (--as-of), what came after it is not known yet.
        last = maybe_day(q.until, self.today, "until") or self.today
        v = self.view()
        ids = [self.resolve(q.cid)] if q.cid else None
        return history_log(v.catalog, v.details, since=first, until=last, by=q.by, ids=ids)

    def sources(self) -> Sequence[dict[str, Any]]:
        from aes_tracker.domain.query import source_rows

        return source_rows(self.view().catalog)

    def timeline(self, months: int) -> Any:
        from aes_tracker.domain.stats import timeline

        return timeline(self.view().catalog, self.today, months)

    def stats(self, q: StatsQuery) -> dict[str, Any]:
        """Compliance per group, or (`q.matrix`) the commitment × party matrix."""
        from aes_tracker.domain.matrix import BY
        from aes_tracker.domain.query import resolve_id
        from aes_tracker.domain.stats import GROUPINGS, compliance

        catalog = self.view().catalog
        sources = [resolve_id(catalog.sources, x, "source", "source") for x in q.sources]
        by = q.by.lower()
        if q.matrix:
            from aes_tracker.domain.matrix import matrix

            if by not in BY:
                raise TrackerError(
                    _("with --matrix, '{value}' is not a grouping; use one of {choices}").format(
                        value=q.by, choices=", ".join(BY)
                    ),
                    field="by",
                )
            return matrix(catalog, self.today, by, sources)
        if by not in GROUPINGS:
            raise TrackerError(
                (
                    _("'{value}' goes with --matrix; use one of {choices}")
                    if by in BY
                    else _("'{value}' is not a grouping; use one of {choices}")
                ).format(value=q.by, choices=", ".join(GROUPINGS)),
                field="by",
            )
        return compliance(catalog, self.today, by, sources)

    def load(self) -> Loaded:
        """The whole file, read and checked (no cache): what `export` writes out."""
        from aes_tracker.store.core import load

        return load(self.location)

    # ---- changing --------------------------------------------------------------------------------

    def change(self, fn: Callable[[Draft], Outcome]) -> Changed:
        """Run one change under the lock, through the undo journal."""
        from aes_tracker.store.core import update

        outcome, written = update(
            self.location,
            fn,
            lock_timeout=self.lock_timeout,
            environ=self.environ,
            describe=lambda o: o.described,
            by=self.who().by,
        )
        return Changed(outcome, written)

    def add(self, new: NewCommitment, *, force: bool = False) -> Changed:
        """Add a commitment (the rules: domain/changes.py, `add_commitment`)."""
        from aes_tracker.domain import changes as ops

        who = self.who()
        ops.check_new(new)
        return self.change(lambda d: ops.add_commitment(d, new, who, force=force))

    def import_(self, req: ImportRequest) -> Imported:
        """Merge a JSON export or a CSV into the file, all or nothing; with `dry_run`, on a copy
        that is never written."""
        from aes_tracker import exchange
        from aes_tracker.domain.changes import Outcome
        from aes_tracker.store.core import Draft, load, update
        from aes_tracker.store.fileio import read_file

        name = req.file
        incoming = exchange.read_import(exchange.decode_import(read_file(Path(name)), name), name)
        who = self.who()
        report: dict[str, list[str]] = {}

        def merge(d: Draft) -> Outcome:
            report.update(exchange.merge(d, incoming, update=req.update, who=who, name=name))
            return Outcome("", _("import of {name}").format(name=name))

        if req.dry_run:
            raw = load(self.location).raw
            cs = raw.pop("commitments", {})
            merge(Draft(self.location.path, raw, lambda cid: cs[cid], cs))
            return Imported(report, True)
        _result, written = update(
            self.location,
            merge,
            lock_timeout=self.lock_timeout,
            environ=self.environ,
            describe=lambda o: o.described,
            by=who.by,
        )
        return Imported(report, False, written)

    # ---- git -------------------------------------------------------------------------------------

    def commit(
        self, path: Path, git: bool | None, subject: str, body: str = ""
    ) -> TrackerError | None:
        """After a change that was written: commit the data file in git when asked to (`git`:
        --git/--no-git or $AES_TRACKER_GIT; None: `git = true` under [settings] in the file).
        A commit that fails is returned, to be shown as a warning: the change stays."""
        if git is None:
            from aes_tracker.store.core import git_setting

            git = bool(git_setting(self.location))
        if not git:
            return None
        from aes_tracker.desk import gitops

        try:
            repo = gitops.require(path, self.environ)
            gitops.commit_file(repo, subject, body, self.who().by, self.environ)
        except TrackerError as e:
            return e
        return None


# ---- options as the core reads them --------------------------------------------------------------


def day(text: str, today: date, field_name: str) -> date:
    """A date as analysts write it; an error names the field it was given for."""
    from aes_tracker.domain.dates import parse_date

    try:
        return parse_date(text, today)
    except TrackerError as e:
        e.field = field_name
        raise


def maybe_day(text: str | None, today: date, field_name: str) -> date | None:
    return None if text is None else day(text, today, field_name)


def window(text: str, field_name: str) -> Any:  # a relativedelta: dateutil stays off start-up
    from aes_tracker.domain.dates import parse_duration

    try:
        return parse_duration(text)
    except TrackerError as e:
        e.field = field_name
        raise


def since_day(text: str, today: date) -> date:
    """The first day of a window ending today: a duration (`7d`) or a date."""
    from aes_tracker.domain.dates import parse_since

    try:
        return parse_since(text, today)
    except TrackerError as e:
        e.field = "since"
        raise
