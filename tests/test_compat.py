"""What the command line takes from Typer, Click and Rich beyond their documented API lives in
cli/compat.py, and nowhere else in the package; this file pins each piece of it, so that a new
Typer (its pin is in pyproject.toml) that moves one of them fails here, by name, instead of
somewhere in the output."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "aes_tracker"

# Imports that reach past a library's documented API.
PRIVATE = ("typer._click", "typer.rich_utils", "typer.core", "typer.main", "typer.utils", "click")


def _private_uses(path: Path) -> list[str]:
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        for n in names:
            if n.startswith(PRIVATE):
                found.append(n)
        if isinstance(node, ast.Attribute) and node.attr in ("on_broken_pipe", "registered_groups"):
            found.append(node.attr)
    return found


def test_only_compat_reaches_into_typer_click_and_rich() -> None:
    bad = {
        str(p.relative_to(SRC)): uses
        for p in sorted(SRC.rglob("*.py"))
        if p.name != "compat.py" and (uses := _private_uses(p))
    }
    assert bad == {}


def test_compat_does_reach_into_them() -> None:
    """The check above looks for the right spellings: compat itself is caught by it."""
    assert _private_uses(SRC / "cli" / "compat.py")


def test_click_as_typer_vendors_it() -> None:
    from typer._click import core, exceptions, formatting, types

    for cls in (core.Command, core.Context, core.Parameter, formatting.HelpFormatter):
        assert inspect.isclass(cls)
    assert issubclass(types.StringParamType, types.ParamType)
    assert "get_metavar" in vars(types.ParamType)
    assert list(inspect.signature(types.ParamType.get_metavar).parameters) == [
        "self",
        "param",
        "ctx",
    ]
    for name in ("BadParameter", "MissingParameter", "NoArgsIsHelpError", "NoSuchOption"):
        assert issubclass(getattr(exceptions, name), exceptions.UsageError), name
    assert issubclass(exceptions.UsageError, exceptions.ClickException)


def test_the_attributes_of_clicks_usage_errors() -> None:
    from typer._click.exceptions import BadParameter, MissingParameter, NoSuchOption

    e = NoSuchOption("--nope", possibilities=["--note"])
    assert (e.option_name, list(e.possibilities)) == ("--nope", ["--note"])
    assert MissingParameter().param is None
    b = BadParameter("bad", param_hint="'--x'")
    assert (b.message, b.param, b.param_hint) == ("bad", None, "'--x'")


def test_typers_classes_and_helpers() -> None:
    from typer.core import TyperCommand, TyperGroup
    from typer.main import get_command_name
    from typer.utils import get_params_from_function

    for cls in (TyperCommand, TyperGroup):
        for method in ("format_help", "get_help_option", "invoke", "main"):
            assert callable(getattr(cls, method)), (cls, method)
    assert get_command_name("source_list") == "source-list"

    def f(a: int = 1) -> None: ...

    assert list(get_params_from_function(f)) == ["a"]


def test_the_registration_lists_of_an_app() -> None:
    import typer

    app = typer.Typer()

    @app.callback()
    def root() -> None: ...

    @app.command()
    def one() -> None: ...

    app.add_typer(typer.Typer(), name="sub")
    assert app.registered_callback is not None and app.registered_callback.callback is root
    assert [c.callback for c in app.registered_commands] == [one]
    assert [g.name for g in app.registered_groups] == ["sub"]


@pytest.mark.parametrize(
    "name",
    [
        "OPTIONS_PANEL_TITLE",
        "COMMANDS_PANEL_TITLE",
        "ARGUMENTS_PANEL_TITLE",
        "DEFAULT_STRING",
        "ENVVAR_STRING",
        "REQUIRED_LONG_STRING",
    ],
)
def test_the_rich_help_globals_that_get_translated(name: str) -> None:
    from typer import rich_utils

    assert isinstance(getattr(rich_utils, name), str)


def test_rich_ends_a_broken_pipe_through_the_console_method() -> None:
    import rich.console

    # Read from the source: compat replaces the method once a help page has been drawn.
    assert "    def on_broken_pipe(self) -> None:" in inspect.getsource(rich.console)


def test_clicks_contexts_and_parameters_as_compat_reads_them() -> None:
    """What the hints of usage errors and shell completion read: the root's parameters and
    their `opts` and `is_flag`, a context's parent, `info_name` and `params`."""
    import typer
    from typer._click.core import Context
    from typer.main import get_command

    app = typer.Typer()

    @app.callback()
    def root(
        file: str = typer.Option("", "--file"), all_: bool = typer.Option(False, "--all")
    ) -> None: ...

    @app.command("list")
    def list_() -> None: ...

    @app.command()
    def other() -> None: ...

    group = get_command(app)
    ctx = Context(group, info_name="aes-tracker")
    sub = Context(group.commands["list"], parent=ctx, info_name="list")  # type: ignore[attr-defined]
    assert sub.find_root() is ctx and sub.parent is ctx and sub.parent.command is group
    assert [p.opts for p in group.params[:2]] == [["--file"], ["--all"]]
    assert [getattr(p, "is_flag", None) for p in group.params[:2]] == [False, True]
    assert ctx.params == {} and sub.info_name == "list"

    from aes_tracker.cli import compat

    assert compat.command_path_names(sub) == ["list"]
    assert compat.group_name(ctx) is None
    assert compat.root_param(sub, "file") is None


def test_one_command_registered_runs_it_as_the_whole_app_would() -> None:
    from aes_tracker.cli import app, compat

    slim = compat.trimmed(app, "list")
    assert slim is not app and [c.name for c in slim.registered_commands] == ["list"]
    assert app.registered_commands != slim.registered_commands, "the app itself is untouched"
    assert compat.trimmed(app, "lsit") is app
    assert {"--file", "-f", "--as-of", "--lang"} <= compat.value_options(app)
    assert "--version" not in compat.value_options(app)
