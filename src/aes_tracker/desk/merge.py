"""The three-way merge of two versions of the data file (what `aes-tracker merge-file`, the git
merge driver, runs), and the settling of what it could not merge (`aes-tracker resolve`).

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
  (ops.reschedule), so the same session recorded twice counts once and the schedule never drifts.
  A session each side recorded, on different days, for one slot (one meeting noted on two days)
  is a conflict on that commitment, not two sessions.

A conflict keeps both versions of that one commitment (or source, or top-level key) between
git's conflict markers (see markers.py); everything else is merged and written in canonical form.
Both versions in a block carry every merged change, the merged history included: whichever side
is chosen, no history entry is lost.

Pure: bytes in, bytes out; nothing here reads or writes a file or runs git.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from aes_tracker.domain import notes
from aes_tracker.domain.draft import Who
from aes_tracker.domain.history import history_entry
from aes_tracker.domain.model import Change, change_value
from aes_tracker.domain.sessions import reschedule
from aes_tracker.domain.statuses import parse_status
from aes_tracker.domain.text import shown
from aes_tracker.domain.validate import Context, check_commitment, check_document, context_of
from aes_tracker.errors import TrackerError
from aes_tracker.i18n import _, ngettext
from aes_tracker.store import markers
from aes_tracker.store.sections import marker_lines
from aes_tracker.store.tomlfile import decode, dumps, parse


class _Missing:
    """A key that is not there (distinct from every TOML value)."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()

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


def label_of(unit: tuple[str, ...]) -> str:
    """A commitment by its ID; a source as `sources.ID`; a top-level key by its name."""
    return unit[1] if unit[0] == "commitments" else ".".join(unit)


@dataclass
class Merged:
    """The merged document (each conflicting unit holds our version) and the conflicts."""

    document: dict[str, Any]
    conflicts: list[Conflict] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.conflicts


# ---- values --------------------------------------------------------------------------------------


def _same(a: Any, b: Any) -> bool:
    from aes_tracker.store.tomlfile import same

    if a is MISSING or b is MISSING:
        return a is b
    return same(a, b)


_BOTH: Any = object()  # both sides changed it


def _trivial(b: Any, o: Any, t: Any) -> Any:
    """The result when at most one side changed the value (_BOTH when both did)."""
    if _same(o, t) or _same(t, b):
        return o
    if _same(o, b):
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
    for k in _keys(b, o, t):
        if k in skip:
            continue
        vo, vt = _merge_value(b.get(k, MISSING), o.get(k, MISSING), t.get(k, MISSING))
        if vo is not MISSING:
            ours[k] = vo
        if vt is not MISSING:
            theirs[k] = vt
    return ours, theirs


def _keys(*tables: Mapping[str, Any]) -> list[str]:
    out: dict[str, None] = {}
    for t in tables:
        out.update(dict.fromkeys(t))
    return list(out)


def _differing(o: Any, t: Any) -> tuple[str, ...]:
    if isinstance(o, dict) and isinstance(t, dict):
        return tuple(k for k in _keys(o, t) if not _same(o.get(k, MISSING), t.get(k, MISSING)))
    return () if _same(o, t) else ("",)


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


def _freeze(v: Any) -> Any:
    """A hashable, comparable form of a TOML value: entries equal in every field freeze alike."""
    if isinstance(v, dict):
        return ("table", tuple(sorted((k, _freeze(x)) for k, x in v.items())))
    if isinstance(v, list):
        return ("array", tuple(_freeze(x) for x in v))
    return (type(v).__name__, repr(v))


def _entry_order(e: Any) -> tuple[date, datetime, str]:
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
    return on, at, repr(_freeze(e))


def merge_history(b: Any, o: Any, t: Any) -> Any:
    """Every entry added on either side, none that either side removed (see the module's doc)."""
    if (done := _trivial(b, o, t)) is not _BOTH:
        return done
    lists = [x for x in (b, o, t) if x is not MISSING]
    if not all(isinstance(x, list) for x in lists):
        return MISSING
    base = b if isinstance(b, list) else []
    ol, tl = (o if isinstance(o, list) else []), (t if isinstance(t, list) else [])
    cb, co, ct = (Counter(_freeze(e) for e in x) for x in (base, ol, tl))
    entries = {_freeze(e): e for x in (base, ol, tl) for e in x}
    out: list[Any] = []
    for key, entry in entries.items():
        nb, no, nt = cb[key], co[key], ct[key]
        n = no if no == nt else nt if no == nb else no if nt == nb else max(no, nt)
        out.extend([entry] * n)
    out.sort(key=_entry_order)
    return out


