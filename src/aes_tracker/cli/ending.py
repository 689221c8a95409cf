"""How a run ends: a user error as one line, `error: ...` (and maybe `hint: ...`), on stderr,
naming the option it came from; a fixed exit code; a reader that left (`| head`) ending it
quietly. cli/compat.py calls these from where Click hands the error over."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

from aes_tracker.errors import EXIT_PIPE, TrackerError
from aes_tracker.i18n import _

# Where an error about a data field came from on the command line, when it is not `--field`.
FIELD_FLAGS = {
    "parties": "--party",
    "party": "--party",
    "beneficiaries": "--beneficiary",
    "no_deadline": "--no-deadline",
    "review_reason": "--review-reason",
    "due_reason": "--due-reason",
    "title_fr": "--title-fr",
    "next_host": "--host",
    "hosts": "--host",
}

# The context of the command that runs, for naming the option an error came from.
CURRENT: dict[str, Any] = {}
ARGV: list[str] = []  # the arguments as typed, for the hints of usage errors


def hint_line(hint: str) -> str:
    """The line after an error or a warning that says what to do: `hint: ` in English,
    `conseil : ` in French (`error:` stays the fixed marker scripts look for)."""
    return _("hint: {hint}").format(hint=hint) + "\n"


def warn(message: str, hint: str | None = None) -> None:
    """`warning: ...` on stderr, and the hint that goes with it."""
    sys.stderr.write(_("warning: {message}").format(message=message) + "\n")
    if hint:
        sys.stderr.write(hint_line(hint))


def fail(message: str, hint: str | None = None) -> None:
    """One line, whatever the message holds."""
    from aes_tracker.domain.text import escape_controls

    def line(text: str) -> str:
        return escape_controls(text).replace("\n", "\\n").replace("\t", " ")

    sys.stderr.write(f"error: {line(message)}\n")
    if hint:
        sys.stderr.write(hint_line(line(hint)))


def fail_with(e: TrackerError) -> None:
    """A core error: about a data field given on the command line, it names the option."""
    msg = str(e)
    if e.field and e.path is None:
        msg = f"{flag(CURRENT.get('ctx'), e.field)}: {msg}"
    fail(msg, e.hint)


def flag(ctx: Any, field_name: str) -> str:
    """The option (or argument) of the running command that feeds a data field."""
    flags = ctx.meta.get("aes_flags", {}) if ctx is not None else {}
    if field_name in flags:
        return str(flags[field_name])
    return FIELD_FLAGS.get(field_name, "--" + field_name.replace("_", "-"))


def lang_from(args: Sequence[str]) -> str | None:
    for i, a in enumerate(args):
        if a == "--lang" and i + 1 < len(args):
            return args[i + 1]
        if a.startswith("--lang="):
            return a.split("=", 1)[1]
    return None


def reader_left() -> int:
    """`aes-tracker list | head`: the reader left. Not an error of ours; stdout is pointed at
    /dev/null so that the interpreter's last flush does not complain."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
    return EXIT_PIPE


def end(code: int, standalone: bool) -> int:
    if standalone:
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            code = reader_left()
        sys.exit(code)
    return code
