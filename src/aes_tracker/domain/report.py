"""The weekly report: what is overdue, what is coming, what is up for review, what changed, the
next consultation, and a summary. `build` is pure (today passed in) and returns plain data; the
renderers (render.py) turn it into text, Markdown, JSON or a self-contained HTML page.

The change window is exactly `--since` long and ends today: `7d` is today and the six days
before, so consecutive weekly reports neither overlap nor leave a gap. A history entry belongs
to the window when the day it happened (`on`) or the day it was recorded (`at`) falls in it; an
entry recorded later than the day it happened is marked as backdated and shows both dates.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from aes_tracker.domain.dates import add
from aes_tracker.domain.model import Catalog, Commitment, Event, Summary
from aes_tracker.domain.parties import Groups
from aes_tracker.domain.query import Columns, SummaryColumns, row
from aes_tracker.domain.records import consultation_record, event_record
from aes_tracker.domain.statuses import categories, statuses

SECTIONS = ("overdue", "due_soon", "review_due", "review_soon", "changed", "next_consultation")


@dataclass(frozen=True)
class Window:
    as_of: date
    since: date  # first day of the change window (included)
    until: date  # last day of the look-ahead window (included)


def window(as_of: date, since: date, within: Any) -> Window:
    return Window(as_of, since, add(as_of, within))


def in_window(e: Event, w: Window) -> bool:
    if w.since <= e.on <= w.as_of:
        return True
    return e.at is not None and w.since <= e.at.date() <= w.as_of


def change_item(c: Commitment, e: Event) -> dict[str, Any]:
    """One history entry as a row of the Changed section (and of `log`)."""
    recorded = e.at.date() if e.at is not None else None
    about = {"id": c.id, "title": c.title, "title_fr": c.title_fr or None}
    return {
        **event_record(e, about),
        "backdated": recorded is not None and recorded > e.on,
    }


def item(c: Summary, today: date, groups: Groups) -> dict[str, Any]:
    """An open commitment as an item of the report's first four sections: its row (`list`'s),
    and how many days overdue it is."""
    r = row(c, today, True, groups=groups)
    r["days_overdue"] = -r["days_left"] if r["overdue"] else None
    return r


def open_items(
    cols: Columns, sections: Sequence[list[int]], today: date, groups: Groups
) -> list[list[dict[str, Any]]]:
    """`item` of each open commitment each of `sections` picks: only those picked are made into
    summaries (a row is `list`'s row, made in one place: `query.row`)."""
    return [[item(cols.summary(i), today, groups) for i in index] for index in sections]


def build(
    catalog: Catalog,
    w: Window,
    details: Callable[[Iterable[str]], list[Commitment]],
) -> dict[str, Any]:
    """The report as JSON-ready data. `details` gives commitments in full; it is asked only for
    those with a history entry in the window (the summaries carry the days). The sections'
    commitments are picked from the summaries' columns (the parse cache's as they are, on a
    warm read), and only those picked are made into summaries and rows."""
    today = w.as_of
    every = catalog.commitments
    cols = every if isinstance(every, Columns) else SummaryColumns(list(every.values()))
    ids, status = cols.field("id"), cols.field("status")
    due, review = cols.field("due"), cols.field("review")
    # The openness of each status looked up once, not once per commitment and section.
    opens = {s.name: s.open for s in statuses()}
    live = [i for i, s in enumerate(status) if opens.get(s, False)]
    dated = [i for i in live if due[i] is not None]
    undated = [i for i in live if due[i] is None and review[i] is not None]

    def by_due(i: int) -> tuple[date, str]:
        return (due[i], ids[i])

    def by_review(i: int) -> tuple[date, str]:
        return (review[i], ids[i])

    overdue = sorted((i for i in dated if due[i] < today), key=by_due)
    coming = sorted((i for i in dated if today <= due[i] <= w.until), key=by_due)
    reviews = sorted((i for i in undated if review[i] <= today), key=by_review)
    soon = sorted((i for i in undated if today < review[i] <= w.until), key=by_review)

    # `days` is sorted: the first day on or after the window's start tells.
    touched = [
        ids[i]
        for i, days in enumerate(cols.field("days"))
        if days and days[-1] >= w.since and days[bisect_left(days, w.since)] <= today
    ]
    changed = [
        change_item(full, e) for full in details(touched) for e in full.history if in_window(e, w)
    ]
    changed.sort(key=lambda x: (x["on"], x["at"] or "", x["id"]))
    recur = cols.field("recur")
    consultations = [
        consultation_record(c, today)
        for c in map(
            cols.summary,
            sorted((i for i in live if recur[i]), key=lambda i: (due[i] or date.max, ids[i])),
        )
    ]
    by_status = {s.name: 0 for s in statuses()}
    by_category = {k.name: 0 for k in categories()}
    # Counted in the order each is first met, as one commitment at a time would.
    for counts, values in ((by_status, status), (by_category, cols.field("category"))):
        for k, n in Counter(values).items():
            counts[k] = counts.get(k, 0) + n
    items = open_items(cols, (overdue, coming, reviews, soon), today, catalog.groups)
    sections: dict[str, list[dict[str, Any]]] = {
        **dict(zip(("overdue", "due_soon", "review_due", "review_soon"), items, strict=True)),
        "changed": changed,
        "next_consultation": consultations,
    }
    return {
        "as_of": today.isoformat(),
        "since": w.since.isoformat(),
        "within": w.until.isoformat(),
        **sections,
        "summary": {
            "total": len(cols),
            "open": len(live),
            "overdue": len(overdue),
            "by_status": by_status,
            "by_category": by_category,
            "sections": {k: len(v) for k, v in sections.items()},
        },
    }


def history_log(
    catalog: Catalog,
    details: Callable[[Iterable[str]], list[Commitment]],
    *,
    since: date | None = None,
    until: date | None = None,
    by: str = "",
    ids: Iterable[str] | None = None,
) -> list[dict[str, Any]]:
    """History entries across commitments, newest first: those that happened or were recorded
    between `since` and `until` (both included), by someone whose name contains `by` (any
    case), of the commitments `ids` (all when None)."""
    lo, hi = since or date.min, until or date.max
    w = Window(hi, lo, hi)
    wanted = set(ids) if ids is not None else None
    chosen = [
        c.id
        for c in catalog.commitments.values()
        if (wanted is None or c.id in wanted) and any(lo <= d <= hi for d in c.days)
    ]
    who = by.casefold()
    # Newest first; entries of the same day and second keep the file's order, reversed: the
    # later in the file is the later made.
    found = [
        (n, change_item(full, e))
        for n, (full, e) in enumerate(
            (full, e)
            for full in details(chosen)
            for e in full.history
            if in_window(e, w) and (not who or who in e.by.casefold())
        )
    ]
    found.sort(key=lambda x: (x[1]["on"], x[1]["at"] or "", x[0]), reverse=True)
    return [item for _n, item in found]
