"""The JSON contract: one definition per kind of record the `--format json` outputs carry, as
JSON Schema (draft 2020-12), and one schema per output built from them. The record builders
(domain/records.py, query.row, report, stats, matrix) make what these describe; every key is
required and no other is allowed, so a field renamed or retyped fails tests/test_schema.py.
`scripts/schema.py` writes them to docs/schema/ (shipped in the package as
aes_tracker/schema/). A fact has one name and one type everywhere: dates are ISO strings,
"not set" is null (never a missing key), booleans are booleans, a change is {field, before,
after}, the next host is `next_host`, a date of a timeline entry is `due` and its kind `status`,
and a per-party mean of scores is `average` (a single cell's value is its `score`)."""

from __future__ import annotations

from typing import Any

from aes_tracker.domain.model import COMMITMENT_KEYS, EVENT_KEYS, EVENT_KINDS, SOURCE_KEYS, TOP_KEYS

Schema = dict[str, Any]

ID = "https://aes-tracker.invalid/schema/"

STR: Schema = {"type": "string"}
INT: Schema = {"type": "integer"}
NUM: Schema = {"type": "number"}
BOOL: Schema = {"type": "boolean"}
DATE: Schema = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
DATETIME: Schema = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}"}


def null(s: Schema) -> Schema:
    """`s` or null: the value is not set."""
    return {"anyOf": [s, {"type": "null"}]}


def array(s: Schema) -> Schema:
    return {"type": "array", "items": s}


def record(props: dict[str, Schema], *, closed: bool = True) -> Schema:
    """An object with exactly these keys (`closed=False`: and others too, as the lossless
    export carries keys this version does not know)."""
    out: Schema = {"type": "object", "properties": props, "required": list(props)}
    if closed:
        out["additionalProperties"] = False
    return out


def ref(name: str) -> Schema:
    return {"$ref": f"#/$defs/{name}"}


COUNTS: Schema = {"type": "object", "additionalProperties": INT}

# ---- the kinds of record --------------------------------------------------------------------

CHANGE = record({"field": STR, "before": null(STR), "after": null(STR)})

EVENT_FIELDS: dict[str, Schema] = {
    "on": DATE,
    "at": null(DATETIME),
    "by": null(STR),
    "event": {"enum": list(EVENT_KINDS)},
    "party": null(STR),
    "status": STR,
    "note": null(STR),
    "evidence": array(STR),
    "host": null(STR),
    "changes": array(ref("change")),
}
EVENT = record(EVENT_FIELDS)

ROW_FIELDS: dict[str, Schema] = {
    "id": STR,
    "title": STR,
    "title_fr": null(STR),
    "category": STR,
    "parties": array(STR),
    "beneficiaries": array(STR),
    "status": STR,
    "open": BOOL,
    "due": null(DATE),
    "original_due": null(DATE),
    "slip_days": null(INT),
    "days_left": null(INT),
    "overdue": BOOL,
    "review": null(DATE),
    "review_due": BOOL,
    "review_days_left": null(INT),
    "recur": null(STR),
    "next_host": null(STR),
    "source": STR,
    "updated": null(DATE),
    "assessments": {"type": "object", "additionalProperties": STR},
}
ROW = record(ROW_FIELDS)

SOURCE_FIELDS: dict[str, Schema] = {
    "id": STR,
    "title": STR,
    "date": DATE,
    "place": null(STR),
    "language": null(STR),
    "publisher": null(STR),
    "author": null(STR),
    "url": null(STR),
}
SOURCE = record(SOURCE_FIELDS)

BY_PARTY = record(
    {
        "party": STR,
        "status": STR,
        "from": {"enum": ["own", "group", "commitment"]},
        "via": null(STR),
        "on": null(DATE),
        "by": null(STR),
        "note": null(STR),
        "evidence": array(STR),
    }
)

SESSION = record(
    {
        "on": DATE,
        "host": null(STR),
        "note": null(STR),
        "evidence": array(STR),
        "by": null(STR),
        "place": null(STR),
        "slot": null(DATE),
        "days_late": null(INT),
    }
)

