"""Everything a person or a script reads, built from plain data. The console policy (colour,
width) is decided once in `Output`; each output format is declared once in `FORMATS`; each kind
of output (rows, one commitment, the report, ...) maps its formats to renderers in `RENDERERS`;
`emit` is the one place that dispatches and writes. The CLI's `--format` choices and help come
from here.

A renderer is `(payload, out) -> str | bytes`: it returns the whole text, so that what goes to a
terminal, a pipe, a file or a test is the same thing, written in one call. Rich is imported only
by the renderers that draw with it, so commands printing JSON do not pay for it.
"""

from __future__ import annotations

import io
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any, NamedTuple

from aes_tracker.domain.notes import change_value_words, change_words
from aes_tracker.domain.spreadsheet import csv_cell, excel_cell
from aes_tracker.domain.text import escape_controls
from aes_tracker.errors import TrackerError
from aes_tracker.i18n import _, category_label, language, name_label

__all__ = ["change_value_words", "change_words"]  # at home in the core; shown from here

NOT_A_TTY_WIDTH = 100
MIN_WIDTH = 20


class Output(NamedTuple):
    """Where and how to print: decided once per run from flags, environment and the stream."""

    stream: IO[str]
    color: bool
    width: int
    excel: bool = False  # a CSV in the form for spreadsheets (--excel)

    @classmethod
    def decide(
        cls,
        stream: IO[str],
        color: str,
        width: int | None,
        environ: Mapping[str, str],
    ) -> Output:
        try:
            tty = stream.isatty()
        except (AttributeError, ValueError):
            tty = False
        if color == "always":
            use = True
        elif color == "never":
            use = False
        elif environ.get("FORCE_COLOR"):
            use = True
        else:
            use = tty and not environ.get("NO_COLOR") and environ.get("TERM") != "dumb"
        if width is None:
            cols = environ.get("COLUMNS", "")
            if cols.isdigit() and int(cols) > 0:
                width = int(cols)
            elif tty:
                width = _terminal_width(stream)
            else:
                width = NOT_A_TTY_WIDTH
        return cls(stream, use, max(width, MIN_WIDTH))

    def paint(self, text: str, style: str) -> str:
        return paint(text, style, self.color)


def _terminal_width(stream: IO[str]) -> int:
    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, ValueError, OSError):
        return 80


def utf8_stdout() -> None:
    """French text must come out as UTF-8 even under LANG=C (cron)."""
    for s in (sys.stdout, sys.stderr):
        enc = getattr(s, "encoding", "utf-8") or "utf-8"
        if enc.lower().replace("-", "") != "utf8" and hasattr(s, "reconfigure"):
            s.reconfigure(encoding="utf-8", errors="replace")


# ---- styles ------------------------------------------------------------------------------------

_SGR = {
    "red": "31",
    "green": "32",
    "yellow": "33",
    "blue": "34",
    "cyan": "36",
    "white": "37",
    "bright_black": "90",
    "dim": "2",
    "bold": "1",
}


def paint(text: str, style: str, color: bool) -> str:
    """`text` in a style, as plain SGR codes; nothing at all without colour."""
    if not color or not style or not text:
        return text
    return f"\x1b[{_SGR[style]}m{text}\x1b[0m"


def title_text(r: Mapping[str, Any]) -> str:
    """The title a person reads: the French one (`title_fr`) in French, where there is one."""
    if r.get("title_fr") and language() == "fr":
        return safe(r["title_fr"])
    return safe(r["title"])


def timeline_state_label(state: str) -> str:
    """A timeline item's state in words, for the text and the chart alike."""
    return {
        "overdue": _("overdue"),
        "due": _("due"),
        "done": _("done"),
        "closed": _("closed"),
        "expected": _("expected"),
        "held": _("held"),
        "missed": _("missed"),
        "review": _("review date"),
        "original": _("originally due"),
    }.get(state, state)


def by_label(by: str) -> str:
    """What the groups of `stats` are, for its titles: "party" in "Compliance by party"."""
    return {
        "party": _("party"),
        "member": _("member"),
        "category": _("category"),
        "source": _("source"),
    }.get(by, by)


