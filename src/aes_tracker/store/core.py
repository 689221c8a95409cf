"""The store's public face, as the commands use it: reading (store/view.py), changing
(store/draft.py, store/transaction.py), undo (store/undo.py), and two small questions about the
file (`git_setting`, `forbidden_outputs`). The pieces below: paths.py (which file), fileio.py
(lock, atomic replace), tomlfile.py (TOML), cache.py (summaries), splice.py (fast writes),
journal.py (undo steps)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from aes_tracker.errors import TrackerError
from aes_tracker.store.draft import Draft
from aes_tracker.store.paths import Location, bundled_path, environment
from aes_tracker.store.transaction import Written, preview, rewrite, update
from aes_tracker.store.undo import Undone, restorable, undo
from aes_tracker.store.view import (
    Fresh,
    View,
    conflict_lines,
    first_error,
    load,
    load_bytes,
    read_bytes,
    refresh,
    tidy,
    view,
    view_as_of,
)

__all__ = [
    "Draft",
    "Fresh",
    "Undone",
    "View",
    "Written",
    "bundled_path",
    "conflict_lines",
    "first_error",
    "forbidden_outputs",
    "git_setting",
    "load",
    "load_bytes",
    "preview",
    "read_bytes",
    "refresh",
    "restorable",
    "rewrite",
    "tidy",
    "undo",
    "update",
    "view",
    "view_as_of",
]


def git_setting(loc: Location) -> bool | None:
    """`git = true|false` under `[settings]` in the data file, read from its first section only;
    None when it is not set (or the file cannot say)."""
    if not loc.explicit and not os.path.lexists(loc.path):
        return None  # the bundled data: no settings of the user's
    from aes_tracker.store.fileread import read_head
    from aes_tracker.store.tomlfile import toml

    # The settings come before the first commitment: read and parse that much only (a change to
    # a 10 MB file pays microseconds for it, not a second read of the whole file).
    try:
        head = read_head(loc.path, b"\n[commitments.")
    except TrackerError:
        return None
    try:
        top = toml().loads(head.decode("utf-8"))
    except Exception:  # markers, a hand edit: the file cannot say, and the check will
        return None
    value = top.get("settings", {}).get("git") if isinstance(top.get("settings"), dict) else None
    return value if isinstance(value, bool) else None


def forbidden_outputs(
    loc: Location, environ: Mapping[str, str] = environment()
) -> tuple[Path, ...]:
    """Paths an `--output` must never be: the data file, its lock, its undo journal."""
    from aes_tracker.store.journal import journal_dir
    from aes_tracker.store.paths import lock_path

    return (loc.path, lock_path(loc.path), journal_dir(loc.path, environ))
