"""Sentences, with their offsets, in French and English communiqués.

A line is a paragraph (see `text.reduce`). A short line with no closing punctuation is a heading:
it names the section of the sentences under it. A paragraph's number or bullet (`1.`, `(a)`,
`–`) is not part of its first sentence. A sentence ends at `.`, `!`, `?` or `…` (and the quote
marks or brackets closing it) followed by a space and a capital, a digit or an opening quote,
unless the word before the point is an abbreviation or an initial, or the point is inside « ».
pysbd was not adopted (nor measured): a rule table this short, tested on its own in
tests/test_extract.py, covers the genre without a new dependency.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Lower case, without the point. A word in this list followed by "." does not end a sentence.
ABBREVIATIONS = frozenset(
    [
        "m",
        "mm",
        "mme",
        "mmes",
        "mlle",
        "mlles",
        "dr",
        "pr",
        "me",
        "st",
        "ste",
        "cf",
        "etc.",
        "env",
        "ex",
        "p",
        "pp",
        "art",
        "al",
        "av",
        "bd",
        "no",
        "nos",
        "n°",
        "s.e",
        "s.exc",
        "exc",
        "gal",
        "gén",
        "col",
        "cdt",
        "lt",
        "mr",
        "mrs",
        "ms",
        "messrs",
        "prof",
        "jr",
        "sr",
        "vs",
        "e.g",
        "i.e",
        "u.s",
        "u.n",
        "u.k",
        "gen",
        "maj",
        "capt",
        "sgt",
        "hon",
        "rev",
        "amb",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "approx",
        "dept",
        "est",
        "fig",
        "vol",
    ]
)

_MARKER = re.compile(r"(?:\d{1,3}[.)]|\(\d{1,3}\)|\([a-z]{1,4}\)|[a-z][.)]|[-–—•*])\s+")
_END = re.compile(r"[.!?…]+(?:\s?[»”\"’')\]])*(?=\s+[«\"“(\[]?\s*[A-ZÀ-ÖØ-Þ0-9])")
_CLOSING = ".!?…:;»”\"')"


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    heading: bool
    paragraph: int


def _is_heading(line: str) -> bool:
    s = line.strip()
    if not s or s.endswith(tuple(_CLOSING)) or s.endswith(","):
        return False
    return len(s) <= 120 and len(s.split()) <= 20


def _abbreviation_before(text: str, at: int) -> bool:
    """Whether the point at `at` closes an abbreviation or an initial."""
    j = at
    while j > 0 and not text[j - 1].isspace() and text[j - 1] not in '(«"“':
        j -= 1
    word = text[j:at].lower()
    if not word:
        return False
    if len(word) == 1 and word.isalpha():
        return True  # an initial: "J. Smith", "M. Diop" (also "m." and a sentence ending in "a."?)
    return word in ABBREVIATIONS or word.rstrip(".") in ABBREVIATIONS


def _quote_depth(text: str, start: int, at: int) -> int:
    return text.count("«", start, at) - text.count("»", start, at)


def segment(text: str) -> list[Sentence]:
    """The sentences and headings of a reduced text, in order."""
    out: list[Sentence] = []
    pos = 0
    for para, line in enumerate(text.split("\n")):
        base = pos
        pos += len(line) + 1
        stripped = line.strip()
        if not stripped:
            continue
        lead = len(line) - len(line.lstrip())
        if _is_heading(line):
            out.append(Sentence(base + lead, base + lead + len(stripped), True, para))
            continue
        m = _MARKER.match(line, lead)
        start = m.end() if m else lead
        for e in _END.finditer(line, start):
            point = e.start()
            if line[point] == "." and _abbreviation_before(line, point):
                continue
            if _quote_depth(line, start, e.end()) > 0:
                continue
            out.append(Sentence(base + start, base + e.end(), False, para))
            start = e.end()
            while start < len(line) and line[start].isspace():
                start += 1
        end = len(line.rstrip())
        if start < end:
            out.append(Sentence(base + start, base + end, False, para))
    return out
