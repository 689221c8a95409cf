"""`aes-tracker check`: every problem of the data file at once, each with its line, in time
linear in the size of the file (16,000 problems in well under a second)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from aes_tracker.errors import TrackerError
from aes_tracker.i18n import _
from aes_tracker.model import check_document
from aes_tracker.paths import Location
from aes_tracker.store import read_bytes
from aes_tracker.tomlfile import KeyIndex, decode, find_comment, parse

_MARKER_RE = re.compile(r"^<<<<<<< ?(.*)$")


@dataclass
class CheckResult:
    path: Path
    errors: list[TrackerError] = field(default_factory=list)
    commitments: int = 0
    sources: int = 0


def conflicts(text: str, path: str) -> list[TrackerError]:
    """One error per unresolved merge conflict, naming the commitment when the marker does
    (`aes-tracker merge-file` writes `<<<<<<< ours: ID`)."""
    out = []
    for no, line in enumerate(text.split("\n"), 1):
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


def check_file(loc: Location) -> CheckResult:
    """Raises TrackerError only when the file cannot be read or parsed at all."""
    raw_bytes, src, _bundled = read_bytes(loc)
    shown = str(src)
    text = decode(raw_bytes, shown)
    result = CheckResult(src)
    marks = conflicts(text, shown)
    if marks:
        result.errors = marks
        return result
    raw = parse(text, shown)
    doc, problems = check_document(raw)
    if problems:
        index = KeyIndex(text)
        result.errors = [index.error(p, shown) for p in problems]
    line = find_comment(text)
    if line is not None:
        result.errors.append(
            TrackerError(
                _(
                    "has a comment, which aes-tracker cannot keep when it writes the file "
                    "(put remarks in a `notes` field)"
                ),
                path=shown,
                line=line,
            )
        )
    result.commitments = len(doc.commitments)
    result.sources = len(doc.sources)
    return result
