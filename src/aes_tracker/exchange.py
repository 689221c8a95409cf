"""The data out and back in: JSON (the whole document, lossless), CSV (one row per commitment,
or `--per-party` one per commitment and party), ICS (an RFC 5545 calendar), and the merge of an
exported file into a data file.

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

import csv
import io
import json
import math
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from aes_tracker.domain import notes
from aes_tracker.domain.draft import Entry, Who
from aes_tracker.domain.history import changes_text, history_entry
from aes_tracker.domain.inputs import check_party_of
from aes_tracker.domain.model import (
    COMMITMENT_KEYS,
    EVENT_KEYS,
    SOURCE_KEYS,
    TOP_KEYS,
    Change,
    Document,
    change_value,
    occurrences_of,
    parse_change,
    summarize,
)
from aes_tracker.domain.parties import each_party
from aes_tracker.domain.progress import assess
from aes_tracker.domain.query import LIST_KEYS, row
from aes_tracker.domain.records import change_record, change_text, party_record
from aes_tracker.domain.spreadsheet import plain_cell
from aes_tracker.domain.statuses import parse_status, status_info
from aes_tracker.domain.text import check_evidence_value, check_text, escape_controls, shown
from aes_tracker.domain.validate import check_document
from aes_tracker.errors import TrackerError
from aes_tracker.i18n import _
from aes_tracker.store.tomlfile import canonical, same

if TYPE_CHECKING:
    from aes_tracker.store.core import Draft

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


def _from_json(v: Any, path: tuple[str, ...], name: str) -> Any:
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
            k: _from_json(x, (*path, k), name)
            for k, x in v.items()
            if not (x is None and k in known)  # null: not set, as the export writes it
        }
    if isinstance(v, list):
        if _shape(path) == _CHANGES:
            return [_change_from_json(x, (*path, str(i)), name) for i, x in enumerate(v)]
        return [_from_json(x, (*path, str(i)), name) for i, x in enumerate(v)]
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
    return _from_json(v, path, name)


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


# ---- import ---------------------------------------------------------------------------------


def decode_import(data: bytes, name: str) -> str:
    """An import file's text: UTF-8, with or without the BOM Excel writes."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise TrackerError(_("is not valid UTF-8"), path=name, line=line) from None


@dataclass
class Incoming:
    """What an import file brings: a partial document (JSON, or the rows of a CSV), or the
    per-party assessments of a per-party CSV."""

    document: dict[str, Any] = field(default_factory=dict)
    assessments: list[dict[str, Any]] = field(default_factory=list)


def read_import(text: str, name: str, today: date) -> Incoming:
    """An exported JSON document (or `extract`'s JSON or TOML), CSV rows, or a per-party CSV,
    checked for shape before anything uses it. `_extract` keys (what `extract` says of its
    proposals: offsets, confidence, rule) are left out."""
    stripped = text.lstrip("\ufeff")
    if name.lower().endswith(".toml"):
        from aes_tracker.store.tomlfile import parse

        doc = _without_extract(parse(stripped, name))
        _check_shape(doc, name)
        return Incoming(doc)
    if stripped.lstrip().startswith("{"):
        try:
            doc = json.loads(stripped)
        except json.JSONDecodeError as e:
            raise TrackerError(
                _("invalid JSON: {why}").format(why=e.msg), path=name, line=e.lineno, col=e.colno
            ) from None
        except RecursionError:
            raise TrackerError(_("is nested too deeply to be an export"), path=name) from None
        if not isinstance(doc, dict):
            raise TrackerError(_("is not an aes-tracker export (a JSON object)"), path=name)
        out = _without_extract(_from_json(doc, (), name))
        _check_shape(out, name)
        return Incoming(out)
    head = next(csv.reader(io.StringIO(stripped)), [])
    if "party" in head and "parties" not in head:
        return Incoming(assessments=_read_party_csv(stripped, name))
    return Incoming(_read_csv(stripped, name, today))


def _without_extract(doc: dict[str, Any]) -> dict[str, Any]:
    doc.pop("_extract", None)
    cs = doc.get("commitments")
    if isinstance(cs, dict):
        for c in cs.values():
            if isinstance(c, dict):
                c.pop("_extract", None)
    return doc


