"""The parse cache never serves stale data and ignores what it did not write."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from aes_tracker import cache
from aes_tracker.store import Location, load_view

from .conftest import Cli


def _cache_file(datafile: Path) -> Path:
    return cache.cache_file(datafile, os.environ)


def test_a_read_fills_the_cache_and_the_next_read_uses_it(datafile: Path) -> None:
    first = load_view(Location(datafile, True))
    assert not first.data.commitments["sec-targeted-training"].summary
    assert _cache_file(datafile).exists()
    second = load_view(Location(datafile, True))
    c = second.data.commitments["sec-targeted-training"]
    assert c.summary and c.quote == ""
    full = second.detail("sec-targeted-training")
    assert full == first.data.commitments["sec-targeted-training"]
    assert {k: v.title for k, v in second.data.commitments.items()} == {
        k: v.title for k, v in first.data.commitments.items()
    }


def test_same_size_same_mtime_edit_is_seen(datafile: Path) -> None:
    cli = Cli(datafile)
    assert cli("list").exit_code == 0  # fills the cache
    st = os.stat(datafile)
    text = datafile.read_text()
    edited = text.replace('status = "pending"', 'status = "stalled"', 1)
    assert len(edited) == len(text)
    datafile.write_text(edited)
    os.utime(datafile, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert os.stat(datafile).st_size == st.st_size
    r = cli("list", "--format", "json", "--status", "stalled")
    assert [x["status"] for x in json.loads(r.stdout)] == ["stalled"]


@pytest.mark.parametrize(
    "garbage",
    [
        b"",
        b"\x00\xff garbage",
        b"[]",
        b'{"v": 1}',
        b'{"v": 999, "digest": "x"}',
        b"null",
        b'{"v": 1, "digest": "DIGEST", "rows": [[1, 2, 3]], "sources": {}, "parties": []}',
        b'{"v": 1, "digest": "DIGEST", "rows": "x", "sources": {}, "parties": []}',
    ],
)
def test_a_garbage_or_foreign_cache_file_is_ignored(datafile: Path, garbage: bytes) -> None:
    cli = Cli(datafile)
    expected = cli("list", "--format", "json").stdout
    import hashlib

    digest = hashlib.sha256(datafile.read_bytes()).hexdigest()
    _cache_file(datafile).write_bytes(garbage.replace(b"DIGEST", digest.encode()))
    r = cli("list", "--format", "json")
    assert r.exit_code == 0 and r.stdout == expected
    r = cli("show", "sec-targ", "--format", "json")
    assert r.exit_code == 0 and json.loads(r.stdout)["quote"].startswith("s’est engagée")


def test_an_unwritable_cache_only_costs_time(datafile: Path, tmp_path: Path) -> None:
    (tmp_path / "blocked").write_text("a file where the cache folder should be")
    env = {"XDG_CACHE_HOME": str(tmp_path / "blocked")}
    r = Cli(datafile)("list", "--format", "json", env=env)
    assert r.exit_code == 0 and len(json.loads(r.stdout)) == 12


def test_report_changed_reads_history_through_the_cache(datafile: Path) -> None:
    cli = Cli(datafile)
    cli("note", "dip-un", "seen in the window", "--on", "2026-11-25")
    cli("list")  # the write warmed the cache; this read uses it
    rep = json.loads(cli("report", "--format", "json").stdout)
    assert [(x["id"], x["note"]) for x in rep["changed"]] == [
        ("dip-un-charter", "seen in the window")
    ]


def test_sections_cover_each_commitment(datafile: Path) -> None:
    raw = datafile.read_bytes()
    where = cache.sections(raw)
    assert len(where) == 12
    start, end = where["sec-targeted-training"]
    assert raw[start:end].startswith(b"[commitments.sec-targeted-training]\n")
    assert b"[commitments.sec-technical-assistance]" not in raw[start:end]
