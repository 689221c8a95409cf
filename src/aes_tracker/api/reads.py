"""The reading commands: plain data, no wording."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from aes_tracker.api.base import Base
from aes_tracker.api.types import (
    Detail,
    ListQuery,
    LogQuery,
    StatsQuery,
    maybe_day,
    since_day,
    window,
)
from aes_tracker.errors import TrackerError
from aes_tracker.i18n import _

if TYPE_CHECKING:
    from aes_tracker.domain.query import RowList


class Reads(Base):
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
