"""Reading and writing the data file: which file, parse and check, canonical bytes, atomic and
locked writes, and the undo journal. No terminal in here.

A write is: take an exclusive `flock` on `<file>.lock` (a file never replaced or deleted, so a lock
held by a process that died is released by the kernel, never stale), read the file, apply the change
to the raw document, check the result, write it canonical to a temp file in the same folder, fsync,
check the file was not edited by hand meanwhile (by content hash), `os.replace`, fsync the folder.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import stat
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from aes_tracker.errors import BusyError, TrackerError
from aes_tracker.model import (
    COMMITMENT_KEYS,
    EVENT_KEYS,
    SOURCE_KEYS,
    TOP_KEYS,
    Commitment,
    Data,
    Problem,
    build,
)

T = TypeVar("T")

DEFAULT_LOCK_TIMEOUT = 5.0
UNDO_DEPTH = 100
UNDO_BYTES = 256 * 1024 * 1024

# Test-only hooks, read from the environment so that real subprocesses can be driven by the tests:
# a named fault point where the process kills itself, and a switch that disables the lock and the
# hash check (to show that the lost-update test can fail without them).
_FAULT_ENV = "_AES_TRACKER_TEST_FAULT"
_NOLOCK_ENV = "_AES_TRACKER_TEST_NOLOCK"


# ---- which file -----


@dataclass(frozen=True)
class Location:
    path: Path
    explicit: bool  # named by --file or $AES_TRACKER_FILE: a missing file is an error


def bundled_path() -> Path:
    """The communiqué data shipped with the package (or, in a source checkout, the repo's copy)."""
    here = Path(__file__).resolve().parent
    p = here / "bundled" / "commitments.toml"
    if p.is_file():
        return p
    return here.parent.parent / "data" / "commitments.toml"


def user_data_path(environ: Mapping[str, str]) -> Path:
    base = environ.get("XDG_DATA_HOME") or str(
        Path(environ.get("HOME") or Path.home()) / ".local" / "share"
    )
    return Path(base) / "aes-tracker" / "commitments.toml"


def locate(explicit: str | None, environ: Mapping[str, str], cwd: Path) -> Location:
    """--file, else $AES_TRACKER_FILE, else ./data/commitments.toml when it exists, else the user
    data file."""
    if explicit:
        return Location(Path(explicit), True)
    if environ.get("AES_TRACKER_FILE"):
        return Location(Path(environ["AES_TRACKER_FILE"]), True)
    local = cwd / "data" / "commitments.toml"
    if local.is_file():
        return Location(Path("data") / "commitments.toml", False)
    return Location(user_data_path(environ), False)


# ---- reading -----


@dataclass(frozen=True)
class Loaded:
    path: Path
    raw_bytes: bytes
    text: str
    raw: dict[str, Any]
    data: Data
    bundled: bool  # read from the bundled data because the file does not exist yet

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.raw_bytes).hexdigest()


def _read_bytes(path: Path) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except IsADirectoryError:
        raise TrackerError("is a directory, not a data file", path=str(path)) from None
    except PermissionError:
        raise TrackerError("permission denied", path=str(path)) from None
    except FileNotFoundError:
        raise TrackerError(
            "no such file", path=str(path), hint=f"create it with: aes-tracker --file {path} init"
        ) from None
    except OSError as e:
        raise TrackerError(f"cannot read: {e.strerror}", path=str(path)) from None


