"""The data file as TOML: bytes to text, text to a document with error positions, where each key
sits (for messages), comments, and the canonical bytes the tool writes.

No file I/O and no terminal in here: see fileio.py for reading and writing, store.py for the
order in which things happen.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import Any, NamedTuple

from aes_tracker.domain.model import (
    COMMITMENT_KEYS,
    EVENT_KEYS,
    GROUP_KEYS,
    SOURCE_KEYS,
    TOP_KEYS,
    Document,
)
from aes_tracker.domain.validate import Keys, Problem
from aes_tracker.errors import TrackerError
from aes_tracker.i18n import N_, _


def toml() -> Reader:
    """The TOML reader: tomli's compiled wheel where installed (the same parser as the standard
    library's tomllib, about 1.6× faster, with error positions as attributes), else tomllib;
    behind the one guard every read of the file goes through (`Reader`)."""
    global _reader
    if _reader is None:
        mod: ModuleType
        try:
            import tomli

            mod = tomli
        except ImportError:  # pragma: no cover - tomli is a dependency; this is the fallback
            import tomllib

            mod = tomllib
        _reader = Reader(mod)
    return _reader


# What a document may hold beyond what the parser checks: the canonical file nests five deep
# (commitments, ID, history, entry, changes), so 32 is far beyond any real file, and far below
# where writing it (tomli-w recurses) or merging it would run out of stack.
MAX_DEPTH = 32
# The regular expressions of this module are kept as text: `re` compiles each the first time it
# is used and keeps it. Most serve errors, `check` or the first read of a file; a warm write needs
# none of them, and compiling them all at import cost it about 5 ms.
_LONG_INT = r"(?<![\w.\"'])[+-]?\d(?:_?\d){4300}"

# Their messages, as the parser's own are (in English, translated where they are shown).
TOO_DEEP = "Nested too deeply"
LONG_INT = "An integer has more than 4,300 digits"
BAD_INSTANT = "Date-time out of range"
_LIMITS = {
    TOO_DEEP: N_("arrays or tables nested more than 32 deep"),
    LONG_INT: N_("an integer has more than 4,300 digits"),
    BAD_INSTANT: N_("a date-time whose UTC time is before year 1 or after 9999"),
}


class Reader:
    """`loads` and `TOMLDecodeError`, as the parser's module has them, with three things the
    parser lets through refused as decode errors with their position, so that each caller's
    existing handling (a section that does not parse falls back to the whole file, whose error
    is shown with its line) covers them: an integer too long for Python to convert (a
    ValueError that is not a decode error), nesting deep enough to exhaust the stack of the
    writer or the merge driver, and an offset date-time whose UTC time does not exist."""

    def __init__(self, mod: ModuleType) -> None:
        self._mod = mod
        self.TOMLDecodeError: type[ValueError] = mod.TOMLDecodeError

    def _error(self, msg: str, text: str, pos: int) -> ValueError:
        if self._mod.__name__ == "tomli":
            return self.TOMLDecodeError(msg, text, pos)
        line = text.count("\n", 0, pos) + 1
        col = pos - (text.rfind("\n", 0, pos) + 1) + 1
        return self.TOMLDecodeError(f"{msg} (at line {line}, column {col})")

    def loads(self, text: str) -> dict[str, Any]:
        try:
            doc: dict[str, Any] = self._mod.loads(text)
        except self.TOMLDecodeError:
            raise
        except ValueError as e:  # int() past sys.get_int_max_str_digits()
            if "integer string conversion" not in str(e):
                raise
            m = re.search(_LONG_INT, text)
            raise self._error(LONG_INT, text, m.start() if m else 0) from None
        bad = None if _within_bounds(text) else _out_of_bounds(doc)
        if bad is not None:
            what, keys = bad
            line = key_line(text, keys) or 1
            pos = 0
            for _n in range(line - 1):
                pos = text.index("\n", pos) + 1
            raise self._error(what, text, pos)
        return doc


_reader: Reader | None = None


def _within_bounds(text: str) -> bool:
    """True when no value of the document `text` parses to can be nested too deeply or be an
    offset date-time with no UTC time, told from the text alone (a section of 10,000 need not
    be walked value by value). A chain of nested containers is opened by the key parts of one
    header, the arrays of tables on its path (each declared by a `[[` header of its own), the key
    parts of one key and the brackets and braces of one value: never more than the text's dots,
    brackets and braces, plus two. A date-time's year is written with four digits."""
    return (
        text.count(".") + text.count("[") + text.count("{") + 2 <= MAX_DEPTH
        and "0001-" not in text
        and "9999-" not in text
    )


