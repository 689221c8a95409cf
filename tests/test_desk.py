"""A desk of analysts on one data file, with real git: the merge driver, `resolve`, `sync`,
`git init-merge` and the commits of each change. A bare repository stands for the desk's shared
remote; each clone is one analyst's laptop. git runs with a fixed configuration of its own
(GIT_CONFIG_GLOBAL, GIT_CONFIG_NOSYSTEM), never the machine's."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from aes_tracker.desk.merge import freeze
from aes_tracker.domain.recurrence import schedule
from aes_tracker.domain.validate import check_document
from aes_tracker.store import markers

from .conftest import AS_OF, DATA, Cli, bare_env, installed_cmd

REL = "data/commitments.toml"


@pytest.fixture(autouse=True)
def _git_of_its_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "gitconfig"
    cfg.write_text(
        "[user]\n\tname = Desk Machine\n\temail = machine@example.org\n"
        "[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(cfg))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for var in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(var, raising=False)
    for var in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(var, raising=False)


def git(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    p = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, timeout=60, check=False
    )
    if check and p.returncode != 0:
        raise AssertionError(f"git {' '.join(args)}: {p.stderr}")
    return p


class Clone:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.data = path / REL
        self.cli = Cli(self.data)

    def text(self) -> str:
        return self.data.read_text(encoding="utf-8")

    def doc(self) -> dict[str, Any]:
        return tomllib.loads(self.text())


def make_desk(root: Path, n: int) -> list[Clone]:
    """A bare remote holding the bundled data with the driver set up, and `n` clones of it,
    each with `git init-merge` run."""
    remote = root / "remote.git"
    git(root, "init", "-q", "--bare", str(remote))
    seed = Clone(root / "seed")
    git(root, "clone", "-q", str(remote), str(seed.path))
    seed.data.parent.mkdir()
    shutil.copyfile(DATA, seed.data)
    r = seed.cli("git", "init-merge")
    assert r.exit_code == 0, r.output
    git(seed.path, "add", "-A")
    git(seed.path, "commit", "-q", "-m", "The desk's data")
    git(seed.path, "push", "-q", "origin", "main")
    clones = []
    for i in range(n):
        c = Clone(root / f"analyst-{i}")
        git(root, "clone", "-q", str(remote), str(c.path))
        r = c.cli("git", "init-merge")
        assert r.exit_code == 0, r.output
        clones.append(c)
    return clones


def subject(c: Clone, rev: str = "HEAD") -> str:
    return git(c.path, "log", "-1", "--format=%s", rev).stdout.strip()


# ---- setting up ----------------------------------------------------------------------------------


def test_init_merge_writes_the_attributes_and_config_once_and_says_so(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    git(tmp_path, "init", "-q", str(repo))
    c = Clone(repo)
    c.data.parent.mkdir()
    shutil.copyfile(DATA, c.data)
    first = c.cli("git", "init-merge")
    assert first.exit_code == 0, first.output
    assert first.stdout.splitlines()[0] == (
        ".gitattributes: added `/data/commitments.toml merge=aes-tracker` "
        "(commit it: the whole desk then merges the same way)"
    )
    assert "git config merge.aes-tracker.driver: set to " in first.stdout
    attr = git(repo, "check-attr", "merge", "--", REL).stdout
    assert attr.strip() == f"{REL}: merge: aes-tracker"
    driver = git(repo, "config", "merge.aes-tracker.driver").stdout.strip()
    assert driver.endswith(" merge-file -- %O %A %B %P")
    again = c.cli("git", "init-merge")
    assert again.exit_code == 0
    assert again.stdout.splitlines() == [
        ".gitattributes: already there: data/commitments.toml merges with aes-tracker",
        "git config merge.aes-tracker.name: already set",
        "git config merge.aes-tracker.driver: already set",
        ".git/info/exclude: already ignoring the lock file",
    ]
    assert (repo / ".gitattributes").read_text() == "/data/commitments.toml merge=aes-tracker\n"
    # The lock file beside the data file is not something to commit.
    c.cli("note", "sec-targ", "n")
    assert "commitments.toml.lock" not in git(repo, "status", "--porcelain").stdout


def test_init_merge_outside_a_git_work_tree_is_one_line(cli: Cli) -> None:
    r = cli("git", "init-merge")
    assert r.exit_code == 2
    assert r.stderr.splitlines()[0] == f"error: {cli.path}: is not in a git work tree"


# ---- committing each change ----------------------------------------------------------------------


def test_a_change_is_committed_alone_with_a_message_and_author_from_it(tmp_path: Path) -> None:
    (c,) = make_desk(tmp_path, 1)
    (c.path / "draft.txt").write_text("other work\n")
    git(c.path, "add", "draft.txt")
    r = c.cli("--git", "done", "sec-targ", "--note", "First course held in Bamako", by="Awa Traoré")
    assert r.exit_code == 0, r.output
    assert subject(c) == "done sec-targeted-training: First course held in Bamako"
    # git's own e-mail wins when it is set (issue 26); the analyst is the author's name.
    who = git(c.path, "log", "-1", "--format=%an <%ae>|%cn <%ce>").stdout.strip()
    assert who == "Awa Traoré <machine@example.org>|Desk Machine <machine@example.org>"
    body = git(c.path, "log", "-1", "--format=%b").stdout
    assert body.startswith("status sec-targeted-training pending → done (2026-11-28, by Awa")
    assert git(c.path, "show", "--name-only", "--format=", "HEAD").stdout.split() == [REL]
    # The other staged work stays staged, and uncommitted.
    assert git(c.path, "diff", "--cached", "--name-only").stdout.split() == ["draft.txt"]
    assert git(c.path, "status", "--porcelain", "--", REL).stdout == ""


def test_commits_are_opt_in_by_flag_environment_or_the_data_file(tmp_path: Path) -> None:
    (c,) = make_desk(tmp_path, 1)
    start = subject(c)
    assert c.cli("note", "sec-targ", "not committed").exit_code == 0
    assert subject(c) == start
    assert c.cli("note", "sec-targ", "by env", env={"AES_TRACKER_GIT": "1"}).exit_code == 0
    assert subject(c) == "note sec-targeted-training: by env"
    r = c.cli("note", "sec-targ", "x", env={"AES_TRACKER_GIT": "perhaps"})
    assert r.exit_code == 2
    assert r.stderr == "error: $AES_TRACKER_GIT: 'perhaps' is neither 1 nor 0\n"
    c.data.write_text(c.text().replace("\n[sources.", "\n[settings]\ngit = true\n\n[sources.", 1))
    assert c.cli("check").exit_code == 0
    assert c.cli("note", "sec-targ", "by the file").exit_code == 0
    assert subject(c) == "note sec-targeted-training: by the file"
    assert git(c.path, "status", "--porcelain", "--", REL).stdout == ""  # the hand edit too
    assert c.cli("--no-git", "note", "sec-targ", "not this one").exit_code == 0
    assert subject(c) == "note sec-targeted-training: by the file"
    # undo is a change like the others: this one gives back the committed file (nothing to
    # commit), the next one takes back a committed change.
    assert c.cli("undo").exit_code == 0
    assert subject(c) == "note sec-targeted-training: by the file"
    assert c.cli("undo").exit_code == 0
    assert subject(c).startswith("undid: note sec-targeted-training: by the file")


def test_a_commit_that_fails_is_a_warning_and_the_change_stays(tmp_path: Path, cli: Cli) -> None:
    before = cli.bytes()
    r = cli("--git", "note", "sec-targ", "kept")
    assert r.exit_code == 0
    assert r.stderr.startswith(f"warning: not committed in git: {cli.path}: is not in a git")
    assert cli.bytes() != before
    (c,) = make_desk(tmp_path, 1)
    hook = c.path / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'desk rule: no commits today' >&2\nexit 1\n")
    hook.chmod(0o755)
    r = c.cli("--git", "note", "sec-targ", "kept too")
    assert r.exit_code == 0 and "kept too" in c.text()
    assert r.stderr.splitlines()[0] == (
        "warning: not committed in git: git commit failed: desk rule: no commits today"
    )


def test_in_crons_bare_environment_the_analyst_is_also_the_committer(tmp_path: Path) -> None:
    (c,) = make_desk(tmp_path, 1)
    git(c.path, "config", "user.useConfigOnly", "true")  # git may not guess an identity
    empty = tmp_path / "empty-gitconfig"
    empty.write_text("")
    home = tmp_path / "cron-home"
    home.mkdir()
    env = bare_env(home, GIT_CONFIG_GLOBAL=str(empty), GIT_CONFIG_NOSYSTEM="1")
    p = subprocess.run(
        [*installed_cmd(), "--file", str(c.data), "--git", "--by", "cron-job", "--as-of", AS_OF,
         "note", "sec-targ", "Weekly check"],
        env=env, cwd=home, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert p.returncode == 0 and p.stderr == "", p.stderr
    who = git(c.path, "log", "-1", "--format=%an <%ae>|%cn <%ce>").stdout.strip()
    assert who == "cron-job <cron-job@aes-tracker.invalid>|cron-job <cron-job@aes-tracker.invalid>"


# ---- the merge driver on its own -----------------------------------------------------------------


def test_merge_file_exit_codes_and_what_it_leaves_in_ours(tmp_path: Path, cli: Cli) -> None:
    base = tmp_path / "base.toml"
    ours = tmp_path / "ours.toml"
    theirs = tmp_path / "theirs.toml"
    shutil.copyfile(DATA, base)
    shutil.copyfile(DATA, ours)
    shutil.copyfile(DATA, theirs)
    Cli(ours)("note", "sec-targ", "ours")
    Cli(theirs)("note", "sec-targ", "theirs")
    r = cli("merge-file", str(base), str(ours), str(theirs), REL)
    assert (r.exit_code, r.stderr) == (0, "")
    notes = [h.get("note") for h in tomllib.loads(ours.read_text())["commitments"][
        "sec-targeted-training"]["history"]]  # fmt: skip
    assert "ours" in notes and "theirs" in notes
    Cli(ours)("edit", "sec-targ", "--title", "Ours")
    Cli(theirs)("edit", "sec-targ", "--title", "Theirs")
    shutil.copyfile(ours, base)  # any base where the titles differ from both
    Cli(base)("edit", "sec-targ", "--title", "Base")
    r = cli("merge-file", str(base), str(ours), str(theirs), REL)
    assert r.exit_code == 1
    assert r.stderr == f"conflict: {REL}: sec-targeted-training: title\n"
    check = Cli(ours)("check")
    assert check.exit_code == 1 and "unresolved merge conflict on sec-targeted-training" in (
        check.stderr
    )
    # An input that cannot be read: one line naming it, and both versions kept whole.
    theirs.write_text('schema = 1\ntitle = "unclosed\n')
    shutil.copyfile(base, ours)
    before = ours.read_bytes()
    r = cli("merge-file", str(base), str(ours), str(theirs), REL)
    assert r.exit_code == 2
    lines = r.stderr.splitlines()
    assert lines[0].startswith(f"error: {REL}:2:") and lines[0].endswith("(their version)")
    assert lines[1].startswith("hint: both versions are kept whole")
    assert "Traceback" not in r.output
    kept = ours.read_bytes()
    assert kept.startswith(b"<<<<<<< ours\n" + before) and theirs.read_bytes() in kept


def _conflicted(tmp_path: Path) -> Cli:
    """A data file holding what merge-file leaves: a conflict on sec-targeted-training's title
    and on dev-infrastructure's status."""
    paths = [tmp_path / f"{n}.toml" for n in ("base", "ours", "theirs")]
    for p in paths:
        shutil.copyfile(DATA, p)
    for p, title, status in ((paths[1], "Ours", "done"), (paths[2], "Theirs", "stalled")):
        assert Cli(p)("edit", "sec-targ", "--title", title).exit_code == 0
        assert Cli(p)("status", "dev-infra", status).exit_code == 0
    cli = Cli(paths[1])
    assert cli("merge-file", *map(str, paths), REL).exit_code == 1
    return cli


