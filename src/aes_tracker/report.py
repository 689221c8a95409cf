"""The weekly report: what is overdue, what is coming, what changed, the next consultation, and a
summary. `build` is pure (today passed in) and returns plain data; the `to_*` functions turn it
into text, Markdown, JSON or a self-contained HTML page. No terminal in here: the text form is
the same bytes in a terminal, a pipe, a file or an e-mail.
"""

from __future__ import annotations

import html
import json
import textwrap
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta

from aes_tracker.dates import add, is_overdue
from aes_tracker.model import Category, Commitment, Data, Status
from aes_tracker.query import due_soon, review_due, row

SECTIONS = ("overdue", "due_soon", "review_due", "changed", "next_consultation")
SECTION_TITLES = {
    "overdue": "Overdue",
    "due_soon": "Due soon",
    "review_due": "Review due",
    "changed": "Changed",
    "next_consultation": "Next consultation",
}
JSON_KEYS = ("as_of", "since", "within", *SECTIONS, "summary")


@dataclass(frozen=True)
class Window:
    as_of: date
    since: date  # first day of the change window (included)
    until: date  # last day of the look-ahead window (included)
    since_text: str
    within_text: str


def window(
    as_of: date, since: relativedelta, within: relativedelta, since_text: str, within_text: str
) -> Window:
    return Window(as_of, add(as_of, -since), add(as_of, within), since_text, within_text)


def build(
    data: Data, w: Window, detail: Callable[[str], Commitment] | None = None
) -> dict[str, Any]:
    """The report as JSON-ready data. The change window is [as_of - since, as_of], both days
    included, and is read from each history entry's `on` date. `detail` gives a commitment in
    full when `data` holds summaries (see cache.py); it is asked only for the commitments that
    changed in the window."""
    today = w.as_of
    cs = list(data.commitments.values())
    soon = due_soon(cs, today, relativedelta(days=(w.until - today).days))
    overdue = [c for c in soon if is_overdue(c.due, c.is_open, today)]
    overdue.sort(key=lambda c: (c.due, c.id))
    late = {c.id for c in overdue}
    coming = [c for c in soon if c.due is not None and c.id not in late]
    reviews = [c for c in soon if c.due is None and review_due(c, today, w.until)]

    def item(c: Commitment) -> dict[str, Any]:
        r = row(c, today)
        r["days_overdue"] = -r["days_left"] if r["overdue"] else None
        return r

    changed = []
    for c in cs:
        if not any(w.since <= d <= today for d in c.days):
            continue
        full = detail(c.id) if detail is not None and c.summary else c
        for e in full.history:
            if w.since <= e.on <= today:
                changed.append(
                    {
                        "on": e.on.isoformat(),
                        "at": e.at.isoformat() if e.at else None,
                        "by": e.by or None,
                        "id": c.id,
                        "title": c.title,
                        "event": e.event,
                        "status": e.status.value,
                        "note": e.note or None,
                        "evidence": list(e.evidence),
                        "host": e.host or None,
                        "changes": [f"{k}: {a or '∅'} → {b or '∅'}" for k, a, b in e.changes],
                    }
                )
    changed.sort(key=lambda x: (x["on"], x["at"] or "", x["id"]))
    consultations = [
        {
            "id": c.id,
            "title": c.title,
            "due": c.due.isoformat() if c.due else None,
            "expected_host": c.next_host or None,
            "recur": c.recur,
            "overdue": is_overdue(c.due, c.is_open, today),
            "days_left": (c.due - today).days if c.due else None,
        }
        for c in sorted(cs, key=lambda c: (c.due or date.max, c.id))
        if c.recur and c.is_open
    ]
    by_status = {s.value: 0 for s in Status}
    by_category = {k.value: 0 for k in Category}
    for c in cs:
        by_status[c.status.value] += 1
        by_category[c.category.value] += 1
    sections = {
        "overdue": [item(c) for c in overdue],
        "due_soon": [item(c) for c in coming],
        "review_due": [item(c) for c in reviews],
        "changed": changed,
        "next_consultation": consultations,
    }
    return {
        "as_of": today.isoformat(),
        "since": w.since.isoformat(),
        "within": w.until.isoformat(),
        **sections,
        "summary": {
            "total": len(cs),
            "open": sum(c.is_open for c in cs),
            "overdue": len(overdue),
            "by_status": by_status,
            "by_category": by_category,
            "sections": {k: len(v) for k, v in sections.items()},
        },
    }


