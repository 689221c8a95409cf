"""A communiqué's text as stored, and as read.

The text is stored as given (plain text, Markdown or HTML). What the segmenter reads is that text
reduced to plain text, paragraphs one per line, with, for every character, the stored offsets it
came from: so a proposal's quote is the words a person reads, and its offsets point into the
stored file. A quote is compared with the text under one normalisation only: runs of white
space are one space and typographic apostrophes are `'`.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

PLAIN, MARKDOWN, HTML = "text", "markdown", "html"

_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "‘": "'"})


@dataclass(frozen=True)
class Reduced:
    """Plain text with, for each of its characters, the stored span it came from."""

    stored: str
    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def stored_span(self, start: int, end: int) -> tuple[int, int]:
        """The stored offsets of text[start:end] (end > start)."""
        return self.starts[start], self.ends[end - 1]


class _Builder:
    def __init__(self) -> None:
        self.chars: list[str] = []
        self.starts: list[int] = []
        self.ends: list[int] = []

    def put(self, s: str, start: int, end: int) -> None:
        for ch in s:
            self.chars.append(ch)
            self.starts.append(start)
            self.ends.append(end)

    def newline(self, at: int) -> None:
        if self.chars and self.chars[-1] != "\n":
            self.put("\n", at, at)

    def space(self, at: int) -> None:
        if self.chars and self.chars[-1] not in " \n":
            self.put(" ", at, at + 1)

    def done(self, stored: str) -> Reduced:
        # Lines trimmed: trailing spaces carry nothing, and the segmenter reads lines.
        keep = [True] * len(self.chars)
        for i, ch in enumerate(self.chars):
            if ch == " " and (i + 1 == len(self.chars) or self.chars[i + 1] == "\n"):
                keep[i] = False
            if ch == " " and (i == 0 or self.chars[i - 1] == "\n"):
                keep[i] = False
        idx = [i for i, k in enumerate(keep) if k]
        return Reduced(
            stored,
            "".join(self.chars[i] for i in idx),
            tuple(self.starts[i] for i in idx),
            tuple(self.ends[i] for i in idx),
        )


def kind_of(name: str, text: str) -> str:
    """The format of a stored text, from its name, else from its first characters."""
    lower = name.lower()
    if lower.endswith((".html", ".htm", ".xhtml")):
        return HTML
    if lower.endswith((".md", ".markdown")):
        return MARKDOWN
    head = text.lstrip()[:200].lower()
    if head.startswith(("<!doctype html", "<html", "<p>", "<div", "<body", "<article")):
        return HTML
    return PLAIN


def normalise_newlines(text: str) -> str:
    """How a text is stored: line ends as \\n, no BOM."""
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def reduce(stored: str, kind: str) -> Reduced:
    if kind == HTML:
        return _reduce_html(stored)
    if kind == MARKDOWN:
        return _reduce_markdown(stored)
    return _reduce_plain(stored)


def _reduce_plain(stored: str) -> Reduced:
    b = _Builder()
    # With blank lines between paragraphs, a single line end is a wrapped line, read as a space;
    # without any, each line is a paragraph (as communiqués copied from the web usually are).
    wrapped = "\n\n" in stored.strip("\n")
    lines = stored.split("\n")
    pos = 0
    for i, line in enumerate(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        for k, ch in enumerate(line):
            b.put(ch, pos + k, pos + k + 1)
        end = pos + len(line)
        if wrapped and line.strip() and nxt.strip() and not _heading_like(line):
            b.space(end)
        else:
            b.newline(end)
        pos = end + 1
    return b.done(stored)


def _heading_like(line: str) -> bool:
    s = line.strip()
    return len(s) < 100 and not s.endswith((".", ",", ";", ":", "»", '"', "!", "?"))


_MD_LINE = re.compile(r"^(\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+|\d+[.)]\s+)?)")
_MD_INLINE = re.compile(r"\*\*|__|`|\*|!?\[|\]\([^)]*\)|\]")


def _reduce_markdown(stored: str) -> Reduced:
    b = _Builder()
    lines = stored.split("\n")
    pos = 0
    for i, line in enumerate(lines):
        m = _MD_LINE.match(line)
        lead = m.group(1) if m else ""
        heading = lead.lstrip().startswith("#")
        # A numbered paragraph keeps its number: the segmenter reads it as a marker.
        if re.match(r"\s*\d+[.)]\s", lead):
            lead = ""
        k = len(lead)
        last = 0
        body_start = pos + k
        body = line[k:]
        for tok in _MD_INLINE.finditer(body):
            for j in range(last, tok.start()):
                b.put(body[j], body_start + j, body_start + j + 1)
            last = tok.end()
        for j in range(last, len(body)):
            b.put(body[j], body_start + j, body_start + j + 1)
        end = pos + len(line)
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        nxt_block = not nxt.strip() or bool(re.match(r"\s{0,3}(#|>|[-*+]\s|\d+[.)]\s)", nxt))
        if heading or nxt_block or not line.strip():
            b.newline(end)
        else:
            b.space(end)
        pos = end + 1
    return b.done(stored)


_HTML_TOKEN = re.compile(
    r"<!--.*?-->|<(script|style|head)\b.*?</\1\s*>|<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*>"
    r"|&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);",
    re.S | re.I,
)
_BLOCKS = {
    "p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "td", "th", "section",
    "article", "header", "footer", "ul", "ol", "table", "blockquote", "title", "main", "body",
}  # fmt: skip


def _reduce_html(stored: str) -> Reduced:
    b = _Builder()
    last = 0

    def text_run(a: int, z: int) -> None:
        for j in range(a, z):
            ch = stored[j]
            if ch in " \t\r\n":
                b.space(j)
            else:
                b.put(ch, j, j + 1)

    for m in _HTML_TOKEN.finditer(stored):
        text_run(last, m.start())
        last = m.end()
        tok = m.group(0)
        if tok.startswith("&"):
            b.put(html.unescape(tok), m.start(), m.end())
        elif m.group(3) and m.group(3).lower() in _BLOCKS:
            b.newline(m.start())
    text_run(last, len(stored))
    return b.done(stored)


def normalise(text: str) -> str:
    """The one normalisation a quote is compared under: white space and apostrophes."""
    return " ".join(text.translate(_APOSTROPHES).split())


def _normalised_with_map(text: str) -> tuple[str, list[int]]:
    out: list[str] = []
    where: list[int] = []
    space = False
    for i, ch in enumerate(text.translate(_APOSTROPHES)):
        if ch.isspace():
            space = bool(out)
            continue
        if space:
            out.append(" ")
            where.append(i)
            space = False
        out.append(ch)
        where.append(i)
    return "".join(out), where


def find_quote(text: str, quote: str, start: int = 0) -> tuple[int, int] | None:
    """Where `quote` occurs in `text` (offsets into `text`), under `normalise`; None if not."""
    norm, where = _normalised_with_map(text)
    q = normalise(quote)
    if not q:
        return None
    at = norm.find(q, _index_at(where, start))
    if at < 0:
        return None
    return where[at], where[at + len(q) - 1] + 1


def _index_at(where: list[int], offset: int) -> int:
    import bisect

    return bisect.bisect_left(where, offset)


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1
