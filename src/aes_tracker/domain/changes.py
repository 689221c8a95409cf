"""The changes an analyst makes, and the rules they follow, as functions of a `Draft` (the
document being changed; see store.py). Each one checks its input, edits the raw tables, appends
a history entry saying who, when and what, and returns an `Outcome`: the line the command prints
and the undo journal keeps. Working on the raw tables, not on the typed view, is what keeps keys
this version does not know.

Errors name the data field they are about (`due`, `on`, `evidence`); the CLI puts the matching
flag in front.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from aes_tracker.domain import notes
from aes_tracker.domain.model import (
    COMMITMENT_KEYS,
    DONE,
    PENDING,
    Category,
    Change,
    Commitment,
    Status,
    category_info,
    change_value,
    check_id,
    check_text,
    concerned,
    evidence_kind,
    expand,
    party_status,
    shown,
    status_info,
)
from aes_tracker.domain.notes import change_words
from aes_tracker.domain.query import fold, resolve_id, resolve_party
from aes_tracker.domain.recurrence import check_rule, extra_for, schedule, session_timing
from aes_tracker.errors import TrackerError
from aes_tracker.i18n import _, colon, status_label

if TYPE_CHECKING:
    from aes_tracker.store.core import Draft

MAX_ID = 24  # characters in an ID that `add` makes
HISTORY_BEFORE_SOURCE = 366  # days an event may be dated before its commitment's source
DEFAULT_REVIEW = 182  # days: "six months", when no earlier interval is known

# Words left out of the IDs `add` makes, in English and French.
_STOP = frozenset(
    {
        *("a", "an", "the", "of", "to", "and", "for", "in", "on", "with", "by", "at", "from"),
        *("le", "la", "les", "de", "des", "du", "et", "l", "d", "un", "une", "au", "aux"),
        *("en", "sur", "par", "pour", "dans", "avec"),
    }
)


@dataclass(frozen=True)
class Who:
    """Who makes a change and when: `today` for the dates, `now` for the time it was recorded."""

    by: str
    today: date
    now: datetime


@dataclass(frozen=True)
class Outcome:
    cid: str
    line: str  # what the command prints
    what: str = ""  # what `undo` says it took back; the line when empty

    @property
    def described(self) -> str:
        return self.what or self.line


# ---- IDs -----------------------------------------------------------------------------------------


# A quantity ("25,000 tonnes", "3 millions de dollars") says how much, not what: its number and
# the measure after it give way to the words that name the commitment, where there are any.
_MEASURES = frozenset(
    {
        *("t", "tonnes", "tons", "tonne", "ton", "kg", "km", "mw", "gw", "ha", "hectares"),
        *("million", "millions", "milliard", "milliards", "billion", "billions", "thousand"),
        *("mille", "percent", "pour", "cent", "dollars", "usd", "euros", "eur", "fcfa", "cfa"),
        *("rubles", "roubles", "rub", "xof", "units", "unites"),
    }
)


def _id_words(title: str) -> list[str]:
    """The words of a title that an ID keeps: no small words, no numbers and no measures
    following a number; the numbers only when nothing else is left."""
    from anyascii import anyascii

    words = [w for w in re.split(r"[^a-z0-9]+", anyascii(title).lower()) if w]
    kept: list[str] = []
    after_number = False
    for w in words:
        if w.isdigit():
            after_number = True
            continue
        if w in _STOP or (after_number and w in _MEASURES):
            continue
        after_number = False
        kept.append(w)
    return kept or [w for w in words if w not in _STOP]


def slug(category: str, title: str, taken: Iterable[str]) -> str:
    """An ID from the category and the title's first meaningful words, in ASCII whatever the
    script (Cyrillic and Arabic are transliterated), at most MAX_ID characters, cut at a word."""
    prefix = category_info(category).prefix
    base = prefix
    for w in _id_words(title)[:5]:
        if len(base) + 1 + len(w) > MAX_ID:
            if base == prefix:
                base = f"{base}-{w}"[:MAX_ID].rstrip("-")
            break
        base = f"{base}-{w}"
    if base == prefix:
        raise TrackerError(_("cannot make an ID from this title; give one with --id"), field="id")
    taken = set(taken)
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


# ---- the history ---------------------------------------------------------------------------------


def history_entry(
    kind: str,
    on: date,
    status: str,
    who: Who,
    *,
    note: str = "",
    evidence: Sequence[str] = (),
    host: str = "",
    changes: Sequence[Change] = (),
    party: str = "",
    place: str = "",
) -> dict[str, Any]:
    ev: dict[str, Any] = {"on": on, "at": who.now, "by": who.by, "event": kind}
    if party:
        ev["party"] = party
    ev["status"] = status
    if note:
        ev["note"] = note
    if evidence:
        ev["evidence"] = list(evidence)
    if host:
        ev["host"] = host
    if place:
        ev["place"] = place
    if changes:
        # One readable line per field, "due: 2026-01-15 → 2026-04-03", so that the history reads
        # well in the file and in `git diff`; ∅ stands for "not set".
        ev["changes"] = [c.text() for c in changes]
    return ev


def _history(t: dict[str, Any]) -> list[dict[str, Any]]:
    h = t.setdefault("history", [])
    assert isinstance(h, list)
    return h


def changes_text(changes: Sequence[Change]) -> str:
    return "; ".join(c.text() for c in changes)


# ---- checks on what a person types ---------------------------------------------------------------


def check_evidence(
    values: Sequence[str],
    exists: Callable[[str], bool] = os.path.exists,
    base: str | None = None,
) -> list[str]:
    """Evidence is an absolute http(s) URL or a file that exists. A file is stored relative to
    `base` (the data file's folder) when it is in it, else absolute, so that it still resolves
    from another folder tomorrow (`local_evidence`)."""
    out = []
    for v in values:
        v = check_text(v.strip(), "evidence")
        kind = evidence_kind(v)
        if kind == "url":
            out.append(v)
        elif kind == "path" and exists(v):
            out.append(local_evidence(v, base) if base is not None else v)
        else:
            raise TrackerError(
                _("{value} is neither an http(s) URL nor a file that exists").format(
                    value=shown(v)
                ),
                hint=_("give a full link such as https://example.org/article, or a file's path"),
                field="evidence",
            )
    return out


def local_evidence(path: str, base: str) -> str:
    """`path` (read from the current folder) as the file stores it: relative to `base` when it
    is under it, with '/' whatever the system, else absolute. A first part with a colon in it
    is written ./a:b, so that it is not read as a URL's scheme."""
    from pathlib import Path, PurePosixPath

    full = Path(path).resolve()
    try:
        rel = PurePosixPath(full.relative_to(Path(base).resolve()).as_posix())
    except ValueError:
        return full.as_posix()
    return f"./{rel}" if ":" in rel.parts[0] else str(rel)


def check_on(on: date, c: Commitment, source_day: date | None, today: date) -> date:
    """A history date must not be after today, nor more than a year before the commitment's
    source (a typo in the year, most likely)."""
    if on > today:
        raise TrackerError(
            _("{day} is after today ({today}): record what has happened").format(
                day=on.isoformat(), today=today.isoformat()
            ),
            field="on",
        )
    if source_day is not None and on < source_day - timedelta(days=HISTORY_BEFORE_SOURCE):
        raise TrackerError(
            _("{day} is more than a year before the commitment's source ({source})").format(
                day=on.isoformat(), source=source_day.isoformat()
            ),
            field="on",
        )
    return on


def _source_day(d: Draft, c: Commitment) -> date | None:
    s = d.sources().get(c.source)
    return None if s is None else s.date


def _match_party(d: Draft, party: str) -> str:
    known = d.parties()
    for k in known:
        if k.casefold() == party.strip().casefold():
            return k
    raise TrackerError(
        _("{value} is not a known party (one of: {choices})").format(
            value=shown(party), choices=", ".join(known)
        ),
        hint=_(
            "a new partnership's parties are added with `aes-tracker source add ... --party NAME`"
        ),
        field="party",
    )


def check_party_of(d: Draft, c: Commitment, party: str) -> str:
    """A party the commitment binds: one of its parties, or a member of a group that is."""
    p = _match_party(d, party)
    if not concerned(c, p, d.groups()):
        members = expand(c.parties, d.groups())
        also = [m for m in members if m not in c.parties]
        raise TrackerError(
            _("{party} is not a party to {id} (its parties: {parties})").format(
                party=p,
                id=c.id,
                parties=", ".join(c.parties)
                + (_("; members: {members}").format(members=", ".join(also)) if also else ""),
            ),
            field="party",
        )
    return p


def _refuse_recurring_done(c: Commitment, party: str = "") -> None:
    if party:
        raise TrackerError(
            _(
                "{id} recurs: a session is recorded for all its parties with "
                "`aes-tracker done {id} --on DATE`"
            ).format(id=c.id),
            hint=_(
                "record what {party} did with `aes-tracker note {id} TEXT --party {party}`"
            ).format(id=c.id, party=party),
            field="party",
        )
    raise TrackerError(
        _("{id} recurs: a session is recorded with `aes-tracker done {id} --on DATE`").format(
            id=c.id
        ),
        hint=_("to end the series, set it to dropped: aes-tracker status {id} dropped").format(
            id=c.id
        ),
        field="status",
    )


# ---- status, done, note, review ------------------------------------------------------------------


def _closing_day(c: Commitment) -> date | None:
    """The day the commitment reached its current status."""
    events = [e for e in c.events() if not e.party]
    for e in reversed(events):
        if any(ch.field == "status" and ch.after == c.status for ch in e.changes):
            return e.on
    for e in reversed(events):
        if e.status == c.status:
            return e.on
    return None


def set_status(
    d: Draft,
    cid: str,
    status: Status,
    who: Who,
    *,
    on: date,
    note: str = "",
    evidence: Sequence[str] = (),
    party: str = "",
) -> Outcome:
    """Change the status (reopening a closed one is allowed and recorded). With `party`, record
    that party's own assessment; the commitment's status stays what it is."""
    c = d.commitment(cid)
    check_on(on, c, _source_day(d, c), who.today)
    if note:
        check_text(note, "note")
    if party:
        return assess(d, cid, status, who, on=on, note=note, evidence=evidence, party=party)
    if c.recur and status == DONE:
        _refuse_recurring_done(c)
    before = c.status
    if not note and before == status:
        note = notes.CONFIRMED.format(status=status)
    elif not note and not status_info(before).open and status_info(status).open:
        note = notes.REOPENED.format(status=before)
    t = d.table(cid)
    t["status"] = status
    _history(t).append(
        history_entry(
            "status",
            on,
            status,
            who,
            note=note,
            evidence=evidence,
            changes=[Change("status", before, status)] if before != status else (),
        )
    )
    said = f"{status_label(before)} → {status_label(status)}"
    return Outcome(
        cid,
        f"{cid}{colon()}{said}",
        notes.DID_STATUS.format(id=cid, before=before, after=status, on=on, by=who.by),
    )


def assess(
    d: Draft,
    cid: str,
    status: Status,
    who: Who,
    *,
    on: date,
    party: str,
    note: str = "",
    evidence: Sequence[str] = (),
    confirm_note: bool = True,
) -> Outcome:
    """One party's own assessment, recorded in the history (`event = "status"`, `party`); the
    change line says what that party's status was before: its own, else its group's, else the
    commitment's. The commitment's status stays what it is. `confirm_note`: an assessment
    that repeats the party's status says so in its note when it has none (an import keeps the
    note as it came)."""
    c = d.commitment(cid)
    check_on(on, c, _source_day(d, c), who.today)
    if note:
        check_text(note, "note")
    p = check_party_of(d, c, party)
    if c.recur and status == DONE:
        _refuse_recurring_done(c, p)
    before = party_status(c, p, d.groups()).status
    if confirm_note and not note and before == status:
        note = notes.CONFIRMED.format(status=status)
    _history(d.table(c.id)).append(
        history_entry(
            "status",
            on,
            status,
            who,
            note=note,
            evidence=evidence,
            party=p,
            changes=[Change("status", before, status)] if before != status else (),
        )
    )
    return Outcome(
        c.id,
        f"{c.id}{colon()}{p}{colon()}{status_label(before)} → {status_label(status)}",
        notes.DID_PARTY.format(id=c.id, party=p, before=before, after=status, on=on, by=who.by),
    )


def done(
    d: Draft,
    cid: str,
    who: Who,
    *,
    on: date,
    note: str = "",
    evidence: Sequence[str] = (),
    host: str = "",
    force: bool = False,
    party: str = "",
    place: str = "",
) -> Outcome:
    """Close as done; on a recurring commitment, record the session held on `on` (its host, a
    party, and its place, a city)."""
    c = d.commitment(cid)
    if place and (party or not c.recur):
        raise TrackerError(_("a place is only for recurring commitments' sessions"), field="place")
    if party:
        if host:
            raise TrackerError(
                _("a host is for a recurring commitment's sessions, not for one party"),
                field="host",
            )
        p = check_party_of(d, c, party)
        if c.recur:
            _refuse_recurring_done(c, p)
        now = party_status(c, p, d.groups())
        if not status_info(now.status).open:
            raise TrackerError(
                _("{party} is already {status} on {id}; nothing was recorded").format(
                    party=p, status=now.status, id=cid
                ),
                hint=_closed_hint(cid, now.status, p),
            )
        return set_status(d, cid, DONE, who, on=on, note=note, evidence=evidence, party=p)
    if c.recur and c.is_open:
        return record_session(
            d, cid, who, on=on, note=note, evidence=evidence, host=host, force=force, place=place
        )
    if host:
        raise TrackerError(_("a host is only for recurring commitments"), field="host")
    if not c.is_open:
        day = _closing_day(c)
        raise TrackerError(
            _("{id} is already {status}{since}; nothing was recorded").format(
                id=cid,
                status=c.status,
                since=_(" since {day}").format(day=day.isoformat()) if day else "",
            ),
            hint=_closed_hint(cid, c.status),
        )
    return set_status(d, cid, DONE, who, on=on, note=note, evidence=evidence)


def _closed_hint(cid: str, status: str, party: str = "") -> str:
    """The way on from `done` on something closed: a note when it is done already, the status
    command when it was closed otherwise (broken, dropped) and is done after all."""
    flag = f" --party {party}" if party else ""
    if status == DONE:
        return _("to add to its record, use `aes-tracker note {id} TEXT{flag}`").format(
            id=cid, flag=flag
        )
    return _("to record it as done after all, use `aes-tracker status {id} done{flag}`").format(
        id=cid, flag=flag
    )


def reschedule(t: dict[str, Any], c: Commitment) -> list[Change]:
    """Set `due`, `next_host` (and `status` when the rule has ended) from the recorded sessions:
    the pure function of recurrence.py, so nothing depends on the previous due date."""
    start = c.recur_start or c.due
    if start is None:
        return []
    sch = schedule(c.recur, start, [day for day, _host in c.occurrences], c.hosts)
    out: list[Change] = []
    if "original_due" in t:
        # A slip belongs to one session: the next one starts on time.
        out.append(Change("original_due", change_value(t.pop("original_due")), ""))
    if sch.next_due is not None:
        if t.get("due") != sch.next_due:
            out.append(Change("due", change_value(t.get("due")), sch.next_due.isoformat()))
            t["due"] = sch.next_due
    elif status_info(str(t.get("status", PENDING))).open:
        # The rule has ended (COUNT or UNTIL reached): that was the last session.
        out.append(Change("status", str(t.get("status")), DONE))
        t["status"] = DONE
    if c.hosts and t.get("next_host") != sch.next_host:
        out.append(Change("next_host", change_value(t.get("next_host")), sch.next_host))
        t["next_host"] = sch.next_host
    return out


def record_session(
    d: Draft,
    cid: str,
    who: Who,
    *,
    on: date,
    note: str = "",
    evidence: Sequence[str] = (),
    host: str = "",
    force: bool = False,
    place: str = "",
) -> Outcome:
    c = d.commitment(cid)
    check_on(on, c, _source_day(d, c), who.today)
    held = [day for day, _h in c.occurrences]
    if on in held:
        raise TrackerError(
            _("a session of {id} on {day} is already recorded; nothing was recorded").format(
                id=cid, day=on.isoformat()
            ),
            field="on",
        )
    if held and on < held[-1] and not force:
        raise TrackerError(
            _("{day} is before the last recorded session ({last}); nothing was recorded").format(
                day=on.isoformat(), last=held[-1].isoformat()
            ),
            hint=_("to record a past session that was missed, add --force"),
            field="on",
        )
    start = c.recur_start or c.due
    extra = extra_for(c.recur, start, held, on) if start is not None and not force else None
    if extra is not None:
        coming = schedule(c.recur, start or on, held).next_due
        raise TrackerError(
            _(
                "the session of {day} already counts for the {slot} session of {id}, and "
                "{next}'s is not due yet; nothing was recorded"
            ).format(
                day=extra[0].isoformat(),
                slot=extra[1].isoformat(),
                id=cid,
                next=coming.isoformat() if coming else "",
            ),
            hint=_(
                "if it is the same meeting, there is nothing to do; a genuinely extra session: "
                "add --force"
            ),
            field="on",
        )
    if host:
        host = _host(d, host)
    expected_host = c.next_host
    t = d.table(cid)
    entry = history_entry(
        "occurrence",
        on,
        str(t.get("status", PENDING)),
        who,
        note=check_text(note, "note") if note else "",
        evidence=evidence,
        host=check_text(host, "host") if host else expected_host,
        place=check_text(place.strip(), "place") if place.strip() else "",
    )
    _history(t).append(entry)
    changes = reschedule(t, d.commitment(cid))
    if changes:
        entry["changes"] = [ch.text() for ch in changes]
        entry["status"] = t["status"]
    after = d.commitment(cid)
    nxt = (
        _("next due {day}").format(day=after.due.isoformat())
        if after.is_open and after.due
        else _("no further occurrence")
    )
    if after.next_host and after.is_open:
        nxt += _(", expected host: {host}").format(host=after.next_host)
    when = session_timing(after, on)
    return Outcome(
        cid,
        _("{id}: occurrence of {day} recorded; {next}").format(
            id=cid, day=on.isoformat() + (f" ({when})" if when else ""), next=nxt
        ),
        notes.DID_SESSION.format(id=cid, day=on, on=on, by=who.by),
    )


def _host(d: Draft, host: str) -> str:
    """A session's host: a party of the file (a member state of a group is one), read as
    parties are; a city is a place, not a host."""
    try:
        return resolve_party(d.parties(), check_text(host, "host"), "host")
    except TrackerError as e:
        e.hint = e.hint or _("the host is a party or a member state; put the city in --place")
        raise


def add_note(
    d: Draft,
    cid: str,
    text: str,
    who: Who,
    *,
    on: date,
    evidence: Sequence[str] = (),
    party: str = "",
) -> Outcome:
    c = d.commitment(cid)
    check_on(on, c, _source_day(d, c), who.today)
    check_text(text, "note")
    p = check_party_of(d, c, party) if party else ""
    status = party_status(c, p, d.groups()).status if p else c.status
    _history(d.table(cid)).append(
        history_entry("note", on, status, who, note=text, evidence=evidence, party=p)
    )
    return Outcome(
        cid,
        _("{id}: note added").format(id=cid) + (f" ({p})" if p else ""),
        notes.DID_NOTE.format(id=cid, text=text[:60], on=on, by=who.by),
    )


def _review_set_on(c: Commitment) -> date | None:
    """When the current review date was set: the latest entry that changed it, else the first."""
    for e in reversed(c.events()):
        if any(ch.field == "review" for ch in e.changes):
            return e.on
    return c.events()[0].on if c.history else None


def review(
    d: Draft,
    cid: str,
    who: Who,
    *,
    on: date,
    next_review: date | None = None,
    note: str = "",
    evidence: Sequence[str] = (),
) -> Outcome:
    """Record that the analyst reviewed the commitment, and set its next review date: the one
    given, else the same interval as before (from when the current review date was set to it),
    else six months."""
    c = d.commitment(cid)
    check_on(on, c, _source_day(d, c), who.today)
    if note:
        check_text(note, "note")
    if c.due is not None:
        raise TrackerError(
            _(
                "{id} has a due date ({due}); review dates are for commitments with no deadline"
            ).format(id=cid, due=c.due.isoformat()),
            hint=_("to record what you found, use `aes-tracker note {id} TEXT`").format(id=cid),
        )
    if next_review is None:
        since = _review_set_on(c)
        interval = (c.review - since).days if c.review and since else 0
        next_review = on + timedelta(days=interval if interval > 0 else DEFAULT_REVIEW)
    if next_review <= on:
        raise TrackerError(
            _("the next review ({day}) must come after this one ({on})").format(
                day=next_review.isoformat(), on=on.isoformat()
            ),
            field="next",
        )
    t = d.table(cid)
    before = t.get("review")
    t["review"] = next_review
    t["no_deadline"] = True
    _history(t).append(
        history_entry(
            "review",
            on,
            c.status,
            who,
            note=note,
            evidence=evidence,
            changes=[Change("review", change_value(before), next_review.isoformat())],
        )
    )
    return Outcome(
        cid,
        _("{id}: reviewed; next review {day}").format(id=cid, day=next_review.isoformat()),
        notes.DID_REVIEW.format(id=cid, day=next_review, on=on, by=who.by),
    )


# ---- add, edit, remove ---------------------------------------------------------------------------


def _check_parties(d: Draft, parties: Sequence[str], field: str = "party") -> list[str]:
    """The known parties these name; an unknown one is an error about `field` (the CLI names
    the option it came from: --party, --add-party, --remove-party)."""
    out: list[str] = []
    for p in parties:
        try:
            match = _match_party(d, p)
        except TrackerError as e:
            if e.field in ("party", "parties"):
                e.field = field
            raise
        if match not in out:
            out.append(match)
    return out


def _check_source(d: Draft, source: str) -> str:
    return resolve_id(d.source_ids(), source, "source", "source") if source else source


def default_source(d: Draft) -> str:
    """The source of a commitment added without one: the file's only source."""
    ids = d.source_ids()
    if not ids:
        raise TrackerError(
            _("this file has no source yet"),
            hint=_("register the communiqué with `aes-tracker source add`"),
            field="source",
        )
    if len(ids) > 1:
        raise TrackerError(
            _("this file has several sources; say which with --source ({ids})").format(
                ids=", ".join(ids)
            ),
            field="source",
        )
    return ids[0]


@dataclass(frozen=True)
class NewCommitment:
    title: str
    category: Category
    parties: Sequence[str]
    quote: str
    source: str | None = None
    beneficiaries: Sequence[str] = ()
    due: date | None = None
    review: date | None = None
    review_reason: str = ""
    due_reason: str = ""
    recur: str = ""
    timing: Sequence[str] = ()
    hosts: Sequence[str] = ()
    notes: str = ""
    title_fr: str = ""
    cid: str | None = None


def add_commitment(d: Draft, new: NewCommitment, who: Who, *, force: bool = False) -> Outcome:
    title = check_text(new.title, "title")
    quote = check_text(new.quote, "quote")
    for f, v in (
        ("review_reason", new.review_reason),
        ("due_reason", new.due_reason),
        ("notes", new.notes),
        ("title_fr", new.title_fr),
    ):
        if v:
            check_text(v, f)
    if not new.parties:
        raise TrackerError(_("name at least one committing party"), field="party")
    party_list = _check_parties(d, new.parties)
    src = _check_source(d, new.source) if new.source else default_source(d)
    if (new.due is None) == (new.review is None):
        raise TrackerError(
            _("give either a due date, or no deadline and a review date"), field="due"
        )
    if not force:
        same_title = [
            cid
            for cid in d.ids()
            if (s := d.summary(cid)).source == src and fold(s.title) == fold(title)
        ]
        if same_title:
            raise TrackerError(
                _("{id} has the same title and source; nothing was added").format(id=same_title[0]),
                hint=_("add --force to add it anyway"),
            )
    if new.cid is None:
        cid = slug(new.category, title, d.ids())
    else:
        cid = check_id(new.cid)
        if d.has(cid):
            raise TrackerError(
                _("a commitment {id} already exists").format(id=shown(cid)), field="id"
            )
    t: dict[str, Any] = {"title": title}
    if new.title_fr:
        t["title_fr"] = new.title_fr
    t.update(category=new.category, parties=party_list)
    if new.beneficiaries:
        t["beneficiaries"] = [check_text(b, "beneficiaries") for b in new.beneficiaries]
    t.update(source=src, quote=quote)
    if new.timing:
        t["timing"] = [check_text(x, "timing") for x in new.timing]
    t["status"] = PENDING
    if new.due is not None:
        t["due"] = new.due
        if new.due_reason:
            t["due_reason"] = new.due_reason
    else:
        t.update(no_deadline=True, review=new.review)
        if new.review_reason:
            t["review_reason"] = new.review_reason
    if new.recur:
        check_rule(new.recur)
        if new.due is None:
            raise TrackerError(
                _("a recurring commitment needs a due date: its next session"), field="due"
            )
        t.update(recur=new.recur, recur_start=new.due)
        if new.hosts:
            t["hosts"] = [check_text(h, "host") for h in new.hosts]
            t["next_host"] = new.hosts[0]
    if new.notes:
        t["notes"] = new.notes
    t["history"] = [
        history_entry(
            "recorded",
            who.today,
            PENDING,
            who,
            note=notes.ADDED.format(source=src),
        )
    ]
    d.add(cid, t)
    return Outcome(cid, cid, notes.DID_ADD.format(id=cid, on=who.today, by=who.by))


# Fields `edit` sets directly: every field of a commitment but those that the status, the history
# or the recurrence set.
EDITABLE = tuple(
    k
    for k in COMMITMENT_KEYS
    if k
    not in {"status", "original_due", "no_deadline", "recur_start", "hosts", "next_host", "history"}
)
_TEXTS = ("title", "title_fr", "quote", "due_reason", "review_reason", "notes", "source", "recur")
_LISTS = ("parties", "beneficiaries", "timing")


def edit(
    d: Draft,
    cid: str,
    changes: Mapping[str, Any],
    who: Who,
    *,
    note: str = "",
    add_parties: Sequence[str] = (),
    remove_parties: Sequence[str] = (),
) -> Outcome:
    """Change fields. A changed due date keeps the first due date in `original_due`, so the slip
    stays visible. `due` on an undated commitment clears `no_deadline`, `review` and
    `review_reason`; `review` with `due=None` does the reverse. Every field changed is recorded
    in the history entry's `changes`, so nothing set before is lost from the record."""
    c = d.commitment(cid)
    t = d.table(cid)
    done: list[Change] = []

    def setv(key: str, value: Any) -> None:
        before = t.get(key)
        if value in ("", [], None, False):
            t.pop(key, None)
            value = None
        else:
            t[key] = value
        if change_value(before) != change_value(value):
            done.append(Change(key, change_value(before), change_value(value)))

    for key, value in changes.items():
        if key not in EDITABLE:
            raise TrackerError(_("{field} cannot be edited").format(field=key), field=key)
        if key in ("due", "review"):
            continue  # below, with the fields they clear
        if key in _TEXTS and (value or key in ("title", "quote")):
            value = check_text(value, key)
        if key == "parties":
            value = _check_parties(d, value)
            if not value:
                raise TrackerError(_("name at least one committing party"), field="party")
        elif key in ("beneficiaries", "timing"):
            value = [check_text(v, key) for v in value]
        elif key == "source":
            value = _check_source(d, value)
        elif key == "category":
            category_info(value)
        elif key == "recur" and value:
            check_rule(value)
        setv(key, value)
    if t.get("recur") and t.get("recur") != c.recur:
        # A new rule is a new schedule: the next due date (and host, or the end of the series)
        # from the rule and the sessions recorded, as after a session. A --due given with it is
        # then a moved session, below.
        done += reschedule(t, dataclasses.replace(c, recur=t["recur"]))
    if add_parties or remove_parties:
        current = list(t.get("parties", []))
        for p in _check_parties(d, add_parties, "add_party"):
            if p not in current:
                current.append(p)
        for p in _check_parties(d, remove_parties, "remove_party"):
            if p not in current:
                raise TrackerError(
                    _("{party} is not a party to {id}").format(party=p, id=cid),
                    field="remove_party",
                )
            current.remove(p)
        if not current:
            raise TrackerError(_("name at least one committing party"), field="remove_party")
        setv("parties", current)
    due_given, due = "due" in changes, changes.get("due")
    review_given, review_day = "review" in changes, changes.get("review")
    if due_given and due is not None:
        if review_given and review_day is not None:
            raise TrackerError(_("give a due date or a review date, not both"), field="review")
        before = t.get("due")
        if before is not None and before != due and "original_due" not in t:
            t["original_due"] = before
        setv("due", due)
        # Dated now: the review fields no longer apply (their values stay in `changes`).
        setv("no_deadline", None)
        setv("review", None)
        setv("review_reason", None)
    elif due_given:
        if c.recur:
            raise TrackerError(
                _("a recurring commitment needs a due date: its next session"), field="due"
            )
        review_day = review_day if review_given else t.get("review")
        if review_day is None:
            raise TrackerError(
                _("a commitment with no deadline needs a review date"), field="review"
            )
        setv("due", None)
        setv("no_deadline", True)
        setv("review", review_day)
    elif review_given and review_day is not None:
        if t.get("due") is not None:
            raise TrackerError(
                _(
                    "{id} has a due date; to make it undated, give no deadline with the review date"
                ).format(id=cid),
                field="review",
            )
        setv("review", review_day)
    if t.get("due") is None and not t.get("no_deadline"):
        raise TrackerError(
            _("a commitment needs a due date, or no deadline and a review date"), field="due"
        )
    if t.get("recur") and t.get("due") is None:
        raise TrackerError(
            _("a recurring commitment needs a due date: its next session"), field="due"
        )
    if not done:
        raise TrackerError(_("nothing to change: the values given are the current ones"))
    if note:
        check_text(note, "note")
    _history(t).append(
        history_entry(
            "edit", who.today, str(t.get("status", c.status)), who, note=note, changes=done
        )
    )
    given = {*changes, *(["parties"] if add_parties or remove_parties else [])}
    echo = _edit_echo(done, given)
    said = _edit_echo(done, given, change_words)
    return Outcome(
        cid,
        f"{cid}{colon()}{said}",
        notes.DID_EDIT.format(id=cid, changes=echo, on=who.today, by=who.by),
    )


def _edit_echo(
    done: Sequence[Change], given: Iterable[str], words: Callable[[str], str] = str
) -> str:
    """What `edit` says it did: the fields given, old → new, and the names of the fields it
    cleared as a consequence (the history keeps their old values in full)."""
    asked = set(given)
    said = [c for c in done if c.field in asked or c.after]
    cleared = [c.field for c in done if c.field not in asked and not c.after]
    text = "; ".join(words(c.text()) for c in said)
    if cleared:
        text += ("; " if text else "") + _("cleared: {fields}").format(fields=", ".join(cleared))
    return text


def remove(d: Draft, cid: str, *, force: bool = False) -> Outcome:
    """Remove a commitment added by mistake. One whose history holds more than its `recorded`
    entry (someone worked on it) needs `force`; `undo` brings it back either way."""
    c = d.commitment(cid)
    work = [e for e in c.history if e.event != "recorded"]
    if work and not force:
        raise TrackerError(
            _("{id} has {n} history entries besides its recording; nothing was removed").format(
                id=cid, n=len(work)
            ),
            hint=_("add --force to remove it with its history (undo brings it back)"),
        )
    d.remove(cid)
    return Outcome(cid, _("{id}: removed").format(id=cid), notes.DID_RM.format(id=cid))


def add_source(
    d: Draft,
    sid: str,
    *,
    title: str,
    day: date,
    place: str = "",
    language: str = "",
    url: str = "",
    publisher: str = "",
    author: str = "",
    parties: Sequence[str] = (),
    text: str = "",
) -> Outcome:
    check_id(sid)
    if sid in d.source_ids():
        raise TrackerError(_("a source {id} already exists").format(id=shown(sid)), field="id")
    check_text(title, "title")
    s: dict[str, Any] = {"title": title, "date": day}
    for k, v in (
        ("place", place),
        ("language", language),
        ("publisher", publisher),
        ("author", author),
        ("url", url),
        ("text", text),
    ):
        if v:
            s[k] = check_text(v, k)
    top = d.edit_top()
    top.setdefault("sources", {})[sid] = s
    known = list(d.parties())
    new = [check_text(p.strip(), "party") for p in parties if p.strip() and p.strip() not in known]
    if new:
        top["parties"] = [*known, *new]
    return Outcome(sid, sid, f"source add {sid}")
