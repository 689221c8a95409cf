"""Time aes-tracker against Taskwarrior and its other references, and check the performance targets.

    python benchmarks/run.py [--sizes 10000,100000] [--rounds 5] [--quick] [--json FILE]

It prints one table, a row per target: ours, theirs (the reference), their ratio, the limit, and
whether it is met; then how many are met. It exits 0 either way: it is a report, not a test.

Method (the README's Performance section says more):
- Each size N gets a data file from benchmarks/generate.py (seed 1, today's date), and the same
  commitments (titles, due dates, statuses) are imported into a Taskwarrior of its own, run with
  its defaults (gc on): a ~/.taskrc that only names the data folder.
- Each target is a group of commands timed back to back in every round, the order turning each
  round; the ratio is the median of the per-round ratios, not the ratio of the medians. The
  `ours` and `theirs` columns are the medians of each side. Warm groups have one untimed
  warm-up round first.
- Each write round starts from a fresh copy of what it writes: `done ID` from the data file, the
  parse cache and the undo journal as they were after one earlier write (warm), `task N done`
  from the imported Taskwarrior data (N exists in every round); the first write to a file the
  tool has never written from a fresh copy of the generated file with no cache and no journal.
- Every group of commands has its own HOME and XDG folders, so the parse cache of a warm row
  never reaches a cold one; the cold rows empty theirs before each run.
- Peak memory is each command's own maximum RSS (see benchmarks/measure.py), in MiB.

Run it from a regular (not editable) install in a fresh venv: an editable install compiles the
sources it imports on each run when bytecode writing is off. Nothing here is tuned to the
targets: a missed target is printed as missed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
import uuid
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import Case, Group, Runs, emptier, forker, machine, restorer, run_group, snapshot
from targets import START_UP, TARGETS, evaluate, table

HERE = Path(__file__).resolve().parent
OPEN = ("pending", "in_progress", "stalled")
TOMLI = "import sys, tomli\nwith open(sys.argv[1], 'rb') as f:\n    tomli.load(f)"


class Bench:
    """The folders, environments and commands of one run."""

    def __init__(self, exe: str, work: Path, rounds: int, today: str) -> None:
        self.exe = exe
        self.python = interpreter(exe)
        self.work = work
        self.rounds = rounds
        self.today = today

    def env(self, name: str) -> dict[str, str]:
        """A HOME and XDG folders of its own: no cache, journal or setting leaks between
        groups, and nothing comes from the caller's (no AES_TRACKER_* variable either)."""
        home = self.work / "homes" / name
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "HOME": str(home),
            "XDG_CACHE_HOME": str(home / "cache"),
            "XDG_STATE_HOME": str(home / "state"),
            "XDG_DATA_HOME": str(home / "data"),
            "XDG_CONFIG_HOME": str(home / "config"),
        }

    def aes(self, path: Path, *args: str) -> list[str]:
        """No --as-of: under it the tool reads the whole file whenever something in it is dated
        after that day, and the generated histories run past today. The file is generated for
        today instead, the day both tools take."""
        return [self.exe, "--file", str(path), "--by", "bench", *args]

    def case(self, key: str, argv: list[str], env: dict[str, str], **kw: Any) -> Case:
        return Case(key, argv, env, self.work, **kw)

    def setup_run(self, argv: list[str], env: dict[str, str]) -> None:
        subprocess.run(
            argv, env=env, cwd=self.work, check=True, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip

    def start_up(self) -> Group:
        bundled = self.work / "bundled.toml"
        where = "from aes_tracker.store.paths import bundled_path; print(bundled_path())"
        found = subprocess.run(
            [self.python, "-c", where], capture_output=True, text=True, check=True
        )
        shutil.copyfile(found.stdout.strip(), bundled)
        env = self.env("start-up")
        cases = [
            self.case("minimal Typer app", [self.python, str(HERE / "minimal_typer.py")], env),
            self.case("--version", [self.exe, "--version"], env),
            self.case("list (bundled data)", self.aes(bundled, "list"), env),
        ]
        return Group("start-up", cases, self.rounds)

    def size(self, n: int) -> list[Group]:
        """The groups of one size: warm reads, the warm write, the cold rows, the merge."""
        d = self.work / f"n{n}"
        d.mkdir()
        data = d / "commitments.toml"
        generate = [str(HERE / "generate.py"), str(n), "--today", self.today, "-o", str(data)]
        subprocess.run([self.python, *generate, "--seed", "1"], check=True)
        facts = d / "facts.json"
        # In a process of its own, so that this one stays small.
        subprocess.run([sys.executable, __file__, "--describe", str(data), str(facts)], check=True)
        info = json.loads(facts.read_text())
        target, earlier = info["target"], info["earlier"]
        rounds = self.rounds if n < 100_000 else min(self.rounds, 3)
        tw_read, tw_id = taskwarrior(d / "tw-read", info["tasks"], target)
        groups = [
            *self.reads(n, data, tw_read, rounds),
            self.write(n, data, target, earlier, tw_read, tw_id, rounds),
            self.cold(n, data, target, self.rounds if n < 100_000 else min(self.rounds, 2)),
        ]
        if n < 100_000:
            groups.append(self.merge(n, data, rounds))
        return groups

    def reads(self, n: int, data: Path, tw: dict[str, str], rounds: int) -> list[Group]:
        env = self.env(f"warm-{n}")
        pairs = [
            ("list", ["list"], "task list", ["list"]),
            ("json", ["list", "--format", "json", "--all"], "task export", ["export"]),
            ("due", ["due"], "task overdue", ["overdue"]),
            ("report", ["report"], "task overdue", ["overdue"]),
        ]
        return [
            Group(
                f"{n}/{name}",
                [
                    self.case(" ".join(ours), self.aes(data, *ours), env),
                    self.case(theirs, ["task", *theirs_argv], tw),
                ],
                rounds,
            )
            for name, ours, theirs, theirs_argv in pairs
        ]

    def write(
        self,
        n: int,
        data: Path,
        target: str,
        earlier: str,
        tw_read: dict[str, str],
        tw_id: int,
        rounds: int,
    ) -> Group:
        """`done ID` on a file the tool has written before (one earlier `done`, then a `list`),
        and `task N done`; both from a fresh copy of that state in each round."""
        env = self.env(f"write-{n}")
        home = Path(env["HOME"])
        live, snap = data.with_name("written.toml"), data.with_name("written.snap")
        shutil.copy2(data, live)
        self.setup_run(self.aes(live, "done", earlier), env)
        self.setup_run(self.aes(live, "list"), env)
        pairs = [(snap / "file", live)]
        snap.mkdir()
        snapshot(live, snap / "file")
        for sub in ("cache", "state"):
            if (home / sub).exists():
                snapshot(home / sub, snap / sub)
            pairs.append((snap / sub, home / sub))
        tw_home = Path(tw_read["HOME"]).with_name("tw-write")
        tw = taskwarrior_copy(Path(tw_read["HOME"]), tw_home)
        tw_data = tw_home / "data"
        return Group(
            f"{n}/done",
            [
                self.case("done ID", self.aes(live, "done", target), env, prepare=restorer(pairs)),
                self.case(
                    "task N done",
                    ["task", str(tw_id), "done"],
                    tw,
                    prepare=restorer([(tw_home / "data.snap", tw_data)]),
                ),
            ],
            rounds,
        )

    def cold(self, n: int, data: Path, target: str, rounds: int) -> Group:
        """A bare tomli parse, the first `list` with no cache, and the first `done` on a fresh
        copy of a file the tool has never seen (no cache, no journal)."""
        read_env, write_env = self.env(f"cold-{n}"), self.env(f"first-write-{n}")
        fresh = data.with_name("fresh.toml")

        def folders(env: dict[str, str]) -> list[Path]:
            return [Path(env["XDG_CACHE_HOME"]), Path(env["XDG_STATE_HOME"])]

        def first_write() -> None:
            emptier(*folders(write_env))()
            shutil.copy2(data, fresh)

        return Group(
            f"{n}/cold",
            [
                self.case("tomli parse", [self.python, "-c", TOMLI, str(data)], read_env),
                self.case(
                    "list, no cache",
                    self.aes(data, "list"),
                    read_env,
                    prepare=emptier(*folders(read_env)),
                ),
                self.case(
                    "done, never-written file",
                    self.aes(fresh, "done", target),
                    write_env,
                    prepare=first_write,
                ),
            ],
            rounds,
            warmup=False,
        )

    def merge(self, n: int, data: Path, rounds: int) -> Group:
        """The merge driver against `git merge-file` on the same three files: the generated file
        as the base, ours and theirs each with five titles changed, one of them on both sides (a
        conflict, so that the driver merges a commitment field by field: both exit 1). Both
        write into ours, which each round starts from afresh, with no cache."""
        original = data.read_bytes()
        heads = [original.index(b"\n[commitments.")]
        while len(heads) < 100 and b"\n[commitments." in original[heads[-1] + 1 :]:
            heads.append(original.index(b"\n[commitments.", heads[-1] + 1))
        step = max(1, len(heads) // 10)
        # Every tenth commitment's title, so that no two changes are neighbours.
        at = [original.index(b'title = "', heads[k]) + 9 for k in range(0, len(heads), step)]

        def changed(picks: list[int], word: str) -> bytes:
            out = original
            for pos in sorted((at[k] for k in picks), reverse=True):
                out = out[:pos] + f"{word} ".encode() + out[pos:]
            return out

        d = data.parent
        base, theirs = d / "merge-base.toml", d / "merge-theirs.toml"
        ours_text = changed([0, 1, 2, 3, 4], "Ours")
        base.write_bytes(original)
        theirs.write_bytes(changed([4, 5, 6, 7, 8], "Theirs"))
        mine, gits = d / "merge-ours.toml", d / "merge-ours-git.toml"
        env = self.env(f"merge-{n}")

        def fresh(path: Path, folders: list[Path]) -> Any:
            def prepare() -> None:
                emptier(*folders)()
                path.write_bytes(ours_text)

            return prepare

        homes = [Path(env["XDG_CACHE_HOME"]), Path(env["XDG_STATE_HOME"])]
        ours_argv = [self.exe, "merge-file", str(base), str(mine), str(theirs)]
        git_argv = ["git", "merge-file", str(gits), str(base), str(theirs)]
        return Group(
            f"{n}/merge",
            [
                self.case("merge-file", ours_argv, env, prepare=fresh(mine, homes), exits=(1,)),
                self.case("git merge-file", git_argv, env, prepare=fresh(gits, []), exits=(1,)),
            ],
            rounds,
        )


def interpreter(exe: str) -> str:
    """The Python that runs the aes-tracker script (its #! line), for the references that must
    run on the same interpreter and the same Typer."""
    with open(exe, "rb") as f:
        first = f.readline().decode(errors="replace").strip()
    if first.startswith("#!") and len(first.split()) == 1 and os.path.exists(first[2:]):
        return first[2:]
    return sys.executable


def describe(data_file: Path, out: Path) -> None:
    """The IDs to close, and the same commitments as Taskwarrior tasks to import."""
    raw = tomllib.loads(data_file.read_text(encoding="utf-8"))
    cs = raw["commitments"]
    open_ids = [cid for cid, c in cs.items() if c["status"] in OPEN]
    middle = len(open_ids) // 2  # `done` shifts what follows the table it rewrites
    out.write_text(
        json.dumps(
            {
                "target": open_ids[middle],
                "earlier": open_ids[middle // 2],
                "tasks": [task_of(cid, c) for cid, c in cs.items()],
            }
        )
    )


def task_of(cid: str, c: dict[str, Any]) -> dict[str, Any]:
    st = c["status"]
    t = {
        "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, cid)),
        "description": c["title"],
        "entry": "20250403T000000Z",
        "project": c["category"],
        "status": "pending" if st in OPEN else "deleted" if st == "dropped" else "completed",
    }
    if t["status"] != "pending":
        t["end"] = "20260101T000000Z"
    if "due" in c:
        t["due"] = c["due"].strftime("%Y%m%dT000000Z")
    return t


def tw_env(home: Path) -> dict[str, str]:
    """Taskwarrior's defaults: HOME's ~/.taskrc names the data folder and nothing else."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "LANG": "C.UTF-8"}


def taskwarrior(home: Path, tasks: list[dict[str, Any]], target: str) -> tuple[dict[str, str], int]:
    """A Taskwarrior holding the same commitments, run once (its garbage collection settles the
    imported data), and the ID the target commitment has there."""
    (home / "data").mkdir(parents=True)
    (home / ".taskrc").write_text(f"data.location={home / 'data'}\n")
    env = tw_env(home)
    (home / "import.json").write_text(json.dumps(tasks))
    for argv in (["task", "import", str(home / "import.json")], ["task", "list"]):
        subprocess.run(argv, env=env, check=True, stdin=subprocess.DEVNULL, capture_output=True)
    u = uuid.uuid5(uuid.NAMESPACE_URL, target)
    got = subprocess.run(
        ["task", "_get", f"{u}.id"], env=env, capture_output=True, text=True, check=True
    )
    return env, int(got.stdout.strip())


def taskwarrior_copy(src: Path, home: Path) -> dict[str, str]:
    """A second Taskwarrior home for the writes, its data a copy (and a snapshot) of `src`'s."""
    home.mkdir()
    (home / ".taskrc").write_text(f"data.location={home / 'data'}\n")
    snapshot(src / "data", home / "data.snap")
    snapshot(src / "data", home / "data")
    return tw_env(home)


def machine_line(m: dict[str, Any]) -> str:
    load = ", ".join(f"{x:.2f}" for x in m["load_average"])
    return (
        f"machine: {m['cpu']}, {m['cores']} cores, load average at start {load}\n"
        f"versions: Python {m['python']}, Typer {m['typer']}, Taskwarrior {m['taskwarrior']}, "
        f"git {m['git']}, aes-tracker {m['aes_tracker']}; peak memory by {m['forker']}"
    )


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--describe":
        describe(Path(sys.argv[2]), Path(sys.argv[3]))
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", help="commitments per file, comma-separated (10000,100000)")
    ap.add_argument("--rounds", type=int, help="timed rounds per group (5; 3 at 100,000)")
    ap.add_argument(
        "--quick", action="store_true", help="a smoke run: 1,000 commitments, one round"
    )
    ap.add_argument("--json", type=Path, metavar="FILE", help="also write the result as JSON")
    ap.add_argument(
        "--exe",
        default=shutil.which("aes-tracker", path=str(Path(sys.executable).parent)),
        help="the aes-tracker to time (default: the one next to this Python)",
    )
    a = ap.parse_args()
    if not a.exe:
        sys.exit("aes-tracker is not installed next to this Python: pip install . first")
    if not shutil.which("task"):
        sys.exit("Taskwarrior (task) is not installed: it is the reference")
    sizes = [int(s) for s in (a.sizes or ("1000" if a.quick else "10000,100000")).split(",")]
    rounds = max(1, a.rounds or (1 if a.quick else 5))
    work = Path(tempfile.mkdtemp(prefix="aes-bench-"))
    try:
        bench = Bench(a.exe, work, rounds, date.today().isoformat())
        facts = machine(bench.python)
        forker_name, prefix = forker(bench.python)
        version = subprocess.run([a.exe, "--version"], capture_output=True, text=True)
        facts |= {
            "forker": forker_name,
            "aes_tracker": version.stdout.strip().removeprefix("aes-tracker ") or "?",
        }
        print(machine_line(facts), file=sys.stderr)
        runs: dict[str, dict[str, Runs]] = {}
        rows: list[dict[str, Any]] = []
        print("start-up ...", file=sys.stderr)
        runs["start-up"] = run_group(bench.start_up(), prefix, work)
        rows += [r for t in START_UP if (r := evaluate(t, None, runs, "start-up"))]
        for n in sizes:
            print(f"{n:,} commitments ...", file=sys.stderr)
            for g in bench.size(n):
                print(f"  {g.name} ...", file=sys.stderr)
                runs[g.name] = run_group(g, prefix, work)
            rows += [
                r for t in TARGETS if (r := evaluate(t, n, runs, f"{n}/{t.group}")) is not None
            ]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    met = sum(r["met"] for r in rows)
    print(machine_line(facts))
    print(
        f"{date.today().isoformat()}, {rounds} rounds (at most 3 at 100,000, 2 for its cold "
        "rows); ratio: median of per-round ratios, ours ÷ theirs"
    )
    print()
    print(table(rows))
    print()
    print(f"{met} of {len(rows)} targets met")
    if a.json:
        a.json.parent.mkdir(parents=True, exist_ok=True)
        result = {
            "machine": facts,
            "date": date.today().isoformat(),
            "rounds": rounds,
            "sizes": sizes,
            "targets": rows,
            "met": met,
            "total": len(rows),
            "runs": {g: {k: vars(v) for k, v in cases.items()} for g, cases in runs.items()},
        }
        a.json.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
        print(f"written to {a.json}")


if __name__ == "__main__":
    main()
