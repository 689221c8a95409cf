"""The command line: parse arguments, call the core, print. The only module (with render.py) that
knows about Typer and Rich. Every TrackerError ends here as one `error: ...` line on stderr and
exit code 2; usage errors get the same shape.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from typer.core import TyperGroup

from aes_tracker import __version__
from aes_tracker.errors import EXIT_FOUND, TrackerError
from aes_tracker.model import Category, Status

T = TypeVar("T")


class Format(StrEnum):
    table = "table"
    plain = "plain"
    json = "json"
    csv = "csv"
    markdown = "markdown"


class Color(StrEnum):
    auto = "auto"
    always = "always"
    never = "never"


class SortKey(StrEnum):
    due = "due"
    id = "id"
    status = "status"
    category = "category"
    updated = "updated"


def _fail(message: str, hint: str | None = None) -> None:
    sys.stderr.write(f"error: {message}\n")
    if hint:
        sys.stderr.write(f"hint: {hint}\n")


class _Group(TyperGroup):
    """Runs the app so that every user error ends the same way: `error: ...`, exit 2."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        # Typer 0.29 vendors Click as typer._click: its ClickException is the base of every
        # usage error (typer.BadParameter among them).
        from typer._click.exceptions import ClickException
        from typer.exceptions import Abort

        from aes_tracker.render import utf8_stdout

        utf8_stdout()
        try:
            rv = super().main(
                args,
                prog_name,
                complete_var,
                standalone_mode=False,
                windows_expand_args=windows_expand_args,
                **extra,
            )
        except TrackerError as e:
            _fail(str(e), e.hint)
            rv = e.exit_code
        except ClickException as e:
            _fail(e.format_message())
            ctx = getattr(e, "ctx", None)
            if ctx is not None:
                sys.stderr.write(f"hint: see '{ctx.command_path} --help'\n")
            rv = e.exit_code
        except Abort:
            rv = 130
        except BrokenPipeError:
            # `aes-tracker list | head`: the reader left; not an error of ours.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            rv = 141
        code = rv if isinstance(rv, int) else 0
        if standalone_mode:
            sys.exit(code)
        return code


app = typer.Typer(
    cls=_Group,
    name="aes-tracker",
    help="Track the commitments made in diplomatic communiqués: what is due, what is overdue, "
    "and what changed.\n\nData: --file, else $AES_TRACKER_FILE, else ./data/commitments.toml, "
    "else $XDG_DATA_HOME/aes-tracker/commitments.toml (the bundled AES–Russia data until the "
    "first change).",
    no_args_is_help=False,
    invoke_without_command=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
source_app = typer.Typer(
    cls=_Group,
    help="Register and list the communiqués commitments come from.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)
app.add_typer(source_app, name="source")


# ---- settings shared by every command -----


@dataclass
class Settings:
    file: str | None
    as_of: str | None
    color: Color
    width: int | None
    by: str | None
    lock_timeout: float

    _today: date | None = None

    @property
    def location(self) -> Any:
        from aes_tracker.store import locate

        return locate(self.file, os.environ, Path.cwd())

    @property
    def today(self) -> date:
        if self._today is None:
            real = date.today()
            if self.as_of:
                from aes_tracker.dates import parse_date

                try:
                    self._today = parse_date(self.as_of, real)
                except TrackerError as e:
                    e.message = f"--as-of: {e.message}"
                    raise
            else:
                self._today = real
        return self._today

    def who(self) -> str:
        if self.by:
            return self.by
        if os.environ.get("AES_TRACKER_USER"):
            return os.environ["AES_TRACKER_USER"]
        try:
            import getpass

            return getpass.getuser()
        except (OSError, KeyError, ImportError):
            return "unknown"

    def output(self) -> Any:
        from aes_tracker.render import Output

        return Output.decide(sys.stdout, self.color.value, self.width)


def _settings(ctx: typer.Context) -> Settings:
    obj = ctx.find_root().obj
    assert isinstance(obj, Settings)
    return obj


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"aes-tracker {__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    file: Annotated[
        str | None,
        typer.Option(
            "--file",
            "-f",
            metavar="PATH",
            help="The data file (default: $AES_TRACKER_FILE, ./data/commitments.toml, "
            "or the user data file).",
        ),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", metavar="DATE", envvar="AES_TRACKER_AS_OF", help="Take DATE as today."
        ),
    ] = None,
    color: Annotated[
        Color, typer.Option("--color", help="Colour: auto (a terminal only), always or never.")
    ] = Color.auto,
    width: Annotated[
        int | None,
        typer.Option(
            "--width", min=20, help="Output width (default: $COLUMNS, the terminal, or 100)."
        ),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            metavar="NAME",
            help="Who makes the change (default: $AES_TRACKER_USER, else the login name).",
        ),
    ] = None,
    lock_timeout: Annotated[
        float,
        typer.Option(
            "--lock-timeout",
            metavar="SECONDS",
            min=0,
            help="How long a change waits for the file's lock.",
        ),
    ] = 5.0,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    ctx.obj = Settings(file, as_of, color, width, by, lock_timeout)
    if ctx.invoked_subcommand is None:
        sys.stdout.write(ctx.get_help() + "\n")


