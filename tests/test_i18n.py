"""French: every message has a translation, the shipped catalogue is compiled from its source,
the language is chosen as documented, and the machine formats are the same bytes in every
language."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path
from types import ModuleType

import pytest

from aes_tracker import i18n

from .conftest import DATA, Cli
from .test_golden import MULTI, PARTIES

ROOT = Path(__file__).resolve().parent.parent


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("i18n_script", ROOT / "scripts" / "i18n.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_every_message_has_a_french_translation_and_the_mo_is_compiled_from_the_po() -> None:
    assert _script().problems() == []


def test_the_extraction_finds_messages_of_every_kind() -> None:
    """A check that cannot pass on an empty catalogue: each source of messages contributes."""
    found = _script().messages()
    ids = {k[1] for k in found}
    assert "no such file" in ids  # _()
    assert ("status", "in_progress", None) in found  # the registry, with its context
    assert ("month", "April", None) in found
    assert "Only overdue ones." in ids  # help= of an option
    assert any(t.startswith("List commitments, soonest due first") for t in ids)  # a docstring
    assert any(k[2] for k in found)  # ngettext's plural


def test_the_wheel_ships_the_compiled_catalogue() -> None:
    mo = Path(i18n.LOCALE_DIR) / "fr" / "LC_MESSAGES" / "aes_tracker.mo"
    assert mo.exists()


@pytest.mark.parametrize(
    ("flag", "env", "expected"),
    [
        ("fr", {"AES_TRACKER_LANG": "en", "LANG": "en_US.UTF-8"}, "fr"),
        (None, {"AES_TRACKER_LANG": "fr", "LANG": "C"}, "fr"),
        (None, {"LC_ALL": "fr_FR.UTF-8", "LANG": "en_US.UTF-8"}, "fr"),
        (None, {"LC_MESSAGES": "fr_ML.UTF-8"}, "fr"),
        (None, {"LANG": "fr_NE.UTF-8"}, "fr"),
        (None, {"LANG": "C"}, "en"),  # cron
        (None, {}, "en"),
        (None, {"LC_ALL": "C.UTF-8", "LANG": "fr_FR.UTF-8"}, "en"),  # LC_ALL wins, as in libc
    ],
)
def test_the_language_is_chosen_in_the_documented_order(
    flag: str | None, env: dict[str, str], expected: str
) -> None:
    assert i18n.choose(flag, env) == expected


def test_french_words_and_dates() -> None:
    i18n.set_language("fr")
    try:
        assert i18n.status_label("in_progress") == "en cours"
        assert i18n.status_label("broken") == "non tenu"
        assert i18n.category_label("security") == "sécurité"
        assert i18n.human_date(date(2026, 4, 3)) == "3 avril 2026"
        assert i18n.human_date(date(2026, 5, 1)) == "1er mai 2026"
        assert i18n.human_month("2026-08") == "août 2026"
        with i18n.untranslated():
            assert i18n.status_label("in_progress") == "in_progress"
            assert i18n.human_date(date(2026, 4, 3)) == "2026-04-03"
        assert i18n.status_label("done") == "réalisé", "the language comes back after"
    finally:
        i18n.set_language("en")
    assert i18n.human_date(date(2026, 4, 3)) == "2026-04-03"
    assert i18n.status_label("in_progress") == "in_progress"


def test_a_date_error_names_the_month_in_the_language(datafile: Path) -> None:
    """The month in a date error comes from the same catalogue entry as the month in prose."""
    argv = ("done", "sec-technical-assistance", "--on", "2026-02-30")
    fr = Cli(datafile)("--lang", "fr", *argv)
    assert fr.exit_code == 2
    assert "février 2026" in fr.stderr and "February" not in fr.stderr
    en = Cli(datafile)(*argv)
    assert "February 2026" in en.stderr


@pytest.mark.parametrize(
    ("toml", "english"),
    [
        ("x = [1, 2\n", "unclosed array"),
        ("x = 1\nx = 2\n", "a value is set twice"),
        ('x = "abc\n', "a string is not closed before the end of the line"),
        ("[a\n", "a table header is missing its ']'"),
        ("x = 1 2\n", "something follows a value on the same line"),
        ('x = "\\q"\n', "a backslash in a string does not start a valid escape"),
        ("x = 'abc\n", "a closing quote or bracket is missing"),
        ("x = {a = 1, a = 2}\n", "a key is set twice in an inline table"),
    ],
)
def test_a_toml_error_is_in_the_language(tmp_path: Path, toml: str, english: str) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(toml, encoding="utf-8")
    assert english in Cli(bad)("list").stderr
    fr = Cli(bad)("--lang", "fr", "list")
    assert fr.exit_code != 0 and fr.stderr.startswith("error: ")
    assert english not in fr.stderr, fr.stderr


# Every command and format a script reads: the bytes must not depend on the language.
MACHINE = [
    ["list", "--format", "json"],
    ["list", "--format", "csv"],
    ["list", "--format", "plain"],
    ["due", "--format", "json"],
    ["due", "--format", "plain"],
    ["show", "{id}", "--format", "json"],
    ["show", "{id}", "--format", "plain"],
    ["show", "{id}", "--format", "csv"],
    ["report", "--format", "json"],
    ["stats", "--format", "json"],
    ["stats", "--matrix", "--format", "json"],
    ["stats", "--matrix", "--format", "csv"],
    ["timeline", "--format", "json"],
    ["log", "--format", "json"],
    ["log", "--format", "plain"],
    ["log", "--format", "csv"],
    ["source", "list", "--format", "plain"],
    ["source", "list", "--format", "json"],
    ["export", "--format", "json"],
    ["export", "--format", "csv"],
    ["export", "--format", "csv", "--per-party"],
]


@pytest.mark.parametrize("data", ["bundled", "multi", "parties"])
@pytest.mark.parametrize("argv", MACHINE, ids=lambda a: " ".join(a))
def test_machine_formats_are_the_same_bytes_in_french(
    argv: list[str], data: str, tmp_path: Path
) -> None:
    src = {"bundled": DATA, "multi": MULTI, "parties": PARTIES}[data]
    p = tmp_path / "d.toml"
    shutil.copyfile(src, p)
    cid = {"bundled": "inst-annual-consultations", "multi": "sec-joint", "parties": "dev-split"}
    argv = [a.replace("{id}", cid[data]) for a in argv]
    cli = Cli(p)
    en = cli(*argv)
    fr = cli("--lang", "fr", *argv)
    env_fr = cli(*argv, env={"LANG": "fr_FR.UTF-8", "AES_TRACKER_LANG": ""})
    assert en.exit_code == 0, en.output
    assert (fr.exit_code, fr.stdout) == (en.exit_code, en.stdout)
    assert env_fr.stdout == en.stdout


def test_ics_export_is_the_same_bytes_in_french(datafile: Path, tmp_path: Path) -> None:
    cli = Cli(datafile)
    a, b = tmp_path / "en.ics", tmp_path / "fr.ics"
    assert cli("export", "--format", "ics", "-o", str(a)).exit_code == 0
    assert cli("--lang", "fr", "export", "--format", "ics", "-o", str(b)).exit_code == 0
    strip = [ln for ln in a.read_bytes().splitlines() if not ln.startswith(b"DTSTAMP")]
    assert strip == [ln for ln in b.read_bytes().splitlines() if not ln.startswith(b"DTSTAMP")]


def test_the_data_file_is_written_the_same_in_french(tmp_path: Path) -> None:
    a, b = tmp_path / "a.toml", tmp_path / "b.toml"
    shutil.copyfile(DATA, a)
    shutil.copyfile(DATA, b)
    argv = ["note", "sec-targeted-training", "Premier cours tenu à Bamako"]
    assert Cli(a)(*argv).exit_code == 0
    assert Cli(b)("--lang", "fr", *argv).exit_code == 0
    assert a.read_bytes() == b.read_bytes()


def test_french_titles_show_where_there_is_one(datafile: Path) -> None:
    fr = Cli(datafile)("--lang", "fr", "--width", "250", "list")
    assert "Fournir des formations ciblées à la Force unifiée de l’AES" in fr.stdout
    assert "Provide targeted training" not in fr.stdout
    en = Cli(datafile)("--width", "250", "list")
    assert "Provide targeted training to the AES Unified Force" in en.stdout


def test_french_under_cron_needs_it_set(datafile: Path) -> None:
    """A cron job with LANG=C gets English unless the language is set; with
    AES_TRACKER_LANG=fr, French, in UTF-8 whatever the locale."""
    base = [sys.executable, "-m", "aes_tracker", "--file", str(datafile), "--as-of", "2026-11-28"]
    env = {"PATH": "/usr/bin:/bin", "LANG": "C", "HOME": str(datafile.parent)}
    en = subprocess.run([*base, "report"], env=env, capture_output=True, check=True)
    assert b"Overdue (1)" in en.stdout
    fr = subprocess.run(
        [*base, "report"], env={**env, "AES_TRACKER_LANG": "fr"}, capture_output=True, check=True
    )
    assert b"En retard (1)" in fr.stdout
    assert b"239 jours de retard" in fr.stdout
