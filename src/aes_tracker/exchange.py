"""The data out: JSON (the whole document, lossless), CSV (one row per commitment, or
`--per-party` one per commitment and party), ICS (an RFC 5545 calendar). Reading them back in
and merging them into a data file is importing.py.

Per-party assessments are history entries, so the JSON carries them with the rest. The per-party
CSV has each party's status and where it comes from (`from`: own, group, commitment); on import,
its `own` rows are recorded as that party's assessments (the others follow from them).

Lossless JSON: where the document holds dates (and the history's date-times), JSON holds plain
ISO strings; any other TOML value JSON has no type for, under a key this version does not know,
is tagged: {"$date": "2026-04-03"}, {"$datetime": "2026-04-03T07:30:00+01:00"} (an offset or
a local date-time), {"$time": "07:30:00"}, {"$float": "nan"} (and "inf", "-inf"). `import`
brings each back as it was, so export then import gives the same file, byte for byte.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from aes_tracker.domain.model import (
    COMMITMENT_KEYS,
    EVENT_KEYS,
    SOURCE_KEYS,
    TOP_KEYS,
    Document,
    occurrences_of,
    parse_change,
    summarize,
)
from aes_tracker.domain.parties import each_party
from aes_tracker.domain.query import LIST_KEYS, row
from aes_tracker.domain.records import change_record, change_text, party_record
from aes_tracker.domain.statuses import status_info
from aes_tracker.domain.text import escape_controls
from aes_tracker.errors import TrackerError
from aes_tracker.i18n import _
from aes_tracker.store.tomlfile import canonical

if TYPE_CHECKING:
    pass

CSV_KEYS = (*LIST_KEYS, "no_deadline", "recur_start", "hosts", "quote")
# `export --format csv --per-party`: one row per commitment and party it binds.
PARTY_CSV_KEYS = (
    "id",
    "title",
    "party",
    "member_of",  # the group it is listed under, for a member of a named group
    "status",  # the party's: its own, else its group's, else the commitment's
    "from",  # own, group or commitment
    "via",  # the group, when `from` is group
    "on",  # the party's latest own assessment: its day, when and by whom it was recorded,
    "at",
    "by",
    "note",  # its note and evidence
    "evidence",
    "commitment_status",
)
_MAX_DEPTH = 64  # a real export is five levels deep

# Where the document holds dates (and one date-time). In JSON they are plain ISO strings there.
_DATE_FIELDS = {
    ("sources", "*", "date"),
    ("commitments", "*", "due"),
    ("commitments", "*", "original_due"),
    ("commitments", "*", "review"),
    ("commitments", "*", "recur_start"),
    ("commitments", "*", "history", "*", "on"),
}
_DATETIME_FIELDS = {("commitments", "*", "history", "*", "at")}


def _shape(path: tuple[str, ...]) -> tuple[str, ...]:
    # ("commitments", "sec-x", "history", "3", "on") -> ("commitments", "*", "history", "*", "on")
    return tuple("*" if i in (1, 3) else p for i, p in enumerate(path))


# The records of the document whose keys this version knows: an absent one is written null, as
# every other JSON output does (and `import` leaves a null there out again, so it stays lossless).
_RECORD_KEYS = {
    (): TOP_KEYS,
    ("sources", "*"): SOURCE_KEYS,
    ("commitments", "*"): COMMITMENT_KEYS,
    ("commitments", "*", "history", "*"): EVENT_KEYS,
}
_CHANGES = ("commitments", "*", "history", "*", "changes")


def _change_to_json(line: Any) -> Any:
    # A change line is the object {field, before, after} of every other output; a line that would
    # not read back as the same text (the checks refuse it anyway) stays as it is.
    ch = parse_change(line) if isinstance(line, str) else None
    return change_record(ch) if ch is not None and ch.text() == line else line


def _to_json(v: Any, path: tuple[str, ...]) -> Any:
    if isinstance(v, dict):
        known = _RECORD_KEYS.get(_shape(path), ())
        out = {k: _to_json(v[k], (*path, k)) if k in v else None for k in known}
        out.update({k: _to_json(x, (*path, k)) for k, x in v.items() if k not in out})
        return out
    if isinstance(v, list):
        if _shape(path) == _CHANGES:
            return [_change_to_json(x) for x in v]
        return [_to_json(x, (*path, str(i))) for i, x in enumerate(v)]
    if isinstance(v, datetime):
        return v.isoformat() if _shape(path) in _DATETIME_FIELDS else {"$datetime": v.isoformat()}
    if isinstance(v, date):
        return v.isoformat() if _shape(path) in _DATE_FIELDS else {"$date": v.isoformat()}
    if isinstance(v, time):
        return {"$time": v.isoformat()}
    if isinstance(v, float) and not math.isfinite(v):
        return {"$float": "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")}
    return v


def _special_float(s: str) -> float:
    return float({"nan": "nan", "inf": "inf", "-inf": "-inf"}[s])


_TAGS: dict[str, Callable[[str], Any]] = {
    "$date": date.fromisoformat,
    "$datetime": datetime.fromisoformat,
    "$time": time.fromisoformat,
    "$float": _special_float,
}


def from_json(v: Any, path: tuple[str, ...], name: str) -> Any:
    if len(path) > _MAX_DEPTH:
        raise TrackerError(_("is nested too deeply to be an export"), path=name)
    if isinstance(v, dict):
        if len(v) == 1:
            ((tag, text),) = v.items()
            if tag in _TAGS:
                try:
                    if not isinstance(text, str):
                        raise TypeError
                    return _TAGS[tag](text)
                except (ValueError, TypeError, KeyError):
                    raise TrackerError(
                        _("{where}: {value} is not a valid {tag} value").format(
                            where=".".join(path) or "(top)", value=repr(text)[:40], tag=tag
                        ),
                        path=name,
                    ) from None
        known = _RECORD_KEYS.get(_shape(path), ())
        return {
            k: from_json(x, (*path, k), name)
            for k, x in v.items()
            if not (x is None and k in known)  # null: not set, as the export writes it
        }
    if isinstance(v, list):
        if _shape(path) == _CHANGES:
            return [_change_from_json(x, (*path, str(i)), name) for i, x in enumerate(v)]
        return [from_json(x, (*path, str(i)), name) for i, x in enumerate(v)]
    if isinstance(v, str):
        shape = _shape(path)
        try:
            if shape in _DATE_FIELDS:
                return date.fromisoformat(v)
            if shape in _DATETIME_FIELDS:
                return datetime.fromisoformat(v)
        except ValueError:
            return v  # left as text: the checks then say which field is not a date
    if v is None:
        raise TrackerError(
            _("{where}: null has no place in the data file; leave the key out").format(
                where=".".join(path) or "(top)"
            ),
            path=name,
        )
    if isinstance(v, float) and not math.isfinite(v):
        raise TrackerError(
            _('{where}: NaN and infinities are written {{"$float": "nan"}} in an export').format(
                where=".".join(path)
            ),
            path=name,
        )
    return v


def _change_from_json(v: Any, path: tuple[str, ...], name: str) -> Any:
    """A change object back as the line the file stores; a line (an export of an earlier
    version) as it is."""
    if isinstance(v, dict):
        before, after = v.get("before"), v.get("after")
        if (
            set(v) == {"field", "before", "after"}
            and isinstance(v["field"], str)
            and all(x is None or isinstance(x, str) for x in (before, after))
        ):
            return change_text(v)
        raise TrackerError(
            _("{where}: a change is {{field, before, after}}, with text or null").format(
                where=".".join(path)
            ),
            path=name,
        )
    return from_json(v, path, name)


def export_json(raw: Mapping[str, Any]) -> str:
    return json.dumps(_to_json(canonical(raw), ()), ensure_ascii=False, indent=2) + "\n"


def csv_rows(doc: Document, today: date) -> list[dict[str, Any]]:
    out = []
    for c in sorted(doc.commitments.values(), key=lambda c: c.id):
        r = row(summarize(c), today, groups=doc.groups)
        r["no_deadline"] = c.no_deadline
        r["recur_start"] = c.recur_start.isoformat() if c.recur_start else None
        r["hosts"] = list(c.hosts)
        r["quote"] = c.quote
        out.append(r)
    return out


def party_rows(doc: Document) -> list[dict[str, Any]]:
    """One row per commitment and party it binds (each group it names, then the group's
    members), by ID."""
    out = []
    for c in sorted(doc.commitments.values(), key=lambda c: c.id):
        for x in each_party(c, doc.groups):
            record = {"id": c.id, "title": c.title, **party_record(x)}
            out.append({**record, "commitment_status": c.status})  # columns: PARTY_CSV_KEYS
    return out


# RFC 5545 SEQUENCE: every export supersedes every earlier one. It is the export's time in
# seconds since 2025-01-01 UTC, so that whatever happened between two exports (an undo, a hand
# edit, a merge: none of which a count of history entries sees) the later export's events are
# the ones a calendar keeps; an unchanged event is sent again as an update of itself.
_SEQUENCE_EPOCH = datetime(2025, 1, 1, tzinfo=UTC)


def _sequence(now: datetime) -> int:
    moment = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
    return max(0, int((moment - _SEQUENCE_EPOCH).total_seconds()))


def export_ics(doc: Document, today: date, now: datetime) -> bytes:
    """The calendar of the commitments, for calendar programs that apply an update by UID and
    SEQUENCE (RFC 5545/5546):

    - one event per commitment, UID `ID@aes-tracker` for its whole life: on its due date, or on
      its review date while it has none ("Review: " and category "review");
    - a closed commitment stays, marked: "✓ done: ..." (kept, in full or in part), or
      STATUS:CANCELLED for one broken or dropped, so a calendar that holds it is told;
    - a recurring one (the consultations) as the tool schedules it, no RRULE: each session held
      is an event on its date with its host (UID `ID-session-N@aes-tracker`, N counting the
      sessions in date order), and the next expected session is `ID@aes-tracker`, on the tool's
      next due date with the expected host;
    - every event TRANSP:TRANSPARENT (a deadline does not make the analyst busy); SEQUENCE is
      the export's time (see `_sequence`), DTSTAMP now, LAST-MODIFIED the last recorded change."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//aes-tracker//commitments//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "aes-tracker commitments")
    sequence = _sequence(now)

    def event(uid: str, day: date, summary: str, lines: list[str], category: str) -> Event:
        ev = Event()
        ev.add("uid", uid)
        ev.add("summary", summary)
        ev.add("dtstart", day)
        if day < date.max:  # without DTEND an all-day event is that one day (RFC 5545 3.6.1)
            ev.add("dtend", day + timedelta(days=1))
        ev.add("dtstamp", now)
        ev.add("sequence", sequence)
        ev.add("transp", "TRANSPARENT")
        ev.add("description", "\n".join(lines))
        ev.add("categories", [category])
        return ev

    for c in sorted(doc.commitments.values(), key=lambda c: c.id):
        title = f"{escape_controls(c.title)} [{c.id}]"
        src = doc.sources.get(c.source)
        about = [f"« {escape_controls(c.quote)} »", "", f"Status: {c.status}"]
        about.append(f"Parties: {', '.join(c.parties)}")
        if src is not None:
            about.append(f"Source: {escape_controls(src.title)} ({src.date})")
        stamps = [e.at for e in c.history if e.at is not None]
        if c.recur:
            for n, (day, host) in enumerate(occurrences_of(c.history), start=1):
                held = [f"Host: {escape_controls(host)}"] if host else []
                ev = event(
                    f"{c.id}-session-{n}@aes-tracker",
                    day,
                    _("Session held: ") + title,
                    [*held, "", *about],
                    c.category,
                )
                cal.add_component(ev)
        review = c.due is None
        when = c.review if review else c.due
        if when is None:
            continue
        info = status_info(c.status)
        lines = list(about)
        if c.recur and c.next_host and c.is_open:
            lines.append(f"Expected host: {escape_controls(c.next_host)}")
        if c.due_reason:
            lines.append(f"Due date: {escape_controls(c.due_reason)}")
        if review and c.review_reason:
            lines.append(f"Review: {escape_controls(c.review_reason)}")
        if c.is_open:
            summary = (_("Review: ") if review else "") + title
        elif info.score is not None and info.score >= 0:
            summary = f"✓ {c.status}: {title}"
        else:
            summary = f"✗ {c.status}: {title}"
        ev = event(f"{c.id}@aes-tracker", when, summary, lines, "review" if review else c.category)
        if not c.is_open and (info.score is None or info.score < 0):
            ev.add("status", "CANCELLED")
        if stamps:
            ev.add("last-modified", max(stamps))
        cal.add_component(ev)
    return bytes(cal.to_ical())