def test_resolve_is_undoable_and_says_what_is_left(tmp_path: Path) -> None:
    cli = _conflicted(tmp_path)
    marked = cli.bytes()
    r = cli("resolve", "sec-targ", "--ours", by="lead")
    assert r.stdout == (
        "sec-targeted-training: settled with our version; 1 conflict left: dev-infrastructure\n"
    )
    assert cli("check").exit_code == 1
    r = cli("resolve", "dev-infra", "--field", "status=partial", by="lead")
    assert r.exit_code == 0, r.output
    assert r.stdout.endswith("; no conflict left\n")
    assert cli("check").exit_code == 0 and cli("fmt", "--check").exit_code == 0
    assert cli("undo").exit_code == 0 and cli("undo").exit_code == 0
    assert cli.bytes() == marked
    assert cli("redo").exit_code == 0
    assert cli("check").exit_code == 1  # one conflict is back


def test_show_on_a_file_in_conflict_shows_both_versions_labelled(tmp_path: Path) -> None:
    """Issue 26: `show` refused the whole file while a merge left markers in it."""
    cli = _conflicted(tmp_path)
    marked = cli.bytes()
    r = cli("show", "sec-targ")
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert lines[0] == (
        "sec-targeted-training is in a merge conflict; both versions follow "
        "(`aes-tracker resolve sec-targeted-training`)"
    )
    ours_at = lines.index("ours: our version (the branch you were on)")
    theirs_at = lines.index("theirs: their version (the one merged in)")
    assert 0 < ours_at < theirs_at
    titles = [(i, line.split()[1]) for i, line in enumerate(lines) if line.startswith("Title  ")]
    assert titles == [(ours_at + 2, "Ours"), (theirs_at + 2, "Theirs")]  # each its own title
    # A commitment outside the conflicts is shown as usual: as on the file before the merge.
    plain = Cli(tmp_path / "base.toml")
    for cid in ("inst-annual", "dev-infra"):
        r = cli("show", cid)
        if cid == "dev-infra":  # in conflict too: both versions
            assert r.exit_code == 0 and "is in a merge conflict" in r.stdout
            continue
        assert (r.exit_code, r.stdout) == (0, plain("show", cid).stdout)
    # JSON of one commitment cannot hold two: one line, and the way out.
    r = cli("show", "sec-targ", "--format", "json")
    assert r.exit_code == 2 and r.stderr.startswith(
        "error: sec-targeted-training is in a merge conflict: it is shown as a table only"
    )
    assert cli.bytes() == marked


def test_show_in_conflict_refuses_excel_before_printing_anything(tmp_path: Path) -> None:
    """`--excel` goes with CSV only: `show` used to print the conflict's first lines, then
    refuse; both versions are now written in one go, after the check."""
    r = _conflicted(tmp_path)("show", "sec-targ", "--excel")
    assert (r.exit_code, r.stdout, r.stderr) == (2, "", "error: --excel goes with --format csv\n")


def test_one_meeting_recorded_on_two_days_merges_as_a_conflict_not_two_sessions(
    tmp_path: Path,
) -> None:
    """Issue 23: awa records the consultations on 2026-12-05, ivan the same meeting on
    2026-12-06; the driver merged two sessions and moved the schedule two years."""
    paths = [tmp_path / f"{n}.toml" for n in ("base", "ours", "theirs")]
    for p in paths:
        shutil.copyfile(DATA, p)
    for p, day, by in ((paths[1], "2026-12-05", "awa"), (paths[2], "2026-12-06", "ivan")):
        r = Cli(p)("done", "inst-annual", "--on", day, as_of="2026-12-07", by=by)
        assert r.exit_code == 0, r.output
    cli = Cli(paths[1])
    r = cli("merge-file", *map(str, paths), REL)
    assert r.exit_code == 1, r.output
    assert r.stderr.startswith(f"conflict: {REL}: inst-annual-consultations: history")
    for side, day in (("ours", "2026-12-05"), ("theirs", "2026-12-06")):
        doc = tomllib.loads(markers.side(markers.split(cli.path.read_text("utf-8")), side))
        c = doc["commitments"]["inst-annual-consultations"]
        held = [str(h["on"]) for h in c["history"] if h["event"] == "occurrence"]
        assert held == ["2025-04-03", day] and str(c["due"]) == "2027-04-03"
    r = cli("resolve", "inst-annual", "--theirs", as_of="2026-12-07")
    assert r.exit_code == 0, r.output
    assert cli("check").exit_code == 0


