"""`extract`, `source add --text`, `source show`, and the quotes held against the stored text by
`check` and `show`, through the CLI."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from aes_tracker.cli import app

from .conftest import AS_OF, Cli

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).parent / "data" / "communiques"
COMMUNIQUE = ROOT / "data" / "sources" / "communique-aes-russie-2025-04-03.txt"


def _add_source(cli: Cli, tmp_path: Path, name: str = "aes-russia-2026-04-16.html") -> Path:
    text = tmp_path / name
    text.write_bytes((CORPUS / name).read_bytes().replace(b"\n", b"\r\n"))
    r = cli(
        "source",
        "add",
        "aes-russia-2026",
        "--title",
        "Second session",
        "--date",
        "2026-04-16",
        "--text",
        str(text),
    )
    assert r.exit_code == 0, r.output
    return text


# ---- source texts --------------------------------------------------------------------------------


def test_source_add_text_stores_it_beside_the_data_file(cli: Cli, tmp_path: Path) -> None:
    _add_source(cli, tmp_path)
    stored = cli.path.parent / "sources" / "aes-russia-2026.txt"
    assert stored.read_bytes() == (CORPUS / "aes-russia-2026-04-16.html").read_bytes()
    raw = tomllib.loads(cli.path.read_text(encoding="utf-8"))
    assert raw["sources"]["aes-russia-2026"]["text"] == "sources/aes-russia-2026.txt"
    r = cli("source", "show", "aes-russia-2026")
    assert r.exit_code == 0
    assert r.stdout == stored.read_text(encoding="utf-8")


def test_source_show_of_the_bundled_source(cli: Cli) -> None:
    r = cli("source", "show", "aes-russia-2025-04-03")
    assert r.exit_code == 0, r.output
    # The stored text has no final line end: the terminal gets one.
    assert r.stdout == COMMUNIQUE.read_text(encoding="utf-8") + "\n"


def test_source_add_refuses_a_text_that_is_not_utf8(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("Communiqué".encode("latin-1"))
    before = cli.bytes()
    r = cli("source", "add", "x", "--title", "X", "--date", "2026-01-01", "--text", str(bad))
    assert r.exit_code == 2
    assert r.stderr == f"error: {bad}:1: is not valid UTF-8\n"
    assert cli.bytes() == before
    assert not (cli.path.parent / "sources").exists()


# ---- check and show ------------------------------------------------------------------------------


def test_check_passes_on_the_bundled_data(cli: Cli) -> None:
    r = cli("check")
    assert r.exit_code == 0, r.output
    assert r.stdout.endswith(": ok, 12 commitments, 1 source\n")


def test_check_names_a_quote_altered_by_one_word(cli: Cli) -> None:
    text = cli.path.read_text(encoding="utf-8")
    altered = text.replace(
        'quote = "ont décidé d’intensifier les échanges',
        'quote = "ont décidé d’intensifier des échanges',
    )
    assert altered != text
    cli.path.write_text(altered, encoding="utf-8")
    line = altered[: altered.index("ont décidé d’intensifier des")].count("\n") + 1
    r = cli("check")
    assert r.exit_code == 1
    assert r.stderr.splitlines() == [
        f"error: {cli.path}:{line}:9: commitments.dev-economic-operators.quote: « ont décidé "
        "d’intensifier des échanges entre opérateurs écono… » is not in the text of "
        "aes-russia-2025-04-03 (sources/communique-aes-russie-2025-04-03.txt), word for word "
        "(only white space and apostrophes may differ)",
        "1 problem found",
    ]


def test_check_allows_other_apostrophes_and_white_space(cli: Cli) -> None:
    text = cli.path.read_text(encoding="utf-8")
    cli.path.write_text(
        text.replace("ont décidé d’intensifier les", "ont décidé d'intensifier  les"),
        encoding="utf-8",
    )
    assert cli("check").exit_code == 0


def test_check_names_a_missing_text(cli: Cli) -> None:
    text = cli.path.read_text(encoding="utf-8")
    cli.path.write_text(text.replace("communique-aes-russie", "missing"), encoding="utf-8")
    r = cli("check")
    assert r.exit_code == 1
    assert "sources.aes-russia-2025-04-03.text: " in r.stderr


def test_show_gives_the_quotes_line_in_the_text(cli: Cli) -> None:
    r = cli("show", "sec-technical-assistance")
    assert r.exit_code == 0, r.output
    assert "Quote at         sources/communique-aes-russie-2025-04-03.txt, line 7\n" in r.stdout
    r = cli("show", "dip-un-charter", "--format", "json")
    assert json.loads(r.stdout)["quote_at"] == {
        "text": "sources/communique-aes-russie-2025-04-03.txt",
        "line": 10,
    }


# ---- extract -------------------------------------------------------------------------------------


def test_extract_on_the_bundled_data_finds_everything_tracked(cli: Cli) -> None:
    r = cli("extract", "aes-russia-2025-04-03")
    assert r.exit_code == 0, r.output
    assert r.stdout.endswith("0 proposals, 12 already tracked\n")
    assert "  rule: s'est engagée à + enumeration of 3\n" in r.stdout
    before = cli.bytes()
    r = cli("extract", "aes-russia-2025-04-03", "--accept", "all")
    assert r.stdout == "nothing to add: every proposal is already tracked\n"
    assert cli.bytes() == before


def test_extract_accept_all_is_one_undoable_change(cli: Cli, tmp_path: Path) -> None:
    _add_source(cli, tmp_path)
    before = cli.bytes()
    r = cli("extract", "aes-russia-2026", "--accept", "all")
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("added 11 commitments: ")
    raw = tomllib.loads(cli.path.read_text(encoding="utf-8"))
    new = {k: v for k, v in raw["commitments"].items() if v["source"] == "aes-russia-2026"}
    assert len(new) == 11
    helicopters = next(v for v in new.values() if "helicopters" in v["title"])
    assert helicopters["parties"] == ["Russia"]
    assert str(helicopters["due"]) == "2026-09-30"
    assert helicopters["quote"].startswith("Russia committed to deliver two transport helicopters")
    assert cli("check").exit_code == 0
    # Again: every proposal is tracked now, none is proposed twice.
    r = cli("extract", "aes-russia-2026")
    assert r.stdout.endswith("0 proposals, 11 already tracked\n")
    r = cli("undo")
    assert r.exit_code == 0, r.output
    assert cli.bytes() == before


def test_extract_json_then_import_adds_them(cli: Cli, tmp_path: Path) -> None:
    _add_source(cli, tmp_path)
    for fmt in ("json", "toml"):
        r = cli("extract", "aes-russia-2026", "--format", fmt)
        assert r.exit_code == 0, r.output
        out = tmp_path / f"proposals.{fmt}"
        out.write_text(r.stdout, encoding="utf-8")
    doc = json.loads((tmp_path / "proposals.json").read_text(encoding="utf-8"))
    assert len(doc["commitments"]) == 11
    first = next(iter(doc["commitments"].values()))
    assert set(first["_extract"]) >= {"target", "start", "end", "line", "confidence", "rule"}
    r = cli("import", str(tmp_path / "proposals.toml"), "--dry-run")
    assert r.exit_code == 0, r.output
    r = cli("import", str(tmp_path / "proposals.json"))
    assert r.exit_code == 0, r.output
    raw = tomllib.loads(cli.path.read_text(encoding="utf-8"))
    assert "_extract" not in raw
    assert not [v for v in raw["commitments"].values() if "_extract" in v]
    assert sum(1 for v in raw["commitments"].values() if v["source"] == "aes-russia-2026") == 11
    assert cli("check").exit_code == 0


def test_extract_a_file_for_a_source_without_text_stores_it(cli: Cli, tmp_path: Path) -> None:
    r = cli("source", "add", "mali-turkey", "--title", "Mali–Türkiye", "--date", "2026-05-20")
    assert r.exit_code == 0
    # The parties of the text must be known to the file.
    text = cli.path.read_text(encoding="utf-8")
    cli.path.write_text(text.replace('    "Russia",\n]', '    "Russia",\n    "Turkey",\n]', 1))
    name = CORPUS / "mali-turkey-2026-05-20.txt"
    r = cli("extract", str(name), "--source", "mali-turkey", "--accept", "all")
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("added 14 commitments: ")
    assert (cli.path.parent / "sources" / "mali-turkey.txt").read_bytes() == name.read_bytes()
    assert cli("check").exit_code == 0


def test_extract_walks_the_proposals_in_a_terminal(cli: Cli, tmp_path: Path) -> None:
    _add_source(cli, tmp_path)
    keys = [
        "a",  # the helicopters
        "s",  # skip the vehicles
        "e",  # the communications equipment: a new title, then accept it
        "title",
        "Communications equipment for the Unified Force",
        "a",
        "p",  # the joint centre, split
        "for the analysis",
        "a",
        "m",  # merged with the previous one
        "q",
    ]
    argv = [
        "--file",
        str(cli.path),
        "--as-of",
        AS_OF,
        "extract",
        "aes-russia-2026",
        "--interactive",
    ]
    r = cli.runner.invoke(app, argv, input="\n".join(keys) + "\n")
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[-1].startswith("added 3 commitments: ")
    raw = tomllib.loads(cli.path.read_text(encoding="utf-8"))
    new = [v for v in raw["commitments"].values() if v["source"] == "aes-russia-2026"]
    assert sorted(v["title"] for v in new) == sorted(
        [
            "Deliver two transport helicopters",
            "Communications equipment for the Unified Force",
            "Establish a joint centre",
        ]
    )


def test_extract_errors_are_one_line(cli: Cli, tmp_path: Path) -> None:
    before = cli.bytes()
    r = cli("extract", "no-such-source")
    assert (r.exit_code, r.stderr) == (2, "error: no source no-such-source\n")
    r = cli("extract", "aes-russia-2025-04-03", "--format", "xml")
    assert r.exit_code == 2
    assert r.stderr == "error: --format: 'xml' is not one of table, json, toml\n"
    r = cli("extract", "aes-russia-2025-04-03", "--accept", "some")
    assert (r.exit_code, r.stderr) == (2, "error: --accept: the only value is all\n")
    assert cli.bytes() == before
