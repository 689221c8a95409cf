"""`aes-tracker site DIR`: the tracker as a static site. Every page parses as HTML with no error
(html5lib, strict), every internal link resolves, nothing is loaded from another host, titles
and the as-of date are on the dashboard, text from the data is escaped, local evidence is copied
and linked relatively, the source's text has its quotes highlighted, and DIR is replaced whole,
only when an earlier `site` built it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import urldefrag, urlparse

import pytest

from aes_tracker.render.site import quote_pieces

from .conftest import Cli

HERE = Path(__file__).resolve().parent
AS_OF = "2026-11-28"


def _pages(site: Path) -> dict[Path, str]:
    return {p: p.read_text(encoding="utf-8") for p in sorted(site.rglob("*.html"))}


def _parse(text: str):  # type: ignore[no-untyped-def]
    html5lib = pytest.importorskip("html5lib")
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    return parser.parse(text)


def check_site(site: Path) -> dict[Path, str]:
    """What every site keeps; the pages by path."""
    pages = _pages(site)
    assert pages
    for path, text in pages.items():
        doc = _parse(text)  # strict: raises on any parse error
        ids = [e.get("id") for e in doc.iter() if isinstance(e.tag, str) and e.get("id")]
        assert len(ids) == len(set(ids)), (path, [i for i in ids if ids.count(i) > 1])
        assert doc.find(".//script") is None and doc.find(".//link") is None
        assert doc.find(".//iframe") is None and doc.find(".//img") is None
        for el in doc.iter():
            if not isinstance(el.tag, str):
                continue
            for attr in ("src", "srcset", "data", "poster"):
                assert el.get(attr) is None, (path, el.tag, attr)
            style = el.get("style") or ""
            assert "url(" not in style
        assert "@import" not in text and "@font-face" not in text
        for a in doc.iter("a"):
            href = a.get("href")
            assert href, (path, a.text)
            if urlparse(href).scheme in ("http", "https"):
                continue  # a link, never a load
            assert not urlparse(href).scheme and not href.startswith("/"), href
            target, frag = urldefrag(href)
            dest = (path.parent / target).resolve() if target else path
            assert dest.is_file(), (path, href)
            if frag and dest.suffix == ".html":
                assert f'id="{frag}"' in dest.read_text(encoding="utf-8"), (path, href)
    return pages


@pytest.fixture
def built(cli: Cli, tmp_path: Path) -> Path:
    site = tmp_path / "site"
    r = cli("site", str(site), as_of=AS_OF)
    assert r.exit_code == 0, r.output
    assert r.stdout == f"{site}: 14 pages written\n"
    return site


def test_the_site_has_a_page_for_everything_and_every_link_resolves(built: Path) -> None:
    pages = check_site(built)
    names = {p.relative_to(built).as_posix() for p in pages}
    assert "index.html" in names
    assert "c/inst-annual-consultations.html" in names
    assert "s/aes-russia-2025-04-03.html" in names
    assert len([n for n in names if n.startswith("c/")]) == 12
    index = pages[built / "index.html"]
    assert '<html lang="en">' in index
    assert "The commitments, as of 2026-11-28" in index
    # Every commitment's title, the charts inline (each with its title), the overdue one.
    for title in re.findall(
        r'^title = "(.*)"$', (HERE.parent / "data" / "commitments.toml").read_text(), re.M
    ):
        if "Consultations" in title:  # the source's title
            continue
        assert title.replace("'", "&#39;") in index, title
    assert index.count("<svg ") == 3
    assert '<title id="matrix-chart-title">' in index
    assert 'class="date overdue"' in index
    page = pages[built / "c" / "inst-annual-consultations.html"]
    assert "session held, host Russia, 2025-04-03, by bundled-data" in page
    assert 'href="../s/aes-russia-2025-04-03.html#q-inst-annual-consultations"' in page


def test_rebuilding_replaces_the_site_whole(cli: Cli, built: Path) -> None:
    (built / "c" / "stale.html").write_text("old")
    r = cli("site", str(built), as_of=AS_OF)
    assert r.exit_code == 0, r.output
    assert not (built / "c" / "stale.html").exists()
    assert [p.name for p in built.parent.iterdir() if p.name.startswith(".site")] == []


def test_a_folder_it_did_not_build_is_refused(cli: Cli, tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    r = cli("site", str(mine), as_of=AS_OF)
    assert r.exit_code == 2
    assert r.stderr.startswith(f"error: {mine}: is a folder that `aes-tracker site` did not build")
    assert "Traceback" not in r.output
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]
    # The data file's own folder, never.
    r = cli("site", str(cli.path.parent), as_of=AS_OF)
    assert r.exit_code == 2 and "holds the data file" in r.stderr


def test_the_site_in_french(cli: Cli, tmp_path: Path) -> None:
    site = tmp_path / "fr"
    r = cli("site", str(site), "--lang", "fr", as_of=AS_OF)
    assert r.exit_code == 0, r.output
    pages = check_site(site)
    index = pages[site / "index.html"]
    assert '<html lang="fr">' in index
    assert "Les engagements au 28 novembre 2026" in index
    assert "Tenir les consultations chaque année" in index


def test_text_from_the_data_is_escaped_and_evidence_copied(cli: Cli, tmp_path: Path) -> None:
    proof = cli.path.parent / "proof of delivery.pdf"
    proof.write_bytes(b"%PDF-1.4 fixture")
    r = cli("edit", "sec-mil", "--title", "Deliver <script>alert(1)</script> & more")
    assert r.exit_code == 0, r.output
    r = cli("note", "sec-mil", "Deliveries <b>reported</b>", "--evidence", str(proof))
    assert r.exit_code == 0, r.output
    site = tmp_path / "site"
    r = cli("site", str(site), as_of=AS_OF)
    assert r.exit_code == 0, r.output
    pages = check_site(site)
    page = pages[site / "c" / "sec-military-equipment.html"]
    assert "<script>" not in page and "<b>" not in page
    assert "Deliver &lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in page
    assert 'href="../evidence/1-proof_of_delivery.pdf"' in page
    assert (site / "evidence" / "1-proof_of_delivery.pdf").read_bytes() == proof.read_bytes()
    assert "Deliver &lt;script&gt;" in pages[site / "index.html"]


def test_quotes_are_found_in_the_text_whatever_the_quote_marks_and_spaces() -> None:
    text = "Préambule.\nLes parties ont convenu d’intensifier\n  les échanges. Fin du texte."
    pieces, found = quote_pieces(
        text,
        {
            "dev-x": "ont convenu d'intensifier les échanges",
            "dev-y": "« intensifier les échanges »",  # overlaps dev-x
            "gone": "une phrase absente du texte",
        },
    )
    assert found == {"dev-x", "dev-y"}
    assert "".join(p["text"] for p in pieces) == text  # nothing lost, nothing added
    marked = [(p["text"], p["ids"], p["starts"], p["ends"]) for p in pieces if p["ids"]]
    assert marked == [
        ("ont convenu d’", ["dev-x"], ["dev-x"], []),
        ("intensifier\n  les échanges", ["dev-x", "dev-y"], ["dev-y"], ["dev-x", "dev-y"]),
    ]


def test_every_bundled_quote_is_found_in_the_stored_communique() -> None:
    import tomllib

    from aes_tracker.domain.validate import check_document

    from .conftest import COMMUNIQUE, DATA

    doc, problems = check_document(tomllib.loads(DATA.read_text()))
    assert problems == [] and doc is not None
    quotes = {c.id: c.quote for c in doc.commitments.values()}
    _pieces, found = quote_pieces(COMMUNIQUE.read_text(encoding="utf-8"), quotes)
    assert found == set(quotes)


def test_a_source_page_highlights_its_quotes_in_the_stored_text(tmp_path: Path) -> None:
    """The page shows the text, each tracked quote highlighted and linked to its commitment,
    what no commitment quotes left plain, and the quotes not found in the text said so."""
    import tomllib

    from aes_tracker.domain.validate import check_document
    from aes_tracker.render.site import build

    doc, problems = check_document(
        tomllib.loads((HERE.parent / "data" / "commitments.toml").read_text())
    )
    assert problems == [] and doc is not None
    full = dict(doc.commitments)
    catalog = doc.catalog()
    quote = full["dev-infrastructure"].quote
    text = "Un paragraphe que personne ne cite.\n\n" + quote + "\n\nLa fin."
    from datetime import date

    pages, _copies = build(
        catalog,
        lambda ids: [full[i] for i in ids],
        date(2026, 11, 28),
        texts={"aes-russia-2025-04-03": text},
    )
    page = pages["s/aes-russia-2025-04-03.html"].decode()
    assert '<span id="q-dev-infrastructure"></span><mark title="dev-infrastructure">' in page
    assert '<sup><a href="../c/dev-infrastructure.html">dev-infrastructure</a></sup>' in page
    assert "Un paragraphe que personne ne cite." in page
    assert page.count("not found word for word in the text") == 11
    site = tmp_path / "s"
    for rel, content in pages.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_bytes(content)
    check_site(site)
    shutil.rmtree(site)
