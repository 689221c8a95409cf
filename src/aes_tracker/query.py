"""Selecting, sorting and describing commitments as plain rows: pure, `today` passed in."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta

from aes_tracker.dates import add, days_left, is_overdue
from aes_tracker.model import Category, Commitment, Status
from aes_tracker.ops import fold

# The keys of a commitment in `list --format json|csv`, in this order; stable for scripts.
LIST_KEYS = (
    "id",
    "title",
    "category",
    "parties",
    "beneficiaries",
    "status",
    "open",
    "due",
    "original_due",
    "slip_days",
    "days_left",
    "overdue",
    "review",
    "review_due",
    "recur",
    "next_host",
    "source",
    "updated",
)
SORT_KEYS = ("due", "id", "status", "category", "updated")
_STATUS_ORDER = {s: i for i, s in enumerate(Status)}
_FAR = date.max


def _iso(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


def row(c: Commitment, today: date) -> dict[str, Any]:
    """A commitment as a flat dict with the LIST_KEYS, JSON-ready."""
    slip = (c.due - c.original_due).days if c.due and c.original_due else None
    return {
        "id": c.id,
        "title": c.title,
        "category": c.category.value,
        "parties": list(c.parties),
        "beneficiaries": list(c.beneficiaries),
        "status": c.status.value,
        "open": c.is_open,
        "due": _iso(c.due),
        "original_due": _iso(c.original_due),
        "slip_days": slip,
        "days_left": None if c.due is None else days_left(c.due, today),
        "overdue": is_overdue(c.due, c.is_open, today),
        "review": _iso(c.review),
        "review_due": review_due(c, today),
        "recur": c.recur or None,
        "next_host": c.next_host or None,
        "source": c.source,
        "updated": _iso(c.updated),
    }


def review_due(c: Commitment, today: date, end: date | None = None) -> bool:
    """An open commitment with no deadline whose review date has come (or comes by `end`)."""
    return c.is_open and c.due is None and c.review is not None and c.review <= (end or today)


@dataclass(frozen=True)
class Filter:
    statuses: Sequence[Status] = ()
    categories: Sequence[Category] = ()
    parties: Sequence[str] = ()
    sources: Sequence[str] = ()
    overdue: bool = False
    due_within: relativedelta | None = None
    due_before: date | None = None
    due_after: date | None = None
    search: str = ""
    open: bool | None = None  # True: open only; False: closed only

    def matcher(self, today: date) -> Any:
        statuses = set(self.statuses)
        categories = set(self.categories)
        parties = {p.casefold() for p in self.parties}
        sources = set(self.sources)
        needle = fold(self.search) if self.search else ""
        end = add(today, self.due_within) if self.due_within is not None else None

        def match(c: Commitment) -> bool:
            if statuses and c.status not in statuses:
                return False
            if categories and c.category not in categories:
                return False
            if parties and not parties.intersection(p.casefold() for p in c.parties):
                return False
            if sources and c.source not in sources:
                return False
            if self.open is not None and c.is_open != self.open:
                return False
            if self.overdue and not is_overdue(c.due, c.is_open, today):
                return False
            if end is not None and (c.due is None or c.due > end):
                return False
            if self.due_before is not None and (c.due is None or c.due >= self.due_before):
                return False
            if self.due_after is not None and (c.due is None or c.due <= self.due_after):
                return False
            return not needle or needle in _haystack(c)

        return match


def _haystack(c: Commitment) -> str:
    parts = [c.title, c.quote, c.notes, *(e.note for e in c.history)]
    return fold("\n".join(parts))


def select(commitments: Iterable[Commitment], today: date, f: Filter) -> list[Commitment]:
    match = f.matcher(today)
    return [c for c in commitments if match(c)]


def sort(cs: list[Commitment], key: str = "due", reverse: bool = False) -> list[Commitment]:
    if key == "due":
        # Dated ones first by due date, then undated ones by review date, then ID.
        def k(c: Commitment) -> Any:
            return (c.due is None, c.due or c.review or _FAR, c.id)
    elif key == "id":

        def k(c: Commitment) -> Any:
            return c.id
    elif key == "status":

        def k(c: Commitment) -> Any:
            return (_STATUS_ORDER[c.status], c.id)
    elif key == "category":

        def k(c: Commitment) -> Any:
            return (c.category.value, c.id)
    elif key == "updated":

        def k(c: Commitment) -> Any:
            return (c.updated or date.min, c.id)
    else:
        raise ValueError(key)
    return sorted(cs, key=k, reverse=reverse)


def due_soon(
    commitments: Iterable[Commitment], today: date, within: relativedelta
) -> list[Commitment]:
    """Open commitments overdue or due by today + within, and open undated ones whose review date
    falls by then: the overdue ones first, most overdue first, then by date."""
    end = add(today, within)
    out = [
        c
        for c in commitments
        if c.is_open and ((c.due is not None and c.due <= end) or review_due(c, today, end))
    ]
    return sorted(
        out,
        key=lambda c: (not is_overdue(c.due, c.is_open, today), c.due or c.review or _FAR, c.id),
    )
