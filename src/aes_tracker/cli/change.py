"""The changing commands: done, status, note, review, add, edit, rm, source add. Each parses its
options, then runs one core change (ops.py) under the lock, through the undo journal; the rules
(what `done` means on a recurring commitment, what `add` and `edit` accept) are the core's."""

# No `from __future__ import annotations` in the command modules: Typer reads every command's
# signature on every run, and evaluating annotations kept as strings cost 50 ms of start-up.

from typing import Annotated, Any

import typer

from aes_tracker.cli.base import (
    WORDS,
    Command,
    EvidenceOpt,
    IdArg,
    NoteOpt,
    OnOpt,
    PartyOpt,
    change,
    command,
    complete_category,
    complete_party,
    complete_source,
    complete_status,
    evidence_of,
    flags,
    maybe_day,
    parse_day,
    resolve,
    settings,
    source_app,
)
from aes_tracker.errors import TrackerError
from aes_tracker.i18n import _

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
    from aes_tracker.domain import progress
    from aes_tracker.domain.draft import Entry

    s = settings(ctx)
    flags(ctx, id="ID")
    who = s.who()
    day = maybe_day(on, who.today, "on") or who.today
    proof = evidence_of(evidence, ctx)
    change(
        ctx,
        lambda d: progress.done(
            d,
            resolve(d, cid),
            who,
            Entry(
                on=day,
                note=note,
                evidence=proof,
                host=host,
                force=force,
                party=party or "",
                place=place,
            ),
        ),
        note,
    )


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
    from aes_tracker.domain import progress
    from aes_tracker.domain.draft import Entry
    from aes_tracker.domain.statuses import parse_status

    s = settings(ctx)
    flags(ctx, id="ID", status="STATUS")
    value = parse_status(new)
    who = s.who()
    day = maybe_day(on, who.today, "on") or who.today
    proof = evidence_of(evidence, ctx)
    change(
        ctx,
        lambda d: progress.set_status(
            d,
            resolve(d, cid),
            value,
            who,
            Entry(on=day, note=note, evidence=proof, party=party or ""),
        ),
        note,
    )


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
    from aes_tracker.domain import progress
    from aes_tracker.domain.draft import Entry

    s = settings(ctx)
    flags(ctx, id="ID", note="TEXT")
    who = s.who()
    day = maybe_day(on, who.today, "on") or who.today
    proof = evidence_of(evidence, ctx)
    change(
        ctx,
        lambda d: progress.add_note(
            d, resolve(d, cid), who, Entry(on=day, note=text, evidence=proof, party=party or "")
        ),
        text,
    )


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
    from aes_tracker.domain import progress
    from aes_tracker.domain.draft import Entry

    s = settings(ctx)
    flags(ctx, id="ID")
    who = s.who()
    day = maybe_day(on, who.today, "on") or who.today
    nxt = None if next_ is None else parse_day(next_, day, "next")
    proof = evidence_of(evidence, ctx)
    change(
        ctx,
        lambda d: progress.review(
            d, resolve(d, cid), who, Entry(on=day, note=note, evidence=proof), next_review=nxt
        ),
        note,
    )


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
    from aes_tracker.domain import editing
    from aes_tracker.domain.statuses import parse_category

    s = settings(ctx)
    flags(ctx, title="TITLE", review="--review", due="--due")
    who = s.who()
    cat = parse_category(category)
    due_day = maybe_day(due_, who.today, "due")
    review_day = maybe_day(review_, who.today, "review")
    if no_deadline and due_day is not None:
        raise TrackerError(_("--due and --no-deadline exclude each other: give one"))
    if no_deadline and review_day is None:
        raise TrackerError(_("--no-deadline needs --review DATE: when to look at it again"))
    if review_day is not None and not no_deadline:
        raise TrackerError(_("--review goes with --no-deadline"))
    if due_day is None and not no_deadline:
        raise TrackerError(_("give --due DATE, or --no-deadline with --review DATE"))
    if not quote.strip():
        raise TrackerError(_("the quote is missing: copy the communiqué's words"), field="quote")
    new = editing.NewCommitment(
        title=title,
        category=cat,
        parties=party or [],
        quote=quote,
        source=source,
        beneficiaries=beneficiary or (),
        due=due_day,
        review=review_day,
        review_reason=review_reason,
        due_reason=due_reason,
        recur=recur,
        timing=timing or (),
        hosts=host or (),
        notes=notes,
        title_fr=title_fr,
        cid=cid,
    )
    change(ctx, lambda d: editing.add_commitment(d, new, who, force=force), title)


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
    from aes_tracker.domain import editing
    from aes_tracker.domain.statuses import parse_category

    s = settings(ctx)
    flags(ctx, id="ID")
    who = s.who()
    changes: dict[str, Any] = {}
    for key, value in (
        ("title", title),
        ("title_fr", title_fr),
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
        changes["category"] = parse_category(category)
    if party:
        changes["parties"] = party
    if beneficiary:
        changes["beneficiaries"] = beneficiary
    if timing:
        changes["timing"] = timing
    if due_ is not None and no_deadline:
        raise TrackerError(_("--due and --no-deadline exclude each other: give one"))
    if due_ is not None:
        changes["due"] = parse_day(due_, who.today, "due")
    if no_deadline:
        changes["due"] = None
    if review_ is not None:
        changes["review"] = parse_day(review_, who.today, "review")
    if not changes and not add_party and not remove_party:
        raise TrackerError(
            _("nothing to change: give at least one field option"),
            hint=_("see 'aes-tracker edit --help'"),
        )
    change(
        ctx,
        lambda d: editing.edit(
            d,
            resolve(d, cid),
            changes,
            who,
            note=note,
            add_parties=add_party or (),
            remove_parties=remove_party or (),
        ),
        note,
    )


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
    from aes_tracker.domain import editing

    flags(ctx, id="ID")
    change(ctx, lambda d: editing.remove(d, resolve(d, cid), force=force))


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
    from aes_tracker.domain import editing

    s = settings(ctx)
    flags(ctx, id="ID", date="--date")
    when = parse_day(day, s.today, "date")
    from pathlib import Path

    from aes_tracker.domain.draft import Outcome
    from aes_tracker.store.core import Draft
    from aes_tracker.store.fileio import read_file
    from aes_tracker.store.texts import decode_text, text_name, write_text

    text = None
    if text_file is not None:
        text = decode_text(read_file(Path(text_file)), text_file)

    def add(d: Draft) -> Outcome:
        done = editing.add_source(
            d,
            sid,
            title=title,
            day=when,
            place=place,
            language=language,
            url=url,
            publisher=publisher,
            author=author,
            parties=party or (),
            text=text_name(sid) if text is not None else "",
        )
        if text is not None:
            # Under the lock, once the ID is known to be new: no other source's text is replaced.
            write_text(s.location.path, text_name(sid), text)
        return done

    change(ctx, add, title)