DETAIL = record(
    {
        **ROW_FIELDS,
        "by_party": array(BY_PARTY),
        "quote": null(STR),
        "quote_at": null(record({"text": STR, "line": null(INT)})),
        "timing": array(STR),
        "due_reason": null(STR),
        "review_reason": null(STR),
        "notes": null(STR),
        "recur_start": null(DATE),
        "hosts": array(STR),
        "sessions": array(SESSION),
        "missed": array(DATE),
        "source_detail": null(ref("source")),
        "history": array(ref("event")),
    }
)

LOG_ENTRY = record(
    {
        **{k: EVENT_FIELDS[k] for k in ("on", "at", "by")},
        "id": STR,
        "title": STR,
        "title_fr": null(STR),
        **{k: v for k, v in EVENT_FIELDS.items() if k not in ("on", "at", "by")},
        "backdated": BOOL,
    }
)

REPORT_ITEM = record({**ROW_FIELDS, "days_overdue": null(INT)})

CONSULTATION = record(
    {
        "id": STR,
        "title": STR,
        "title_fr": null(STR),
        "due": null(DATE),
        "next_host": null(STR),
        "recur": STR,
        "overdue": BOOL,
        "days_left": null(INT),
        # The last session, how late it was held for its slot, and the slots missed.
        "last_held": null(DATE),
        "last_days_late": null(INT),
        "missed": array(DATE),
    }
)

STATS_GROUP = record(
    {
        "group": STR,
        "total": INT,
        "by_status": COUNTS,
        "closed": INT,
        "share_closed": null(NUM),
        "overdue": INT,
        "scored": INT,
        "average": null(NUM),
    }
)

MATRIX_CELL = record(
    {
        "party": STR,
        "status": null(STR),
        "from": null({"enum": ["own", "group", "commitment"]}),
        "via": null(STR),
        "score": null({"enum": [-1, 0, 1]}),
        "why": null(STR),
    }
)

TIMELINE_ENTRY = record(
    {
        "due": DATE,
        "id": STR,
        "title": STR,
        "title_fr": null(STR),
        # What the date is: a deadline (overdue, due, done, closed), an undated one's review,
        # or a session of a recurring one (held, missed, expected).
        "status": {
            "enum": ["overdue", "due", "done", "closed", "review", "held", "missed", "expected"]
        },
        "host": null(STR),
        "original_due": null(DATE),
        "days_late": null(INT),
    }
)

DEFS: dict[str, Schema] = {
    "change": CHANGE,
    "event": EVENT,
    "row": ROW,
    "detail": DETAIL,
    "source": SOURCE,
    "log_entry": LOG_ENTRY,
    "report_item": REPORT_ITEM,
    "consultation": CONSULTATION,
    "stats_group": STATS_GROUP,
    "matrix_cell": MATRIX_CELL,
    "timeline_entry": TIMELINE_ENTRY,
}

# ---- the outputs ------------------------------------------------------------------------------

_SECTIONS = ("overdue", "due_soon", "review_due", "review_soon", "changed", "next_consultation")

REPORT = record(
    {
        "as_of": DATE,
        "since": DATE,
        "within": DATE,
        **{k: array(ref("report_item")) for k in _SECTIONS[:4]},
        "changed": array(ref("log_entry")),
        "next_consultation": array(ref("consultation")),
        "summary": record(
            {
                "total": INT,
                "open": INT,
                "overdue": INT,
                "by_status": COUNTS,
                "by_category": COUNTS,
                "sections": record({k: INT for k in _SECTIONS}),
            }
        ),
    }
)

STATS = record({"as_of": DATE, "by": STR, "groups": array(ref("stats_group"))})

MATRIX = record(
    {
        "as_of": DATE,
        "by": STR,
        "sources": array(STR),
        "columns": array(
            record(
                {
                    "party": STR,
                    "members": null(array(STR)),
                    "member_of": null(array(STR)),
                    "scored": INT,
                    "average": null(NUM),
                }
            )
        ),
        "rows": array(
            record(
                {
                    "id": STR,
                    "title": STR,
                    "title_fr": null(STR),
                    "source": STR,
                    "status": STR,
                    "due": null(DATE),
                    "cells": array(ref("matrix_cell")),
                    "scored": INT,
                    "average": null(NUM),
                }
            )
        ),
        "overall": record({"scored": INT, "average": null(NUM)}),
        "scoring": {"type": "object"},
    }
)

