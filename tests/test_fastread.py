"""The read side's fast paths (issue 25) each give the same bytes as the full path they stand
in for: `--version` answered before the app is built, ..."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from aes_tracker.cli import app

from .conftest import bare_env


def test_version_before_the_app_is_the_apps_version(tmp_path: Path) -> None:
    """`aes-tracker --version` answered by the entry point prints what the app prints."""
    fast = subprocess.run(
        [sys.executable, "-m", "aes_tracker", "--version"],
        env=bare_env(tmp_path),
        capture_output=True,
        check=False,
    )
    full = CliRunner().invoke(app, ["--version"])
    assert (fast.returncode, fast.stdout.decode(), fast.stderr) == (
        full.exit_code,
        full.stdout,
        b"",
    )
    # And what needs the app still reaches it: a language that is none is an error.
    bad = subprocess.run(
        [sys.executable, "-m", "aes_tracker", "--version"],
        env=bare_env(tmp_path, AES_TRACKER_LANG="xx"),
        capture_output=True,
        check=False,
    )
    assert bad.returncode == 2 and bad.stderr.startswith(b"error: ")
