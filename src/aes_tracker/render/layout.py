"""Laying out tables for a page of a given width, by hand (10,000 rows in milliseconds, where
Rich's Table takes seconds), with the rules a reader needs:

- nothing is wider than the page, no line ends in spaces;
- identifiers and dates are never broken: only columns marked `wrap` wrap, at spaces;
- one column may `grow` (a title, a detail): it takes the room left; when that would fall under
  its minimum, a column with a `short` form (Parties: "AES, RU") takes it, then the columns
  that can go (`drop`, highest first) go; if it still does not fit, the
  growing column moves to lines of its own under each row ("below"), with its header under the
  others, so the table keeps its header and every number keeps its column name;
- a page too narrow even for that gets nothing from here (None): the caller prints blocks that
  say in words what each number is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from aes_tracker.i18n import colon
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
    short: Column | None = None  # a narrower form, taken before the column is dropped
    is_short: bool = False  # this is a column's short form


def wrap_cell(text: str, width: int) -> list[str]:
    """Greedy word wrap at spaces; a word longer than the column is folded, never cut. A
    newline in the text starts a new line; a link (http, https) is never folded: it gets a line
    of its own, whole."""
    width = max(width, 1)
    if "\n" in text:
        return [ln for part in text.split("\n") for ln in wrap_cell(part, width)]
    return wrap_keeping(text, width, ())


def _longest_word(texts: Sequence[str]) -> int:
    return max((len(w) for t in texts for w in t.split()), default=1)


class _Plan(NamedTuple):
    columns: list[Column]
    widths: list[int]
    below: Column | None  # the growing column, laid out under each row


class Cells:
    """Each column's cells, worked out once (when a plan first asks for them: a short form a
    table has room to spare for is never made), and the widths that follow from them."""

    def __init__(self, text: Callable[[Column], list[str]], styles: list[str]) -> None:
        self._of = text
        self.styles = styles  # each row's style
        self._text: dict[int, list[str]] = {}
        self._natural: dict[int, int] = {}
        self._least: dict[tuple[int, bool], int] = {}

    @classmethod
    def of_rows(
        cls,
        rows: Iterable[Mapping[str, Any]],
        columns: Sequence[Column],
        style: Callable[[Mapping[str, Any]], str] | None = None,
    ) -> Cells:
        """From rows, in one pass (they may be made as they are read), keeping only the cells
        and each row's style."""
        getters = [c.cell for c in columns]
        texts: list[list[str]] = [[] for _c in columns]
        appends = [t.append for t in texts]
        styles: list[str] = []
        add_style = styles.append
        for r in rows:
            for get, append in zip(getters, appends, strict=True):
                append(get(r))
            if style is not None:
                add_style(style(r))
        by_id = {id(c): t for c, t in zip(columns, texts, strict=True)}
        return cls(lambda c: by_id[id(c)], styles)

    def text(self, c: Column) -> list[str]:
        t = self._text.get(id(c))
        if t is None:
            t = self._text[id(c)] = self._of(c)
        return t

    def natural(self, c: Column) -> int:
        key = id(c)
        if key not in self._natural:
            self._natural[key] = max(len(c.head), max(map(len, self.text(c)), default=0))
        return self._natural[key]

    def least(self, c: Column, wrap_cells: bool) -> int:
        """The narrowest the column can be: its header on several lines; with `wrap_cells`, a
        wrapping column's cells too (down to their longest word)."""
        key = (id(c), wrap_cells and c.wrap)
        if key not in self._least:
            head = _longest_word([c.head])
            if wrap_cells and c.wrap:
                self._least[key] = max(head, _longest_word(self.text(c)))
            else:
                self._least[key] = max(head, max(map(len, self.text(c)), default=0))
        return self._least[key]


