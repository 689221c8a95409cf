"""The reading commands: list, due, show, report, stats, timeline, source list. Each parses its
options, asks the core for plain data, and hands it to one renderer."""

# No `from __future__ import annotations` in the command modules: Typer reads every command's
# signature on every run, and evaluating annotations kept as strings cost 50 ms of start-up.

from typing import TYPE_CHECKING, Annotated

import typer

from aes_tracker.cli.base import (
    command,
    emit,
    fmt_of,
    parse_int,
    source_app,
    tracker,
)
from aes_tracker.cli.compat import WORDS, Command
from aes_tracker.cli.options import (
    CategoryFilterOpt,
    ExcelOpt,
    IdArg,
    PartyFilterOpt,
    SourceFilterOpt,
    StatusFilterOpt,
    complete_format,
    complete_source,
    narrow,
)
from aes_tracker.errors import TrackerError
from aes_tracker.i18n import N_, _

if TYPE_CHECKING:
    from aes_tracker.api import Conflicted, Detail
    from aes_tracker.render.show import Shown

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
    status: StatusFilterOpt = None,
    category: CategoryFilterOpt = None,
    party: PartyFilterOpt = None,
    source: SourceFilterOpt = None,
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
    open_: Annotated[bool, typer.Option("--open", help="Only open ones (the default).")] = False,
    closed: Annotated[bool, typer.Option("--closed", help="Only closed ones.")] = False,
    all_: Annotated[bool, typer.Option("--all", help="Open and closed ones.")] = False,
    sort: Annotated[
        str, typer.Option("--sort", metavar="KEY", help="Sort by one of: {sorts}.")
    ] = "due",
    reverse: Annotated[bool, typer.Option("--reverse", help="Reverse the order.")] = False,
    columns: ColumnsOpt = None,
    fmt: FormatOpt = "table",
    excel: ExcelOpt = False,
) -> None:
    """List commitments, soonest due first: overdue in red, due within 30 days in yellow,
    closed ones dim. Open ones only unless --all, --closed or --status says otherwise.

    Example: aes-tracker list --category security --open --format json
    """
    from aes_tracker.api import ListQuery
    from aes_tracker.render.rows import Rows

    kind_fmt = fmt_of("rows", fmt)
    query = ListQuery(
        narrow=narrow(status, category, party, source),
        overdue=overdue,
        due_within=due_within,
        due_before=due_before,
        due_after=due_after,
        search=search or "",
        open=open_,
        closed=closed,
        all=all_,
        sort=sort,
        reverse=reverse,
    )
    found = tracker(ctx).list(query)
    shown = Rows(found.rows, columns=_columns(columns), hidden=found.hidden)
    emit(ctx, "rows", kind_fmt, shown, excel=excel)


@command()
def due(
    ctx: typer.Context,
    within: Annotated[
        str,
        typer.Option("--within", metavar="DURATION", help="The look-ahead window: 7d, 2w, 3m, 1y."),
    ] = "30d",
    status: StatusFilterOpt = None,
    category: CategoryFilterOpt = None,
    party: PartyFilterOpt = None,
    source: SourceFilterOpt = None,
    columns: ColumnsOpt = None,
    fmt: FormatOpt = "table",
    excel: ExcelOpt = False,
) -> None:
    """Open commitments that are overdue or due within the window, and undated ones whose review
    date has come, most overdue first.

    Example: aes-tracker due --within 2w
    """
    from aes_tracker.render.rows import Rows

    kind_fmt = fmt_of("rows", fmt)
    found = tracker(ctx).due(within, narrow(status, category, party, source))
    emit(ctx, "rows", kind_fmt, Rows(found, window=within, columns=_columns(columns)), excel=excel)


@command()
def show(
    ctx: typer.Context,
    cid: IdArg,
    fmt: FormatOpt = "table",
    excel: ExcelOpt = False,
) -> None:
    """Every field of one commitment, its quote, and its history as a timeline.

    Example: aes-tracker show sec-training
    """
    kind_fmt = fmt_of("commitment", fmt)
    t = tracker(ctx)
    try:
        t.view()
    except TrackerError:
        # A file a merge left conflicts in: each version of the commitment, labelled.
        both = t.show_conflicted(cid)
        if both is None:
            raise
        _show_both(ctx, both, fmt, kind_fmt, excel)
        return
    emit(ctx, "commitment", kind_fmt, _shown(ctx, t.show(cid)), excel=excel)


def _shown(ctx: typer.Context, one: "Detail") -> "Shown":
    from aes_tracker.render.show import Shown

    return Shown(one.commitment, one.source, tracker(ctx).today, one.groups, one.quote_at)


