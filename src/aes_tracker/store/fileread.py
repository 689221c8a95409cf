"""Reading files, safely: only regular files (a FIFO or a device is refused at once, never
waited on), their digests, and the identity of the version read (device, inode, size, times),
which the replace in fileio.py checks. Also the words for an OS error on a write, shared by the
lock and the replace. No TOML, no terminal."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from aes_tracker.errors import TrackerError
from aes_tracker.i18n import _


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# One version of a file: device, inode, size, mtime and ctime in ns. A save by rename is a new
# inode; a write in place changes the ctime, which no program can set back (the mtime it can).
FileId = tuple[int, int, int, int, int]


def file_id(st: os.stat_result) -> FileId:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def same_file(a: FileId, b: FileId) -> bool:
    """The same version, but for the ctime, which a rename of the file itself changes."""
    return a[:4] == b[:4]


def digest_file(path: Path, *, missing_hint: str | None = None) -> str:
    """`digest(read_file(path))` without holding the file: the warm read commands need only
    the digest to find the cache entry (94 MB not held at 100,000 commitments)."""
    with open_regular(path, missing_hint) as fd:
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
    with open_regular(path, missing_hint) as fd:
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


def read_head(path: Path, until: bytes) -> bytes:
    """The bytes of a regular file up to the first line that starts with `until` (which begins
    with a newline; the newline is kept), or the whole file when there is none: read 64 KiB at a
    time, so that a question about the top of a 10 MB file does not read all of it."""
    with open_regular(path, None) as fd:
        try:
            data = b""
            while chunk := os.pread(fd, 1 << 16, len(data)):
                start = max(0, len(data) - len(until))
                data += chunk
                at = data.find(until, start)
                if at >= 0:
                    return data[: at + 1]
            return data
        except OSError as e:
            raise TrackerError(
                _("cannot read: {reason}").format(reason=e.strerror or e), path=str(path)
            ) from None


@contextlib.contextmanager
def open_regular(path: Path, missing_hint: str | None) -> Iterator[int]:
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


def os_message(e: OSError, folder: Path) -> str:
    if e.errno == errno.ENOSPC:
        return _("cannot write: no space left on the device; the file was not changed")
    if e.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return _("cannot write in {folder}: {reason}; the file was not changed").format(
            folder=folder, reason=e.strerror
        )
    return _("cannot write: {reason}; the file was not changed").format(reason=e.strerror or e)