def _out_of_bounds(doc: dict[str, Any]) -> tuple[str, Keys] | None:
    """The first value nested too deeply or an offset date-time with no UTC time, and the keys
    that lead to it; None when there is none. One pass without recursion (a deep document is
    what it looks for); the keys are worked out only for a problem found."""
    from datetime import UTC, datetime

    # Each entry: the container, its depth, the entry it is in, and its key there.
    stack: list[tuple[Any, int, Any, Any]] = [(doc, 0, None, None)]
    while stack:
        entry = stack.pop()
        obj, depth = entry[0], entry[1]
        for k, v in obj.items() if type(obj) is dict else enumerate(obj):
            t = type(v)  # the parser's own types, exactly: the fastest test for a 10 MB file
            if t is str:
                continue
            if t is dict or t is list:
                if depth + 1 > MAX_DEPTH:
                    return TOO_DEEP, _keys_of(entry, k)
                stack.append((v, depth + 1, entry, k))
            elif t is datetime and v.tzinfo is not None and v.year in (1, 9999):
                try:
                    v.astimezone(UTC)
                except OverflowError:
                    return BAD_INSTANT, _keys_of(entry, k)
    return None


def _keys_of(entry: tuple[Any, int, Any, Any], key: Any) -> Keys:
    keys = [key]
    while entry[2] is not None:
        keys.append(entry[3])
        entry = entry[2]
    return tuple(reversed(keys))  # KeyIndex finds its line, or that of the nearest key above


class Loaded(NamedTuple):
    """The data file read in full: its bytes, text, raw document and typed view."""

    path: Path
    raw_bytes: bytes
    text: str
    raw: dict[str, Any]
    doc: Document
    bundled: bool  # read from the bundled data because the file does not exist yet

    @property
    def digest(self) -> str:
        from aes_tracker.store.fileread import digest

        return digest(self.raw_bytes)


