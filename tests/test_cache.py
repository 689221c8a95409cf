"""The parse cache: never stale, never trusted unless the tool wrote it, refreshed table by table
after an edit, and private."""

from __future__ import annotations

import json
import os
import shutil
import stat
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aes_tracker.errors import TrackerError
from aes_tracker.store import cache
from aes_tracker.store import core as store
from aes_tracker.store.paths import Location

from .conftest import DATA, Cli


def _cache_file(datafile: Path) -> Path:
    return cache.cache_file(datafile, os.environ)


def test_a_read_fills_the_cache_and_the_next_read_uses_it(datafile: Path) -> None:
    first = store.view(Location(datafile, True))
    assert _cache_file(datafile).exists()
    entry = cache.read(datafile, os.environ)
    assert entry is not None and entry.catalog == first.catalog
    second = store.view(Location(datafile, True))
    assert second.catalog == first.catalog
    full = second.detail("sec-targeted-training")
    assert full == store.load(Location(datafile, True)).doc.commitments["sec-targeted-training"]


def test_same_size_same_mtime_edit_is_seen(datafile: Path) -> None:
    cli = Cli(datafile)
    assert cli("list").exit_code == 0  # fills the cache
    st_ = os.stat(datafile)
    text = datafile.read_text()
    edited = text.replace('status = "pending"', 'status = "stalled"', 1)
    assert len(edited) == len(text)
    datafile.write_text(edited)
    os.utime(datafile, ns=(st_.st_atime_ns, st_.st_mtime_ns))
    assert os.stat(datafile).st_size == st_.st_size
    r = cli("list", "--format", "json", "--status", "stalled")
    assert [x["status"] for x in json.loads(r.stdout)] == ["stalled"]


