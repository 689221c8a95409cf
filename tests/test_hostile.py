"""Nothing let in: hostile or odd input, files and paths, each refused in one line (or shown
safely), with no traceback and no change to the data file."""

from __future__ import annotations

import csv
import json
import math
import os
import re
import shutil
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aes_tracker.store.paths import lock_path

from .conftest import DATA, NOBODY, Cli, as_user, bare_env, give_to_user, installed_cmd


def _unchanged(cli: Cli, before: bytes) -> None:
    assert cli.bytes() == before, "the data file was changed"


# ---- outputs that are the data file ----------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["export", "--format", "csv", "-o", "DATA"],
        ["export", "--format", "json", "-o", "DATA"],
        ["report", "--output", "DATA"],
        ["stats", "--format", "svg", "-o", "DATA"],
        ["export", "-o", "LINK"],
        ["report", "--output", "LOCK"],
        ["export", "-o", "JOURNAL"],
    ],
)
def test_an_output_may_not_be_the_data_file(
    datafile: Path, tmp_path: Path, argv: list[str]
) -> None:
    cli = Cli(datafile)
    cli("note", "sec-targ", "so that the journal exists")
    link = tmp_path / "out.csv"
    link.symlink_to(datafile)
    journal = next((tmp_path / "xdg-state" / "aes-tracker" / "undo").iterdir())
    names = {
        "DATA": str(datafile),
        "LINK": str(link),
        "LOCK": str(lock_path(datafile)),
        "JOURNAL": str(journal / "00000002.done"),
    }
    before = cli.bytes()
    r = cli(*[names.get(a, a) for a in argv])
    assert r.exit_code == 2
    assert r.stderr.startswith("error: ") and "is the data file" in r.stderr
    assert len(r.stderr.splitlines()) == 1
    _unchanged(cli, before)


# ---- files the user may not write, and files that are not files ------------------------------


def test_a_read_only_data_file_is_not_rewritten(user_dir: Path) -> None:
    data = user_dir / "d.toml"
    shutil.copyfile(DATA, data)
    give_to_user(data)
    data.chmod(0o444)
    before = data.read_bytes()
    r = as_user(["--file", str(data), "note", "sec-targ", "x"], user_dir)
    assert r.returncode == 2
    assert r.stderr.startswith(f"error: {data}: is read-only for you; nothing was written")
    assert data.read_bytes() == before
    assert (data.stat().st_mode & 0o777) == 0o444


@pytest.mark.parametrize("argv", [["list"], ["check"], ["note", "sec-targ", "x"], ["show", "x"]])
def test_a_fifo_as_the_data_file_is_refused_at_once(tmp_path: Path, argv: list[str]) -> None:
    fifo = tmp_path / "d.toml"
    os.mkfifo(fifo)
    r = Cli(fifo)(*argv)  # would block forever if it opened the FIFO for reading and waited
    assert r.exit_code == 2
    assert "is not a regular file" in r.stderr


def test_a_symlinked_lock_file_is_refused(datafile: Path, tmp_path: Path) -> None:
    target = tmp_path / "somewhere-else"
    lock_path(datafile).symlink_to(target)
    r = Cli(datafile)("note", "sec-targ", "x")
    assert r.exit_code == 2 and "is a symbolic link" in r.stderr
    assert not target.exists()


# ---- IDs, years, control characters ---------------------------------------------------------


def test_ids_ending_in_a_newline_are_refused_everywhere(datafile: Path, tmp_path: Path) -> None:
    cli = Cli(datafile)
    before = cli.bytes()
    add = ["add", "T", "--category", "security", "--party", "Russia", "--due", "2027-01-01"]
    r = cli(*add, "--quote", "q", "--id", "sec-b\n")
    assert r.exit_code == 2 and "is not a valid ID" in r.stderr
    assert "\n" not in r.stderr.rstrip("\n").split("error: ", 1)[1].split("\nhint")[0]
    r = cli("source", "add", "src-y\n", "--title", "t", "--date", "2026-01-01")
    assert r.exit_code == 2 and "is not a valid ID" in r.stderr
    doc = json.loads(cli("export").stdout)
    doc["commitments"]["x-one\n"] = dict(doc["commitments"]["sec-targeted-training"])
    f = tmp_path / "in.json"
    f.write_text(json.dumps(doc))
    r = cli("import", str(f))
    assert r.exit_code == 2 and "is not a valid ID" in r.stderr
    _unchanged(cli, before)
    text = datafile.read_text().replace(
        "[commitments.sec-targeted-training]", '[commitments."sec-targeted-training\\n"]'
    )
    datafile.write_text(text)
    r = cli("check")
    assert r.exit_code == 1 and "is not a valid ID" in r.stderr


