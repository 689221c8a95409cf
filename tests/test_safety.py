"""Nothing lost: kill -9, named fault points, I/O errors at every step, concurrent writers,
a busy lock, torn reads. Real processes wherever only a process shows it."""

from __future__ import annotations

import errno
import os
import random
import signal
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from aes_tracker import fileio, ops
from aes_tracker.errors import TrackerError
from aes_tracker.paths import Location
from aes_tracker.store import Draft, update

from .conftest import bare_env, installed_cmd

HELPERS = Path(__file__).parent / "helpers"
IDS = ["sec-targeted-training", "dev-infrastructure", "dip-un-charter", "dev-economic-operators"]


def _notes(path: Path, cid: str) -> list[str]:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    return [h["note"] for h in raw["commitments"][cid]["history"] if h["event"] == "note"]


def _temps(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir() if ".tmp-" in p.name)


def _helper(*args: str, **kw: Any) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(HELPERS / args[0]), *args[1:]],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )


def _cli(
    datafile: Path, tmp_path: Path, *args: str, **env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*installed_cmd(), "--file", str(datafile), "--as-of", "2026-11-28", "--by", "t", *args],
        env=bare_env(tmp_path, **env),
        text=True,
        capture_output=True,
        timeout=60,
        check=False,
    )


# ---- 1. kill -9 -----------------------------------------------------------------------------


def test_kill_9_at_random_moments_leaves_before_or_after(datafile: Path, tmp_path: Path) -> None:
    """50 writers, each killed at a random moment while it makes note after note: the file
    always parses, and the notes in it are exactly the first k written, for some k."""
    rng = random.Random(20261128)
    written = 0
    for run in range(50):
        p = _helper("writer.py", str(datafile), "dip-un-charter", "1000", f"r{run}")
        assert p.stdout is not None
        assert p.stdout.readline() == "ready\n"
        time.sleep(rng.uniform(0.0, 0.08))
        p.send_signal(signal.SIGKILL)
        p.wait(timeout=30)
        notes = _notes(datafile, "dip-un-charter")
        mine = [n for n in notes if n.startswith(f"r{run} ")]
        assert mine == [f"r{run} {i}" for i in range(len(mine))], "torn or out-of-order write"
        written += len(mine)
    assert written > 0, "the writers never got a write in: the loop tested nothing"
    # The next command sweeps any temp file a killed writer left behind.
    assert _cli(datafile, tmp_path, "note", "dip-un", "after the storm").returncode == 0
    assert _temps(datafile) == []


@pytest.mark.parametrize(
    "point", ["after-temp-write", "after-fsync", "after-exchange", "after-replace"]
)
def test_named_fault_points(datafile: Path, tmp_path: Path, point: str) -> None:
    before = datafile.read_bytes()
    p = _cli(datafile, tmp_path, "note", "sec-targ", "faulty", _AES_TRACKER_TEST_FAULT=point)
    assert p.returncode == -signal.SIGKILL
    tomllib.loads(datafile.read_text())  # parses
    if point == "after-replace":
        assert _notes(datafile, "sec-targeted-training") == ["faulty"]
        assert _temps(datafile) == []
    elif point == "after-exchange" and fileio.exchange_supported():
        # Swapped in; the old bytes wait in the temp file, which the next command removes.
        assert _notes(datafile, "sec-targeted-training") == ["faulty"]
        assert len(_temps(datafile)) == 1
    else:
        assert datafile.read_bytes() == before
        assert len(_temps(datafile)) == 1, "the killed writer's temp file is there..."
    p = _cli(datafile, tmp_path, "note", "sec-targ", "next")
    assert p.returncode == 0, p.stderr
    assert _temps(datafile) == [], "...and the next command removes it"
    assert _notes(datafile, "sec-targeted-training")[-1] == "next"


# ---- 2. I/O errors at every step --------------------------------------------------------------


