"""The command line, over the core API (api/): `base` (the apps, settings, the `Tracker`),
`compat` (what is taken from Typer, Click and Rich beyond their documented API), `ending` (how a
run ends), `options` (shared options, completion), and the commands by theme: `read` (list,
due, show, report, log, stats, timeline, source list), `change` (done, status, note, review,
add, edit, rm, source add), `exchange` (export, import), `maint` (check, where, fmt, init,
undo, redo), `extract` (extract, source show), `site` (the static site) and `desk`
(merge-file, resolve, sync, git init-merge)."""

from __future__ import annotations

# The order of the imports is the order of `--help`: reading, changing, exchange, upkeep.
from aes_tracker.cli import (  # noqa: F401
    change,
    desk,
    exchange,
    extract,
    maint,
    read,
    site,
)
from aes_tracker.cli.base import app, main

__all__ = ["app", "main"]
