"""The model's values as JSON-ready records, one function per kind, so that a fact has one name
and one type in every output that shows it: a change, a history entry, a party's standing, a
source, a commitment in full (`show`), a timeline entry, a consultation of the report. The list
row is query.row (kept there: `list` does not import this module); a stats group and a matrix cell
are built in stats.py and matrix.py, once each. Dates are ISO 8601 and a field that is not set is
None. domain/schema.py describes each of them as JSON Schema (docs/schema/)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from aes_tracker.domain.dates import is_overdue
from aes_tracker.domain.model import (
    Catalog,
    Change,
    Commitment,
    Event,
    Source,
    Summary,
    sessions_of,
    summarize,
)
from aes_tracker.domain.parties import Groups, PartyLine, each_party, own_assessments
from aes_tracker.domain.query import row
from aes_tracker.domain.recurrence import missed_slots, owed_slot, schedule


def change_record(ch: Change) -> dict[str, Any]:
    """One field's change, the same object in `show`, `log`, the report and `export`: "not
    set" is null on either side."""
    return {"field": ch.field, "before": ch.before or None, "after": ch.after or None}


def change_of(x: Mapping[str, Any] | str) -> Change:
    """A change record (or, from an export of an earlier version, its line) back as a Change."""
    if isinstance(x, str):
        from aes_tracker.domain.model import parse_change

        return parse_change(x) or Change(x, "", "")
    return Change(str(x["field"]), x.get("before") or "", x.get("after") or "")


def change_text(x: Mapping[str, Any] | str) -> str:
    """A change record as the one line the file writes (`due: 2026-01-15 → 2026-04-03`), for
    the formats that show it as text (CSV cells, the report's Changed list, `log`)."""
    return x if isinstance(x, str) else change_of(x).text()