def decode(data: bytes, path: str) -> str:
    """Bytes to text, refusing what a person would not mean as a TOML file."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise TrackerError("is UTF-16 encoded; save it as UTF-8", path=path)
    if data.startswith(b"\xef\xbb\xbf"):
        raise TrackerError(
            "starts with a byte-order mark (BOM); save it as UTF-8 without BOM",
            path=path,
            line=1,
            col=1,
        )
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        col = nul - (data.rfind(b"\n", 0, nul) + 1) + 1
        raise TrackerError(
            "contains a NUL byte: the file is damaged or not text", path=path, line=line, col=col
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        col = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        raise TrackerError("is not valid UTF-8", path=path, line=line, col=col) from None


_POS_RE = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")
_DUP_RE = re.compile(r"^Cannot declare \((.*)\) twice")
_POS_EOF_RE = re.compile(r"\s*\(at end of document\)$")


def parse(text: str, path: str) -> dict[str, Any]:
    import tomllib  # not needed when the parse cache answers

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        msg = str(e)
        m = _POS_RE.search(msg)
        dup = _DUP_RE.match(msg)
        if dup and m:
            keys = ".".join(re.findall(r"'([^']*)'", dup.group(1)))
            raise TrackerError(
                f"invalid TOML: {keys} is declared twice (a duplicate ID?)",
                path=path,
                line=int(m.group(1)),
                col=int(m.group(2)),
            ) from None
        if m:
            raise TrackerError(
                f"invalid TOML: {msg[: m.start()]}",
                path=path,
                line=int(m.group(1)),
                col=int(m.group(2)),
            ) from None
        m = _POS_EOF_RE.search(msg)
        line = text.count("\n") + 1
        raise TrackerError(
            f"invalid TOML: {msg[: m.start()] if m else msg}", path=path, line=line
        ) from None
    except RecursionError:
        raise TrackerError("invalid TOML: nested too deeply", path=path) from None


def problem_error(problem: Problem, text: str, path: str) -> TrackerError:
    line = key_line(text, problem.keys)
    col = None
    if line is not None:
        # The column of the value on a `key = value` line, else where the line's text starts.
        src = text.splitlines()[line - 1]
        m = _KEY_RE.match(src)
        start = m.end() if m else 0
        col = start + len(src[start:]) - len(src[start:].lstrip()) + 1
    return TrackerError(problem.message, path=path, line=line, col=col)


def load_bytes(raw_bytes: bytes, path: Path, *, bundled: bool = False) -> Loaded:
    shown = str(path)
    text = decode(raw_bytes, shown)
    raw = parse(text, shown)
    data, problems = build(raw)
    if problems:
        raise problem_error(problems[0], text, shown)
    return Loaded(path, raw_bytes, text, raw, data, bundled)


def load(loc: Location) -> Loaded:
    """Read and check the data file (no lock: writers replace the file atomically, so a reader
    sees the old or the new file whole)."""
    if not loc.explicit and not os.path.lexists(loc.path):
        return load_bytes(_read_bytes(bundled_path()), loc.path, bundled=True)
    return load_bytes(_read_bytes(loc.path), loc.path)


class View:
    """What the read commands see: the data, from the parse cache's summaries when it has this
    exact version of the file (by content hash), and any commitment in full on demand."""

    def __init__(
        self, path: Path, raw_bytes: bytes, data: Data, where: dict[str, tuple[int, int]] | None
    ) -> None:
        self.path = path
        self.raw_bytes = raw_bytes
        self.data = data
        self._where = where  # None: `data` is the full parse
        self._full: Data | None = data if where is None else None

    def full(self) -> Data:
        if self._full is None:
            self._full = load_bytes(self.raw_bytes, self.path).data
        return self._full

    def detail(self, cid: str) -> Commitment:
        if self._full is not None:
            return self._full.commitments[cid]
        from aes_tracker import cache

        assert self._where is not None
        span = self._where.get(cid)
        found = cache.detail(self.raw_bytes, span, cid, self.data) if span else None
        return found if found is not None else self.full().commitments[cid]


def load_view(loc: Location, environ: Mapping[str, str] = os.environ) -> View:
    """Like `load`, through the parse cache."""
    from aes_tracker import cache

    if not loc.explicit and not os.path.lexists(loc.path):
        loaded = load(loc)
        return View(loaded.path, loaded.raw_bytes, loaded.data, None)
    raw_bytes = _read_bytes(loc.path)
    digest = hashlib.sha256(raw_bytes).hexdigest()
    hit = cache.read(loc.path, digest, environ)
    if hit is not None:
        return View(loc.path, raw_bytes, hit.data, hit.where)
    loaded = load_bytes(raw_bytes, loc.path)
    cache.write(loc.path, cache.summarize(loaded.data, raw_bytes, digest), environ)
    return View(loc.path, raw_bytes, loaded.data, None)


def check_problems(loc: Location) -> tuple[Loaded | None, list[TrackerError]]:
    """Every problem of the file, each with its line (for `aes-tracker check`). Raises only when
    the file cannot be read or parsed at all."""
    path = loc.path
    if not loc.explicit and not os.path.lexists(path):
        path = bundled_path()
    raw_bytes = _read_bytes(path)
    text = decode(raw_bytes, str(path))
    raw = parse(text, str(path))
    data, problems = build(raw)
    errs = [problem_error(p, text, str(path)) for p in problems]
    line = find_comment(text)
    if line is not None:
        errs.append(
            TrackerError(
                "has a comment, which aes-tracker cannot keep when it writes the file "
                "(put remarks in a `notes` field)",
                path=str(path),
                line=line,
            )
        )
    loaded = None if problems else Loaded(path, raw_bytes, text, raw, data, path != loc.path)
    return loaded, errs


# ---- where a key is, for messages ----------------------------------------------------------------

_HEADER_RE = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY_RE = re.compile(r"^\s*(\"[^\"]*\"|'[^']*'|[A-Za-z0-9_-]+)\s*=")


def _header_keys(s: str) -> tuple[str, ...]:
    parts = re.findall(r"\"((?:[^\"\\]|\\.)*)\"|'([^']*)'|([A-Za-z0-9_-]+)", s)
    return tuple(a or b or c for a, b, c in parts)


def key_line(text: str, keys: tuple[str | int, ...]) -> int | None:
    """The line where `keys` (as in ("commitments", "sec-x", "history", 2, "on")) is defined, for
    files laid out as the writer lays them out; else the line of the nearest enclosing key or
    table that can be found."""
    for n in range(len(keys), 0, -1):
        line = _key_line(text, keys[:n])
        if line is not None:
            return line
    return None


def _key_line(text: str, keys: tuple[str | int, ...]) -> int | None:
    # Split into the table part and the final key; an int selects the n-th [[array]] table.
    table: list[str] = []
    index: int | None = None
    leaf: str | None = None
    for k in keys:
        if isinstance(k, int):
            index = k
        elif index is not None:
            leaf = k
            break
        else:
            table.append(k)
    best: int | None = None
    current: tuple[str, ...] = ()
    seen = -1
    in_target = False
    lines = text.splitlines()
    for no, line in enumerate(lines, 1):
        m = _HEADER_RE.match(line)
        if m:
            current = _header_keys(m.group(2))
            in_target = False
            if index is not None:
                if current == tuple(table):
                    seen += 1
                    if seen == index:
                        best, in_target = no, True
            else:
                n = len(current)
                if tuple(table[:n]) == current and (best is None or n >= 1):
                    best = no
                    in_target = True
                    rest = table[n:]
                    leaf = rest[0] if rest else None
            continue
        if in_target and leaf is not None:
            km = _KEY_RE.match(line)
            if km and km.group(1).strip("\"'") == leaf:
                return no
        elif not current and index is None and len(table) == 1:
            km = _KEY_RE.match(line)
            if km and km.group(1).strip("\"'") == table[0]:
                return no
    return best


_TOKEN_RE = re.compile(
    r'"""(?:\\[\s\S]|[^\\])*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:\\.|[^"\\\n])*"|\'[^\'\n]*\'|#'
)


