"""Spreadsheets that round-trip (issue 24): the CSV the tool writes, raw or for spreadsheets, and
the same file after LibreOffice opened and saved it, read back as the data they came from; every
CSV takes --excel; what differs is shown old → new."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import Cli

ODD = "=Open a trade house"
QUOTE = "- renforcer les liens"


def _odd(cli: Cli) -> None:
    """Cells a spreadsheet would run as formulas, and one that starts with an apostrophe and
    a formula's first character, as a quote may."""
    assert cli("edit", "sec-targ", "--title", ODD, "--quote", QUOTE).exit_code == 0
    assert cli("edit", "dev-inf", "--title", "'=quoted title").exit_code == 0
    assert cli("edit", "dip-un", "--title", "@mention +1").exit_code == 0


def _round_trip(cli: Cli, path: Path) -> None:
    before = cli.bytes()
    r = cli("import", str(path))
    assert (r.exit_code, r.stdout.splitlines()[-1]) == (
        0,
        "0 added, 0 updated, 12 unchanged, 0 conflicts",
    ), r.output
    assert cli.bytes() == before


@pytest.mark.parametrize("excel", [True, False])
def test_the_tools_own_csv_imports_back_to_the_data_it_came_from(
    cli: Cli, tmp_path: Path, excel: bool
) -> None:
    _odd(cli)
    path = tmp_path / "out.csv"
    argv = ["export", "--format", "csv", "-o", str(path), *(["--excel"] if excel else [])]
    assert cli(*argv).exit_code == 0
    text = path.read_text(encoding="utf-8-sig")
    if excel:
        assert "'=Open a trade house" in text and "'- renforcer" in text
    assert "''=quoted title" in text  # one more apostrophe, in both forms
    _round_trip(cli, path)


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(_soffice() is None, reason="LibreOffice (soffice) is not installed")
def test_the_excel_csv_after_libreoffice_opened_and_saved_it(cli: Cli, tmp_path: Path) -> None:
    _odd(cli)
    path = tmp_path / "out.csv"
    assert cli("export", "--format", "csv", "--excel", "-o", str(path)).exit_code == 0
    saved = tmp_path / "saved"
    saved.mkdir()
    # Open as UTF-8 comma-separated text with no formula evaluated, save as CSV (the dialog's
    # defaults): LibreOffice drops the BOM, keeps the apostrophes, writes TRUE/FALSE.
    p = subprocess.run(
        [
            str(_soffice()),
            "--headless",
            f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}",
            "--infilter=CSV:44,34,76,1",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1",
            "--outdir",
            str(saved),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    out = saved / "out.csv"
    assert out.exists(), p.stderr
    assert not out.read_bytes().startswith(b"\xef\xbb\xbf")  # what this test is about
    _round_trip(cli, out)


def test_every_column_the_export_writes_is_read_back(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    assert cli("export", "--format", "csv", "-o", str(path)).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    for r in rows:
        if r["id"] == "inst-annual-consultations":
            assert r["recur_start"] == "2025-04-03" and r["hosts"]
            r["title_fr"] = "Tenir les consultations, chaque année"
            r["recur_start"] = "3 avril 2025"  # the same day, as a French analyst writes it
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\r\n")
    w.writeheader()
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    r = cli("import", str(path), "--dry-run")
    assert r.exit_code == 1, r.output
    assert (
        "  title_fr: Tenir les consultations chaque année, en alternance entre la Russie et les "
        "États membres de l’AES → Tenir les consultations, chaque année"
    ) in r.stdout
    assert "recur_start" not in r.stdout
    r = cli("import", str(path), "--update")
    assert r.exit_code == 0, r.output
    shown = cli("show", "inst-annual").stdout
    assert "Tenir les consultations, chaque année" in shown


@pytest.mark.parametrize(
    ("value", "ok"), [("30/04/2027", True), ("20270430", True), ("02/03/2027", False)]
)
def test_csv_dates_are_read_by_the_command_lines_rules(
    cli: Cli, tmp_path: Path, value: str, ok: bool
) -> None:
    path = tmp_path / "in.csv"
    path.write_text(
        "id,title,category,parties,source,quote,status,due\n"
        f"dev-trade-house,Open a trade house,development,Russia,aes-russia-2025-04-03,"
        f"un texte,pending,{value}\n",
        encoding="utf-8",
    )
    before = cli.bytes()
    r = cli("import", str(path))
    if ok:
        assert r.exit_code == 0, r.output
        assert "2027-04-30" in cli("show", "dev-trade").stdout
    else:
        assert r.exit_code == 2
        assert r.stderr.startswith(f"error: {path}:2: due: '02/03/2027' is ambiguous"), r.stderr
        assert cli.bytes() == before


@pytest.mark.parametrize(
    "argv",
    [
        ["list"],
        ["due"],
        ["show", "sec-targ"],
        ["log"],
        ["stats", "--matrix"],
        ["source", "list"],
        ["export"],
    ],
)
def test_every_csv_takes_excel(cli: Cli, argv: list[str]) -> None:
    assert cli("note", "sec-targ", '=HYPERLINK("http://evil.example","click")').exit_code == 0
    plain = cli(*argv, "--format", "csv")
    excel = cli(*argv, "--format", "csv", "--excel")
    assert (plain.exit_code, excel.exit_code) == (0, 0), excel.output
    assert excel.stdout_bytes.startswith("\ufeff".encode())
    assert not plain.stdout_bytes.startswith("\ufeff".encode())
    if argv == ["log"]:
        raw = [c for row in csv.reader(io.StringIO(plain.stdout)) for c in row]
        assert any(c.startswith('=HYPERLINK("http://evil.example"') for c in raw)
        cells = [c for row in csv.reader(io.StringIO(excel.stdout.lstrip("\ufeff"))) for c in row]
        assert not any(c.startswith("=") for c in cells)
        assert any(c.startswith("'=HYPERLINK(") for c in cells)


def test_excel_goes_with_csv_only(cli: Cli) -> None:
    r = cli("list", "--excel")
    assert (r.exit_code, r.stderr) == (2, "error: --excel goes with --format csv\n")


def test_the_matrix_csv_tells_not_scored_from_not_a_party(tmp_path: Path) -> None:
    from .conftest import ROOT

    fx = tmp_path / "parties.toml"
    shutil.copyfile(ROOT / "tests" / "data" / "parties.toml", fx)
    r = Cli(fx)("stats", "--matrix", "--format", "csv", as_of="2026-06-01")
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    cells = {v for row in rows for k, v in row.items() if k not in ("id", "title", "average")}
    assert "not_a_party" in cells
    assert "not_yet_due" in cells, cells
    assert "" not in {row["Russia"] for row in rows if row["id"] != "average"}
