"""The date parser and the due/overdue rules: pure, with today passed in."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aes_tracker.domain.dates import (
    DateError,
    days_left,
    is_overdue,
    parse_date,
    parse_duration,
)

TODAY = date(2026, 11, 28)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-04-03", date(2026, 4, 3)),
        ("  2026-04-03 ", date(2026, 4, 3)),
        ("3 April 2026", date(2026, 4, 3)),
        ("April 3, 2026", date(2026, 4, 3)),
        ("3 avril 2026", date(2026, 4, 3)),
        ("1er mars 2026", date(2026, 3, 1)),
        ("15 août 2026", date(2026, 8, 15)),
        ("15 aout 2026", date(2026, 8, 15)),
        ("3 décembre 2026", date(2026, 12, 3)),
        ("1 févr. 2027", date(2027, 2, 1)),
        ("today", TODAY),
        ("tomorrow", date(2026, 11, 29)),
        ("yesterday", date(2026, 11, 27)),
        ("+30d", date(2026, 12, 28)),
        ("-2w", date(2026, 11, 14)),
        ("+6m", date(2027, 5, 28)),
        ("+1y", date(2027, 11, 28)),
        ("Today", TODAY),
    ],
)
def test_accepted(text: str, expected: date) -> None:
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("March 2026", "not a full date"),
        ("mars 2026", "not a full date"),
        ("3 April", "not a full date"),
        ("2026", "not a full date"),
        ("02/03/2026", "ambiguous"),
        ("2.3.2026", "ambiguous"),
        ("2026-02-30", "February 2026 has no day 30"),
        ("2026-13-01", "there is no month 13"),
        ("30 février 2026", "February 2026 has no day 30"),
        ("30 February 2026", "February 2026 has no day 30"),
        ("32 mars 2026", "March 2026 has no day 32"),
        ("April 31, 2026", "April 2026 has no day 31"),
        ("tomorrowish", "is not a date"),
        ("", "empty date"),
        ("3 April 2026 10:00", "time of day"),
    ],
)
def test_refused_with_a_hint(text: str, message: str) -> None:
    with pytest.raises(DateError) as e:
        parse_date(text, TODAY)
    assert message in e.value.message
    assert "out of range" not in e.value.message, "the reason is ours, not the library's"
    assert e.value.hint == "write 2026-03-02 or 2 March 2026"


@given(
    st.dates(min_value=date(1000, 1, 1), max_value=date(9999, 12, 31)),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 1, 1)),
)
def test_an_iso_date_parses_to_itself_whatever_today(d: date, today: date) -> None:
    assert parse_date(d.isoformat(), today) == d


_MONTHS_EN = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_MONTHS_FR = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]


@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)),
    st.dates(),
    st.dates(),
    st.sampled_from(["en", "us", "fr"]),
)
def test_an_absolute_date_does_not_depend_on_today(d: date, t1: date, t2: date, style: str) -> None:
    if style == "en":
        text = f"{d.day} {_MONTHS_EN[d.month - 1]} {d.year}"
    elif style == "us":
        text = f"{_MONTHS_EN[d.month - 1]} {d.day}, {d.year}"
    else:
        text = f"{'1er' if d.day == 1 else d.day} {_MONTHS_FR[d.month - 1]} {d.year}"
    assert parse_date(text, t1) == parse_date(text, t2) == d


@given(
    st.integers(0, 400),
    st.sampled_from("dwmy"),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 1, 1)),
)
def test_relative_dates_move_with_today(n: int, unit: str, today: date) -> None:
    later = parse_date(f"+{n}{unit}", today)
    earlier = parse_date(f"-{n}{unit}", today)
    assert earlier <= today <= later
    if unit in "dw":
        assert later - today == timedelta(days=n * (7 if unit == "w" else 1))


@pytest.mark.parametrize(
    ("text", "end"),
    [
        ("7d", date(2026, 1, 8)),
        ("2w", date(2026, 1, 15)),
        ("3m", date(2026, 4, 1)),
        ("1y", date(2027, 1, 1)),
    ],
)
def test_durations(text: str, end: date) -> None:
    assert date(2026, 1, 1) + parse_duration(text) == end


@pytest.mark.parametrize("text", ["7", "d7", "7 days", "-7d", "soon", ""])
def test_bad_durations(text: str) -> None:
    with pytest.raises(DateError, match="not a duration"):
        parse_duration(text)


def test_a_date_only_due_date_is_the_end_of_that_day() -> None:
    due = date(2026, 4, 3)
    assert days_left(due, date(2026, 4, 3)) == 0
    assert not is_overdue(due, True, date(2026, 4, 3))
    assert is_overdue(due, True, date(2026, 4, 4))
    assert days_left(due, date(2026, 4, 4)) == -1
    assert not is_overdue(due, False, date(2027, 1, 1)), "a closed commitment is never overdue"
    assert not is_overdue(None, True, date(2027, 1, 1))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026/04/03", date(2026, 4, 3)),  # year first: not ambiguous
        ("13/05/2026", date(2026, 5, 13)),  # 13 cannot be a month
        ("05/13/2026", date(2026, 5, 13)),
        ("03/03/2026", date(2026, 3, 3)),  # the same day either way round
        ("3.4.2026", None),
        ("02/03/2026", None),
    ],
)
def test_numeric_dates_are_read_unless_they_are_ambiguous(text: str, expected: date | None) -> None:
    if expected is None:
        with pytest.raises(DateError, match="ambiguous"):
            parse_date(text, TODAY)
    else:
        assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize(
    "text", ["3 April 26", "1 janvier 99", "1 January 5", "April 3, 26", "03/04/26"]
)
def test_a_year_must_be_written_in_full(text: str) -> None:
    with pytest.raises(DateError, match="four-digit year"):
        parse_date(text, TODAY)


@pytest.mark.parametrize("text", ["0000-12-31", "0000-02-30", "10000-01-01"])
def test_dates_outside_the_calendar_are_refused(text: str) -> None:
    with pytest.raises(DateError):
        parse_date(text, TODAY)
