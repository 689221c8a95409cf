"""The three-way merge of the records of two versions of the data file: parsed documents in,
the merged document and its conflicts out. mergefile.py runs it on the files' bytes (the git
merge driver) and writes the result; resolve.py settles what it could not merge.

The merge works on the data, not on lines: by source ID and commitment ID, then field by field.

- A field changed on one side takes that side's value; changed on both to the same value is fine;
  changed on both to different values is a conflict. A key absent is a value like any other, so
  a key added or removed on one side follows the same rule; keys this version does not know too.
  Tables inside a unit (`settings`, an unknown table) are merged key by key.
- A commitment or a source added on one side is kept; added on both, its fields are merged as if
  the base had it empty (equal fields are fine, different ones conflict). Removed on one side and
  unchanged on the other, it goes; removed on one side and changed on the other is a conflict.
- A history is merged as a multiset of entries: every entry either side added is kept, an entry
  either side removed (`undo`, a hand edit) goes. Two entries are the same entry only when every
  field is equal: `at` is only to the second, so two notes one script writes in the same second
  by the same person share `at`, `by` and `event` and are still two notes. When both sides
  changed the history, the result is in date order (`on`, then `at`); when one side did, its list
  is kept as it is, so merging with an unchanged side gives that side back exactly.
- The top-level `parties` list is merged as a set: a party added on either side is kept.
- A recurring commitment's `due`, `next_host` and `original_due` derive from its sessions: when
  both sides recorded sessions the other lacks (or disagree on those fields after recording
  some), they are computed again from the merged history by the same pure function as `done`
  (sessions.reschedule), so the same session recorded twice counts once and the schedule never
  drifts. A session each side recorded, on different days, for one slot (one meeting noted on
  two days) is a conflict on that commitment, not two sessions.

A conflict keeps both versions of that one commitment (or source, or top-level key): mergefile.py
writes them between git's conflict markers (see store/markers.py), everything else in canonical
form. Both versions carry every merged change, the merged history included: whichever side is
chosen, no history entry is lost.

Pure: documents in, a document out; nothing here reads or writes a file or runs git.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from aes_tracker.desk.units import (
    MISSING,
    copy_units,
    differing,
    keys_of,
    label_of,
    same_value,
    set_at,
    table_of,
    value_at,
)
from aes_tracker.domain.sessions import reschedule
from aes_tracker.domain.validate import Context, check_commitment, check_document, context_of
from aes_tracker.errors import TrackerError
from aes_tracker.i18n import _
from aes_tracker.store import markers

# Fields of a recurring commitment that the recorded sessions decide.
SCHEDULE_FIELDS = ("due", "next_host", "original_due")
# A commitment's deadline is one fact written in these keys: a due date, or no deadline with a
# review date (and why). Merged as one value, so that a side of a conflict is always a whole
# deadline one analyst wrote, never one side's due date with the other's review date.
DEADLINE_FIELDS = ("due", "no_deadline", "review", "review_reason")


@dataclass(frozen=True)
class Conflict:
    """One unit that could not be merged: its two versions, each with every merged change."""

    unit: tuple[str, ...]  # ("commitments", ID), ("sources", ID) or (top-level key,)
    ours: Any  # MISSING: that side removed it
    theirs: Any
    fields: tuple[str, ...]  # what differs between the two versions

    @property
    def label(self) -> str:
        return label_of(self.unit)


@dataclass
class Merged:
    """The merged document (each conflicting unit holds our version) and the conflicts."""

    document: dict[str, Any]
    conflicts: list[Conflict] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.conflicts


# ---- values --------------------------------------------------------------------------------------


_BOTH: Any = object()  # both sides changed it


def _trivial(b: Any, o: Any, t: Any) -> Any:
    """The result when at most one side changed the value (_BOTH when both did)."""
    if same_value(o, t) or same_value(t, b):
        return o
    if same_value(o, b):
        return t
    return _BOTH


def _merge_value(b: Any, o: Any, t: Any) -> tuple[Any, Any]:
    """Our and their version of one value: the same object where the merge is clean."""
    if (done := _trivial(b, o, t)) is not _BOTH:
        return done, done
    if isinstance(o, dict) and isinstance(t, dict) and (b is MISSING or isinstance(b, dict)):
        return _merge_tables(b if isinstance(b, dict) else {}, o, t)
    return o, t


def _merge_tables(
    b: Mapping[str, Any], o: Mapping[str, Any], t: Mapping[str, Any], skip: Sequence[str] = ()
) -> tuple[dict[str, Any], dict[str, Any]]:
    ours: dict[str, Any] = {}
    theirs: dict[str, Any] = {}
    for k in keys_of(b, o, t):
        if k in skip:
            continue
        vo, vt = _merge_value(b.get(k, MISSING), o.get(k, MISSING), t.get(k, MISSING))
        if vo is not MISSING:
            ours[k] = vo
        if vt is not MISSING:
            theirs[k] = vt
    return ours, theirs


def _merge_set(b: Any, o: Any, t: Any) -> Any:
    """A list of names merged as a set: what either side added is kept, what either removed goes;
    the survivors in the base's order, then the additions sorted."""
    if (done := _trivial(b, o, t)) is not _BOTH:
        return done
    lists = [x for x in (b, o, t) if x is not MISSING]
    if not all(isinstance(x, list) and all(isinstance(v, str) for v in x) for x in lists):
        return MISSING  # not a list of names: the field rule decides (a conflict)
    base = b if isinstance(b, list) else []
    ol, tl = (o if isinstance(o, list) else []), (t if isinstance(t, list) else [])
    gone = (set(base) - set(ol)) | (set(base) - set(tl))
    kept = [x for x in base if x not in gone]
    added = sorted((set(ol) | set(tl)) - set(base) - gone)
    return kept + added


