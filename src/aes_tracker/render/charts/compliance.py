"""The compliance chart (`stats --format svg`): a stacked bar of statuses per group, each status
in its colour and pattern with its count, and the group's score on a labelled −1…+1 axis.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aes_tracker.domain.statuses import statuses
from aes_tracker.i18n import _, colon, ngettext, status_label
from aes_tracker.render import by_label, group_name
from aes_tracker.render.charts import kit

# Each status's colour (Okabe & Ito), and the pattern drawn over it (None: plain), so that a
# greyscale print still tells them apart.
STATUS_FILL = {
    "pending": "#DDDDDD",
    "in_progress": kit.OKABE_ITO["blue"],
    "stalled": kit.OKABE_ITO["orange"],
    "done": kit.OKABE_ITO["bluish_green"],
    "partial": kit.OKABE_ITO["sky_blue"],
    "broken": kit.OKABE_ITO["vermillion"],
    "dropped": kit.OKABE_ITO["reddish_purple"],
}
# The pattern drawn over each status's colour (None: plain).
STATUS_PATTERN = {
    "pending": None,
    "in_progress": None,
    "stalled": "hatch",
    "done": None,
    "partial": "dots",
    "broken": "cross",
    "dropped": "hatch",
}


def _swatch(
    svg: kit.Svg, x: float, y: float, w: float, h: float, status: str, tip: str = ""
) -> None:
    svg.rect(x, y, w, h, STATUS_FILL[status], stroke=kit.INK, tip=tip or None)
    pattern = STATUS_PATTERN[status]
    if pattern:
        svg.rect(x, y, w, h, f"url(#{svg.prefix}p-{pattern})")


def _legend(svg: kit.Svg, x0: float, y: float, room: float) -> float:
    """The statuses' swatches and names, on as many lines as `room` needs; the y below it."""
    x = x0
    for s in statuses():
        label = status_label(s.name)
        w = 16 + 6 + kit.text_width(label, 12) + 16
        if x > x0 and x + w > x0 + room:
            x, y = x0, y + 20
        _swatch(svg, x, y - 11, 16, 12, s.name)
        svg.text(x + 22, y, label, 12, cls="legend")
        x += w
    return y + 20


def score_label(score: float | None) -> str:
    return _("not scored") if score is None else kit.signed(score)


def stats_svg(st: Mapping[str, Any], prefix: str = "") -> str:
    """A stacked bar of statuses per group, with each status's count, and the group's score on a
    labelled −1…+1 axis beside it; a legend, a title and the as-of date."""
    groups = st["groups"]
    width = 820.0
    margin = kit.MARGIN
    label_w = 170.0
    bar_x = margin + label_w + 10
    bar_w = 330.0
    axis_x = bar_x + bar_w + 50
    axis_w = width - margin - axis_x - 10
    title = _("Compliance by {by}").format(by=by_label(st["by"]))
    lines = [
        f"{group_name(st['by'], g['group'])}: "
        + (_counts(g) or _("no commitments"))
        + "; "
        + _("score {score}").format(score=score_label(g["average"]))
        for g in groups
    ]
    desc = (
        _("Statuses of the commitments of each group, and the compliance score from −1 to +1.")
        + " "
        + " ".join(x + "." for x in lines)
    )
    svg = kit.headed(width, title, st["as_of"], desc, prefix)
    y = _legend(svg, margin, 76, width - 2 * margin)
    # Column heads.
    y += 8
    svg.text(bar_x, y, _("Commitments by status"), 12, fill=kit.MUTED, bold=True)
    svg.text(axis_x, y, _("Score (−1 not kept … +1 kept)"), 12, fill=kit.MUTED, bold=True)
    y += 12
    row_h = 46.0
    biggest = max((g["total"] for g in groups), default=0) or 1
    top = y
    for g in groups:
        name = group_name(st["by"], g["group"])
        svg.text(margin, y + 18, kit.fit(name, 13, label_w, True), 13, bold=True)
        svg.text(
            margin,
            y + 34,
            kit.fit(
                ngettext("{n} commitment", "{n} commitments", g["total"]).format(n=g["total"]),
                11,
                label_w,
            ),
            11,
            fill=kit.MUTED,
        )
        x = bar_x
        for s in statuses():
            n = g["by_status"].get(s.name, 0)
            if not n:
                continue
            w = n / biggest * bar_w
            tip = f"{status_label(s.name)}{colon()}{n}"
            _swatch(svg, x, y + 6, w, 18, s.name, tip)
            label = str(n)
            if kit.text_width(label, 11, True) + 6 <= w:
                # Under a pattern, the count sits on a plain chip of its status's colour.
                fill = STATUS_FILL[s.name]
                cw = kit.text_width(label, 11, True) + 4
                if STATUS_PATTERN[s.name]:
                    svg.rect(x + w / 2 - cw / 2, y + 8, cw, 14, fill)
                svg.text(x + w / 2, y + 19, label, 11, kit.ink_on(fill), "middle", True)
            x += w
        # Each count in words under the bar: the bar read without colour.
        svg.text(bar_x, y + 38, kit.fit(_counts(g), 10.5, bar_w + 40), 10.5, fill=kit.MUTED)
        _score_axis(svg, axis_x, axis_w, y, g)
        y += row_h
    # The axis's ticks, under the last group.
    if groups:
        for v, label in ((-1, "−1"), (-0.5, "−0.5"), (0, "0"), (0.5, "+0.5"), (1, "+1")):
            tx = axis_x + (v + 1) / 2 * axis_w
            svg.line(tx, top, tx, y - 4, "#d0d0d0" if v else kit.RULE)
            svg.text(tx, y + 10, label, 11, fill=kit.MUTED, anchor="middle")
        y += 28
    else:
        svg.text(margin, y + 20, _("No commitments."), 12)
        y += 36
    return svg.ended(
        y, _("Score: +1 kept in full, 0 in part or under way, −1 not kept or overdue.")
    )


def _counts(g: Mapping[str, Any]) -> str:
    """A group's count of each status, in words ("" when it has none)."""
    return ", ".join(
        f"{status_label(s.name)} {g['by_status'].get(s.name, 0)}"
        for s in statuses()
        if g["by_status"].get(s.name, 0)
    )


def _score_axis(svg: kit.Svg, x: float, w: float, y: float, g: Mapping[str, Any]) -> None:
    svg.line(x, y + 15, x + w, y + 15)
    if g["average"] is None:
        svg.text(
            x + w / 2,
            y + 34,
            _("not scored (0 of {n})").format(n=g["total"]),
            11,
            kit.MUTED,
            "middle",
        )
        return
    cx = x + (g["average"] + 1) / 2 * w
    svg.polygon([(cx, y + 8), (cx + 7, y + 15), (cx, y + 22), (cx - 7, y + 15)], kit.INK)
    svg.text(
        cx,
        y + 36,
        _("{score} on {k} of {n}").format(
            score=score_label(g["average"]), k=g["scored"], n=g["total"]
        ),
        11,
        anchor="middle" if 40 < cx - x < w - 40 else "start" if cx - x <= 40 else "end",
        cls="score",
    )
