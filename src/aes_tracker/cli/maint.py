"""Looking after the file: check, fmt, init, undo, redo, where."""

import os
import sys
from typing import Annotated

import typer

from aes_tracker.cli.base import command, commit, settings
from aes_tracker.errors import EXIT_FOUND, TrackerError
from aes_tracker.i18n import _, colon, ngettext


@command()
def check(ctx: typer.Context) -> None:
    """Validate the data file and report every problem, each with its line. Exit 0 when clean,
    1 when problems are found, 2 when the file cannot be read.

    Example: aes-tracker --file data/commitments.toml check
    """
    from aes_tracker.store.check import check_file

    s = settings(ctx)
    result = check_file(s.location)
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
def where(ctx: typer.Context) -> None:
    """Name the data file the commands read and write, and how it was chosen: --file,
    $AES_TRACKER_FILE, the data file of this folder (data/commitments.toml), or the user data
    file.

    Example: aes-tracker where
    """
    s = settings(ctx)
    loc = s.location
    if s.file:
        how = _("named by --file")
    elif loc.explicit:
        how = _("named by $AES_TRACKER_FILE")
    else:
        from aes_tracker.store.paths import chosen_by_folder

        how = (
            _("the data file of this folder (--file names another)")
            if chosen_by_folder(loc)
            else _("the user data file")
        )
    sys.stdout.write(f"{loc.path}{colon()}{how}\n")


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
    from aes_tracker.domain.draft import Outcome
    from aes_tracker.store.core import Draft, load, update
    from aes_tracker.store.tomlfile import dumps, find_comment

    s = settings(ctx)
    loc = s.location
    if check_only:
        loaded = load(loc)
        if loaded.bundled:
            raise TrackerError(_("no such file"), path=str(loc.path))
        if dumps(loaded.raw) != loaded.raw_bytes or find_comment(loaded.text) is not None:
            sys.stderr.write(_("{path}: not in canonical form").format(path=loc.path) + "\n")
            raise typer.Exit(EXIT_FOUND)
        sys.stdout.write(_("{path}: canonical").format(path=loc.path) + "\n")
        return

    def whole(d: Draft) -> Outcome:
        d.raw_document()
        return Outcome("", _("fmt: the file rewritten in canonical form"))

    _result, written = update(
        loc,
        whole,
        lock_timeout=s.lock_timeout,
        describe=lambda o: o.described,
        by=s.by_name(),
        allow_comments=drop_comments,
    )
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
    import os

    from aes_tracker.domain.draft import Outcome
    from aes_tracker.domain.model import SCHEMA
    from aes_tracker.domain.parties import DEFAULT_GROUPS, DEFAULT_PARTIES
    from aes_tracker.store.core import Draft, load_bytes, update
    from aes_tracker.store.fileio import read_file
    from aes_tracker.store.paths import bundled_path

    s = settings(ctx)
    path = s.location.path
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

    _result, written = update(
        s.location,
        write,
        lock_timeout=s.lock_timeout,
        describe=lambda o: o.described,
        by=s.by_name(),
        create=True,
        allow_comments=True,
    )
    for w in written.warnings:
        sys.stderr.write(_("warning: {message}").format(message=w) + "\n")
    sys.stdout.write(_("wrote {path}").format(path=path) + "\n")
    commit(ctx, path, written.changed, "init: " + (_("empty file") if empty else _("bundled data")))


def _undo(ctx: typer.Context, redo: bool) -> None:
    from aes_tracker.desk import gitops
    from aes_tracker.store.core import undo as run_undo

    s = settings(ctx)
    done = run_undo(
        s.location,
        redo=redo,
        lock_timeout=s.lock_timeout,
        merge_committed=lambda path: gitops.merge_committed(path, os.environ),
    )
    from aes_tracker.render import note_words

    what = note_words(done.what) if done.what else _("a change")
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
