"""Proposals: one per target a sentence promises, with the sentence as the quote (an exact span
of the stored text), the target's own span, an ID and titles, parties, category, timing, a due
date only where the text gives one, a confidence and the rule that fired; a proposal an
existing commitment already tracks says which."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date
from typing import Any

from aes_tracker.domain.ids import MAX_ID, slug
from aes_tracker.domain.query import fold
from aes_tracker.domain.statuses import category_info
from aes_tracker.errors import TrackerError
from aes_tracker.extract import rules
from aes_tracker.extract.enumerate import kind, split_items
from aes_tracker.extract.lexicon import Lexicon, load
from aes_tracker.extract.segment import segment
from aes_tracker.extract.text import Reduced, find_quote, kind_of, line_of, reduce


@dataclass(frozen=True)
class Proposal:
    id: str
    title: str
    title_fr: str
    category: str
    parties: tuple[str, ...]
    quote: str  # the sentence, as read
    start: int  # the quote's offsets in the stored text
    end: int
    line: int
    target: str  # the words of the quote that name what is promised
    target_start: int
    target_end: int
    timing: tuple[str, ...]
    due: date | None
    review: date | None
    confidence: float
    rule: str
    tracked: str = ""  # the commitment that already tracks it

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["parties"] = list(self.parties)
        d["timing"] = list(self.timing)
        return d


@dataclass(frozen=True)
class Existing:
    """A commitment of the same source, as far as tracking goes."""

    id: str
    quote: str
    title: str
    title_fr: str = ""


def source_parties(
    known: Sequence[str], groups: Mapping[str, Sequence[str]], used: Sequence[str]
) -> tuple[str, ...]:
    """Every party of a source: those its commitments name, else the declared parties that are no
    group's members (AES and Russia, not Mali)."""
    if used:
        return tuple(p for p in known if p in set(used))
    members = {m for ms in groups.values() for m in ms}
    return tuple(p for p in known if p not in members)


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _short(s: str, limit: int = 100) -> str:
    s = " ".join(s.split())
    if len(s) <= limit:
        return s
    return s[:limit].rsplit(" ", 1)[0].rstrip(" ,;")


def infinitive(gerund: str) -> str:
    """The infinitive of a French present participle, for a title: « créant » → « créer »,
    « renforçant » → « renforcer », « fournissant » → « fournir »."""
    g = gerund.lower()
    if g.endswith("issant"):
        return g[:-6] + "ir"
    stem = g[:-3]
    if stem.endswith("ç"):
        stem = stem[:-1] + "c"
    elif stem.endswith("ge"):
        stem = stem[:-1]
    return stem + "er"


def _make_id(category: str, title: str, taken: set[str]) -> str:
    try:
        cid = slug(category, title, taken)
    except TrackerError:
        cid = category_info(category).prefix + "-proposal"
        n = 2
        while cid in taken:
            cid = f"{category_info(category).prefix}-proposal-{n}"[:MAX_ID]
            n += 1
    taken.add(cid)
    return cid


@dataclass
class _Draft:
    sent: tuple[int, int]  # reduced offsets
    target: tuple[int, int]
    verb: str
    lead_fr: str
    lead_en: str
    lang: str
    parties: rules.Parties
    category: str
    timing: tuple[rules.Timing, ...]
    confidence: float
    rule: str


def propose(
    stored: str,
    *,
    name: str,
    known: Sequence[str],
    everyone: tuple[str, ...],
    existing: Sequence[Existing] = (),
    taken: Sequence[str] = (),
    source_day: date | None = None,
    today: date,
    lex: Lexicon | None = None,
) -> list[Proposal]:
    """The proposals for one stored text (`name` tells its format: .html, .md, else plain)."""
    lex = lex or load()
    red = reduce(stored, kind_of(name, stored))
    drafts = _drafts(red, known, everyone, lex)
    ids = set(taken)
    out = []
    for d in drafts:
        text = red.text
        target = text[d.target[0] : d.target[1]]
        if d.lang == "fr":
            words = f"{d.verb} {target}" if d.verb else f"{d.lead_fr} {target}".strip()
            if not d.verb and d.lead_fr.endswith(" de") and re.match(r"[aeiouéèêAEIOUÉ]", target):
                words = f"{d.lead_fr[:-1]}’{target}"  # « en faveur d’un ordre »
            title_fr = _cap(_short(words))
            gloss = lex.verbs.get(d.verb.lower(), "") if d.verb else d.lead_en
            title = _cap(_short(f"{gloss} {target}")) if gloss else title_fr
        else:
            title_fr = ""
            words = target if d.verb else re.sub(r"^to\s+", "", target)
            title = _cap(_short(f"{d.verb or d.lead_en} {words}".strip()))
        due = next((t.due for t in d.timing if t.due is not None), None)
        start, end = red.stored_span(*d.sent)
        t_start, t_end = red.stored_span(*d.target)
        out.append(
            Proposal(
                id=_make_id(d.category, title, ids),
                title=title,
                title_fr=title_fr,
                category=d.category,
                parties=d.parties.names,
                quote=text[d.sent[0] : d.sent[1]],
                start=start,
                end=end,
                line=line_of(stored, start),
                target=target,
                target_start=t_start,
                target_end=t_end,
                timing=tuple(dict.fromkeys(t.words for t in d.timing)),
                due=due,
                review=None if due else rules.review_date(source_day, today),
                confidence=d.confidence,
                rule=d.rule,
            )
        )
    return _mark_tracked(out, red, drafts, existing)


_COORDINATED = re.compile(
    r"\s+et\s+(?:de\s+|d')([^\W\d]+(?:er|ir|re))\s+|,?\s+and\s+to\s+([a-z]+)\s+", re.I
)


