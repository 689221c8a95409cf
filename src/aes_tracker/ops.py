"""The changes an analyst makes, as pure functions on the raw document (a dict parsed from TOML).

Each function edits `raw` in place and appends a history entry saying who, when and what; the store
runs it under the lock and writes the result. Working on the raw document, not on the typed view,
is what keeps keys this version does not know.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from aes_tracker.dates import check_rule, next_occurrence
from aes_tracker.errors import TrackerError
from aes_tracker.model import COMMITMENT_KEYS, DEFAULT_PARTIES, ID_RE, Category, Status

CATEGORY_PREFIX = {
    Category.SECURITY: "sec",
    Category.DIPLOMACY: "dip",
    Category.DEVELOPMENT: "dev",
    Category.INSTITUTIONAL: "inst",
}
EMPTY = "∅"
_STOP = {
    "a",
    "an",
    "the",
    "of",
    "to",
    "and",
    "for",
    "in",
    "on",
    "with",
    "by",
    "at",
    "from",
    "le",
    "la",
    "les",
    "de",
    "des",
    "du",
    "et",
    "l",
    "d",
    "un",
    "une",
    "au",
    "aux",
    "en",
}


def resolve_id(ids: Iterable[str], given: str) -> str:
    """An exact ID, or the one ID that starts with `given` (as git does with commit hashes)."""
    ids = list(ids)
    if given in ids:
        return given
    matches = sorted(i for i in ids if i.startswith(given))
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise TrackerError(
            f"'{given}' is ambiguous: it starts {', '.join(matches)}", hint="give more of the ID"
        )
    import difflib

    close = difflib.get_close_matches(given, ids, n=3)
    raise TrackerError(
        f"no commitment '{given}'",
        hint=f"did you mean {' or '.join(close)}?" if close else "`aes-tracker list` shows the IDs",
    )


def fold(text: str) -> str:
    """Lower-case, accents removed: 'Équipements' -> 'equipements'."""
    nfkd = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in nfkd if not unicodedata.combining(ch))


def slug(category: Category, title: str, taken: Iterable[str]) -> str:
    words = [w for w in re.split(r"[^a-z0-9]+", fold(title)) if w and w not in _STOP]
    base = "-".join([CATEGORY_PREFIX[category], *words[:4]]) or CATEGORY_PREFIX[category]
    taken = set(taken)
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def history_entry(
    kind: str,
    on: date,
    status: str,
    by: str,
    now: datetime,
    *,
    note: str = "",
    evidence: Sequence[str] = (),
    host: str = "",
    changes: Mapping[str, list[str]] | None = None,
) -> dict[str, Any]:
    ev: dict[str, Any] = {"on": on, "at": now, "by": by, "event": kind, "status": status}
    if note:
        ev["note"] = note
    if evidence:
        ev["evidence"] = list(evidence)
    if host:
        ev["host"] = host
    if changes:
        # One readable line per field, "due: 2026-01-15 → 2026-04-03", so that the history reads
        # well in the file and in `git diff`; ∅ stands for "not set".
        ev["changes"] = [f"{k}: {a or EMPTY} → {b or EMPTY}" for k, (a, b) in changes.items()]
    return ev


def _commitment(raw: dict[str, Any], cid: str) -> dict[str, Any]:
    c = raw.get("commitments", {}).get(cid)
    if not isinstance(c, dict):  # resolve_id ran first; this is a bug, not a user error
        raise KeyError(cid)
    return c


def _history(c: dict[str, Any]) -> list[dict[str, Any]]:
    h = c.setdefault("history", [])
    assert isinstance(h, list)
    return h


def _check_text(field: str, value: str) -> str:
    if not value.strip():
        raise TrackerError(f"{field} must not be blank")
    return value


def set_status(
    raw: dict[str, Any],
    cid: str,
    status: Status,
    *,
    on: date,
    by: str,
    now: datetime,
    note: str = "",
    evidence: Sequence[str] = (),
) -> str:
    """Change the status (any of the seven; reopening a closed one is allowed and recorded)."""
    c = _commitment(raw, cid)
    before = Status(c["status"])
    if not note and before == status:
        note = f"status confirmed as {status.value}"
    elif not note and not before.is_open and status.is_open:
        note = f"reopened (was {before.value})"
    c["status"] = status.value
    _history(c).append(
        history_entry(
            "status",
            on,
            status.value,
            by,
            now,
            note=note,
            evidence=evidence,
            changes={"status": [before.value, status.value]} if before != status else None,
        )
    )
    return before.value


def record_occurrence(
    raw: dict[str, Any],
    cid: str,
    *,
    on: date,
    by: str,
    now: datetime,
    host: str = "",
    note: str = "",
    evidence: Sequence[str] = (),
) -> date | None:
    """`done` on a recurring commitment: this occurrence happened; move to the next one and the
    next expected host in the rotation, staying open. Returns the next due date."""
    c = _commitment(raw, cid)
    hosts = list(c.get("hosts", []))
    expected = c.get("next_host", "")
    due = c.get("due")
    start = c.get("recur_start", due)
    nxt = next_occurrence(c["recur"], start, max(due, on) if due else on) if start else None
    changes: dict[str, list[str]] = {}
    if nxt is not None:
        changes["due"] = [str(due or ""), str(nxt)]
        c["due"] = nxt
    else:
        # The rule has ended (COUNT or UNTIL reached): this was the last occurrence. The due date
        # stays as the last one, and the commitment is done.
        c["status"] = Status.DONE.value
    if hosts and expected in hosts:
        new_host = hosts[(hosts.index(expected) + 1) % len(hosts)]
        changes["next_host"] = [expected, new_host]
        c["next_host"] = new_host
    _history(c).append(
        history_entry(
            "occurrence",
            on,
            c["status"],
            by,
            now,
            note=note,
            evidence=evidence,
            host=host or expected,
            changes=changes,
        )
    )
    return nxt


def add_note(
    raw: dict[str, Any],
    cid: str,
    text: str,
    *,
    on: date,
    by: str,
    now: datetime,
    evidence: Sequence[str] = (),
) -> None:
    c = _commitment(raw, cid)
    _history(c).append(
        history_entry(
            "note", on, c["status"], by, now, note=_check_text("the note", text), evidence=evidence
        )
    )


def known_parties(raw: Mapping[str, Any]) -> tuple[str, ...]:
    p = raw.get("parties")
    return tuple(p) if isinstance(p, list) and p else DEFAULT_PARTIES


def _check_parties(raw: Mapping[str, Any], parties: Sequence[str]) -> list[str]:
    known = known_parties(raw)
    out: list[str] = []
    for p in parties:
        match = next((k for k in known if k.casefold() == p.strip().casefold()), None)
        if match is None:
            raise TrackerError(
                f"'{p}' is not a known party (one of: {', '.join(known)})",
                hint="a new partnership's parties are added with "
                "`aes-tracker source add ... --party NAME`",
            )
        if match not in out:
            out.append(match)
    return out


def _check_source(raw: Mapping[str, Any], source: str) -> str:
    sources = raw.get("sources", {})
    if source not in sources:
        raise TrackerError(
            f"'{source}' is not a source of this file "
            f"(known: {', '.join(sorted(sources)) or 'none'})",
            hint="register it first with `aes-tracker source add`",
        )
    return source


def default_source(raw: Mapping[str, Any]) -> str:
    """The most recent source, for `add` without --source."""
    sources = raw.get("sources", {})
    if not sources:
        raise TrackerError(
            "this file has no source yet",
            hint="register the communiqué with `aes-tracker source add`",
        )
    return str(max(sources, key=lambda s: (sources[s].get("date"), s)))


def add_commitment(
    raw: dict[str, Any],
    *,
    title: str,
    category: Category,
    parties: Sequence[str],
    quote: str,
    source: str | None,
    on: date,
    by: str,
    now: datetime,
    beneficiaries: Sequence[str] = (),
    due: date | None = None,
    review: date | None = None,
    review_reason: str = "",
    due_reason: str = "",
    recur: str = "",
    timing: Sequence[str] = (),
    hosts: Sequence[str] = (),
    next_host: str = "",
    notes: str = "",
    cid: str | None = None,
) -> str:
    commitments = raw.setdefault("commitments", {})
    _check_text("the title", title)
    _check_text("the quote", quote)
    if not parties:
        raise TrackerError("name at least one committing party with --party")
    party_list = _check_parties(raw, parties)
    src = _check_source(raw, source) if source else default_source(raw)
    if (due is None) == (review is None):
        raise TrackerError("give either --due DATE or --no-deadline --review DATE")
    if cid is None:
        cid = slug(category, title, commitments)
    elif not ID_RE.match(cid):
        raise TrackerError(f"'{cid}' is not a valid ID (lower-case letters, digits, '-', '.', '_')")
    elif cid in commitments:
        raise TrackerError(f"a commitment '{cid}' already exists")
    c: dict[str, Any] = {"title": title, "category": category.value, "parties": party_list}
    if beneficiaries:
        c["beneficiaries"] = list(beneficiaries)
    c.update(source=src, quote=quote)
    if timing:
        c["timing"] = list(timing)
    c["status"] = Status.PENDING.value
    if due is not None:
        c["due"] = due
        if due_reason:
            c["due_reason"] = due_reason
    else:
        c.update(no_deadline=True, review=review)
        if review_reason:
            c["review_reason"] = review_reason
    if recur:
        check_rule(recur)
        if due is None:
            raise TrackerError("a recurring commitment needs --due: its next occurrence")
        c.update(recur=recur, recur_start=due)
        if hosts:
            c["hosts"] = list(hosts)
            c["next_host"] = next_host or hosts[0]
    if notes:
        c["notes"] = notes
    c["history"] = [
        history_entry(
            "recorded", on, Status.PENDING.value, by, now, note=f"added from source {src}"
        )
    ]
    commitments[cid] = c
    return cid


# Fields `edit` can change: every field of a commitment but those that only the status, the
# history or the recurrence may set.
EDITABLE = tuple(
    k
    for k in COMMITMENT_KEYS
    if k
    not in {"status", "original_due", "no_deadline", "recur_start", "hosts", "next_host", "history"}
)


def _shown(v: Any) -> str:
    if isinstance(v, list):
        return ", ".join(str(x) for x in v)
    return "" if v is None else str(v)


def edit(
    raw: dict[str, Any],
    cid: str,
    changes: Mapping[str, Any],
    *,
    on: date,
    by: str,
    now: datetime,
    note: str = "",
) -> dict[str, list[str]]:
    """Change fields. A changed due date keeps the first due date in `original_due`, so the slip
    stays visible. Setting `review` with `due=None` turns the item into a no-deadline one."""
    c = _commitment(raw, cid)
    done: dict[str, list[str]] = {}
    for key, value in changes.items():
        if key not in EDITABLE:
            raise TrackerError(f"'{key}' cannot be edited")
        if key in ("title", "quote"):
            _check_text(f"the {key}", value)
        elif key == "parties":
            value = _check_parties(raw, value)
            if not value:
                raise TrackerError("name at least one committing party")
        elif key == "source":
            _check_source(raw, value)
        elif key == "category":
            value = Category(value).value
        elif key == "recur" and value:
            check_rule(value)
        before = c.get(key)
        if key == "due":
            if value is None:
                if before is None:
                    continue
                c.pop("due")
            else:
                if before is not None and before != value and "original_due" not in c:
                    c["original_due"] = before
                c["due"] = value
                c.pop("no_deadline", None)
            if before != value:
                done["due"] = [_shown(before), _shown(value)]
            continue
        if isinstance(value, tuple):
            value = list(value)
        if value in ("", [], None):
            c.pop(key, None)
        else:
            c[key] = value
        if before != value and not (before is None and value in ("", [])):
            done[key] = [_shown(before), _shown(value)]
    if c.get("due") is None and "review" in changes and changes["review"] is not None:
        c["no_deadline"] = True
    if c.get("due") is None and not c.get("no_deadline"):
        raise TrackerError("a commitment needs a due date, or --no-deadline with --review DATE")
    if c.get("recur") and c.get("due") is None:
        raise TrackerError("a recurring commitment needs a due date (its next occurrence)")
    if not done:
        raise TrackerError("nothing to change: the values given are the current ones")
    _history(c).append(history_entry("edit", on, c["status"], by, now, note=note, changes=done))
    return done


def add_source(
    raw: dict[str, Any],
    sid: str,
    *,
    title: str,
    day: date,
    place: str = "",
    language: str = "",
    url: str = "",
    publisher: str = "",
    author: str = "",
    parties: Sequence[str] = (),
) -> None:
    if not ID_RE.match(sid):
        raise TrackerError(
            f"'{sid}' is not a valid source ID (lower-case letters, digits, '-', '.', '_')"
        )
    sources = raw.setdefault("sources", {})
    if sid in sources:
        raise TrackerError(f"a source '{sid}' already exists")
    _check_text("the title", title)
    s: dict[str, Any] = {"title": title, "date": day}
    for k, v in (
        ("place", place),
        ("language", language),
        ("publisher", publisher),
        ("author", author),
        ("url", url),
    ):
        if v:
            s[k] = v
    sources[sid] = s
    new = [p.strip() for p in parties if p.strip() and p.strip() not in known_parties(raw)]
    if new:
        raw["parties"] = [*known_parties(raw), *new]