@pytest.mark.parametrize(
    ("when", "message"),
    [
        ("3 April 26", "no four-digit year"),
        ("1 janvier 99", "no four-digit year"),
        ("1 January 5", "no four-digit year"),
        ("0000-12-31", "outside the calendar"),
        ("0000-02-30", "outside the calendar"),
    ],
)
def test_short_years_and_year_zero_are_refused(datafile: Path, when: str, message: str) -> None:
    cli = Cli(datafile)
    before = cli.bytes()
    for argv in (
        ["--as-of", when, "list"],
        ["edit", "sec-targ", "--due", when],
        ["add", "T", "--category", "security", "--party", "Russia", "--quote", "q", "--due", when],
    ):
        r = cli.runner.invoke(
            __import__("aes_tracker.cli", fromlist=["app"]).app,
            ["--file", str(datafile), *argv]
            if argv[0] == "--as-of"
            else ["--file", str(datafile), "--as-of", "2026-11-28", *argv],
        )
        assert r.exit_code == 2, (argv, r.output)
        assert message in r.stderr and len(r.stderr.splitlines()) <= 2
    _unchanged(cli, before)


ESCAPES = ["\x1b[2J", "\x1b]0;owned\x07", "\x9b31m", "\x07", "\r"]


@pytest.mark.parametrize("esc", ESCAPES)
def test_control_characters_are_refused_on_input(datafile: Path, esc: str) -> None:
    cli = Cli(datafile)
    before = cli.bytes()
    attempts = [
        ["note", "sec-targ", f"a{esc}b"],
        [
            "add",
            f"T{esc}",
            "--category",
            "security",
            "--party",
            "Russia",
            "--quote",
            "q",
            "--due",
            "2027-01-01",
        ],
        ["edit", "sec-targ", "--notes", f"n{esc}"],
        ["done", "sec-targ", "--note", f"x{esc}"],
    ]
    for argv in attempts:
        r = cli(*argv)
        assert r.exit_code == 2, argv
        assert "control character" in r.stderr
        assert esc not in r.stderr, "the error shows the character escaped, never raw"
    r = cli("note", "sec-targ", "x", by=f"ana{esc}")
    assert r.exit_code == 2 and "control character" in r.stderr
    _unchanged(cli, before)


@pytest.mark.parametrize("esc", ["\\u001b[2J", "\\u009b31m", "\\u0007"])
def test_control_characters_in_the_file_are_never_printed_raw(datafile: Path, esc: str) -> None:
    text = datafile.read_text().replace(
        'note = "Recorded from the communiqué of 2025-04-03."',
        f'note = "Recorded {esc} here."',
        1,
    )
    datafile.write_text(text)
    cli = Cli(datafile)
    for argv in (["list"], ["due"], ["report"], ["report", "--format", "html"], ["check"]):
        r = cli(*argv)
        assert r.exit_code in (1, 2)
        assert "\x1b" not in r.output and "\x9b" not in r.output and "\x07" not in r.output
        assert "control character" in r.stderr


