"""The weekly report as text, Markdown, JSON and a self-contained HTML page. The text form is the
same bytes in a pipe, a file or an e-mail; in a colour terminal its headings are bold and the
overdue section red."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aes_tracker.domain.model import EMPTY
from aes_tracker.domain.records import change_of
from aes_tracker.domain.report import SECTIONS
from aes_tracker.domain.text import web_url
from aes_tracker.i18n import (
    _,
    category_label,
    colon,
    event_label,
    iso_label,
    name_label,
    ngettext,
    semicolon,
    status_label,
)
from aes_tracker.render import (
    Output,
    backdated,
    change_words,
    md,
    md_code,
    note_words,
    paint,
    register,
    safe,
    title_text,
    to_json,
)


def section_title(key: str) -> str:
    return {
        "overdue": _("Overdue"),
        "due_soon": _("Due soon"),
        "review_due": _("Review due"),
        "review_soon": _("Review soon"),
        "changed": _("Changed"),
        "next_consultation": _("Next consultation"),
    }[key]


def _heading(title: str, n: int) -> str:
    return f"{title} ({n})"


def days_overdue(n: int) -> str:
    return ngettext("{n} day overdue", "{n} days overdue", n).format(n=n)


def days_late(n: int) -> str:
    return ngettext("{n} day late", "{n} days late", n).format(n=n)


def in_days(n: int) -> str:
    return _("today") if n == 0 else ngettext("in {n} day", "in {n} days", n).format(n=n)


class _Plain:
    """How the text form writes identifiers and free text: as they are."""

    @staticmethod
    def code(s: str) -> str:
        return s

    @staticmethod
    def text(s: str) -> str:
        return safe(s)


class _Markdown(_Plain):
    """Identifiers (IDs, statuses, fields) in code spans, free text escaped."""

    @staticmethod
    def code(s: str) -> str:
        return md_code(s)

    @staticmethod
    def text(s: str) -> str:
        return md(s)


def _describe(
    r: Mapping[str, Any],
    kind: str,
    f: type[_Plain] = _Plain,
    memo: dict[Any, str] | None = None,
) -> str:
    """An item of the first four sections in a line. `memo`: the texts items share (their
    dates in words, their parties, their status) kept from one item to the next, the same
    line (tests/test_fastread.py); each is made afresh without it."""
    memo = {} if memo is None else memo
    if kind in ("overdue", "due_soon"):
        shown = r["days_overdue"] if kind == "overdue" else r["days_left"]
        key: tuple[Any, ...] = (kind, r["due"], shown, r.get("original_due"))
    else:
        key = (kind, r["review"], r.get("review_days_left"))
    when = memo.get(key)
    if when is None:
        when = memo[key] = _when(r, kind)
    # Each kind of text under keys of its own shape: a section's when, ("parties", ...),
    # ("status", name).
    key = ("parties", *r["parties"])
    parties = memo.get(key)
    if parties is None:
        parties = memo[key] = f.text(", ".join(map(name_label, r["parties"])))
    key = ("status", r["status"])
    status = memo.get(key)
    if status is None:
        status = memo[key] = f.code(status_label(r["status"]))
    return (
        f"{f.code(r['id'])}{colon()}{f.text(title_text(r))} [{status}{semicolon()}{parties}] {when}"
    )


def _when(r: Mapping[str, Any], kind: str) -> str:
    """When an item is due or up for review, in words: "due 2026-04-03, 239 days overdue"."""
    if kind == "overdue":
        when = _("due {day}").format(day=iso_label(r["due"])) + ", "
        when += days_overdue(r["days_overdue"])
        if r.get("original_due"):
            when += " " + _("(originally {day})").format(day=iso_label(r["original_due"]))
    elif kind == "due_soon":
        when = _("due {day}").format(day=iso_label(r["due"])) + ", " + in_days(r["days_left"])
        if r.get("original_due"):
            when += " " + _("(originally {day})").format(day=iso_label(r["original_due"]))
    else:
        when = _("no deadline; review date {day}").format(day=iso_label(r["review"]))
        if (r.get("review_days_left") or 0) < 0:
            when += ", " + days_late(-r["review_days_left"])
    return when


def party_change(x: Mapping[str, Any]) -> tuple[str, str] | None:
    """A per-party status entry's (before, after): its party's status before and after it (the
    same twice when it confirmed the status). None for any other entry."""
    if not x.get("party") or x["event"] != "status":
        return None
    for ch in map(change_of, x["changes"]):
        if ch.field == "status":
            return ch.before or EMPTY, ch.after or EMPTY
    return x["status"], x["status"]


def party_change_text(x: Mapping[str, Any], f: type[_Plain] = _Plain) -> str:
    """ "Mali: pending → in_progress", or "Mali: in_progress (confirmed)"."""
    before, after = party_change(x) or ("", "")
    before, after = (s if s == EMPTY else status_label(s) for s in (before, after))
    if before == after:
        return f"{f.text(name_label(x['party']))}{colon()}{f.code(after)} " + _("(confirmed)")
    return f"{f.text(name_label(x['party']))}{colon()}{f.code(before)} → {f.code(after)}"


def change_line(x: Mapping[str, Any], f: type[_Plain] = _Plain) -> str:
    """One entry of the Changed section (its evidence goes on lines of its own: `evidence`). A
    party's own assessment reads as that party's change: "Mali: pending → in_progress"."""
    who = " " + _("by {who}").format(who=f.text(x["by"])) if x["by"] else ""
    per_party = party_change(x) is not None
    on = iso_label(x["on"])
    if per_party:
        text = f"{on} {f.code(x['id'])}{colon()}{party_change_text(x, f)}{who}"
    else:
        party = f" [{f.text(name_label(x['party']))}]" if x.get("party") else ""
        event, status = f.code(event_label(x["event"])), f.code(status_label(x["status"]))
        text = f"{on} {f.code(x['id'])}{party}{colon()}{event} ({status}){who}"
    if late := backdated(x):
        text += " " + late
    if x["host"]:
        text += ", " + _("host {host}").format(host=f.text(name_label(x["host"])))
    if x["note"]:
        text += colon() + f.text(note_words(x["note"]))
    changes = [
        ch.text() for ch in map(change_of, x["changes"]) if not (per_party and ch.field == "status")
    ]
    if changes:
        text += " [" + semicolon().join(f.code(change_words(c)) for c in changes) + "]"
    return text


def evidence(x: Mapping[str, Any]) -> list[str]:
    return [_("evidence: {url}").format(url=safe(u)) for u in x.get("evidence", [])]


def consultation_line(x: Mapping[str, Any], f: type[_Plain] = _Plain) -> str:
    host = f.text(name_label(x["next_host"])) if x["next_host"] else _("not known")
    if x["due"] is None:
        return _("{id}: no further occurrence").format(id=f.code(x["id"]))
    n = x["days_left"]
    state = days_overdue(-n) if x["overdue"] else in_days(n)
    line = _("{id}: next expected {day} ({state}), expected host: {host}").format(
        id=f.code(x["id"]), day=iso_label(x["due"]), state=state, host=host
    )
    # The held, late and missed years, as `show` and `timeline` count them.
    late = x.get("last_days_late") or 0
    if x.get("last_held") and late > 0:
        line += semicolon() + _("last held {day} ({late})").format(
            day=iso_label(x["last_held"]),
            late=ngettext("held {n} day late", "held {n} days late", late).format(n=late),
        )
    if x.get("missed"):
        line += semicolon() + _("missed: {days}").format(
            days=", ".join(map(iso_label, x["missed"]))
        )
    return line


def summary_lines(rep: Mapping[str, Any], f: type[_Plain] = _Plain) -> list[str]:
    s = rep["summary"]
    lines = [
        _("{total} commitments, {open} open, {overdue} overdue.").format(
            total=s["total"], open=s["open"], overdue=s["overdue"]
        )
    ]
    by_status = ", ".join(f"{f.code(status_label(k))} {v}" for k, v in s["by_status"].items())
    by_category = ", ".join(f"{f.code(category_label(k))} {v}" for k, v in s["by_category"].items())
    lines.append(_("By status: ") + by_status)
    lines.append(_("By category: ") + by_category)
    lines.append(
        _("Sections: ") + ", ".join(f"{section_title(k)} {v}" for k, v in s["sections"].items())
    )
    return lines


def _section_items(
    rep: Mapping[str, Any], key: str, f: type[_Plain] = _Plain
) -> list[tuple[str, list[str]]]:
    """Each item of a section: its line, and the lines that go under it (evidence links)."""
    items = rep[key]
    if key == "changed":
        return [(change_line(x, f), evidence(x)) for x in items]
    if key == "next_consultation":
        return [(consultation_line(x, f), []) for x in items]
    memo: dict[Any, str] = {}
    return [(_describe(r, key, f, memo), []) for r in items]


def title_line(rep: Mapping[str, Any]) -> str:
    return _("aes-tracker report as of {as_of}: changes since {since}, due by {until}").format(
        as_of=iso_label(rep["as_of"]), since=iso_label(rep["since"]), until=iso_label(rep["within"])
    )


def hanging_wrap(text: str, width: int, indent: str, hang: str) -> list[str]:
    """`textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=hang,
    break_long_words=False, break_on_hyphens=False)`, the same lines. A text of words with one
    space between them (every line of a report but a rare few) is wrapped here, greedily,
    at about twice textwrap's speed; any other goes to textwrap."""
    if (
        not text
        or not text.isprintable()  # tabs, newlines: textwrap's whitespace rules
        or "  " in text
        or text[0] == " "
        or text[-1] == " "
        or width <= max(len(indent), len(hang))
    ):
        return _textwrap(text, width, indent, hang)
    if len(indent) + len(text) <= width:
        return [indent + text]
    # Greedy, a line at a time: the last space that leaves the line within its room; a word
    # longer than the room alone on its line, whole.
    lines: list[str] = []
    lead, room = indent, width - len(indent)
    while len(text) > room:
        cut = text.rfind(" ", 0, room + 1)
        if cut < 0:
            cut = text.find(" ")
            if cut < 0:
                break
        lines.append(lead + text[:cut])
        text = text[cut + 1 :]
        lead, room = hang, width - len(hang)
    lines.append(lead + text)
    return lines