def test_one_meeting_recorded_on_two_days_by_two_clones_is_one_conflict(tmp_path: Path) -> None:
    """The same, with real git and sync: the conflict is named, `show` shows both sessions'
    versions, and once resolved both clones hold one session for the 2026 slot."""
    a, b = make_desk(tmp_path, 2)
    when = "2026-12-07"
    r = a.cli("--git", "done", "inst-annual", "--on", "2026-12-05", by="awa", as_of=when)
    assert r.exit_code == 0, r.output
    r = b.cli("--git", "done", "inst-annual", "--on", "2026-12-06", by="ivan", as_of=when)
    assert r.exit_code == 0, r.output
    assert a.cli("sync", as_of=when).exit_code == 0
    r = b.cli("sync", by="ivan", as_of=when)
    assert r.exit_code == 1, r.output
    assert "merge conflict on inst-annual-consultations" in r.stderr.splitlines()[0]
    shown = b.cli("show", "inst-annual", as_of=when)
    assert shown.exit_code == 0 and "is in a merge conflict" in shown.stdout
    assert b.cli("resolve", "inst-annual", "--ours", by="lead", as_of=when).exit_code == 0
    assert b.cli("sync", by="ivan", as_of=when).exit_code == 0
    assert a.cli("sync", as_of=when).exit_code == 0
    for c in (a, b):
        rec = c.doc()["commitments"]["inst-annual-consultations"]
        held = [str(h["on"]) for h in rec["history"] if h["event"] == "occurrence"]
        assert held == ["2025-04-03", "2026-12-06"] and str(rec["due"]) == "2027-04-03"


def test_resolve_mistakes_are_one_line(tmp_path: Path, cli: Cli) -> None:
    r = cli("resolve", "sec-targ", "--ours")
    assert (r.exit_code, r.stderr) == (
        2,
        f"error: {cli.path}: has no unresolved merge conflict; nothing was changed\n",
    )
    marked = _conflicted(tmp_path)
    before = marked.bytes()
    for args, message in (
        (["--ours", "--theirs"], "error: --ours and --theirs exclude each other: give one"),
        (["--field", "status"], "error: --field: 'status' is not KEY=VALUE (a field of the "
         "commitment)"),
        (["--ours", "--field", "status=finished"], "error: --field: 'finished' is not a "
         "status; use one of pending, in_progress, stalled, done, partial, broken, dropped"),
        (["--field", "notes=x"], "error: --field: the versions of sec-targeted-training "
         "also differ on title"),
    ):  # fmt: skip
        r = marked("resolve", "sec-targ", *args)
        assert r.exit_code == 2 and r.stderr.splitlines()[0] == message, r.stderr
    r = marked("resolve", "sec-nothing", "--ours")
    assert r.stderr.splitlines()[0] == (
        f"error: {marked.path}: no conflict on 'sec-nothing': the conflicts are on "
        "dev-infrastructure, sec-targeted-training"
    )
    assert marked.bytes() == before


def test_a_change_settled_by_resolve_reads_as_the_same_change_made_by_edit(
    tmp_path: Path,
) -> None:
    """A value is written into a history entry's `changes` one way, whoever records it: a
    `false` that a person typed reads as "not set" (∅), as `edit` writes it."""
    dated = tmp_path / "edited.toml"
    shutil.copyfile(DATA, dated)
    assert Cli(dated)("edit", "sec-targ", "--due", "2026-06-30").exit_code == 0
    by_edit = tomllib.loads(dated.read_text())["commitments"]["sec-targeted-training"]
    edit_changes = by_edit["history"][-1]["changes"]
    assert "no_deadline: true → ∅" in edit_changes
    # The same change typed by hand on one side of a merge (`no_deadline = false`), settled
    # with that side against the other side, where the commitment is still undated.
    paths = [tmp_path / f"{n}.toml" for n in ("base", "ours", "theirs")]
    for p in paths:
        shutil.copyfile(DATA, p)
    text = paths[1].read_text(encoding="utf-8")
    start = text.index("[commitments.sec-targeted-training]")
    head, tail = text[:start], text[start:]
    undated = tail[tail.index("no_deadline = true") : tail.index("notes = ")]
    paths[1].write_text(head + tail.replace(undated, "no_deadline = false\ndue = 2026-06-30\n", 1))
    assert Cli(paths[1])("check").exit_code == 0
    # A base where the commitment had another due date, so that both sides changed it.
    assert Cli(paths[0])("edit", "sec-targ", "--due", "2026-05-01").exit_code == 0
    cli = Cli(paths[1])
    assert cli("merge-file", *map(str, paths), REL).exit_code == 1
    r = cli("resolve", "sec-targ", "--ours", by="lead")
    assert r.exit_code == 0, r.output
    by_merge = tomllib.loads(cli.path.read_text())["commitments"]["sec-targeted-training"]
    merge_changes = by_merge["history"][-1]["changes"]
    assert "due: ∅ → 2026-06-30" in merge_changes
    assert [c for c in merge_changes if c.startswith("no_deadline: ")] == ["no_deadline: true → ∅"]


# ---- two analysts --------------------------------------------------------------------------------


def test_changes_to_different_fields_merge_without_conflict(tmp_path: Path) -> None:
    a, b = make_desk(tmp_path, 2)
    assert a.cli("--git", "edit", "sec-targ", "--title", "Train the Unified Force").exit_code == 0
    assert a.cli("--git", "note", "inst-annual", "Venue discussed", by="awa").exit_code == 0
    assert b.cli("--git", "status", "sec-targ", "in_progress", by="ivan").exit_code == 0
    assert b.cli("--git", "note", "inst-annual", "Date discussed", by="ivan").exit_code == 0
    for c in (a, b, a):
        r = c.cli("sync")
        assert r.exit_code == 0, r.output
    assert a.text() == b.text()
    doc = a.doc()["commitments"]
    assert doc["sec-targeted-training"]["title"] == "Train the Unified Force"
    assert doc["sec-targeted-training"]["status"] == "in_progress"
    notes = [h.get("note") for h in doc["inst-annual-consultations"]["history"]]
    assert "Venue discussed" in notes and "Date discussed" in notes
    assert a.cli("check").exit_code == 0 and a.cli("fmt", "--check").exit_code == 0
    # The parse cache, filled by a's own changes, is keyed by content: it shows the merge.
    shown = json.loads(a.cli("show", "sec-targ", "--format", "json").stdout)
    assert (shown["title"], shown["status"]) == ("Train the Unified Force", "in_progress")


