"""The targets a phrase lists: « une assistance technique, des équipements militaires adaptés et
des formations ciblées » is three, each with its offsets.

A phrase is split where a comma or a conjunction (et, ainsi que, and, as well as) at the top
level (not inside brackets or « ») starts a new item, and only when the items look alike: two
items must open with the same kind of determiner (« une … et des … », « au … et à la … », "the
… and the …"); three or more, each opening with an article or a preposition of one kind, or, in
English, bare nouns (« technical assistance, equipment and training ») when the first item has
no preposition in it. « un partenariat fondé sur le pragmatisme et la solidarité » stays one.
"""

from __future__ import annotations

import re

_SEPARATOR = re.compile(
    r",\s+(?:et|and|ainsi que|as well as)\s+|,\s+|\s+(?:et|and|ainsi que|as well as)\s+"
)
_CONJUNCTION = re.compile(r"^,?\s+(?:et|and|ainsi que|as well as)\s+$|^,\s+(?:et|and)\s+$")

# The kinds of words an item opens with. Items alike open with words of one kind.
_KINDS: tuple[tuple[str, str], ...] = (
    ("indefinite", r"(?:une?|des|d'|d’|a|an|some)\b"),
    ("definite", r"(?:le|la|les|l'|l’|the)\b"),
    ("partitive", r"(?:du|de la|de l'|de l’)\b"),
    ("possessive", r"(?:leurs?|son|sa|ses|notre|nos|their|its|our)\b"),
    ("to", r"(?:au|aux|à|to)\b"),
    ("number", r"(?:\d[\d\s,.]*|deux|trois|quatre|cinq|dix|cent|mille|two|three|four|five|ten)\b"),
)
_PREPOSITIONS = re.compile(r"\b(?:in|of|for|with|on|de|du|des|dans|en|pour|sur|avec)\b", re.I)


def kind(item: str) -> str:
    s = item.lstrip().lower()
    for name, pattern in _KINDS:
        if re.match(pattern, s):
            return name
    return "none"


def _top_level_separators(text: str) -> list[tuple[int, int]]:
    out = []
    depth = 0
    spans = [(m.start(), m.end()) for m in _SEPARATOR.finditer(text)]
    marks = {i: ch for i, ch in enumerate(text) if ch in "()[]«»"}
    for a, z in spans:
        depth = sum(1 if ch in "([«" else -1 for i, ch in marks.items() if i < a)
        if depth == 0:
            out.append((a, z))
    return out


def _chunks(phrase: str, seps: list[tuple[int, int]]) -> list[tuple[int, int]]:
    bounds: list[tuple[int, int]] = []
    last = 0
    for a, z in seps:
        bounds.append((last, a))
        last = z
    bounds.append((last, len(phrase)))
    return bounds


def _alike(kinds: list[str]) -> bool:
    if "none" in kinds:
        return False
    # « du matériel et un appui », « une assistance, des équipements »: articles of quantity mix.
    return len(set(kinds)) == 1 or set(kinds) <= {"indefinite", "partitive", "number"}


def split_items(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The items of text[start:end], as offsets into `text`; one item when it lists none."""
    phrase = text[start:end]
    seps = _top_level_separators(phrase)
    if not seps:
        return [(start, end)]
    # Only a separator followed by a determiner can open an item: « forces de défense et de
    # sécurité » goes on with the item before.
    opening = [(a, z) for a, z in seps if kind(phrase[z:]) != "none"]
    if opening and _CONJUNCTION.match(phrase[opening[-1][0] : opening[-1][1]]):
        bounds = _chunks(phrase, opening)
        if _alike([kind(phrase[a:z]) for a, z in bounds]):
            return [(start + a, start + z) for a, z in bounds if phrase[a:z].strip()]
    # English lists of bare nouns: "wheat, fertiliser and fuel on preferential terms".
    bounds = _chunks(phrase, seps)
    items = [phrase[a:z] for a, z in bounds]
    kinds = [kind(x) for x in items]
    if (
        len(items) >= 3
        and _CONJUNCTION.match(phrase[seps[-1][0] : seps[-1][1]])
        and kinds[0] in ("none", "number")
        and all(k == "none" for k in kinds[1:])
        and not _PREPOSITIONS.search(items[0])
        and all(len(x.split()) <= 4 for x in items[:-1])
    ):
        return [(start + a, start + z) for a, z in bounds if phrase[a:z].strip()]
    return [(start, end)]
