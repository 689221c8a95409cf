"""Generate docs/cli.md, the command reference, from the commands' own --help texts.

python scripts/cli_docs.py          # rewrite docs/cli.md
python scripts/cli_docs.py --check  # exit 1 if docs/cli.md is out of date (the tests do this)
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# Typer reads these when it is imported: fix them first, so the text does not depend on the
# terminal or the CI service that runs this.
for _var in (
    "FORCE_COLOR",
    "PY_COLORS",
    "GITHUB_ACTIONS",
    "TERMINAL_WIDTH",
    "TYPER_USE_RICH",
    "_TYPER_FORCE_DISABLE_TERMINAL",
):
    os.environ.pop(_var, None)
os.environ.update(COLUMNS="100", TERM="dumb", NO_COLOR="1")

from typer.main import get_command  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from aes_tracker.cli import app  # noqa: E402

DOC = Path(__file__).resolve().parents[1] / "docs" / "cli.md"
ENV = {"COLUMNS": "100", "TERM": "dumb", "NO_COLOR": "1", "FORCE_COLOR": None}


def _commands() -> list[list[str]]:
    out: list[list[str]] = [[]]
    group = get_command(app)
    for name, cmd in group.commands.items():  # type: ignore[attr-defined]
        out.append([name])
        for sub in getattr(cmd, "commands", {}):
            out.append([name, sub])
    return out


def render() -> str:
    runner = CliRunner()
    parts = [
        "# aes-tracker command reference",
        "",
        "Generated from the `--help` texts by `python scripts/cli_docs.py`; a test fails when",
        "this file is out of date.",
        "",
    ]
    for path in _commands():
        r = runner.invoke(app, [*path, "--help"], env=ENV)
        if r.exit_code != 0:
            raise SystemExit(f"aes-tracker {' '.join(path)} --help failed: {r.output}")
        title = " ".join(["aes-tracker", *path])
        text = "\n".join(line.rstrip() for line in r.stdout.strip("\n").splitlines())
        parts += [f"## `{title}`", "", "```text", text, "```", ""]
    return "\n".join(parts)


def main() -> None:
    text = render()
    if "--check" in sys.argv:
        if not DOC.exists() or DOC.read_text(encoding="utf-8") != text:
            sys.stderr.write("docs/cli.md is out of date: run python scripts/cli_docs.py\n")
            raise SystemExit(1)
        return
    DOC.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