def decode(data: bytes, path: str) -> str:
    """Bytes to text, refusing what a person would not mean as a TOML file."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise TrackerError(_("is UTF-16 encoded; save it as UTF-8"), path=path)
    if data.startswith(b"\xef\xbb\xbf"):
        raise TrackerError(
            _("starts with a byte-order mark (BOM); save it as UTF-8 without BOM"),
            path=path,
            line=1,
            col=1,
        )
    nul = data.find(b"\x00")
    if nul >= 0:
        line, col = _position(data, nul)
        raise TrackerError(
            _("contains a NUL byte: the file is damaged or not text"), path=path, line=line, col=col
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line, col = _position(data, e.start)
        raise TrackerError(_("is not valid UTF-8"), path=path, line=line, col=col) from None


def _position(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    return line, offset - (data.rfind(b"\n", 0, offset) + 1) + 1


_POS = r"\s*\(at line (\d+), column (\d+)\)$"
_EOF = r"\s*\(at end of document\)$"
_DUP = r"^Cannot declare \((.*)\) twice"
# What the parser's messages mean, in our words (translated where they are shown).
_WHAT = {
    "Invalid value": N_("invalid value"),
    "Cannot overwrite a value": N_("a value is set twice"),
    "Cannot mutate immutable namespace": N_("a table is defined twice"),
    "Invalid statement": N_("invalid statement"),
    "Unclosed array": N_("unclosed array"),
    "Unclosed inline table": N_("unclosed inline table"),
    "Unterminated string": N_("unterminated string"),
    "Invalid date or datetime": N_("invalid date or date-time"),
    "Expected ']' at the end of a table declaration": N_("a table header is missing its ']'"),
    "Expected ']]' at the end of an array declaration": N_("an array header is missing its ']]'"),
    "Expected '=' after a key in a key/value pair": N_("a key is missing its '='"),
    "Invalid initial character for a key part": N_(
        "a key starts with a character keys cannot have"
    ),
    "Expected newline or end of document after a statement": N_(
        "something follows a value on the same line"
    ),
    "Found invalid character": N_("a character is not allowed here"),
    "Cannot redefine namespace": N_("a table is defined twice"),
    "Duplicate inline table key": N_("a key is set twice in an inline table"),
    "Unescaped '\\' in a string": N_("a backslash in a string does not start a valid escape"),
    "Invalid hex value": N_("an escape's hexadecimal value is invalid"),
    "Escaped character is not a Unicode scalar value": N_("an escape names no Unicode character"),
    # Last: the specific "Expected ..." messages above are tried first.
    "Expected": N_("a closing quote or bracket is missing"),
}


def parse(text: str, path: str) -> dict[str, Any]:
    """Text to a document; invalid TOML is one TrackerError with its line and column, in our
    words (the parser's own message names what it expected)."""
    mod = toml()
    try:
        return mod.loads(text)
    except mod.TOMLDecodeError as e:
        raise _decode_error(e, text, path) from None
    except RecursionError:
        raise TrackerError(_("invalid TOML: nested too deeply"), path=path) from None


def _decode_error(e: Exception, text: str, path: str) -> TrackerError:
    msg = getattr(e, "msg", None) or str(e)
    line: int | None = getattr(e, "lineno", None)
    col: int | None = getattr(e, "colno", None)
    # Python 3.11's tomllib has the position only in the message text.
    m = re.search(_POS, msg)
    if m:
        msg = msg[: m.start()]
        if line is None:
            line, col = int(m.group(1)), int(m.group(2))
    if msg in _LIMITS:  # valid TOML, beyond what the tool can hold
        return TrackerError(_(_LIMITS[msg]), path=path, line=line, col=col)
    m = re.search(_EOF, msg)
    if m:
        msg = msg[: m.start()]
    if line is None:
        line = text.count("\n") + 1
    bad_date = _bad_date(text, line, path)
    if bad_date is not None:
        return bad_date
    dup = re.match(_DUP, msg)
    if dup:
        keys = ".".join(re.findall(r"'([^']*)'", dup.group(1)))
        return TrackerError(
            _("invalid TOML: {keys} is declared twice (a duplicate ID?)").format(keys=keys),
            path=path,
            line=line,
            col=col,
        )
    what: str | None = None
    if msg.startswith("Illegal character"):
        if "'\\n'" in msg:
            what = N_("a string is not closed before the end of the line")
        else:
            char = msg[len("Illegal character") :].strip()
            return TrackerError(
                _("invalid TOML: the character {char} is not allowed here").format(char=char),
                path=path,
                line=line,
                col=col,
            )
    else:
        what = next((v for k, v in _WHAT.items() if msg.startswith(k)), None)
    text_msg = _(what) if what else msg[:1].lower() + msg[1:]
    return TrackerError(
        _("invalid TOML: {what}").format(what=text_msg), path=path, line=line, col=col
    )


# A key set to what a person meant as a date (digits-digits-digits) that TOML cannot read as one
# ("2026-13-01", "2026-12-1"): the parser reads the year as a number and stumbles on the rest.
_DATE_LIKE = r"^\s*([A-Za-z0-9_-]+)\s*=\s*(\d{4}-\d{1,2}-\d{1,2}(?:[T ][0-9:.+Z-]+)?)\s*(?:#.*)?$"


def _bad_date(text: str, line: int, path: str) -> TrackerError | None:
    """The error for a date that is not one on `line`, named with its field (the key under
    the nearest table header above it), or None when the line holds no such thing."""
    lines = text.split("\n")
    if not 1 <= line <= len(lines):
        return None
    m = re.match(_DATE_LIKE, lines[line - 1])
    if m is None:
        return None
    key, value = m.group(1), m.group(2)
    try:
        toml().loads(f"v = {value}")
        return None  # a real date: the trouble is elsewhere
    except Exception:  # the parser's error: this value is not a date it can read
        pass
    table = ""
    for above in reversed(lines[: line - 1]):
        h = re.match(_HEADER, above)
        if h:
            table = ".".join(_header_keys(h.group(2)))
            break
    field = f"{table}.{key}" if table else key
    return TrackerError(
        _("{field}: '{value}' is not a date (write it as YYYY-MM-DD)").format(
            field=field, value=value
        ),
        path=path,
        line=line,
        col=m.start(2) + 1,
    )


# ---- where a key is, for messages ----------------------------------------------------------------

_HEADER = r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$"
_KEY = r"^\s*(\"[^\"]*\"|'[^']*'|[A-Za-z0-9_-]+)\s*="
_PARTS = r"\"((?:[^\"\\]|\\.)*)\"|'([^']*)'|([A-Za-z0-9_-]+)"
_TOKEN = r'"""(?:\\[\s\S]|[^\\])*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:\\.|[^"\\\n])*"|\'[^\'\n]*\'|#'


def _header_keys(s: str) -> tuple[str, ...]:
    return tuple(a or b or c for a, b, c in re.findall(_PARTS, s))


class KeyIndex:
    """Where each table and key of a text is defined, built in one pass so that `check` names
    the line of 16,000 problems in linear time. Exact for files laid out as the writer lays them
    out; for other layouts a key's line is that of the nearest table that can be found."""

    def __init__(self, text: str) -> None:
        self.text_lines = text.split("\n")
        self.lines: dict[Keys, int] = {}
        counts: dict[tuple[str, ...], int] = {}
        table: Keys = ()
        skip = _multiline_string_lines(text)
        header, key = re.compile(_HEADER).match, re.compile(_KEY).match
        for no, line in enumerate(self.text_lines, 1):
            if no in skip:
                continue
            m = header(line)
            if m:
                keys = _header_keys(m.group(2))
                if m.group(1) == "[[":
                    n = counts.get(keys, 0)
                    counts[keys] = n + 1
                    table = (*keys, n)
                else:
                    table = keys
                self.lines.setdefault(table, no)
                continue
            km = key(line)
            if km:
                self.lines.setdefault((*table, km.group(1).strip("\"'")), no)

    def line(self, keys: Keys) -> int | None:
        """The line of `keys`, else of the nearest enclosing key or table."""
        for n in range(len(keys), 0, -1):
            found = self.lines.get(keys[:n])
            if found is not None:
                return found
        return None

    def error(self, problem: Problem, path: str) -> TrackerError:
        line = self.line(problem.keys)
        col = None
        if line is not None:
            # The column of the value on a `key = value` line, else where the line's text starts.
            src = self.text_lines[line - 1] if line <= len(self.text_lines) else ""
            m = re.match(_KEY, src)
            start = m.end() if m else 0
            col = start + len(src[start:]) - len(src[start:].lstrip()) + 1
        return TrackerError(problem.message, path=path, line=line, col=col)


def _multiline_string_lines(text: str) -> set[int]:
    """Lines inside a multi-line string (after its first line), where a `[` or `key =` is
    text, not TOML."""
    if '"""' not in text and "'''" not in text:
        return set()
    out: set[int] = set()
    for m in re.finditer(_TOKEN, text):
        tok = m.group(0)
        if tok.startswith(('"""', "'''")) and "\n" in tok:
            first = text.count("\n", 0, m.start()) + 1
            out.update(range(first + 1, first + tok.count("\n") + 1))
    return out


def key_line(text: str, keys: Keys) -> int | None:
    return KeyIndex(text).line(keys)


def find_comment(text: str) -> int | None:
    """The line of the first comment in a valid TOML text, or None."""
    if "#" not in text:
        return None
    for m in re.finditer(_TOKEN, text):
        if m.group(0) == "#":
            return text.count("\n", 0, m.start()) + 1
    return None


def comments(text: str) -> list[str]:
    """Each comment of a valid TOML text, from its `#` to the end of its line."""
    if "#" not in text:
        return []
    out = []
    for m in re.finditer(_TOKEN, text):
        if m.group(0) == "#":
            end = text.find("\n", m.start())
            out.append(text[m.start() : len(text) if end < 0 else end].rstrip())
    return out


# ---- canonical bytes -----------------------------------------------------------------------------


def _ordered(d: Mapping[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    out = {k: d[k] for k in order if k in d}
    if len(out) == len(d):
        return out  # no key the model does not know (most tables): nothing to sort
    for k in sorted(d):
        if k not in out:
            out[k] = d[k]
    return out


def canonical(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The document with its keys in the canonical order: groups by name, sources and commitments
    sorted by ID,
    known keys in the order of the model, unknown keys after them, sorted; history kept in order."""
    out = _ordered(raw, TOP_KEYS)
    if isinstance(out.get("groups"), dict):
        out["groups"] = {
            name: _ordered(g, GROUP_KEYS) if isinstance(g, dict) else g
            for name, g in sorted(out["groups"].items())
        }
    if isinstance(out.get("sources"), dict):
        out["sources"] = {
            sid: _ordered(s, SOURCE_KEYS) if isinstance(s, dict) else s
            for sid, s in sorted(out["sources"].items())
        }
    if isinstance(out.get("commitments"), dict):
        out["commitments"] = {
            cid: canonical_commitment(c) for cid, c in sorted(out["commitments"].items())
        }
        if not out["commitments"]:
            # No commitments left: no empty `[commitments]` header (the fast path, which writes
            # the prefix alone, gives the same bytes).
            del out["commitments"]
    return out


def canonical_commitment(c: Any) -> Any:
    if not isinstance(c, dict):
        return c
    c = _ordered(c, COMMITMENT_KEYS)
    if isinstance(c.get("history"), list):
        c["history"] = [_ordered(h, EVENT_KEYS) if isinstance(h, dict) else h for h in c["history"]]
    return c


def dumps(raw: Mapping[str, Any]) -> bytes:
    """The canonical bytes of a document: `tomli_w.dumps` of it in the canonical order (through
    store/tomlwrite.py, which writes the same bytes faster)."""
    from aes_tracker.store import tomlwrite

    return tomlwrite.dumps(canonical(raw)).encode("utf-8")


def same(a: Any, b: Any) -> bool:
    """Deep equality in which NaN equals NaN: a document holding `x = nan` is the same document
    after a write (plain == says it is not)."""
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


# ---- the writer's layout: one section per commitment ---------------------------------------------

_HEADER_BYTES = rb"\[\[?[ \t]*([^\]\n]+?)[ \t]*\]\]?[ \t]*$"
_ID = r'^commitments\.(?:"([^"\\]+)"|([A-Za-z0-9_-][A-Za-z0-9._-]*))$'
_SUB = r'^commitments\.(?:"([^"\\]+)"|([A-Za-z0-9_-][A-Za-z0-9._-]*))\.'


class Sections(NamedTuple):
    """Where each commitment's tables are in the bytes of a file laid out as the writer lays it
    out: a prefix (schema, parties, settings, sources), then for each commitment its `[commitments.
    ID]` table and its `[[commitments.ID.history]]` tables, one after the other, in ID order.
    `ok` is False when the file is laid out some other way (then the whole file is parsed)."""

    prefix_end: int
    spans: dict[str, tuple[int, int]]
    ok: bool


def sections(raw_bytes: bytes) -> Sections:
    # Header lines start with "[" at the start of a line; a literal search for "\n[" is ten
    # times faster than a multi-line regex over the whole file, which matters at 10 MB.
    starts = [0] if raw_bytes.startswith(b"[") else []
    starts += [m.start() + 1 for m in re.finditer(rb"\n\[", raw_bytes)]
    header_at = re.compile(_HEADER_BYTES).match
    cid_of, sub_of = re.compile(_ID).match, re.compile(_SUB).match
    spans: dict[str, tuple[int, int]] = {}
    order: list[str] = []
    ok = True
    current: str | None = None
    first: int | None = None
    # `[[commitments.ID.history]]` of the table before it, as the writer spells it: most headers
    # of a file are that line, which the checks below would let through too; a byte comparison
    # skips it five times faster than they do (what the merge driver's scan of three files needs).
    history_line = b""
    for start in starts:
        if history_line and raw_bytes.startswith(history_line, start):
            continue
        eol = raw_bytes.find(b"\n", start)
        m = header_at(raw_bytes, start, len(raw_bytes) if eol < 0 else eol)
        if m is None:
            continue  # "[" opening a line inside a multi-line value, not a header
        name = m.group(1).decode("utf-8", "replace")
        is_array = raw_bytes[start + 1 : start + 2] == b"["
        head = cid_of(name)
        if head is not None and not is_array:
            cid = head.group(1) or head.group(2)
            if cid in spans:
                ok = False  # declared twice, or split: the full parser says which
            if current is not None:
                spans[current] = (spans[current][0], start)
            if first is None:
                first = start
            spans[cid] = (start, len(raw_bytes))
            order.append(cid)
            current = cid
            history_line = f"[[commitments.{cid}.history]]\n".encode() if head.group(2) else b""
            continue
        sub = sub_of(name)
        if sub is not None and (sub.group(1) or sub.group(2)) == current:
            continue  # [[commitments.ID.history]] of the table before it
        if current is not None:
            ok = False  # some other table after the commitments began
        elif name == "commitments" or name.startswith("commitments."):
            ok = False
    if order != sorted(order):
        ok = False
    return Sections(len(raw_bytes) if first is None else first, spans, ok)
