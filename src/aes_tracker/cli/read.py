"""The reading commands: list, due, show, report, stats, timeline, source list. Each parses its
options, asks the core for plain data, and hands it to one renderer."""

# No `from __future__ import annotations` in the command modules: Typer reads every command's
# signature on every run, and evaluating annotations kept as strings cost 50 ms of start-up.

from typing import Annotated

import typer

from aes_tracker.cli.base import (
    command,
    emit,
    fmt_of,
    parse_int,
    settings,
    source_app,
)
from aes_tracker.cli.compat import WORDS, Command
from aes_tracker.cli.options import (
    IdArg,
    PartyOpt,
    complete_category,
    complete_format,
    complete_source,
    complete_status,
)
from aes_tracker.errors import TrackerError
from aes_tracker.i18n import N_, _

# Marked for the catalogue; translated when the help is shown (cli.base._localize).
FORMAT_HELP = N_("One of: {formats}.")

# --format of the read commands: each fills {formats} with its own (cli.base._localize).
FormatOpt = Annotated[
    str,
    typer.Option("--format", metavar="FORMAT", help=FORMAT_HELP, autocompletion=complete_format),
]

ColumnsOpt = Annotated[
    str | None,
    typer.Option(
        "--columns",
        metavar="KEYS",
        help="The table's columns, comma-separated, from: {columns} (default: all that fit).",
    ),
]


def _columns(text: str | None) -> list[str]:
    from aes_tracker.render.rows import LIST_COLUMNS

    if not text:
        return []
    keys = [k.strip().lower().replace("-", "_") for k in text.split(",") if k.strip()]
    for k in keys:
        if k not in LIST_COLUMNS:
            raise TrackerError(
                _("'{value}' is not a column; use {choices}").format(
                    value=k, choices=", ".join(LIST_COLUMNS)
                ),
                field="columns",
            )
    return keys


