"""`extract`'s core: the segmenter, the enumeration splitter and HTML/Markdown reading on their
own; then the proposals on the bundled communiqué (one covering each of the twelve bundled
quotes, nothing from the praise, the denunciation or the delegations) and on test communiqués
written in the genre, each with its commitments listed by hand beside it (precision and recall
printed, at least 0.8 and 0.9 required)."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

import pytest

from aes_tracker.extract.enumerate import split_items
from aes_tracker.extract.propose import Existing, Proposal, propose, source_parties
from aes_tracker.extract.segment import segment
from aes_tracker.extract.text import HTML, MARKDOWN, find_quote, normalise, reduce

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "data" / "commitments.toml"
COMMUNIQUE = ROOT / "data" / "sources" / "communique-aes-russie-2025-04-03.txt"
CORPUS = Path(__file__).parent / "data" / "communiques"
TODAY = date(2026, 6, 1)


def sentences(text: str) -> list[str]:
    return [text[s.start : s.end] for s in segment(text) if not s.heading]


# ---- the segmenter -------------------------------------------------------------------------------


def test_segmenter_keeps_offsets_and_reads_headings() -> None:
    text = "Sécurité : un partenariat\nLa Russie aidera. Le Mali aussi.\n"
    got = segment(text)
    assert [(text[s.start : s.end], s.heading) for s in got] == [
        ("Sécurité : un partenariat", True),
        ("La Russie aidera.", False),
        ("Le Mali aussi.", False),
    ]


def test_segmenter_does_not_split_after_abbreviations_or_initials() -> None:
    text = (
        "La réunion a été coprésidée par MM. Lavrov et Diop. S.E. M. Diop a pris la parole. "
        "Mr. Fidan and Dr. Smith met J. Doe in the U.S. capital. The talks ended."
    )
    assert sentences(text) == [
        "La réunion a été coprésidée par MM. Lavrov et Diop.",
        "S.E. M. Diop a pris la parole.",
        "Mr. Fidan and Dr. Smith met J. Doe in the U.S. capital.",
        "The talks ended.",
    ]


def test_segmenter_keeps_a_quoted_sentence_whole() -> None:
    text = "Le ministre a déclaré : « Nous avançons. Nous tiendrons parole. » La séance fut levée."
    assert sentences(text) == [
        "Le ministre a déclaré : « Nous avançons. Nous tiendrons parole. »",
        "La séance fut levée.",
    ]


def test_segmenter_leaves_paragraph_numbers_out() -> None:
    text = "1. Les parties ont convenu de tout.\n2) The parties agreed. Then left.\n(a) Point a."
    assert sentences(text) == [
        "Les parties ont convenu de tout.",
        "The parties agreed.",
        "Then left.",
        "Point a.",
    ]


def test_segmenter_on_the_bundled_communique() -> None:
    text = COMMUNIQUE.read_text(encoding="utf-8")
    got = segment(text)
    headings = [text[s.start : s.end] for s in got if s.heading]
    assert headings[1:] == [
        "Une volonté politique affirmée",
        "Sécurité : un partenariat renforcé",
        "Diplomatie : convergence de vues",
        "Développement : des engagements concrets",
        "Vers une institutionnalisation du dialogue",
    ]
    body = sentences(text)
    assert "La réunion a été coprésidée par MM. Lavrov et Diop, ce dernier représentant" in body[3]
    assert len(body) == 16


# ---- the enumeration splitter --------------------------------------------------------------------


def items(phrase: str) -> list[str]:
    text = "xx " + phrase + " yy"
    return [text[a:z] for a, z in split_items(text, 3, 3 + len(phrase))]


def test_enumeration_of_three_with_offsets() -> None:
    assert items(
        "une assistance technique, des équipements militaires adaptés et des formations ciblées"
    ) == [
        "une assistance technique",
        "des équipements militaires adaptés",
        "des formations ciblées",
    ]


def test_enumeration_of_prepositional_items() -> None:
    assert items(
        "au respect des principes de la Charte des Nations unies, à la non-ingérence dans les "
        "affaires intérieures des États et à un traitement équitable de tous les pays"
    ) == [
        "au respect des principes de la Charte des Nations unies",
        "à la non-ingérence dans les affaires intérieures des États",
        "à un traitement équitable de tous les pays",
    ]


def test_enumeration_of_mixed_articles_with_a_nested_conjunction() -> None:
    assert items(
        "du matériel de déminage et un appui logistique aux forces de défense et de sécurité"
    ) == [
        "du matériel de déminage",
        "un appui logistique aux forces de défense et de sécurité",
    ]


def test_english_bare_nouns() -> None:
    assert items("wheat, fertiliser and fuel to the three member States") == [
        "wheat",
        "fertiliser",
        "fuel to the three member States",
    ]


@pytest.mark.parametrize(
    "phrase",
    [
        "un partenariat stratégique fondé sur le pragmatisme et la solidarité",
        "la transformation locale du coton, de l’or et des produits de l’élevage",
        "a feasibility study for a railway line linking Bamako, Ouagadougou and Niamey",
        "cooperation in trade, energy and agriculture",
        "les échanges entre opérateurs économiques",
    ],
)
def test_what_is_not_an_enumeration_stays_whole(phrase: str) -> None:
    assert items(phrase) == [phrase]


# ---- reading HTML and Markdown -------------------------------------------------------------------


def test_html_is_read_as_text_with_offsets_into_the_stored_file() -> None:
    stored = "<p>Russia will deliver <em>two</em>\nhelicopters &amp; trucks.</p><p>Next.</p>"
    red = reduce(stored, HTML)
    assert red.text == "Russia will deliver two helicopters & trucks.\nNext.\n"
    i = red.text.index("two helicopters")
    a, z = red.stored_span(i, i + len("two helicopters & trucks"))
    assert stored[a:z] == "two</em>\nhelicopters &amp; trucks"


def test_markdown_is_read_as_text_with_offsets() -> None:
    stored = "# Sécurité\n\nLa **Russie** fournira\ndes [drones](http://x.org).\n"
    red = reduce(stored, MARKDOWN)
    assert red.text.split("\n")[:2] == ["Sécurité", "La Russie fournira des drones."]
    i = red.text.index("Russie")
    assert stored[slice(*red.stored_span(i, i + 6))] == "Russie"


def test_quotes_compare_under_whitespace_and_apostrophes_only() -> None:
    text = "ont décidé d’intensifier   les\néchanges"
    assert find_quote(text, "ont décidé d'intensifier les échanges") == (0, len(text))
    assert find_quote(text, "ont décidé d’intensifier des échanges") is None
    assert normalise(" a\u00a0 b’c ") == "a b'c"


# ---- the bundled communiqué ----------------------------------------------------------------------


def _bundled() -> tuple[dict[str, object], list[Proposal], str]:
    raw = tomllib.loads(BUNDLED.read_text(encoding="utf-8"))
    text = COMMUNIQUE.read_text(encoding="utf-8")
    groups = {k: v["members"] for k, v in raw["groups"].items()}
    proposals = propose(
        text,
        name=COMMUNIQUE.name,
        known=raw["parties"],
        everyone=source_parties(raw["parties"], groups, []),
        source_day=date(2025, 4, 3),
        today=TODAY,
    )
    return raw, proposals, text


def test_each_bundled_quote_is_covered_and_the_three_aids_are_three() -> None:
    raw, proposals, text = _bundled()
    commitments = raw["commitments"]
    assert isinstance(commitments, dict)
    for p in proposals:
        assert text[p.start : p.end] == p.quote  # an exact span of the stored text
        assert text[p.target_start : p.target_end] == p.target
    for cid, c in commitments.items():
        where = find_quote(text, c["quote"])
        assert where is not None, cid
        a, z = where
        covering = [p for p in proposals if p.start <= a and z <= p.end]
        if not covering:
            # A quote of two sentences (the annual consultations'): a proposal for each.
            inside = [p for p in proposals if a <= p.start and p.end <= z]
            assert min(p.start for p in inside) == a and max(p.end for p in inside) == z, cid
            assert " ".join(dict.fromkeys(p.quote for p in inside)) == text[a:z], cid
            covering = inside
        assert covering, cid
    aids = [p for p in proposals if p.rule == "s'est engagée à + enumeration of 3"]
    assert [p.target for p in aids] == [
        "une assistance technique",
        "des équipements militaires adaptés",
        "des formations ciblées",
    ]
    assert all(p.parties == ("Russia",) and p.category == "security" for p in aids)
    assert len(proposals) == 12


def test_nothing_from_praise_denunciation_or_the_delegations() -> None:
    _raw, proposals, text = _bundled()
    for words in (
        "ont salué leur étroite concertation",
        "ont également dénoncé l’ingérence",
        "Les délégations étaient conduites par",
        "La réunion a été coprésidée",
    ):
        at = text.index(words)
        assert not [p for p in proposals if p.start <= at < p.end], words


def test_bundled_proposals_parties_categories_timing() -> None:
    _raw, proposals, _text = _bundled()
    by_target = {p.target: p for p in proposals}
    p = by_target["un partenariat stratégique fondé sur le pragmatisme et la solidarité"]
    assert (p.parties, p.category, p.title_fr) == (
        ("AES", "Russia"),
        "security",
        "Instaurer un partenariat stratégique fondé sur le pragmatisme et la solidarité",
    )
    p = by_target["ces consultations"]
    assert p.category == "institutional"
    assert p.timing == (
        "désormais",
        "chaque année",
        "en alternance entre la Russie et les États membres de l’AES",
    )
    assert p.due is None and p.review == date(2026, 12, 1)  # the anniversary has passed
    p = by_target["un environnement commercial propice aux investissements"]
    assert p.title_fr == "Créer un environnement commercial propice aux investissements"
    assert p.rule == "ont décidé de + en + participe présent"


def test_bundled_commitments_mark_their_proposals_as_tracked() -> None:
    raw, _proposals, text = _bundled()
    commitments = raw["commitments"]
    assert isinstance(commitments, dict)
    existing = [
        Existing(cid, c["quote"], c["title"], c.get("title_fr", ""))
        for cid, c in commitments.items()
    ]
    proposals = propose(
        text,
        name=COMMUNIQUE.name,
        known=raw["parties"],  # type: ignore[arg-type]
        everyone=("AES", "Russia"),
        existing=existing,
        source_day=date(2025, 4, 3),
        today=TODAY,
    )
    tracked = {p.target: p.tracked for p in proposals}
    assert tracked["une assistance technique"] == "sec-technical-assistance"
    assert tracked["des équipements militaires adaptés"] == "sec-military-equipment"
    assert tracked["des formations ciblées"] == "sec-targeted-training"
    assert tracked["à un traitement équitable de tous les pays"] == "dip-equitable-treatment"
    assert sorted(p.tracked for p in proposals) == sorted(commitments)


# ---- test communiqués with their commitments listed by hand -------------------------------------


def _matches(expected: str, target: str, others: list[str]) -> bool:
    e, t = normalise(expected).lower(), normalise(target).lower()
    if e in t:
        # A lump that holds several expected targets is none of them.
        return not any(normalise(o).lower() in t for o in others if normalise(o).lower() not in e)
    return t in e and len(t) * 2 >= len(e)


@pytest.mark.parametrize(
    "name", sorted(p.name for p in CORPUS.iterdir() if not p.name.endswith(".expected.toml"))
)
def test_precision_and_recall_on_communiques_written_for_the_tests(name: str) -> None:
    path = CORPUS / name
    spec = tomllib.loads(path.with_name(path.stem + ".expected.toml").read_text(encoding="utf-8"))
    text = path.read_text(encoding="utf-8")
    proposals = propose(
        text,
        name=name,
        known=spec["parties"],
        everyone=source_parties(spec["parties"], spec["groups"], []),
        source_day=spec["date"],
        today=TODAY,
    )
    expected = spec["expected"]
    targets = [e["target"] for e in expected]
    found: dict[int, Proposal] = {}
    used: set[int] = set()
    for i, e in enumerate(expected):
        others = [t for j, t in enumerate(targets) if j != i]
        for k, p in enumerate(proposals):
            if k in used or tuple(e["parties"]) != p.parties:
                continue
            if _matches(e["target"], p.target, others):
                found[i] = p
                used.add(k)
                break
    precision = len(used) / len(proposals) if proposals else 0.0
    recall = len(found) / len(expected)
    print(f"\n{name}: precision {precision:.2f}, recall {recall:.2f}")
    for i, e in enumerate(expected):
        if i not in found:
            print(f"  missed: {e['target']} {e['parties']}")
    for k, p in enumerate(proposals):
        if k not in used:
            print(f"  extra: {p.target!r} {p.parties} ({p.rule})")
    assert recall >= 0.9
    assert precision >= 0.8
    for i, p in found.items():
        if "due" in expected[i]:
            assert p.due == expected[i]["due"], expected[i]["target"]
    for p in proposals:
        assert text[p.target_start : p.target_end].replace("\n", " ") or p.target


def test_the_readmes_lexicon_example_teaches_a_new_pattern() -> None:
    """The README shows how to add a pattern: that entry, added to the lexicon, fires."""
    import re

    from aes_tracker.extract.lexicon import LEXICON, parse

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    snippet = re.search(r"```toml\n(# « Le Mali s'engage.*?)```", readme, re.S)
    assert snippet is not None
    text = "Le Mali s’engage résolument à construire une école à Gao.\n"
    before = propose(text, name="x.txt", known=["Mali"], everyone=("Mali",), today=TODAY)
    assert [p.rule for p in before] != ["s'engage résolument à"]
    doc = tomllib.loads(LEXICON.read_text(encoding="utf-8") + "\n" + snippet.group(1))
    after = propose(
        text, name="x.txt", known=["Mali"], everyone=("Mali",), today=TODAY, lex=parse(doc)
    )
    assert [(p.rule, p.parties, p.title_fr) for p in after] == [
        ("s'engage résolument à", ("Mali",), "Construire une école à Gao")
    ]


def test_titles_from_a_trigger_without_a_verb() -> None:
    text = (
        "Elles ont réaffirmé leur engagement en faveur d’un ordre international juste.\n"
        "Un secrétariat conjoint veillera à la mise en œuvre des décisions.\n"
    )
    got = propose(text, name="x.txt", known=["AES", "Iran"], everyone=("AES", "Iran"), today=TODAY)
    assert [(p.title_fr, p.title, p.parties) for p in got] == [
        (
            "Engagement en faveur d’un ordre international juste",
            "Support un ordre international juste",
            ("AES", "Iran"),
        ),
        (
            "Veiller à la mise en œuvre des décisions",
            "Ensure la mise en œuvre des décisions",
            ("AES", "Iran"),
        ),
    ]
