"""IDs: what one may be (lower-case ASCII, digits, '-', '.', '_'), and the one `add` makes from
a commitment's category and title.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from aes_tracker.domain.statuses import category_info
from aes_tracker.domain.text import shown
from aes_tracker.errors import TrackerError
from aes_tracker.i18n import _

MAX_ID = 24  # characters in an ID that `add` makes

# IDs: lower-case ASCII, digits, '-', '.', '_'. `fullmatch`, because `$` would let a final
# newline through.
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]*")


def is_id(text: str) -> bool:
    return ID_PATTERN.fullmatch(text) is not None


def check_id(text: str, field: str = "id") -> str:
    if not is_id(text):
        raise TrackerError(
            _("{value} is not a valid ID (lower-case letters, digits, '-', '.', '_')").format(
                value=shown(text)
            ),
            field=field,
        )
    return text


# Words left out of the IDs `add` makes, in English and French.
_STOP = frozenset(
    {
        *("a", "an", "the", "of", "to", "and", "for", "in", "on", "with", "by", "at", "from"),
        *("le", "la", "les", "de", "des", "du", "et", "l", "d", "un", "une", "au", "aux"),
        *("en", "sur", "par", "pour", "dans", "avec"),
    }
)


# A quantity ("25,000 tonnes", "3 millions de dollars") says how much, not what: its number and
# the measure after it give way to the words that name the commitment, where there are any.
_MEASURES = frozenset(
    {
        *("t", "tonnes", "tons", "tonne", "ton", "kg", "km", "mw", "gw", "ha", "hectares"),
        *("million", "millions", "milliard", "milliards", "billion", "billions", "thousand"),
        *("mille", "percent", "pour", "cent", "dollars", "usd", "euros", "eur", "fcfa", "cfa"),
        *("rubles", "roubles", "rub", "xof", "units", "unites"),
    }
)


def _id_words(title: str) -> list[str]:
    """The words of a title that an ID keeps: no small words, no numbers and no measures
    following a number; the numbers only when nothing else is left."""
    from anyascii import anyascii

    words = [w for w in re.split(r"[^a-z0-9]+", anyascii(title).lower()) if w]
    kept: list[str] = []
    after_number = False
    for w in words:
        if w.isdigit():
            after_number = True
            continue
        if w in _STOP or (after_number and w in _MEASURES):
            continue
        after_number = False
        kept.append(w)
    return kept or [w for w in words if w not in _STOP]


def slug(category: str, title: str, taken: Iterable[str]) -> str:
    """An ID from the category and the title's first meaningful words, in ASCII whatever the
    script (Cyrillic and Arabic are transliterated), at most MAX_ID characters, cut at a word."""
    prefix = category_info(category).prefix
    base = prefix
    for w in _id_words(title)[:5]:
        if len(base) + 1 + len(w) > MAX_ID:
            if base == prefix:
                base = f"{base}-{w}"[:MAX_ID].rstrip("-")
            break
        base = f"{base}-{w}"
    if base == prefix:
        raise TrackerError(_("cannot make an ID from this title; give one with --id"), field="id")
    taken = set(taken)
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"
