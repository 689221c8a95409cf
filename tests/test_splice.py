"""The fast write path gives exactly the bytes of a full rewrite, and is really taken."""

from __future__ import annotations

import shutil
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aes_tracker import ops, store
from aes_tracker.model import Category, Status
from aes_tracker.store import Location, update

from .conftest import DATA

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
TODAY = date(2026, 11, 28)
IDS = [
    "dev-economic-operators",
    "inst-annual-consultations",
    "sec-technical-assistance",
    "dip-un-charter",
]
words = st.text(alphabet="abcdefgh éà’-", min_size=1, max_size=10).filter(str.strip)

step = st.one_of(
    st.tuples(st.just("status"), st.sampled_from(IDS), st.sampled_from(list(Status))),
    st.tuples(st.just("note"), st.sampled_from(IDS), words),
    st.tuples(
        st.just("edit"), st.sampled_from(IDS), words, st.dates(date(2025, 1, 1), date(2030, 1, 1))
    ),
    st.tuples(st.just("add"), st.sampled_from(["aaa-first", "zzz-last", "m-middle"]), words),
    st.tuples(st.just("source"), st.sampled_from(["s-new", "s-other"]), words),
)


def _apply(path: Path, s: tuple[Any, ...], fast: bool) -> None:
    kind = s[0]

    def change(raw: dict[str, Any], loaded: Any) -> None:
        if kind == "status":
            ops.set_status(raw, s[1], s[2], on=TODAY, by="p", now=NOW)
        elif kind == "note":
            ops.add_note(raw, s[1], s[2], on=TODAY, by="p", now=NOW)
        elif kind == "edit":
            ops.edit(raw, s[1], {"title": s[2], "due": s[3]}, on=TODAY, by="p", now=NOW)
        elif kind == "add":
            ops.add_commitment(
                raw,
                title=s[2],
                category=Category.DEVELOPMENT,
                parties=["Russia"],
                quote="q",
                source=None,
                on=TODAY,
                by="p",
                now=NOW,
                due=TODAY,
                cid=s[1],
            )
        else:
            ops.add_source(raw, s[1], title=s[2], day=TODAY)

    store.FAST_WRITES = fast
    try:
        update(Location(path, True), change)
    except Exception as e:  # the same refusal must happen on both sides
        raise _Refused(type(e).__name__) from e
    finally:
        store.FAST_WRITES = True


class _Refused(Exception):
    pass


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(step, min_size=1, max_size=8))
def test_fast_writes_give_the_bytes_of_a_full_rewrite(steps: list[tuple[Any, ...]]) -> None:
    with tempfile.TemporaryDirectory() as d:
        fast, slow = Path(d) / "fast.toml", Path(d) / "slow.toml"
        shutil.copyfile(DATA, fast)
        shutil.copyfile(DATA, slow)
        for s in steps:
            outcomes = []
            for path, is_fast in ((fast, True), (slow, False)):
                try:
                    _apply(path, s, is_fast)
                    outcomes.append("ok")
                except _Refused as e:
                    outcomes.append(str(e))
            assert outcomes[0] == outcomes[1], s
            assert fast.read_bytes() == slow.read_bytes(), s


def test_the_fast_path_is_taken_once_the_cache_is_warm(
    datafile: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def note(text: str) -> Any:
        def change(raw: dict[str, Any], loaded: Any) -> None:
            ops.add_note(raw, "dip-un-charter", text, on=TODAY, by="p", now=NOW)

        return change

    update(Location(datafile, True), note("first"))  # a full rewrite; warms the cache

    def no_full_parse(*a: Any, **k: Any) -> Any:
        raise AssertionError("the fast path parsed the whole file")

    real_dumps = store.dumps

    def one_table_only(raw: dict[str, Any]) -> bytes:
        assert list(raw) == ["commitments"] and len(raw["commitments"]) == 1, "a full rewrite"
        return real_dumps(raw)

    monkeypatch.setattr(store, "load", no_full_parse)
    monkeypatch.setattr(store, "dumps", one_table_only)
    update(Location(datafile, True), note("second"))
    update(Location(datafile, True), note("third"))
    monkeypatch.undo()
    text = datafile.read_text()
    assert text.index('note = "second"') < text.index('note = "third"')
    assert store.dumps(store.load(Location(datafile, True)).raw) == datafile.read_bytes()


def test_a_stale_or_lying_cache_cannot_corrupt_a_write(datafile: Path) -> None:
    """The byte ranges come from the file itself; a cache that claims the file is canonical
    when it was edited by hand since only costs the fast path."""
    import hashlib
    import json
    import os

    from aes_tracker import cache

    def change(raw: dict[str, Any], loaded: Any) -> None:
        ops.add_note(raw, "dip-un-charter", "x", on=TODAY, by="p", now=NOW)

    update(Location(datafile, True), change)
    # A hand edit that reorders two tables, and a cache file that lies about it.
    text = datafile.read_text()
    a = text.index("[commitments.dip-equitable-treatment]")
    b = text.index("[commitments.dip-non-interference]")
    c = text.index("[commitments.dip-un-charter]")
    edited = text[:a] + text[b:c] + text[a:b] + text[c:]
    datafile.write_text(edited)
    cf = cache.cache_file(datafile, os.environ)
    summary = json.loads(cf.read_text())
    summary["digest"] = hashlib.sha256(datafile.read_bytes()).hexdigest()
    cf.write_text(json.dumps(summary))
    update(Location(datafile, True), change)
    raw = store.load(Location(datafile, True)).raw
    assert len(raw["commitments"]) == 12
    assert [h.get("note") for h in raw["commitments"]["dip-un-charter"]["history"]][-2:] == [
        "x",
        "x",
    ]
