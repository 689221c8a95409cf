"""The fast write path's byte assembly: replacing sections in place gives the bytes and spans
that laying out every section again gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from aes_tracker.store.splice import assemble, rebuild
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
    full = rebuild(old, secs.prefix_end, secs.spans, changed)
    assert fast == full
    new, prefix_end, spans = fast
    again = sections(new)
    assert (again.prefix_end, dict(again.spans)) == (prefix_end, spans)


def test_a_section_laid_out_otherwise_is_rebuilt() -> None:
    old = _doc(["a", "b", "c"], {})
    odd = old.replace(b"\n\n[commitments.c]", b"\n\n\n[commitments.c]")
    secs = sections(odd)
    changed: dict[str, bytes | None] = {"b": _section("b", "new")}
    assert assemble(odd, secs.prefix_end, secs.spans, changed) == rebuild(
        odd, secs.prefix_end, secs.spans, changed
    )
