"""What every command shares: the Typer apps, the global settings, how a user error ends (one
line, `error: ...`, a fixed exit code), how help is translated, and the few helpers that turn
options into core values. Only this package (and render/) knows about Typer and Rich.

Options with a fixed set of values (statuses, categories, formats, sort keys) are read as text
and checked here against the core's registries, so that a value added there reaches every
command, and a mistake is answered in our words, naming the option:
`error: --status: 'Done' is not a status; use one of pending, in_progress, …`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from typer._click.core import Command as ClickCommand
from typer._click.core import Context, Parameter
from typer._click.exceptions import UsageError
from typer._click.formatting import HelpFormatter
from typer._click.types import StringParamType
from typer.core import TyperCommand, TyperGroup

from aes_tracker import __version__
from aes_tracker.errors import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_PIPE, TrackerError
from aes_tracker.i18n import N_, _

if TYPE_CHECKING:
    from dateutil.relativedelta import relativedelta

    from aes_tracker.domain.changes import Outcome, Who
    from aes_tracker.domain.model import Catalog
    from aes_tracker.render import Output
    from aes_tracker.store.core import Draft, View
    from aes_tracker.store.paths import Location

T = TypeVar("T")

# Where an error about a data field came from on the command line, when it is not `--field`.
FIELD_FLAGS = {
    "parties": "--party",
    "party": "--party",
    "beneficiaries": "--beneficiary",
    "no_deadline": "--no-deadline",
    "review_reason": "--review-reason",
    "due_reason": "--due-reason",
    "title_fr": "--title-fr",
    "next_host": "--host",
    "hosts": "--host",
}


def hint_line(hint: str) -> str:
    """The line after an error or a warning that says what to do: `hint: ` in English,
    `conseil : ` in French (`error:` stays the fixed marker scripts look for)."""
    return _("hint: {hint}").format(hint=hint) + "\n"


def _usage_prefix() -> str:
    return _("Usage: ")


def _fail(message: str, hint: str | None = None) -> None:
    """One line, whatever the message holds."""
    from aes_tracker.domain.model import escape_controls

    def line(text: str) -> str:
        return escape_controls(text).replace("\n", "\\n").replace("\t", " ")

    sys.stderr.write(f"error: {line(message)}\n")
    if hint:
        sys.stderr.write(hint_line(line(hint)))


def _flag(ctx: Context | None, field_name: str) -> str:
    """The option (or argument) of the running command that feeds a data field."""
    flags = ctx.meta.get("aes_flags", {}) if ctx is not None else {}
    if field_name in flags:
        return str(flags[field_name])
    return FIELD_FLAGS.get(field_name, "--" + field_name.replace("_", "-"))


def _last_context() -> Context | None:
    return _CURRENT.get("ctx")


# The context of the command that runs, for naming the option an error came from.
_CURRENT: dict[str, Context] = {}
_ARGV: list[str] = []  # the arguments as typed, for the hints of usage errors


def _lang_from(args: Sequence[str]) -> str | None:
    for i, a in enumerate(args):
        if a == "--lang" and i + 1 < len(args):
            return args[i + 1]
        if a.startswith("--lang="):
            return a.split("=", 1)[1]
    return None


def _global_after_command(e: Any) -> str | None:
    """A global option given after the command (`list --as-of D`): the one right hint, with
    the value as typed, rather than Click's guess at a near option of the command."""
    ctx = e.ctx
    if ctx is None or ctx.parent is None:
        return None
    root = ctx.find_root()
    opt = e.option_name
    param = next((p for p in root.command.params if opt in getattr(p, "opts", ())), None)
    if param is None:
        return None
    names: list[str] = []
    c = ctx
    while c.parent is not None:
        names.insert(0, c.info_name or "")
        c = c.parent
    given = opt
    argv = _ARGV
    if not getattr(param, "is_flag", False):
        value = "…"
        for i, arg in enumerate(argv):
            if arg.startswith(opt + "="):
                value = arg[len(opt) + 1 :]
            elif arg == opt and i + 1 < len(argv):
                value = argv[i + 1]
        import shlex

        given = f"{opt} {shlex.quote(value)}"
    return _("put {option} before the command: aes-tracker {given} {command}").format(
        option=opt, given=given, command=" ".join(names)
    )


