"""Compliance at a glance, and a month-by-month timeline: pure functions, today passed in.

The compliance score follows the G7/G20 Research Group's style, averaged over a group's scored
commitments. Each status's score is declared with the status (statuses.STATUSES):

- done: +1
- partial: 0; in_progress (not overdue): 0
- broken: -1; stalled: -1; open (pending or in_progress) and overdue: -1
- dropped, and open commitments not yet due (or with no deadline): not scored

A commitment with several parties counts once for each of them, `--by party` with each party's
own status: its own assessment where one is recorded, else its group's, else the commitment's
(parties.party_status). `--by member` does the same with each group replaced by its members.
The member × commitment matrix is in matrix.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta

from aes_tracker.domain.dates import add as shift
from aes_tracker.domain.dates import is_overdue
from aes_tracker.domain.model import Catalog, Summary
from aes_tracker.domain.parties import Groups, expand, party_statuses
from aes_tracker.domain.records import timeline_entry
from aes_tracker.domain.recurrence import missed_slots, owed_slot, schedule, slots
from aes_tracker.domain.statuses import DONE, categories, is_open, score, statuses

GROUPINGS = ("party", "member", "category", "source")


def status_score(status: str, due: date | None, today: date) -> int | None:
    """The score of a status on a commitment due on `due`: an open status is judged overdue
    from the day after the due date."""
    return score(status, is_overdue(due, is_open(status), today))


def _keys(c: Summary, by: str, groups: Groups) -> Iterable[tuple[str, str]]:
    """The groups a commitment counts in, each with the status it counts with there."""
    if by == "party":
        return ((ps.party, ps.status) for ps in party_statuses(c, c.parties, groups))
    if by == "member":
        # Each group replaced by its member states, each with its own assessment where it has
        # one, else its group's (as the matrix's member columns).
        return (
            (ps.party, ps.status) for ps in party_statuses(c, expand(c.parties, groups), groups)
        )
    if by == "category":
        return ((c.category, c.status),)
    return ((c.source, c.status),)


def select_sources(catalog: Catalog, sources: Sequence[str]) -> list[Summary]:
    """The commitments of these sources (all of them when none is given)."""
    wanted = set(sources)
    return [c for c in catalog.commitments.values() if not wanted or c.source in wanted]


def compliance(
    catalog: Catalog, today: date, by: str = "party", sources: Sequence[str] = ()
) -> dict[str, Any]:
    if by not in GROUPINGS:
        raise ValueError(by)
    groups: dict[str, list[tuple[Summary, str]]] = {}
    if by == "category":
        groups = {k.name: [] for k in categories()}
    for c in select_sources(catalog, sources):
        for k, status in _keys(c, by, catalog.groups):
            groups.setdefault(k, []).append((c, status))
    out = []
    for name in sorted(groups) if by != "category" else list(groups):
        cs = groups[name]
        by_status: dict[str, int] = {s.name: 0 for s in statuses()}
        for _c, st in cs:
            by_status[st] = by_status.get(st, 0) + 1
        scores = (status_score(st, c.due, today) for c, st in cs)
        scored = [s for s in scores if s is not None]
        closed = sum(not is_open(st) for _c, st in cs)
        out.append(
            {
                "group": name,
                "total": len(cs),
                "by_status": by_status,
                "closed": closed,
                "share_closed": round(closed / len(cs), 4) if cs else None,
                "overdue": sum(is_overdue(c.due, is_open(st), today) for c, st in cs),
                "scored": len(scored),
                "average": round(sum(scored) / len(scored), 4) if scored else None,
            }
        )
    return {"as_of": today.isoformat(), "by": by, "groups": out}


def _month(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def timeline(catalog: Catalog, today: date, months: int = 6) -> dict[str, Any]:
    """Each month from `months` before to `months` after today, with the commitments due in it
    (status: overdue, due, done, or closed; `original_due` where the date slipped), the open
    undated ones' review dates (status: review) and the recurring ones' sessions: held, and
    expected with their expected host."""
    month = date(today.year, today.month, 1)
    first = shift(month, relativedelta(months=-months))
    after = shift(month, relativedelta(months=months + 1))
    last = after - timedelta(days=1) if after != date.max else date.max
    rows: dict[str, list[dict[str, Any]]] = {}
    m = first
    while m <= last:
        rows[_month(m)] = []
        nxt = shift(m, relativedelta(months=1))
        if nxt <= m:  # the calendar's end
            break
        m = nxt

    def put(entry: dict[str, Any]) -> None:
        """An entry (`timeline_entry`), in its month when its day is inside the window."""
        day = date.fromisoformat(entry["due"])
        if first <= day <= last:
            rows[_month(day)].append(entry)

    for c in catalog.commitments.values():
        # A recurring one's sessions, each with the slot it filled (as `show` has them), and the
        # slots passed without one: shown as missed, not as still due.
        start = c.recur_start or c.due
        filled: dict[date, date] = {}
        missed: list[date] = []
        due = c.due
        if c.recur and start is not None:
            filled = dict(schedule(c.recur, start, [d for d, _h in c.occurrences]).filled)
            missed = missed_slots(c, today)
            due = owed_slot(c, today, missed)
        for day in missed:
            put(timeline_entry(c, day, "missed"))
        if due is not None:
            state = (
                "overdue"
                if is_overdue(due, c.is_open, today)
                else "due"
                if c.is_open
                else "done"
                if c.status == DONE
                else "closed"
            )
            # Where the date slipped: the first due date, so a chart can draw the slip.
            slip = c.original_due if c.original_due and c.original_due != c.due else None
            put(timeline_entry(c, due, state, c.next_host, slip))
        elif c.review is not None and c.is_open:
            # An undated commitment: its review date is the analyst's next look at it.
            put(timeline_entry(c, c.review, "review"))
        for day, host in c.occurrences:
            # Days after the slot it filled (negative: before it), as `show` says.
            late = (day - filled[day]).days if day in filled else None
            put(timeline_entry(c, day, "held", host, days_late=late))
        if c.recur and due is not None and c.is_open:
            # The sessions expected after the next due one, inside the window, with the
            # rotation of hosts carried on.
            hosts, host = list(c.hosts), c.next_host
            for day in slots(c.recur, start or due):
                if day <= due:
                    continue
                if day > last:
                    break
                if hosts and host in hosts:
                    host = hosts[(hosts.index(host) + 1) % len(hosts)]
                put(timeline_entry(c, day, "expected", host))
    for items in rows.values():
        items.sort(key=lambda x: (x["due"], x["id"]))
    return {
        "as_of": today.isoformat(),
        "months": [{"month": k, "items": v} for k, v in rows.items()],
    }