def _check_shape(doc: dict[str, Any], name: str) -> None:
    for key in ("sources", "commitments"):
        part = doc.get(key)
        if part is None:
            continue
        if not isinstance(part, dict):
            raise TrackerError(
                _("{key} must be an object of {key} by ID").format(key=key), path=name
            )
        for k, v in part.items():
            if not isinstance(v, dict):
                raise TrackerError(
                    _("{key}.{id} must be an object").format(key=key, id=escape_controls(k)),
                    path=name,
                )
    if "parties" in doc and not (
        isinstance(doc["parties"], list) and all(isinstance(p, str) for p in doc["parties"])
    ):
        raise TrackerError(_("parties must be a list of names"), path=name)
    groups = doc.get("groups")
    if groups is not None and not (
        isinstance(groups, dict) and all(isinstance(g, dict) for g in groups.values())
    ):
        raise TrackerError(_("groups must be an object of groups by name"), path=name)


@contextmanager
def _csv_errors(reader: csv.DictReader[str], name: str) -> Iterator[None]:
    """What the csv module cannot read, said in one line naming the file and the line."""
    try:
        yield
    except csv.Error as e:
        raise TrackerError(
            _("is not a CSV this tool can read ({why})").format(why=e),
            path=name,
            line=reader.line_num or None,
        ) from None


# The columns of the CSV export that hold data (the others, days_left, overdue..., are worked out
# from them and are not read back).
_CSV_TEXTS = ("title", "title_fr", "category", "source", "quote", "status", "recur", "next_host")
_CSV_LISTS = ("parties", "beneficiaries", "hosts")
_CSV_DATES = ("due", "original_due", "review", "recur_start")


def _read_csv(text: str, name: str, today: date) -> dict[str, Any]:
    from aes_tracker.domain.dates import parse_date
    from aes_tracker.errors import DateError

    reader = csv.DictReader(io.StringIO(text))
    with _csv_errors(reader, name):
        fields = reader.fieldnames
        if fields is None or "id" not in fields:
            raise TrackerError(
                _("is neither an exported JSON document nor a CSV with an 'id' column"), path=name
            )
        commitments: dict[str, Any] = {}
        for n, r in enumerate(reader, start=2):
            cid = (r.get("id") or "").strip()
            if not cid:
                raise TrackerError(_("row has no id"), path=name, line=n)
            if cid in commitments:
                raise TrackerError(
                    _("row repeats the id {id}").format(id=repr(cid)), path=name, line=n
                )
            # A spreadsheet's form of a cell (a ' before what would run as a formula) back to
            # the data's own.
            r = {
                k: plain_cell(v) for k, v in r.items() if isinstance(k, str) and isinstance(v, str)
            }
            c: dict[str, Any] = {}
            for key in _CSV_TEXTS:
                if r.get(key):
                    c[key] = r[key]
            for key in _CSV_LISTS:
                if r.get(key):
                    c[key] = [p.strip() for p in r[key].split(";") if p.strip()]
            for key in _CSV_DATES:
                if r.get(key, "").strip():
                    # The command line's rules: 30/04/2027 from a French spreadsheet is read,
                    # 02/03/2027 (which day?) refused the same way.
                    try:
                        c[key] = parse_date(r[key], today)
                    except DateError as e:
                        raise TrackerError(
                            f"{key}: " + e.message, path=name, line=n, hint=e.hint
                        ) from None
            nd = (r.get("no_deadline") or "").strip().lower()
            if nd in ("true", "1", "yes"):
                c["no_deadline"] = True
                c.pop("due", None)
            elif "review" in c and "due" not in c:
                c["no_deadline"] = True
            if "due" in c:
                # A dated row: an undated commitment it updates becomes dated.
                c["no_deadline"] = None
                c["review"] = None
            c["_row"] = n
            commitments[cid] = c
    return {"commitments": commitments}


