"""Compliance (the G7/G20 Research Group's scores) and the timeline: pure functions of the
summaries, today passed in."""

from __future__ import annotations

import json
import tomllib
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

from aes_tracker.domain.model import summarize
from aes_tracker.domain.stats import compliance, status_score
from aes_tracker.domain.validate import check_document

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
    assert (russia["total"], russia["scored"], russia["average"]) == (10, 7, round(-3 / 7, 4))
    assert (russia["closed"], russia["share_closed"], russia["overdue"]) == (4, 0.4, 2)
    assert groups["Mali"]["average"] == 1.0, "a commitment counts for each of its parties"
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
    assert [(i["id"], i["status"], i["host"]) for i in months["2027-04"]] == [
        ("inst-annual-consultations", "expected", "Russia")
    ]
    tl = json.loads(cli("timeline", "--months", "12", "--format", "json").stdout)
    months = {m["month"]: m["items"] for m in tl["months"]}
    assert ("overdue", "AES member state") in [(i["status"], i["host"]) for i in months["2026-04"]]
    text = cli("timeline", "--months", "12").stdout
    assert "● 2026-04-03 inst-annual-consultations (overdue, host: AES member state)" in text
    assert "2026-11 ◀ now" in text


# ---- a commitment of many parties (issue 22, item 14) ------------------------------------------


def _many_parties(path: Path, n: int) -> Path:
    """One overdue commitment of a group (Bloc, 1,000 members) and `n` parties; Bloc assessed
    done, one member (P00005) and one other party (P01500) their own."""
    names = [f"P{i:05d}" for i in range(n)]
    listed = ", ".join(f'"{x}"' for x in names)
    members = ", ".join(f'"{x}"' for x in names[:1000])
    path.write_text(
        f'schema = 1\nparties = ["Bloc", {listed}]\n\n[groups.Bloc]\nmembers = [{members}]\n'
        '\n[sources.s]\ntitle = "Communiqué"\ndate = 2025-04-03\n'
        f'\n[commitments.c]\ntitle = "c"\ncategory = "security"\nparties = ["Bloc", {listed}]\n'
        'source = "s"\nquote = "q"\nstatus = "pending"\ndue = 2026-01-01\n'
        '\n[[commitments.c.history]]\non = 2025-04-03\nstatus = "pending"\nevent = "recorded"\n'
        '\n[[commitments.c.history]]\non = 2026-02-01\nstatus = "done"\nevent = "status"\n'
        'party = "Bloc"\n'
        '\n[[commitments.c.history]]\non = 2026-02-02\nstatus = "partial"\nevent = "status"\n'
        'party = "P00005"\n'
        '\n[[commitments.c.history]]\non = 2026-02-03\nstatus = "in_progress"\n'
        'event = "status"\nparty = "P01500"\n',
        encoding="utf-8",
    )
    return path


def test_stats_by_party_of_a_commitment_of_twenty_thousand_parties(tmp_path: Path) -> None:
    """Each party counts with its own status, its group's, or the commitment's: the result on a
    big case (it took about 25 s; the time is the benchmark's business, not a test's)."""
    n = 20_000
    path = _many_parties(tmp_path / "many.toml", n)
    r = Cli(path)("stats", "--format", "json")
    assert r.exit_code == 0, r.output
    got = {g["group"]: g for g in json.loads(r.stdout)["groups"]}
    assert len(got) == n + 1
    expected = {"Bloc": ("done", 1), "P00005": ("partial", 0), "P01500": ("in_progress", -1)}
    for i in range(1000):
        expected.setdefault(f"P{i:05d}", ("done", 1))  # from Bloc
    for name, g in got.items():
        status, score = expected.get(name, ("pending", -1))  # the commitment's, overdue
        assert g["total"] == 1, name
        assert g["by_status"][status] == 1, name
        assert g["average"] == score, name


def test_stats_reads_a_commitments_assessments_once_not_once_per_party(tmp_path: Path) -> None:
    """Linear, shown without a clock: the per-party statuses of a commitment are worked out
    from its assessments read once (they were read, and made a dict, once per party)."""
    from aes_tracker.domain.model import Summary

    doc, problems = check_document(
        tomllib.loads(_many_parties(tmp_path / "m.toml", 2000).read_text())
    )
    assert problems == []
    reads = []

    class Counted(Summary):
        @property
        def assessments(self) -> tuple[tuple[str, str], ...]:  # type: ignore[override]
            reads.append(1)
            return super().assessments

    c = Counted(*summarize(doc.commitments["c"]))
    catalog = doc.with_records({"c": c})
    out = compliance(catalog, date(2026, 11, 28), "party")
    assert len(out["groups"]) == 2001
    assert len(reads) <= 2