def _usage_message(e: UsageError) -> tuple[str, str | None]:
    """Click's usage errors, in our words, on one line."""
    from typer._click.exceptions import (
        BadParameter,
        MissingParameter,
        NoArgsIsHelpError,
        NoSuchOption,
    )

    if isinstance(e, NoArgsIsHelpError):
        return "", None
    if isinstance(e, MissingParameter):
        param = e.param
        name = (
            param.opts[0]
            if param is not None and getattr(param, "param_type_name", "") == "option"
            else (param.human_readable_name if param is not None else "?")
        )
        if param is not None and param.param_type_name == "argument":
            return _("{name} is missing").format(name=name), None
        return _("{name} is missing").format(name=name), None
    if isinstance(e, NoSuchOption):
        hint = _global_after_command(e)
        if hint is None and e.possibilities:
            hint = _("did you mean {options}?").format(
                options=_(" or ").join(sorted(e.possibilities))
            )
        return _("no such option: {name}").format(name=e.option_name), hint
    if isinstance(e, BadParameter):
        name = (
            e.param.opts[0]
            if e.param is not None and e.param.opts
            else (e.param_hint if isinstance(e.param_hint, str) else "")
        )
        return f"{name}: {e.message}" if name else e.message, None
    msg = " ".join(e.format_message().split())
    if msg.startswith("Got unexpected extra argument"):
        # "Got unexpected extra argument(s) (weeks)": the words are in the last parentheses.
        extra = msg.removeprefix("Got unexpected extra argument(s) ").removeprefix("(")
        extra = extra.removesuffix(")")
        first = extra.split(" ", 1)[0]
        at = _ARGV.index(first) if first in _ARGV else -1
        params = getattr(getattr(e.ctx, "command", None), "params", ())
        takes = {o for p in params if not getattr(p, "is_flag", True) for o in p.opts}
        if at >= 2 and _ARGV[at - 2] in takes:
            # `--within 2 weeks`: the option took "2", and "weeks" was left over.
            return _("unexpected extra argument: {arg}").format(arg=extra), _(
                "{option} takes one value: put a value with spaces in quotes"
            ).format(option=_ARGV[at - 2])
        return _("unexpected extra argument: {arg}").format(arg=extra), _(
            "put text with spaces in quotes"
        )
    if msg.startswith("No such command"):
        import difflib

        name = msg.split("'")[1] if "'" in msg else msg
        names = list(getattr(getattr(e.ctx, "command", None), "commands", {}) or {})
        close = difflib.get_close_matches(name, names, n=2)
        hint = _("did you mean {names}?").format(names=_(" or ").join(close)) if close else None
        return _("no such command: {name}").format(name=name), hint
    return msg, None


def _localize(cmd: ClickCommand) -> None:
    """Translate a command's help and its options' help at the moment it is shown, and fill the
    registry placeholders ({statuses}, {formats}, ...) from the registries as they are now."""
    if getattr(cmd, "_aes_localized", False):
        return
    fill = placeholders(cmd.name or "")
    if cmd.help:
        cmd.help = _(cmd.help).format_map(fill)
    if cmd.short_help:
        cmd.short_help = _(cmd.short_help).format_map(fill)
    panel = getattr(cmd, "rich_help_panel", None)
    if panel:
        cmd.rich_help_panel = _(panel)  # type: ignore[attr-defined]
    for p in cmd.params:
        text = getattr(p, "help", None)  # options and Typer's arguments have help
        if text:
            p.help = _(text).format_map(fill)  # type: ignore[attr-defined]
    cmd._aes_localized = True  # type: ignore[attr-defined]


