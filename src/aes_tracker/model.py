"""The data model: statuses, categories, commitments, and the checks that turn a parsed TOML
document into them.

The store keeps the raw document (a dict, so that keys this version does not know survive a
rewrite); this module gives the typed, frozen view of it and every problem found on the way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

SCHEMA = 1


class Status(StrEnum):
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    STALLED = "stalled"
    DONE = "done"
    PARTIAL = "partial"
    BROKEN = "broken"
    DROPPED = "dropped"

    @property
    def is_open(self) -> bool:
        return self in OPEN_STATUSES


OPEN_STATUSES = frozenset({Status.PENDING, Status.IN_PROGRESS, Status.STALLED})


class Category(StrEnum):
    SECURITY = "security"
    DIPLOMACY = "diplomacy"
    DEVELOPMENT = "development"
    INSTITUTIONAL = "institutional"


# The parties of the AES–Russia partnership. A data file may widen the list with a top-level
# `parties` array (another partnership, another communiqué); a party outside it is a typo.
DEFAULT_PARTIES: tuple[str, ...] = ("AES", "Burkina Faso", "Mali", "Niger", "Russia")

_CHANGE_RE = re.compile(r"^([\w.-]+): (.*?) → (.*)$", re.S)
ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")

# Canonical key order: the writer emits known keys in this order, then unknown ones sorted, so the
# same data always gives the same bytes and `git diff` shows only real changes.
TOP_KEYS = ("schema", "parties", "sources", "commitments")
SOURCE_KEYS = ("title", "date", "place", "language", "publisher", "author", "url", "file")
COMMITMENT_KEYS = (
    "title",
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
EVENT_KEYS = ("on", "at", "by", "event", "status", "note", "evidence", "host", "changes")
EVENT_KINDS = ("recorded", "status", "note", "edit", "occurrence")


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


@dataclass(frozen=True, slots=True)
class Event:
    """One dated entry of a commitment's history."""

    on: date
    status: Status
    event: str = "status"
    by: str = ""
    at: datetime | None = None
    note: str = ""
    evidence: tuple[str, ...] = ()
    host: str = ""
    changes: tuple[tuple[str, str, str], ...] = ()  # (field, before, after)


@dataclass(frozen=True, slots=True)
class Commitment:
    id: str
    title: str
    category: Category
    parties: tuple[str, ...]
    source: str
    quote: str
    status: Status
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
    # A summary read from the parse cache carries the dates of its history entries but not the
    # entries themselves (nor quote, notes, reasons): see cache.py. A full one leaves it empty.
    history_days: tuple[date, ...] = ()
    summary: bool = False

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def days(self) -> tuple[date, ...]:
        """The dates of the history entries, in order."""
        return self.history_days if self.summary else tuple(e.on for e in self.history)

    @property
    def updated(self) -> date | None:
        """The date of the latest history entry."""
        return max(self.days, default=None)


@dataclass(frozen=True, slots=True)
class Data:
    sources: Mapping[str, Source]
    commitments: Mapping[str, Commitment]
    parties: tuple[str, ...] = DEFAULT_PARTIES


@dataclass(frozen=True, slots=True)
class Problem:
    """A validation problem at a key path such as ("commitments", "sec-training", "due")."""

    keys: tuple[str | int, ...]
    message: str


