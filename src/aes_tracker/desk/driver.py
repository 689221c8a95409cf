"""The merge driver's set-up in a clone (`aes-tracker git init-merge`): the .gitattributes line
that sends the data file to `aes-tracker merge-file`, the repository's `merge.aes-tracker.*`
config, and the lock and temp files kept out of git; and whether a clone has it (a clone
without it would merge the data file as text).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

from aes_tracker.desk.gitops import GitError, Repo, config, git_env, run
from aes_tracker.i18n import _
from aes_tracker.store import fileread

DRIVER = "aes-tracker"  # the name in .gitattributes (`merge=aes-tracker`) and git config
DRIVER_NAME = "aes-tracker: merge commitments by ID, field by field"


def attr_pattern(rel: str) -> str:
    """A .gitattributes pattern matching exactly the data file: anchored, its wildcards escaped,
    and blanks (which end a pattern there) matched by `?`."""
    out = re.sub(r"([*?\[\\])", r"\\\1", rel)
    return "/" + re.sub(r"\s", "?", out)


def init_merge(repo: Repo, driver_command: str, environ: Mapping[str, str]) -> list[str]:
    """Write the .gitattributes line and the repository's merge.aes-tracker.* config, each only
    when it is not already there; the lines say what was done and what was already there."""
    env = git_env(environ)
    said: list[str] = []
    pattern = attr_pattern(repo.rel)
    line = f"{pattern} merge={DRIVER}"
    attrs = repo.top / ".gitattributes"
    _not_a_link(attrs)  # before anything is written: a refusal leaves nothing half done
    current = run(repo.top, ["check-attr", "merge", "--", repo.rel], env).stdout
    if current.rstrip("\n").endswith(f": merge: {DRIVER}"):
        said.append(
            _("{file}: already there: {path} merges with aes-tracker").format(
                file=".gitattributes", path=repo.rel
            )
        )
    else:
        _append_line(attrs, line)
        said.append(
            _("{file}: added `{line}` (commit it: the whole desk then merges the same way)").format(
                file=".gitattributes", line=line
            )
        )
    for key, value in (
        (f"merge.{DRIVER}.name", DRIVER_NAME),
        (f"merge.{DRIVER}.driver", driver_command),
    ):
        before = config(repo, key, env)
        if before == value:
            said.append(_("git config {key}: already set").format(key=key))
            continue
        run(repo.top, ["config", "--local", key, value], env)
        said.append(
            _("git config {key}: set to {value}").format(key=key, value=value)
            if not before
            else _("git config {key}: set to {value} (was {old})").format(
                key=key, value=value, old=before
            )
        )
    # The lock and a killed writer's temp file live beside the data file: not for git.
    exclude = repo.git_dir / "info" / "exclude"
    folder, _sep, name = repo.rel.rpartition("/")
    prefix = f"/{folder}/" if folder else "/"
    wanted = [attr_pattern(repo.rel) + ".lock", f"{prefix}.{name}.tmp-*"]
    have = exclude.read_text(encoding="utf-8").splitlines() if exclude.exists() else []
    new = [w for w in wanted if w not in have]
    if new:
        exclude.parent.mkdir(parents=True, exist_ok=True)
        for w in new:
            _append_line(exclude, w)
        said.append(
            _("{file}: ignoring {patterns}").format(
                file=".git/info/exclude", patterns=", ".join(new)
            )
        )
    else:
        said.append(_("{file}: already ignoring the lock file").format(file=".git/info/exclude"))
    return said


def _not_a_link(path: Path) -> None:
    """A .gitattributes (or exclude file) that is a link may point anywhere, outside the
    repository too (someone else's file): aes-tracker does not write through it."""
    if path.is_symlink():
        raise GitError(
            _("is a symbolic link: aes-tracker does not write through it"),
            path=str(path),
            hint=_("replace the link by a plain file, then run `aes-tracker git init-merge` again"),
        )


def _append_line(path: Path, line: str) -> None:
    _not_a_link(path)
    try:
        # O_NOFOLLOW: a link planted between the check and the open is refused too (ELOOP).
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o644)
        with os.fdopen(fd, "ab") as f:
            size = os.fstat(fd).st_size
            last = os.pread(fd, 1, size - 1) if size else b"\n"
            f.write((b"" if last == b"\n" else b"\n") + line.encode("utf-8") + b"\n")
    except OSError as e:
        raise GitError(fileread.os_message(e, path.parent), path=str(path)) from None


def driver_missing(repo: Repo, environ: Mapping[str, str]) -> tuple[str, str] | None:
    """(warning, hint) when this clone would merge the data file as text; else None."""
    if driver_ready(repo, git_env(environ)):
        return None
    return (
        _(
            "the aes-tracker merge driver is not set up for {path} in this clone: a git merge "
            "would merge it as text"
        ).format(path=repo.rel),
        _("run `aes-tracker git init-merge` once"),
    )


def driver_ready(repo: Repo, env: Mapping[str, str]) -> bool:
    attr = run(repo.top, ["check-attr", "merge", "--", repo.rel], env).stdout
    return attr.rstrip("\n").endswith(f": merge: {DRIVER}") and bool(
        config(repo, f"merge.{DRIVER}.driver", env)
    )
