"""The registries of statuses and categories: each one declared here, once, with what it means
(open or closed, its compliance score, its colour and glyph, its line of help; a category's ID
prefix), and how a person names one (`parse_status`, `parse_category`).

Read through `statuses()` and `status_info()` at call time: a status added to `STATUSES` (or by
a test) reaches every command, format and column.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, NamedTuple, NewType

from aes_tracker.errors import TrackerError
from aes_tracker.i18n import _, category_label, status_label

Status = NewType("Status", str)
Category = NewType("Category", str)


class StatusInfo(NamedTuple):
    """Everything the program knows about one status. `score` is the G7/G20 Research Group
    compliance score (+1 kept, 0 partly, -1 not, None not scored); an open status that is overdue
    scores `score_overdue` instead."""

    name: Status
    open: bool
    score: int | None
    score_overdue: int | None
    style: str  # a colour, for terminals
    glyph: str  # its cell in the stats bars
    meaning: str  # one line, for --help


# The statuses the code names. A status is declared by its entry in `STATUSES` below: one added
# there needs no name here.
PENDING, IN_PROGRESS, STALLED, DONE, PARTIAL, BROKEN, DROPPED = map(
    Status, ("pending", "in_progress", "stalled", "done", "partial", "broken", "dropped")
)

# Read through `statuses()` and `status_info()` at call time, never copied at import time, so that
# a status added here (or by a test) reaches every command, format and column.
STATUSES: tuple[StatusInfo, ...] = (
    StatusInfo(PENDING, True, None, -1, "white", "░", "nothing done yet"),
    StatusInfo(IN_PROGRESS, True, 0, -1, "blue", "▒", "under way"),
    StatusInfo(STALLED, True, -1, -1, "yellow", "▚", "under way but stuck"),
    StatusInfo(DONE, False, 1, 1, "green", "█", "kept in full"),
    StatusInfo(PARTIAL, False, 0, 0, "cyan", "▓", "kept in part"),
    StatusInfo(BROKEN, False, -1, -1, "red", "▞", "not kept"),
    StatusInfo(DROPPED, False, None, None, "bright_black", "·", "withdrawn or superseded"),
)


class CategoryInfo(NamedTuple):
    name: Category
    prefix: str  # of the IDs `add` makes
    meaning: str


SECURITY, DIPLOMACY, DEVELOPMENT, INSTITUTIONAL = map(
    Category, ("security", "diplomacy", "development", "institutional")
)

CATEGORIES: tuple[CategoryInfo, ...] = (
    CategoryInfo(SECURITY, "sec", "defence and security cooperation"),
    CategoryInfo(DIPLOMACY, "dip", "principles and positions"),
    CategoryInfo(DEVELOPMENT, "dev", "economy, infrastructure, investment"),
    CategoryInfo(INSTITUTIONAL, "inst", "meetings and mechanisms"),
)

_index_cache: dict[str, tuple[object, dict[str, Any]]] = {}


def _index(name: str, table: tuple[Any, ...]) -> dict[str, Any]:
    hit = _index_cache.get(name)
    if hit is None or hit[0] is not table:
        hit = (table, {x.name: x for x in table})
        _index_cache[name] = hit
    return hit[1]


def statuses() -> tuple[StatusInfo, ...]:
    return STATUSES


def categories() -> tuple[CategoryInfo, ...]:
    return CATEGORIES


def status_info(name: str) -> StatusInfo:
    return _index("status", STATUSES)[name]  # type: ignore[no-any-return]


def category_info(name: str) -> CategoryInfo:
    return _index("category", CATEGORIES)[name]  # type: ignore[no-any-return]


def is_open(status: str) -> bool:
    return status_info(status).open


def score(status: str, overdue: bool) -> int | None:
    info = status_info(status)
    return info.score_overdue if info.open and overdue else info.score


def _unaccented(text: str) -> str:
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _choose(
    text: str, names: Iterable[str], what: str, field: str, label: Callable[[str], str]
) -> str:
    """The name `text` stands for: the identifier in any case (`in-progress` for
    `in_progress`), or its word in the reader's language (`en cours`, `sécurité`, also typed
    without accents: `securite`)."""
    wanted = text.strip().casefold()
    names = list(names)
    for n in names:
        if n.casefold() == wanted or n.casefold() == wanted.replace("-", "_").replace(" ", "_"):
            return n
    bare = _unaccented(" ".join(wanted.split()))
    for n in names:
        if label(n) != n and _unaccented(label(n)) == bare:
            return n
    raise TrackerError(
        _("'{value}' is not a {what}; use one of {choices}").format(
            value=text, what=what, choices=", ".join(names)
        ),
        field=field,
    )


def parse_status(text: str, field: str = "status") -> Status:
    """A status as a person types it: any case, `in-progress` for `in_progress`, or the
    word of the language (`en cours` under --lang fr)."""
    return Status(_choose(text, (s.name for s in STATUSES), _("status"), field, status_label))


def parse_category(text: str, field: str = "category") -> Category:
    return Category(
        _choose(text, (c.name for c in CATEGORIES), _("category"), field, category_label)
    )