def _coordinated(s: str, verb: str, start: int, end: int) -> list[tuple[str, int, int]]:
    """« de moderniser X et de faciliter Y », "to expand X and to establish Y": one target per
    verb."""
    out: list[tuple[str, int, int]] = []
    plain = rules.plain(s)
    for m in _COORDINATED.finditer(plain, start, end):
        out.append((verb, start, m.start()))
        verb, start = s[m.start(m.lastindex or 1) : m.end(m.lastindex or 1)], m.end()
    out.append((verb, start, end))
    return out


def _drafts(
    red: Reduced, known: Sequence[str], everyone: tuple[str, ...], lex: Lexicon
) -> list[_Draft]:
    out: list[_Draft] = []
    heading = ""
    before: tuple[str, ...] = ()
    seen: set[tuple[int, int]] = set()
    for sent in segment(red.text):
        s = red.text[sent.start : sent.end]
        if sent.heading:
            heading = s
            continue
        fired = rules.triggers(s, lex)
        category = rules.category_of(heading, s, lex)
        timing = tuple(rules.timings(s, lex))
        last: rules.Parties | None = None
        plain = rules.plain(s)
        for f in fired:
            t = f.trigger
            parties = rules.parties_of(s, f.start, known, everyone, before, lex)
            last = parties
            verb = ""
            obj = f.end
            clause = t.clause
            if t.infinitive:
                m = re.match(r"((?:s'|se\s+)?[^\W\d]+(?:-[^\W\d]+)?)\s+", plain[f.end :])
                if m is None:
                    continue
                if kind(plain[f.end :]) == "none":
                    verb, obj = s[f.end : f.end + len(m.group(1))], f.end + m.end()
                # else « veillera à la mise en œuvre »: an article, so no verb; the lead titles it.
            elif t.weak and not clause:
                # « La Chine fournira … »: the verb is the match's last word.
                said = plain[f.start : f.end].split()[-1].lower()
                verb = lex.futures.get(said, said)
            if clause:
                # « La prochaine session se déroulera … »: the whole clause is the target.
                words = rules.subject_words(s, f.start, known, lex)
                at = s.rfind(words, 0, f.start) if words else -1
                obj = at if at >= 0 else f.start
            end = rules.object_end(s, f.end if clause else obj, lex)
            parts = (
                [(verb, obj, end)]
                if clause or not t.infinitive
                else _coordinated(s, verb, obj, end)
            )
            for verb_i, a0, z0 in parts:
                items = [(a0, z0)] if clause else split_items(s, a0, z0)
                rule = (
                    t.label
                    + (" + coordinated verbs" if len(parts) > 1 else "")
                    + (f" + enumeration of {len(items)}" if len(items) > 1 else "")
                    + (" + no subject named: every party" if parties.how == "default" else "")
                )
                conf = t.confidence - (0.1 if parties.how == "default" else 0.0)
                for a, z in items:
                    span = (sent.start + a, sent.start + z)
                    if span in seen or z <= a:
                        continue
                    seen.add(span)
                    out.append(
                        _Draft(
                            (sent.start, sent.end),
                            span,
                            verb_i,
                            t.title_fr,
                            t.title_en,
                            t.lang,
                            parties,
                            category,
                            timing,
                            round(conf, 2),
                            rule,
                        )
                    )
        if fired and not fired[0].trigger.weak:
            for sub in lex.subsidiary:
                for m in sub.pattern.finditer(plain, fired[0].end):
                    end = rules.object_end(s, m.end(), lex)
                    span = (sent.start + m.end(), sent.start + end)
                    if end <= m.end() or span in seen:
                        continue
                    seen.add(span)
                    verb = infinitive(s[m.start(1) : m.end(1)]) if sub.lang == "fr" else ""
                    assert last is not None
                    out.append(
                        _Draft(
                            (sent.start, sent.end),
                            span,
                            verb,
                            "",
                            "",
                            sub.lang,
                            last,
                            category,
                            timing,
                            round(sub.confidence, 2),
                            f"{fired[0].trigger.label} + {sub.label}",
                        )
                    )
        if last is not None:
            before = last.names
        elif fired == []:
            named = rules.parties_of(s, len(s), known, everyone, before, lex)
            if named.how in ("named", "all"):
                before = named.names
    return out


def _mark_tracked(
    proposals: list[Proposal], red: Reduced, drafts: list[_Draft], existing: Sequence[Existing]
) -> list[Proposal]:
    """Each existing commitment tracks at most one proposal: the one whose sentence holds its
    quote, best matched by the target's words in its titles and quote."""
    scores: list[tuple[float, int, int]] = []
    for j, c in enumerate(existing):
        where = find_quote(red.text, c.quote)
        if where is None:
            continue
        a, z = where
        words = set(fold(f"{c.title_fr} {c.title}").split())
        for i, d in enumerate(drafts):
            s0, s1 = d.sent
            if z <= s0 or a >= s1:
                continue
            t0, t1 = d.target
            score = 2.0 if a <= t0 and t1 <= z else (1.0 if t0 <= a and z <= t1 else 0.5)
            target_words = set(fold(red.text[t0:t1]).split())
            if target_words:
                score += len(words & target_words) / len(target_words)
            scores.append((score, i, j))
    scores.sort(key=lambda x: (-x[0], x[1], x[2]))
    out = list(proposals)
    used_p: set[int] = set()
    used_c: set[int] = set()
    for _score, i, j in scores:
        if i in used_p or j in used_c:
            continue
        used_p.add(i)
        used_c.add(j)
        out[i] = replace(out[i], tracked=existing[j].id)
    return out
