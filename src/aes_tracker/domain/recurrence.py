"""Recurring commitments (the annual consultations): the rule, and the schedule that follows from
the sessions actually held. Pure: nothing here reads the clock or the file.

The next due date and the next expected host are a function of the rule, its start, the host
rotation and the recorded sessions only, never of the previous due date. So recording a session
twice, undoing, re-recording or merging two analysts' records cannot make the schedule drift.

- The rule gives the expected dates: slot 0 is `recur_start`, then one per period.
- Each recorded session (one per day, in date order) fills the oldest slot still owed: the
  first slot after the one the session before it filled, as long as the slot after that one
  has not come yet. A session held late (5 October for 3 April) fills that year's slot and is
  shown "held 185 days late", however near the next year's it falls. A slot whose next slot
  came without a session for it is missed: the next session fills the next slot, and a missed
  year is never owed twice. A session before its slot fills it early.
- The next due date is the slot after the last filled one; None when the rule has ended
  (COUNT or UNTIL reached).
- A new session that would fill a slot early while the session before it is less than half a
  period before it is the same meeting recorded twice, or an extra one: `extra_for` says so,
  and the change refuses it unless forced.
- The hosts take turns per session held: with hosts = [A, B], the first session is A's, the
  second B's, and so on, whatever the calendar says.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from aes_tracker.errors import DateError
from aes_tracker.i18n import _, ngettext

if TYPE_CHECKING:
    from aes_tracker.domain.model import Commitment, Summary

_LIMIT = 100_000  # slots looked at, at most: a daily rule over centuries ends here


def check_rule(rule: str) -> None:
    """Raise DateError unless `rule` is 'yearly' or a valid RFC 5545 RRULE."""
    _rule(rule, date(2000, 1, 1))


def _rule(rule: str, start: date) -> Any:
    from dateutil import rrule

    dt = datetime(start.year, start.month, start.day)
    r = rule.strip()
    # One line, no blanks inside: dateutil reads "FREQ=YEARLY\nFREQ=MONTHLY" as two rules (and
    # iCalendar then writes an empty RRULE), and "yearly\n" would not be the word yearly to
    # every other reader of the file.
    if r != rule or any(ch.isspace() for ch in r):
        escaped = rule.replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")
        raise DateError(
            _("'{value}' is not a recurrence").format(value=escaped),
            hint=_("write yearly, or an RRULE such as FREQ=YEARLY;INTERVAL=2"),
            field="recur",
        )
    if r.lower() == "yearly":
        return rrule.rrule(rrule.YEARLY, dtstart=dt)
    body = r[6:] if r.upper().startswith("RRULE:") else r
    if "=" not in body:
        raise DateError(
            _("'{value}' is not a recurrence").format(value=rule),
            hint=_("write yearly, or an RRULE such as FREQ=YEARLY;INTERVAL=2"),
            field="recur",
        )
    try:
        return rrule.rrulestr(body, dtstart=dt)
    except (ValueError, TypeError, KeyError, IndexError, OverflowError):
        raise DateError(
            _("'{value}' is not a recurrence").format(value=rule),
            hint=_("write yearly, or an RRULE such as FREQ=YEARLY;INTERVAL=2"),
            field="recur",
        ) from None


def slots(rule: str, start: date) -> Iterator[date]:
    """The rule's dates from `start` on, `start` first."""
    yielded = 0
    try:
        for dt in _rule(rule, start):
            if yielded >= _LIMIT:
                return
            yield dt.date()
            yielded += 1
    except (ValueError, OverflowError):  # the calendar's end
        return


class Schedule(NamedTuple):
    next_due: date | None  # None: the rule has ended
    next_host: str
    held: int  # sessions recorded
    filled: tuple[tuple[date, date], ...]  # (session day, the slot it filled)
    missed: tuple[date, ...] = ()  # slots passed without a session, before the last filled one

    def slot_of(self, day: date) -> date | None:
        """The slot the session held on `day` filled."""
        return dict(self.filled).get(day)