@command("list")
def list_(
    ctx: typer.Context,
    status: Annotated[
        list[str] | None,
        typer.Option(
            "--status",
            metavar="STATUS",
            help="Only this status ({statuses}); repeatable.",
            autocompletion=complete_status,
        ),
    ] = None,
    category: Annotated[
        list[str] | None,
        typer.Option(
            "--category",
            metavar="CATEGORY",
            help="Only this category ({categories}); repeatable.",
            autocompletion=complete_category,
        ),
    ] = None,
    party: PartyOpt = None,
    source: Annotated[
        list[str] | None,
        typer.Option(
            "--source",
            metavar="SOURCE",
            help="Only from this source; repeatable.",
            autocompletion=complete_source,
        ),
    ] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only overdue ones.")] = False,
    due_within: Annotated[
        str | None,
        typer.Option(
            "--due-within",
            metavar="DURATION",
            help="Only those due by today + DURATION (7d, 2w, 3m, 1y).",
        ),
    ] = None,
    due_before: Annotated[
        str | None, typer.Option("--due-before", metavar="DATE", help="Only those due before DATE.")
    ] = None,
    due_after: Annotated[
        str | None, typer.Option("--due-after", metavar="DATE", help="Only those due after DATE.")
    ] = None,
    search: Annotated[
        str | None,
        typer.Option(
            "--search",
            metavar="TEXT",
            help="In title, quote, notes and history; ignores case, accents and punctuation.",
        ),
    ] = None,
    open_: Annotated[bool, typer.Option("--open", help="Only open ones.")] = False,
    closed: Annotated[bool, typer.Option("--closed", help="Only closed ones.")] = False,
    sort: Annotated[
        str, typer.Option("--sort", metavar="KEY", help="Sort by one of: {sorts}.")
    ] = "due",
    reverse: Annotated[bool, typer.Option("--reverse", help="Reverse the order.")] = False,
    columns: ColumnsOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """List commitments, soonest due first: overdue in red, due within 30 days in yellow,
    closed ones dim.

    Example: aes-tracker list --category security --open --format json
    """
    from aes_tracker.api import ListQuery
    from aes_tracker.render.rows import Rows

    kind_fmt = fmt_of("rows", fmt)
    query = ListQuery(
        statuses=status or (),
        categories=category or (),
        parties=party or (),
        sources=source or (),
        overdue=overdue,
        due_within=due_within,
        due_before=due_before,
        due_after=due_after,
        search=search or "",
        open=open_,
        closed=closed,
        sort=sort,
        reverse=reverse,
    )
    found = settings(ctx).tracker().list(query)
    emit(ctx, "rows", kind_fmt, Rows(found, columns=_columns(columns)))


@command()
def due(
    ctx: typer.Context,
    within: Annotated[
        str,
        typer.Option("--within", metavar="DURATION", help="The look-ahead window: 7d, 2w, 3m, 1y."),
    ] = "30d",
    columns: ColumnsOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """Open commitments that are overdue or due within the window, and undated ones whose review
    date has come, most overdue first.

    Example: aes-tracker due --within 2w
    """
    from aes_tracker.render.rows import Rows

    kind_fmt = fmt_of("rows", fmt)
    found = settings(ctx).tracker().due(within)
    empty = _("Nothing overdue or due within {window}.").format(window=within)
    emit(ctx, "rows", kind_fmt, Rows(found, empty=empty, columns=_columns(columns)))


@command()
def show(
    ctx: typer.Context,
    cid: IdArg,
    fmt: FormatOpt = "table",
) -> None:
    """Every field of one commitment, its quote, and its history as a timeline.

    Example: aes-tracker show sec-training
    """
    from aes_tracker.render.show import Shown

    kind_fmt = fmt_of("commitment", fmt)
    tracker = settings(ctx).tracker()
    one = tracker.show(cid)
    emit(ctx, "commitment", kind_fmt, Shown(one.commitment, one.source, tracker.today, one.groups))


@command()
def report(
    ctx: typer.Context,
    since: Annotated[
        str,
        typer.Option(
            "--since",
            metavar="DURATION|DATE",
            help="The change window: 7d is today and the six days before; or its first day.",
        ),
    ] = "7d",
    within: Annotated[
        str, typer.Option("--within", metavar="DURATION", help="The look-ahead window.")
    ] = "14d",
    fmt: FormatOpt = "text",
    output: Annotated[
        str | None,
        typer.Option(
            "--output", "-o", metavar="FILE", help="Write the report to FILE, atomically."
        ),
    ] = None,
    fail_on_overdue: Annotated[
        bool,
        typer.Option("--fail-on-overdue", help="Exit 1 when anything is overdue."),
    ] = False,
) -> None:
    """The weekly report: Overdue, Due soon, Review due, Review soon, Changed (every history
    entry that happened or was recorded in the change window), Next consultation, and a Summary.
    Sections with nothing in them are left out but counted in the summary. Exit 0 whatever it
    finds, unless --fail-on-overdue.

    Example: aes-tracker --file /srv/aes/commitments.toml report --format markdown
    """
    from aes_tracker.errors import EXIT_FOUND

    kind_fmt = fmt_of("report", fmt)
    rep = settings(ctx).tracker().report(since, within)
    emit(ctx, "report", kind_fmt, rep, output)
    if fail_on_overdue and rep["summary"]["overdue"]:
        raise typer.Exit(EXIT_FOUND)


@command()
def log(
    ctx: typer.Context,
    cid: Annotated[
        str | None,
        typer.Argument(
            click_type=WORDS,
            metavar="ID",
            help="Only this commitment (an ID or a unique prefix).",
            show_default=False,
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="DURATION|DATE",
            help="From this day: 7d is today and the six days before, or a date.",
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option("--until", metavar="DATE", help="Up to this day, included (default: today)."),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option(
            "--by", metavar="NAME", help="Only entries made by NAME (any part, any case)."
        ),
    ] = None,
    fmt: FormatOpt = "table",
) -> None:
    """What changed, and when: history entries across all commitments, newest first. An entry
    counts for the day it happened and the day it was recorded; a backdated one says so.

    Example: aes-tracker log --since 7d --by ana
    """
    from aes_tracker.api import LogQuery
    from aes_tracker.render.rows import LogRows

    kind_fmt = fmt_of("log", fmt)
    rows = settings(ctx).tracker().log(LogQuery(cid, since, until, by or ""))
    emit(ctx, "log", kind_fmt, LogRows(rows, empty=_("No history entries match.")))


@command()
def stats(
    ctx: typer.Context,
    by: Annotated[
        str,
        typer.Option(
            "--by",
            metavar="GROUP",
            help="Group by party, category or source; with --matrix, columns by party or "
            "member (each group's member states).",
        ),
    ] = "party",
    matrix: Annotated[
        bool,
        typer.Option(
            "--matrix",
            help="The commitment × party matrix of scores (-1, 0, +1), with each commitment's "
            "and each party's average, as the G7/G20 Research Group publishes it.",
        ),
    ] = False,
    source: Annotated[
        list[str] | None,
        typer.Option(
            "--source",
            metavar="SOURCE",
            help="Only the commitments of this source; repeatable.",
            autocompletion=complete_source,
        ),
    ] = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            metavar="FORMAT",
            help="One of: {formats} (with --matrix: {matrix_formats}).",
            autocompletion=complete_format,
        ),
    ] = "table",
    output: Annotated[
        str | None, typer.Option("--output", "-o", metavar="FILE", help="Write to FILE.")
    ] = None,
) -> None:
    """Compliance per group: counts by status, share closed, overdue count, and a score in the
    G7/G20 Research Group's style, averaged over the group's scored commitments: done = +1;
    partial and in_progress = 0; broken, stalled, and open-and-overdue = -1; dropped, and
    pending commitments not yet due (or with no deadline), are not scored. A commitment with
    several parties counts for each of them, by party with each party's own assessment where
    one is recorded. --matrix gives the same scores commitment by commitment.

    Example: aes-tracker stats --matrix --by member --format csv -o compliance.csv
    """
    from aes_tracker.api import StatsQuery

    kind_fmt = fmt_of("matrix" if matrix else "stats", fmt)
    found = settings(ctx).tracker().stats(StatsQuery(by, matrix, source or ()))
    emit(ctx, "matrix" if matrix else "stats", kind_fmt, found, output)


@command()
def timeline(
    ctx: typer.Context,
    months: Annotated[
        str, typer.Option("--months", metavar="N", help="How many months back and ahead (1-120).")
    ] = "6",
    fmt: FormatOpt = "text",
) -> None:
    """Month by month, the past and coming N months: each commitment due in a month, marked by
    state (● overdue, ○ due, ✓ done, · closed), and the recurring consultations (◆ held,
    ◇ expected) with their host.

    Example: aes-tracker timeline --months 12
    """
    kind_fmt = fmt_of("timeline", fmt)
    n = parse_int(months, "months", 1, 120)
    emit(ctx, "timeline", kind_fmt, settings(ctx).tracker().timeline(n))


@source_app.command("list", cls=Command)
def source_list(
    ctx: typer.Context,
    fmt: FormatOpt = "table",
) -> None:
    """List the sources of the data file.

    Example: aes-tracker source list --format json
    """
    from aes_tracker.render.rows import SourceRows

    kind_fmt = fmt_of("sources", fmt)
    emit(ctx, "sources", kind_fmt, SourceRows(settings(ctx).tracker().sources()))
