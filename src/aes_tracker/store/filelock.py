"""The data file's exclusive lock: held for the whole of a write, waited for at most a given
time, never stale (the kernel releases a dead process's lock). No TOML, no terminal."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

from aes_tracker.errors import BusyError, TrackerError
from aes_tracker.i18n import _
from aes_tracker.store.fileread import os_message
from aes_tracker.store.paths import lock_path

DEFAULT_LOCK_TIMEOUT = 5.0


@contextlib.contextmanager
def locked(path: Path, timeout: float) -> Iterator[None]:
    """Hold the exclusive lock of the data file at `path`, waiting at most `timeout` seconds.
    The lock file is never replaced or deleted, so a lock held by a process that died is released
    by the kernel: it is never stale. A link where the lock file should be is refused (following
    it would create or lock some other file)."""
    lp = lock_path(path)
    try:
        fd = os.open(
            lp, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW | os.O_NONBLOCK, 0o666
        )
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise TrackerError(
                _("the lock file {lock} is a symbolic link; remove it").format(lock=lp),
                path=str(path),
            ) from None
        if e.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise TrackerError(os_message(e, lp.parent), path=str(path)) from None
        raise TrackerError(
            _("cannot open the lock file {lock}: {reason}").format(lock=lp, reason=e.strerror),
            path=str(path),
        ) from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise TrackerError(
                _("the lock file {lock} is not a regular file; remove it").format(lock=lp),
                path=str(path),
            )
        if not _acquire(fd, timeout):
            raise BusyError(
                _("file is busy: another aes-tracker holds the lock {lock} (waited {n}s)").format(
                    lock=lp, n=f"{timeout:g}"
                ),
                path=str(path),
                hint=_("try again, or wait longer with --lock-timeout SECONDS"),
            )
        yield
    finally:
        os.close(fd)  # closing releases the flock


@contextlib.contextmanager
def lock_if_free(path: Path) -> Iterator[bool]:
    """Hold the data file's lock for the block if no writer holds it now (True), else do
    nothing (False); never waits. For tidying up after a killed writer: under the lock, no temp
    file belongs to a live one."""
    import fcntl

    flags = os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW | os.O_NONBLOCK
    try:
        fd = os.open(lock_path(path), flags, 0o666)
    except OSError:
        yield False
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        yield True
    finally:
        os.close(fd)


# A wait this long (about 115 days) is taken as "wait as long as it takes": the interval timer
# cannot hold much more (`--lock-timeout inf` would overflow it).
_FOREVER = 1e7


class _LockWait(Exception):
    """Raised from the SIGALRM handler to end a blocking `flock` wait."""


def _acquire(fd: int, timeout: float) -> bool:
    """Take the exclusive flock on `fd` within `timeout` seconds; False when the time is up.

    A waiter blocks in the kernel rather than polling: polling loses to a writer that releases
    and re-takes the lock in a loop (a cron job adding many items), and can starve for the whole
    timeout. The kernel wakes a blocked waiter the moment the lock is released. The timeout is a
    one-shot SIGALRM timer whose handler raises, which ends the blocking call (as `flock -w`
    does). Signal handlers can only be set from the main thread; elsewhere it falls back to
    polling."""
    import fcntl
    import signal
    import threading

    if _try_flock(fd):
        return True
    if timeout <= 0:
        return False
    if timeout >= _FOREVER:
        fcntl.flock(fd, fcntl.LOCK_EX)
        return True
    if threading.current_thread() is not threading.main_thread():
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            time.sleep(0.005)
            if _try_flock(fd):
                return True
        return False

    def expire(signum: int, frame: object) -> None:
        raise _LockWait()

    previous = signal.signal(signal.SIGALRM, expire)
    try:
        try:
            signal.setitimer(signal.ITIMER_REAL, timeout)
            fcntl.flock(fd, fcntl.LOCK_EX)
            return True
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _LockWait:
        # Time is up. The timer may have fired just after flock returned, so ask once more
        # without blocking (taking a lock this descriptor already holds is a no-op).
        return _try_flock(fd)
    finally:
        signal.signal(signal.SIGALRM, previous)


def _try_flock(fd: int) -> bool:
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
