"""The data back in: `import` reads an exported JSON document, the tool's CSV (one row per
commitment) or the per-party CSV, and merges it into a data file by ID (exchange.py writes
them; the lossless JSON's tags are read back with its codec, `from_json`).

On import, the per-party CSV's `own` rows are recorded as that party's assessments (the others
follow from them)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from aes_tracker.domain import notes
from aes_tracker.domain.draft import Entry, Who
from aes_tracker.domain.history import changes_text, history_entry
from aes_tracker.domain.inputs import check_party_of
from aes_tracker.domain.model import (
    Change,
    change_value,
)
from aes_tracker.domain.progress import assess
from aes_tracker.domain.spreadsheet import plain_cell
from aes_tracker.domain.statuses import parse_status
from aes_tracker.domain.text import check_evidence_value, check_text, escape_controls, shown
from aes_tracker.domain.validate import check_document
from aes_tracker.errors import TrackerError
from aes_tracker.i18n import _
from aes_tracker.store.tomlfile import same

if TYPE_CHECKING:
    from aes_tracker.store.core import Draft

from aes_tracker.exchange import from_json


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
        out = _without_extract(from_json(doc, (), name))
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
