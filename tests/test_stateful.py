"""A hypothesis state machine: add / edit / status / note / undo against a simple in-memory
model. After every step the file parses, checks clean, and says what the model says."""

from __future__ import annotations

import shutil
import tempfile
import tomllib
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from aes_tracker import ops
from aes_tracker.errors import TrackerError
from aes_tracker.model import Category, Status, build
from aes_tracker.store import Journal, Location, update

from .conftest import DATA

NOW = datetime(2026, 11, 28, tzinfo=UTC)
TODAY = date(2026, 11, 28)
words = st.text(alphabet="abcdefghij éèàç’-", min_size=1, max_size=12).filter(str.strip)

# The model: per commitment, (title, status, due, number of history entries).
Model = dict[str, tuple[str, str, date | None, int]]


def _project(raw: dict[str, Any]) -> Model:
    return {
        cid: (c["title"], c["status"], c.get("due"), len(c.get("history", [])))
        for cid, c in raw["commitments"].items()
    }


class Tracker(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.dir = tempfile.mkdtemp()
        self.path = Path(self.dir) / "c.toml"
        shutil.copyfile(DATA, self.path)
        self.loc = Location(self.path, True)
        self.state = Path(self.dir) / "state"
        self.model: Model = _project(tomllib.loads(self.path.read_text()))
        self.undo_stack: list[Model] = []

    def teardown(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)

    def _apply(self, change: Any, expect: Model) -> None:
        update(self.loc, change, state_home=self.state)
        self.undo_stack.append(self.model)
        self.model = expect

    @rule(data=st.data(), status=st.sampled_from(list(Status)))
    def set_status(self, data: st.DataObject, status: Status) -> None:
        cid = data.draw(st.sampled_from(sorted(self.model)))
        title, _, due, n = self.model[cid]
        self._apply(
            lambda raw, _l: ops.set_status(raw, cid, status, on=TODAY, by="m", now=NOW),
            {**self.model, cid: (title, status.value, due, n + 1)},
        )

    @rule(data=st.data(), text=words)
    def note(self, data: st.DataObject, text: str) -> None:
        cid = data.draw(st.sampled_from(sorted(self.model)))
        title, status, due, n = self.model[cid]
        self._apply(
            lambda raw, _l: ops.add_note(raw, cid, text, on=TODAY, by="m", now=NOW),
            {**self.model, cid: (title, status, due, n + 1)},
        )

    @rule(data=st.data(), title=words, due=st.dates(date(2025, 1, 1), date(2030, 12, 31)))
    def edit(self, data: st.DataObject, title: str, due: date) -> None:
        cid = data.draw(st.sampled_from(sorted(self.model)))
        old_title, status, old_due, n = self.model[cid]
        if (title, due) == (old_title, old_due):
            return
        self._apply(
            lambda raw, _l: ops.edit(
                raw, cid, {"title": title, "due": due}, on=TODAY, by="m", now=NOW
            ),
            {**self.model, cid: (title, status, due, n + 1)},
        )

    @rule(
        title=words,
        category=st.sampled_from(list(Category)),
        due=st.dates(date(2025, 1, 1), date(2030, 12, 31)),
    )
    def add(self, title: str, category: Category, due: date) -> None:
        new: dict[str, str] = {}

        def change(raw: dict[str, Any], _l: Any) -> None:
            new["id"] = ops.add_commitment(
                raw,
                title=title,
                category=category,
                parties=["Russia"],
                quote="q",
                source=None,
                on=TODAY,
                by="m",
                now=NOW,
                due=due,
            )

        before = self.model
        update(self.loc, change, state_home=self.state)
        self.undo_stack.append(before)
        self.model = {**before, new["id"]: (title, "pending", due, 1)}

    @precondition(lambda self: bool(self.undo_stack))
    @rule()
    def undo(self) -> None:
        Journal(self.path, self.state).undo(5)
        self.model = self.undo_stack.pop()

    @precondition(lambda self: not self.undo_stack)
    @rule()
    def undo_with_nothing_to_undo(self) -> None:
        try:
            Journal(self.path, self.state).undo(5)
        except TrackerError as e:
            assert "nothing to undo" in e.message
        else:
            raise AssertionError("undo with nothing to undo must refuse")

    @invariant()
    def file_matches_model(self) -> None:
        raw = tomllib.loads(self.path.read_text(encoding="utf-8"))
        _, problems = build(raw)
        assert problems == []
        assert _project(raw) == self.model


Tracker.TestCase.settings = settings(
    max_examples=30,
    stateful_step_count=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_tracker = Tracker.TestCase
