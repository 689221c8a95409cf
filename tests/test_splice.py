"""The fast write path's byte assembly: replacing sections in place gives the bytes and spans
that laying out every section again gives."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from aes_tracker.store.fileio import replace
from aes_tracker.store.fileread import digest
from aes_tracker.store.journal import common_ends
from aes_tracker.store.splice import Spliced, assemble, splice_one
from aes_tracker.store.tomlfile import dumps, sections


def _doc(ids: list[str], titles: dict[str, str]) -> bytes:
    return dumps(
        {
            "schema": 1,
            "parties": ["AES", "Russia"],
            "commitments": {
                cid: {"title": titles.get(cid, f"Title of {cid}"), "status": "pending"}
                for cid in ids
            },
        }
    )


def _section(cid: str, title: str) -> bytes:
    return dumps({"commitments": {cid: {"title": title, "status": "in_progress"}}})


ids_st = st.lists(
    st.text(alphabet="abcdefgh-", min_size=1, max_size=6).filter(lambda s: s[0] != "-"),
    min_size=1,
    max_size=25,
    unique=True,
).map(sorted)


@settings(max_examples=200, deadline=None)
@given(ids=ids_st, data=st.data())
def test_in_place_replacement_equals_a_full_layout(ids: list[str], data: st.DataObject) -> None:
    old = _doc(ids, {})
    secs = sections(old)
    assert secs.ok
    chosen = data.draw(st.lists(st.sampled_from(ids), min_size=1, unique=True))
    titles = st.text(alphabet="abc xyz\n\"'é", max_size=40)
    changed: dict[str, bytes | None] = {cid: _section(cid, data.draw(titles)) for cid in chosen}
    fast = assemble(old, secs.prefix_end, secs.spans, changed)
    full = assemble(old, secs.prefix_end, secs.spans, changed, in_place=False)
    assert fast == full
    new, prefix_end, spans = fast
    again = sections(new)
    assert (again.prefix_end, dict(again.spans)) == (prefix_end, spans)


def test_a_section_laid_out_otherwise_is_rebuilt() -> None:
    old = _doc(["a", "b", "c"], {})
    odd = old.replace(b"\n\n[commitments.c]", b"\n\n\n[commitments.c]")
    secs = sections(odd)
    changed: dict[str, bytes | None] = {"b": _section("b", "new")}
    assert assemble(odd, secs.prefix_end, secs.spans, changed) == assemble(
        odd, secs.prefix_end, secs.spans, changed, in_place=False
    )


@settings(max_examples=300, deadline=None)
@given(ids=ids_st, data=st.data())
def test_one_section_spliced_equals_the_full_layout(ids: list[str], data: st.DataObject) -> None:
    """`splice_one` (the new file as pieces, never joined) gives the bytes, spans, digest and undo
    range that the full layout and the whole-file comparisons give."""
    old = _doc(ids, {})
    secs = sections(old)
    cid = data.draw(st.sampled_from(ids))
    title = data.draw(st.one_of(st.just(f"Title of {cid}"), st.text("abc xyz\n\"'é", max_size=40)))
    part = _section(cid, title)
    one = splice_one(old, secs.prefix_end, secs.spans, cid, part)
    assert one is not None
    spliced, prefix_end, spans = one
    full, full_prefix_end, full_spans = assemble(
        old, secs.prefix_end, secs.spans, {cid: part}, in_place=False
    )
    new = spliced.tobytes()
    assert new == full
    assert (prefix_end, spans) == (full_prefix_end, full_spans)
    assert len(spliced) == len(full)
    assert spliced.digest() == digest(full)
    assert spliced.unchanged() == (full == old)
    ends = spliced.common_ends()
    if ends is not None:
        assert ends == common_ends(old, full)
        prefix, suffix = ends
        assert spliced.between(prefix, suffix) == full[prefix : len(full) - suffix]
    assert b"".join(spliced.pieces()) == full


@settings(max_examples=100, deadline=None)
@given(
    old=st.binary(max_size=40),
    data=st.data(),
)
def test_a_spliced_range_gives_the_undo_range_of_the_whole_files(
    old: bytes, data: st.DataObject
) -> None:
    """On any bytes, not only the writer's: when `common_ends` answers, it is the whole files'."""
    start = data.draw(st.integers(0, len(old)))
    end = data.draw(st.integers(start, len(old)))
    section = data.draw(st.binary(max_size=12))
    spliced = Spliced(old, start, end, section)
    new = old[:start] + section + old[end:]
    assert spliced.tobytes() == new and len(spliced) == len(new)
    assert spliced.digest() == digest(new)
    assert spliced.unchanged() == (new == old)
    ends = spliced.common_ends()
    if ends is not None:
        assert ends == common_ends(old, new)
        prefix, suffix = ends
        assert spliced.between(prefix, suffix) == new[prefix : len(new) - suffix]


def test_a_spliced_file_is_written_from_its_pieces(tmp_path: Path) -> None:
    old = _doc(["a", "b", "c"], {})
    secs = sections(old)
    part = _section("b", "new")
    one = splice_one(old, secs.prefix_end, secs.spans, "b", part)
    assert one is not None
    target = tmp_path / "data.toml"
    target.write_bytes(old)
    replace(target, one[0], expect=digest(old))
    assert (
        target.read_bytes()
        == assemble(old, secs.prefix_end, secs.spans, {"b": part}, in_place=False)[0]
    )
