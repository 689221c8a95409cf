"""Compliance (`stats`) as a table with bars, Markdown, JSON and an SVG picture, and the timeline
as text and JSON. Every status column, colour and glyph comes from the status registry."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from aes_tracker.i18n import _
from aes_tracker.model import statuses
from aes_tracker.render import NOT_A_TTY_WIDTH, Output, md, paint, register, safe, to_json
from aes_tracker.render.rows import wrap_cell


@register("stats", "json")
@register("timeline", "json")
def _json(st: Mapping[str, Any], out: Output) -> str:
    return to_json(st)


@register("stats", "markdown")
def stats_markdown(st: Mapping[str, Any], out: Output) -> str:
    names = [s.name for s in statuses()]
    head = [_("Group"), _("Total"), *names, _("Closed"), _("Overdue"), _("Score")]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for g in st["groups"]:
        score = "n/a" if g["score"] is None else f"{g['score']:+.2f}"
        cells = [
            md(g["group"]),
            str(g["total"]),
            *(str(g["by_status"].get(s, 0)) for s in names),
            f"{g['share_closed'] or 0:.0%}",
            str(g["overdue"]),
            score,
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _console(width: int, color: bool, *, record: bool = False) -> Any:
    from rich.console import Console

    return Console(
        file=io.StringIO(),
        width=width,
        force_terminal=color,
        no_color=not color,
        color_system=("truecolor" if record else "standard") if color else None,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=False,
        legacy_windows=False,
        record=record,
        _environ={},
    )


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
        title=_("Compliance by {by}, as of {day}").format(by=st["by"], day=st["as_of"]),
        title_justify="left",
    )
    table.add_column(_("Group"), no_wrap=True)
    table.add_column(_("Statuses"), no_wrap=True)
    table.add_column("n", justify="right", no_wrap=True)
    table.add_column(_("closed"), justify="right", no_wrap=True)
    table.add_column(_("overdue"), justify="right", no_wrap=True)
    table.add_column(_("score (-1 to +1)"), no_wrap=True)
    biggest = max((g["total"] for g in st["groups"]), default=1) or 1
    for g in st["groups"]:
        bar = Text()
        for s in statuses():
            n = g["by_status"].get(s.name, 0)
            if n:
                cells = max(1, round(n / biggest * bar_w))
                bar.append(s.glyph * cells, style=s.style)
        scale = Text()
        if g["score"] is None:
            scale.append(_("not scored"), style="dim")
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
            safe(g["group"]),
            bar,
            str(g["total"]),
            f"{g['share_closed'] or 0:.0%}",
            str(g["overdue"]),
            scale,
        )
    legend = Text("  ")
    for s in statuses():
        legend.append(f"{s.glyph} {s.name}  ", style=s.style)
    return [table, legend]


@register("stats", "table")
def _table(st: Mapping[str, Any], out: Output) -> str:
    con = _console(out.width, out.color)
    for part in stats_renderables(st, con.width):
        con.print(part)
    return str(con.file.getvalue())


@register("stats", "svg")
def _svg(st: Mapping[str, Any], out: Output) -> str:
    con = _console(max(out.width, 100), True, record=True)
    for part in stats_renderables(st, con.width):
        con.print(part)
    return str(con.export_svg(title=_("aes-tracker: compliance by {by}").format(by=st["by"])))


_MARKS = {
    "overdue": ("●", "red"),
    "due": ("○", "yellow"),
    "done": ("✓", "green"),
    "closed": ("·", "dim"),
    "expected": ("◇", "yellow"),
    "held": ("◆", "green"),
}


def timeline_lines(tl: Mapping[str, Any], color: bool, width: int = NOT_A_TTY_WIDTH) -> list[str]:
    lines = []
    now = tl["as_of"][:7]
    for m in tl["months"]:
        label = m["month"] + (" " + _("◀ now") if m["month"] == now else "")
        lines.append(paint(label, "bold", color) if m["month"] == now else label)
        for it in m["items"]:
            mark, style = _MARKS[it["state"]]
            host = ", " + _("host: {host}").format(host=safe(it["host"])) if it["host"] else ""
            text = f"{mark} {it['date']}  {it['id']}  ({it['state']}{host})  {safe(it['title'])}"
            for k, ln in enumerate(wrap_cell(text, max(width - 6, 20))):
                lines.append(paint(("  " if k == 0 else "      ") + ln, style, color))
    return lines


@register("timeline", "text")
def _timeline_text(tl: Mapping[str, Any], out: Output) -> str:
    return "\n".join(timeline_lines(tl, out.color, out.width)) + "\n"
