"""`aes-tracker check`: every problem of the data file at once, each with its line.

Linear in the size of the file, and light: a file laid out as the writer lays it out (one section
per commitment) is checked section by section, so a 50 MB file is never held as one parsed
document; each problem's line comes from an index of its own section. Any other layout, or a
section that does not parse on its own, is parsed whole, which also names a TOML error exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from aes_tracker.domain.model import (
    check_commitment,
    check_document,
    context_of,
    schedule_problems,
)
from aes_tracker.errors import TrackerError
from aes_tracker.i18n import _
from aes_tracker.store.core import read_bytes
from aes_tracker.store.paths import Location
from aes_tracker.store.tomlfile import KeyIndex, decode, find_comment, parse, sections, toml

_MARKER_RE = re.compile(r"^<<<<<<< ?(.*)$")


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
    for no, line in enumerate(text.split("\n"), first_line):
        m = _MARKER_RE.match(line)
        if m is None:
            continue
        label = m.group(1)
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
    if b"<<<<<<<" in raw_bytes:
        marks = conflicts(decode(raw_bytes, shown), shown)
        if marks:
            result.errors = marks
            return result
    by_section = _by_section(raw_bytes, shown, result)
    if by_section:
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
    return result


def _by_section(raw_bytes: bytes, shown: str, result: CheckResult) -> bool:
    """Check section by section; False when the whole file must be parsed instead."""
    if raw_bytes.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")) or b"\x00" in raw_bytes:
        return False
    secs = sections(raw_bytes)
    if not secs.ok:
        return False
    mod = toml()
    parts = [(0, secs.prefix_end), *sorted(secs.spans.values())]
    ids = {span: cid for cid, span in secs.spans.items()}
    first_line = 1
    errors: list[TrackerError] = []
    comment: int | None = None
    ctx = None
    count = 0
    for start, end in parts:
        try:
            text = raw_bytes[start:end].decode("utf-8")
            doc = mod.loads(text)
        except (UnicodeDecodeError, mod.TOMLDecodeError, RecursionError):
            return False
        cid = ids.get((start, end))
        if cid is None:
            if "commitments" in doc:
                return False
            top, problems = check_document(doc)
            ctx = context_of(doc)
            result.sources = len(top.sources)
        else:
            cs = doc.get("commitments")
            if set(doc) != {"commitments"} or not isinstance(cs, dict) or set(cs) != {cid}:
                return False
            assert ctx is not None
            full, problems = check_commitment(cid, cs[cid], ctx)
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
