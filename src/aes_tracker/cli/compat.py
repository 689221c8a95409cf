"""Everything the command line takes from Typer, Click and Rich beyond their documented API, in
one place: Click's classes as Typer vendors them (`typer._click`), the attributes of Click's
usage errors and contexts, Typer's Rich help globals (`typer.rich_utils`), Rich's
`Console.on_broken_pipe`, and the registration lists of a `Typer` app (for running it with one
command registered). `tests/test_compat.py` pins each of these; lifting the Typer pin means
editing this file.

The policy (what an error says, which exit code) is cli/ending.py's; this module only adapts
it to what the libraries do. cli/base.py fills the two hooks below (the help's placeholders,
the order of the commands) from the registries it knows.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import typer
from typer._click.core import Command as ClickCommand
from typer._click.core import Context, Parameter
from typer._click.exceptions import UsageError
from typer._click.formatting import HelpFormatter
from typer._click.types import StringParamType
from typer.core import TyperCommand, TyperGroup

from aes_tracker.cli import ending
from aes_tracker.errors import EXIT_ERROR, EXIT_INTERRUPTED, TrackerError
from aes_tracker.i18n import _

__all__ = [
    "PLACE",
    "PLACEHOLDERS",
    "WORDS",
    "Command",
    "Context",
    "Group",
    "ReaderLeft",
    "command_name_of",
    "command_path_names",
    "order_groups",
    "trimmed",
    "value_options",
]


class ReaderLeft(Exception):
    """The reader of our output went away (`| head`)."""


# How a command's help is filled ({statuses}, {formats}, ...), a mapping per command name; and
# each top-level command's place in `--help` (panel, rank): set by cli/base.py.
PLACEHOLDERS: list[Callable[[str], Mapping[str, str]]] = []
PLACE: dict[str, tuple[int, int]] = {}


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
    import shlex

    # The command as typed from its name on, the option (and its value) moved before it: a
    # line to copy. (Global options typed before the command are left out, as they were typed.)
    names = command_path_names(ctx)
    argv = ending.ARGV
    start = argv.index(names[0]) if names and names[0] in argv else len(argv)
    takes_value = not getattr(param, "is_flag", False)
    moved: list[str] = []
    rest: list[str] = []
    args = iter(argv[start:])
    for arg in args:
        if moved or not (arg == opt or arg.startswith(opt + "=")):
            rest.append(arg)
        elif arg == opt and takes_value:
            moved = [opt, next(args, "…")]
        else:
            moved = arg.split("=", 1) if takes_value else [arg]
    if not rest:  # the command not found as typed: its name, as Click knows it
        rest = names
    line = shlex.join(["aes-tracker", *(moved or [opt]), *rest])
    return _("put {option} before the command: {line}").format(option=opt, line=line)


def usage_message(e: UsageError) -> tuple[str, str | None]:
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
        argv = ending.ARGV
        at = argv.index(first) if first in argv else -1
        params = getattr(getattr(e.ctx, "command", None), "params", ())
        takes = {o for p in params if not getattr(p, "is_flag", True) for o in p.opts}
        if at >= 2 and argv[at - 2] in takes:
            # `--within 2 weeks`: the option took "2", and "weeks" was left over.
            return _("unexpected extra argument: {arg}").format(arg=extra), _(
                "{option} takes one value: put a value with spaces in quotes"
            ).format(option=argv[at - 2])
        return _("unexpected extra argument: {arg}").format(arg=extra), _(
            "put text with spaces in quotes"
        )
    if msg.startswith("No such command"):
        import difflib

        name = msg.split("'")[1] if "'" in msg else msg
        names = list(getattr(getattr(e.ctx, "command", None), "commands", {}) or {})
        close = difflib.get_close_matches(name, names, n=3)
        # The same letters in another order (`lsit`) first: a slip of two fingers.
        close = sorted(close, key=lambda c: sorted(c) != sorted(name))[:2]
        hint = _("did you mean {names}?").format(names=_(" or ").join(close)) if close else None
        return _("no such command: {name}").format(name=name), hint
    return msg, None


def _localize(cmd: ClickCommand) -> None:
    """Translate a command's help and its options' help at the moment it is shown, and fill the
    registry placeholders ({statuses}, {formats}, ...) from the registries as they are now."""
    if getattr(cmd, "_aes_localized", False):
        return
    fill = PLACEHOLDERS[0](cmd.name or "") if PLACEHOLDERS else {}
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


def _raise_broken_pipe(_console: object) -> None:
    raise ReaderLeft()


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


def _help_option_localized(opt: Any) -> Any:
    """Click's own `--help` line, in the reader's language."""
    if opt is not None and opt.help and not getattr(opt, "_aes_localized", False):
        opt.help = _(opt.help)
        opt._aes_localized = True
    return opt


class _Localized(ClickCommand):
    """Click's `--help` line and its "Usage:" in the reader's language: for a command and the
    group alike (mixed in before Typer's class)."""

    def get_help_option(self, ctx: Context) -> Any:  # Click's own type
        return _help_option_localized(super().get_help_option(ctx))

    def format_usage(self, ctx: Context, formatter: HelpFormatter) -> None:
        pieces = self.collect_usage_pieces(ctx)
        formatter.write_usage(ctx.command_path, " ".join(pieces), _("Usage: "))


class Command(_Localized, TyperCommand):
    def format_help(self, ctx: Context, formatter: HelpFormatter) -> None:
        _localize(self)
        _translate_panels()
        super().format_help(ctx, formatter)

    def invoke(self, ctx: Context) -> Any:  # Click's own return type
        ending.CURRENT["ctx"] = ctx
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            # Typer turns a broken pipe into exit 1; the reader leaving is not our failure.
            raise ReaderLeft() from None


class Group(_Localized, TyperGroup):
    """Runs the app so that every user error ends the same way: `error: ...` on stderr, a fixed
    exit code, never a traceback; and a reader that leaves early (`| head`) ends it quietly."""

    def format_help(self, ctx: Context, formatter: HelpFormatter) -> None:
        _localize(self)
        for cmd in self.commands.values():
            _localize(cmd)
        _translate_panels()
        super().format_help(ctx, formatter)

    def invoke(self, ctx: Context) -> Any:  # Click's own return type
        ending.CURRENT.setdefault("ctx", ctx)
        return super().invoke(ctx)

    def list_commands(self, ctx: Context) -> list[str]:
        """The top level's commands in the order of PLACE, whatever order they were registered
        in; a group's own commands as registered."""
        names = super().list_commands(ctx)
        if ctx.parent is not None:
            return names
        last = (len(PLACE) + 1, 0)
        return sorted(names, key=lambda n: PLACE.get(n, last))

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
        from aes_tracker.store.paths import environment

        utf8_stdout()
        argv = list(sys.argv[1:] if args is None else args)
        ending.CURRENT.clear()
        ending.ARGV[:] = argv
        flag = ending.lang_from(argv)
        try:
            i18n.init_from_environment(flag, environment())
        except TrackerError as e:
            ending.fail(f"{'--lang' if flag else '$AES_TRACKER_LANG'}: {e.message}")
            i18n.set_language("en")
            return ending.end(e.exit_code, standalone_mode)
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
            ending.fail_with(e)
            rv = e.exit_code
        except UsageError as e:
            msg, hint = usage_message(e)
            if not msg and e.ctx is not None:
                sys.stdout.write(e.ctx.get_help() + "\n")
                names = getattr(e.ctx.command, "commands", {})
                msg = _("give a command: {names}").format(names=", ".join(names))
            ctx = e.ctx
            if hint is None and ctx is not None:
                hint = _("see '{command} --help'").format(command=ctx.command_path)
            ending.fail(msg, hint)
            rv = EXIT_ERROR
        except Exit as e:
            rv = e.exit_code
        except ClickException as e:
            ending.fail(" ".join(e.format_message().split()))
            rv = e.exit_code
        except Abort:
            rv = EXIT_INTERRUPTED
        except (BrokenPipeError, ReaderLeft):
            rv = ending.reader_left()
        return ending.end(rv if isinstance(rv, int) else 0, standalone_mode)


class _Words(StringParamType):
    """Text, shown in help by its metavar only (ID, TEXT, STATUS), with no `<str>` type."""

    name = "text"

    def get_metavar(self, param: Parameter, ctx: Context) -> str | None:
        return ""


WORDS = _Words()


def command_path_names(ctx: Context) -> list[str]:
    """`["source", "add"]`: the words of the running command, without the program's name."""
    names: list[str] = []
    c: Context | None = ctx
    while c is not None and c.parent is not None:
        names.append(c.info_name or "")
        c = c.parent
    return list(reversed(names))


def command_name_of(fn: Callable[..., Any]) -> str:
    """The name Typer gives a command function (`source_list` → `source-list`)."""
    from typer.main import get_command_name

    return get_command_name(fn.__name__)


def root_param(ctx: Context, name: str) -> Any:
    """A global option's value as parsed so far (shell completion runs before the callback)."""
    root = ctx.find_root()
    return root.params.get(name) if root.params else None


def group_name(ctx: Context) -> str | None:
    """The group a command runs under (`source` for `source list`), None at the top."""
    return ctx.parent.command.name if ctx.parent is not None else None


def value_options(app: typer.Typer) -> set[str]:
    """The root callback's options that take a value (`--file PATH`), read from its signature."""
    from typer.utils import get_params_from_function

    assert app.registered_callback is not None and app.registered_callback.callback is not None
    takes_value: set[str] = set()
    for meta in get_params_from_function(app.registered_callback.callback).values():
        decls = getattr(meta.default, "param_decls", None) or ()
        if meta.annotation is not bool and not str(meta.annotation).endswith("Context'>"):
            takes_value.update(decls)
    return takes_value


def order_groups(app: typer.Typer, rank: Callable[[Callable[..., Any]], int]) -> None:
    """Put the commands of each group of `app` in the order of `rank` (of their functions),
    whatever order their modules were imported in; alike ones as registered."""
    for group in app.registered_groups:
        sub = group.typer_instance
        if sub is not None:
            sub.registered_commands.sort(key=lambda c: rank(c.callback) if c.callback else 0)


def trimmed(app: typer.Typer, name: str) -> typer.Typer:
    """`app` with only the command (or group) `name` registered, or `app` itself when `name` is
    not exactly one of them. Typer reads the signature of every command it registers on every
    run (25 ms for two dozen commands); a run needs one."""
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
