"""Dates the way analysts write them, in one pure module: nothing here reads the clock.

Policy: a date must name its day, month and year (the year in full), or be relative to `today`
(which the caller passes in). Anything that dateutil would complete or guess silently is refused
with a hint: partial dates ("March 2026": dateutil fills the day from today), short years
("3 April 26": dateutil guesses the century), numeric forms whose day and month could be either
way round ("02/03/2026"), impossible dates ("2026-02-30").
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import TYPE_CHECKING

from aes_tracker.errors import DateError
from aes_tracker.i18n import _, month_name

if TYPE_CHECKING:
    from dateutil.relativedelta import relativedelta  # imported where used: not on start-up

__all__ = [
    "DateError",
    "add",
    "days_left",
    "is_overdue",
    "parse_date",
    "parse_duration",
    "parse_since",
]


def hint() -> str:
    return _("write 2026-03-02 or 2 March 2026")


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
# Patterns of what a person types, kept as text: `re` compiles one the first time a date or a
# window is read (and keeps it), not at every start (these cost about 2 ms to compile together,
# and a run that reads no date from its arguments never needs them).
_FRENCH = r"\b(" + "|".join(sorted(_FRENCH_MONTHS, key=len, reverse=True)) + r")\b\.?"
_ISO = r"^(\d{4})-(\d{1,2})-(\d{1,2})$"
_ISO_BASIC = r"^(\d{4})(\d{2})(\d{2})$"  # ISO 8601's basic form: 20260403
_OFFSET = r"^([+-])\s*(\d{1,6})\s*([dwmy])$"
_DURATION = r"^\+?(\d{1,6})\s*([dwmy])$"
_NUMERIC = r"^(\d{1,4})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{1,4})$"
_YEAR = r"(?<!\d)\d{4}(?!\d)"
_WORDS = {"today": 0, "tomorrow": 1, "yesterday": -1, "aujourd'hui": 0, "demain": 1, "hier": -1}
_UNITS = {"d": "days", "w": "weeks", "m": "months", "y": "years"}


def _delta(n: int, unit: str) -> relativedelta:
    from dateutil.relativedelta import relativedelta

    return relativedelta(**{_UNITS[unit]: n})  # type: ignore[arg-type]


def add(day: date, delta: relativedelta) -> date:
    """`day + delta`, held to the calendar's ends: a window that reaches past the year 9999 (or
    before the year 1) ends there instead of overflowing."""
    try:
        return day + delta
    except (ValueError, OverflowError):
        forward = (delta.years * 12 + delta.months) * 31 + delta.weeks * 7 + delta.days >= 0
        return date.max if forward else date.min


def _outside(text: str) -> DateError:
    return DateError(
        _("'{value}' falls outside the calendar (years 1 to 9999)").format(value=text), hint=hint()
    )


def parse_date(text: str, today: date) -> date:
    """Parse a date as an analyst writes it; `today` anchors the relative forms only."""
    s = " ".join(text.strip().lower().replace("’", "'").split())
    if not s:
        raise DateError(_("empty date"), hint=hint())
    if s in _WORDS or re.match(_OFFSET, s):
        m = re.match(_OFFSET, s)
        from dateutil.relativedelta import relativedelta

        delta = (
            relativedelta(days=_WORDS[s])
            if m is None
            else _delta(int(m.group(2)) * (-1 if m.group(1) == "-" else 1), m.group(3))
        )
        try:
            return today + delta
        except (ValueError, OverflowError):
            raise _outside(text) from None
    m = re.match(_ISO, s) or re.match(_ISO_BASIC, s)
    if m:
        y, mo, d = (int(g) for g in m.groups())
        return _real(text, y, mo, d)
    m = re.match(_NUMERIC, s)
    if m:
        return _numeric(text, *(g for g in m.groups()))
    return _parse_words(text, s)


def _real(text: str, y: int, mo: int, d: int) -> date:
    if not 1 <= y <= 9999:
        raise _outside(text)
    try:
        return date(y, mo, d)
    except ValueError:
        raise DateError(
            _("'{value}' is not a real date ({why})").format(
                value=text, why=_why_impossible(y, mo, d)
            ),
            hint=hint(),
        ) from None


def _numeric(text: str, a: str, b: str, c: str) -> date:
    """2026/04/03 (year first), 13/05/2026 (the day cannot be a month), 03/03/2026 (either way
    round, the same day): read. 02/03/2026: refused, it could be 2 March or 3 February."""
    if len(a) == 4:
        return _real(text, int(a), int(b), int(c))
    if len(c) != 4:
        raise DateError(_("'{value}' has no four-digit year").format(value=text), hint=hint())
    x, y, year = int(a), int(b), int(c)
    if x <= 12 and y <= 12 and x != y:
        raise DateError(
            _("'{value}' is ambiguous: day and month could be either way round").format(value=text),
            hint=hint(),
        )
    day, month = (x, y) if y <= 12 else (y, x)
    return _real(text, year, month, day)


def _why_impossible(y: int, mo: int, d: int) -> str:
    if not 1 <= mo <= 12:
        return _("there is no month {n}").format(n=mo)
    return _("{month} {year} has no day {n}").format(month=month_name(mo), year=y, n=d)


def _impossible_in_words(s: str, default: datetime) -> str:
    """Why a date in words is not in the calendar ("30 February 2026"), in the words the
    numeric forms get: the month and year read with the day put back to 1."""
    from dateutil import parser

    days = list(re.finditer(r"(?<!\d)\d{1,2}(?!\d)", s))
    if len(days) == 1:
        m = days[0]
        try:
            first = parser.parse(s[: m.start()] + "1" + s[m.end() :], default=default)
        except (ValueError, OverflowError, TypeError):
            pass
        else:
            return _why_impossible(first.year, first.month, int(m.group()))
    return _("there is no such day or month")


def _parse_words(text: str, s: str) -> date:
    from dateutil import parser

    s = re.sub(r"\b1er\b", "1", s)
    s = re.sub(_FRENCH, lambda m: _FRENCH_MONTHS[m.group(1)], s)
    # Two different defaults: if any part of the result follows the default, the text did not
    # give it and dateutil filled it in.
    a, b = datetime(2001, 1, 1), datetime(2002, 2, 2)
    try:
        ra = parser.parse(s, default=a)
        rb = parser.parse(s, default=b)
    except (ValueError, OverflowError, TypeError) as e:
        reason = str(e).split(":")[0]
        if "out of range" in reason or "must be in" in reason:
            raise DateError(
                _("'{value}' is not a real date ({why})").format(
                    value=text, why=_impossible_in_words(s, a)
                ),
                hint=hint(),
            ) from None
        raise DateError(_("'{value}' is not a date").format(value=text), hint=hint()) from None
    if ra != rb:
        raise DateError(
            _("'{value}' is not a full date: give the day, the month and the year").format(
                value=text
            ),
            hint=hint(),
        )
    if ra.time() != datetime.min.time() or ra.tzinfo is not None:
        raise DateError(
            _("'{value}' has a time of day: give a date only").format(value=text), hint=hint()
        )
    # dateutil completes "26" to 2026 and "5" to 2005: a year must be written in full.
    if str(ra.year) not in re.findall(_YEAR, s):
        raise DateError(
            _("'{value}' has no four-digit year: write the year in full").format(value=text),
            hint=hint(),
        )
    return ra.date()


def parse_duration(text: str) -> relativedelta:
    """A window such as 7d, 2w, 3m, 1y."""
    m = re.match(_DURATION, text.strip().lower())
    if not m:
        raise DateError(
            _("'{value}' is not a duration").format(value=text), hint=_("write 7d, 2w, 3m or 1y")
        )
    return _delta(int(m.group(1)), m.group(2))


def parse_since(text: str, today: date) -> date:
    """The first day of a window that ends today: `7d` is the seven days ending today (today
    and the six before it), so that consecutive weekly reports neither overlap nor leave a gap;
    a date is that day."""
    if re.match(_DURATION, text.strip().lower()):
        delta = parse_duration(text)
        first = add(today, -delta)
        # `today - 7 days` is the eighth day back: the window starts the day after it.
        return first if first == date.min else date.fromordinal(first.toordinal() + 1)
    return parse_date(text, today)


def days_left(due: date, today: date) -> int:
    """Days from today to a due date; negative when overdue. A date-only due date means the end
    of that day, so a commitment due today has 0 days left and is not overdue."""
    return (due - today).days


def is_overdue(due: date | None, is_open: bool, today: date) -> bool:
    return is_open and due is not None and due < today