# ---- helpers -----


def _view(ctx: typer.Context) -> Any:
    from aes_tracker.store import load_view

    return load_view(_settings(ctx).location)


def _date(text: str | None, today: date, option: str) -> date | None:
    if text is None:
        return None
    from aes_tracker.dates import parse_date

    try:
        return parse_date(text, today)
    except TrackerError as e:
        e.message = f"{option}: {e.message}"
        raise


def _duration(text: str, option: str) -> Any:
    from aes_tracker.dates import parse_duration

    try:
        return parse_duration(text)
    except TrackerError as e:
        e.message = f"{option}: {e.message}"
        raise


def _change(ctx: typer.Context, fn: Callable[[dict[str, Any], Any], T]) -> T:
    """Run one change under the lock and say on stderr when it created the user data file."""
    from aes_tracker.store import update

    s = _settings(ctx)
    result, written = update(s.location, fn, lock_timeout=s.lock_timeout)
    if written.created_from_bundled:
        sys.stderr.write(f"aes-tracker: created {written.path} from the bundled data\n")
    return result


def _resolve(loaded: Any, given: str) -> str:
    from aes_tracker.ops import resolve_id

    return resolve_id(loaded.data.commitments, given)


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


# ---- completion -----


def _complete_from_file(
    ctx: typer.Context, pick: Callable[[Any], list[str]], incomplete: str
) -> list[str]:
    try:
        from aes_tracker.store import load, locate

        root = ctx.find_root()
        file = root.params.get("file") if root.params else None
        data = load(locate(file, os.environ, Path.cwd())).data
        return sorted(v for v in pick(data) if v.startswith(incomplete))
    except Exception:  # completion must never print a traceback into the shell
        return []


def complete_id(ctx: typer.Context, incomplete: str) -> list[str]:
    return _complete_from_file(ctx, lambda d: list(d.commitments), incomplete)


def complete_party(ctx: typer.Context, incomplete: str) -> list[str]:
    return _complete_from_file(ctx, lambda d: list(d.parties), incomplete)


def complete_source(ctx: typer.Context, incomplete: str) -> list[str]:
    return _complete_from_file(ctx, lambda d: list(d.sources), incomplete)


IdArg = Annotated[
    str,
    typer.Argument(
        metavar="ID",
        help="A commitment ID, or any unique prefix of one.",
        autocompletion=complete_id,
    ),
]
FormatOpt = Annotated[
    Format, typer.Option("--format", help="table, plain (tab-separated), json, csv or markdown.")
]
NoteOpt = Annotated[str, typer.Option("--note", metavar="TEXT", help="What happened.")]
OnOpt = Annotated[
    str | None, typer.Option("--on", metavar="DATE", help="When it happened (default: today).")
]
EvidenceOpt = Annotated[
    list[str] | None,
    typer.Option("--evidence", metavar="URL", help="A link to the evidence; repeatable."),
]
PartyOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--party",
        metavar="PARTY",
        help="A committing party; repeatable.",
        autocompletion=complete_party,
    ),
]


# ---- reading commands -----


