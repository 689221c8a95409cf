"""The notes the tool itself writes into a history entry ("status confirmed as in_progress").

They are stored in English whatever the language of the session that writes them, so the data
file does not depend on who made the change, and put into the reader's language when shown:
`words` recognises each one by its English pattern (old files wrote these same English texts,
or French ones that are shown as they are).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from aes_tracker.i18n import N_

CONFIRMED = N_("status confirmed as {status}")
REOPENED = N_("reopened (was {status})")
ADDED = N_("added from source {source}")
IMPORTED = N_("imported from {name}")
UPDATED = N_("updated from {name}")
SETTLED = N_("merge conflict settled: {how}")
# How a conflict was settled, as SETTLED says it.
HOW = {"ours": N_("our version"), "theirs": N_("their version"), "": N_("the fields given")}

NOTES = (CONFIRMED, REOPENED, ADDED, IMPORTED, UPDATED, SETTLED)

# What `undo` says it takes back, as the undo journal keeps it: in English whatever the
# language of the session that made the change, put into the reader's language by `words`.
DID_STATUS = N_("status {id} {before} → {after} ({on}, by {by})")
DID_PARTY = N_("status {id} [{party}] {before} → {after} ({on}, by {by})")
DID_NOTE = N_("note {id}: {text} ({on}, by {by})")
DID_REVIEW = N_("review {id}: next review {day} ({on}, by {by})")
DID_ADD = N_("add {id} ({on}, by {by})")
DID_EDIT = N_("edit {id}: {changes} ({on}, by {by})")
DID_RM = N_("rm {id}")
DID_SESSION = N_("done {id}: session of {day} ({on}, by {by})")
DID = (DID_STATUS, DID_PARTY, DID_NOTE, DID_REVIEW, DID_ADD, DID_EDIT, DID_RM, DID_SESSION)

_ONE_WORD = frozenset({"id", "before", "after", "on", "day"})


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", template)
    one, many = r"\S+", ".+"
    rx = "".join(
        re.escape(p) if i % 2 == 0 else f"(?P<{p}>{one if p in _ONE_WORD else many})"
        for i, p in enumerate(parts)
    )
    return re.compile(rx, re.S)


@functools.cache
def _patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Made on first use: a table of the list command never reads a note."""
    return tuple((t, _pattern(t)) for t in (*NOTES, *DID))


def words(note: str, translate: Callable[[str], str], value: Callable[[str, str], str]) -> str:
    """`note` in the reader's language: a note of the tool's own (or what `undo` takes back)
    through the catalogue (`translate`), each of its fields through `value(field, text)`; any
    other note as it is."""
    for template, rx in _patterns():
        m = rx.fullmatch(note)
        if m is not None:
            return translate(template).format(**{k: value(k, v) for k, v in m.groupdict().items()})
    return note


# Fields whose values in a change are dates: in prose they read as dates do there.
_DATE_FIELDS = frozenset({"due", "original_due", "review", "recur_start"})


def change_value_words(field: str, value: str) -> str:
    """One side of a change as a person reads it: a status or category in the language, a date
    as prose has it, ∅ for "not set"; anything else as the history holds it."""
    from datetime import date

    from aes_tracker.domain.model import EMPTY
    from aes_tracker.domain.text import escape_controls
    from aes_tracker.i18n import category_label, human_date, names_label, status_label

    if not value or value == EMPTY:
        return EMPTY
    if field == "status":
        return escape_controls(status_label(value))
    if field == "category":
        return escape_controls(category_label(value))
    if field in ("parties", "hosts", "next_host", "beneficiaries"):
        return escape_controls(names_label(value))
    if field in _DATE_FIELDS:
        try:
            return human_date(date.fromisoformat(value))
        except ValueError:
            return escape_controls(value)
    return escape_controls(value)


def change_words(line: str) -> str:
    """A change as the history holds it ("status: pending → in_progress", in the identifiers,
    whatever the language of the session that made it), put into words for the reader:
    "statut : en attente → en cours" in French. In English it is the line as written, so the
    machine formats, rendered in English, keep it byte for byte. A line that is not a change
    (a hand edit) is shown as it is."""
    from aes_tracker.domain.model import parse_change
    from aes_tracker.domain.text import escape_controls
    from aes_tracker.i18n import colon, field_label

    ch = parse_change(line)
    if ch is None:
        return escape_controls(line)
    before = change_value_words(ch.field, ch.before)
    after = change_value_words(ch.field, ch.after)
    return f"{field_label(ch.field)}{colon()}{before} → {after}"
