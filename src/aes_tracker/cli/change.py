"""The changing commands: done, status, note, review, add, edit, rm, source add. Each parses its
options, then runs one core change (ops.py) under the lock, through the undo journal; the rules
(what `done` means on a recurring commitment, what `add` and `edit` accept) are the core's."""

# No `from __future__ import annotations` in the command modules: Typer reads every command's
# signature on every run, and evaluating annotations kept as strings cost 50 ms of start-up.

from typing import Annotated

import typer

from aes_tracker.cli.base import changed, command, flags, source_app, tracker
from aes_tracker.cli.compat import WORDS, Command
from aes_tracker.cli.options import (
    EvidenceOpt,
    IdArg,
    NoteOpt,
    OnOpt,
    PartyOpt,
    complete_category,
    complete_party,
    complete_source,
    complete_status,
)

ForPartyOpt = Annotated[
    str | None,
    typer.Option(
        "--party",
        metavar="PARTY",
        help="Record this party's own assessment of a joint commitment, in its history: AES "
        "for the group, or one of its members (a member's own assessment overrides the "
        "group's). The commitment's own status does not change.",
        autocompletion=complete_party,
    ),
]


@command()
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
            metavar="PARTY",
            help="Recurring ones: the party or member state that hosted this session (default: "
            "the expected host).",
        ),
    ] = "",
    place: Annotated[
        str,
        typer.Option(
            "--place",
            metavar="CITY",
            help="Recurring ones: the city where this session was held (the host is a party).",
        ),
    ] = "",
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Recurring ones: record a past session earlier than the last one."
        ),
    ] = False,
    party: ForPartyOpt = None,
) -> None:
    """Mark a commitment done, with a note and evidence. On a recurring one (the annual
    consultations), record the session held on --on (default today): the next due date and
    host follow from the sessions recorded.

    Example: aes-tracker done sec-training --note "First course held" --evidence https://...
    """
    from aes_tracker.api import Progress

    flags(ctx, id="ID")
    p = Progress(note, on, evidence or (), party or "")
    changed(ctx, tracker(ctx).done(cid, p, host=host, place=place, force=force), note)


@command()
def status(
    ctx: typer.Context,
    cid: IdArg,
    new: Annotated[
        str,
        typer.Argument(
            click_type=WORDS,
            metavar="STATUS",
            help="{open_statuses} (open); {closed_statuses} (closed).",
            show_default=False,
            autocompletion=complete_status,
        ),
    ],
    note: NoteOpt = "",
    on: OnOpt = None,
    evidence: EvidenceOpt = None,
    party: ForPartyOpt = None,
) -> None:
    """Set a commitment's status; reopening a closed commitment is allowed and recorded.

    Example: aes-tracker status dev-infrastructure in_progress --note "Works started"
    """
    from aes_tracker.api import Progress

    flags(ctx, id="ID", status="STATUS")
    p = Progress(note, on, evidence or (), party or "")
    changed(ctx, tracker(ctx).set_status(cid, new, p), note)


@command()
def note(
    ctx: typer.Context,
    cid: IdArg,
    text: Annotated[
        str,
        typer.Argument(
            click_type=WORDS, metavar="TEXT", help="The annotation.", show_default=False
        ),
    ],
    evidence: EvidenceOpt = None,
    on: OnOpt = None,
    party: ForPartyOpt = None,
) -> None:
    """Add a dated note to a commitment's history; the status does not change.

    Example: aes-tracker note sec-equip "Delivery reported by the press" --evidence https://...
    """
    from aes_tracker.api import Progress

    flags(ctx, id="ID", note="TEXT")
    p = Progress("", on, evidence or (), party or "")
    changed(ctx, tracker(ctx).note(cid, text, p), text)


@command()
def review(
    ctx: typer.Context,
    cid: IdArg,
    note: NoteOpt = "",
    evidence: EvidenceOpt = None,
    next_: Annotated[
        str | None,
        typer.Option(
            "--next",
            metavar="DATE",
            help="The next review date, or an offset such as +6m (default: the same interval "
            "as before, else six months).",
        ),
    ] = None,
    on: OnOpt = None,
) -> None:
    """Record that you reviewed an undated commitment, and set its next review date.

    Example: aes-tracker review dev-infra --note "No progress reported" --next +6m
    """
    from aes_tracker.api import Progress

    flags(ctx, id="ID")
    p = Progress(note, on, evidence or ())
    changed(ctx, tracker(ctx).review(cid, p, next_), note)


