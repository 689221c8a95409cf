"""The sessions of a recurring commitment (the annual consultations): recording one, and the
schedule that follows from those recorded (the next due date and host, or the end of the
series).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aes_tracker.domain import notes
from aes_tracker.domain.draft import Outcome
from aes_tracker.domain.history import check_on, history_entry, history_of, source_day
from aes_tracker.domain.model import Change, change_value
from aes_tracker.domain.query import resolve_party
from aes_tracker.domain.recurrence import extra_for, schedule, session_timing
from aes_tracker.domain.statuses import DONE, PENDING, status_info
from aes_tracker.domain.text import check_text
from aes_tracker.errors import TrackerError
from aes_tracker.i18n import _

if TYPE_CHECKING:
    from aes_tracker.domain.draft import Draft, Entry, Who
    from aes_tracker.domain.model import Commitment


def reschedule(t: dict[str, Any], c: Commitment) -> list[Change]:
    """Set `due`, `next_host` (and `status` when the rule has ended) from the recorded sessions:
    the pure function of recurrence.py, so nothing depends on the previous due date."""
    start = c.recur_start or c.due
    if start is None:
        return []
    sch = schedule(c.recur, start, [day for day, _host in c.occurrences], c.hosts)
    out: list[Change] = []
    if "original_due" in t:
        # A slip belongs to one session: the next one starts on time.
        out.append(Change("original_due", change_value(t.pop("original_due")), ""))
    if sch.next_due is not None:
        if t.get("due") != sch.next_due:
            out.append(Change("due", change_value(t.get("due")), sch.next_due.isoformat()))
            t["due"] = sch.next_due
    elif status_info(str(t.get("status", PENDING))).open:
        # The rule has ended (COUNT or UNTIL reached): that was the last session.
        out.append(Change("status", str(t.get("status")), DONE))
        t["status"] = DONE
    if c.hosts and t.get("next_host") != sch.next_host:
        out.append(Change("next_host", change_value(t.get("next_host")), sch.next_host))
        t["next_host"] = sch.next_host
    return out


def record_session(d: Draft, cid: str, who: Who, e: Entry) -> Outcome:
    """Record the session of a recurring commitment held on `e.on` (its host, or the one
    expected; its place), and set the schedule that follows; `e.force` records one out of
    order, or an extra one."""
    on, force, host, place = e.on, e.force, e.host, e.place
    c = d.commitment(cid)
    check_on(on, c, source_day(d, c), who.today)
    held = [day for day, _h in c.occurrences]
    if on in held:
        raise TrackerError(
            _("a session of {id} on {day} is already recorded; nothing was recorded").format(
                id=cid, day=on.isoformat()
            ),
            field="on",
        )
    if held and on < held[-1] and not force:
        raise TrackerError(
            _("{day} is before the last recorded session ({last}); nothing was recorded").format(
                day=on.isoformat(), last=held[-1].isoformat()
            ),
            hint=_("to record a past session that was missed, add --force"),
            field="on",
        )
    start = c.recur_start or c.due
    extra = extra_for(c.recur, start, held, on) if start is not None and not force else None
    if extra is not None:
        coming = schedule(c.recur, start or on, held).next_due
        raise TrackerError(
            _(
                "the session of {day} already counts for the {slot} session of {id}, and "
                "{next}'s is not due yet; nothing was recorded"
            ).format(
                day=extra[0].isoformat(),
                slot=extra[1].isoformat(),
                id=cid,
                next=coming.isoformat() if coming else "",
            ),
            hint=_(
                "if it is the same meeting, there is nothing to do; a genuinely extra session: "
                "add --force"
            ),
            field="on",
        )
    if host:
        host = _host(d, host)
    expected_host = c.next_host
    t = d.table(cid)
    entry = history_entry(
        "occurrence",
        on,
        str(t.get("status", PENDING)),
        who,
        note=check_text(e.note, "note") if e.note else "",
        evidence=e.evidence,
        host=check_text(host, "host") if host else expected_host,
        place=check_text(place.strip(), "place") if place.strip() else "",
    )
    history_of(t).append(entry)
    changes = reschedule(t, d.commitment(cid))
    if changes:
        entry["changes"] = [ch.text() for ch in changes]
        entry["status"] = t["status"]
    after = d.commitment(cid)
    nxt = (
        _("next due {day}").format(day=after.due.isoformat())
        if after.is_open and after.due
        else _("no further occurrence")
    )
    if after.next_host and after.is_open:
        nxt += _(", expected host: {host}").format(host=after.next_host)
    when = session_timing(after, on)
    return Outcome(
        cid,
        _("{id}: occurrence of {day} recorded; {next}").format(
            id=cid, day=on.isoformat() + (f" ({when})" if when else ""), next=nxt
        ),
        notes.DID_SESSION.format(id=cid, day=on, on=on, by=who.by),
    )


def _host(d: Draft, host: str) -> str:
    """A session's host: a party of the file (a member state of a group is one), read as
    parties are; a city is a place, not a host."""
    try:
        return resolve_party(d.parties(), check_text(host, "host"), "host")
    except TrackerError as e:
        e.hint = e.hint or _("the host is a party or a member state; put the city in --place")
        raise
