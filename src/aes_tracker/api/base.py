"""What every part of the API shares: the file, the day, who acts, the environment; reading the
file once per tracker (as of an earlier day under --as-of); running a change; committing it in
git."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from aes_tracker.api.types import Changed
from aes_tracker.errors import TrackerError

if TYPE_CHECKING:
    from aes_tracker.domain.draft import Outcome, Who
    from aes_tracker.store.core import Draft, View, Written
    from aes_tracker.store.paths import Location
    from aes_tracker.store.tomlfile import Loaded


class Committed(NamedTuple):
    """What came of committing a change in git: the error when it failed (the change stays),
    and a warning with its hint when the commit was made but the desk's merge driver is not
    set up in this clone."""

    failed: TrackerError | None = None
    missing: tuple[str, str] | None = None


class Base:
    """One data file, as of one day. `today` may be given as a function, asked once when first
    needed; `who` (who acts, today, the clock) is asked for only when a change needs it, and `by`
    (who acts; default: `who`'s) when only the name is: a command's errors then come in the
    order its options are read, and a read never checks --by. `as_of`: today is an earlier day,
    and the file is read as it stood then. `lock_timeout`: how long a change waits for the
    file's lock. `git`: commit each change in git (None: as the data file's settings say)."""

    def __init__(
        self,
        location: Location,
        today: date | Callable[[], date],
        who: Callable[[], Who],
        environ: Mapping[str, str],
        *,
        lock_timeout: float = 5.0,
        by: Callable[[], str] | None = None,
        as_of: bool = False,
        git: bool | None = None,
    ) -> None:
        self.location = location
        self._today = today
        self.who = who
        self.by: Callable[[], str] = by or (lambda: who().by)
        self.environ = environ
        self.lock_timeout = lock_timeout
        self.as_of = as_of
        self.git = git
        self._view: View | None = None

    @property
    def today(self) -> date:
        if not isinstance(self._today, date):
            self._today = self._today()
        return self._today

    # ---- reading ---------------------------------------------------------------------------------

    def view(self) -> View:
        """The file for reading, through the parse cache; read once per tracker. Under --as-of,
        as it stood at the end of that day."""
        if self._view is None:
            # store.view, not store.core: a read need not import the write path.
            from aes_tracker.store.view import view, view_as_of

            if self.as_of:
                self._view = view_as_of(self.location, self.today, self.environ)
            else:
                self._view = view(self.location, self.environ)
        return self._view

    def load(self) -> Loaded:
        """The whole file, read and checked (no cache): what `export` writes out."""
        from aes_tracker.store.core import load

        return load(self.location)

    def forbidden_outputs(self) -> tuple[Path, ...]:
        """Paths an `--output` must never be: the data file, its lock, its undo journal."""
        from aes_tracker.store.core import forbidden_outputs

        return forbidden_outputs(self.location, self.environ)

    # ---- changing --------------------------------------------------------------------------------

    def change(self, fn: Callable[[Draft], Outcome]) -> Changed:
        """Run one change under the lock, through the undo journal."""
        from aes_tracker.store.paths import chosen_by_folder

        outcome, written = self._update(fn)
        return Changed(outcome, written, chosen_by_folder(self.location))

    def _update(
        self,
        fn: Callable[[Draft], Outcome],
        *,
        by: str | None = None,
        create: bool = False,
        allow_comments: bool = False,
    ) -> tuple[Outcome, Written]:
        """`store.core.update` on this file, under this lock timeout and environment, the
        outcome's line described for `undo`, by `by` (who acts, when not given)."""
        from aes_tracker.store.core import update

        return update(
            self.location,
            fn,
            lock_timeout=self.lock_timeout,
            environ=self.environ,
            describe=lambda o: o.described,
            by=self.by() if by is None else by,
            create=create,
            allow_comments=allow_comments,
        )

    # ---- git -------------------------------------------------------------------------------------

    def git_wanted(self) -> bool:
        """--git/--no-git, else $AES_TRACKER_GIT, else `git = true` under [settings] in the file."""
        if self.git is not None:
            return self.git
        from aes_tracker.store.core import git_setting

        return bool(git_setting(self.location))

    def commit(self, path: Path, subject: str, body: str = "") -> Committed | None:
        """After a change that was written: commit the data file in git when asked to (None:
        not asked). A commit that fails is returned, to be shown as a warning: the change
        stays."""
        if not self.git_wanted():
            return None
        from aes_tracker.desk import driver, gitops

        try:
            repo = gitops.require(path, self.environ)
            gitops.commit_file(repo, subject, body, self.by(), self.environ)
            missing = driver.driver_missing(repo, self.environ)
        except TrackerError as e:
            return Committed(failed=e)
        return Committed(missing=missing)
