"""The one exception the core raises, and the exit codes the CLI maps it to.

Anything a user can cause (a bad file, a bad date, an unknown ID) is a `TrackerError`; anything else
is a bug and is allowed to crash with a traceback.
"""

from __future__ import annotations

# Exit codes, fixed so that scripts and cron jobs can rely on them.
EXIT_OK = 0
EXIT_FOUND = 1  # the command worked and found something to report (overdue items, check problems)
EXIT_ERROR = 2  # bad input, unreadable file, refused write: nothing was changed


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
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.col = col
        self.hint = hint

    def located(self, path: str | None = None) -> TrackerError:
        """The same error with a path filled in where it had none."""
        if self.path is None and path is not None:
            self.path = path
        return self

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