# ---- commitments ---------------------------------------------------------------------------------


def _merge_commitment(cid: str, b: Any, o: Any, t: Any, ctx: Context) -> tuple[Any, Any]:
    if _same(o, t):
        return o, o
    if o is MISSING or t is MISSING:
        other = t if o is MISSING else o
        if b is MISSING:
            return other, other  # added on one side
        if _same(other, b):
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
    disagree = any(not _same(ours.get(k, MISSING), theirs.get(k, MISSING)) for k in SCHEDULE_FIELDS)
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
    if not isinstance(history, list):
        return ()
    days: set[date] = set()
    for e in history:
        if isinstance(e, dict) and e.get("event") == "occurrence":
            on = e.get("on")
            if isinstance(on, date) and not isinstance(on, datetime):
                days.add(on)
    return tuple(sorted(days))


# ---- documents -----------------------------------------------------------------------------------


def _table(doc: Mapping[str, Any], key: str) -> dict[str, Any]:
    v = doc.get(key, {})
    return v if isinstance(v, dict) else {}


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
    for k in _keys(base, ours, theirs):
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
        if not _same(vo, vt):
            conflicts.append(Conflict((k,), vo, vt, _differing(vo, vt)))
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
    b, o, t = _table(base, key), _table(ours, key), _table(theirs, key)
    out: dict[str, Any] = {}
    for uid in sorted(_keys(b, o, t)):
        ov, tv = o.get(uid, MISSING), t.get(uid, MISSING)
        vo, vt = merge_one(uid, b.get(uid, MISSING), ov, tv)
        if fresh is not None and vo is not ov and vo is not tv:
            fresh.add(uid)
        _put(out, uid, vo)
        if not _same(vo, vt):
            conflicts.append(Conflict((key, uid), vo, vt, _differing(vo, vt)))
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
    merged = _with_variant(m, "ours")
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
            o, t = _get(ours, unit), _get(theirs, unit)
            m.conflicts.append(Conflict(unit, o, t, (reason,)))
            _set(m.document, unit, o)
        return
    for unit in new:
        o, t = _get(ours, unit), _get(theirs, unit)
        merged_now = _get(m.document, unit)
        if unit[0] == "commitments" and isinstance(merged_now, dict):
            history = merged_now.get("history", MISSING)
            o = {**o, "history": history} if isinstance(o, dict) and history is not MISSING else o
            t = {**t, "history": history} if isinstance(t, dict) and history is not MISSING else t
        m.conflicts.append(Conflict(unit, o, t, _differing(o, t)))
        _set(m.document, unit, o)


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
    for k in _keys(ours, theirs):
        if k == "commitments":
            continue
        if k == "sources":
            so, st = _table(ours, k), _table(theirs, k)
            candidates += [
                (k, sid)
                for sid in _keys(so, st)
                if not _same(so.get(sid, MISSING), st.get(sid, MISSING))
            ]
        elif not _same(ours.get(k, MISSING), theirs.get(k, MISSING)):
            candidates.append((k,))
    candidates = [u for u in candidates if u not in already]
    if not candidates or len(candidates) > 20:
        return []

    def clears(units: list[tuple[str, ...]]) -> bool:
        doc = _copy_units(merged, units)
        for u in units:
            now = _get(merged, u)
            o, t = _get(ours, u), _get(theirs, u)
            _set(doc, u, t if _same(now, o) else o)  # the value the merge did not take
        return not problems & set(_problem_units(doc))

    for u in candidates:
        if clears([u]):
            return [u]
    return candidates if clears(candidates) else []


def _only(doc: Mapping[str, Any], ids: set[str]) -> dict[str, Any]:
    """The document with only the commitments `ids` (those it has)."""
    cs = _table(doc, "commitments")
    return {**doc, "commitments": {cid: cs[cid] for cid in sorted(ids) if cid in cs}}


def _get(doc: Mapping[str, Any], unit: tuple[str, ...]) -> Any:
    cur: Any = doc
    for k in unit:
        if not isinstance(cur, dict) or k not in cur:
            return MISSING
        cur = cur[k]
    return cur


