"""What every command shares: the Typer apps and their help panels, the global settings (and
the `Tracker` they make, the core API: api/), and the few helpers that hand a result to render/
or report a change. Only this package (and render/) knows about Typer and Rich; what it takes
from them beyond their documented API is in compat.py, how a run ends in ending.py, the options
several commands share (and their completion) in options.py.

Options with a fixed set of values (statuses, categories, formats, sort keys) are read as text
and checked by the core against its registries, so that a value added there reaches every
command, and a mistake is answered in our words, naming the option:
`error: --status: 'Done' is not a status; use one of pending, in_progress, …`.
"""

# No `from __future__ import annotations`: Typer reads the root callback's signature on every
# run (and `compat.value_options` once more), and evaluating annotations kept as strings costs
# milliseconds each time.

import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from aes_tracker import __version__
from aes_tracker.cli import compat, ending
from aes_tracker.cli.compat import Command, Context, Group, ReaderLeft
from aes_tracker.cli.options import COMMAND_KINDS
from aes_tracker.errors import EXIT_INTERRUPTED, TrackerError
from aes_tracker.i18n import N_, _

if TYPE_CHECKING:
    from aes_tracker.api import Changed, Tracker
    from aes_tracker.api.base import Committed
    from aes_tracker.domain.draft import Outcome, Who
    from aes_tracker.render import Output
    from aes_tracker.store.paths import Location

T = TypeVar("T")