class _Fill(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def placeholders(command: str) -> Mapping[str, str]:
    from aes_tracker.domain.model import categories, statuses
    from aes_tracker.domain.query import SORTS
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


# Which kind of output each command renders (render.KIND_FORMATS): its --format choices.
COMMAND_KINDS = {
    "list": "rows",
    "due": "rows",
    "show": "commitment",
    "report": "report",
    "stats": "stats",
    "timeline": "timeline",
    "export": "export",
    "log": "log",
}


def _raise_broken_pipe(_console: object) -> None:
    raise _ReaderLeft()


def _translate_panels() -> None:
    """Before Typer draws a help page with Rich: the panels' titles in the language, and a
    reader that leaves (`--help | head -1`) ends the run as it does every other command
    (`Group.main`), instead of with Rich's own `SystemExit(1)` (Console.on_broken_pipe, which
    Rich documents as the method to override; Typer makes its consoles itself)."""
    from rich.console import Console
    from typer import rich_utils

    Console.on_broken_pipe = _raise_broken_pipe  # type: ignore[method-assign,assignment]

    rich_utils.OPTIONS_PANEL_TITLE = _("Options")
    rich_utils.COMMANDS_PANEL_TITLE = _("Commands")
    rich_utils.ARGUMENTS_PANEL_TITLE = _("Arguments")
    rich_utils.DEFAULT_STRING = _("[default: {}]")
    rich_utils.ENVVAR_STRING = _("[env var: {}]")
    rich_utils.REQUIRED_LONG_STRING = _("[required]")


class _ReaderLeft(Exception):
    """The reader of our output went away (`| head`)."""


def _help_option_localized(opt: Any) -> Any:
    """Click's own `--help` line, in the reader's language."""
    if opt is not None and opt.help and not getattr(opt, "_aes_localized", False):
        opt.help = _(opt.help)
        opt._aes_localized = True
    return opt


class Command(TyperCommand):
    def get_help_option(self, ctx: Context) -> Any:  # Click's own type
        return _help_option_localized(super().get_help_option(ctx))

    def format_usage(self, ctx: Context, formatter: HelpFormatter) -> None:
        pieces = self.collect_usage_pieces(ctx)
        formatter.write_usage(ctx.command_path, " ".join(pieces), _usage_prefix())

    def format_help(self, ctx: Context, formatter: HelpFormatter) -> None:
        _localize(self)
        _translate_panels()
        super().format_help(ctx, formatter)

    def invoke(self, ctx: Context) -> Any:  # Click's own return type
        _CURRENT["ctx"] = ctx
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            # Typer turns a broken pipe into exit 1; the reader leaving is not our failure.
            raise _ReaderLeft() from None


class Group(TyperGroup):
    """Runs the app so that every user error ends the same way: `error: ...` on stderr, a fixed
    exit code, never a traceback; and a reader that leaves early (`| head`) ends it quietly."""

    def get_help_option(self, ctx: Context) -> Any:  # Click's own type
        return _help_option_localized(super().get_help_option(ctx))

    def format_usage(self, ctx: Context, formatter: HelpFormatter) -> None:
        pieces = self.collect_usage_pieces(ctx)
        formatter.write_usage(ctx.command_path, " ".join(pieces), _usage_prefix())

    def format_help(self, ctx: Context, formatter: HelpFormatter) -> None:
        _localize(self)
        for cmd in self.commands.values():
            _localize(cmd)
        _translate_panels()
        super().format_help(ctx, formatter)

    def invoke(self, ctx: Context) -> Any:  # Click's own return type
        _CURRENT.setdefault("ctx", ctx)
        return super().invoke(ctx)

    def list_commands(self, ctx: Context) -> list[str]:
        """The top level's commands in the order of PANELS, whatever order they were
        registered in; a group's own commands as registered."""
        names = super().list_commands(ctx)
        if ctx.parent is not None:
            return names
        last = (len(PANELS), 0)
        return sorted(names, key=lambda n: _PLACE.get(n, last))

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        from typer._click.exceptions import ClickException, UsageError
        from typer.exceptions import Abort, Exit

        from aes_tracker import i18n
        from aes_tracker.render import utf8_stdout

        utf8_stdout()
        argv = list(sys.argv[1:] if args is None else args)
        _CURRENT.clear()
        _ARGV[:] = argv
        flag = _lang_from(argv)
        try:
            i18n.init_from_environment(flag)
        except TrackerError as e:
            _fail(f"{'--lang' if flag else '$AES_TRACKER_LANG'}: {e.message}")
            i18n.set_language("en")
            return _exit(e.exit_code, standalone_mode)
        try:
            rv = super().main(
                argv,
                prog_name,
                complete_var,
                standalone_mode=False,
                windows_expand_args=windows_expand_args,
                **extra,
            )
        except TrackerError as e:
            msg = str(e)
            if e.field and e.path is None:
                msg = f"{_flag(_last_context(), e.field)}: {msg}"
            _fail(msg, e.hint)
            rv = e.exit_code
        except UsageError as e:
            msg, hint = _usage_message(e)
            if not msg and e.ctx is not None:
                sys.stdout.write(e.ctx.get_help() + "\n")
                names = getattr(e.ctx.command, "commands", {})
                msg = _("give a command: {names}").format(names=", ".join(names))
            ctx = e.ctx
            if hint is None and ctx is not None:
                hint = _("see '{command} --help'").format(command=ctx.command_path)
            _fail(msg, hint)
            rv = EXIT_ERROR
        except Exit as e:
            rv = e.exit_code
        except ClickException as e:
            _fail(" ".join(e.format_message().split()))
            rv = e.exit_code
        except Abort:
            rv = EXIT_INTERRUPTED
        except (BrokenPipeError, _ReaderLeft):
            rv = _reader_left()
        return _exit(rv if isinstance(rv, int) else 0, standalone_mode)


def _reader_left() -> int:
    """`aes-tracker list | head`: the reader left. Not an error of ours; stdout is pointed at
    /dev/null so that the interpreter's last flush does not complain."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
    return EXIT_PIPE


def _exit(code: int, standalone: bool) -> int:
    if standalone:
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            code = _reader_left()
        sys.exit(code)
    return code


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
_PLACE = {name: (i, j) for i, (_p, names) in enumerate(PANELS) for j, name in enumerate(names)}


def panel_of(name: str) -> str | None:
    """The help panel of a top-level command (None: Typer's plain "Commands" panel)."""
    place = _PLACE.get(name)
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
        from typer.main import get_command_name

        panel = panel_of(name or get_command_name(fn.__name__))
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
    _today: date | None = field(default=None, repr=False)

    @property
    def location(self) -> Location:
        from aes_tracker.store.paths import locate

        return locate(self.file, os.environ, Path.cwd())

    @property
    def today(self) -> date:
        if self._today is None:
            real = date.today()
            self._today = parse_day(self.as_of, real, "as_of") if self.as_of else real
        return self._today

    def who(self) -> Who:
        from aes_tracker.domain.changes import Who

        return Who(self.by_name(), self.today, now())

    def by_name(self) -> str:
        from aes_tracker.domain.model import check_text

        if self.by:
            return check_text(self.by, "by")
        if os.environ.get("AES_TRACKER_USER"):
            return check_text(os.environ["AES_TRACKER_USER"], "by")
        try:
            import getpass

            return getpass.getuser()
        except (OSError, KeyError, ImportError):
            return "unknown"

    def output(self) -> Output:
        from aes_tracker.render import Output

        return Output.decide(sys.stdout, self.color, self.width)


def now() -> datetime:
    """When a change is recorded: the real time (UTC, to the second), whatever --as-of says:
    an entry made today about an earlier day is backdated, and the report says so."""
    return datetime.now(UTC).replace(microsecond=0)


def settings(ctx: typer.Context) -> Settings:
    obj = ctx.find_root().obj
    assert isinstance(obj, Settings)
    return obj


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
            raise _ReaderLeft() from None
        raise typer.Exit()


def parse_int(text: str, field_name: str, lo: int, hi: int) -> int:
    try:
        n = int(text)
    except ValueError:
        raise TrackerError(
            _("'{value}' is not a whole number").format(value=text), field=field_name
        ) from None
    if not lo <= n <= hi:
        raise TrackerError(
            _("{n} is out of range ({lo} to {hi})").format(n=n, lo=lo, hi=hi), field=field_name
        )
    return n


def parse_seconds(text: str, field_name: str) -> float:
    try:
        n = float(text)
    except ValueError:
        raise TrackerError(
            _("'{value}' is not a number of seconds").format(value=text), field=field_name
        ) from None
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
    ctx.obj = Settings(
        file=file,
        as_of=as_of,
        color=color.lower(),
        width=parse_int(width, "width", 20, 10_000) if width is not None else None,
        by=by,
        lock_timeout=parse_seconds(lock_timeout, "lock_timeout"),
        git=git if git is not None else _git_from_environment(),
    )
    if ctx.invoked_subcommand is None:
        sys.stdout.write(ctx.get_help() + "\n")


def _git_from_environment() -> bool | None:
    value = os.environ.get("AES_TRACKER_GIT", "").strip().lower()
    if not value:
        return None
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise TrackerError(
        _("$AES_TRACKER_GIT: '{value}' is neither 1 nor 0").format(
            value=os.environ["AES_TRACKER_GIT"]
        )
    )


# ---- committing in git ---------------------------------------------------------------------------


def git_wanted(s: Settings) -> bool:
    """--git/--no-git, else $AES_TRACKER_GIT, else `git = true` under [settings] in the file."""
    if s.git is not None:
        return s.git
    from aes_tracker.store.core import git_setting

    return bool(git_setting(s.location))


def command_name(ctx: Context) -> str:
    """`done`, `source add`: the command as typed, without the program's name."""
    names: list[str] = []
    c: Context | None = ctx
    while c is not None and c.parent is not None:
        names.append(c.info_name or "")
        c = c.parent
    return " ".join(reversed(names))


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
    s = settings(ctx)
    if not changed or not git_wanted(s):
        return
    from aes_tracker.desk import gitops

    try:
        repo = gitops.require(path, os.environ)
        gitops.commit_file(repo, subject_line, body, s.by_name(), os.environ)
        missing = gitops.driver_missing(repo, os.environ)
    except TrackerError as e:
        sys.stderr.write(_("warning: not committed in git: {reason}").format(reason=e) + "\n")
        if e.hint:
            sys.stderr.write(hint_line(e.hint))
        return
    if missing is not None:  # committed; but the next merge of it would be a text merge
        sys.stderr.write(_("warning: {message}").format(message=missing[0]) + "\n")
        sys.stderr.write(hint_line(missing[1]))


# ---- helpers -------------------------------------------------------------------------------------


def parse_day(text: str | None, today: date, field_name: str) -> date:
    from aes_tracker.domain.dates import parse_date

    assert text is not None
    try:
        return parse_date(text, today)
    except TrackerError as e:
        e.field = field_name
        raise


def maybe_day(text: str | None, today: date, field_name: str) -> date | None:
    return None if text is None else parse_day(text, today, field_name)


def parse_window(text: str, field_name: str) -> relativedelta:
    from aes_tracker.domain.dates import parse_duration

    try:
        return parse_duration(text)
    except TrackerError as e:
        e.field = field_name
        raise


def view(ctx: typer.Context) -> View:
    """The data for a read command: under --as-of, as it stood at the end of that day."""
    # store.view, not store.core: a read need not import the write path (store.transaction).
    from aes_tracker.store.view import view as load_view
    from aes_tracker.store.view import view_as_of

    s = settings(ctx)
    if s.as_of:
        return view_as_of(s.location, s.today)
    return load_view(s.location)


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
        from aes_tracker.store.core import forbidden_outputs

        forbidden = forbidden_outputs(s.location)
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


def change(ctx: typer.Context, fn: Callable[[Draft], Outcome], note: str = "") -> Outcome:
    """Run one change under the lock, through the undo journal; print its line, and say on
    stderr when it created the user data file or could not be journalled. Then commit it in git
    when asked to, with `note` (else the line printed) in the message."""
    from aes_tracker.store.core import update

    s = settings(ctx)
    outcome, written = update(
        s.location,
        fn,
        lock_timeout=s.lock_timeout,
        describe=lambda o: o.described,
        by=s.by_name(),
    )
    if written.created:
        sys.stderr.write(
            _("aes-tracker: created {path} from the bundled data").format(path=written.path) + "\n"
        )
    for w in written.warnings:
        sys.stderr.write(_("warning: {message}").format(message=w) + "\n")
    from aes_tracker.store.paths import chosen_by_folder

    if written.changed and chosen_by_folder(s.location):
        sys.stderr.write(
            _(
                "aes-tracker: changed {path}, the data file of this folder (--file names another)"
            ).format(path=s.location.path)
            + "\n"
        )
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


def resolve(draft_or_view: Draft | View, given: str) -> str:
    from aes_tracker.domain.query import resolve_id
    from aes_tracker.store.core import Draft

    if isinstance(draft_or_view, Draft):
        return resolve_id(draft_or_view.ids(), given)
    return resolve_id(draft_or_view.catalog.commitments, given)


# ---- completion ----------------------------------------------------------------------------------


def _complete_from_file(
    ctx: typer.Context, pick: Callable[[Catalog], list[str]], incomplete: str
) -> list[str]:
    try:
        from aes_tracker.store.core import view as load_view
        from aes_tracker.store.paths import locate

        root = ctx.find_root()
        file = root.params.get("file") if root.params else None
        catalog = load_view(locate(file, os.environ, Path.cwd())).catalog
        return sorted(v for v in pick(catalog) if v.startswith(incomplete))
    except Exception:  # completion must never print a traceback into the shell
        return []


def complete_id(ctx: typer.Context, incomplete: str) -> list[str]:
    return _complete_from_file(ctx, lambda c: list(c.commitments), incomplete)


def complete_party(ctx: typer.Context, incomplete: str) -> list[str]:
    return _complete_from_file(ctx, lambda c: list(c.parties), incomplete)


def complete_source(ctx: typer.Context, incomplete: str) -> list[str]:
    return _complete_from_file(ctx, lambda c: list(c.sources), incomplete)


def complete_status(ctx: typer.Context, incomplete: str) -> list[str]:
    from aes_tracker.domain.model import statuses

    return [s.name for s in statuses() if s.name.startswith(incomplete.lower())]


def complete_category(ctx: typer.Context, incomplete: str) -> list[str]:
    from aes_tracker.domain.model import categories

    return [c.name for c in categories() if c.name.startswith(incomplete.lower())]


def complete_format(ctx: typer.Context, incomplete: str) -> list[str]:
    from aes_tracker.render import formats_for

    kind = COMMAND_KINDS.get(ctx.command.name or "", "rows")
    if ctx.parent is not None and ctx.parent.command.name == "source":
        kind = "sources"
    return [f for f in formats_for(kind) if f.startswith(incomplete.lower())]


class _Words(StringParamType):
    """Text, shown in help by its metavar only (ID, TEXT, STATUS), with no `<str>` type."""

    name = "text"

    def get_metavar(self, param: Parameter, ctx: Context) -> str | None:
        return ""


WORDS = _Words()

IdArg = Annotated[
    str,
    typer.Argument(
        metavar="ID",
        click_type=WORDS,
        help="A commitment ID, or any unique prefix of one (any case).",
        autocompletion=complete_id,
        show_default=False,
    ),
]
NoteOpt = Annotated[str, typer.Option("--note", metavar="TEXT", help="What happened.")]
OnOpt = Annotated[
    str | None,
    typer.Option("--on", metavar="DATE", help="When it happened (default: today)."),
]
EvidenceOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--evidence",
        metavar="URL",
        help="A link (http or https) to the evidence, or a file; repeatable.",
    ),
]
# Every CSV can be had in the form for spreadsheets.
ExcelOpt = Annotated[
    bool,
    typer.Option(
        "--excel",
        help="CSV for spreadsheets: a UTF-8 BOM so Excel shows accents, and cells that would run "
        "as formulas (=, +, -, @) made plain text; `import` reads it back.",
    ),
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

# The filters every read command shares (domain.query.filter_of reads them).
StatusFilterOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--status",
        metavar="STATUS",
        help="Only this status ({statuses}); repeatable.",
        autocompletion=complete_status,
    ),
]
CategoryFilterOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--category",
        metavar="CATEGORY",
        help="Only this category ({categories}); repeatable.",
        autocompletion=complete_category,
    ),
]
PartyFilterOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--party",
        metavar="PARTY",
        help="Only those binding this party: naming it, or a group it belongs to (a unique "
        "prefix will do); repeatable.",
        autocompletion=complete_party,
    ),
]
SourceFilterOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--source",
        metavar="SOURCE",
        help="Only from this source; repeatable.",
        autocompletion=complete_source,
    ),
]


