"""The fast write path's byte assembly: change one commitment of 10,000 without re-writing them
all. Pure: bytes in, bytes out.

A file in the writer's canonical layout is a prefix (schema, parties, settings, sources) then one
section per commitment, in ID order (see `tomlfile.sections`). The canonical writer puts one blank
line between tables, so the canonical bytes of a document are its sections joined that way. A
change therefore needs to write only the sections it touched (and the prefix, if it touched that);
the others are copied byte for byte. A property test checks that the result equals a full
rewrite.
"""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass


def assemble(
    old: bytes,
    prefix_end: int,
    spans: Mapping[str, tuple[int, int]],
    changed: Mapping[str, bytes | None],
    new_prefix: bytes | None = None,
    *,
    in_place: bool = True,
) -> tuple[bytes, int, dict[str, tuple[int, int]]]:
    """The new file, its prefix end and its sections' spans. `changed` maps an ID to the new
    canonical bytes of its section, or to None when the commitment is removed; `new_prefix`
    replaces the prefix when given. `in_place=False` takes the general way always (every
    section copied and laid out again): the reference the property tests hold the others to."""
    if (
        in_place
        and new_prefix is None
        and changed
        and all(v is not None and cid in spans for cid, v in changed.items())
    ):
        quick = _replace_in_place(old, prefix_end, spans, changed)
        if quick is not None:
            return quick
    return _rebuild(old, old[:prefix_end] if new_prefix is None else new_prefix, spans, changed)


def _laid_out(
    old: bytes, spans: Mapping[str, tuple[int, int]], last_end: int, cid: str, part: bytes
) -> tuple[int, int, bytes] | None:
    """Where commitment `cid`'s section is and its new bytes, `part` laid out as the canonical
    writer lays out a section there (one blank line after it, none after the last); None when
    the old section is not laid out that way."""
    start, end = spans[cid]
    tail = b"\n" if end == last_end else b"\n\n"
    section = old[start:end]
    if not section.endswith(tail) or section.endswith(tail + b"\n"):
        return None
    return start, end, part.rstrip(b"\n") + tail


@dataclass(frozen=True, eq=False)
class Spliced:
    """A new file that is the old bytes with one range replaced (`old[start:end]` by `section`),
    never joined into one copy: a change to one commitment of 10,000 would otherwise hold a
    second 10 MB. The file is written from its pieces, its digest is taken over them, and the
    undo step's range is found from the replaced range alone (`common_ends`). `tobytes()` is the
    joined file, the same bytes as `assemble` gives."""

    old: bytes
    start: int
    end: int
    section: bytes

    def __len__(self) -> int:
        return len(self.old) - (self.end - self.start) + len(self.section)

    def pieces(self) -> tuple[bytes | memoryview, ...]:
        whole = memoryview(self.old)
        return (whole[: self.start], self.section, whole[self.end :])

    def tobytes(self) -> bytes:
        return b"".join(self.pieces())

    def unchanged(self) -> bool:
        """Are the new bytes the old ones?"""
        return self.old.startswith(self.section, self.start) and len(self.section) == (
            self.end - self.start
        )

    def digest(self) -> str:
        """The SHA-256 of the new bytes (as `fileread.digest` gives it), over the pieces."""
        h = hashlib.sha256()
        for piece in self.pieces():
            h.update(piece)
        return h.hexdigest()

    def common_ends(self) -> tuple[int, int] | None:
        """`journal.common_ends(old, new)`, from the replaced range alone; None when that range
        does not tell (the old range and the new one agree up to the end of the shorter,
        at either side: the common part could then run on outside it)."""
        from aes_tracker.store.journal import common_ends

        a = self.old[self.start : self.end]
        b = self.section
        shorter = min(len(a), len(b))
        prefix, suffix = common_ends(a, b)
        if prefix >= shorter or suffix >= shorter:
            return None
        return self.start + prefix, len(self.old) - self.end + suffix

    def between(self, prefix: int, suffix: int) -> bytes:
        """`new[prefix : len(new) - suffix]`, for a range within the replaced one."""
        if prefix < self.start or suffix < len(self.old) - self.end:
            return self.tobytes()[prefix : len(self) - suffix]
        tail = suffix - (len(self.old) - self.end)
        return self.section[prefix - self.start : len(self.section) - tail]