# ---- import of crafted files ------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        '{"commitments": [1]}',
        '{"commitments": {"x": "s"}}',
        '{"commitments": {"x": null}}',
        '{"sources": [1]}',
        '{"parties": "AES"}',
        '{"commitments": {"x": {"due": {"$date": "garbage"}}}}',
        '{"commitments": {"x": {"at": {"$datetime": "nope"}}}}',
        '{"x": {"$float": "big"}}',
        '{"x": {"$time": 7}}',
        "[" * 50_000 + "]" * 50_000,
        '{"a":' * 50_000 + "1" + "}" * 50_000,
        '{"commitments": {"sec-targeted-training": {"status": NaN}}}',
        "id,title\nx," + "a" * 200_000 + "\n",
        "id\n\x00\n",
    ],
    ids=lambda c: c[:30],
)
def test_crafted_imports_are_refused_in_one_line(
    datafile: Path, tmp_path: Path, content: str
) -> None:
    cli = Cli(datafile)
    before = cli.bytes()
    f = tmp_path / ("in.csv" if content.startswith("id") else "in.json")
    f.write_text(content)
    for extra in ([], ["--update"], ["--dry-run"]):
        r = cli("import", str(f), *extra)
        assert r.exit_code == 2, r.output
        assert r.stderr.startswith("error: ") and "Traceback" not in r.output
    _unchanged(cli, before)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(
        st.sampled_from(["commitments", "sources", "parties", "schema", "zz"]),
        json_values,
        max_size=3,
    )
)
def test_any_json_import_ends_cleanly(doc: dict[str, object]) -> None:
    import tempfile

    from typer.testing import CliRunner

    from aes_tracker.cli import app

    with tempfile.TemporaryDirectory() as d:
        data = Path(d) / "d.toml"
        shutil.copyfile(DATA, data)
        f = Path(d) / "in.json"
        f.write_text(json.dumps(doc))
        env = {"XDG_STATE_HOME": f"{d}/s", "XDG_CACHE_HOME": f"{d}/c"}
        r = CliRunner().invoke(app, ["--file", str(data), "import", str(f), "--update"], env=env)
        assert r.exit_code in (0, 1, 2), r.output
        assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
        if r.exit_code == 2:
            assert r.stderr.startswith("error: ") and data.read_bytes() == DATA.read_bytes()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.text(max_size=12), min_size=1, max_size=9), min_size=1, max_size=4))
def test_any_csv_import_ends_cleanly(rows: list[list[str]]) -> None:
    import csv
    import io
    import tempfile

    from typer.testing import CliRunner

    from aes_tracker.cli import app

    head = ["id", "title", "category", "parties", "source", "quote", "status", "due", "review"]
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(head)
    w.writerows(rows)
    with tempfile.TemporaryDirectory() as d:
        data = Path(d) / "d.toml"
        shutil.copyfile(DATA, data)
        f = Path(d) / "in.csv"
        f.write_text(buf.getvalue())
        env = {"XDG_STATE_HOME": f"{d}/s", "XDG_CACHE_HOME": f"{d}/c"}
        r = CliRunner().invoke(app, ["--file", str(data), "import", str(f), "--update"], env=env)
        assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
        assert r.exit_code in (0, 1, 2)


# ---- every TOML value survives -------------------------------------------------------------


def test_every_toml_type_survives_export_and_import(datafile: Path, tmp_path: Path) -> None:
    text = datafile.read_text().replace(
        "schema = 1\n",
        "schema = 1\nxval = nan\nbig = inf\nlocal_t = 07:30:00\nlocal_dt = 2026-04-03T07:30:00\n"
        "offset_dt = 2026-04-03T07:30:00+01:00\nlocal_d = 2026-04-03\n",
        1,
    )
    datafile.write_text(text)
    cli = Cli(datafile)
    assert cli("check").exit_code == 0
    assert cli("note", "sec-targ", "a write with nan in the file").exit_code == 0
    raw = tomllib.loads(datafile.read_text())
    assert math.isnan(raw["xval"]) and raw["big"] == math.inf
    exported = tmp_path / "all.json"
    assert cli("export", "-o", str(exported)).exit_code == 0
    fresh = Cli(tmp_path / "fresh.toml")
    assert fresh("init", "--empty").exit_code == 0
    r = fresh("import", str(exported))
    assert r.exit_code == 0, r.output
    fresh("fmt")
    assert fresh.bytes() == cli.bytes()


# ---- leftovers -------------------------------------------------------------------------------


def test_a_killed_writers_temp_file_is_removed_by_the_next_command(datafile: Path) -> None:
    leftover = datafile.parent / f".{datafile.name}.tmp-999999-dead"
    leftover.write_text("half a file")
    assert Cli(datafile)("list").exit_code == 0, "a read"
    assert not leftover.exists()


