"""Charts for briefings, as hand-written SVG: compliance per group (`stats --format svg`), the
commitment × party heat map (`stats --matrix --format svg`) and the timeline
(`timeline --format svg`).

Why by hand: every coordinate is computed here, so Chromium, Firefox, a word processor and
cairosvg draw the same picture (no layout depends on the renderer's text measurement: widths are
estimated from a fixed per-character table and long text is cut with an ellipsis); nothing is
imported but the standard library, so the commands that do not draw pay nothing; and the output
is small, plain text that a test can read.

Every chart: a light background, the Okabe–Ito palette (chosen to stay distinct for the
colour-blind) with a pattern or a written label beside each colour (never colour alone), text
of WCAG AA contrast (tests/test_charts.py computes it for every text), `<title>` and `<desc>`
for screen readers, and a generic font stack (no font or script fetched from anywhere).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from aes_tracker.domain.statuses import statuses
from aes_tracker.i18n import (
    _,
    category_label,
    colon,
    human_month,
    iso_label,
    name_label,
    ngettext,
    status_label,
)
from aes_tracker.render.stats import timeline_state_label

FONT = "Arial, Helvetica, 'Liberation Sans', 'DejaVu Sans', sans-serif"
BACKGROUND = "#ffffff"
INK = "#1a1a1a"  # titles and labels
MUTED = "#4d4d4d"  # secondary text: 8.5:1 on white
RULE = "#8c8c8c"  # lines (not text)

# Okabe & Ito (2008), "Color Universal Design": distinct for every common colour-vision
# deficiency. Each status adds a pattern, so a greyscale print still tells them apart.
OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
STATUS_FILL = {
    "pending": "#DDDDDD",
    "in_progress": OKABE_ITO["blue"],
    "stalled": OKABE_ITO["orange"],
    "done": OKABE_ITO["bluish_green"],
    "partial": OKABE_ITO["sky_blue"],
    "broken": OKABE_ITO["vermillion"],
    "dropped": OKABE_ITO["reddish_purple"],
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
SCORE_FILL = {1: OKABE_ITO["bluish_green"], 0: OKABE_ITO["yellow"], -1: OKABE_ITO["vermillion"]}
UNSCORED_FILL = "#F2F2F2"
NOT_PARTY_FILL = BACKGROUND

# Width of each character as a share of the font size, for Arial/Helvetica-like faces; a little
# generous, so that estimated text is never wider than drawn text.
_NARROW = set("ijlI.,:;'|!()[] ·")
_WIDE = set("mwMW@%—…")
_UPPER = set("ABCDEFGHKNOPQRSUVXYZ&")


def char_width(ch: str) -> float:
    if ch in _NARROW:
        return 0.32
    if ch in _WIDE:
        return 0.92
    if ch in _UPPER:
        return 0.72
    if ch.isdigit():
        return 0.58
    return 0.58


def text_width(text: str, size: float, bold: bool = False) -> float:
    """The width `text` takes at `size` px, estimated from the table (bold 8% wider)."""
    w = sum(char_width(c) for c in text) * size
    return w * 1.08 if bold else w


def fit(text: str, size: float, room: float, bold: bool = False) -> str:
    """`text` cut with an ellipsis so that it takes at most `room` px."""
    if text_width(text, size, bold) <= room:
        return text
    out = text
    while out and text_width(out.rstrip() + "…", size, bold) > room:
        out = out[:-1]
    return out.rstrip() + "…" if out else ""


def wrap(text: str, size: float, room: float, lines: int = 2) -> list[str]:
    """`text` on at most `lines` lines of `room` px, by words; the last one cut with an
    ellipsis when the text does not fit."""
    words = text.split()
    out: list[str] = []
    cur = ""
    for i, w in enumerate(words):
        cand = f"{cur} {w}" if cur else w
        if text_width(cand, size) <= room or not cur:
            cur = cand
            continue
        out.append(cur)
        cur = w
        if len(out) == lines - 1:
            cur = " ".join(words[i:])
            break
    if cur:
        out.append(cur)
    return [fit(x, size, room) for x in out[:lines]]


# ---- colour arithmetic (WCAG 2.x) -----------------------------------------------------------


def luminance(colour: str) -> float:
    """The relative luminance of `#rrggbb`."""
    c = colour.lstrip("#")
    rgb = [int(c[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [x / 12.92 if x <= 0.04045 else ((x + 0.055) / 1.055) ** 2.4 for x in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def ink_on(fill: str) -> str:
    """Black or white, whichever reads better on `fill`."""
    return INK if contrast(INK, fill) >= contrast("#ffffff", fill) else "#ffffff"


# ---- the SVG document -------------------------------------------------------------------------


def _n(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


class Svg:
    """An SVG picture built element by element, each at explicit coordinates."""

    def __init__(self, width: float, title: str, desc: str, prefix: str = "") -> None:
        # `prefix` keeps the ids of several charts in one HTML page apart.
        self.prefix = prefix
        self.width = width
        self.title = title
        self.desc = desc
        self.body: list[str] = []

    def add(self, element: str) -> None:
        self.body.append(element)

    def rect(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        fill: str,
        stroke: str | None = None,
        extra: str = "",
        tip: str | None = None,
    ) -> None:
        line = f' stroke="{stroke}" stroke-width="1"' if stroke else ""
        inner = f"<title>{escape(tip)}</title>" if tip else ""
        shape = (
            f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" fill="{fill}"{line}'
            f"{extra}"
        )
        self.add(f"{shape}>{inner}</rect>" if inner else f"{shape}/>")

    def line(self, x1: float, y1: float, x2: float, y2: float, stroke: str = RULE) -> None:
        self.add(
            f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" '
            f'stroke="{stroke}" stroke-width="1"/>'
        )

    def text(
        self,
        x: float,
        y: float,
        text: str,
        size: float = 12,
        fill: str = INK,
        anchor: str = "start",
        bold: bool = False,
        cls: str = "",
    ) -> None:
        weight = ' font-weight="bold"' if bold else ""
        klass = f' class="{cls}"' if cls else ""
        self.add(
            f'<text x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}" fill="{fill}" '
            f'text-anchor="{anchor}"{weight}{klass}>{escape(text)}</text>'
        )

    def render(self, height: float) -> str:
        w, h, p = _n(self.width), _n(height), self.prefix
        patterns = _PATTERNS.replace('id="p-', f'id="{p}p-')
        head = (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
            f'viewBox="0 0 {w} {h}" role="img" font-family={quoteattr(FONT)} '
            f'aria-labelledby="{p}chart-title {p}chart-desc">\n'
            f'<title id="{p}chart-title">{escape(self.title)}</title>\n'
            f'<desc id="{p}chart-desc">{escape(self.desc)}</desc>\n'
            f"{patterns}\n"
            f'<rect x="0" y="0" width="{w}" height="{h}" fill="{BACKGROUND}"/>\n'
        )
        return head + "\n".join(self.body) + "\n</svg>\n"


# Patterns over a fill, in a dark ink thin enough to keep the fill's colour readable.
_PATTERNS = (
    "<defs>"
    '<pattern id="p-hatch" width="6" height="6" patternUnits="userSpaceOnUse">'
    '<path d="M0,6 L6,0" stroke="#000000" stroke-opacity="0.45" stroke-width="1"/></pattern>'
    '<pattern id="p-cross" width="6" height="6" patternUnits="userSpaceOnUse">'
    '<path d="M0,6 L6,0 M0,0 L6,6" stroke="#000000" stroke-opacity="0.45" stroke-width="1"/>'
    "</pattern>"
    '<pattern id="p-dots" width="5" height="5" patternUnits="userSpaceOnUse">'
    '<circle cx="2.5" cy="2.5" r="1" fill="#000000" fill-opacity="0.45"/></pattern>'
    "</defs>"
)


def _swatch(svg: Svg, x: float, y: float, w: float, h: float, status: str, tip: str = "") -> None:
    svg.rect(x, y, w, h, STATUS_FILL[status], stroke=INK, tip=tip or None)
    pattern = STATUS_PATTERN[status]
    if pattern:
        svg.rect(x, y, w, h, f"url(#{svg.prefix}p-{pattern})")


def _legend(svg: Svg, x0: float, y: float, room: float) -> float:
    """The statuses' swatches and names, on as many lines as `room` needs; the y below it."""
    x = x0
    for s in statuses():
        label = status_label(s.name)
        w = 16 + 6 + text_width(label, 12) + 16
        if x > x0 and x + w > x0 + room:
            x, y = x0, y + 20
        _swatch(svg, x, y - 11, 16, 12, s.name)
        svg.text(x + 22, y, label, 12, cls="legend")
        x += w
    return y + 20