# ---- histories -----------------------------------------------------------------------------------


def freeze(v: Any) -> Any:
    """A hashable, comparable form of a TOML value: entries equal in every field freeze alike."""
    if isinstance(v, dict):
        return ("table", tuple(sorted((k, freeze(x)) for k, x in v.items())))
    if isinstance(v, list):
        return ("array", tuple(freeze(x) for x in v))
    return (type(v).__name__, repr(v))


def entry_order(e: Any) -> tuple[date, datetime, str]:
    """Date order: the day it happened, then when it was recorded; ties by the whole entry."""
    on: Any = e.get("on") if isinstance(e, dict) else None
    at: Any = e.get("at") if isinstance(e, dict) else None
    if isinstance(on, datetime):
        on = on.date()
    if not isinstance(on, date):
        on = date.min
    if isinstance(at, datetime):
        at = at.astimezone(UTC).replace(tzinfo=None) if at.tzinfo is not None else at
    elif isinstance(at, date):
        at = datetime(at.year, at.month, at.day)
    else:
        at = datetime.min
    return on, at, repr(freeze(e))


def merge_history(b: Any, o: Any, t: Any) -> Any:
    """Every entry added on either side, none that either side removed (see the module's doc)."""
    if (done := _trivial(b, o, t)) is not _BOTH:
        return done
    lists = [x for x in (b, o, t) if x is not MISSING]
    if not all(isinstance(x, list) for x in lists):
        return MISSING
    base = b if isinstance(b, list) else []
    ol, tl = (o if isinstance(o, list) else []), (t if isinstance(t, list) else [])
    cb, co, ct = (Counter(freeze(e) for e in x) for x in (base, ol, tl))
    entries = {freeze(e): e for x in (base, ol, tl) for e in x}
    out: list[Any] = []
    for key, entry in entries.items():
        nb, no, nt = cb[key], co[key], ct[key]
        n = no if no == nt else nt if no == nb else no if nt == nb else max(no, nt)
        out.extend([entry] * n)
    out.sort(key=entry_order)
    return out


# ---- commitments ---------------------------------------------------------------------------------


