"""A hypothesis state machine: add / edit / status / note / review / rm / recurring done /
undo / redo against a simple in-memory model, on days that go by. After every step the file
parses, checks clean, says what the model says, the consultations' next due date and host are
the pure function of the sessions recorded, and `list --as-of D` for a day D before the step's
prints what `list` printed on D (until an undo, a redo or an rm takes history back)."""

from __future__ import annotations

import shutil
import tempfile
import tomllib
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from aes_tracker.domain import editing, progress
from aes_tracker.domain.draft import Entry, Outcome, Who
from aes_tracker.domain.editing import NewCommitment
from aes_tracker.domain.recurrence import schedule
from aes_tracker.domain.statuses import parse_status, statuses
from aes_tracker.domain.validate import check_document
from aes_tracker.errors import TrackerError
from aes_tracker.store import core as store
from aes_tracker.store.core import Draft, update
from aes_tracker.store.paths import Location

from .conftest import DATA, Cli

NOW = datetime(2026, 11, 28, tzinfo=UTC)
TODAY = date(2026, 11, 28)
RECURRING = "inst-annual-consultations"
words = st.text(alphabet="abcdefghij éèàç’-", min_size=1, max_size=12).filter(str.strip)

# The model: per commitment, (title, status, due, number of history entries).
Model = dict[str, tuple[str, str, date | None, int]]


def _project(raw: dict[str, Any]) -> Model:
    return {
        cid: (c["title"], c["status"], c.get("due"), len(c.get("history", [])))
        for cid, c in raw.get("commitments", {}).items()
    }


