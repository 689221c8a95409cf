"""Files, safely: reading only regular files, the exclusive lock, atomic replacement that cannot
lose an editor's save, private folders, and the named fault points the tests hook into. No TOML,
no terminal.

The replacement of the data file, in order:

1. the new bytes go to a temp file in the same folder (mode and owner of the old file), fsync;
2. on Linux, `renameat2(RENAME_EXCHANGE)` swaps the temp file and the data file in one atomic
   step; the file displaced by the swap is what was on disk at that instant. If its digest is
   not the one the change was computed from, an editor saved the file meanwhile: the swap is
   undone (the editor's file goes back in place) and the caller applies its change again to it;
3. elsewhere (no renameat2, or a file system without it), the digest of the file is checked and
   then `os.replace` runs: the same check, with a window of microseconds between the two;
4. the folder is fsynced, so the rename itself survives a power cut.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

from aes_tracker.errors import BusyError, TrackerError
from aes_tracker.i18n import _
from aes_tracker.store.paths import lock_path
from aes_tracker.store.paths import temp_prefix as temp_prefix  # where the tests look for it

DEFAULT_LOCK_TIMEOUT = 5.0


def fault(point: str) -> None:
    """A named point in a write (after the temp file is written, after the exchange, ...): the
    tests replace this function to kill or pause the process there (tests/helpers/tool.py).
    The tool itself reads no switch, from the environment or elsewhere: it does nothing."""


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---- reading -------------------------------------------------------------------------------------


# One version of a file: device, inode, size, mtime and ctime in ns. A save by rename is a new
# inode; a write in place changes the ctime, which no program can set back (the mtime it can).
FileId = tuple[int, int, int, int, int]


def file_id(st: os.stat_result) -> FileId:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _same_file(a: FileId, b: FileId) -> bool:
    """The same version, but for the ctime, which a rename of the file itself changes."""
    return a[:4] == b[:4]


def digest_file(path: Path, *, missing_hint: str | None = None) -> str:
    """`digest(read_file(path))` without holding the file: the warm read commands need only
    the digest to find the cache entry (94 MB not held at 100,000 commitments)."""
    with _open_regular(path, missing_hint) as fd:
        try:
            return digest_fd(fd)
        except OSError as e:
            raise TrackerError(
                _("cannot read: {reason}").format(reason=e.strerror or e), path=str(path)
            ) from None


def digest_fd(fd: int) -> str:
    """The digest of an open file's content from its start, through a 1 MiB buffer."""
    h = hashlib.sha256()
    buf = bytearray(1 << 20)
    view = memoryview(buf)
    pos = 0
    while n := os.preadv(fd, [buf], pos):
        h.update(view[:n])
        pos += n
    return h.hexdigest()


def read_file(path: Path, *, missing_hint: str | None = None) -> bytes:
    """The bytes of a regular file. A directory, a FIFO or a device is refused at once (opening
    a FIFO for reading would wait forever for a writer)."""
    return read_file_seen(path, missing_hint=missing_hint)[0]


def read_file_seen(path: Path, *, missing_hint: str | None = None) -> tuple[bytes, FileId]:
    """`read_file`, and the identity of the version read (from the same descriptor)."""
    with _open_regular(path, missing_hint) as fd:
        try:
            st = os.fstat(fd)
            chunks = []
            while True:
                chunk = os.read(fd, max(st.st_size + 1, 1 << 16))
                if not chunk:
                    break
                chunks.append(chunk)
            return b"".join(chunks), file_id(os.fstat(fd))
        except OSError as e:
            raise TrackerError(
                _("cannot read: {reason}").format(reason=e.strerror or e), path=str(path)
            ) from None


@contextlib.contextmanager
def _open_regular(path: Path, missing_hint: str | None) -> Iterator[int]:
    """A descriptor on a regular file. A directory, a FIFO or a device is refused at once
    (opening a FIFO for reading would wait forever for a writer)."""
    shown = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise TrackerError(_("no such file"), path=shown, hint=missing_hint) from None
    except IsADirectoryError:
        raise TrackerError(_("is a directory, not a data file"), path=shown) from None
    except PermissionError:
        raise TrackerError(_("permission denied"), path=shown) from None
    except OSError as e:
        raise TrackerError(
            _("cannot read: {reason}").format(reason=e.strerror or e), path=shown
        ) from None
    try:
        try:
            st = os.fstat(fd)
        except OSError as e:
            raise TrackerError(
                _("cannot read: {reason}").format(reason=e.strerror or e), path=shown
            ) from None
        if stat.S_ISDIR(st.st_mode):
            raise TrackerError(_("is a directory, not a data file"), path=shown)
        if not stat.S_ISREG(st.st_mode):
            raise TrackerError(
                _("is not a regular file (a pipe, a socket or a device); nothing was read"),
                path=shown,
            )
        yield fd
    finally:
        os.close(fd)


