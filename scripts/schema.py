"""Write docs/schema/*.json, the JSON Schema of every `--format json` output, from the
definitions in src/aes_tracker/domain/schema.py (the package ships them as aes_tracker/schema/).

python scripts/schema.py          # rewrite docs/schema/
python scripts/schema.py --check  # exit 1 if a file is out of date (the tests do this)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from aes_tracker.domain.schema import schemas

DIR = Path(__file__).resolve().parents[1] / "docs" / "schema"


def texts() -> dict[str, str]:
    return {
        f"{name}.json": json.dumps(s, ensure_ascii=False, indent=2) + "\n"
        for name, s in schemas().items()
    }


def stale() -> list[str]:
    """The files that differ from what the definitions give, or are missing or left over."""
    want = texts()
    have = {p.name for p in DIR.glob("*.json")} if DIR.is_dir() else set()
    wrong = [n for n, t in want.items() if n not in have or (DIR / n).read_text() != t]
    return sorted(wrong + [n for n in have if n not in want])


def main(argv: list[str]) -> int:
    if "--check" in argv:
        bad = stale()
        for name in bad:
            print(f"docs/schema/{name} is out of date: run python scripts/schema.py")
        return 1 if bad else 0
    DIR.mkdir(parents=True, exist_ok=True)
    for p in DIR.glob("*.json"):
        p.unlink()
    for name, text in texts().items():
        (DIR / name).write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
