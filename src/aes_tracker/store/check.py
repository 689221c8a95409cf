"""`aes-tracker check`: every problem of the data file at once, each with its line.

Linear in the size of the file, and light: a file laid out as the writer lays it out (one section
per commitment) is checked section by section, so a 50 MB file is never held as one parsed
document; each problem's line comes from an index of its own section. Any other layout, or a
section that does not parse on its own, is parsed whole, which also names a TOML error exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from aes_tracker.domain.validate import (
    Problem,
    check_commitment,
    check_document,
    context_of,
    dotted,
    schedule_problems,
)
from aes_tracker.errors import TrackerError
from aes_tracker.i18n import _
from aes_tracker.store.paths import Location
from aes_tracker.store.sections import START, SectionReader, marker_lines
from aes_tracker.store.tomlfile import KeyIndex, decode, find_comment, parse
from aes_tracker.store.view import read_bytes


@dataclass
class CheckResult:
    path: Path
    errors: list[TrackerError] = field(default_factory=list)
    commitments: int = 0
    sources: int = 0


def conflicts(text: str, path: str, first_line: int = 1) -> list[TrackerError]:
    """One error per unresolved merge conflict, naming the commitment when the marker does
    (`aes-tracker merge-file` writes `<<<<<<< ours: ID`)."""
    out = []
    lines = text.split("\n")
    for at in marker_lines(text):
        no = at + first_line - 1
        label = lines[at - 1][len(START) :]
        label = label[1:] if label.startswith(" ") else label
        cid = label.split(": ", 1)[1] if ": " in label else ""
        message = (
            _("unresolved merge conflict on {id}").format(id=cid)
            if cid
            else _("unresolved merge conflict")
        )
        out.append(
            TrackerError(
                message,
                path=path,
                line=no,
                hint=_("settle it with: aes-tracker resolve {id} --ours (or --theirs)").format(
                    id=cid or "ID"
                ),
            )
        )
    return out


def _comment_error(path: str, line: int) -> TrackerError:
    return TrackerError(
        _(
            "has a comment, which aes-tracker cannot keep when it writes the file "
            "(put remarks in a `notes` field)"
        ),
        path=path,
        line=line,
    )


def check_file(loc: Location) -> CheckResult:
    """Raises TrackerError only when the file cannot be read or parsed at all."""
    raw_bytes, src, _bundled = read_bytes(loc)
    shown = str(src)
    result = CheckResult(src)
    if START.encode() in raw_bytes:
        marks = conflicts(decode(raw_bytes, shown), shown)
        if marks:
            result.errors = marks
            return result
    by_section = _by_section(raw_bytes, shown, result)
    if by_section:
        _check_quotes(raw_bytes, shown, src, result)
        return result
    text = decode(raw_bytes, shown)
    raw = parse(text, shown)
    doc, problems = check_document(raw)
    for c in doc.commitments.values():
        problems += schedule_problems(c)
    if problems:
        index = KeyIndex(text)
        result.errors = [index.error(p, shown) for p in problems]
    line = find_comment(text)
    if line is not None:
        result.errors.append(_comment_error(shown, line))
    result.commitments = len(doc.commitments)
    result.sources = len(doc.sources)
    _check_quotes(raw_bytes, shown, src, result)
    return result


def _check_quotes(raw_bytes: bytes, shown: str, src: Path, result: CheckResult) -> None:
    """Every quote of a source with a stored text occurs in it verbatim (white space and
    apostrophes aside); each one that does not is named, with its line in the data file. Read
    only when some source names a text, so that a large file without texts pays nothing."""
    if b"text = " not in raw_bytes or result.errors:
        return
    from aes_tracker.store.texts import quote_position, read_text

    text = decode(raw_bytes, shown)
    doc, problems = check_document(parse(text, shown))
    if problems:
        return
    index = KeyIndex(text)
    texts: dict[str, tuple[str, str] | None] = {}
    for sid, source in doc.sources.items():
        if not source.text:
            continue
        try:
            body, _path = read_text(src, source)
            texts[sid] = (body, source.text)
        except TrackerError as e:
            texts[sid] = None
            keys = ("sources", sid, "text")
            result.errors.append(index.error(Problem(keys, f"{dotted(keys)}: {e.message}"), shown))
    for cid, c in doc.commitments.items():
        found = texts.get(c.source)
        if found is None:
            continue
        body, name = found
        for key, words in (("quote", (c.quote,)), ("timing", c.timing)):
            for w in words:
                if quote_position(body, name, w) is None:
                    keys = ("commitments", cid, key)
                    message = _(
                        "{words} is not in the text of {source} ({name}), word for word "
                        "(only white space and apostrophes may differ)"
                    ).format(words=_shown_words(w), source=c.source, name=name)
                    result.errors.append(
                        index.error(Problem(keys, f"{dotted(keys)}: {message}"), shown)
                    )


def _shown_words(words: str) -> str:
    one = " ".join(words.split())
    return f"« {one[:60]}… »" if len(one) > 60 else f"« {one} »"


def _by_section(raw_bytes: bytes, shown: str, result: CheckResult) -> bool:
    """Check section by section, through the one section reader (the store's guards); False
    when the whole file must be parsed instead."""
    reader = SectionReader(raw_bytes)
    if not reader.ok:
        return False
    first_line = 1
    errors: list[TrackerError] = []
    comment: int | None = None
    ctx = None
    count = 0
    for section in reader:
        table, text = section.table, section.text
        if table is None or text is None:
            return False
        if section.id is None:
            top, problems = check_document(table)
            ctx = context_of(table)
            result.sources = len(top.sources)
        else:
            assert ctx is not None
            full, problems = check_commitment(section.id, table, ctx)
            if full is not None:
                problems += schedule_problems(full)
            count += 1
        if problems:
            index = KeyIndex(text)
            for p in problems:
                e = index.error(p, shown)
                if e.line is not None:
                    e.line += first_line - 1
                errors.append(e)
        if comment is None:
            found = find_comment(text)
            if found is not None:
                comment = found + first_line - 1
        first_line += text.count("\n")
    if comment is not None:
        errors.append(_comment_error(shown, comment))
    result.errors = errors
    result.commitments = count
    return True