def _set(doc: dict[str, Any], unit: tuple[str, ...], value: Any) -> None:
    cur = doc
    for k in unit[:-1]:
        cur = cur.setdefault(k, {})
    if value is MISSING:
        cur.pop(unit[-1], None)
    else:
        cur[unit[-1]] = value


def _with_variant(m: Merged, which: str) -> dict[str, Any]:
    """The merged document with one side's version of every conflicting unit."""
    doc = _copy_units(m.document, [c.unit for c in m.conflicts])
    for c in m.conflicts:
        _set(doc, c.unit, c.ours if which == markers.OURS_LABEL else c.theirs)
    return doc


def _copy_units(doc: Mapping[str, Any], units: Sequence[tuple[str, ...]]) -> dict[str, Any]:
    out = dict(doc)
    for key in {u[0] for u in units if len(u) > 1}:
        if isinstance(out.get(key), dict):
            out[key] = dict(out[key])
    return out


# ---- bytes ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    data: bytes  # what to write: canonical TOML, with a block per conflict
    conflicts: tuple[Conflict, ...]


def read_side(data: bytes, path: str, side: str) -> dict[str, Any]:
    """One input of the merge, parsed; an empty file (no common ancestor) is an empty document.
    A file that still holds conflict markers is refused: it is not one version."""
    if not data.strip():
        return {}
    where = {
        "base": _("the common ancestor"),
        "ours": _("our version"),
        "theirs": _("their version"),
    }
    try:
        text = decode(data, path)
        lines = marker_lines(text)
        if lines:
            raise TrackerError(_("has unresolved conflict markers"), path=path, line=lines[0])
        return parse(text, path)
    except TrackerError as e:
        e.message = f"{e.message} ({where.get(side, side)})"
        raise


def merge_bytes(base: bytes, ours: bytes, theirs: bytes, path: str) -> Result:
    """The merge driver's work: raises TrackerError (naming the input and its line) when an
    input cannot be read; then nothing is merged.

    Section by section where it can be (see `_merge_sections`), else the whole files; both give
    the same bytes."""
    fast = _merge_sections(base, ours, theirs)
    return fast if fast is not None else merge_whole(base, ours, theirs, path)


def merge_whole(base: bytes, ours: bytes, theirs: bytes, path: str) -> Result:
    """The merge of the three files parsed whole: the reference the section-wise merge is
    tested against, and what runs whenever that one cannot decide."""
    o = read_side(ours, path, "ours")
    t = read_side(theirs, path, "theirs")
    # An ancestor that does not read (one committed with conflict markers in it) is refused
    # like the other inputs: taken as empty, what one side removed would come back.
    b = read_side(base, path, "base")
    m = merge_documents(b, o, t)
    if b"#" not in ours and b"#" not in theirs:
        return Result(render(m), tuple(m.conflicts))
    return _with_comments(m, base, (ours, o), (theirs, t))


