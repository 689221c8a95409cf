"""The options and arguments several commands share, and shell completion of their values
(from the registries, or from the data file)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from aes_tracker.cli import compat
from aes_tracker.cli.compat import WORDS

if TYPE_CHECKING:
    from aes_tracker.api import Narrow
    from aes_tracker.domain.draft import Who
    from aes_tracker.domain.model import Catalog

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


def _complete_from_file(
    ctx: typer.Context, pick: Callable[[Catalog], list[str]], incomplete: str
) -> list[str]:
    try:
        from datetime import date

        from aes_tracker.api import Tracker
        from aes_tracker.store.paths import environment, locate

        file = compat.root_param(ctx, "file")
        environ = environment()
        where = locate(file, environ, Path.cwd())
        catalog = Tracker(where, date.today, _nobody, environ).view().catalog
        return sorted(v for v in pick(catalog) if v.startswith(incomplete))
    except Exception:  # completion must never print a traceback into the shell
        return []


def _nobody() -> Who:
    raise AssertionError("completion changes nothing")


def complete_id(ctx: typer.Context, incomplete: str) -> list[str]:
    return _complete_from_file(ctx, lambda c: list(c.commitments), incomplete)


def complete_party(ctx: typer.Context, incomplete: str) -> list[str]:
    return _complete_from_file(ctx, lambda c: list(c.parties), incomplete)


def complete_source(ctx: typer.Context, incomplete: str) -> list[str]:
    return _complete_from_file(ctx, lambda c: list(c.sources), incomplete)


def complete_status(ctx: typer.Context, incomplete: str) -> list[str]:
    from aes_tracker.domain.statuses import statuses

    return [s.name for s in statuses() if s.name.startswith(incomplete.lower())]


def complete_category(ctx: typer.Context, incomplete: str) -> list[str]:
    from aes_tracker.domain.statuses import categories

    return [c.name for c in categories() if c.name.startswith(incomplete.lower())]


def complete_format(ctx: typer.Context, incomplete: str) -> list[str]:
    from aes_tracker.render import formats_for

    kind = COMMAND_KINDS.get(ctx.command.name or "", "rows")
    if compat.group_name(ctx) == "source":
        kind = "sources"
    return [f for f in formats_for(kind) if f.startswith(incomplete.lower())]


def narrow(
    status: list[str] | None,
    category: list[str] | None,
    party: list[str] | None,
    source: list[str] | None,
) -> Narrow:
    """The shared filters of the read commands, as typed."""
    from aes_tracker.api import Narrow

    return Narrow(status or (), category or (), party or (), source or ())


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
