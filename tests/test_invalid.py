"""Malformed input of every kind: one `error: PATH:LINE:COL: ...` line (or `PATH: ...`), exit 2,
no traceback, no change to the file."""

from __future__ import annotations

import copy
import random
import shutil
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aes_tracker.domain.model import COMMITMENT_KEYS
from aes_tracker.errors import TrackerError
from aes_tracker.store.core import load_bytes
from aes_tracker.store.tomlfile import dumps

from .conftest import DATA, Cli, as_user, give_to_user

CORPUS = Path(__file__).parent / "data" / "invalid"
EXPECTED = dict(
    line.split("\t", 1) for line in (CORPUS / "expected.tsv").read_text("utf-8").splitlines()
)


def test_the_corpus_covers_every_file() -> None:
    assert sorted(EXPECTED) == sorted(p.name for p in CORPUS.glob("*.toml"))
    assert len(EXPECTED) >= 25


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_file(name: str, tmp_path: Path) -> None:
    path = tmp_path / name
    shutil.copyfile(CORPUS / name, path)
    before = path.read_bytes()
    cli = Cli(path)
    expected = EXPECTED[name].replace("{path}", str(path))
    for args in (["list"], ["report"], ["done", "sec-a"], ["note", "sec-a", "x"], ["fmt"]):
        r = cli(*args)
        assert r.exit_code == 2, (args, r.output)
        assert r.stderr.splitlines()[0] == expected, args
        assert "Traceback" not in r.output and r.stdout == ""
        assert path.read_bytes() == before
    r = cli("check")
    assert r.exit_code in (1, 2) and r.stderr.splitlines()[0] == expected


def test_a_directory_where_the_file_should_be(tmp_path: Path) -> None:
    r = Cli(tmp_path)("list")
    assert (r.exit_code, r.stderr) == (2, f"error: {tmp_path}: is a directory, not a data file\n")


def test_twenty_megabytes_of_garbage(tmp_path: Path) -> None:
    path = tmp_path / "big.toml"
    rng = random.Random(1)
    path.write_bytes(bytes(rng.randrange(32, 127) for _ in range(1 << 16)) * 320)
    r = Cli(path)("list")
    assert r.exit_code == 2 and r.stderr.startswith(f"error: {path}:1:")


def test_twenty_megabytes_of_valid_notes_still_work(datafile: Path) -> None:
    raw = tomllib.loads(datafile.read_text())
    raw["commitments"]["dip-un-charter"]["notes"] = "Lorem ipsum dolor sit amet. " * 750_000
    datafile.write_bytes(tomli_w.dumps(raw).encode())
    assert datafile.stat().st_size > 20_000_000
    cli = Cli(datafile)
    assert cli("list", "--format", "json").exit_code == 0
    assert cli("done", "dip-un").exit_code == 0


def test_permission_denied_reading(user_dir: Path) -> None:
    """A normal user (not root, who reads anything) without read permission."""
    data = user_dir / "d.toml"
    shutil.copyfile(DATA, data)
    data.chmod(0o200)
    give_to_user(data)
    r = as_user(["--file", str(data), "list"], user_dir)
    assert (r.returncode, r.stderr) == (2, f"error: {data}: permission denied\n")


def test_read_only_folder(user_dir: Path) -> None:
    """The file is writable but its folder is not: the temp file cannot be made, so nothing is
    written, and the error says where."""
    folder = user_dir / "ro"
    folder.mkdir()
    data = folder / "d.toml"
    shutil.copyfile(DATA, data)
    give_to_user(data)
    folder.chmod(0o555)
    before = data.read_bytes()
    r = as_user(["--file", str(data), "done", "sec-targ"], user_dir)
    assert r.returncode == 2, r.stderr
    assert r.stderr.startswith(f"error: {data}: cannot write in {folder}: ")
    assert r.stderr.rstrip().endswith("the file was not changed")
    assert data.read_bytes() == before


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_escape_as_anything_but_a_tracker_error(data: bytes) -> None:
    try:
        load_bytes(data, Path("x.toml"))
    except TrackerError as e:
        assert str(e).startswith("x.toml")


def _toml_values() -> st.SearchStrategy[Any]:
    scalars = st.one_of(
        st.integers(),
        st.floats(allow_nan=False),
        st.booleans(),
        st.text(max_size=20),
        st.dates(),
        st.datetimes(),
    )
    return st.one_of(
        scalars,
        st.lists(scalars, max_size=3),
        st.dictionaries(st.text(min_size=1, max_size=5), scalars, max_size=2),
    )


BUNDLED = tomllib.loads(DATA.read_text(encoding="utf-8"))
KEYS = [*COMMITMENT_KEYS, "unknown_key"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(BUNDLED["commitments"])), st.sampled_from(KEYS), _toml_values())
def test_valid_toml_with_wrong_values_is_refused_with_its_line(
    cid: str, key: str, value: Any
) -> None:
    raw = copy.deepcopy(BUNDLED)
    raw["commitments"][cid][key] = value
    text = tomli_w.dumps(raw)
    try:
        loaded = load_bytes(text.encode(), Path("w.toml"))
    except TrackerError as e:
        assert e.path == "w.toml" and e.line is not None, str(e)
        assert f"commitments.{cid}" in e.message
        return
    # Accepted: then it must also survive a write (canonical round trip).
    assert tomllib.loads(dumps(loaded.raw).decode()) == loaded.raw
    if key == "unknown_key":
        assert loaded.raw["commitments"][cid]["unknown_key"] == value


def test_unusual_but_valid_layouts_are_read_and_kept(tmp_path: Path) -> None:
    """Dotted keys, inline tables, literal strings: read, and a change keeps every value."""
    text = """schema = 1
sources."s1" = { title = 'Communiqué', date = 2025-04-03, place = "Moscou" }

[commitments]
sec-a.title = 'Provide training'
sec-a.category = "security"
sec-a.parties = ["Russia"]
sec-a.source = "s1"
sec-a.quote = '''des formations ciblées'''
sec-a.status = "pending"
sec-a.due = 2026-04-03
sec-a.desk = { owner = "A. Traoré", priority = 2 }
"""
    path = tmp_path / "odd.toml"
    path.write_text(text)
    cli = Cli(path)
    assert cli("list").exit_code == 0
    r = cli("done", "sec-a")
    assert r.exit_code == 0, r.output
    raw = tomllib.loads(path.read_text())
    assert raw["commitments"]["sec-a"]["desk"] == {"owner": "A. Traoré", "priority": 2}
    assert raw["sources"]["s1"]["place"] == "Moscou"
    assert raw["commitments"]["sec-a"]["status"] == "done"
    assert raw["commitments"]["sec-a"]["due"] == date(2026, 4, 3)
