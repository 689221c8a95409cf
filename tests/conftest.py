from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from aes_tracker.cli import app

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "commitments.toml"
COMMUNIQUE = ROOT / "data" / "sources" / "communique-aes-russie-2025-04-03.txt"
AS_OF = "2026-11-28"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="Rewrite the golden files (tests/golden/, docs/cli.md) from the current output.",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test reads or writes the developer's own files, and output never depends on the
    terminal running the tests."""
    for var in (
        "AES_TRACKER_FILE",
        "AES_TRACKER_AS_OF",
        "AES_TRACKER_USER",
        "FORCE_COLOR",
        "NO_COLOR",
        "COLUMNS",
        "_AES_TRACKER_TEST_FAULT",
        "_AES_TRACKER_TEST_NOLOCK",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.chdir(tmp_path)
    yield


@pytest.fixture
def datafile(tmp_path: Path) -> Path:
    """A copy of the bundled data in a folder of its own."""
    d = tmp_path / "store"
    d.mkdir()
    p = d / "commitments.toml"
    shutil.copyfile(DATA, p)
    return p


class Cli:
    """Run the app in-process on one data file, with today fixed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.runner = CliRunner()

    def __call__(
        self, *args: str, as_of: str = AS_OF, by: str = "tester", env: dict[str, str] | None = None
    ) -> Result:
        argv = ["--file", str(self.path), "--as-of", as_of, "--by", by, *args]
        return self.runner.invoke(app, argv, env=env)

    def bytes(self) -> bytes:
        return self.path.read_bytes()


@pytest.fixture
def cli(datafile: Path) -> Cli:
    return Cli(datafile)


def installed_cmd() -> list[str]:
    """The installed console script when there is one (what CI and users run), else the module."""
    import sys

    exe = shutil.which("aes-tracker", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-m", "aes_tracker"]


def bare_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """What cron gives: no TERM, no COLUMNS, a minimal PATH, LANG=C."""
    import sys

    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "LANG": "C",
        "XDG_STATE_HOME": str(tmp_path / "xdg-state"),
        "XDG_CACHE_HOME": str(tmp_path / "xdg-cache"),
        "XDG_DATA_HOME": str(tmp_path / "xdg-data"),
    }
    if os.environ.get("PYTHONPATH"):
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    env.update(extra)
    return env
