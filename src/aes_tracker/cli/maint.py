"""Looking after the file: check, fmt, init, undo, redo, where."""

import sys
from typing import Annotated

import typer

from aes_tracker.cli.base import command, commit, settings, tracker, warnings
from aes_tracker.errors import EXIT_FOUND


@command()
def check(ctx: typer.Context) -> None:
    """Validate the data file and report every problem, each with its line. Exit 0 when clean,
    1 when problems are found, 2 when the file cannot be read.

    Example: aes-tracker --file data/commitments.toml check
    """
    from aes_tracker.render.upkeep import checked, problems

    result = tracker(ctx).check()
    if result.errors:
        sys.stderr.write(problems(result))
        raise typer.Exit(EXIT_FOUND)
    sys.stdout.write(checked(result))


@command()
def where(ctx: typer.Context) -> None:
    """Name the data file the commands read and write, and how it was chosen: --file,
    $AES_TRACKER_FILE, the data file of this folder (data/commitments.toml), or the user data
    file.

    Example: aes-tracker where
    """
    from aes_tracker.render.upkeep import where as where_line

    sys.stdout.write(where_line(tracker(ctx).where(named=bool(settings(ctx).file))))


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
    from aes_tracker.render.upkeep import canonical, fmt_subject, formatted

    t = tracker(ctx)
    path = t.location.path
    if check_only:
        if not t.is_canonical():
            sys.stderr.write(canonical(path, ok=False))
            raise typer.Exit(EXIT_FOUND)
        sys.stdout.write(canonical(path, ok=True))
        return
    written = t.fmt(drop_comments=drop_comments)
    warnings(written.warnings)
    sys.stdout.write(formatted(path, written.changed))
    commit(ctx, path, written.changed, fmt_subject())


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
    from aes_tracker.render.upkeep import init_subject, wrote

    t = tracker(ctx)
    path = t.location.path
    written = t.init(force=force, empty=empty)
    warnings(written.warnings)
    sys.stdout.write(wrote(path))
    commit(ctx, path, written.changed, init_subject(empty))


def _undo(ctx: typer.Context, redo: bool) -> None:
    from aes_tracker.render.upkeep import undo_left, undone

    t = tracker(ctx)
    done = t.undo(redo=redo)
    line = undone(done, redo)
    sys.stdout.write(line + "\n")
    commit(ctx, t.location.path, True, line if len(line) <= 72 else line[:71] + "…", line)
    sys.stdout.write(undo_left(done, redo))


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
