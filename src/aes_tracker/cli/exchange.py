"""The exchange commands: export and import."""

# No `from __future__ import annotations` in the command modules: Typer reads every command's
# signature on every run, and evaluating annotations kept as strings cost 50 ms of start-up.

from pathlib import Path
from typing import Annotated

import typer

from aes_tracker.cli.base import command, commit, emit, fmt_of, settings, subject
from aes_tracker.cli.compat import WORDS
from aes_tracker.errors import EXIT_FOUND, TrackerError
from aes_tracker.i18n import _


@command()
def export(
    ctx: typer.Context,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            metavar="FORMAT",
            help="json (everything, lossless), csv (one row per commitment) or ics (a calendar).",
        ),
    ] = "json",
    per_party: Annotated[
        bool,
        typer.Option(
            "--per-party",
            help="CSV: one row per commitment and party (each group's members too), with the "
            "party's status, where it comes from and its latest own assessment; `import` "
            "reads it back.",
        ),
    ] = False,
    output: Annotated[
        str | None, typer.Option("--output", "-o", metavar="FILE", help="Write to FILE.")
    ] = None,
    excel: Annotated[
        bool,
        typer.Option(
            "--excel",
            help="CSV for Excel: a UTF-8 BOM so it shows accents, and cells that would run as "
            "formulas (=, +, -, @) made plain text.",
        ),
    ] = False,
) -> None:
    """Export the data: JSON (sources, commitments, history: `import` gives it back exactly),
    CSV for spreadsheets, or an ICS calendar with one all-day event per dated open commitment
    and per review date (the ID in the UID, so re-importing updates instead of duplicating),
    and the recurring consultations as a yearly event.

    Example: aes-tracker export --format ics -o aes-deadlines.ics
    """
    from aes_tracker.render.export import Export

    tracker = settings(ctx).tracker()
    kind_fmt = fmt_of("export", fmt)
    if per_party and kind_fmt != "csv":
        raise TrackerError(_("--per-party goes with --format csv"))
    loaded = tracker.load()
    who = tracker.who()
    emit(
        ctx,
        "export",
        kind_fmt,
        Export(loaded.raw, loaded.doc, who.today, who.now, excel, per_party),
        output,
    )


@command("import")
def import_(
    ctx: typer.Context,
    source_file: Annotated[
        str,
        typer.Argument(
            click_type=WORDS,
            metavar="FILE",
            help="A JSON export, or a CSV with the columns of `export --format csv`.",
            show_default=False,
        ),
    ],
    update: Annotated[
        bool,
        typer.Option(
            "--update",
            help="Replace existing commitments that differ (else they are listed as conflicts).",
        ),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change; write nothing.")
    ] = False,
) -> None:
    """Merge commitments (and sources, and party groups) from a file, by ID: new ones are added,
    existing ones are changed only with --update (each change recorded in the history),
    conflicts are listed (exit 1). A per-party CSV (`export --format csv --per-party`) records
    the parties' own assessments it holds. All or nothing: a bad row means nothing is written,
    and the error names the row.

    Example: aes-tracker import next-session.csv --dry-run
    """
    from aes_tracker.api import ImportRequest
    from aes_tracker.render.imported import import_lines

    s = settings(ctx)
    done = s.tracker().import_(ImportRequest(source_file, update=update, dry_run=dry_run))
    if done.written is not None:
        for w in done.written.warnings:
            typer.echo(_("warning: {message}").format(message=w), err=True)
        report = done.report
        commit(
            ctx,
            s.location.path,
            done.written.changed,
            subject(ctx, Path(source_file).name, ""),
            _("{a} assessments recorded").format(a=len(report["assessed"]))
            if done.per_party
            else _("{a} added, {u} updated").format(
                a=len(report["added"]), u=len(report["updated"])
            ),
        )
    typer.echo("\n".join(import_lines(done)))
    if done.report["conflicts"]:
        raise typer.Exit(EXIT_FOUND)
