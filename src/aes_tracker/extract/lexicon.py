"""The words extract looks for, read from `lexicon.toml` (shipped with the package): data, not
code branches, so that an analyst adds a pattern without touching Python."""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aes_tracker.errors import TrackerError
from aes_tracker.i18n import _

LEXICON = Path(__file__).with_name("lexicon.toml")


@dataclass(frozen=True)
class Trigger:
    label: str
    pattern: re.Pattern[str]
    lang: str
    confidence: float
    infinitive: bool = False
    weak: bool = False
    clause: bool = False
    title_fr: str = ""
    title_en: str = ""


@dataclass(frozen=True)
class Pattern:
    label: str
    pattern: re.Pattern[str]
    lang: str = ""
    confidence: float = 0.0
    due: str = ""


@dataclass(frozen=True)
class Lexicon:
    commit: tuple[Trigger, ...]
    subsidiary: tuple[Pattern, ...]
    exclude: tuple[Pattern, ...]
    timing: tuple[Pattern, ...]
    parties: dict[str, tuple[str, ...]]
    all_subjects: tuple[str, ...]
    pronouns: tuple[str, ...]
    categories: dict[str, tuple[str, ...]]
    verbs: dict[str, str]
    futures: dict[str, str]


def _compile(entry: dict[str, Any], where: str) -> re.Pattern[str]:
    try:
        return re.compile(str(entry["pattern"]), re.I)
    except (KeyError, re.error) as e:
        raise TrackerError(
            _("{where}: not a valid pattern: {why}").format(where=where, why=e), path=str(LEXICON)
        ) from None


def parse(doc: dict[str, Any]) -> Lexicon:
    commit = tuple(
        Trigger(
            label=str(e["label"]),
            pattern=_compile(e, f"commit {e.get('label')}"),
            lang=str(e.get("lang", "")),
            confidence=float(e.get("confidence", 0.5)),
            infinitive=bool(e.get("infinitive", False)),
            weak=bool(e.get("weak", False)),
            clause=bool(e.get("clause", False)),
            title_fr=str(e.get("title_fr", "")),
            title_en=str(e.get("title_en", "")),
        )
        for e in doc.get("commit", [])
    )

    def patterns(kind: str) -> tuple[Pattern, ...]:
        return tuple(
            Pattern(
                label=str(e["label"]),
                pattern=_compile(e, f"{kind} {e.get('label')}"),
                lang=str(e.get("lang", "")),
                confidence=float(e.get("confidence", 0.0)),
                due=str(e.get("due", "")),
            )
            for e in doc.get(kind, [])
        )

    subjects = doc.get("subjects", {})
    return Lexicon(
        commit=commit,
        subsidiary=patterns("subsidiary"),
        exclude=patterns("exclude"),
        timing=patterns("timing"),
        parties={k: tuple(v) for k, v in doc.get("parties", {}).items()},
        all_subjects=tuple(subjects.get("all", ())),
        pronouns=tuple(subjects.get("pronouns", ())),
        categories={k: tuple(v) for k, v in doc.get("categories", {}).items()},
        verbs=dict(doc.get("verbs", {})),
        futures=dict(doc.get("futures", {})),
    )


@functools.cache
def load() -> Lexicon:
    with LEXICON.open("rb") as f:
        return parse(tomllib.load(f))
