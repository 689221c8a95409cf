"""The notes the tool itself writes into a history entry ("status confirmed as in_progress").

They are stored in English whatever the language of the session that writes them, so the data
file does not depend on who made the change, and put into the reader's language when shown:
`words` recognises each one by its English pattern (old files wrote these same English texts,
or French ones that are shown as they are).
"""

from __future__ import annotations

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


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", template)
    rx = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+)" for i, p in enumerate(parts))
    return re.compile(rx, re.S)


_PATTERNS = tuple((t, _pattern(t)) for t in NOTES)


def words(note: str, translate: Callable[[str], str], value: Callable[[str, str], str]) -> str:
    """`note` in the reader's language: a note of the tool's own through the catalogue
    (`translate`), each of its fields through `value(field, text)`; any other note as it is."""
    for template, rx in _PATTERNS:
        m = rx.fullmatch(note)
        if m is not None:
            return translate(template).format(**{k: value(k, v) for k, v in m.groupdict().items()})
    return note