def _merge_commitment(cid: str, b: Any, o: Any, t: Any, ctx: Context) -> tuple[Any, Any]:
    if same_value(o, t):
        return o, o
    if o is MISSING or t is MISSING:
        other = t if o is MISSING else o
        if b is MISSING:
            return other, other  # added on one side
        if same_value(other, b):
            return MISSING, MISSING  # removed on one side, untouched on the other
        return o, t  # removed on one side, changed (or added) on the other
    if not (isinstance(o, dict) and isinstance(t, dict)):
        return _merge_value(b, o, t)
    base = b if isinstance(b, dict) else {}
    ours, theirs = _merge_tables(base, o, t, skip=("history", *DEADLINE_FIELDS))
    go, gt = _deadline(o), _deadline(t)
    g = _trivial(_deadline(base), go, gt)
    ours.update(go if g is _BOTH else g)
    theirs.update(gt if g is _BOTH else g)
    history = merge_history(
        base.get("history", MISSING), o.get("history", MISSING), t.get("history", MISSING)
    )
    if history is MISSING:  # not arrays: the field rule
        ho, ht = _merge_value(
            base.get("history", MISSING), o.get("history", MISSING), t.get("history", MISSING)
        )
        _put(ours, "history", ho)
        _put(theirs, "history", ht)
    else:
        clash = _slot_clash(cid, base, o, t, ctx) if o.get("recur") and t.get("recur") else None
        if clash is not None:
            # One slot filled on each side on different days: a conflict, each version with
            # its own session (and every other merged entry), its schedule computed from them.
            for variant, other_days in ((ours, clash[1]), (theirs, clash[0])):
                variant["history"] = [e for e in history if _occurrence_day(e) not in other_days]
                _recompute(cid, variant, ctx)
            return ours, theirs
        ours["history"] = theirs["history"] = history
        if ours.get("recur") or theirs.get("recur"):
            _reschedule(cid, base, o, t, ours, theirs, ctx)
    return ours, theirs


def _slot_clash(
    cid: str, base: Mapping[str, Any], o: Mapping[str, Any], t: Mapping[str, Any], ctx: Context
) -> tuple[set[date], set[date]] | None:
    """The sessions each side recorded (on days the other did not) that, with the other side's
    own new session, fill one slot: the later one held early, less than half a period after the
    other, which `done` refuses without --force (recurrence.extra_for). Two analysts recording
    one meeting on different days (issue 23); sessions a year apart each fill their own slot.
    None when there is no such pair, or the sides disagree on the rule or its start."""
    from aes_tracker.domain.recurrence import extra_for

    occ_b = set(_occurrences(base.get("history")))
    occ_o, occ_t = set(_occurrences(o.get("history"))), set(_occurrences(t.get("history")))
    new_o, new_t = occ_o - occ_b - occ_t, occ_t - occ_b - occ_o
    if not new_o or not new_t:
        return None
    fo, _po = check_commitment(cid, o, ctx)
    ft, _pt = check_commitment(cid, t, ctx)
    if fo is None or ft is None or not fo.recur or fo.recur != ft.recur:
        return None
    start = fo.recur_start or fo.due
    if start is None or start != (ft.recur_start or ft.due):
        return None
    days = sorted(occ_b | occ_o | occ_t)
    clash_o: set[date] = set()
    clash_t: set[date] = set()
    for day in sorted(new_o | new_t):
        found = extra_for(fo.recur, start, days, day)
        if found is None:
            continue
        if day in new_o and found[0] in new_t:
            clash_o.add(day)
            clash_t.add(found[0])
        elif day in new_t and found[0] in new_o:
            clash_t.add(day)
            clash_o.add(found[0])
    return (clash_o, clash_t) if clash_o else None


def _occurrence_day(e: Any) -> date | None:
    if isinstance(e, dict) and e.get("event") == "occurrence":
        on = e.get("on")
        if isinstance(on, date) and not isinstance(on, datetime):
            return on
    return None


def _recompute(cid: str, variant: dict[str, Any], ctx: Context) -> None:
    full, problems = check_commitment(cid, variant, ctx)
    if full is not None and not problems:
        reschedule(variant, full)


def _deadline(table: Mapping[str, Any]) -> dict[str, Any]:
    return {k: table[k] for k in DEADLINE_FIELDS if k in table}


def _put(table: dict[str, Any], key: str, value: Any) -> None:
    if value is not MISSING:
        table[key] = value


