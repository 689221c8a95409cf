"""Files, safely: reading only regular files, the lock, the atomic exchange that cannot lose an
editor's save, private folders, outputs that must not be the data file."""

from __future__ import annotations

import fcntl
import os
import signal
import stat
from pathlib import Path

import pytest

from aes_tracker.errors import BusyError, TrackerError
from aes_tracker.store import fileio, filelock, fileread
from aes_tracker.store.paths import lock_path, temp_prefix


@pytest.fixture(params=["exchange", "fallback"])
def mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every replace test runs with renameat2's exchange and with the plain-rename fallback."""
    if request.param == "fallback":
        monkeypatch.setattr(fileio, "_exchange", lambda a, b: False)
    elif not fileio.exchange_supported():
        pytest.skip("this system has no renameat2(RENAME_EXCHANGE)")
    return str(request.param)


def test_replace_writes_the_new_bytes_and_keeps_the_mode(tmp_path: Path, mode: str) -> None:
    f = tmp_path / "d.toml"
    f.write_bytes(b"old")
    f.chmod(0o640)
    fileio.replace(f, b"new", expect=fileread.digest(b"old"))
    assert f.read_bytes() == b"new"
    assert stat.S_IMODE(f.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.toml"], "no temp file is left"


def test_an_editors_save_is_never_overwritten(tmp_path: Path, mode: str) -> None:
    """The change was computed from b"old"; an editor saved b"theirs" since (by rename, as most
    editors do): the replace is refused and the editor's file is what is left."""
    f = tmp_path / "d.toml"
    f.write_bytes(b"theirs")
    with pytest.raises(fileio.HandEdit):
        fileio.replace(f, b"ours", expect=fileread.digest(b"old"))
    assert f.read_bytes() == b"theirs"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.toml"]


def test_a_symlink_is_followed_and_kept(tmp_path: Path, mode: str) -> None:
    real = tmp_path / "real.toml"
    real.write_bytes(b"old")
    link = tmp_path / "link.toml"
    link.symlink_to(real)
    fileio.replace(link, b"new", expect=fileread.digest(b"old"))
    assert link.is_symlink() and real.read_bytes() == b"new"


def test_put_back_keeps_the_newest_save(tmp_path: Path) -> None:
    """Two saves by an editor around our exchange: the newest ends up in place."""
    if not fileio.exchange_supported():
        pytest.skip("no renameat2")
    f = tmp_path / "d.toml"
    tmp = tmp_path / ".d.toml.tmp-1"
    # After our exchange: our bytes are in place, the editor's first save was displaced into
    # tmp; then the editor saves again (by rename) over our bytes.
    ours = tmp_path / "ours"
    ours.write_bytes(b"ours")
    ours_inode = ours.stat().st_ino
    ours.unlink()  # the editor's rename replaced it
    tmp.write_bytes(b"save-1")
    f.write_bytes(b"save-2")
    fileio._put_back(tmp, f, ours_inode)
    assert f.read_bytes() == b"save-2"
    assert not tmp.exists()


def test_reading_refuses_what_is_not_a_regular_file(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    with pytest.raises(TrackerError, match="not a regular file"):
        fileread.read_file(fifo)  # returns at once: it never waits for a writer
    with pytest.raises(TrackerError, match="is a directory"):
        fileread.read_file(tmp_path)
    with pytest.raises(TrackerError, match="no such file"):
        fileread.read_file(tmp_path / "missing.toml")


def test_a_symlinked_lock_file_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "d.toml"
    f.write_text("x")
    target = tmp_path / "elsewhere"
    lock_path(f).symlink_to(target)
    with pytest.raises(TrackerError, match="symbolic link"), filelock.locked(f, 1):
        pass
    assert not target.exists(), "the link's target was not created"


def test_a_timed_lock_wait_leaves_no_timer_or_handler_behind(tmp_path: Path) -> None:
    """The lock wait uses a one-shot SIGALRM timer: whether it times out or gets the lock, the
    process's previous handler is back and no timer is left running."""
    f = tmp_path / "d.toml"
    f.write_text("x")

    def mine(signum: int, frame: object) -> None:
        raise AssertionError("the lock's timer leaked")

    previous = signal.signal(signal.SIGALRM, mine)
    other = os.open(lock_path(f), os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(other, fcntl.LOCK_EX)
        with pytest.raises(BusyError, match=r"waited 0\.2s"), filelock.locked(f, 0.2):
            pass
        assert signal.getsignal(signal.SIGALRM) is mine
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
        fcntl.flock(other, fcntl.LOCK_UN)
        with filelock.locked(f, 5.0):
            assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
        assert signal.getsignal(signal.SIGALRM) is mine
    finally:
        os.close(other)
        signal.signal(signal.SIGALRM, previous)


def test_private_dirs_are_made_0700_and_checked(tmp_path: Path) -> None:
    d = fileio.private_dir(tmp_path / "state" / "aes")
    assert stat.S_IMODE(d.stat().st_mode) == 0o700
    open_to_all = tmp_path / "shared"
    open_to_all.mkdir()
    open_to_all.chmod(0o777)
    with pytest.raises(TrackerError, match="can be written by other users"):
        fileio.private_dir(open_to_all)
    link = tmp_path / "link"
    link.symlink_to(d)
    with pytest.raises(TrackerError, match="symbolic link"):
        fileio.private_dir(link)


def test_temps_of_dead_writers_are_swept(tmp_path: Path) -> None:
    real = tmp_path / "r.html"
    dead = tmp_path / f"{temp_prefix(real)}999999999-abcd"
    alive = tmp_path / f"{temp_prefix(real)}{os.getpid()}-abcd"
    dead.write_text("x")
    alive.write_text("x")
    fileio.sweep_temps(real, only_dead=True)
    assert not dead.exists() and alive.exists()


def test_an_output_may_not_be_the_data_file(tmp_path: Path) -> None:
    data = tmp_path / "d.toml"
    data.write_text("keep")
    link = tmp_path / "out.csv"
    link.symlink_to(data)
    journal = tmp_path / "journal"
    journal.mkdir()
    for target in (data, link, lock_path(data), journal / "00000001.done"):
        with pytest.raises(TrackerError, match="is the data file"):
            fileio.write_output(target, b"x", forbidden=(data, lock_path(data), journal))
    assert data.read_text() == "keep"
    fileio.write_output(tmp_path / "ok.csv", b"x", forbidden=(data,))
    assert (tmp_path / "ok.csv").read_bytes() == b"x"