@command()
def add(
    ctx: typer.Context,
    title: Annotated[
        str,
        typer.Argument(
            click_type=WORDS, metavar="TITLE", help="A short English title.", show_default=False
        ),
    ],
    category: Annotated[
        str,
        typer.Option(
            "--category",
            metavar="CATEGORY",
            help="One of: {categories}.",
            autocompletion=complete_category,
        ),
    ],
    party: PartyOpt = None,
    beneficiary: Annotated[
        list[str] | None,
        typer.Option("--beneficiary", metavar="WHO", help="Who benefits; repeatable."),
    ] = None,
    due_: Annotated[
        str | None, typer.Option("--due", metavar="DATE", help="The due date, where there is one.")
    ] = None,
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
    review_: Annotated[
        str | None,
        typer.Option(
            "--review", metavar="DATE", help="When to look again at a commitment with no deadline."
        ),
    ] = None,
    review_reason: Annotated[
        str,
        typer.Option("--review-reason", metavar="TEXT", help="Why that review date."),
    ] = "",
    recur: Annotated[
        str,
        typer.Option(
            "--recur",
            metavar="RULE",
            help="yearly, or an RRULE: a recurring commitment from --due.",
        ),
    ] = "",
    host: Annotated[
        list[str] | None,
        typer.Option(
            "--host",
            metavar="PARTY",
            help="Recurring ones: the rotation of hosts, in order, the next one first.",
        ),
    ] = None,
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            metavar="SOURCE",
            help="The communiqué it comes from (required when the file has several).",
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
    notes: Annotated[str, typer.Option("--notes", metavar="TEXT", help="Your remarks.")] = "",
    title_fr: Annotated[
        str, typer.Option("--title-fr", metavar="TEXT", help="The title in French.")
    ] = "",
    cid: Annotated[
        str | None,
        typer.Option(
            "--id", metavar="ID", help="Default: made from the category and the title's words."
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Add even if one with the same title and source exists.")
    ] = False,
) -> None:
    """Add a commitment from a communiqué; prints its new ID.

    Example: aes-tracker add "Russia trains AES officers" --category security --party Russia
    --beneficiary "AES Unified Force" --no-deadline --review 2026-06-30 --quote "des formations
    ciblées"
    """
    from aes_tracker.api import NewOne

    flags(ctx, title="TITLE", review="--review", due="--due")
    new = NewOne(
        title=title,
        category=category,
        parties=party or (),
        beneficiaries=beneficiary or (),
        due=due_,
        due_reason=due_reason,
        no_deadline=no_deadline,
        review=review_,
        review_reason=review_reason,
        recur=recur,
        hosts=host or (),
        source=source,
        quote=quote,
        timing=timing or (),
        notes=notes,
        title_fr=title_fr,
        cid=cid,
    )
    changed(ctx, tracker(ctx).add(new, force=force), title)


@command()
def edit(
    ctx: typer.Context,
    cid: IdArg,
    title: Annotated[
        str | None, typer.Option("--title", metavar="TEXT", help="A new title.")
    ] = None,
    title_fr: Annotated[
        str | None, typer.Option("--title-fr", metavar="TEXT", help="The title in French.")
    ] = None,
    category: Annotated[
        str | None,
        typer.Option(
            "--category",
            metavar="CATEGORY",
            help="One of: {categories}.",
            autocompletion=complete_category,
        ),
    ] = None,
    due_: Annotated[
        str | None,
        typer.Option(
            "--due",
            metavar="DATE",
            help="A new due date; the first one is kept as the original. On an undated "
            "commitment, it clears the review date.",
        ),
    ] = None,
    due_reason: Annotated[
        str | None,
        typer.Option("--due-reason", metavar="TEXT", help="Where the due date comes from."),
    ] = None,
    no_deadline: Annotated[
        bool, typer.Option("--no-deadline", help="Remove the due date; give --review.")
    ] = False,
    review_: Annotated[
        str | None,
        typer.Option("--review", metavar="DATE", help="The review date of an undated one."),
    ] = None,
    review_reason: Annotated[
        str | None, typer.Option("--review-reason", metavar="TEXT", help="Why that review date.")
    ] = None,
    party: Annotated[
        list[str] | None,
        typer.Option(
            "--party",
            metavar="PARTY",
            help="Replace the list of committing parties with these; repeatable.",
            autocompletion=complete_party,
        ),
    ] = None,
    add_party: Annotated[
        list[str] | None,
        typer.Option(
            "--add-party",
            metavar="PARTY",
            help="Add a committing party; repeatable.",
            autocompletion=complete_party,
        ),
    ] = None,
    remove_party: Annotated[
        list[str] | None,
        typer.Option(
            "--remove-party",
            metavar="PARTY",
            help="Remove a committing party; repeatable.",
            autocompletion=complete_party,
        ),
    ] = None,
    beneficiary: Annotated[
        list[str] | None,
        typer.Option(
            "--beneficiary", metavar="WHO", help="Replace the beneficiaries with these; repeatable."
        ),
    ] = None,
    quote: Annotated[
        str | None, typer.Option("--quote", metavar="TEXT", help="The communiqué's words.")
    ] = None,
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            metavar="SOURCE",
            help="The communiqué it comes from.",
            autocompletion=complete_source,
        ),
    ] = None,
    timing: Annotated[
        list[str] | None,
        typer.Option("--timing", metavar="WORDS", help="Replace the timing words; repeatable."),
    ] = None,
    recur: Annotated[
        str | None, typer.Option("--recur", metavar="RULE", help="yearly, or an RRULE.")
    ] = None,
    notes: Annotated[
        str | None, typer.Option("--notes", metavar="TEXT", help="Your remarks.")
    ] = None,
    note: NoteOpt = "",
) -> None:
    """Change a commitment's fields; the change is recorded in its history, with each field's
    old and new value. A new due date keeps the original one, and `show` displays the slip.

    Example: aes-tracker edit inst-next --due 2026-06-15 --note "Date agreed"
    """
    from aes_tracker.api import Edit

    flags(ctx, id="ID")
    e = Edit(
        title=title,
        title_fr=title_fr,
        category=category,
        due=due_,
        due_reason=due_reason,
        no_deadline=no_deadline,
        review=review_,
        review_reason=review_reason,
        parties=party or (),
        add_parties=add_party or (),
        remove_parties=remove_party or (),
        beneficiaries=beneficiary or (),
        quote=quote,
        source=source,
        recur=recur,
        timing=timing or (),
        notes=notes,
        note=note,
    )
    changed(ctx, tracker(ctx).edit(cid, e), note)


