"""Looking after the file: check, fmt, init, undo, redo."""

import sys
from typing import Annotated

import typer

from aes_tracker.cli.base import command, commit, settings
from aes_tracker.errors import EXIT_FOUND
from aes_tracker.i18n import _, ngettext


@command()
def check(ctx: typer.Context) -> None:
    """Validate the data file and report every problem, each with its line. Exit 0 when clean,
    1 when problems are found, 2 when the file cannot be read.

    Example: aes-tracker --file data/commitments.toml check
    """
    result = settings(ctx).tracker().check()
    for e in result.errors:
        sys.stderr.write(f"error: {e}\n")
    if result.errors:
        n = len(result.errors)
        sys.stderr.write(ngettext("{n} problem found", "{n} problems found", n).format(n=n) + "\n")
        raise typer.Exit(EXIT_FOUND)
    n, m = result.commitments, result.sources
    sys.stdout.write(
        _("{path}: ok, {commitments}, {sources}").format(
            path=result.path,
            commitments=ngettext("{n} commitment", "{n} commitments", n).format(n=n),
            sources=ngettext("{n} source", "{n} sources", m).format(n=m),
        )
        + "\n"
    )


@command()
def fmt(
    ctx: typer.Context,
    check_only: Annotated[
        bool,
        typer.Option(
            "--check", help="Change nothing; exit 1 if the file is not in canonical form."
        ),
    ] = False,
    drop_comments: Annotated[
        bool, typer.Option("--drop-comments", help="Allow dropping the file's comments.")
    ] = False,
) -> None:
    """Rewrite the data file in canonical form (the layout aes-tracker writes); undoable.

    Example: aes-tracker fmt --check
    """
    s = settings(ctx)
    loc = s.location
    tracker = s.tracker()
    if check_only:
        if not tracker.is_canonical():
            sys.stderr.write(_("{path}: not in canonical form").format(path=loc.path) + "\n")
            raise typer.Exit(EXIT_FOUND)
        sys.stdout.write(_("{path}: canonical").format(path=loc.path) + "\n")
        return
    written = tracker.fmt(drop_comments=drop_comments)
    for w in written.warnings:
        sys.stderr.write(_("warning: {message}").format(message=w) + "\n")
    state = _("reformatted") if written.changed else _("already canonical")
    sys.stdout.write(f"{loc.path}: {state}\n")
    commit(ctx, loc.path, written.changed, "fmt: " + _("the file rewritten in canonical form"))


@command()
def init(
    ctx: typer.Context,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite an existing file (undoable).")
    ] = False,
    empty: Annotated[
        bool, typer.Option("--empty", help="A file with no source and no commitment.")
    ] = False,
) -> None:
    """Write the bundled AES–Russia data to the data file (see --file); refuses to overwrite
    unless --force, which `undo` can take back.

    Example: aes-tracker --file ~/aes/commitments.toml init
    """

    s = settings(ctx)
    path = s.location.path
    written = s.tracker().init(force=force, empty=empty)
    for w in written.warnings:
        sys.stderr.write(_("warning: {message}").format(message=w) + "\n")
    sys.stdout.write(_("wrote {path}").format(path=path) + "\n")
    commit(ctx, path, written.changed, "init: " + (_("empty file") if empty else _("bundled data")))


def _undo(ctx: typer.Context, redo: bool) -> None:
    s = settings(ctx)
    done = s.tracker().undo(redo=redo)
    what = done.what or _("a change")
    line = (_("redid: {what}") if redo else _("undid: {what}")).format(what=what)
    sys.stdout.write(line + "\n")
    commit(ctx, s.location.path, True, line if len(line) <= 72 else line[:71] + "…", line)
    if done.left:
        more = (
            ngettext("{n} more change can be redone", "{n} more changes can be redone", done.left)
            if redo
            else ngettext(
                "{n} earlier change can still be undone",
                "{n} earlier changes can still be undone",
                done.left,
            )
        )
        sys.stdout.write(more.format(n=done.left) + "\n")


@command()
def undo(ctx: typer.Context) -> None:
    """Take back the last change made through aes-tracker, restoring the file's exact bytes, and
    say what it was; repeat to go further back. Refuses if the file was changed since by
    anything else (a hand edit, git), so that nothing is thrown away.

    Example: aes-tracker undo
    """
    _undo(ctx, redo=False)


@command()
def redo(ctx: typer.Context) -> None:
    """Re-apply the last change that `undo` took back (until a new change is made).

    Example: aes-tracker redo
    """
    _undo(ctx, redo=True)
