"""A commitment's history as a change writes it: the entry it appends (who, when, what, the
fields it changed), and the rule for the day an entry is dated.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from aes_tracker.domain.text import check_text
from aes_tracker.errors import TrackerError
from aes_tracker.i18n import _

if TYPE_CHECKING:
    from aes_tracker.domain.draft import Draft, Entry, Who
    from aes_tracker.domain.model import Change, Commitment

HISTORY_BEFORE_SOURCE = 366  # days an event may be dated before its commitment's source


def history_entry(
    kind: str,
    on: date,
    status: str,
    who: Who,
    *,
    note: str = "",
    evidence: Sequence[str] = (),
    host: str = "",
    changes: Sequence[Change] = (),
    party: str = "",
    place: str = "",
) -> dict[str, Any]:
    ev: dict[str, Any] = {"on": on, "at": who.now, "by": who.by, "event": kind}
    if party:
        ev["party"] = party
    ev["status"] = status
    if note:
        ev["note"] = note
    if evidence:
        ev["evidence"] = list(evidence)
    if host:
        ev["host"] = host
    if place:
        ev["place"] = place
    if changes:
        # One readable line per field, "due: 2026-01-15 → 2026-04-03", so that the history reads
        # well in the file and in `git diff`; ∅ stands for "not set".
        ev["changes"] = [c.text() for c in changes]
    return ev


def history_of(t: dict[str, Any]) -> list[dict[str, Any]]:
    h = t.setdefault("history", [])
    assert isinstance(h, list)
    return h


def changes_text(changes: Sequence[Change]) -> str:
    return "; ".join(c.text() for c in changes)


def check_on(on: date, c: Commitment, source_day: date | None, today: date) -> date:
    """A history date must not be after today, nor more than a year before the commitment's
    source (a typo in the year, most likely)."""
    if on > today:
        raise TrackerError(
            _("{day} is after today ({today}): record what has happened").format(
                day=on.isoformat(), today=today.isoformat()
            ),
            field="on",
        )
    if source_day is not None and on < source_day - timedelta(days=HISTORY_BEFORE_SOURCE):
        raise TrackerError(
            _("{day} is more than a year before the commitment's source ({source})").format(
                day=on.isoformat(), source=source_day.isoformat()
            ),
            field="on",
        )
    return on


def source_day(d: Draft, c: Commitment) -> date | None:
    s = d.sources().get(c.source)
    return None if s is None else s.date


def commitment_for(d: Draft, cid: str, who: Who, e: Entry) -> Commitment:
    """The commitment an entry is recorded on, once the entry's day (`check_on`) and its note
    (when it has one) are checked."""
    c = d.commitment(cid)
    check_on(e.on, c, source_day(d, c), who.today)
    if e.note:
        check_text(e.note, "note")
    return c
