"""The installed `aes-tracker`, run as cron runs it: `env -i`-like environment, no terminal, no
TERM, no COLUMNS, LANG=C, a minimal PATH."""

from __future__ import annotations

import json
import re
import subprocess
import tomllib
from html.parser import HTMLParser
from pathlib import Path

import pytest

from .conftest import bare_env, installed_cmd, tool_cmd

ESC = re.compile(rb"\x1b[\[\]()]")


def run(
    tmp_path: Path, datafile: Path, *args: str, **env: str
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [*installed_cmd(), "--file", str(datafile), "--as-of", "2026-11-28", *args],
        env=bare_env(tmp_path, **env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    "args",
    [
        ["list"],
        ["due"],
        ["show", "sec-targeted-training"],
        ["report"],
        ["report", "--format", "markdown"],
        ["report", "--format", "html"],
        ["--help"],
        ["list", "--help"],
        ["check"],
        ["source", "list"],
    ],
)
def test_no_escape_codes_and_no_traceback(tmp_path: Path, datafile: Path, args: list[str]) -> None:
    p = run(tmp_path, datafile, *args)
    assert p.returncode == 0, p.stderr
    assert not ESC.search(p.stdout) and not ESC.search(p.stderr)
    assert b"Traceback" not in p.stderr


def test_no_escape_codes_even_with_no_color_unset_or_set(tmp_path: Path, datafile: Path) -> None:
    for extra in ({}, {"NO_COLOR": "1"}, {"TERM": "xterm-256color"}):
        assert not ESC.search(run(tmp_path, datafile, "list", **extra).stdout)


def test_colour_on_demand(tmp_path: Path, datafile: Path) -> None:
    assert b"\x1b[31m" in run(tmp_path, datafile, "list", FORCE_COLOR="1").stdout
    assert b"\x1b[31m" in run(tmp_path, datafile, "--color", "always", "list").stdout
    forced_off = run(tmp_path, datafile, "--color", "never", "list", FORCE_COLOR="1")
    assert not ESC.search(forced_off.stdout)


def test_nothing_is_cut_and_width_is_100(tmp_path: Path, datafile: Path) -> None:
    raw = tomllib.loads(datafile.read_text())
    for args in (["list"], ["due"], ["report"]):
        out = run(tmp_path, datafile, *args).stdout.decode("utf-8")
        assert "…" not in out
        lines = out.splitlines()
        assert max(len(ln) for ln in lines) <= 100, args
        for cid in raw["commitments"]:
            assert re.search(rf"(^|\s){re.escape(cid)}\b", out), (args, cid)
        assert "2026-04-03" in out
    narrow = run(tmp_path, datafile, "list", COLUMNS="60").stdout.decode()
    assert max(len(ln) for ln in narrow.splitlines()) <= 60
    for cid in raw["commitments"]:
        assert cid in narrow, "IDs are never folded, even when narrow"
    wide = run(tmp_path, datafile, "--width", "220", "list").stdout.decode()
    assert re.search(
        r"institutional +AES, Russia +Hold the AES–Russia foreign ministers' consultations every "
        r"year, alternating between Russia and the AES member states$",
        wide,
        re.M,
    ), "on a wide page, one line per commitment"


def test_french_text_is_utf8_under_lang_c(tmp_path: Path, datafile: Path) -> None:
    out = run(tmp_path, datafile, "show", "dev-inf").stdout
    assert "d’accélérer".encode() in out
    assert "Confédération".encode() in out and "œuvre".encode() in out
    out = run(
        tmp_path, datafile, "show", "dev-inf", "--format", "json", LANG="C", LC_ALL="C"
    ).stdout
    assert "la mise en œuvre de projets d’infrastructures" in json.loads(out)["quote"]


def test_report_exit_codes(tmp_path: Path, datafile: Path) -> None:
    assert run(tmp_path, datafile, "report").returncode == 0
    p = run(tmp_path, datafile, "report", "--fail-on-overdue")
    assert p.returncode == 1 and b"inst-annual-consultations" in p.stdout
    p = subprocess.run(
        [
            *installed_cmd(),
            "--file",
            str(datafile),
            "--as-of",
            "2026-01-01",
            "report",
            "--fail-on-overdue",
        ],
        env=bare_env(tmp_path),
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert p.returncode == 0


def test_report_json_keys(tmp_path: Path, datafile: Path) -> None:
    rep = json.loads(run(tmp_path, datafile, "report", "--format", "json").stdout)
    assert {
        "as_of",
        "since",
        "within",
        "overdue",
        "due_soon",
        "changed",
        "next_consultation",
        "summary",
    } <= set(rep)
    listed = json.loads(run(tmp_path, datafile, "list", "--format", "json").stdout)
    assert set(listed[0]) <= set(rep["overdue"][0])


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.chunks: list[str] = []

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)


def test_report_html_parses_and_holds_every_overdue_id(tmp_path: Path, datafile: Path) -> None:
    # Make a second overdue commitment so "every" means more than one.
    subprocess.run(
        [
            *tool_cmd(),  # the tests' entry point: the shipped tool reads no clock switch
            "--file",
            str(datafile),
            "--as-of",
            "2026-11-01",
            "--by",
            "cron-test",
            "edit",
            "dev-eco",
            "--due",
            "2026-11-15",
        ],
        # Recorded on that day: a change recorded later is not yet known to a report as of an
        # earlier day (--as-of is a point in time).
        env=bare_env(tmp_path, _AES_TRACKER_TEST_NOW="2026-11-01T12:00:00+00:00"),
        check=True,
        capture_output=True,
        timeout=60,
    )
    rep = json.loads(run(tmp_path, datafile, "report", "--format", "json").stdout)
    overdue = [r["id"] for r in rep["overdue"]]
    assert overdue == ["inst-annual-consultations", "dev-economic-operators"]
    p = _Text()
    p.feed(run(tmp_path, datafile, "report", "--format", "html").stdout.decode("utf-8"))
    p.close()
    text = "".join(p.chunks)
    assert all(cid in text for cid in overdue)


def test_changed_window_boundaries_in_a_real_process(tmp_path: Path, datafile: Path) -> None:
    """`--since 1w` is the seven days ending today, both ends included: 2026-11-15 to
    2026-11-21 (each note recorded on its own day: the clock of the test says so)."""
    for day in ("2026-11-14", "2026-11-15", "2026-11-21", "2026-11-22"):
        subprocess.run(
            [
                *tool_cmd(),  # for the clock of the test
                "--file",
                str(datafile),
                "--as-of",
                day,
                "note",
                "dip-un",
                f"entry {day}",
            ],
            env=bare_env(tmp_path, _AES_TRACKER_TEST_NOW=f"{day}T12:00:00+00:00"),
            check=True,
            capture_output=True,
            timeout=60,
        )
    p = subprocess.run(
        [
            *installed_cmd(),
            "--file",
            str(datafile),
            "--as-of",
            "2026-11-21",
            "report",
            "--since",
            "1w",
            "--format",
            "json",
        ],
        env=bare_env(tmp_path),
        capture_output=True,
        timeout=60,
        check=True,
    )
    changed = json.loads(p.stdout)["changed"]
    assert [(x["on"], x["note"]) for x in changed] == [
        ("2026-11-15", "entry 2026-11-15"),
        ("2026-11-21", "entry 2026-11-21"),
    ]


def _crontab_lines() -> list[str]:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    block = readme.split("```crontab\n", 1)[1].split("```", 1)[0]
    return [ln for ln in block.splitlines() if ln and ln[0].isdigit()]


def test_the_readme_crontab_lines_work(tmp_path: Path, datafile: Path) -> None:
    lines = _crontab_lines()
    assert len(lines) == 3
    outputs = []
    for line in lines:
        command = " ".join(line.split()[5:])
        command = command.replace("/opt/aes/.venv/bin/aes-tracker", " ".join(installed_cmd()))
        command = command.replace("/srv/aes/", f"{datafile.parent}/")
        p = subprocess.run(
            ["/bin/sh", "-c", command],
            env=bare_env(tmp_path),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=60,
            check=False,
        )
        assert p.returncode == 0 and p.stderr == b"", (line, p.stderr)
        assert not ESC.search(p.stdout)
        outputs.append(p.stdout.decode("utf-8"))
    assert outputs[0].startswith("# aes-tracker report as of ")
    assert "## Overdue" in outputs[0], "the bundled data has an overdue commitment today"
    assert outputs[1] == ""
    assert (datafile.parent / "report.html").read_text().startswith("<!DOCTYPE html>")
    assert outputs[2] == "aes-tracker: commitments are overdue\n"


def test_python_dash_m_runs_the_same_cli(tmp_path: Path, datafile: Path) -> None:
    import sys

    p = subprocess.run(
        [
            sys.executable,
            "-m",
            "aes_tracker",
            "--file",
            str(datafile),
            "--as-of",
            "2026-11-28",
            "list",
            "--format",
            "plain",
        ],
        env=bare_env(tmp_path),
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert p.returncode == 0, p.stderr
    assert p.stdout.decode().splitlines()[0].startswith("inst-annual-consultations\tpending")


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("aes-tracker show sec-t", ["sec-targeted-training", "sec-technical-assistance"]),
        (
            "aes-tracker status dev-inf ",
            ["pending", "in_progress", "stalled", "done", "partial", "broken", "dropped"],
        ),
        ("aes-tracker list --category d", ["diplomacy", "development"]),
        ("aes-tracker list --party M", ["Mali"]),
    ],
)
def test_shell_completion_from_the_data_file(
    tmp_path: Path, datafile: Path, words: str, expected: list[str]
) -> None:
    """What `--install-completion` installs asks the program itself; bash's protocol here."""
    parts = words.split(" ")
    env = bare_env(
        tmp_path,
        _AES_TRACKER_COMPLETE="complete_bash",
        COMP_WORDS=words,
        COMP_CWORD=str(len(parts) - 1),
        AES_TRACKER_FILE=str(datafile),
    )
    p = subprocess.run(installed_cmd(), env=env, capture_output=True, timeout=60, check=False)
    assert p.returncode == 0, p.stderr
    got = [ln.split(",", 1)[-1] for ln in p.stdout.decode().split()]
    assert sorted(got) == sorted(expected), p.stdout
