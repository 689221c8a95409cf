"""The commitment × party compliance matrix against a fixture computed by hand
(tests/data/parties.toml, today 2026-06-01): three parties (AES, Mali, Russia; the AES being
Burkina Faso, Mali and Niger), six commitments, mixed statuses, one unscored cell, and one member
(Mali, on dev-split) whose own assessment overrides its group's.

The fixture, and what each cell is (by party):

| commitment   | parties      | status      | assessments                               |
|--------------|--------------|-------------|-------------------------------------------|
| dev-aes-done | AES          | done        | -                                         |
| dev-split    | AES, Russia  | in_progress | AES stalled, Mali in_progress, Russia partial |
| dip-waiting  | AES, Russia  | in_progress | Russia pending (due 2027: not yet due)    |
| inst-mali    | Mali, Russia | in_progress | Mali done (due 2026-02-01: overdue)       |
| sec-kept     | AES, Russia  | done        | -                                         |
| sec-late     | Russia       | pending     | - (due 2026-03-01: overdue)               |
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import tomllib
from datetime import date
from pathlib import Path

import pytest

from aes_tracker.domain.matrix import matrix
from aes_tracker.domain.validate import check_document

from .conftest import Cli

HERE = Path(__file__).resolve().parent
PARTIES = HERE / "data" / "parties.toml"
TODAY = date(2026, 6, 1)
AS_OF = TODAY.isoformat()
_ = None  # a blank cell: not a party


def _catalog():  # type: ignore[no-untyped-def]
    doc, problems = check_document(tomllib.loads(PARTIES.read_text()))
    assert problems == []
    return doc.catalog()


def _grid(m: dict) -> dict[str, list[int | None]]:
    return {r["id"]: [x["score"] for x in r["cells"]] for r in m["rows"]}


@pytest.fixture
def fx(tmp_path: Path) -> Cli:
    path = tmp_path / "parties.toml"
    shutil.copyfile(PARTIES, path)
    return Cli(path)


def test_by_party_against_the_hand_computed_matrix() -> None:
    m = matrix(_catalog(), TODAY, "party")
    assert [c["party"] for c in m["columns"]] == ["AES", "Mali", "Russia"]
    assert _grid(m) == {
        #               AES   Mali  Russia
        "dev-aes-done": [+1, _, _],
        "dev-split": [-1, _, 0],  # AES stalled; Russia partial (Mali is not a party here)
        "dip-waiting": [0, _, None],  # AES: in_progress, not due; Russia pending, not yet due
        "inst-mali": [_, +1, -1],  # Mali done; Russia: the commitment's in_progress, overdue
        "sec-kept": [+1, _, +1],
        "sec-late": [_, _, -1],  # pending, overdue
    }
    # The one unscored cell, and why; the blanks of the parties not bound.
    waiting = m["rows"][2]["cells"]
    assert waiting[2] == {
        "party": "Russia",
        "status": "pending",
        "from": "own",
        "via": None,
        "score": None,
        "why": "not_yet_due",
    }
    assert waiting[1]["why"] == "not_a_party"
    # Row averages: the commitment's compliance.
    assert {r["id"]: (r["average"], r["scored"]) for r in m["rows"]} == {
        "dev-aes-done": (1.0, 1),
        "dev-split": (-0.5, 2),  # (-1 + 0) / 2
        "dip-waiting": (0.0, 1),
        "inst-mali": (0.0, 2),  # (+1 - 1) / 2
        "sec-kept": (1.0, 2),
        "sec-late": (-1.0, 1),
    }
    # Column averages: the party's compliance.
    assert {c["party"]: (c["average"], c["scored"]) for c in m["columns"]} == {
        "AES": (0.25, 4),  # (+1 - 1 + 0 + 1) / 4
        "Mali": (1.0, 1),
        "Russia": (-0.25, 4),  # (+1 + 0 - 1 - 1) / 4; dip-waiting not scored
    }
    # Overall: every scored cell, 1 + 1 - 1 + 0 + 1 - 1 + 1 + 1 - 1 = 1, over 9.
    assert m["overall"] == {"scored": 9, "average": 0.1111}


def test_by_member_a_member_overrides_its_group() -> None:
    m = matrix(_catalog(), TODAY, "member")
    assert [c["party"] for c in m["columns"]] == ["Burkina Faso", "Mali", "Niger", "Russia"]
    assert _grid(m) == {
        #               BF    Mali  Niger Russia
        "dev-aes-done": [+1, +1, +1, _],
        "dev-split": [-1, 0, -1, 0],  # the AES's stalled, but Mali's own in_progress
        "dip-waiting": [0, 0, 0, None],
        "inst-mali": [_, +1, _, -1],
        "sec-kept": [+1, +1, +1, +1],
        "sec-late": [_, _, _, -1],
    }
    split = m["rows"][1]["cells"]
    assert [(x["status"], x["from"], x["via"]) for x in split] == [
        ("stalled", "group", "AES"),
        ("in_progress", "own", None),
        ("stalled", "group", "AES"),
        ("partial", "own", None),
    ]
    assert {r["id"]: r["average"] for r in m["rows"]} == {
        "dev-aes-done": 1.0,
        "dev-split": -0.5,  # (-1 + 0 - 1 + 0) / 4
        "dip-waiting": 0.0,
        "inst-mali": 0.0,
        "sec-kept": 1.0,
        "sec-late": -1.0,
    }
    assert {c["party"]: (c["average"], c["scored"]) for c in m["columns"]} == {
        "Burkina Faso": (0.25, 4),  # (+1 - 1 + 0 + 1) / 4
        "Mali": (0.6, 5),  # (+1 + 0 + 0 + 1 + 1) / 5
        "Niger": (0.25, 4),
        "Russia": (-0.25, 4),
    }
    # 3 - 2 + 0 + 0 + 4 - 1 = 4 over 17 cells.
    assert m["overall"] == {"scored": 17, "average": 0.2353}
    assert m["columns"][1]["member_of"] == ["AES"]


def test_source_filter_and_an_empty_matrix() -> None:
    m = matrix(_catalog(), TODAY, "party", sources=["no-such-source"])
    assert (m["rows"], m["columns"], m["overall"]) == ([], [], {"scored": 0, "average": None})
    assert matrix(_catalog(), TODAY, "party", sources=["fixture"])["overall"]["scored"] == 9


def test_the_json_says_how_each_status_scores() -> None:
    rule = matrix(_catalog(), TODAY)["scoring"]
    assert rule["statuses"]["done"] == {"open": False, "score": 1}
    assert rule["statuses"]["pending"] == {"open": True, "score": None, "score_overdue": -1}
    assert rule["statuses"]["in_progress"] == {"open": True, "score": 0, "score_overdue": -1}
    assert rule["statuses"]["stalled"]["score"] == -1
    assert rule["statuses"]["dropped"] == {"open": False, "score": None}
    assert set(rule["unscored"]) == {"not_a_party", "not_yet_due", "no_deadline", "dropped"}


def test_stats_by_party_uses_each_partys_own_status(fx: Cli) -> None:
    st = json.loads(fx("stats", "--format", "json", as_of=AS_OF).stdout)
    groups = {g["group"]: g for g in st["groups"]}
    russia = groups["Russia"]
    assert (russia["average"], russia["scored"], russia["total"]) == (-0.25, 4, 5)
    assert {k: v for k, v in russia["by_status"].items() if v} == {
        "pending": 2,  # sec-late, and its own on dip-waiting
        "in_progress": 1,  # inst-mali: the commitment's status
        "done": 1,
        "partial": 1,  # its own on dev-split
    }
    assert (russia["closed"], russia["overdue"]) == (2, 2)
    assert (groups["AES"]["average"], groups["Mali"]["average"]) == (0.25, 1.0)
    # The same numbers as the matrix's columns.
    m = json.loads(fx("stats", "--matrix", "--format", "json", as_of=AS_OF).stdout)
    assert {c["party"]: c["average"] for c in m["columns"]} == {
        g: groups[g]["average"] for g in ("AES", "Mali", "Russia")
    }


# ---- the command and its formats ---------------------------------------------------------------


def test_matrix_csv_is_a_spreadsheet_of_the_scores(fx: Cli) -> None:
    r = fx("stats", "--matrix", "--format", "csv", as_of=AS_OF)
    assert r.exit_code == 0, r.output
    rows = list(csv.reader(io.StringIO(r.stdout)))
    # A cell with no score says why: not a party, or the status not yet scored.
    na, nyd = "not_a_party", "not_yet_due"
    assert rows == [
        ["id", "title", "AES", "Mali", "Russia", "average"],
        ["dev-aes-done", "Fixture: a commitment of the AES alone, kept", "1", na, na, "1.0"],
        [
            "dev-split",
            "Fixture: a joint commitment the parties keep unevenly",
            "-1",
            na,
            "0",
            "-0.5",
        ],
        [
            "dip-waiting",
            "Fixture: a joint commitment one party has not started",
            "0",
            na,
            nyd,
            "0.0",
        ],
        [
            "inst-mali",
            "Fixture: a commitment of Mali and Russia, overdue, kept by Mali",
            na,
            "1",
            "-1",
            "0.0",
        ],
        ["sec-kept", "Fixture: a joint commitment kept by both", "1", na, "1", "1.0"],
        ["sec-late", "Fixture: a commitment of one party, overdue", na, na, "-1", "-1.0"],
        ["average", "", "0.25", "1.0", "-0.25", "0.1111"],
    ]


def test_matrix_options_are_checked(fx: Cli) -> None:
    cases = {
        ("stats", "--by", "nation"): "error: --by: 'nation' is not a grouping; use one of "
        "party, member, category, source",
        ("stats", "--matrix", "--by", "category"): "error: --by: with --matrix, 'category' is "
        "not a grouping; use one of party, member",
        ("stats", "--format", "csv"): "error: --format: 'csv' is not a format here; use one of "
        "table, markdown, json, svg",
        ("stats", "--matrix", "--source", "nope"): "error: --source: no source 'nope'",
    }
    for args, message in cases.items():
        r = fx(*args, as_of=AS_OF)
        assert r.exit_code == 2, args
        assert r.stderr.splitlines()[0] == message, args


def test_matrix_table_fits_every_width_and_never_cuts_a_number(fx: Cli) -> None:
    for width in (20, 40, 60, 80, 120):
        for by in ("party", "member"):
            r = fx("--width", str(width), "stats", "--matrix", "--by", by, as_of=AS_OF)
            assert r.exit_code == 0
            lines = r.stdout.splitlines()
            assert all(len(ln) <= width for ln in lines), (width, by)
            assert all(ln == ln.rstrip() for ln in lines)
            text = r.stdout
            for cid in ("dev-aes-done", "dev-split", "dip-waiting", "inst-mali", "sec-late"):
                assert cid in text, (width, cid)
            for number in ("+0.25", "-0.25", "+0.11" if by == "party" else "+0.24"):
                assert number in text, (width, by, number)


def test_matrix_colours_cells_in_a_terminal(fx: Cli) -> None:
    r = fx("--color", "always", "stats", "--matrix", as_of=AS_OF)
    assert "\x1b[32m+1\x1b[0m" in r.stdout and "\x1b[31m-1\x1b[0m" in r.stdout
    assert "\x1b[33m 0\x1b[0m" in r.stdout or "\x1b[33m0\x1b[0m" in r.stdout
    plain = fx("stats", "--matrix", as_of=AS_OF).stdout
    assert "\x1b[" not in plain


def test_matrix_svg_is_a_picture(fx: Cli, tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    out = tmp_path / "m.svg"
    r = fx("stats", "--matrix", "--format", "svg", "-o", str(out), as_of=AS_OF)
    assert r.exit_code == 0, r.output
    root = ET.fromstring(out.read_text())
    assert root.tag.endswith("svg")
    assert "dev-split" in out.read_text()


def test_the_readme_shows_the_real_matrices(tmp_path: Path) -> None:
    """The README explains the scoring on the matrix of the bundled data, pasted: it must be
    what the command prints."""
    from .conftest import DATA, ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = readme.split("### The compliance matrix", 1)[1].split("```text\n")[1:3]
    shown = [b.split("```", 1)[0] for b in blocks]
    bundled = tmp_path / "bundled.toml"
    shutil.copyfile(DATA, bundled)
    assert shown[0] == Cli(bundled)("stats", "--matrix", as_of="2026-11-28").stdout
    fixture = tmp_path / "parties.toml"
    shutil.copyfile(PARTIES, fixture)
    got = Cli(fixture)("--width", "80", "stats", "--matrix", "--by", "member", as_of=AS_OF)
    assert shown[1] == got.stdout
