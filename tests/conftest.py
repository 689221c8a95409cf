from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from datetime import datetime
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


def _footprint() -> dict[str, float | None]:
    """The tool's folders in the real home: the suite must leave them as it found them."""
    home = Path.home()
    out: dict[str, float | None] = {}
    for sub in (".cache/aes-tracker", ".local/state/aes-tracker", ".local/share/aes-tracker"):
        p = home / sub
        out[sub] = p.stat().st_mtime if p.exists() else None
    return out


@pytest.fixture(scope="session", autouse=True)
def _nothing_written_outside_the_tests() -> Iterator[None]:
    before = _footprint()
    yield
    assert _footprint() == before, "a test wrote in the real home's aes-tracker folders"


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test reads or writes the developer's own files, and output never depends on the
    terminal running the tests."""
    for var in (
        "AES_TRACKER_FILE",
        "AES_TRACKER_AS_OF",
        "AES_TRACKER_USER",
        "AES_TRACKER_GIT",
        "AES_TRACKER_EMAIL",
        "FORCE_COLOR",
        "NO_COLOR",
        "COLUMNS",
        "_AES_TRACKER_TEST_FAULT",
        "_AES_TRACKER_TEST_NOLOCK",
        "_AES_TRACKER_TEST_NOW",
        "AES_TRACKER_LANG",
        "LC_ALL",
        "LC_MESSAGES",
        "LANG",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
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
        self,
        *args: str,
        as_of: str = AS_OF,
        by: str = "tester",
        env: dict[str, str] | None = None,
        now: str | None = None,
    ) -> Result:
        """`now` is when the change is recorded (the history's `at`): by default noon UTC of
        the --as-of day, so that what the report counts as recorded this week does not
        depend on the real clock."""
        argv = ["--file", str(self.path), "--as-of", as_of, "--by", by, *args]
        with fixed_now(now or f"{as_of}T12:00:00+00:00"):
            return self.runner.invoke(app, argv, env=env)

    def bytes(self) -> bytes:
        return self.path.read_bytes()


@pytest.fixture
def cli(datafile: Path) -> Cli:
    return Cli(datafile)


@contextlib.contextmanager
def fixed_now(at: str) -> Iterator[None]:
    """The clock a change is recorded with (the history's `at`), for the in-process runs."""
    from aes_tracker.cli import base

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(base, "now", lambda: datetime.fromisoformat(at))
        yield


def tool_cmd() -> list[str]:
    """The tool with the tests' switches read from the environment (`_AES_TRACKER_TEST_*`, see
    tests/helpers/tool.py): the shipped tool reads none."""
    import sys

    return [sys.executable, str(Path(__file__).parent / "helpers" / "tool.py")]


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


# ---- a normal user, for what only permissions show -----------------------------------------------

NOBODY = 65534


def _can_drop_privileges() -> bool:
    return os.geteuid() != 0 or shutil.which("setpriv") is not None


@pytest.fixture
def user_dir() -> Iterator[Path]:
    """A folder that belongs to the user `as_user` runs as (nobody, when the tests run as root,
    as CI does: root may write anything, so permissions are only real for another user)."""
    import tempfile

    if not _can_drop_privileges():
        pytest.fail("running as root without setpriv: cannot test permissions for real")
    d = Path(tempfile.mkdtemp(prefix="aes-user-", dir="/tmp"))
    d.chmod(0o755)
    if os.geteuid() == 0:
        os.chown(d, NOBODY, NOBODY)
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


def as_user(
    argv: list[str], folder: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the installed CLI as that normal user, with its own HOME in `folder`."""
    prefix: list[str] = []
    if os.geteuid() == 0:
        prefix = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    full = {**bare_env(folder), "HOME": str(folder), **(env or {})}
    for var in ("XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"):
        full[var] = str(folder / var.lower())
    return subprocess.run(
        [*prefix, *installed_cmd(), *argv],
        env=full,
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def give_to_user(path: Path) -> None:
    if os.geteuid() == 0:
        os.chown(path, NOBODY, NOBODY)
