"""A writer process for the safety tests: COUNT notes on ID, each its own locked write.

    python writer.py FILE ID COUNT TAG [--pause SECONDS]

Each note is "TAG n" (n from 0), so a reader can tell which writes landed and in what order.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

from tool import install  # type: ignore[import-not-found]  # beside this file

from aes_tracker.domain import draft, progress
from aes_tracker.domain.draft import Entry
from aes_tracker.errors import TrackerError
from aes_tracker.store.core import update
from aes_tracker.store.paths import Location


def main() -> None:
    install()  # the test's switches (fault points, no lock, ...), from the environment
    path, cid, count, tag = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    pause = float(sys.argv[6]) if len(sys.argv) > 6 and sys.argv[5] == "--pause" else 0.0
    loc = Location(Path(path), True)
    print("ready", flush=True)
    for n in range(count):
        who = draft.Who(tag, date(2026, 11, 28), datetime.now(UTC).replace(microsecond=0))

        def change(d: object, n: int = n, who: draft.Who = who) -> draft.Outcome:
            return progress.add_note(d, cid, who, Entry(on=who.today, note=f"{tag} {n}"))  # type: ignore[arg-type]

        for _attempt in range(1000):
            try:
                update(loc, change, lock_timeout=60)
                break
            except TrackerError as e:
                # An editor saving every few milliseconds can outlast the five tries of one
                # change: try again, as a person would run the command again.
                if "keeps changing" not in e.message:
                    raise
        if pause:
            time.sleep(pause)


if __name__ == "__main__":
    main()
