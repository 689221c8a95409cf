"""The one exception the core raises, and the exit codes the CLI maps it to.

Anything a user can cause (a bad file, a bad date, an unknown ID) is a `TrackerError`; anything else
is a bug and is allowed to crash with a traceback.

The core speaks in the data's own words: an error about a value names the *field* it came from
(`due`, `on`, `evidence`), never a command-line flag. The CLI, which knows which flag fed which
field, puts the flag in front of the message.
"""

from __future__ import annotations

# Exit codes, fixed so that scripts and cron jobs can rely on them.
EXIT_OK = 0
EXIT_FOUND = 1  # the command worked and found something to report (overdue items, check problems)
EXIT_ERROR = 2  # bad input, unreadable file, refused write: nothing was changed
EXIT_INTERRUPTED = 130
EXIT_PIPE = 0  # the reader of our output left (`| head`): not a failure of ours


class TrackerError(Exception):
    """A user-facing error: `error: PATH:LINE:COL: message`, and an optional hint line."""

    exit_code = EXIT_ERROR

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        col: int | None = None,
        hint: str | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.col = col
        self.hint = hint
        self.field = field  # the data field the bad value was for, when there is one

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = self.path
            if self.line is not None:
                where += f":{self.line}"
                if self.col is not None:
                    where += f":{self.col}"
            where += ": "
        return where + self.message


class BusyError(TrackerError):
    """The data file's lock could not be taken in time."""


class DateError(TrackerError):
    """A date, a duration or a recurrence rule that cannot be read."""
