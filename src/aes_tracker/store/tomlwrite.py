"""The canonical writer's TOML, fast: the bytes `tomli_w.dumps` writes (tomli-w 1.x, indent 4, no
multi-line strings), character for character, about four times faster.

tomli-w escapes a string by walking it a character at a time in Python; nearly every string of
a data file has nothing to escape, which one regular-expression search tells. Everything else
follows tomli-w's own rules in the same order (tables after a table's values, an array of tables
written as tables unless each fits on a line as an inline table, arrays one item a line), and
anything this module does not know the type of is handed to tomli-w itself. A property test
(tests/test_tomlwrite.py) checks the result against `tomli_w.dumps` on generated documents.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

# What tomli-w escapes in a basic string: the control characters but tab, the quote, the
# backslash.
_NEEDS_ESCAPE = re.compile(r'[\x00-\x08\x0a-\x1f\x7f"\\]')
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+\Z")
_INDENT = "    "
_MAX_LINE_LENGTH = 100


def dumps(obj: Mapping[str, Any]) -> str:
    """`tomli_w.dumps(obj)`."""
    out: list[str] = []
    _table(obj, "", False, out, {})
    return "".join(out)


def _by_tomli_w(value: Any) -> str:
    """How tomli-w writes one value, through its public API: the line `v = VALUE` it writes
    for a one-key table, without the key and the newline (a string needing escapes, a time)."""
    import tomli_w

    return tomli_w.dumps({"v": value})[len("v = ") : -1]


def _string(s: str) -> str:
    if _NEEDS_ESCAPE.search(s) is None:
        return '"' + s + '"'
    return _by_tomli_w(s)


_keys: dict[str, str] = {}  # a file has a few dozen distinct keys, written 300,000 times


def _key(part: Any) -> str:
    if type(part) is str:
        found = _keys.get(part)
        if found is None:
            found = part if _BARE_KEY.match(part) else _string(part)
            if len(_keys) < 4096:
                _keys[part] = found
        return found
    import tomli_w

    tomli_w.dumps({part: 0})  # not a string: raises tomli-w's own TypeError
    raise TypeError(f"a TOML key must be a string, not {type(part).__name__}")


def _literal(obj: Any, cache: dict[int, str], nest: int = 0) -> str:
    t = type(obj)
    if t is str:
        return _string(obj)
    if t is bool:
        return "true" if obj else "false"
    if t is int or t is date or t is datetime or t is float:
        return str(obj)
    if t is list or t is tuple:
        return _array(obj, cache, nest)
    if t is dict:
        return _inline_table(obj, cache)
    return _by_tomli_w(obj)  # a rarer type (a time of day): tomli-w's own words for it


def _array(obj: list[Any] | tuple[Any, ...], cache: dict[int, str], nest: int) -> str:
    if not obj:
        return "[]"
    item_indent = _INDENT * (1 + nest)
    return (
        "[\n"
        + ",\n".join(item_indent + _literal(item, cache, nest + 1) for item in obj)
        + ",\n"
        + _INDENT * nest
        + "]"
    )


def _inline_table(obj: Mapping[str, Any], cache: dict[int, str]) -> str:
    key = id(obj)
    found = cache.get(key)
    if found is not None:
        return found
    if not obj:
        rendered = "{}"
    else:
        rendered = (
            "{ " + ", ".join(f"{_key(k)} = {_literal(v, cache)}" for k, v in obj.items()) + " }"
        )
    cache[key] = rendered
    return rendered


def _is_aot(v: Any) -> bool:
    return (
        isinstance(v, (list, tuple))
        and bool(v)
        and all(type(x) is dict or isinstance(x, Mapping) for x in v)
    )


def _suits_inline(t: Mapping[str, Any], cache: dict[int, str]) -> bool:
    # First a bound below the line's length, from the keys and the strings' lengths (a string is
    # at least itself and its quotes, any other value a character): a history entry is mostly
    # far too long for a line, and writing it inline only to measure it was a third of the time.
    least = 7  # "    { " and " }," but the last ", "
    for k, v in t.items():
        if type(k) is not str:
            break  # (tomli-w's error, from the full way)
        least += len(k) + 5 + (len(v) + 2 if type(v) is str else 1)  # key, " = ", value, ", "
    else:
        if least > _MAX_LINE_LENGTH:
            return False
    rendered = f"{_INDENT}{_inline_table(t, cache)},"
    return len(rendered) <= _MAX_LINE_LENGTH and "\n" not in rendered


_SCALARS = frozenset({str, int, bool, float, date, datetime})


def _table(
    table: Mapping[str, Any], name: str, inside_aot: bool, out: list[str], cache: dict[int, str]
) -> None:
    yielded = False
    literals: list[tuple[str, Any]] = []
    tables: list[tuple[str, Any, bool]] = []
    for k, v in table.items():
        t = type(v)
        if t in _SCALARS:
            literals.append((k, v))
        elif t is dict or (t is not list and isinstance(v, Mapping)):
            tables.append((k, v, False))
        elif _is_aot(v) and not all(_suits_inline(x, cache) for x in v):
            tables.extend((k, x, True) for x in v)
        else:
            literals.append((k, v))
    if inside_aot or (name and (literals or not tables)):
        yielded = True
        out.append(f"[[{name}]]\n" if inside_aot else f"[{name}]\n")
    if literals:
        yielded = True
        append = out.append
        search = _NEEDS_ESCAPE.search
        for k, v in literals:
            if type(v) is str and search(v) is None:
                append(f'{_key(k)} = "{v}"\n')  # `_string`'s common case, without two calls
            else:
                append(f"{_key(k)} = {_literal(v, cache)}\n")
    for k, v, in_aot in tables:
        if yielded:
            out.append("\n")
        else:
            yielded = True
        part = _key(k)
        _table(v, f"{name}.{part}" if name else part, in_aot, out, cache)
