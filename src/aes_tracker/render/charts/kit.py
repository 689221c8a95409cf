"""The drawing kit every chart uses: the palette, text widths estimated from a fixed
per-character table (and text cut or wrapped to fit), WCAG contrast, and the SVG document built
element by element at explicit coordinates, with its title, description and patterns.
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

from aes_tracker.i18n import _, iso_label

FONT = "Arial, Helvetica, 'Liberation Sans', 'DejaVu Sans', sans-serif"
BACKGROUND = "#ffffff"
INK = "#1a1a1a"  # titles and labels
MUTED = "#4d4d4d"  # secondary text: 8.5:1 on white
RULE = "#8c8c8c"  # lines (not text)
MARGIN = 20.0  # around every chart

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


def num(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _stroke(colour: str | None, width: float | None) -> str:
    """A shape's stroke attributes ("" for none)."""
    out = f' stroke="{colour}"' if colour else ""
    return out + (f' stroke-width="{num(width)}"' if width is not None else "")


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
        tip: str | None = None,
    ) -> None:
        line = f' stroke="{stroke}" stroke-width="1"' if stroke else ""
        inner = f"<title>{escape(tip)}</title>" if tip else ""
        shape = (
            f'<rect x="{num(x)}" y="{num(y)}" width="{num(w)}" height="{num(h)}" '
            f'fill="{fill}"{line}'
        )
        self.add(f"{shape}>{inner}</rect>" if inner else f"{shape}/>")

    def line(self, x1: float, y1: float, x2: float, y2: float, stroke: str = RULE) -> None:
        self.add(
            f'<line x1="{num(x1)}" y1="{num(y1)}" x2="{num(x2)}" y2="{num(y2)}" '
            f'stroke="{stroke}" stroke-width="1"/>'
        )

    def polygon(
        self,
        points: Sequence[tuple[float, float]],
        fill: str,
        stroke: str | None = None,
        width: float | None = None,
    ) -> None:
        """A closed path through `points`."""
        d = "M" + " L".join(f"{num(x)},{num(y)}" for x, y in points) + " Z"
        self.add(f'<path d="{d}" fill="{fill}"{_stroke(stroke, width)}/>')

    def circle(
        self, x: float, y: float, r: float, fill: str, stroke: str, width: float | None = None
    ) -> None:
        self.add(
            f'<circle cx="{num(x)}" cy="{num(y)}" r="{num(r)}" fill="{fill}"'
            f"{_stroke(stroke, width)}/>"
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
            f'<text x="{num(x)}" y="{num(y)}" font-size="{num(size)}" fill="{fill}" '
            f'text-anchor="{anchor}"{weight}{klass}>{escape(text)}</text>'
        )

    def ended(self, y: float, note: str) -> str:
        """The picture, with `note` in small type at `y`, under the chart."""
        self.text(MARGIN, y, fit(note, 11, self.width - 2 * MARGIN), 11, fill=MUTED)
        return self.render(y + 16)

    def render(self, height: float) -> str:
        w, h, p = num(self.width), num(height), self.prefix
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


def as_of(day: str) -> str:
    return _("as of {day}").format(day=iso_label(day))


def signed(x: float) -> str:
    """A score as a chart writes it: "+0.50", "0.00", "−1.00" (a true minus sign)."""
    return "0.00" if abs(x) < 0.005 else f"{x:+.2f}".replace("-", "−")


def headed(
    width: float, title: str, day: str, desc: str, prefix: str = "", sub: str | None = None
) -> Svg:
    """A chart's picture begun: its title (named with the day in the picture's `<title>` too)
    and, under it, the as-of line, or `sub` in its place."""
    svg = Svg(width, f"{title}, {as_of(day)}", desc, prefix)
    svg.text(MARGIN, 30, fit(title, 18, width - 2 * MARGIN, True), 18, bold=True)
    line = as_of(day) if sub is None else sub
    svg.text(MARGIN, 50, fit(line, 12, width - 2 * MARGIN), 12, fill=MUTED, cls="as-of")
    return svg