def main() -> None:
    try:
        app_for(sys.argv[1:])()
    except KeyboardInterrupt:
        sys.exit(EXIT_INTERRUPTED)


def app_for(argv: Sequence[str]) -> typer.Typer:
    """The app with only the command being run registered. Typer reads the signature of every
    command it registers on every run (25 ms for two dozen commands); a run needs one. The whole
    app when the command is not known from the arguments (none, a typo to suggest a fix for,
    `--help`, shell completion)."""
    if any(k.startswith("_AES_TRACKER_COMPLETE") for k in os.environ):
        return app
    name = _command_in(argv)
    if name is None:
        return app
    from typer.main import get_command_name

    cmds = [
        c
        for c in app.registered_commands
        if (c.name or get_command_name(c.callback.__name__ if c.callback else "")) == name
    ]
    groups = [g for g in app.registered_groups if g.name == name]
    if len(cmds) + len(groups) != 1:
        return app
    import copy

    slim = copy.copy(app)
    slim.registered_commands = cmds
    slim.registered_groups = groups
    return slim


def _command_in(argv: Sequence[str]) -> str | None:
    """The command named in `argv`: the first word that is neither a global option nor the
    value of one (the options that take a value are read from the root callback)."""
    from typer.utils import get_params_from_function

    assert app.registered_callback is not None and app.registered_callback.callback is not None
    takes_value: set[str] = set()
    for meta in get_params_from_function(app.registered_callback.callback).values():
        decls = getattr(meta.default, "param_decls", None) or ()
        if meta.annotation is not bool and not str(meta.annotation).endswith("Context'>"):
            takes_value.update(decls)
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            return argv[i + 1] if i + 1 < len(argv) else None
        if not a.startswith("-") or a == "-":
            return a
        i += 2 if a in takes_value else 1
    return None


def evidence_of(values: Sequence[str] | None, ctx: typer.Context | None = None) -> list[str]:
    """The --evidence values checked; a local file's path stored relative to the data file's
    folder (absolute outside it), so that every output resolves it from there."""
    from aes_tracker.domain.changes import check_evidence

    base = str(settings(ctx).location.path.parent) if ctx is not None and values else None
    return check_evidence(values or (), base=base)
