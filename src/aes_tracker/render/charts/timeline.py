"""The timeline (`timeline --format svg`): months across, a lane per commitment; due dates
marked by state (a shape and a colour each), a slip drawn from the original due date to the
current one, review dates, and the consultations' sessions (held, expected) with their hosts.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from aes_tracker.i18n import _, human_month, iso_label
from aes_tracker.render import timeline_state_label
from aes_tracker.render.charts import kit

# Each state's mark: a shape, its fill and its stroke (filled, hollow, square, diamond), and a word.
_TIMELINE = {
    "overdue": ("circle", kit.OKABE_ITO["vermillion"]),
    "due": ("ring", kit.OKABE_ITO["blue"]),
    "done": ("square", kit.OKABE_ITO["bluish_green"]),
    "closed": ("square", "#9e9e9e"),
    "held": ("diamond", kit.OKABE_ITO["bluish_green"]),
    "expected": ("hollow-diamond", kit.OKABE_ITO["orange"]),
    "review": ("triangle", kit.OKABE_ITO["reddish_purple"]),
    "original": ("ring", "#7f7f7f"),
    "missed": ("hollow-diamond", kit.OKABE_ITO["vermillion"]),
}


def _mark(svg: kit.Svg, state: str, x: float, y: float) -> None:
    shape, colour = _TIMELINE[state]
    if shape == "circle":
        svg.circle(x, y, 6, colour, kit.INK)
    elif shape == "ring":
        svg.circle(x, y, 5.5, kit.BACKGROUND, colour, 2.5)
    elif shape == "square":
        svg.rect(x - 5.5, y - 5.5, 11, 11, colour, stroke=kit.INK)
    elif shape == "triangle":
        svg.polygon([(x, y - 7), (x + 7, y + 5), (x - 7, y + 5)], colour, kit.INK)
    else:
        fill = colour if shape == "diamond" else kit.BACKGROUND
        stroke = kit.INK if shape == "diamond" else colour
        svg.polygon([(x, y - 7), (x + 7, y), (x, y + 7), (x - 7, y)], fill, stroke, 2)


def timeline_svg(
    tl: Mapping[str, Any], titles: Mapping[str, str] | None = None, prefix: str = ""
) -> str:
    """Months across, a lane per commitment: due dates marked by state, a slip drawn from the
    original due date to the current one, review dates, and the consultations' sessions (held,
    expected) with their hosts."""
    months = [m["month"] for m in tl["months"]]
    lanes: dict[str, dict[str, Any]] = {}
    for m in tl["months"]:
        for it in m["items"]:
            lane = lanes.setdefault(it["id"], {"title": it["title"], "items": []})
            lane["items"].append(it)
            if titles and it["id"] in titles:
                lane["title"] = titles[it["id"]]
    margin = kit.MARGIN
    label_w = 230.0
    month_w = max(34.0, min(80.0, 560.0 / max(len(months), 1)))
    grid_x = margin + label_w + 10
    width = grid_x + month_w * len(months) + margin
    lane_h = 38.0
    first = date.fromisoformat(months[0] + "-01")

    def xpos(day: str) -> float:
        d = date.fromisoformat(day)
        k = (d.year - first.year) * 12 + d.month - first.month
        days_in = date(d.year + d.month // 12, d.month % 12 + 1, 1) - date(d.year, d.month, 1)
        return grid_x + (k + (d.day - 0.5) / days_in.days) * month_w

    title = _("Timeline")
    desc_items = []
    for cid, lane in lanes.items():
        for it in lane["items"]:
            host = f", {_('host: {host}').format(host=it['host'])}" if it.get("host") else ""
            slip = (
                " " + _("(originally {day})").format(day=iso_label(it["original_due"]))
                if it.get("original_due")
                else ""
            )
            desc_items.append(
                f"{cid}: {timeline_state_label(it['status'])} {iso_label(it['due'])}{slip}{host}"
            )
    desc = (
        _("Due dates, slips, review dates and sessions, month by month.")
        + " "
        + "; ".join(desc_items)
    )
    svg = kit.headed(width, title, tl["as_of"], desc, prefix)
    # Legend.
    x, y = margin, 76.0
    # A missed session's mark is in the legend only when the chart has one.
    has_missed = any(it["status"] == "missed" for m in tl["months"] for it in m["items"])
    legend = ("overdue", "due", "done", "closed", "held", "expected", "review", "original")
    for state in (*legend, "missed") if has_missed else legend:
        label = timeline_state_label(state)
        w = 20 + kit.text_width(label, 11) + 18
        if x > margin and x + w > width - margin:
            x, y = margin, y + 20
        _mark(svg, state, x + 7, y - 4)
        svg.text(x + 18, y, label, 11)
        x += w
    y += 26
    # Month heads; a year shown on January and on the first month.
    for i, mo in enumerate(months):
        mx = grid_x + i * month_w
        label = human_month(mo) if month_w >= 70 else mo[5:7]
        svg.text(mx + month_w / 2, y, label, 10.5, fill=kit.MUTED, anchor="middle")
        if i == 0 or mo.endswith("-01"):
            svg.text(mx + 2, y - 14, mo[:4], 10.5, fill=kit.MUTED, bold=True)
    top = y + 8
    n = max(len(lanes), 1)
    bottom = top + n * lane_h
    for i in range(len(months) + 1):
        svg.line(grid_x + i * month_w, top, grid_x + i * month_w, bottom, "#dddddd")
    now = xpos(tl["as_of"])
    svg.line(now, top - 4, now, bottom + 4, kit.INK)
    svg.text(now, bottom + 16, _("today"), 10.5, anchor="middle", bold=True)
    for k, (cid, lane) in enumerate(lanes.items()):
        ly = top + k * lane_h
        svg.line(margin, ly, grid_x + month_w * len(months), ly, "#eeeeee")
        svg.text(margin, ly + 16, kit.fit(lane["title"], 11.5, label_w), 11.5)
        svg.text(margin, ly + 30, kit.fit(cid, 10, label_w), 10, fill=kit.MUTED)
        for it in lane["items"]:
            cx = xpos(it["due"])
            if it.get("original_due"):
                ox = xpos(it["original_due"]) if it["original_due"] >= months[0] else grid_x
                svg.line(ox, ly + 14, cx, ly + 14, "#7f7f7f")
                if it["original_due"] >= months[0]:
                    _mark(svg, "original", ox, ly + 14)
            _mark(svg, it["status"], cx, ly + 14)
            if it.get("host"):
                svg.text(cx, ly + 32, kit.fit(it["host"], 10, month_w * 2), 10, anchor="middle")
    if not lanes:
        svg.text(grid_x, top + 22, _("Nothing falls due in these months."), 12)
    return svg.render(bottom + 30)