def test_a_killed_report_output_leaves_nothing_for_long(datafile: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    leftover = tmp_path / ".r.html.tmp-999999-dead"
    leftover.write_text("<html>half")
    assert Cli(datafile)("report", "--format", "html", "-o", str(out)).exit_code == 0
    assert out.exists() and not leftover.exists()


# ---- a data file whose name is as long as the file system allows ------------------------------


@pytest.mark.parametrize("length", [240, 250, 255])
def test_a_data_file_with_a_very_long_name_can_be_written(tmp_path: Path, length: int) -> None:
    """The lock, the temp file and the journal beside a 240-255 byte name would not fit in
    NAME_MAX: they get short names of their own, so the file can be written, then undone."""
    folder = tmp_path / "long"
    folder.mkdir()
    name = "c" * (length - len(".toml")) + ".toml"
    path = folder / name
    shutil.copyfile(DATA, path)
    cli = Cli(path)
    assert cli("list").exit_code == 0
    r = cli("note", "sec-targ", "written through a long name")
    assert r.exit_code == 0, r.stderr
    assert "written through a long name" in path.read_text(encoding="utf-8")
    assert not [p.name for p in folder.iterdir() if ".tmp-" in p.name], "a temp file was left"
    r = cli("undo")
    assert r.exit_code == 0, r.stderr
    assert path.read_bytes() == DATA.read_bytes()
    lock = lock_path(path)
    assert len(os.fsencode(lock.name)) <= 255 and lock.exists()


def test_a_short_data_file_name_keeps_its_lock_name(datafile: Path) -> None:
    """Writers of an older release lock `<file>.lock`: a name that fits keeps it, so that two
    releases working on one file still exclude each other."""
    assert lock_path(datafile) == datafile.with_name(datafile.name + ".lock")


# ---- outputs: planted links, modes, impossible names (issue 22, items 4, 7, 12) --------------

OUTPUT_COMMANDS = [
    ["report", "--format", "html", "-o"],
    ["export", "--format", "csv", "-o"],
    ["stats", "--format", "svg", "-o"],
]


def _sticky_shared_folder(tmp_path: Path) -> Path:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)  # as /tmp
    return shared


@pytest.mark.parametrize("argv", OUTPUT_COMMANDS)
def test_a_link_another_user_planted_in_a_sticky_folder_is_not_followed(
    datafile: Path, tmp_path: Path, argv: list[str]
) -> None:
    """Issue 22, item 4: the kernel refuses a shell's `>` through such a link
    (fs.protected_symlinks); the output must too, and leave the link's target alone."""
    if os.geteuid() != 0:
        pytest.skip("planting a link owned by another user needs root (lchown)")
    secret = tmp_path / "secret"
    secret.write_text("root's own file\n")
    secret.chmod(0o600)
    shared = _sticky_shared_folder(tmp_path)
    link = shared / "out"
    link.symlink_to(secret)
    os.lchown(link, NOBODY, NOBODY)
    cli = Cli(datafile)
    before = cli.bytes()
    r = cli(*argv, str(link))
    assert r.exit_code == 2, r.output
    assert r.stderr == (
        f"error: {link}: is a symbolic link another user made in a shared folder ({shared}); "
        "aes-tracker does not follow it\n"
    )
    assert secret.read_text() == "root's own file\n"
    assert link.is_symlink()
    _unchanged(cli, before)


@pytest.mark.parametrize("owner", ["caller", "folder"])
def test_a_link_of_the_caller_or_the_folders_owner_is_followed(
    datafile: Path, tmp_path: Path, owner: str
) -> None:
    """What the kernel allows stays allowed: the caller's own link in /tmp, or one made by the
    folder's owner; the target is replaced atomically and the link stays a link."""
    target = tmp_path / "report.html"
    target.write_text("old")
    shared = _sticky_shared_folder(tmp_path)
    link = shared / "out"
    link.symlink_to(target)
    if owner == "folder" and os.geteuid() == 0:
        os.chown(shared, NOBODY, NOBODY)
        os.lchown(link, NOBODY, NOBODY)
    r = Cli(datafile)("report", "--format", "html", "-o", str(link))
    assert r.exit_code == 0, r.output
    assert target.read_text().startswith("<!DOCTYPE html>")
    assert link.is_symlink()


def test_a_planted_link_in_the_middle_of_the_path_is_not_followed(
    datafile: Path, tmp_path: Path
) -> None:
    """The rule holds for every link on the way, as in the kernel, not only the last one."""
    if os.geteuid() != 0:
        pytest.skip("planting a link owned by another user needs root (lchown)")
    private = tmp_path / "private"
    private.mkdir()
    shared = _sticky_shared_folder(tmp_path)
    hop = shared / "hop"
    hop.symlink_to(private)
    os.lchown(hop, NOBODY, NOBODY)
    r = Cli(datafile)("export", "-o", str(hop / "x.json"))
    assert r.exit_code == 2
    assert "another user made in a shared folder" in r.stderr
    assert list(private.iterdir()) == []


