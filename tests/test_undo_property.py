"""Property: any sequence of changes, then as many undos, gives back the original bytes."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from aes_tracker.cli import app

from .conftest import DATA

IDS = ["sec-targeted-training", "dev-infrastructure", "inst-annual-consultations", "dip-un"]
text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=30
).filter(lambda s: s.strip())
change = st.one_of(
    st.tuples(st.just("done"), st.sampled_from(IDS)),
    st.tuples(
        st.just("status"),
        st.sampled_from(IDS),
        st.sampled_from(["pending", "in_progress", "stalled", "partial", "broken", "dropped"]),
    ),
    st.tuples(st.just("note"), st.sampled_from(IDS), text),
    st.tuples(st.just("edit"), st.sampled_from(IDS), st.just("--notes"), text),
    st.tuples(
        st.just("edit"),
        st.sampled_from(IDS),
        st.just("--due"),
        st.dates().map(lambda d: d.isoformat()),
    ),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(change, min_size=1, max_size=6))
def test_changes_then_as_many_undos_restore_the_original_bytes(
    changes: list[tuple[str, ...]],
) -> None:
    runner = CliRunner()
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "c.toml"
        shutil.copyfile(DATA, path)
        env = {"XDG_STATE_HOME": str(Path(d) / "state")}
        base = ["--file", str(path), "--as-of", "2026-11-28", "--by", "prop"]
        original = path.read_bytes()
        made = 0
        for ch in changes:
            r = runner.invoke(app, [*base, *ch], env=env)
            # A change may be refused (e.g. an edit to the current value): then nothing changed.
            if r.exit_code == 0:
                made += 1
            else:
                assert r.exit_code == 2 and r.stderr.startswith("error: "), r.output
        for _ in range(made):
            r = runner.invoke(app, [*base, "undo"], env=env)
            assert r.exit_code == 0, r.output
        assert path.read_bytes() == original
        r = runner.invoke(app, [*base, "undo"], env=env)
        assert r.exit_code == 2 and "nothing to undo" in r.stderr