@dataclass
class _Checker:
    problems: list[Problem] = field(default_factory=list)

    def add(self, keys: tuple[str | int, ...], message: str) -> None:
        self.problems.append(Problem(keys, f"{_dotted(keys)}: {message}"))

    def text(
        self,
        obj: Mapping[str, Any],
        key: str,
        at: tuple[str | int, ...],
        *,
        required: bool = False,
        blank_ok: bool = True,
    ) -> str:
        v = obj.get(key)
        if v is None:
            if required:
                self.add((*at, key), "is missing")
            return ""
        if not isinstance(v, str):
            self.add((*at, key), f"must be a string, not {_tname(v)}")
            return ""
        if not blank_ok and not v.strip():
            self.add((*at, key), "must not be blank")
        return v

    def day(
        self, obj: Mapping[str, Any], key: str, at: tuple[str | int, ...], *, required: bool = False
    ) -> date | None:
        v = obj.get(key)
        if v is None:
            if required:
                self.add((*at, key), "is missing")
            return None
        # tomllib gives datetime (a subclass of date) for date-times: a due date is a day.
        if type(v) is not date:
            shown = f"'{v}'" if isinstance(v, str) else _tname(v)
            self.add((*at, key), f"{shown} is not a date (write it bare, as 2026-04-03)")
            return None
        return v

    def strings(
        self, obj: Mapping[str, Any], key: str, at: tuple[str | int, ...]
    ) -> tuple[str, ...]:
        v = obj.get(key)
        if v is None:
            return ()
        if isinstance(v, str):
            v = [v]
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            self.add((*at, key), "must be a list of strings")
            return ()
        return tuple(v)

    def enum(
        self,
        obj: Mapping[str, Any],
        key: str,
        at: tuple[str | int, ...],
        kind: type[StrEnum],
        *,
        required: bool = True,
    ) -> Any:
        v = obj.get(key)
        if v is None:
            if required:
                self.add((*at, key), "is missing")
            return None
        try:
            return kind(v)
        except ValueError:
            allowed = ", ".join(m.value for m in kind)
            self.add((*at, key), f"{v!r} is not a {kind.__name__.lower()} (one of: {allowed})")
            return None


def _tname(v: object) -> str:
    return {
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "a boolean",
        list: "an array",
        dict: "a table",
        datetime: "a date-time",
        date: "a date",
    }.get(type(v), type(v).__name__)


def _dotted(keys: Iterable[str | int]) -> str:
    out = ""
    for k in keys:
        out += f"[{k}]" if isinstance(k, int) else (f".{k}" if out else k)
    return out


def build(raw: Mapping[str, Any]) -> tuple[Data, list[Problem]]:
    """Check a parsed document and build its typed view. Every problem is collected, so that
    `aes-tracker check` can report them all at once; items with problems are left out of the
    view."""
    ck = _Checker()
    schema = raw.get("schema")
    if schema is None:
        ck.add(("schema",), f"is missing (this version writes schema = {SCHEMA})")
    elif type(schema) is not int:
        ck.add(("schema",), f"must be an integer, not {_tname(schema)}")
    elif schema > SCHEMA:
        ck.add(
            ("schema",), f"is {schema}: written by a newer aes-tracker (this one reads {SCHEMA})"
        )
    elif schema < 1:
        ck.add(("schema",), f"is {schema}: not a schema version")

    parties = DEFAULT_PARTIES
    if "parties" in raw:
        listed = ck.strings(raw, "parties", ())
        if listed:
            parties = tuple(listed)

    sources: dict[str, Source] = {}
    raw_sources = raw.get("sources", {})
    if not isinstance(raw_sources, dict):
        ck.add(("sources",), "must be a table of sources")
        raw_sources = {}
    for sid, s in raw_sources.items():
        at: tuple[str | int, ...] = ("sources", sid)
        if not isinstance(s, dict):
            ck.add(at, "must be a table")
            continue
        n = len(ck.problems)
        title = ck.text(s, "title", at, required=True, blank_ok=False)
        day = ck.day(s, "date", at, required=True)
        extra = {k: ck.text(s, k, at) for k in ("place", "language", "publisher", "author", "url")}
        if len(ck.problems) == n and day is not None:
            sources[sid] = Source(sid, title, day, **extra)

    commitments: dict[str, Commitment] = {}
    raw_cs = raw.get("commitments", {})
    if not isinstance(raw_cs, dict):
        ck.add(("commitments",), "must be a table of commitments")
        raw_cs = {}
    for cid, c in raw_cs.items():
        built = _commitment(ck, cid, c, raw_sources, parties)
        if built is not None:
            commitments[cid] = built
    return Data(sources, commitments, parties), ck.problems