@pytest.mark.parametrize("argv", OUTPUT_COMMANDS)
def test_outputs_are_no_less_private_than_the_data_file(
    datafile: Path, tmp_path: Path, argv: list[str]
) -> None:
    """Issue 22, item 7: a 0600 data file gave 0644 exports and reports."""
    datafile.chmod(0o600)
    new, old = tmp_path / "new.out", tmp_path / "old.out"
    old.write_text("")
    old.chmod(0o644)
    cli = Cli(datafile)
    for out in (new, old):
        assert cli(*argv, str(out)).exit_code == 0
        assert stat.S_IMODE(out.stat().st_mode) == 0o600, out.name


def test_outputs_follow_the_umask_under_the_data_files_mode(datafile: Path, tmp_path: Path) -> None:
    datafile.chmod(0o664)
    old = os.umask(0o027)
    try:
        assert Cli(datafile)("export", "-o", str(tmp_path / "e.json")).exit_code == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "e.json").stat().st_mode) == 0o640


@pytest.mark.parametrize("argv", OUTPUT_COMMANDS)
@pytest.mark.parametrize(
    ("name", "reason"),
    [("LOOP", "Too many levels of symbolic links"), ("x" * 256, "File name too long")],
)
def test_impossible_output_names_end_in_one_line(
    datafile: Path, tmp_path: Path, argv: list[str], name: str, reason: str
) -> None:
    """Issue 22, item 12: `-o` onto a symlink loop or a name over 255 bytes gave a traceback."""
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    out = tmp_path / ("a" if name == "LOOP" else name)
    p = subprocess.run(
        [*installed_cmd(), "--file", str(datafile), "--as-of", "2026-11-28", *argv, str(out)],
        env=bare_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert p.returncode == 2, p.stderr
    assert p.stderr.startswith(f"error: {out}: cannot write: {reason}"), p.stderr
    assert len(p.stderr.splitlines()) == 1, p.stderr


# ---- evidence is an http(s) URL or a local path, nothing else (issue 22, item 5) ---------------

SCHEMES = [
    "javascript:alert(document.cookie)",
    "JavaScript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
]


@pytest.mark.parametrize("url", SCHEMES, ids=lambda u: u[:12])
def test_evidence_with_another_scheme_is_refused_even_when_such_a_file_exists(
    datafile: Path, tmp_path: Path, url: str
) -> None:
    """`--evidence 'javascript:…'` passed as 'a file that exists' once a file of that name
    was there (the working folder here), and became a live link in the HTML report."""
    if "/" not in url:
        (tmp_path / url).write_text("")
    cli = Cli(datafile)
    before = cli.bytes()
    r = cli("note", "sec-targ", "x", "--evidence", url)
    assert r.exit_code == 2, r.output
    assert r.stderr.startswith("error: --evidence: "), r.stderr
    assert "is neither an http(s) URL nor a file that exists" in r.stderr
    _unchanged(cli, before)


def test_a_local_file_with_a_colon_is_evidence_when_named_as_a_path(
    datafile: Path, tmp_path: Path
) -> None:
    (tmp_path / "javascript:x").write_text("")
    r = Cli(datafile)("note", "sec-targ", "x", "--evidence", "./javascript:x")
    assert r.exit_code == 0, r.output


def _with_evidence(datafile: Path, url: str) -> None:
    text = datafile.read_text(encoding="utf-8")
    head, sep, tail = text.partition('event = "recorded"\n')
    assert sep
    datafile.write_text(head + sep + f"evidence = [{json.dumps(url)}]\n" + tail, encoding="utf-8")


@pytest.mark.parametrize("url", SCHEMES, ids=lambda u: u[:12])
def test_check_refuses_evidence_with_another_scheme(datafile: Path, url: str) -> None:
    _with_evidence(datafile, url)
    line = (
        datafile.read_text(encoding="utf-8").splitlines().index(f"evidence = [{json.dumps(url)}]")
    )
    r = Cli(datafile)("check")
    assert r.exit_code == 1, r.output
    assert f"{datafile}:{line + 1}:" in r.output
    assert "evidence: " in r.output and "is neither an http(s) URL nor a local file's path" in (
        r.output
    )


@pytest.mark.parametrize("url", SCHEMES, ids=lambda u: u[:12])
def test_a_json_import_refuses_evidence_with_another_scheme(
    datafile: Path, tmp_path: Path, url: str
) -> None:
    cli = Cli(datafile)
    doc = json.loads(cli("export", "--format", "json").stdout)
    commitments = doc["commitments"]
    first = next(iter(commitments))
    new = dict(commitments[first])
    new["history"] = [dict(new["history"][0], evidence=[url])]
    doc["commitments"] = {"new-one": new}
    src = tmp_path / "in.json"
    src.write_text(json.dumps(doc), encoding="utf-8")
    before = cli.bytes()
    r = cli("import", str(src))
    assert r.exit_code == 2, r.output
    assert r.stderr.startswith(f"error: {src}"), r.stderr
    assert "is neither an http(s) URL nor a local file's path" in r.stderr
    assert len(r.stderr.splitlines()) == 1
    _unchanged(cli, before)


@pytest.mark.parametrize("url", SCHEMES[:4], ids=lambda u: u[:12])
def test_a_per_party_csv_import_refuses_evidence_with_another_scheme(
    datafile: Path, tmp_path: Path, url: str
) -> None:
    src = tmp_path / "in.csv"
    with src.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(
            [
                ["id", "party", "status", "from", "on", "evidence"],
                ["sec-targeted-training", "Russia", "done", "own", "2026-11-01", url],
            ]
        )
    cli = Cli(datafile)
    before = cli.bytes()
    r = cli("import", str(src))
    assert r.exit_code == 2, r.output
    assert r.stderr.startswith(f"error: {src}:2: row 2: evidence: "), r.stderr
    _unchanged(cli, before)


def test_the_html_report_links_only_http_urls(datafile: Path, tmp_path: Path) -> None:
    (tmp_path / "minutes.pdf").write_text("")
    cli = Cli(datafile)
    assert cli("note", "sec-targ", "a", "--evidence", "minutes.pdf").exit_code == 0
    assert (
        cli("note", "sec-targ", "b", "--evidence", "https://example.org/a?b=1&c=2").exit_code == 0
    )
    html = cli("report", "--format", "html").stdout
    assert '<a href="https://example.org/a?b=1&amp;c=2">' in html
    assert "minutes.pdf" in html and 'href="minutes.pdf"' not in html
    assert html.count("<a ") == 1


def test_the_html_renderer_never_makes_another_scheme_a_link(cli: Cli) -> None:
    """What the file can no longer hold, the renderer would still show as text: the report's
    own data, with another scheme put into a change's evidence, rendered to HTML."""
    import io
    import json

    from aes_tracker.render import Output
    from aes_tracker.render.report import to_html

    assert cli("note", "sec-targ", "seen", "--evidence", "https://example.org/ok").exit_code == 0
    rep = json.loads(cli("report", "--format", "json").stdout)
    assert rep["changed"], "a change to carry the evidence"
    out = Output(io.StringIO(), False, 100)
    for url in SCHEMES:
        rep["changed"][0]["evidence"] = [url, "https://example.org/ok"]
        html = to_html(rep, out)
        assert html.count("<a href=") == html.count('<a href="https://example.org/ok"'), url
        assert 'href="https://example.org/ok"' in html


# ---- Markdown outputs: what a person typed is never live (issue 22, item 8) -------------------

HOSTILE_TEXT = "Seen <img src=x onerror=alert(1)> and [here](javascript:alert(2)) *now*"


@pytest.mark.parametrize(
    "argv",
    [
        ["list", "--format", "markdown"],
        ["show", "sec-targ", "--format", "markdown"],
        ["log", "--format", "markdown"],
        ["report", "--format", "markdown"],
    ],
)
def test_markdown_outputs_escape_html_and_links(datafile: Path, argv: list[str]) -> None:
    """list, show and log passed raw HTML and link syntax through (the report escaped them):
    rendered by a CommonMark renderer with HTML allowed, nothing typed becomes a tag or a link,
    and the text reads back as typed."""
    from markdown_it import MarkdownIt

    cli = Cli(datafile)
    r = cli("edit", "sec-targ", "--title", HOSTILE_TEXT)
    assert r.exit_code == 0, r.output
    assert cli("note", "sec-targ", HOSTILE_TEXT).exit_code == 0
    r = cli(*argv)
    assert r.exit_code == 0, r.output
    page = MarkdownIt("commonmark", {"html": True}).enable("table").render(r.stdout)
    assert "<img" not in page
    assert "<a " not in page
    assert "<em>now</em>" not in page
    assert "Seen &lt;img src=x onerror=alert(1)&gt; and [here](javascript:alert(2)) *now*" in page


# ---- no traceback from a hostile file, whatever the command (issue 22, item 12) ---------------


def _run(
    *argv: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*installed_cmd(), "--as-of", "2026-11-28", *argv],
        env=env or bare_env(cwd),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _planted(text: str, what: str) -> tuple[str, int, str]:
    """The bundled text with `what` planted, the line it is on, and the message expected."""
    if what == "integer":
        return (
            text.replace("schema = 1\n", "schema = 1\nextra = " + "9" * 5000 + "\n", 1),
            2,
            "an integer has more than 4,300 digits",
        )
    if what == "nesting":
        return (
            text.replace("schema = 1\n", "schema = 1\nextra = " + "[" * 300 + "]" * 300 + "\n", 1),
            2,
            "arrays or tables nested more than 32 deep",
        )
    assert what == "instant"
    i = text.index('event = "recorded"')
    planted = text[:i] + "at = 0001-01-01T00:00:00+01:00\n" + text[i:]
    return (
        planted,
        planted[:i].count("\n") + 1,
        "a date-time whose UTC time is before year 1 or after 9999",
    )


@pytest.mark.parametrize("what", ["integer", "nesting", "instant"])
def test_values_beyond_what_the_tool_can_hold_end_in_one_line_everywhere(
    tmp_path: Path, what: str
) -> None:
    """An integer of 5,000 digits (ValueError from int()), arrays 300 deep (RecursionError in
    every write and in the merge driver), an offset date-time before year 1 in UTC (check said
    ok, then OverflowError everywhere): one reader refuses each, with its line."""
    text, line, message = _planted(DATA.read_text(encoding="utf-8"), what)
    data = tmp_path / "d.toml"
    data.write_text(text, encoding="utf-8")
    for argv in (
        ["list"],
        ["check"],
        ["show", "sec-targ"],
        ["note", "sec-targ", "x"],
        ["export", "--format", "ics"],
        ["stats", "--matrix"],
    ):
        p = _run("--file", str(data), *argv, cwd=tmp_path)
        assert p.returncode == 2, (argv, p.stderr)
        assert p.stderr.startswith(f"error: {data}:{line}:"), (argv, p.stderr)
        assert p.stderr.rstrip("\n").endswith(message), (argv, p.stderr)
        assert len(p.stderr.splitlines()) == 1, (argv, p.stderr)
    assert data.read_text(encoding="utf-8") == text
    # The merge driver: either side may be the hostile one; both versions stay whole.
    for side in ("ours", "theirs"):
        base, ours, theirs = (tmp_path / n for n in ("base.toml", "ours.toml", "theirs.toml"))
        for f in (base, ours, theirs):
            shutil.copyfile(DATA, f)
        (ours if side == "ours" else theirs).write_text(text, encoding="utf-8")
        p = _run("merge-file", str(base), str(ours), str(theirs), "commitments.toml", cwd=tmp_path)
        assert p.returncode == 2, (side, p.stderr)
        assert "Traceback" not in p.stderr
        assert p.stderr.startswith(f"error: commitments.toml:{line}:"), p.stderr
        assert message in p.stderr


def test_a_due_date_on_the_last_day_of_the_calendar_exports(datafile: Path) -> None:
    """`edit --due 9999-12-31` then `export --format ics`: OverflowError on the event's end."""
    from icalendar import Calendar

    cli = Cli(datafile)
    assert cli("edit", "sec-targ", "--due", "9999-12-31").exit_code == 0
    r = cli("export", "--format", "ics")
    assert r.exit_code == 0, r.output
    events = {str(e["uid"]): e for e in Calendar.from_ical(r.stdout).walk("VEVENT")}
    last = events["sec-targeted-training@aes-tracker"]
    assert last.decoded("dtstart").isoformat() == "9999-12-31"
    assert "dtend" not in last  # an all-day event with no end lasts its day
    for argv in (["list"], ["due"], ["show", "sec-targ"], ["report"], ["timeline"]):
        assert cli(*argv).exit_code == 0, argv


@pytest.mark.parametrize(
    "rule", ["FREQ=YEARLY\\nFREQ=MONTHLY", "yearly\\n", "FREQ=YEARLY;\\tINTERVAL=2"]
)
def test_a_recurrence_with_a_newline_is_refused_by_check_and_the_calendar(
    datafile: Path, rule: str
) -> None:
    """check passed; the ICS export raised AssertionError or wrote an empty RRULE."""
    text = datafile.read_text(encoding="utf-8")
    assert 'recur = "yearly"' in text
    datafile.write_text(text.replace('recur = "yearly"', f'recur = "{rule}"'), encoding="utf-8")
    line = text[: text.index('recur = "yearly"')].count("\n") + 1
    cli = Cli(datafile)
    r = cli("check")
    assert r.exit_code == 1, r.output
    assert f"{datafile}:{line}:" in r.output
    assert f"commitments.inst-annual-consultations.recur: '{rule}' is not a recurrence" in r.output
    r = cli("export", "--format", "ics")
    assert (r.exit_code == 2 and r.exception is None) or isinstance(r.exception, SystemExit)
    assert r.stderr.startswith(f"error: {datafile}:{line}:"), r.stderr


def test_the_matrix_abbreviates_any_number_of_similar_long_names(datafile: Path) -> None:
    """~110 parties sharing a long prefix: the numbered abbreviations ran out (StopIteration)."""
    names = [f"Federal Republic of Somewhere Far Away Number {i:03d}" for i in range(110)]
    text = datafile.read_text(encoding="utf-8")
    listed = "".join(f'    "{n}",\n' for n in names)
    text = text.replace('    "Russia",\n]\n', '    "Russia",\n' + listed + "]\n", 1)
    text = text.replace(
        'parties = [\n    "AES",\n    "Russia",\n]',
        'parties = [\n    "AES",\n    "Russia",\n' + listed + "]",
        1,
    )
    datafile.write_text(text, encoding="utf-8")
    r = Cli(datafile)("--width", "200", "stats", "--matrix")
    assert r.exit_code == 0, r.output
    legend = dict(
        re.findall(r"(\S+) = (Federal Republic of Somewhere Far Away Number \d+)", r.stdout)
    )
    assert sorted(legend.values()) == names
    assert len(set(legend)) == len(names)


@pytest.mark.parametrize("damage", ["empty", "truncated", "bad magic"])
def test_a_damaged_french_catalogue_falls_back_to_english(tmp_path: Path, damage: str) -> None:
    """An empty or cut-short .mo raised struct.error in every command run in French."""
    from aes_tracker import i18n

    good = (i18n.LOCALE_DIR / "fr" / "LC_MESSAGES" / "aes_tracker.mo").read_bytes()
    bad = {"empty": b"", "truncated": good[:100], "bad magic": b"\x00" * 64}[damage]
    folder = tmp_path / "locale" / "fr" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "aes_tracker.mo").write_bytes(bad)
    # The whole command in a process of its own, reading that catalogue.
    program = (
        "import sys; from pathlib import Path; import aes_tracker.i18n as i18n; "
        f"i18n.LOCALE_DIR = Path({str(tmp_path / 'locale')!r}); "
        "from aes_tracker.cli import main; sys.argv[0] = 'aes-tracker'; main()"
    )

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", program, "--file", str(DATA), "--as-of", "2026-11-28", *argv],
            env=bare_env(tmp_path),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    french, english = (
        run("--width", "200", "--lang", "fr", "due"),
        run("--width", "200", "--lang", "en", "due"),
    )
    assert french.returncode == 0, french.stderr
    assert french.stderr == ""
    # The table's header comes from the catalogue alone (the titles have French in the data).
    assert french.stdout.splitlines()[0] == english.stdout.splitlines()[0]
    assert "Days left" in french.stdout.splitlines()[0]
    p = run("--lang", "fr", "show", "nope")
    assert p.returncode == 2
    assert p.stderr.splitlines()[0] == "error: no commitment 'nope'"
