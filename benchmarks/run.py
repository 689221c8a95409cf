"""Time aes-tracker against Taskwarrior on the same commitments, in one run, as ratios.

    python benchmarks/run.py [--sizes 10000,100000] [--runs 5] [--baseline-exe PATH] [-o FILE]

For each size N it generates a data file (benchmarks/generate.py, seed 1), imports the same
commitments (titles, due dates, statuses) into a temporary Taskwarrior home when `task` is
installed, and times each command: a warm-up run, then the median of --runs runs, the two tools
alternating. Peak memory is each process's own maximum resident set size (wait4). It also times
the start-up floor: `python -c pass` and a minimal Typer app that prints one line. At 10,000 it
also times `list` with no cache at all (cold) and after a hand edit of one commitment; with
--baseline-exe (an aes-tracker installed from an older commit, e.g. the one the performance issue
was measured on) the cold `list` of that version too, in the same rounds. It prints one table,
checks the targets of the performance issue, and writes everything as JSON.

Run it with a regular (not editable) install in a fresh venv: an editable install compiles the
sources it imports on each run when bytecode writing is off.

Nothing here is tuned to the targets: a target that is missed is printed as MISSED.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
import uuid
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
TODAY = "2026-11-28"
MINIMAL_TYPER_OPTION = """
import typer
app = typer.Typer()
@app.command()
def main(name: str = "world") -> None:
    print("hello", name)
app()
"""
MINIMAL_TYPER = """
import typer
app = typer.Typer()
@app.command()
def main() -> None:
    print("hello")