def _merge_sections(base: bytes, ours: bytes, theirs: bytes) -> Result | None:
    """The merge of three files in the writer's layout, parsing only what it must: a commitment's
    section whose bytes are the same in ours and theirs, or in one side and the base, is taken
    as it is (what the field-by-field merge gives for it); only the commitments changed on both
    sides, and the top tables, are merged by `merge_documents` (a section changed on one side is
    parsed too, to be refused as the whole merge would refuse it). At 10,000
    commitments this is what keeps the driver near `git merge-file`'s time.

    None (merge the whole files) wherever this could differ from the whole merge: an input not
    in the writer's layout, empty, not UTF-8, with a comment or a conflict marker; top tables
    whose parties, groups or sources differ between the inputs or the merge (then every
    commitment may check differently); a conflict outside the commitments; nothing left.

    A section taken as it is keeps its bytes: files the tool wrote are canonical, so those are
    the bytes the whole merge writes; a section a person laid out by hand keeps that layout."""
    from aes_tracker.store.sections import START, SectionReader

    inputs = (base, ours, theirs)
    if b"#" in ours or b"#" in theirs or any(START.encode() in x for x in inputs):
        return None
    if not all(x.strip() for x in inputs):
        return None
    try:
        for x in inputs:
            x.decode("utf-8")
    except UnicodeDecodeError:
        return None
    readers = [SectionReader(x) for x in inputs]
    if not all(r.ok for r in readers):
        return None
    tops = [r.top().table for r in readers]
    if any(t is None for t in tops):
        return None
    docs: list[dict[str, Any]] = [{**t, "commitments": {}} for t in tops if t is not None]
    texts = [
        {cid: r.raw_bytes[a:e].rstrip(b"\n") for cid, (a, e) in r.layout.spans.items()}
        for r in readers
    ]
    kept: dict[str, bytes] = {}
    for cid in set().union(*texts):
        bb, ob, tb = (t.get(cid) for t in texts)
        take = ob if ob == tb else tb if ob == bb else ob if tb == bb else MISSING
        if take is None:
            continue  # gone on the side that changed it, or on both
        if take is not MISSING:
            # A section one side changed is read through the guards all the same (not merged):
            # what the whole merge would refuse in it (a value beyond what the tool can hold)
            # sends the merge there, which names it.
            which = 0 if take == bb else 1 if take == ob else 2
            if which and readers[which].commitment(cid).table is None:
                return None
            kept[cid] = take
            continue
        for r, doc in zip(readers, docs, strict=True):
            if cid in r.layout.spans:
                table = r.commitment(cid).table
                if table is None:
                    return None
                doc["commitments"][cid] = table
    b, o, t = docs
    m = merge_documents(b, o, t)
    if any(c.unit[0] != "commitments" for c in m.conflicts):
        return None
    ctx = context_of(_with_variant(m, markers.OURS_LABEL))
    if any(context_of(d) != ctx for d in docs):
        return None
    if not kept and not _table(m.document, "commitments"):
        return None
    raw = _Raw(sections={cid: text.decode("utf-8") for cid, text in kept.items()})
    merged_cs = m.document.setdefault("commitments", {})
    for cid in kept:
        merged_cs[cid] = {}  # written from `raw`
    m.document["commitments"] = dict(sorted(merged_cs.items()))
    return Result(render(m, raw), tuple(m.conflicts))


# ---- comments a person wrote ---------------------------------------------------------------------

COMMENTS = "comments"  # the label of the block of comments a merge could not place


@dataclass
class _Raw:
    """Text of one side to write instead of the canonical text, for its comments."""

    prefix: str | None = None  # everything before the first commitment
    sections: dict[str, str] = field(default_factory=dict)  # a commitment's tables


def _with_comments(m: Merged, base: bytes, *sides: tuple[bytes, Mapping[str, Any]]) -> Result:
    """The merge written with the comments of either side kept where they can be placed: a
    section (the part before the commitments, or one commitment's tables) whose merged value is
    that side's own is written as that side wrote it, comments included. A comment that cannot
    be placed (in a section the other side changed too) is not dropped silently: it goes into
    a conflict block labelled `comments`, which a person settles (`resolve comments --theirs`
    confirms its loss). A comment one side removed goes."""
    from aes_tracker.store.tomlfile import comments, find_comment, same, sections

    units = {c.unit for c in m.conflicts}
    merged_prefix = {k: v for k, v in m.document.items() if k != "commitments"}
    merged_cs = _table(m.document, "commitments")
    raw = _Raw()
    for data, doc in sides:
        if b"#" not in data:
            continue
        secs = sections(data)
        if not secs.ok:
            continue  # laid out some other way: no section to place its comments in
        prefix = data[: secs.prefix_end].decode("utf-8")
        prefix_doc = {k: v for k, v in doc.items() if k != "commitments"}
        if (
            raw.prefix is None
            and find_comment(prefix) is not None
            and not any(u[0] != "commitments" for u in units)
            and same(merged_prefix, prefix_doc)
        ):
            raw.prefix = prefix
        side_cs = _table(doc, "commitments")
        for cid, (start, end) in secs.spans.items():
            piece = data[start:end].decode("utf-8")
            if cid in raw.sections or find_comment(piece) is None:
                continue
            if ("commitments", cid) not in units and same(
                merged_cs.get(cid, MISSING), side_cs.get(cid, MISSING)
            ):
                raw.sections[cid] = piece
    plain = render(m)
    placed = render(m, raw)
    if not _same_sides(plain, placed):
        placed, raw = plain, _Raw()  # a layout the sections misread: place nothing
    # Comments either side wrote, but not those one side removed from the ancestor's.
    base_c = set(comments(base.decode("utf-8", "replace"))) if b"#" in base else set()
    side_c = [set(comments(data.decode("utf-8"))) for data, _doc in sides]
    gone = {c for c in base_c if any(c not in s for s in side_c)}
    kept = set(comments(placed.decode("utf-8")))
    lost: list[str] = []
    for s in side_c:
        lost += sorted(c for c in s - gone - kept if c not in lost)
    if not lost:
        return Result(placed, tuple(m.conflicts))
    text = "".join(f"{c.lstrip()}\n" for c in lost)
    block = markers.render_block(markers.block(COMMENTS, text, ""))
    what = ngettext(
        "{n} comment the merge cannot place", "{n} comments the merge cannot place", len(lost)
    ).format(n=len(lost))
    lost_conflict = Conflict((COMMENTS,), text, MISSING, (what,))
    return Result(block.encode("utf-8") + placed, (lost_conflict, *m.conflicts))


