"""Rows of commitments (`list`, `due`), of sources (`source list`) and of history entries (`log`)
in every row format: the table for people, and plain, JSON, CSV and Markdown."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aes_tracker.i18n import _
from aes_tracker.query import LIST_KEYS
from aes_tracker.render import Output, cell, md, paint, register, safe, to_csv, to_json

SOON_DAYS = 30
GAP = 2  # spaces between columns


@dataclass(frozen=True)
class Rows:
    rows: Sequence[Mapping[str, Any]]
    empty: str = ""  # what the table says when there is nothing
    keys: Sequence[str] = LIST_KEYS
    excel: bool = False


# ---- plain forms ---------------------------------------------------------------------------------

PLAIN_KEYS = ("id", "status", "due", "days_left", "category", "parties", "title")


@register("rows", "json")
@register("sources", "json")
@register("log", "json")
def _json(p: Rows, out: Output) -> str:
    return to_json([dict(r) for r in p.rows])


@register("rows", "csv")
@register("sources", "csv")
@register("log", "csv")
def _csv(p: Rows, out: Output) -> str:
    return to_csv(p.rows, p.keys, excel=p.excel)


@register("rows", "plain")
def _plain(p: Rows, out: Output) -> str:
    """One tab-separated line per commitment, no header: id, status, due, days left, category,
    parties (comma-separated), title. Empty fields are '-'."""
    lines = []
    for r in p.rows:
        vals = [" ".join(safe(cell(r.get(k), ",")).split()) or "-" for k in PLAIN_KEYS]
        lines.append("\t".join(vals) + "\n")
    return "".join(lines)


# ---- what the cells say --------------------------------------------------------------------------


def due_text(r: Mapping[str, Any]) -> str:
    if r["due"]:
        return str(r["due"])
    if r.get("review"):
        return _("review {day}").format(day=r["review"])
    return ""


def left_text(r: Mapping[str, Any]) -> str:
    n = r["days_left"]
    if n is None:
        return ""
    # Negative when overdue, as in the JSON; the row is red too.
    return _("today") if n == 0 else str(n)


def table_head() -> tuple[str, ...]:
    return (_("ID"), _("Title"), _("Category"), _("Parties"), _("Status"), _("Due"), _("Days left"))


def _table_cells(r: Mapping[str, Any]) -> tuple[str, ...]:
    return (
        r["id"],
        safe(r["title"]),
        r["category"],
        safe(", ".join(r["parties"])),
        r["status"],
        due_text(r),
        left_text(r),
    )


@register("rows", "markdown")
def _markdown(p: Rows, out: Output) -> str:
    head = table_head()
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in p.rows:
        lines.append("| " + " | ".join(md(c) for c in _table_cells(r)) + " |")
    return "\n".join(lines) + "\n"


def row_style(r: Mapping[str, Any]) -> str:
    if not r["open"]:
        return "dim"
    if r["overdue"]:
        return "red"
    if r["days_left"] is not None and r["days_left"] <= SOON_DAYS:
        return "yellow"
    if r.get("review_due"):
        return "yellow"
    return ""


# ---- the table -----------------------------------------------------------------------------------


def _longest_word(texts: Sequence[str]) -> int:
    return max((len(w) for t in texts for w in t.split()), default=1)


def column_widths(rows: Sequence[Mapping[str, Any]], width: int) -> list[int]:
    """Widths for the list table: IDs and dates are never folded; when the page is narrow,
    parties and days wrap at spaces, then the title gives way down to 14 columns. Below that the
    table runs wider than the page: nothing is cut."""
    head = table_head()
    cols = list(zip(*(_table_cells(r) for r in rows), strict=True))
    natural = [max(len(head[i]), *(len(v) for v in col)) for i, col in enumerate(cols)]
    w = list(natural)
    w[5] = max(10, _longest_word(cols[5]))  # "review 2026-04-03" wraps to two lines
    room = width - table_extra(len(w))
    for i, floor in (
        (1, 30),
        (3, _longest_word([*cols[3], head[3]])),
        (6, len(head[6])),
        (1, 14),
    ):
        excess = sum(w) - room
        if excess <= 0:
            break
        w[i] = max(floor, w[i] - excess)
    return w


def table_extra(columns: int) -> int:
    """Columns of a table line that are not content: the gaps between cells."""
    return GAP * (columns - 1)


def wrap_cell(text: str, width: int) -> list[str]:
    """Greedy word wrap; a word longer than the column is folded, never cut."""
    if len(text) <= width:
        return [text]
    lines: list[str] = []
    cur = ""
    for word in text.split():
        while len(word) > width:
            if cur:
                lines.append(cur)
                cur = ""
            lines.append(word[:width])
            word = word[width:]
        if not cur:
            cur = word
        elif len(cur) + 1 + len(word) <= width:
            cur += " " + word
        else:
            lines.append(cur)
            cur = word
    if cur or not lines:
        lines.append(cur)
    return lines


@register("rows", "table")
def _table(p: Rows, out: Output) -> str:
    """The list table, laid out here rather than by Rich's Table: a bold header, a rule, two
    spaces between columns, the last column right-aligned; column widths are computed once, so
    10,000 rows print in milliseconds."""
    rows = p.rows
    if not rows:
        return (p.empty or _("No commitments match.")) + "\n"
    widths = column_widths(rows, out.width)
    if sum(widths) + table_extra(len(widths)) > out.width:
        return _stacked(rows, out)
    last = len(widths) - 1

    def line(cells: Sequence[str]) -> str:
        parts = [
            c.rjust(widths[i]) if i == last else c.ljust(widths[i]) for i, c in enumerate(cells)
        ]
        return (" " * GAP).join(parts).rstrip()

    color = out.color
    head = [wrap_cell(h, widths[i]) for i, h in enumerate(table_head())]
    depth = max(len(h) for h in head)
    # A wrapped header sits on its last line, as Rich puts it.
    out_lines = [
        paint(line([([""] * (depth - len(h)) + h)[k] for h in head]), "bold", color)
        for k in range(depth)
    ]
    out_lines.append("─" * (sum(widths) + table_extra(len(widths))))
    for r in rows:
        cells = [wrap_cell(c, widths[i]) for i, c in enumerate(_table_cells(r))]
        style = row_style(r)
        for k in range(max(len(c) for c in cells)):
            text = line([c[k] if k < len(c) else "" for c in cells])
            out_lines.append(paint(text, style, color))
    return "\n".join(out_lines) + "\n"


def _stacked(rows: Sequence[Mapping[str, Any]], out: Output) -> str:
    """For a page too narrow for the table: each commitment on a line of its own (ID, status,
    due, days left), then its title, category and parties, wrapped and indented."""
    lines = []
    for r in rows:
        head = "  ".join(x for x in (r["id"], r["status"], due_text(r), left_text(r)) if x)
        body = f"{safe(r['title'])} · {r['category']} · {safe(', '.join(r['parties']))}"
        block = [head, *("    " + ln for ln in wrap_cell(body, max(out.width - 4, 16)))]
        style = row_style(r)
        lines += [paint(ln, style, out.color) for ln in block]
    return "\n".join(lines) + "\n"


# ---- sources -------------------------------------------------------------------------------------

SOURCE_KEYS = (
    "id",
    "title",
    "date",
    "place",
    "language",
    "publisher",
    "author",
    "url",
    "commitments",
)


@dataclass(frozen=True)
class SourceRows(Rows):
    keys: Sequence[str] = SOURCE_KEYS


@register("sources", "markdown")
def _sources_markdown(p: Rows, out: Output) -> str:
    lines = ["| ID | Date | Place | Title | Commitments |", "|---|---|---|---|---|"]
    lines += [
        f"| {r['id']} | {r['date']} | {md(str(r['place'] or ''))} "
        f"| {md(str(r['title']))} | {r['commitments']} |"
        for r in p.rows
    ]
    return "\n".join(lines) + "\n"


@register("sources", "table", "plain")
def _sources_plain(p: Rows, out: Output) -> str:
    return "".join(
        "\t".join(
            (r["id"], r["date"], safe(r["place"] or "-"), str(r["commitments"]), safe(r["title"]))
        )
        + "\n"
        for r in p.rows
    )


# ---- history entries (log) ---------------------------------------------------------------------

LOG_KEYS = (
    "on",
    "at",
    "by",
    "id",
    "event",
    "party",
    "status",
    "note",
    "evidence",
    "host",
    "changes",
    "backdated",
)


@dataclass(frozen=True)
class LogRows(Rows):
    keys: Sequence[str] = LOG_KEYS


def log_detail(x: Mapping[str, Any]) -> str:
    """An entry's note, changes, host and evidence, on one line."""
    bits = []
    if x.get("backdated") and x.get("at"):
        bits.append(_("(backdated: recorded {day})").format(day=x["at"][:10]))
    if x.get("host"):
        bits.append(_("host: {host}").format(host=safe(x["host"])))
    if x.get("note"):
        bits.append(safe(x["note"]))
    bits += [f"[{safe(c)}]" for c in x.get("changes", [])]
    bits += [_("evidence: {url}").format(url=safe(u)) for u in x.get("evidence", [])]
    return " ".join(bits)


