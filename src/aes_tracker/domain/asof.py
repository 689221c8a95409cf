"""The data as it stood at the end of a day: what every read command shows under `--as-of D`.

The rule (README, "Today"): a history entry belongs to the past of D when it happened on or
before D (`on`) and was recorded on or before D (the day of `at`, when it has one). An entry
recorded later is not yet known on D, even when it is backdated into it: so a report of a past
Monday, run today, gives the figures that Monday's report gave. Entries outside the past of D
are left out, and their effects undone: the fields their recorded `changes` set go back to what
the changes say they were before, newest first. A commitment whose `recorded` entry (its
addition) is not in the past of D does not exist yet. Pure: no clock, no file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from aes_tracker.domain.model import Commitment, Document, Event, Summary

# The fields of a commitment that are dates, and those that are lists: how a change line's
# text reads back into the field.
_DAYS = frozenset({"due", "original_due", "review", "recur_start"})
_LISTS = frozenset({"parties", "beneficiaries", "timing", "hosts"})
_FIELDS = frozenset(Commitment.__dataclass_fields__) - {"id", "history"}


def known_on(e: Event, day: date) -> bool:
    """The entry happened and was recorded by the end of `day`."""
    return e.on <= day and (e.at is None or e.at.date() <= day)


def settled(days: Iterable[date], day: date) -> bool:
    """Nothing of a commitment happened or was recorded after `day` (its summary's `days`):
    it reads the same as of `day` as today, and need not be read in full."""
    return all(d <= day for d in days)


def _recorded(e: Event) -> datetime:
    """When the entry was written: the changes were made in this order (a backdated session's
    `on` is earlier than the entries it came after)."""
    if e.at is None:
        return datetime.combine(e.on, datetime.min.time())
    return e.at if e.at.tzinfo is None else e.at.astimezone(UTC).replace(tzinfo=None)


def _value(name: str, text: str) -> Any:
    if name in _DAYS:
        return date.fromisoformat(text) if text else None
    if name in _LISTS:
        return tuple(text.split(", ")) if text else ()
    if name == "no_deadline":
        return text == "true"
    return text


def commitment_as_of(c: Commitment, day: date) -> Commitment | None:
    """The commitment as it stood at the end of `day`, or None when it was not recorded yet."""
    later = [e for e in c.history if not known_on(e, day)]
    if not later:
        return c
    if any(e.event == "recorded" for e in later):
        return None
    fields: dict[str, Any] = {}
    # Newest first, in the order they were written (sorted is stable: of two written at the same
    # moment, the later in the file is undone first): an older entry's "before" wins.
    for e in reversed(sorted(later, key=_recorded)):
        if e.party:
            continue  # a party's own assessment: its effect is its entry, left out below
        for ch in e.changes:
            if ch.field in _FIELDS:
                fields[ch.field] = _value(ch.field, ch.before)
        # `edit` keeps the first due date in `original_due` without a change line: when it set
        # it here (nothing earlier had moved the due date), there was no slip before it, whatever
        # a newer entry turned back.
        if (
            e.event == "edit"
            and any(ch.field == "due" and ch.before for ch in e.changes)
            and _sets_slip(c, e)
        ):
            fields["original_due"] = None
    past = tuple(e for e in c.history if known_on(e, day))
    return replace(c, history=past, **fields)


def _sets_slip(c: Commitment, edit: Event) -> bool:
    """This edit of the due date set `original_due`: no earlier edit had moved a due date since
    the last session (a session starts its slip afresh)."""
    moved = False
    for e in sorted(c.history, key=_recorded):
        if e is edit:
            break
        if e.party:
            continue
        due = [ch for ch in e.changes if ch.field == "due"]
        if e.event == "edit" and any(ch.before for ch in due):
            moved = True
        elif e.event == "occurrence" and (
            due or any(ch.field == "original_due" for ch in e.changes)
        ):
            moved = False
    return not moved


def document_as_of(doc: Document, day: date, ids: Iterable[str] | None = None) -> Document:
    """The document as it stood at the end of `day` (`ids`: only these commitments need a
    look; the others are known to be settled)."""
    look = set(doc.commitments) if ids is None else set(ids)
    out: dict[str, Commitment] = {}
    for cid, c in doc.commitments.items():
        then = commitment_as_of(c, day) if cid in look else c
        if then is not None:
            out[cid] = then
    return replace(doc, commitments=out)


def unsettled(summaries: Iterable[Summary], day: date) -> list[str]:
    """The commitments with something after `day`: those `--as-of day` must read in full."""
    return [c.id for c in summaries if not settled(c.days, day)]