def _textwrap(text: str, width: int, indent: str, hang: str) -> list[str]:
    import textwrap

    return textwrap.wrap(
        text,
        width=width,
        initial_indent=indent,
        subsequent_indent=hang,
        break_long_words=False,
        break_on_hyphens=False,
    )


@register("report", "text")
def to_text(rep: Mapping[str, Any], out: Output) -> str:
    """Plain text: nothing cut, no line wider than the page; long lines wrap with a hanging
    indent; each evidence link on a line of its own, whole."""
    width = out.width

    def wrap(line: str, indent: str, hang: str) -> list[str]:
        return hanging_wrap(line, width, indent, hang) or [indent.rstrip()]

    color = out.color
    lines = [paint(x, "bold", color) for x in wrap(title_line(rep), "", "")] + [""]
    for key in SECTIONS:
        items = _section_items(rep, key)
        if not items:
            continue
        lines.append(paint(_heading(section_title(key), len(items)), "bold", color))
        style = "red" if key == "overdue" else ""
        for ln, under in items:
            block = wrap(ln, "  - ", "      ")
            for u in under:
                block += wrap(u, "      ", "        ")
            lines += [paint(x, style, color) for x in block]
        lines.append("")
    lines.append(paint(_("Summary"), "bold", color))
    for ln in summary_lines(rep):
        lines += wrap(ln, "  ", "    ")
    return "\n".join(lines) + "\n"


