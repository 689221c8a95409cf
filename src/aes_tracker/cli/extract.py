"""`extract` (proposed commitments from a communiqué's text) and `source show` (the stored text).
The work is in `aes_tracker.extract`; here are the options, the printing, and the small loop an
analyst walks in a terminal."""

# No `from __future__ import annotations` (see change.py): the core's types are named in quotes.

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

import typer

from aes_tracker.cli.base import changed, command, source_app, tracker
from aes_tracker.cli.compat import Command
from aes_tracker.cli.options import complete_source
from aes_tracker.errors import TrackerError
from aes_tracker.i18n import _

if TYPE_CHECKING:
    from aes_tracker.extract.propose import Proposal

FORMATS = ("table", "json", "toml")


@source_app.command("show", cls=Command)
def source_show(
    ctx: typer.Context,
    sid: Annotated[
        str, typer.Argument(metavar="ID", help="The source.", autocompletion=complete_source)
    ],
) -> None:
    """Print the stored text of a source, as it was given.

    Example: aes-tracker source show aes-russia-2025-04-03
    """
    text = tracker(ctx).source_text(sid)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _print_table(proposals: "Sequence[Proposal]") -> None:
    from aes_tracker.render.proposals import table

    sys.stdout.write(table(proposals))


def _walk(
    proposals: "list[Proposal]",
    stored: str,
    known: Sequence[str],
    taken: Sequence[str],
    ctx: typer.Context,
) -> "list[Proposal]":
    """In a terminal: each new proposal in turn, to accept, edit, skip, split or merge with the
    previous one. Returns the accepted ones, in order."""
    from aes_tracker.render.proposals import prompt

    t = tracker(ctx)
    queue = [p for p in proposals if not p.tracked]
    accepted: list[Proposal] = []
    i = 0
    while i < len(queue):
        p = queue[i]
        _print_table([p])
        choice = typer.prompt(prompt("choice"), default="a").strip().lower()[:1]
        try:
            if choice == "a":
                accepted.append(p)
                i += 1
            elif choice == "s":
                i += 1
            elif choice == "q":
                break
            elif choice == "e":
                fields = ", ".join(t.editable())
                field = typer.prompt(prompt("field", fields=fields))
                value = typer.prompt(prompt("value"))
                queue[i] = t.edit_proposal(p, field.strip(), value, known)
            elif choice == "p":
                at = typer.prompt(prompt("split"))
                a, b = t.split_proposal(p, at, [*taken, *(q.id for q in queue)])
                queue[i : i + 1] = [a, b]
            elif choice == "m":
                if not accepted:
                    raise TrackerError(_("no accepted proposal before this one to merge with"))
                accepted[-1] = t.merge_proposals(accepted[-1], p, stored)
                i += 1
        except TrackerError as e:
            sys.stderr.write(f"error: {e}\n")
    return accepted


def _record(ctx: typer.Context, accepted: "Sequence[Proposal]", sid: str, text: str | None) -> None:
    """The accepted proposals as commitments, in one change (one `undo` takes them all back);
    the text stored too when the source had none."""
    changed(ctx, tracker(ctx).add_proposals(accepted, sid, text))


@command()
def extract(
    ctx: typer.Context,
    given: Annotated[
        str,
        typer.Argument(
            metavar="SOURCE|FILE",
            help="A source whose text is stored, or a text file (plain, Markdown, HTML) "
            "with --source.",
        ),
    ],
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            metavar="SOURCE",
            help="The source FILE is the text of.",
            autocompletion=complete_source,
        ),
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", metavar="FORMAT", help="table, json or toml.")
    ] = "table",
    accept: Annotated[
        str | None,
        typer.Option(
            "--accept",
            metavar="WHICH",
            help="all: add every proposal not already tracked, in one undoable change.",
        ),
    ] = None,
    interactive: Annotated[
        bool | None,
        typer.Option(
            "--interactive/--no-interactive",
            help="Walk the proposals one by one (default: in a terminal).",
        ),
    ] = None,
) -> None:
    """Propose commitments from a communiqué's text: one per promised target, each with its
    exact quote, parties, category, timing, a confidence and the rule that fired. In a terminal,
    walk them (accept, edit, skip, split, merge); else print them, and --accept all adds them.

    Example: aes-tracker extract aes-russia-2025-04-03 --format json > proposals.json
    """
    from aes_tracker.render.proposals import nothing_added

    if fmt.lower() not in FORMATS:
        raise TrackerError(
            _("--format: {value} is not one of {formats}").format(
                value=repr(fmt), formats=", ".join(FORMATS)
            )
        )
    if accept is not None and accept.lower() != "all":
        raise TrackerError(_("--accept: the only value is all"))
    found = tracker(ctx).propose(given, source)
    sid, text, proposals = found.sid, found.text, found.proposals
    new_text = found.new_text
    walk = interactive if interactive is not None else sys.stdin.isatty() and sys.stdout.isatty()
    if walk and accept is None:
        chosen = _walk(proposals, text, found.known, found.taken, ctx)
        if chosen:
            _record(ctx, chosen, sid, text if new_text else None)
        else:
            sys.stdout.write(nothing_added(walked=True))
        return
    if accept is not None:
        new = [p for p in proposals if not p.tracked]
        if not new:
            sys.stdout.write(nothing_added(walked=False))
            return
        _record(ctx, new, sid, text if new_text else None)
        return
    _emit(proposals, sid, fmt.lower())


def _emit(proposals: "Sequence[Proposal]", sid: str, fmt: str) -> None:
    if fmt == "table":
        _print_table(proposals)
        return
    from aes_tracker.render.proposals import document_text

    sys.stdout.write(document_text(proposals, sid, fmt))