def _read_party_csv(text: str, name: str) -> list[dict[str, Any]]:
    """The per-party assessments of a per-party CSV: its rows whose `from` is `own` (every row,
    when it has no `from` column); the other rows follow from those and are left."""
    reader = csv.DictReader(io.StringIO(text))
    fields = reader.fieldnames or []
    for key in ("id", "party", "status"):
        if key not in fields:
            raise TrackerError(
                _(
                    "a per-party CSV needs the columns id, party and status ({key} is missing)"
                ).format(key=key),
                path=name,
            )
    out: list[dict[str, Any]] = []
    with _csv_errors(reader, name):
        for n, raw_row in enumerate(reader, start=2):
            r = {k: plain_cell(v) for k, v in raw_row.items() if isinstance(v, str)}
            if "from" in fields and (r.get("from") or "").strip() != "own":
                continue

            def bad(e: TrackerError, n: int = n) -> TrackerError:
                where = f"{e.field}: " if e.field else ""
                return TrackerError(
                    _("row {n}: ").format(n=n) + where + e.message, path=name, line=n
                )

            try:
                a: dict[str, Any] = {
                    "row": n,
                    "id": (r.get("id") or "").strip(),
                    "party": (r.get("party") or "").strip(),
                    "status": parse_status(r.get("status") or "", "status"),
                    "on": _day(r.get("on") or "", "on"),
                    "at": _stamp(r.get("at") or "", "at"),
                    "by": check_text((r.get("by") or "").strip(), "by", blank_ok=True),
                    "note": check_text(r.get("note") or "", "note", blank_ok=True),
                    "evidence": [
                        check_evidence_value(check_text(u.strip(), "evidence"))
                        for u in (r.get("evidence") or "").split(";")
                        if u.strip()
                    ],
                }
            except TrackerError as e:
                raise bad(e) from None
            out.append(a)
    return out


def _day(text: str, field_name: str) -> date | None:
    return _iso(text, field_name, date.fromisoformat, _("{value} is not a date (write 2026-04-03)"))


def _stamp(text: str, field_name: str) -> datetime | None:
    message = _("{value} is not a date-time (write 2026-04-03T09:00:00+00:00)")
    return _iso(text, field_name, datetime.fromisoformat, message)


_T = TypeVar("_T")


def _iso(text: str, field_name: str, parse: Callable[[str], _T], message: str) -> _T | None:
    """`text` read by `parse`, None when it is blank; else `message`, naming the value."""
    if not text.strip():
        return None
    try:
        return parse(text.strip())
    except ValueError:
        raise TrackerError(message.format(value=shown(text)), field=field_name) from None


def merge_assessments(
    d: Draft, rows: list[dict[str, Any]], *, update: bool, who: Who, name: str
) -> dict[str, list[str]]:
    """Record the per-party assessments of a per-party CSV, each as `status ID S --party P`
    would, dated and signed as in the file. One the party's history already holds (the same
    status, day, note and evidence, current or superseded) is unchanged; a party that has
    other assessments is a conflict unless `update`, which records it at its own date (the
    party's status is then its latest by date, as always). All or nothing: a bad row raises,
    naming it."""
    report: dict[str, list[str]] = {
        "assessed": [],
        "assessments_unchanged": [],
        "conflicts": [],
    }
    for a in rows:
        n = a["row"]
        try:
            if not d.has(a["id"]):
                raise TrackerError(_("no commitment {value}").format(value=shown(a["id"])))
            c = d.commitment(a["id"])
            p = check_party_of(d, c, a["party"])
            label = f"{c.id} [{p}]"
            on = a["on"] or who.today
            known = [e for e in c.history if e.party == p and e.event == "status"]
            wanted = (a["status"], on, a["note"], tuple(a["evidence"]))
            if any((e.status, e.on, e.note, e.evidence) == wanted for e in known):
                report["assessments_unchanged"].append(label)
                continue
            if known and not update:
                report["conflicts"].append(label)
                continue
            signed = Who(a["by"] or who.by, who.today, a["at"] or who.now)
            assess(
                d,
                c.id,
                a["status"],
                signed,
                Entry(on=on, party=p, note=a["note"], evidence=a["evidence"]),
                confirm_note=False,
            )
            report["assessed"].append(label)
        except TrackerError as e:
            if e.path is not None:
                raise
            # The party's name is in the message; any other field is named before it.
            where = f"{e.field}: " if e.field and e.field != "party" else ""
            raise TrackerError(
                _("row {n}: ").format(n=n) + where + e.message + _("; nothing was imported"),
                path=name,
                line=n,
            ) from None
    return report


