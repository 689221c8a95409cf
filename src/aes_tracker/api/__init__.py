"""The tracker as a program can use it: one `Tracker` per data file (where it is, what day it is,
who acts, the environment), one method per command, each taking a typed query or change and
returning plain data, raising `TrackerError` for anything a user can cause. The command line
(cli/) only turns options into one call and hands the result to render/; a script, a test or a
cron job can do the same without a terminal (as sqlite-utils' `Database` under its `cli.py`).

The methods here do not word any output: they return rows, reports and outcomes, and the
renderers write them. The modules: types (inputs and results), base (the file, the day, a
change, a git commit), reads, changes, upkeep (check, fmt, init, undo, the desk), texts
(extract, the site).
"""

from __future__ import annotations

from aes_tracker.api.changes import Changes
from aes_tracker.api.reads import Reads
from aes_tracker.api.texts import Texts
from aes_tracker.api.types import (
    Changed,
    Conflicted,
    Detail,
    Edit,
    Imported,
    ImportRequest,
    Listed,
    ListQuery,
    LogQuery,
    Narrow,
    NewOne,
    NewSource,
    Progress,
    Report,
    Resolution,
    Resolved,
    StatsQuery,
    Where,
    actor,
    day,
    maybe_day,
    since_day,
    window,
)
from aes_tracker.api.upkeep import Upkeep, merge_files

__all__ = [
    "Changed",
    "Conflicted",
    "Detail",
    "Edit",
    "ImportRequest",
    "Imported",
    "ListQuery",
    "Listed",
    "LogQuery",
    "Narrow",
    "NewOne",
    "NewSource",
    "Progress",
    "Report",
    "Resolution",
    "Resolved",
    "StatsQuery",
    "Tracker",
    "Where",
    "actor",
    "day",
    "maybe_day",
    "merge_files",
    "since_day",
    "window",
]


class Tracker(Reads, Changes, Upkeep, Texts):
    """The API over one data file: `Tracker(location, today, who, environ, ...)`; see
    api/base.py."""
