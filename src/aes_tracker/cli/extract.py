"""`extract` (proposed commitments from a communiqué's text) and `source show` (the stored text).
The work is in `aes_tracker.extract`; here are the options, the printing, and the small loop an
analyst walks in a terminal."""

# No `from __future__ import annotations` (see change.py): the core's types are named in quotes.

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from aes_tracker.cli.base import (
    Command,
    change,
    command,
    complete_source,
    settings,
    source_app,
    view,
)
from aes_tracker.errors import TrackerError
from aes_tracker.i18n import _, ngettext

if TYPE_CHECKING:
    from aes_tracker.extract.propose import Proposal
    from aes_tracker.store.core import View

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
    from aes_tracker.store.texts import read_text

    v = view(ctx)
    source = v.catalog.sources.get(sid)
    if source is None:
        raise TrackerError(_("no source {id}").format(id=sid))
    text, _path = read_text(v.path, source)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _source_and_text(v: "View", given: str, source_opt: str | None) -> tuple[str, str, str, bool]:
    """The source ID, its text, the text's name (for its format) and whether the text is new
    (given as a file, for a source that has none stored)."""
    from aes_tracker.store.fileio import read_file
    from aes_tracker.store.texts import decode_text, read_text

    sources = v.catalog.sources
    if source_opt is not None:
        if source_opt not in sources:
            raise TrackerError(_("no source {id}").format(id=source_opt), field="source")
        path = Path(given)
        text = decode_text(read_file(path), given)
        return source_opt, text, path.name, not sources[source_opt].text
    if given in sources:
        source = sources[given]
        text, path = read_text(v.path, source)
        return given, text, path.name, False
    if Path(given).is_file():
        raise TrackerError(
            _("{file}: say which source it is the text of, with --source ID").format(file=given),
            hint=_(
                "register the communiqué first: aes-tracker source add ID --title ... --date ..."
            ),
        )
    raise TrackerError(_("no source {id}").format(id=given))


def _print_table(proposals: "Sequence[Proposal]") -> None:
    for p in proposals:
        when = (
            _("due {day}").format(day=p.due.isoformat())
            if p.due
            else _("review {day}").format(day=p.review.isoformat() if p.review else "-")
        )
        sys.stdout.write(
            f"{p.id}  {p.confidence:.2f}  {', '.join(p.parties)}  {p.category}  {when}\n"
        )
        sys.stdout.write(f"  {p.title}\n")
        if p.title_fr and p.title_fr != p.title:
            sys.stdout.write(f"  {p.title_fr}\n")
        sys.stdout.write("  " + _("target: « {words} »").format(words=p.target) + "\n")
        sys.stdout.write(
            "  " + _("quote, line {line}: « {quote} »").format(line=p.line, quote=p.quote) + "\n"
        )
        if p.timing:
            sys.stdout.write("  " + _("timing: {words}").format(words="; ".join(p.timing)) + "\n")
        sys.stdout.write("  " + _("rule: {rule}").format(rule=p.rule) + "\n")
        if p.tracked:
            sys.stdout.write("  " + _("already tracked by {id}").format(id=p.tracked) + "\n")
        sys.stdout.write("\n")
    new = sum(1 for p in proposals if not p.tracked)
    tracked = len(proposals) - new
    sys.stdout.write(
        ngettext("{n} proposal", "{n} proposals", new).format(n=new)
        + ", "
        + ngettext("{n} already tracked", "{n} already tracked", tracked).format(n=tracked)
        + "\n"
    )


