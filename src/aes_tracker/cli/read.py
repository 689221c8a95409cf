"""The reading commands: list, due, show, report, stats, timeline, source list. Each parses its
options, asks the core for plain data, and hands it to one renderer."""

# No `from __future__ import annotations` in the command modules: Typer reads every command's
# signature on every run, and evaluating annotations kept as strings cost 50 ms of start-up.

from typing import TYPE_CHECKING, Annotated

import typer

from aes_tracker.cli.base import (
    WORDS,
    CategoryFilterOpt,
    Command,
    ExcelOpt,
    IdArg,
    PartyFilterOpt,
    SourceFilterOpt,
    StatusFilterOpt,
    command,
    complete_format,
    complete_source,
    emit,
    fmt_of,
    maybe_day,
    parse_int,
    parse_window,
    resolve,
    settings,
    source_app,
    view,
)
from aes_tracker.errors import TrackerError
from aes_tracker.i18n import N_, _

if TYPE_CHECKING:
    from datetime import date

    from aes_tracker.domain.model import Catalog

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


def _narrowed(
    catalog: "Catalog",
    today: "date",
    status: list[str] | None,
    category: list[str] | None,
    party: list[str] | None,
    source: list[str] | None,
) -> "Catalog":
    """The catalog the --status/--category/--party/--source filters leave (domain.query.only)."""
    from aes_tracker.domain.query import only

    return only(
        catalog,
        today,
        statuses=status or (),
        categories=category or (),
        parties=party or (),
        sources=source or (),
    )


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
    from aes_tracker.domain.model import Summary
    from aes_tracker.domain.query import SORTS, filter_of, rows, select
    from aes_tracker.domain.query import sort as sort_rows
    from aes_tracker.render.rows import Rows

    s = settings(ctx)
    kind_fmt = fmt_of("rows", fmt)
    if open_ and closed:
        raise TrackerError(_("--open and --closed exclude each other: give one"))
    if all_ and (open_ or closed):
        raise TrackerError(_("--all, --open and --closed exclude each other: give one"))
    # Like `task list`: the open ones unless asked otherwise. A --status names the statuses it
    # wants, closed ones included, so it chooses for itself.
    open_by_default = not (all_ or open_ or closed or status)
    if sort not in SORTS:
        raise TrackerError(
            _("'{value}' is not a sort key; use one of {choices}").format(
                value=sort, choices=", ".join(SORTS)
            ),
            field="sort",
        )
    today = s.today
    v = view(ctx)
    catalog = v.catalog
    haystack = None
    if search:
        doc = v.document()

        def haystack(c: Summary) -> str:
            full = doc.commitments[c.id]
            return "\n".join([full.title, full.quote, full.notes, *(e.note for e in full.history)])

    f = filter_of(
        catalog,
        statuses=status or (),
        categories=category or (),
        parties=party or (),
        sources=source or (),
        overdue=overdue,
        due_within=parse_window(due_within, "due_within") if due_within else None,
        due_before=maybe_day(due_before, today, "due_before"),
        due_after=maybe_day(due_after, today, "due_after"),
        search=search or "",
        open=True if open_ else False if closed else None,
    )
    chosen = select(catalog.commitments.values(), today, f, haystack)
    hidden = 0
    if open_by_default:
        # Selected with the closed ones, so that the table can say how many it leaves out.
        shown = [c for c in chosen if c.is_open]
        hidden, chosen = len(chosen) - len(shown), shown
    chosen = sort_rows(chosen, sort, reverse)
    emit(
        ctx,
        "rows",
        kind_fmt,
        Rows(rows(chosen, today, catalog.groups), columns=_columns(columns), hidden=hidden),
        excel=excel,
    )


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
    from aes_tracker.domain.query import due_soon, rows
    from aes_tracker.render.rows import Rows

    s = settings(ctx)
    kind_fmt = fmt_of("rows", fmt)
    window = parse_window(within, "within")
    catalog = _narrowed(view(ctx).catalog, s.today, status, category, party, source)
    found = rows(due_soon(catalog.commitments.values(), s.today, window), s.today, catalog.groups)
    empty = _("Nothing overdue or due within {window}.").format(window=within)
    emit(ctx, "rows", kind_fmt, Rows(found, empty=empty, columns=_columns(columns)), excel=excel)


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
    from aes_tracker.render.show import Shown

    s = settings(ctx)
    kind_fmt = fmt_of("commitment", fmt)
    try:
        v = view(ctx)
    except TrackerError:
        # A file a merge left conflicts in: each version of the commitment, labelled.
        if not _show_conflicted(ctx, cid, fmt, kind_fmt, excel):
            raise
        return
    c = v.detail(resolve(v, cid))
    source = v.catalog.sources.get(c.source)
    quote_at = None
    if source is not None and source.text:
        from aes_tracker.store.texts import quote_at as find_quote_at

        quote_at = find_quote_at(v.path, source, c.quote)
    emit(
        ctx,
        "commitment",
        kind_fmt,
        Shown(c, source, s.today, v.catalog.groups, quote_at),
        excel=excel,
    )