def _same_sides(a: bytes, b: bytes) -> bool:
    """Whether two renderings of a merge hold the same data, conflict blocks and all."""
    from aes_tracker.store.tomlfile import same

    ta, tb = a.decode("utf-8"), b.decode("utf-8")
    try:
        return all(
            same(
                parse(markers.side(markers.split(ta), which), ""),
                parse(markers.side(markers.split(tb), which), ""),
            )
            for which in (markers.OURS_LABEL, markers.THEIRS_LABEL)
        )
    except TrackerError:
        return False


def render(m: Merged, raw: _Raw | None = None) -> bytes:
    """Canonical bytes; a conflict is one block around that unit's table only. `raw`: a
    side's own text for some sections, written instead of theirs (for its comments)."""
    if m.clean and raw is None:
        return dumps(m.document)
    raw = raw or _Raw()
    units = {c.unit: c for c in m.conflicts}
    rest = _copy_units(m.document, list(units))
    for u in units:
        _set(rest, u, MISSING)
    commitments = rest.pop("commitments", {})
    first: list[str] = []  # blocks of top-level values: before any table
    tables: list[str] = []
    for c in m.conflicts:
        if c.unit[0] == "commitments":
            continue
        ours_text, theirs_text = (_piece(c.unit, v) for v in (c.ours, c.theirs))
        text = markers.render_block(markers.block(c.label, ours_text, theirs_text))
        is_table = any(s.lstrip().startswith("[") for s in (ours_text, theirs_text) if s.strip())
        (tables if is_table else first).append(text)
    prefix = raw.prefix if raw.prefix is not None else dumps(rest).decode("utf-8")
    parts = [*first, prefix, *tables]
    for cid in sorted(set(commitments) | {c.unit[1] for c in m.conflicts if len(c.unit) > 1}):
        found = units.get(("commitments", cid))
        if found is None:
            if cid in raw.sections:
                parts.append(raw.sections[cid])
            elif cid in commitments:
                parts.append(_piece(("commitments", cid), commitments[cid]))
            continue
        ours_text, theirs_text = (_piece(found.unit, v) for v in (found.ours, found.theirs))
        parts.append(markers.render_block(markers.block(found.label, ours_text, theirs_text)))
    return _assemble(parts).encode("utf-8")


def _piece(unit: tuple[str, ...], value: Any) -> str:
    if value is MISSING:
        return ""
    nested: Any = value
    for k in reversed(unit):
        nested = {k: nested}
    return dumps(nested).decode("utf-8")


def _assemble(parts: Sequence[str]) -> str:
    """The parts one after the other, a blank line between tables as the writer puts them."""
    out: list[str] = []
    for p in parts:
        p = p.strip("\n")
        if p:
            out.append(p + "\n")
    return "\n".join(out)


# ---- settling a conflict -------------------------------------------------------------------------


@dataclass(frozen=True)
class Settled:
    unit: str  # the label settled
    how: str  # "ours", "theirs" or "fields"
    left: tuple[str, ...]  # the labels of the conflicts still in the file
    line: str  # what the command prints


