"""The units a merge and a settling work on: a parsed data file seen as top-level keys, sources
and commitments, each reached by its path (`("commitments", ID)`, `("sources", ID)`, `(key,)`);
a key that is absent (`MISSING`, a value like any other); values compared key by key; a unit
written back as its own TOML text.

Pure: nothing here reads or writes a file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from aes_tracker.store.tomlfile import dumps, same

Unit = tuple[str, ...]


class _Missing:
    """A key that is not there (distinct from every TOML value)."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


def label_of(unit: Unit) -> str:
    """A commitment by its ID; a source as `sources.ID`; a top-level key by its name."""
    return unit[1] if unit[0] == "commitments" else ".".join(unit)


def same_value(a: Any, b: Any) -> bool:
    """Equal as TOML values; `MISSING` equals only itself."""
    if a is MISSING or b is MISSING:
        return a is b
    return same(a, b)


def keys_of(*tables: Mapping[str, Any]) -> list[str]:
    """The keys of all the tables, each once, in the order they first come."""
    out: dict[str, None] = {}
    for t in tables:
        out.update(dict.fromkeys(t))
    return list(out)


def differing(o: Any, t: Any) -> tuple[str, ...]:
    """The keys on which two tables differ; ("",) for two other values that differ."""
    if isinstance(o, dict) and isinstance(t, dict):
        return tuple(
            k for k in keys_of(o, t) if not same_value(o.get(k, MISSING), t.get(k, MISSING))
        )
    return () if same_value(o, t) else ("",)


def table_of(doc: Mapping[str, Any], key: str) -> dict[str, Any]:
    """The table at `key` ({} when it is absent or not a table)."""
    v = doc.get(key, {})
    return v if isinstance(v, dict) else {}


def value_at(doc: Mapping[str, Any], unit: Unit) -> Any:
    cur: Any = doc
    for k in unit:
        if not isinstance(cur, dict) or k not in cur:
            return MISSING
        cur = cur[k]
    return cur


def set_at(doc: dict[str, Any], unit: Unit, value: Any) -> None:
    """Put `value` at `unit` (`MISSING`: remove the unit)."""
    cur = doc
    for k in unit[:-1]:
        cur = cur.setdefault(k, {})
    if value is MISSING:
        cur.pop(unit[-1], None)
    else:
        cur[unit[-1]] = value


def copy_units(doc: Mapping[str, Any], units: Sequence[Unit]) -> dict[str, Any]:
    """A copy of `doc` in which the units can be set without touching `doc`."""
    out = dict(doc)
    for key in {u[0] for u in units if len(u) > 1}:
        if isinstance(out.get(key), dict):
            out[key] = dict(out[key])
    return out


def piece(unit: Unit, value: Any) -> str:
    """The TOML text of one unit holding `value` ("" for `MISSING`)."""
    if value is MISSING:
        return ""
    nested: Any = value
    for k in reversed(unit):
        nested = {k: nested}
    return dumps(nested).decode("utf-8")
