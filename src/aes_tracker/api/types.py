"""The typed inputs and results of the core API, and how it reads an option's text (a date, a
window), naming the field an error is about. Named tuples, not dataclasses: as immutable and as
typed, and a dozen of them cost next to nothing to define, where frozen dataclasses cost `list`
milliseconds of start-up."""

# No `from __future__ import annotations`: NamedTuple compiles every annotation kept as a
# string (20 ms for these); only the names known to type checkers alone are quoted.

from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from aes_tracker.errors import TrackerError

if TYPE_CHECKING:
    from aes_tracker.desk.resolve import Settled
    from aes_tracker.domain.draft import Outcome, Who
    from aes_tracker.domain.model import Commitment, Source
    from aes_tracker.domain.parties import Groups
    from aes_tracker.domain.query import RowList
    from aes_tracker.store.core import Written


class Narrow(NamedTuple):
    """The filters every read command shares, as typed: statuses, categories, parties (a
    party, or a group it belongs to; a unique prefix) and sources (IDs or prefixes)."""

    statuses: Sequence[str] = ()
    categories: Sequence[str] = ()
    parties: Sequence[str] = ()
    sources: Sequence[str] = ()


class ListQuery(NamedTuple):
    """What `list` selects, as given (text): the method checks and reads each value. Open ones
    only unless `all`, `open`, `closed` or a status says otherwise."""

    narrow: Narrow = Narrow()
    overdue: bool = False
    due_within: str | None = None
    due_before: str | None = None
    due_after: str | None = None
    search: str = ""
    open: bool = False
    closed: bool = False
    all: bool = False
    sort: str = "due"
    reverse: bool = False


class Listed(NamedTuple):
    """The rows of `list`, and how many closed ones the default (open only) left out."""

    rows: "RowList"
    hidden: int = 0


class LogQuery(NamedTuple):
    """What `log` shows: one commitment (an ID or a prefix) or all, from `since` (a duration or a
    date) to `until` (a date; default today), by whoever's name holds `by`."""

    cid: str | None = None
    since: str | None = None
    until: str | None = None
    by: str = ""
    narrow: Narrow = Narrow()


class StatsQuery(NamedTuple):
    """What `stats` counts: grouped `by` party, member, category or source; or the matrix, its
    columns by party or member."""

    by: str = "party"
    matrix: bool = False
    narrow: Narrow = Narrow()


class Detail(NamedTuple):
    """One commitment in full, with its source (None if the file lacks it), the file's party
    groups (which members an assessment of a group binds), and where its quote stands in the
    source's stored text (None: no text, or not found)."""

    commitment: "Commitment"
    source: "Source | None"
    groups: "Groups"
    quote_at: Any = None


class Conflicted(NamedTuple):
    """`show` on a file a merge left conflicts in: the commitment's ID, and its version on each
    side (None: removed on that side)."""

    cid: str
    ours: Detail | None
    theirs: Detail | None


class Report(NamedTuple):
    """The weekly report as JSON-ready data; for the HTML page, also the compliance per party
    and the matrix it draws."""

    data: dict[str, Any]
    compliance: Any = None
    matrix: Any = None


class Exported(NamedTuple):
    """The file as `export` writes it: its raw tables, the document, the day and the time."""

    raw: dict[str, Any]
    doc: Any
    today: date
    now: Any


class ImportRequest(NamedTuple):
    """`import FILE`: the file's name as given, whether existing commitments that differ are
    replaced, and whether anything is written."""

    file: str
    update: bool = False
    dry_run: bool = False


class Imported(NamedTuple):
    """What an import did, or would do (`dry_run`): the IDs in each of the exchange's lists
    (`added`, `updated`, `unchanged`, `conflicts`, `sources`, `diffs`; or, from a per-party CSV,
    `assessed`, `assessments_unchanged`, `conflicts`), and what the store did (None: dry run)."""

    report: Mapping[str, list[str]]
    dry_run: bool
    written: "Written | None" = None

    @property
    def per_party(self) -> bool:
        return "assessed" in self.report


class Changed(NamedTuple):
    """A change made: its outcome (the line the command prints, the ID), what the store did
    (the file created, warnings, whether the bytes changed), and whether the file is the one of
    the folder the command runs in (chosen without --file)."""

    outcome: "Outcome"
    written: "Written"
    by_folder: bool = False


class Progress(NamedTuple):
    """What happened to a commitment (`done`, `status`, `note`, `review`): a note, the day it
    happened (default today), links to the evidence, and the party whose own assessment it is
    (a joint commitment; "": the commitment's own)."""

    note: str = ""
    on: str | None = None
    evidence: Sequence[str] = ()
    party: str = ""


class NewOne(NamedTuple):
    """`add`: a commitment as typed; the dates are text, read by the method."""

    title: str
    category: str
    parties: Sequence[str] = ()
    beneficiaries: Sequence[str] = ()
    due: str | None = None
    due_reason: str = ""
    no_deadline: bool = False
    review: str | None = None
    review_reason: str = ""
    recur: str = ""
    hosts: Sequence[str] = ()
    source: str | None = None
    quote: str = ""
    timing: Sequence[str] = ()
    notes: str = ""
    title_fr: str = ""
    cid: str | None = None


class Edit(NamedTuple):
    """`edit`: the fields to set, as given (None: unchanged); `no_deadline` makes the
    commitment undated."""

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
    """`source add`: a communiqué (its date as given, its other words by the names of
    `SOURCE_DETAILS`: place, language, ...), and the file its text is read from."""

    id: str
    title: str
    date: str
    details: Mapping[str, str] | None = None
    parties: Sequence[str] = ()
    text_file: str | None = None


class Resolution(NamedTuple):
    """`resolve`: settle the conflict on `cid` with our version, theirs, or `fields`
    (KEY=VALUE); `force` takes a removal that loses history."""

    cid: str | None
    ours: bool = False
    theirs: bool = False
    fields: Sequence[str] = ()
    force: bool = False


class Resolved(NamedTuple):
    """A conflict settled: what the store did, and whether a git merge is still in progress
    once no conflict is left (marked settled; `sync` finishes it)."""

    settled: "Settled"
    written: "Written"
    git_merging: bool


class Where(NamedTuple):
    """The data file, and how it was chosen: `file` (--file), `environment`
    ($AES_TRACKER_FILE), `folder` (data/commitments.toml here) or `user`."""

    path: Path
    how: str


def actor(by: str, today: date, now: Any) -> "Who":
    """Who acts (a name), on which day (today, or --as-of), at what time (the real clock)."""
    from aes_tracker.domain.draft import Who

    return Who(by, today, now)


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