@command("rm")
def rm(
    ctx: typer.Context,
    cid: IdArg,
    force: Annotated[
        bool, typer.Option("--force", help="Remove it even though its history holds work.")
    ] = False,
) -> None:
    """Remove a commitment added by mistake; `undo` brings it back. One with history beyond its
    recording needs --force.

    Example: aes-tracker rm dev-typo-entry
    """
    flags(ctx, id="ID")
    changed(ctx, tracker(ctx).remove(cid, force=force))


@source_app.command("add", cls=Command)
def source_add(
    ctx: typer.Context,
    sid: Annotated[
        str,
        typer.Argument(
            click_type=WORDS,
            metavar="ID",
            help="A short slug, such as aes-russia-2026.",
            show_default=False,
        ),
    ],
    title: Annotated[str, typer.Option("--title", metavar="TEXT", help="The communiqué's title.")],
    day: Annotated[str, typer.Option("--date", metavar="DATE", help="The communiqué's date.")],
    place: Annotated[str, typer.Option("--place", metavar="PLACE", help="Where.")] = "",
    language: Annotated[
        str, typer.Option("--language", metavar="CODE", help="Its language: fr, en, ru...")
    ] = "",
    url: Annotated[str, typer.Option("--url", metavar="URL", help="Where it is published.")] = "",
    publisher: Annotated[
        str, typer.Option("--publisher", metavar="NAME", help="Who published it.")
    ] = "",
    author: Annotated[str, typer.Option("--author", metavar="NAME", help="Who wrote it.")] = "",
    party: Annotated[
        list[str] | None,
        typer.Option(
            "--party",
            metavar="PARTY",
            help="A party this source adds to the known ones; repeatable.",
        ),
    ] = None,
    text_file: Annotated[
        str | None,
        typer.Option(
            "--text",
            metavar="FILE",
            help="Its text (plain, Markdown or HTML), stored as sources/ID.txt beside the data "
            "file for extract and check.",
        ),
    ] = None,
) -> None:
    """Register a communiqué so that commitments can point to it with --source.

    Example: aes-tracker source add aes-russia-2026 --title "Communiqué conjoint" --date
    2026-05-20 --place Bamako --language fr
    """
    from aes_tracker.api import NewSource

    flags(ctx, id="ID", date="--date")
    details = {
        "place": place,
        "language": language,
        "url": url,
        "publisher": publisher,
        "author": author,
    }
    new = NewSource(sid, title, day, details, party or (), text_file)
    changed(ctx, tracker(ctx).add_source(new), title)
