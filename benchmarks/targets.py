"""The performance targets of issue 25, and the report's rows and table (for benchmarks/run.py)."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

from measure import Runs, ratios


@dataclass(frozen=True)
class Target:
    """ours ÷ theirs (metric "time" or "memory"), or ours alone against an absolute limit
    ("seconds", "MiB"). `limits`: at 10,000 and at 100,000; None where the issue sets none. At
    other sizes the limit of the nearer one applies (below 100,000: 10,000's)."""

    label: str
    group: str
    ours: str
    theirs: str | None
    metric: str
    limits: tuple[float | None, float | None]


# Issue 25's targets. `report` is compared with `task overdue`: Taskwarrior has no weekly report,
# and the report's first and largest section is the overdue commitments.
TARGETS = [
    Target("list ÷ task list", "list", "list", "task list", "time", (0.8, 0.4)),
    Target(
        "list --format json --all ÷ task export",
        "json",
        "list --format json --all",
        "task export",
        "time",
        (1.1, 0.9),
    ),
    Target(
        "list --format json --all ÷ task export, peak memory",
        "json",
        "list --format json --all",
        "task export",
        "memory",
        (None, 1.0),
    ),
    Target("due ÷ task overdue", "due", "due", "task overdue", "time", (0.9, 0.4)),
    Target("report ÷ task overdue", "report", "report", "task overdue", "time", (1.2, 0.8)),
    Target("done ID ÷ task N done", "done", "done ID", "task N done", "time", (2.5, 1.3)),
    Target(
        "done ID ÷ task N done, peak memory",
        "done",
        "done ID",
        "task N done",
        "memory",
        (1.5, 1.5),
    ),
    Target(
        "first list, no cache ÷ bare tomli parse",
        "cold",
        "list, no cache",
        "tomli parse",
        "time",
        (1.3, 1.3),
    ),
    Target(
        "first done, never-written file ÷ first list",
        "cold",
        "done, never-written file",
        "list, no cache",
        "time",
        (2.0, 2.0),
    ),
    Target(
        "first done, never-written file",
        "cold",
        "done, never-written file",
        None,
        "seconds",
        (3.0, 35.0),
    ),
    Target(
        "first done, never-written file, peak memory",
        "cold",
        "done, never-written file",
        None,
        "MiB",
        (None, 600.0),
    ),
    Target(
        "merge-file ÷ git merge-file, 5 changes a side",
        "merge",
        "merge-file",
        "git merge-file",
        "time",
        (3.0, None),
    ),
]
START_UP = [
    Target(
        "--version ÷ minimal Typer app",
        "start-up",
        "--version",
        "minimal Typer app",
        "time",
        (1.1, 1.1),
    ),
    Target(
        "list, bundled data ÷ minimal Typer app",
        "start-up",
        "list (bundled data)",
        "minimal Typer app",
        "time",
        (1.3, 1.3),
    ),
]


def evaluate(
    t: Target, n: int | None, runs: dict[str, dict[str, Runs]], key: str
) -> dict[str, Any] | None:
    """One row of the report, or None when the target has no limit at this size."""
    limit = t.limits[0] if n is None or n < 100_000 else t.limits[1]
    if limit is None:
        return None
    group = runs[key]
    ours = group[t.ours]
    memory = t.metric in ("memory", "MiB")
    row: dict[str, Any] = {
        "target": t.label if n is None else f"{n:,}: {t.label}",
        "size": n,
        "metric": t.metric,
        "unit": "MiB" if memory else "s",
        "ours": ours.median_mib() if memory else ours.median_s(),
        "theirs": None,
        "ratio": None,
        "ratios": [],
        "limit": limit,
    }
    failed = [k for k in (t.ours, t.theirs) if k is not None and group[k].failed]
    if t.theirs is None:
        met = row["ours"] <= limit
    else:
        theirs = group[t.theirs]
        row["theirs"] = theirs.median_mib() if memory else theirs.median_s()
        row["ratios"] = ratios(ours, theirs, memory)
        row["ratio"] = statistics.median(row["ratios"]) if row["ratios"] else None
        met = row["ratio"] is not None and row["ratio"] <= limit
    row["failed"] = failed
    row["met"] = met and not failed
    return row


def table(rows: list[dict[str, Any]]) -> str:
    def amount(v: float | None, unit: str) -> str:
        if v is None:
            return "-"
        return f"{v:.1f} MiB" if unit == "MiB" else f"{v:.3f} s"

    def limit(r: dict[str, Any]) -> str:
        if r["metric"] in ("time", "memory"):
            return f"≤ {r['limit']:g}×"
        return f"≤ {r['limit']:g} {r['metric'].replace('seconds', 's')}"

    head = ("target", "ours", "theirs", "ratio", "limit", "met")
    cells = [
        (
            r["target"],
            amount(r["ours"], r["unit"]),
            amount(r["theirs"], r["unit"]),
            "-" if r["ratio"] is None else f"{r['ratio']:.2f}×",
            limit(r),
            ("no (failed: " + ", ".join(r["failed"]) + ")")
            if r["failed"]
            else "yes"
            if r["met"]
            else "no",
        )
        for r in rows
    ]
    widths = [max(len(c[i]) for c in [head, *cells]) for i in range(len(head))]

    def line(c: tuple[str, ...]) -> str:
        first = c[0].ljust(widths[0])
        rest = [c[i].rjust(widths[i]) for i in range(1, 5)]
        return "  ".join([first, *rest, c[5]]).rstrip()

    return "\n".join([line(head), *(line(c) for c in cells)])
