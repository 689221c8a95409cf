"""Conflict markers in the data file: reading a file that holds them, and the blocks that
`aes-tracker merge-file` writes.

A block is git's own layout (what `git merge-file` writes and every editor and merge tool knows),
one block per conflicting commitment (or source, or top-level key), labelled with its ID:

    <<<<<<< ours: sec-targeted-training
    [commitments.sec-targeted-training]
    ...our version of the whole table...
    =======
    [commitments.sec-targeted-training]
    ...their version...
    >>>>>>> theirs: sec-targeted-training

An empty side means that side removed it. A diff3-style base section (`||||||| base`) is read
and left out. Lines outside blocks belong to both versions, so choosing a side for every block
gives a whole TOML text.

Pure text in, text out: nothing here reads a file.
"""

from __future__ import annotations

from dataclasses import dataclass

from aes_tracker.errors import TrackerError
from aes_tracker.i18n import _

# The marker rule and syntax live in sections.py; they are named here too for the callers.
from aes_tracker.store.sections import BASE as BASE
from aes_tracker.store.sections import END as END
from aes_tracker.store.sections import MIDDLE as MIDDLE
from aes_tracker.store.sections import START as START
from aes_tracker.store.sections import has_markers as has_markers

OURS_LABEL, THEIRS_LABEL = "ours", "theirs"


@dataclass(frozen=True)
class Block:
    """One conflict: the text of each side (each ends with a newline, or is empty)."""

    label: str  # what follows `<<<<<<< `: "ours: ID" when merge-file wrote it
    ours: str
    theirs: str
    line: int  # of the `<<<<<<<` line, from 1
    end_label: str = ""  # what follows `>>>>>>> `

    @property
    def unit(self) -> str:
        """The ID (or `sources.ID`, or top-level key) the block is about; "" for a block that
        aes-tracker did not write (git's own `<<<<<<< HEAD`)."""
        head, sep, rest = self.label.partition(": ")
        return rest.strip() if sep and head == OURS_LABEL else ""


Segment = str | Block


def split(text: str, path: str = "") -> list[Segment]:
    """The text as plain runs and conflict blocks. Raises TrackerError, with the line, for a
    block that is not closed."""
    out: list[Segment] = []
    plain: list[str] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.startswith(START):
            plain.append(line)
            i += 1
            continue
        start = i + 1
        label = line[len(START) :].strip()
        ours: list[str] = []
        theirs: list[str] = []
        part: list[str] | None = ours
        i += 1
        while True:
            if i >= len(lines):
                raise TrackerError(
                    _("a conflict block is not closed (no {marker} line)").format(marker=END),
                    path=path or None,
                    line=start,
                )
            cur = lines[i]
            if cur.startswith(BASE) and part is ours:
                part = None  # the common ancestor's lines: not a version to choose
            elif cur.startswith(MIDDLE) and part is not theirs and cur.strip() == MIDDLE:
                part = theirs
            elif cur.startswith(END) and part is theirs:
                end_label = cur[len(END) :].strip()
                break
            elif cur.startswith(START):
                raise TrackerError(
                    _("a conflict block starts inside another one"), path=path or None, line=i + 1
                )
            elif part is not None:
                part.append(cur)
            i += 1
        if plain:
            out.append("\n".join(plain) + "\n")
            plain = []
        out.append(Block(label, _joined(ours), _joined(theirs), start, end_label))
        i += 1
    if plain:
        rest = "\n".join(plain)
        if rest:
            out.append(rest)
    return out


def _joined(lines: list[str]) -> str:
    return "".join(line + "\n" for line in lines)


def blocks(segments: list[Segment]) -> list[Block]:
    return [s for s in segments if isinstance(s, Block)]


def side(segments: list[Segment], which: str) -> str:
    """The whole text with every block replaced by one side: "ours" or "theirs"."""
    return "".join(
        s if isinstance(s, str) else (s.ours if which == OURS_LABEL else s.theirs) for s in segments
    )


def join(segments: list[Segment]) -> str:
    """The text again, blocks written back with aes-tracker's labels."""
    return "".join(s if isinstance(s, str) else render_block(s) for s in segments)


def render_block(b: Block) -> str:
    unit = b.unit
    ours_label = b.label if not unit else f"{OURS_LABEL}: {unit}"
    theirs_label = f"{THEIRS_LABEL}: {unit}" if unit else THEIRS_LABEL
    return f"{START} {ours_label}\n{b.ours}{MIDDLE}\n{b.theirs}{END} {theirs_label}\n"


def block(unit: str, ours: str, theirs: str) -> Block:
    """A block about `unit` (an ID, `sources.ID` or a top-level key)."""
    return Block(f"{OURS_LABEL}: {unit}", _line_end(ours), _line_end(theirs), 0)


def _line_end(text: str) -> str:
    text = text.rstrip("\n")
    return text + "\n" if text else ""