def file_digest(path: Path) -> str | None:
    try:
        with open(path, "rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except FileNotFoundError:
        return None


def check_writable(path: Path) -> None:
    """Refuse, before any work, to rewrite a data file its owner made read-only or that this user
    may not write: `chmod 444` means "do not change this", as it does for `echo >> file`."""
    real = os.path.realpath(path)
    try:
        st = os.stat(real)
    except FileNotFoundError:
        return
    if not stat.S_ISREG(st.st_mode):
        raise TrackerError(
            _("is not a regular file (a pipe, a socket or a device); nothing was written"),
            path=str(path),
        )
    if not os.access(real, os.W_OK):
        raise TrackerError(
            _("is read-only for you; nothing was written"),
            path=str(path),
            hint=_("make it writable (chmod u+w) if it should change"),
        )


# ---- the lock ------------------------------------------------------------------------------------


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


# ---- temp files ----------------------------------------------------------------------------------


def _temp_name(real: Path) -> Path:
    return real.parent / f"{temp_prefix(real)}{os.getpid()}-{os.urandom(4).hex()}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_temps(real: Path, *, only_dead: bool = False) -> None:
    """Remove the temp files a killed writer left beside `real`. Under the data file's lock no
    other writer can own one; elsewhere (`only_dead`) only those whose process is gone."""
    prefix = temp_prefix(real)
    try:
        names = [n for n in os.listdir(real.parent) if n.startswith(prefix)]
    except OSError:
        return
    for name in names:
        if only_dead:
            pid = name[len(prefix) :].split("-", 1)[0]
            if not pid.isdigit() or _pid_alive(int(pid)):
                continue
        with contextlib.suppress(OSError):
            (real.parent / name).unlink()


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_temp(
    real: Path, content: bytes, mode: int | None, owner: tuple[int, int] | None
) -> Path:
    tmp = _temp_name(real)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    try:
        view = memoryview(content)
        while view:
            n = os.write(fd, view)
            view = view[n:]
        fault("after-temp-write")
        os.fsync(fd)
        fault("after-fsync")
        if mode is None:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.fchmod(fd, mode)
        if owner is not None and hasattr(os, "fchown"):
            with contextlib.suppress(PermissionError):
                os.fchown(fd, *owner)
    except BaseException:
        os.close(fd)
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    os.close(fd)
    return tmp


# ---- the atomic exchange -----------------------------------------------------------------------

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_exchange_fn: object = None


def _exchange_call() -> object:
    """libc's renameat2, or False where there is none (glibc < 2.28, not Linux)."""
    global _exchange_fn
    if _exchange_fn is None:
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            fn = libc.renameat2
            fn.argtypes = [
                ctypes.c_int,
                ctypes.c_char_p,
                ctypes.c_int,
                ctypes.c_char_p,
                ctypes.c_uint,
            ]
            fn.restype = ctypes.c_int
            _exchange_fn = fn
        except (AttributeError, OSError, ImportError):
            _exchange_fn = False
    return _exchange_fn


def _exchange_after_pause(tmp: Path, real: Path) -> bool:
    fault("before-replace")
    return _exchange(tmp, real)


def exchange_supported() -> bool:
    return bool(_exchange_call())


def _exchange(a: Path, b: Path) -> bool:
    """Swap the files at `a` and `b` atomically; False when the system cannot."""
    fn = _exchange_call()
    if not fn:
        return False
    import ctypes

    rc = fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)  # type: ignore[operator]
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False  # this file system cannot: the caller falls back
    raise OSError(err, os.strerror(err), str(b))


class HandEdit(Exception):
    """The file changed on disk between our read and our write; it was left as the editor saved
    it."""


