"""The tool as the tests run it in a real process, with their switches: `python tool.py ARGS…`
is `aes-tracker ARGS…`, with what these environment variables ask installed first by
monkeypatching (the shipped tool reads none of them):

- `_AES_TRACKER_TEST_FAULT=POINT`: the process kills itself (SIGKILL) at the named fault point;
- `_AES_TRACKER_TEST_PAUSE=POINT:SECONDS`: it sleeps there, to widen a race window;
- `_AES_TRACKER_TEST_NOLOCK=1`: no lock and no hash check before the replace (to show that the
  lost-update test can fail without them);
- `_AES_TRACKER_TEST_NOEXCHANGE=1`: no renameat2 exchange (the check-then-rename fallback);
- `_AES_TRACKER_TEST_NOW=ISO-TIME`: the clock a change is recorded with.

The helpers that call the store directly (writer.py, …) call `install()` too.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

FAULT = "_AES_TRACKER_TEST_FAULT"
PAUSE = "_AES_TRACKER_TEST_PAUSE"
NOLOCK = "_AES_TRACKER_TEST_NOLOCK"
NOEXCHANGE = "_AES_TRACKER_TEST_NOEXCHANGE"
NOW = "_AES_TRACKER_TEST_NOW"

TOOL = Path(__file__).resolve()


def install(environ: Mapping[str, str] = os.environ) -> None:
    from aes_tracker.cli import base
    from aes_tracker.store import fileio, filelock

    point = environ.get(FAULT)
    pause = environ.get(PAUSE)
    if point or pause:

        def fault(at: str) -> None:
            if at == point:
                os.kill(os.getpid(), signal.SIGKILL)
            if pause and pause.split(":")[0] == at:
                time.sleep(float(pause.split(":")[1]))

        fileio.fault = fault  # type: ignore[assignment]
    if environ.get(NOLOCK) == "1":

        @contextlib.contextmanager
        def no_lock(path: Path, timeout: float) -> Iterator[None]:
            yield

        replace = fileio.replace

        def unchecked_replace(path: Path, content: bytes, **kw: Any) -> None:
            replace(path, content, **{**kw, "expect": None})

        filelock.locked = no_lock  # type: ignore[assignment]
        fileio.sweep_temps = lambda real, only_dead=False: None  # type: ignore[assignment]
        fileio.replace = unchecked_replace  # type: ignore[assignment]
    if environ.get(NOEXCHANGE) == "1":
        fileio._exchange = lambda a, b: False  # type: ignore[assignment]
    fixed = environ.get(NOW)
    if fixed:
        base.now = lambda: datetime.fromisoformat(fixed)  # type: ignore[assignment]


if __name__ == "__main__":
    install()
    from aes_tracker.cli import main

    sys.argv[0] = "aes-tracker"
    main()