def group_name(by: str, name: str) -> str:
    """A group of `stats` by name, for the text and the chart alike: a category or a party in
    the reader's language, a member or a source as the file writes it."""
    if by == "category":
        return category_label(name)
    return name_label(name) if by == "party" else name


def backdated(x: Mapping[str, Any]) -> str:
    """ "(backdated: recorded DAY)" for a history entry recorded after the day it happened (as
    the report, `log` and the site say it), "" for the others."""
    from aes_tracker.i18n import iso_label

    if x.get("backdated") and x.get("at"):
        return _("(backdated: recorded {day})").format(day=iso_label(x["at"][:10]))
    return ""


def note_words(note: str) -> str:
    """A history entry's note for the reader: one the tool wrote ("status confirmed as
    in_progress", stored in English) in the reader's language; any other as written."""
    from aes_tracker.i18n import _, language

    if language() == "en":
        return safe(note)
    from aes_tracker.domain import notes

    def value(field: str, text: str) -> str:
        if field in ("status", "before", "after"):
            return change_value_words("status", text)
        if field in ("on", "day"):
            return change_value_words("due", text)
        if field == "party":
            return change_value_words("parties", text)
        if field == "changes":
            return "; ".join(change_words(c) for c in text.split("; "))
        if field == "how":
            return _(text)
        return safe(text)

    return safe(notes.words(note, _, value))


def safe(text: str) -> str:
    """Text from the data, fit for a terminal: control characters shown escaped (`\\x1b`), never
    sent raw (a title holding an escape sequence must not clear the screen)."""
    return escape_controls(text)


# ---- the formats -------------------------------------------------------------------------------


class Format(NamedTuple):
    name: str
    help: str
    machine: bool  # for scripts: the same bytes in every language, no colour, no width


FORMATS: tuple[Format, ...] = (
    Format("table", "a table for people (the default)", False),
    Format("text", "plain text for people and e-mail", False),
    Format("plain", "tab-separated lines, no header, for shell scripts", True),
    Format("json", "JSON with stable keys, for scripts", True),
    Format("csv", "RFC 4180 CSV with a header row, for spreadsheets", True),
    Format("markdown", "a Markdown document or table", False),
    Format("html", "a self-contained HTML page, for e-mail and intranets", False),
    Format("svg", "a picture (SVG), for briefings", False),
    Format("ics", "an RFC 5545 calendar", True),
)


def format_info(name: str) -> Format:
    for f in FORMATS:
        if f.name == name:
            return f
    raise KeyError(name)


# What a renderer gives: the text, bytes (a binary format), or the text in chunks (10,000 rows
# written as they are made rather than held whole).
Renderer = Callable[[Any, Output], "str | bytes | Iterator[str]"]

# (kind, format) -> renderer, filled by the modules that render each kind (imported lazily by
# `renderers()`, so that `--format json` does not import the table layout).
RENDERERS: dict[tuple[str, str], Renderer] = {}
_KIND_MODULES = {
    "rows": "aes_tracker.render.rows",
    "commitment": "aes_tracker.render.show",
    "versions": "aes_tracker.render.show",
    "sources": "aes_tracker.render.entries",
    "log": "aes_tracker.render.entries",
    "report": "aes_tracker.render.report",
    "stats": "aes_tracker.render.stats",
    "timeline": "aes_tracker.render.stats",
    "matrix": "aes_tracker.render.matrix",
    "export": "aes_tracker.render.export",
}
# The formats of each kind, in the order --help lists them. A kind's renderers must cover exactly
# these (a test checks), so the CLI's choices are never a promise the renderers cannot keep.
KIND_FORMATS: dict[str, tuple[str, ...]] = {
    "rows": ("table", "plain", "json", "csv", "markdown"),
    "commitment": ("table", "plain", "json", "csv", "markdown"),
    "versions": ("table",),  # `show` in a file a merge left conflicts in
    "sources": ("table", "plain", "json", "csv", "markdown"),
    "log": ("table", "plain", "json", "csv", "markdown"),
    "report": ("text", "markdown", "json", "html"),
    "stats": ("table", "markdown", "json", "svg"),
    "matrix": ("table", "markdown", "csv", "json", "svg"),
    "timeline": ("text", "json", "svg"),
    "export": ("json", "csv", "ics"),
}


