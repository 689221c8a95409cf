"""Hold the exclusive lock of a data file for SECONDS, as another aes-tracker would; with
`stdin` for SECONDS, until its standard input is closed (the test says when, whatever the load).

python holdlock.py FILE SECONDS|stdin
"""

from __future__ import annotations

import fcntl
import os
import sys
import time
from pathlib import Path

from aes_tracker.store.paths import lock_path

fd = os.open(lock_path(Path(sys.argv[1])), os.O_RDWR | os.O_CREAT)
fcntl.flock(fd, fcntl.LOCK_EX)
print("locked", flush=True)
if sys.argv[2] == "stdin":
    sys.stdin.read()
else:
    time.sleep(float(sys.argv[2]))
