"""The rules that read one sentence: which trigger fired, who promises, in which category, with
which timing words and due date. Pure functions of the sentence (with its offsets), the section
heading, the lexicon and, for dates, `today`."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from aes_tracker.extract.lexicon import Lexicon, Trigger
from aes_tracker.i18n import MONTHS

_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'"})


def plain(text: str) -> str:
    """The text as the lexicon's patterns read it: typographic apostrophes as ', same length."""
    return text.translate(_APOSTROPHES)


@dataclass(frozen=True)
class Fired:
    trigger: Trigger
    start: int  # offsets in the sentence
    end: int


def triggers(sentence: str, lex: Lexicon) -> list[Fired]:
    """The triggers in a sentence, in order, overlaps settled for the longest; weak ones only in a
    sentence with no other trigger and no exclusion."""
    s = plain(sentence)
    found = [Fired(t, m.start(), m.end()) for t in lex.commit for m in t.pattern.finditer(s)]
    found.sort(key=lambda f: (f.start, -(f.end - f.start)))
    kept: list[Fired] = []
    for f in found:
        if kept and f.start < kept[-1].end:
            continue
        kept.append(f)
    strong = [f for f in kept if not f.trigger.weak]
    if strong:
        return strong
    if any(x.pattern.search(s) for x in lex.exclude):
        return []
    # A weak trigger in a relative clause (« qui se tiendront ») says how, not what: only the
    # first one counts.
    return kept[:1]


_CUT = re.compile(
    r"\s+(?:afin\s+(?:de|d')|pour\s+(?=\w+er\b|\w+ir\b|\w+re\b)|en\s+vue\s+(?:de|d')|dans\s+le\s+but\s+(?:de|d')"
    r"|in\s+order\s+to|so\s+as\s+to|with\s+a\s+view\s+to|by\s+(?=\w+ing\b)|through\s+(?=\w+ing\b))"
    r"|,\s+(?:qui|which|en\s+\w+ant|by\s+\w+ing|through\s+\w+ing|notamment|including|dans\s+le\s+cadre)\b"
    r"|;|:|\.\s*$|\.\s|\s+[-–—]\s+",
    re.I,
)


def object_end(sentence: str, start: int, lex: Lexicon) -> int:
    """Where a target that starts at `start` ends: before a purpose, a gerund, a relative clause,
    timing words, or the sentence's end."""
    s = plain(sentence)
    end = len(s.rstrip().rstrip(".!?…"))
    m = _CUT.search(s, start)
    if m and m.start() < end:
        end = m.start()
    for t in lex.timing:
        tm = t.pattern.search(s, start, end)
        if tm and tm.start() > start:
            end = min(end, tm.start())
    return len(s[:end].rstrip(" ,"))


@dataclass(frozen=True)
class Parties:
    names: tuple[str, ...]
    how: str  # "named", "all" (a word for all of them), "pronoun", "default"


def _aliases(name: str, lex: Lexicon) -> tuple[str, ...]:
    return (name, *lex.parties.get(name, ()))


def _mentions(text: str, known: Sequence[str], lex: Lexicon) -> list[tuple[int, str]]:
    out = []
    for name in known:
        for alias in _aliases(name, lex):
            for m in re.finditer(r"(?<!\w)" + re.escape(plain(alias)) + r"(?!\w)", text, re.I):
                out.append((m.start(), name))
    return sorted(out)


_AUX = re.compile(
    r"\s(?:a|ont|sont|est|s'est|se|s'|avait|avaient|has|have|had|is|are|was|were|will|shall"
    r"|agreed|committed|pledged|decided|reaffirmed|expressed|welcomed)\s",
    re.I,
)


def subject_words(sentence: str, at: int, known: Sequence[str], lex: Lexicon) -> str:
    """The words naming who acts, for a trigger at `at`: the last comma-separated part of what
    precedes it that names someone (« Face aux menaces …, les deux parties ont convenu »), cut
    at its first verb. A coordinated verb (« La Russie a exprimé … et s'est engagée ») takes
    the subject at the head of the sentence."""
    s = plain(sentence)
    head = s[:at]
    if re.search(r"(?:^|\s)(?:et|and)\s*$", head):
        first = _AUX.search(" " + s + " ")
        head = s[: first.start()] if first else head
    chunks = [c for c in re.split(r",\s+", head) if c.strip()]
    for chunk in reversed(chunks):
        verb = _AUX.search(" " + chunk + " ")
        words = (chunk[: verb.start()] if verb else chunk).strip()
        low = words.lower()
        if (
            _mentions(words, known, lex)
            or _starts_with(low, lex.pronouns)
            or any(_has(low, w) for w in lex.all_subjects)
        ):
            return words
    return chunks[-1].strip() if chunks else ""