@register("report", "markdown")
def to_markdown(rep: Mapping[str, Any], out: Output) -> str:
    """Identifiers in code spans (`in_progress` reads as it is typed), free text escaped."""
    f = _Markdown
    lines = [f"# {f.text(title_line(rep))}", ""]
    for key in SECTIONS:
        items = _section_items(rep, key, f)
        if not items:
            continue
        lines += [f"## {_heading(section_title(key), len(items))}", ""]
        for ln, under in items:
            lines.append(f"- {ln}")
            lines += [f"  - {u}" for u in under]
        lines.append("")
    lines += [f"## {_('Summary')}", ""]
    lines += [f"- {ln}" for ln in summary_lines(rep, f)]
    return "\n".join(lines) + "\n"


@register("report", "json")
def _json(rep: Mapping[str, Any], out: Output) -> str:
    return to_json(rep)


_CSS = {
    "body": "font-family:Arial,Helvetica,sans-serif;color:#1a1a1a;max-width:860px;"
    "margin:0 auto;padding:16px;line-height:1.45",
    "h1": "font-size:20px;margin:0 0 12px",
    "h2": "font-size:16px;margin:20px 0 6px;border-bottom:1px solid #ccc;padding-bottom:2px",
    "table": "border-collapse:collapse;width:100%;font-size:14px",
    "th": "text-align:left;background:#f2f2f2;padding:4px 6px;border:1px solid #ddd",
    "td": "padding:4px 6px;border:1px solid #ddd;vertical-align:top",
    "overdue": "color:#a3001b;font-weight:bold",
    "nowrap": "white-space:nowrap",
    "muted": "color:#4d4d4d",
    "figure": "margin:12px 0;max-width:100%;overflow-x:auto",
}


