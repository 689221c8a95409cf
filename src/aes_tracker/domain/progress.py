"""Recording progress on a commitment: a status (the commitment's, or one party's own
assessment), done, a note, a review of an undated commitment. Each appends a history entry and
returns an `Outcome` (draft.py).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from aes_tracker.domain import notes
from aes_tracker.domain.draft import Outcome
from aes_tracker.domain.history import commitment_for, history_entry, history_of
from aes_tracker.domain.inputs import check_party_of
from aes_tracker.domain.model import Change, change_value
from aes_tracker.domain.parties import party_status
from aes_tracker.domain.sessions import record_session
from aes_tracker.domain.statuses import DONE, Status, status_info
from aes_tracker.domain.text import check_text
from aes_tracker.errors import TrackerError
from aes_tracker.i18n import _, colon, status_label

if TYPE_CHECKING:
    from aes_tracker.domain.draft import Draft, Entry, Who
    from aes_tracker.domain.model import Commitment

DEFAULT_REVIEW = 182  # days: "six months", when no earlier interval is known


def _refuse_recurring_done(c: Commitment, party: str = "") -> None:
    if party:
        raise TrackerError(
            _(
                "{id} recurs: a session is recorded for all its parties with "
                "`aes-tracker done {id} --on DATE`"
            ).format(id=c.id),
            hint=_(
                "record what {party} did with `aes-tracker note {id} TEXT --party {party}`"
            ).format(id=c.id, party=party),
            field="party",
        )
    raise TrackerError(
        _("{id} recurs: a session is recorded with `aes-tracker done {id} --on DATE`").format(
            id=c.id
        ),
        hint=_("to end the series, set it to dropped: aes-tracker status {id} dropped").format(
            id=c.id
        ),
        field="status",
    )


def _closing_day(c: Commitment) -> date | None:
    """The day the commitment reached its current status."""
    events = [e for e in c.events() if not e.party]
    for e in reversed(events):
        if any(ch.field == "status" and ch.after == c.status for ch in e.changes):
            return e.on
    for e in reversed(events):
        if e.status == c.status:
            return e.on
    return None


def set_status(d: Draft, cid: str, status: Status, who: Who, e: Entry) -> Outcome:
    """Change the status (reopening a closed one is allowed and recorded). With `e.party`,
    record that party's own assessment; the commitment's status stays what it is."""
    c = commitment_for(d, cid, who, e)
    if e.party:
        return assess(d, cid, status, who, e)
    on, note = e.on, e.note
    if c.recur and status == DONE:
        _refuse_recurring_done(c)
    before = c.status
    if not note and before == status:
        note = notes.CONFIRMED.format(status=status)
    elif not note and not status_info(before).open and status_info(status).open:
        note = notes.REOPENED.format(status=before)
    t = d.table(cid)
    t["status"] = status
    history_of(t).append(_status_entry(status, before, who, e, note))
    said = f"{status_label(before)} → {status_label(status)}"
    return Outcome(
        cid,
        f"{cid}{colon()}{said}",
        notes.DID_STATUS.format(id=cid, before=before, after=status, on=on, by=who.by),
    )


def assess(
    d: Draft, cid: str, status: Status, who: Who, e: Entry, *, confirm_note: bool = True
) -> Outcome:
    """One party's own assessment, recorded in the history (`event = "status"`, `party`); the
    change line says what that party's status was before: its own, else its group's, else the
    commitment's. The commitment's status stays what it is. `confirm_note`: an assessment
    that repeats the party's status says so in its note when it has none (an import keeps the
    note as it came)."""
    c = commitment_for(d, cid, who, e)
    p = check_party_of(d, c, e.party)
    on, note = e.on, e.note
    if c.recur and status == DONE:
        _refuse_recurring_done(c, p)
    before = party_status(c, p, d.groups()).status
    if confirm_note and not note and before == status:
        note = notes.CONFIRMED.format(status=status)
    history_of(d.table(c.id)).append(_status_entry(status, before, who, e, note, p))
    return Outcome(
        c.id,
        f"{c.id}{colon()}{p}{colon()}{status_label(before)} → {status_label(status)}",
        notes.DID_PARTY.format(id=c.id, party=p, before=before, after=status, on=on, by=who.by),
    )


def _status_entry(
    status: Status, before: str, who: Who, e: Entry, note: str, party: str = ""
) -> dict[str, Any]:
    """The history entry of a status, the commitment's or one party's (`party`), with its change
    line when the status changes."""
    return history_entry(
        "status",
        e.on,
        status,
        who,
        note=note,
        evidence=e.evidence,
        party=party,
        changes=[Change("status", before, status)] if before != status else (),
    )


def done(d: Draft, cid: str, who: Who, e: Entry) -> Outcome:
    """Close as done (for one party: `e.party`); on a recurring commitment, record the session
    held on `e.on` (its host, a party, and its place, a city)."""
    c = d.commitment(cid)
    party, host = e.party, e.host
    if e.place and (party or not c.recur):
        raise TrackerError(_("a place is only for recurring commitments' sessions"), field="place")
    if party:
        if host:
            raise TrackerError(
                _("a host is for a recurring commitment's sessions, not for one party"),
                field="host",
            )
        p = check_party_of(d, c, party)
        if c.recur:
            _refuse_recurring_done(c, p)
        now = party_status(c, p, d.groups())
        if not status_info(now.status).open:
            raise TrackerError(
                _("{party} is already {status} on {id}; nothing was recorded").format(
                    party=p, status=now.status, id=cid
                ),
                hint=_closed_hint(cid, now.status, p),
            )
        return set_status(d, cid, DONE, who, e._replace(party=p))
    if c.recur and c.is_open:
        return record_session(d, cid, who, e)
    if host:
        raise TrackerError(_("a host is only for recurring commitments"), field="host")
    if not c.is_open:
        day = _closing_day(c)
        raise TrackerError(
            _("{id} is already {status}{since}; nothing was recorded").format(
                id=cid,
                status=c.status,
                since=_(" since {day}").format(day=day.isoformat()) if day else "",
            ),
            hint=_closed_hint(cid, c.status),
        )
    return set_status(d, cid, DONE, who, e)


def _closed_hint(cid: str, status: str, party: str = "") -> str:
    """The way on from `done` on something closed: a note when it is done already, the status
    command when it was closed otherwise (broken, dropped) and is done after all."""
    flag = f" --party {party}" if party else ""
    if status == DONE:
        return _("to add to its record, use `aes-tracker note {id} TEXT{flag}`").format(
            id=cid, flag=flag
        )
    return _("to record it as done after all, use `aes-tracker status {id} done{flag}`").format(
        id=cid, flag=flag
    )


def add_note(d: Draft, cid: str, who: Who, e: Entry) -> Outcome:
    """A dated note (`e.note`, not blank) in the history, about the commitment or one party
    (`e.party`); the status does not change."""
    c = commitment_for(d, cid, who, e)
    on, text = e.on, check_text(e.note, "note")
    p = check_party_of(d, c, e.party) if e.party else ""
    status = party_status(c, p, d.groups()).status if p else c.status
    history_of(d.table(cid)).append(
        history_entry("note", on, status, who, note=text, evidence=e.evidence, party=p)
    )
    return Outcome(
        cid,
        _("{id}: note added").format(id=cid) + (f" ({p})" if p else ""),
        notes.DID_NOTE.format(id=cid, text=text[:60], on=on, by=who.by),
    )


def _review_set_on(c: Commitment) -> date | None:
    """When the current review date was set: the latest entry that changed it, else the first."""
    for e in reversed(c.events()):
        if any(ch.field == "review" for ch in e.changes):
            return e.on
    return c.events()[0].on if c.history else None


def review(d: Draft, cid: str, who: Who, e: Entry, next_review: date | None = None) -> Outcome:
    """Record that the analyst reviewed the commitment, and set its next review date: the one
    given, else the same interval as before (from when the current review date was set to it),
    else six months."""
    c = commitment_for(d, cid, who, e)
    on = e.on
    if c.due is not None:
        raise TrackerError(
            _(
                "{id} has a due date ({due}); review dates are for commitments with no deadline"
            ).format(id=cid, due=c.due.isoformat()),
            hint=_("to record what you found, use `aes-tracker note {id} TEXT`").format(id=cid),
        )
    if next_review is None:
        since = _review_set_on(c)
        interval = (c.review - since).days if c.review and since else 0
        next_review = on + timedelta(days=interval if interval > 0 else DEFAULT_REVIEW)
    if next_review <= on:
        raise TrackerError(
            _("the next review ({day}) must come after this one ({on})").format(
                day=next_review.isoformat(), on=on.isoformat()
            ),
            field="next",
        )
    t = d.table(cid)
    before = t.get("review")
    t["review"] = next_review
    t["no_deadline"] = True
    history_of(t).append(
        history_entry(
            "review",
            on,
            c.status,
            who,
            note=e.note,
            evidence=e.evidence,
            changes=[Change("review", change_value(before), next_review.isoformat())],
        )
    )
    return Outcome(
        cid,
        _("{id}: reviewed; next review {day}").format(id=cid, day=next_review.isoformat()),
        notes.DID_REVIEW.format(id=cid, day=next_review, on=on, by=who.by),
    )