def event_record(e: Event, about: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """One history entry. `about` (the commitment, where the entry stands in a list of entries
    of several) comes after who recorded it; each change is a {field, before, after} object."""
    return {
        "on": e.on.isoformat(),
        "at": e.at.isoformat() if e.at else None,
        "by": e.by or None,
        **(about or {}),
        "event": e.event,
        "party": e.party or None,
        "status": e.status,
        "note": e.note or None,
        "evidence": list(e.evidence),
        "host": e.host or None,
        "changes": [change_record(ch) for ch in e.changes],
    }


def party_record(x: PartyLine) -> dict[str, Any]:
    """One party's standing on a commitment: its status and where it comes from (`from`: own,
    group or commitment; `via`: the group), its latest own assessment (on, at, by, note,
    evidence), and the group it is listed under."""
    latest = event_record(x.latest) if x.latest else {"evidence": []}
    return {
        "party": x.status.party,
        "status": x.status.status,
        "from": x.status.source,
        "via": x.status.via or None,
        **{k: latest.get(k) for k in ("on", "at", "by", "note", "evidence")},
        "member_of": x.member_of or None,
    }


def source_record(s: Source) -> dict[str, Any]:
    """One source (a communiqué), without the file it may be stored in."""
    return {
        "id": s.id,
        "title": s.title,
        "date": s.date.isoformat(),
        "place": s.place or None,
        "language": s.language or None,
        "publisher": s.publisher or None,
        "author": s.author or None,
        "url": s.url or None,
    }


def source_rows(catalog: Catalog) -> list[dict[str, Any]]:
    """The sources, oldest first, each with how many commitments come from it."""
    counts: dict[str, int] = {}
    for c in catalog.commitments.values():
        counts[c.source] = counts.get(c.source, 0) + 1
    return [
        {**source_record(src), "commitments": counts.get(src.id, 0)}
        for src in sorted(catalog.sources.values(), key=lambda x: (x.date, x.id))
    ]


def timeline_entry(
    c: Summary,
    day: date,
    status: str,
    host: str = "",
    original_due: date | None = None,
    days_late: int | None = None,
) -> dict[str, Any]:
    """One date of the timeline: `due` is the day, `status` what it is (overdue, due, done,
    closed; review; held, missed, expected), `original_due` the first due date where it slipped,
    `days_late` how long after its slot a session was held (negative: before it)."""
    return {
        "due": day.isoformat(),
        "id": c.id,
        "title": c.title,
        "title_fr": c.title_fr or None,
        "status": status,
        "host": host or None,
        "original_due": original_due.isoformat() if original_due else None,
        "days_late": days_late,
    }


def consultation_record(c: Summary, today: date) -> dict[str, Any]:
    """A recurring commitment's next session, in the report: the session owed now and
    `next_host`; the last session with how late it was held for its slot, and the slots
    missed (all as `show` and `timeline` count them: a slot missed is not the one owed)."""
    missed = missed_slots(c, today)
    due = owed_slot(c, today, missed)
    start = c.recur_start or c.due
    last, late = None, None
    if c.occurrences and start is not None:
        last = max(d for d, _h in c.occurrences)
        slot = schedule(c.recur, start, [d for d, _h in c.occurrences]).slot_of(last)
        late = (last - slot).days if slot is not None else None
    return {
        "id": c.id,
        "title": c.title,
        "title_fr": c.title_fr or None,
        "due": due.isoformat() if due else None,
        "next_host": c.next_host or None,
        "recur": c.recur,
        "overdue": is_overdue(due, c.is_open, today),
        "days_left": (due - today).days if due else None,
        "last_held": last.isoformat() if last else None,
        "last_days_late": late,
        "missed": [d.isoformat() for d in missed],
    }


BY_PARTY_KEYS = ("party", "status", "from", "via", "on", "by", "note", "evidence", "member_of")


def by_party(c: Commitment, groups: Groups) -> list[dict[str, Any]]:
    """Each party's status, when any party has an assessment of its own: the commitment's
    parties in order, each group followed by its members; where each status comes from, and
    the party's latest own assessment (its day, who, note, evidence)."""
    if not own_assessments(c, groups):
        return []
    records = (party_record(x) for x in each_party(c, groups))
    return [{k: r[k] for k in BY_PARTY_KEYS} for r in records]


SESSION_KEYS = ("on", "host", "note", "evidence", "by")


def sessions(c: Commitment) -> list[dict[str, Any]]:
    """The sessions recorded of a recurring commitment, in date order, one per day (the first
    entry of that day), each with the slot it filled and how late it was held (negative:
    early; domain.recurrence)."""
    from aes_tracker.domain.recurrence import session_slot

    out = []
    for e in sessions_of(c.history):
        r = event_record(e)
        slot, late = session_slot(c, e.on)
        out.append(
            {
                **{k: r[k] for k in SESSION_KEYS},
                "place": e.place or None,
                "slot": slot.isoformat() if slot else None,
                "days_late": late if slot else None,
            }
        )
    return out


def detail(
    c: Commitment,
    source: Source | None,
    today: date,
    groups: Groups,
    quote_at: tuple[str, int | None] | None = None,
) -> dict[str, Any]:
    """Everything about one commitment, JSON-ready: the list keys and the rest."""
    d = row(summarize(c), today, groups=groups)
    d.update(
        by_party=[{k: v for k, v in x.items() if k != "member_of"} for x in by_party(c, groups)],
        quote=c.quote,
        quote_at=None if quote_at is None else {"text": quote_at[0], "line": quote_at[1]},
        timing=list(c.timing),
        due_reason=c.due_reason or None,
        review_reason=c.review_reason or None,
        notes=c.notes or None,
        recur_start=c.recur_start.isoformat() if c.recur_start else None,
        hosts=list(c.hosts),
        sessions=sessions(c) if c.recur else [],
        missed=[d.isoformat() for d in missed_slots(c, today)] if c.recur else [],
        source_detail=None if source is None else source_record(source),
        history=[event_record(e) for e in c.events()],
    )
    return d
