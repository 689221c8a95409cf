"""Turning rows into text: Rich tables for a terminal, and plain, JSON, CSV and Markdown for
pipes and scripts. The console policy for cron lives here too. Rich is imported only inside the
functions that draw, so that commands printing JSON do not pay for it at start-up.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import IO, TYPE_CHECKING, Any

from aes_tracker.dates import days_left
from aes_tracker.model import Commitment, Source
from aes_tracker.query import LIST_KEYS, row

if TYPE_CHECKING:
    from rich.console import Console

FORMATS = ("table", "plain", "json", "csv", "markdown")
NOT_A_TTY_WIDTH = 100
SOON_DAYS = 30


@dataclass(frozen=True)
class Output:
    """Where and how to print: decided once per run from flags, environment and the stream."""

    stream: IO[str]
    color: bool
    width: int
    terminal: bool

    @classmethod
    def decide(
        cls,
        stream: IO[str],
        color: str = "auto",
        width: int | None = None,
        environ: Mapping[str, str] = os.environ,
    ) -> Output:
        try:
            tty = stream.isatty()
        except (AttributeError, ValueError):
            tty = False
        if color == "always":
            use = True
        elif color == "never":
            use = False
        elif environ.get("FORCE_COLOR"):
            use = True
        else:
            use = tty and not environ.get("NO_COLOR") and environ.get("TERM") != "dumb"
        if width is None:
            cols = environ.get("COLUMNS", "")
            if cols.isdigit() and int(cols) > 0:
                width = int(cols)
            elif tty:
                width = os.get_terminal_size(stream.fileno()).columns if _has_fileno(stream) else 80
            else:
                width = NOT_A_TTY_WIDTH
        return cls(stream, use, max(width, 20), tty)

    def console(self) -> Console:
        from rich.console import Console

        return Console(
            file=self.stream,
            width=self.width,
            force_terminal=self.color,
            no_color=not self.color,
            color_system="standard" if self.color else None,
            highlight=False,
            markup=False,
            emoji=False,
            soft_wrap=False,
            legacy_windows=False,
            _environ={},
        )

    def write(self, text: str) -> None:
        self.stream.write(text)
        if not text.endswith("\n"):
            self.stream.write("\n")


def _has_fileno(stream: IO[str]) -> bool:
    try:
        stream.fileno()
        return True
    except (AttributeError, ValueError, OSError):
        return False


def utf8_stdout() -> None:
    """French text must come out as UTF-8 even under LANG=C (cron)."""
    for s in (sys.stdout, sys.stderr):
        enc = getattr(s, "encoding", "utf-8") or "utf-8"
        if enc.lower().replace("-", "") != "utf8" and hasattr(s, "reconfigure"):
            s.reconfigure(encoding="utf-8", errors="replace")


# ---- plain values -----


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list):
        return "; ".join(str(x) for x in v)
    return str(v)


def to_json(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2) + "\n"


def to_csv(rows: Sequence[Mapping[str, Any]], keys: Sequence[str] = LIST_KEYS) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")  # RFC 4180
    w.writerow(keys)
    for r in rows:
        w.writerow([_cell(r.get(k)) for k in keys])
    return buf.getvalue()


PLAIN_KEYS = ("id", "status", "due", "days_left", "category", "parties", "title")


def to_plain(rows: Sequence[Mapping[str, Any]]) -> str:
    """One tab-separated line per commitment, no header: id, status, due, days left, category,
    parties (comma-separated), title. Empty fields are '-'."""
    out = []
    for r in rows:
        vals = []
        for k in PLAIN_KEYS:
            v = r.get(k)
            s = ",".join(v) if isinstance(v, list) else _cell(v)
            vals.append(" ".join(s.split()) or "-")
        out.append("\t".join(vals) + "\n")
    return "".join(out)


def _md(s: str) -> str:
    return " ".join(s.split()).replace("|", "\\|")


def due_text(r: Mapping[str, Any]) -> str:
    if r["due"]:
        return str(r["due"])
    if r.get("review"):
        return f"review {r['review']}"
    return ""


def left_text(r: Mapping[str, Any]) -> str:
    if r["days_left"] is None:
        return ""
    n = int(r["days_left"])
    if not r["open"]:
        return ""
    # Negative when overdue, as in the JSON; the row is red too.
    return "today" if n == 0 else str(n)


TABLE_HEAD = ("ID", "Title", "Category", "Parties", "Status", "Due", "Days left")


def _table_cells(r: Mapping[str, Any]) -> tuple[str, ...]:
    return (
        r["id"],
        r["title"],
        r["category"],
        ", ".join(r["parties"]),
        r["status"],
        due_text(r),
        left_text(r),
    )


def to_markdown(rows: Sequence[Mapping[str, Any]]) -> str:
    lines = ["| " + " | ".join(TABLE_HEAD) + " |", "|" + "---|" * len(TABLE_HEAD)]
    for r in rows:
        lines.append("| " + " | ".join(_md(c) for c in _table_cells(r)) + " |")
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


GAP = 2  # spaces between columns


def _longest_word(texts: Sequence[str]) -> int:
    return max((len(w) for t in texts for w in t.split()), default=1)


def column_widths(rows: Sequence[Mapping[str, Any]], width: int) -> list[int]:
    """Widths for the list table, computed rather than left to Rich: IDs and dates are never
    folded; when the page is narrow, parties and days wrap at spaces, then the title gives way
    down to 14 columns. Below that the table runs wider than the page: nothing is cut."""
    cols = list(zip(*(_table_cells(r) for r in rows), strict=True))
    natural = [max(len(TABLE_HEAD[i]), *(len(v) for v in col)) for i, col in enumerate(cols)]
    w = list(natural)
    w[5] = max(10, _longest_word(cols[5]))  # "review 2026-04-03" wraps to two lines
    room = width - table_extra(len(w))
    for i, floor in (
        (1, 30),
        (3, _longest_word([*cols[3], TABLE_HEAD[3]])),
        (6, len(TABLE_HEAD[6])),
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


_SGR = {"red": "31", "yellow": "33", "green": "32", "dim": "2", "bold": "1"}


def paint(text: str, style: str, color: bool) -> str:
    """`text` in a style, as plain SGR codes; nothing at all without colour."""
    if not color or not style or not text:
        return text
    return f"\x1b[{_SGR[style]}m{text}\x1b[0m"


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


def print_table(out: Output, rows: Sequence[Mapping[str, Any]], *, empty: str) -> None:
    """The list table, laid out here rather than by Rich's Table: the same look (a bold header,
    a rule, two spaces between columns, the last column right-aligned), but column widths are
    computed once and 10,000 rows print in milliseconds instead of seconds."""
    if not rows:
        out.write(empty)
        return
    widths = column_widths(rows, out.width)
    if sum(widths) + table_extra(len(widths)) > out.width:
        print_stacked(out, rows)
        return
    last = len(widths) - 1

    def line(cells: Sequence[str]) -> str:
        parts = [
            c.rjust(widths[i]) if i == last else c.ljust(widths[i]) for i, c in enumerate(cells)
        ]
        return (" " * GAP).join(parts).rstrip()

    color = out.color
    head = [wrap_cell(h, widths[i]) for i, h in enumerate(TABLE_HEAD)]
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
    out.stream.write("\n".join(out_lines) + "\n")


def print_stacked(out: Output, rows: Sequence[Mapping[str, Any]]) -> None:
    """For a page too narrow for the table: each commitment on a line of its own (ID, status,
    due, days left), then its title, category and parties, wrapped and indented."""
    lines = []
    for r in rows:
        head = "  ".join(x for x in (r["id"], r["status"], due_text(r), left_text(r)) if x)
        body = f"{r['title']} · {r['category']} · {', '.join(r['parties'])}"
        block = [head, *("    " + ln for ln in wrap_cell(body, max(out.width - 4, 16)))]
        style = row_style(r)
        lines += [paint(ln, style, out.color) for ln in block]
    out.stream.write("\n".join(lines) + "\n")


def print_rows(
    out: Output,
    fmt: str,
    rows: Sequence[Mapping[str, Any]],
    *,
    empty: str = "No commitments match.",
) -> None:
    if fmt == "json":
        out.stream.write(to_json(list(rows)))
    elif fmt == "csv":
        out.stream.write(to_csv(rows))
    elif fmt == "plain":
        out.stream.write(to_plain(rows))
    elif fmt == "markdown":
        out.stream.write(to_markdown(rows))
    else:
        print_table(out, rows, empty=empty)


# ---- one commitment -----

SHOW_KEYS = (
    *LIST_KEYS,
    "quote",
    "timing",
    "due_reason",
    "review_reason",
    "notes",
    "recur_start",
    "hosts",
    "source_detail",
    "history",
)


def slip_text(c: Commitment) -> str:
    if c.due and c.original_due and c.due != c.original_due:
        n = (c.due - c.original_due).days
        verb = "slipped" if n > 0 else "brought forward"
        return (
            f"due {c.due}, originally {c.original_due}, {verb} {abs(n)} "
            f"day{'s' if abs(n) != 1 else ''}"
        )
    return ""


def detail(c: Commitment, source: Source | None, today: date) -> dict[str, Any]:
    """Everything about one commitment, JSON-ready: the list keys and the rest."""
    d = row(c, today)
    d.update(
        quote=c.quote,
        timing=list(c.timing),
        due_reason=c.due_reason or None,
        review_reason=c.review_reason or None,
        notes=c.notes or None,
        recur_start=c.recur_start.isoformat() if c.recur_start else None,
        hosts=list(c.hosts),
        source_detail=None
        if source is None
        else {
            "id": source.id,
            "title": source.title,
            "date": source.date.isoformat(),
            "place": source.place or None,
            "language": source.language or None,
            "publisher": source.publisher or None,
            "author": source.author or None,
            "url": source.url or None,
        },
        history=[
            {
                "on": e.on.isoformat(),
                "at": e.at.isoformat() if e.at else None,
                "by": e.by or None,
                "event": e.event,
                "status": e.status.value,
                "note": e.note or None,
                "evidence": list(e.evidence),
                "host": e.host or None,
                "changes": [
                    {"field": k, "before": a or None, "after": b or None} for k, a, b in e.changes
                ],
            }
            for e in c.history
        ],
    )
    return d


def detail_lines(c: Commitment, source: Source | None, today: date) -> list[tuple[str, str]]:
    """The fields of `show`, as (label, value) pairs in reading order."""
    lines: list[tuple[str, str]] = [
        ("ID", c.id),
        ("Title", c.title),
        ("Category", c.category.value),
        ("Parties", ", ".join(c.parties)),
    ]
    if c.beneficiaries:
        lines.append(("Beneficiaries", ", ".join(c.beneficiaries)))
    lines.append(("Status", c.status.value + ("" if c.is_open else " (closed)")))
    if c.due:
        n = days_left(c.due, today)
        when = (
            f"{-n} days overdue"
            if n < 0 and c.is_open
            else "due today"
            if n == 0
            else f"in {n} days"
            if n > 0
            else ""
        )
        lines.append(("Due", slip_text(c) or str(c.due)))
        if when and c.is_open:
            lines.append(("", when))
        if c.due_reason:
            lines.append(("Due date from", c.due_reason))
    else:
        lines.append(("Due", "no deadline in the text"))
        if c.review:
            lines.append(
                ("Review", str(c.review) + (f": {c.review_reason}" if c.review_reason else ""))
            )
    if c.recur:
        rec = c.recur + (f" from {c.recur_start}" if c.recur_start else "")
        lines.append(("Recurs", rec))
        if c.next_host:
            lines.append(("Next host", c.next_host))
    if c.timing:
        lines.append(("Timing in text", "; ".join(f"« {t} »" for t in c.timing)))
    src = (
        c.source
        if source is None
        else f"{source.title} ({source.place + ', ' if source.place else ''}{source.date})"
    )
    lines.append(("Source", src))
    lines.append(("Quote", f"« {c.quote} »"))
    if c.notes:
        lines.append(("Notes", c.notes))
    return lines


def event_line(e: Any) -> str:
    parts = [str(e.on), e.event, e.status.value]
    if e.host:
        parts.append(f"host: {e.host}")
    text = "  ".join(parts)
    if e.by:
        text += f"  by {e.by}"
    if e.note:
        text += f"  — {e.note}"
    for k, a, b in e.changes:
        if k != "status":
            text += f"  [{k}: {a or '∅'} → {b or '∅'}]"
    for url in e.evidence:
        text += f"  evidence: {url}"
    return text


def print_show(out: Output, fmt: str, c: Commitment, source: Source | None, today: date) -> None:
    if fmt == "json":
        out.stream.write(to_json(detail(c, source, today)))
        return
    if fmt == "csv":
        d = detail(c, source, today)
        keys = (*LIST_KEYS, "quote", "notes")
        out.stream.write(to_csv([d], keys))
        return
    pairs = detail_lines(c, source, today)
    events = [event_line(e) for e in c.history]
    if fmt == "markdown":
        md = [f"## {_md(c.title)} (`{c.id}`)", ""]
        md += [f"- **{k}**: {_md(v)}" if k else f"  {_md(v)}" for k, v in pairs]
        md += ["", "### History", ""] + [f"- {_md(ev)}" for ev in events]
        out.write("\n".join(md))
        return
    if fmt == "plain":
        text = [f"{k or '-'}\t{' '.join(v.split())}" for k, v in pairs]
        text += [f"history\t{' '.join(ev.split())}" for ev in events]
        out.write("\n".join(text))
        return
    from rich.table import Table
    from rich.text import Text

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    r = row(c, today)
    style = row_style(r)
    for k, v in pairs:
        grid.add_row(k, Text(v, style=style if k in ("Due", "") else ""))
    grid.add_row("History", "")
    for ev in events:
        grid.add_row("  •", Text(ev))
    out.console().print(grid, crop=False)


def print_sources(out: Output, fmt: str, sources: Sequence[Source], commitments: Any) -> None:
    counts: dict[str, int] = {}
    for c in commitments:
        counts[c.source] = counts.get(c.source, 0) + 1
    rows: list[dict[str, Any]] = [
        {
            "id": s.id,
            "title": s.title,
            "date": s.date.isoformat(),
            "place": s.place or None,
            "language": s.language or None,
            "publisher": s.publisher or None,
            "author": s.author or None,
            "url": s.url or None,
            "commitments": counts.get(s.id, 0),
        }
        for s in sorted(sources, key=lambda s: s.date)
    ]
    keys = ("id", "title", "date", "place", "language", "publisher", "author", "url", "commitments")
    if fmt == "json":
        out.stream.write(to_json(rows))
    elif fmt == "csv":
        out.stream.write(to_csv(rows, keys))
    elif fmt in ("plain", "markdown", "table"):
        if fmt == "markdown":
            lines = ["| ID | Date | Place | Title | Commitments |", "|---|---|---|---|---|"]
            lines += [
                f"| {r['id']} | {r['date']} | {_md(str(r['place'] or ''))} "
                f"| {_md(str(r['title']))} | {r['commitments']} |"
                for r in rows
            ]
            out.write("\n".join(lines))
        else:
            out.write(
                "\n".join(
                    f"{r['id']}\t{r['date']}\t{r['place'] or '-'}\t{r['commitments']}\t{r['title']}"
                    for r in rows
                )
            )


def print_report_text(out: Output, text: str) -> None:
    """The text report in a colour terminal: headings bold, the overdue section red."""
    from rich.text import Text

    con = out.console()
    section = ""
    for line in text.splitlines():
        if line and not line.startswith(" "):
            section = line.split(" (")[0]
            con.print(Text(line, style="bold"), crop=False)
        else:
            con.print(Text(line, style="red" if section == "Overdue" else ""), crop=False)


# ---- stats and timeline --------------------------------------------------------------------------

STATUS_STYLE = {
    "done": "green",
    "partial": "cyan",
    "in_progress": "blue",
    "pending": "white",
    "stalled": "yellow",
    "broken": "red",
    "dropped": "bright_black",
}
STATUS_CHAR = {
    "done": "█",
    "partial": "▓",
    "in_progress": "▒",
    "pending": "░",
    "stalled": "▚",
    "broken": "▞",
    "dropped": "·",
}


def stats_markdown(st: Mapping[str, Any]) -> str:
    statuses = list(STATUS_STYLE)
    head = ["Group", "Total", *statuses, "Closed", "Overdue", "Score"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for g in st["groups"]:
        score = "n/a" if g["score"] is None else f"{g['score']:+.2f}"
        cells = [
            _md(g["group"]),
            str(g["total"]),
            *(str(g["by_status"][s]) for s in statuses),
            f"{g['share_closed'] or 0:.0%}",
            str(g["overdue"]),
            score,
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def stats_renderables(st: Mapping[str, Any], width: int) -> list[Any]:
    """A stacked bar per group (by status) and the score on a -1..+1 scale, as Rich objects."""
    from rich.table import Table
    from rich.text import Text

    group_w = max((len(g["group"]) for g in st["groups"]), default=5)
    # What the other columns take: counts, percentages, the score scale and the gaps.
    bar_w = max(10, min(40, width - group_w - 52))
    scale_w = 21
    table = Table(
        box=None,
        pad_edge=False,
        show_edge=False,
        header_style="bold",
        title=f"Compliance by {st['by']}, as of {st['as_of']}",
        title_justify="left",
    )
    table.add_column("Group", no_wrap=True)
    table.add_column("Statuses", no_wrap=True)
    table.add_column("n", justify="right", no_wrap=True)
    table.add_column("closed", justify="right", no_wrap=True)
    table.add_column("overdue", justify="right", no_wrap=True)
    table.add_column("score (-1 to +1)", no_wrap=True)
    biggest = max((g["total"] for g in st["groups"]), default=1) or 1
    for g in st["groups"]:
        bar = Text()
        for status, style in STATUS_STYLE.items():
            n = g["by_status"][status]
            if n:
                cells = max(1, round(n / biggest * bar_w))
                bar.append(STATUS_CHAR[status] * cells, style=style)
        scale = Text()
        if g["score"] is None:
            scale.append("not scored", style="dim")
        else:
            pos = round((g["score"] + 1) / 2 * (scale_w - 1))
            colour = "green" if g["score"] > 0.2 else "red" if g["score"] < -0.2 else "yellow"
            for i in range(scale_w):
                scale.append(
                    "●" if i == pos else ("┼" if i == scale_w // 2 else "─"),
                    style=colour if i == pos else "dim",
                )
            scale.append(f" {g['score']:+.2f}", style=colour)
        table.add_row(
            g["group"],
            bar,
            str(g["total"]),
            f"{g['share_closed'] or 0:.0%}",
            str(g["overdue"]),
            scale,
        )
    legend = Text("  ")
    for status, style in STATUS_STYLE.items():
        legend.append(f"{STATUS_CHAR[status]} {status}  ", style=style)
    return [table, legend]


def timeline_lines(tl: Mapping[str, Any], color: bool, width: int = NOT_A_TTY_WIDTH) -> list[str]:
    marks = {
        "overdue": ("●", "red"),
        "due": ("○", "yellow"),
        "done": ("✓", "green"),
        "closed": ("·", "dim"),
        "expected": ("◇", "yellow"),
        "held": ("◆", "green"),
    }
    out = []
    now = tl["as_of"][:7]
    for m in tl["months"]:
        label = m["month"] + (" ◀ now" if m["month"] == now else "")
        out.append(paint(label, "bold", color) if m["month"] == now else label)
        for it in m["items"]:
            mark, style = marks[it["state"]]
            host = f", host: {it['host']}" if it["host"] else ""
            text = f"{mark} {it['date']}  {it['id']}  ({it['state']}{host})  {it['title']}"
            for k, ln in enumerate(wrap_cell(text, max(width - 6, 20))):
                out.append(paint(("  " if k == 0 else "      ") + ln, style, color))
    return out
