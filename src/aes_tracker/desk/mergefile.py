"""`aes-tracker merge-file`, the git merge driver: three versions of the data file as bytes in,
the merged file as bytes out, with a block between git's conflict markers for each conflict.

The records are merged by merge.py; this module reads the three inputs (refusing one that still
holds conflict markers), merges section by section where the files are in the writer's layout
(only the commitments changed on both sides are parsed: at 10,000 commitments this keeps the
driver near `git merge-file`'s time), else the whole files, and writes the result in canonical
form, keeping the comments a person wrote where they can be placed.

Pure: bytes in, bytes out; nothing here reads or writes a file or runs git.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aes_tracker.desk.merge import Conflict, Merged, merge_documents, with_variant
from aes_tracker.desk.units import MISSING, copy_units, piece, set_at, table_of
from aes_tracker.domain.validate import context_of
from aes_tracker.errors import TrackerError
from aes_tracker.i18n import _, ngettext
from aes_tracker.store import markers
from aes_tracker.store.sections import marker_lines
from aes_tracker.store.tomlfile import decode, dumps, parse


@dataclass(frozen=True)
class Result:
    data: bytes  # what to write: canonical TOML, with a block per conflict
    conflicts: tuple[Conflict, ...]


def read_side(data: bytes, path: str, side: str) -> dict[str, Any]:
    """One input of the merge, parsed; an empty file (no common ancestor) is an empty document.
    A file that still holds conflict markers is refused: it is not one version."""
    if not data.strip():
        return {}
    where = {
        "base": _("the common ancestor"),
        "ours": _("our version"),
        "theirs": _("their version"),
    }
    try:
        text = decode(data, path)
        lines = marker_lines(text)
        if lines:
            raise TrackerError(_("has unresolved conflict markers"), path=path, line=lines[0])
        return parse(text, path)
    except TrackerError as e:
        e.message = f"{e.message} ({where.get(side, side)})"
        raise


def merge_bytes(base: bytes, ours: bytes, theirs: bytes, path: str) -> Result:
    """The merge driver's work: raises TrackerError (naming the input and its line) when an
    input cannot be read; then nothing is merged.

    Section by section where it can be (see `_merge_sections`), else the whole files; both give
    the same bytes."""
    fast = _merge_sections(base, ours, theirs)
    return fast if fast is not None else merge_whole(base, ours, theirs, path)


def merge_whole(base: bytes, ours: bytes, theirs: bytes, path: str) -> Result:
    """The merge of the three files parsed whole: the reference the section-wise merge is
    tested against, and what runs whenever that one cannot decide."""
    o = read_side(ours, path, "ours")
    t = read_side(theirs, path, "theirs")
    # An ancestor that does not read (one committed with conflict markers in it) is refused
    # like the other inputs: taken as empty, what one side removed would come back.
    b = read_side(base, path, "base")
    m = merge_documents(b, o, t)
    if b"#" not in ours and b"#" not in theirs:
        return Result(render(m), tuple(m.conflicts))
    return _with_comments(m, base, (ours, o), (theirs, t))


def _merge_sections(base: bytes, ours: bytes, theirs: bytes) -> Result | None:
    """The merge of three files in the writer's layout, parsing only what it must: a commitment's
    section whose bytes are the same in ours and theirs, or in one side and the base, is taken
    as it is (what the field-by-field merge gives for it); only the commitments changed on both
    sides, and the top tables, are merged by `merge_documents` (a section changed on one side is
    parsed too, to be refused as the whole merge would refuse it). At 10,000
    commitments this is what keeps the driver near `git merge-file`'s time.

    None (merge the whole files) wherever this could differ from the whole merge: an input not
    in the writer's layout, empty, not UTF-8, with a comment or a conflict marker; top tables
    whose parties, groups or sources differ between the inputs or the merge (then every
    commitment may check differently); a conflict outside the commitments; nothing left.

    A section taken as it is keeps its bytes: files the tool wrote are canonical, so those are
    the bytes the whole merge writes; a section a person laid out by hand keeps that layout."""
    from aes_tracker.store.sections import START, SectionReader

    inputs = (base, ours, theirs)
    if b"#" in ours or b"#" in theirs or any(START.encode() in x for x in inputs):
        return None
    if not all(x.strip() for x in inputs):
        return None
    try:
        for x in inputs:
            x.decode("utf-8")
    except UnicodeDecodeError:
        return None
    readers = [SectionReader(x) for x in inputs]
    if not all(r.ok for r in readers):
        return None
    tops = [r.top().table for r in readers]
    if any(t is None for t in tops):
        return None
    docs: list[dict[str, Any]] = [{**t, "commitments": {}} for t in tops if t is not None]
    texts = [
        {cid: r.raw_bytes[a:e].rstrip(b"\n") for cid, (a, e) in r.layout.spans.items()}
        for r in readers
    ]
    kept: dict[str, bytes] = {}
    for cid in set().union(*texts):
        bb, ob, tb = (t.get(cid) for t in texts)
        take = ob if ob == tb else tb if ob == bb else ob if tb == bb else MISSING
        if take is None:
            continue  # gone on the side that changed it, or on both
        if take is not MISSING:
            # A section one side changed is read through the guards all the same (not merged):
            # what the whole merge would refuse in it (a value beyond what the tool can hold)
            # sends the merge there, which names it.
            which = 0 if take == bb else 1 if take == ob else 2
            if which and readers[which].commitment(cid).table is None:
                return None
            kept[cid] = take
            continue
        for r, doc in zip(readers, docs, strict=True):
            if cid in r.layout.spans:
                table = r.commitment(cid).table
                if table is None:
                    return None
                doc["commitments"][cid] = table
    b, o, t = docs
    m = merge_documents(b, o, t)
    if any(c.unit[0] != "commitments" for c in m.conflicts):
        return None
    ctx = context_of(with_variant(m, markers.OURS_LABEL))
    if any(context_of(d) != ctx for d in docs):
        return None
    if not kept and not table_of(m.document, "commitments"):
        return None
    raw = _Raw(sections={cid: text.decode("utf-8") for cid, text in kept.items()})
    merged_cs = m.document.setdefault("commitments", {})
    for cid in kept:
        merged_cs[cid] = {}  # written from `raw`
    m.document["commitments"] = dict(sorted(merged_cs.items()))
    return Result(render(m, raw), tuple(m.conflicts))


# ---- comments a person wrote ---------------------------------------------------------------------

COMMENTS = "comments"  # the label of the block of comments a merge could not place


@dataclass
class _Raw:
    """Text of one side to write instead of the canonical text, for its comments."""

    prefix: str | None = None  # everything before the first commitment
    sections: dict[str, str] = field(default_factory=dict)  # a commitment's tables


def _with_comments(m: Merged, base: bytes, *sides: tuple[bytes, Mapping[str, Any]]) -> Result:
    """The merge written with the comments of either side kept where they can be placed: a
    section (the part before the commitments, or one commitment's tables) whose merged value is
    that side's own is written as that side wrote it, comments included. A comment that cannot
    be placed (in a section the other side changed too) is not dropped silently: it goes into
    a conflict block labelled `comments`, which a person settles (`resolve comments --theirs`
    confirms its loss). A comment one side removed goes."""
    from aes_tracker.store.tomlfile import comments, find_comment, same, sections

    units = {c.unit for c in m.conflicts}
    merged_prefix = {k: v for k, v in m.document.items() if k != "commitments"}
    merged_cs = table_of(m.document, "commitments")
    raw = _Raw()
    for data, doc in sides:
        if b"#" not in data:
            continue
        secs = sections(data)
        if not secs.ok:
            continue  # laid out some other way: no section to place its comments in
        prefix = data[: secs.prefix_end].decode("utf-8")
        prefix_doc = {k: v for k, v in doc.items() if k != "commitments"}
        if (
            raw.prefix is None
            and find_comment(prefix) is not None
            and not any(u[0] != "commitments" for u in units)
            and same(merged_prefix, prefix_doc)
        ):
            raw.prefix = prefix
        side_cs = table_of(doc, "commitments")
        for cid, (start, end) in secs.spans.items():
            section = data[start:end].decode("utf-8")
            if cid in raw.sections or find_comment(section) is None:
                continue
            if ("commitments", cid) not in units and same(
                merged_cs.get(cid, MISSING), side_cs.get(cid, MISSING)
            ):
                raw.sections[cid] = section
    plain = render(m)
    placed = render(m, raw)
    if not _same_sides(plain, placed):
        placed, raw = plain, _Raw()  # a layout the sections misread: place nothing
    # Comments either side wrote, but not those one side removed from the ancestor's.
    base_c = set(comments(base.decode("utf-8", "replace"))) if b"#" in base else set()
    side_c = [set(comments(data.decode("utf-8"))) for data, _doc in sides]
    gone = {c for c in base_c if any(c not in s for s in side_c)}
    kept = set(comments(placed.decode("utf-8")))
    lost: list[str] = []
    for s in side_c:
        lost += sorted(c for c in s - gone - kept if c not in lost)
    if not lost:
        return Result(placed, tuple(m.conflicts))
    text = "".join(f"{c.lstrip()}\n" for c in lost)
    block = markers.render_block(markers.block(COMMENTS, text, ""))
    what = ngettext(
        "{n} comment the merge cannot place", "{n} comments the merge cannot place", len(lost)
    ).format(n=len(lost))
    lost_conflict = Conflict((COMMENTS,), text, MISSING, (what,))
    return Result(block.encode("utf-8") + placed, (lost_conflict, *m.conflicts))


def _same_sides(a: bytes, b: bytes) -> bool:
    """Whether two renderings of a merge hold the same data, conflict blocks and all."""
    from aes_tracker.store.tomlfile import same

    ta, tb = a.decode("utf-8"), b.decode("utf-8")
    try:
        return all(
            same(
                parse(markers.side(markers.split(ta), which), ""),
                parse(markers.side(markers.split(tb), which), ""),
            )
            for which in (markers.OURS_LABEL, markers.THEIRS_LABEL)
        )
    except TrackerError:
        return False


def render(m: Merged, raw: _Raw | None = None) -> bytes:
    """Canonical bytes; a conflict is one block around that unit's table only. `raw`: a
    side's own text for some sections, written instead of theirs (for its comments)."""
    if m.clean and raw is None:
        return dumps(m.document)
    raw = raw or _Raw()
    units = {c.unit: c for c in m.conflicts}
    rest = copy_units(m.document, list(units))
    for u in units:
        set_at(rest, u, MISSING)
    commitments = rest.pop("commitments", {})
    first: list[str] = []  # blocks of top-level values: before any table
    tables: list[str] = []
    for c in m.conflicts:
        if c.unit[0] == "commitments":
            continue
        ours_text, theirs_text = (piece(c.unit, v) for v in (c.ours, c.theirs))
        text = markers.render_block(markers.block(c.label, ours_text, theirs_text))
        is_table = any(s.lstrip().startswith("[") for s in (ours_text, theirs_text) if s.strip())
        (tables if is_table else first).append(text)
    prefix = raw.prefix if raw.prefix is not None else dumps(rest).decode("utf-8")
    parts = [*first, prefix, *tables]
    for cid in sorted(set(commitments) | {c.unit[1] for c in m.conflicts if len(c.unit) > 1}):
        found = units.get(("commitments", cid))
        if found is None:
            if cid in raw.sections:
                parts.append(raw.sections[cid])
            elif cid in commitments:
                parts.append(piece(("commitments", cid), commitments[cid]))
            continue
        ours_text, theirs_text = (piece(found.unit, v) for v in (found.ours, found.theirs))
        parts.append(markers.render_block(markers.block(found.label, ours_text, theirs_text)))
    return _assemble(parts).encode("utf-8")


def _assemble(parts: Sequence[str]) -> str:
    """The parts one after the other, a blank line between tables as the writer puts them."""
    out: list[str] = []
    for p in parts:
        p = p.strip("\n")
        if p:
            out.append(p + "\n")
    return "\n".join(out)
