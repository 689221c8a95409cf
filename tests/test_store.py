"""The store: which file, loading errors with their position, canonical and atomic writes."""

from __future__ import annotations

import os
import stat
import tomllib
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from aes_tracker import ops
from aes_tracker.errors import TrackerError
from aes_tracker.model import Status
from aes_tracker.store import (
    Location,
    dumps,
    find_comment,
    key_line,
    load,
    locate,
    update,
)

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def _done(cid: str) -> Any:
    def change(raw: dict[str, Any], loaded: Any) -> None:
        ops.set_status(raw, cid, Status.DONE, on=date(2026, 11, 28), by="t", now=NOW)

    return change


def test_locate_order(tmp_path: Path) -> None:
    env = {"XDG_DATA_HOME": str(tmp_path / "x")}
    assert locate("a.toml", {"AES_TRACKER_FILE": "b.toml"}, tmp_path) == Location(
        Path("a.toml"), True
    )
    assert locate(None, {"AES_TRACKER_FILE": "b.toml"}, tmp_path) == Location(Path("b.toml"), True)
    assert locate(None, env, tmp_path) == Location(
        tmp_path / "x" / "aes-tracker" / "commitments.toml", False
    )
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "commitments.toml").write_text("schema = 1\n")
    assert locate(None, env, tmp_path) == Location(Path("data") / "commitments.toml", False)


def test_missing_default_file_reads_bundled_and_first_write_creates_it(tmp_path: Path) -> None:
    loc = Location(tmp_path / "u" / "aes-tracker" / "commitments.toml", False)
    assert load(loc).bundled
    _, written = update(loc, _done("sec-targeted-training"), state_home=tmp_path)
    assert written.created_from_bundled and loc.path.exists()
    assert not load(loc).bundled


def test_missing_explicit_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(TrackerError, match="no such file"):
        load(Location(tmp_path / "nope.toml", True))
    with pytest.raises(TrackerError, match="no such file"):
        update(Location(tmp_path / "nope.toml", True), _done("x"))
    assert not (tmp_path / "nope.toml").exists()


def _error(tmp_path: Path, content: bytes | str) -> TrackerError:
    p = tmp_path / "bad.toml"
    p.write_bytes(content.encode() if isinstance(content, str) else content)
    with pytest.raises(TrackerError) as e:
        load(Location(p, True))
    return e.value


def test_invalid_toml_gives_line_and_column(tmp_path: Path) -> None:
    e = _error(tmp_path, "schema = 1\n[commitments.x\n")
    assert (e.line, e.col) == (2, 15)
    assert str(e).startswith(f"{tmp_path / 'bad.toml'}:2:15: invalid TOML")


def test_wrong_type_names_line_and_field(datafile: Path, tmp_path: Path) -> None:
    text = datafile.read_text().replace("review = 2026-01-03", 'review = "tomorrowish"')
    e = _error(tmp_path, text)
    line = text.splitlines().index('review = "tomorrowish"') + 1
    assert e.line == line
    assert e.message == (
        "commitments.inst-next-session-date.review: 'tomorrowish' is not a "
        "date (write it bare, as 2026-04-03)"
    )


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('status = "pending"', 'status = "finished"', "'finished' is not a status"),
        ('category = "security"', 'category = "defence"', "'defence' is not a category"),
        ('source = "aes-russia-2025-04-03"', 'source = "other"', "'other' is not a source"),
        ("schema = 1", "schema = 9", "written by a newer aes-tracker"),
        ('    "Russia",\n]\nsource', '    "Rusia",\n]\nsource', "'Rusia' is not a known party"),
    ],
)
def test_bad_values(datafile: Path, tmp_path: Path, old: str, new: str, message: str) -> None:
    text = datafile.read_text()
    assert old in text
    e = _error(tmp_path, text.replace(old, new, 1))
    assert message in e.message and e.line is not None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x00\x00\x00", "contains a NUL byte"),
        ("schema = 1\n".encode("utf-16"), "is UTF-16"),
        (b"\xef\xbb\xbfschema = 1\n", "byte-order mark"),
        (b'schema = 1\ntitle = "\xe9"\n', "is not valid UTF-8"),
    ],
)
def test_not_text(tmp_path: Path, content: bytes, message: str) -> None:
    assert message in _error(tmp_path, content).message


