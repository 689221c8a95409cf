"""The records: the typed, frozen shapes of a source, a commitment and its history, and of the
data as a whole, with the data file's keys in their canonical order.

Two shapes of a commitment, so that the type checker (not memory) knows which one a function has:

- `Summary`: what `list`, `due`, `stats`, the report's overdue and due sections need. No quote, no
  notes, no history entries (only their dates). The parse cache holds these; a NamedTuple, so that
  10,000 of them are restored in milliseconds.
- `Commitment`: everything, with the history. `show`, `timeline`, the report's Changed section and
  every change need it. `summarize(c)` gives its summary.

The store keeps the raw document (a dict, so that keys this version does not know survive a
rewrite); validate.py checks it and builds these records from it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Generic, NamedTuple, TypeVar

from aes_tracker.domain.parties import DEFAULT_PARTIES, Groups, default_groups
from aes_tracker.domain.statuses import Category, Status, status_info

SCHEMA = 1

_CHANGE_RE = re.compile(r"^([\w.-]+): (.*?) → (.*)$", re.S)
EMPTY = "∅"  # "not set", in a change line

# Canonical key order: the writer emits known keys in this order, then unknown ones sorted, so the
# same data always gives the same bytes and `git diff` shows only real changes.
TOP_KEYS = ("schema", "parties", "groups", "names_fr", "settings", "sources", "commitments")
GROUP_KEYS = ("members",)
# `text`: where the communiqué's text is stored, relative to the data file's folder.
SOURCE_KEYS = ("title", "date", "place", "language", "publisher", "author", "url", "text", "file")
COMMITMENT_KEYS = (
    "title",
    "title_fr",
    "category",
    "parties",
    "beneficiaries",
    "source",
    "quote",
    "timing",
    "status",
    "due",
    "original_due",
    "due_reason",
    "no_deadline",
    "review",
    "review_reason",
    "recur",
    "recur_start",
    "hosts",
    "next_host",
    "notes",
    "history",
)
EVENT_KEYS = (
    "on",
    "at",
    "by",
    "event",
    "party",
    "status",
    "note",
    "evidence",
    "host",
    "place",
    "changes",
)
EVENT_KINDS = ("recorded", "status", "note", "edit", "occurrence", "review")


# ---- the shapes --------------------------------------------------------------------------------


# A source's optional words, as text, in the order the writer puts them: what `source add`
# takes as options and `check` reads as text (`Source` has a field of each name).
SOURCE_DETAILS = ("place", "language", "publisher", "author", "url")


@dataclass(frozen=True, slots=True)
class Source:
    id: str
    title: str
    date: date
    place: str = ""
    language: str = ""
    publisher: str = ""
    author: str = ""
    url: str = ""
    text: str = ""  # the stored text's path, relative to the data file's folder


class Change(NamedTuple):
    """One field's change in a history entry: `due: 2026-01-15 → 2026-04-03` in the file."""

    field: str
    before: str  # "" for "not set"
    after: str

    def text(self) -> str:
        return f"{self.field}: {self.before or EMPTY} → {self.after or EMPTY}"


def change_value(v: Any) -> str:
    """A field's value as a `Change` holds it, whoever records the change (`edit`, a settled
    merge conflict, an import): a list as its items joined, and "" for "not set", which a
    `false` flag is too (`edit` removes a flag it sets to false)."""
    if isinstance(v, list | tuple):
        return ", ".join(str(x) for x in v)
    if isinstance(v, bool):
        return "true" if v else ""
    return "" if v is None else str(v)


def parse_change(line: str) -> Change | None:
    m = _CHANGE_RE.match(line)
    if m is None:
        return None
    a, b = (v if v != EMPTY else "" for v in m.group(2, 3))
    return Change(m.group(1), a, b)


class Event(NamedTuple):
    """One dated entry of a commitment's history (a named tuple: thousands are read at once, and
    it is made faster at import than a frozen dataclass)."""

    on: date
    status: Status
    event: str = "status"
    by: str = ""
    at: datetime | None = None
    note: str = ""
    evidence: tuple[str, ...] = ()
    host: str = ""
    changes: tuple[Change, ...] = ()
    party: str = ""  # an assessment of one party of a joint commitment
    place: str = ""  # a session's city (the host is a party; the place is where it met)

    @property
    def order(self) -> tuple[date, datetime]:
        """History is read in this order: the day it happened, then when it was recorded."""
        if self.at is None:
            return (self.on, datetime.min)
        at = self.at if self.at.tzinfo is None else self.at.astimezone(UTC).replace(tzinfo=None)
        return (self.on, at)