def replace(
    path: Path,
    content: bytes,
    *,
    expect: str | None,
    seen: FileId | None = None,
    create: bool = False,
) -> None:
    """Replace the file at `path` (a symlink is followed and stays a link) with `content`,
    atomically: the file is at every moment either the old or the new bytes. Mode and, where
    allowed, owner are kept. `expect` is the digest the file must still have (the bytes the change
    was computed from): an edit saved since is never overwritten (HandEdit). `seen` is the
    identity of the version those bytes were read from: with it, what the exchange displaced is
    recognised by a stat, in microseconds, instead of by hashing it, so that a wrong file is in
    place for as short a time as can be. `create`: the file may not exist yet."""
    real = Path(os.path.realpath(path))
    folder = real.parent
    try:
        st: os.stat_result | None = os.stat(real)
    except FileNotFoundError:
        if not create and expect is not None:
            raise HandEdit() from None
        st = None
    tmp: Path | None = None
    try:
        mode = None if st is None else stat.S_IMODE(st.st_mode)
        owner = None if st is None else (st.st_uid, st.st_gid)
        tmp = _write_temp(real, content, mode, owner)
        if expect is None or st is None:
            os.replace(tmp, real)
            tmp = None
        elif not still(real, expect, seen):
            raise HandEdit()  # saved since it was read: nothing was put in place, even briefly
        else:
            ours = os.lstat(tmp).st_ino
            if _exchange_after_pause(tmp, real):
                fault("after-exchange")
                try:
                    if seen is not None:
                        unchanged = _same_file(file_id(os.lstat(tmp)), seen)
                    else:
                        unchanged = file_digest(tmp) == expect
                except OSError:
                    # What was displaced cannot be checked: swap it back and change nothing.
                    # Should that fail too, the displaced file is kept where it is, not deleted.
                    if not _exchange(tmp, real):
                        tmp = None
                    raise
                if not unchanged:
                    _put_back(tmp, real, ours)
                    tmp = None
                    raise HandEdit()
                # The old bytes, displaced: the change is in place.
                with contextlib.suppress(OSError):
                    tmp.unlink()
                tmp = None
            else:
                # No exchange here: the check above and this rename are two steps,
                # microseconds apart; a save landing between them would be overwritten (the
                # README says so).
                os.replace(tmp, real)
                tmp = None
        fault("after-replace")
    except OSError as e:
        raise TrackerError(os_message(e, folder), path=str(path)) from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                tmp.unlink()
    # The new file is in place; syncing the folder makes the rename itself durable. If that
    # fails the change has still happened, and undoing it would be a second write that can fail
    # the same way: so it is best effort.
    with contextlib.suppress(OSError):
        fsync_dir(folder)


def still(real: Path, expect: str | None, seen: FileId | None) -> bool:
    """Is the file still the version the change was computed from? By identity when known (a
    stat), else by digest."""
    if seen is not None:
        try:
            return file_id(os.stat(real)) == seen
        except FileNotFoundError:
            return False
    return file_digest(real) == expect


def _put_back(tmp: Path, real: Path, ours: int) -> None:
    """An editor's file was displaced by our swap (`ours` is our file's inode): swap it back at
    once. If the editor saved yet again in between, the newest save is what ends up in place.
    Files are told apart by inode: a save by rename is a new one."""
    in_place = ours
    for _attempt in range(20):
        held = os.lstat(tmp).st_ino
        if not _exchange(tmp, real):
            break
        out = os.lstat(tmp).st_ino
        if out == in_place:
            break  # what came out is what we expected there: `held` is back in place
        # A save landed in between and came out: it is newer than `held`, so it goes back in
        # with the next swap, and `held` comes out to be dropped.
        in_place = held
    with contextlib.suppress(OSError):
        tmp.unlink()


def os_message(e: OSError, folder: Path) -> str:
    if e.errno == errno.ENOSPC:
        return _("cannot write: no space left on the device; the file was not changed")
    if e.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return _("cannot write in {folder}: {reason}; the file was not changed").format(
            folder=folder, reason=e.strerror
        )
    return _("cannot write: {reason}; the file was not changed").format(reason=e.strerror or e)


# ---- private folders ---------------------------------------------------------------------------


def private_dir(folder: Path) -> Path:
    """Make (0700) or check a per-user folder of the tool's own (the undo journal, the cache):
    refuse one that is a symbolic link, belongs to another user, or that others may write, since
    whatever is planted there would be trusted."""
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        st = os.lstat(folder)
    except OSError as e:
        raise TrackerError(
            _("cannot use the folder {folder}: {reason}").format(folder=folder, reason=e.strerror)
        ) from None
    if stat.S_ISLNK(st.st_mode) or not stat.S_ISDIR(st.st_mode):
        raise TrackerError(
            _("{folder} is a symbolic link or not a folder; aes-tracker will not use it").format(
                folder=folder
            )
        )
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        raise TrackerError(
            _("{folder} belongs to another user; aes-tracker will not use it").format(folder=folder)
        )
    if st.st_mode & 0o022:
        raise TrackerError(
            _("{folder} can be written by other users; aes-tracker will not use it").format(
                folder=folder
            ),
            hint=_("run: chmod 700 {folder}").format(folder=folder),
        )
    return folder


def write_private(path: Path, content: bytes, mode: int = 0o600) -> None:
    """Write a file in a private folder atomically (temp, fsync, rename), with `mode`."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{os.urandom(4).hex()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC | os.O_NOFOLLOW, mode)
    try:
        try:
            view = memoryview(content)
            while view:
                n = os.write(fd, view)
                view = view[n:]
            os.fsync(fd)
            os.fchmod(fd, mode)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def sweep_private(folder: Path) -> None:
    """Remove temp files in a private folder whose writer is gone."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        if name.startswith(".") and ".tmp-" in name:
            pid = name.split(".tmp-", 1)[1].split("-", 1)[0]
            if pid.isdigit() and not _pid_alive(int(pid)):
                with contextlib.suppress(OSError):
                    (folder / name).unlink()


