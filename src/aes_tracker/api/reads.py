"""The reading commands: plain data, no wording."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from aes_tracker.api.base import Base
from aes_tracker.api.types import (
    Conflicted,
    Detail,
    Exported,
    Listed,
    ListQuery,
    LogQuery,
    Narrow,
    Report,
    StatsQuery,
    maybe_day,
    since_day,
    window,
)
from aes_tracker.errors import TrackerError
from aes_tracker.i18n import _

if TYPE_CHECKING:
    from pathlib import Path

    from aes_tracker.domain.model import Catalog, Commitment, Document
    from aes_tracker.domain.query import RowList


def _quote_at(data: Path, c: Commitment, groups: Any, sources: Any) -> Detail:
    """A commitment with its source, and where its quote stands in the source's stored text."""
    source = sources.get(c.source)
    at = None
    if source is not None and source.text:
        from aes_tracker.store.texts import quote_at

        at = quote_at(data, source, c.quote)
    return Detail(c, source, groups, at)


class Reads(Base):
    def narrowed(self, n: Narrow, catalog: Catalog | None = None) -> Catalog:
        """The catalog the shared filters leave (domain.query's `filter_of`, then `narrow`)."""
        from aes_tracker.domain.query import filter_of, narrow

        catalog = self.view().catalog if catalog is None else catalog
        return narrow(catalog, filter_of(catalog, **n._asdict()), self.today)

    def list(self, q: ListQuery) -> Listed:
        """The rows of `list`: the commitments `q` selects, in its order."""
        from aes_tracker.domain.model import Summary
        from aes_tracker.domain.query import (
            SORTS,
            Columns,
            RowList,
            choose,
            filter_of,
            plain,
            rows,
            select,
        )
        from aes_tracker.domain.query import sort as sort_rows

        if q.open and q.closed:
            raise TrackerError(_("--open and --closed exclude each other: give one"))
        if q.all and (q.open or q.closed):
            raise TrackerError(_("--all, --open and --closed exclude each other: give one"))
        # Like `task list`: the open ones unless asked otherwise. A --status names the statuses it
        # wants, closed ones included, so it chooses for itself.
        open_by_default = not (q.all or q.open or q.closed or q.narrow.statuses)
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
        haystack = None
        if q.search:
            doc = v.document()

            def haystack(c: Summary) -> str:
                full = doc.commitments[c.id]
                return "\n".join(
                    [full.title, full.quote, full.notes, *(e.note for e in full.history)]
                )

        f = filter_of(
            catalog,
            statuses=q.narrow.statuses,
            categories=q.narrow.categories,
            parties=q.narrow.parties,
            sources=q.narrow.sources,
            overdue=q.overdue,
            due_within=window(q.due_within, "due_within") if q.due_within else None,
            due_before=maybe_day(q.due_before, today, "due_before"),
            due_after=maybe_day(q.due_after, today, "due_after"),
            search=q.search,
            open=True if q.open else False if q.closed else None,
        )
        every = catalog.commitments
        if isinstance(every, Columns) and plain(f) and q.sort == "due":
            # From the cache's columns, without a summary per row (the same rows:
            # tests/test_fastread.py).
            index, hidden = choose(every, f, open_by_default, q.reverse)
            return Listed(RowList(every, today, catalog.groups, index), hidden)
        chosen = select(every.values(), today, f, haystack)
        hidden = 0
        if open_by_default:
            # Selected with the closed ones, so that the table can say how many it leaves out.
            shown = [c for c in chosen if c.is_open]
            hidden, chosen = len(chosen) - len(shown), shown
        chosen = sort_rows(chosen, q.sort, q.reverse)
        return Listed(rows(chosen, today, catalog.groups), hidden)

    def resolve(self, given: str) -> str:
        """A commitment's ID from any unique prefix of one (any case)."""
        from aes_tracker.domain.query import resolve_id

        return resolve_id(self.view().catalog.commitments, given)

    def due(self, within: str, narrow: Narrow = Narrow()) -> RowList:
        """The rows of `due`: open commitments overdue or due within the window, and undated
        ones whose review date has come, most overdue first."""
        from aes_tracker.domain.query import Columns, RowList, SummaryColumns, due_index

        ahead = window(within, "within")
        catalog = self.narrowed(narrow)
        every = catalog.commitments
        # The cache's columns as they are, without a summary per row (tests/test_fastread.py).
        cols = every if isinstance(every, Columns) else SummaryColumns(list(every.values()))
        return RowList(cols, self.today, catalog.groups, due_index(cols, self.today, ahead))

    def show(self, given: str) -> Detail:
        """One commitment in full, with its source, the file's party groups, and where its quote
        stands in the source's stored text."""
        v = self.view()
        c = v.detail(self.resolve(given))
        return _quote_at(v.path, c, v.catalog.groups, v.catalog.sources)

    def show_conflicted(self, given: str) -> Conflicted | None:
        """`show` on a file that holds conflict markers: the commitment's version on each side.
        None when the file holds no marker (the error met reading it is the answer)."""
        from aes_tracker.domain.query import resolve_id
        from aes_tracker.store.view import conflict_sides, read_bytes

        data, src, _bundled = read_bytes(self.location)
        sides = conflict_sides(data, src, self.today if self.as_of else None)
        if sides is None:
            return None
        ours, theirs = sides["ours"], sides["theirs"]
        found = resolve_id(sorted(set(ours.commitments) | set(theirs.commitments)), given)

        def one(doc: Document) -> Detail | None:
            c = doc.commitments.get(found)
            return None if c is None else _quote_at(src, c, doc.groups, doc.sources)

        return Conflicted(found, one(ours), one(theirs))

    def report(
        self, since: str, within: str, narrow: Narrow = Narrow(), *, pictures: bool = False
    ) -> Report:
        """The weekly report, as JSON-ready data (domain/report.py); with `pictures`, the
        compliance per party and the matrix too (the HTML page draws them)."""
        from aes_tracker.domain import report as rp

        today = self.today
        first = since_day(since, today)
        w = rp.window(today, first, window(within, "within"))
        v = self.view()
        catalog = self.narrowed(narrow)
        from aes_tracker.store.cache import collector_paused

        with collector_paused():  # thousands of rows as dicts, no cycle among them
            rep = rp.build(catalog, w, v.details)
        if not pictures:
            return Report(rep)
        from aes_tracker.domain.matrix import matrix
        from aes_tracker.domain.stats import compliance

        return Report(rep, compliance(catalog, today, "party"), matrix(catalog, today, "party"))

    def log(self, q: LogQuery) -> Sequence[dict[str, Any]]:
        """History entries across all commitments (or one), newest first."""
        from aes_tracker.domain.report import history_log

        first = None if q.since is None else since_day(q.since, self.today)
        # Today by default: as of an earlier day (--as-of), what came after it is not known yet.
        last = maybe_day(q.until, self.today, "until") or self.today
        v = self.view()
        ids = [self.resolve(q.cid)] if q.cid else None
        catalog = self.narrowed(q.narrow)
        return history_log(catalog, v.details, since=first, until=last, by=q.by, ids=ids)

    def sources(self) -> Sequence[dict[str, Any]]:
        from aes_tracker.domain.records import source_rows

        return source_rows(self.view().catalog)

    def source_text(self, sid: str) -> str:
        """A source's stored text, as it was given."""
        from aes_tracker.store.texts import read_text

        v = self.view()
        source = v.catalog.sources.get(sid)
        if source is None:
            raise TrackerError(_("no source {id}").format(id=sid))
        return read_text(v.path, source)[0]

    def timeline(self, months: int, narrow: Narrow = Narrow()) -> Any:
        from aes_tracker.domain.stats import timeline

        return timeline(self.narrowed(narrow), self.today, months)

    def stats(self, q: StatsQuery) -> Any:
        """Compliance per group, or (`q.matrix`) the commitment × party matrix."""
        from aes_tracker.domain.query import resolve_id
        from aes_tracker.domain.stats import GROUPINGS, compliance

        catalog = self.view().catalog
        n = q.narrow
        sources = [resolve_id(catalog.sources, x, "source", "source") for x in n.sources]
        catalog = self.narrowed(Narrow(n.statuses, n.categories, n.parties), catalog)
        by = q.by.lower()
        if q.matrix:
            from aes_tracker.domain.matrix import BY, matrix

            wrong = _("with --matrix, '{value}' is not a grouping; use one of {choices}")
            _grouping(q.by, BY, wrong)
            return matrix(catalog, self.today, by, sources)
        _grouping(q.by, GROUPINGS, _("'{value}' is not a grouping; use one of {choices}"))
        return compliance(catalog, self.today, by, sources)

    def export(self) -> Exported:
        """The whole file as `export` writes it out, read and checked (no cache)."""
        loaded = self.load()
        who = self.who()
        return Exported(loaded.raw, loaded.doc, who.today, who.now)


def _grouping(given: str, choices: Sequence[str], wrong: str) -> None:
    """Refuse `--by` (as given) when its lower case is none of `choices`, saying so in `wrong`."""
    if given.lower() not in choices:
        raise TrackerError(wrong.format(value=given, choices=", ".join(choices)), field="by")
