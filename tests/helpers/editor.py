"""An editor that does not take the lock, saving the data file by rename, as most editors do:
read it, add a mark to its own list, write a new file beside it, rename it over the old one.

    python editor.py FILE SECONDS PAUSE [STOP_FILE]

Each save adds "eN" to the top-level array `editor_marks`. If anything ever overwrote a save,
a mark would be missing for good: the next save builds on what is on disk. It saves for SECONDS,
or, given STOP_FILE, until that file exists (the test decides when the race has been run long
enough, whatever the machine's load). Prints the number of saves.
"""

from __future__ import annotations

import os
import sys
import time
import tomllib
from pathlib import Path

import tomli_w

path = Path(sys.argv[1])
end = time.monotonic() + float(sys.argv[2])
pause = float(sys.argv[3])
stop = Path(sys.argv[4]) if len(sys.argv) > 4 else None
tmp = path.with_name(".editor-save")
saves = 0
print("ready", flush=True)


def going() -> bool:
    return not stop.exists() if stop is not None else time.monotonic() < end


while going():
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    doc.setdefault("editor_marks", []).append(f"e{saves}")
    tmp.write_text(tomli_w.dumps(doc), encoding="utf-8")
    os.replace(tmp, path)
    saves += 1
    time.sleep(pause)
print(saves)