def settle(
    text: str,
    given: str,
    *,
    side: str | None,
    fields: Mapping[str, str],
    who: Who,
    path: str,
    today: date,
    force: bool = False,
) -> tuple[bytes, Settled]:
    """The file with the conflict on `given` settled: one side's version (`side`), with `fields`
    set over it (KEY=VALUE as typed, read like the values the versions hold). With `fields`
    only, every field on which the versions differ must be given. The rest of the file is kept
    as it is; once no conflict is left, it is written in canonical form and must check clean.
    A settled commitment gets a history entry saying who chose what."""
    segments = markers.split(text, path)
    found = markers.blocks(segments)
    if not found:
        raise TrackerError(_("has no unresolved merge conflict; nothing was changed"), path=path)
    foreign = [b for b in found if not b.unit]
    labels = [b.unit for b in found if b.unit]
    if not labels:
        raise TrackerError(
            _("the conflict markers were not written by aes-tracker merge-file"),
            path=path,
            line=foreign[0].line,
            hint=_(
                "set up the merge driver with `aes-tracker git init-merge`, then merge again "
                "(`git merge --abort`, `aes-tracker sync`), or edit the file by hand"
            ),
        )
    unit = _pick(labels, given, path)
    idx = next(i for i, s in enumerate(segments) if isinstance(s, markers.Block) and s.unit == unit)
    blk = segments[idx]
    assert isinstance(blk, markers.Block)
    if unit == COMMENTS:
        return _settle_comments(segments, idx, side, fields, path)
    ours_doc = _parse_piece(blk.ours, path, blk.line)
    theirs_doc = _parse_piece(blk.theirs, path, blk.line)
    key = _unit_key(ours_doc) or _unit_key(theirs_doc)
    if key is None:
        raise TrackerError(
            _("the conflict on {id} holds no table aes-tracker can read").format(id=unit),
            path=path,
            line=blk.line,
        )
    o_val, t_val = _get(ours_doc, key), _get(theirs_doc, key)
    differ = _differing(o_val, t_val)
    if side is None and not fields:
        raise TrackerError(_("say which version to keep: --ours, --theirs, or --field KEY=VALUE"))
    chosen = o_val if side in (None, markers.OURS_LABEL) else t_val
    other = t_val if side in (None, markers.OURS_LABEL) else o_val
    if chosen is MISSING and isinstance(other, dict) and not force:
        _refuse_removal(unit, side or markers.OURS_LABEL, other)
    if fields:
        if chosen is MISSING or not isinstance(chosen, dict):
            raise TrackerError(
                _("one side removed {id}: keep it with --ours or --theirs").format(id=unit),
                field="field",
            )
        if side is None and (o_val is MISSING or t_val is MISSING):
            raise TrackerError(
                _("one side removed {id}: keep it with --ours or --theirs").format(id=unit),
                field="field",
            )
        if side is None:
            missing = [f for f in differ if f not in fields]
            if missing:
                raise TrackerError(
                    _("the versions of {id} also differ on {fields}").format(
                        id=unit, fields=", ".join(missing)
                    ),
                    hint=_("give --field for each, or start from one side with --ours or --theirs"),
                    field="field",
                )
        chosen = dict(chosen)
        for k, raw in fields.items():
            chosen[k] = _typed(k, raw, o_val, t_val, today)
    if key[0] == "commitments" and isinstance(chosen, dict):
        chosen = _record_choice(chosen, other, side or "fields", who)
    segments[idx] = _piece(key, chosen)
    new_text = "".join(
        s if isinstance(s, str) else markers.render_block(s) if s.unit else _foreign(s)
        for s in segments
    )
    return _settled(new_text, unit, side or "fields", path)


def _refuse_removal(unit: str, side: str, kept: Mapping[str, Any]) -> None:
    """Taking one side's removal drops the other side's version with its history, entries made
    since the removal included: only with --force, and the error says what would go."""
    history = kept.get("history")
    entries = [e for e in (history if isinstance(history, list) else []) if isinstance(e, dict)]
    if not entries:
        return
    last = max(entries, key=_entry_order)
    latest = f"{last.get('on', '')} {last.get('event', '')} {_('by')} {last.get('by', '')}"
    if last.get("note"):
        latest += f": {last['note']}"
    message = (
        _("our version removed {id}")
        if side == markers.OURS_LABEL
        else _("their version removed {id}")
    ).format(id=unit)
    raise TrackerError(
        message
        + ": "
        + ngettext(
            "keeping that would lose {n} history entry, the latest: {entry}",
            "keeping that would lose {n} history entries, the latest: {entry}",
            len(entries),
        ).format(n=len(entries), entry=latest),
        hint=(
            _("keep it with --theirs, or take the removal anyway with --force")
            if side == markers.OURS_LABEL
            else _("keep it with --ours, or take the removal anyway with --force")
        ),
    )


def _pick(labels: list[str], given: str, path: str) -> str:
    """The conflict `given` names (its label, or a unique prefix of it)."""
    from aes_tracker.domain.query import resolve_id

    exact = [u for u in labels if u == given.strip()]
    wanted = given.strip().casefold()
    if not exact and not any(u.casefold().startswith(wanted) for u in labels):
        raise TrackerError(
            _("no conflict on {value}: the conflicts are on {ids}").format(
                value=shown(given), ids=", ".join(labels)
            ),
            path=path,
        )
    return exact[0] if exact else resolve_id(labels, given)


