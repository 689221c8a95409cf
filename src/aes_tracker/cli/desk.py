"""Working as a desk: the git merge driver (merge-file), settling a conflict it left (resolve),
sharing the data file (sync), and setting git up for it (git init-merge)."""

# No `from __future__ import annotations` in the command modules: Typer reads every command's
# signature on every run, and evaluating annotations kept as strings cost 50 ms of start-up.

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from aes_tracker.cli.base import (
    command,
    commit,
    flags,
    sub_app,
    subject,
    tracker,
    warnings,
)
from aes_tracker.cli.compat import WORDS, Command
from aes_tracker.cli.ending import warn
from aes_tracker.errors import EXIT_FOUND

git_app = sub_app("git", "Set up git for a desk that shares the data file.")


def _file_arg(meta: str, text: str) -> Any:
    return typer.Argument(click_type=WORDS, metavar=meta, help=text, show_default=False)


@command("merge-file")
def merge_file(
    ctx: typer.Context,
    base: Annotated[str, _file_arg("BASE", "The common ancestor's version (git's %O).")],
    ours: Annotated[
        str, _file_arg("OURS", "Our version (git's %A); the merged file is written here.")
    ],
    theirs: Annotated[str, _file_arg("THEIRS", "Their version (git's %B).")],
    path: Annotated[
        str | None, _file_arg("PATH", "The file's name in the repository (git's %P), for messages.")
    ] = None,
) -> None:
    """The git merge driver of the data file: a three-way merge by source and commitment ID,
    field by field (`aes-tracker git init-merge` sets it up).

    Histories are merged entry by entry, and the schedule of a recurring commitment is computed
    again from the merged sessions. The result is written to OURS in canonical form. Exit 0:
    merged; 1: conflicts, each left between conflict markers around that commitment's table
    (`check` names them, `resolve` settles them); 2: an input could not be read, and OURS then
    holds both versions whole between conflict markers.

    Example: aes-tracker merge-file base.toml ours.toml theirs.toml data/commitments.toml
    """
    from aes_tracker.api import merge_files

    shown = path or ours
    result = merge_files(Path(base), Path(ours), Path(theirs), shown)
    if result.conflicts:
        from aes_tracker.render.desk import merged_conflicts

        sys.stderr.write(merged_conflicts(result, shown))
        raise typer.Exit(EXIT_FOUND)


@command()
def resolve(
    ctx: typer.Context,
    cid: Annotated[
        str | None,
        typer.Argument(
            click_type=WORDS,
            metavar="ID",
            help="The commitment in conflict (any unique prefix), or sources.ID, or settings; "
            "without it (and without an option), every conflict is listed.",
            show_default=False,
        ),
    ] = None,
    ours: Annotated[
        bool, typer.Option("--ours", help="Keep our version (the branch you were on).")
    ] = False,
    theirs: Annotated[
        bool, typer.Option("--theirs", help="Keep their version (the one merged in).")
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Take a version that removed the commitment even though the other one has "
            "history it would lose.",
        ),
    ] = False,
    field: Annotated[
        list[str] | None,
        typer.Option(
            "--field",
            metavar="KEY=VALUE",
            help="Set a field of the version kept; repeatable. Without --ours or --theirs, give "
            "every field on which the versions differ.",
        ),
    ] = None,
) -> None:
    """Settle a conflict that a merge left in the data file: keep our version, theirs, or set
    the fields that differ.

    Without --ours, --theirs or --field, lists what differs in that conflict (every conflict,
    without an ID): each field's base, our and their value, with who changed it and when.
    The commitment's history (both sides' entries, always) records who chose what. Undoable;
    once no conflict is left, the file is written in canonical form and must check clean.

    Example: aes-tracker resolve sec-targeted-training --field status=done
    """
    from aes_tracker.api import Resolution

    flags(ctx, id="ID")
    t = tracker(ctx)
    if not ours and not theirs and not field:
        from aes_tracker.render.desk import conflicts

        sys.stdout.write(conflicts(t.conflicts(cid)))
        return
    done = t.resolve_conflict(Resolution(cid, ours, theirs, field or (), force))
    settled = done.settled
    warnings(done.written.warnings)
    sys.stdout.write(settled.line + "\n")
    if settled.left:
        return
    if done.git_merging:
        from aes_tracker.render.desk import merge_unfinished

        sys.stderr.write(merge_unfinished())
        return
    path = t.location.path
    commit(ctx, path, done.written.changed, subject(ctx, settled.unit, settled.how), settled.line)


@command()
def sync(
    ctx: typer.Context,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Fetch, and say what would be received and sent; change nothing else.",
        ),
    ] = False,
) -> None:
    """Share the data file with the desk: commit it, fetch, merge with the aes-tracker merge
    driver, push.

    With --dry-run: fetch, and say what would be received and sent, changing nothing else.
    Exit 0: synced; 1: a conflict to settle (the merge stays in progress: `resolve`, then `sync`
    again); 2: could not sync (not a git work tree, no remote, no network, push refused).
    Nothing is lost either way.

    Example: aes-tracker sync
    """
    from aes_tracker.render.desk import previewed, synced

    t = tracker(ctx)
    if dry_run:
        sys.stdout.write(previewed(t.sync_preview(interactive=sys.stdin.isatty())))
        return
    done = t.sync(interactive=sys.stdin.isatty())
    for message, hint in done.warnings:
        warn(message, hint)
    sys.stdout.write(synced(done))


def _driver_command() -> str:
    """How git runs the driver: this installation's script, else its interpreter with -m."""
    import shlex

    argv0 = sys.argv[0] if sys.argv else ""
    if os.path.basename(argv0) == "aes-tracker" and os.path.isfile(argv0):
        prefix = [os.path.abspath(argv0)]
    else:
        prefix = [sys.executable, "-m", "aes_tracker"]
    # `--` first: git passes %P as it is, and a data file named `-x` is not an option.
    return shlex.join(prefix) + " merge-file -- %O %A %B %P"


@git_app.command("init-merge", cls=Command)
def init_merge(ctx: typer.Context) -> None:
    """Set up the aes-tracker merge driver for the data file in its git repository.

    Writes the line in .gitattributes (commit it: the desk then merges the same way) and the
    clone's merge.aes-tracker.* config. Run it once in each clone; running it again changes
    nothing and says what was already there.

    Example: aes-tracker git init-merge
    """
    for line in tracker(ctx).init_merge(_driver_command()):
        sys.stdout.write(line + "\n")