# ---- other outputs -----------------------------------------------------------------------------


_MAX_LINKS = 40  # the kernel's limit on links followed in one path


def _output_target(path: Path, shown: str) -> Path:
    """Where an output path leads, its links followed the way the kernel follows them for a
    shell's `>` under `fs.protected_symlinks`: a link in a sticky folder that others may write
    (/tmp) is followed only when it belongs to the caller or to the folder's owner. Otherwise
    another user could plant `/tmp/report.html -> /root/.ssh/authorized_keys` and have the
    replace land there. Raises OSError for a loop (ELOOP) or a name too long, as the kernel
    would."""
    done = Path("/")
    todo = list(Path(os.path.abspath(path)).parts[1:])
    links = 0
    while todo:
        name = todo.pop(0)
        if name in ("", "."):
            continue
        if name == "..":
            done = done.parent
            continue
        step = done / name
        try:
            st = os.lstat(step)
        except FileNotFoundError:
            done = step  # the rest does not exist yet: the write will say which folder is missing
            continue
        if not stat.S_ISLNK(st.st_mode):
            done = step
            continue
        links += 1
        if links > _MAX_LINKS:
            raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), str(path))
        folder = os.stat(done)
        sticky_shared = folder.st_mode & stat.S_ISVTX and folder.st_mode & stat.S_IWOTH
        if sticky_shared and st.st_uid not in (os.geteuid(), folder.st_uid):
            raise TrackerError(
                _(
                    "is a symbolic link another user made in a shared folder ({folder}); "
                    "aes-tracker does not follow it"
                ).format(folder=done),
                path=shown,
                field="output",
            )
        link = os.readlink(step)
        if not todo and not os.path.lexists(done / link) and os.path.exists(step):
            # A link only the kernel can follow (/dev/stdout -> /proc/self/fd/1 -> pipe:[...]).
            return step
        if os.path.isabs(link):
            done = Path("/")
        todo = list(Path(link).parts) + todo
        if todo and todo[0] == "/":
            todo.pop(0)
    return done


def _mode_cap(like: Path | None) -> int:
    """The mode bits an output may have: at most the data file's (a report of a 0600 file is
    as private as the file), 0o666 when there is none."""
    if like is None:
        return 0o666
    try:
        return stat.S_IMODE(os.stat(like).st_mode) & 0o666
    except OSError:
        return 0o666


def write_output(
    path: Path, content: bytes, *, forbidden: tuple[Path, ...], like: Path | None = None
) -> None:
    """`--output FILE`: replace FILE atomically, so a mail job never sends half a report. A path
    that resolves to one of `forbidden` (the data file, its lock, the journal) is refused: an
    export must never overwrite the data it came from, bypassing the lock and the undo journal.
    Links are followed as the kernel would (see `_output_target`); the file gets at most the
    mode bits of `like` (the data file) and the umask."""
    shown = str(path)
    try:
        target = _output_target(path, shown)
    except OSError as e:
        raise TrackerError(
            _("cannot write: {reason}").format(reason=e.strerror or e), path=shown, field="output"
        ) from None
    for f in forbidden:
        f_real = Path(os.path.realpath(f))
        if target == f_real or f_real in target.parents:
            raise TrackerError(
                _("is the data file (or its lock or undo journal); choose another output file"),
                path=shown,
                field="output",
            )
    cap = _mode_cap(like)
    try:
        st: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        st = None
    except OSError as e:
        raise TrackerError(
            _("cannot write: {reason}").format(reason=e.strerror or e), path=shown, field="output"
        ) from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise TrackerError(_("is a directory"), path=shown, field="output")
    if st is not None and not stat.S_ISREG(st.st_mode):
        # /dev/stdout, a FIFO, a device: write into it; replacing it would replace the node.
        try:
            with open(target, "wb") as node:
                node.write(content)
        except OSError as e:
            raise TrackerError(
                _("cannot write: {reason}").format(reason=e.strerror), path=shown
            ) from None
        return
    if not os.path.isdir(target.parent):
        raise TrackerError(_("no such folder"), path=shown, field="output")
    sweep_temps(target, only_dead=True)
    if st is not None:
        mode = stat.S_IMODE(st.st_mode) & (cap | 0o7111)
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask & cap
    try:
        tmp = _write_temp(target, content, mode, None)
        try:
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
    except OSError as e:
        raise TrackerError(os_message(e, target.parent), path=shown) from None
    with contextlib.suppress(OSError):
        fsync_dir(target.parent)