def _commitment(
    ck: _Checker, cid: str, c: Any, sources: Mapping[str, Any], parties: tuple[str, ...]
) -> Commitment | None:
    at: tuple[str | int, ...] = ("commitments", cid)
    if not isinstance(c, dict):
        ck.add(at, "must be a table")
        return None
    n = len(ck.problems)
    if not ID_RE.match(cid):
        ck.add(at, "is not a valid ID (lower-case letters, digits, '-', '.', '_')")
    title = ck.text(c, "title", at, required=True, blank_ok=False)
    category = ck.enum(c, "category", at, Category)
    party_list = ck.strings(c, "parties", at)
    if "parties" not in c:
        ck.add((*at, "parties"), "is missing")
    elif not party_list and not any(p.keys[-1:] == ("parties",) for p in ck.problems[n:]):
        ck.add((*at, "parties"), "must name at least one party")
    for p in party_list:
        if p not in parties:
            ck.add((*at, "parties"), f"{p!r} is not a known party (one of: {', '.join(parties)})")
    source = ck.text(c, "source", at, required=True)
    if source and source not in sources:
        ck.add((*at, "source"), f"{source!r} is not a source of this file")
    quote = ck.text(c, "quote", at, required=True, blank_ok=False)
    status = ck.enum(c, "status", at, Status)
    due = ck.day(c, "due", at)
    original_due = ck.day(c, "original_due", at)
    review = ck.day(c, "review", at)
    no_deadline = c.get("no_deadline", False)
    if not isinstance(no_deadline, bool):
        ck.add((*at, "no_deadline"), f"must be true or false, not {_tname(no_deadline)}")
        no_deadline = False
    if due is not None and no_deadline:
        ck.add((*at, "no_deadline"), "is true but a due date is set: keep one of them")
    if due is None and "due" not in c and not no_deadline:
        ck.add(
            (*at, "due"), "is missing: give a due date, or no_deadline = true with a review date"
        )
    if no_deadline and review is None and "review" not in c:
        ck.add((*at, "review"), "is missing: a commitment with no deadline needs a review date")
    recur = ck.text(c, "recur", at)
    recur_start = ck.day(c, "recur_start", at)
    if recur:
        from aes_tracker.dates import DateError, check_rule

        try:
            check_rule(recur)
        except DateError as e:
            ck.add((*at, "recur"), e.message)
        if due is None and "due" not in c:
            ck.add((*at, "due"), "is missing: a recurring commitment needs its next due date")
    history: list[Event] = []
    raw_history = c.get("history", [])
    if not isinstance(raw_history, list):
        ck.add((*at, "history"), "must be an array of tables ([[...history]])")
        raw_history = []
    for i, h in enumerate(raw_history):
        ev = _event(ck, (*at, "history", i), h)
        if ev is not None:
            history.append(ev)
    strings = {k: ck.strings(c, k, at) for k in ("beneficiaries", "timing", "hosts")}
    texts = {k: ck.text(c, k, at) for k in ("due_reason", "review_reason", "next_host", "notes")}
    if len(ck.problems) != n:
        return None
    return Commitment(
        id=cid,
        title=title,
        category=category,
        parties=party_list,
        source=source,
        quote=quote,
        status=status,
        due=due,
        original_due=original_due,
        no_deadline=no_deadline,
        review=review,
        recur=recur,
        recur_start=recur_start,
        history=tuple(history),
        beneficiaries=strings["beneficiaries"],
        timing=strings["timing"],
        hosts=strings["hosts"],
        due_reason=texts["due_reason"],
        review_reason=texts["review_reason"],
        next_host=texts["next_host"],
        notes=texts["notes"],
    )


def _event(ck: _Checker, at: tuple[str | int, ...], h: Any) -> Event | None:
    if not isinstance(h, dict):
        ck.add(at, "must be a table")
        return None
    n = len(ck.problems)
    on = ck.day(h, "on", at, required=True)
    status = ck.enum(h, "status", at, Status)
    kind = ck.text(h, "event", at) or "status"
    if kind not in EVENT_KINDS:
        ck.add((*at, "event"), f"{kind!r} is not an event (one of: {', '.join(EVENT_KINDS)})")
    stamp = h.get("at")
    if stamp is not None and not isinstance(stamp, datetime):
        ck.add((*at, "at"), f"must be a date-time, not {_tname(stamp)}")
        stamp = None
    changes: list[tuple[str, str, str]] = []
    for line in ck.strings(h, "changes", at):
        m = _CHANGE_RE.match(line)
        if m is None:
            ck.add((*at, "changes"), f"{line!r} is not a change ('field: before → after')")
        else:
            a, b = (v if v != "∅" else "" for v in m.group(2, 3))
            changes.append((m.group(1), a, b))
    texts = {k: ck.text(h, k, at) for k in ("by", "note", "host")}
    evidence = ck.strings(h, "evidence", at)
    if len(ck.problems) != n or on is None:
        return None
    return Event(
        on=on,
        status=status,
        event=kind,
        at=stamp,
        evidence=evidence,
        changes=tuple(changes),
        **texts,
    )
