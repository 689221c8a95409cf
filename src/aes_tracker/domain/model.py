"""The data model: the registries of statuses and categories, the typed shapes of a commitment,
and the checks that turn a parsed TOML document into them.

Two shapes of a commitment, so that the type checker (not memory) knows which one a function has:

- `Summary`: what `list`, `due`, `stats`, the report's overdue and due sections need. No quote, no
  notes, no history entries (only their dates). The parse cache holds these; a NamedTuple, so that
  10,000 of them are restored in milliseconds.
- `Commitment`: everything, with the history. `show`, `timeline`, the report's Changed section and
  every change need it. `summarize(c)` gives its summary.

The store keeps the raw document (a dict, so that keys this version does not know survive a
rewrite); this module gives the typed, frozen view of it and every problem found on the way.

Parties and groups. The top-level `parties` array lists the known parties; a party group (the
AES, for its three states) is declared once, in a table of its own:

    parties = ["AES", "Burkina Faso", "Mali", "Niger", "Russia"]

    [groups.AES]
    members = ["Burkina Faso", "Mali", "Niger"]

Not `[parties.AES]`: TOML cannot make `parties` both the array every existing file has and a
table, and a key whose type depends on the file would have to be read two ways by every reader
(this one, older versions of aes-tracker, people's scripts). With `groups` beside it, old files
read as before (no groups), and an older aes-tracker keeps `groups` as a key it does not know.
A group is a known party; its members are known parties and not groups themselves.

Per-party assessments. A commitment's `status` is the analyst's overall judgment. Its history may
also hold assessments of one party each (`event = "status"`, `party = "Mali"`): the latest one
of a party is that party's status. A group's assessment applies to each of its members that has
none of its own (`party_status`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, NamedTuple, NewType

from aes_tracker.errors import TrackerError
from aes_tracker.i18n import _, category_label, status_label

SCHEMA = 1

# ---- registries: each status and each category is declared here, once -------------------------

Status = NewType("Status", str)
Category = NewType("Category", str)


@dataclass(frozen=True)
class StatusInfo:
    """Everything the program knows about one status. `score` is the G7/G20 Research Group
    compliance score (+1 kept, 0 partly, -1 not, None not scored); an open status that is overdue
    scores `score_overdue` instead."""

    name: Status
    open: bool
    score: int | None
    score_overdue: int | None
    style: str  # a colour, for terminals
    glyph: str  # its cell in the stats bars
    meaning: str  # one line, for --help


PENDING = Status("pending")
IN_PROGRESS = Status("in_progress")
STALLED = Status("stalled")
DONE = Status("done")
PARTIAL = Status("partial")
BROKEN = Status("broken")
DROPPED = Status("dropped")

# Read through `statuses()` and `status_info()` at call time, never copied at import time, so that
# a status added here (or by a test) reaches every command, format and column.
STATUSES: tuple[StatusInfo, ...] = (
    StatusInfo(PENDING, True, None, -1, "white", "░", "nothing done yet"),
    StatusInfo(IN_PROGRESS, True, 0, -1, "blue", "▒", "under way"),
    StatusInfo(STALLED, True, -1, -1, "yellow", "▚", "under way but stuck"),
    StatusInfo(DONE, False, 1, 1, "green", "█", "kept in full"),
    StatusInfo(PARTIAL, False, 0, 0, "cyan", "▓", "kept in part"),
    StatusInfo(BROKEN, False, -1, -1, "red", "▞", "not kept"),
    StatusInfo(DROPPED, False, None, None, "bright_black", "·", "withdrawn or superseded"),
)


@dataclass(frozen=True)
class CategoryInfo:
    name: Category
    prefix: str  # of the IDs `add` makes
    meaning: str


SECURITY = Category("security")
DIPLOMACY = Category("diplomacy")
DEVELOPMENT = Category("development")
INSTITUTIONAL = Category("institutional")

CATEGORIES: tuple[CategoryInfo, ...] = (
    CategoryInfo(SECURITY, "sec", "defence and security cooperation"),
    CategoryInfo(DIPLOMACY, "dip", "principles and positions"),
    CategoryInfo(DEVELOPMENT, "dev", "economy, infrastructure, investment"),
    CategoryInfo(INSTITUTIONAL, "inst", "meetings and mechanisms"),
)

_index_cache: dict[str, tuple[object, dict[str, Any]]] = {}


def _index(name: str, table: tuple[Any, ...]) -> dict[str, Any]:
    hit = _index_cache.get(name)
    if hit is None or hit[0] is not table:
        hit = (table, {x.name: x for x in table})
        _index_cache[name] = hit
    return hit[1]


def statuses() -> tuple[StatusInfo, ...]:
    return STATUSES


def categories() -> tuple[CategoryInfo, ...]:
    return CATEGORIES


def status_info(name: str) -> StatusInfo:
    return _index("status", STATUSES)[name]  # type: ignore[no-any-return]


def category_info(name: str) -> CategoryInfo:
    return _index("category", CATEGORIES)[name]  # type: ignore[no-any-return]


def is_open(status: str) -> bool:
    return status_info(status).open


def score(status: str, overdue: bool) -> int | None:
    info = status_info(status)
    return info.score_overdue if info.open and overdue else info.score


def _unaccented(text: str) -> str:
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _choose(
    text: str, names: Iterable[str], what: str, field: str, label: Callable[[str], str]
) -> str:
    """The name `text` stands for: the identifier in any case (`in-progress` for
    `in_progress`), or its word in the reader's language (`en cours`, `sécurité`, also typed
    without accents: `securite`)."""
    wanted = text.strip().casefold()
    names = list(names)
    for n in names:
        if n.casefold() == wanted or n.casefold() == wanted.replace("-", "_").replace(" ", "_"):
            return n
    bare = _unaccented(" ".join(wanted.split()))
    for n in names:
        if label(n) != n and _unaccented(label(n)) == bare:
            return n
    raise TrackerError(
        _("'{value}' is not a {what}; use one of {choices}").format(
            value=text, what=what, choices=", ".join(names)
        ),
        field=field,
    )


def parse_status(text: str, field: str = "status") -> Status:
    """A status as a person types it: any case, `in-progress` for `in_progress`, or the
    word of the language (`en cours` under --lang fr)."""
    return Status(_choose(text, (s.name for s in STATUSES), _("status"), field, status_label))


def parse_category(text: str, field: str = "category") -> Category:
    return Category(
        _choose(text, (c.name for c in CATEGORIES), _("category"), field, category_label)
    )


# The parties of the AES–Russia partnership. A data file may widen the list with a top-level
# `parties` array (another partnership, another communiqué); a party outside it is a typo.
DEFAULT_PARTIES: tuple[str, ...] = ("AES", "Burkina Faso", "Mali", "Niger", "Russia")
# Party groups: a party that stands for several others. The communiqué names the three states of
# the Confederation and their ministers. A file with no `parties` key gets these defaults with the
# default parties; a file that lists its parties declares its groups itself (`[groups.NAME]`).
DEFAULT_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("AES", ("Burkina Faso", "Mali", "Niger")),
)

# IDs: lower-case ASCII, digits, '-', '.', '_'. `fullmatch`, because `$` would let a final
# newline through.
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]*")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
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


def is_id(text: str) -> bool:
    return ID_PATTERN.fullmatch(text) is not None


def check_id(text: str, field: str = "id") -> str:
    if not is_id(text):
        raise TrackerError(
            _("{value} is not a valid ID (lower-case letters, digits, '-', '.', '_')").format(
                value=shown(text)
            ),
            field=field,
        )
    return text


def control_char(text: str) -> str | None:
    """The first control character of `text` other than newline and tab, or None."""
    m = _CONTROL_RE.search(text)
    return None if m is None else m.group(0)


def check_text(text: str, field: str, *, blank_ok: bool = False) -> str:
    """Text typed by a person: no terminal escapes or other control characters, not blank."""
    bad = control_char(text)
    if bad is not None:
        raise TrackerError(
            _("contains the control character U+{code:04X}; remove it").format(code=ord(bad)),
            field=field,
        )
    if not blank_ok and not text.strip():
        raise TrackerError(_("must not be blank"), field=field)
    return text


_ALL_CONTROLS_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")

_WEB_URL_RE = re.compile(r"^https?://[^\s/$.?#]\S*$", re.I)
_SCHEME_RE = re.compile(r"^[a-z][a-z0-9+.-]+:", re.I)


def web_url(value: str) -> bool:
    """An absolute http(s) URL: the only kind of link evidence may be."""
    return _WEB_URL_RE.match(value) is not None


def not_evidence(value: str) -> str:
    return _("{value} is neither an http(s) URL nor a local file's path").format(value=shown(value))


def check_evidence_value(value: str) -> str:
    """Evidence read from an import: a URL or a path, whether or not the file is here."""
    if evidence_kind(value) is None:
        raise TrackerError(not_evidence(value), field="evidence")
    return value


def evidence_kind(value: str) -> str | None:
    """'url' (http, https), 'path' (a local file), or None for anything else (`javascript:`,
    `data:`, `file:`...). A browser drops tabs and newlines from a URL and spaces around it, so
    `java\tscript:` is a scheme too. A path with a colon in its first part is written ./a:b."""
    bare = re.sub(r"[\t\n\r]", "", value).strip()
    if web_url(bare) and bare == value:
        return "url"
    if _SCHEME_RE.match(bare) or not bare:
        return None
    return "path"


def shown(text: str) -> str:
    """`text` quoted for a one-line message: every control character escaped, newlines and tabs
    too (never sent raw to a terminal)."""
    return "'" + _ALL_CONTROLS_RE.sub(_escape_one, text) + "'"


def _escape_one(m: re.Match[str]) -> str:
    ch = m.group(0)
    return {"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(ch) or f"\\x{ord(ch):02x}"


def escape_controls(text: str) -> str:
    if _CONTROL_RE.search(text) is None:
        return text
    return _CONTROL_RE.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)


# ---- the shapes --------------------------------------------------------------------------------


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


_TEXT_PATH_RE = re.compile(r"sources/[^/\\\x00]+")


def check_text_path(value: str) -> bool:
    """A source's `text` is a file in the `sources/` folder beside the data file: no other
    folder, no way out of it."""
    return bool(_TEXT_PATH_RE.fullmatch(value)) and value not in ("sources/.", "sources/..")


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


Groups = Mapping[str, tuple[str, ...]]  # a group's name -> its members


def _default_groups() -> dict[str, tuple[str, ...]]:
    return dict(DEFAULT_GROUPS)


@dataclass(frozen=True, slots=True)
class Catalog:
    """The data as the read commands see it: summaries, sources, parties and their groups."""

    sources: Mapping[str, Source]
    commitments: Mapping[str, Summary]
    parties: tuple[str, ...] = DEFAULT_PARTIES
    groups: Groups = field(default_factory=_default_groups)
    # French forms of party and place names (`[names_fr]`), for French human output only.
    names_fr: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Document:
    """The data in full."""

    sources: Mapping[str, Source]
    commitments: Mapping[str, Commitment]
    parties: tuple[str, ...] = DEFAULT_PARTIES
    groups: Groups = field(default_factory=_default_groups)
    # French forms of party and place names (`[names_fr]`), for French human output only.
    names_fr: Mapping[str, str] = field(default_factory=dict)

    def catalog(self) -> Catalog:
        return Catalog(
            self.sources,
            {cid: summarize(c) for cid, c in self.commitments.items()},
            self.parties,
            self.groups,
            self.names_fr,
        )


# ---- parties, groups and per-party assessments -------------------------------------------------


class PartyStatus(NamedTuple):
    """One party's status on a commitment, and where it comes from: its own assessment ("own"),
    its group's ("group", `via` names the group), or the commitment's status ("commitment")."""

    party: str
    status: Status
    source: str
    via: str = ""


def own_assessments(c: Summary | Commitment, groups: Groups) -> dict[str, Status]:
    """Each assessed party's own status, for the parties the commitment binds (named, or a
    member of a group that is). An assessment of a party removed since stays in the history,
    and no longer counts."""
    return {p: s for p, s in c.assessments if concerned(c, p, groups)}


def parties_differ(c: Summary | Commitment, groups: Groups) -> bool:
    """Per-party assessments are recorded and at least one differs from the commitment's own
    status: `list` marks the status (`in_progress*`)."""
    return any(s != c.status for s in own_assessments(c, groups).values())


def concerned(c: Summary | Commitment, party: str, groups: Groups) -> bool:
    """`party` is one of the commitment's parties, or a member of a group that is."""
    return party in c.parties or any(party in groups.get(g, ()) for g in c.parties)


