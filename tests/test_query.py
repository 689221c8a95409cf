"""Selecting, sorting and describing commitments as rows: pure, today passed in."""

from __future__ import annotations

import tomllib
from datetime import date

import pytest
from dateutil.relativedelta import relativedelta

from aes_tracker.domain.model import Catalog
from aes_tracker.domain.query import (
    SORTS,
    Filter,
    due_soon,
    fold,
    resolve_id,
    review_due,
    row,
    rows,
    select,
    sort,
)
from aes_tracker.domain.statuses import statuses
from aes_tracker.domain.validate import check_document
from aes_tracker.errors import TrackerError

from .test_golden import MULTI

TODAY = date(2026, 5, 18)


def catalog() -> Catalog:
    doc, problems = check_document(tomllib.loads(MULTI.read_text()))
    assert problems == []
    return doc.catalog()


EXPECTED_ORDER = {
    "due": [
        "inst-yearly-meeting",  # 2026-04-03
        "dev-closed-on-time",  # 2026-05-01
        "sec-joint-exercise-niger",  # 2026-05-10
        "sec-soon",  # 2026-05-19
        "dip-review-due",  # no due date: review 2026-05-01
        "dip-review-soon",  # review 2026-05-25
    ],
    "id": [
        "dev-closed-on-time",
        "dip-review-due",
        "dip-review-soon",
        "inst-yearly-meeting",
        "sec-joint-exercise-niger",
        "sec-soon",
    ],
    "status": [
        "dip-review-soon",  # pending
        "inst-yearly-meeting",
        "sec-soon",
        "dip-review-due",  # in_progress
        "sec-joint-exercise-niger",
        "dev-closed-on-time",  # done
    ],
    "category": [
        "dev-closed-on-time",  # development
        "dip-review-due",  # diplomacy
        "dip-review-soon",
        "inst-yearly-meeting",  # institutional
        "sec-joint-exercise-niger",  # security
        "sec-soon",
    ],
    "updated": [
        "inst-yearly-meeting",  # 2025-04-03
        "dip-review-soon",  # 2026-02-10
        "sec-joint-exercise-niger",  # 2026-03-20
        "dev-closed-on-time",  # 2026-04-20
        "sec-soon",  # 2026-05-12
        "dip-review-due",  # 2026-05-15
    ],
}


def test_every_sort_key_is_tested() -> None:
    assert set(SORTS) == set(EXPECTED_ORDER)


@pytest.mark.parametrize("key", sorted(EXPECTED_ORDER))
def test_sort_by_each_key(key: str) -> None:
    cs = list(catalog().commitments.values())
    assert [c.id for c in sort(cs, key)] == EXPECTED_ORDER[key]
    assert [c.id for c in sort(cs, key, reverse=True)] == EXPECTED_ORDER[key][::-1]


def test_status_order_is_the_registry_order() -> None:
    order = [s.name for s in statuses()]
    got = [c.status for c in sort(list(catalog().commitments.values()), "status")]
    assert got == sorted(got, key=order.index)


@pytest.mark.parametrize(
    ("f", "ids"),
    [
        (Filter(overdue=True), {"inst-yearly-meeting", "sec-joint-exercise-niger"}),
        (Filter(open=False), {"dev-closed-on-time"}),
        (Filter(statuses=["in_progress"]), {"dip-review-due", "sec-joint-exercise-niger"}),
        (Filter(parties=["niger"]), {"dip-review-due", "sec-joint-exercise-niger"}),
        (Filter(sources=["fixture-2025-04-03"]), {"dev-closed-on-time", "inst-yearly-meeting"}),
        (Filter(categories=["security"], open=True), {"sec-joint-exercise-niger", "sec-soon"}),
        (
            Filter(due_within=relativedelta(days=1)),
            {"inst-yearly-meeting", "dev-closed-on-time", "sec-joint-exercise-niger", "sec-soon"},
        ),
        (Filter(due_before=date(2026, 5, 1)), {"inst-yearly-meeting"}),
        (Filter(due_after=date(2026, 5, 10)), {"sec-soon"}),
        (Filter(search="Joint Exercise"), {"sec-joint-exercise-niger"}),
    ],
)
def test_filters(f: Filter, ids: set[str]) -> None:
    assert {c.id for c in select(catalog().commitments.values(), TODAY, f)} == ids


def test_one_rule_for_days_left_closed_means_null() -> None:
    c = catalog().commitments
    groups = catalog().groups
    closed = row(c["dev-closed-on-time"], TODAY, groups=groups)
    assert (closed["days_left"], closed["overdue"], closed["open"]) == (None, False, False)
    late = row(c["sec-joint-exercise-niger"], TODAY, groups=groups)
    assert (late["days_left"], late["overdue"], late["slip_days"]) == (-8, True, 40)


def test_review_due_is_exactly_review_date_up_to_today() -> None:
    c = catalog().commitments
    assert review_due(c["dip-review-due"], TODAY)
    assert not review_due(c["dip-review-soon"], TODAY), "the 25th has not come on the 18th"
    assert review_due(c["dip-review-soon"], date(2026, 5, 25))
    ids = [x.id for x in due_soon(catalog().commitments.values(), TODAY, relativedelta(days=30))]
    assert ids == ["inst-yearly-meeting", "sec-joint-exercise-niger", "dip-review-due", "sec-soon"]


def test_rows_are_made_when_read_and_equal_row_of_each() -> None:
    cs = sort(list(catalog().commitments.values()), "due")
    groups = catalog().groups
    got = rows(cs, TODAY, groups)
    expected = [row(c, TODAY, groups=groups) for c in cs]
    assert len(got) == len(expected)
    assert list(got) == expected
    assert got[0] == expected[0] and got[-1] == expected[-1]
    assert got[1:3] == expected[1:3]
    assert list(got) == expected, "a second reading gives the same rows"


def test_ids_are_matched_in_any_case_and_near_misses_get_a_suggestion() -> None:
    ids = [*catalog().commitments, "inst-next-session-date", "sec-targeted-training"]
    assert resolve_id(ids, "INST-NEXT") == "inst-next-session-date"
    with pytest.raises(TrackerError) as e:
        resolve_id(ids, "sec-targetted-training")
    assert e.value.hint == "did you mean sec-targeted-training?"


def test_search_folds_case_accents_and_punctuation() -> None:
    assert fold("D’intensifier") == fold("d'intensifier") == "d intensifier"
    assert fold("Bamako–Dakar") == fold("bamako-dakar")
    assert fold("ÉQUIPEMENTS") == "equipements"
