"""The JSON contract (issue 24): every `--format json` output validates against its published
schema (docs/schema/, generated from domain/schema.py), with the `jsonschema` validator a
script would use; one name and one type per fact across the commands; and `export` writes
null for what is not set while `import` still reads the exports of earlier versions."""

from __future__ import annotations

import copy
import importlib.util
import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from .conftest import DATA, Cli

HERE = Path(__file__).parent
ROOT = HERE.parent
SCHEMA_DIR = ROOT / "docs" / "schema"
FILES = {
    "bundled": (DATA, "2026-11-28", "inst-annual-consultations"),
    "multi": (HERE / "data" / "multi.toml", "2026-05-18", None),
    "parties": (HERE / "data" / "parties.toml", "2026-06-01", "dev-split"),
}
COMMANDS: dict[str, list[str]] = {
    "list": ["list"],
    "due": ["due"],
    "log": ["log", "--since", "2020-01-01"],
    "report": ["report", "--since", "2020-01-01"],
    "stats": ["stats"],
    "matrix": ["stats", "--matrix"],
    "timeline": ["timeline", "--months", "36"],
    "sources": ["source", "list"],
    "export": ["export"],
}


def _validator(name: str) -> Draft202012Validator:
    schema = json.loads((SCHEMA_DIR / f"{name}.json").read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _json(cli: Cli, args: list[str], as_of: str) -> Any:
    r = cli(*args, "--format", "json", as_of=as_of)
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def _first_id(path: Path) -> str:
    return next(iter(tomllib.loads(path.read_text())["commitments"]))


def test_schema_files_are_up_to_date() -> None:
    spec = importlib.util.spec_from_file_location("schema_script", ROOT / "scripts" / "schema.py")
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert script.stale() == [], "run python scripts/schema.py"
    assert sorted(p.stem for p in SCHEMA_DIR.glob("*.json")) == sorted(
        [*COMMANDS, "show", "extract"]
    )


@pytest.mark.parametrize("data", sorted(FILES))
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_json_validates(data: str, command: str) -> None:
    path, as_of, _ = FILES[data]
    out = _json(Cli(path), COMMANDS[command], as_of)
    assert out, f"{command} on {data} gives something to check"
    _validator(command).validate(out)


@pytest.mark.parametrize("data", sorted(FILES))
def test_show_json_validates(data: str) -> None:
    path, as_of, cid = FILES[data]
    out = _json(Cli(path), ["show", cid or _first_id(path)], as_of)
    _validator("show").validate(out)


def test_extract_json_validates(cli: Cli, tmp_path: Path) -> None:
    from .test_extract_cli import _add_source

    _add_source(cli, tmp_path)
    out = _json(cli, ["extract", "aes-russia-2026"], "2026-11-28")
    assert out["commitments"], "proposals to check"
    _validator("extract").validate(out)


def test_a_renamed_or_retyped_field_fails_validation() -> None:
    """The schemas are closed: the old names (or types) of the facts they describe fail."""
    path, as_of, _cid = FILES["parties"]
    cli = Cli(path)
    rows = _json(cli, ["list"], as_of)
    renamed = copy.deepcopy(rows)
    renamed[0]["expected_host"] = renamed[0].pop("next_host")
    retyped = copy.deepcopy(rows)
    retyped[0]["open"] = "true"
    for bad in (renamed, retyped):
        with pytest.raises(ValidationError):
            _validator("list").validate(bad)
    log = _json(cli, ["log", "--since", "2020-01-01"], as_of)
    as_lines = copy.deepcopy(log)
    as_lines[0]["changes"] = ["status: in_progress → pending"]
    with pytest.raises(ValidationError):
        _validator("log").validate(as_lines)
    timeline = _json(cli, ["timeline", "--months", "36"], as_of)
    item = next(i for m in timeline["months"] for i in m["items"])
    item["date"] = item.pop("due")
    with pytest.raises(ValidationError):
        _validator("timeline").validate(timeline)


# ---- one name and one type per fact -----------------------------------------------------------

CHANGE = {"field": "status", "before": "in_progress", "after": "pending"}


def test_changes_are_objects_in_log_report_show_and_export() -> None:
    path, as_of, _ = FILES["parties"]
    cli = Cli(path)
    log = _json(cli, ["log", "--since", "2020-01-01"], as_of)
    entry = next(x for x in log if x["id"] == "dip-waiting" and x["party"] == "Russia")
    assert entry["changes"] == [CHANGE]
    report = _json(cli, ["report"], as_of)
    entry = next(x for x in report["changed"] if x["id"] == "dip-waiting")
    assert entry["changes"] == [CHANGE]
    shown = _json(cli, ["show", "dip-waiting"], as_of)
    assert CHANGE in [ch for h in shown["history"] for ch in h["changes"]]
    doc = _json(cli, ["export"], as_of)
    history = doc["commitments"]["dip-waiting"]["history"]
    assert CHANGE in [ch for h in history for ch in h["changes"] or []]


def test_the_next_host_has_one_name() -> None:
    cli = Cli(DATA)
    report = _json(cli, ["report"], "2026-11-28")
    (c,) = [x for x in report["next_consultation"] if x["id"] == "inst-annual-consultations"]
    assert c["next_host"] == "AES member state" and "expected_host" not in c
    (row,) = [x for x in _json(cli, ["list"], "2026-11-28") if x["id"] == c["id"]]
    assert row["next_host"] == c["next_host"]


def test_timeline_entries_say_due_and_status() -> None:
    timeline = _json(Cli(DATA), ["timeline"], "2026-11-28")
    items = [i for m in timeline["months"] for i in m["items"]]
    assert {(i["due"], i["status"], i["host"]) for i in items} >= {
        ("2027-04-03", "expected", "Russia")
    }
    assert not any("date" in i or "state" in i for i in items)


def test_a_per_party_average_is_average_in_stats_and_the_matrix() -> None:
    path, as_of, _ = FILES["parties"]
    cli = Cli(path)
    stats = _json(cli, ["stats"], as_of)
    matrix = _json(cli, ["stats", "--matrix"], as_of)
    assert {g["group"]: g["average"] for g in stats["groups"]} == {
        c["party"]: c["average"] for c in matrix["columns"]
    }
    assert not any("score" in g for g in stats["groups"])


# ---- export: null for what is not set; import reads old exports --------------------------------


def test_export_writes_null_for_absent_keys(cli: Cli) -> None:
    doc = _json(cli, ["export"], "2026-11-28")
    c = doc["commitments"]["sec-targeted-training"]
    assert "title_fr" in c and "recur" in c and c["recur"] is None
    first = c["history"][0]
    assert first["at"] is None or isinstance(first["at"], str)
    assert all(k in first for k in ("on", "at", "by", "note", "host", "party", "changes"))


def test_export_then_import_is_byte_identical(cli: Cli, tmp_path: Path) -> None:
    r = cli("status", "sec-targeted-training", "in_progress", "--note", "Started")
    assert r.exit_code == 0, r.output
    original = cli.bytes()
    exported = tmp_path / "e.json"
    assert cli("export", "-o", str(exported)).exit_code == 0
    fresh = Cli(tmp_path / "fresh.toml")
    assert fresh("init", "--empty").exit_code == 0
    r = fresh("import", str(exported))
    assert r.exit_code == 0, r.output
    assert fresh.bytes() == original


def _old_export(doc: dict[str, Any]) -> dict[str, Any]:
    """`doc` as an earlier version wrote it: changes as lines, absent keys left out."""

    def strip(x: Any) -> Any:
        if isinstance(x, dict):
            if set(x) == {"field", "before", "after"}:
                return f"{x['field']}: {x['before'] or '∅'} → {x['after'] or '∅'}"
            return {k: strip(v) for k, v in x.items() if v is not None}
        if isinstance(x, list):
            return [strip(v) for v in x]
        return x

    out: dict[str, Any] = strip(doc)
    return out


def test_import_still_reads_an_old_export(cli: Cli, tmp_path: Path) -> None:
    r = cli("edit", "sec-targeted-training", "--due", "2027-01-05")
    assert r.exit_code == 0, r.output
    original = cli.bytes()
    old = _old_export(_json(cli, ["export"], "2026-11-28"))
    assert any(
        isinstance(ch, str)
        for c in old["commitments"].values()
        for h in c.get("history", [])
        for ch in h.get("changes", [])
    )
    exported = tmp_path / "old.json"
    exported.write_text(json.dumps(old, ensure_ascii=False))
    fresh = Cli(tmp_path / "fresh.toml")
    assert fresh("init", "--empty").exit_code == 0
    r = fresh("import", str(exported))
    assert r.exit_code == 0, r.output
    assert fresh.bytes() == original


def test_import_refuses_a_malformed_change(cli: Cli, tmp_path: Path) -> None:
    doc = _json(cli, ["export"], "2026-11-28")
    c = next(c for c in doc["commitments"].values() if c["history"])
    c["history"][0]["changes"] = [{"field": "status", "before": 3}]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc, ensure_ascii=False))
    before = cli.bytes()
    r = cli("import", str(bad))
    assert r.exit_code != 0
    assert r.stderr.startswith("error: ") and "Traceback" not in r.output
    assert "a change is {field, before, after}" in r.stderr
    assert cli.bytes() == before