@dataclass(frozen=True)
class Side:
    """One side's value of a field that differs, and who set it when (from the history)."""

    value: str | None  # as shown; None: this side removed it
    by: str = ""
    on: str = ""


@dataclass(frozen=True)
class FieldDiff:
    field: str  # "" for the whole unit (one side removed it; a comment)
    base: str | None  # the value before either change, when the history says it
    ours: Side
    theirs: Side


@dataclass(frozen=True)
class ConflictView:
    unit: str
    line: int
    fields: tuple[FieldDiff, ...]


def describe(text: str, given: str | None, path: str) -> list[ConflictView]:
    """What differs in each conflict of the file (or the one `given` names), field by field:
    base, ours and theirs, with who changed it and when, read from the history entries both
    versions carry (`title: old → new`). Pure: the text of a file that holds conflict blocks."""
    found = [b for b in markers.blocks(markers.split(text, path)) if b.unit]
    if not found:
        raise TrackerError(_("has no unresolved merge conflict; nothing was changed"), path=path)
    if given is not None:
        unit = _pick([b.unit for b in found], given, path)
        found = [b for b in found if b.unit == unit]
    out = []
    for blk in found:
        if blk.unit == COMMENTS:
            diff = FieldDiff("", None, Side(blk.ours.strip()), Side(None))
            out.append(ConflictView(blk.unit, blk.line, (diff,)))
            continue
        ours_doc = _parse_piece(blk.ours, path, blk.line)
        theirs_doc = _parse_piece(blk.theirs, path, blk.line)
        key = _unit_key(ours_doc) or _unit_key(theirs_doc)
        if key is None:
            continue
        o, t = _get(ours_doc, key), _get(theirs_doc, key)
        if o is MISSING or t is MISSING or not (isinstance(o, dict) and isinstance(t, dict)):
            diffs: tuple[FieldDiff, ...] = (FieldDiff("", None, _whole(o), _whole(t)),)
        else:
            diffs = tuple(_field_diff(f, o, t) for f in _differing(o, t) if f != "history")
        out.append(ConflictView(blk.unit, blk.line, diffs))
    return out


def _whole(v: Any) -> Side:
    if v is MISSING:
        return Side(None)
    if isinstance(v, dict):
        return Side(_("(kept)"))
    return Side(change_value(v))


def _field_diff(f: str, o: Mapping[str, Any], t: Mapping[str, Any]) -> FieldDiff:
    sides = []
    olds = []
    for table in (o, t):
        value = table.get(f, MISSING)
        shown_value = None if value is MISSING else change_value(value)
        by = on = ""
        history = table.get("history")
        for e in reversed(history if isinstance(history, list) else []):
            changes = e.get("changes") if isinstance(e, dict) else None
            hit = next(
                (
                    c
                    for c in (changes if isinstance(changes, list) else [])
                    if isinstance(c, str)
                    and c.startswith(f"{f}: ")
                    and c.endswith(f" → {shown_value or ''}".rstrip())
                ),
                None,
            )
            if hit is not None:
                by, on = str(e.get("by", "")), str(e.get("on", ""))
                olds.append(hit[len(f) + 2 :].rsplit(" → ", 1)[0])
                break
        sides.append(Side(shown_value, by, on))
    base = olds[0] if olds and all(x == olds[0] for x in olds) else None
    return FieldDiff(f, base, sides[0], sides[1])


def _settle_comments(
    segments: list[markers.Segment],
    idx: int,
    side: str | None,
    fields: Mapping[str, str],
    path: str,
) -> tuple[bytes, Settled]:
    """The comments a merge could not place: the file is written in canonical form around
    them, so they cannot be kept where they were; `--theirs` (the side without them) confirms
    their loss, once a person has read them."""
    if side != markers.THEIRS_LABEL or fields:
        raise TrackerError(
            _(
                "the merge cannot keep these comments where they were: copy what matters into a "
                "note, then confirm their loss with `aes-tracker resolve comments --theirs`"
            )
        )
    segments[idx] = ""
    new_text = "".join(
        s if isinstance(s, str) else markers.render_block(s) if s.unit else _foreign(s)
        for s in segments
    )
    return _settled(new_text, COMMENTS, side, path)


