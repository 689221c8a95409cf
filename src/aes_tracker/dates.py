"""Dates the way analysts write them, in one pure module: nothing here reads the clock.

Policy: a date must name its day, month and year, or be relative to `today` (which the caller
passes in). Anything that dateutil would complete or guess silently is refused with a hint:
partial dates ("March 2026": dateutil fills the day from today), day/month-ambiguous numeric forms
("02/03/2026"), impossible dates ("2026-02-30").
"""

from __future__ import annotations

import re
from datetime import date, datetime

from dateutil.relativedelta import relativedelta

from aes_tracker.errors import TrackerError


class DateError(TrackerError):
    pass


HINT = "write 2026-03-02 or 2 March 2026"

_FRENCH_MONTHS = {
    "janvier": "January",
    "janv": "January",
    "février": "February",
    "fevrier": "February",
    "févr": "February",
    "fevr": "February",
    "mars": "March",
    "avril": "April",
    "avr": "April",
    "mai": "May",
    "juin": "June",
    "juillet": "July",
    "juil": "July",
    "août": "August",
    "aout": "August",
    "septembre": "September",
    "sept": "September",
    "octobre": "October",
    "oct": "October",
    "novembre": "November",
    "nov": "November",
    "décembre": "December",
    "decembre": "December",
    "déc": "December",
    "dec": "December",
}
_FRENCH_RE = re.compile(
    r"\b(" + "|".join(sorted(_FRENCH_MONTHS, key=len, reverse=True)) + r")\b\.?"
)
_ISO_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_OFFSET_RE = re.compile(r"^([+-])\s*(\d+)\s*([dwmy])$")
_DURATION_RE = re.compile(r"^\+?(\d+)\s*([dwmy])$")
_NUMERIC_RE = re.compile(r"^\d{1,4}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{1,4}$")
_WORDS = {"today": 0, "tomorrow": 1, "yesterday": -1, "aujourd'hui": 0, "demain": 1, "hier": -1}
_UNITS = {"d": "days", "w": "weeks", "m": "months", "y": "years"}


def _delta(n: int, unit: str) -> relativedelta:
    return relativedelta(**{_UNITS[unit]: n})  # type: ignore[arg-type]


def add(day: date, delta: relativedelta) -> date:
    """`day + delta`, held to the calendar's ends: a window that reaches past the year 9999 (or
    before the year 1) ends there instead of overflowing."""
    try:
        return day + delta
    except (ValueError, OverflowError):
        forward = (delta.years * 12 + delta.months) * 31 + delta.weeks * 7 + delta.days >= 0
        return date.max if forward else date.min


def parse_date(text: str, today: date) -> date:
    """Parse a date as an analyst writes it; `today` anchors the relative forms only."""
    s = " ".join(text.strip().lower().replace("’", "'").split())
    if not s:
        raise DateError("empty date", hint=HINT)
    if s in _WORDS or _OFFSET_RE.match(s):
        m = _OFFSET_RE.match(s)
        delta = (
            relativedelta(days=_WORDS[s])
            if m is None
            else _delta(int(m.group(2)) * (-1 if m.group(1) == "-" else 1), m.group(3))
        )
        try:
            return today + delta
        except (ValueError, OverflowError):
            raise DateError(
                f"'{text}' falls outside the calendar (years 1 to 9999)", hint=HINT
            ) from None
    m = _ISO_RE.match(s)
    if m:
        y, mo, d = (int(g) for g in m.groups())
        try:
            return date(y, mo, d)
        except ValueError:
            raise DateError(
                f"'{text}' is not a real date ({_why_impossible(y, mo, d)})", hint=HINT
            ) from None
    if _NUMERIC_RE.match(s):
        raise DateError(
            f"'{text}' is ambiguous: day and month could be either way round", hint=HINT
        )
    return _parse_words(text, s)


def _why_impossible(y: int, mo: int, d: int) -> str:
    if not 1 <= mo <= 12:
        return f"there is no month {mo}"
    return f"{date(y, mo, 1):%B %Y} has no day {d}"


def _parse_words(text: str, s: str) -> date:
    from dateutil import parser

    s = re.sub(r"\b1er\b", "1", s)
    s = _FRENCH_RE.sub(lambda m: _FRENCH_MONTHS[m.group(1)], s)
    # Two different defaults: if any part of the result follows the default, the text did not
    # give it and dateutil filled it in.
    a, b = datetime(2001, 1, 1), datetime(2002, 2, 2)
    try:
        ra = parser.parse(s, default=a)
        rb = parser.parse(s, default=b)
    except (ValueError, OverflowError) as e:
        reason = str(e).split(":")[0]
        if "out of range" in reason or "must be in" in reason:
            raise DateError(f"'{text}' is not a real date ({reason})", hint=HINT) from None
        raise DateError(f"'{text}' is not a date", hint=HINT) from None
    if ra != rb:
        raise DateError(
            f"'{text}' is not a full date: give the day, the month and the year", hint=HINT
        )
    if ra.time() != datetime.min.time() or ra.tzinfo is not None:
        raise DateError(f"'{text}' has a time of day: give a date only", hint=HINT)
    return ra.date()


def parse_duration(text: str) -> relativedelta:
    """A window such as 7d, 2w, 3m, 1y."""
    m = _DURATION_RE.match(text.strip().lower())
    if not m:
        raise DateError(f"'{text}' is not a duration", hint="write 7d, 2w, 3m or 1y")
    return _delta(int(m.group(1)), m.group(2))


def days_left(due: date, today: date) -> int:
    """Days from today to a due date; negative when overdue. A date-only due date means the end
    of that day, so a commitment due today has 0 days left and is not overdue."""
    return (due - today).days


def is_overdue(due: date | None, is_open: bool, today: date) -> bool:
    return is_open and due is not None and due < today


# ---- recurrence -----


def check_rule(rule: str) -> None:
    """Raise DateError unless `rule` is 'yearly' or a valid RFC 5545 RRULE."""
    _rule(rule, date(2000, 1, 1))


def _rule(rule: str, start: date) -> object:
    from dateutil import rrule

    dt = datetime(start.year, start.month, start.day)
    r = rule.strip()
    if r.lower() == "yearly":
        return rrule.rrule(rrule.YEARLY, dtstart=dt)
    body = r[6:] if r.upper().startswith("RRULE:") else r
    try:
        return rrule.rrulestr(body, dtstart=dt)
    except (ValueError, TypeError) as e:
        raise DateError(
            f"'{rule}' is not a recurrence: {e}",
            hint="write yearly, or an RRULE such as FREQ=YEARLY;INTERVAL=1",
        ) from None


def occurrences(rule: str, start: date, after: date, until: date, limit: int = 1000) -> list[date]:
    """The occurrences of `rule` strictly after `after` and up to `until`, at most `limit`."""
    r = _rule(rule, start)
    out: list[date] = []
    lo = datetime(after.year, after.month, after.day)
    for dt in r:  # type: ignore[attr-defined]
        if dt <= lo:
            continue
        if dt.date() > until or len(out) >= limit:
            break
        out.append(dt.date())
    return out


def next_occurrence(rule: str, start: date, after: date) -> date | None:
    """The first occurrence of `rule` (anchored at `start`) strictly after `after`, or None when
    the rule has ended."""
    r = _rule(rule, start)
    nxt = r.after(datetime(after.year, after.month, after.day), inc=False)  # type: ignore[attr-defined]
    return None if nxt is None else nxt.date()
