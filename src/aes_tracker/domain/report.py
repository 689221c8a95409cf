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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from aes_tracker.domain.dates import add, is_overdue
from aes_tracker.domain.model import Catalog, Commitment, Event, Summary
from aes_tracker.domain.query import review_due, review_soon, row
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


def _sessions(c: Summary, today: date) -> dict[str, Any]:
    """The consultation's last session with how late it was held for its slot, and the slots
    missed: as `show` and `timeline` count them."""
    from aes_tracker.domain.recurrence import missed_slots, schedule

    start = c.recur_start or c.due
    last, late = None, None
    if c.occurrences and start is not None:
        last = max(d for d, _h in c.occurrences)
        slot = schedule(c.recur, start, [d for d, _h in c.occurrences]).slot_of(last)
        late = (last - slot).days if slot is not None else None
    return {
        "last_held": last.isoformat() if last else None,
        "last_days_late": late,
        "missed": [d.isoformat() for d in missed_slots(c, today)],
    }


def _by_due(c: Summary) -> tuple[date | None, str]:
    return (c.due, c.id)


def _by_review(c: Summary) -> tuple[date | None, str]:
    return (c.review, c.id)


def build(
    catalog: Catalog,
    w: Window,
    details: Callable[[Iterable[str]], list[Commitment]],
) -> dict[str, Any]:
    """The report as JSON-ready data. `details` gives commitments in full; it is asked only for
    those with a history entry in the window (the summaries carry the days)."""
    today = w.as_of
    cs = list(catalog.commitments.values())
    # The openness of each status looked up once, not once per commitment and section.
    opens = {s.name: s.open for s in statuses()}
    live = [c for c in cs if opens.get(c.status, False)]
    dated = [c for c in live if c.due is not None]
    undated = [c for c in live if c.due is None and c.review is not None]
    overdue = sorted((c for c in dated if is_overdue(c.due, True, today)), key=_by_due)
    coming = sorted((c for c in dated if today <= c.due <= w.until), key=_by_due)  # type: ignore[operator]
    reviews = sorted((c for c in undated if review_due(c, today)), key=_by_review)
    soon = sorted((c for c in undated if review_soon(c, today, w.until)), key=_by_review)

    def item(c: Summary) -> dict[str, Any]:
        r = row(c, today, True, groups=catalog.groups)
        r["days_overdue"] = -r["days_left"] if r["overdue"] else None
        return r

    # `days` is sorted: the first day on or after the window's start tells.
    touched = [
        c.id
        for c in cs
        if c.days and c.days[-1] >= w.since and c.days[bisect_left(c.days, w.since)] <= today
    ]
    changed = [
        change_item(full, e) for full in details(touched) for e in full.history if in_window(e, w)
    ]
    changed.sort(key=lambda x: (x["on"], x["at"] or "", x["id"]))
    consultations = [
        {**consultation_record(c, today), **_sessions(c, today)}
        for c in sorted((c for c in live if c.recur), key=lambda c: (c.due or date.max, c.id))
    ]
    by_status = {s.name: 0 for s in statuses()}
    by_category = {k.name: 0 for k in categories()}
    for c in cs:
        by_status[c.status] = by_status.get(c.status, 0) + 1
        by_category[c.category] = by_category.get(c.category, 0) + 1
    sections: dict[str, list[dict[str, Any]]] = {
        "overdue": [item(c) for c in overdue],
        "due_soon": [item(c) for c in coming],
        "review_due": [item(c) for c in reviews],
        "review_soon": [item(c) for c in soon],
        "changed": changed,
        "next_consultation": consultations,
    }
    return {
        "as_of": today.isoformat(),
        "since": w.since.isoformat(),
        "within": w.until.isoformat(),
        **sections,
        "summary": {
            "total": len(cs),
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