class Tracker(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.dir = tempfile.mkdtemp()
        self.path = Path(self.dir) / "c.toml"
        shutil.copyfile(DATA, self.path)
        self.loc = Location(self.path, True)
        self.model: Model = _project(tomllib.loads(self.path.read_text()))
        self.undone: list[Model] = []
        self.history: list[Model] = []
        self.today = TODAY
        self.printed: dict[date, str] = {}  # what `list` printed at the end of each day
        self.cli = Cli(self.path)

    @property
    def who(self) -> Who:
        return Who("m", self.today, datetime.combine(self.today, NOW.timetz()))

    def teardown(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)

    def _apply(self, change: Callable[[Draft], Outcome], expect: Model | None) -> None:
        """Run the change; `expect` None: it must be refused, and change nothing."""
        before = self.path.read_bytes()
        try:
            update(self.loc, change)
        except TrackerError:
            assert expect is None, "a valid change was refused"
            assert self.path.read_bytes() == before
            return
        assert expect is not None, "an invalid change was accepted"
        self.history.append(self.model)
        self.undone.clear()
        self.model = expect

    def _raw(self) -> dict[str, Any]:
        return tomllib.loads(self.path.read_text(encoding="utf-8"))

    @precondition(lambda self: bool(self.model))
    @rule(data=st.data(), status=st.sampled_from([s.name for s in statuses()]))
    def set_status(self, data: st.DataObject, status: str) -> None:
        cid = data.draw(st.sampled_from(sorted(self.model)))
        title, _old, due, n = self.model[cid]
        refused = cid == RECURRING and status == "done"
        self._apply(
            lambda d: progress.set_status(
                d, cid, parse_status(status), self.who, Entry(on=self.today)
            ),
            None if refused else {**self.model, cid: (title, status, due, n + 1)},
        )

    @precondition(lambda self: bool(self.model))
    @rule(data=st.data(), text=words)
    def note(self, data: st.DataObject, text: str) -> None:
        cid = data.draw(st.sampled_from(sorted(self.model)))
        title, status, due, n = self.model[cid]
        self._apply(
            lambda d: progress.add_note(d, cid, self.who, Entry(on=self.today, note=text)),
            {**self.model, cid: (title, status, due, n + 1)},
        )

    @precondition(lambda self: bool(self.model))
    @rule(data=st.data(), title=words, due=st.dates(date(2025, 1, 1), date(2030, 12, 31)))
    def edit(self, data: st.DataObject, title: str, due: date) -> None:
        cid = data.draw(st.sampled_from(sorted(self.model)))
        old_title, status, old_due, n = self.model[cid]
        if (title, due) == (old_title, old_due):
            return
        self._apply(
            lambda d: editing.edit(d, cid, {"title": title, "due": due}, self.who),
            {**self.model, cid: (title, status, due, n + 1)},
        )

    @rule(data=st.data())
    def review(self, data: st.DataObject) -> None:
        undated = sorted(cid for cid, m in self.model.items() if m[2] is None)
        if not undated:
            return
        cid = data.draw(st.sampled_from(undated))
        title, status, due, n = self.model[cid]
        self._apply(
            lambda d: progress.review(d, cid, self.who, Entry(on=self.today)),
            {**self.model, cid: (title, status, due, n + 1)},
        )

    @precondition(lambda self: bool(self.model))
    @rule(data=st.data())
    def rm(self, data: st.DataObject) -> None:
        cid = data.draw(st.sampled_from(sorted(self.model)))
        self._apply(
            lambda d: editing.remove(d, cid, force=True),
            {k: v for k, v in self.model.items() if k != cid},
        )
        self.printed.clear()  # the commitment is gone from every day, as if never recorded

    @rule(days=st.integers(1, 40))
    def next_day(self, days: int) -> None:
        """The day ends: what `list` prints now is what it printed that day."""
        self.printed[self.today] = self._listed(self.today)
        self.today += timedelta(days=days)

    @rule(day=st.integers(1, (TODAY - date(2025, 4, 3)).days))
    def session(self, day: int) -> None:
        """A consultation held on some day since the first one: refused when that day is
        already recorded; an earlier one than the last needs force."""
        if RECURRING not in self.model:
            return
        on = date(2025, 4, 3) + timedelta(days=day)
        c = self._raw()["commitments"][RECURRING]
        if c["status"] != "pending":
            return
        held = sorted(h["on"] for h in c["history"] if h["event"] == "occurrence")
        title, status, _due, n = self.model[RECURRING]
        if on in held:
            self._apply(lambda d: progress.done(d, RECURRING, self.who, Entry(on=on)), None)
            return
        sch = schedule("yearly", c["recur_start"], [*held, on], c["hosts"])
        self._apply(
            lambda d: progress.done(d, RECURRING, self.who, Entry(on=on, force=True)),
            {**self.model, RECURRING: (title, status, sch.next_due, n + 1)},
        )

    @rule(
        title=words,
        category=st.sampled_from(["security", "diplomacy", "development", "institutional"]),
        due=st.dates(date(2025, 1, 1), date(2030, 12, 31)),
    )
    def add(self, title: str, category: str, due: date) -> None:
        got: dict[str, str] = {}

        def change(d: Draft) -> Outcome:
            new = NewCommitment(
                title=title, category=category, parties=["Russia"], quote="q", due=due
            )
            out = editing.add_commitment(d, new, self.who, force=True)
            got["id"] = out.cid
            return out

        before = self.model
        try:
            update(self.loc, change)
        except TrackerError as e:
            assert "cannot make an ID" in e.message
            return
        self.history.append(before)
        self.undone.clear()
        self.model = {**before, got["id"]: (title, "pending", due, 1)}

    @precondition(lambda self: bool(self.history))
    @rule()
    def undo(self) -> None:
        store.undo(self.loc)
        self.printed.clear()  # undo takes a change back out of the record
        self.undone.append(self.model)
        self.model = self.history.pop()

    @precondition(lambda self: bool(self.undone))
    @rule()
    def redo(self) -> None:
        store.undo(self.loc, redo=True)
        self.printed.clear()
        self.history.append(self.model)
        self.model = self.undone.pop()

    @precondition(lambda self: not self.history)
    @rule()
    def undo_with_nothing_to_undo(self) -> None:
        try:
            store.undo(self.loc)
        except TrackerError as e:
            assert "nothing to undo" in e.message
        else:
            raise AssertionError("undo with nothing to undo must refuse")

    @invariant()
    def file_matches_model(self) -> None:
        raw = self._raw()
        _, problems = check_document(raw)
        assert problems == []
        assert _project(raw) == self.model

    def _listed(self, day: date) -> str:
        r = self.cli("list", "--format", "json", as_of=day.isoformat())
        assert r.exit_code == 0, r.output
        return r.stdout

    @precondition(lambda self: bool(self.printed))
    @rule(data=st.data())
    def list_as_of_any_past_day_is_what_list_printed_that_day(self, data: st.DataObject) -> None:
        day = data.draw(st.sampled_from(sorted(self.printed)))
        assert self._listed(day) == self.printed[day], day

    @invariant()
    def list_as_of_yesterday_is_what_list_printed_then(self) -> None:
        """The latest day before this step's (what `next_day` saved as printed then)."""
        if self.printed:
            day = max(self.printed)
            assert self._listed(day) == self.printed[day], day

    @invariant()
    def the_schedule_is_the_pure_function_of_the_sessions(self) -> None:
        c = self._raw().get("commitments", {}).get(RECURRING)
        if c is None or c.get("recur") != "yearly" or c["status"] != "pending":
            return
        held = [h["on"] for h in c["history"] if h["event"] == "occurrence"]
        sch = schedule("yearly", c["recur_start"], held, c["hosts"])
        if any(h["event"] == "edit" for h in c["history"]):
            return  # an edited due date is the analyst's own (an announced session)
        assert (c["due"], c["next_host"]) == (sch.next_due, sch.next_host)


Tracker.TestCase.settings = settings(
    max_examples=30,
    stateful_step_count=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_tracker = Tracker.TestCase