def _settled(new_text: str, unit: str, how: str, path: str) -> tuple[bytes, Settled]:
    """The file once `unit` is settled: as it is while conflicts are left; then checked, and
    in canonical form (but a file that still holds comments a merge kept: as it is)."""
    from aes_tracker.store.tomlfile import find_comment

    left = tuple(b.unit or b.label for b in markers.blocks(markers.split(new_text, path)))
    if not left:
        whole = parse(new_text, path)
        _doc, problems = check_document(whole)
        if problems:
            from aes_tracker.store.tomlfile import KeyIndex

            raise KeyIndex(new_text).error(problems[0], path)
        data = dumps(whole) if find_comment(new_text) is None else new_text.encode("utf-8")
    else:
        data = new_text.encode("utf-8")
    line = (
        _("{id}: settled with {how}").format(id=unit, how=_how(how))
        + "; "
        + (
            ngettext("{n} conflict left: {ids}", "{n} conflicts left: {ids}", len(left)).format(
                n=len(left), ids=", ".join(left)
            )
            if left
            else _("no conflict left")
        )
    )
    return data, Settled(unit, how, left, line)


def _foreign(b: markers.Block) -> str:
    """A block aes-tracker did not write, kept as git wrote it (but a diff3 base section)."""
    end = f"{markers.END} {b.end_label}".rstrip()
    return f"{markers.START} {b.label}\n{b.ours}{markers.MIDDLE}\n{b.theirs}{end}\n"


def _how(how: str) -> str:
    names = {"ours": _("our version"), "theirs": _("their version")}
    return names.get(how) or _("the fields given")


def _parse_piece(text: str, path: str, line: int) -> dict[str, Any]:
    if not text.strip():
        return {}
    try:
        return parse(text, path)
    except TrackerError as e:
        if e.line is not None:
            e.line += line  # the side starts on the line after the marker
        raise


def _unit_key(doc: Mapping[str, Any]) -> tuple[str, ...] | None:
    """Which unit one side of a block holds: (commitments, ID), (sources, ID) or (key,)."""
    if not doc:
        return None
    (top,) = list(doc)[:1]
    v = doc[top]
    if top in ("commitments", "sources") and isinstance(v, dict) and len(v) == 1:
        return (top, next(iter(v)))
    return (top,)


_DATE_KEYS = ("due", "original_due", "review", "recur_start")


def _typed(key: str, raw: str, o: Any, t: Any, today: date) -> Any:
    """A value typed on the command line, read as the versions' values of that key are typed: a
    date, a list (comma-separated, or a TOML array), true/false, a number; else text. A status
    is checked as one."""
    from aes_tracker.domain.dates import parse_date
    from aes_tracker.store.tomlfile import toml

    sample = next(
        (v.get(key) for v in (o, t) if isinstance(v, dict) and v.get(key) is not None), None
    )
    if key == "status":
        return parse_status(raw, "field")
    if key in _DATE_KEYS or (isinstance(sample, date) and not isinstance(sample, datetime)):
        try:
            return parse_date(raw, today)
        except TrackerError as e:
            e.field = "field"
            raise
    if isinstance(sample, str):
        return raw
    if isinstance(sample, list) and not raw.strip().startswith("["):
        return [p.strip() for p in raw.split(",") if p.strip()]
    try:
        return toml().loads(f"v = {raw}")["v"]
    except Exception:
        if sample is None:
            return raw
        raise TrackerError(
            _("{key}: {value} is not a value of the kind the versions hold").format(
                key=key, value=repr(raw)
            ),
            field="field",
        ) from None


def _record_choice(chosen: dict[str, Any], other: Any, how: str, who: Who) -> dict[str, Any]:
    """A history entry saying who settled the conflict and how each field that differed
    changed (from the other version to the one kept)."""
    if not isinstance(other, dict):
        return chosen
    changes = [
        Change(k, change_value(other.get(k)), change_value(chosen.get(k)))
        for k in _keys(other, chosen)
        if k != "history" and not _same(other.get(k, MISSING), chosen.get(k, MISSING))
    ]
    status = chosen.get("status")
    entry = history_entry(
        "edit",
        who.today,
        status if isinstance(status, str) else "pending",
        who,
        note=notes.SETTLED.format(how=notes.HOW.get(how, notes.HOW[""])),
        changes=changes,
    )
    history = chosen.get("history")
    return {**chosen, "history": [*(history if isinstance(history, list) else []), entry]}
