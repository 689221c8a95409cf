"""Undo and redo: take back the last change made through the tool, or re-apply the last one
taken back, byte for byte, from the undo journal (store/journal.py), under the data file's lock."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import NamedTuple

from aes_tracker.errors import TrackerError
from aes_tracker.i18n import _
from aes_tracker.store import fileio, filelock, fileread
from aes_tracker.store.paths import Location, environment, real
from aes_tracker.store.tomlfile import decode, parse
from aes_tracker.store.transaction import _create_lock
from aes_tracker.store.view import conflict_lines, load_bytes


def restorable(
    raw_bytes: bytes, path: Path, merge_committed: Callable[[Path], bool] | None = None
) -> None:
    """Raise TrackerError unless `undo` may put these bytes back: a file that parses and checks
    clean, or one that holds the conflict blocks of a merge (each version of it parses), as
    `resolve` found it, while that merge is still going on. Once git has committed the merge
    (`sync` after `resolve`), bringing the markers back would put them in the desk's history;
    outside a git work tree (a merge-file run by hand) nothing says the merge is over.

    `merge_committed` is the desk's answer to "is the merge that wrote these markers over?"
    (the store knows no git); None refuses markers outright, the safe answer."""
    from aes_tracker.store import markers

    shown = str(path)
    text = decode(raw_bytes, shown)
    if not conflict_lines(text):
        load_bytes(raw_bytes, path)
        return
    segments = markers.split(text, shown)
    for which in (markers.OURS_LABEL, markers.THEIRS_LABEL):
        parse(markers.side(segments, which), shown)
    if merge_committed is None or merge_committed(path):
        raise TrackerError(
            _(
                "cannot undo: that would bring back the merge conflict a resolve settled, and "
                "the merge is committed; nothing was changed"
            ),
            path=shown,
            hint=_("to change the outcome, use edit or status on the commitment"),
        )


class Undone(NamedTuple):
    what: str
    left: int  # how many more steps can be taken the same way, from the file as it now is


def undo(
    loc: Location,
    *,
    redo: bool = False,
    lock_timeout: float = filelock.DEFAULT_LOCK_TIMEOUT,
    environ: Mapping[str, str] = environment(),
    merge_committed: Callable[[Path], bool] | None = None,
) -> Undone:
    """Take back the last change made through the tool (or, `redo`, re-apply the last one taken
    back), byte for byte. Refused when the file changed since that step, when the step is damaged,
    or when the bytes it would restore do not parse and check clean."""
    from aes_tracker.store.journal import Journal

    path = loc.path
    state = "redo" if redo else "done"
    with _create_lock(path, lock_timeout):
        fileio.sweep_temps(real(path))
        journal = Journal(path, environ)
        step = journal.latest(state)
        if step is None:
            raise TrackerError(
                _("nothing to redo: no change was undone since the last change")
                if redo
                else _(
                    "nothing to undo: no change made through aes-tracker is recorded for this file"
                ),
                path=str(path),
            )
        exists = os.path.lexists(path)
        current = fileread.read_file(path) if exists else None
        current_digest = None if current is None else fileread.digest(current)
        expected = step.before if redo else step.after
        if current_digest != expected:
            raise TrackerError(
                _(
                    "cannot redo: the file was changed since that change was undone; nothing was "
                    "changed"
                )
                if redo
                else _(
                    "cannot undo: the file was changed outside aes-tracker since its last change, "
                    "and undo would throw that edit away; nothing was changed"
                ),
                path=str(path),
                hint=_(
                    "a hand edit or a git pull (sync) changed it since: git diff and git log -p "
                    "show what; take back a hand edit yourself, then run undo again"
                )
                if not redo
                else None,
            )
        target_digest = step.after if redo else step.before
        if target_digest is None:
            # The step created the file: taking it back removes it.
            fileio.check_writable(path)
            try:
                os.unlink(real(path))
            except OSError as e:
                raise TrackerError(
                    fileread.os_message(e, real(path).parent), path=str(path)
                ) from None
        else:
            base = current if current is not None else b""
            try:
                restored = step.apply(base, forward=redo)
            except ValueError:
                restored = b""
            if fileread.digest(restored) != target_digest:
                raise TrackerError(
                    _("the undo step {n} does not fit the file; nothing was changed").format(
                        n=step.n
                    ),
                    path=str(path),
                )
            restorable(restored, path, merge_committed)  # they must parse and check clean
            fileio.check_writable(path)
            try:
                fileio.replace(path, restored, expect=current_digest, create=current is None)
            except fileio.HandEdit:
                raise TrackerError(
                    _("the file changed while undo ran; nothing was changed"), path=str(path)
                ) from None
        journal.mark(step, "done" if redo else "redo")
        left = journal.count(state, target_digest)
        return Undone(step.what, left)