class _FailingOs:
    """`os` as the store sees it, with the Nth call of one function failing."""

    def __init__(self, name: str, n: int, err: int) -> None:
        self.name, self.n, self.err, self.calls = name, n, err, 0

    def __getattr__(self, attr: str) -> Any:
        real = getattr(os, attr)
        if attr != self.name:
            return real

        def wrapper(*a: Any, **k: Any) -> Any:
            self.calls += 1
            if self.calls == self.n:
                raise OSError(self.err, os.strerror(self.err))
            return real(*a, **k)

        return wrapper

    def builtin_open(self, *a: Any, **k: Any) -> Any:
        self.calls += 1
        if self.calls == self.n:
            raise OSError(self.err, os.strerror(self.err))
        return open(*a, **k)


@pytest.mark.parametrize("err", [errno.ENOSPC, errno.EIO])
@pytest.mark.parametrize("name", ["write", "fsync", "replace", "open", "renameat2"])
def test_io_error_sweep(datafile: Path, name: str, err: int) -> None:
    """Make the Nth call fail, for N = 1, 2, ... until the command completes cleanly: before
    that, every run either ends in a clear error, leaving the file byte-identical with no temp
    file, or (when the failing call was the undo journal's) writes the change and says that it
    cannot be undone."""
    original = datafile.read_bytes()
    failures = 0
    if name == "renameat2" and not fileio.exchange_supported():
        pytest.skip("no renameat2 here")
    for n in range(1, 300):
        fake = _FailingOs(name, n, err)
        # A monkeypatch of its own: undoing the test's one would undo the isolation of HOME.
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(fileio, "os", fake)
            if name == "open":  # the builtin open too: it reads the file and checks its hash
                mp.setattr(fileio, "open", fake.builtin_open, raising=False)
            if name == "replace":  # os.replace: the fallback, where renameat2 cannot exchange
                mp.setenv(fileio.NOEXCHANGE_ENV, "1")
            if name == "renameat2":
                real_exchange = fileio._exchange

                def exchange(
                    a: Path, b: Path, fake: _FailingOs = fake, real_exchange: Any = real_exchange
                ) -> bool:
                    fake.calls += 1
                    if fake.calls == fake.n:
                        raise OSError(fake.err, os.strerror(fake.err))
                    return real_exchange(a, b)

                mp.setattr(fileio, "_exchange", exchange)
            try:
                _, written = update(Location(datafile, True), _note("sweep"))
            except TrackerError as e:
                failures += 1
                assert e.exit_code == 2
                assert datafile.read_bytes() == original, f"call {n} of {name} changed the file"
                assert _temps(datafile) == []
                assert os.strerror(err) in str(e) or "no space left" in str(e)
                continue
        assert _notes(datafile, "sec-targeted-training") == ["sweep"]
        if written.warnings:  # the journal's write failed, the change went through
            assert "undo" in written.warnings[0]
            datafile.write_bytes(original)
            continue
        break
    else:
        pytest.fail("the command never completed")
    assert failures >= 1, f"no {name} call could be made to fail: the sweep tested nothing"


def _note(text: str, cid: str = "sec-targeted-training") -> Callable[[Draft], ops.Outcome]:
    who = ops.Who("t", date(2026, 11, 28), datetime(2026, 11, 28, tzinfo=UTC))
    return lambda d: ops.add_note(d, cid, text, who, on=who.today)


def test_io_error_from_the_cli_is_one_line_exit_2(datafile: Path, tmp_path: Path) -> None:
    """A full disk, as a user meets it: a read-only bind is not available here, so the folder is
    made unwritable for the temp file by putting a directory where the lock file goes."""
    (datafile.parent / "commitments.toml.lock").mkdir()
    before = datafile.read_bytes()
    p = _cli(datafile, tmp_path, "note", "sec-targ", "x")
    assert p.returncode == 2
    assert p.stderr.startswith(f"error: {datafile}: cannot open the lock file")
    assert "Traceback" not in p.stderr and datafile.read_bytes() == before


# ---- 3. concurrent writers ----------------------------------------------------------------------


def _race(datafile: Path, **env: str) -> dict[str, list[str]]:
    procs = [
        _helper("writer.py", str(datafile), cid, "25", f"w{i}", env={**os.environ, **env})
        for i, cid in enumerate(IDS)
    ]
    for p in procs:
        _, errs = p.communicate(timeout=300)
        assert p.returncode == 0, errs
    return {cid: _notes(datafile, cid) for cid in IDS}