def splice_one(
    old: bytes,
    prefix_end: int,
    spans: Mapping[str, tuple[int, int]],
    cid: str,
    part: bytes,
) -> tuple[Spliced, int, dict[str, tuple[int, int]]] | None:
    """`assemble` for a change to one existing commitment, as a `Spliced` (the same bytes once
    joined, the same prefix end and spans); None when `assemble` would take another way."""
    if cid not in spans:
        return None
    found = _laid_out(old, spans, max(e for _s, e in spans.values()), cid, part)
    if found is None:
        return None
    start, end, new_section = found
    delta = len(new_section) - (end - start)
    new_spans = _shifted(spans, [(start, end, cid)], [(end, delta)])
    return Spliced(old, start, end, new_section), prefix_end, new_spans


def _rebuild(
    old: bytes,
    prefix: bytes,
    spans: Mapping[str, tuple[int, int]],
    changed: Mapping[str, bytes | None],
) -> tuple[bytes, int, dict[str, tuple[int, int]]]:
    """`assemble` the general way: every section copied and laid out again."""
    parts: list[bytes] = []
    if prefix.strip():
        parts.append(prefix.rstrip(b"\n") + b"\n")
    ids = sorted(set(spans) | {cid for cid, v in changed.items() if v is not None})
    for cid in ids:
        if cid in changed:
            part = changed[cid]
            if part is None:
                continue
        else:
            start, end = spans[cid]
            part = old[start:end]
        parts.append(part.rstrip(b"\n") + b"\n")
    # Offsets: each part is followed by one "\n" separator except the last.
    new_spans: dict[str, tuple[int, int]] = {}
    pos = 0
    out_prefix_end = 0
    offset_parts = parts if not prefix.strip() else parts[1:]
    if prefix.strip():
        pos = len(parts[0]) + (1 if len(parts) > 1 else 0)
    out_prefix_end = pos
    kept = [cid for cid in ids if not (cid in changed and changed[cid] is None)]
    for i, (cid, part) in enumerate(zip(kept, offset_parts, strict=True)):
        last = i == len(kept) - 1
        end = pos + len(part) + (0 if last else 1)
        new_spans[cid] = (pos, end)
        pos = end
    return b"\n".join(parts), out_prefix_end, new_spans


def _replace_in_place(
    old: bytes,
    prefix_end: int,
    spans: Mapping[str, tuple[int, int]],
    changed: Mapping[str, bytes | None],
) -> tuple[bytes, int, dict[str, tuple[int, int]]] | None:
    """The common case, a change to existing commitments only: the sections between the changed
    ones are copied as whole runs (two slices of the file instead of 10,000), and the spans
    after a change shift by its length. None when a changed section is not laid out as the
    canonical writer lays it out (then `assemble` rebuilds every section)."""
    last_end = max(e for _s, e in spans.values())
    edits = sorted((spans[cid][0], spans[cid][1], cid) for cid in changed)
    pieces: list[bytes | memoryview] = []  # views of the old bytes: copied once, by the join
    whole = memoryview(old)
    pos = 0
    shifts: list[tuple[int, int]] = []  # (old start of a section, shift from there on)
    delta = 0
    for start, end, cid in edits:
        part = changed[cid]
        assert part is not None
        found = _laid_out(old, spans, last_end, cid, part) if start >= pos else None
        if found is None:
            return None
        new_section = found[2]
        pieces.append(whole[pos:start])
        pieces.append(new_section)
        pos = end
        delta += len(new_section) - (end - start)
        shifts.append((end, delta))
    pieces.append(whole[pos:])
    return b"".join(pieces), prefix_end, _shifted(spans, edits, shifts)


def _shifted(
    spans: Mapping[str, tuple[int, int]],
    edits: list[tuple[int, int, str]],
    shifts: list[tuple[int, int]],
) -> dict[str, tuple[int, int]]:
    """The spans after the edits, in one pass: a section moves by the growth of the changes
    that end at or before its start; a changed section also grows by its own."""
    if len(edits) == 1:  # the common case (`done`, `note`): one comparison per section
        start, end, changed_id = edits[0]
        delta = shifts[0][1]
        out = {cid: (a + delta, b + delta) if a >= end else (a, b) for cid, (a, b) in spans.items()}
        out[changed_id] = (start, end + delta)
        return out
    first_change = edits[0][0]
    bounds = [b for b, _d in shifts]
    changed = {cid for _s, _e, cid in edits}
    new_spans: dict[str, tuple[int, int]] = {}
    for cid, (a, b) in spans.items():
        if a < first_change:
            new_spans[cid] = (a, b)
            continue
        k = bisect.bisect_right(bounds, a)
        d = shifts[k - 1][1] if k else 0
        if cid in changed:
            own = bisect.bisect_right(bounds, b)
            new_spans[cid] = (a + d, b + shifts[own - 1][1])
        else:
            new_spans[cid] = (a + d, b + d)
    return new_spans