def _starts_with(low: str, words: Sequence[str]) -> bool:
    return any(re.match(re.escape(w) + r"(?!\w)", low) for w in words)


def _has(low: str, w: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(plain(w)) + r"(?!\w)", low) is not None


def parties_of(
    sentence: str,
    at: int,
    known: Sequence[str],
    everyone: tuple[str, ...],
    before: tuple[str, ...],
    lex: Lexicon,
) -> Parties:
    """Who makes the promise whose trigger is at `at`: the parties the subject names; every
    party of the source for « les deux parties », "the Ministers" or no named subject; for a
    pronoun, the parties of the sentence before."""
    words = subject_words(sentence, at, known, lex)
    low = words.lower()
    named = [name for _pos, name in _mentions(words, known, lex)]
    if named:
        order = {p: i for i, p in enumerate(known)}
        return Parties(tuple(sorted(dict.fromkeys(named), key=order.__getitem__)), "named")
    if _starts_with(low, lex.pronouns):
        return Parties(before or everyone, "pronoun")
    if any(_has(low, w) for w in lex.all_subjects):
        return Parties(everyone, "all")
    return Parties(everyone, "default")


def category_of(heading: str, sentence: str, lex: Lexicon, default: str = "diplomacy") -> str:
    """The category whose words weigh most: a heading's count three times, the sentence's once."""
    h, s = heading.lower(), sentence.lower()
    best, score = default, 0
    for name, words in lex.categories.items():
        n = 0
        for w in words:
            pat = r"(?<!\w)" + re.escape(w) + r"(?!\w)"
            n += 3 * len(re.findall(pat, h)) + len(re.findall(pat, s))
        if n > score:
            best, score = name, n
    return best


@dataclass(frozen=True)
class Timing:
    words: str  # the text's own words
    start: int
    end: int
    due: date | None


_MONTHS = {
    **{
        m: i
        for i, m in enumerate(
            [
                "janvier",
                "février",
                "mars",
                "avril",
                "mai",
                "juin",
                "juillet",
                "août",
                "septembre",
                "octobre",
                "novembre",
                "décembre",
            ],
            1,
        )
    },
    **{m.lower(): i for i, m in enumerate(MONTHS, 1)},
}


def _month_end(year: int, month: int) -> date:
    first_next = date(year + (month == 12), month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def _due(words: str, kind: str) -> date | None:
    low = words.lower()
    years = [int(y) for y in re.findall(r"\b(\d{4})\b", low)]
    if not years:
        return None
    year = years[-1]
    month = next((n for m, n in _MONTHS.items() if re.search(r"\b" + m + r"\b", low)), None)
    try:
        if kind == "year":
            return date(year, 12, 31)
        if kind == "month" and month:
            return _month_end(year, month)
        if kind == "date" and month:
            day = re.search(r"\b(1er|\d{1,2})\b(?!\d)", low.replace(str(year), ""))
            if day:
                return date(year, month, 1 if day.group(1) == "1er" else int(day.group(1)))
    except ValueError:
        return None  # « 31 juin »: no such day, so no due date; the words stay
    return None


def timings(sentence: str, lex: Lexicon) -> list[Timing]:
    s = plain(sentence)
    out: list[Timing] = []
    for t in lex.timing:
        for m in t.pattern.finditer(s):
            if any(m.start() < o.end and o.start < m.end() for o in out):
                continue
            out.append(
                Timing(sentence[m.start() : m.end()], m.start(), m.end(), _due(m.group(0), t.due))
            )
    return sorted(out, key=lambda t: t.start)


def review_date(source_day: date | None, today: date) -> date:
    """No date in the text: review at the source's first anniversary, or six months from today
    when that has passed (the bundled data's rule)."""
    if source_day is not None:
        try:
            anniversary = source_day.replace(year=source_day.year + 1)
        except ValueError:  # 29 February
            anniversary = source_day.replace(year=source_day.year + 1, day=28)
        if anniversary > today:
            return anniversary
    month = today.month + 6
    year = today.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return min(
        today.replace(year=year, month=month, day=1) + timedelta(days=today.day - 1),
        _month_end(year, month),
    )