def plan(
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[Column],
    width: int,
    style: Callable[[Mapping[str, Any]], str] | None = None,
) -> tuple[_Plan, Cells] | None:
    """Widths for the columns on a page of `width`, trying in turn: every column at its natural
    width; headers on two lines; without the columns that can go (the highest `drop` first);
    with wrapped cells; the growing column below each row. None: not even that fits."""
    shorts = [c.short for c in columns if c.short is not None]
    return plan_cells(Cells.of_rows(rows, [*columns, *shorts], style), columns, width)


def plan_cells(cells: Cells, columns: Sequence[Column], width: int) -> tuple[_Plan, Cells] | None:
    """`plan`, with the cells given (each column's made when first asked for)."""

    def attempt(cols: list[Column], wrap_cells: bool) -> _Plan | None:
        grow = next((c for c in cols if c.grow), None)
        fixed = [c for c in cols if c is not grow]
        gaps = GAP * (len(cols) - 1)
        want = min(cells.natural(grow), grow.min_grow) if grow is not None else 0
        nat = [cells.natural(c) for c in fixed]
        low = [cells.least(c, wrap_cells) for c in fixed]
        ws = _shrink(nat, low, [c.wrap for c in fixed], width - gaps - want)
        room = width - sum(ws) - gaps
        if grow is None:
            return _Plan(cols, ws, None) if room >= 0 else None
        if room < want:
            return None
        return _Plan(cols, _widths(cols, fixed, ws, grow, room), None)

    cols = list(columns)
    found = attempt(cols, wrap_cells=False)
    # Beside the growing column, a column with a short form is not dropped: it stays, with the
    # growing column below the rows, rather than go (Parties at 100 columns).
    while found is None and _narrower(cols, keep_shorts=True):
        found = attempt(cols, wrap_cells=False)
    if found is None:
        found = attempt(cols, wrap_cells=True)
    if found is not None:
        return found, cells
    # The growing column below each row; the others on the row: the columns that can go take
    # their short form or are dropped before a cell of those that stay is wrapped ("review
    # 2026-01-03" stays whole while Category goes), and only then are cells wrapped, dropping
    # again what does not fit.
    grow = next((c for c in columns if c.grow), None)
    if grow is None or width - INDENT < 10:
        return None
    for wrap_cells in (False, True):
        fixed = [c for c in columns if c is not grow]
        while fixed:
            gaps = GAP * (len(fixed) - 1)
            nat = [cells.natural(c) for c in fixed]
            low = [cells.least(c, wrap_cells) for c in fixed]
            ws = _shrink(nat, low, [c.wrap for c in fixed], width - gaps)
            if sum(ws) + gaps <= width:
                return _Plan(fixed, ws, grow), cells
            if not _narrower(fixed):
                break
    return None


def _narrower(cols: list[Column], keep_shorts: bool = False) -> bool:
    """One step narrower, in place: the column that can go first (the highest `drop`) takes its
    short form if it has one, else goes (unless `keep_shorts` and it is a short form already).
    False when nothing can go."""
    droppable = [c for c in cols if c.drop and not (keep_shorts and c.short is None and c.is_short)]
    if not droppable:
        return False
    c = max(droppable, key=lambda c: c.drop)
    i = cols.index(c)
    if c.short is not None:
        cols[i] = c.short
    else:
        del cols[i]
    return True


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


