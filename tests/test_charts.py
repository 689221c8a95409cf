"""The charts a briefing uses (`stats --format svg`, `stats --matrix --format svg`,
`timeline --format svg`), read back as SVG: a title and a description for screen readers, a light
background, WCAG AA contrast for every text against what it is drawn on, no text wider than the
picture by the width table, nothing fetched from anywhere, cells under the right party, labels
beside every colour, and the picture in French under --lang fr."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from aes_tracker.render.charts.kit import contrast, fit, text_width, wrap

from .conftest import Cli

HERE = Path(__file__).resolve().parent
PARTIES = HERE / "data" / "parties.toml"
MULTI = HERE / "data" / "multi.toml"
NS = "{http://www.w3.org/2000/svg}"


def cairosvg_or_skip() -> Any:
    """cairosvg, or a skip: without libcairo its import fails with OSError, not ImportError."""
    try:
        import cairosvg
    except (ImportError, OSError) as e:
        pytest.skip(f"cairosvg cannot draw here (libcairo missing?): {e}")
    return cairosvg


def _svg(r_text: str) -> ET.Element:
    return ET.fromstring(r_text)


def _fx(tmp_path: Path, src: Path) -> Cli:
    path = tmp_path / src.name
    shutil.copyfile(src, path)
    return Cli(path)


def _texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{NS}text")]


def _num(v: str | None) -> float:
    return float(v or 0)


def _rects(root: ET.Element) -> list[tuple[float, float, float, float, str]]:
    """Every opaque rectangle, in drawing order (patterns are overlays, left out)."""
    out = []
    for r in root.iter(f"{NS}rect"):
        fill = r.get("fill", "")
        if fill.startswith("#"):
            out.append(
                (
                    _num(r.get("x")),
                    _num(r.get("y")),
                    _num(r.get("width")),
                    _num(r.get("height")),
                    fill,
                )
            )
    return out


def _background(rects: list[tuple[float, float, float, float, str]], x: float, y: float) -> str:
    """The fill of the last rectangle drawn under the point (x, y)."""
    under = "#ffffff"
    for rx, ry, rw, rh, fill in rects:
        if rx <= x <= rx + rw and ry <= y <= ry + rh:
            under = fill
    return under


def _check_chart(text: str) -> ET.Element:
    """What every chart keeps: returns the parsed picture."""
    root = _svg(text)
    assert root.tag == f"{NS}svg"
    kids = list(root)
    assert kids[0].tag == f"{NS}title" and (kids[0].text or "").strip()
    assert kids[1].tag == f"{NS}desc" and (kids[1].text or "").strip()
    # A light background covering the whole picture, first thing drawn.
    width, height = _num(root.get("width")), _num(root.get("height"))
    rects = _rects(root)
    bx, by, bw, bh, bfill = rects[0]
    assert (bx, by, bw, bh) == (0, 0, width, height)
    assert contrast(bfill, "#000000") > 18
    # Nothing fetched: no link, script, style sheet, image or web font.
    assert re.findall(r"https?://[^\"']+", text) == ["http://www.w3.org/2000/svg"]
    for tag in ("script", "image", "style", "foreignObject", "use"):
        assert root.find(f".//{NS}{tag}") is None
    assert "monospace" not in text and "@import" not in text and "@font-face" not in text
    # Every text: AA contrast against what is drawn under it, inside the picture.
    for t in root.iter(f"{NS}text"):
        content = "".join(t.itertext())
        size = _num(t.get("font-size"))
        x, y = _num(t.get("x")), _num(t.get("y"))
        fill = t.get("fill", "#000000")
        bg = _background(rects, x, y - size / 3)
        assert contrast(fill, bg) >= 4.5, (content, fill, bg)
        w = text_width(content, size, t.get("font-weight") == "bold")
        left = {"start": x, "middle": x - w / 2, "end": x - w}[t.get("text-anchor", "start")]
        assert left >= 0 and left + w <= width + 0.5, (content, left, w, width)
        assert 0 < y <= height
    return root


def test_stats_svg_is_a_chart_not_a_terminal(tmp_path: Path) -> None:
    fx = _fx(tmp_path, PARTIES)
    out = tmp_path / "c.svg"
    r = fx("stats", "--format", "svg", "-o", str(out), as_of="2026-06-01")
    assert r.exit_code == 0, r.output
    text = out.read_text(encoding="utf-8")
    root = _check_chart(text)
    texts = _texts(root)
    assert "Compliance by party, as of 2026-06-01" in root[0].text  # type: ignore[operator]
    assert "as of 2026-06-01" in texts
    # The legend names every status; each group is there with its counts and its score.
    for s in ("pending", "in_progress", "stalled", "done", "partial", "broken", "dropped"):
        assert s in texts
    for g in ("AES", "Mali", "Russia"):
        assert g in texts
    assert "pending 2, in_progress 1, done 1, partial 1" in texts  # Russia, in words
    assert "−0.25 on 4 of 5" in texts  # Russia's score, on the axis
    # The axis is labelled from −1 to +1.
    for tick in ("−1", "0", "+1"):
        assert tick in texts
    desc = root[1].text or ""
    assert "Russia: pending 2, in_progress 1, done 1, partial 1; score −0.25" in desc


def test_stats_svg_by_category(cli: Cli) -> None:
    r = cli("stats", "--by", "category", "--format", "svg")
    assert r.exit_code == 0, r.output
    root = _check_chart(r.stdout)
    texts = _texts(root)
    assert "Compliance by category" in texts
    for k in ("security", "diplomacy", "development", "institutional"):
        assert k in texts


def test_matrix_svg_cells_sit_under_their_party(tmp_path: Path) -> None:
    fx = _fx(tmp_path, PARTIES)
    r = fx("stats", "--matrix", "--by", "member", "--format", "svg", as_of="2026-06-01")
    assert r.exit_code == 0, r.output
    root = _check_chart(r.stdout)
    texts = _texts(root)
    heads = [t for t in root.iter(f"{NS}text") if t.get("class") == "party"]
    # "Burkina Faso" wraps on two lines, each centred on its column.
    columns: dict[float, str] = {}
    for h in heads:
        columns[_num(h.get("x"))] = (
            columns.get(_num(h.get("x")), "") + " " + (h.text or "")
        ).strip()
    assert list(columns.values()) == ["Burkina Faso", "Mali", "Niger", "Russia"]
    xs = list(columns)
    rows: dict[int, list[str]] = {}
    for g in root.iter(f"{NS}g"):
        if g.get("class") != "cell":
            continue
        rect = g.find(f"{NS}rect")
        label = g.find(f"{NS}text")
        assert rect is not None and label is not None
        col = int(g.get("data-col", "-1"))
        centre = _num(rect.get("x")) + _num(rect.get("width")) / 2
        assert abs(centre - xs[col]) < 0.01
        assert abs(_num(label.get("x")) - xs[col]) < 0.01
        rows.setdefault(int(g.get("data-row", "-1")), []).append(label.text or "")
    assert rows == {
        0: ["+1", "+1", "+1", "not a party"],  # dev-aes-done
        1: ["−1", "0", "−1", "0"],  # dev-split: Mali's own assessment
        2: ["0", "0", "0", "not scored"],  # dip-waiting
        3: ["not a party", "+1", "not a party", "−1"],  # inst-mali
        4: ["+1", "+1", "+1", "+1"],  # sec-kept
        5: ["not a party", "not a party", "not a party", "−1"],  # sec-late
    }
    # Titles beside IDs, the averages of rows and columns, and the overall one.
    assert "Fixture: a joint commitment kept by both" in texts
    assert "dev-split" in texts
    by_class = {
        c: [t.text for t in root.iter(f"{NS}text") if t.get("class") == c]
        for c in ("row-avg", "col-avg", "overall")
    }
    assert by_class == {
        "row-avg": ["+1.00", "−0.50", "0.00", "0.00", "+1.00", "−1.00"],
        "col-avg": ["+0.25", "+0.60", "+0.25", "−0.25"],
        "overall": ["+0.24"],
    }


def test_timeline_svg_marks_slips_reviews_and_sessions(tmp_path: Path) -> None:
    fx = _fx(tmp_path, MULTI)
    r = fx("timeline", "--format", "svg", "--months", "3", as_of="2026-05-12")
    assert r.exit_code == 0, r.output
    root = _check_chart(r.stdout)
    texts = _texts(root)
    desc = root[1].text or ""
    assert "sec-joint-exercise-niger: overdue 2026-05-10 (originally 2026-03-31)" in desc
    assert "originally due" in texts  # the slip's legend
    # The slip: a line from the original date to the current one, in the commitment's lane.
    assert "review date" in texts
    assert re.search(r"inst-yearly-meeting: overdue 2026-04-03, host: \w+", desc)
    assert "today" in texts


def test_timeline_json_carries_the_slip_and_review_dates(tmp_path: Path) -> None:
    import json

    fx = _fx(tmp_path, MULTI)
    r = fx("timeline", "--format", "json", "--months", "3", as_of="2026-05-12")
    items = {(i["id"], i["status"]): i for m in json.loads(r.stdout)["months"] for i in m["items"]}
    assert items[("sec-joint-exercise-niger", "overdue")]["original_due"] == "2026-03-31"
    assert any(state == "review" for _id, state in items)
    assert all("original_due" in i for i in items.values())


def test_charts_in_french(tmp_path: Path) -> None:
    fx = _fx(tmp_path, PARTIES)
    for args, title in (
        (("stats", "--format", "svg"), "Conformité par partie"),
        (("stats", "--matrix", "--format", "svg"), "Conformité par partie et engagement"),
        (("timeline", "--format", "svg"), "Calendrier"),
    ):
        r = fx("--lang", "fr", *args, as_of="2026-06-01")
        assert r.exit_code == 0, r.output
        root = _check_chart(r.stdout)
        texts = _texts(root)
        assert title in texts, texts[:3]
        assert "au 1er juin 2026" in texts


def test_text_is_cut_by_the_width_table() -> None:
    long = "Accelerate the implementation of infrastructure projects in the Sahel"
    cut = fit(long, 12, 150)
    assert cut.endswith("…") and text_width(cut, 12) <= 150
    assert fit("Mali", 12, 150) == "Mali"
    lines = wrap("Burkina Faso", 12, 70)
    assert lines == ["Burkina", "Faso"]
    assert all(text_width(x, 12) <= 70 for x in wrap(long, 12, 70, lines=2))


def test_charts_render_in_cairosvg(tmp_path: Path) -> None:
    """cairosvg draws each chart on a light page (no dark terminal), with colour in it."""
    cairosvg = cairosvg_or_skip()
    fx = _fx(tmp_path, PARTIES)
    for args in (
        ("stats", "--format", "svg"),
        ("stats", "--matrix", "--format", "svg"),
        ("timeline", "--format", "svg"),
    ):
        r = fx(*args, as_of="2026-06-01")
        png = cairosvg.svg2png(bytestring=r.stdout.encode("utf-8"))
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        import io

        from PIL import Image  # cairosvg's own dependency

        img = Image.open(io.BytesIO(png)).convert("RGB")
        pixels = (
            list(img.get_flattened_data())
            if hasattr(img, "get_flattened_data")
            else list(img.getdata())
        )
        light = sum(1 for p in pixels if sum(p) > 600) / len(pixels)
        assert light > 0.6, (args, light)
        assert any(abs(p[0] - p[2]) > 80 for p in pixels), args  # colour, not a grey page


def test_list_does_not_import_the_charts_or_the_templates(datafile: Path) -> None:
    """Drawing and HTML cost nothing to the commands that do neither: `list` imports neither
    render/charts/, render/site.py nor Jinja2."""
    import subprocess
    import sys

    r = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "aes_tracker", "--file", str(datafile), "list"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    imported = {line.rsplit("|", 1)[-1].strip() for line in r.stderr.splitlines() if "|" in line}
    assert "aes_tracker.cli.read" in imported  # the measure works: the command module is there
    for name in ("aes_tracker.render.charts", "aes_tracker.render.site", "jinja2", "markupsafe"):
        assert name not in imported, name
