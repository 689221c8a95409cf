"""docs/cli.md, the command reference, is generated from the --help texts: it is the golden
file of the help (`pytest --update-golden` rewrites it), reviewed as a diff like the others."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_cli_reference_is_up_to_date(update_golden: bool) -> None:
    # A process of its own: Typer fixes its help layout from the environment at import time.
    args = [] if update_golden else ["--check"]
    p = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "cli_docs.py"), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert p.returncode == 0, p.stderr
    doc = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert "## `aes-tracker report`" in doc and "## `aes-tracker source add`" in doc
    assert "\x1b[" not in doc
    assert "<bool>" not in doc and "<list" not in doc, "types read as a person writes them"
