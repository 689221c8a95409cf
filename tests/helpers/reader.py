"""Read and parse a data file in a tight loop for SECONDS, as `list` would (no lock).

    python reader.py FILE SECONDS

Prints "reads bad", where bad counts reads that were empty, not TOML, or failed the checks.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from aes_tracker.errors import TrackerError
from aes_tracker.store.core import load
from aes_tracker.store.paths import Location

loc = Location(Path(sys.argv[1]), True)
end = time.monotonic() + float(sys.argv[2])
reads = bad = 0
while time.monotonic() < end:
    try:
        loaded = load(loc)
        if not loaded.doc.commitments:
            bad += 1
    except TrackerError as e:
        print(f"bad read: {e}", file=sys.stderr)
        bad += 1
    reads += 1
print(reads, bad)