# ---- text -----------------------------------------------------------------------------------


def _heading(title: str, n: int) -> str:
    return f"{title} ({n})"


def _describe(r: Mapping[str, Any], kind: str) -> str:
    if kind == "overdue":
        n = r["days_overdue"]
        when = f"due {r['due']}, {n} day{'s' if n != 1 else ''} overdue"
        if r.get("original_due"):
            when += f" (originally {r['original_due']})"
    elif kind == "due_soon":
        n = r["days_left"]
        when = f"due {r['due']}, " + ("today" if n == 0 else f"in {n} day{'s' if n != 1 else ''}")
        if r.get("original_due"):
            when += f" (originally {r['original_due']})"
    else:
        when = f"no deadline; review date {r['review']}"
    return f"{r['id']}: {r['title']} [{r['status']}; {', '.join(r['parties'])}] {when}"


def _change_line(x: Mapping[str, Any]) -> str:
    who = f" by {x['by']}" if x["by"] else ""
    text = f"{x['on']} {x['id']}: {x['event']} ({x['status']}){who}"
    if x["host"]:
        text += f", host {x['host']}"
    if x["note"]:
        text += f": {x['note']}"
    if x["changes"]:
        text += f" [{'; '.join(x['changes'])}]"
    for url in x["evidence"]:
        text += f" evidence: {url}"
    return text


def _consultation_line(x: Mapping[str, Any]) -> str:
    host = x["expected_host"] or "not known"
    if x["due"] is None:
        return f"{x['id']}: no further occurrence"
    state = (
        f"{-x['days_left']} days overdue"
        if x["overdue"]
        else "today"
        if x["days_left"] == 0
        else f"in {x['days_left']} days"
    )
    return f"{x['id']}: next expected {x['due']} ({state}), expected host: {host}"


def _summary_lines(rep: Mapping[str, Any]) -> list[str]:
    s = rep["summary"]
    lines = [f"{s['total']} commitments, {s['open']} open, {s['overdue']} overdue."]
    lines.append("By status: " + ", ".join(f"{k} {v}" for k, v in s["by_status"].items()))
    lines.append("By category: " + ", ".join(f"{k} {v}" for k, v in s["by_category"].items()))
    lines.append(
        "Sections: " + ", ".join(f"{SECTION_TITLES[k]} {v}" for k, v in s["sections"].items())
    )
    return lines


def _section_lines(rep: Mapping[str, Any], key: str) -> list[str]:
    items = rep[key]
    if key == "changed":
        return [_change_line(x) for x in items]
    if key == "next_consultation":
        return [_consultation_line(x) for x in items]
    return [_describe(r, key) for r in items]


def title_line(rep: Mapping[str, Any]) -> str:
    return (
        f"aes-tracker report as of {rep['as_of']}: changes since {rep['since']}, "
        f"due by {rep['within']}"
    )


def to_text(rep: Mapping[str, Any], width: int = 100) -> str:
    """Plain text: no escape codes, nothing cut; long lines wrap with a hanging indent."""

    def wrap(line: str, indent: str) -> list[str]:
        return textwrap.wrap(
            line,
            width=width,
            initial_indent=indent,
            subsequent_indent=" " * len(indent) + "  ",
            break_long_words=False,
            break_on_hyphens=False,
        ) or [indent]

    out = [title_line(rep), ""]
    for key in SECTIONS:
        lines = _section_lines(rep, key)
        if not lines:
            continue
        out.append(_heading(SECTION_TITLES[key], len(lines)))
        for ln in lines:
            out += wrap(ln, "  - ")
        out.append("")
    out.append("Summary")
    for ln in _summary_lines(rep):
        out += wrap(ln, "  ")
    return "\n".join(out) + "\n"


def to_markdown(rep: Mapping[str, Any]) -> str:
    def esc(s: str) -> str:
        return s.replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_").replace("<", "&lt;")

    out = [f"# {esc(title_line(rep))}", ""]
    for key in SECTIONS:
        lines = _section_lines(rep, key)
        if not lines:
            continue
        out += [f"## {_heading(SECTION_TITLES[key], len(lines))}", ""]
        out += [f"- {esc(ln)}" for ln in lines]
        out.append("")
    out += ["## Summary", ""]
    out += [f"- {esc(ln)}" for ln in _summary_lines(rep)]
    return "\n".join(out) + "\n"


def to_json(rep: Mapping[str, Any]) -> str:
    return json.dumps(rep, ensure_ascii=False, indent=2) + "\n"