def _log_cells(x: Mapping[str, Any]) -> tuple[str, ...]:
    who = safe(x["by"] or "")
    what = x["event"] + (f" [{safe(x['party'])}]" if x.get("party") else "")
    return (x["on"], x["id"], what, x["status"], who, log_detail(x))


def log_head() -> tuple[str, ...]:
    return (_("On"), _("ID"), _("Event"), _("Status"), _("By"), _("Detail"))


@register("log", "plain")
def _log_plain(p: Rows, out: Output) -> str:
    return "".join(
        "\t".join(" ".join(c.split()) or "-" for c in _log_cells(x)) + "\n" for x in p.rows
    )


@register("log", "markdown")
def _log_markdown(p: Rows, out: Output) -> str:
    head = log_head()
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(md(c) for c in _log_cells(x)) + " |" for x in p.rows]
    return "\n".join(lines) + "\n"


@register("log", "table")
def _log_table(p: Rows, out: Output) -> str:
    if not p.rows:
        return (p.empty or _("No history entries match.")) + "\n"
    cells = [_log_cells(x) for x in p.rows]
    head = log_head()
    fixed = [max(len(head[i]), *(len(c[i]) for c in cells)) for i in range(5)]
    detail_w = max(20, out.width - sum(fixed) - GAP * 5)
    lines = [
        paint(
            (
                "  ".join(h.ljust(fixed[i]) for i, h in enumerate(head[:5])) + "  " + head[5]
            ).rstrip(),
            "bold",
            out.color,
        )
    ]
    for c in cells:
        wrapped = wrap_cell(c[5], detail_w) if c[5] else [""]
        first = "  ".join(v.ljust(fixed[i]) for i, v in enumerate(c[:5]))
        pad = " " * (sum(fixed) + GAP * 5)
        lines.append((first + "  " + wrapped[0]).rstrip())
        lines += [(pad + w).rstrip() for w in wrapped[1:]]
    return "\n".join(lines) + "\n"
