"""Writing files, safely: atomic replacement that cannot lose an editor's save, temp files and
their sweeping, private folders, `--output` files, and the named fault points the tests hook
into. No TOML, no terminal. Reading is in fileread.py, the lock in filelock.py.

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
from pathlib import Path
from typing import TYPE_CHECKING

from aes_tracker.errors import TrackerError
from aes_tracker.i18n import _
from aes_tracker.store.fileread import FileId, file_id, os_message, same_file
from aes_tracker.store.paths import temp_prefix

if TYPE_CHECKING:
    from aes_tracker.store.splice import Spliced  # a layer up: never imported at run time


def fault(point: str) -> None:
    """A named point in a write (after the temp file is written, after the exchange, ...): the
    tests replace this function to kill or pause the process there (tests/helpers/tool.py).
    The tool itself reads no switch, from the environment or elsewhere: it does nothing."""


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
    real: Path, content: bytes | Spliced, mode: int | None, owner: tuple[int, int] | None
) -> Path:
    tmp = _temp_name(real)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    try:
        for piece in (content,) if isinstance(content, bytes) else content.pieces():
            view = memoryview(piece)
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
    content: bytes | Spliced,
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
    place for as short a time as can be. `create`: the file may not exist yet. `content` may be a
    `Spliced` (store/splice.py): its pieces are written, never joined."""
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
                        unchanged = same_file(file_id(os.lstat(tmp)), seen)
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


def write_private(
    path: Path, content: bytes | tuple[bytes, ...], mode: int = 0o600, *, sync: bool = True
) -> None:
    """Write a file in a private folder atomically (temp, fsync, rename), with `mode`. `content`
    may be pieces, written one after the other (the file is their concatenation). `sync` False:
    no fsync, for a file whose loss or tearing only costs time (the parse cache, which checks
    its own MAC before any use)."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{os.urandom(4).hex()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC | os.O_NOFOLLOW, mode)
    try:
        try:
            for piece in content if isinstance(content, tuple) else (content,):
                view = memoryview(piece)
                while view:
                    n = os.write(fd, view)
                    view = view[n:]
            if sync:
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
