"""`aes-tracker sync`: commit the data file if it has changes, fetch, merge the remote branch
with the merge driver, push; and `sync --dry-run` (what would be received and sent). A merge the
driver did not finish (a stale path, a crash, kill -9) is merged again here from git's three
versions, never committed as it is; a merge left with conflicts waits for `resolve`.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from aes_tracker.desk.driver import driver_ready
from aes_tracker.desk.gitops import (
    GitError,
    Repo,
    commit_file,
    config,
    conflicts_in,
    first_line,
    git_env,
    identity,
    in_progress,
    run,
    stage,
    unmerged,
)
from aes_tracker.errors import EXIT_FOUND, TrackerError
from aes_tracker.i18n import _
from aes_tracker.store import fileio, filelock, fileread, markers


class ConflictError(TrackerError):
    """A merge left conflicts to settle: the work goes on with `resolve`, then `sync`."""

    exit_code = EXIT_FOUND


# What git says of a push that someone else's push got in before (the second one: a push
# that landed between our push's look at the remote and its update of the branch).
_RACES = ("fetch first", "non-fast-forward", "failed to update ref", "cannot lock ref")


@dataclass(frozen=True)
class Synced:
    remote: str
    branch: str
    received: int  # commits merged in from the remote
    sent: int  # commits pushed
    committed: str  # the hash of a commit of changes made before the sync, or ""
    warnings: tuple[tuple[str, str], ...] = ()  # (message, hint): what the analyst should know
    changes: tuple[tuple[str, str], ...] = ()  # (author, subject) of each commit received


def _log(repo: Repo, spec: str, env: Mapping[str, str]) -> list[tuple[str, str]]:
    """(author, subject) of the commits in `spec`, oldest first, merges left out."""
    out = run(repo.top, ["log", "--no-merges", "--reverse", "--format=%an%x00%s", spec], env)
    pairs = [ln.split("\0", 1) for ln in out.stdout.splitlines() if "\0" in ln]
    return [(a, b) for a, b in pairs]


def _branch(repo: Repo, env: Mapping[str, str]) -> str:
    p = run(repo.top, ["symbolic-ref", "--quiet", "--short", "HEAD"], env, check=False)
    if p.returncode != 0:
        raise GitError(
            _("git is not on a branch (a detached HEAD): nothing to sync"),
            hint=_("check out the desk's branch: git switch main"),
        )
    return p.stdout.strip()


def _upstream(repo: Repo, branch: str, env: Mapping[str, str]) -> tuple[str, str, bool]:
    """(remote, its branch, whether the upstream is set). Without an upstream: the only remote
    (or `origin`), same branch name."""
    remote = config(repo, f"branch.{branch}.remote", env)
    merge = config(repo, f"branch.{branch}.merge", env)
    if remote and remote != "." and merge.startswith("refs/heads/"):
        return remote, merge[len("refs/heads/") :], True
    remotes = run(repo.top, ["remote"], env).stdout.split()
    if not remotes:
        raise GitError(
            _("no remote to sync with"),
            hint=_("add the desk's shared repository: git remote add origin URL"),
        )
    chosen = "origin" if "origin" in remotes else remotes[0] if len(remotes) == 1 else ""
    if not chosen:
        raise GitError(
            _("several remotes and no upstream for {branch}: which one to sync with?").format(
                branch=branch
            ),
            hint=_("set it once: git branch --set-upstream-to REMOTE/{branch}").format(
                branch=branch
            ),
        )
    return chosen, branch, False


def _fetch(repo: Repo, remote: str, rbranch: str, env: Mapping[str, str]) -> tuple[str, bool]:
    """Fetch the remote: the remote-tracking ref of the branch, and whether it exists yet (a
    new remote has none). A fetch that fails stops the sync; nothing here is lost."""
    fetched = run(repo.top, ["fetch", "--quiet", remote], env, check=False)
    if fetched.returncode != 0:
        raise GitError(
            _("cannot fetch from {remote}: {reason}").format(
                remote=remote, reason=first_line(fetched.stderr)
            ),
            hint=_("nothing was lost: your changes are committed here; sync again later"),
        )
    theirs = f"refs/remotes/{remote}/{rbranch}"
    found = run(repo.top, ["rev-parse", "--verify", "--quiet", theirs], env, check=False)
    return theirs, found.returncode == 0


def _count(repo: Repo, spec: str, env: Mapping[str, str]) -> int:
    return int(run(repo.top, ["rev-list", "--count", spec], env).stdout.strip() or 0)


def _text_merged(repo: Repo) -> bool:
    """Whether the data file holds conflict blocks and none of them is aes-tracker's: git
    merged it as text (the driver not set up when it merged: a `git pull` in a fresh clone)."""
    try:
        text = fileread.read_file(repo.path).decode("utf-8", "replace")
        found = markers.blocks(markers.split(text))
    except TrackerError:
        return False
    return bool(found) and not any(b.unit for b in found)


def _conflict(repo: Repo, env: Mapping[str, str]) -> ConflictError:
    paths = unmerged(repo, env)
    labels = conflicts_in(repo)
    others = [p for p in paths if p != repo.rel]
    if labels and _text_merged(repo):
        return ConflictError(
            _(
                "git merged this file as text, without the aes-tracker merge driver: its "
                "conflict markers are git's"
            ),
            path=repo.rel,
            hint=_(
                "merge it again with aes-tracker: git checkout --ours -- {path}; aes-tracker git "
                "init-merge; aes-tracker sync"
            ).format(path=repo.rel),
        )
    if labels:
        return ConflictError(
            _("merge conflict on {ids}: nothing was lost, both versions are in the file").format(
                ids=", ".join(labels)
            ),
            path=repo.rel,
            hint=_(
                "settle each with `aes-tracker resolve ID --ours` (or --theirs, --field), "
                "then run `aes-tracker sync` again"
            ),
        )
    if not paths:  # git stopped without saying on what: never "merge conflict in" nothing
        return ConflictError(
            _("the git merge stopped with no file unmerged: finish it with git first"),
            hint=_("`git status` says where it is; `git merge --abort` takes the merge back"),
        )
    return ConflictError(
        _(
            "merge conflict in {paths}: settle it with git, then run `aes-tracker sync` again"
        ).format(paths=", ".join(others or paths)),
        hint=_("`git status` lists them; `git merge --abort` takes the merge back"),
    )


def mark_settled(repo: Repo, environ: Mapping[str, str]) -> None:
    """Tell git that a person settled the data file's conflicts (`git add`, as git asks), so
    that sync never takes it for a merge the driver did not finish, even when the version
    chosen is exactly ours. Nothing is said when git cannot: sync then decides as before."""
    env = git_env(environ)
    if repo.rel in unmerged(repo, env):
        run(repo.top, ["add", "--", repo.rel], env, check=False)


def _driver_unfinished(repo: Repo, env: Mapping[str, str]) -> bool:
    """Whether the data file is unmerged and holds what git leaves when the merge driver did
    not finish: our version as it was (the driver never wrote: a stale path, a crash, kill -9),
    or the driver's own both-versions-whole block (it could not read an input). A file a
    person has settled since holds neither."""
    if repo.rel not in unmerged(repo, env):
        return False
    from aes_tracker.store.sections import both_whole

    ours, theirs = stage(repo, 2, env), stage(repo, 3, env)
    if ours is None or theirs is None:
        return False  # removed on one side: git's own conflict, settled with git
    try:
        now = fileread.read_file(repo.path)
    except TrackerError:
        return False
    return now in (ours, both_whole(ours, theirs))


def _merge_again(repo: Repo, env: Mapping[str, str]) -> int:
    """Do the driver's work from git's three versions of the data file (its stages), and write
    the result into the work tree. Returns the number of conflicts left; raises GitError (exit
    2) when an input cannot be read: the file then holds both versions whole, and git's
    stages keep all three."""
    from aes_tracker.desk.mergefile import merge_bytes
    from aes_tracker.store.sections import both_whole

    base = stage(repo, 1, env) or b""
    ours, theirs = stage(repo, 2, env) or b"", stage(repo, 3, env) or b""
    try:
        result = merge_bytes(base, ours, theirs, repo.rel)
    except TrackerError as e:
        fileio.write_output(repo.path, both_whole(ours, theirs), forbidden=())
        raise GitError(
            e.message,
            path=e.path,
            line=e.line,
            col=e.col,
            hint=_(
                "both versions are kept whole between conflict markers (and in git: git show "
                ":2:{path}, :3:{path}); mend the file by hand, or take the merge back with "
                "`git merge --abort`"
            ).format(path=repo.rel),
        ) from None
    fileio.write_output(repo.path, result.data, forbidden=())
    return len(result.conflicts)


def _driver_warning(repo: Repo) -> tuple[str, str]:
    return (
        _(
            "the merge driver did not finish the merge of {path}: aes-tracker merged it itself"
        ).format(path=repo.rel),
        _("set the driver up again: aes-tracker git init-merge"),
    )


def _finish_merge(
    repo: Repo,
    env: Mapping[str, str],
    validate: Callable[[], None],
    received: list[tuple[str, str]],
) -> list[tuple[str, str]]:
    """A merge left in progress by an earlier sync (or a `git pull`): once the data file holds
    no conflict (and reads clean) and no other file is unmerged, conclude it. A data file the
    merge driver did not finish is merged again first, never committed as it is."""
    warnings: list[tuple[str, str]] = []
    received.extend(_log(repo, "HEAD..MERGE_HEAD", env))
    if _driver_unfinished(repo, env):
        if _merge_again(repo, env):
            raise _conflict(repo, env)
        warnings.append(_driver_warning(repo))
    if conflicts_in(repo):
        raise _conflict(repo, env)
    paths = unmerged(repo, env)
    if repo.rel in paths:
        validate()
        run(repo.top, ["add", "--", repo.rel], env)
        paths = unmerged(repo, env)
    if paths:
        raise _conflict(repo, env)
    run(repo.top, ["commit", "--no-edit", "--quiet"], env)
    return warnings


# What git names the files it hands a merge driver (%O %A %B: `.merge_file_` and six
# characters, in the work tree's top folder), and the temp file the driver writes beside %A.
_DRIVER_TEMP = re.compile(r"^\.(?:\.merge_file_[A-Za-z0-9]{6}\.tmp-.+|merge_file_[A-Za-z0-9]{6})$")


def _index_free(repo: Repo) -> None:
    """git's index lock is there while a git command runs, and stays when one is killed (a
    `git merge` killed with its driver): every git command that writes then fails. Say which
    file it is and the way out, rather than a merge conflict with no path."""
    lock = repo.git_dir / "index.lock"
    if os.path.lexists(lock):
        raise GitError(
            _("git's index is locked: another git command is running, or one was killed"),
            path=str(lock),
            hint=_(
                "if no git command is running, remove it (rm {lock}), then run `aes-tracker "
                "sync` again"
            ).format(lock=lock),
        )


def _sweep_driver_temps(repo: Repo, env: Mapping[str, str]) -> None:
    """Remove the files a killed merge left for its driver (git removes them itself when it is
    not killed). Called with the index free, so no git merge is running that could own them;
    a file of that name that git tracks is left alone."""
    try:
        names = [n for n in os.listdir(repo.top) if _DRIVER_TEMP.match(n)]
    except OSError:
        return
    if not names:
        return
    tracked = set(run(repo.top, ["ls-files", "-z", "--", *names], env).stdout.split("\0"))
    for name in names:
        path = repo.top / name
        if name in tracked or path.is_symlink() or not path.is_file():
            continue
        with contextlib.suppress(OSError):
            path.unlink()


@dataclass(frozen=True)
class Preview:
    """What `sync` would do, found without changing anything but the remote-tracking branch."""

    remote: str
    branch: str
    incoming: tuple[tuple[str, str], ...]  # (author, subject) of each commit to receive
    outgoing: int  # commits to send
    uncommitted: bool  # the data file has changes not committed yet (sync would commit them)


def preview(
    repo: Repo, *, by: str, environ: Mapping[str, str], interactive: bool = False
) -> Preview:
    """`sync --dry-run`: fetch, then say what would be received and sent. The data file, the
    branch, the index and the remote stay as they are."""
    env = identity(repo, by, environ)
    if interactive and "GIT_TERMINAL_PROMPT" not in environ:
        env.pop("GIT_TERMINAL_PROMPT")
    branch = _branch(repo, env)
    remote, rbranch, _tracked = _upstream(repo, branch, env)
    theirs, exists = _fetch(repo, remote, rbranch, env)
    incoming = _log(repo, f"HEAD..{theirs}", env) if exists else []
    outgoing = _count(repo, f"{theirs}..HEAD" if exists else "HEAD", env)
    status = run(repo.top, ["status", "--porcelain", "--", repo.rel], env).stdout
    return Preview(remote, rbranch, tuple(incoming), outgoing, bool(status.strip()))


def sync(
    repo: Repo,
    *,
    by: str,
    environ: Mapping[str, str],
    validate: Callable[[], None],
    lock_timeout: float = filelock.DEFAULT_LOCK_TIMEOUT,
    interactive: bool = False,
    message: str = "",
) -> Synced:
    """Commit the data file if it has changes, fetch, merge the remote branch (with the merge
    driver), push. Raises ConflictError when the merge leaves conflicts (the merge stays in
    progress; `resolve`, then `sync` again, finishes it), GitError for everything else: then
    nothing was lost (what was committed here stays committed here, and goes with the next
    sync). `validate` raises TrackerError when the data file does not read clean."""
    env = identity(repo, by, environ)
    if interactive and "GIT_TERMINAL_PROMPT" not in environ:
        env.pop("GIT_TERMINAL_PROMPT")  # a person is there to type a password
    with filelock.locked(repo.path, lock_timeout):
        _index_free(repo)
        _sweep_driver_temps(repo, env)
        branch = _branch(repo, env)
        state = in_progress(repo)
        warnings: list[tuple[str, str]] = []
        log: list[tuple[str, str]] = []  # what was received, a merge left unfinished included
        before = 0  # commits a merge left unfinished brings in, counted once it is done
        if state == "merge":
            before = _count(repo, "HEAD..MERGE_HEAD", env)
            warnings += _finish_merge(repo, env, validate, log)
        elif state:
            raise GitError(
                _("a git {what} is in progress: finish it with git first").format(what=state),
                hint=_("git status says how ({what} --continue or --abort)").format(what=state),
            )
        if not driver_ready(repo, env):
            raise GitError(
                _("the aes-tracker merge driver is not set up for {path} in this clone").format(
                    path=repo.rel
                ),
                hint=_("run `aes-tracker git init-merge` once (and commit .gitattributes)"),
            )
        if conflicts_in(repo):
            raise _conflict(repo, env)
        remote, rbranch, tracked = _upstream(repo, branch, env)
        committed = ""
        if run(repo.top, ["status", "--porcelain", "--", repo.rel], env).stdout.strip():
            validate()
            committed = commit_file(
                repo, message or _("sync: changes made before the sync"), "", by, environ
            )
        received, sent = before, 0
        for _attempt in range(3):
            theirs, exists = _fetch(repo, remote, rbranch, env)
            if exists:
                incoming = _count(repo, f"HEAD..{theirs}", env)
                if incoming:
                    log += _log(repo, f"HEAD..{theirs}", env)
                    title = f"sync: merge {remote}/{rbranch}"
                    args = ["merge", "--no-edit", "--quiet", "-m", title, theirs]
                    merged = run(repo.top, args, env, check=False)
                    if merged.returncode != 0:
                        if _driver_unfinished(repo, env):
                            warnings += _finish_merge(repo, env, validate, [])
                        elif unmerged(repo, env) or in_progress(repo) == "merge":
                            raise _conflict(repo, env)
                        else:
                            raise GitError(
                                _("git merge refused: {reason}").format(
                                    reason=first_line(merged.stderr or merged.stdout)
                                ),
                                hint=_(
                                    "nothing was changed; `git status` shows what is in the way"
                                ),
                            )
                    received += incoming
            outgoing = _count(repo, f"{theirs}..HEAD" if exists else "HEAD", env)
            if not outgoing:
                return Synced(
                    remote, rbranch, received, sent, committed, tuple(warnings), tuple(log)
                )
            args = ["push", "--porcelain", remote, f"HEAD:refs/heads/{rbranch}"]
            if not tracked:
                args.insert(1, "--set-upstream")
            pushed = run(repo.top, args, env, check=False)
            if pushed.returncode == 0:
                return Synced(
                    remote,
                    rbranch,
                    received,
                    sent + outgoing,
                    committed,
                    tuple(warnings),
                    tuple(log),
                )
            refused = [ln for ln in pushed.stdout.splitlines() if ln.startswith("!")]
            reason = refused[0].split("\t")[-1] if refused else first_line(pushed.stderr)
            if not any(race in reason for race in _RACES):  # not "behind the remote": say why
                raise GitError(
                    _("cannot push to {remote}: {reason}").format(remote=remote, reason=reason),
                    hint=_("nothing was lost: your changes are committed here; sync again later"),
                )
            # Someone pushed meanwhile: fetch and merge their work too, then push again.
        raise GitError(
            _("{remote} keeps changing while this sync pushes; try again").format(remote=remote),
            hint=_("nothing was lost: your changes are committed here"),
        )
