"""The undo journal: every write can be undone and redone byte for byte; a step is small,
checked, private, written before the data file is replaced, and never trusted blindly."""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from aes_tracker.cli import app
from aes_tracker.store import fileread, journal
from aes_tracker.store.journal import Journal, common_ends, journal_dir

from .conftest import DATA, Cli, fixed_now


@given(st.binary(max_size=60), st.binary(max_size=60), st.binary(max_size=60))
def test_common_ends(a: bytes, b: bytes, c: bytes) -> None:
    before, after = a + b + c, a + c
    p, s = common_ends(before, after)
    assert p + s <= min(len(before), len(after))
    assert before[:p] == after[:p] and before[len(before) - s :] == after[len(after) - s :]
    assert p >= len(a) or s >= len(c) or p + s >= len(a) + len(c)


def _steps(path: Path) -> list[Path]:
    return sorted(journal_dir(path, os.environ).glob("*.*"))


def test_a_step_holds_only_what_changed(datafile: Path) -> None:
    cli = Cli(datafile)
    assert cli("note", "sec-targ", "one small note").exit_code == 0
    (step,) = _steps(datafile)
    assert step.name == "00000001.done"
    assert step.stat().st_size < 2000, "not a copy of the whole file"


def test_undo_says_what_it_took_back_and_redo_puts_it_back(datafile: Path) -> None:
    cli = Cli(datafile)
    original = cli.bytes()
    cli("status", "sec-targ", "done", "--on", "2026-11-20", by="ana")
    after = cli.bytes()
    r = cli("undo")
    assert r.exit_code == 0, r.output
    assert r.stdout == ("undid: status sec-targeted-training pending → done (2026-11-20, by ana)\n")
    assert cli.bytes() == original
    r = cli("redo")
    assert r.stdout == ("redid: status sec-targeted-training pending → done (2026-11-20, by ana)\n")
    assert cli.bytes() == after
    assert cli("redo").exit_code == 2
    # A new change after an undo drops what could be redone.
    cli("undo")
    cli("note", "dev-inf", "something else")
    r = cli("redo")
    assert r.exit_code == 2 and "nothing to redo" in r.stderr


def test_the_count_of_what_can_still_be_undone_is_honest(datafile: Path) -> None:
    cli = Cli(datafile)
    cli("note", "sec-targ", "a")
    cli("note", "sec-targ", "b")
    cli("note", "sec-targ", "c")
    assert cli("undo").stdout.endswith("2 earlier changes can still be undone\n")
    # A hand edit under the older steps: undo works once, then the next would throw the edit
    # away, so it is not counted.
    assert cli("undo").stdout.endswith("1 earlier change can still be undone\n")
    text = datafile.read_text().replace('place = "Moscow"', 'place = "Moscou"')
    datafile.write_text(text)
    r = cli("undo")
    assert r.exit_code == 2 and "changed outside aes-tracker" in r.stderr


def test_undo_refuses_after_a_hand_edit(datafile: Path) -> None:
    cli = Cli(datafile)
    cli("note", "sec-targ", "x")
    edited = cli.bytes().replace(b"Moscow", b"Moscou")
    datafile.write_bytes(edited)
    r = cli("undo")
    assert r.exit_code == 2 and "changed outside aes-tracker" in r.stderr
    assert cli.bytes() == edited


def test_a_damaged_step_is_refused(datafile: Path) -> None:
    """A truncated step (a full disk, a crash of the disk) is never written into the data
    file: its payload digest is checked, and what it would restore must parse and check."""
    cli = Cli(datafile)
    cli("note", "sec-targ", "x")
    (step,) = _steps(datafile)
    blob = step.read_bytes()
    step.write_bytes(blob[: len(blob) - 5])
    before = cli.bytes()
    r = cli("undo")
    assert r.exit_code == 2 and "damaged" in r.stderr
    assert cli.bytes() == before


def test_a_step_that_would_restore_an_invalid_file_is_refused(datafile: Path) -> None:
    cli = Cli(datafile)
    cli("note", "sec-targ", "x")
    (step,) = _steps(datafile)
    j = Journal(datafile)
    s = j.latest("done")
    assert s is not None
    import dataclasses

    # A well-formed step (digests and all) whose "before" bytes are not a valid data file.
    bad_before = b"schema = 1\n[commitments.x]\ntitle = 1\n"
    forged = dataclasses.replace(
        s,
        prefix=0,
        suffix=0,
        old=bad_before,
        new=cli.bytes(),
        before=fileread.digest(bad_before),
    )
    step.unlink()
    j._write(forged)
    before = cli.bytes()
    r = cli("undo")
    assert r.exit_code == 2 and "error: " in r.stderr
    assert cli.bytes() == before


def test_a_pending_step_left_by_a_killed_writer_counts_when_the_replace_happened(
    datafile: Path,
) -> None:
    """The step is written before the data file is replaced, and marked done after; a writer
    killed in between leaves a pending step, which the file's digest settles."""
    cli = Cli(datafile)
    original = cli.bytes()
    cli("note", "sec-targ", "x")
    (step,) = _steps(datafile)
    step.rename(step.with_suffix(".pending"))
    r = cli("undo")
    assert r.exit_code == 0 and cli.bytes() == original