def test_a_directory_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(TrackerError, match="is a directory"):
        load(Location(tmp_path, True))


def test_key_line_finds_history_entries() -> None:
    text = (
        'schema = 1\n\n[commitments.a]\ntitle = "x"\n\n[[commitments.a.history]]\n'
        "on = 2025-01-01\n\n[[commitments.a.history]]\non = 2025-01-02\nstatus = 1\n"
    )
    assert key_line(text, ("schema",)) == 1
    assert key_line(text, ("commitments", "a", "title")) == 4
    assert key_line(text, ("commitments", "a", "history", 1, "status")) == 11
    assert key_line(text, ("commitments", "a", "missing")) == 3


def test_find_comment_ignores_hashes_in_strings() -> None:
    assert find_comment('a = "#1"\nb = \'#\'\nc = """\n# not a comment\n"""\n') is None
    assert find_comment('a = "#1"\nb = 2 # here\n') == 2
    assert find_comment("# top\na = 1\n") == 1


def test_canonical_output_is_stable_and_sorted(datafile: Path) -> None:
    raw = tomllib.loads(datafile.read_text())
    shuffled = {
        "commitments": dict(reversed(list(raw["commitments"].items()))),
        "sources": raw["sources"],
        "parties": raw["parties"],
        "schema": 1,
    }
    assert dumps(shuffled) == datafile.read_bytes()


def test_canonical_layout_is_exact() -> None:
    raw = {
        "schema": 1,
        "zz": "kept",
        "commitments": {
            "b": {
                "status": "done",
                "title": "T",
                "history": [{"status": "done", "on": date(2026, 1, 2)}],
            }
        },
    }
    assert dumps(raw).decode() == (
        'schema = 1\nzz = "kept"\n\n[commitments.b]\ntitle = "T"\nstatus = "done"\n'
        'history = [\n    { on = 2026-01-02, status = "done" },\n]\n'
    )


def test_write_keeps_unknown_keys(datafile: Path, tmp_path: Path) -> None:
    text = datafile.read_text().replace(
        "[commitments.sec-targeted-training]\n",
        '[commitments.sec-targeted-training]\nanalyst_flag = "watch"\n',
        1,
    )
    text = text.replace("schema = 1\n", 'schema = 1\nowner = "desk-sahel"\n')
    datafile.write_text(text)
    update(Location(datafile, True), _done("sec-targeted-training"), state_home=tmp_path)
    raw = tomllib.loads(datafile.read_text())
    assert raw["owner"] == "desk-sahel"
    assert raw["commitments"]["sec-targeted-training"]["analyst_flag"] == "watch"
    assert raw["commitments"]["sec-targeted-training"]["status"] == "done"


def test_write_refuses_a_file_with_comments(datafile: Path, tmp_path: Path) -> None:
    text = datafile.read_text().replace("schema = 1\n", "schema = 1\n# keep me\n")
    datafile.write_text(text)
    with pytest.raises(TrackerError) as e:
        update(Location(datafile, True), _done("sec-targeted-training"), state_home=tmp_path)
    assert e.value.line == 2 and "comment" in e.value.message
    assert datafile.read_text() == text


def test_write_keeps_mode_and_symlink(datafile: Path, tmp_path: Path) -> None:
    os.chmod(datafile, 0o640)
    link = tmp_path / "link.toml"
    link.symlink_to(datafile)
    update(Location(link, True), _done("sec-targeted-training"), state_home=tmp_path)
    assert link.is_symlink() and os.readlink(link) == str(datafile)
    assert stat.S_IMODE(os.stat(datafile).st_mode) == 0o640
    assert 'status = "done"' in datafile.read_text()
    assert sorted(p.name for p in datafile.parent.iterdir()) == [
        "commitments.toml",
        "commitments.toml.lock",
    ]


