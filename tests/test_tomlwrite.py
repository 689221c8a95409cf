"""The fast canonical writer writes exactly what tomli-w writes."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

import tomli_w
from hypothesis import given, settings
from hypothesis import strategies as st

from aes_tracker.store import tomlwrite

keys = st.one_of(
    st.text(alphabet="abcXYZ019_-", min_size=1, max_size=8),
    st.text(max_size=6),
)
scalars = st.one_of(
    st.text(),
    st.text(alphabet="ab \t\n\r\"\\'é\x00\x7f\x1f", max_size=12),
    st.integers(),
    st.booleans(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(),
    st.datetimes(),
    st.datetimes(timezones=st.just(UTC)),
    st.datetimes(timezones=st.just(timezone(timedelta(hours=-3)))),
    st.times(),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(keys, inner, max_size=4),
        st.lists(st.dictionaries(keys, inner, max_size=4), min_size=1, max_size=3),
    ),
    max_leaves=25,
)
documents = st.dictionaries(keys, values, max_size=6)


def _same_output(doc: dict[str, Any]) -> None:
    try:
        expected: str | type[BaseException] = tomli_w.dumps(doc)
    except (TypeError, ValueError) as e:
        expected = type(e)
    try:
        got: str | type[BaseException] = tomlwrite.dumps(doc)
    except (TypeError, ValueError) as e:
        got = type(e)
    assert got == expected


@settings(max_examples=300, deadline=None)
@given(documents)
def test_the_fast_writer_writes_what_tomli_w_writes(doc: dict[str, Any]) -> None:
    _same_output(doc)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        keys,
        st.lists(
            st.dictionaries(
                keys, st.text(alphabet="ab", max_size=30) | st.integers(), min_size=1, max_size=6
            ),
            min_size=1,
            max_size=4,
        ),
        max_size=3,
    )
)
def test_arrays_of_tables_near_the_inline_limit(doc: dict[str, Any]) -> None:
    # A history entry is written inline when it fits on a line of 100: both sides of that edge.
    _same_output({"commitments": {"x": doc}})


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.dictionaries(
            st.text(alphabet="ab é.", min_size=1, max_size=12),
            st.text(alphabet='aé"\\\n\t', max_size=45)
            | st.integers()
            | st.booleans()
            | st.lists(st.text(alphabet="ab", max_size=9), max_size=3),
            min_size=1,
            max_size=5,
        ),
        min_size=1,
        max_size=3,
    )
)
def test_the_inline_limit_with_escapes_quoted_keys_and_lists(entries: list[Any]) -> None:
    # The writer bounds a line's length from below before writing it inline (quotes, escapes and
    # quoted keys only lengthen it): on both sides of the limit, tomli-w's choice all the same.
    _same_output({"commitments": {"x": {"history": entries}}})


def test_rarer_types_and_the_bundled_data() -> None:
    _same_output({"t": time(1, 2, 3), "nan": math.nan, "tuple": (1, "a"), "e": {}, "a": []})
    _same_output({"bad": time(1, tzinfo=UTC)})
    _same_output({"d": date(2026, 1, 1), 1: "non-string key"})  # type: ignore[dict-item]
    import tomllib

    data = Path(__file__).resolve().parents[1] / "data"
    for f in sorted(data.glob("*.toml")):
        doc = tomllib.loads(f.read_text(encoding="utf-8"))
        _same_output(doc)
        _same_output(datetime_free(doc))


def datetime_free(doc: Any) -> Any:
    if isinstance(doc, dict):
        return {k: datetime_free(v) for k, v in doc.items()}
    if isinstance(doc, list):
        return [datetime_free(v) for v in doc]
    return doc.date() if isinstance(doc, datetime) else doc