def find_comment(text: str) -> int | None:
    """The line of the first comment in a valid TOML text, or None."""
    if "#" not in text:
        return None
    for m in _TOKEN_RE.finditer(text):
        if m.group(0) == "#":
            return text.count("\n", 0, m.start()) + 1
    return None


# ---- canonical bytes -----


def _ordered(d: Mapping[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    out = {k: d[k] for k in order if k in d}
    for k in sorted(d):
        if k not in out:
            out[k] = d[k]
    return out


def canonical(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The document with its keys in the canonical order: sources and commitments sorted by ID,
    known keys in the order of the model, unknown keys after them, sorted; history kept in order."""
    out = _ordered(raw, TOP_KEYS)
    if isinstance(out.get("sources"), dict):
        out["sources"] = {
            sid: _ordered(s, SOURCE_KEYS) if isinstance(s, dict) else s
            for sid, s in sorted(out["sources"].items())
        }
    if isinstance(out.get("commitments"), dict):
        cs = {}
        for cid, c in sorted(out["commitments"].items()):
            if isinstance(c, dict):
                c = _ordered(c, COMMITMENT_KEYS)
                if isinstance(c.get("history"), list):
                    c["history"] = [
                        _ordered(h, EVENT_KEYS) if isinstance(h, dict) else h for h in c["history"]
                    ]
            cs[cid] = c
        out["commitments"] = cs
    return out


def dumps(raw: Mapping[str, Any]) -> bytes:
    import tomli_w

    return tomli_w.dumps(canonical(raw)).encode("utf-8")


# ---- writing -----


def _fault(point: str) -> None:
    if os.environ.get(_FAULT_ENV) == point:
        import signal

        os.kill(os.getpid(), signal.SIGKILL)


def lock_path(path: Path) -> Path:
    real = Path(os.path.realpath(path))
    return real.with_name(real.name + ".lock")


@contextlib.contextmanager
def locked(path: Path, timeout: float) -> Iterator[None]:
    """Hold the exclusive lock of the data file at `path`, waiting at most `timeout` seconds."""
    if os.environ.get(_NOLOCK_ENV) == "1":
        yield
        return
    lp = lock_path(path)
    try:
        fd = os.open(lp, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
    except OSError as e:
        raise TrackerError(
            f"cannot open the lock file {lp}: {e.strerror}", path=str(path)
        ) from None
    try:
        if not _acquire(fd, timeout):
            raise BusyError(
                f"file is busy: another aes-tracker holds the lock {lp} (waited {timeout:g}s)",
                path=str(path),
                hint="try again, or wait longer with --lock-timeout SECONDS",
            )
        yield
    finally:
        os.close(fd)  # closing releases the flock


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


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _temp_prefix(real: Path) -> str:
    return f".{real.name}.tmp-"


def _sweep_temps(real: Path) -> None:
    """Remove temp files left by a writer that was killed: only called under the lock, when no
    other writer can own one."""
    if os.environ.get(_NOLOCK_ENV) == "1":
        return
    with contextlib.suppress(OSError):
        for p in real.parent.glob(_temp_prefix(real) + "*"):
            with contextlib.suppress(OSError):
                p.unlink()


def atomic_write(path: Path, content: bytes, *, expect_digest: str | None = None) -> None:
    """Replace the file at `path` (following a symlink, which is kept) with `content`, atomically:
    the file is at every moment either the old or the new bytes. Mode and, where allowed, owner
    are kept. `expect_digest` is the sha256 the current file must still have (a hand edit since
    it was read is refused, never overwritten)."""
    real = Path(os.path.realpath(path))
    folder = real.parent
    try:
        st: os.stat_result | None = os.stat(real)
    except FileNotFoundError:
        st = None
    tmp = folder / f"{_temp_prefix(real)}{os.getpid()}-{os.urandom(4).hex()}"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        try:
            view = memoryview(content)
            while view:
                n = os.write(fd, view)
                view = view[n:]
            _fault("after-temp-write")
            os.fsync(fd)
            _fault("after-fsync")
            if st is not None:
                os.fchmod(fd, stat.S_IMODE(st.st_mode))
                if hasattr(os, "fchown"):
                    with contextlib.suppress(PermissionError):
                        os.fchown(fd, st.st_uid, st.st_gid)
            else:
                umask = os.umask(0)
                os.umask(umask)
                os.fchmod(fd, 0o666 & ~umask)
        finally:
            os.close(fd)
        if expect_digest is not None and _digest_of(real) != expect_digest:
            raise HandEdit()
        os.replace(tmp, real)
        _fault("after-replace")
    except BaseException as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(e, OSError):
            raise TrackerError(_os_message(e, folder), path=str(path)) from None
        raise
    # The new file is in place; syncing the folder makes the rename itself durable. If that
    # fails the change has still happened, and undoing it would be a second write that can fail
    # the same way: so it is best effort.
    with contextlib.suppress(OSError):
        _fsync_dir(folder)


def _os_message(e: OSError, folder: Path) -> str:
    if e.errno == errno.ENOSPC:
        return "cannot write: no space left on the device; the file was not changed"
    if e.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"cannot write in {folder}: {e.strerror}; the file was not changed"
    return f"cannot write: {e.strerror or e}; the file was not changed"


def _digest_of(path: Path) -> str | None:
    try:
        with open(path, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()
    except FileNotFoundError:
        return None


class HandEdit(Exception):
    """The file changed on disk between our read and our write."""


@dataclass(frozen=True)
class Written:
    path: Path
    created_from_bundled: bool
    changed: bool


def update(
    loc: Location,
    change: Callable[[dict[str, Any], Loaded], T],
    *,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    state_home: Path | None = None,
) -> tuple[T, Written]:
    """Apply `change` (which edits the raw document in place and may raise TrackerError) under the
    lock, and write the result atomically. If the file is edited by hand between our read and our
    write, the change is applied again to the new content (three tries, then refused)."""
    from aes_tracker import splice

    path = loc.path
    if loc.explicit and not os.path.lexists(path):
        _read_bytes(path)  # raises the "no such file" error with its hint
    with _create_lock(path, lock_timeout):
        real = Path(os.path.realpath(path))
        _sweep_temps(real)
        for _ in range(3):
            # One read per try: the fast plan and, when it does not apply, the full parse both
            # work from these bytes.
            current = _read_bytes(path) if _fast_ok(loc) else None
            fast = splice.plan(path, current) if current is not None else None
            result: Any = None
            if fast is not None:
                raw, loaded = fast.raw(), fast.loaded(path)
                try:
                    result = change(raw, loaded)
                except splice.Unexpected:
                    fast = None  # a table was not where the plan said: do it the full way
            if fast is None:
                loaded = load_bytes(current, path) if current is not None else load(loc)
                _refuse_comments(loaded)
                raw = loaded.raw  # a fresh parse on every try: the change may edit it in place
                result = change(raw, loaded)
            done = fast.finish(raw) if fast is not None else None
            if done is not None:
                new_bytes, new_data = done
            else:
                if fast is not None:
                    raw = fast.materialize(raw)
                new_bytes = dumps(raw)
                new_data = _verify(new_bytes, raw, path)
            if new_bytes == loaded.raw_bytes:
                return result, Written(path, False, False)
            unprotected = os.environ.get(_NOLOCK_ENV) == "1"
            expect = None if loaded.bundled or unprotected else loaded.digest
            try:
                atomic_write(path, new_bytes, expect_digest=expect)
            except HandEdit:
                continue
            if not loaded.bundled:
                Journal(path, state_home).push(loaded.raw_bytes, new_bytes)
            _remember(path, new_data, new_bytes)
            return result, Written(path, loaded.bundled, True)
    raise TrackerError(
        "the file keeps changing on disk while aes-tracker writes it; nothing was written",
        path=str(path),
    )


# The fast write path (splice.py) can be switched off, so that tests can compare its bytes with
# the full rewrite's.
FAST_WRITES = True


def _fast_ok(loc: Location) -> bool:
    return FAST_WRITES and os.path.lexists(loc.path)


def _remember(path: Path, data: Data, content: bytes) -> None:
    """Give the next read (and the next write) of what was just written a warm parse cache;
    these bytes are the writer's own, so canonical."""
    from aes_tracker import cache

    digest = hashlib.sha256(content).hexdigest()
    cache.write(path, cache.summarize(data, content, digest, canonical=True), os.environ)


@contextlib.contextmanager
def _create_lock(path: Path, timeout: float) -> Iterator[None]:
    """For the first write to the user data file: make its folder, then lock as usual."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise TrackerError(f"cannot create {path.parent}: {e.strerror}", path=str(path)) from None
    with locked(path, timeout):
        yield


def _refuse_comments(loaded: Loaded) -> None:
    line = find_comment(loaded.text)
    if line is not None:
        raise TrackerError(
            "has a comment, and writing the file would drop it; nothing was written",
            path=str(loaded.path),
            line=line,
            hint="move the remark into the commitment's `notes` field, "
            "or run `aes-tracker fmt --drop-comments`",
        )


def _verify(new_bytes: bytes, raw: dict[str, Any], path: Path) -> Data:
    """Read back what is about to be written: it must parse, check clean and equal the document."""
    import tomllib

    text = new_bytes.decode("utf-8")
    again = tomllib.loads(text)
    data, problems = build(again)
    if problems:
        raise problem_error(problems[0], text, str(path))
    if again != raw:
        raise AssertionError("the canonical writer changed the data")  # a bug, not a user error
    return data


def write_report(path: Path, content: bytes) -> None:
    """`report --output`: replace FILE atomically, so a mail job never sends half a report."""
    if os.path.isdir(path):
        raise TrackerError("is a directory", path=str(path))
    if os.path.exists(path) and not os.path.isfile(path):
        # /dev/stdout, a FIFO, a device: write into it; replacing it would replace the node.
        try:
            with open(path, "wb") as f:
                f.write(content)
        except OSError as e:
            raise TrackerError(f"cannot write: {e.strerror}", path=str(path)) from None
        return
    if not os.path.isdir(Path(os.path.realpath(path)).parent):
        raise TrackerError("no such folder", path=str(path))
    atomic_write(path, content)


def write_new(path: Path, content: bytes, *, force: bool, lock_timeout: float) -> None:
    """`init`: write `content` to `path`, refusing to overwrite unless `force`."""
    with _create_lock(path, lock_timeout):
        if os.path.lexists(path) and not force:
            raise TrackerError(
                "already exists; nothing was written",
                path=str(path),
                hint="use --force to overwrite it",
            )
        atomic_write(path, content)
        if force:
            with contextlib.suppress(TrackerError):
                Journal(path, None).forget()


def rewrite(
    loc: Location,
    content_of: Callable[[Loaded], bytes],
    *,
    lock_timeout: float,
    allow_comments: bool = False,
) -> bool:
    """Replace the file with `content_of(loaded)` under the lock (for `fmt` and `undo`)."""
    with locked(loc.path, lock_timeout):
        _sweep_temps(Path(os.path.realpath(loc.path)))
        loaded = load_bytes(_read_bytes(loc.path), loc.path)
        if not allow_comments:
            _refuse_comments(loaded)
        new = content_of(loaded)
        if new == loaded.raw_bytes:
            return False
        atomic_write(loc.path, new, expect_digest=loaded.digest)
        Journal(loc.path, None).push(loaded.raw_bytes, new)
        return True


# ---- undo -----


class Journal:
    """Per data file, the bytes before each change made through the tool, with the hash of the bytes
    it wrote, in $XDG_STATE_HOME/aes-tracker/undo/<hash of the file's real path>/. `undo` restores
    the last one only while the file still has exactly the bytes that change wrote: a hand edit
    (or another user's change) since then is never thrown away."""

    def __init__(self, path: Path, state_home: Path | None = None) -> None:
        home = state_home or Path(
            os.environ.get("XDG_STATE_HOME")
            or Path(os.environ.get("HOME") or Path.home()) / ".local" / "state"
        )
        key = hashlib.sha256(os.path.realpath(path).encode()).hexdigest()[:20]
        self.dir = home / "aes-tracker" / "undo" / key
        self.path = path

    def _entries(self) -> list[int]:
        try:
            names = os.listdir(self.dir)
        except FileNotFoundError:
            return []
        return sorted(int(n[:-7]) for n in names if n.endswith(".before") and n[:-7].isdigit())

    def push(self, before: bytes, after: bytes) -> None:
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            entries = self._entries()
            n = (entries[-1] + 1) if entries else 1
            meta = hashlib.sha256(after).hexdigest() + "\n" + os.path.realpath(self.path) + "\n"
            # The .after file is written last: an entry without it is incomplete and ignored.
            atomic_write(self.dir / f"{n:08d}.before", before)
            atomic_write(self.dir / f"{n:08d}.after", meta.encode())
            self._prune([*entries, n])
        except (OSError, TrackerError):
            # The change itself is written; losing the ability to undo it is not worth failing for.
            pass

    def _prune(self, entries: list[int]) -> None:
        """Keep the newest UNDO_DEPTH steps, and no more than UNDO_BYTES of them (a data file of
        10,000 commitments is about 10 MB a step); the newest step is always kept."""
        sizes = []
        for n in entries:
            try:
                sizes.append((self.dir / f"{n:08d}.before").stat().st_size)
            except OSError:
                sizes.append(0)
        keep = 0
        total = 0
        for size in reversed(sizes):
            if keep and (keep >= UNDO_DEPTH or total + size > UNDO_BYTES):
                break
            keep += 1
            total += size
        for old in entries[: len(entries) - keep]:
            self._drop(old)

    def _drop(self, n: int) -> None:
        for ext in (".after", ".before"):
            with contextlib.suppress(FileNotFoundError):
                (self.dir / f"{n:08d}{ext}").unlink()

    def forget(self) -> None:
        for n in self._entries():
            self._drop(n)

    def depth(self) -> int:
        return len(self._entries())

    def undo(self, lock_timeout: float) -> int:
        """Restore the bytes before the last change; return how many steps remain."""
        with locked(self.path, lock_timeout):
            _sweep_temps(Path(os.path.realpath(self.path)))
            entries = self._entries()
            while entries and not (self.dir / f"{entries[-1]:08d}.after").exists():
                self._drop(entries.pop())
            if not entries:
                raise TrackerError(
                    "nothing to undo: no change made through aes-tracker is recorded for this file",
                    path=str(self.path),
                )
            n = entries[-1]
            after_hash = (self.dir / f"{n:08d}.after").read_text().split("\n")[0]
            current = _digest_of(Path(os.path.realpath(self.path)))
            if current != after_hash:
                raise TrackerError(
                    "cannot undo: the file was changed outside aes-tracker since its last change, "
                    "and undo would throw that edit away; nothing was changed",
                    path=str(self.path),
                    hint="undo the hand edit yourself (git diff shows it), then run undo again",
                )
            before = (self.dir / f"{n:08d}.before").read_bytes()
            atomic_write(self.path, before, expect_digest=current)
            self._drop(n)
            return len(entries) - 1
