"""The data out and back in: JSON (the whole document, lossless), CSV (one row per commitment),
ICS (an RFC 5545 calendar), and the merge of an exported file into a data file.

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
from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from aes_tracker.errors import TrackerError
from aes_tracker.i18n import _
from aes_tracker.model import Change, Document, check_document, escape_controls, summarize
from aes_tracker.ops import Who, history_entry
from aes_tracker.query import LIST_KEYS, row
from aes_tracker.tomlfile import canonical, same

if TYPE_CHECKING:
    from aes_tracker.store import Draft

CSV_KEYS = (*LIST_KEYS, "no_deadline", "quote")
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


def _to_json(v: Any, path: tuple[str, ...]) -> Any:
    if isinstance(v, dict):
        return {k: _to_json(x, (*path, k)) for k, x in v.items()}
    if isinstance(v, list):
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
        return {k: _from_json(x, (*path, k), name) for k, x in v.items()}
    if isinstance(v, list):
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


def export_json(raw: Mapping[str, Any]) -> str:
    return json.dumps(_to_json(canonical(raw), ()), ensure_ascii=False, indent=2) + "\n"


def csv_rows(doc: Document, today: date) -> list[dict[str, Any]]:
    out = []
    for c in sorted(doc.commitments.values(), key=lambda c: c.id):
        r = row(summarize(c), today)
        r["no_deadline"] = c.no_deadline
        r["quote"] = c.quote
        out.append(r)
    return out


def _sequence(c: Any) -> int:
    """How many times the commitment changed after it was recorded: the event's SEQUENCE, so a
    calendar applies an update instead of ignoring it."""
    return max(0, len(c.history) - 1)


def export_ics(doc: Document, today: date, now: datetime) -> bytes:
    """One all-day event per dated open commitment, and one per review date of an undated open
    one (category "review"); the recurring ones as yearly (or their own RRULE) events. UIDs are
    the commitment IDs, so a calendar that imports the file again updates its events instead of
    duplicating them; SEQUENCE and LAST-MODIFIED come from the history, DTSTAMP is now."""
    from icalendar import Calendar, Event, vRecur

    cal = Calendar()
    cal.add("prodid", "-//aes-tracker//commitments//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "aes-tracker commitments")
    for c in sorted(doc.commitments.values(), key=lambda c: c.id):
        if not c.is_open:
            continue
        day = c.due if c.due is not None else c.review
        if day is None:
            continue
        review = c.due is None
        ev = Event()
        ev.add("uid", f"{c.id}{'-review' if review else ''}@aes-tracker")
        title = escape_controls(c.title)
        ev.add("summary", (_("Review: ") if review else "") + f"{title} [{c.id}]")
        ev.add("dtstart", day)
        ev.add("dtend", day + timedelta(days=1))
        ev.add("dtstamp", now)
        ev.add("sequence", _sequence(c))
        stamps = [e.at for e in c.history if e.at is not None]
        if stamps:
            ev.add("last-modified", max(stamps))
        src = doc.sources.get(c.source)
        lines = [
            f"« {escape_controls(c.quote)} »",
            "",
            f"Status: {c.status}",
            f"Parties: {', '.join(c.parties)}",
        ]
        if src is not None:
            lines.append(f"Source: {escape_controls(src.title)} ({src.date})")
        if c.next_host:
            lines.append(f"Expected host: {c.next_host}")
        if c.due_reason:
            lines.append(f"Due date: {escape_controls(c.due_reason)}")
        if review and c.review_reason:
            lines.append(f"Review: {escape_controls(c.review_reason)}")
        ev.add("description", "\n".join(lines))
        ev.add("categories", ["review" if review else c.category])
        if c.recur and not review:
            rule = "FREQ=YEARLY" if c.recur.lower() == "yearly" else c.recur
            rule = rule[6:] if rule.upper().startswith("RRULE:") else rule
            ev.add("rrule", vRecur.from_ical(rule))
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


def read_import(text: str, name: str) -> dict[str, Any]:
    """An exported JSON document, or CSV rows, as a partial document to merge. Its shape is
    checked before anything uses it."""
    stripped = text.lstrip("\ufeff")
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
        out = _from_json(doc, (), name)
        _check_shape(out, name)
        return out  # type: ignore[no-any-return]
    return _read_csv(stripped, name)


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


_CSV_TEXTS = ("title", "category", "source", "quote", "status", "recur", "next_host")


def _read_csv(text: str, name: str) -> dict[str, Any]:
    reader = csv.DictReader(io.StringIO(text))
    try:
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
            c: dict[str, Any] = {}
            for key in _CSV_TEXTS:
                if r.get(key):
                    c[key] = r[key]
            for key in ("parties", "beneficiaries"):
                if r.get(key):
                    c[key] = [p.strip() for p in r[key].split(";") if p.strip()]
            for key in ("due", "original_due", "review"):
                if r.get(key):
                    try:
                        c[key] = date.fromisoformat(r[key])
                    except ValueError:
                        raise TrackerError(
                            _("{field}: {value} is not a date (write 2026-04-03)").format(
                                field=key, value=repr(r[key])
                            ),
                            path=name,
                            line=n,
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
    except csv.Error as e:
        raise TrackerError(
            _("is not a CSV this tool can read ({why})").format(why=e),
            path=name,
            line=reader.line_num or None,
        ) from None
    return {"commitments": commitments}


def _diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    from aes_tracker.ops import _shown

    out = []
    for k in sorted(set(old) | set(new)):
        if k == "history":
            continue
        if not same(old.get(k), new.get(k)):
            out.append(Change(k, _shown(old.get(k)), _shown(new.get(k))))
    return out


def merge(
    d: Draft,
    incoming: Mapping[str, Any],
    *,
    update: bool,
    who: Who,
    name: str,
) -> dict[str, list[str]]:
    """Merge `incoming` into the drafted document by ID: new sources and commitments are added;
    an existing commitment that differs is replaced only with `update` (each changed field is
    recorded in its history, as `edit` would), else listed as a conflict. Raises TrackerError
    naming the row or ID when the result would not check clean."""
    raw = d.raw_document()
    report: dict[str, list[str]] = {
        "added": [],
        "updated": [],
        "unchanged": [],
        "conflicts": [],
        "sources": [],
    }
    if isinstance(incoming.get("parties"), list):
        known = list(raw.get("parties", []))
        raw["parties"] = known + [p for p in incoming["parties"] if p not in known]
    # Keys this version does not know, at the top of the document: kept like the rest.
    for key, value in incoming.items():
        if key in ("schema", "parties", "sources", "commitments"):
            continue
        if key not in raw:
            raw[key] = value
        elif not same(raw[key], value):
            if update:
                raw[key] = value
            else:
                report["conflicts"].append(key)
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
                        note=_("imported from {name}").format(name=name),
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
        elif update:
            changes = _diff(old, merged)
            if changes:
                merged.setdefault("history", list(old.get("history", [])))
                merged["history"] = [
                    *merged["history"],
                    history_entry(
                        "edit",
                        who.today,
                        str(merged.get("status", "pending")),
                        who,
                        note=_("updated from {name}").format(name=name),
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