def _reschedule(
    cid: str,
    base: Mapping[str, Any],
    o: Mapping[str, Any],
    t: Mapping[str, Any],
    ours: dict[str, Any],
    theirs: dict[str, Any],
    ctx: Context,
) -> None:
    """Compute the schedule again from the merged sessions when the sides' own schedules cannot
    both be right: each recorded sessions the other lacks, or they disagree on a schedule field
    after recording different sessions."""
    merged_h = ours["history"]
    occ_m = _occurrences(merged_h)
    occ_o = _occurrences(o.get("history"))
    occ_t = _occurrences(t.get("history"))
    disagree = any(
        not same_value(ours.get(k, MISSING), theirs.get(k, MISSING)) for k in SCHEDULE_FIELDS
    )
    if not ((occ_m != occ_o and occ_m != occ_t) or (disagree and occ_o != occ_t)):
        return
    for variant in (ours, theirs):
        if not variant.get("recur"):
            continue
        full, problems = check_commitment(cid, variant, ctx)
        if full is None or problems:
            continue  # the check names the problem; nothing to compute from
        reschedule(variant, full)


def _occurrences(history: Any) -> tuple[date, ...]:
    """The days of the sessions a history records, each once, in order."""
    if not isinstance(history, list):
        return ()
    days = {_occurrence_day(e) for e in history}
    return tuple(sorted(d for d in days if d is not None))


# ---- documents -----------------------------------------------------------------------------------
def merge_documents(
    base: Mapping[str, Any], ours: Mapping[str, Any], theirs: Mapping[str, Any]
) -> Merged:
    """The three-way merge of parsed documents (see the module's doc)."""
    for name, doc in (("ours", ours), ("theirs", theirs)):
        for key in ("sources", "commitments"):
            if key in doc and not isinstance(doc[key], dict):
                raise TrackerError(
                    _("{key} must be a table in {side}; nothing was merged").format(
                        key=key, side=name
                    )
                )
    conflicts: list[Conflict] = []
    out: dict[str, Any] = {}
    # Top level: every key but sources and commitments is a unit of its own.
    for k in keys_of(base, ours, theirs):
        if k in ("sources", "commitments"):
            continue
        b, o, t = (d.get(k, MISSING) for d in (base, ours, theirs))
        if k == "parties":
            merged = _merge_set(b, o, t)
            if merged is not MISSING:
                out[k] = merged
                continue
        vo, vt = _merge_value(b, o, t)
        _put(out, k, vo)
        if not same_value(vo, vt):
            conflicts.append(Conflict((k,), vo, vt, differing(vo, vt)))
    sources = _merge_units(
        "sources", base, ours, theirs, lambda _i, b, o, t: _merge_value(b, o, t), conflicts
    )
    if sources or any("sources" in d for d in (ours, theirs)):
        out["sources"] = sources
    ctx = context_of(out)
    fresh: set[str] = set()  # commitments merged from both sides (not one side's table)
    commitments = _merge_units(
        "commitments",
        base,
        ours,
        theirs,
        lambda cid, b, o, t: _merge_commitment(cid, b, o, t, ctx),
        conflicts,
        fresh,
    )
    if commitments or any("commitments" in d for d in (ours, theirs)):
        out["commitments"] = commitments
    merged_doc = Merged(out, conflicts)
    _settle_problems(merged_doc, ours, theirs, fresh)
    return merged_doc


def _merge_units(
    key: str,
    base: Mapping[str, Any],
    ours: Mapping[str, Any],
    theirs: Mapping[str, Any],
    merge_one: Any,
    conflicts: list[Conflict],
    fresh: set[str] | None = None,
) -> dict[str, Any]:
    b, o, t = table_of(base, key), table_of(ours, key), table_of(theirs, key)
    out: dict[str, Any] = {}
    for uid in sorted(keys_of(b, o, t)):
        ov, tv = o.get(uid, MISSING), t.get(uid, MISSING)
        vo, vt = merge_one(uid, b.get(uid, MISSING), ov, tv)
        if fresh is not None and vo is not ov and vo is not tv:
            fresh.add(uid)
        _put(out, uid, vo)
        if not same_value(vo, vt):
            conflicts.append(Conflict((key, uid), vo, vt, differing(vo, vt)))
    return out


def _problem_units(doc: Mapping[str, Any]) -> dict[tuple[str, ...], str]:
    _d, problems = check_document(doc)
    out: dict[tuple[str, ...], str] = {}
    for p in problems:
        k = tuple(str(x) for x in p.keys)
        unit = k[:2] if k and k[0] in ("commitments", "sources") and len(k) > 1 else k[:1]
        out.setdefault(unit, p.message)
    return out