def party_status(c: Summary | Commitment, party: str, groups: Groups) -> PartyStatus:
    """The party's own assessment; else that of a group of the commitment's parties it belongs
    to (the first such group, in the order of the commitment's parties, that has one); else the
    commitment's own status."""
    return party_statuses(c, (party,), groups)[0]


def party_statuses(
    c: Summary | Commitment, parties: Iterable[str], groups: Groups
) -> list[PartyStatus]:
    """`party_status` of each of `parties`, in linear time: the assessments and the groups'
    members are looked at once for all of them (one at a time, a commitment of 20,000 parties
    took 25 s in `stats`)."""
    own = dict(c.assessments)
    via: dict[str, str] = {}  # member -> the first assessed group of the commitment holding it
    for g in c.parties:
        if g in own:
            for m in groups.get(g, ()):
                if m != g:
                    via.setdefault(m, g)
    out = []
    for party in parties:
        if party in own:
            out.append(PartyStatus(party, own[party], "own"))
        elif party in via:
            out.append(PartyStatus(party, own[via[party]], "group", via[party]))
        else:
            out.append(PartyStatus(party, c.status, "commitment"))
    return out


class PartyLine(NamedTuple):
    """One line of a commitment's per-party view: the party's status, its latest assessment of
    its own (None when it has none), and the group it is listed under ("" for a named party)."""

    status: PartyStatus
    latest: Event | None
    member_of: str


