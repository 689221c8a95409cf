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
from collections.abc import Mapping


def assemble(
    old: bytes,
    prefix_end: int,
    spans: Mapping[str, tuple[int, int]],
    changed: Mapping[str, bytes | None],
    new_prefix: bytes | None = None,
) -> tuple[bytes, int, dict[str, tuple[int, int]]]:
    """The new file, its prefix end and its sections' spans. `changed` maps an ID to the new
    canonical bytes of its section, or to None when the commitment is removed; `new_prefix`
    replaces the prefix when given."""
    if (
        new_prefix is None
        and changed
        and all(v is not None and cid in spans for cid, v in changed.items())
    ):
        quick = _replace_in_place(old, prefix_end, spans, changed)
        if quick is not None:
            return quick
    return rebuild(old, prefix_end, spans, changed, new_prefix)


def rebuild(
    old: bytes,
    prefix_end: int,
    spans: Mapping[str, tuple[int, int]],
    changed: Mapping[str, bytes | None],
    new_prefix: bytes | None = None,
) -> tuple[bytes, int, dict[str, tuple[int, int]]]:
    """`assemble` the general way: every section copied and laid out again."""
    prefix = old[:prefix_end] if new_prefix is None else new_prefix
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
        if start < pos:
            return None
        section = old[start:end]
        is_last = end == last_end
        tail = b"\n" if is_last else b"\n\n"
        if not section.endswith(tail) or section.endswith(tail + b"\n"):
            return None
        part = changed[cid]
        assert part is not None
        new_section = part.rstrip(b"\n") + tail
        pieces.append(whole[pos:start])
        pieces.append(new_section)
        pos = end
        delta += len(new_section) - len(section)
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