def _diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    out = []
    for k in sorted(set(old) | set(new)):
        if k == "history":
            continue
        if not same(old.get(k), new.get(k)):
            out.append(Change(k, change_value(old.get(k)), change_value(new.get(k))))
    return out


def merge(
    d: Draft,
    found: Incoming,
    *,
    update: bool,
    who: Who,
    name: str,
) -> dict[str, list[str]]:
    """Merge `found` into the drafted document by ID: new groups, sources and commitments are
    added; an existing group or commitment that differs is replaced only with `update` (each
    changed field of a commitment is recorded in its history, as `edit` would), else listed as
    a conflict. Per-party assessments: see `merge_assessments`. Raises TrackerError naming the
    row or ID when the result would not check clean."""
    if found.assessments:
        return merge_assessments(d, found.assessments, update=update, who=who, name=name)
    incoming = found.document
    raw = d.raw_document()
    report: dict[str, list[str]] = {
        "added": [],
        "updated": [],
        "unchanged": [],
        "conflicts": [],
        "sources": [],
        "diffs": [],  # "ID: field: old → new; ..." for each updated or conflicting commitment
    }

    def take(into: dict[str, Any], key: str, value: Any, label: str) -> None:
        """A value the data file lacks is added; one that differs replaces it with `update`,
        else is a conflict."""
        if key not in into:
            into[key] = value
        elif not same(into[key], value):
            if update:
                into[key] = value
            else:
                report["conflicts"].append(label)

    if isinstance(incoming.get("parties"), list):
        known = list(raw.get("parties", []))
        raw["parties"] = known + [p for p in incoming["parties"] if p not in known]
    if isinstance(incoming.get("groups"), dict):
        groups = raw.setdefault("groups", {})
        for gname, g in incoming["groups"].items():
            take(groups, gname, g, f"groups.{gname}")
    # Keys this version does not know, at the top of the document: kept like the rest.
    for key, value in incoming.items():
        if key in ("schema", "parties", "groups", "sources", "commitments"):
            continue
        take(raw, key, value, key)
    sources = raw.setdefault("sources", {})
    for sid, s in (incoming.get("sources") or {}).items():
        if sid not in sources:
            sources[sid] = s
            report["sources"].append(sid)
    commitments = raw.setdefault("commitments", {})
    rows: dict[str, int] = {}
    for cid, c in (incoming.get("commitments") or {}).items():
        c = dict(c)
        row_no = c.pop("_row", None)
        if row_no is not None:
            rows[cid] = row_no
        old = commitments.get(cid)
        if old is None:
            c = {k: v for k, v in c.items() if v is not None}
            c.setdefault("status", "pending")
            if "history" not in c:
                c["history"] = [
                    history_entry(
                        "recorded",
                        who.today,
                        c["status"],
                        who,
                        note=notes.IMPORTED.format(name=name),
                    )
                ]
            commitments[cid] = c
            report["added"].append(cid)
            continue
        if row_no is not None:
            merged = {k: v for k, v in {**old, **c}.items() if v is not None}
        else:
            merged = c
        if same(merged, old):
            report["unchanged"].append(cid)
            continue
        # What differs, old → new, for --dry-run and for a conflict to be read before --update.
        changes = _diff(old, merged)
        report["diffs"].append(f"{cid}: {changes_text(changes)}")
        if update:
            if changes:
                merged.setdefault("history", list(old.get("history", [])))
                merged["history"] = [
                    *merged["history"],
                    history_entry(
                        "edit",
                        who.today,
                        str(merged.get("status", "pending")),
                        who,
                        note=notes.UPDATED.format(name=name),
                        changes=changes,
                    ),
                ]
            commitments[cid] = merged
            report["updated"].append(cid)
        else:
            report["conflicts"].append(cid)
    _doc, problems = check_document(raw)
    if problems:
        p = problems[0]
        cid = p.keys[1] if len(p.keys) > 1 and p.keys[0] == "commitments" else None
        where = _("row {n}: ").format(n=rows[cid]) if isinstance(cid, str) and cid in rows else ""
        raise TrackerError(
            where + p.message + _("; nothing was imported"),
            path=name,
            line=rows.get(cid) if isinstance(cid, str) else None,
        )
    return report
