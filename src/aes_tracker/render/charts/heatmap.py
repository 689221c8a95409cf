"""The heat map (`stats --matrix --format svg`): a row per commitment, a column per party, each
cell coloured and labelled by its score (+1, 0, −1, not scored, not a party), with the row and
column averages.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aes_tracker.i18n import _, colon, name_label, status_label
from aes_tracker.render.charts import kit

SCORE_FILL = {
    1: kit.OKABE_ITO["bluish_green"],
    0: kit.OKABE_ITO["yellow"],
    -1: kit.OKABE_ITO["vermillion"],
}
UNSCORED_FILL = "#F2F2F2"
NOT_PARTY_FILL = kit.BACKGROUND


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
    margin = kit.MARGIN
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
        + f"; {_('average')} {_avg(r['average'])}"
        for r in rows
    ]
    desc = (
        _("Score of each party on each commitment: +1 kept, 0 in part, −1 not kept.")
        + " "
        + " ".join(x + "." for x in summary)
    )
    sub = kit.as_of(m["as_of"])
    if m["sources"]:
        sub += " · " + _("source: {sources}").format(sources=", ".join(m["sources"]))
    svg = kit.headed(width, title, m["as_of"], desc, prefix, sub)
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
        w = 30 + 6 + kit.text_width(text, 11) + 16
        if x > margin and x + w > width - margin:
            x, y = margin, y + 22
        svg.rect(x, y, 30, 16, fill, stroke=kit.RULE)
        if mark:
            svg.text(x + 15, y + 12, mark, 11, kit.ink_on(fill), "middle", True)
        svg.text(x + 36, y + 12, text, 11, fill=kit.MUTED)
        x += w
    y += 40
    # Column heads: the party's name on up to two lines.
    head_y = y
    for i, c in enumerate(cols):
        cx = grid_x + i * cell_w + cell_w / 2
        for k, ln in enumerate(kit.wrap(name_label(c["party"]), 12, cell_w - 6)):
            svg.text(cx, head_y + k * 14, ln, 12, anchor="middle", bold=True, cls="party")
    avg_x = grid_x + len(cols) * cell_w + 10
    svg.text(avg_x + avg_w / 2, head_y, _("average"), 12, anchor="middle", bold=True)
    y = head_y + 22
    svg.text(margin, y - 6, _("Commitment"), 12, fill=kit.MUTED, bold=True)
    titles = titles or {}
    for r_i, r in enumerate(rows):
        ry = y + r_i * cell_h
        title_text = titles.get(r["id"]) or r["title"]
        svg.text(margin, ry + 15, kit.fit(title_text, 12, label_w), 12, cls="row-title")
        svg.text(
            margin, ry + 28, kit.fit(r["id"], 10.5, label_w), 10.5, fill=kit.MUTED, cls="row-id"
        )
        for c_i, c in enumerate(r["cells"]):
            cx = grid_x + c_i * cell_w
            fill = cell_fill(c)
            label = cell_label(c)
            svg.add(
                f'<g class="cell" data-row="{r_i}" data-col="{c_i}" '
                f'data-x="{kit.num(cx + cell_w / 2)}" data-y="{kit.num(ry + cell_h / 2)}">'
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
                kit.fit(label, size, cell_w - 6),
                size,
                kit.ink_on(fill) if bold else kit.MUTED,
                "middle",
                bold,
            )
            svg.add("</g>")
        svg.text(
            avg_x + avg_w / 2,
            ry + cell_h / 2 + 4,
            _avg(r["average"]),
            12,
            anchor="middle",
            bold=True,
            cls="row-avg",
        )
    y += len(rows) * cell_h
    svg.line(margin, y + 4, avg_x + avg_w, y + 4, kit.RULE)
    y += 22
    svg.text(margin, y, _("Party average"), 12, bold=True)
    for c_i, c in enumerate(cols):
        svg.text(
            grid_x + c_i * cell_w + cell_w / 2,
            y,
            _avg(c["average"]),
            12,
            anchor="middle",
            bold=True,
            cls="col-avg",
        )
    overall = m["overall"]
    svg.text(
        avg_x + avg_w / 2,
        y,
        _avg(overall["average"]),
        12,
        anchor="middle",
        bold=True,
        cls="overall",
    )
    y += 22
    return svg.ended(
        y,
        _("Averages are over the scored cells; overall {avg} on {n} scored cells.").format(
            avg=_avg(overall["average"]), n=overall["scored"]
        ),
    )


def _avg(x: float | None) -> str:
    return "–" if x is None else kit.signed(x)