def test_a_failed_change_writes_nothing(datafile: Path, tmp_path: Path) -> None:
    before = datafile.read_bytes()

    def change(raw: dict[str, Any], loaded: Any) -> None:
        raw["commitments"]["sec-targeted-training"]["status"] = "finished"

    with pytest.raises(TrackerError, match="'finished' is not a status"):
        update(Location(datafile, True), change, state_home=tmp_path)
    assert datafile.read_bytes() == before


def test_hand_edit_between_read_and_write_is_reapplied_not_lost(
    datafile: Path, tmp_path: Path
) -> None:
    """Someone saves the file (same size, mtime put back) while our change is being computed:
    the change is applied again on top of their edit."""
    calls = []

    def change(raw: dict[str, Any], loaded: Any) -> None:
        calls.append(1)
        if len(calls) == 1:
            st = os.stat(datafile)
            text = datafile.read_text().replace('place = "Moscow"', 'place = "Moscou"')
            datafile.write_text(text)
            os.utime(datafile, ns=(st.st_atime_ns, st.st_mtime_ns))
        ops.set_status(
            raw, "sec-targeted-training", Status.DONE, on=date(2026, 11, 28), by="t", now=NOW
        )

    update(Location(datafile, True), change, state_home=tmp_path)
    raw = tomllib.loads(datafile.read_text())
    assert len(calls) == 2
    assert raw["sources"]["aes-russia-2025-04-03"]["place"] == "Moscou"
    assert raw["commitments"]["sec-targeted-training"]["status"] == "done"


def test_the_undo_journal_is_bounded(
    datafile: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aes_tracker import store
    from aes_tracker.store import Journal

    monkeypatch.setattr(store, "UNDO_DEPTH", 3)
    for i in range(5):
        update(Location(datafile, True), _note_change(f"n{i}"), state_home=tmp_path)
    assert Journal(datafile, tmp_path).depth() == 3
    monkeypatch.setattr(store, "UNDO_BYTES", 1)  # smaller than any step: the newest is kept
    update(Location(datafile, True), _note_change("last"), state_home=tmp_path)
    assert Journal(datafile, tmp_path).depth() == 1
    Journal(datafile, tmp_path).undo(5)
    assert "n4" in datafile.read_text() and "last" not in datafile.read_text()


def _note_change(text: str) -> Any:
    def change(raw: dict[str, Any], loaded: Any) -> None:
        ops.add_note(raw, "dip-un-charter", text, on=date(2026, 11, 28), by="t", now=NOW)

    return change


def test_a_timed_lock_wait_leaves_no_timer_or_handler_behind(datafile: Path) -> None:
    """The lock wait uses a one-shot SIGALRM timer: whether it times out or gets the lock, the
    process's previous handler is back and no timer is left running."""
    import fcntl
    import signal

    from aes_tracker.errors import BusyError
    from aes_tracker.store import lock_path, locked

    def mine(signum: int, frame: object) -> None:
        raise AssertionError("the lock's timer leaked")

    previous = signal.signal(signal.SIGALRM, mine)
    other = os.open(lock_path(datafile), os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(other, fcntl.LOCK_EX)
        with pytest.raises(BusyError, match=r"waited 0\.2s"), locked(datafile, 0.2):
            pass
        assert signal.getsignal(signal.SIGALRM) is mine
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
        fcntl.flock(other, fcntl.LOCK_UN)
        with locked(datafile, 5.0):
            assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
        assert signal.getsignal(signal.SIGALRM) is mine
    finally:
        os.close(other)
        signal.signal(signal.SIGALRM, previous)
