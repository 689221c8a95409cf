"""Looking after the file (check, where, fmt, init, undo) and the desk's git work (resolve,
sync, the merge driver)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from aes_tracker.api.base import Base
from aes_tracker.api.types import Resolution, Resolved, Where
from aes_tracker.errors import TrackerError
from aes_tracker.i18n import _

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from aes_tracker.desk.mergefile import Result
    from aes_tracker.desk.resolve import ConflictView
    from aes_tracker.desk.sync import Preview, Synced
    from aes_tracker.domain.draft import Outcome
    from aes_tracker.store.check import CheckResult
    from aes_tracker.store.core import Draft, Undone, Written


class Upkeep(Base):
    """Check, where, fmt, init, undo and redo; resolve, sync, git init-merge."""

    # ---- looking after the file ------------------------------------------------------------------

    def check(self) -> CheckResult:
        """Every problem of the file, each with its line (store/check.py)."""
        from aes_tracker.store.check import check_file

        return check_file(self.location)

    def where(self, named: bool) -> Where:
        """The data file, and how it was chosen (`named`: by --file)."""
        from aes_tracker.store.paths import chosen_by_folder

        loc = self.location
        if named:
            how = "file"
        elif loc.explicit:
            how = "environment"
        else:
            how = "folder" if chosen_by_folder(loc) else "user"
        return Where(loc.path, how)

    def is_canonical(self) -> bool:
        """Whether the file is in the writer's canonical form, comments included (`fmt --check`)."""
        from aes_tracker.store.tomlfile import dumps, find_comment

        loaded = self.load()
        if loaded.bundled:
            raise TrackerError(_("no such file"), path=str(self.location.path))
        return dumps(loaded.raw) == loaded.raw_bytes and find_comment(loaded.text) is None

    def _rewrite_whole(
        self, fn: Callable[[Draft], Outcome], *, create: bool = False, allow_comments: bool
    ) -> Written:
        return self._update(fn, create=create, allow_comments=allow_comments)[1]

    def fmt(self, *, drop_comments: bool = False) -> Written:
        """Rewrite the file in canonical form, through the undo journal."""
        from aes_tracker.domain.draft import Outcome

        def whole(d: Draft) -> Outcome:
            d.raw_document()
            return Outcome("", _("fmt: the file rewritten in canonical form"))

        return self._rewrite_whole(whole, allow_comments=drop_comments)

    def init(self, *, force: bool = False, empty: bool = False) -> Written:
        """Write the bundled data (or, `empty`, a file with no source and no commitment) to the
        data file; an existing file only with `force`, and only one that undo could restore."""
        from aes_tracker.domain.draft import Outcome
        from aes_tracker.domain.model import SCHEMA
        from aes_tracker.domain.parties import DEFAULT_GROUPS, DEFAULT_PARTIES
        from aes_tracker.i18n import colon
        from aes_tracker.store.core import load_bytes
        from aes_tracker.store.fileread import read_file
        from aes_tracker.store.paths import bundled_path

        path = self.location.path
        if empty:
            content: dict[str, object] = {
                "schema": SCHEMA,
                "parties": list(DEFAULT_PARTIES),
                "groups": {name: {"members": list(m)} for name, m in DEFAULT_GROUPS},
            }
        else:
            content = load_bytes(read_file(bundled_path()), bundled_path()).raw

        if force and os.path.lexists(path):
            # Undo restores only a file that reads clean: what --force would replace here could
            # not be brought back, so it is not replaced.
            try:
                load_bytes(read_file(path), path)
            except TrackerError as e:
                reason = e.message
                if e.line is not None:
                    reason = _("line {n}").format(n=e.line) + colon() + reason
                raise TrackerError(
                    _(
                        "cannot be read ({reason}), and undo could not bring it back if --force "
                        "replaced it; nothing was written"
                    ).format(reason=reason),
                    path=str(path),
                    hint=_("fix it, or move it away, then run init again"),
                ) from None

        def write(d: Draft) -> Outcome:
            if os.path.lexists(path) and not force:
                raise TrackerError(
                    _("already exists; nothing was written"),
                    path=str(path),
                    hint=_("use --force to overwrite it (undo takes it back)"),
                )
            raw = d.raw_document()
            raw.clear()
            raw.update(content)
            return Outcome("", _("init: {path}").format(path=path))

        return self._rewrite_whole(write, create=True, allow_comments=True)

    def undo(self, *, redo: bool = False) -> Undone:
        """Take back the last change made through the tool (or re-apply the last one taken back)."""
        from aes_tracker.desk import gitops
        from aes_tracker.store.core import undo

        return undo(
            self.location,
            redo=redo,
            lock_timeout=self.lock_timeout,
            environ=self.environ,
            merge_committed=lambda path: gitops.merge_committed(path, self.environ),
        )

    # ---- the desk --------------------------------------------------------------------------------

    def conflicts(self, cid: str | None) -> list[ConflictView]:
        """What differs in each conflict a merge left in the file (or the one `cid` names)."""
        from aes_tracker.desk.resolve import describe
        from aes_tracker.store.fileread import read_file
        from aes_tracker.store.tomlfile import decode

        path = self.location.path
        return describe(decode(read_file(path), str(path)), cid, str(path))

    def resolve_conflict(self, r: Resolution) -> Resolved:
        """Settle one conflict that a merge left in the file (desk/merge.py `settle`), through
        the undo journal; `git_merging`: whether a git merge is still in progress once none is
        left (then it is marked settled for git, `sync` finishes it, and the change is not
        committed here)."""
        from aes_tracker.desk import gitops
        from aes_tracker.desk import sync as desk_sync
        from aes_tracker.desk.resolve import Settled, settle
        from aes_tracker.store.core import rewrite
        from aes_tracker.store.tomlfile import decode

        if r.cid is None:
            raise TrackerError(_("say which conflict to settle: resolve ID --ours (or --theirs)"))
        if r.ours and r.theirs:
            raise TrackerError(_("--ours and --theirs exclude each other: give one"))
        values: dict[str, str] = {}
        for item in r.fields:
            key, sep, value = item.partition("=")
            key = key.strip()
            if not sep or not key or key == "history":
                raise TrackerError(
                    _("{value} is not KEY=VALUE (a field of the commitment)").format(
                        value=repr(item)
                    ),
                    field="field",
                )
            values[key] = value
        side = "ours" if r.ours else "theirs" if r.theirs else None
        who = self.who()
        loc = self.location
        cid = r.cid

        def settle_bytes(old: bytes) -> tuple[bytes, Settled]:
            text = decode(old, str(loc.path))
            return settle(
                text,
                cid,
                side=side,
                fields=values,
                who=who,
                path=str(loc.path),
                today=who.today,
                force=r.force,
            )

        settled, written = rewrite(
            loc,
            settle_bytes,
            lock_timeout=self.lock_timeout,
            environ=self.environ,
            describe=lambda x: f"resolve {x.unit}: {x.how}",
            by=self.by(),
        )
        merging = False
        if not settled.left:
            repo = gitops.find(loc.path, self.environ)
            if repo is not None and gitops.in_progress(repo):
                desk_sync.mark_settled(repo, self.environ)
                merging = True
        return Resolved(settled, written, merging)

    def sync(self, *, interactive: bool) -> Synced:
        """Share the file with the desk through git: commit, fetch, merge, push."""
        from aes_tracker.desk import gitops
        from aes_tracker.desk import sync as desk_sync
        from aes_tracker.store.core import load

        loc = self.location
        repo = gitops.require(loc.path, self.environ)

        def validate() -> None:
            load(loc)  # raises, naming the line, when the file does not read clean

        return desk_sync.sync(
            repo,
            by=self.by(),
            environ=self.environ,
            validate=validate,
            lock_timeout=self.lock_timeout,
            interactive=interactive,
        )

    def sync_preview(self, *, interactive: bool) -> Preview:
        """`sync --dry-run`: fetch, and what would be received and sent; nothing else changes."""
        from aes_tracker.desk import gitops
        from aes_tracker.desk import sync as desk_sync

        repo = gitops.require(self.location.path, self.environ)
        return desk_sync.preview(repo, by=self.by(), environ=self.environ, interactive=interactive)

    def init_merge(self, driver: str) -> list[str]:
        """Set up the merge driver (`driver`: how git runs it) for the file's repository; what
        was done, or was already there, one line each."""
        from aes_tracker.desk import driver as merge_driver
        from aes_tracker.desk import gitops

        repo = gitops.require(self.location.path, self.environ)
        return list(merge_driver.init_merge(repo, driver, self.environ))


def merge_files(base: Path, ours: Path, theirs: Path, shown: str) -> Result:
    """The git merge driver: merge three versions of a data file, by source and commitment ID,
    and write the result to `ours` (`shown`: the file's name for messages). When an input cannot
    be read, `ours` gets both versions whole between conflict markers, and the error says so."""
    from aes_tracker.desk.mergefile import merge_bytes
    from aes_tracker.store.fileio import write_output
    from aes_tracker.store.fileread import read_file
    from aes_tracker.store.sections import both_whole

    b, o, t = (read_file(p) for p in (base, ours, theirs))
    try:
        result = merge_bytes(b, o, t, shown)
    except TrackerError as e:
        # Keep both versions, whole, where git and the analyst will look: nothing is lost.
        write_output(ours, both_whole(o, t), forbidden=())
        e.hint = _("both versions are kept whole between conflict markers; mend it by hand")
        raise
    write_output(ours, result.data, forbidden=())
    return result
