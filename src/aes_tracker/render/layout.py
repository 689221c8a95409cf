"""Laying out tables for a page of a given width, by hand (10,000 rows in milliseconds, where
Rich's Table takes seconds), with the rules a reader needs:

- nothing is wider than the page, no line ends in spaces;
- identifiers and dates are never broken: only columns marked `wrap` wrap, at spaces;
- one column may `grow` (a title, a detail): it takes the room left; when that would fall under
  its minimum, the columns that can go (`drop`, highest first) go; if it still does not fit, the
  growing column moves to lines of its own under each row ("below"), with its header under the
  others, so the table keeps its header and every number keeps its column name;
- a page too narrow even for that gets nothing from here (None): the caller prints blocks that
  say in words what each number is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aes_tracker.render import paint

GAP = 2  # spaces between columns
INDENT = 2  # of a column laid out below the row


@dataclass(frozen=True)
class Column:
    head: str
    cell: Callable[[Mapping[str, Any]], str]
    wrap: bool = False  # may wrap at spaces
    right: bool = False  # aligned right (numbers)
    grow: bool = False  # takes the room left (one column at most)
    min_grow: int = 30  # the least room a growing column is given in the row
    drop: int = 0  # 0: kept; else dropped when room is short, the highest first


def wrap_cell(text: str, width: int) -> list[str]:
    """Greedy word wrap at spaces; a word longer than the column is folded, never cut. A
    newline in the text starts a new line; a link (http, https) is never folded: it gets a line
    of its own, whole."""
    width = max(width, 1)
    if "\n" in text:
        return [ln for part in text.split("\n") for ln in wrap_cell(part, width)]
    if len(text) <= width:
        return [text]
    if "://" in text:
        return wrap_keeping(text, width, ())
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


def _longest_word(texts: Sequence[str]) -> int:
    return max((len(w) for t in texts for w in t.split()), default=1)


@dataclass(frozen=True)
class _Plan:
    columns: list[Column]
    widths: list[int]
    below: Column | None  # the growing column, laid out under each row


def plan(rows: Sequence[Mapping[str, Any]], columns: Sequence[Column], width: int) -> _Plan | None:
    """Widths for the columns on a page of `width`, trying in turn: every column at its natural
    width; headers on two lines; without the columns that can go (the highest `drop` first);
    with wrapped cells; the growing column below each row. None: not even that fits."""
    cells = {id(c): [c.cell(r) for r in rows] for c in columns}

    def natural(c: Column) -> int:
        return max(len(c.head), *(len(v) for v in cells[id(c)]))

    def header_wrapped(c: Column) -> int:
        return max(_longest_word([c.head]), *(len(v) for v in cells[id(c)]))

    def least(c: Column) -> int:
        if not c.wrap:
            return header_wrapped(c)
        return max(_longest_word([c.head]), _longest_word(cells[id(c)]))

    def attempt(cols: list[Column], wrap_cells: bool) -> _Plan | None:
        grow = next((c for c in cols if c.grow), None)
        fixed = [c for c in cols if c is not grow]
        gaps = GAP * (len(cols) - 1)
        want = min(natural(grow), grow.min_grow) if grow is not None else 0
        nat = [natural(c) for c in fixed]
        low = [least(c) if wrap_cells else header_wrapped(c) for c in fixed]
        ws = _shrink(nat, low, [c.wrap for c in fixed], width - gaps - want)
        room = width - sum(ws) - gaps
        if grow is None:
            return _Plan(cols, ws, None) if room >= 0 else None
        if room < want:
            return None
        return _Plan(cols, _widths(cols, fixed, ws, grow, width - sum(ws) - gaps), None)

    cols = list(columns)
    found = attempt(cols, wrap_cells=False)
    while found is None and any(c.drop for c in cols):
        cols.remove(max((c for c in cols if c.drop), key=lambda c: c.drop))
        found = attempt(cols, wrap_cells=False)
    if found is None:
        found = attempt(cols, wrap_cells=True)
    if found is not None:
        return found
    # The growing column below each row; the others on the row, dropping what does not fit.
    grow = next((c for c in columns if c.grow), None)
    if grow is None or width - INDENT < 10:
        return None
    fixed = [c for c in columns if c is not grow]
    while fixed:
        gaps = GAP * (len(fixed) - 1)
        nat = [natural(c) for c in fixed]
        ws = _shrink(nat, [least(c) for c in fixed], [c.wrap for c in fixed], width - gaps)
        if sum(ws) + gaps <= width:
            return _Plan(fixed, ws, grow)
        droppable = [c for c in fixed if c.drop]
        if not droppable:
            return None
        fixed.remove(max(droppable, key=lambda c: c.drop))
    return None


def _shrink(nat: list[int], low: list[int], wraps: list[bool], total: int) -> list[int]:
    """Narrow the columns that can be narrowed, as little as needed: first those where only the
    header wraps ("Days left" on two lines), then the cells that wrap, the widest first."""
    ws = list(nat)
    excess = sum(ws) - total
    for i in sorted(range(len(ws)), key=lambda i: (wraps[i], -(nat[i] - low[i]))):
        if excess <= 0:
            break
        # Where only the header wraps: all the way to its longest word, or not at all.
        cut = min(excess, ws[i] - low[i]) if wraps[i] else ws[i] - low[i]
        ws[i] -= cut
        excess -= cut
    return ws


def _widths(
    cols: list[Column], fixed: list[Column], fixed_w: list[int], grow: Column, grow_w: int
) -> list[int]:
    by_id = {id(c): w for c, w in zip(fixed, fixed_w, strict=True)}
    by_id[id(grow)] = grow_w
    return [by_id[id(c)] for c in cols]


def render(
    p: _Plan,
    rows: Sequence[Mapping[str, Any]],
    width: int,
    color: bool,
    style: Callable[[Mapping[str, Any]], str] = lambda r: "",
) -> str:
    widths = p.widths
    last = len(widths) - 1

    def line(parts: Sequence[str]) -> str:
        out = []
        for i, (c, text) in enumerate(zip(p.columns, parts, strict=True)):
            out.append(text.rjust(widths[i]) if c.right and i <= last else text.ljust(widths[i]))
        return (" " * GAP).join(out).rstrip()

    def block(values: Sequence[str]) -> list[str]:
        wrapped = [wrap_cell(v, widths[i]) for i, v in enumerate(values)]
        depth = max(len(w) for w in wrapped)
        # A wrapped header sits on its last line, as Rich puts it; cells start at the top.
        return [line([w[k] if k < len(w) else "" for w in wrapped]) for k in range(depth)]

    heads = [wrap_cell(c.head, widths[i]) for i, c in enumerate(p.columns)]
    depth = max(len(h) for h in heads)
    head_lines = [line([([""] * (depth - len(h)) + h)[k] for h in heads]) for k in range(depth)]
    if p.below is not None:
        head_lines.append(" " * INDENT + p.below.head)
    rule = max(len(x) for x in head_lines)
    body: list[str] = []
    for r in rows:
        lines = block([c.cell(r) for c in p.columns])
        if p.below is not None:
            text = p.below.cell(r)
            if text:
                lines += [(" " * INDENT + x).rstrip() for x in wrap_cell(text, width - INDENT)]
        s = style(r)
        body += [paint(x, s, color) for x in lines]
        rule = max(rule, *(len(x) for x in lines))
    out = [paint(h, "bold", color) for h in head_lines]
    out.append("─" * min(rule, width))
    out += body
    return "\n".join(out) + "\n"


def table(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[Column],
    width: int,
    color: bool,
    style: Callable[[Mapping[str, Any]], str] = lambda r: "",
) -> str | None:
    """The table, or None when the page is too narrow for one."""
    p = plan(rows, columns, width)
    return None if p is None else render(p, rows, width, color, style)


def pairs(items: Sequence[tuple[str, str]], width: int, *, keep: Sequence[str] = ()) -> list[str]:
    """Label and value lines (as in `show`): labels in a column, values wrapped beside them; a
    value whose first word is in `keep` (an ID, a URL) is never folded: it goes on a line of its
    own, whole, even if that line is longer than the page."""
    label_w = max((len(k) for k, _ in items), default=0)
    room = max(width - label_w - GAP, 20)
    out: list[str] = []
    for k, v in items:
        lead = k.ljust(label_w) + " " * GAP
        pad = " " * (label_w + GAP)
        parts = v.split("\n")
        first = True
        for part in parts:
            for ln in wrap_keeping(part, room, keep):
                out.append(((lead if first else pad) + ln).rstrip())
                first = False
    return out


def wrap_keeping(text: str, width: int, keep: Sequence[str]) -> list[str]:
    """Wrap at spaces, but never fold a word that must stay whole (URLs, IDs): such a word gets
    a line of its own when it does not fit."""
    if len(text) <= width:
        return [text]
    lines: list[str] = []
    cur = ""
    for word in text.split():
        whole = len(word) > width and (word.startswith(("http://", "https://")) or word in keep)
        if whole:
            if cur:
                lines.append(cur)
            lines.append(word)
            cur = ""
            continue
        if not cur:
            cur = word
        elif len(cur) + 1 + len(word) <= width:
            cur += " " + word
        else:
            lines.append(cur)
            cur = word
        while len(cur) > width:
            lines.append(cur[:width])
            cur = cur[width:]
    if cur:
        lines.append(cur)
    return lines or [""]
