"""domain/asof.py: a commitment turned back to the end of a day, whatever came after it."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from aes_tracker.domain import editing, progress
from aes_tracker.domain.draft import Entry, Who
from aes_tracker.store.core import update
from aes_tracker.store.paths import Location
from aes_tracker.store.view import view, view_as_of

from .conftest import DATA

RECURRING = "inst-annual-consultations"


@pytest.mark.parametrize("warm", [False, True])
def test_an_edit_of_the_due_date_then_a_session_both_turn_back(tmp_path: Path, warm: bool) -> None:
    """`edit` keeps the first due date in `original_due` without a change line, and a later
    session clears it with one. Turned back past both, the older edit wins: no slip, as `list`
    printed that day (hypothesis's state machine found this; the session's undo used to stay)."""
    path = tmp_path / "commitments.toml"
    shutil.copyfile(DATA, path)
    loc = Location(path, True)
    before = view(loc).catalog.commitments[RECURRING]
    assert before.original_due is None
    who = Who("m", date(2026, 11, 29), datetime(2026, 11, 29, 12, tzinfo=UTC))
    update(loc, lambda d: editing.edit(d, RECURRING, {"due": date(2025, 1, 1)}, who))
    if warm:
        view(loc)
    update(loc, lambda d: progress.done(d, RECURRING, who, Entry(on=date(2025, 4, 4), force=True)))
    then = view_as_of(loc, date(2026, 11, 28)).catalog.commitments[RECURRING]
    assert (then.due, then.original_due) == (before.due, before.original_due)