def formats_for(kind: str) -> tuple[str, ...]:
    return KIND_FORMATS[kind]


def renderer(kind: str, fmt: str) -> Renderer:
    if (kind, fmt) not in RENDERERS:
        import importlib

        importlib.import_module(_KIND_MODULES[kind])
    return RENDERERS[(kind, fmt)]


def register(kind: str, *fmts: str) -> Callable[[Renderer], Renderer]:
    def deco(fn: Renderer) -> Renderer:
        for f in fmts:
            RENDERERS[(kind, f)] = fn
        return fn

    return deco


def register_data(kind: str, lines: Callable[[Mapping[str, Any], int, bool], list[str]]) -> None:
    """`kind` given as data (a mapping): `json` writes it as it is, `table` is `lines` of it at
    the page's width, in colour or not."""

    def as_table(data: Mapping[str, Any], out: Output) -> str:
        return "\n".join(lines(data, out.width, out.color)) + "\n"

    register(kind, "json")(lambda data, out: to_json(data))
    register(kind, "table")(as_table)


def parse_format(kind: str, text: str, field: str = "format") -> str:
    """A format name as a person types it, for this kind of output."""
    names = formats_for(kind)
    wanted = text.strip().lower()
    if wanted in names:
        return wanted
    raise TrackerError(
        _("'{value}' is not a format here; use one of {choices}").format(
            value=safe(text), choices=", ".join(names)
        ),
        field=field,
    )


def emit(
    out: Output,
    kind: str,
    fmt: str,
    payload: Any,
    *,
    output: Path | None = None,
    forbidden: tuple[Path, ...] = (),
    excel: bool = False,
    like: Path | None = None,
) -> None:
    """Render `payload` in `fmt` and write it, in one place: to `output` (atomically) when given,
    else to the stream. A machine format is rendered in English whatever the language, so that
    its bytes never depend on it. `excel`: the CSV's form for spreadsheets, refused with any
    other format."""
    if excel:
        if fmt != "csv":
            raise TrackerError(_("--excel goes with --format csv"))
        out = out._replace(excel=True)
    if format_info(fmt).machine:
        from aes_tracker.i18n import untranslated

        with untranslated():
            return _emit(out, kind, fmt, payload, output, forbidden, like)
    return _emit(out, kind, fmt, payload, output, forbidden, like)


def _emit(
    out: Output,
    kind: str,
    fmt: str,
    payload: Any,
    output: Path | None,
    forbidden: tuple[Path, ...],
    like: Path | None,
) -> None:
    data = renderer(kind, fmt)(payload, out)
    if output is not None:
        from aes_tracker.store.fileio import write_output

        if not isinstance(data, str | bytes):
            data = "".join(data)
        write_output(
            output,
            data.encode("utf-8") if isinstance(data, str) else data,
            forbidden=forbidden,
            like=like,
        )
        return
    if isinstance(data, bytes):
        out.stream.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    if isinstance(data, str):
        if data and not data.endswith("\n"):
            data += "\n"
        out.stream.write(data)
        return
    for chunk in data:  # chunks end with a newline
        out.stream.write(chunk)


# ---- shared plain forms -----------------------------------------------------------------------


# json and csv are imported by the formats that write them: a table needs neither.


def to_json(obj: Any) -> str:
    import json

    return json.dumps(obj, ensure_ascii=False, indent=2) + "\n"


def _line_encoder() -> Callable[[Any], str]:
    """`json.dumps(x, ensure_ascii=False)`, one encoder made once for all the rows:
    `JSONEncoder.encode` makes a new C encoder for every call (about 30 ms of
    `list --format json` at 10,000 rows). Same bytes (tests/test_render.py); where the C
    accelerator is missing (another Python), the standard encoder."""
    import json
    import json.encoder

    plain = json.JSONEncoder(ensure_ascii=False)
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return plain.encode
    # markers=None: no cycle check, rows are trees; `default` raises the standard TypeError.
    enc = make(
        None, plain.default, json.encoder.encode_basestring, None, ": ", ", ", False, False, True
    )
    join = "".join
    return lambda obj: join(enc(obj, 0))


