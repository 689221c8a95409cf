"""What the commands that look after the file say: `check`'s problems and its all-clear,
`where`'s answer, `fmt` and `init`'s lines and their commits' subjects, `undo` and `redo`'s
lines."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aes_tracker.i18n import _, colon, ngettext

if TYPE_CHECKING:
    from pathlib import Path

    from aes_tracker.api import Where
    from aes_tracker.store.check import CheckResult
    from aes_tracker.store.core import Undone


def problems(result: CheckResult) -> str:
    """Each problem on its `error:` line, then their count (for stderr)."""
    n = len(result.errors)
    lines = [f"error: {e}\n" for e in result.errors]
    lines.append(ngettext("{n} problem found", "{n} problems found", n).format(n=n) + "\n")
    return "".join(lines)


def checked(result: CheckResult) -> str:
    n, m = result.commitments, result.sources
    return (
        _("{path}: ok, {commitments}, {sources}").format(
            path=result.path,
            commitments=ngettext("{n} commitment", "{n} commitments", n).format(n=n),
            sources=ngettext("{n} source", "{n} sources", m).format(n=m),
        )
        + "\n"
    )


def where(found: Where) -> str:
    how = {
        "file": _("named by --file"),
        "environment": _("named by $AES_TRACKER_FILE"),
        "folder": _("the data file of this folder (--file names another)"),
        "user": _("the user data file"),
    }[found.how]
    return f"{found.path}{colon()}{how}\n"


def canonical(path: Path, ok: bool) -> str:
    """`fmt --check`'s answer (on stderr when the file is not in canonical form)."""
    line = _("{path}: canonical") if ok else _("{path}: not in canonical form")
    return line.format(path=path) + "\n"


def formatted(path: Path, changed: bool) -> str:
    state = _("reformatted") if changed else _("already canonical")
    return f"{path}: {state}\n"


def fmt_subject() -> str:
    return "fmt: " + _("the file rewritten in canonical form")


def wrote(path: Path) -> str:
    """`init`'s line."""
    return _("wrote {path}").format(path=path) + "\n"


def init_subject(empty: bool) -> str:
    return "init: " + (_("empty file") if empty else _("bundled data"))


def undone(done: Undone, redo: bool) -> str:
    """`undid: ...` (or `redid: ...`): the change taken back, in its own words."""
    from aes_tracker.render import note_words

    what = note_words(done.what) if done.what else _("a change")
    return (_("redid: {what}") if redo else _("undid: {what}")).format(what=what)


def undo_left(done: Undone, redo: bool) -> str:
    """How many more steps can be taken the same way ("" when none)."""
    if not done.left:
        return ""
    more = (
        ngettext("{n} more change can be redone", "{n} more changes can be redone", done.left)
        if redo
        else ngettext(
            "{n} earlier change can still be undone",
            "{n} earlier changes can still be undone",
            done.left,
        )
    )
    return more.format(n=done.left) + "\n"