def test_a_planted_conflict_is_reported_named_and_resolved(tmp_path: Path) -> None:
    a, b = make_desk(tmp_path, 2)
    assert a.cli("--git", "edit", "sec-targ", "--title", "Ours", by="awa").exit_code == 0
    assert b.cli("--git", "edit", "sec-targ", "--title", "Theirs", by="ivan").exit_code == 0
    assert b.cli("--git", "note", "dev-infra", "unrelated", by="ivan").exit_code == 0
    assert a.cli("sync").exit_code == 0
    r = b.cli("sync", by="ivan")
    assert r.exit_code == 1
    assert r.stderr.splitlines() == [
        f"error: {REL}: merge conflict on sec-targeted-training: nothing was lost, both "
        "versions are in the file",
        "hint: settle each with `aes-tracker resolve ID --ours` (or --theirs, --field), then "
        "run `aes-tracker sync` again",
    ]
    # git reports it...
    assert git(b.path, "status", "--porcelain", "--", REL).stdout.startswith("UU ")
    # ... check names it, with its line ...
    check = b.cli("check")
    assert check.exit_code == 1
    line = next(n for n, s in enumerate(b.text().split("\n"), 1) if s.startswith("<<<<<<<"))
    assert check.stderr.splitlines()[0] == (
        f"error: {b.data}:{line}: unresolved merge conflict on sec-targeted-training"
    )
    # ... nothing reads it as data, and only that commitment's table is in the block.
    assert b.cli("list").exit_code == 2
    (block,) = markers.blocks(markers.split(b.text()))
    headers = [s for s in block.ours.splitlines() if s.startswith("[")]
    assert headers == ["[commitments.sec-targeted-training]"] + 3 * [
        "[[commitments.sec-targeted-training.history]]"
    ]
    # resolve settles it; the history says who chose what; sync finishes and shares it.
    r = b.cli("resolve", "sec-targ", "--theirs", by="lead")
    assert r.exit_code == 0, r.output
    assert r.stdout == "sec-targeted-training: settled with their version; no conflict left\n"
    assert b.cli("check").exit_code == 0
    assert b.cli("sync", by="ivan").exit_code == 0
    # Once the merge is committed, undo may not bring the conflict back into the file (and,
    # with commits on, into the desk's history): the file is unchanged, no commit is made.
    settled, head = b.text(), git(b.path, "rev-parse", "HEAD").stdout
    r = b.cli("--git", "undo")
    assert r.exit_code == 2 and r.stderr.startswith(f"error: {b.data}: cannot undo: "), r.stderr
    assert "resolve" in r.stderr.splitlines()[0] and len(r.stderr.splitlines()) == 2
    assert b.text() == settled and git(b.path, "rev-parse", "HEAD").stdout == head
    assert a.cli("sync").exit_code == 0
    assert a.text() == b.text()
    c = a.doc()["commitments"]["sec-targeted-training"]
    assert c["title"] == "Ours"  # their version, from b's side: a's title
    assert c["history"][-1]["by"] == "lead"
    assert git(a.path, "status", "--porcelain").stdout == ""


def test_undo_after_a_sync_refuses_rather_than_undo_anothers_change(tmp_path: Path) -> None:
    a, b = make_desk(tmp_path, 2)
    assert a.cli("--git", "note", "sec-targ", "a's note", by="awa").exit_code == 0
    assert a.cli("sync").exit_code == 0
    assert b.cli("--git", "note", "dev-infra", "b's note", by="ivan").exit_code == 0
    assert b.cli("sync").exit_code == 0  # merges a's note into b's file
    before = b.text()
    r = b.cli("undo")
    assert r.exit_code == 2
    assert r.stderr.startswith(f"error: {b.data}: cannot undo: the file was changed outside")
    assert r.stderr.splitlines()[1].startswith("hint: a hand edit or a git pull (sync) changed")
    assert b.text() == before and "a's note" in before and "b's note" in before


def test_sync_says_in_one_line_what_is_missing_and_loses_nothing(tmp_path: Path) -> None:
    (c,) = make_desk(tmp_path, 1)
    git(c.path, "remote", "remove", "origin")
    assert c.cli("--git", "note", "sec-targ", "kept", by="awa").exit_code == 0
    r = c.cli("sync")
    assert (r.exit_code, r.stderr.splitlines()[0]) == (2, "error: no remote to sync with")
    git(c.path, "remote", "add", "origin", "http://127.0.0.1:9/desk.git")  # nothing listens
    r = c.cli("sync")
    assert r.exit_code == 2
    first, hint = r.stderr.splitlines()
    assert first.startswith("error: cannot fetch from origin: ")
    assert hint == "hint: nothing was lost: your changes are committed here; sync again later"
    assert subject(c) == "note sec-targeted-training: kept"
    git(c.path, "config", "--unset", "merge.aes-tracker.driver")
    r = c.cli("sync")
    assert r.exit_code == 2
    assert r.stderr.splitlines()[0] == (
        f"error: the aes-tracker merge driver is not set up for {REL} in this clone"
    )
    outside = Cli(tmp_path / "elsewhere.toml")
    shutil.copyfile(DATA, outside.path)
    r = outside("sync")
    assert r.stderr == f"error: {outside.path}: is not in a git work tree\n" + (
        "hint: clone the desk's repository, or run `git init` in its folder\n"
    )


