"""The bundled data: faithful to the communiqué, valid, canonical."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from aes_tracker.domain.statuses import PENDING, categories
from aes_tracker.domain.validate import check_document
from aes_tracker.store.paths import bundled_path
from aes_tracker.store.tomlfile import dumps, find_comment

from .conftest import COMMUNIQUE, DATA, ROOT

SHARED = ROOT.parent / "shared" / "sources" / COMMUNIQUE.name
# The SHA-256 of the communiqué as the project received it (../shared/sources/ beside the
# checkout, where there is one): the repository's copy must be that text, byte for byte.
COMMUNIQUE_SHA256 = "60e88e6802af64fcbe2811feabfd7417fbf1973ce0d2e20d946c405629a22fc5"


@pytest.fixture(scope="module")
def raw() -> dict:
    return tomllib.loads(DATA.read_text(encoding="utf-8"))


def test_repo_copy_of_the_communique_is_the_shared_source() -> None:
    import hashlib

    assert hashlib.sha256(COMMUNIQUE.read_bytes()).hexdigest() == COMMUNIQUE_SHA256
    if SHARED.exists():  # beside a working checkout: the very same bytes
        assert COMMUNIQUE.read_bytes() == SHARED.read_bytes()


def test_every_quote_is_verbatim_from_the_communique(raw: dict) -> None:
    text = COMMUNIQUE.read_text(encoding="utf-8")
    for cid, c in raw["commitments"].items():
        assert c["quote"].strip(), cid
        assert c["quote"] in text, f"{cid}: quote not found verbatim in the communiqué"


def test_every_timing_phrase_is_verbatim(raw: dict) -> None:
    text = COMMUNIQUE.read_text(encoding="utf-8")
    for cid, c in raw["commitments"].items():
        for phrase in c.get("timing", []):
            assert phrase in text, f"{cid}: timing {phrase!r} not in the text"


def test_bundled_data_is_valid_and_complete(raw: dict) -> None:
    data, problems = check_document(raw)
    assert problems == []
    assert 10 <= len(data.commitments) <= 15
    assert {c.category for c in data.commitments.values()} == {c.name for c in categories()}
    src = data.sources["aes-russia-2025-04-03"]
    assert (str(src.date), src.place, src.language) == ("2025-04-03", "Moscow", "fr")
    assert src.publisher and src.author


def test_the_three_security_undertakings_are_separate(raw: dict) -> None:
    titles = {
        cid: c["title"].lower()
        for cid, c in raw["commitments"].items()
        if c["category"] == "security"
    }
    for word in ("technical assistance", "military equipment", "training"):
        assert sum(word in t for t in titles.values()) == 1, word


def test_no_invented_deadlines(raw: dict) -> None:
    """The text gives no date: every commitment either has no deadline, with a review date and
    its reason, or a due date whose reason says where it comes from."""
    for cid, c in raw["commitments"].items():
        if "due" in c:
            assert "not a date from the text" in c["due_reason"].lower(), cid
        else:
            assert c["no_deadline"] is True and c["review"] and c["review_reason"], cid
        first = c["history"][0]
        assert (str(first["on"]), first["event"], first["status"]) == (
            "2025-04-03",
            "recorded",
            PENDING,
        ), cid


def test_consultations_recur_yearly_next_in_an_aes_state(raw: dict) -> None:
    c = raw["commitments"]["inst-annual-consultations"]
    assert c["recur"] == "yearly" and str(c["recur_start"]) == "2025-04-03"
    assert c["next_host"] == "AES member state"
    assert c["hosts"] == ["Russia", "AES member state"]
    assert "chaque année" in c["timing"]


def test_the_aes_group_is_its_three_states(raw: dict) -> None:
    """The communiqué names the AES delegations: Mali, Burkina Faso and Niger, and no other."""
    text = COMMUNIQUE.read_text(encoding="utf-8")
    assert "(Mali), Karamoko Jean Marie Traoré (Burkina Faso), Bakary Yaou Sangaré (Niger)" in text
    assert raw["groups"] == {"AES": {"members": ["Burkina Faso", "Mali", "Niger"]}}
    data, _problems = check_document(raw)
    assert data.groups == {"AES": ("Burkina Faso", "Mali", "Niger")}
    # The data holds no assessment of any one party: the text reports none.
    assert all(not c.assessments for c in data.commitments.values())


def test_data_file_is_canonical_and_has_no_comment() -> None:
    text = DATA.read_bytes()
    assert dumps(tomllib.loads(text.decode())) == text
    assert find_comment(text.decode()) is None


def test_bundled_path_points_at_the_same_data() -> None:
    assert Path(bundled_path()).read_bytes() == DATA.read_bytes()


# The French titles use the communiqué's own words; only these verbs are put in the infinitive
# where the text conjugates them ("se tiendront", "en créant").
_TITLE_VERBS = {"tenir", "créer"}


def test_every_french_title_is_in_the_communiques_own_words(raw: dict) -> None:
    import re

    words = re.compile(r"[\w’'-]+")
    text = COMMUNIQUE.read_text(encoding="utf-8").lower()
    in_text = {w.split("’")[-1].split("'")[-1] for w in words.findall(text)}
    for cid, c in raw["commitments"].items():
        assert c.get("title_fr"), f"{cid} has no French title"
        for w in words.findall(c["title_fr"].lower()):
            w = w.split("’")[-1].split("'")[-1]
            assert w in in_text or w in _TITLE_VERBS, f"{cid}: {w!r} is not a word of the text"
