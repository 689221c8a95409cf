"""Hold the exclusive lock of a data file for SECONDS, as another aes-tracker would.

python holdlock.py FILE SECONDS
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
time.sleep(float(sys.argv[2]))