TIMELINE = record(
    {
        "as_of": DATE,
        "months": array(
            record({"month": {"type": "string"}, "items": array(ref("timeline_entry"))})
        ),
    }
)

# The export is the data file itself, lossless: keys this version does not know pass through
# (so its records are open), a known key that is not set is null.
_DOC_TYPES: dict[str, Schema] = {
    "title": STR,
    "title_fr": STR,
    "date": DATE,
    "due": DATE,
    "original_due": DATE,
    "review": DATE,
    "recur_start": DATE,
    "on": DATE,
    "at": DATETIME,
    "no_deadline": BOOL,
    "parties": array(STR),
    "beneficiaries": array(STR),
    "timing": array(STR),
    "hosts": array(STR),
    "evidence": array(STR),
    "changes": array(ref("change")),
    "history": array(ref("document_event")),
}


def _doc_record(keys: tuple[str, ...]) -> Schema:
    return record({k: null(_DOC_TYPES.get(k, STR)) for k in keys}, closed=False)


DOCUMENT_DEFS: dict[str, Schema] = {
    "change": CHANGE,
    "document_source": _doc_record(SOURCE_KEYS),
    "document_commitment": _doc_record(COMMITMENT_KEYS),
    "document_event": _doc_record(EVENT_KEYS),
}


def _document(extra: dict[str, Schema]) -> Schema:
    return {
        "type": "object",
        "properties": {
            "schema": INT,
            "parties": null(array(STR)),
            "groups": null({"type": "object"}),
            "settings": null({"type": "object"}),
            "sources": null({"type": "object", "additionalProperties": ref("document_source")}),
            "commitments": null(
                {"type": "object", "additionalProperties": ref("document_commitment")}
            ),
            **extra,
        },
        "required": list(TOP_KEYS),
    }


def _refs(s: Any) -> set[str]:
    """The names of the definitions `s` refers to, directly."""
    if isinstance(s, dict):
        here = {s["$ref"].rsplit("/", 1)[1]} if isinstance(s.get("$ref"), str) else set()
        return here.union(*(_refs(v) for v in s.values()))
    if isinstance(s, list):
        return set().union(*(_refs(v) for v in s))
    return set()


def _schema(name: str, title: str, body: Schema, defs: dict[str, Schema] | None = None) -> Schema:
    """One output's schema, with the definitions it reaches (and only those)."""
    pool = DEFS if defs is None else defs
    used: set[str] = set()
    todo = _refs(body)
    while todo:
        n = todo.pop()
        if n not in used:
            used.add(n)
            todo |= _refs(pool[n])
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{ID}{name}.json",
        "title": title,
        **body,
        "$defs": {k: v for k, v in pool.items() if k in used},
    }


def schemas() -> dict[str, Schema]:
    """Every `--format json` output's schema, by file name (without `.json`)."""
    return {
        "list": _schema("list", "aes-tracker list --format json", array(ref("row"))),
        "due": _schema("due", "aes-tracker due --format json", array(ref("row"))),
        "show": _schema("show", "aes-tracker show ID --format json", ref("detail")),
        "log": _schema("log", "aes-tracker log --format json", array(ref("log_entry"))),
        "report": _schema("report", "aes-tracker report --format json", REPORT),
        "stats": _schema("stats", "aes-tracker stats --format json", STATS),
        "matrix": _schema("matrix", "aes-tracker stats --matrix --format json", MATRIX),
        "timeline": _schema("timeline", "aes-tracker timeline --format json", TIMELINE),
        "sources": _schema(
            "sources",
            "aes-tracker source list --format json",
            array(record({**SOURCE_FIELDS, "commitments": INT})),
        ),
        "export": _schema(
            "export", "aes-tracker export --format json", _document({}), DOCUMENT_DEFS
        ),
        "extract": _schema(
            "extract",
            "aes-tracker extract SOURCE --format json",
            _document({"_extract": {"type": "object"}}),
            DOCUMENT_DEFS,
        ),
    }
