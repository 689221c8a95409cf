"""What an analyst does with proposals: edit a field, split one in two, merge one with the
previous; and what becomes of the accepted ones: commitments (`add`'s `NewCommitment`), or a
document `import` reads back (the export's shape, with the proposal's own facts under `_extract`,
which `import` leaves out)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date
from typing import Any

from aes_tracker.domain.dates import parse_date
from aes_tracker.domain.editing import NewCommitment
from aes_tracker.domain.ids import check_id
from aes_tracker.domain.model import SCHEMA
from aes_tracker.domain.statuses import parse_category
from aes_tracker.errors import TrackerError
from aes_tracker.extract.propose import Proposal
from aes_tracker.i18n import _

EDITABLE = ("title", "title_fr", "id", "category", "parties", "due", "review")


def review_reason() -> str:
    return _("The text gives no date: review at the first anniversary of the communiqué.")


def edit_proposal(
    p: Proposal, field: str, value: str, today: date, known: Sequence[str]
) -> Proposal:
    """One field changed, checked as `add` would check it."""
    value = value.strip()
    if field in ("title", "title_fr"):
        if field == "title" and not value:
            raise TrackerError(_("the title may not be empty"), field="title")
        if field == "title":
            return dataclasses.replace(p, title=value)
        return dataclasses.replace(p, title_fr=value)
    if field == "id":
        return dataclasses.replace(p, id=check_id(value))
    if field == "category":
        return dataclasses.replace(p, category=parse_category(value))
    if field == "parties":
        names = tuple(x.strip() for x in value.split(",") if x.strip())
        unknown = [x for x in names if x not in known]
        if not names or unknown:
            raise TrackerError(
                _("{value} is not a party of this file; use one of {known}").format(
                    value=", ".join(unknown) or "''", known=", ".join(known)
                ),
                field="party",
            )
        return dataclasses.replace(p, parties=names)
    if field == "due":
        return dataclasses.replace(p, due=parse_date(value, today), review=None)
    if field == "review":
        return dataclasses.replace(p, review=parse_date(value, today), due=None)
    raise TrackerError(
        _("{field} is not a field to edit here; use one of {fields}").format(
            field=field, fields=", ".join(EDITABLE)
        )
    )


def split_proposal(p: Proposal, at: str, taken: Sequence[str]) -> tuple[Proposal, Proposal]:
    """Two proposals from one: the second target starts at the words `at`."""
    i = p.target.find(at.strip()) if at.strip() else -1
    if i <= 0:
        raise TrackerError(
            _("{words} does not start a later part of the target « {target} »").format(
                words=repr(at), target=p.target
            )
        )
    first = p.target[:i].rstrip(" ,;")
    second = p.target[i:]
    cut = p.target_start + i
    taken_ids = {*taken, p.id}
    second_id = p.id + "-2"
    n = 2
    while second_id in taken_ids:
        n += 1
        second_id = f"{p.id}-{n}"

    def retitle(title: str, words: str) -> str:
        # A title made of a verb and the target keeps its verb: "Establish" + the new part.
        if title.endswith(p.target):
            return title[: len(title) - len(p.target)] + words
        return words[:1].upper() + words[1:]

    a = dataclasses.replace(
        p,
        target=first,
        target_end=p.target_start + len(first),
        title=retitle(p.title, first),
        title_fr=retitle(p.title_fr, first) if p.title_fr else "",
        rule=p.rule + " + split",
    )
    b = dataclasses.replace(
        p,
        id=second_id,
        target=second,
        target_start=cut,
        title=retitle(p.title, second),
        title_fr=retitle(p.title_fr, second) if p.title_fr else "",
        rule=p.rule + " + split",
    )
    return a, b


def merge_proposals(a: Proposal, b: Proposal, stored: str) -> Proposal:
    """One proposal from two that follow each other: the quote runs from the first to the end of
    the second (the stored text between them, white space made single)."""
    start, end = min(a.start, b.start), max(a.end, b.end)
    quote = a.quote if (start, end) == (a.start, a.end) else " ".join(stored[start:end].split())
    return dataclasses.replace(
        a,
        quote=quote,
        start=start,
        end=end,
        target=a.target if a.target == b.target else f"{a.target} … {b.target}",
        target_end=max(a.target_end, b.target_end),
        parties=tuple(dict.fromkeys((*a.parties, *b.parties))),
        timing=tuple(dict.fromkeys((*a.timing, *b.timing))),
        due=a.due or b.due,
        review=None if (a.due or b.due) else a.review,
        confidence=min(a.confidence, b.confidence),
        rule=f"{a.rule} + merged",
    )


def new_commitment(p: Proposal, source: str) -> NewCommitment:
    return NewCommitment(
        title=p.title,
        title_fr=p.title_fr,
        category=parse_category(p.category),
        parties=p.parties,
        quote=p.quote,
        source=source,
        due=p.due,
        review=None if p.due else p.review,
        review_reason="" if p.due else review_reason(),
        timing=p.timing,
        cid=p.id,
    )


def _meta(p: Proposal) -> dict[str, Any]:
    return {
        "target": p.target,
        "start": p.start,
        "end": p.end,
        "line": p.line,
        "target_start": p.target_start,
        "target_end": p.target_end,
        "confidence": p.confidence,
        "rule": p.rule,
    }


def document(proposals: Sequence[Proposal], source: str) -> dict[str, Any]:
    """The proposals as `import` reads them: new ones under `commitments`, those already
    tracked only listed under `_extract`."""
    commitments: dict[str, Any] = {}
    for p in proposals:
        if p.tracked:
            continue
        t: dict[str, Any] = {"title": p.title}
        if p.title_fr:
            t["title_fr"] = p.title_fr
        t.update(category=p.category, parties=list(p.parties), source=source, quote=p.quote)
        if p.timing:
            t["timing"] = list(p.timing)
        t["status"] = "pending"
        if p.due:
            t["due"] = p.due
        else:
            t.update(no_deadline=True, review=p.review, review_reason=review_reason())
        t["_extract"] = _meta(p)
        commitments[p.id] = t
    return {
        "schema": SCHEMA,
        "_extract": {
            "source": source,
            "tracked": [
                {"id": p.id, "tracked_by": p.tracked, **_meta(p)} for p in proposals if p.tracked
            ],
        },
        "commitments": commitments,
    }
