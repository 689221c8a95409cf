"""Timing and peak memory of child processes, run in interleaved rounds (for benchmarks/run.py).

Peak memory is the child's maximum resident set size as the kernel counts it (ru_maxrss). That
figure is carried across `exec`: a child forked straight from this Python process reports at least
this process's size. So every child is started by a small forker of its own, GNU time
(`/usr/bin/time -f %M -o FILE`, about 2 MiB) where it is installed, else a Python one started
with -I -S (about 9 MiB, which is then the floor of every figure). The wall time is measured
around the forker, the same few milliseconds for both tools.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

# Forks the command, waits for it and writes its ru_maxrss (KiB) to argv[1]; exits as it did.
_FORKER = """\
import os, sys
pid = os.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as f:
    f.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def forker(python: str) -> tuple[str, list[str]]:
    """Which forker is used (for the report) and the argv prefix that runs a command under it;
    the prefix ends with the file the peak goes to, the command follows it."""
    gnu = "/usr/bin/time"
    if os.access(gnu, os.X_OK):
        with tempfile.NamedTemporaryFile("r") as out:
            subprocess.run(
                [gnu, "-f", "%M", "-o", out.name, "true"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=False,
            )
            if out.read().strip().isdigit():
                return "GNU time", [gnu, "-f", "%M", "-o"]
    return "a Python forker (floor about 9 MiB)", [python, "-I", "-S", "-c", _FORKER]


@dataclass
class Case:
    """One command to time. `prepare` runs before every run of it, untimed (to empty a cache,
    to put back a fresh copy of the data); `exits` are the exit codes that mean it worked."""

    key: str
    argv: list[str]
    env: dict[str, str]
    cwd: Path
    prepare: Callable[[], None] | None = None
    exits: tuple[int, ...] = (0,)


@dataclass
class Runs:
    """What the timed runs of one case gave, round by round."""

    seconds: list[float] = field(default_factory=list)
    peak_kib: list[int] = field(default_factory=list)
    exits: list[int] = field(default_factory=list)
    failed: bool = False

    def median_s(self) -> float:
        return statistics.median(self.seconds)

    def median_mib(self) -> float:
        return statistics.median(self.peak_kib) / 1024


@dataclass
class Group:
    """Cases timed back to back in each round, so that a ratio between any two of them can be
    taken round by round. The order turns each round (who goes first alternates). `warmup`: one
    untimed round first (to fill the parse cache, the page cache)."""

    name: str
    cases: list[Case]
    rounds: int
    warmup: bool = True


def run_one(case: Case, prefix: list[str], peak_file: Path) -> tuple[float, int, int]:
    """Wall seconds, peak KiB and exit code of one run, its output read from a pipe."""
    if case.prepare is not None:
        case.prepare()
    peak_file.unlink(missing_ok=True)
    t0 = time.perf_counter()
    p = subprocess.Popen(
        [*prefix, str(peak_file), *case.argv],
        env=case.env,
        cwd=case.cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert p.stdout is not None
    while p.stdout.read(1 << 16):
        pass
    code = p.wait()
    elapsed = time.perf_counter() - t0
    try:
        # GNU time writes "Command exited with non-zero status N" first when it is not 0.
        kib = int(peak_file.read_text().split()[-1])
    except (OSError, ValueError, IndexError):
        kib = 0
    return elapsed, kib, code


def run_group(group: Group, prefix: list[str], scratch: Path) -> dict[str, Runs]:
    runs = {c.key: Runs() for c in group.cases}
    peak_file = scratch / "peak"
    first = 0 if group.warmup else 1
    for r in range(first, group.rounds + 1):
        k = r % len(group.cases)
        for case in group.cases[k:] + group.cases[:k]:
            seconds, kib, code = run_one(case, prefix, peak_file)
            if code not in case.exits:
                runs[case.key].failed = True
            if r > 0:
                runs[case.key].seconds.append(seconds)
                runs[case.key].peak_kib.append(kib)
                runs[case.key].exits.append(code)
    return runs


def ratios(ours: Runs, theirs: Runs, memory: bool = False) -> list[float]:
    """Ours ÷ theirs, round by round."""
    a, b = (ours.peak_kib, theirs.peak_kib) if memory else (ours.seconds, theirs.seconds)
    return [x / y for x, y in zip(a, b, strict=True) if y]


def snapshot(src: Path, dst: Path) -> None:
    """A copy of a file or folder (modes kept: the cache folder must stay private)."""
    if dst.is_dir():
        shutil.rmtree(dst)
    if src.is_dir():
        shutil.copytree(src, dst, symlinks=True)
    else:
        shutil.copy2(src, dst)


def restorer(pairs: Sequence[tuple[Path, Path]]) -> Callable[[], None]:
    """A `prepare` that puts back each (snapshot, live) pair: the live file or folder is removed
    and the snapshot, if there is one, copied in its place."""

    def restore() -> None:
        for snap, live in pairs:
            if live.is_dir():
                shutil.rmtree(live)
            else:
                live.unlink(missing_ok=True)
            if snap.exists():
                snapshot(snap, live)

    return restore


def emptier(*folders: Path) -> Callable[[], None]:
    def empty() -> None:
        for f in folders:
            shutil.rmtree(f, ignore_errors=True)

    return empty


def machine(python: str) -> dict[str, object]:
    """The machine and the versions the figures depend on."""

    def out(argv: list[str]) -> str:
        try:
            p = subprocess.run(argv, capture_output=True, text=True, check=False)
        except OSError:
            return "absent"
        return p.stdout.strip().splitlines()[0] if p.stdout.strip() else "absent"

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        import platform

        cpu = platform.processor() or "unknown"
    py = "import platform, typer; print(platform.python_version(), typer.__version__)"
    python_version, _, typer_version = out([python, "-c", py]).partition(" ")
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": python_version,
        "typer": typer_version,
        "taskwarrior": out(["task", "--version"]) if shutil.which("task") else "absent",
        "git": out(["git", "--version"]).removeprefix("git version "),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