app()
"""


def run_once(argv: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall seconds and exit code of one process, its output read from a pipe."""
    t0 = time.perf_counter()
    p = subprocess.Popen(
        argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    assert p.stdout is not None
    while p.stdout.read(1 << 16):
        pass
    code = p.wait()
    return time.perf_counter() - t0, code


def peak_memory(argv: list[str], env: dict[str, str]) -> int:
    """Peak RSS in KiB, measured by /usr/bin/time in a run of its own: a child forked straight
    from this (larger) process can report this process's size instead of its own."""
    if not os.path.exists("/usr/bin/time"):
        return 0
    p = subprocess.run(
        ["/usr/bin/time", "-f", "%M", *argv],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    lines = p.stderr.strip().splitlines()
    return int(lines[-1]) if lines and lines[-1].isdigit() else 0


class Timer:
    def __init__(self, runs: int) -> None:
        self.runs = runs

    def measure(self, cases: list[tuple[Any, ...]]) -> dict[str, dict]:
        """Warm each case up once, then run the cases in turn, `runs` rounds (alternating the
        tools), and keep the median time and the largest peak memory. A case is (key, argv,
        env) or (key, argv, env, prepare): argv may be a function of the round (0 is the
        warm-up), so that each write closes a different item; `prepare(round)` runs before
        each run of the case, untimed (to empty a cache, to edit the file)."""
        times: dict[str, list[float]] = {c[0]: [] for c in cases}
        mem: dict[str, int] = {c[0]: 0 for c in cases}
        codes: dict[str, int] = {}

        def argv_of(argv: Any, i: int) -> list[str]:
            return argv(i) if callable(argv) else argv

        def prep(case: tuple[Any, ...], i: int) -> None:
            if len(case) > 3:
                case[3](i)

        for case in cases:
            prep(case, 0)
            codes[case[0]] = run_once(argv_of(case[1], 0), case[2])[1]
        for i in range(1, self.runs + 1):
            for case in cases:
                prep(case, i)
                t, code = run_once(argv_of(case[1], i), case[2])
                codes[case[0]] = max(codes[case[0]], code)
                times[case[0]].append(t)
        for case in cases:
            prep(case, self.runs + 1)
            mem[case[0]] = peak_memory(argv_of(case[1], self.runs + 1), case[2])
        return {
            k: {
                "median_s": statistics.median(times[k]),
                "runs": times[k],
                "peak_kib": mem[k],
                "exit": codes[k],
            }
            for k in times
        }


def describe(data_file: Path, runs: int, out: Path) -> None:
    """Run in a process of its own (see `main`), so that this process stays small: the IDs to
    use, and the Taskwarrior import of the same commitments."""
    raw = tomllib.loads(data_file.read_text(encoding="utf-8"))
    cs = raw["commitments"]
    open_ids = [
        cid for cid, c in cs.items() if c["status"] in ("pending", "in_progress", "stalled")
    ][: runs + 2]
    out.write_text(
        json.dumps({"first": next(iter(cs)), "open_ids": open_ids, "tasks": _tasks(raw)})
    )


def _tasks(raw: dict[str, Any]) -> list[dict[str, Any]]:
    tasks = []
    for cid, c in raw["commitments"].items():
        st = c["status"]
        t = {
            "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, cid)),
            "description": c["title"],
            "entry": "20250403T000000Z",
            "project": c["category"],
            "status": (
                "pending"
                if st in ("pending", "in_progress", "stalled")
                else "deleted"
                if st == "dropped"
                else "completed"
            ),
        }
        if t["status"] != "pending":
            t["end"] = "20260101T000000Z"
        if "due" in c:
            t["due"] = c["due"].strftime("%Y%m%dT000000Z")
        tasks.append(t)
    return tasks


def taskwarrior_home(tasks: list[dict[str, Any]], home: Path) -> dict[str, str] | None:
    task = shutil.which("task")
    if task is None:
        return None
    data = home / "taskdata"
    data.mkdir(parents=True)
    rc = home / "taskrc"
    rc.write_text(
        f"data.location={data}\nconfirmation=off\nverbose=nothing\nhooks=off\n"
        "bulk=0\nrecurrence=off\n"
    )
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "TASKRC": str(rc),
        "TASKDATA": str(data),
        "LANG": "C.UTF-8",
    }
    (home / "import.json").write_text(json.dumps(tasks))
    subprocess.run(
        [task, "import", str(home / "import.json")],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return env


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "--describe":
        describe(Path(sys.argv[2]), int(sys.argv[4]), Path(sys.argv[3]))
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000", help="commitments per file, comma-separated")
    ap.add_argument("--runs", type=int, default=5, help="timed runs per command (the median)")
    ap.add_argument(
        "--exe",
        default=shutil.which("aes-tracker", path=str(Path(sys.executable).parent)),
        help="the aes-tracker to time (default: the one next to this Python)",
    )
    ap.add_argument(
        "--baseline-exe",
        help="an aes-tracker installed from an older commit: its cold list is timed too",
    )
    ap.add_argument(
        "-o",
        "--output",
        type=Path,
        default=HERE / "results" / f"{date.today().isoformat()}.json",
        help="where the JSON results go (default: benchmarks/results/DATE.json)",
    )
    a = ap.parse_args()
    if not a.exe:
        sys.exit("aes-tracker is not installed next to this Python: pip install . first")
    sizes = [int(s) for s in a.sizes.split(",")]
    work = Path(tempfile.mkdtemp(prefix="aes-bench-"))
    timer = Timer(a.runs)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(work),
        "LANG": "C.UTF-8",
        "XDG_CACHE_HOME": str(work / "cache"),
        "XDG_STATE_HOME": str(work / "state"),
        "XDG_DATA_HOME": str(work / "data"),
    }
    aes = [a.exe]
    results: dict = {
        "machine": platform.node(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "date": date.today().isoformat(),
        "runs": a.runs,
        "task": None,
        "floor": {},
        "sizes": {},
    }
    if shutil.which("task"):
        results["task"] = subprocess.run(
            ["task", "--version"], capture_output=True, text=True
        ).stdout.strip()
    (work / "minimal.py").write_text(MINIMAL_TYPER)
    (work / "minimal_option.py").write_text(MINIMAL_TYPER_OPTION)
    bundled = Path(
        subprocess.run(
            [
                sys.executable,
                "-c",
                "from aes_tracker.store.core import bundled_path; print(bundled_path())",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    shutil.copyfile(bundled, work / "bundled.toml")
    print("start-up floor ...", file=sys.stderr)
    results["floor"] = timer.measure(
        [
            ("python -c pass", [sys.executable, "-c", "pass"], env),
            ("minimal typer app", [sys.executable, str(work / "minimal.py")], env),
            (
                "minimal typer app, 1 option",
                [sys.executable, str(work / "minimal_option.py"), "--name", "x"],
                env,
            ),
            ("aes-tracker --version", [*aes, "--version"], env),
            (
                "aes-tracker list (bundled)",
                [*aes, "--file", str(work / "bundled.toml"), "--as-of", TODAY, "list"],
                env,
            ),
        ]
    )
    for n in sizes:
        print(f"N = {n} ...", file=sys.stderr)
        f = work / f"c{n}.toml"
        subprocess.run(
            [
                sys.executable,
                str(HERE / "generate.py"),
                str(n),
                "--seed",
                "1",
                "--today",
                TODAY,
                "-o",
                str(f),
            ],
            check=True,
        )
        facts = work / f"facts{n}.json"
        subprocess.run(
            [sys.executable, __file__, "--describe", str(f), str(facts), str(a.runs)], check=True
        )
        info = json.loads(facts.read_text())
        first = info["first"]
        # Each `done` round closes a different open commitment, in both tools.
        open_ids = info["open_ids"]
        uuids = [str(uuid.uuid5(uuid.NAMESPACE_URL, cid)) for cid in open_ids]
        base = [*aes, "--file", str(f), "--as-of", TODAY, "--by", "bench"]
        cases = [
            ("list", [*base, "list"], env),
            # Every commitment, as `task export` gives every task (`list` shows the open ones,
            # as `task list` shows the pending).
            ("list --format json", [*base, "list", "--all", "--format", "json"], env),
            ("due", [*base, "due"], env),
            ("report", [*base, "report"], env),
            ("show ID", [*base, "show", first], env),
            # A whole-file check, section by section (94 MB at 100,000): time and memory.
            ("check", [*base, "check"], env),
            ("done ID", lambda i, b=base, ids=open_ids: [*b, "done", ids[i % len(ids)]], env),
        ]
        tw = taskwarrior_home(info.pop("tasks"), work / f"tw{n}")
        if tw is not None:
            cases += [
                ("task list", ["task", "rc.gc=off", "list"], tw),
                ("task export", ["task", "rc.gc=off", "export"], tw),
                ("task overdue", ["task", "rc.gc=off", "overdue"], tw),
                (
                    "task ID done",
                    lambda i, u=uuids: ["task", "rc.gc=off", u[i % len(u)], "done"],
                    tw,
                ),
            ]
        # Alternate the tools: aes-tracker case, Taskwarrior case, ...
        own = [c for c in cases if not c[0].startswith("task")]
        theirs = [c for c in cases if c[0].startswith("task")]
        mixed = [
            c
            for pair in zip(own, theirs + [None] * len(own), strict=False)
            for c in pair
            if c is not None
        ][: len(cases)]
        mixed += [c for c in cases if c not in mixed]
        if n == 10_000:
            mixed += cold_cases(f, work, env, aes, a.baseline_exe)
            mixed += merge_cases(f, work, env, aes)
        runs = timer if n < 100_000 else Timer(max(1, min(a.runs, 3)))
        results["sizes"][str(n)] = runs.measure(mixed)
    a.output.parent.mkdir(parents=True, exist_ok=True)
    verdicts = targets(results)
    results["targets"] = verdicts
    a.output.write_text(json.dumps(results, indent=2) + "\n")
    print(table(results))
    print()
    for v in verdicts:
        print(f"{'met   ' if v['met'] else 'MISSED'}  {v['target']}: {v['detail']}")
    print(f"\nwritten to {a.output}")
    shutil.rmtree(work, ignore_errors=True)


def cold_cases(
    f: Path, work: Path, env: dict[str, str], aes: list[str], baseline: str | None
) -> list[tuple[Any, ...]]:
    """`list` with no cache at all, and after a hand edit of one commitment (the cache holds the
    version before the edit), each on a copy of the file of its own."""
    cold_file, edit_file = work / "cold.toml", work / "edited.toml"
    shutil.copyfile(f, cold_file)
    shutil.copyfile(f, edit_file)
    cold_env = {**env, "XDG_CACHE_HOME": str(work / "cold-cache")}
    original = edit_file.read_bytes()
    at = original.index(b'title = "', original.index(b"[commitments."))

    def empty_cache(_i: int) -> None:
        shutil.rmtree(work / "cold-cache", ignore_errors=True)

    def edit_one(i: int) -> None:
        # A different title each round, as a person would type it: one table changes.
        edit_file.write_bytes(
            original[:at] + f'title = "Edited {i}: '.encode() + original[at + 9 :]
        )

    def argv(path: Path, exe: list[str]) -> list[str]:
        return [*exe, "--file", str(path), "--as-of", TODAY, "list"]

    cases: list[tuple[Any, ...]] = [
        ("list (cold)", argv(cold_file, aes), cold_env, empty_cache),
        ("list (after one edit)", argv(edit_file, aes), env, edit_one),
    ]
    if baseline:
        cases.append(("list (cold), baseline", argv(cold_file, [baseline]), cold_env, empty_cache))
    return cases


def merge_cases(f: Path, work: Path, env: dict[str, str], aes: list[str]) -> list[tuple[Any, ...]]:
    """The merge driver against `git merge-file` on the same three files: the generated file as
    the base, ours and theirs each with five titles changed, one of them on both sides (a
    conflict, so that the driver merges a commitment field by field). Both write into ours,
    which each round starts from afresh."""
    original = f.read_bytes()
    heads = [original.index(b"\n[commitments.")]
    while len(heads) < 100:
        heads.append(original.index(b"\n[commitments.", heads[-1] + 1))
    # Every tenth commitment's title (history tables have no title), so no two are neighbours.
    at = [original.index(b'title = "', heads[k]) + 9 for k in range(0, 100, 10)]

    def changed(picks: list[int], word: str) -> bytes:
        out = original
        for pos in sorted((at[k] for k in picks), reverse=True):
            out = out[:pos] + f"{word} ".encode() + out[pos:]
        return out

    base, theirs = work / "merge-base.toml", work / "merge-theirs.toml"
    ours_text = changed([0, 1, 2, 3, 4], "Ours")
    base.write_bytes(original)
    theirs.write_bytes(changed([4, 5, 6, 7, 8], "Theirs"))
    mine, gits = work / "merge-ours.toml", work / "merge-ours-git.toml"

    def fresh(path: Path) -> Any:
        return lambda _i: path.write_bytes(ours_text)

    return [
        ("merge-file", [*aes, "merge-file", str(base), str(mine), str(theirs)], env, fresh(mine)),
        (
            "git merge-file",
            ["git", "merge-file", str(gits), str(base), str(theirs)],
            env,
            fresh(gits),
        ),
    ]


PAIRS = {
    "merge-file": "git merge-file",
    "list": "task list",
    "list --format json": "task export",
    "due": "task overdue",
    "report": "task overdue",
    "done ID": "task ID done",
}


def table(r: dict) -> str:
    lines = [
        f"machine {r['machine']} ({r['platform']}, {r['cpus']} CPUs), Python {r['python']}"
        f", {r['date']}, median of {r['runs']} runs; Taskwarrior: {r['task'] or 'absent'}",
        "",
        f"{'N':>7}  {'command':<28}{'median s':>9}{'peak MiB':>9}"
        f"{'task s':>8}{'ratio':>7}{'mem ratio':>10}",
    ]
    for k, v in r["floor"].items():
        lines.append(f"{'-':>7}  {k:<28}{v['median_s']:>9.3f}{v['peak_kib'] / 1024:>9.1f}")
    for n, cases in r["sizes"].items():
        for k, v in cases.items():
            if k.startswith(("task", "git")):
                continue
            other = cases.get(PAIRS.get(k, ""))
            ratio = f"{v['median_s'] / other['median_s']:>7.2f}" if other else f"{'':>7}"
            mem = f"{v['peak_kib'] / other['peak_kib']:>10.2f}" if other else ""
            ts = f"{other['median_s']:>8.3f}" if other else f"{'':>8}"
            lines.append(
                f"{int(n):>7}  {k:<28}{v['median_s']:>9.3f}"
                f"{v['peak_kib'] / 1024:>9.1f}{ts}{ratio}{mem}"
            )
        for k, v in cases.items():
            if k.startswith(("task", "git")):
                lines.append(
                    f"{int(n):>7}  {k:<28}{v['median_s']:>9.3f}{v['peak_kib'] / 1024:>9.1f}"
                )
    return "\n".join(line.rstrip() for line in lines)  # no padding at the ends of lines


# The performance issue's targets: aes-tracker ÷ Taskwarrior, (time, peak memory) at 10,000 and
# at 100,000.
TARGETS = {
    "list": ((1.3, 1.0), (0.6, 0.7)),
    "list --format json": ((1.4, 1.2), (0.8, 1.0)),
    "due": ((1.5, 1.1), (0.8, 0.7)),
    "report": ((1.8, 1.3), (1.2, 1.3)),
    "done ID": ((3.0, 2.0), (2.0, 2.0)),
}


def targets(r: dict) -> list[dict]:
    out = []

    def check(name: str, value: float | None, limit: float, hint: str = "") -> None:
        # `hint` says how to measure a target left unmeasured; it is not shown otherwise.
        if value is None:
            out.append({"target": name, "met": False, "detail": f"not measured {hint}".rstrip()})
        else:
            out.append(
                {"target": name, "met": value <= limit, "detail": f"{value:.2f}× (limit {limit}×)"}
            )

    def ratio(cases: dict | None, a: str, b: str, key: str = "median_s") -> float | None:
        if not cases or a not in cases or b not in cases or not cases[b][key]:
            return None
        return cases[a][key] / cases[b][key]

    for size, label, which in (("10000", "10,000", 0), ("100000", "100,000", 1)):
        cases = r["sizes"].get(size)
        for cmd, limits in TARGETS.items():
            theirs = PAIRS[cmd]
            t_lim, m_lim = limits[which]
            check(f"{cmd} at {label}: time ≤ {t_lim}× {theirs}", ratio(cases, cmd, theirs), t_lim)
            check(
                f"{cmd} at {label}: peak memory ≤ {m_lim}× {theirs}",
                ratio(cases, cmd, theirs, "peak_kib"),
                m_lim,
            )
    ten = r["sizes"].get("10000")
    check(
        "first list after a hand edit of one commitment, at 10,000, ≤ 2.5× a warm list",
        ratio(ten, "list (after one edit)", "list"),
        2.5,
    )
    check(
        "merge-file at 10,000, five changes a side, ≤ 3× git merge-file",
        ratio(ten, "merge-file", "git merge-file"),
        3.0,
    )
    check(
        "cold list at 10,000 ≤ 0.6× the baseline's cold list",
        ratio(ten, "list (cold)", "list (cold), baseline"),
        0.6,
        "(give --baseline-exe)",
    )
    fl = r["floor"]
    check(
        "list on the bundled data ≤ 1.8× a minimal Typer app",
        ratio(fl, "aes-tracker list (bundled)", "minimal typer app"),
        1.8,
    )
    return out


if __name__ == "__main__":
    main()
