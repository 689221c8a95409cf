from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

# The whole session, and every process it starts, gets a HOME and XDG folders of its own before
# anything is imported or run: the suite never touches the real ones, and the guard below checks
# these, so that a cron job or a person using the tool under the real HOME meanwhile cannot make
# it fail. (Each test then gets its own, in `_isolated`.) Under pytest-xdist each worker imports
# this file, so each has its own.
SESSION_HOME = Path(tempfile.mkdtemp(prefix="aes-session-home-"))
atexit.register(shutil.rmtree, SESSION_HOME, ignore_errors=True)
for _var, _sub in (
    ("HOME", ""),
    ("XDG_DATA_HOME", ".local/share"),
    ("XDG_STATE_HOME", ".local/state"),
    ("XDG_CACHE_HOME", ".cache"),
    ("XDG_CONFIG_HOME", ".config"),
):
    os.environ[_var] = str(SESSION_HOME / _sub)

import pytest  # noqa: E402
from typer.testing import CliRunner, Result  # noqa: E402

from aes_tracker.cli import app  # noqa: E402

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


def _footprint() -> list[str]:
    """What the tool left in the session's own HOME: each test has a HOME of its own, so a test
    that writes here escaped its isolation. Only the tool's folders: the browser and LibreOffice
    that some tests start keep caches of their own (dconf, fontconfig) under HOME."""
    return sorted(
        str(p.relative_to(SESSION_HOME))
        for sub in (".cache", ".local/state", ".local/share", ".config")
        if (SESSION_HOME / sub / "aes-tracker").exists()
        for p in (SESSION_HOME / sub / "aes-tracker").rglob("*")
    )


@pytest.fixture(scope="session", autouse=True)
def _nothing_written_outside_the_tests() -> Iterator[None]:
    assert _footprint() == []
    yield
    assert _footprint() == [], "a test wrote in the session's HOME, outside its own folders"


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
    # The language is the process's: a test that ran the app with --lang fr in-process must not
    # leave the next one, which calls the core directly, speaking French.
    from aes_tracker import i18n

    i18n.set_language("en")
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


def _as_nobody() -> list[str]:
    return ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]


def _nobody_runs(python: str) -> bool:
    """Whether `nobody` can run this interpreter, and it is this Python's version (the copied
    packages may hold compiled modules for it)."""
    p = subprocess.run(
        [*_as_nobody(), python, "-S", "-c", "import sys; print(sys.version_info[:2])"],
        env={"PATH": "/usr/bin:/bin", "LANG": "C"},
        cwd="/",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return p.returncode == 0 and p.stdout.strip() == str(sys.version_info[:2])


def _runtime_distributions() -> list[object]:
    """aes-tracker's run-time dependencies, followed to the end (no extras)."""
    import re
    from importlib import metadata

    found: dict[str, metadata.Distribution] = {}
    todo = ["aes-tracker"]
    while todo:
        name = todo.pop()
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in found:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue  # a dependency for another Python version (a marker), or optional
        found[key] = dist
        for req in dist.requires or []:
            if "extra" not in req.partition(";")[2]:
                todo.append(re.split(r"[\s<>=!~;\[(]", req, maxsplit=1)[0])
    del found["aes-tracker"]
    return list(found.values())


_REACHABLE: tuple[list[str], str] | None = None


def _reachable_command() -> tuple[list[str], str]:
    """As root, a command that `nobody` can run: the clone (its venv, its interpreter) may sit
    in a folder only root can enter (/root, any `mktemp -d`), so the package and its run-time
    dependencies are copied once per session into a 0755 folder, and run by an interpreter of
    the same version that `nobody` can reach. Gives the command and its PYTHONPATH."""
    global _REACHABLE
    if _REACHABLE is not None:
        return _REACHABLE
    import compileall

    import aes_tracker

    v = f"{sys.version_info.major}.{sys.version_info.minor}"
    candidates = [
        os.path.realpath(sys.executable),
        os.path.realpath(getattr(sys, "_base_executable", sys.executable)),
        f"/usr/bin/python{v}",
        f"/usr/local/bin/python{v}",
        "/usr/bin/python3",
        "/usr/local/bin/python3",
    ]
    python = next(
        (c for c in dict.fromkeys(candidates) if os.path.isfile(c) and _nobody_runs(c)), None
    )
    if python is None:
        pytest.skip(f"no Python {v} that the user nobody can run: cannot test as a normal user")
    site = Path(tempfile.mkdtemp(prefix="aes-nobody-site-"))
    atexit.register(shutil.rmtree, site, ignore_errors=True)
    site.chmod(0o755)
    for dist in _runtime_distributions():
        for f in dist.files or []:  # type: ignore[attr-defined]
            src = Path(dist.locate_file(f))  # type: ignore[attr-defined]
            if ".." in Path(f).parts or not src.is_file():
                continue  # console scripts live outside site-packages
            dst = site / f
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
    package = Path(aes_tracker.__file__).parent
    shutil.copytree(package, site / "aes_tracker", ignore=shutil.ignore_patterns("__pycache__"))
    bundled = site / "aes_tracker" / "bundled" / "commitments.toml"
    if not bundled.exists():  # an editable install: what the wheel would ship
        bundled.parent.mkdir()
        shutil.copyfile(DATA, bundled)
    compileall.compile_dir(site, quiet=2)  # nobody could not write the bytecode
    for folder, dirs, files in os.walk(site):
        for name in dirs:
            os.chmod(os.path.join(folder, name), 0o755)
        for name in files:
            os.chmod(os.path.join(folder, name), 0o644)
    # -S: nothing from the interpreter's own site-packages, only the copy.
    _REACHABLE = ([python, "-S", "-m", "aes_tracker"], str(site))
    return _REACHABLE


def as_user(
    argv: list[str], folder: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the CLI as that normal user, with its own HOME in `folder`."""
    full = {**bare_env(folder), "HOME": str(folder), **(env or {})}
    for var in ("XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"):
        full[var] = str(folder / var.lower())
    command = installed_cmd()
    if os.geteuid() == 0:
        reachable, full["PYTHONPATH"] = _reachable_command()
        command = [*_as_nobody(), *reachable]
    return subprocess.run(
        [*command, *argv],
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
