"""The weekly report, in-process: sections, windows, formats, exit codes."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

from .conftest import Cli

KEYS = [
    "as_of",
    "since",
    "within",
    "overdue",
    "due_soon",
    "review_due",
    "review_soon",
    "changed",
    "next_consultation",
    "summary",
]


def _report(cli: Cli, *args: str, as_of: str = "2026-11-28") -> dict:
    r = cli("report", "--format", "json", *args, as_of=as_of)
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_json_keys_and_commitment_objects(cli: Cli) -> None:
    rep = _report(cli)
    assert list(rep) == KEYS
    assert (rep["as_of"], rep["since"], rep["within"]) == ("2026-11-28", "2026-11-22", "2026-12-12")
    listed = json.loads(cli("list", "--format", "json").stdout)
    list_keys = set(listed[0])
    assert [r["id"] for r in rep["overdue"]] == ["inst-annual-consultations"]
    assert set(rep["overdue"][0]) == list_keys | {"days_overdue"}
    assert rep["overdue"][0]["days_overdue"] == 239
    assert rep["next_consultation"] == [
        {
            "id": "inst-annual-consultations",
            "title": listed[0]["title"],
            "title_fr": listed[0]["title_fr"],
            "due": "2026-04-03",
            "next_host": "AES member state",
            "recur": "yearly",
            "overdue": True,
            "days_left": -239,
            # The sessions as show counts them (issue 23).
            "last_held": "2025-04-03",
            "last_days_late": 0,
            "missed": [],
        }
    ]
    s = rep["summary"]
    assert (s["total"], s["open"], s["overdue"]) == (12, 12, 1)
    assert s["by_status"]["pending"] == 12 and sum(s["by_status"].values()) == 12
    assert s["by_category"] == {"security": 4, "diplomacy": 3, "development": 3, "institutional": 2}


def test_changed_holds_exactly_the_entries_inside_the_window(cli: Cli) -> None:
    """`--since 7d` is the seven days ending today (2026-11-22 to 2026-11-28), so that weekly
    reports neither overlap nor leave a gap; each note is recorded on its own day here."""
    for day, cid in (
        ("2026-11-21", "dev-eco"),
        ("2026-11-22", "dev-inf"),
        ("2026-11-28", "dip-un"),
    ):
        assert cli("note", cid, f"note of {day}", "--on", day, as_of=day).exit_code == 0
    rep = _report(cli, "--since", "7d")
    assert rep["since"] == "2026-11-22"
    assert [(x["on"], x["id"]) for x in rep["changed"]] == [
        ("2026-11-22", "dev-infrastructure"),
        ("2026-11-28", "dip-un-charter"),
    ]
    assert rep["changed"][0]["by"] == "tester" and rep["changed"][0]["event"] == "note"
    last_week = _report(cli, "--since", "7d", as_of="2026-11-21")
    assert [x["on"] for x in last_week["changed"]] == ["2026-11-21"], "no overlap, no gap"
    rep = _report(cli, "--since", "8d")
    assert [x["on"] for x in rep["changed"]] == ["2026-11-21", "2026-11-22", "2026-11-28"]
    rep = _report(cli, "--since", "1d")
    assert [x["on"] for x in rep["changed"]] == ["2026-11-28"]
    rep = _report(cli, "--since", "2026-11-22")
    assert [x["on"] for x in rep["changed"]] == ["2026-11-22", "2026-11-28"]
    # The bundled "recorded" entries are changes of their day.
    rep = _report(cli, "--since", "1d", as_of="2025-04-03")
    assert len(rep["changed"]) == 13


def test_due_soon_window_and_slip(cli: Cli) -> None:
    cli("edit", "dev-inf", "--due", "2026-12-01")
    cli("edit", "dev-inf", "--due", "2026-12-10")
    cli("edit", "dev-eco", "--due", "2026-12-13")
    rep = _report(cli, "--within", "14d")
    assert [r["id"] for r in rep["due_soon"]] == ["dev-infrastructure"]
    assert rep["due_soon"][0]["original_due"] == "2026-12-01"
    rep = _report(cli, "--within", "15d")
    assert [r["id"] for r in rep["due_soon"]] == ["dev-infrastructure", "dev-economic-operators"]
    text = cli("report", "--within", "15d").stdout
    assert "dev-infrastructure: Accelerate" in text and "(originally 2026-12-01)" in text


def test_fail_on_overdue_exit_codes(cli: Cli) -> None:
    assert cli("report").exit_code == 0
    r = cli("report", "--fail-on-overdue")
    assert r.exit_code == 1 and "Overdue (1)" in r.stdout
    r = cli("report", "--fail-on-overdue", as_of="2026-01-01")
    assert r.exit_code == 0 and "Overdue" not in r.stdout.split("Summary")[0]


def test_empty_sections_are_left_out_but_counted(cli: Cli) -> None:
    text = cli("report", as_of="2025-06-01").stdout
    assert "Overdue (" not in text and "Due soon (" not in text and "Changed (" not in text
    assert (
        "Sections: Overdue 0, Due soon 0, Review due 0, Review soon 0, Changed 0, "
        "Next consultation 1" in text
    )


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.links += [v or "" for k, v in attrs if k in ("src", "href") and tag != "a"]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_is_self_contained_and_lists_overdue_ids(cli: Cli) -> None:
    cli(
        "note",
        "sec-mil",
        "Livraison d’équipements <signalée>",
        "--evidence",
        "https://example.org/?a=1&b=2",
    )
    html = cli("report", "--format", "html").stdout
    p = _Collect()
    p.feed(html)
    p.close()
    text = "".join(p.text)
    assert "inst-annual-consultations" in text
    assert "Livraison d’équipements <signalée>" in text
    assert p.links == [] and "link" not in p.tags and "script" not in p.tags
    assert "<style" not in html and "http" not in html.split("<body")[0]


def test_markdown_headings(cli: Cli) -> None:
    md = cli("report", "--format", "markdown").stdout
    assert md.startswith("# aes-tracker report as of 2026-11-28")
    assert "\n## Overdue (1)\n" in md and "\n## Summary\n" in md


def test_output_file_is_written_atomically(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "weekly.md"
    out.write_text("old")
    r = cli("report", "--format", "markdown", "--output", str(out))
    assert r.exit_code == 0 and r.stdout == ""
    assert out.read_text().startswith("# aes-tracker report")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".weekly")) == []
    r = cli("report", "--output", str(tmp_path / "missing" / "r.txt"))
    assert r.exit_code == 2 and r.stderr.startswith("error: ")


def test_output_to_a_special_file_writes_into_it(cli: Cli, tmp_path: Path) -> None:
    """`--output /dev/stdout` (or a FIFO) must be written into, never replaced."""
    import os
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    r = cli("report", "--format", "markdown", "--output", str(fifo))
    reader.join(timeout=30)
    assert r.exit_code == 0, r.output
    assert got and got[0].startswith(b"# aes-tracker report")
    assert fifo.is_fifo()


def test_html_report_has_its_charts_titles_and_changes_in_sentences(tmp_path: Path) -> None:
    """The HTML report carries the compliance chart and the matrix inline, a title beside every
    ID, statuses marked as `list` marks them, and each change as a sentence ("Mali: in_progress
    → stalled, 2026-05-30, by awa"), while the JSON keeps the structured change."""
    import shutil

    import pytest

    html5lib = pytest.importorskip("html5lib")
    path = tmp_path / "parties.toml"
    shutil.copyfile(Path(__file__).resolve().parent / "data" / "parties.toml", path)
    fx = Cli(path)
    r = fx("status", "dev-split", "stalled", "--party", "Mali", by="awa", as_of="2026-05-30")
    assert r.exit_code == 0, r.output
    r = fx("report", "--format", "html", "--within", "400d", as_of="2026-06-01")
    assert r.exit_code == 0, r.output
    page = r.stdout
    html5lib.HTMLParser(strict=True).parse(page)
    assert page.count("<svg ") == 2
    assert '<title id="stats-chart-title">Compliance by party, as of 2026-06-01</title>' in page
    assert '<title id="matrix-chart-title">' in page
    assert (
        "Fixture: a joint commitment the parties keep unevenly (<code "
        'style="white-space:nowrap">dev-split</code>): Mali: in_progress → stalled, '
        "2026-05-30, by awa" in page
    )
    # Titles next to IDs in the tables, and the per-party mark with its legend.
    assert ">dev-split</td><td" in page and "Fixture: a joint commitment the parties" in page
    assert "in_progress*" in page
    assert "* some parties&#39; own assessments differ from this status" in page
    assert "<style" not in page  # inline styles only: mail clients drop style sheets
    rep = json.loads(fx("report", "--format", "json", as_of="2026-06-01").stdout)
    change = [x for x in rep["changed"] if x["party"] == "Mali" and x["by"] == "awa"]
    assert [x["changes"] for x in change] == [
        [{"field": "status", "before": "in_progress", "after": "stalled"}]
    ]
