"""The suite itself: it passes wherever it is cloned and whatever else runs on the machine."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .conftest import ROOT, as_user, bare_env


def test_the_suite_does_not_fail_when_the_tool_is_used_under_its_home(tmp_path: Path) -> None:
    """Issue 22, item 17: the session's guard checks a HOME of the suite's own, so another use
    of the tool under the HOME it was started with (in a pytest of its own, during its run)
    cannot fail it."""
    home = tmp_path / "real-home"
    home.mkdir()
    env = {**bare_env(tmp_path), "HOME": str(home), "_AES_TRACKER_TEST_OTHER_HOME": str(home)}
    for var in ("XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"):
        del env[var]
    # Not a test_*.py file: collected only when named, under the suite's conftest.
    test = "tests/helpers/other_home.py"
    p = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", test],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert p.returncode == 0, p.stdout + p.stderr
    assert "1 passed" in p.stdout, p.stdout
    assert (home / ".cache" / "aes-tracker").is_dir()


def test_the_tool_runs_as_a_normal_user_from_any_clone(user_dir: Path) -> None:
    """Issue 22, item 16: as root from a clone in a folder only root can enter (/root, any
    `mktemp -d`), `nobody` could not reach the venv's interpreter or the package. The tests that
    run as a normal user bring a reachable copy of their own."""
    r = as_user(["--version"], user_dir)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("aes-tracker ")
