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
