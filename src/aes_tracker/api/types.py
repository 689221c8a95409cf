"""The typed inputs and results of the core API, and how it reads an option's text (a date, a
window), naming the field an error is about. Named tuples, not dataclasses: as immutable and as
typed, and a dozen of them cost next to nothing to define, where frozen dataclasses cost `list`
milliseconds of start-up."""

# No `from __future__ import annotations`: NamedTuple compiles every annotation kept as a
# string (20 ms for these); only the names known to type checkers alone are quoted.

from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple

from aes_tracker.errors import TrackerError

if TYPE_CHECKING:
    from aes_tracker.desk.merge import Settled
    from aes_tracker.domain.changes import Outcome
    from aes_tracker.domain.model import Commitment, Groups, Source
    from aes_tracker.store.core import Written


class ListQuery(NamedTuple):
    """What `list` selects, as given (text): the method checks and reads each value."""

    statuses: Sequence[str] = ()
    categories: Sequence[str] = ()
    parties: Sequence[str] = ()
    sources: Sequence[str] = ()
    overdue: bool = False
    due_within: str | None = None
    due_before: str | None = None
    due_after: str | None = None
    search: str = ""
    open: bool = False
    closed: bool = False
    sort: str = "due"
    reverse: bool = False


class LogQuery(NamedTuple):
    """What `log` shows: one commitment (an ID or a prefix) or all, from `since` (a duration or a
    date) to `until` (a date; default today), by whoever's name holds `by`."""

    cid: str | None = None
    since: str | None = None
    until: str | None = None
    by: str = ""


class StatsQuery(NamedTuple):
    """What `stats` counts: grouped `by` party, category or source; or the matrix, its columns
    by party or member; only the commitments of `sources` (IDs or prefixes) when given."""

    by: str = "party"
    matrix: bool = False
    sources: Sequence[str] = ()


class Detail(NamedTuple):
    """One commitment in full, with its source (None if the file lacks it) and the file's party
    groups (which members an assessment of a group binds)."""

    commitment: "Commitment"
    source: "Source | None"
    groups: "Groups"


class ImportRequest(NamedTuple):
    """`import FILE`: the file's name as given, whether existing commitments that differ are
    replaced, and whether anything is written."""

    file: str
    update: bool = False
    dry_run: bool = False


class Imported(NamedTuple):
    """What an import did, or would do (`dry_run`): the IDs in each of the exchange's lists
    (`added`, `updated`, `unchanged`, `conflicts`, `sources`; or, from a per-party CSV,
    `assessed`, `assessments_unchanged`, `conflicts`)."""

    report: Mapping[str, list[str]]
    dry_run: bool
    written: "Written | None" = None

    @property
    def per_party(self) -> bool:
        return "assessed" in self.report


class Changed(NamedTuple):
    """A change made: its outcome (the line the command prints, the ID) and what the store did
    (the file created, warnings, whether the bytes changed)."""

    outcome: "Outcome"
    written: "Written"


class Progress(NamedTuple):
    """What happened to a commitment (`done`, `status`, `note`, `review`): a note, the day it
    happened (default today), links to the evidence, and the party whose own assessment it is
    (a joint commitment; "": the commitment's own)."""

    note: str = ""
    on: str | None = None
    evidence: Sequence[str] = ()
    party: str = ""


class Edit(NamedTuple):
    """`edit`: the fields to set, as given (None: unchanged); `due=None` with `no_deadline`
    makes the commitment undated."""

    title: str | None = None
    title_fr: str | None = None
    category: str | None = None
    due: str | None = None
    due_reason: str | None = None
    no_deadline: bool = False
    review: str | None = None
    review_reason: str | None = None
    parties: Sequence[str] = ()
    add_parties: Sequence[str] = ()
    remove_parties: Sequence[str] = ()
    beneficiaries: Sequence[str] = ()
    quote: str | None = None
    source: str | None = None
    recur: str | None = None
    timing: Sequence[str] = ()
    notes: str | None = None
    note: str = ""


class NewSource(NamedTuple):
    """`source add`: a communiqué (its date as given)."""

    id: str
    title: str
    date: str
    place: str = ""
    language: str = ""
    url: str = ""
    publisher: str = ""
    author: str = ""
    parties: Sequence[str] = ()


class Resolution(NamedTuple):
    """`resolve`: settle the conflict on `cid` with our version, theirs, or `fields` (KEY=VALUE)."""

    cid: str
    ours: bool = False
    theirs: bool = False
    fields: Sequence[str] = ()


class Resolved(NamedTuple):
    """A conflict settled: what the store did, and whether a git merge is still in progress
    once no conflict is left (`sync` finishes it)."""

    settled: "Settled"
    written: "Written"
    git_merging: bool


def day(text: str, today: date, field_name: str) -> date:
    """A date as analysts write it; an error names the field it was given for."""
    from aes_tracker.domain.dates import parse_date

    try:
        return parse_date(text, today)
    except TrackerError as e:
        e.field = field_name
        raise


def maybe_day(text: str | None, today: date, field_name: str) -> date | None:
    return None if text is None else day(text, today, field_name)


def window(text: str, field_name: str) -> Any:  # a relativedelta: dateutil stays off start-up
    from aes_tracker.domain.dates import parse_duration

    try:
        return parse_duration(text)
    except TrackerError as e:
        e.field = field_name
        raise


def since_day(text: str, today: date) -> date:
    """The first day of a window ending today: a duration (`7d`) or a date."""
    from aes_tracker.domain.dates import parse_since

    try:
        return parse_since(text, today)
    except TrackerError as e:
        e.field = "since"
        raise
