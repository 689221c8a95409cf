"""What every change is given and gives back: the `Draft` it works on (the document being
changed, as the store's draft provides it), `Who` makes the change and when, the `Entry` it
records, and the `Outcome` it returns.

A change (progress.py, sessions.py, editing.py) checks its input, edits the raw tables, appends a
history entry saying who, when and what (history.py), and returns an `Outcome`: the line the
command prints and the undo journal keeps. Working on the raw tables, not on the typed view, is
what keeps keys this version does not know. Errors name the data field they are about (`due`,
`on`, `evidence`); the CLI puts the matching flag in front.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

if TYPE_CHECKING:
    from aes_tracker.domain.model import Commitment, Source, Summary
    from aes_tracker.domain.parties import Groups


class Draft(Protocol):
    """The document being changed, as a change sees it (store/draft.py is the one there is):
    the typed view to read, and the raw tables to edit."""

    def ids(self) -> list[str]: ...
    def has(self, cid: str) -> bool: ...
    def parties(self) -> tuple[str, ...]: ...
    def groups(self) -> Groups: ...
    def source_ids(self) -> list[str]: ...
    def sources(self) -> Mapping[str, Source]: ...
    def commitment(self, cid: str) -> Commitment: ...
    def summary(self, cid: str) -> Summary: ...
    def table(self, cid: str) -> dict[str, Any]: ...
    def add(self, cid: str, table: dict[str, Any]) -> None: ...
    def remove(self, cid: str) -> dict[str, Any]: ...
    def edit_top(self) -> dict[str, Any]: ...


class Who(NamedTuple):
    """Who makes a change and when: `today` for the dates, `now` for the time it was recorded."""

    by: str
    today: date
    now: datetime


class Entry(NamedTuple):
    """What the analyst records about a commitment, whatever the change (`status`, `done`,
    `note`, `review`): the day it happened, a note, the evidence, and the party it is about
    ("" for the commitment as a whole). A session of a recurring commitment (`done`) also has
    its host and its place (a city); `force` records one out of order, or an extra one."""

    on: date
    note: str = ""
    evidence: Sequence[str] = ()
    party: str = ""
    host: str = ""
    place: str = ""
    force: bool = False


class Outcome(NamedTuple):
    cid: str
    line: str  # what the command prints
    what: str = ""  # what `undo` says it took back; the line when empty

    @property
    def described(self) -> str:
        return self.what or self.line
