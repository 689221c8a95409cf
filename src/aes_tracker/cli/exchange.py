"""The exchange commands: export and import."""

# No `from __future__ import annotations` in the command modules: Typer reads every command's
# signature on every run, and evaluating annotations kept as strings cost 50 ms of start-up.

from pathlib import Path
from typing import Annotated

import typer

from aes_tracker.cli.base import command, commit, emit, fmt_of, subject, tracker, warnings
from aes_tracker.cli.compat import WORDS
from aes_tracker.cli.options import ExcelOpt
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
    excel: ExcelOpt = False,
) -> None:
    """Export the data: JSON (sources, commitments, history: `import` gives it back exactly),
    CSV for spreadsheets (`import` reads it back), or an ICS calendar that calendar programs
    keep up to date: one all-day event per commitment on its due or review date, closed ones
    marked, and each consultation held or expected with its host.

    Example: aes-tracker export --format ics -o aes-deadlines.ics
    """
    from aes_tracker.render.export import Export

    kind_fmt = fmt_of("export", fmt)
    if per_party and kind_fmt != "csv":
        raise TrackerError(_("--per-party goes with --format csv"))
    e = tracker(ctx).export()
    emit(
        ctx,
        "export",
        kind_fmt,
        Export(e.raw, e.doc, e.today, e.now, per_party=per_party),
        output,
        excel=excel,
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
    from aes_tracker.render.imported import commit_body, import_lines

    t = tracker(ctx)
    done = t.import_(ImportRequest(source_file, update, dry_run))
    report = done.report
    if done.written is not None:
        warnings(done.written.warnings)
        commit(
            ctx,
            t.location.path,
            done.written.changed,
            subject(ctx, Path(source_file).name, ""),
            commit_body(report),
        )
    typer.echo(import_lines(report, dry_run))
    if report["conflicts"]:
        raise typer.Exit(EXIT_FOUND)
