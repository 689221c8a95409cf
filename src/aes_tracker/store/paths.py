"""Where things are: the data file, the bundled data, and the per-user folders (data, state for
the undo journal, cache for the parse cache). The environment is read here and nowhere else.

The per-user folders follow the XDG base-directory rules (what platformdirs gives on Linux), read
by hand in these few lines: platformdirs would add a dependency and import time for three paths.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

APP = "aes-tracker"


def environment() -> Mapping[str, str]:
    """The process's environment: the one place it is read. The command line reads it once per
    run and passes the mapping down; a test or another program passes its own."""
    return os.environ


class Location(NamedTuple):
    path: Path
    explicit: bool  # named by --file or $AES_TRACKER_FILE: a missing file is an error


def _home(environ: Mapping[str, str]) -> Path:
    return Path(environ.get("HOME") or Path.home())


def _xdg(environ: Mapping[str, str], var: str, default: str) -> Path:
    value = environ.get(var)
    # The XDG rules: a relative path is invalid and is ignored.
    if value and os.path.isabs(value):
        return Path(value)
    return _home(environ) / default


def data_home(environ: Mapping[str, str]) -> Path:
    return _xdg(environ, "XDG_DATA_HOME", ".local/share") / APP


def state_home(environ: Mapping[str, str]) -> Path:
    return _xdg(environ, "XDG_STATE_HOME", ".local/state") / APP


def cache_home(environ: Mapping[str, str]) -> Path:
    return _xdg(environ, "XDG_CACHE_HOME", ".cache") / APP


def user_data_path(environ: Mapping[str, str]) -> Path:
    return data_home(environ) / "commitments.toml"


def bundled_path() -> Path:
    """The communiqué data shipped with the package (or, in a source checkout, the repo's copy)."""
    package = Path(__file__).resolve().parents[1]
    p = package / "bundled" / "commitments.toml"
    if p.is_file():
        return p
    return package.parents[1] / "data" / "commitments.toml"


def locate(explicit: str | None, environ: Mapping[str, str], cwd: Path) -> Location:
    """--file, else $AES_TRACKER_FILE, else ./data/commitments.toml when it exists, else the user
    data file."""
    if explicit:
        return Location(Path(explicit), True)
    if environ.get("AES_TRACKER_FILE"):
        return Location(Path(environ["AES_TRACKER_FILE"]), True)
    local = cwd / FOLDER_FILE
    if local.is_file():
        return Location(FOLDER_FILE, False)
    return Location(user_data_path(environ), False)


FOLDER_FILE = Path("data") / "commitments.toml"  # the file a folder (a clone) holds


def chosen_by_folder(loc: Location) -> bool:
    """The file was found in the current folder, not named: a write should say which it was."""
    return not loc.explicit and loc.path == FOLDER_FILE


def real(path: Path) -> Path:
    """The file a path names, links followed."""
    return Path(os.path.realpath(path))


# The longest file name most file systems take (bytes). The lock and the temp files are named
# after the data file; for a data file whose name leaves no room for the suffix, they take a
# short name made from a hash of it instead. A name that fits keeps `<file>.lock`: a writer of an
# older release locks that file, and two releases on one file must still exclude each other.
NAME_MAX = 255
_TEMP_TAIL = 24  # what a temp file's name adds after its prefix: "<pid>-<8 hex digits>"


def _fits(name: str, extra: int = 0) -> bool:
    return len(os.fsencode(name)) + extra <= NAME_MAX


def short_name(r: Path) -> str:
    """A short stand-in for the name of the data file `r`, for the files beside it."""
    import hashlib

    return ".aes-tracker-" + hashlib.sha256(os.fsencode(r.name)).hexdigest()[:16]


def lock_path(path: Path) -> Path:
    r = real(path)
    name = r.name + ".lock"
    return r.with_name(name if _fits(name) else short_name(r) + ".lock")


def temp_prefix(r: Path) -> str:
    """The start of the name of every temp file a writer puts beside the data file `r`."""
    prefix = f".{r.name}.tmp-"
    return prefix if _fits(prefix, _TEMP_TAIL) else short_name(r) + ".tmp-"


def file_key(path: Path) -> str:
    """A short stable name for one data file, from its real path: the undo journal and the parse
    cache of different files never mix."""
    import hashlib

    return hashlib.sha256(os.fsencode(os.path.realpath(path))).hexdigest()[:24]