class _Fill(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def placeholders(command: str) -> Mapping[str, str]:
    from aes_tracker.domain.query import SORTS
    from aes_tracker.domain.statuses import categories, statuses
    from aes_tracker.render import formats_for
    from aes_tracker.render.rows import LIST_COLUMNS

    kind = COMMAND_KINDS.get(command, "rows")
    return _Fill(
        statuses=", ".join(s.name for s in statuses()),
        open_statuses=", ".join(s.name for s in statuses() if s.open),
        closed_statuses=", ".join(s.name for s in statuses() if not s.open),
        categories=", ".join(c.name for c in categories()),
        formats=", ".join(formats_for(kind)),
        matrix_formats=", ".join(formats_for("matrix")),
        sorts=", ".join(SORTS),
        columns=", ".join(LIST_COLUMNS),
    )


compat.PLACEHOLDERS.append(placeholders)

app = typer.Typer(
    cls=Group,
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


# `--help`'s panels, in the order of an analyst's day, and each command's place in its panel:
# one table, which registration order does not change (the merge driver is plumbing, last).
PANELS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (N_("Daily"), ("list", "due", "show", "log", "report")),
    (N_("Record"), ("done", "status", "note", "review")),
    (N_("Change"), ("add", "extract", "edit", "rm", "undo", "redo")),
    (N_("Analyse"), ("stats", "timeline", "site")),
    (N_("Exchange"), ("export", "import")),
    (N_("Desk"), ("sync", "resolve", "git")),
    (N_("Maintenance"), ("init", "check", "fmt", "source", "where")),
    (N_("Plumbing"), ("merge-file",)),
)
compat.PLACE.update(
    {name: (i, j) for i, (_p, names) in enumerate(PANELS) for j, name in enumerate(names)}
)


def panel_of(name: str) -> str | None:
    """The help panel of a top-level command (None: Typer's plain "Commands" panel)."""
    place = compat.PLACE.get(name)
    return PANELS[place[0]][0] if place else None


def sub_app(name: str, text: str) -> typer.Typer:
    """A group of commands under `aes-tracker NAME`."""
    sub = typer.Typer(
        cls=Group,
        help=text,
        no_args_is_help=True,
        rich_markup_mode="markdown",
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    app.add_typer(sub, name=name, rich_help_panel=panel_of(name))
    return sub


source_app = sub_app("source", "Register and list the communiqués commitments come from.")


def command(name: str | None = None, **kw: Any) -> Callable[[Callable[..., T]], Callable[..., T]]:
    def register(fn: Callable[..., T]) -> Callable[..., T]:
        panel = panel_of(name or compat.command_name_of(fn))
        return app.command(name, cls=Command, rich_help_panel=panel, **kw)(fn)

    return register


# ---- settings shared by every command ------------------------------------------------------------


@dataclass
class Settings:
    file: str | None
    as_of: str | None
    color: str
    width: int | None
    by: str | None
    lock_timeout: float
    git: bool | None = None  # --git/--no-git, else $AES_TRACKER_GIT; None: the data file says
    # The process's environment, read once (store/paths.py) and passed down from here.
    environ: Mapping[str, str] = field(default_factory=dict, repr=False)
    _today: date | None = field(default=None, repr=False)
    _tracker: "Tracker | None" = field(default=None, repr=False)

    @property
    def location(self) -> "Location":
        from aes_tracker.store.paths import locate

        return locate(self.file, self.environ, Path.cwd())

    @property
    def today(self) -> date:
        if self._today is None:
            real = date.today()
            if self.as_of:
                from aes_tracker.api import day

                real = day(self.as_of, real, "as_of")
            self._today = real
        return self._today

    def who(self) -> "Who":
        from aes_tracker.api import actor

        return actor(self.by_name(), self.today, now())

    def by_name(self) -> str:
        from aes_tracker.domain.text import check_text

        if self.by:
            return check_text(self.by, "by")
        if self.environ.get("AES_TRACKER_USER"):
            return check_text(self.environ["AES_TRACKER_USER"], "by")
        try:
            import getpass

            return getpass.getuser()
        except (OSError, KeyError, ImportError):
            return "unknown"

    def tracker(self) -> "Tracker":
        """The core API over the data file, as of today, for whoever runs the command."""
        if self._tracker is None:
            from aes_tracker.api import Tracker

            self._tracker = Tracker(
                self.location,
                lambda: self.today,
                self.who,
                self.environ,
                lock_timeout=self.lock_timeout,
                by=self.by_name,
                as_of=bool(self.as_of),
                git=self.git,
            )
        return self._tracker

    def output(self) -> "Output":
        from aes_tracker.render import Output

        return Output.decide(sys.stdout, self.color, self.width, self.environ)


def now() -> datetime:
    """When a change is recorded: the real time (UTC, to the second), whatever --as-of says:
    an entry made today about an earlier day is backdated, and the report says so."""
    return datetime.now(UTC).replace(microsecond=0)


def settings(ctx: typer.Context) -> Settings:
    obj = ctx.find_root().obj
    assert isinstance(obj, Settings)
    return obj


def tracker(ctx: typer.Context) -> "Tracker":
    """The core API for the running command."""
    return settings(ctx).tracker()


def flags(ctx: typer.Context, **mapping: str) -> None:
    """Name the arguments of this command that feed data fields, for error messages."""
    ctx.meta.setdefault("aes_flags", {}).update(mapping)


def _version(value: bool) -> None:
    if value:
        try:
            sys.stdout.write(f"aes-tracker {__version__}\n")
            sys.stdout.flush()
        except BrokenPipeError:
            # Typer ends an EPIPE met while reading the options with status 1.
            raise ReaderLeft() from None
        raise typer.Exit()


def _number(text: str, field_name: str, kind: Callable[[str], T]) -> T:
    """`text` read as `kind`: int, or float (a number of seconds)."""
    try:
        return kind(text)
    except ValueError:
        raise TrackerError(
            (
                _("'{value}' is not a whole number")
                if kind is int
                else _("'{value}' is not a number of seconds")
            ).format(value=text),
            field=field_name,
        ) from None


def parse_int(text: str, field_name: str, lo: int, hi: int) -> int:
    n = _number(text, field_name, int)
    if not lo <= n <= hi:
        raise TrackerError(
            _("{n} is out of range ({lo} to {hi})").format(n=n, lo=lo, hi=hi), field=field_name
        )
    return n


def parse_seconds(text: str, field_name: str) -> float:
    n = _number(text, field_name, float)
    if not n >= 0:  # also refuses nan
        raise TrackerError(_("must be 0 or more seconds"), field=field_name)
    return n


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
        str,
        typer.Option(
            "--color", metavar="WHEN", help="Colour: auto (a terminal only), always or never."
        ),
    ] = "auto",
    width: Annotated[
        str | None,
        typer.Option(
            "--width",
            metavar="COLUMNS",
            help="Output width (default: $COLUMNS, the terminal, or 100).",
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
        str,
        typer.Option(
            "--lock-timeout",
            metavar="SECONDS",
            help="How long a change waits for the file's lock.",
        ),
    ] = "5",
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            metavar="LANG",
            help="Language of what people read: en or fr (default: $AES_TRACKER_LANG, "
            "else the locale).",
        ),
    ] = None,
    git: Annotated[
        bool | None,
        typer.Option(
            "--git/--no-git",
            help="Commit each change in git, the data file only (default: $AES_TRACKER_GIT, "
            "else `git = true` under [settings] in the data file).",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    if color.lower() not in ("auto", "always", "never"):
        raise TrackerError(
            _("'{value}' is not a colour mode; use one of auto, always, never").format(value=color),
            field="color",
        )
    from aes_tracker.store.paths import environment

    environ = environment()
    ctx.obj = Settings(
        file=file,
        as_of=as_of,
        color=color.lower(),
        width=parse_int(width, "width", 20, 10_000) if width is not None else None,
        by=by,
        lock_timeout=parse_seconds(lock_timeout, "lock_timeout"),
        git=git if git is not None else _git_from_environment(environ),
        environ=environ,
    )
    if ctx.invoked_subcommand is None:
        sys.stdout.write(ctx.get_help() + "\n")


def _git_from_environment(environ: Mapping[str, str]) -> bool | None:
    value = environ.get("AES_TRACKER_GIT", "").strip().lower()
    if not value:
        return None
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise TrackerError(
        _("$AES_TRACKER_GIT: '{value}' is neither 1 nor 0").format(value=environ["AES_TRACKER_GIT"])
    )


# ---- committing in git ---------------------------------------------------------------------------


def command_name(ctx: Context) -> str:
    """`done`, `source add`: the command as typed, without the program's name."""
    return " ".join(compat.command_path_names(ctx))


def subject(ctx: Context, cid: str, text: str) -> str:
    """A commit's first line: `done sec-targeted-training: First course held in Bamako`."""
    head = f"{command_name(ctx)} {cid}".strip()
    text = " ".join(text.split())
    line = f"{head}: {text}" if text else head
    return line if len(line) <= 72 else line[:71].rstrip() + "…"


def commit(
    ctx: typer.Context, path: Path, changed: bool, subject_line: str, body: str = ""
) -> None:
    """After a change that was written: commit the data file in git when asked to. A commit that
    fails is a warning; the change stays."""
    if changed:
        committed(tracker(ctx).commit(path, subject_line, body))


def committed(done: "Committed | None") -> None:
    """Say what came of a commit in git, on stderr: nothing when it went well."""
    if done is None:
        return
    if done.failed is not None:
        from aes_tracker.render.notices import not_committed

        e = done.failed
        sys.stderr.write(not_committed(e))
        if e.hint:
            sys.stderr.write(ending.hint_line(e.hint))
    elif done.missing is not None:  # committed; but the next merge of it would be a text merge
        ending.warn(*done.missing)


def warnings(items: Sequence[str]) -> None:
    for w in items:
        ending.warn(w)


# ---- handing results on --------------------------------------------------------------------------


def emit(
    ctx: typer.Context,
    kind: str,
    fmt: str,
    payload: Any,  # the kind's own shape: rows, a report, stats...
    output: str | None = None,
    excel: bool = False,
) -> None:
    from aes_tracker.render import emit as render_emit

    s = settings(ctx)
    forbidden: tuple[Path, ...] = ()
    if output:
        forbidden = s.tracker().forbidden_outputs()
    render_emit(
        s.output(),
        kind,
        fmt,
        payload,
        output=Path(output) if output else None,
        forbidden=forbidden,
        excel=excel,
        like=s.location.path,  # outputs are no less private than the data file
    )


def fmt_of(kind: str, text: str) -> str:
    from aes_tracker.render import parse_format

    return parse_format(kind, text)


def changed(ctx: typer.Context, done: "Changed", note: str = "") -> "Outcome":
    """Print a change made: its line, and on stderr whether it created the user data file, could
    not be journalled, or changed the data file of this folder. Then commit it in git when asked
    to, with `note` (else the line printed) in the message."""
    from aes_tracker.render.notices import created, folder_changed

    outcome, written = done.outcome, done.written
    sys.stderr.write(created(written))
    warnings(written.warnings)
    sys.stderr.write(folder_changed(written, done.by_folder))
    sys.stdout.write(outcome.line + "\n")
    if written.changed:
        prefix = f"{outcome.cid}: "
        text = note or (
            outcome.line[len(prefix) :] if outcome.line.startswith(prefix) else outcome.line
        )
        if text == outcome.cid:
            text = ""
        commit(ctx, written.path, True, subject(ctx, outcome.cid, text), outcome.described)
    return outcome


# ---- running -------------------------------------------------------------------------------------


def main() -> None:
    try:
        app_for(sys.argv[1:])()
    except KeyboardInterrupt:
        sys.exit(EXIT_INTERRUPTED)


def app_for(argv: Sequence[str]) -> typer.Typer:
    """The app with only the command being run imported and registered. Typer reads the
    signature of every command it registers on every run (25 ms for two dozen commands), and
    each command module costs its import; a run needs one. The whole app when the command is
    not known from the arguments (none, a typo to suggest a fix for, `--help`, shell
    completion)."""
    from aes_tracker.cli import COMMANDS, load
    from aes_tracker.store.paths import environment

    if any(k.startswith("_AES_TRACKER_COMPLETE") for k in environment()):
        return load()
    name = _command_in(argv)
    if name is None or name not in COMMANDS:
        return load()
    return compat.trimmed(load(COMMANDS[name]), name)


def _command_in(argv: Sequence[str]) -> str | None:
    """The command named in `argv`: the first word that is neither a global option nor the
    value of one (the options that take a value are read from the root callback)."""
    takes_value = compat.value_options(app)
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            return argv[i + 1] if i + 1 < len(argv) else None
        if not a.startswith("-") or a == "-":
            return a
        i += 2 if a in takes_value else 1
    return None
