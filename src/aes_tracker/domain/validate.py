"""The checks that turn a parsed TOML document into its records (model.py): every problem is
collected, with the key path it is at, so that `aes-tracker check` reports them all at once; a
commitment or an event with a problem is left out of the view. Also the context one commitment's
checks (and changes) need from the rest of the document.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple

from aes_tracker.domain.ids import is_id
from aes_tracker.domain.model import (
    EVENT_KINDS,
    SCHEMA,
    SOURCE_DETAILS,
    Change,
    Commitment,
    Data,
    Document,
    Event,
    Source,
    parse_change,
)
from aes_tracker.domain.parties import DEFAULT_PARTIES, Groups, default_groups, groups_of
from aes_tracker.domain.statuses import Category, Status, categories, statuses
from aes_tracker.domain.text import (
    check_text_path,
    control_char,
    escape_controls,
    evidence_kind,
    not_evidence,
    shown,
)
from aes_tracker.errors import TrackerError
from aes_tracker.i18n import N_, _

Keys = tuple[str | int, ...]


class Problem(NamedTuple):
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
        if v.__class__ is str and (blank_ok or v.strip()) and control_char(v) is None:
            return v  # (the common case: the checks below find nothing)
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
        self, obj: Mapping[str, Any], key: str, at: Keys, names: tuple[str, ...], what: str
    ) -> str:
        """The value at `key`, one of `names`; `what` names the kind, untranslated (`N_`)."""
        v = obj.get(key)
        if v.__class__ is str and v in names:
            return v
        if v is None:
            self.add((*at, key), _("is missing"))
            return ""
        if not isinstance(v, str) or v not in names:
            what_v = shown(v) if isinstance(v, str) else type_name(v)
            self.add(
                (*at, key),
                _("{value} is not a {what} (one of: {choices})").format(
                    value=what_v, what=_(what), choices=", ".join(names)
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
    groups: Groups = field(default_factory=default_groups)
    # The parties as a set: a commitment's parties are looked up in it one by one, which the
    # tuple made quadratic for a commitment of thousands of parties.
    known: frozenset[str] = field(init=False, repr=False, compare=False)
    # The registries' names as they are when the context is made, for `choice`.
    status_names: tuple[str, ...] = field(init=False, repr=False, compare=False)
    category_names: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "known", frozenset(self.parties))
        object.__setattr__(self, "status_names", tuple(s.name for s in statuses()))
        object.__setattr__(self, "category_names", tuple(c.name for c in categories()))


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
    raw_sources = _records(ck, raw, "sources", _("must be a table of sources"))
    for sid, at, s in _each_table(ck, "sources", raw_sources, _("must be a table")):
        n = len(ck.problems)
        if not is_id(sid):
            ck.add(at, _("is not a valid ID (lower-case letters, digits, '-', '.', '_')"))
        title = ck.text(s, "title", at, required=True, blank_ok=False)
        day = ck.day(s, "date", at, required=True)
        extra = {k: ck.text(s, k, at) for k in SOURCE_DETAILS}
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
    raw_cs = _records(ck, raw, "commitments", _("must be a table of commitments"))
    for cid, c in raw_cs.items():
        built = _commitment(ck, cid, c, ctx)
        if built is not None:
            commitments[cid] = built
    return Data(sources, commitments, parties, groups, names_fr), ck.problems


def _records(ck: _Checker, raw: Mapping[str, Any], key: str, problem: str) -> dict[str, Any]:
    """The table of records at `key` (none: an empty one); `problem` at `key` if it is no table."""
    table = raw.get(key, {})
    if isinstance(table, dict):
        return table
    ck.add((key,), problem)
    return {}


def _each_table(
    ck: _Checker, key: str, records: Mapping[str, Any], problem: str
) -> Iterator[tuple[str, Keys, dict[str, Any]]]:
    """Each record at `key` that is a table, with where it is; `problem` at each that is not."""
    for name, record in records.items():
        at: Keys = (key, name)
        if isinstance(record, dict):
            yield name, at, record
        else:
            ck.add(at, problem)


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
    if raw.get("groups") is None:
        return groups_of(raw)
    wrong = _("must be a table of groups: [groups.NAME] with members = [...]")
    table = _records(ck, raw, "groups", wrong)
    out: dict[str, tuple[str, ...]] = {}
    for name, at, g in _each_table(ck, "groups", table, _("must be a table with members = [...]")):
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
    category = ck.choice(c, "category", at, ctx.category_names, N_("category"))
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
    status = ck.choice(c, "status", at, ctx.status_names, N_("status"))
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
    status = ck.choice(h, "status", at, ctx.status_names, N_("status"))
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
