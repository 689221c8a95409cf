"""The command line, over the core API (api/): `base` (the apps, settings, the `Tracker`),
`compat` (what is taken from Typer, Click and Rich beyond their documented API), `ending` (how a
run ends), `options` (shared options, completion), and the commands by theme: `read` (list,
due, show, report, log, stats, timeline, source list), `change` (done, status, note, review,
add, edit, rm, source add), `exchange` (export, import), `maint` (check, where, fmt, init,
undo, redo), `extract` (extract, source show), `site` (the static site) and `desk`
(merge-file, resolve, sync, git init-merge).

What the command line says in its own words: the errors it raises about what a person typed
(an option's value, `--per-party` without `--format csv`, a number that is not one, a wrong
answer in extract's walk) and the help (help texts, docstrings, the panels' titles). Every other
line a command prints, on stdout or stderr, and what its commit messages say, is made in
render/ from the typed result the core API returns, and written out here as render/ gave it
(with its newline at most); so are extract's questions. compat.py (what Typer and Click say,
the help's headings) and ending.py (the `error:`, `hint:` and `warning:` lines) are the frame
around the commands, outside the rule. tests/test_layers.py holds cli/ to it: a gettext call
only inside a `raise`, no literal word in what is written or asked, but for two lines it names
with the reason.

A run imports only the module of the command it runs (`main`, through `cli.base.app_for`);
`app`, the whole app with every command registered, is made on first use."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import typer

    app: typer.Typer  # made on first use (`__getattr__`)

# The command modules, in the order they register their commands: a group's commands are
# listed in `--help` as registered (`source`: add, show, list).
MODULES = ("change", "desk", "exchange", "extract", "maint", "read", "site")

# The modules that register each top-level command or group (tests/test_cli.py checks it
# against what they register).
COMMANDS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("done", "status", "note", "review", "add", "edit", "rm"), ("change",)),
    **dict.fromkeys(("merge-file", "resolve", "sync", "git"), ("desk",)),
    **dict.fromkeys(("export", "import"), ("exchange",)),
    "extract": ("extract",),
    **dict.fromkeys(("check", "where", "fmt", "init", "undo", "redo"), ("maint",)),
    **dict.fromkeys(("list", "due", "show", "report", "log", "stats", "timeline"), ("read",)),
    "site": ("site",),
    "source": ("change", "extract", "read"),
}


def load(modules: Iterable[str] = MODULES) -> typer.Typer:
    """The app, with the commands of `modules` (every one by default) registered."""
    for name in modules:
        # `__import__`, not importlib's: `python -X importtime` sees it.
        __import__(f"aes_tracker.cli.{name}")
    from aes_tracker.cli import base, compat

    compat.order_groups(base.app, lambda fn: MODULES.index(fn.__module__.rsplit(".", 1)[-1]))
    return base.app


def main() -> None:
    from aes_tracker.cli.base import main as run

    run()


def __getattr__(name: str) -> Any:
    if name == "app":
        return load()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["app", "main"]
