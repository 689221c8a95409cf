"""Markdown that cannot be broken (issue 24): every piece of user text in every Markdown output
reads back as written through a real CommonMark parser (markdown-it-py), on one line, with no
formatting, link, raw HTML or list item of its own."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .conftest import Cli

markdown_it = pytest.importorskip("markdown_it")

NASTY = "Deliver *wheat* <b>now</b> `x` [a](http://e.org) &amp; 1. | #5 _u_ \\ ~~s~~"
NOTE = "first line\n\n- a bullet that is not an item\n\n# not a heading"


def _parse(text: str) -> list[Any]:
    md = markdown_it.MarkdownIt("commonmark").enable("table")
    return list(md.parse(text))


def _inline(tokens: list[Any]) -> Iterator[Any]:
    for t in tokens:
        if t.type == "inline":
            yield from t.children or []


def _texts(tokens: list[Any]) -> list[str]:
    """The plain text of each inline run (text and code spans joined), one per block."""
    out = []
    for t in tokens:
        if t.type == "inline":
            out.append(
                "".join(c.content for c in t.children or [] if c.type in ("text", "code_inline"))
            )
    return out


def _nasty(cli: Cli) -> str:
    r = cli(
        "add",
        NASTY,
        "--id",
        "dev-nasty",
        "--category",
        "development",
        "--party",
        "Russia",
        "--due",
        "2026-12-01",
        "--quote",
        "un texte",
    )
    assert r.exit_code == 0, r.output
    assert cli("note", "dev-nasty", NOTE).exit_code == 0
    return "dev-nasty"


def _no_markup(tokens: list[Any], allow: frozenset[str] = frozenset()) -> None:
    kinds = {c.type for c in _inline(tokens)} - allow
    assert not kinds & {"em_open", "strong_open", "link_open", "html_inline", "s_open", "image"}
    assert not any(t.type in ("html_block", "heading_open") and t.tag == "h1" for t in tokens[1:])


@pytest.mark.parametrize("argv", [["list"], ["due", "--within", "30d"], ["log"]])
def test_tables_read_back_as_written(cli: Cli, argv: list[str]) -> None:
    _nasty(cli)
    r = cli(*argv, "--format", "markdown")
    assert r.exit_code == 0, r.output
    tokens = _parse(r.stdout)
    _no_markup(tokens)
    texts = _texts(tokens)
    if argv[0] == "log":
        assert " ".join(NOTE.split()) in texts, texts
    else:
        assert NASTY in texts, texts


def test_show_reads_back_as_written_one_item_per_line(cli: Cli) -> None:
    assert cli("status", "dev-infra", "stalled", "--party", "Mali").exit_code == 0
    _nasty(cli)
    r = cli("show", "dev-nasty", "--format", "markdown")
    tokens = _parse(r.stdout)
    _no_markup(tokens, allow=frozenset({"strong_open"}))  # the labels are bold, nothing else
    assert sum(c.type == "strong_open" for c in _inline(tokens)) == sum(
        ln.startswith("- **") for ln in r.stdout.splitlines()
    )
    texts = _texts(tokens)
    assert NASTY in texts[0]  # the heading, with the ID beside it
    assert any(" ".join(NOTE.split()) in t for t in texts), texts
    # "By party": one list item per party, not lines run together into one paragraph.
    r = cli("show", "dev-infra", "--format", "markdown")
    texts = _texts(_parse(r.stdout))
    by_party = [t for t in texts if t.startswith(("AES", "Mali", "Niger", "Burkina", "Russia"))]
    assert len(by_party) >= 4, texts


def test_the_reports_changed_list_has_as_many_items_as_it_announces(cli: Cli) -> None:
    _nasty(cli)
    assert cli("note", "sec-targ", NOTE).exit_code == 0
    r = cli("report", "--format", "markdown")
    assert r.exit_code == 0, r.output
    tokens = _parse(r.stdout)
    _no_markup(tokens)
    # The "Changed (N)" section: N items at its top level.
    start = next(
        i for i, t in enumerate(tokens) if t.type == "inline" and t.content.startswith("Changed")
    )
    announced = int(tokens[start].content.split("(")[1].split(")")[0])
    depth = 0
    items = 0
    for t in tokens[start + 2 :]:
        if t.type == "heading_open":
            break
        if t.type == "bullet_list_open":
            depth += 1
        elif t.type == "bullet_list_close":
            depth -= 1
        elif t.type == "list_item_open" and depth == 1:
            items += 1
    assert items == announced, r.stdout
    assert any(" ".join(NOTE.split()) in t for t in _texts(tokens))


def test_a_backtick_in_an_id_like_field_keeps_its_code_span() -> None:
    from aes_tracker.render import md_code

    for s in ("a`b", "`x`", "plain", "a``b"):
        tokens = _parse(md_code(s))
        codes = [c.content for c in _inline(tokens) if c.type == "code_inline"]
        assert codes == [s], (s, md_code(s))


@pytest.mark.parametrize(
    "s",
    [
        "- dash",
        "1. one",
        "2) two",
        "# hash",
        "> quote",
        "+ plus",
        "-239",
        "in_progress*",
        "_u_",
        "a\\*b",
        "<!-- c -->",
        "&eacute;",
        "x\n\ny",
        "| pipe |",
        "[x]: http://e.org",
    ],
)
def test_any_text_is_one_item_that_reads_back(s: str) -> None:
    from aes_tracker.render import md

    tokens = _parse(f"- {md(s)}\n")
    assert [t.type for t in tokens].count("list_item_open") == 1
    _no_markup(tokens)
    assert _texts(tokens) == [" ".join(s.split())]
