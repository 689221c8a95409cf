"""git as a program, for a desk sharing one data file: running it, finding the work tree the data
file is in, who commits, the state of a merge, and committing the data file alone. Setting up
the merge driver is driver.py's job; `sync` is sync.py's.

git is run as a program, never through a library, with an environment that works where there is
no terminal and no identity (cron): messages in English (`LC_ALL=C`), no editor, no password
prompt unless a person is there to answer it, and an author (and, when git has none, a
committer) given explicitly:

- the author is the analyst (`--by`), with the e-mail `$AES_TRACKER_EMAIL` when set, else
  git's own `user.email` when set, else `<name, in ASCII, dotted>@aes-tracker.invalid`: stable
  per analyst (so `git shortlog -se` counts each one's changes), and in the `.invalid` domain
  (RFC 2606) so that it is never mistaken for a real address;
- the committer is git's own `user.name`/`user.email` when they are configured, else the
  author.

Nothing here reads the data: conflicts are named from the markers in the file (store/markers.py).
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aes_tracker.errors import TrackerError
from aes_tracker.i18n import _
from aes_tracker.store import fileread, markers

TIMEOUT = 300.0  # seconds for one git command (a fetch over a slow link)
EMAIL_DOMAIN = "aes-tracker.invalid"


class GitError(TrackerError):
    """git could not do it: nothing of the data was lost (the message says where things are)."""


@dataclass(frozen=True)
class Repo:
    top: Path  # the work tree
    git_dir: Path
    path: Path  # the data file, as given
    rel: str  # the data file, relative to the work tree, with /


def git_env(environ: Mapping[str, str], *, interactive: bool = False) -> dict[str, str]:
    env = dict(environ)
    env.update(LC_ALL="C", GIT_MERGE_AUTOEDIT="no", GIT_EDITOR="true")
    env.pop("LANGUAGE", None)
    if not interactive:
        env["GIT_TERMINAL_PROMPT"] = "0"  # fail, rather than wait for a password nobody types
    return env


def first_line(text: str) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    for ln in lines:
        for prefix in ("fatal: ", "error: "):
            if ln.startswith(prefix):
                return ln[len(prefix) :]
    return lines[0] if lines else ""


def _spawn(
    cwd: Path, args: Sequence[str], env: Mapping[str, str], timeout: float, *, text: bool
) -> subprocess.CompletedProcess[Any]:
    """git run once, its output captured (as text, or as bytes); GitError when it cannot run."""
    try:
        return subprocess.run(
            ["git", *args],
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=text,
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError:
        raise GitError(_("git is not installed (no `git` on the PATH)")) from None
    except subprocess.TimeoutExpired:
        raise GitError(
            _("git {command} took more than {n} seconds and was stopped").format(
                command=args[0], n=int(timeout)
            )
        ) from None
    except OSError as e:
        raise GitError(_("cannot run git: {reason}").format(reason=e.strerror or e)) from None


def run(
    cwd: Path,
    args: Sequence[str],
    env: Mapping[str, str],
    *,
    check: bool = True,
    timeout: float = TIMEOUT,
) -> subprocess.CompletedProcess[str]:
    p = _spawn(cwd, args, env, timeout, text=True)
    if check and p.returncode != 0:
        raise GitError(
            _("git {command} failed: {reason}").format(
                command=args[0], reason=first_line(p.stderr or p.stdout)
            )
        )
    return p


def stage(repo: Repo, n: int, env: Mapping[str, str]) -> bytes | None:
    """The data file's version number `n` in an unmerged index (1: the common ancestor, 2: ours,
    3: theirs), or None when that side has none (or git cannot say)."""
    try:
        p = _spawn(repo.top, ["cat-file", "blob", f":{n}:{repo.rel}"], env, TIMEOUT, text=False)
    except GitError:
        return None
    return p.stdout if p.returncode == 0 else None


def find(path: Path, environ: Mapping[str, str]) -> Repo | None:
    """The git work tree the data file is in, or None."""
    real = Path(os.path.realpath(path))
    env = git_env(environ)
    folder = real.parent
    while not folder.is_dir() and folder != folder.parent:
        folder = folder.parent  # a data file to be created in a folder not made yet
    try:
        args = ["rev-parse", "--show-toplevel", "--absolute-git-dir"]
        p = run(folder, args, env, check=False)
    except GitError:
        return None
    lines = p.stdout.splitlines()
    if p.returncode != 0 or len(lines) < 2:
        return None
    top = Path(os.path.realpath(lines[0]))
    try:
        rel = real.relative_to(top).as_posix()
    except ValueError:
        return None
    return Repo(top, Path(lines[1]), path, rel)


def require(path: Path, environ: Mapping[str, str]) -> Repo:
    repo = find(path, environ)
    if repo is None:
        raise GitError(
            _("is not in a git work tree"),
            path=str(path),
            hint=_("clone the desk's repository, or run `git init` in its folder"),
        )
    return repo


# ---- who -----------------------------------------------------------------------------------------


def email_for(name: str) -> str:
    """`Awa Traoré` → `awa.traore@aes-tracker.invalid`."""
    from anyascii import anyascii

    local = re.sub(r"[^a-z0-9_-]+", ".", anyascii(name).lower()).strip(".-") or "analyst"
    return f"{local}@{EMAIL_DOMAIN}"


def config(repo: Repo, key: str, env: Mapping[str, str]) -> str:
    p = run(repo.top, ["config", "--get", key], env, check=False)
    return p.stdout.strip() if p.returncode == 0 else ""


def identity(repo: Repo, by: str, environ: Mapping[str, str]) -> dict[str, str]:
    """The environment that names the author (the analyst) and, when git has no identity of its
    own (cron, a fresh account), the committer."""
    env = git_env(environ)
    name = re.sub(r"[<>\n]", "", by).strip() or "analyst"
    own = run(
        repo.top, ["config", "--get-regexp", r"^user\.(name|email)$"], env, check=False
    ).stdout
    values = {k: v.strip() for k, _sep, v in (ln.partition(" ") for ln in own.splitlines())}
    keys = {k for k, v in values.items() if v}
    # git's own e-mail, when set, wins over the made-up one: it is the person's real address.
    email = environ.get("AES_TRACKER_EMAIL") or values.get("user.email") or email_for(name)
    env.update(GIT_AUTHOR_NAME=name, GIT_AUTHOR_EMAIL=email)
    has_own = ("user.name" in keys or environ.get("GIT_COMMITTER_NAME")) and (
        "user.email" in keys or environ.get("GIT_COMMITTER_EMAIL")
    )
    if not has_own:
        env.update(GIT_COMMITTER_NAME=name, GIT_COMMITTER_EMAIL=email)
    return env


# ---- state ---------------------------------------------------------------------------------------


def merge_committed(path: Path, environ: Mapping[str, str]) -> bool:
    """Whether conflict markers in the data file at `path` belong to a merge that git has
    finished (so `undo` must not bring them back); outside a work tree nothing says it is over."""
    repo = find(path, environ)
    return repo is not None and in_progress(repo) != "merge"


def in_progress(repo: Repo) -> str:
    """ "merge" or "rebase" (or "cherry-pick") when git is in the middle of one, else ""."""
    g = repo.git_dir
    if (g / "rebase-merge").exists() or (g / "rebase-apply").exists():
        return "rebase"
    if (g / "MERGE_HEAD").exists():
        return "merge"
    if (g / "CHERRY_PICK_HEAD").exists():
        return "cherry-pick"
    return ""


def unmerged(repo: Repo, env: Mapping[str, str]) -> list[str]:
    p = run(repo.top, ["diff", "--name-only", "--diff-filter=U", "-z"], env)
    return [x for x in p.stdout.split("\0") if x]


def conflicts_in(repo: Repo) -> list[str]:
    """The labels of the conflict blocks in the data file (IDs, where merge-file wrote them)."""
    try:
        text = fileread.read_file(repo.path).decode("utf-8", "replace")
    except TrackerError:
        return []
    if not markers.has_markers(text):
        return []
    try:
        return [b.unit or b.label for b in markers.blocks(markers.split(text))]
    except TrackerError:
        return ["?"]


# ---- committing a change -------------------------------------------------------------------------


def commit_file(repo: Repo, subject: str, body: str, by: str, environ: Mapping[str, str]) -> str:
    """Commit the data file alone, whatever else is staged (that stays staged, uncommitted).
    Returns the new commit's short hash, or "" when the file has nothing to commit."""
    state = in_progress(repo)
    if state:
        raise GitError(
            _("a git {what} is in progress: the change was not committed").format(what=state),
            hint=_("finish it with `aes-tracker sync` (or git), then the next change commits"),
        )
    env = identity(repo, by, environ)
    status = run(repo.top, ["status", "--porcelain", "-z", "--", repo.rel], env).stdout
    if not status.strip("\0"):
        return ""
    if status.startswith("??"):
        run(repo.top, ["add", "--", repo.rel], env)
    message = ["-m", subject] + (["-m", body] if body else [])
    run(repo.top, ["commit", "--only", "--quiet", "--no-edit", *message, "--", repo.rel], env)
    return run(repo.top, ["rev-parse", "--short", "HEAD"], env).stdout.strip()