_CSS = {
    "body": "font-family:Arial,Helvetica,sans-serif;color:#1a1a1a;max-width:860px;"
    "margin:0 auto;padding:16px;line-height:1.45",
    "h1": "font-size:20px;margin:0 0 12px",
    "h2": "font-size:16px;margin:20px 0 6px;border-bottom:1px solid #ccc;padding-bottom:2px",
    "table": "border-collapse:collapse;width:100%;font-size:14px",
    "th": "text-align:left;background:#f2f2f2;padding:4px 6px;border:1px solid #ddd",
    "td": "padding:4px 6px;border:1px solid #ddd;vertical-align:top",
    "overdue": "color:#b00020;font-weight:bold",
    "nowrap": "white-space:nowrap",
    "muted": "color:#555",
}


def to_html(rep: Mapping[str, Any]) -> str:
    """A self-contained page (inline styles only, no external assets) for mail clients."""
    e = html.escape

    def table(head: Iterable[str], rows: Iterable[Iterable[str]], style: str = "") -> str:
        th = "".join(f'<th style="{_CSS["th"]}">{e(h)}</th>' for h in head)
        body = "".join(
            "<tr>" + "".join(f'<td style="{_CSS["td"]};{style}">{c}</td>' for c in r) + "</tr>"
            for r in rows
        )
        return f'<table style="{_CSS["table"]}"><tr>{th}</tr>{body}</table>'

    parts = [f'<h1 style="{_CSS["h1"]}">{e(title_line(rep))}</h1>']
    for key in SECTIONS:
        items = rep[key]
        if not items:
            continue
        parts.append(
            f'<h2 style="{_CSS["h2"]}">{e(_heading(SECTION_TITLES[key], len(items)))}</h2>'
        )
        if key == "overdue":
            parts.append(
                table(
                    ("ID", "Title", "Parties", "Due", "Days overdue", "Originally due"),
                    (
                        (
                            f'<code style="{_CSS["nowrap"]}">{e(r["id"])}</code>',
                            e(r["title"]),
                            e(", ".join(r["parties"])),
                            _day(r["due"]),
                            f'<span style="{_CSS["overdue"]}">{r["days_overdue"]}</span>',
                            _day(r["original_due"]),
                        )
                        for r in items
                    ),
                )
            )
        elif key in ("due_soon", "review_due"):
            when = "due" if key == "due_soon" else "review"
            parts.append(
                table(
                    ("ID", "Title", "Parties", "Status", when.capitalize()),
                    (
                        (
                            f'<code style="{_CSS["nowrap"]}">{e(r["id"])}</code>',
                            e(r["title"]),
                            e(", ".join(r["parties"])),
                            e(r["status"]),
                            _day(r[when])
                            + (
                                f"<br>originally {_day(r['original_due'])}"
                                if when == "due" and r.get("original_due")
                                else ""
                            ),
                        )
                        for r in items
                    ),
                )
            )
        elif key == "changed":
            parts.append(
                table(
                    ("Date", "ID", "Event", "Status", "By", "Detail"),
                    (
                        (
                            _day(x["on"]),
                            f'<code style="{_CSS["nowrap"]}">{e(x["id"])}</code>',
                            e(x["event"]),
                            e(x["status"]),
                            e(x["by"] or ""),
                            _change_detail_html(x),
                        )
                        for x in items
                    ),
                )
            )
        else:
            parts.append(
                "<ul>" + "".join(f"<li>{e(_consultation_line(x))}</li>" for x in items) + "</ul>"
            )
    parts.append(f'<h2 style="{_CSS["h2"]}">Summary</h2>')
    parts.append("<ul>" + "".join(f"<li>{e(ln)}</li>" for ln in _summary_lines(rep)) + "</ul>")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{e(title_line(rep))}</title></head>"
        f'<body style="{_CSS["body"]}">' + "\n".join(parts) + "</body></html>\n"
    )


def _day(d: str | None) -> str:
    """A date that never breaks across lines."""
    return f'<span style="{_CSS["nowrap"]}">{html.escape(d)}</span>' if d else ""


def _change_detail_html(x: Mapping[str, Any]) -> str:
    e = html.escape
    bits = []
    if x["host"]:
        bits.append(f"host: {e(x['host'])}")
    if x["note"]:
        bits.append(e(x["note"]))
    bits += [e(c) for c in x["changes"]]
    bits += [f'evidence: <a href="{e(u)}">{e(u)}</a>' for u in x["evidence"]]
    return "<br>".join(bits)