class _Slots:
    """The rule's slots, generated as far as they are asked for."""

    def __init__(self, rule: str, start: date) -> None:
        self._gen = slots(rule, start)
        self._cache: list[date] = []

    def __call__(self, k: int) -> date | None:
        while len(self._cache) <= k:
            nxt = next(self._gen, None)
            if nxt is None:
                return None
            self._cache.append(nxt)
        return self._cache[k]


def _fill(slot: _Slots, days: Sequence[date]) -> tuple[list[tuple[date, date]], list[date], int]:
    """(session, slot) for each session, the slots missed, and the index of the last filled."""
    filled: list[tuple[date, date]] = []
    missed: list[date] = []
    k = -1
    for day in days:
        k += 1
        here = slot(k)
        if here is None:
            break
        # Passed over while the next slot has already come (on that day, it is the next's).
        while True:
            there = slot(k + 1)
            if there is None or day < there:
                break
            missed.append(here)
            k += 1
            here = there
        filled.append((day, here))
    return filled, missed, k


def schedule(
    rule: str, start: date, sessions: Sequence[date], hosts: Sequence[str] = ()
) -> Schedule:
    days = sorted(set(sessions))
    slot = _Slots(rule, start)
    filled, missed, k = _fill(slot, days)
    nxt = slot(k + 1)
    host = hosts[len(days) % len(hosts)] if hosts else ""
    return Schedule(nxt, host, len(days), tuple(filled), tuple(missed))


def extra_for(
    rule: str, start: date, sessions: Sequence[date], day: date
) -> tuple[date, date] | None:
    """When a new session on `day` would fill a slot early, less than half a period after the
    session before it: (that session, the slot it filled). None when it fills an owed slot."""
    days = sorted(set(sessions))
    before = [d for d in days if d < day]
    if not before:
        return None
    slot = _Slots(rule, start)
    filled, _missed, _k = _fill(slot, [*before, day])
    if len(filled) <= len(before):
        return None
    last_day, last_slot = filled[-2] if len(filled) > 1 else (before[-1], None)
    new_slot = filled[-1][1]
    if last_slot is None or new_slot <= day:
        return None
    half = (new_slot - last_slot) / 2
    return (last_day, last_slot) if day - last_day < half else None


def session_slot(c: Commitment, day: date) -> tuple[date | None, int]:
    """The slot the session held on `day` filled, and how many days after it it was held
    (negative: before it); (None, 0) when it filled none."""
    start = c.recur_start or c.due
    if not c.recur or start is None:
        return None, 0
    slot = schedule(c.recur, start, [d for d, _h in c.occurrences]).slot_of(day)
    return slot, (day - slot).days if slot is not None else 0


def session_timing(c: Commitment, day: date) -> str:
    """ "held 185 days late", "held 33 days early", or "" when on the day."""
    _slot, late = session_slot(c, day)
    if late > 0:
        return ngettext("held {n} day late", "held {n} days late", late).format(n=late)
    if late < 0:
        return ngettext("held {n} day early", "held {n} days early", -late).format(n=-late)
    return ""


def owed_slot(c: Commitment | Summary, today: date, missed: list[date]) -> date | None:
    """The session owed now, given `missed` (`missed_slots`): the due date, or, once that slot
    is missed (the one after it has come), the slot after the last one missed; None when the
    rule has ended. `show`'s next session, the report's next consultation and the timeline's
    overdue or due slot are this one."""
    due = c.due
    if not c.recur or due is None or due not in missed:
        return due
    return next((s for s in slots(c.recur, c.recur_start or due) if s > missed[-1]), None)


def missed_slots(c: Commitment | Summary, today: date) -> list[date]:
    """The slots passed without a session: passed over by a later session, or owed while the
    slot after them has come by `today`."""
    start = c.recur_start or c.due
    if not c.recur or start is None:
        return []
    sch = schedule(c.recur, start, [d for d, _h in c.occurrences])
    out = list(sch.missed)
    if sch.next_due is None:
        return out
    owed: date | None = None
    for s in slots(c.recur, start):
        if s < sch.next_due:
            continue
        if owed is not None:
            if s > today:
                break
            out.append(owed)
        owed = s
    return out
