"""The README's pictures, made in headless Chromium from the code as it is:

    python scripts/screenshots.py [--out docs]

docs/dashboard.png: the top of `aes-tracker site`'s index for the bundled data, as of
2026-11-28; docs/matrix.png: `stats --matrix --by member --format svg` of the test fixture
tests/data/parties.toml (as of 2026-06-01), which has scores to show. tests/test_browser.py runs
this script, so the pictures can always be made again.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# The matrix picture's command line: the heat map of a fixture that has scores to show
# (tests/test_browser.py draws the same chart in Chromium).
MATRIX_ARGS = (
    "--file",
    str(ROOT / "tests" / "data" / "parties.toml"),
    "--as-of",
    "2026-06-01",
    "stats",
    "--matrix",
    "--by",
    "member",
    "--format",
    "svg",
)


def _browser() -> object:
    spec = importlib.util.spec_from_file_location("browser_script", ROOT / "scripts" / "browser.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def _cli(*args: str) -> str:
    return subprocess.run(
        [sys.executable, "-m", "aes_tracker", *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    ).stdout


def main(argv: list[str] | None = None) -> list[Path]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs")
    a = ap.parse_args(argv)
    a.out.mkdir(parents=True, exist_ok=True)
    browser = _browser()
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        data = ROOT / "data" / "commitments.toml"
        _cli("--file", str(data), "--as-of", "2026-11-28", "site", str(site))
        svg = Path(tmp) / "matrix.svg"
        svg.write_text(_cli(*MATRIX_ARGS), encoding="utf-8")
        width = int(float(svg.read_text(encoding="utf-8").split('width="', 2)[1].split('"')[0]))
        height = int(float(svg.read_text(encoding="utf-8").split('height="', 2)[1].split('"')[0]))
        with browser.Browser() as b:  # type: ignore[attr-defined]
            dashboard = a.out / "dashboard.png"
            dashboard.write_bytes(b.screenshot((site / "index.html").as_uri(), 1100, 1500))
            matrix = a.out / "matrix.png"
            matrix.write_bytes(b.screenshot(svg.as_uri(), width, height))
    return [dashboard, matrix]


if __name__ == "__main__":
    for p in main():
        print(p)
