"""Run by tests/test_suite.py in a pytest of its own: a cron job or the user running the tool
under the HOME the suite was started with, while the suite runs."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.conftest import ROOT, installed_cmd


def test_someone_else_uses_the_tool_under_the_same_home() -> None:
    home = os.environ["_AES_TRACKER_TEST_OTHER_HOME"]
    env = {"PATH": os.environ["PATH"], "HOME": home, "LANG": "C"}
    if os.environ.get("PYTHONPATH"):
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    data = ROOT / "data" / "commitments.toml"
    p = subprocess.run(
        [*installed_cmd(), "--file", str(data), "--as-of", "2026-11-28", "list"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert p.returncode == 0, p.stderr
    assert (Path(home) / ".cache" / "aes-tracker").is_dir(), "the tool wrote no cache"