def each_party(c: Commitment, groups: Groups) -> list[PartyLine]:
    """Every party the commitment binds, each named party followed by its members when it is a
    group, each once."""
    latest = c.latest_assessments()
    listed: list[tuple[str, str]] = []  # (party, the group it is listed under, or "")
    seen: set[str] = set()
    for p in c.parties:
        for q in (p, *groups.get(p, ())):
            if q not in seen:
                seen.add(q)
                listed.append((q, p if q != p else ""))
    out: list[PartyLine] = []
    for (q, under), ps in zip(
        listed, party_statuses(c, (q for q, _u in listed), groups), strict=True
    ):
        own = latest.get(q) if ps.source == "own" else None
        out.append(PartyLine(ps, own, under))
    return out


def expand(parties: Iterable[str], groups: Groups) -> tuple[str, ...]:
    """The parties with each group replaced by its members, each once, in order."""
    out: list[str] = []
    for p in parties:
        for q in groups.get(p, (p,)):
            if q not in out:
                out.append(q)
    return tuple(out)


# ---- checks ------------------------------------------------------------------------------------

Keys = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Problem:
    """A validation problem at a key path such as ("commitments", "sec-training", "due")."""

    keys: Keys
    message: str


@dataclass
class _Checker:
    problems: list[Problem] = field(default_factory=list)

    def add(self, keys: Keys, message: str) -> None:
        self.problems.append(Problem(keys, f"{dotted(keys)}: {message}"))

    def text(
        self,
        obj: Mapping[str, Any],
        key: str,
        at: Keys,
        *,
        required: bool = False,
        blank_ok: bool = True,
    ) -> str:
        v = obj.get(key)
        if v is None:
            if required:
                self.add((*at, key), _("is missing"))
            return ""
        if not isinstance(v, str):
            self.add((*at, key), _("must be a string, not {kind}").format(kind=type_name(v)))
            return ""
        if not blank_ok and not v.strip():
            self.add((*at, key), _("must not be blank"))
        self._controls(v, (*at, key))
        return v

    def _controls(self, v: str, at: Keys) -> None:
        bad = control_char(v)
        if bad is not None:
            self.add(
                at,
                _("contains the control character U+{code:04X}; remove it").format(code=ord(bad)),
            )

    def day(
        self, obj: Mapping[str, Any], key: str, at: Keys, *, required: bool = False
    ) -> date | None:
        v = obj.get(key)
        if v is None:
            if required:
                self.add((*at, key), _("is missing"))
            return None
        # tomllib gives datetime (a subclass of date) for date-times: a due date is a day.
        if type(v) is not date:
            what = shown(v) if isinstance(v, str) else type_name(v)
            self.add(
                (*at, key),
                _("{value} is not a date (write it bare, as 2026-04-03)").format(value=what),
            )
            return None
        return v

    def strings(self, obj: Mapping[str, Any], key: str, at: Keys) -> tuple[str, ...]:
        v = obj.get(key)
        if v is None:
            return ()
        # A bare string is not taken as a list of one: the readers that skip this check
        # (context_of, groups_of) would not, and `members = "Mali"` would mean two things.
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            self.add((*at, key), _("must be a list of strings"))
            return ()
        for x in v:
            self._controls(x, (*at, key))
        return tuple(v)

    def choice(
        self, obj: Mapping[str, Any], key: str, at: Keys, names: Iterable[str], what: str
    ) -> str:
        v = obj.get(key)
        if v is None:
            self.add((*at, key), _("is missing"))
            return ""
        names = list(names)
        if not isinstance(v, str) or v not in names:
            what_v = shown(v) if isinstance(v, str) else type_name(v)
            self.add(
                (*at, key),
                _("{value} is not a {what} (one of: {choices})").format(
                    value=what_v, what=what, choices=", ".join(names)
                ),
            )
            return ""
        return v