def test_sync_commits_what_was_not_committed_and_sets_the_upstream(tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    c = Clone(tmp_path / "first")
    git(tmp_path, "init", "-q", str(c.path))
    c.data.parent.mkdir()
    shutil.copyfile(DATA, c.data)
    assert c.cli("git", "init-merge").exit_code == 0
    git(c.path, "add", "-A")
    git(c.path, "commit", "-q", "-m", "start")
    git(c.path, "remote", "add", "origin", str(remote))
    assert c.cli("note", "sec-targ", "made without --git", by="awa").exit_code == 0
    r = c.cli("sync", by="awa")
    assert r.exit_code == 0, r.output
    first, second = r.stdout.splitlines()
    assert first.startswith("committed the changes not committed yet (")
    assert second == "synced with origin/main: 0 received, 2 sent"
    assert subject(c) == "sync: changes made before the sync"
    assert git(c.path, "rev-parse", "--abbrev-ref", "main@{u}").stdout.strip() == "origin/main"
    assert c.cli("sync").stdout == "synced with origin/main: 0 received, 0 sent\n"


def test_sync_merges_again_when_someone_pushed_meanwhile(tmp_path: Path) -> None:
    a, b = make_desk(tmp_path, 2)
    assert b.cli("--git", "note", "dev-infra", "b pushed first", by="ivan").exit_code == 0
    # Just before a's push, b pushes (once): a's push is refused, a fetches, merges, pushes.
    hook = a.path / ".git" / "hooks" / "pre-push"
    hook.write_text(
        f"#!/bin/sh\n[ -e {tmp_path}/raced ] && exit 0\ntouch {tmp_path}/raced\n"
        f"git -C {b.path} push -q origin main\n"
    )
    hook.chmod(0o755)
    assert a.cli("--git", "note", "sec-targ", "a pushes second", by="awa").exit_code == 0
    r = a.cli("sync")
    assert (r.exit_code, r.stdout) == (
        0,
        "received: 1 change by ivan (note dev-infrastructure)\n"
        "synced with origin/main: 1 received, 2 sent\n",
    ), r.stderr
    assert "b pushed first" in a.text() and "a pushes second" in a.text()
    # A refusal that is not a race is one line, and nothing is lost.
    hook.unlink()
    refuse = tmp_path / "remote.git" / "hooks" / "pre-receive"
    refuse.write_text("#!/bin/sh\nexit 1\n")
    refuse.chmod(0o755)
    assert a.cli("--git", "note", "sec-targ", "refused", by="awa").exit_code == 0
    r = a.cli("sync")
    assert r.exit_code == 2
    assert r.stderr.splitlines()[0] == (
        "error: cannot push to origin: [remote rejected] (pre-receive hook declined)"
    )
    assert subject(a) == "note sec-targeted-training: refused"


# ---- a desk at work ------------------------------------------------------------------------------


def _random_change(c: Clone, rng: random.Random, me: int, k: int, now: str) -> list[str]:
    """One random change through the CLI, committed: its arguments, or [] when the tool
    refused it (a review of a dated one, a session already recorded that day...)."""
    ids = sorted(c.doc()["commitments"])
    undated = [i for i in ids if c.doc()["commitments"][i].get("no_deadline")]
    cid = rng.choice(ids)
    by = f"analyst-{me}"
    kind = rng.choice(["add", "note", "note", "status", "done", "edit", "edit", "review", "rm"])
    if kind == "add":
        category = rng.choice(["security", "development"])
        args = ["add", f"Desk item {me} {k}", "--category", category, "--party", "Russia",
                "--no-deadline", "--review", "+6m", "--quote", "q"]  # fmt: skip
    elif kind == "note":
        args = ["note", cid, f"note {me}.{k}"]
    elif kind == "status":
        args = ["status", cid, rng.choice(["in_progress", "stalled", "done", "partial"])]
    elif kind == "done":
        day = rng.choice(["2025-10-01", "2026-04-03", "2026-05-12", "2026-06-20"])
        args = ["done", "inst-annual", "--on", day, "--force", "--note", f"session {me}.{k}"]
    elif kind == "edit":
        args = ["edit", cid, rng.choice(["--title", "--notes"]), f"text {me}.{k}"]
    elif kind == "review":
        args = ["review", rng.choice(undated), "--next", rng.choice(["+3m", "+6m", "+1y"])]
    else:  # any but the consultations, which the sessions need
        args = ["rm", rng.choice([i for i in ids if i != "inst-annual-consultations"]), "--force"]
    r = c.cli("--git", *args, by=by, now=now)
    assert r.exit_code in (0, 2), r.output
    assert "warning" not in r.stderr, r.stderr
    assert "Traceback" not in r.output
    return args if r.exit_code == 0 else []


def _entries(doc: dict[str, Any]) -> Counter[tuple[str, Any]]:
    return Counter(
        (cid, freeze(h)) for cid, c in doc.get("commitments", {}).items() for h in c["history"]
    )


def test_three_analysts_twenty_changes_each_lose_nothing(tmp_path: Path) -> None:
    clones = make_desk(tmp_path, 3)
    rng = random.Random(14)
    seed_entries = _entries(clones[0].doc())
    made: Counter[tuple[str, Any]] = Counter()
    removed: set[str] = set()
    for me, c in enumerate(clones):
        done = attempts = 0
        while done < 20:
            attempts += 1
            assert attempts < 200
            now = f"2026-11-28T{8 + me:02d}:{done // 60:02d}:{done % 60:02d}+00:00"
            args = _random_change(c, rng, me, done, now)
            if args:
                done += 1
                if args[0] == "rm":
                    removed.add(args[1])
        assert git(c.path, "status", "--porcelain", "--", REL).stdout == ""
        assert int(git(c.path, "rev-list", "--count", "HEAD").stdout) == 21
        # What this analyst made and did not remove again before sharing it.
        made += Counter({k: 1 for k in _entries(c.doc()) if k not in seed_entries})
    conflicts = 0
    for turn, c in enumerate([*clones, clones[0], clones[1]]):
        for _round in range(10):
            r = c.cli("sync", by=f"analyst-{turn % 3}")
            if r.exit_code == 0:
                break
            assert r.exit_code == 1, r.output
            conflicts += 1
            for label in markers.blocks(markers.split(c.text())):
                # Either version, at random; but of "removed here, changed there", the one that
                # keeps the commitment: a removal chosen in a resolve drops the other side's
                # entries by the analyst's decision (tests/test_merge.py shows it), and here
                # every entry must be found.
                side = rng.choice(["--ours", "--theirs"])
                if not label.ours.strip() or not label.theirs.strip():
                    side = "--ours" if label.ours.strip() else "--theirs"
                now = f"2026-11-28T20:{turn:02d}:{conflicts % 60:02d}+00:00"
                s = c.cli("resolve", label.unit, side, by="lead", now=now)
                assert s.exit_code == 0, s.output
        else:
            raise AssertionError("sync did not settle")
    assert conflicts, "the analysts' changes clashed somewhere: resolve was exercised"
    texts = {c.text() for c in clones}
    assert len(texts) == 1, "every clone has the same file"
    final = clones[0]
    assert final.cli("check").exit_code == 0
    assert final.cli("fmt", "--check").exit_code == 0
    have = _entries(final.doc())
    assert max(have.values()) == 1, "no history entry is there twice"
    for (cid, entry), _n in made.items():
        if cid in final.doc()["commitments"]:
            assert have[(cid, entry)] == 1, (cid, entry)
        else:
            assert cid in removed, f"{cid} is gone, but nobody removed it"
    # The consultations' schedule is that of the sessions recorded anywhere, each day once.
    full = check_document(final.doc())[0].commitments["inst-annual-consultations"]
    assert len(full.occurrences) > 2, "the sessions of several analysts were merged"
    assert full.recur_start is not None
    plan = schedule(full.recur, full.recur_start, [d for d, _h in full.occurrences], full.hosts)
    assert (full.due, full.next_host) == (plan.next_due, plan.next_host)
    for c in clones:
        assert git(c.path, "status", "--porcelain").stdout == ""
        assert (
            git(c.path, "rev-parse", "HEAD").stdout
            == git(c.path, "rev-parse", "origin/main").stdout
        )


# ---- the merge path: a merge the driver did not finish is never committed ------------------------


def _diverged(tmp_path: Path) -> tuple[Clone, Clone]:
    """Two clones whose changes merge cleanly; a's is on the remote, b's committed only in b."""
    a, b = make_desk(tmp_path, 2)
    assert a.cli("--git", "note", "sec-targ", "a's note", by="awa").exit_code == 0
    assert a.cli("sync").exit_code == 0
    assert b.cli("--git", "note", "dev-infra", "b's note", by="ivan").exit_code == 0
    return a, b


@pytest.mark.parametrize(
    "driver",
    [
        "/gone/after/a/reinstall/aes-tracker merge-file -- %O %A %B %P",  # a stale path
        "sh -c 'kill -KILL $$'",  # killed (kill -9, the OOM killer) before it wrote anything
    ],
)
def test_a_driver_that_did_not_finish_is_never_committed_as_ours(
    tmp_path: Path, driver: str
) -> None:
    a, b = _diverged(tmp_path)
    git(b.path, "config", "merge.aes-tracker.driver", driver)
    r = b.cli("sync", by="ivan")
    # sync merges the file itself from git's three versions, and says the driver failed.
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[-1] == "synced with origin/main: 1 received, 2 sent"
    assert r.stderr.splitlines() == [
        f"warning: the merge driver did not finish the merge of {REL}: aes-tracker merged it "
        "itself",
        "hint: set the driver up again: aes-tracker git init-merge",
    ]
    assert "a's note" in b.text() and "b's note" in b.text()
    assert b.cli("check").exit_code == 0
    assert a.cli("sync").exit_code == 0
    assert "b's note" in a.text() and "a's note" in a.text()


def test_a_merge_left_by_a_failed_driver_is_merged_again_not_committed(tmp_path: Path) -> None:
    # A plain `git pull` with a driver that fails: git leaves our version alone in the file,
    # marked unmerged. The next sync must not commit that (the colleague's note would be gone).
    _a, b = _diverged(tmp_path)
    git(b.path, "config", "merge.aes-tracker.driver", "false")
    assert git(b.path, "pull", "--no-rebase", "-q", check=False).returncode != 0
    assert "a's note" not in b.text()
    r = b.cli("sync", by="ivan")
    assert r.exit_code == 0, r.output
    assert "a's note" in b.text() and "b's note" in b.text()
    assert git(b.path, "status", "--porcelain", "--", REL).stdout == ""
    merged = git(b.path, "show", f"HEAD:{REL}").stdout
    assert "a's note" in merged and "b's note" in merged


def test_a_data_file_named_like_an_option_merges(tmp_path: Path) -> None:
    # git passes %P as it is: without `--` before it, `-x` would be read as an option.
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    clones = []
    for name in ("a", "b"):
        git(tmp_path, "clone", "-q", str(remote), name)
        clones.append(tmp_path / name)
    a, b = (Cli(p / "-x") for p in clones)
    shutil.copyfile(DATA, a.path)
    assert a("git", "init-merge").exit_code == 0
    driver = git(clones[0], "config", "merge.aes-tracker.driver").stdout.strip()
    assert driver.endswith(" merge-file -- %O %A %B %P")
    git(clones[0], "add", "-A")
    git(clones[0], "commit", "-q", "-m", "start")
    git(clones[0], "push", "-q", "origin", "main")
    git(clones[1], "pull", "-q")
    assert b("git", "init-merge").exit_code == 0
    assert a("--git", "note", "sec-targ", "a's note").exit_code == 0
    assert a("sync").exit_code == 0
    assert b("--git", "note", "dev-infra", "b's note").exit_code == 0
    r = b("sync")
    assert (r.exit_code, r.stderr) == (0, ""), r.output
    text = b.path.read_text(encoding="utf-8")
    assert "a's note" in text and "b's note" in text


def test_init_merge_updates_a_driver_line_without_the_separator(tmp_path: Path) -> None:
    (c,) = make_desk(tmp_path, 1)
    new = git(c.path, "config", "merge.aes-tracker.driver").stdout.strip()
    old = new.replace(" -- %O", " %O")
    git(c.path, "config", "merge.aes-tracker.driver", old)
    r = c.cli("git", "init-merge")
    assert r.exit_code == 0
    assert f"git config merge.aes-tracker.driver: set to {new} (was {old})" in r.stdout
    assert git(c.path, "config", "merge.aes-tracker.driver").stdout.strip() == new


def test_a_driver_that_cannot_read_an_input_stops_sync_with_exit_2_and_both_versions(
    tmp_path: Path,
) -> None:
    a, b = _diverged(tmp_path)
    # A colleague commits (by hand, past the tool) a file that does not read.
    a.data.write_text(a.text().replace('title = "', 'title = "unclosed\n', 1), encoding="utf-8")
    git(a.path, "commit", "-q", "-am", "broken by hand")
    git(a.path, "push", "-q", "origin", "main")
    ours = git(b.path, "show", f"HEAD:{REL}").stdout
    for _round in range(2):  # and again: it is never committed
        r = b.cli("sync", by="ivan")
        assert r.exit_code == 2, r.output
        first = r.stderr.splitlines()[0]
        assert first.startswith(f"error: {REL}:") and first.endswith("(their version)"), first
        assert "both versions" in r.stderr.splitlines()[1]
        assert "Traceback" not in r.output
        assert git(b.path, "status", "--porcelain", "--", REL).stdout.startswith("UU ")
        kept = b.text()
        assert kept.startswith("<<<<<<< ours\n" + ours) and "unclosed" in kept
    assert git(b.path, "show", f":2:{REL}").stdout == ours


def test_an_unreadable_common_ancestor_is_refused_not_taken_as_empty(tmp_path: Path) -> None:
    # Someone committed the file with conflict markers in it (past the tool). Both analysts
    # mend it; one also removes a commitment. Merged against an empty ancestor, the removed
    # commitment would come back (added on the other side), exit 0.
    a, b = make_desk(tmp_path, 2)
    text = a.text()
    start = text.index("[commitments.sec-targeted-training]")
    end = text.index("[commitments.sec-technical-assistance]")
    table = text[start:end]
    marked = (
        text[:start]
        + "<<<<<<< HEAD\n"
        + table
        + "=======\n"
        + table.replace('title = "', 'title = "Other ', 1)
        + ">>>>>>> other\n\n"
        + text[end:]
    )
    a.data.write_text(marked, encoding="utf-8")
    git(a.path, "commit", "-q", "-am", "committed in the middle of a text merge")
    git(a.path, "push", "-q", "origin", "main")
    git(b.path, "pull", "-q")
    for c, who in ((a, "awa"), (b, "ivan")):
        c.data.write_text(text, encoding="utf-8")  # mended by hand, the same way
        git(c.path, "commit", "-q", "-am", f"mended by {who}")
    assert a.cli("--git", "note", "sec-targ", "a's note", by="awa").exit_code == 0
    assert a.cli("sync").exit_code == 0
    assert b.cli("--git", "rm", "dev-econ", "--force", by="ivan").exit_code == 0
    assert "dev-economic-operators" not in b.text()
    r = b.cli("sync", by="ivan")
    assert r.exit_code == 2, r.output
    assert r.stderr.splitlines()[0].endswith(
        "has unresolved conflict markers (the common ancestor)"
    ), r.stderr
    assert git(b.path, "status", "--porcelain", "--", REL).stdout.startswith("UU ")
    assert git(b.path, "show", f":2:{REL}").stdout.count("dev-economic-operators") == 0
    assert "a's note" in git(b.path, "show", f":3:{REL}").stdout


def test_init_merge_refuses_a_linked_gitattributes(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    git(tmp_path, "init", "-q", str(repo))
    c = Clone(repo)
    c.data.parent.mkdir()
    shutil.copyfile(DATA, c.data)
    outside = tmp_path / "someone-elses-file"
    outside.write_text("precious\n")
    (repo / ".gitattributes").symlink_to(outside)
    r = c.cli("git", "init-merge")
    assert r.exit_code == 2
    assert r.stderr.splitlines()[0] == (
        f"error: {repo / '.gitattributes'}: is a symbolic link: aes-tracker does not write "
        "through it"
    )
    assert outside.read_text() == "precious\n"
    assert git(repo, "config", "--get", "merge.aes-tracker.driver", check=False).stdout == ""


def test_a_killed_git_merge_is_named_with_its_lock_and_its_temp_files_go(tmp_path: Path) -> None:
    import os
    import signal
    import time

    _a, b = _diverged(tmp_path)
    good = git(b.path, "config", "merge.aes-tracker.driver").stdout.strip()
    git(b.path, "config", "merge.aes-tracker.driver", "sleep 60")
    git(b.path, "fetch", "-q")
    merge = subprocess.Popen(
        ["git", "merge", "--no-edit", "origin/main"],
        cwd=b.path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while not list(b.path.glob(".merge_file_*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert list(b.path.glob(".merge_file_*")), "git never ran the driver"
    os.killpg(merge.pid, signal.SIGKILL)  # git and its driver, as kill -9 or the OOM killer
    merge.wait()
    lock = b.path / ".git" / "index.lock"
    assert lock.exists()
    git(b.path, "config", "merge.aes-tracker.driver", good)
    head = git(b.path, "rev-parse", "HEAD").stdout
    before = b.text()
    r = b.cli("sync", by="ivan")
    assert r.exit_code == 2
    assert r.stderr.splitlines() == [
        f"error: {lock}: git's index is locked: another git command is running, or one was killed",
        f"hint: if no git command is running, remove it (rm {lock}), then run `aes-tracker "
        "sync` again",
    ]
    assert b.text() == before and git(b.path, "rev-parse", "HEAD").stdout == head
    lock.unlink()  # as told
    r = b.cli("sync", by="ivan")
    assert r.exit_code == 0, r.output
    assert "a's note" in b.text() and "b's note" in b.text()
    assert list(b.path.glob("*merge_file_*")) == []
    assert git(b.path, "status", "--porcelain").stdout == ""


# ---- comments a colleague wrote by hand ----------------------------------------------------------


def _comment_after(c: Clone, anchor: str, comment: str) -> None:
    """Put a comment line after the first line starting with `anchor` (a hand edit)."""
    lines = c.text().split("\n")
    i = next(n for n, s in enumerate(lines) if s.startswith(anchor))
    lines.insert(i + 1, comment)
    c.data.write_text("\n".join(lines), encoding="utf-8")


def test_a_merge_keeps_the_comments_it_can_place(tmp_path: Path) -> None:
    a, b = make_desk(tmp_path, 2)
    a.data.write_text("# The desk's shared file: see the wiki\n" + a.text(), encoding="utf-8")
    _comment_after(a, "[commitments.sec-targeted-training]", "# Ask the ministry for the list")
    git(a.path, "commit", "-q", "-am", "comments, by hand")
    git(a.path, "push", "-q", "origin", "main")
    assert b.cli("--git", "note", "dev-infra", "b's note", by="ivan").exit_code == 0
    r = b.cli("sync", by="ivan")
    assert (r.exit_code, r.stderr) == (0, ""), r.output
    lines = b.text().split("\n")
    assert lines[0] == "# The desk's shared file: see the wiki"
    at = lines.index("[commitments.sec-targeted-training]")
    assert lines[at + 1] == "# Ask the ministry for the list"
    assert "b's note" in b.text()
    assert tomllib.loads(b.text()) == tomllib.loads(git(b.path, "show", f"HEAD:{REL}").stdout)


def test_a_comment_the_merge_cannot_place_is_a_conflict_a_person_confirms(
    tmp_path: Path,
) -> None:
    a, b = make_desk(tmp_path, 2)
    _comment_after(a, "[commitments.dev-infrastructure]", "# Check with the Niamey office")
    git(a.path, "commit", "-q", "-am", "a comment, by hand")
    git(a.path, "push", "-q", "origin", "main")
    # b changes the same commitment: the merged table is neither side's, the comment has no
    # place in it.
    assert b.cli("--git", "note", "dev-infra", "b's note", by="ivan").exit_code == 0
    r = b.cli("sync", by="ivan")
    assert r.exit_code == 1, r.output
    assert r.stderr.splitlines()[0] == (
        f"error: {REL}: merge conflict on comments: nothing was lost, both versions are in the file"
    )
    assert "# Check with the Niamey office" in b.text()
    r = b.cli("resolve", "comments", "--ours")
    assert r.exit_code == 2
    assert r.stderr.splitlines()[0] == (
        "error: the merge cannot keep these comments where they were: copy what matters into "
        "a note, then confirm their loss with `aes-tracker resolve comments --theirs`"
    )
    r = b.cli("resolve", "comments", "--theirs")
    assert r.exit_code == 0, r.output
    assert r.stdout == "comments: settled with their version; no conflict left\n"
    assert "Niamey office" not in b.text() and "b's note" in b.text()
    assert b.cli("sync", by="ivan").exit_code == 0


# ---- conflicts resolve must be able to settle ----------------------------------------------------


def test_a_party_removed_on_one_side_and_assessed_on_the_other_settles(tmp_path: Path) -> None:
    a, b = make_desk(tmp_path, 2)
    # a removes Niger from the desk's parties (by hand: the list and the group).
    a.data.write_text(a.text().replace('    "Niger",\n', ""), encoding="utf-8")
    assert a.cli("check").exit_code == 0
    git(a.path, "commit", "-q", "-am", "Niger leaves the list")
    git(a.path, "push", "-q", "origin", "main")
    assert b.cli("--git", "status", "dev-infra", "in_progress", "--party", "Niger").exit_code == 0
    r = b.cli("sync", by="ivan")
    assert r.exit_code == 1, r.output
    # The conflict is on what one side removed and the other uses, not on the commitment.
    labels = [x.unit for x in markers.blocks(markers.split(b.text()))]
    assert "dev-infrastructure" not in labels and "parties" in labels, labels
    marked = b.data.read_bytes()
    # Keeping the removal would leave Niger's assessment pointing nowhere: refused, saying so.
    for label in labels:
        r = b.cli("resolve", label, "--theirs")
    assert r.exit_code == 2 and "'Niger' is not a known party" in r.stderr, r.output
    b.data.write_bytes(marked)
    for label in labels:
        r = b.cli("resolve", label, "--ours")
        assert r.exit_code == 0, r.output
    assert r.stdout.endswith("; no conflict left\n")
    assert b.cli("check").exit_code == 0
    assert b.cli("sync", by="ivan").exit_code == 0
    doc = b.doc()
    assert "Niger" in doc["parties"]
    assert any(
        h.get("party") == "Niger" for h in doc["commitments"]["dev-infrastructure"]["history"]
    )


def test_a_source_dropped_on_one_side_and_used_on_the_other_settles(tmp_path: Path) -> None:
    a, b = make_desk(tmp_path, 2)
    r = a.cli("source", "add", "moscow-2025", "--title", "Moscow talks", "--date", "2025-04-03")
    assert r.exit_code == 0, r.output
    git(a.path, "commit", "-q", "-am", "a source")
    git(a.path, "push", "-q", "origin", "main")
    git(b.path, "pull", "-q")
    # a drops the source; b adds a commitment from it.
    text = a.text()
    start = text.index("[sources.moscow-2025]")
    end = text.index("\n[", start + 1) + 1
    a.data.write_text(text[:start] + text[end:], encoding="utf-8")
    assert a.cli("check").exit_code == 0
    git(a.path, "commit", "-q", "-am", "the source was a duplicate")
    git(a.path, "push", "-q", "origin", "main")
    r = b.cli("--git", "add", "Hold the next talks in Bamako", "--category", "institutional",
              "--party", "Mali", "--source", "moscow-2025", "--quote", "q", "--no-deadline",
              "--review", "2027-01-01", by="ivan")  # fmt: skip
    assert r.exit_code == 0, r.output
    new = r.stdout.strip().split()[-1]
    r = b.cli("sync", by="ivan")
    assert r.exit_code == 1, r.output
    labels = [x.unit for x in markers.blocks(markers.split(b.text()))]
    assert labels == ["sources.moscow-2025"]
    r = b.cli("resolve", "sources.moscow-2025", "--field", "title=x")
    assert r.exit_code == 2
    assert r.stderr.splitlines()[0] == (
        "error: --field: one side removed sources.moscow-2025: keep it with --ours or --theirs"
    )
    r = b.cli("resolve", "sources.moscow-2025", "--ours")  # ours: b kept it, and uses it
    assert r.exit_code == 0, r.output
    assert b.cli("sync", by="ivan").exit_code == 0
    doc = b.doc()
    assert "moscow-2025" in doc["sources"] and doc["commitments"][new]["source"] == "moscow-2025"


def test_resolve_without_an_option_lists_what_differs_and_who_changed_it(tmp_path: Path) -> None:
    a, b = make_desk(tmp_path, 2)
    assert a.cli("--git", "edit", "sec-targ", "--title", "Ours", by="awa").exit_code == 0
    assert b.cli("--git", "edit", "sec-targ", "--title", "Theirs", by="ivan").exit_code == 0
    assert a.cli("sync").exit_code == 0
    assert b.cli("sync", by="ivan").exit_code == 1
    before = b.data.read_bytes()
    line = next(n for n, s in enumerate(b.text().split("\n"), 1) if s.startswith("<<<<<<<"))
    for args in ([], ["sec-targ"]):
        r = b.cli("resolve", *args)
        assert (r.exit_code, r.stderr) == (0, ""), r.output
        assert r.stdout.splitlines() == [
            f"sec-targeted-training (line {line})",
            "  title",
            "    base    Provide targeted training to the AES Unified Force",
            f"    ours    Theirs  (ivan, {AS_OF})",
            f"    theirs  Ours  (awa, {AS_OF})",
            "settle with: aes-tracker resolve sec-targeted-training --ours (or --theirs, or "
            "--field KEY=VALUE)",
        ]
    assert b.data.read_bytes() == before
    r = b.cli("resolve", "dev-infra")
    assert r.stderr.splitlines()[0] == (
        f"error: {b.data}: no conflict on 'dev-infra': the conflicts are on sec-targeted-training"
    )


def test_taking_a_removal_over_new_history_needs_force_and_says_what_is_lost(
    tmp_path: Path,
) -> None:
    a, b = make_desk(tmp_path, 2)
    assert a.cli("--git", "rm", "dip-equitable", "--force", by="awa").exit_code == 0
    assert a.cli("sync").exit_code == 0
    assert b.cli("--git", "note", "dip-equitable", "Raised in Bamako", by="ivan").exit_code == 0
    assert b.cli("sync", by="ivan").exit_code == 1
    before = b.data.read_bytes()
    r = b.cli("resolve", "dip-equitable", "--theirs")
    assert r.exit_code == 2
    assert r.stderr.splitlines() == [
        "error: their version removed dip-equitable-treatment: keeping that would lose 2 "
        f"history entries, the latest: {AS_OF} note by ivan: Raised in Bamako",
        "hint: keep it with --ours, or take the removal anyway with --force",
    ]
    assert b.data.read_bytes() == before
    r = b.cli("resolve", "dip-equitable", "--theirs", "--force")
    assert r.exit_code == 0, r.output
    assert "dip-equitable-treatment" not in b.doc()["commitments"]
    assert b.cli("sync", by="ivan").exit_code == 0


def test_sync_counts_and_names_what_it_received_also_when_it_finishes_a_merge(
    tmp_path: Path,
) -> None:
    a, b = make_desk(tmp_path, 2)
    assert a.cli("--git", "note", "sec-targ", "first", by="oleg").exit_code == 0
    assert a.cli("--git", "status", "dev-infra", "stalled", by="oleg").exit_code == 0
    assert a.cli("--git", "edit", "dip-un", "--title", "Ours", by="oleg").exit_code == 0
    assert a.cli("sync").exit_code == 0
    assert b.cli("--git", "edit", "dip-un", "--title", "Theirs", by="ivan").exit_code == 0
    assert b.cli("sync", by="ivan").exit_code == 1  # a conflict on dip-un-charter
    assert b.cli("resolve", "dip-un", "--ours", by="ivan").exit_code == 0
    r = b.cli("sync", by="ivan")
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines() == [
        "received: 3 changes by oleg (note sec-targeted-training, status dev-infrastructure, "
        "edit dip-un-charter)",
        "synced with origin/main: 3 received, 2 sent",
    ]


def test_the_author_email_is_gits_own_when_set_else_the_analysts_invalid_one(
    tmp_path: Path,
) -> None:
    (c,) = make_desk(tmp_path, 1)
    git(c.path, "config", "user.email", "oleg@desk.example")
    assert c.cli("--git", "note", "sec-targ", "x", by="Oleg").exit_code == 0
    assert git(c.path, "log", "-1", "--format=%an <%ae>").stdout.strip() == (
        "Oleg <oleg@desk.example>"
    )
    r = c.cli("--git", "note", "sec-targ", "y", by="Oleg", env={"AES_TRACKER_EMAIL": "o@x.org"})
    assert r.exit_code == 0
    assert git(c.path, "log", "-1", "--format=%an <%ae>").stdout.strip() == "Oleg <o@x.org>"


def test_a_clone_without_the_driver_is_told_the_one_command_and_a_text_merge_is_named(
    tmp_path: Path,
) -> None:
    a, b = make_desk(tmp_path, 2)
    git(b.path, "config", "--unset", "merge.aes-tracker.driver")
    git(b.path, "config", "--unset", "merge.aes-tracker.name")
    # A change with --git commits, and says the driver is missing here.
    r = b.cli("--git", "edit", "sec-targ", "--title", "Theirs", by="ivan")
    assert r.exit_code == 0
    assert r.stderr.splitlines() == [
        f"warning: the aes-tracker merge driver is not set up for {REL} in this clone: a git "
        "merge would merge it as text",
        "hint: run `aes-tracker git init-merge` once",
    ]
    assert subject(b).startswith("edit sec-targeted-training: title")
    assert a.cli("--git", "edit", "sec-targ", "--title", "Ours", by="awa").exit_code == 0
    assert a.cli("sync").exit_code == 0
    # git pull merges the file as text; sync names that, with the way out.
    assert git(b.path, "pull", "--no-rebase", "-q", check=False).returncode != 0
    r = b.cli("sync", by="ivan")
    assert r.exit_code == 1
    assert r.stderr.splitlines() == [
        f"error: {REL}: git merged this file as text, without the aes-tracker merge driver: "
        "its conflict markers are git's",
        f"hint: merge it again with aes-tracker: git checkout --ours -- {REL}; aes-tracker git "
        "init-merge; aes-tracker sync",
    ]
    git(b.path, "checkout", "--ours", "--", REL)
    assert b.cli("git", "init-merge").exit_code == 0
    r = b.cli("sync", by="ivan")
    assert r.exit_code == 1  # now aes-tracker's own conflict, on the title only
    assert [x.unit for x in markers.blocks(markers.split(b.text()))] == ["sec-targeted-training"]


def test_sync_dry_run_says_what_would_be_received_and_sent_and_changes_nothing(
    tmp_path: Path,
) -> None:
    a, b = make_desk(tmp_path, 2)
    assert a.cli("--git", "note", "sec-targ", "a's note", by="oleg").exit_code == 0
    assert a.cli("sync").exit_code == 0
    assert b.cli("--git", "note", "dev-infra", "b's note", by="ivan").exit_code == 0
    assert b.cli("note", "dev-infra", "not committed yet", by="ivan").exit_code == 0
    head, text = git(b.path, "rev-parse", "HEAD").stdout, b.text()
    remote_head = git(a.path, "rev-parse", "HEAD").stdout
    r = b.cli("sync", "--dry-run", by="ivan")
    assert (r.exit_code, r.stderr) == (0, ""), r.output
    assert r.stdout.splitlines() == [
        "would receive: 1 change by oleg (note sec-targeted-training)",
        "would send: 1 commit, and the changes not committed yet",
        "dry run with origin/main: nothing was changed",
    ]
    assert git(b.path, "rev-parse", "HEAD").stdout == head and b.text() == text
    assert git(b.path, "status", "--porcelain", "--", REL).stdout.startswith(" M")
    assert git(a.path, "ls-remote", "origin", "main").stdout.split()[0] == remote_head.strip()


# ---- a desk of twenty, some of them offline for a while (issue 26) --------------------------


def _side_entries(text: str) -> set[tuple[str, Any]]:
    """The history entries one version in a conflict block holds."""
    return set(_entries(tomllib.loads(text))) if text.strip() else set()


def _sync_settling(
    c: Clone, rng: random.Random, who: str, stamp: str, dropped: set[tuple[str, Any]]
) -> int:
    """Sync, settling each conflict at random (but never by taking a removal over the other
    side's history): the number of conflicts met. Every conflict must be a real decision:
    the two versions of the unit differ. What the version not taken held and the one taken
    does not (one meeting recorded on two days: the person keeps one) goes into `dropped`."""
    met = 0
    for _round in range(10):
        r = c.cli("sync", by=who)
        if r.exit_code == 0:
            return met
        assert r.exit_code == 1, r.output
        for label in markers.blocks(markers.split(c.text())):
            met += 1
            assert label.ours != label.theirs, f"a conflict with nothing to decide: {label.unit}"
            listing = c.cli("resolve", label.unit, by="lead")
            assert listing.exit_code == 0, listing.output
            side = rng.choice(["--ours", "--theirs"])
            if not label.ours.strip() or not label.theirs.strip():
                side = "--ours" if label.ours.strip() else "--theirs"
            kept, left = (
                (label.ours, label.theirs) if side == "--ours" else (label.theirs, label.ours)
            )
            dropped |= _side_entries(left) - _side_entries(kept)
            s = c.cli("resolve", label.unit, side, by="lead", now=stamp)
            assert s.exit_code == 0, s.output
    raise AssertionError("sync did not settle")


def test_a_desk_of_twenty_some_offline_loses_nothing(tmp_path: Path) -> None:
    """Twenty clones of one remote make random changes through the CLI (add, note, status,
    sessions of the consultations, edit, review, rm), sync in random order, some staying
    offline for rounds at a time. After the last sync every entry made anywhere is present
    exactly once everywhere, and every clone holds the same file, which checks clean."""
    n, rounds = 20, 3
    clones = make_desk(tmp_path, n)
    rng = random.Random(26)
    seed_entries = _entries(clones[0].doc())
    removed: set[str] = set()
    made: Counter[tuple[str, Any]] = Counter()
    dropped: set[tuple[str, Any]] = set()  # left out by a person's choice in a conflict
    conflicts = 0
    for rnd in range(rounds):
        online = [c for c in clones if rng.random() < 0.6]
        for me in rng.sample(range(n), n):
            c = clones[me]
            for k in range(rng.choice([0, 1, 1, 2])):
                now = f"2026-11-28T{8 + rnd:02d}:{me:02d}:{k:02d}+00:00"
                args = _random_change(c, rng, me, rnd * 10 + k, now)
                if args and args[0] == "rm":
                    removed.add(args[1])
            made += Counter({e: 1 for e in _entries(c.doc()) if e not in seed_entries})
            if c in online:
                stamp = f"2026-11-28T19:{me:02d}:00+00:00"
                conflicts += _sync_settling(c, rng, f"analyst-{me}", stamp, dropped)
    # Everyone comes back online: two passes, so the first ones also get the last ones' work.
    for turn in range(2):
        for me in range(n):
            stamp = f"2026-11-28T21:{me:02d}:{turn:02d}+00:00"
            conflicts += _sync_settling(clones[me], rng, f"analyst-{me}", stamp, dropped)
    texts = {c.text() for c in clones}
    assert len(texts) == 1, "every clone has the same file"
    final = clones[0]
    assert final.cli("check").exit_code == 0
    have = _entries(final.doc())
    assert max(have.values()) == 1, "no history entry is there twice"
    for cid, entry in made:
        if cid not in final.doc()["commitments"]:
            assert cid in removed, f"{cid} is gone, but nobody removed it"
        elif (cid, entry) not in dropped:
            assert have[(cid, entry)] == 1, (cid, entry)
    # A conflict leaves out only what the version a person did not take held on its own: a
    # session recorded for the same meeting on another day, never anything else.
    assert all(dict(e[1][1]).get("event") == ("str", "'occurrence'") for e in dropped), dropped
    for c in clones:
        assert git(c.path, "status", "--porcelain").stdout == ""
