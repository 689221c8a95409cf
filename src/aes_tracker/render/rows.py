"""Rows of commitments (`list`, `due`) in every row format: the table for people, and plain, JSON,
CSV and Markdown; the JSON and CSV of every kind of rows (sources and history entries too, whose
other formats are entries.py's)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import chain
from typing import Any, cast

from aes_tracker.domain.query import LIST_KEYS, RowList
from aes_tracker.i18n import (
    _,
    category_label,
    colon,
    iso_label,
    name_label,
    ngettext,
    status_label,
)
from aes_tracker.render import (
    Output,
    _line_encoder,
    cell,
    md,
    md_code,
    paint,
    register,
    safe,
    title_text,
    to_csv,
    to_json_lines,
)
from aes_tracker.render.layout import Cells, Column, plan, plan_cells, render, wrap_cell

SOON_DAYS = 30


@dataclass(frozen=True)
class Rows:
    rows: Sequence[Mapping[str, Any]]
    window: str = ""  # `due --within`, as typed: the empty table says nothing is due in it
    keys: Sequence[str] = LIST_KEYS
    columns: Sequence[str] = ()  # `--columns`: the table's columns, by key
    hidden: int = 0  # closed ones `list` left out by default: the table's footer says so


def lazy_label(text: str) -> str:
    """A column header: translated when the table is laid out, not when this module loads."""
    return text


def translated(c: Column, keep: bool = False) -> Column:
    from dataclasses import replace

    short = translated(c.short) if c.short is not None and not keep else None
    return replace(c, head=_(c.head), drop=0 if keep else c.drop, short=short)


# ---- parties in short ----------------------------------------------------------------------------


def party_codes(names: Iterable[str]) -> dict[str, str]:
    """Short forms for a table short of room, one per name, never two alike: a name of five
    letters or fewer as it is (AES, Mali); the initials of a name of several words (Burkina
    Faso: BF); else its first two letters (Russia: RU); more letters where two would meet."""
    names = sorted(set(names))

    def code(name: str, n: int) -> str:
        words = name.split()
        if len(name) <= 5:
            return name
        if len(words) > 1:
            return "".join(w[:1] for w in words).upper() + name.replace(" ", "")[len(words) : n]
        return name[:n].upper()

    width = {name: 2 for name in names}
    while True:
        codes = {name: code(name, width[name]) for name in names}
        seen: dict[str, list[str]] = {}
        for name, c in codes.items():
            seen.setdefault(c, []).append(name)
        clash = [name for same in seen.values() if len(same) > 1 for name in same]
        if not clash or all(width[n] > len(n) for n in clash):
            return codes if not clash else {name: name for name in names}
        for name in clash:
            width[name] += 1


def _short_parties(rows: Sequence[Mapping[str, Any]]) -> Callable[[Mapping[str, Any]], str]:
    """The Parties cell in short, with the codes worked out over the whole table the first
    time a cell is asked for (so a table that has room never pays for them)."""
    codes: dict[str, str] = {}

    def cell(r: Mapping[str, Any]) -> str:
        if not codes:
            codes.update(party_codes(_party_names(rows)))
        return safe(", ".join(codes[p] for p in r["parties"]))

    return cell


def _party_names(rows: Sequence[Mapping[str, Any]]) -> Iterable[str]:
    """Every party the rows name; from the commitments themselves when the rows are made as
    they are read (domain.query.RowList), rather than making every row once more."""
    names = getattr(rows, "party_names", None)
    if names is not None:
        return cast("Iterable[str]", names())
    return (p for r in rows for p in r["parties"])


def codes_legend(rows: Sequence[Mapping[str, Any]]) -> str:
    """What the short forms stand for, those that differ from the name: "BF Burkina Faso"."""
    codes = party_codes(_party_names(rows))
    pairs = [
        f"{c} {safe(name_label(name))}"
        for name, c in sorted(codes.items(), key=lambda x: x[1])
        if c != name
    ]
    return (_("Parties") + colon() + ", ".join(pairs)) if pairs else ""


# ---- plain forms ---------------------------------------------------------------------------------

PLAIN_KEYS = ("id", "status", "due", "days_left", "category", "parties", "title")


@register("rows", "json")
@register("sources", "json")
@register("log", "json")
def _json(p: Rows, out: Output) -> Iterator[str]:
    if isinstance(p.rows, RowList) and tuple(p.keys) == LIST_KEYS:
        return _column_json(p.rows)
    return to_json_lines(p.rows)


def _column_json(rows: RowList, chunk: int = 4096) -> Iterator[str]:
    """What the encoder writes for each `row(c)`, the same bytes, written from the rows'
    fields (`RowList.column`) without a dict per row: a field's key and value written once
    per value (a category, a party list, a date, a date's days from today) and looked up
    for each row, column by column, then each row's line joined from them, `chunk` rows at
    a time. A row with assessments goes through the dict and the encoder."""
    import json

    from aes_tracker.domain.query import row

    dumps = _line_encoder()
    enc = json.encoder.encode_basestring
    today, col = rows.today, rows.column
    is_open = {s: rows.is_open(s) for s in set(col("status"))}

    def day(d: date | None) -> str:
        return "null" if d is None else '"' + d.isoformat() + '"'

    def maybe(s: str) -> str:
        return enc(s) if s else "null"

    def names(ns: tuple[str, ...]) -> str:
        return "[" + ", ".join(map(enc, ns)) + "]"

    def left(d: date) -> str:
        n = (d - today).days
        return f'"days_left": {n}, "overdue": {"true" if n < 0 else "false"}'

    def review(r: date | None, open_undated: bool) -> str:
        # Only an open undated one's review date is due, or has days left.
        if r is None or not open_undated:
            return f'"review": {day(r)}, "review_due": false, "review_days_left": null'
        n = (r - today).days
        due = "true" if n <= 0 else "false"
        return f'"review": {day(r)}, "review_due": {due}, "review_days_left": {n}'

    def slip(d: date | None, o: date | None) -> str:
        n = "null" if d is None or o is None else str((d - o).days)
        return f'"original_due": {day(o)}, "slip_days": {n}'

    def tail(recur: str, host: str, source: str) -> str:
        return f'"recur": {maybe(recur)}, "next_host": {maybe(host)}, "source": {enc(source)}'

    # The text of each value a column holds, made once.
    made: tuple[tuple[str, Callable[[Any], str]], ...] = (
        ("title_fr", lambda s: '"title_fr": ' + maybe(s)),
        ("category", lambda s: '"category": ' + enc(s)),
        ("parties", lambda ns: '"parties": ' + names(ns)),
        ("beneficiaries", lambda ns: '"beneficiaries": ' + names(ns)),
        ("status", lambda s: f'"status": {enc(s)}, "open": {str(is_open[s]).lower()}'),
        ("due", lambda d: '"due": ' + day(d)),
        ("updated", lambda d: f'"updated": {day(d)}, "assessments": {{}}}}'),
    )
    texts = {name: {v: of(v) for v in set(col(name))} for name, of in made}
    lefts: dict[date | None, str] = {d: left(d) for d in texts["due"] if d is not None}
    closed = lefts[None] = '"days_left": null, "overdue": false'
    reviews = {(r, u): review(r, u) for r in set(col("review")) for u in (False, True)}
    no_slip = slip(None, None)
    tails = {x: tail(*x) for x in set(zip(*map(col, _TAIL), strict=True))}

    def lines(a: int, b: int) -> list[str]:
        def part(name: str) -> list[Any]:
            return col(name)[a:b]

        def looked_up(name: str) -> list[str]:
            return list(map(texts[name].__getitem__, part(name)))

        dues = part("due")
        opens = list(map(is_open.__getitem__, part("status")))
        fields = [
            [f'{{"id": {enc(x)}' for x in part("id")],
            ['"title": ' + enc(x) for x in part("title")],
            *map(looked_up, ("title_fr", "category", "parties", "beneficiaries", "status", "due")),
            [
                no_slip if o is None else slip(d, o)
                for d, o in zip(dues, part("original_due"), strict=True)
            ],
            [lefts[d] if o else closed for d, o in zip(dues, opens, strict=True)],
            [
                reviews[r, o and d is None]
                for r, o, d in zip(part("review"), opens, dues, strict=True)
            ],
            list(map(tails.__getitem__, zip(*map(part, _TAIL), strict=True))),
            looked_up("updated"),
        ]
        out = list(map(", ".join, zip(*fields, strict=True)))
        for k, assessed in enumerate(part("assessments")):
            if assessed:
                c = rows.summary(a + k)
                out[k] = dumps(row(c, today, is_open[c.status], groups=rows.groups))
        return out

    return to_json_lines(
        chain.from_iterable(
            _collected_after(lines, a, a + chunk) for a in range(0, len(rows), chunk)
        ),
        str,
    )


_TAIL = ("recur", "next_host", "source")  # three keys in a row, written together


def _collected_after(make: Callable[[int, int], list[str]], a: int, b: int) -> list[str]:
    """`make(a, b)`, the garbage collector paused (a chunk's lines and their parts: no cycle)."""
    from aes_tracker.store.cache import collector_paused

    with collector_paused():
        return make(a, b)


@register("rows", "csv")
@register("sources", "csv")
@register("log", "csv")
def _csv(p: Rows, out: Output) -> str:
    return to_csv(p.rows, p.keys, excel=out.excel)


@register("rows", "plain")
def _plain(p: Rows, out: Output) -> str:
    """One tab-separated line per commitment, no header: id, status, due, days left, category,
    parties (comma-separated), title. Empty fields are '-'."""
    lines = []
    for r in p.rows:
        vals = [" ".join(safe(cell(r.get(k), ",")).split()) or "-" for k in PLAIN_KEYS]
        lines.append("\t".join(vals) + "\n")
    return "".join(lines)


# ---- what the cells say --------------------------------------------------------------------------


def due_text(r: Mapping[str, Any]) -> str:
    """The due date in a table cell: ISO in every language (compact, sortable by eye, and the
    form the data file and the machine formats use); prose spells dates out (`human_date`)."""
    if r["due"]:
        return str(r["due"])
    if r.get("review"):
        return _("review {day}").format(day=r["review"])
    return ""


def left_text(r: Mapping[str, Any]) -> str:
    n = r["days_left"]
    if n is None and (r.get("review_days_left") or 0) < 0:
        n = r["review_days_left"]  # a late review is late, as an overdue due date is
    if n is None:
        return ""
    # Negative when overdue, as in the JSON; the row is red too.
    return _("today") if n == 0 else str(n)


MARK = "*"  # after a status that some parties' own assessments differ from


def marked(r: Mapping[str, Any]) -> bool:
    own = r.get("assessments")
    if not own:
        return False  # most rows: no assessment at all
    status = r["status"]
    return any(s != status for s in own.values())


def status_text(r: Mapping[str, Any]) -> str:
    """The commitment's status, marked when some parties' own assessments differ from it."""
    return status_label(str(r["status"])) + (MARK if marked(r) else "")


def mark_legend(command: str = "aes-tracker show ID") -> str:
    """The footnote of the mark; `command` as the format writes a command (code in Markdown,
    plain in a terminal, where backticks would show as themselves)."""
    return _(
        "{mark} parties' own assessments differ from this status: {command} has each party's line"
    ).format(mark=MARK, command=command)


def _legend(rows: Sequence[Mapping[str, Any]], width: int) -> str:
    if not any(marked(r) for r in rows):
        return ""
    return "\n".join(wrap_cell(mark_legend(), width)) + "\n"


def table_head() -> tuple[str, ...]:
    return (_("ID"), _("Title"), _("Category"), _("Parties"), _("Status"), _("Due"), _("Days left"))


def _table_cells(r: Mapping[str, Any]) -> tuple[str, ...]:
    return (
        r["id"],
        title_text(r),
        category_label(r["category"]),
        safe(", ".join(map(name_label, r["parties"]))),
        status_text(r),
        due_text(r),
        left_text(r),
    )


@register("rows", "markdown")
def _markdown(p: Rows, out: Output) -> str:
    head = table_head()
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in p.rows:
        cells = [md(c) for c in _table_cells(r)]  # the mark too: escaped, not an emphasis
        lines.append("| " + " | ".join(cells) + " |")
    if any(marked(r) for r in p.rows):
        legend = md(mark_legend("COMMAND")).replace("COMMAND", md_code("aes-tracker show ID"))
        lines += ["", legend]
    return "\n".join(lines) + "\n"


def row_style(r: Mapping[str, Any]) -> str:
    if not r["open"]:
        return "dim"
    if r["overdue"] or (r.get("review_days_left") or 0) < 0:
        return "red"
    if r["days_left"] is not None and r["days_left"] <= SOON_DAYS:
        return "yellow"
    if r.get("review_due"):
        return "yellow"
    return ""


# ---- the table -----------------------------------------------------------------------------------


def when_text(r: Mapping[str, Any]) -> str:
    """The due date in words, for the blocks of a narrow page: "due 2026-04-03, 239 days
    overdue", "review 2026-04-03, review due"."""
    from aes_tracker.render.report import days_late, days_overdue, in_days

    if r["due"]:
        text = _("due {day}").format(day=iso_label(r["due"]))
        n = r["days_left"]
        if n is not None:
            text += ", " + (days_overdue(-n) if n < 0 else in_days(n))
        return text
    if r.get("review"):
        text = _("review {day}").format(day=iso_label(r["review"]))
        late = -(r.get("review_days_left") or 0)
        if late > 0:
            return text + ", " + days_late(late)
        return text + (", " + _("review due") if r.get("review_due") else "")
    return ""


# The list's columns, by the key `--columns` takes, in the order they are shown. The title takes
# the room left; Category and then Parties go first when the page is narrow.
LIST_COLUMNS: dict[str, Column] = {
    "id": Column(lazy_label("ID"), lambda r: r["id"]),
    "status": Column(lazy_label("Status"), status_text),
    "due": Column(lazy_label("Due"), due_text),  # never wrapped: "review 2026-04-03" is one thing
    "days_left": Column(lazy_label("Days left"), left_text, right=True),
    "category": Column(lazy_label("Category"), lambda r: category_label(r["category"]), drop=2),
    "parties": Column(
        lazy_label("Parties"),
        lambda r: safe(", ".join(map(name_label, r["parties"]))),
        wrap=True,
        drop=1,
        # Its short form is made for each table (the codes depend on the names in it).
        short=Column(lazy_label("Parties"), lambda r: "", wrap=True, drop=1, is_short=True),
    ),
    "title": Column(lazy_label("Title"), title_text, wrap=True, grow=True, min_grow=36),
}


def list_columns(keys: Sequence[str] | None = None) -> list[Column]:
    """The columns to show: the ones asked for, in that order (none of them dropped), else all."""
    if not keys:
        return [translated(c) for c in LIST_COLUMNS.values()]
    return [translated(LIST_COLUMNS[k], keep=True) for k in keys]


@register("rows", "table")
def _table(p: Rows, out: Output) -> str | Iterator[str]:
    """A table whose title gets the room; on a narrow page, Category and Parties go, then the
    title moves under each row; blocks only when even that does not fit."""
    rows = p.rows
    if not rows:
        empty = (
            _("Nothing overdue or due within {window}.").format(window=p.window)
            if p.window
            else _("No commitments match.")
        )
        return empty + "\n" + _hidden_footer(p.hidden)
    # The legend of the mark is known from the same single pass that takes the cells.
    marks: list[bool] = []

    def style(r: Mapping[str, Any]) -> str:
        if not marks and marked(r):
            marks.append(True)
        return row_style(r)

    from dataclasses import replace

    columns = [
        replace(c, short=replace(c.short, cell=_short_parties(rows))) if c.short is not None else c
        for c in list_columns(p.columns)
    ]
    if isinstance(rows, RowList):
        # The cells column by column from the rows' fields, without a dict per row (the same
        # text: tests/test_fastread.py).
        keys = list(p.columns) or list(LIST_COLUMNS)
        cells, styles, any_marked = _column_cells(rows)
        if any_marked:
            marks.append(True)
        made = {id(c): cells[k] for k, c in zip(keys, columns, strict=True)}
        made.update({id(c.short): cells["short_parties"] for c in columns if c.short})
        found = plan_cells(Cells(lambda c: made[id(c)](), styles), columns, out.width)
    else:
        found = plan(rows, columns, out.width, style)
    if found is None:
        return _blocks(rows, out) + _legend(rows, out.width) + _hidden_footer(p.hidden)
    short = any(c in found[0].columns for c in (c.short for c in columns) if c is not None)
    codes = codes_legend(rows) if short else ""
    return _with_legend(render(found, out.width, out.color), marks, out.width, codes, p.hidden)


def _column_cells(rows: RowList) -> tuple[dict[str, Callable[[], list[str]]], list[str], bool]:
    """The list's cells (`LIST_COLUMNS`), each column made from the rows' fields at once
    (`RowList.column`) rather than from each row (domain.query.row): the same text, with what
    many rows share (a label, a party list, a date's text) worked out once per value. Then
    each row's style (`row_style`), and whether any status is marked."""
    from aes_tracker.domain.parties import own_assessments
    from aes_tracker.i18n import language

    today, groups, col = rows.today, rows.groups, rows.column
    statuses = col("status")
    is_open = {s: rows.is_open(s) for s in set(statuses)}
    opens = list(map(is_open.__getitem__, statuses))
    marked = [
        k
        for k, a in enumerate(col("assessments"))
        if a and any(s != statuses[k] for s in own_assessments(rows.summary(k), groups).values())
    ]

    def shared(name: str, of: Callable[[Any], str]) -> list[str]:
        values = col(name)
        texts = {v: of(v) for v in set(values)}
        return list(map(texts.__getitem__, values))

    def status() -> list[str]:
        texts = shared("status", lambda s: status_label(str(s)))
        for k in marked:
            texts[k] += MARK
        return texts

    def due() -> list[str]:
        reviews = {r: _("review {day}").format(day=r.isoformat()) for r in set(col("review")) if r}
        return [
            d.isoformat() if d is not None else reviews[r] if r is not None else ""
            for d, r in zip(col("due"), col("review"), strict=True)
        ]

    def left() -> list[str]:
        today_word = _("today")
        dues = {d: str((d - today).days) for d in set(col("due")) if d is not None}
        if today in dues:
            dues[today] = today_word
        return [
            ("" if not op else dues[d] if d is not None else late(r))
            for d, r, op in zip(col("due"), col("review"), opens, strict=True)
        ]

    def late(review: date | None) -> str:
        # A late review is late, as an overdue due date is.
        n = None if review is None else (review - today).days
        return str(n) if n is not None and n < 0 else ""

    def short_parties() -> list[str]:
        codes = party_codes(rows.party_names())
        return shared("parties", lambda ps: safe(", ".join(codes[p] for p in ps)))

    def title() -> list[str]:
        if language() == "fr":
            return [
                safe(f) if f else safe(t)
                for t, f in zip(col("title"), col("title_fr"), strict=True)
            ]
        return list(map(safe, col("title")))

    def when(d: date | None, r: date | None) -> str:
        if d is not None:
            return "red" if d < today else "yellow" if (d - today).days <= SOON_DAYS else ""
        if r is not None:
            return "red" if r < today else "yellow" if r <= today else ""
        return ""

    dated = list(zip(col("due"), col("review"), strict=True))
    whens = {dr: when(*dr) for dr in set(dated)}
    styles = ["dim" if not op else whens[dr] for dr, op in zip(dated, opens, strict=True)]
    cells: dict[str, Callable[[], list[str]]] = {
        "id": lambda: list(col("id")),
        "status": status,
        "due": due,
        "days_left": left,
        "category": lambda: shared("category", category_label),
        "parties": lambda: shared("parties", lambda ps: safe(", ".join(map(name_label, ps)))),
        "short_parties": short_parties,
        "title": title,
    }
    return cells, styles, bool(marked)


def _hidden_footer(hidden: int) -> str:
    """What `list` left out by default, and how to see it: the table's last line."""
    if not hidden:
        return ""
    return (
        ngettext("{n} closed not shown: --all", "{n} closed not shown: --all", hidden).format(
            n=hidden
        )
        + "\n"
    )


def _with_legend(
    chunks: Iterator[str], marks: list[bool], width: int, codes: str = "", hidden: int = 0
) -> Iterator[str]:
    yield from chunks
    if codes:
        yield "\n".join(wrap_cell(codes, width)) + "\n"
    if marks:
        yield "\n".join(wrap_cell(mark_legend(), width)) + "\n"
    yield _hidden_footer(hidden)


def _blocks(rows: Sequence[Mapping[str, Any]], out: Output) -> str:
    """For a page too narrow for a table: each commitment as a block, its ID on a line of its
    own, then in words what its numbers are ("pending, due 2026-04-03, 239 days overdue"), its
    title, its category and parties."""
    lines = []
    room = max(out.width - 2, 10)
    for r in rows:
        when = when_text(r)
        block = [r["id"]]
        for text in (
            f"{status_text(r)}, {when}" if when else status_text(r),
            title_text(r),
            f"{category_label(r['category'])} · {safe(', '.join(map(name_label, r['parties'])))}",
        ):
            block += ["  " + ln for ln in wrap_cell(text, room)]
        style = row_style(r)
        lines += [paint(ln, style, out.color) for ln in block]
    return "\n".join(lines) + "\n"