class Summary(NamedTuple):
    """A commitment without its quote, notes and history entries: what the list, due, stats and
    the report's due sections read. Its fields are a subset of `Commitment`'s, under the same
    names."""

    id: str
    title: str
    title_fr: str
    category: Category
    parties: tuple[str, ...]
    beneficiaries: tuple[str, ...]
    source: str
    status: Status
    due: date | None
    original_due: date | None
    no_deadline: bool
    review: date | None
    recur: str
    recur_start: date | None
    hosts: tuple[str, ...]
    next_host: str
    days: tuple[date, ...]  # every day on which something was recorded or happened, sorted
    updated: date | None  # the latest `on` date of the history
    occurrences: tuple[tuple[date, str], ...]  # recorded sessions of a recurring one: (day, host)
    assessments: tuple[tuple[str, Status], ...]  # per-party statuses, where any are recorded

    @property
    def is_open(self) -> bool:
        return status_info(self.status).open


@dataclass(frozen=True, slots=True)
class Commitment:
    """A commitment in full, as read from the data file."""

    id: str
    title: str
    category: Category
    parties: tuple[str, ...]
    source: str
    quote: str
    status: Status
    title_fr: str = ""
    beneficiaries: tuple[str, ...] = ()
    timing: tuple[str, ...] = ()
    due: date | None = None
    original_due: date | None = None
    due_reason: str = ""
    no_deadline: bool = False
    review: date | None = None
    review_reason: str = ""
    recur: str = ""
    recur_start: date | None = None
    hosts: tuple[str, ...] = ()
    next_host: str = ""
    notes: str = ""
    history: tuple[Event, ...] = ()

    @property
    def is_open(self) -> bool:
        return status_info(self.status).open

    def events(self) -> list[Event]:
        """The history in date order (`on`, then `at`), whatever order the file holds."""
        return sorted(self.history, key=lambda e: e.order)

    @property
    def days(self) -> tuple[date, ...]:
        out = {e.on for e in self.history}
        out.update(e.at.date() for e in self.history if e.at is not None)
        return tuple(sorted(out))

    @property
    def updated(self) -> date | None:
        return max((e.on for e in self.history), default=None)

    @property
    def occurrences(self) -> tuple[tuple[date, str], ...]:
        return occurrences_of(self.history)

    @property
    def assessments(self) -> tuple[tuple[str, Status], ...]:
        """Each assessed party's status, by party name."""
        return tuple(sorted((p, e.status) for p, e in self.latest_assessments().items()))

    def latest_assessments(self) -> dict[str, Event]:
        """The latest per-party status entry of each party (by `on`, then `at`; of two alike,
        the later in the file)."""
        latest: dict[str, Event] = {}
        for e in self.history:
            if e.party and e.event == "status":
                seen = latest.get(e.party)
                if seen is None or e.order >= seen.order:
                    latest[e.party] = e
        return latest


def sessions_of(history: Iterable[Event]) -> tuple[Event, ...]:
    """The sessions recorded in a history, one per day (two analysts recording the same session
    are one session), in date order: for each day, the entry recorded first."""
    seen: dict[date, Event] = {}
    for e in sorted(history, key=lambda e: e.order):  # by day first: `seen` is in date order
        if e.event == "occurrence" and e.on not in seen:
            seen[e.on] = e
    return tuple(seen.values())


def occurrences_of(history: Iterable[Event]) -> tuple[tuple[date, str], ...]:
    """Each session's day and the host named first for that day (`sessions_of`)."""
    return tuple((e.on, e.host) for e in sessions_of(history))


def summarize(c: Commitment) -> Summary:
    return Summary._make(getattr(c, f) for f in Summary._fields)


R = TypeVar("R")
S = TypeVar("S")


@dataclass(frozen=True)  # no slots: then `Catalog(...)` builds one through its alias too
class Data(Generic[R]):
    """What a data file holds: its sources, a record per commitment (a `Commitment` in full, or
    its `Summary` as the read commands see it), the parties and their groups."""

    sources: Mapping[str, Source]
    commitments: Mapping[str, R]
    parties: tuple[str, ...] = DEFAULT_PARTIES
    groups: Groups = field(default_factory=default_groups)
    # French forms of party and place names (`[names_fr]`), for French human output only.
    names_fr: Mapping[str, str] = field(default_factory=dict)

    def with_records(self, commitments: Mapping[str, S]) -> Data[S]:
        """The same sources, parties and groups with other records of the commitments."""
        return Data(self.sources, commitments, self.parties, self.groups, self.names_fr)

    def catalog(self: Data[Commitment]) -> Data[Summary]:
        return self.with_records({cid: summarize(c) for cid, c in self.commitments.items()})


Catalog = Data[Summary]  # the data as the read commands see it
Document = Data[Commitment]  # the data in full
