"""Golden files: the exact output a person sees, at a fixed --as-of, on the bundled data, on a
small multi-source fixture (tests/data/multi.toml) and on the per-party fixture
(tests/data/parties.toml). `pytest --update-golden` rewrites them; a
reviewer reads the diff. The help texts' golden file is docs/cli.md (see test_docs.py).

Each case is `name: argv`; the file tests/golden/<name>.txt holds the exit code and stdout (and
stderr when there is any), so that a change in any of the three shows in the diff.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aes_tracker.cli import app

from .conftest import DATA

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden"
MULTI = HERE / "data" / "multi.toml"
BUNDLED_AS_OF = "2026-11-28"
MULTI_AS_OF = "2026-05-18"
PARTIES = HERE / "data" / "parties.toml"  # per-party assessments and the AES group
PARTIES_AS_OF = "2026-06-01"
CONFLICTED = HERE / "data" / "conflicted.toml"  # what merge-file leaves: three conflicts

WIDTHS = (60, 80, 100, 160)
CASES: dict[str, tuple[str, list[str]]] = {}
for _data in ("bundled", "multi"):
    for _w in WIDTHS:
        CASES[f"{_data}-list-table-{_w}"] = (_data, ["--width", str(_w), "list"])
    for _fmt in ("plain", "json", "csv", "markdown"):
        CASES[f"{_data}-list-{_fmt}"] = (_data, ["list", "--format", _fmt])
    CASES[f"{_data}-list-closed"] = (_data, ["list", "--closed"])
    CASES[f"{_data}-due-80"] = (_data, ["--width", "80", "due"])
    CASES[f"{_data}-due-60"] = (_data, ["--width", "60", "due"])
    CASES[f"{_data}-due-json"] = (_data, ["due", "--format", "json"])
    for _fmt in ("text", "markdown", "json", "html"):
        CASES[f"{_data}-report-{_fmt}"] = (_data, ["report", "--format", _fmt])
    CASES[f"{_data}-report-text-60"] = (_data, ["--width", "60", "report"])
    for _fmt in ("table", "markdown", "json"):
        CASES[f"{_data}-stats-{_fmt}"] = (_data, ["stats", "--format", _fmt])
    for _by in ("category", "source"):
        CASES[f"{_data}-stats-by-{_by}"] = (_data, ["stats", "--by", _by])
    CASES[f"{_data}-stats-60"] = (_data, ["--width", "60", "stats"])
    CASES[f"{_data}-timeline"] = (_data, ["timeline", "--months", "12"])
    CASES[f"{_data}-timeline-json"] = (_data, ["timeline", "--format", "json"])
    for _fmt in ("table", "json", "csv", "markdown", "plain"):
        CASES[f"{_data}-source-list-{_fmt}"] = (_data, ["source", "list", "--format", _fmt])
for _fmt in ("table", "plain", "json", "markdown"):
    CASES[f"bundled-show-{_fmt}"] = (
        "bundled",
        ["show", "inst-annual-consultations", "--format", _fmt],
    )
    CASES[f"multi-show-{_fmt}"] = ("multi", ["show", "sec-joint", "--format", _fmt])
for _data in ("bundled", "parties"):
    for _w in (60, 80, 120):
        CASES[f"{_data}-matrix-{_w}"] = (_data, ["--width", str(_w), "stats", "--matrix"])
        CASES[f"{_data}-matrix-member-{_w}"] = (
            _data,
            ["--width", str(_w), "stats", "--matrix", "--by", "member"],
        )
for _fmt in ("markdown", "csv", "json"):
    CASES[f"parties-matrix-{_fmt}"] = ("parties", ["stats", "--matrix", "--format", _fmt])
CASES["parties-matrix-member-markdown"] = (
    "parties",
    ["stats", "--matrix", "--by", "member", "--format", "markdown"],
)
CASES["parties-matrix-40"] = ("parties", ["--width", "40", "stats", "--matrix", "--by", "member"])
CASES["parties-stats-table"] = ("parties", ["stats"])
for _w in (60, 100):
    CASES[f"parties-list-table-{_w}"] = ("parties", ["--width", str(_w), "list"])
CASES["parties-list-markdown"] = ("parties", ["list", "--format", "markdown"])
CASES["parties-show-table"] = ("parties", ["show", "dev-split"])
CASES["parties-show-markdown"] = ("parties", ["show", "dev-split", "--format", "markdown"])
for _fmt in ("text", "markdown", "html"):
    CASES[f"parties-report-{_fmt}"] = ("parties", ["report", "--format", _fmt])
CASES["parties-export-per-party"] = ("parties", ["export", "--format", "csv", "--per-party"])
CASES["bundled-show-60"] = ("bundled", ["--width", "60", "show", "sec-targeted-training"])
CASES["multi-show-done"] = ("multi", ["show", "dev-closed"])

# The same in French, next to the English ones: what a person reads is translated; the machine
# formats are not (test_i18n.py checks they are byte-identical).
FRENCH = {
    "list-80": ["--width", "80", "list"],
    "list-60": ["--width", "60", "list"],
    "list-markdown": ["list", "--format", "markdown"],
    "due-80": ["--width", "80", "due"],
    "report-text": ["report"],
    "report-markdown": ["report", "--format", "markdown"],
    "report-html": ["report", "--format", "html"],
    "stats": ["stats"],
    "stats-by-category": ["stats", "--by", "category"],
    "stats-markdown": ["stats", "--format", "markdown"],
    "timeline": ["timeline", "--months", "12"],
    "log": ["--width", "100", "log"],
}
for _data in ("bundled", "multi"):
    for _name, _argv in FRENCH.items():
        CASES[f"fr-{_data}-{_name}"] = (_data, ["--lang", "fr", *_argv])
CASES["fr-bundled-show"] = ("bundled", ["--lang", "fr", "show", "inst-annual-consultations"])
CASES["fr-bundled-show-markdown"] = (
    "bundled",
    ["--lang", "fr", "show", "sec-targeted-training", "--format", "markdown"],
)
CASES["fr-multi-show"] = ("multi", ["--lang", "fr", "show", "sec-joint"])
CASES["fr-parties-show"] = ("parties", ["--lang", "fr", "show", "dev-split"])
CASES["fr-parties-matrix-80"] = ("parties", ["--lang", "fr", "--width", "80", "stats", "--matrix"])
CASES["fr-parties-report-text"] = ("parties", ["--lang", "fr", "report"])
CASES["fr-help"] = ("bundled", ["--lang", "fr", "--width", "100", "--help"])
CASES["fr-help-list"] = ("bundled", ["--lang", "fr", "list", "--help"])
CASES["fr-error-status"] = ("bundled", ["--lang", "fr", "status", "sec-targeted-training", "fait"])
CASES["fr-error-id"] = ("bundled", ["--lang", "fr", "show", "sec-targeted-trainnig"])
CASES["conflicted-resolve"] = ("conflicted", ["resolve"])
CASES["conflicted-resolve-id"] = ("conflicted", ["resolve", "sec-targ"])


def _run(tmp_path: Path, data: str, argv: list[str]) -> str:
    path = tmp_path / f"{data}.toml"
    if not path.exists():
        shutil.copyfile(
            {"bundled": DATA, "multi": MULTI, "parties": PARTIES, "conflicted": CONFLICTED}[data],
            path,
        )
    as_of = {"bundled": BUNDLED_AS_OF, "multi": MULTI_AS_OF, "parties": PARTIES_AS_OF}.get(
        data, BUNDLED_AS_OF
    )
    r = CliRunner().invoke(app, ["--file", str(path), "--as-of", as_of, *argv])
    out = f"$ aes-tracker {' '.join(argv)}\nexit {r.exit_code}\n--- stdout\n{r.stdout}"
    if r.stderr:
        out += f"--- stderr\n{r.stderr}"
    return out.replace(str(path), f"{data}.toml")


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name: str, tmp_path: Path, update_golden: bool) -> None:
    data, argv = CASES[name]
    got = _run(tmp_path, data, argv)
    target = GOLDEN / f"{name}.txt"
    if update_golden:
        GOLDEN.mkdir(exist_ok=True)
        target.write_text(got, encoding="utf-8")
        return
    assert target.exists(), f"no golden file {target.name}: run pytest --update-golden"
    assert got == target.read_text(encoding="utf-8")


def test_every_golden_file_has_a_case() -> None:
    """A golden file no case writes is stale: a renamed or removed case left it behind."""
    names = {p.stem for p in GOLDEN.glob("*.txt")}
    assert names <= set(CASES), sorted(names - set(CASES))