def to_json_lines(items: Iterable[Any], dumps: Callable[[Any], str] | None = None) -> Iterator[str]:
    """A JSON array with one object per line: the same data as an indented array, readable
    line by line (grep, a diff), and written by the C encoder, ten times faster than indent=2
    (which the standard library can only do in Python) on 10,000 commitments. In chunks of a few
    hundred lines, so that the whole text is never held at once. `dumps`: what writes one item
    (default: the encoder, for JSON-ready items)."""
    if dumps is None:
        dumps = _line_encoder()
    it = iter(items)
    first = next(it, None)
    if first is None:
        yield "[]\n"
        return
    # Each chunk but the first starts with the comma that ends the line before it.
    lead = "[\n"
    chunk = [dumps(first)]
    for item in it:
        chunk.append(dumps(item))
        if len(chunk) >= 512:
            yield lead + ",\n".join(chunk)
            lead, chunk = ",\n", []
    yield (lead + ",\n".join(chunk) if chunk else "") + "\n]\n"


def _item(x: Any) -> str:
    if isinstance(x, dict) and "field" in x:
        from aes_tracker.domain.records import change_text

        return change_text(x)  # a change, as the line the file writes
    return str(x)


def cell(v: Any, sep: str = "; ") -> str:
    """A value as one CSV or plain cell: lists joined with `sep`, booleans as true/false, null as
    empty, and a mapping (per-party assessments) as `key=value` pairs."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list | tuple):
        return sep.join(_item(x) for x in v)
    if isinstance(v, dict):
        return sep.join(f"{k}={x}" for k, x in v.items())
    return str(v)


def to_csv(rows: Sequence[Mapping[str, Any]], keys: Sequence[str], *, excel: bool = False) -> str:
    """RFC 4180, a header row. The plain form is raw (every cell as in the data, even one a
    spreadsheet would read as a formula, but for `csv_cell`'s one exception); `excel` adds a
    UTF-8 BOM (so Excel shows accents) and neutralises such cells (`excel_cell`)."""
    import csv

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(keys)
    each = excel_cell if excel else csv_cell
    for r in rows:
        w.writerow([each(cell(r.get(k))) for k in keys])
    return ("\ufeff" if excel else "") + buf.getvalue()


# CommonMark lets any ASCII punctuation be escaped with a backslash; these are the ones that can
# start something in running text (emphasis, a code span, a link, raw HTML, an entity, a table
# cell's end, strikethrough), so user text escaped this way reads back as written. An underscore
# between two letters or digits cannot (in_progress stays as it is typed).
_MD_ACTIVE = str.maketrans({ch: "\\" + ch for ch in "\\`*[]<>|&~"})
_MD_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
# What would open a block of its own at the head of a list item or a heading: a list marker or an
# ordered list's number followed by a space, a heading's #, a quote's >.
_MD_BLOCK_START = re.compile(r"^(?:[-+]|\d{1,9}[.)]|#{1,6})(?= |$)|^>")


def md(s: str) -> str:
    """User text for Markdown (a table cell, a list item, a heading): on one line, every
    character CommonMark would act on escaped, so it reads back as written."""
    t = _MD_UNDERSCORE.sub(r"\\_", " ".join(safe(s).split()).translate(_MD_ACTIVE))
    m = _MD_BLOCK_START.match(t)
    if m:
        end = max(m.end() - 1, 0)
        t = t[:end] + "\\" + t[end:]
    return t


def md_code(s: str, cell: bool = False) -> str:
    """An identifier as a code span that holds it whatever it holds: a fence longer than any
    run of backticks in it, padded when it starts or ends with one (CommonMark 6.1). In a table
    `cell`, a pipe is escaped even there (GFM tables split on it first)."""
    t = " ".join(safe(s).split())
    fence = "`" * (max((len(r) for r in re.findall(r"`+", t)), default=0) + 1)
    pad = " " if t.startswith("`") or t.endswith("`") else ""
    if cell:
        t = t.replace("|", "\\|")
    return f"{fence}{pad}{t}{pad}{fence}"