def type_name(v: object) -> str:
    names = {
        str: _("a string"),
        int: _("an integer"),
        float: _("a number"),
        bool: _("a boolean"),
        list: _("an array"),
        dict: _("a table"),
        datetime: _("a date-time"),
        date: _("a date"),
    }
    return names.get(type(v), type(v).__name__)


def dotted(keys: Iterable[str | int]) -> str:
    out = ""
    for k in keys:
        if isinstance(k, int):
            out += f"[{k}]"
        else:
            k = escape_controls(k)
            out += f".{k}" if out else k
    return out


@dataclass(frozen=True, slots=True)
class Context:
    """What one commitment's checks (and changes) need to know about the rest of the document."""

    sources: frozenset[str]
    parties: tuple[str, ...]
    groups: Groups = field(default_factory=_default_groups)
    # The parties as a set: a commitment's parties are looked up in it one by one, which the
    # tuple made quadratic for a commitment of thousands of parties.
    known: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "known", frozenset(self.parties))


def context_of(raw: Mapping[str, Any]) -> Context:
    """The context from a document's top level, without checking it (see `check_document`)."""
    sources = raw.get("sources")
    parties = raw.get("parties")
    return Context(
        frozenset(sources) if isinstance(sources, dict) else frozenset(),
        tuple(parties)
        if isinstance(parties, list) and parties and all(isinstance(p, str) for p in parties)
        else DEFAULT_PARTIES,
        groups_of(raw),
    )