def _walk(
    proposals: "list[Proposal]",
    stored: str,
    known: Sequence[str],
    taken: Sequence[str],
    ctx: typer.Context,
) -> "list[Proposal]":
    """In a terminal: each new proposal in turn, to accept, edit, skip, split or merge with the
    previous one. Returns the accepted ones, in order."""
    from aes_tracker.extract.accept import EDITABLE, edit_proposal, merge_proposals, split_proposal

    today = settings(ctx).today
    queue = [p for p in proposals if not p.tracked]
    accepted: list[Proposal] = []
    i = 0
    while i < len(queue):
        p = queue[i]
        _print_table([p])
        choice = (
            typer.prompt(
                _("[a]ccept, [e]dit, [s]kip, s[p]lit, [m]erge with previous, [q]uit"), default="a"
            )
            .strip()
            .lower()[:1]
        )
        try:
            if choice == "a":
                accepted.append(p)
                i += 1
            elif choice == "s":
                i += 1
            elif choice == "q":
                break
            elif choice == "e":
                field = typer.prompt(_("field ({fields})").format(fields=", ".join(EDITABLE)))
                value = typer.prompt(_("new value"))
                queue[i] = edit_proposal(p, field.strip(), value, today, known)
            elif choice == "p":
                at = typer.prompt(_("the words the second part starts with"))
                a, b = split_proposal(p, at, [*taken, *(q.id for q in queue)])
                queue[i : i + 1] = [a, b]
            elif choice == "m":
                if not accepted:
                    raise TrackerError(_("no accepted proposal before this one to merge with"))
                accepted[-1] = merge_proposals(accepted[-1], p, stored)
                i += 1
        except TrackerError as e:
            sys.stderr.write(f"error: {e}\n")
    return accepted


def _record(ctx: typer.Context, accepted: "Sequence[Proposal]", sid: str, text: str | None) -> None:
    """The accepted proposals as commitments, in one change (one `undo` takes them all back);
    the text stored too when the source had none."""
    from aes_tracker.domain import editing
    from aes_tracker.domain.draft import Outcome
    from aes_tracker.extract.accept import new_commitment
    from aes_tracker.store.core import Draft
    from aes_tracker.store.texts import text_name, write_text

    s = settings(ctx)
    who = s.who()

    def fn(d: Draft) -> Outcome:
        ids = [editing.add_commitment(d, new_commitment(p, sid), who).cid for p in accepted]
        if text is not None:
            top = d.edit_top()
            top["sources"][sid]["text"] = text_name(sid)
            write_text(s.location.path, text_name(sid), text)
        line = ngettext("added {n} commitment: {ids}", "added {n} commitments: {ids}", len(ids))
        return Outcome(
            ids[0] if ids else sid,
            line.format(n=len(ids), ids=", ".join(ids)),
            f"extract {sid}: " + ", ".join(ids),
        )

    change(ctx, fn)


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
    from aes_tracker.extract.propose import Existing, propose, source_parties

    s = settings(ctx)
    if fmt.lower() not in FORMATS:
        raise TrackerError(
            _("--format: {value} is not one of {formats}").format(
                value=repr(fmt), formats=", ".join(FORMATS)
            )
        )
    if accept is not None and accept.lower() != "all":
        raise TrackerError(_("--accept: the only value is all"))
    v = view(ctx)
    sid, text, name, new_text = _source_and_text(v, given, source)
    cat = v.catalog
    mine = [cid for cid, c in cat.commitments.items() if c.source == sid]
    existing = []
    for cid in mine:
        c = v.detail(cid)
        existing.append(Existing(cid, c.quote, c.title, c.title_fr))
    used = [p for cid in mine for p in cat.commitments[cid].parties]
    proposals = propose(
        text,
        name=name,
        known=cat.parties,
        everyone=source_parties(cat.parties, cat.groups, used),
        existing=existing,
        taken=list(cat.commitments),
        source_day=cat.sources[sid].date,
        today=s.today,
    )
    walk = interactive if interactive is not None else sys.stdin.isatty() and sys.stdout.isatty()
    if walk and accept is None:
        chosen = _walk(proposals, text, cat.parties, list(cat.commitments), ctx)
        if chosen:
            _record(ctx, chosen, sid, text if new_text else None)
        else:
            sys.stdout.write(_("nothing was added") + "\n")
        return
    if accept is not None:
        new = [p for p in proposals if not p.tracked]
        if not new:
            sys.stdout.write(_("nothing to add: every proposal is already tracked") + "\n")
            return
        _record(ctx, new, sid, text if new_text else None)
        return
    _emit(proposals, sid, fmt.lower())


def _emit(proposals: "Sequence[Proposal]", sid: str, fmt: str) -> None:
    if fmt == "table":
        _print_table(proposals)
        return
    from aes_tracker.extract.accept import document

    doc = document(proposals, sid)
    if fmt == "json":
        from aes_tracker.exchange import export_json

        sys.stdout.write(export_json(doc))
    else:
        import tomli_w

        sys.stdout.write(tomli_w.dumps(doc))
