"""The commitment × party compliance matrix, as the G7/G20 Research Group publishes it: one row
per commitment, one column per party (or, `by="member"`, per member state, each group replaced
by its members), a score in each cell, the row average (the commitment's compliance), the column
average (the party's) and the overall average. Pure: today passed in, plain data out.

By party, the columns are the parties the commitments name, and a cell is filled where its
commitment names that party (a member of the AES named on one commitment gets a column of its own,
but its share of the AES's commitments is in the AES's column). By member, each group named is
replaced by its members. A cell's status is the party's own (parties.party_status): its own
assessment, else its group's, else the commitment's status. Its score is the status registry's
(statuses.STATUSES), the same as `stats`:

- done: +1 (full compliance);
- partial: 0; in_progress: 0 (partial compliance, or work in progress);
- stalled, broken: -1 (non-compliance); pending or in_progress once overdue: -1;
- not scored: dropped (withdrawn or superseded: no one failed to comply), and pending before its
  due date or with no deadline at all (too early to judge: the Research Group assesses a
  commitment at the end of its compliance period, and a review date is not a deadline).

A blank cell says why in `why`: `not_a_party`, the unscored status's name (`dropped`),
`not_yet_due` or `no_deadline`. Averages are over the scored cells only; the overall average is
the average of every scored cell (not of the row averages, which would weigh a commitment of one
party as much as one of five).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from aes_tracker.domain.dates import is_overdue
from aes_tracker.domain.model import Catalog, Summary
from aes_tracker.domain.parties import concerned, expand, party_status
from aes_tracker.domain.stats import select_sources
from aes_tracker.domain.statuses import is_open, score, statuses

BY = ("party", "member")

# Why a cell is blank. In the JSON as they are here: machine output is the same in every language.
NOT_A_PARTY = "not_a_party"
NOT_YET_DUE = "not_yet_due"
NO_DEADLINE = "no_deadline"
REASONS = {
    NOT_A_PARTY: "not bound by this commitment",
    NOT_YET_DUE: "pending and not yet due: too early to judge",
    NO_DEADLINE: "pending, and the text gives no deadline: nothing to judge yet",
}


def _average(scores: Sequence[int]) -> float | None:
    return round(sum(scores) / len(scores), 4) if scores else None


def scoring() -> dict[str, Any]:
    """The rule, for the JSON: each status's score (and an open one's once overdue), and what
    each reason for a blank cell means."""
    out: dict[str, Any] = {}
    for s in statuses():
        entry: dict[str, Any] = {"open": s.open, "score": s.score}
        if s.open:
            entry["score_overdue"] = s.score_overdue
        out[s.name] = entry
    reasons = dict(REASONS)
    for s in statuses():
        if not s.open and s.score is None:
            reasons[s.name] = f"{s.meaning}: not a failure to comply"
    return {
        "method": "G7/G20 Research Group: +1 full compliance, 0 partial compliance or work in "
        "progress, -1 non-compliance",
        "statuses": out,
        "unscored": reasons,
    }


def _cell(c: Summary, party: str, catalog: Catalog, today: date, by: str) -> dict[str, Any]:
    # By party, a party is bound where the commitment names it (a member of the AES is counted
    # in the AES's column there); by member, where it or its group is named.
    bound = party in c.parties if by == "party" else concerned(c, party, catalog.groups)
    if not bound:
        return {
            "party": party,
            "status": None,
            "from": None,
            "via": None,
            "score": None,
            "why": NOT_A_PARTY,
        }
    ps = party_status(c, party, catalog.groups)
    late = is_overdue(c.due, is_open(ps.status), today)
    value = score(ps.status, late)
    why = None
    if value is None:
        why = ps.status if not is_open(ps.status) else NO_DEADLINE if c.due is None else NOT_YET_DUE
    return {
        "party": party,
        "status": ps.status,
        "from": ps.source,
        "via": ps.via or None,
        "score": value,
        "why": why,
    }


def columns(cs: Sequence[Summary], catalog: Catalog, by: str) -> list[str]:
    """The parties of these commitments (by member: each group replaced by its members), in the
    order of the file's list of parties."""
    seen: set[str] = set()
    for c in cs:
        seen.update(c.parties if by == "party" else expand(c.parties, catalog.groups))
    order = {p: i for i, p in enumerate(catalog.parties)}
    return sorted(seen, key=lambda p: (order.get(p, len(order)), p))


def matrix(
    catalog: Catalog, today: date, by: str = "party", sources: Sequence[str] = ()
) -> dict[str, Any]:
    """The matrix as JSON-ready data: `columns` (each party with its average), `rows` (each
    commitment with its cells and average), `overall`, and the `scoring` rule."""
    if by not in BY:
        raise ValueError(by)
    cs = sorted(select_sources(catalog, sources), key=lambda c: c.id)
    parties = columns(cs, catalog, by)
    rows = []
    by_column: dict[str, list[int]] = {p: [] for p in parties}
    every: list[int] = []
    for c in cs:
        cells = [_cell(c, p, catalog, today, by) for p in parties]
        scored = [x["score"] for x in cells if x["score"] is not None]
        for x in cells:
            if x["score"] is not None:
                by_column[x["party"]].append(x["score"])
        every += scored
        rows.append(
            {
                "id": c.id,
                "title": c.title,
                "title_fr": c.title_fr or None,
                "source": c.source,
                "status": c.status,
                "due": c.due.isoformat() if c.due else None,
                "cells": cells,
                "scored": len(scored),
                "average": _average(scored),
            }
        )
    cols = []
    for p in parties:
        group = [g for g, members in catalog.groups.items() if p in members]
        cols.append(
            {
                "party": p,
                "members": list(catalog.groups[p]) if p in catalog.groups else None,
                "member_of": group or None,
                "scored": len(by_column[p]),
                "average": _average(by_column[p]),
            }
        )
    return {
        "as_of": today.isoformat(),
        "by": by,
        "sources": list(sources),
        "columns": cols,
        "rows": rows,
        "overall": {"scored": len(every), "average": _average(every)},
        "scoring": scoring(),
    }