def test_the_journal_is_private_and_refuses_a_planted_folder(
    datafile: Path, tmp_path: Path
) -> None:
    datafile.chmod(0o600)
    cli = Cli(datafile)
    cli("note", "sec-targ", "x")
    (step,) = _steps(datafile)
    assert stat.S_IMODE(step.stat().st_mode) == 0o600
    assert stat.S_IMODE(step.parent.stat().st_mode) == 0o700
    # Another user's (here: anyone's) writable folder is not used: a step planted there would
    # be written into the data file by the next undo.
    step.parent.chmod(0o777)
    r = cli("undo")
    assert r.exit_code == 2 and "can be written by other users" in r.stderr


def test_the_journal_is_bounded(datafile: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(journal, "UNDO_DEPTH", 3)
    cli = Cli(datafile)
    for i in range(5):
        cli("note", "dip-un", f"n{i}")
    assert len(_steps(datafile)) == 3
    monkeypatch.setattr(journal, "UNDO_BYTES", 1)  # smaller than any step: the newest is kept
    cli("note", "dip-un", "last")
    assert len(_steps(datafile)) == 1
    cli("undo")
    assert "n4" in datafile.read_text() and "last" not in datafile.read_text()


@pytest.mark.parametrize(
    "argv",
    [
        ["init", "--force"],
        ["fmt"],
        ["import", "IMPORT"],
        ["source", "add", "s-new", "--title", "T", "--date", "2026-01-01"],
        ["rm", "sec-targ", "--force"],
        ["review", "dev-inf"],
    ],
)
def test_every_write_can_be_undone(datafile: Path, tmp_path: Path, argv: list[str]) -> None:
    cli = Cli(datafile)
    cli("note", "dip-un", "an earlier change")
    if argv == ["fmt"]:
        # A file laid out another way by hand (a key out of order), which fmt rewrites.
        text = (
            datafile.read_text()
            .replace("schema = 1\n", "")
            .replace("parties = [", "schema = 1\nparties = [", 1)
        )
        datafile.write_text(text.replace("parties = [\n", "parties = [  \n", 1))
    if argv[0] == "import":
        exported = tmp_path / "e.json"
        other = Cli(tmp_path / "other.toml")
        shutil.copyfile(datafile, other.path)
        other(
            "add",
            "New thing",
            "--category",
            "security",
            "--party",
            "Russia",
            "--due",
            "2027-01-01",
            "--quote",
            "q",
        )
        other("export", "-o", str(exported))
        argv = ["import", str(exported)]
    before = cli.bytes()
    r = cli(*argv)
    assert r.exit_code == 0, r.output
    if argv[0] == "init":
        assert cli.bytes() == DATA.read_bytes()
    r = cli("undo")
    assert r.exit_code == 0, r.output
    assert cli.bytes() == before
    if argv != ["fmt"]:  # (fmt's "before" is a hand edit, which sits on the earlier change)
        assert cli("undo").exit_code == 0, "the earlier change is still there to undo"


def test_a_no_op_records_nothing(datafile: Path) -> None:
    cli = Cli(datafile)
    r = cli("fmt")
    assert r.stdout.endswith("already canonical\n")
    assert _steps(datafile) == []
    assert "nothing to undo" in cli("undo").stderr


IDS = ["sec-targeted-training", "dev-infrastructure", "inst-annual-consultations", "dip-un"]
text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=30
).filter(lambda s: s.strip())
change = st.one_of(
    st.tuples(st.just("done"), st.sampled_from(IDS)),
    st.tuples(
        st.just("status"),
        st.sampled_from(IDS),
        st.sampled_from(["pending", "in_progress", "stalled", "partial", "broken", "dropped"]),
    ),
    st.tuples(st.just("note"), st.sampled_from(IDS), text),
    st.tuples(st.just("edit"), st.sampled_from(IDS), st.just("--notes"), text),
    st.tuples(
        st.just("edit"),
        st.sampled_from(IDS),
        st.just("--due"),
        st.dates().map(lambda d: d.isoformat()),
    ),
    st.tuples(st.just("review"), st.sampled_from(IDS)),
    st.tuples(st.just("rm"), st.sampled_from(IDS), st.just("--force")),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(change, min_size=1, max_size=6))
def test_changes_then_as_many_undos_and_redos_are_byte_exact(
    changes: list[tuple[str, ...]],
) -> None:
    runner = CliRunner()
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "c.toml"
        shutil.copyfile(DATA, path)
        env = {"XDG_STATE_HOME": str(Path(d) / "state")}
        base = ["--file", str(path), "--as-of", "2026-11-28", "--by", "prop"]
        original = path.read_bytes()
        made = 0
        for ch in changes:
            with fixed_now("2026-11-28T12:00:00+00:00"):
                r = runner.invoke(app, [*base, *ch], env=env)
            # A change may be refused (e.g. an edit to the current value): then nothing changed.
            if r.exit_code == 0:
                made += 1
            else:
                assert r.exit_code == 2 and r.stderr.startswith("error: "), r.output
        final = path.read_bytes()
        for _ in range(made):
            r = runner.invoke(app, [*base, "undo"], env=env)
            assert r.exit_code == 0, r.output
        assert path.read_bytes() == original
        r = runner.invoke(app, [*base, "undo"], env=env)
        assert r.exit_code == 2 and "nothing to undo" in r.stderr
        for _ in range(made):
            r = runner.invoke(app, [*base, "redo"], env=env)
            assert r.exit_code == 0, r.output
        assert path.read_bytes() == final