@app.command("list")
def list_(
    ctx: typer.Context,
    status: Annotated[
        list[Status] | None, typer.Option("--status", help="Only this status; repeatable.")
    ] = None,
    category: Annotated[
        list[Category] | None, typer.Option("--category", help="Only this category; repeatable.")
    ] = None,
    party: PartyOpt = None,
    source: Annotated[
        list[str] | None,
        typer.Option(
            "--source",
            metavar="SOURCE_ID",
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
    due_before: Annotated[str | None, typer.Option("--due-before", metavar="DATE")] = None,
    due_after: Annotated[str | None, typer.Option("--due-after", metavar="DATE")] = None,
    search: Annotated[
        str | None,
        typer.Option(
            "--search", metavar="TEXT", help="In title, quote and notes; ignores case and accents."
        ),
    ] = None,
    open_: Annotated[
        bool | None,
        typer.Option(
            "--open/--closed", help="Only open, or only closed, ones.", show_default=False
        ),
    ] = None,
    sort: Annotated[SortKey, typer.Option("--sort", help="Sort key.")] = SortKey.due,
    reverse: Annotated[bool, typer.Option("--reverse", help="Reverse the order.")] = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """List commitments, soonest due first: overdue in red, due within 30 days in yellow,
    closed ones dim.

    Example: aes-tracker list --category security --open --format json
    """
    from aes_tracker.query import Filter, row, select
    from aes_tracker.query import sort as sort_rows

    s = _settings(ctx)
    view = _view(ctx)
    today = s.today
    # --search reads quotes and notes, which the cached summaries leave out.
    data = view.full() if search else view.data
    for p in party or []:
        if p.casefold() not in {k.casefold() for k in data.parties}:
            raise TrackerError(
                f"--party: '{p}' is not a known party (one of: {', '.join(data.parties)})"
            )
    for src in source or []:
        if src not in data.sources:
            raise TrackerError(
                f"--source: '{src}' is not a source of this file (known: "
                f"{', '.join(sorted(data.sources))})"
            )
    f = Filter(
        statuses=status or (),
        categories=category or (),
        parties=party or (),
        sources=source or (),
        overdue=overdue,
        due_within=_duration(due_within, "--due-within") if due_within else None,
        due_before=_date(due_before, today, "--due-before"),
        due_after=_date(due_after, today, "--due-after"),
        search=search or "",
        open=open_,
    )
    chosen = sort_rows(select(data.commitments.values(), today, f), sort.value, reverse)
    from aes_tracker.render import print_rows

    print_rows(s.output(), fmt.value, [row(c, today) for c in chosen])


@app.command()
def due(
    ctx: typer.Context,
    within: Annotated[
        str,
        typer.Option("--within", metavar="DURATION", help="The look-ahead window: 7d, 2w, 3m, 1y."),
    ] = "30d",
    fmt: FormatOpt = Format.table,
) -> None:
    """Open commitments that are overdue or due within the window (and undated ones whose review
    date has come), most overdue first.

    Example: aes-tracker due --within 2w
    """
    from aes_tracker.query import due_soon, row
    from aes_tracker.render import print_rows

    s = _settings(ctx)
    window = _duration(within, "--within")
    data = _view(ctx).data
    rows = [row(c, s.today) for c in due_soon(data.commitments.values(), s.today, window)]
    print_rows(s.output(), fmt.value, rows, empty=f"Nothing overdue or due within {within}.")


@app.command()
def show(ctx: typer.Context, cid: IdArg, fmt: FormatOpt = Format.table) -> None:
    """Every field of one commitment, its quote, and its history as a timeline.

    Example: aes-tracker show sec-training
    """
    from aes_tracker.render import print_show

    s = _settings(ctx)
    view = _view(ctx)
    c = view.detail(_resolve(view, cid))
    print_show(s.output(), fmt.value, c, view.data.sources.get(c.source), s.today)


class ReportFormat(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"
    html = "html"


@app.command()
def report(
    ctx: typer.Context,
    since: Annotated[
        str,
        typer.Option(
            "--since", metavar="DURATION", help="The change window, ending today (or --as-of)."
        ),
    ] = "7d",
    within: Annotated[
        str, typer.Option("--within", metavar="DURATION", help="The look-ahead window.")
    ] = "14d",
    fmt: Annotated[
        ReportFormat, typer.Option("--format", help="text, markdown, json or html.")
    ] = ReportFormat.text,
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
    """The weekly report: Overdue, Due soon, Review due, Changed (every history entry dated in
    the change window, both ends included), Next consultation, and a Summary. Sections with
    nothing in them are left out but counted in the summary. Exit 0 whatever it finds, unless
    --fail-on-overdue.

    Example: aes-tracker --file /srv/aes/commitments.toml report --format markdown
    """
    from aes_tracker import report as rp

    s = _settings(ctx)
    today = s.today
    w = rp.window(today, _duration(since, "--since"), _duration(within, "--within"), since, within)
    view = _view(ctx)
    rep = rp.build(view.data, w, view.detail)
    out = s.output()
    if fmt is ReportFormat.json:
        text = rp.to_json(rep)
    elif fmt is ReportFormat.markdown:
        text = rp.to_markdown(rep)
    elif fmt is ReportFormat.html:
        text = rp.to_html(rep)
    else:
        text = rp.to_text(rep, out.width)
    if output:
        from aes_tracker.store import write_report

        write_report(Path(output), text.encode("utf-8"))
    elif fmt is ReportFormat.text and out.color:
        from aes_tracker.render import print_report_text

        print_report_text(out, text)
    else:
        out.stream.write(text)
    if fail_on_overdue and rep["summary"]["overdue"]:
        raise typer.Exit(EXIT_FOUND)


# ---- changing commands -----


def _set_status(
    ctx: typer.Context,
    cid: str,
    status: Status,
    note: str,
    on: str | None,
    evidence: list[str] | None,
    host: str = "",
) -> None:
    from aes_tracker import ops

    s = _settings(ctx)
    today = s.today
    day = _date(on, today, "--on") or today
    who, now = s.who(), _now()

    def change(raw: dict[str, Any], loaded: Any) -> str:
        real = _resolve(loaded, cid)
        c = loaded.data.commitments[real]
        if status is Status.DONE and c.recur and c.is_open:
            nxt = ops.record_occurrence(
                raw, real, on=day, by=who, now=now, host=host, note=note, evidence=evidence or ()
            )
            expected = raw["commitments"][real].get("next_host", "")
            after = f"next due {nxt}" if nxt else "no further occurrence"
            return f"{real}: occurrence of {day} recorded; {after}" + (
                f", expected host: {expected}" if expected else ""
            )
        if host:
            raise TrackerError("--host is only for recurring commitments")
        before = ops.set_status(
            raw, real, status, on=day, by=who, now=now, note=note, evidence=evidence or ()
        )
        return f"{real}: {before} → {status.value}"

    sys.stdout.write(_change(ctx, change) + "\n")


@app.command()
def done(
    ctx: typer.Context,
    cid: IdArg,
    note: NoteOpt = "",
    on: OnOpt = None,
    evidence: EvidenceOpt = None,
    host: Annotated[
        str,
        typer.Option(
            "--host",
            metavar="WHERE",
            help="Recurring ones: where this occurrence took place (default: the expected host).",
        ),
    ] = "",
) -> None:
    """Mark a commitment done, with a note and evidence. On a recurring one (the annual
    consultations), record this occurrence and move to the next, with the next expected host.

    Example: aes-tracker done sec-training --note "First course held" --evidence https://...
    """
    _set_status(ctx, cid, Status.DONE, note, on, evidence, host)


@app.command()
def status(
    ctx: typer.Context,
    cid: IdArg,
    new: Annotated[
        Status,
        typer.Argument(
            metavar="STATUS",
            help="pending, in_progress, stalled (open); done, partial, broken, dropped (closed).",
        ),
    ],
    note: NoteOpt = "",
    on: OnOpt = None,
    evidence: EvidenceOpt = None,
) -> None:
    """Set any of the seven statuses; reopening a closed commitment is allowed and recorded.

    Example: aes-tracker status dev-infrastructure in_progress --note "Works started"
    """
    _set_status(ctx, cid, new, note, on, evidence)


@app.command()
def note(
    ctx: typer.Context,
    cid: IdArg,
    text: Annotated[str, typer.Argument(metavar="TEXT", help="The annotation.")],
    evidence: EvidenceOpt = None,
    on: OnOpt = None,
) -> None:
    """Add a dated note to a commitment's history; the status does not change.

    Example: aes-tracker note sec-equip "Delivery reported by the press" --evidence https://...
    """
    from aes_tracker import ops

    s = _settings(ctx)
    day = _date(on, s.today, "--on") or s.today
    who, now = s.who(), _now()

    def change(raw: dict[str, Any], loaded: Any) -> str:
        real = _resolve(loaded, cid)
        ops.add_note(raw, real, text, on=day, by=who, now=now, evidence=evidence or ())
        return real

    sys.stdout.write(f"{_change(ctx, change)}: note added\n")


@app.command()
def add(
    ctx: typer.Context,
    title: Annotated[str, typer.Argument(metavar="TITLE", help="A short English title.")],
    category: Annotated[
        Category,
        typer.Option("--category", help="security, diplomacy, development or institutional."),
    ],
    party: PartyOpt = None,
    beneficiary: Annotated[
        list[str] | None,
        typer.Option("--beneficiary", metavar="WHO", help="Who benefits; repeatable."),
    ] = None,
    due_: Annotated[str | None, typer.Option("--due", metavar="DATE")] = None,
    due_reason: Annotated[
        str,
        typer.Option(
            "--due-reason",
            metavar="TEXT",
            help="Where the due date comes from, when the text does not give it.",
        ),
    ] = "",
    no_deadline: Annotated[
        bool, typer.Option("--no-deadline", help="The text gives no date; give --review.")
    ] = False,
    review: Annotated[
        str | None,
        typer.Option(
            "--review", metavar="DATE", help="When to look again at a commitment with no deadline."
        ),
    ] = None,
    review_reason: Annotated[str, typer.Option("--review-reason", metavar="TEXT")] = "",
    recur: Annotated[
        str,
        typer.Option(
            "--recur", metavar="yearly|RRULE", help="A recurring commitment, from its --due date."
        ),
    ] = "",
    host: Annotated[
        list[str] | None,
        typer.Option(
            "--host",
            metavar="WHERE",
            help="Recurring ones: the rotation of hosts, in order, the next one first.",
        ),
    ] = None,
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            metavar="SOURCE_ID",
            help="Default: the latest source.",
            autocompletion=complete_source,
        ),
    ] = None,
    quote: Annotated[
        str,
        typer.Option(
            "--quote", metavar="TEXT", help="The words of the communiqué, copied exactly."
        ),
    ] = "",
    timing: Annotated[
        list[str] | None,
        typer.Option("--timing", metavar="WORDS", help="The text's own timing words; repeatable."),
    ] = None,
    notes: Annotated[str, typer.Option("--notes", metavar="TEXT")] = "",
    cid: Annotated[
        str | None,
        typer.Option("--id", metavar="ID", help="Default: a slug of the category and title."),
    ] = None,
) -> None:
    """Add a commitment from a communiqué; prints its new ID.

    Example: aes-tracker add "Russia trains AES officers" --category security --party Russia
    --beneficiary "AES Unified Force" --no-deadline --review 2026-06-30 --quote "des formations
    ciblées"
    """
    from aes_tracker import ops

    s = _settings(ctx)
    today = s.today
    due_day = _date(due_, today, "--due")
    review_day = _date(review, today, "--review")
    if no_deadline and due_day is not None:
        raise TrackerError("--due and --no-deadline exclude each other")
    if no_deadline and review_day is None:
        raise TrackerError("--no-deadline needs --review DATE: when to look at it again")
    if review_day is not None and not no_deadline:
        raise TrackerError("--review goes with --no-deadline")
    if not quote.strip():
        raise TrackerError("--quote: the quote must not be empty: copy the communiqué's words")
    who, now = s.who(), _now()

    def change(raw: dict[str, Any], loaded: Any) -> str:
        return ops.add_commitment(
            raw,
            title=title,
            category=category,
            parties=party or [],
            quote=quote,
            source=source,
            on=today,
            by=who,
            now=now,
            beneficiaries=beneficiary or (),
            due=due_day,
            review=review_day,
            review_reason=review_reason,
            due_reason=due_reason,
            recur=recur,
            timing=timing or (),
            hosts=host or (),
            notes=notes,
            cid=cid,
        )

    sys.stdout.write(_change(ctx, change) + "\n")


@app.command()
def edit(
    ctx: typer.Context,
    cid: IdArg,
    title: Annotated[str | None, typer.Option("--title")] = None,
    category: Annotated[Category | None, typer.Option("--category")] = None,
    due_: Annotated[
        str | None,
        typer.Option(
            "--due", metavar="DATE", help="A new due date; the first one is kept as the original."
        ),
    ] = None,
    due_reason: Annotated[str | None, typer.Option("--due-reason", metavar="TEXT")] = None,
    no_deadline: Annotated[
        bool, typer.Option("--no-deadline", help="Remove the due date; give --review.")
    ] = False,
    review: Annotated[str | None, typer.Option("--review", metavar="DATE")] = None,
    review_reason: Annotated[str | None, typer.Option("--review-reason", metavar="TEXT")] = None,
    party: PartyOpt = None,
    beneficiary: Annotated[list[str] | None, typer.Option("--beneficiary", metavar="WHO")] = None,
    quote: Annotated[str | None, typer.Option("--quote", metavar="TEXT")] = None,
    source: Annotated[
        str | None, typer.Option("--source", metavar="SOURCE_ID", autocompletion=complete_source)
    ] = None,
    timing: Annotated[list[str] | None, typer.Option("--timing", metavar="WORDS")] = None,
    recur: Annotated[str | None, typer.Option("--recur", metavar="yearly|RRULE")] = None,
    notes: Annotated[str | None, typer.Option("--notes", metavar="TEXT")] = None,
    note: NoteOpt = "",
) -> None:
    """Change a commitment's fields; the change is recorded in its history. A new due date
    keeps the original one, and `show` displays the slip.

    Example: aes-tracker edit inst-consult --due 2026-06-15 --note "Date agreed"
    """
    from aes_tracker import ops

    s = _settings(ctx)
    today = s.today
    changes: dict[str, Any] = {}
    for key, value in (
        ("title", title),
        ("due_reason", due_reason),
        ("review_reason", review_reason),
        ("quote", quote),
        ("source", source),
        ("recur", recur),
        ("notes", notes),
    ):
        if value is not None:
            changes[key] = value
    if category is not None:
        changes["category"] = category.value
    if party:
        changes["parties"] = party
    if beneficiary:
        changes["beneficiaries"] = beneficiary
    if timing:
        changes["timing"] = timing
    if due_ is not None and no_deadline:
        raise TrackerError("--due and --no-deadline exclude each other")
    if due_ is not None:
        changes["due"] = _date(due_, today, "--due")
    if no_deadline:
        if review is None:
            raise TrackerError("--no-deadline needs --review DATE")
        changes["due"] = None
    if review is not None:
        changes["review"] = _date(review, today, "--review")
    if not changes:
        raise TrackerError(
            "nothing to change: give at least one field option",
            hint="see 'aes-tracker edit --help'",
        )
    who, now = s.who(), _now()

    def change(raw: dict[str, Any], loaded: Any) -> str:
        real = _resolve(loaded, cid)
        done = ops.edit(raw, real, changes, on=today, by=who, now=now, note=note)
        return f"{real}: " + "; ".join(
            f"{k}: {a or '∅'} → {b or '∅'}" for k, (a, b) in done.items()
        )

    sys.stdout.write(_change(ctx, change) + "\n")


@app.command()
def undo(ctx: typer.Context) -> None:
    """Take back the last change made through aes-tracker, restoring the file's exact bytes;
    repeat to go further back. Refuses if the file was edited by hand since.

    Example: aes-tracker undo
    """
    from aes_tracker.store import Journal

    s = _settings(ctx)
    loc = s.location
    left = Journal(loc.path).undo(s.lock_timeout)
    sys.stdout.write(
        f"undone; {left} earlier change{'s' if left != 1 else ''} can still be undone\n"
    )


@app.command()
def init(
    ctx: typer.Context,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    empty: Annotated[
        bool, typer.Option("--empty", help="A file with no source and no commitment.")
    ] = False,
) -> None:
    """Write the bundled AES–Russia data to the data file (see --file); refuses to overwrite.

    Example: aes-tracker --file ~/aes/commitments.toml init
    """
    from aes_tracker.store import bundled_path, write_new

    s = _settings(ctx)
    path = s.location.path
    from aes_tracker.model import DEFAULT_PARTIES
    from aes_tracker.store import dumps

    content = (
        dumps({"schema": 1, "parties": list(DEFAULT_PARTIES)})
        if empty
        else bundled_path().read_bytes()
    )
    write_new(path, content, force=force, lock_timeout=s.lock_timeout)
    sys.stdout.write(f"wrote {path}\n")


# ---- sources -----


@source_app.command("add")
def source_add(
    ctx: typer.Context,
    sid: Annotated[
        str, typer.Argument(metavar="ID", help="A short slug, such as aes-russia-2026.")
    ],
    title: Annotated[str, typer.Option("--title")],
    day: Annotated[str, typer.Option("--date", metavar="DATE", help="The communiqué's date.")],
    place: Annotated[str, typer.Option("--place")] = "",
    language: Annotated[str, typer.Option("--language", metavar="CODE")] = "",
    url: Annotated[str, typer.Option("--url")] = "",
    publisher: Annotated[str, typer.Option("--publisher")] = "",
    author: Annotated[str, typer.Option("--author")] = "",
    party: Annotated[
        list[str] | None,
        typer.Option(
            "--party",
            metavar="PARTY",
            help="A party this source adds to the known ones; repeatable.",
        ),
    ] = None,
) -> None:
    """Register a communiqué so that commitments can point to it with --source.

    Example: aes-tracker source add aes-russia-2026 --title "Communiqué conjoint" --date
    2026-05-20 --place Bamako --language fr
    """
    from aes_tracker import ops

    s = _settings(ctx)
    when = _date(day, s.today, "--date")
    assert when is not None

    def change(raw: dict[str, Any], loaded: Any) -> str:
        ops.add_source(
            raw,
            sid,
            title=title,
            day=when,
            place=place,
            language=language,
            url=url,
            publisher=publisher,
            author=author,
            parties=party or (),
        )
        return sid

    sys.stdout.write(_change(ctx, change) + "\n")


@source_app.command("list")
def source_list(ctx: typer.Context, fmt: FormatOpt = Format.table) -> None:
    """List the sources of the data file.

    Example: aes-tracker source list --format json
    """
    from aes_tracker.render import print_sources

    s = _settings(ctx)
    data = _view(ctx).data
    print_sources(s.output(), fmt.value, list(data.sources.values()), data.commitments.values())


# ---- compliance, timeline, exchange -----


class StatsFormat(StrEnum):
    table = "table"
    json = "json"
    markdown = "markdown"
    svg = "svg"


class GroupBy(StrEnum):
    party = "party"
    category = "category"
    source = "source"


@app.command()
def stats(
    ctx: typer.Context,
    by: Annotated[GroupBy, typer.Option("--by", help="Group by party, category or source.")] = (
        GroupBy.party
    ),
    fmt: Annotated[
        StatsFormat, typer.Option("--format", help="table, json, markdown, or svg (a picture).")
    ] = StatsFormat.table,
    output: Annotated[
        str | None, typer.Option("--output", "-o", metavar="FILE", help="Write to FILE.")
    ] = None,
) -> None:
    """Compliance per group: counts by status, share closed, overdue count, and a score in the
    G7/G20 Research Group's style, averaged over the group's scored commitments: done = +1;
    partial and in_progress = 0; broken, stalled, and open-and-overdue = -1; dropped, and open
    commitments not yet due (or with no deadline), are not scored. A commitment with several
    parties counts for each of them.

    Example: aes-tracker stats --by category --format svg -o compliance.svg
    """
    from aes_tracker import render
    from aes_tracker.stats import compliance

    s = _settings(ctx)
    st = compliance(_view(ctx).data, s.today, by.value)
    out = s.output()
    if fmt is StatsFormat.json:
        text = render.to_json(st)
    elif fmt is StatsFormat.markdown:
        text = render.stats_markdown(st)
    elif fmt is StatsFormat.svg:
        import io

        from rich.console import Console

        con = Console(
            record=True,
            width=max(out.width, 100),
            file=io.StringIO(),
            force_terminal=True,
            color_system="truecolor",
        )
        for part in render.stats_renderables(st, con.width):
            con.print(part)
        text = con.export_svg(title=f"aes-tracker: compliance by {by.value}")
    else:
        con = out.console()
        for part in render.stats_renderables(st, con.width):
            con.print(part)
        return
    _emit(out, text, output)


def _emit(out: Any, text: str, output: str | None) -> None:
    if output:
        from aes_tracker.store import write_report

        write_report(Path(output), text.encode("utf-8"))
    else:
        out.stream.write(text)


@app.command()
def timeline(
    ctx: typer.Context,
    months: Annotated[
        int, typer.Option("--months", min=1, max=120, help="How many months back and ahead.")
    ] = 6,
    fmt: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
) -> None:
    """Month by month, the past and coming N months: each commitment due in a month, marked by
    state (● overdue, ○ due, ✓ done, · closed), and the recurring consultations (◆ held,
    ◇ expected) with their host.

    Example: aes-tracker timeline --months 12
    """
    from aes_tracker import render
    from aes_tracker.stats import timeline as build_timeline

    if fmt not in ("text", "json"):
        raise TrackerError(f"--format: {fmt!r} is not one of text, json")
    s = _settings(ctx)
    tl = build_timeline(_view(ctx).full(), s.today, months)
    out = s.output()
    if fmt == "json":
        out.stream.write(render.to_json(tl))
    else:
        out.write("\n".join(render.timeline_lines(tl, out.color, out.width)))


class ExportFormat(StrEnum):
    json = "json"
    csv = "csv"
    ics = "ics"


@app.command()
def export(
    ctx: typer.Context,
    fmt: Annotated[
        ExportFormat,
        typer.Option(
            "--format",
            help="json (everything, lossless), csv (one row per commitment) or ics (a calendar).",
        ),
    ] = ExportFormat.json,
    output: Annotated[
        str | None, typer.Option("--output", "-o", metavar="FILE", help="Write to FILE.")
    ] = None,
    excel: Annotated[
        bool, typer.Option("--excel", help="CSV: start with a UTF-8 BOM so Excel shows accents.")
    ] = False,
) -> None:
    """Export the data: JSON (sources, commitments, history: `import` gives it back exactly),
    CSV for spreadsheets, or an ICS calendar with one all-day event per dated open commitment
    (the ID in the UID, so re-importing updates instead of duplicating) and the recurring
    consultations as a yearly event.

    Example: aes-tracker export --format ics -o aes-deadlines.ics
    """
    from aes_tracker import exchange
    from aes_tracker.store import load

    s = _settings(ctx)
    out = s.output()
    if fmt is ExportFormat.json:
        text = exchange.export_json(load(s.location).raw)
    elif fmt is ExportFormat.csv:
        text = exchange.export_csv(_view(ctx).full(), s.today, excel)
    else:
        data = exchange.export_ics(_view(ctx).full(), s.today)
        if output:
            from aes_tracker.store import write_report

            write_report(Path(output), data)
        else:
            out.stream.flush()
            sys.stdout.buffer.write(data)
        return
    _emit(out, text, output)


@app.command("import")
def import_(
    ctx: typer.Context,
    source_file: Annotated[
        str,
        typer.Argument(
            metavar="FILE",
            help="A JSON export, or a CSV with the columns of `export --format csv`.",
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
    """Merge commitments (and sources) from a file, by ID: new ones are added, existing ones are
    changed only with --update, conflicts are listed (exit 1). All or nothing: a bad row means
    nothing is written, and the error names the row.

    Example: aes-tracker import next-session.csv --dry-run
    """
    from aes_tracker import exchange
    from aes_tracker.store import _read_bytes, decode, load

    s = _settings(ctx)
    incoming = exchange.read_import(
        decode(_read_bytes(Path(source_file)), source_file), source_file
    )
    who, now, today = s.who(), _now(), s.today

    def change(raw: dict[str, Any], loaded: Any) -> dict[str, list[str]]:
        return exchange.merge(
            raw, incoming, update=update, today=today, by=who, now=now, name=source_file
        )

    if dry_run:
        loaded = load(s.location)
        rep = change(loaded.raw, loaded)
    else:
        rep = _change(ctx, change)
    verb = "would be " if dry_run else ""
    for key in ("added", "updated", "sources"):
        for cid in rep[key]:
            label = "source added" if key == "sources" else key
            sys.stdout.write(f"{cid}: {verb}{label}\n")
    for cid in rep["conflicts"]:
        sys.stdout.write(f"{cid}: conflict: differs from the data file (use --update)\n")
    sys.stdout.write(
        f"{len(rep['added'])} {verb}added, {len(rep['updated'])} {verb}updated, "
        f"{len(rep['unchanged'])} unchanged, {len(rep['conflicts'])} conflicts\n"
    )
    if rep["conflicts"]:
        raise typer.Exit(EXIT_FOUND)


# ---- file maintenance -----


@app.command()
def check(ctx: typer.Context) -> None:
    """Validate the data file and report every problem, each with its line. Exit 0 when clean,
    1 when problems are found, 2 when the file cannot be read.

    Example: aes-tracker --file data/commitments.toml check
    """
    from aes_tracker.store import check_problems

    s = _settings(ctx)
    loaded, errors = check_problems(s.location)
    for e in errors:
        sys.stderr.write(f"error: {e}\n")
    if errors:
        sys.stderr.write(f"{len(errors)} problem{'s' if len(errors) != 1 else ''} found\n")
        raise typer.Exit(EXIT_FOUND)
    assert loaded is not None
    n = len(loaded.data.commitments)
    sys.stdout.write(
        f"{loaded.path}: ok, {n} commitment{'s' if n != 1 else ''}, "
        f"{len(loaded.data.sources)} source{'s' if len(loaded.data.sources) != 1 else ''}\n"
    )


@app.command()
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
    """Rewrite the data file in canonical form (the layout aes-tracker writes).

    Example: aes-tracker fmt --check
    """
    from aes_tracker.store import dumps, find_comment, load, rewrite

    s = _settings(ctx)
    loc = s.location
    if check_only:
        loaded = load(loc)
        if loaded.bundled:
            raise TrackerError("no such file", path=str(loc.path))
        if dumps(loaded.raw) != loaded.raw_bytes or find_comment(loaded.text) is not None:
            sys.stderr.write(f"{loc.path}: not in canonical form\n")
            raise typer.Exit(EXIT_FOUND)
        sys.stdout.write(f"{loc.path}: canonical\n")
        return
    changed = rewrite(
        loc,
        lambda loaded: dumps(loaded.raw),
        lock_timeout=s.lock_timeout,
        allow_comments=drop_comments,
    )
    sys.stdout.write(f"{loc.path}: {'reformatted' if changed else 'already canonical'}\n")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
