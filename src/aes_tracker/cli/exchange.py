"""The exchange commands: export and import."""

# No `from __future__ import annotations` in the command modules: Typer reads every command's
# signature on every run, and evaluating annotations kept as strings cost 50 ms of start-up.

from pathlib import Path
from typing import Annotated

import typer

from aes_tracker.cli.base import (
    WORDS,
    ExcelOpt,
    command,
    commit,
    emit,
    fmt_of,
    settings,
    subject,
)
from aes_tracker.errors import EXIT_FOUND, TrackerError
from aes_tracker.i18n import _, ngettext


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
    from aes_tracker.store.core import load

    s = settings(ctx)
    kind_fmt = fmt_of("export", fmt)
    if per_party and kind_fmt != "csv":
        raise TrackerError(_("--per-party goes with --format csv"))
    loaded = load(s.location)
    who = s.who()
    emit(
        ctx,
        "export",
        kind_fmt,
        Export(loaded.raw, loaded.doc, who.today, who.now, per_party=per_party),
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
    from aes_tracker import exchange
    from aes_tracker.domain.draft import Outcome
    from aes_tracker.store.core import Draft, preview
    from aes_tracker.store.core import update as run_update
    from aes_tracker.store.fileio import read_file

    s = settings(ctx)
    incoming = exchange.read_import(
        exchange.decode_import(read_file(Path(source_file)), source_file), source_file, s.today
    )
    who = s.who()
    report: dict[str, list[str]] = {}

    def merge(d: Draft) -> Outcome:
        report.update(exchange.merge(d, incoming, update=update, who=who, name=source_file))
        return Outcome("", _("import of {name}").format(name=source_file))

    if dry_run:
        preview(s.location, merge)
    else:
        _result, written = run_update(
            s.location,
            merge,
            lock_timeout=s.lock_timeout,
            describe=lambda o: o.described,
            by=who.by,
        )
        for w in written.warnings:
            typer.echo(_("warning: {message}").format(message=w), err=True)
        commit(
            ctx,
            s.location.path,
            written.changed,
            subject(ctx, Path(source_file).name, ""),
            _("{a} assessments recorded").format(a=len(report["assessed"]))
            if "assessed" in report
            else _("{a} added, {u} updated").format(
                a=len(report["added"]), u=len(report["updated"])
            ),
        )
    # Whole sentences for each mode: a translation cannot put a "would be" in the right place.
    out = []
    if "assessed" in report:
        for label in report["assessed"]:
            line = (
                _("{id}: assessment would be recorded")
                if dry_run
                else _("{id}: assessment recorded")
            )
            out.append(line.format(id=label))
        for label in report["conflicts"]:
            out.append(
                _("{id}: conflict: differs from the data file (use --update)").format(id=label)
            )
        a = len(report["assessed"])
        summary = (
            ngettext(
                "{a} assessment would be recorded, {n} unchanged, {c} conflicts",
                "{a} assessments would be recorded, {n} unchanged, {c} conflicts",
                a,
            )
            if dry_run
            else ngettext(
                "{a} assessment recorded, {n} unchanged, {c} conflicts",
                "{a} assessments recorded, {n} unchanged, {c} conflicts",
                a,
            )
        )
        out.append(
            summary.format(a=a, n=len(report["assessments_unchanged"]), c=len(report["conflicts"]))
        )
        typer.echo("\n".join(out))
        if report["conflicts"]:
            raise typer.Exit(EXIT_FOUND)
        return
    labels = (
        {
            "added": _("would be added"),
            "updated": _("would be updated"),
            "sources": _("source would be added"),
        }
        if dry_run
        else {"added": _("added"), "updated": _("updated"), "sources": _("source added")}
    )
    # Under each commitment updated or in conflict, what differs: old → new.
    diffs = dict(line.split(": ", 1) for line in report["diffs"])
    for key in ("added", "updated", "sources"):
        for cid in report[key]:
            out.append(f"{cid}: {labels[key]}")
            if key == "updated" and cid in diffs:
                out.append(f"  {diffs[cid]}")
    for cid in report["conflicts"]:
        out.append(_("{id}: conflict: differs from the data file (use --update)").format(id=cid))
        if cid in diffs:
            out.append(f"  {diffs[cid]}")
    summary = (
        _("{a} would be added, {u} would be updated, {n} unchanged, {c} conflicts")
        if dry_run
        else _("{a} added, {u} updated, {n} unchanged, {c} conflicts")
    )
    out.append(
        summary.format(
            a=len(report["added"]),
            u=len(report["updated"]),
            n=len(report["unchanged"]),
            c=len(report["conflicts"]),
        )
    )
    typer.echo("\n".join(out))
    if report["conflicts"]:
        raise typer.Exit(EXIT_FOUND)
