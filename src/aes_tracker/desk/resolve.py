"""`aes-tracker resolve`: settling the conflicts a merge left in the data file. What differs in
each conflict, field by field, with who changed it and when (`describe`); the file with one
conflict settled by one side's version, or fields given over it, and a history entry saying who
chose what (`settle`). Once no conflict is left, the file is written in canonical form and must
check clean.

Pure: the text of a file that holds conflict blocks in, bytes out; nothing here reads or writes
a file or runs git.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from aes_tracker.desk.merge import entry_order
from aes_tracker.desk.mergefile import COMMENTS
from aes_tracker.desk.units import MISSING, differing, keys_of, piece, same_value, value_at
from aes_tracker.domain import notes
from aes_tracker.domain.draft import Who
from aes_tracker.domain.history import history_entry
from aes_tracker.domain.model import Change, change_value
from aes_tracker.domain.statuses import parse_status
from aes_tracker.domain.text import shown
from aes_tracker.domain.validate import check_document
from aes_tracker.errors import TrackerError
from aes_tracker.i18n import _, ngettext
from aes_tracker.store import markers
from aes_tracker.store.tomlfile import dumps, parse


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
    versions = _versions(blk, path)
    if versions is None:
        raise TrackerError(
            _("the conflict on {id} holds no table aes-tracker can read").format(id=unit),
            path=path,
            line=blk.line,
        )
    key, o_val, t_val = versions
    differ = differing(o_val, t_val)
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
    segments[idx] = piece(key, chosen)
    return _settled(_joined(segments), unit, side or "fields", path)


def _refuse_removal(unit: str, side: str, kept: Mapping[str, Any]) -> None:
    """Taking one side's removal drops the other side's version with its history, entries made
    since the removal included: only with --force, and the error says what would go."""
    history = kept.get("history")
    entries = [e for e in (history if isinstance(history, list) else []) if isinstance(e, dict)]
    if not entries:
        return
    last = max(entries, key=entry_order)
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
        versions = _versions(blk, path)
        if versions is None:
            continue
        _key, o, t = versions
        if o is MISSING or t is MISSING or not (isinstance(o, dict) and isinstance(t, dict)):
            diffs: tuple[FieldDiff, ...] = (FieldDiff("", None, _whole(o), _whole(t)),)
        else:
            diffs = tuple(_field_diff(f, o, t) for f in differing(o, t) if f != "history")
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
    return _settled(_joined(segments), COMMENTS, side, path)


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


def _joined(segments: list[markers.Segment]) -> str:
    """The file's text again from its segments: aes-tracker's blocks as it writes them, the
    others as git wrote them."""
    return "".join(
        s if isinstance(s, str) else markers.render_block(s) if s.unit else _foreign(s)
        for s in segments
    )


def _foreign(b: markers.Block) -> str:
    """A block aes-tracker did not write, kept as git wrote it (but a diff3 base section)."""
    end = f"{markers.END} {b.end_label}".rstrip()
    return f"{markers.START} {b.label}\n{b.ours}{markers.MIDDLE}\n{b.theirs}{end}\n"


def _how(how: str) -> str:
    names = {"ours": _("our version"), "theirs": _("their version")}
    return names.get(how) or _("the fields given")


def _versions(blk: markers.Block, path: str) -> tuple[tuple[str, ...], Any, Any] | None:
    """The unit a conflict block holds and its two versions (`MISSING` where a side removed
    it); None when neither side holds a table aes-tracker can read."""
    ours_doc = _parse_piece(blk.ours, path, blk.line)
    theirs_doc = _parse_piece(blk.theirs, path, blk.line)
    key = _unit_key(ours_doc) or _unit_key(theirs_doc)
    if key is None:
        return None
    return key, value_at(ours_doc, key), value_at(theirs_doc, key)


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
        for k in keys_of(other, chosen)
        if k != "history" and not same_value(other.get(k, MISSING), chosen.get(k, MISSING))
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