def render(found: tuple[_Plan, Cells], width: int, color: bool) -> Iterator[str]:
    """The table's text, in chunks of a few hundred rows: 10,000 rows are printed without the
    whole table held as one string as well as in lines."""
    p, cells = found
    widths = p.widths
    columns = p.columns
    texts = [cells.text(c) for c in columns]
    below = cells.text(p.below) if p.below is not None else None
    styles = cells.styles
    right = [c.right for c in columns]
    gap = " " * GAP

    # One format for a whole line (C-speed padding); the cells never hold braces' meaning.
    fmt = gap.join(f"{{:{'>' if r else '<'}{w}}}" for w, r in zip(widths, right, strict=True))
    pad = fmt.format

    def line(parts: Sequence[str]) -> str:
        return pad(*parts).rstrip()

    def block(values: Sequence[str]) -> list[str]:
        fits = [len(v) <= w and "\n" not in v for v, w in zip(values, widths, strict=True)]
        if all(fits):
            return [line(values)]
        wrapped = [
            [v] if ok else wrap_cell(v, widths[i])
            for i, (v, ok) in enumerate(zip(values, fits, strict=True))
        ]
        depth = max(len(w) for w in wrapped)
        return [line([w[k] if k < len(w) else "" for w in wrapped]) for k in range(depth)]

    heads = [wrap_cell(c.head, widths[i]) for i, c in enumerate(columns)]
    depth = max(len(h) for h in heads)
    # A wrapped header sits on its last line, as Rich puts it; cells start at the top.
    head_lines = [line([([""] * (depth - len(h)) + h)[k] for h in heads]) for k in range(depth)]
    if p.below is not None:
        head_lines.append(" " * INDENT + p.below.head)
    # The rule spans the table: its columns, or the page when a column goes below the rows.
    rule = width if p.below is not None else sum(widths) + GAP * (len(widths) - 1)
    out = [paint(h, "bold", color) for h in head_lines]
    out.append("─" * min(rule, width))
    yield "\n".join(out) + "\n"
    room = width - INDENT
    indent = " " * INDENT
    body: list[str] = []
    n = len(texts[0]) if texts else 0
    # Every row's line at once, at C speed; a row with a cell too wide or on several lines
    # (a few, if any) is laid out again as a block.
    plain = list(map(str.rstrip, map(pad, *texts))) if texts else []
    wide = _overflowing(texts, widths)
    for i in range(n):
        lines = block([t[i] for t in texts]) if i in wide else [plain[i]]
        if below is not None:
            text = below[i]
            if text:
                if len(text) <= room and "\n" not in text:
                    lines.append(indent + text)
                else:
                    lines += [(indent + x).rstrip() for x in wrap_cell(text, room)]
        s = styles[i] if styles else ""
        if s and color:
            lines = [paint(x, s, color) for x in lines]
        body += lines
        if len(body) >= CHUNK_LINES:
            yield "\n".join(body) + "\n"
            body = []
    if body:
        yield "\n".join(body) + "\n"


CHUNK_LINES = 512


def _overflowing(texts: Sequence[Sequence[str]], widths: Sequence[int]) -> set[int]:
    """The rows with a cell wider than its column, or with a newline in it."""
    wide: set[int] = set()
    for col, w in zip(texts, widths, strict=True):
        if max(map(len, col), default=0) > w or "\n" in "".join(col):
            wide.update(i for i, v in enumerate(col) if len(v) > w or "\n" in v)
    return wide


def table(
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[Column],
    width: int,
    color: bool,
    style: Callable[[Mapping[str, Any]], str] | None = None,
) -> str | None:
    """The table, or None when the page is too narrow for one."""
    found = plan(rows, columns, width, style)
    return None if found is None else "".join(render(found, width, color))


def blocks(
    rows: Iterable[Mapping[str, Any]], columns: Sequence[Column], width: int, color: bool
) -> str:
    """For a page too narrow for any table: each row as a block, the first column's value on a
    line of its own, then each other column as "Label: value" (the growing one as its bare
    value), wrapped and indented; empty values are left out. Every line fits the page but a
    link, which is never folded."""
    first, *rest = columns
    room = max(width - INDENT, 10)
    out: list[str] = []
    for r in rows:
        out += [paint(ln, "bold", color) for ln in wrap_cell(first.cell(r), width)]
        for c in rest:
            value = c.cell(r)
            if value:
                text = value if c.grow else c.head + colon() + value
                out += [" " * INDENT + ln for ln in wrap_cell(text, room)]
    return "\n".join(out) + "\n"


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