def _show_both(
    ctx: typer.Context, both: "Conflicted", fmt: str, kind_fmt: str, excel: bool
) -> None:
    """`show` of a commitment in a file that holds conflict markers: outside every conflict as
    usual, in conflict as our version then theirs (render/show.py labels them)."""
    from aes_tracker.render.show import Versions, table_only

    ours, theirs = both.ours, both.theirs
    if ours is not None and theirs is not None and ours.commitment == theirs.commitment:
        emit(ctx, "commitment", kind_fmt, _shown(ctx, ours), excel=excel)
        return
    if fmt != "table":
        raise table_only(both.cid)
    shown = Versions(
        both.cid,
        None if ours is None else _shown(ctx, ours),
        None if theirs is None else _shown(ctx, theirs),
    )
    emit(ctx, "versions", "table", shown, excel=excel)


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
    status: StatusFilterOpt = None,
    category: CategoryFilterOpt = None,
    party: PartyFilterOpt = None,
    source: SourceFilterOpt = None,
) -> None:
    """The weekly report: Overdue, Due soon, Review due, Review soon, Changed (every history
    entry that happened or was recorded in the change window), Next consultation, and a Summary.
    Sections with nothing in them are left out but counted in the summary. Exit 0 whatever it
    finds, unless --fail-on-overdue.

    Example: aes-tracker --file /srv/aes/commitments.toml report --format markdown
    """
    from aes_tracker.errors import EXIT_FOUND

    kind_fmt = fmt_of("report", fmt)
    html = kind_fmt == "html"  # the page carries its pictures: compliance per party, the matrix
    rep = tracker(ctx).report(since, within, narrow(status, category, party, source), pictures=html)
    if html:
        from aes_tracker.render.report import ReportPage

        emit(ctx, "report", kind_fmt, ReportPage(rep.data, rep.compliance, rep.matrix), output)
    else:
        emit(ctx, "report", kind_fmt, rep.data, output)
    if fail_on_overdue and rep.data["summary"]["overdue"]:
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
    status: StatusFilterOpt = None,
    category: CategoryFilterOpt = None,
    party: PartyFilterOpt = None,
    source: SourceFilterOpt = None,
    fmt: FormatOpt = "table",
    excel: ExcelOpt = False,
) -> None:
    """What changed, and when: history entries across all commitments, newest first. An entry
    counts for the day it happened and the day it was recorded; a backdated one says so.

    Example: aes-tracker log --since 7d --by ana
    """
    from aes_tracker.api import LogQuery
    from aes_tracker.render.entries import LogRows

    kind_fmt = fmt_of("log", fmt)
    q = LogQuery(cid, since, until, by or "", narrow(status, category, party, source))
    rows = tracker(ctx).log(q)
    emit(ctx, "log", kind_fmt, LogRows(rows), excel=excel)


@command()
def stats(
    ctx: typer.Context,
    by: Annotated[
        str,
        typer.Option(
            "--by",
            metavar="GROUP",
            help="Group by party, member (each group's member states), category or source; "
            "with --matrix, columns by party or member.",
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
    status: StatusFilterOpt = None,
    category: CategoryFilterOpt = None,
    party: PartyFilterOpt = None,
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
    excel: ExcelOpt = False,
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
    q = StatsQuery(by, matrix, narrow(status, category, party, source))
    found = tracker(ctx).stats(q)
    emit(ctx, "matrix" if matrix else "stats", kind_fmt, found, output, excel=excel)


@command()
def timeline(
    ctx: typer.Context,
    months: Annotated[
        str, typer.Option("--months", metavar="N", help="How many months back and ahead (1-120).")
    ] = "6",
    status: StatusFilterOpt = None,
    category: CategoryFilterOpt = None,
    party: PartyFilterOpt = None,
    source: SourceFilterOpt = None,
    fmt: FormatOpt = "text",
) -> None:
    """Month by month, the past and coming N months: each commitment due in a month, marked by
    state (● overdue, ○ due, ✓ done, · closed), undated ones' review dates (△), and the
    recurring consultations (◆ held, ◇ expected) with their host. --format svg draws it as a
    chart for a briefing.

    Example: aes-tracker timeline --months 12 --format svg > timeline.svg
    """
    kind_fmt = fmt_of("timeline", fmt)
    n = parse_int(months, "months", 1, 120)
    found = tracker(ctx).timeline(n, narrow(status, category, party, source))
    emit(ctx, "timeline", kind_fmt, found)


@source_app.command("list", cls=Command)
def source_list(
    ctx: typer.Context,
    fmt: FormatOpt = "table",
    excel: ExcelOpt = False,
) -> None:
    """List the sources of the data file.

    Example: aes-tracker source list --format json
    """
    from aes_tracker.render.entries import SourceRows

    kind_fmt = fmt_of("sources", fmt)
    rows = tracker(ctx).sources()
    emit(ctx, "sources", kind_fmt, SourceRows(rows), excel=excel)
