"""The schedule of a recurring commitment: a pure function of the rule, its start, the host
rotation and the sessions recorded, never of the previous due date."""

from __future__ import annotations

import tomllib
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aes_tracker.domain.recurrence import check_rule, schedule, slots
from aes_tracker.errors import DateError

from .conftest import Cli

START = date(2025, 4, 3)
HOSTS = ("Russia", "AES member state")


def test_rules_and_their_slots() -> None:
    first = list(zip(range(3), slots("yearly", START), strict=False))
    assert [d for _, d in first] == [date(2025, 4, 3), date(2026, 4, 3), date(2027, 4, 3)]
    six = list(zip(range(2), slots("FREQ=MONTHLY;INTERVAL=6", START), strict=False))
    assert [d for _, d in six] == [date(2025, 4, 3), date(2025, 10, 3)]
    assert list(slots("RRULE:FREQ=YEARLY;COUNT=2", START)) == [date(2025, 4, 3), date(2026, 4, 3)]
    for bad in ("every so often", "every year", "FREQ=SOMETIMES"):
        with pytest.raises(DateError, match="not a recurrence"):
            check_rule(bad)


def test_the_bundled_consultations() -> None:
    """One session held (Moscow, 3 April 2025): the next is due a year on, in an AES state."""
    sch = schedule("yearly", START, [START], HOSTS)
    assert (sch.next_due, sch.next_host, sch.held) == (date(2026, 4, 3), "AES member state", 1)


@pytest.mark.parametrize(
    ("held", "next_due"),
    [
        ([date(2026, 5, 12)], date(2027, 4, 3)),  # late: fills 2026's slot
        ([date(2026, 3, 1)], date(2027, 4, 3)),  # early: fills 2026's slot too
        ([date(2027, 5, 1)], date(2028, 4, 3)),  # a year skipped is not owed twice
        ([date(2026, 4, 3), date(2026, 11, 20)], date(2028, 4, 3)),  # two in a year
    ],
)
def test_a_session_fills_the_nearest_slot(held: list[date], next_due: date) -> None:
    assert schedule("yearly", START, [START, *held], HOSTS).next_due == next_due


def test_the_hosts_take_turns_per_session() -> None:
    days = [START, date(2026, 5, 12), date(2027, 4, 10)]
    assert [schedule("yearly", START, days[:n], HOSTS).next_host for n in (1, 2, 3)] == [
        "AES member state",
        "Russia",
        "AES member state",
    ]


def test_a_rule_that_ends_has_no_next_session() -> None:
    assert schedule("FREQ=YEARLY;COUNT=2", START, [START, date(2026, 4, 3)]).next_due is None


@given(
    st.lists(st.integers(0, 3000), max_size=8, unique=True),
    st.randoms(use_true_random=False),
)
def test_the_schedule_depends_on_the_set_of_sessions_only(days: list[int], rnd: object) -> None:
    """Order, repetition (two analysts recording the same session) and the previous due date
    play no part: recording, undoing and merging can never make it drift."""
    sessions = [START + timedelta(days=n) for n in days]
    shuffled = sessions + sessions[: len(sessions) // 2]
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    a = schedule("yearly", START, sessions, HOSTS)
    b = schedule("yearly", START, shuffled, HOSTS)
    assert (a.next_due, a.next_host) == (b.next_due, b.next_host)
    if sessions:
        assert a.next_due is not None and a.next_due > max(sessions) - timedelta(days=183)


# ---- a new rule is a new schedule (issue 22, item 9) ------------------------------------------


def test_edit_recur_recomputes_the_schedule_from_the_new_rule(cli: Cli) -> None:
    """`edit --recur` left the due date on the old rule, and check passed."""
    r = cli("edit", "inst-annual", "--recur", "FREQ=YEARLY;INTERVAL=2")
    assert r.exit_code == 0, r.output
    assert "due: 2026-04-03 → 2027-04-03" in r.stdout
    c = tomllib.loads(cli.bytes().decode())["commitments"]["inst-annual-consultations"]
    assert c["due"] == date(2027, 4, 3)
    assert c["history"][-1]["changes"] == [
        "recur: yearly → FREQ=YEARLY;INTERVAL=2",
        "due: 2026-04-03 → 2027-04-03",
    ]
    assert cli("check").exit_code == 0
    # And back: the yearly slot after the session of 2025 again.
    assert cli("edit", "inst-annual", "--recur", "yearly").exit_code == 0
    c = tomllib.loads(cli.bytes().decode())["commitments"]["inst-annual-consultations"]
    assert c["due"] == date(2026, 4, 3)


def test_edit_recur_with_a_due_date_moves_that_session(cli: Cli) -> None:
    r = cli("edit", "inst-annual", "--recur", "FREQ=YEARLY;INTERVAL=2", "--due", "2027-06-01")
    assert r.exit_code == 0, r.output
    c = tomllib.loads(cli.bytes().decode())["commitments"]["inst-annual-consultations"]
    assert (c["due"], c["original_due"]) == (date(2027, 6, 1), date(2027, 4, 3))
    assert cli("check").exit_code == 0


def test_check_finds_a_due_date_off_its_rule(cli: Cli) -> None:
    text = cli.bytes().decode()
    cli.path.write_text(text.replace('recur = "yearly"', 'recur = "FREQ=YEARLY;INTERVAL=2"'))
    line = text[: text.index('due = 2026-04-03\ndue_reason = "Not a date')].count("\n") + 1
    r = cli("check")
    assert r.exit_code == 1, r.output
    assert r.output.splitlines()[0] == (
        f"error: {cli.path}:{line}:7: commitments.inst-annual-consultations.due: is 2026-04-03, "
        "but its rule (FREQ=YEARLY;INTERVAL=2) and the sessions recorded give 2027-04-03"
    )
    # Only check says so: the other commands still read the file, and a session sets it right.
    assert cli("list").exit_code == 0


def test_check_accepts_a_moved_session(cli: Cli) -> None:
    assert cli("edit", "inst-annual", "--due", "2026-06-15").exit_code == 0
    assert cli("check").exit_code == 0