def test_concurrent_writers_lose_nothing(datafile: Path) -> None:
    notes = _race(datafile)
    for i, cid in enumerate(IDS):
        assert notes[cid] == [f"w{i} {n}" for n in range(25)]
    assert sum(len(v) for v in notes.values()) == 100


def test_without_the_lock_updates_can_be_lost(datafile: Path, tmp_path: Path) -> None:
    """The same race with the lock and the hash check switched off: it loses updates, so the
    test above is known to be able to fail."""
    original = datafile.read_bytes()
    for _ in range(5):
        datafile.write_bytes(original)
        notes = _race(datafile, _AES_TRACKER_TEST_NOLOCK="1")
        if sum(len(v) for v in notes.values()) < 100:
            return
    pytest.fail("five unprotected races lost nothing: the lost-update test cannot fail")


# ---- 4. busy lock, torn reads ------------------------------------------------------------------


def test_busy_lock_fails_clearly_then_waits(datafile: Path, tmp_path: Path) -> None:
    before = datafile.read_bytes()
    holder = _helper("holdlock.py", str(datafile), "3.0")
    assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
    p = _cli(datafile, tmp_path, "--lock-timeout", "0", "note", "sec-targ", "x")
    assert p.returncode == 2
    assert p.stderr.splitlines()[0] == (
        f"error: {datafile}: file is busy: another aes-tracker holds the lock "
        f"{datafile}.lock (waited 0s)"
    )
    assert datafile.read_bytes() == before
    started = time.monotonic()
    p = _cli(datafile, tmp_path, "--lock-timeout", "0.5", "note", "sec-targ", "x")
    assert p.returncode == 2
    assert time.monotonic() - started >= 0.5
    assert "(waited 0.5s)" in p.stderr.splitlines()[0]
    assert datafile.read_bytes() == before
    p = _cli(datafile, tmp_path, "--lock-timeout", "inf", "note", "sec-targ", "x")
    assert p.returncode == 0, p.stderr
    holder.wait(timeout=30)
    assert _notes(datafile, "sec-targeted-training") == ["x"]


def test_a_lock_held_by_a_dead_process_is_not_stale(datafile: Path, tmp_path: Path) -> None:
    holder = _helper("holdlock.py", str(datafile), "600")
    assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
    holder.kill()
    holder.wait(timeout=30)
    assert (datafile.parent / "commitments.toml.lock").exists()
    p = _cli(datafile, tmp_path, "--lock-timeout", "0", "note", "sec-targ", "x")
    assert p.returncode == 0, p.stderr


def test_readers_never_see_a_torn_file(datafile: Path) -> None:
    writers = [
        _helper("writer.py", str(datafile), cid, "400", f"t{i}") for i, cid in enumerate(IDS[:2])
    ]
    for w in writers:
        assert w.stdout is not None and w.stdout.readline() == "ready\n"
    reader = _helper("reader.py", str(datafile), "4")
    out, errs = reader.communicate(timeout=120)
    for w in writers:
        w.kill()
    problems = [w.communicate(timeout=30)[1] for w in writers]
    reads, bad = map(int, out.split())
    assert bad == 0, errs
    assert reads > 20
    for cid in IDS[:2]:
        assert len(_notes(datafile, cid)) > 0, f"a writer wrote nothing: {problems}"


def test_a_waiting_writer_is_not_starved(datafile: Path, tmp_path: Path) -> None:
    """A writer that releases and re-takes the lock in a tight loop (a script adding many items)
    must not keep a waiting command out until its timeout: waiters block in the kernel, which
    hands them the lock when it is released (polling lost that race and timed out)."""
    hog = _helper("writer.py", str(datafile), IDS[0], "100000", "hog")
    assert hog.stdout is not None and hog.stdout.readline() == "ready\n"
    try:
        deadline = time.monotonic() + 30
        while not _notes(datafile, IDS[0]) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _notes(datafile, IDS[0]), "the looping writer never wrote"
        for n in range(5):
            p = _cli(datafile, tmp_path, "--lock-timeout", "3", "note", IDS[1], f"waiter {n}")
            assert p.returncode == 0, p.stderr
    finally:
        hog.kill()
        hog.wait(timeout=30)
    assert _notes(datafile, IDS[1]) == [f"waiter {n}" for n in range(5)]
