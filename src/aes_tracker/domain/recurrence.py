"""Recurring commitments (the annual consultations): the rule, and the schedule that follows from
the sessions actually held. Pure: nothing here reads the clock or the file.

The next due date and the next expected host are a function of the rule, its start, the host
rotation and the recorded sessions only, never of the previous due date. So recording a session
twice, undoing, re-recording or merging two analysts' records cannot make the schedule drift.

- The rule gives the expected dates: slot 0 is `recur_start`, then one per period.
- Each recorded session (one per day) fills the slot nearest to its date that comes after the
  slot filled by the session before it. A session held late (12 May for 3 April) fills that
  year's slot; a year with no session is skipped, not owed twice.
- The next due date is the slot after the last filled one; None when the rule has ended
  (COUNT or UNTIL reached).
- The hosts take turns per session held: with hosts = [A, B], the first session is A's, the
  second B's, and so on, whatever the calendar says.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from aes_tracker.errors import DateError
from aes_tracker.i18n import _

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


@dataclass(frozen=True)
class Schedule:
    next_due: date | None  # None: the rule has ended
    next_host: str
    held: int  # sessions recorded
    filled: tuple[tuple[date, date], ...]  # (session day, the slot it filled)


def schedule(
    rule: str, start: date, sessions: Sequence[date], hosts: Sequence[str] = ()
) -> Schedule:
    days = sorted(set(sessions))
    gen = slots(rule, start)
    cache: list[date] = []

    def slot(k: int) -> date | None:
        while len(cache) <= k:
            nxt = next(gen, None)
            if nxt is None:
                return None
            cache.append(nxt)
        return cache[k]

    filled: list[tuple[date, date]] = []
    k = -1
    for day in days:
        k += 1
        here = slot(k)
        if here is None:
            break
        # Move on while the next slot is nearer to this session (ties stay with the earlier).
        while True:
            there = slot(k + 1)
            if there is None or abs((there - day).days) >= abs((here - day).days):
                break
            k += 1
            here = there
        filled.append((day, here))
    nxt = slot(k + 1)
    host = hosts[len(days) % len(hosts)] if hosts else ""
    return Schedule(nxt, host, len(days), tuple(filled))