def _as_of(day: str) -> str:
    return _("as of {day}").format(day=iso_label(day))


# ---- compliance per group ---------------------------------------------------------------------


def group_name(by: str, name: str) -> str:
    if by == "category":
        return category_label(name)
    return name_label(name) if by == "party" else name


def stats_title(by: str) -> str:
    return {
        "party": _("Compliance by party"),
        "member": _("Compliance by member"),
        "category": _("Compliance by category"),
        "source": _("Compliance by source"),
    }.get(by, by)


def score_label(score: float | None) -> str:
    if score is None:
        return _("not scored")
    return "0.00" if abs(score) < 0.005 else f"{score:+.2f}".replace("-", "−")


def stats_svg(st: Mapping[str, Any], prefix: str = "") -> str:
    """A stacked bar of statuses per group, with each status's count, and the group's score on a
    labelled −1…+1 axis beside it; a legend, a title and the as-of date."""
    groups = st["groups"]
    width = 820.0
    margin = 20.0
    label_w = 170.0
    bar_x = margin + label_w + 10
    bar_w = 330.0
    axis_x = bar_x + bar_w + 50
    axis_w = width - margin - axis_x - 10
    title = stats_title(st["by"])
    lines = []
    for g in groups:
        parts = [
            f"{status_label(s.name)} {g['by_status'].get(s.name, 0)}"
            for s in statuses()
            if g["by_status"].get(s.name, 0)
        ]
        lines.append(
            f"{group_name(st['by'], g['group'])}: "
            + (", ".join(parts) or _("no commitments"))
            + "; "
            + _("score {score}").format(score=score_label(g["average"]))
        )
    desc = (
        _("Statuses of the commitments of each group, and the compliance score from −1 to +1.")
        + " "
        + " ".join(x + "." for x in lines)
    )
    svg = Svg(width, f"{title}, {_as_of(st['as_of'])}", desc, prefix)
    svg.text(margin, 30, fit(title, 18, width - 2 * margin, True), 18, bold=True)
    svg.text(margin, 50, _as_of(st["as_of"]), 12, fill=MUTED, cls="as-of")
    y = _legend(svg, margin, 76, width - 2 * margin)
    # Column heads.
    y += 8
    svg.text(bar_x, y, _("Commitments by status"), 12, fill=MUTED, bold=True)
    svg.text(axis_x, y, _("Score (−1 not kept … +1 kept)"), 12, fill=MUTED, bold=True)
    y += 12
    row_h = 46.0
    biggest = max((g["total"] for g in groups), default=0) or 1
    top = y
    for g in groups:
        name = group_name(st["by"], g["group"])
        svg.text(margin, y + 18, fit(name, 13, label_w, True), 13, bold=True)
        svg.text(
            margin,
            y + 34,
            fit(
                ngettext("{n} commitment", "{n} commitments", g["total"]).format(n=g["total"]),
                11,
                label_w,
            ),
            11,
            fill=MUTED,
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
            if text_width(label, 11, True) + 6 <= w:
                # Under a pattern, the count sits on a plain chip of its status's colour.
                fill = STATUS_FILL[s.name]
                cw = text_width(label, 11, True) + 4
                if STATUS_PATTERN[s.name]:
                    svg.rect(x + w / 2 - cw / 2, y + 8, cw, 14, fill)
                svg.text(x + w / 2, y + 19, label, 11, ink_on(fill), "middle", True)
            x += w
        # Each count in words under the bar: the bar read without colour.
        words = ", ".join(
            f"{status_label(s.name)} {g['by_status'].get(s.name, 0)}"
            for s in statuses()
            if g["by_status"].get(s.name, 0)
        )
        svg.text(bar_x, y + 38, fit(words, 10.5, bar_w + 40), 10.5, fill=MUTED)
        _score_axis(svg, axis_x, axis_w, y, g)
        y += row_h
    # The axis's ticks, under the last group.
    if groups:
        for v, label in ((-1, "−1"), (-0.5, "−0.5"), (0, "0"), (0.5, "+0.5"), (1, "+1")):
            tx = axis_x + (v + 1) / 2 * axis_w
            svg.line(tx, top, tx, y - 4, "#d0d0d0" if v else RULE)
            svg.text(tx, y + 10, label, 11, fill=MUTED, anchor="middle")
        y += 28
    else:
        svg.text(margin, y + 20, _("No commitments."), 12)
        y += 36
    svg.text(
        margin,
        y,
        fit(
            _("Score: +1 kept in full, 0 in part or under way, −1 not kept or overdue."),
            11,
            width - 2 * margin,
        ),
        11,
        fill=MUTED,
    )
    return svg.render(y + 16)


def _score_axis(svg: Svg, x: float, w: float, y: float, g: Mapping[str, Any]) -> None:
    svg.line(x, y + 15, x + w, y + 15)
    if g["average"] is None:
        svg.text(
            x + w / 2, y + 34, _("not scored (0 of {n})").format(n=g["total"]), 11, MUTED, "middle"
        )
        return
    cx = x + (g["average"] + 1) / 2 * w
    svg.add(
        f'<path d="M{_n(cx)},{_n(y + 8)} L{_n(cx + 7)},{_n(y + 15)} L{_n(cx)},{_n(y + 22)} '
        f'L{_n(cx - 7)},{_n(y + 15)} Z" fill="{INK}"/>'
    )
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


# ---- the matrix -------------------------------------------------------------------------------


def cell_label(cell: Mapping[str, Any]) -> str:
    if cell["why"] == "not_a_party":
        return _("not a party")
    if cell["score"] is None:
        return _("not scored")
    return {1: "+1", 0: "0", -1: "−1"}[cell["score"]]


def cell_fill(cell: Mapping[str, Any]) -> str:
    if cell["why"] == "not_a_party":
        return NOT_PARTY_FILL
    if cell["score"] is None:
        return UNSCORED_FILL
    return SCORE_FILL[cell["score"]]


def matrix_title(m: Mapping[str, Any]) -> str:
    return (
        _("Compliance by party and commitment")
        if m["by"] == "party"
        else _("Compliance by member and commitment")
    )


def matrix_svg(
    m: Mapping[str, Any], titles: Mapping[str, str] | None = None, prefix: str = ""
) -> str:
    """The heat map: a row per commitment (its title, and its ID under it), a column per party,
    each cell coloured and labelled, the row averages on the right and the column averages at
    the bottom. `titles` gives the titles to show (the French ones in French); else the rows'."""
    rows, cols = m["rows"], m["columns"]
    margin = 20.0
    label_w = 300.0
    cell_w = 84.0
    cell_h = 34.0
    avg_w = 70.0
    grid_x = margin + label_w + 10
    width = max(grid_x + cell_w * len(cols) + 10 + avg_w + margin, 640.0)
    title = matrix_title(m)
    summary = [
        f"{r['id']}: "
        + ", ".join(f"{name_label(c['party'])} {cell_label(c)}" for c in r["cells"])
        + f"; {_('average')} {_avg(r['average']) or '–'}"
        for r in rows
    ]
    desc = (
        _("Score of each party on each commitment: +1 kept, 0 in part, −1 not kept.")
        + " "
        + " ".join(x + "." for x in summary)
    )
    svg = Svg(width, f"{title}, {_as_of(m['as_of'])}", desc, prefix)
    svg.text(margin, 30, fit(title, 18, width - 2 * margin, True), 18, bold=True)
    sub = _as_of(m["as_of"])
    if m["sources"]:
        sub += " · " + _("source: {sources}").format(sources=", ".join(m["sources"]))
    svg.text(margin, 50, fit(sub, 12, width - 2 * margin), 12, fill=MUTED, cls="as-of")
    # Legend: each cell kind, drawn as a cell.
    x, y = margin, 70.0
    legend = [
        ("+1", SCORE_FILL[1], _("kept in full")),
        ("0", SCORE_FILL[0], _("in part, or under way")),
        ("−1", SCORE_FILL[-1], _("not kept, or overdue")),
        ("", UNSCORED_FILL, _("not scored: not yet due, no deadline, or dropped")),
        ("", NOT_PARTY_FILL, _("not a party")),
    ]
    for mark, fill, text in legend:
        w = 30 + 6 + text_width(text, 11) + 16
        if x > margin and x + w > width - margin:
            x, y = margin, y + 22
        svg.rect(x, y, 30, 16, fill, stroke=RULE)
        if mark:
            svg.text(x + 15, y + 12, mark, 11, ink_on(fill), "middle", True)
        svg.text(x + 36, y + 12, text, 11, fill=MUTED)
        x += w
    y += 40
    # Column heads: the party's name on up to two lines.
    head_y = y
    for i, c in enumerate(cols):
        cx = grid_x + i * cell_w + cell_w / 2
        for k, ln in enumerate(wrap(name_label(c["party"]), 12, cell_w - 6)):
            svg.text(cx, head_y + k * 14, ln, 12, anchor="middle", bold=True, cls="party")
    avg_x = grid_x + len(cols) * cell_w + 10
    svg.text(avg_x + avg_w / 2, head_y, _("average"), 12, anchor="middle", bold=True)
    y = head_y + 22
    svg.text(margin, y - 6, _("Commitment"), 12, fill=MUTED, bold=True)
    titles = titles or {}
    for r_i, r in enumerate(rows):
        ry = y + r_i * cell_h
        title_text = titles.get(r["id"]) or r["title"]
        svg.text(margin, ry + 15, fit(title_text, 12, label_w), 12, cls="row-title")
        svg.text(margin, ry + 28, fit(r["id"], 10.5, label_w), 10.5, fill=MUTED, cls="row-id")
        for c_i, c in enumerate(r["cells"]):
            cx = grid_x + c_i * cell_w
            fill = cell_fill(c)
            label = cell_label(c)
            svg.add(
                f'<g class="cell" data-row="{r_i}" data-col="{c_i}" '
                f'data-x="{_n(cx + cell_w / 2)}" data-y="{_n(ry + cell_h / 2)}">'
            )
            tip = f"{r['id']} × {name_label(c['party'])}{colon()}{label}"
            if c.get("status"):
                tip += f" ({status_label(c['status'])})"
            svg.rect(cx + 1, ry + 1, cell_w - 2, cell_h - 2, fill, stroke="#bdbdbd", tip=tip)
            bold = c["score"] is not None
            size = 12 if bold else 10
            svg.text(
                cx + cell_w / 2,
                ry + cell_h / 2 + size / 3,
                fit(label, size, cell_w - 6),
                size,
                ink_on(fill) if bold else MUTED,
                "middle",
                bold,
            )
            svg.add("</g>")
        svg.text(
            avg_x + avg_w / 2,
            ry + cell_h / 2 + 4,
            _avg(r["average"]) or "–",
            12,
            anchor="middle",
            bold=True,
            cls="row-avg",
        )
    y += len(rows) * cell_h
    svg.line(margin, y + 4, avg_x + avg_w, y + 4, RULE)
    y += 22
    svg.text(margin, y, _("Party average"), 12, bold=True)
    for c_i, c in enumerate(cols):
        svg.text(
            grid_x + c_i * cell_w + cell_w / 2,
            y,
            _avg(c["average"]) or "–",
            12,
            anchor="middle",
            bold=True,
            cls="col-avg",
        )
    overall = m["overall"]
    svg.text(
        avg_x + avg_w / 2,
        y,
        _avg(overall["average"]) or "–",
        12,
        anchor="middle",
        bold=True,
        cls="overall",
    )
    y += 22
    svg.text(
        margin,
        y,
        fit(
            _("Averages are over the scored cells; overall {avg} on {n} scored cells.").format(
                avg=_avg(overall["average"]) or "–", n=overall["scored"]
            ),
            11,
            width - 2 * margin,
        ),
        11,
        fill=MUTED,
    )
    return svg.render(y + 16)


def _avg(x: float | None) -> str:
    if x is None:
        return ""
    return "0.00" if abs(x) < 0.005 else f"{x:+.2f}".replace("-", "−")


# ---- the timeline -----------------------------------------------------------------------------

# Each state's mark: a shape, its fill and its stroke (filled, hollow, square, diamond), and a word.
_TIMELINE = {
    "overdue": ("circle", OKABE_ITO["vermillion"]),
    "due": ("ring", OKABE_ITO["blue"]),
    "done": ("square", OKABE_ITO["bluish_green"]),
    "closed": ("square", "#9e9e9e"),
    "held": ("diamond", OKABE_ITO["bluish_green"]),
    "expected": ("hollow-diamond", OKABE_ITO["orange"]),
    "review": ("triangle", OKABE_ITO["reddish_purple"]),
    "original": ("ring", "#7f7f7f"),
    "missed": ("hollow-diamond", OKABE_ITO["vermillion"]),
}


def _mark(svg: Svg, state: str, x: float, y: float) -> None:
    shape, colour = _TIMELINE[state]
    if shape == "circle":
        svg.add(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="6" fill="{colour}" stroke="{INK}"/>')
    elif shape == "ring":
        svg.add(
            f'<circle cx="{_n(x)}" cy="{_n(y)}" r="5.5" fill="{BACKGROUND}" stroke="{colour}" '
            'stroke-width="2.5"/>'
        )
    elif shape == "square":
        svg.rect(x - 5.5, y - 5.5, 11, 11, colour, stroke=INK)
    elif shape == "triangle":
        svg.add(
            f'<path d="M{_n(x)},{_n(y - 7)} L{_n(x + 7)},{_n(y + 5)} L{_n(x - 7)},{_n(y + 5)} Z" '
            f'fill="{colour}" stroke="{INK}"/>'
        )
    else:
        fill = colour if shape == "diamond" else BACKGROUND
        stroke = INK if shape == "diamond" else colour
        svg.add(
            f'<path d="M{_n(x)},{_n(y - 7)} L{_n(x + 7)},{_n(y)} L{_n(x)},{_n(y + 7)} '
            f'L{_n(x - 7)},{_n(y)} Z" fill="{fill}" stroke="{stroke}" stroke-width="2"/>'
        )


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
    margin = 20.0
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
    svg = Svg(width, f"{title}, {_as_of(tl['as_of'])}", desc, prefix)
    svg.text(margin, 30, title, 18, bold=True)
    svg.text(margin, 50, _as_of(tl["as_of"]), 12, fill=MUTED, cls="as-of")
    # Legend.
    x, y = margin, 76.0
    # A missed session's mark is in the legend only when the chart has one.
    has_missed = any(it["status"] == "missed" for m in tl["months"] for it in m["items"])
    legend = ("overdue", "due", "done", "closed", "held", "expected", "review", "original")
    for state in (*legend, "missed") if has_missed else legend:
        label = timeline_state_label(state)
        w = 20 + text_width(label, 11) + 18
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
        svg.text(mx + month_w / 2, y, label, 10.5, fill=MUTED, anchor="middle")
        if i == 0 or mo.endswith("-01"):
            svg.text(mx + 2, y - 14, mo[:4], 10.5, fill=MUTED, bold=True)
    top = y + 8
    n = max(len(lanes), 1)
    bottom = top + n * lane_h
    for i in range(len(months) + 1):
        svg.line(grid_x + i * month_w, top, grid_x + i * month_w, bottom, "#dddddd")
    now = xpos(tl["as_of"])
    svg.line(now, top - 4, now, bottom + 4, INK)
    svg.text(now, bottom + 16, _("today"), 10.5, anchor="middle", bold=True)
    for k, (cid, lane) in enumerate(lanes.items()):
        ly = top + k * lane_h
        svg.line(margin, ly, grid_x + month_w * len(months), ly, "#eeeeee")
        svg.text(margin, ly + 16, fit(lane["title"], 11.5, label_w), 11.5)
        svg.text(margin, ly + 30, fit(cid, 10, label_w), 10, fill=MUTED)
        for it in lane["items"]:
            cx = xpos(it["due"])
            if it.get("original_due"):
                ox = xpos(it["original_due"]) if it["original_due"] >= months[0] else grid_x
                svg.line(ox, ly + 14, cx, ly + 14, "#7f7f7f")
                if it["original_due"] >= months[0]:
                    _mark(svg, "original", ox, ly + 14)
            _mark(svg, it["status"], cx, ly + 14)
            if it.get("host"):
                svg.text(cx, ly + 32, fit(it["host"], 10, month_w * 2), 10, anchor="middle")
    if not lanes:
        svg.text(grid_x, top + 22, _("Nothing falls due in these months."), 12)
    return svg.render(bottom + 30)
