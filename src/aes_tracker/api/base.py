"""What every part of the API shares: the file, the day, who acts, the environment; reading the
file once per tracker; running a change; committing it in git."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from aes_tracker.api.types import Changed
from aes_tracker.errors import TrackerError

if TYPE_CHECKING:
    from aes_tracker.domain.changes import Outcome, Who
    from aes_tracker.store.core import Draft, View
    from aes_tracker.store.paths import Location
    from aes_tracker.store.tomlfile import Loaded


class Base:
    """One data file, as of one day. `today` may be given as a function, asked once when first
    needed; `who` (who acts, today, the clock) is asked for only when a change needs it, and `by`
    (who acts; default: `who`'s) when only the name is: a command's errors then come in the
    order its options are read, and a read never checks --by. `lock_timeout`: how long a change
    waits for the file's lock."""

    def __init__(
        self,
        location: Location,
        today: date | Callable[[], date],
        who: Callable[[], Who],
        environ: Mapping[str, str],
        lock_timeout: float = 5.0,
        by: Callable[[], str] | None = None,
    ) -> None:
        self.location = location
        self._today = today
        self.who = who
        self.by: Callable[[], str] = by or (lambda: who().by)
        self.environ = environ
        self.lock_timeout = lock_timeout
        self._view: View | None = None

    @property
    def today(self) -> date:
        if not isinstance(self._today, date):
            self._today = self._today()
        return self._today

    # ---- reading ---------------------------------------------------------------------------------

    def view(self) -> View:
        """The file for reading, through the parse cache; read once per tracker."""
        if self._view is None:
            from aes_tracker.store.core import view

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
        from aes_tracker.store.core import update

        outcome, written = update(
            self.location,
            fn,
            lock_timeout=self.lock_timeout,
            environ=self.environ,
            describe=lambda o: o.described,
            by=self.by(),
        )
        return Changed(outcome, written)

    # ---- git -------------------------------------------------------------------------------------

    def commit(
        self, path: Path, git: bool | None, subject: str, body: str = ""
    ) -> TrackerError | None:
        """After a change that was written: commit the data file in git when asked to (`git`:
        --git/--no-git or $AES_TRACKER_GIT; None: `git = true` under [settings] in the file).
        A commit that fails is returned, to be shown as a warning: the change stays."""
        if git is None:
            from aes_tracker.store.core import git_setting

            git = bool(git_setting(self.location))
        if not git:
            return None
        from aes_tracker.desk import gitops

        try:
            repo = gitops.require(path, self.environ)
            gitops.commit_file(repo, subject, body, self.by(), self.environ)
        except TrackerError as e:
            return e
        return None
