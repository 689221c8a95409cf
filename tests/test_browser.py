"""The site and the charts in a real browser: headless Chromium (through scripts/browser.py, the
DevTools protocol over a pipe) loads every page of the site built from the bundled data and from
a 300-commitment fixture, with no console error, no failed request, no request to another host
and no horizontal scroll at 360 and 1280 px; it prints the index on A4 and `pdftotext` finds
every title and the as-of date; the matrix's cells are where cairosvg draws them too.

One build of each site and one browser for the module. CI installs `chromium` and
`poppler-utils` (.ci/run); elsewhere these tests are skipped when they are missing."""

from __future__ import annotations

import importlib.util
import io
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from .conftest import DATA, ROOT, bare_env, installed_cmd
from .test_charts import cairosvg_or_skip


def _script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"{name}_script", ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


browser = _script("browser")
if browser.find() is None:
    pytest.skip(
        "headless Chromium is not installed (apt-get install chromium)", allow_module_level=True
    )

shots = _script("screenshots")  # the README's pictures, and the matrix's command line
AS_OF = "2026-11-28"


def _run(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*installed_cmd(), *args],
        env=bare_env(tmp),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("sites")
    data = tmp / "commitments.toml"
    shutil.copyfile(DATA, data)
    big = tmp / "big.toml"
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "generate.py"), "300", "-o", str(big)],
        check=True,
        timeout=120,
    )
    _run(tmp, "--file", str(data), "--as-of", AS_OF, "site", str(tmp / "bundled"))
    _run(tmp, "--file", str(big), "--as-of", AS_OF, "site", str(tmp / "big"), "--lang", "fr")
    return {"bundled": tmp / "bundled", "big": tmp / "big", "tmp": tmp}


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with browser.Browser() as b:
        yield b


def _clean(chromium: Any, site: Path, page: Path, width: int) -> None:
    seen = chromium.load(page.as_uri(), width, 800)
    assert seen.console_errors == [], (page, seen.console_errors)
    assert seen.failed == [], (page, seen.failed)
    others = [u for u in seen.requests if not u.startswith("file://")]
    assert others == [], (page, others)
    assert seen.scroll_width <= width, (page.relative_to(site), width, seen.scroll_width)


def test_every_page_of_the_bundled_site_loads_cleanly(
    sites: dict[str, Path], chromium: Any
) -> None:
    site = sites["bundled"]
    pages = sorted(site.rglob("*.html"))
    assert len(pages) == 14
    for width in (360, 1280):
        for page in pages:
            _clean(chromium, site, page, width)


def test_the_300_commitment_site_loads_cleanly(sites: dict[str, Path], chromium: Any) -> None:
    """Every page parses and links (html5lib, as in test_site); in the browser, the index and the
    source pages at both widths, and one commitment page in ten at 360 px (they share one
    template: a page a second in Chromium makes all 300 cost minutes, not what they'd find)."""
    from .test_site import check_site

    site = sites["big"]
    pages = check_site(site)
    assert len(pages) > 300
    assert '<html lang="fr">' in pages[site / "index.html"]
    firsts = [site / "index.html", *sorted((site / "s").glob("*.html"))]
    for width in (360, 1280):
        for page in firsts:
            _clean(chromium, site, page, width)
    for page in sorted((site / "c").glob("*.html"))[::10]:
        _clean(chromium, site, page, 360)


def test_the_index_prints_on_a4_with_every_title_and_the_date(
    sites: dict[str, Path], chromium: Any
) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed (apt-get install poppler-utils)")
    pdf = chromium.pdf((sites["bundled"] / "index.html").as_uri())
    assert pdf.startswith(b"%PDF")
    out = sites["tmp"] / "index.pdf"
    out.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True)
    assert "595.2 x 841.92 pts (A4)" in info.stdout or "(A4)" in info.stdout
    text = subprocess.run(
        ["pdftotext", "-raw", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    import tomllib

    doc = tomllib.loads(DATA.read_text(encoding="utf-8"))
    for c in doc["commitments"].values():
        assert " ".join(c["title"].split()) in flat, c["title"]
    assert "as of 2026-11-28" in flat


def _matrix_svg(tmp: Path) -> Path:
    r = _run(tmp, *shots.MATRIX_ARGS)
    path = tmp / "matrix.svg"
    path.write_text(r.stdout, encoding="utf-8")
    return path


def test_matrix_cells_sit_in_the_same_place_in_chromium_and_cairosvg(
    sites: dict[str, Path], chromium: Any
) -> None:
    """Chromium places each cell where its coordinates say, and cairosvg paints the cell's
    colour at that same place: no drift between renderers."""
    svg = _matrix_svg(sites["tmp"])
    chromium.load(svg.as_uri(), 1000, 800)
    boxes = chromium.evaluate(
        "Array.from(document.querySelectorAll('g.cell')).map(g => {"
        " const r = g.querySelector('rect').getBoundingClientRect();"
        " return [r.x + r.width / 2, r.y + r.height / 2, +g.dataset.x, +g.dataset.y,"
        " g.querySelector('rect').getAttribute('fill')]; })"
    )
    assert len(boxes) == 24
    for cx, cy, x, y, _fill in boxes:
        assert abs(cx - x) < 0.6 and abs(cy - y) < 0.6, (cx, cy, x, y)
    cairosvg = cairosvg_or_skip()
    from PIL import Image

    img = Image.open(io.BytesIO(cairosvg.svg2png(url=str(svg)))).convert("RGB")
    for _cx, _cy, x, y, fill in boxes:
        # A point of the cell away from its label: its top-left quarter.
        got = img.getpixel((int(x - 30), int(y - 10)))
        want = tuple(int(fill[i : i + 2], 16) for i in (1, 3, 5))
        assert max(abs(a - b) for a, b in zip(got, want, strict=True)) <= 3, (x, y, got, want)


def test_the_charts_screenshot_on_a_light_page_with_the_legend(
    sites: dict[str, Path], chromium: Any
) -> None:
    """Pixel statistics of the dashboard's charts in Chromium: a light background, and the
    colours of the legend (the Okabe–Ito green and vermillion) present."""
    from PIL import Image

    png = chromium.screenshot((sites["bundled"] / "index.html").as_uri(), 1280, 2400)
    img = Image.open(io.BytesIO(png)).convert("RGB")
    flat = getattr(img, "get_flattened_data", img.getdata)
    pixels = list(flat())
    light = sum(1 for p in pixels if sum(p) > 600) / len(pixels)
    assert light > 0.8
    colours = set(pixels)
    assert (0x00, 0x9E, 0x73) in colours  # +1 in the legend
    assert (0xD5, 0x5E, 0x00) in colours  # −1: the overdue consultations


def test_the_readme_screenshots_are_made_by_the_script(tmp_path: Path) -> None:
    made = shots.main(["--out", str(tmp_path)])
    assert sorted(p.name for p in made) == ["dashboard.png", "matrix.png"]
    for p in made:
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
