"""The data out and back in: JSON (the whole document, lossless), CSV (one row per commitment),
ICS (an RFC 5545 calendar), and the merge of an exported file into a data file."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from aes_tracker.errors import TrackerError
from aes_tracker.model import Data, build
from aes_tracker.ops import history_entry
from aes_tracker.query import LIST_KEYS, row
from aes_tracker.store import canonical

CSV_KEYS = (*LIST_KEYS, "quote")

# Where the document holds dates (and one date-time). In JSON they are plain ISO strings there;
# a date anywhere else (under a key this version does not know) is tagged {"$date": "..."}, so
# that the round trip is exact.
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
    return v


def _from_json(v: Any, path: tuple[str, ...]) -> Any:
    if isinstance(v, dict):
        if set(v) == {"$date"}:
            return date.fromisoformat(v["$date"])
        if set(v) == {"$datetime"}:
            return datetime.fromisoformat(v["$datetime"])
        return {k: _from_json(x, (*path, k)) for k, x in v.items()}
    if isinstance(v, list):
        return [_from_json(x, (*path, str(i))) for i, x in enumerate(v)]
    if isinstance(v, str):
        shape = _shape(path)
        try:
            if shape in _DATE_FIELDS:
                return date.fromisoformat(v)
            if shape in _DATETIME_FIELDS:
                return datetime.fromisoformat(v)
        except ValueError:
            return v  # left as text: the checks then say which field is not a date
    return v


def export_json(raw: Mapping[str, Any]) -> str:
    return json.dumps(_to_json(canonical(raw), ()), ensure_ascii=False, indent=2) + "\n"


def export_csv(data: Data, today: date, excel: bool = False) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(CSV_KEYS)
    for c in sorted(data.commitments.values(), key=lambda c: c.id):
        r = row(c, today)
        r["quote"] = c.quote
        w.writerow(
            [
                "; ".join(v)
                if isinstance(v, list)
                else ("true" if v is True else "false" if v is False else "" if v is None else v)
                for v in (r[k] for k in CSV_KEYS)
            ]
        )
    return ("\ufeff" if excel else "") + buf.getvalue()


def export_ics(data: Data, today: date) -> bytes:
    """One all-day event per dated open commitment; the recurring ones as yearly (or their own
    RRULE) events. UIDs are the commitment IDs, so a calendar that imports the file again
    updates its events instead of duplicating them."""
    from icalendar import Calendar, Event, vRecur

    cal = Calendar()
    cal.add("prodid", "-//aes-tracker//commitments//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "aes-tracker commitments")
    for c in sorted(data.commitments.values(), key=lambda c: c.id):
        if c.due is None or not c.is_open:
            continue
        ev = Event()
        ev.add("uid", f"{c.id}@aes-tracker")
        ev.add("summary", f"{c.title} [{c.id}]")
        ev.add("dtstart", c.due)
        ev.add("dtend", c.due + timedelta(days=1))
        ev.add("dtstamp", datetime(today.year, today.month, today.day))
        src = data.sources.get(c.source)
        lines = [
            f"« {c.quote} »",
            "",
            f"Status: {c.status.value}",
            f"Parties: {', '.join(c.parties)}",
        ]
        if src is not None:
            lines.append(f"Source: {src.title} ({src.date})")
        if c.next_host:
            lines.append(f"Expected host: {c.next_host}")
        if c.due_reason:
            lines.append(f"Due date: {c.due_reason}")
        ev.add("description", "\n".join(lines))
        ev.add("categories", [c.category.value])
        if c.recur:
            rule = "FREQ=YEARLY" if c.recur.lower() == "yearly" else c.recur
            rule = rule[6:] if rule.upper().startswith("RRULE:") else rule
            ev.add("rrule", vRecur.from_ical(rule))
        cal.add_component(ev)
    return bytes(cal.to_ical())


# ---- import ---------------------------------------------------------------------------------


def read_import(text: str, name: str) -> dict[str, Any]:
    """An exported JSON document, or CSV rows, as a partial document to merge."""
    stripped = text.lstrip("\ufeff")
    if stripped.lstrip().startswith("{"):
        try:
            doc = json.loads(stripped)
        except json.JSONDecodeError as e:
            raise TrackerError(
                f"invalid JSON: {e.msg}", path=name, line=e.lineno, col=e.colno
            ) from None
        if not isinstance(doc, dict):
            raise TrackerError("is not an aes-tracker export (a JSON object)", path=name)
        out = _from_json(doc, ())
        assert isinstance(out, dict)
        return out
    return _read_csv(stripped, name)


def _read_csv(text: str, name: str) -> dict[str, Any]:
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or "id" not in reader.fieldnames:
        raise TrackerError(
            "is neither an exported JSON document nor a CSV with an 'id' column", path=name
        )
    commitments: dict[str, Any] = {}
    for n, r in enumerate(reader, start=2):
        cid = (r.get("id") or "").strip()
        if not cid:
            raise TrackerError("row has no id", path=name, line=n)
        if cid in commitments:
            raise TrackerError(f"row repeats the id {cid!r}", path=name, line=n)
        c: dict[str, Any] = {}
        for key in ("title", "category", "source", "quote", "status", "recur", "next_host"):
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
                        f"{key}: {r[key]!r} is not a date (write 2026-04-03)", path=name, line=n
                    ) from None
        if "review" in c and "due" not in c:
            c["no_deadline"] = True
        c["_row"] = n
        commitments[cid] = c
    return {"commitments": commitments}


def merge(
    raw: dict[str, Any],
    incoming: Mapping[str, Any],
    *,
    update: bool,
    today: date,
    by: str,
    now: datetime,
    name: str,
) -> dict[str, list[str]]:
    """Merge `incoming` into `raw` by ID: new sources and commitments are added; an existing
    commitment that differs is replaced only with `update`, else listed as a conflict. Raises
    TrackerError naming the row or ID when the result would not check clean."""
    report: dict[str, list[str]] = {
        "added": [],
        "updated": [],
        "unchanged": [],
        "conflicts": [],
        "sources": [],
    }
    for key in ("parties",):
        if isinstance(incoming.get(key), list):
            known = list(raw.get(key, []))
            raw[key] = known + [p for p in incoming[key] if p not in known]
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
            c.setdefault("status", "pending")
            if "history" not in c:
                c["history"] = [
                    history_entry(
                        "recorded", today, c["status"], by, now, note=f"imported from {name}"
                    )
                ]
            commitments[cid] = c
            report["added"].append(cid)
            continue
        merged = {**old, **c} if row_no is not None else c
        if merged == old:
            report["unchanged"].append(cid)
        elif update:
            if row_no is not None:
                merged.setdefault("history", []).append(
                    history_entry(
                        "edit",
                        today,
                        merged.get("status", "pending"),
                        by,
                        now,
                        note=f"updated from {name}",
                    )
                )
            commitments[cid] = merged
            report["updated"].append(cid)
        else:
            report["conflicts"].append(cid)
    _, problems = build(raw)
    if problems:
        p = problems[0]
        cid = p.keys[1] if len(p.keys) > 1 and p.keys[0] == "commitments" else None
        where = f"row {rows[cid]}: " if cid in rows else ""
        raise TrackerError(
            f"{where}{p.message}; nothing was imported",
            path=name,
            line=rows.get(cid) if isinstance(cid, str) else None,
        )
    return report
