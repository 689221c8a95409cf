"""Write a valid aes-tracker data file of N commitments, deterministic for a seed.

    python benchmarks/generate.py N [--seed S] [--today YYYY-MM-DD] [-o FILE]

Several sources, every category and party, due dates spread over five years around today (about
a third overdue), one to five history entries each, notes in French, a few recurring ones.
"""

from __future__ import annotations

import argparse
import random
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

STATUSES = (
    ["pending"] * 5
    + ["in_progress"] * 3
    + ["stalled", "done", "done", "partial", "broken", "dropped"]
)
CATEGORIES = ["security", "diplomacy", "development", "institutional"]
PARTIES = ["AES", "Burkina Faso", "Mali", "Niger", "Russia"]
VERBS = [
    "Provide",
    "Deliver",
    "Accelerate",
    "Build",
    "Train",
    "Open",
    "Fund",
    "Hold",
    "Support",
    "Strengthen",
]
OBJECTS = [
    "technical assistance",
    "military equipment",
    "border posts",
    "a power plant",
    "officer training",
    "a trade house",
    "railway studies",
    "grain deliveries",
    "scholarships",
    "a joint commission",
    "customs cooperation",
    "satellite imagery",
]
PLACES = ["Bamako", "Niamey", "Ouagadougou", "Moscou", "Sotchi", "Saint-Pétersbourg"]
NOTES = [
    "Réunion technique tenue à {p} ; les délégations ont fait le point.",
    "Livraison annoncée par le ministère, non confirmée sur le terrain.",
    "Retard signalé : financement en cours de mobilisation à {p}.",
    "Les équipes d’experts sont arrivées à {p} ; suivi nécessaire.",
    "Aucune information publique depuis la dernière session.",
]


def generate(n: int, seed: int, today: date) -> dict[str, Any]:
    rng = random.Random(seed)
    n_sources = max(1, min(20, n // 50))
    sources: dict[str, dict[str, Any]] = {}
    for i in range(n_sources):
        d = today - timedelta(days=rng.randrange(0, 5 * 365))
        sources[f"src-{i:03d}"] = {
            "title": f"Communiqué conjoint n° {i + 1} — consultations AES–Russie",
            "date": d,
            "place": rng.choice(PLACES),
            "language": "fr",
            "publisher": "Agence de presse",
            "author": "Rédaction",
        }
    src_ids = sorted(sources)
    commitments = {}
    for i in range(n):
        cat = CATEGORIES[i % 4]
        status = rng.choice(STATUSES)
        parties = sorted(rng.sample(PARTIES, rng.randint(1, 3)))
        src = rng.choice(src_ids)
        title = f"{rng.choice(VERBS)} {rng.choice(OBJECTS)} ({i})"
        c: dict[str, Any] = {
            "title": title,
            "category": cat,
            "parties": parties,
            "beneficiaries": ["AES Unified Force"] if cat == "security" else [],
            "source": src,
            "quote": f"les parties se sont engagées à {rng.choice(OBJECTS)} ({i})",
            "status": status,
        }
        if not c["beneficiaries"]:
            del c["beneficiaries"]
        if rng.random() < 0.85:
            c["due"] = today + timedelta(days=rng.randrange(-900, 900))
            if rng.random() < 0.1:
                c["original_due"] = c["due"] - timedelta(days=rng.randrange(10, 120))
        else:
            c["no_deadline"] = True
            c["review"] = today + timedelta(days=rng.randrange(-200, 400))
            c["review_reason"] = "Le texte ne donne pas de date."
        if i % 97 == 0 and "due" in c:
            c["recur"] = "yearly"
            c["recur_start"] = c["due"] - timedelta(days=365)
            c["hosts"] = ["Russia", "AES member state"]
            c["next_host"] = rng.choice(c["hosts"])
        c["notes"] = rng.choice(NOTES).format(p=rng.choice(PLACES))
        start: date = sources[src]["date"]
        history = [
            {
                "on": start,
                "by": "generator",
                "event": "recorded",
                "status": "pending",
                "note": "Recorded from the communiqué.",
            }
        ]
        for _ in range(rng.randint(0, 4)):
            on = start + timedelta(days=rng.randrange(0, 400))
            history.append(
                {
                    "on": on,
                    "at": datetime(on.year, on.month, on.day, 9, tzinfo=UTC),
                    "by": rng.choice(["amina", "oleg", "moussa"]),
                    "event": "note",
                    "status": status,
                    "note": rng.choice(NOTES).format(p=rng.choice(PLACES)),
                }
            )
        c["history"] = history
        commitments[f"{['sec', 'dip', 'dev', 'inst'][i % 4]}-item-{i:06d}"] = c
    return {"schema": 1, "parties": PARTIES, "sources": sources, "commitments": commitments}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--today", type=date.fromisoformat, default=date(2026, 11, 28))
    ap.add_argument("-o", "--output", type=Path)
    a = ap.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from aes_tracker.store.tomlfile import dumps

    data = dumps(generate(a.n, a.seed, a.today))
    if a.output:
        a.output.write_bytes(data)
    else:
        sys.stdout.buffer.write(data)


if __name__ == "__main__":
    main()