@dataclass(frozen=True)
class ReportPage:
    """The report with its pictures, for the HTML form: the compliance per party and the
    matrix (the other forms take the report alone)."""

    report: Mapping[str, Any]
    stats: Mapping[str, Any] | None = None
    matrix: Mapping[str, Any] | None = None


def _cell(text: str, style: str = "") -> dict[str, str]:
    return {"text": text, "style": style}


def _status(r: Mapping[str, Any]) -> str:
    """The status as `list` shows it: marked when some parties' own assessments differ."""
    from aes_tracker.render.rows import status_text

    return status_text(r)


def _rows(key: str, items: list[Mapping[str, Any]]) -> tuple[list[str], list[list[dict[str, str]]]]:
    """The table of a section: overdue and due soon by their due date (with the first one where
    it slipped), overdue with its days overdue too; the reviews by their review date."""
    when = "due" if key in ("overdue", "due_soon") else "review"
    head = [_("ID"), _("Title"), _("Status"), _("Parties")]
    head.append(_("Due") if when == "due" else _("Review"))
    if key == "overdue":
        head.append(_("Days overdue"))
    rows = []
    for r in items:
        row = [
            _cell(r["id"], "nowrap"),
            _cell(title_text(r)),
            _cell(_status(r)),
            _cell(", ".join(safe(name_label(p)) for p in r["parties"])),
            _cell(
                iso_label(r[when])
                + (
                    " " + _("(originally {day})").format(day=iso_label(r["original_due"]))
                    if when == "due" and r.get("original_due")
                    else ""
                ),
                "nowrap",
            ),
        ]
        if key == "overdue":
            row.append(_cell(str(r["days_overdue"]), "overdue"))
        rows.append(row)
    return head, rows


@register("report", "html")
def to_html(page: ReportPage | Mapping[str, Any], out: Output) -> str:
    """A self-contained page (inline styles only, no external assets) for mail clients and
    intranets, through the autoescaping templates (render/templates/report.html): titles
    next to IDs, statuses marked as `list` marks them, changes in sentences (the structured
    change stays in the JSON), and the compliance chart and the matrix inline."""
    from aes_tracker.i18n import language
    from aes_tracker.render.charts.compliance import stats_svg
    from aes_tracker.render.charts.heatmap import matrix_svg
    from aes_tracker.render.site import change_sentence, environment, labels, markup

    if not isinstance(page, ReportPage):
        page = ReportPage(page)
    rep = page.report
    sections: list[dict[str, Any]] = []
    marked = False
    for key in SECTIONS:
        items = rep[key]
        if not items:
            continue
        title = _heading(section_title(key), len(items))
        if key in ("overdue", "due_soon", "review_due", "review_soon"):
            head, rows = _rows(key, items)
            marked = marked or any(_status(r) != status_label(r["status"]) for r in items)
            sections.append({"title": title, "head": head, "rows": rows, "entries": []})
        elif key == "changed":
            changes = [
                {
                    "id": x["id"],
                    "title": title_text(x),
                    "sentence": change_sentence(x),
                    # Only an http(s) URL is a link: anything else (a local path, or a
                    # scheme a hand edit let in) is text, so no `javascript:` link is live.
                    "evidence": [
                        {"href": u if web_url(u) else "", "text": safe(u)} for u in x["evidence"]
                    ],
                }
                for x in items
            ]
            sections.append({"title": title, "head": [], "rows": None, "entries": changes})
        else:
            lines = [
                {"id": "", "title": "", "sentence": consultation_line(x), "evidence": []}
                for x in items
            ]
            sections.append({"title": title, "head": [], "rows": None, "entries": lines})
    charts = []
    if page.stats is not None:
        charts.append(markup(stats_svg(page.stats, "stats-")))
    if page.matrix is not None:
        titles = {r["id"]: title_text(r) for r in page.matrix["rows"]}
        charts.append(markup(matrix_svg(page.matrix, titles, "matrix-")))
    words = labels()
    words["summary"] = _("Summary")
    text: str = (
        environment()
        .get_template("report.html")
        .render(
            lang=language(),
            heading=title_line(rep),
            css=_CSS,
            sections=sections,
            marked=marked,
            charts=charts,
            summary=summary_lines(rep),
            L=words,
        )
    )
    return text
