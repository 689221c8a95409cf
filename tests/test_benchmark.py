"""benchmarks/run.py in its quick mode on a tiny file: the report has every target, each with a
number where a number belongs, and every command it times works. No speed is asserted: these
machines are too noisy for that, and the benchmark is a report, not a test."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXE = shutil.which("aes-tracker", path=str(Path(sys.executable).parent))

# What the report must hold at a size below 100,000 (the 10,000 targets) and at start-up.
EXPECTED = [
    "--version ÷ minimal Typer app",
    "list, bundled data ÷ minimal Typer app",
    "150: list ÷ task list",
    "150: list --format json --all ÷ task export",
    "150: due ÷ task overdue",
    "150: report ÷ task overdue",
    "150: done ID ÷ task N done",
    "150: done ID ÷ task N done, peak memory",
    "150: first list, no cache ÷ bare tomli parse",
    "150: first done, never-written file ÷ first list",
    "150: first done, never-written file",
    "150: merge-file ÷ git merge-file, 5 changes a side",
]


@pytest.mark.skipif(shutil.which("task") is None, reason="Taskwarrior (task) is not installed")
@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
@pytest.mark.skipif(EXE is None, reason="aes-tracker is not installed next to this Python")
def test_quick_run_reports_every_target(tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    run = ROOT / "benchmarks" / "run.py"
    p = subprocess.run(
        [sys.executable, str(run), "--quick", "--sizes", "150", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert p.returncode == 0, p.stderr
    result = json.loads(out.read_text(encoding="utf-8"))
    rows = result["targets"]
    assert [r["target"] for r in rows] == EXPECTED
    for r in rows:
        assert r["failed"] == [], r  # every command timed ran and exited as expected
        assert isinstance(r["ours"], float) and r["ours"] > 0
        assert isinstance(r["limit"], float | int)
        assert isinstance(r["met"], bool)
        if r["metric"] in ("time", "memory"):
            assert isinstance(r["theirs"], float) and r["theirs"] > 0
            assert isinstance(r["ratio"], float) and r["ratio"] > 0
            assert len(r["ratios"]) == result["rounds"] == 1
        else:  # an absolute limit: no reference
            assert r["theirs"] is None and r["ratio"] is None
    assert result["total"] == len(EXPECTED)
    assert result["met"] == sum(r["met"] for r in rows)
    machine = result["machine"]
    assert machine["cores"] and machine["python"] and machine["typer"]
    assert len(machine["load_average"]) == 3
    # The plain-text table names each target, and the count of those met closes it.
    for label in EXPECTED:
        assert label in p.stdout
    assert f"{result['met']} of {len(EXPECTED)} targets met" in p.stdout