@pytest.mark.parametrize(
    "damage",
    ["empty", "garbage", "truncated", "one-byte-changed", "foreign-json", "other-key"],
)
def test_a_torn_foreign_or_forged_cache_is_ignored(datafile: Path, damage: str) -> None:
    cli = Cli(datafile)
    expected = cli("list", "--format", "json").stdout
    f = _cache_file(datafile)
    blob = f.read_bytes()
    if damage == "empty":
        f.write_bytes(b"")
    elif damage == "garbage":
        f.write_bytes(b"\x00\xff garbage")
    elif damage == "truncated":
        f.write_bytes(blob[: len(blob) // 2])
    elif damage == "one-byte-changed":
        f.write_bytes(blob[:-10] + bytes([blob[-10] ^ 1]) + blob[-9:])
    elif damage == "foreign-json":
        f.write_bytes(b'{"v": 1, "digest": "x"}')
    else:  # written with another key, as by another program: the HMAC does not match
        (f.parent / "key").write_bytes(os.urandom(32))
    r = cli("list", "--format", "json")
    assert r.exit_code == 0 and r.stdout == expected
    r = cli("show", "sec-targ", "--format", "json")
    assert r.exit_code == 0 and json.loads(r.stdout)["quote"].startswith("s’est engagée")


def test_a_forged_entry_for_the_right_digest_is_not_shown(datafile: Path) -> None:
    """A cache rewritten by something else, keeping the digest of the data file, with a
    commitment that is not in the file: without the key it cannot be made to authenticate, so
    `list` shows the file."""
    import marshal

    cli = Cli(datafile)
    cli("list")
    f = _cache_file(datafile)
    blob = f.read_bytes()
    head = len(cache._MAGIC) + 32
    body = marshal.loads(blob[head:])
    rows = list(body[7])
    rows.append((*rows[0][:1], *rows[0][1:]))
    rows[-1] = ("zz-ghost", *rows[-1][1:])
    forged = (*body[:7], tuple(rows))
    f.write_bytes(blob[:head] + marshal.dumps(forged))
    ids = [r["id"] for r in json.loads(cli("list", "--format", "json").stdout)]
    assert "zz-ghost" not in ids and len(ids) == 12
    assert cli("check").exit_code == 0


def test_an_unwritable_cache_only_costs_time(datafile: Path, tmp_path: Path) -> None:
    (tmp_path / "blocked").write_text("a file where the cache folder should be")
    env = {"XDG_CACHE_HOME": str(tmp_path / "blocked")}
    r = Cli(datafile)("list", "--format", "json", env=env)
    assert r.exit_code == 0 and len(json.loads(r.stdout)) == 12


def test_a_cache_folder_others_can_write_is_not_used(datafile: Path, tmp_path: Path) -> None:
    home = tmp_path / "shared-cache"
    (home / "aes-tracker").mkdir(parents=True)
    (home / "aes-tracker").chmod(0o777)
    r = Cli(datafile)("list", env={"XDG_CACHE_HOME": str(home)})
    assert r.exit_code == 0
    assert list((home / "aes-tracker").iterdir()) == [], "nothing was read or written there"


def test_the_cache_is_private(datafile: Path) -> None:
    datafile.chmod(0o600)
    Cli(datafile)("list")
    f = _cache_file(datafile)
    assert stat.S_IMODE(f.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(f.stat().st_mode) == 0o600
    assert stat.S_IMODE((f.parent / "key").stat().st_mode) == 0o600


def test_report_changed_reads_history_through_the_cache(datafile: Path) -> None:
    cli = Cli(datafile)
    cli("note", "dip-un", "seen in the window", "--on", "2026-11-25")
    cli("list")  # the write warmed the cache; this read uses it
    rep = json.loads(cli("report", "--format", "json").stdout)
    assert [(x["id"], x["note"]) for x in rep["changed"]] == [
        ("dip-un-charter", "seen in the window")
    ]


# Edits of one or more tables, as a person makes them by hand.
edit = st.tuples(
    st.sampled_from(
        [
            ("sec-targeted-training", 'status = "pending"', 'status = "done"'),
            ("dip-un-charter", "review = 2026-04-03", "review = 2027-01-01"),
            ("inst-annual-consultations", 'next_host = "AES member state"', 'next_host = "Mali"'),
            ("dev-infrastructure", 'status = "pending"', 'status = "partial"'),
            ("prefix", 'place = "Moscow"', 'place = "Moscou"'),
        ]
    ),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(edit, min_size=1, max_size=4))
def test_the_incremental_refresh_equals_a_full_parse(
    edits: list[tuple[tuple[str, str, str]]],
) -> None:
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "d.toml"
        shutil.copyfile(DATA, p)
        env = {**os.environ, "XDG_CACHE_HOME": str(Path(d) / "cache")}
        store.refresh(p, p.read_bytes(), env)  # a warm cache of the original
        for ((cid, old, new),) in edits:
            text = p.read_text()
            start = 0 if cid == "prefix" else text.index(f"[commitments.{cid}]")
            at = text.find(old, start)
            if at >= 0:
                p.write_text(text[:at] + new + text[at + len(old) :])
            fresh = store.refresh(p, p.read_bytes(), env)
            full = store.load(Location(p, True)).doc.catalog()
            assert fresh.entry.catalog == full


def test_a_write_patches_the_cache_entry_to_what_the_file_gives(
    datafile: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fast write converts only the rows it changed into the cache's columns; the entry it
    writes must be the one a fresh read of the new file builds."""
    cli = Cli(datafile)
    assert cli("list").exit_code == 0
    assert cli("note", "sec-targeted-training", "warm-up").exit_code == 0
    full = cache._freeze
    calls: list[int] = []
    monkeypatch.setattr(cache, "_freeze", lambda e: calls.append(1) or full(e))
    changes = [
        ("note", "sec-targeted-training", "Premier cours tenu à Bamako"),
        ("status", "dev-economic-operators", "in_progress"),
        ("done", "inst-annual-consultations", "--host", "Mali", "--on", "2026-04-10"),
        ("review", "dev-infrastructure", "--next", "2026-12-01", "--note", "Rien de neuf"),
    ]
    for argv in changes:
        before = len(calls)
        r = cli(*argv)
        assert r.exit_code == 0, r.output
        assert len(calls) == before, ("the rows were patched, not all converted again", argv)
        patched = cache.read(datafile, os.environ)
        assert patched is not None
        # A read of the new file into a cache of its own, from nothing.
        other = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / f"fresh-{argv[0]}")}
        store.view(Location(datafile, True), other)
        fresh = cache.read(datafile, other)
        assert fresh is not None
        # A fresh read cannot know the file is the writer's own layout; the writer does.
        assert patched.canonical
        assert patched == replace(fresh, canonical=True), argv


def _stale_entry(datafile: Path) -> cache.Entry:
    """The entry of the file as it is, but with a title no version of the code would give it:
    what a summary built by another writer looks like."""
    entry = cache.read(datafile, os.environ)
    assert entry is not None
    cid = "sec-targeted-training"
    old = entry.catalog.commitments[cid]
    summaries = {**entry.catalog.commitments, cid: old._replace(title="built by another release")}
    return replace(entry, catalog=replace(entry.catalog, commitments=summaries))


@pytest.mark.parametrize("other", ["package", "format"])
def test_a_cache_written_by_another_version_is_rebuilt(
    datafile: Path, monkeypatch: pytest.MonkeyPatch, other: str
) -> None:
    """The cache key holds the package's version and the cache format's fingerprint (taken from
    the code, not bumped by hand): an entry another release wrote, even one that authenticates
    and names the right digest, is never served."""
    import aes_tracker

    cli = Cli(datafile)
    expected = cli("list", "--format", "json").stdout
    stale = _stale_entry(datafile)
    with monkeypatch.context() as mp:
        if other == "package":
            mp.setattr(aes_tracker, "__version__", "0.0.1-older")
        else:
            mp.setattr(cache, "format_fingerprint", lambda: "an older layout")
        cache.write(datafile, stale, os.environ)
        served = cache.read(datafile, os.environ)
        assert served is not None, "the other version cannot read its own entry back"
    assert cache.read(datafile, os.environ) is None
    assert cli("list", "--format", "json").stdout == expected
    assert "built by another release" not in _cache_file(datafile).read_bytes().decode("latin-1")


def test_the_cache_format_fingerprint_follows_the_code() -> None:
    """It changes with what the entries are made of (the summary's fields), so a change there
    cannot be forgotten."""
    from aes_tracker.domain.model import Summary

    assert cache.format_fingerprint() == cache.format_fingerprint()
    assert ",".join(Summary._fields) in cache.format_source()


def test_the_fingerprint_reads_every_domain_module_a_summary_is_made_by() -> None:
    """The code that builds a cached summary (model, validate, asof) and every domain module it
    imports, at the top or inside a function, is in the fingerprint: a change to any of them
    makes a new cache format, so no summary made by older code is served."""
    import ast

    from aes_tracker.domain import model

    folder = Path(model.__file__).parent
    seen: set[str] = set()
    todo = ["model", "validate", "asof"]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        tree = ast.parse((folder / f"{name}.py").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                if node.module.startswith("aes_tracker.domain."):
                    todo.append(node.module.split(".")[2])
                elif node.module == "aes_tracker.domain":
                    todo.extend(a.name for a in node.names)
    assert seen <= set(cache.SUMMARY_CODE), sorted(seen - set(cache.SUMMARY_CODE))
    for name in cache.SUMMARY_CODE:
        assert (folder / f"{name}.py").read_text(encoding="utf-8") in cache.format_source()


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc")
def test_a_view_holds_no_descriptor_outside_its_with_block(datafile: Path) -> None:
    """A warm view reads single commitments from the file; it keeps the file open only inside
    `with`, and closes it at the block's end (no `__del__` left to do it some day)."""
    loc = Location(datafile, True)
    store.view(loc)  # fills the cache
    before = _open_fds()
    v = store.view(loc)
    assert v.detail("sec-targeted-training").title.startswith("Provide targeted training")
    assert _open_fds() == before
    with store.view(loc) as w:
        w.details(["sec-targeted-training", "dip-un-charter"])
        assert _open_fds() == before + 1
    assert _open_fds() == before
    assert "__del__" not in vars(store.View)
    # Outside a block too, a file changed since the summaries is refused, not read.
    datafile.write_text(datafile.read_text().replace("Provide targeted", "Provide focused"))
    with pytest.raises(TrackerError, match="changed while it was being read"):
        v.detail("dip-un-charter")


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_patching_the_columns_equals_converting_them_all(
    datafile: Path, data: st.DataObject
) -> None:
    """`_patch` copies only the columns whose value changed; what it writes loads as the entry
    `_freeze` (every row converted again) gives."""
    import marshal

    assert Cli(datafile)("list").exit_code == 0
    entry = cache.read(datafile, os.environ, for_write=True)
    assert entry is not None
    rows = entry.catalog.commitments
    ids = list(rows)
    chosen = data.draw(st.lists(st.sampled_from(ids), max_size=3, unique=True))
    summaries = dict(rows)
    for cid in chosen:
        donor = rows[data.draw(st.sampled_from(ids))]
        fields = data.draw(st.sets(st.sampled_from(rows[cid]._fields[1:])))
        summaries[cid] = rows[cid]._replace(**{f: getattr(donor, f) for f in fields})
    patched = replace(
        entry,
        catalog=replace(entry.catalog, commitments=summaries),
        patched=frozenset(chosen),
    )
    fast = cache._restore(marshal.loads(marshal.dumps(cache._patch(patched))))
    full = cache._restore(marshal.loads(marshal.dumps(cache._freeze(patched))))
    assert fast is not None and fast == full
    assert fast.catalog.commitments == summaries


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_the_lean_read_for_a_write_equals_the_full_one(datafile: Path, data: st.DataObject) -> None:
    """`lean`: the summaries left in the cache's columns, each row made when asked for, give
    the entry the full restore gives; with a write's rows in place, the mapping the full path
    builds (a dict of every row)."""
    assert Cli(datafile)("list").exit_code == 0
    lean = cache.read(datafile, os.environ, for_write=True, lean=True)
    full = cache.read(datafile, os.environ, for_write=True)
    assert lean is not None and full is not None
    rows = lean.catalog.commitments
    assert isinstance(rows, cache.ColumnRows)
    assert lean == full
    assert list(rows) == list(full.catalog.commitments)
    assert len(rows) == len(full.catalog.commitments)
    for cid, row in full.catalog.commitments.items():
        assert rows[cid] == row and cid in rows
    ids = list(full.catalog.commitments)
    chosen = data.draw(st.lists(st.sampled_from(ids), max_size=3, unique=True))
    donor = full.catalog.commitments[data.draw(st.sampled_from(ids))]
    changed = {cid: donor._replace(id=cid) for cid in chosen}
    expect = {**full.catalog.commitments, **changed}
    patched = rows.with_rows(changed)
    assert dict(patched.items()) == expect and list(patched) == list(expect)
    assert patched == expect
    # What a write stores from either is the same entry again.
    import marshal

    for entry in (lean, full):
        e = replace(
            entry,
            catalog=replace(entry.catalog, commitments=patched if entry is lean else expect),
            patched=frozenset(chosen),
        )
        back = cache._restore(marshal.loads(marshal.dumps(cache._patch(e))))
        assert back is not None and dict(back.catalog.commitments) == expect
