"""The compliance matrix (`stats --matrix`): a table laid out for the page, Markdown, CSV, JSON
and an SVG picture.

The terminal table never cuts an ID or a number. It tries, in turn: the parties' full names as
headers; abbreviated headers (with their legend); each commitment's ID on a line of its own above
its cells; and last, the columns in panels, one under the other, each as wide as the page allows.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

from aes_tracker.domain.matrix import NOT_A_PARTY
from aes_tracker.i18n import _, iso_label, name_label
from aes_tracker.render import Output, md, paint, register, register_data, safe, to_csv
from aes_tracker.render.layout import GAP, INDENT, wrap_cell

CELL_W = 5  # wide enough for an average: "+0.25"
NOT_SCORED = "·"
_STYLE = {"+1": "green", "0": "yellow", "-1": "red", NOT_SCORED: "dim"}


def score_text(v: int | None) -> str:
    return "" if v is None else "0" if v == 0 else f"{v:+d}"


def average_text(x: float | None) -> str:
    if x is None:
        return ""
    return "0.00" if abs(x) < 0.005 else f"{x:+.2f}"


def cell_text(cell: Mapping[str, Any]) -> str:
    """A score; `·` for a party bound but not scored; nothing where it is not a party."""
    if cell["why"] == NOT_A_PARTY:
        return ""
    return NOT_SCORED if cell["score"] is None else score_text(cell["score"])


def abbreviations(names: Sequence[str], width: int = CELL_W) -> dict[str, str]:
    """A short header for each name longer than `width`: its initials when it has several words
    ("Burkina Faso": "BF"), else its first letters ("Russia": "Rus"); never the same as another
    header."""
    out: dict[str, str] = {}
    taken = {n for n in names if len(n) <= width}
    for n in names:
        if len(n) <= width:
            out[n] = n
            continue
        words = n.split()
        candidates = ["".join(w[0] for w in words).upper()] if len(words) > 1 else []
        candidates += [n[:k].rstrip() for k in range(3, width + 1)]
        # Then numbered, without end: a hundred parties of one long prefix (ran out at 99).
        numbered = (f"{n[: max(1, width - len(str(i)))]}{i}" for i in itertools.count(1))
        short = next(c for c in itertools.chain(candidates, numbered) if c and c not in taken)
        taken.add(short)
        out[n] = short
    return out


def _title(m: Mapping[str, Any]) -> str:
    title = (
        _("Compliance by party and commitment, as of {day}")
        if m["by"] == "party"
        else _("Compliance by member and commitment, as of {day}")
    ).format(day=iso_label(m["as_of"]))
    if m["sources"]:
        title += _(", source: {sources}").format(sources=", ".join(m["sources"]))
    return title


def legend_items(abbreviated: Mapping[str, str]) -> list[str]:
    items = [
        _("+1 kept in full"),
        _("0 kept in part, or under way"),
        _("-1 not kept, or overdue"),
        _("{dot} not scored: pending and not yet due (or with no deadline), or dropped").format(
            dot=NOT_SCORED
        ),
        _("blank: not a party"),
        _("avg: the commitment's average; average: the party's"),
    ]
    items += [f"{short} = {safe(name)}" for name, short in abbreviated.items() if short != name]
    return items


def _pack(items: Sequence[str], width: int) -> list[str]:
    """Legend items on as few lines as the page allows, never split unless one is wider than
    the page."""
    lines: list[str] = []
    cur = ""
    for item in items:
        if len(item) > width:
            if cur:
                lines.append(cur)
                cur = ""
            lines += wrap_cell(item, width)
            continue
        if cur and len(cur) + 2 + len(item) <= width:
            cur += "  " + item
        else:
            if cur:
                lines.append(cur)
            cur = item
    if cur:
        lines.append(cur)
    return lines


def matrix_lines(m: Mapping[str, Any], width: int, color: bool) -> list[str]:
    parties = [name_label(c["party"]) for c in m["columns"]]
    label_head = _("Commitment")
    avg_label = _("average")
    avg_head = _("avg")
    labels = [r["id"] for r in m["rows"]] + [avg_label]
    label_w = max(len(x) for x in [label_head, *labels])
    avg_w = max(len(avg_head), CELL_W)
    # The body as text: one list of cells per row, the column averages last.
    body = [[cell_text(x) for x in r["cells"]] for r in m["rows"]]
    body.append([average_text(c["average"]) for c in m["columns"]])
    row_avgs = [average_text(r["average"]) for r in m["rows"]] + [
        average_text(m["overall"]["average"])
    ]

    def widths(heads: Sequence[str]) -> list[int]:
        return [max(len(h), CELL_W) for h in heads]

    full = {p: safe(p) for p in parties}
    short = abbreviations([safe(p) for p in parties])
    chosen: dict[str, str] | None = None
    for names in (full, {p: short[safe(p)] for p in parties}):
        ws = widths(list(names.values()))
        if label_w + sum(GAP + w for w in ws) + GAP + avg_w <= width:
            chosen = names
            break
    stacked = chosen is None
    if chosen is None:
        chosen = {p: short[safe(p)] for p in parties}
    heads = [chosen[p] for p in parties]
    ws = widths(heads)

    def paint_cell(text: str, w: int, bold: bool = False) -> str:
        padded = text.rjust(w)
        style = "bold" if bold else _STYLE.get(text, "")
        if not style or not text:
            return padded
        return padded[: w - len(text)] + paint(text, style, color)

    def panel(idx: list[int], last: bool) -> list[str]:
        head = [heads[i].rjust(ws[i]) for i in idx] + ([avg_head.rjust(avg_w)] if last else [])
        lead = label_head.ljust(label_w) + " " * GAP if not stacked else " " * INDENT
        head_line = (lead + (" " * GAP).join(head)).rstrip()
        if stacked:
            head_line = label_head + "\n" + head_line
        out = [paint(x, "bold", color) for x in head_line.split("\n")]
        spans = [ws[i] for i in idx] + ([avg_w] if last else [])
        rule_w = len(lead) + sum(spans) + GAP * (len(spans) - 1)
        rule = "─" * min(max(rule_w, len(label_head)), width)
        out.append(rule)
        for n, (label, cells, avg) in enumerate(zip(labels, body, row_avgs, strict=True)):
            bottom = n == len(labels) - 1
            if bottom:
                out.append(rule)
            parts = [paint_cell(cells[i], ws[i], bold=bottom) for i in idx]
            if last:
                parts.append(paint_cell(avg, avg_w, bold=True) if avg else " " * avg_w)
            text = (" " * GAP).join(parts)
            name = paint(label, "bold", color) if bottom else label
            if stacked:
                out.append(name)
                if text.strip():  # nothing of this commitment in this panel: its ID alone
                    out.append((" " * INDENT + text).rstrip())
            else:
                out.append((name + " " * (label_w - len(label) + GAP) + text).rstrip())
        return out

    out = []
    title = _title(m)
    out += [paint(x, "bold", color) for x in wrap_cell(title, width)]
    if not parties:
        out.append(_("No commitments to score."))
        return out
    if not stacked:
        out += panel(list(range(len(parties))), True)
    else:
        # Panels of as many columns as fit beside the indent; the averages in the last one.
        chunks: list[list[int]] = []
        cur: list[int] = []
        used = INDENT
        for i, w in enumerate(ws):
            need = w + (GAP if cur else 0)
            if cur and used + need > width:
                chunks.append(cur)
                cur, used = [], INDENT
                need = w
            cur.append(i)
            used += need
        if cur:
            chunks.append(cur)
        if used + GAP + avg_w > width:
            chunks.append([])
        for k, chunk in enumerate(chunks):
            if k:
                out.append("")
            out += panel(chunk, k == len(chunks) - 1)
    overall = m["overall"]
    if overall["average"] is None:
        summary = _("Overall: nothing scored yet.")
    else:
        summary = _("Overall: {average} on {n} scored cells.").format(
            average=average_text(overall["average"]), n=overall["scored"]
        )
    out += wrap_cell(summary, width)
    abbreviated = {safe(p): chosen[p] for p in parties if chosen[p] != safe(p)}
    out += _pack(legend_items(abbreviated), width)
    return out


register_data("matrix", matrix_lines)


@register("matrix", "csv")
def _csv(m: Mapping[str, Any], out: Output) -> str:
    """One row per commitment: its ID, title, each party's score and its average; then the row
    of the parties' averages and the overall one. A cell with no score says why, in the JSON's
    words: `not_a_party`, or the status that is not scored (`pending`, `dropped`)."""
    parties = [c["party"] for c in m["columns"]]
    rows: list[dict[str, Any]] = []
    for r in m["rows"]:
        row: dict[str, Any] = {"id": r["id"], "title": r["title"], "average": r["average"]}
        row.update({x["party"]: x["why"] if x["score"] is None else x["score"] for x in r["cells"]})
        rows.append(row)
    bottom: dict[str, Any] = {"id": "average", "average": m["overall"]["average"]}
    bottom.update({c["party"]: c["average"] for c in m["columns"]})
    rows.append(bottom)
    return to_csv(rows, ["id", "title", *parties, "average"], excel=out.excel)


@register("matrix", "markdown")
def _markdown(m: Mapping[str, Any], out: Output) -> str:
    parties = [c["party"] for c in m["columns"]]
    lines = [f"**{md(_title(m))}**", ""]
    if not parties:
        return "\n".join([*lines, _("No commitments to score.")]) + "\n"
    head = [_("Commitment"), *(md(name_label(p)) for p in parties), _("Average")]
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|---|" + "---:|" * (len(parties) + 1))
    for r in m["rows"]:
        cells = [f"`{r['id']}`", *(cell_text(x) for x in r["cells"]), average_text(r["average"])]
        lines.append("| " + " | ".join(cells) + " |")
    bottom = [f"**{_('Average')}**", *(average_text(c["average"]) for c in m["columns"])]
    overall = average_text(m["overall"]["average"])
    bottom.append(f"**{overall}**" if overall else "")
    lines.append("| " + " | ".join(bottom) + " |")
    lines += ["", md("; ".join(legend_items({})[:5])) + "."]
    return "\n".join(lines) + "\n"


@register("matrix", "svg")
def _svg(m: Mapping[str, Any], out: Output) -> str:
    """A heat map for a briefing (render/charts/heatmap.py), titles beside IDs."""
    from aes_tracker.render import title_text
    from aes_tracker.render.charts.heatmap import matrix_svg

    return matrix_svg(m, {r["id"]: title_text(r) for r in m["rows"]})
