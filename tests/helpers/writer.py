"""A writer process for the safety tests: COUNT notes on ID, each its own locked write.

    python writer.py FILE ID COUNT TAG [--pause SECONDS]

Each note is "TAG n" (n from 0), so a reader can tell which writes landed and in what order.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

from aes_tracker import ops
from aes_tracker.store import Location, update


def main() -> None:
    path, cid, count, tag = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    pause = float(sys.argv[6]) if len(sys.argv) > 6 and sys.argv[5] == "--pause" else 0.0
    loc = Location(Path(path), True)
    print("ready", flush=True)
    for n in range(count):

        def change(raw: dict, loaded: object, n: int = n) -> None:
            ops.add_note(
                raw,
                cid,
                f"{tag} {n}",
                on=date(2026, 11, 28),
                by=tag,
                now=datetime.now(UTC).replace(microsecond=0),
            )

        update(loc, change, lock_timeout=60)
        if pause:
            time.sleep(pause)


if __name__ == "__main__":
    main()
