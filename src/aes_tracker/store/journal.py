"""The undo journal: every write made through the tool can be taken back (`undo`) and re-applied
(`redo`), byte for byte.

Per data file, in $XDG_STATE_HOME/aes-tracker/undo/<key of the file's real path>/ (a 0700
folder, refused if it is a link, another user's, or writable by others): one file per step,
`NNNNNNNN.<state>`, holding a JSON header line and the changed bytes.

- A step stores the bytes that differ between the file before and after (one range: a change to
  one commitment of 10,000 stores a few hundred bytes, not two copies of 10 MB), the SHA-256 of
  the whole file before and after, and the SHA-256 of its own payload. `undo` checks all three,
  and the store checks that the bytes it would restore parse and validate, before writing.
- It is written *before* the data file is replaced (state `pending`) and marked `done` after. A
  process killed in between leaves a pending step: the digest of the file then tells whether the
  replace happened (the step counts) or not (it is dropped).
- `undo` restores a step only while the file still has exactly the bytes that step wrote: a hand
  edit, a `git pull` or another user's change since then is never thrown away. The undone step
  becomes `redo`; a new change drops the redo steps.
- The newest 100 steps that fit in 256 MiB are kept.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from aes_tracker.errors import TrackerError
from aes_tracker.i18n import _
from aes_tracker.store import fileio, fileread
from aes_tracker.store.paths import environment, file_key, state_home

if TYPE_CHECKING:
    from aes_tracker.store.splice import Spliced  # it imports this module: not at run time

UNDO_DEPTH = 100
UNDO_BYTES = 256 * 1024 * 1024
_STATES = ("pending", "done", "redo")


def journal_dir(path: Path, environ: Mapping[str, str]) -> Path:
    return state_home(environ) / "undo" / file_key(path)


def common_ends(a: bytes, b: bytes) -> tuple[int, int]:
    """The lengths of the longest common prefix and suffix of `a` and `b` (not overlapping), by
    bisection on C-speed comparisons: milliseconds for 10 MB."""
    n = min(len(a), len(b))
    lo, hi = 0, n
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a.startswith(b[lo:mid], lo):
            lo = mid
        else:
            hi = mid - 1
    prefix = lo
    lo, hi = 0, n - prefix
    la, lb = len(a), len(b)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a.endswith(b[lb - mid : lb - lo], 0, la - lo):
            lo = mid
        else:
            hi = mid - 1
    return prefix, lo


@dataclass(frozen=True)
class Step:
    n: int
    state: str
    what: str
    by: str
    at: str
    before: str | None  # digest of the file before; None: it did not exist
    after: str
    prefix: int
    suffix: int
    old: bytes  # the bytes of the changed range before
    new: bytes  # ... and after

    def apply(self, current: bytes, forward: bool) -> bytes:
        """The file after (forward) or before this step, from the file on the other side of it."""
        mid = self.new if forward else self.old
        other = self.old if forward else self.new
        end = len(current) - self.suffix
        if end - self.prefix != len(other):
            raise ValueError("length")
        return current[: self.prefix] + mid + current[end:]


class Journal:
    def __init__(self, path: Path, environ: Mapping[str, str] = environment()) -> None:
        self.path = path
        self.dir = journal_dir(path, environ)
        self._ready = False
        self._failure = ""

    def _open(self) -> Path:
        if not self._ready:
            fileio.private_dir(self.dir.parent.parent)
            fileio.private_dir(self.dir.parent)
            fileio.private_dir(self.dir)
            fileio.sweep_private(self.dir)
            self._ready = True
        return self.dir

    def _mode(self) -> int:
        """Steps hold the data file's text: they take its mode, at most 0600."""
        try:
            return stat.S_IMODE(os.stat(self.path).st_mode) & 0o600 or 0o600
        except OSError:
            return 0o600

    def _list(self) -> list[tuple[int, str]]:
        try:
            names = os.listdir(self.dir)
        except OSError:
            return []
        out = []
        for name in names:
            stem, _dot, state = name.partition(".")
            if stem.isdigit() and state in _STATES and len(stem) == 8:
                out.append((int(stem), state))
        return sorted(out)

    def _file(self, n: int, state: str) -> Path:
        return self.dir / f"{n:08d}.{state}"

    def _read(self, n: int, state: str) -> Step:
        try:
            fd = os.open(self._file(n, state), os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
            with os.fdopen(fd, "rb") as f:
                blob = f.read()
            head, _nl, payload = blob.partition(b"\n")
            meta = json.loads(head)
            if not isinstance(meta, dict) or meta.get("v") != 1:
                raise ValueError("version")
            if hashlib.sha256(payload).hexdigest() != meta["payload"]:
                raise ValueError("payload digest")
            split = int(meta["old_len"])
            if len(payload) != split + int(meta["new_len"]):
                raise ValueError("payload length")
            return Step(
                n,
                state,
                str(meta.get("what", "")),
                str(meta.get("by", "")),
                str(meta.get("at", "")),
                meta["before"],
                str(meta["after"]),
                int(meta["prefix"]),
                int(meta["suffix"]),
                payload[:split],
                payload[split:],
            )
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise TrackerError(
                _("the undo step {n} is damaged ({why}); nothing was changed").format(
                    n=n, why=getattr(e, "strerror", None) or str(e)
                ),
                path=str(self.path),
                hint=_("remove {file} to undo further back").format(file=self._file(n, state)),
            ) from None

    def _write(self, step: Step) -> None:
        payload = step.old + step.new
        meta = {
            "v": 1,
            "what": step.what,
            "by": step.by,
            "at": step.at,
            "before": step.before,
            "after": step.after,
            "prefix": step.prefix,
            "suffix": step.suffix,
            "old_len": len(step.old),
            "new_len": len(step.new),
            "payload": hashlib.sha256(payload).hexdigest(),
        }
        head = json.dumps(meta, ensure_ascii=True, separators=(",", ":")).encode()
        fileio.write_private(self._file(step.n, step.state), head + b"\n" + payload, self._mode())

    def _rename(self, n: int, old: str, new: str) -> None:
        os.replace(self._file(n, old), self._file(n, new))

    # ---- recording a change, around the replace of the data file --------------------------------

    def begin(
        self,
        before: bytes | None,
        after: bytes | Spliced,
        what: str,
        by: str,
        digests: tuple[str | None, str] = (None, ""),
    ) -> Step | None:
        """Record the step before the data file is replaced. None (and the change goes on, not
        undoable) when the journal cannot be written: a warning says so after the write.
        `digests`: those of `before` and `after` when the caller has them (each is a hash of the
        whole file); `before`'s is the file's digest now, as the writer holds the lock. `after` may
        be a `Spliced` of `before`: the step's range is then found without joining the file."""
        if not isinstance(after, bytes) and (
            before is not after.old or after.common_ends() is None
        ):
            after = after.tobytes()  # a range that only the whole file tells
        before_digest = digests[0] if digests[0] or before is None else fileread.digest(before)
        after_digest = digests[1] or (
            fileread.digest(after) if isinstance(after, bytes) else after.digest()
        )
        try:
            self._open()
            self._settle(before_digest if before is not None else None)
            for n, state in self._list():
                if state == "redo":
                    self._drop(n, state)
            entries = self._list()
            n = (entries[-1][0] + 1) if entries else 1
            if not isinstance(
                after, bytes
            ):  # a Spliced: one range replaced: the step is found in it
                ends = after.common_ends()
                assert ends is not None and before is not None
                prefix, suffix = ends
                old = before[prefix : len(before) - suffix]
                new = after.between(prefix, suffix)
            elif before is None:
                prefix = suffix = 0
                old, new = b"", after
            else:
                prefix, suffix = common_ends(before, after)
                old = before[prefix : len(before) - suffix]
                new = after[prefix : len(after) - suffix]
            step = Step(
                n,
                "pending",
                what,
                by,
                datetime.now(UTC).replace(microsecond=0).isoformat(),
                before_digest,
                after_digest,
                prefix,
                suffix,
                old,
                new,
            )
            fileio.fault("journal-before-write")
            self._write(step)
            return step
        except (OSError, TrackerError) as e:
            self._failure = str(getattr(e, "strerror", None) or e)
            return None

    def abandon(self, step: Step | None) -> None:
        if step is not None:
            self._drop(step.n, step.state)

    def commit(self, step: Step | None) -> list[str]:
        """Mark the step done once the data file holds its bytes; the warnings to show."""
        if step is None:
            why = self._failure
            return [
                _(
                    "the undo journal could not be written ({why}): this change cannot be undone"
                ).format(why=why)
            ]
        try:
            fileio.fault("journal-before-commit")
            self._rename(step.n, "pending", "done")
            self._prune()
        except OSError as e:
            return [_("the undo journal could not be updated ({why})").format(why=e.strerror or e)]
        return []

    def _settle(self, current: str | bool | None = False) -> None:
        """Bring the journal in line with the file after a process was killed between replacing
        the file and updating the journal: a pending step whose bytes are in the file counts
        (else it is dropped); an undo or redo whose bytes are in the file is marked as done.
        `current`: the file's digest, when the caller (holding the lock) has it."""
        steps = self._list()
        if not steps:
            return
        if current is False:
            current = fileio.file_digest(Path(os.path.realpath(self.path)))
        for n in [n for n, st in steps if st == "pending"]:
            try:
                step = self._read(n, "pending")
            except TrackerError:
                self._drop(n, "pending")
                continue
            if current == step.after:
                self._rename(n, "pending", "done")
            else:
                self._drop(n, "pending")
        steps = self._list()
        done = [n for n, st in steps if st == "done"]
        redo = [n for n, st in steps if st == "redo"]
        with contextlib.suppress(TrackerError):
            if done:
                last = self._read(done[-1], "done")
                if current == last.after:
                    return
                if current == last.before:
                    self._rename(last.n, "done", "redo")  # an undo killed before it said so
                    return
            if redo:
                first = self._read(redo[0], "redo")
                if current != first.before and current == first.after:
                    self._rename(first.n, "redo", "done")  # a redo killed likewise

    def _drop(self, n: int, state: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._file(n, state).unlink()

    def _prune(self) -> None:
        done = [(n, s) for n, s in self._list() if s != "pending"]
        sizes = []
        for n, s in done:
            try:
                sizes.append(self._file(n, s).stat().st_size)
            except OSError:
                sizes.append(0)
        keep = total = 0
        for size in reversed(sizes):
            if keep and (keep >= UNDO_DEPTH or total + size > UNDO_BYTES):
                break
            keep += 1
            total += size
        for n, s in done[: len(done) - keep]:
            self._drop(n, s)

    # ---- undo and redo ---------------------------------------------------------------------------

    def latest(self, state: str) -> Step | None:
        """The step `undo` (state done: the newest) or `redo` (state redo: the oldest) would
        take, or None."""
        self._open()
        self._settle()
        found = [n for n, s in self._list() if s == state]
        if not found:
            return None
        return self._read(found[-1] if state == "done" else found[0], state)

    def count(self, state: str, current_digest: str | None) -> int:
        """How many steps can still be taken in a row from the file as it is."""
        steps = [n for n, s in self._list() if s == state]
        steps = steps[::-1] if state == "done" else steps
        n = 0
        for num in steps:
            try:
                step = self._read(num, state)
            except TrackerError:
                break
            here = step.after if state == "done" else step.before
            if here != current_digest:
                break
            current_digest = step.before if state == "done" else step.after
            n += 1
        return n

    def mark(self, step: Step, state: str) -> None:
        self._rename(step.n, step.state, state)

    def forget_redo(self) -> None:
        for n, s in self._list():
            if s == "redo":
                self._drop(n, s)


def describe_step(step: Step) -> str:
    return step.what or _("a change of {at}").format(at=step.at)