def _settle_problems(
    m: Merged, ours: Mapping[str, Any], theirs: Mapping[str, Any], fresh: set[str]
) -> None:
    """A merge of two valid files can still give an invalid one (a due date merged in from one
    side and `no_deadline` kept from the other, a party that one side removed): each unit that
    has a problem neither side had becomes a conflict between the two sides' own versions, each
    with the merged history, so that the file never holds a merge that does not check.

    A commitment taken whole from one side checks as it did there while the sources and parties
    are the same on both sides and in the merge: then only the `fresh` ones (merged from both
    sides) are checked, which keeps a merge of 10,000 commitments from checking them all."""
    merged = with_variant(m, "ours")
    docs = [merged, ours, theirs]
    ctx = context_of(merged)
    if all(context_of(d) == ctx for d in docs[1:]):
        docs = [_only(d, fresh) for d in docs]
    merged_problems = _problem_units(docs[0])
    if not merged_problems:
        return
    already = {c.unit for c in m.conflicts}
    before = set(_problem_units(docs[1])) | set(_problem_units(docs[2]))
    new = [u for u in merged_problems if u and u not in already and u not in before]
    if not new:
        return
    # What one side removed (or changed) and the other side uses: a party, a group's member,
    # a source. The conflict is on that, where the choice is one a person can make (keep it,
    # or not); a conflict on the commitment using it could not be settled either way.
    causes = _causes(merged, ours, theirs, set(new), already)
    if causes:
        users = ", ".join(label_of(u) for u in new)
        reason = _("removed on one side, used by {ids} on the other").format(ids=users)
        for unit in causes:
            o, t = value_at(ours, unit), value_at(theirs, unit)
            m.conflicts.append(Conflict(unit, o, t, (reason,)))
            set_at(m.document, unit, o)
        return
    for unit in new:
        o, t = value_at(ours, unit), value_at(theirs, unit)
        merged_now = value_at(m.document, unit)
        if unit[0] == "commitments" and isinstance(merged_now, dict):
            history = merged_now.get("history", MISSING)
            o = {**o, "history": history} if isinstance(o, dict) and history is not MISSING else o
            t = {**t, "history": history} if isinstance(t, dict) and history is not MISSING else t
        m.conflicts.append(Conflict(unit, o, t, differing(o, t)))
        set_at(m.document, unit, o)


def _causes(
    merged: dict[str, Any],
    ours: Mapping[str, Any],
    theirs: Mapping[str, Any],
    problems: set[tuple[str, ...]],
    already: set[tuple[str, ...]],
) -> list[tuple[str, ...]]:
    """The units outside the commitments (top-level keys, sources) on which the two sides
    differ and whose other side's value, put back into the merge, clears every new problem:
    one at a time, else all of them together; [] when that does not clear them."""
    candidates: list[tuple[str, ...]] = []
    for k in keys_of(ours, theirs):
        if k == "commitments":
            continue
        if k == "sources":
            so, st = table_of(ours, k), table_of(theirs, k)
            candidates += [
                (k, sid)
                for sid in keys_of(so, st)
                if not same_value(so.get(sid, MISSING), st.get(sid, MISSING))
            ]
        elif not same_value(ours.get(k, MISSING), theirs.get(k, MISSING)):
            candidates.append((k,))
    candidates = [u for u in candidates if u not in already]
    if not candidates or len(candidates) > 20:
        return []

    def clears(units: list[tuple[str, ...]]) -> bool:
        doc = copy_units(merged, units)
        for u in units:
            now = value_at(merged, u)
            o, t = value_at(ours, u), value_at(theirs, u)
            set_at(doc, u, t if same_value(now, o) else o)  # the value the merge did not take
        return not problems & set(_problem_units(doc))

    for u in candidates:
        if clears([u]):
            return [u]
    return candidates if clears(candidates) else []


def _only(doc: Mapping[str, Any], ids: set[str]) -> dict[str, Any]:
    """The document with only the commitments `ids` (those it has)."""
    cs = table_of(doc, "commitments")
    return {**doc, "commitments": {cid: cs[cid] for cid in sorted(ids) if cid in cs}}


def with_variant(m: Merged, which: str) -> dict[str, Any]:
    """The merged document with one side's version of every conflicting unit."""
    doc = copy_units(m.document, [c.unit for c in m.conflicts])
    for c in m.conflicts:
        set_at(doc, c.unit, c.ours if which == markers.OURS_LABEL else c.theirs)
    return doc