def groups_of(raw: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    """The groups of a document's top level, without checking them (see `check_document`): the
    well-formed `[groups.NAME]` tables; the default groups when the file names neither its
    parties nor its groups."""
    table = raw.get("groups")
    if table is None:
        return {} if "parties" in raw else _default_groups()
    out: dict[str, tuple[str, ...]] = {}
    if isinstance(table, dict):
        for name, g in table.items():
            members = g.get("members") if isinstance(g, dict) else None
            if isinstance(members, list) and all(isinstance(m, str) for m in members):
                out[name] = tuple(members)
    return out


def check_document(raw: Mapping[str, Any]) -> tuple[Document, list[Problem]]:
    """Check a parsed document and build its typed view. Every problem is collected, so that
    `aes-tracker check` can report them all at once; items with problems are left out of the
    view."""
    ck = _Checker()
    schema = raw.get("schema")
    if schema is None:
        ck.add(("schema",), _("is missing (this version writes schema = {n})").format(n=SCHEMA))
    elif type(schema) is not int:
        ck.add(("schema",), _("must be an integer, not {kind}").format(kind=type_name(schema)))
    elif schema > SCHEMA:
        ck.add(
            ("schema",),
            _("is {n}: written by a newer aes-tracker (this one reads {mine})").format(
                n=schema, mine=SCHEMA
            ),
        )
    elif schema < 1:
        ck.add(("schema",), _("is {n}: not a schema version").format(n=schema))

    parties = DEFAULT_PARTIES
    if "parties" in raw:
        listed = ck.strings(raw, "parties", ())
        _check_names(ck, ("parties",), listed)
        if listed:
            parties = listed
    groups = _groups(ck, raw, parties)
    names_fr = _names_fr(ck, raw)
    settings = raw.get("settings")
    if settings is not None and not isinstance(settings, dict):
        ck.add(("settings",), _("must be a table"))
    elif isinstance(settings, dict) and not isinstance(settings.get("git", False), bool):
        # `git = true`: commit every change made through the tool (see cli's auto-commit).
        ck.add(
            ("settings", "git"),
            _("must be true or false, not {kind}").format(kind=type_name(settings["git"])),
        )

    sources: dict[str, Source] = {}
    raw_sources = raw.get("sources", {})
    if not isinstance(raw_sources, dict):
        ck.add(("sources",), _("must be a table of sources"))
        raw_sources = {}
    for sid, s in raw_sources.items():
        at: Keys = ("sources", sid)
        if not isinstance(s, dict):
            ck.add(at, _("must be a table"))
            continue
        n = len(ck.problems)
        if not is_id(sid):
            ck.add(at, _("is not a valid ID (lower-case letters, digits, '-', '.', '_')"))
        title = ck.text(s, "title", at, required=True, blank_ok=False)
        day = ck.day(s, "date", at, required=True)
        extra = {k: ck.text(s, k, at) for k in ("place", "language", "publisher", "author", "url")}
        text = ck.text(s, "text", at)
        if text and not check_text_path(text):
            ck.add(
                (*at, "text"),
                _("must name a file in the sources/ folder beside the data file (sources/ID.txt)"),
            )
        extra["text"] = text
        if len(ck.problems) == n and day is not None:
            sources[sid] = Source(sid, title, day, **extra)

    ctx = Context(frozenset(raw_sources), parties, groups)
    commitments: dict[str, Commitment] = {}
    raw_cs = raw.get("commitments", {})
    if not isinstance(raw_cs, dict):
        ck.add(("commitments",), _("must be a table of commitments"))
        raw_cs = {}
    for cid, c in raw_cs.items():
        built = _commitment(ck, cid, c, ctx)
        if built is not None:
            commitments[cid] = built
    return Document(sources, commitments, parties, groups, names_fr), ck.problems


def _names_fr(ck: _Checker, raw: Mapping[str, Any]) -> dict[str, str]:
    """The `[names_fr]` table: a name as the file writes it (a party, a host, a place) -> its
    French form, both non-blank text. Optional; a name without one is shown as written, never
    guessed."""
    table = raw.get("names_fr")
    if table is None:
        return {}
    if not isinstance(table, dict):
        ck.add(("names_fr",), _('must be a table: [names_fr] with Name = "French name"'))
        return {}
    out: dict[str, str] = {}
    for name, value in table.items():
        if not isinstance(value, str) or not value.strip():
            ck.add(("names_fr", name), _("must be the name in French, as text"))
            continue
        out[name] = value
    return out


def _check_names(ck: _Checker, keys: Keys, names: Sequence[str]) -> None:
    """The parties' names: none blank, each once, and no two that differ only in case (`mali`
    beside `Mali` would be two parties to the file and one to a reader)."""
    seen: dict[str, str] = {}
    for name in names:
        if not name.strip():
            ck.add(keys, _("{value}: a party's name must not be blank").format(value=shown(name)))
            continue
        other = seen.get(name.casefold())
        if other == name:
            ck.add(keys, _("{value} is listed twice").format(value=shown(name)))
        elif other is not None:
            ck.add(
                keys,
                _("{value} and {other} differ only in case: write one name, one way").format(
                    value=shown(name), other=shown(other)
                ),
            )
        else:
            seen[name.casefold()] = name


def _groups(ck: _Checker, raw: Mapping[str, Any], parties: tuple[str, ...]) -> Groups:
    """The `[groups.NAME]` tables, checked: a group is a known party, with at least one member;
    its members are known parties, each once, and not groups themselves (groups do not nest,
    so that a member's assessment has one meaning)."""
    table = raw.get("groups")
    if table is None:
        return groups_of(raw)
    if not isinstance(table, dict):
        ck.add(("groups",), _("must be a table of groups: [groups.NAME] with members = [...]"))
        return {}
    out: dict[str, tuple[str, ...]] = {}
    for name, g in table.items():
        at: Keys = ("groups", name)
        if not isinstance(g, dict):
            ck.add(at, _("must be a table with members = [...]"))
            continue
        n = len(ck.problems)
        if name not in parties:
            ck.add(
                at,
                _("{value} is not a known party (one of: {choices}); list it in `parties`").format(
                    value=shown(name), choices=", ".join(parties)
                ),
            )
        members = ck.strings(g, "members", at)
        if "members" not in g:
            ck.add((*at, "members"), _("is missing"))
        elif not members and isinstance(g["members"], list):
            ck.add((*at, "members"), _("must name at least one member"))
        seen: set[str] = set()
        for m in members:
            if m in table:
                ck.add(
                    (*at, "members"),
                    _(
                        "{value} is itself a group: a group's members are parties, not groups"
                    ).format(value=shown(m)),
                )
            elif m not in parties:
                ck.add(
                    (*at, "members"),
                    _("{value} is not a known party (one of: {choices})").format(
                        value=shown(m), choices=", ".join(parties)
                    ),
                )
            if m in seen:
                ck.add((*at, "members"), _("{value} is listed twice").format(value=shown(m)))
            seen.add(m)
        if len(ck.problems) == n:
            out[name] = members
    return out


def check_commitment(cid: str, table: Any, ctx: Context) -> tuple[Commitment | None, list[Problem]]:
    """One commitment's table, checked on its own against the document's context."""
    ck = _Checker()
    return _commitment(ck, cid, table, ctx), ck.problems


def _commitment(ck: _Checker, cid: str, c: Any, ctx: Context) -> Commitment | None:
    at: Keys = ("commitments", cid)
    if not isinstance(c, dict):
        ck.add(at, _("must be a table"))
        return None
    n = len(ck.problems)
    if not is_id(cid):
        ck.add(at, _("is not a valid ID (lower-case letters, digits, '-', '.', '_')"))
    title = ck.text(c, "title", at, required=True, blank_ok=False)
    category = ck.choice(c, "category", at, (x.name for x in CATEGORIES), _("category"))
    party_list = ck.strings(c, "parties", at)
    if "parties" not in c:
        ck.add((*at, "parties"), _("is missing"))
    elif not party_list and isinstance(c["parties"], list):
        ck.add((*at, "parties"), _("must name at least one party"))
    for p in party_list:
        if p not in ctx.known:
            ck.add(
                (*at, "parties"),
                _("{value} is not a known party (one of: {choices})").format(
                    value=shown(p), choices=", ".join(ctx.parties)
                ),
            )
    source = ck.text(c, "source", at, required=True)
    if source and source not in ctx.sources:
        ck.add(
            (*at, "source"), _("{value} is not a source of this file").format(value=shown(source))
        )
    quote = ck.text(c, "quote", at, required=True, blank_ok=False)
    status = ck.choice(c, "status", at, (s.name for s in STATUSES), _("status"))
    due = ck.day(c, "due", at)
    original_due = ck.day(c, "original_due", at)
    review = ck.day(c, "review", at)
    no_deadline = c.get("no_deadline", False)
    if not isinstance(no_deadline, bool):
        ck.add(
            (*at, "no_deadline"),
            _("must be true or false, not {kind}").format(kind=type_name(no_deadline)),
        )
        no_deadline = False
    if due is not None and no_deadline:
        ck.add((*at, "no_deadline"), _("is true but a due date is set: keep one of them"))
    if due is None and "due" not in c and not no_deadline:
        ck.add(
            (*at, "due"),
            _("is missing: give a due date, or no_deadline = true with a review date"),
        )
    if no_deadline and review is None and "review" not in c:
        ck.add((*at, "review"), _("is missing: a commitment with no deadline needs a review date"))
    recur = ck.text(c, "recur", at)
    recur_start = ck.day(c, "recur_start", at)
    if recur:
        from aes_tracker.domain.recurrence import check_rule

        try:
            check_rule(recur)
        except TrackerError as e:
            ck.add((*at, "recur"), e.message)
        if due is None and "due" not in c:
            ck.add((*at, "due"), _("is missing: a recurring commitment needs its next due date"))
    history: list[Event] = []
    raw_history = c.get("history", [])
    if not isinstance(raw_history, list):
        ck.add((*at, "history"), _("must be an array of tables ([[...history]])"))
        raw_history = []
    for i, h in enumerate(raw_history):
        ev = _event(ck, (*at, "history", i), h, ctx)
        if ev is not None:
            history.append(ev)
    strings = {k: ck.strings(c, k, at) for k in ("beneficiaries", "timing", "hosts")}
    texts = {
        k: ck.text(c, k, at)
        for k in ("title_fr", "due_reason", "review_reason", "next_host", "notes")
    }
    if len(ck.problems) != n:
        return None
    return Commitment(
        id=cid,
        title=title,
        category=Category(category),
        parties=party_list,
        source=source,
        quote=quote,
        status=Status(status),
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
        **texts,
    )


def schedule_problems(c: Commitment) -> list[Problem]:
    """For `check`: an open recurring commitment's due date is the one its rule and recorded
    sessions give (recurrence.schedule), or, when a session was moved (`edit --due`), its
    `original_due` is. A rule edited by hand, or by an older `edit --recur`, left the old
    schedule. Not a reason to refuse the file elsewhere: the next session recorded, or an
    `edit --recur`, sets the schedule again."""
    from aes_tracker.domain.recurrence import schedule

    if not c.recur or c.recur_start is None or c.due is None or not c.is_open:
        return []
    expected = schedule(c.recur, c.recur_start, [day for day, _h in c.occurrences]).next_due
    planned = c.original_due if c.original_due is not None else c.due
    if expected is None or planned == expected:
        return []  # (None: the rule has ended, and the next write closes it)
    key = "original_due" if c.original_due is not None else "due"
    return [
        Problem(
            ("commitments", c.id, key),
            f"{dotted(('commitments', c.id, key))}: "
            + _("is {day}, but its rule ({rule}) and the sessions recorded give {expected}").format(
                day=planned.isoformat(), rule=c.recur, expected=expected.isoformat()
            ),
        )
    ]


def _event(ck: _Checker, at: Keys, h: Any, ctx: Context) -> Event | None:
    if not isinstance(h, dict):
        ck.add(at, _("must be a table"))
        return None
    n = len(ck.problems)
    on = ck.day(h, "on", at, required=True)
    status = ck.choice(h, "status", at, (s.name for s in STATUSES), _("status"))
    kind = ck.text(h, "event", at) or "status"
    if kind not in EVENT_KINDS:
        ck.add(
            (*at, "event"),
            _("{value} is not an event (one of: {choices})").format(
                value=shown(kind), choices=", ".join(EVENT_KINDS)
            ),
        )
    stamp = h.get("at")
    if stamp is not None and not isinstance(stamp, datetime):
        ck.add((*at, "at"), _("must be a date-time, not {kind}").format(kind=type_name(stamp)))
        stamp = None
    changes: list[Change] = []
    for line in ck.strings(h, "changes", at):
        ch = parse_change(line)
        if ch is None:
            ck.add(
                (*at, "changes"),
                _("{value} is not a change ('field: before → after')").format(value=shown(line)),
            )
        else:
            changes.append(ch)
    texts = {k: ck.text(h, k, at) for k in ("by", "note", "host", "party", "place")}
    if texts["party"] and texts["party"] not in ctx.parties:
        ck.add(
            (*at, "party"),
            _("{value} is not a known party (one of: {choices})").format(
                value=shown(texts["party"]), choices=", ".join(ctx.parties)
            ),
        )
    evidence = ck.strings(h, "evidence", at)
    for url in evidence:
        if evidence_kind(url) is None:
            ck.add((*at, "evidence"), not_evidence(url))
    if len(ck.problems) != n or on is None:
        return None
    return Event(
        on=on,
        status=Status(status),
        event=kind,
        at=stamp,
        evidence=evidence,
        changes=tuple(changes),
        **texts,
    )
