"""Compliance (`stats`) as a table with bars, Markdown, JSON and an SVG picture, and the timeline
as text and JSON. Every status column, colour and glyph comes from the status registry."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aes_tracker.domain.statuses import statuses
from aes_tracker.i18n import (
    _,
    human_month,
    iso_label,
    ngettext,
    status_label,
)
from aes_tracker.render import (
    NOT_A_TTY_WIDTH,
    Output,
    by_label,
    group_name,
    md,
    paint,
    register,
    register_data,
    safe,
    timeline_state_label,
    title_text,
    to_json,
)
from aes_tracker.render.layout import wrap_cell


@register("timeline", "json")
def _json(st: Mapping[str, Any], out: Output) -> str:
    return to_json(st)


def group_label(st: Mapping[str, Any], g: Mapping[str, Any]) -> str:
    return safe(group_name(st["by"], g["group"]))


@register("stats", "markdown")
def stats_markdown(st: Mapping[str, Any], out: Output) -> str:
    names = [s.name for s in statuses()]
    head = [_("Group"), _("Total"), *map(status_label, names)]
    head += [_("Closed"), _("Overdue"), _("Score"), _("Scored")]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for g in st["groups"]:
        score = "n/a" if g["average"] is None else f"{g['average']:+.2f}"
        cells = [
            md(group_label(st, g)),
            str(g["total"]),
            *(str(g["by_status"].get(s, 0)) for s in names),
            f"{g['share_closed'] or 0:.0%}",
            str(g["overdue"]),
            score,
            _("{k} of {n}").format(k=g["scored"], n=g["total"]),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def score_text(g: Mapping[str, Any]) -> str:
    """The score with what it rests on: "-1.00 on 1 of 9 scored", "not scored (0 of 9)"."""
    if g["average"] is None:
        return _("not scored (0 of {n})").format(n=g["total"])
    return _("{score} on {k} of {n} scored").format(
        score=f"{g['average']:+.2f}", k=g["scored"], n=g["total"]
    )


SCALE = 21  # the −1…+1 scale, with its middle mark


def _scale(score: float | None, color: bool) -> str:
    if score is None:
        return " " * SCALE
    pos = round((score + 1) / 2 * (SCALE - 1))
    colour = "green" if score > 0.2 else "red" if score < -0.2 else "yellow"
    return "".join(
        paint("●", colour, color)
        if i == pos
        else paint("┼" if i == SCALE // 2 else "─", "dim", color)
        for i in range(SCALE)
    )


def stats_lines(st: Mapping[str, Any], width: int, color: bool) -> list[str]:
    """The compliance table, laid out for the page: the group names and every number whole, a
    stacked bar per group by status and the score on a −1…+1 scale where there is room (the bar
    shrinks first, then goes; then the scale goes)."""
    groups = st["groups"]
    head = [_("Group"), "n", _("closed"), _("overdue"), _("score")]
    rows = [
        [
            group_label(st, g),
            str(g["total"]),
            f"{g['share_closed'] or 0:.0%}",
            str(g["overdue"]),
            score_text(g),
        ]
        for g in groups
    ]
    ws = [max(len(head[i]), *(len(r[i]) for r in rows)) if rows else len(head[i]) for i in range(5)]
    fixed = sum(ws) + 2 * 4
    # A page too narrow for the score beside the counts: it goes on a line of its own.
    score_below = fixed > width
    if score_below:
        fixed = sum(ws[:4]) + 2 * 3
    room = width - fixed - 2  # for the bar, and the scale with its gap
    show_scale = room >= SCALE + 2 + 8
    bar_w = min(40, room - (SCALE + 2 if show_scale else 0))
    show_bar = bar_w >= 8
    biggest = max((g["total"] for g in groups), default=1) or 1

    def bar(g: Mapping[str, Any]) -> str:
        cells = []
        used = 0
        for s in statuses():
            n = g["by_status"].get(s.name, 0)
            if n:
                k = max(1, round(n / biggest * bar_w))
                k = min(k, bar_w - used)
                used += k
                cells.append(paint(s.glyph * k, s.style, color))
        return "".join(cells) + " " * (bar_w - used)

    def line(cells: list[str], g: Mapping[str, Any] | None) -> str:
        parts = [cells[0].ljust(ws[0])]
        if show_bar:
            parts.append(bar(g) if g is not None else _("Statuses").ljust(bar_w)[:bar_w])
        parts += [cells[1].rjust(ws[1]), cells[2].rjust(ws[2]), cells[3].rjust(ws[3])]
        if show_scale:
            parts.append(_scale(g["average"], color) if g is not None else " " * SCALE)
        if not score_below:
            parts.append(cells[4])
        text = "  ".join(parts).rstrip()
        if score_below and g is not None:
            text += "\n" + "\n".join("  " + x for x in wrap_cell(cells[4], width - 2))
        return text

    title = _("Compliance by {by}, as of {day}").format(
        by=by_label(st["by"]), day=iso_label(st["as_of"])
    )
    out = [paint(ln, "bold", color) for ln in wrap_cell(title, width)]
    out.append(paint(line(head, None), "bold", color))
    for r, g in zip(rows, groups, strict=True):
        out += line(r, g).split("\n")
    if show_bar:
        legend = "  ".join(
            paint(f"{s.glyph} {status_label(s.name)}", s.style, color) for s in statuses()
        )
        plain = "  ".join(f"{s.glyph} {status_label(s.name)}" for s in statuses())
        out += _wrap_painted(plain, legend, width)
    return out


def _wrap_painted(plain: str, painted: str, width: int) -> list[str]:
    """The legend, on as many lines as the page needs (items are never split)."""
    items_plain = plain.split("  ")
    items = painted.split("  ") if painted.count("  ") == plain.count("  ") else items_plain
    lines: list[str] = []
    cur: list[str] = []
    cur_len = 0
    for p_item, item in zip(items_plain, items, strict=True):
        add = len(p_item) + (2 if cur else 0)
        if cur and cur_len + add > width:
            lines.append("  ".join(cur))
            cur, cur_len = [], 0
            add = len(p_item)
        cur.append(item)
        cur_len += add
    if cur:
        lines.append("  ".join(cur))
    return lines


register_data("stats", stats_lines)


@register("stats", "svg")
def _svg(st: Mapping[str, Any], out: Output) -> str:
    """A chart for a briefing (render/charts/compliance.py), not a picture of the terminal."""
    from aes_tracker.render.charts.compliance import stats_svg

    return stats_svg(st)


@register("timeline", "svg")
def _timeline_svg(tl: Mapping[str, Any], out: Output) -> str:
    from aes_tracker.render.charts.timeline import timeline_svg

    return timeline_svg(tl, _titles(tl))


def _titles(tl: Mapping[str, Any]) -> dict[str, str]:
    return {it["id"]: title_text(it) for m in tl["months"] for it in m["items"]}


_MARKS = {
    "overdue": ("●", "red"),
    "due": ("○", "yellow"),
    "done": ("✓", "green"),
    "closed": ("·", "dim"),
    "expected": ("◇", "yellow"),
    "held": ("◆", "green"),
    "missed": ("✗", "red"),
    "review": ("△", ""),
}


def timeline_lines(tl: Mapping[str, Any], color: bool, width: int = NOT_A_TTY_WIDTH) -> list[str]:
    """Each month, then its items: "● 2026-04-03 inst-annual-consultations (overdue, host:
    ...) Title". When an item does not fit, its title goes on under it, indented, so that the
    spacing is the same on every line."""
    lines = []
    now = tl["as_of"][:7]
    empty: list[str] = []  # a run of months with nothing in them, folded into one line

    def fold() -> None:
        if empty:
            lines.append(_("{months}: nothing due").format(months=_month_span(empty[0], empty[-1])))
            empty.clear()

    for m in tl["months"]:
        if not m["items"] and m["month"] != now:
            empty.append(m["month"])
            continue
        fold()
        label = human_month(m["month"]) + (" " + _("◀ now") if m["month"] == now else "")
        lines.append(paint(label, "bold", color) if m["month"] == now else label)
        for it in m["items"]:
            mark, style = _MARKS[it["status"]]
            host = ", " + _("host: {host}").format(host=safe(it["host"])) if it["host"] else ""
            state = timeline_state_label(it["status"])
            late = it.get("days_late") or 0
            if it["status"] == "held" and late:
                # As `show` says it: the session counted for the slot it was owed.
                state = (
                    ngettext("held {n} day late", "held {n} days late", late).format(n=late)
                    if late > 0
                    else ngettext("held {n} day early", "held {n} days early", -late).format(
                        n=-late
                    )
                )
            head = f"{mark} {iso_label(it['due'])} {it['id']} ({state}{host})"
            title = title_text(it)
            if 2 + len(head) + 1 + len(title) <= width:
                block = [f"  {head} {title}"]
            else:
                heads = wrap_cell(head, width - 2)
                block = ["  " + heads[0], *("    " + x for x in heads[1:])]
                block += ["      " + x for x in wrap_cell(title, width - 6)]
            lines += [paint(x, style, color) for x in block]
    fold()
    return lines


def _month_span(first: str, last: str) -> str:
    """ "2026-05–2026-10"; in a language that writes the year last, "mai–octobre 2026"."""
    a, b = human_month(first), human_month(last)
    if first == last:
        return a
    year = first[:4]
    if year == last[:4] and a.endswith(year) and not a.startswith(year):
        return a[: -len(year)].rstrip() + "–" + b
    return a + "–" + b


@register("timeline", "text")
def _timeline_text(tl: Mapping[str, Any], out: Output) -> str:
    return "\n".join(timeline_lines(tl, out.color, out.width)) + "\n"