def _show_conflicted(ctx: typer.Context, given: str, fmt: str, kind_fmt: str, excel: bool) -> bool:
    """`show` on a file that holds conflict markers: a commitment outside every conflict as
    usual, one in conflict as our version then theirs, each labelled. False when the file holds
    no marker (the error that brought us here is the answer)."""
    from aes_tracker.domain.model import Commitment, Document
    from aes_tracker.domain.query import resolve_id
    from aes_tracker.render.show import Shown
    from aes_tracker.store.view import conflict_sides, read_bytes

    s = settings(ctx)
    data, src, _bundled = read_bytes(s.location)
    sides = conflict_sides(data, src, s.today if s.as_of else None)
    if sides is None:
        return False
    ours, theirs = sides["ours"], sides["theirs"]
    found = resolve_id(sorted(set(ours.commitments) | set(theirs.commitments)), given)
    o, t = ours.commitments.get(found), theirs.commitments.get(found)

    def one(doc: Document, c: Commitment) -> None:
        source = doc.sources.get(c.source)
        quote_at = None
        if source is not None and source.text:
            from aes_tracker.store.texts import quote_at as find_quote_at

            quote_at = find_quote_at(src, source, c.quote)
        shown = Shown(c, source, s.today, doc.groups, quote_at)
        emit(ctx, "commitment", kind_fmt, shown, excel=excel)

    if o is not None and o == t:
        one(ours, o)
        return True
    if fmt != "table":
        raise TrackerError(
            _("{id} is in a merge conflict: it is shown as a table only, both versions").format(
                id=found
            ),
            hint=_("`aes-tracker resolve {id}` lists what differs and settles it").format(id=found),
        )
    typer.echo(
        _("{id} is in a merge conflict; both versions follow (`aes-tracker resolve {id}`)").format(
            id=found
        )
    )
    for label, doc, c in (
        (_("ours: our version (the branch you were on)"), ours, o),
        (_("theirs: their version (the one merged in)"), theirs, t),
    ):
        typer.echo("")
        typer.echo(label)
        if c is None:
            typer.echo(_("(removed in this version)"))
        else:
            one(doc, c)
    return True


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
    from aes_tracker.domain import report as rp
    from aes_tracker.domain.dates import parse_since
    from aes_tracker.errors import EXIT_FOUND

    s = settings(ctx)
    kind_fmt = fmt_of("report", fmt)
    today = s.today
    try:
        first = parse_since(since, today)
    except TrackerError as e:
        e.field = "since"
        raise
    w = rp.window(today, first, parse_window(within, "within"))
    v = view(ctx)
    catalog = _narrowed(v.catalog, today, status, category, party, source)
    rep = rp.build(catalog, w, v.details)
    if kind_fmt == "html":
        # The page carries its pictures: the compliance per party and the matrix.
        from aes_tracker.domain.matrix import matrix as build_matrix
        from aes_tracker.domain.stats import compliance
        from aes_tracker.render.report import ReportPage

        page = ReportPage(
            rep, compliance(catalog, today, "party"), build_matrix(catalog, today, "party")
        )
        emit(ctx, "report", kind_fmt, page, output)
    else:
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
    from aes_tracker.domain.dates import parse_since
    from aes_tracker.domain.report import history_log
    from aes_tracker.render.rows import LogRows

    s = settings(ctx)
    kind_fmt = fmt_of("log", fmt)
    today = s.today
    first = None
    if since is not None:
        try:
            first = parse_since(since, today)
        except TrackerError as e:
            e.field = "since"
            raise
    # Today by default: as of an earlier day (--as-of), what came after it is not known yet.
    last = maybe_day(until, today, "until") or today
    v = view(ctx)
    ids = [resolve(v, cid)] if cid else None
    catalog = _narrowed(v.catalog, today, status, category, party, source)
    rows = history_log(catalog, v.details, since=first, until=last, by=by or "", ids=ids)
    emit(ctx, "log", kind_fmt, LogRows(rows, empty=_("No history entries match.")), excel=excel)


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
    from aes_tracker.domain.query import only, resolve_id
    from aes_tracker.domain.stats import GROUPINGS, compliance

    s = settings(ctx)
    kind_fmt = fmt_of("matrix" if matrix else "stats", fmt)
    catalog = view(ctx).catalog
    sources = [resolve_id(catalog.sources, x, "source", "source") for x in source or ()]
    catalog = only(
        catalog, s.today, statuses=status or (), categories=category or (), parties=party or ()
    )
    if matrix:
        from aes_tracker.domain.matrix import BY
        from aes_tracker.domain.matrix import matrix as build_matrix

        if by.lower() not in BY:
            raise TrackerError(
                _("with --matrix, '{value}' is not a grouping; use one of {choices}").format(
                    value=by, choices=", ".join(BY)
                ),
                field="by",
            )
        m = build_matrix(catalog, s.today, by.lower(), sources)
        emit(ctx, "matrix", kind_fmt, m, output, excel=excel)
        return
    if by.lower() not in GROUPINGS:
        raise TrackerError(
            _("'{value}' is not a grouping; use one of {choices}").format(
                value=by, choices=", ".join(GROUPINGS)
            ),
            field="by",
        )
    st = compliance(catalog, s.today, by.lower(), sources)
    emit(ctx, "stats", kind_fmt, st, output, excel=excel)


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
    from aes_tracker.domain.stats import timeline as build_timeline

    s = settings(ctx)
    kind_fmt = fmt_of("timeline", fmt)
    n = parse_int(months, "months", 1, 120)
    catalog = _narrowed(view(ctx).catalog, s.today, status, category, party, source)
    emit(ctx, "timeline", kind_fmt, build_timeline(catalog, s.today, n))


@source_app.command("list", cls=Command)
def source_list(
    ctx: typer.Context,
    fmt: FormatOpt = "table",
    excel: ExcelOpt = False,
) -> None:
    """List the sources of the data file.

    Example: aes-tracker source list --format json
    """
    from aes_tracker.domain.records import source_rows
    from aes_tracker.render.rows import SourceRows

    kind_fmt = fmt_of("sources", fmt)
    rows = source_rows(view(ctx).catalog)
    emit(ctx, "sources", kind_fmt, SourceRows(rows), excel=excel)
