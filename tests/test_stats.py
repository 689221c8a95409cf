"""Compliance (the G7/G20 Research Group's scores) and the timeline: pure functions of the
summaries, today passed in."""

from __future__ import annotations

import json
import tomllib
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

from aes_tracker.domain.model import check_document
from aes_tracker.domain.stats import compliance, status_score

from .conftest import Cli

ALL = """schema = 1
parties = ["AES", "Mali", "Russia"]

[sources.s]
title = "Communiqué"
date = 2025-04-03
"""


def _commitment(cid: str, status: str, due: str | None, parties: str = '["Russia"]') -> str:
    when = f"due = {due}" if due else "no_deadline = true\nreview = 2026-06-01"
    return (
        f'\n[commitments.{cid}]\ntitle = "{cid}"\ncategory = "security"\n'
        f'parties = {parties}\nsource = "s"\nquote = "q"\nstatus = "{status}"\n{when}\n'
    )


def _every_status(path: Path) -> Path:
    text = ALL
    for cid, status, due in [
        ("c-done", "done", "2026-01-01"),  # +1
        ("c-partial", "partial", "2026-01-01"),  # 0
        ("c-progress", "in_progress", "2027-01-01"),  # 0
        ("c-progress-late", "in_progress", "2026-01-01"),  # -1: open and overdue
        ("c-broken", "broken", "2027-01-01"),  # -1
        ("c-stalled", "stalled", "2027-01-01"),  # -1
        ("c-pending-late", "pending", "2026-01-01"),  # -1
        ("c-pending", "pending", "2027-01-01"),  # not scored: not yet due
        ("c-undated", "pending", None),  # not scored: no deadline
        ("c-dropped", "dropped", "2026-01-01"),  # not scored
    ]:
        text += _commitment(
            cid, status, due, '["Russia", "Mali"]' if cid == "c-done" else '["Russia"]'
        )
    path.write_text(text)
    return path


def test_score_rule_on_every_status(tmp_path: Path) -> None:
    path = _every_status(tmp_path / "all.toml")
    data, problems = check_document(tomllib.loads(path.read_text()))
    assert problems == []
    today = date(2026, 11, 28)
    scores = {cid: status_score(c.status, c.due, today) for cid, c in data.commitments.items()}
    assert scores == {
        "c-done": 1,
        "c-partial": 0,
        "c-progress": 0,
        "c-progress-late": -1,
        "c-broken": -1,
        "c-stalled": -1,
        "c-pending-late": -1,
        "c-pending": None,
        "c-undated": None,
        "c-dropped": None,
    }
    st = compliance(data.catalog(), today, "party")
    groups = {g["group"]: g for g in st["groups"]}
    assert set(groups) == {"Mali", "Russia"}
    russia = groups["Russia"]
    assert (russia["total"], russia["scored"], russia["score"]) == (10, 7, round(-3 / 7, 4))
    assert (russia["closed"], russia["share_closed"], russia["overdue"]) == (4, 0.4, 2)
    assert groups["Mali"]["score"] == 1.0, "a commitment counts for each of its parties"
    r = Cli(path)("stats", "--format", "json")
    assert r.exit_code == 0 and json.loads(r.stdout) == st


def test_stats_table_and_markdown(cli: Cli) -> None:
    r = cli("stats", "--by", "category")
    assert r.exit_code == 0 and "institutional" in r.stdout and "-1.00" in r.stdout
    assert "…" not in r.stdout and "\x1b[" not in r.stdout
    md = cli("stats", "--by", "source", "--format", "markdown").stdout
    assert md.splitlines()[2].startswith("| aes-russia-2025-04-03 | 12 |")


def test_stats_svg_is_well_formed(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "c.svg"
    r = cli("stats", "--format", "svg", "-o", str(out))
    assert r.exit_code == 0, r.output
    root = ET.fromstring(out.read_text(encoding="utf-8"))
    assert root.tag.endswith("svg")
    assert "Russia" in out.read_text()


def test_timeline_shows_consultations_with_host(cli: Cli) -> None:
    tl = json.loads(cli("timeline", "--months", "6", "--format", "json").stdout)
    months = {m["month"]: m["items"] for m in tl["months"]}
    keys = list(months)
    assert (keys[0], keys[-1]) == ("2026-05", "2027-05")
    assert [(i["id"], i["state"], i["host"]) for i in months["2027-04"]] == [
        ("inst-annual-consultations", "expected", "Russia")
    ]
    tl = json.loads(cli("timeline", "--months", "12", "--format", "json").stdout)
    months = {m["month"]: m["items"] for m in tl["months"]}
    assert ("overdue", "AES member state") in [(i["state"], i["host"]) for i in months["2026-04"]]
    text = cli("timeline", "--months", "12").stdout
    assert "● 2026-04-03 inst-annual-consultations (overdue, host: AES member state)" in text
    assert "2026-11 ◀ now" in text
