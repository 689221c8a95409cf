"""Rows of sources (`source list`) and of history entries (`log`) in the formats people read:
the table, plain and Markdown (their JSON and CSV are rows.py's, shared with `list`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aes_tracker.domain.model import EVENT_KEYS
from aes_tracker.i18n import (
    _,
    event_label,
    name_label,
    status_label,
)
from aes_tracker.render import (
    Output,
    backdated,
    change_words,
    md,
    note_words,
    register,
    safe,
)
from aes_tracker.render.layout import Column, blocks, table
from aes_tracker.render.rows import Rows, lazy_label, translated

# ---- sources -------------------------------------------------------------------------------------

SOURCE_KEYS = (
    "id",
    "title",
    "date",
    "place",
    "language",
    "publisher",
    "author",
    "url",
    "commitments",
)


@dataclass(frozen=True)
class SourceRows(Rows):
    keys: Sequence[str] = SOURCE_KEYS


@register("sources", "markdown")
def _sources_markdown(p: Rows, out: Output) -> str:
    head = (_("ID"), _("Date"), _("Place"), _("Title"), _("Commitments"))
    lines = ["| " + " | ".join(head) + " |", "|---|---|---|---|---|"]
    lines += [
        f"| {r['id']} | {r['date']} | {md(name_label(str(r['place'] or '')))} "
        f"| {md(str(r['title']))} | {r['commitments']} |"
        for r in p.rows
    ]
    return "\n".join(lines) + "\n"


@register("sources", "plain")
def _sources_plain(p: Rows, out: Output) -> str:
    return sources_plain(p)


def sources_plain(p: Rows) -> str:
    """One tab-separated line per source, no header: id, date, place, commitments, title."""
    return "".join(
        "\t".join(
            (
                r["id"],
                r["date"],
                safe(r["place"] or "-"),
                str(r["commitments"]),
                safe(r["title"]),
            )
        )
        + "\n"
        for r in p.rows
    )


SOURCE_COLUMNS = (
    Column(lazy_label("ID"), lambda r: r["id"]),
    Column(lazy_label("Date"), lambda r: r["date"]),
    Column(lazy_label("Place"), lambda r: safe(name_label(r["place"] or "")), wrap=True, drop=1),
    Column(lazy_label("Commitments"), lambda r: str(r["commitments"]), right=True),
    Column(lazy_label("Title"), lambda r: safe(r["title"]), wrap=True, grow=True),
)


def _table(p: Rows, columns: Sequence[Column], out: Output, empty: str) -> str:
    """The rows as a table, or as blocks where the table does not fit the width; `empty` when
    there is none."""
    if not p.rows:
        return empty + "\n"
    cols = [translated(c) for c in columns]
    text = table(p.rows, cols, out.width, out.color)
    return text if text is not None else blocks(p.rows, cols, out.width, out.color)


@register("sources", "table")
def _sources_table(p: Rows, out: Output) -> str:
    return _table(p, SOURCE_COLUMNS, out, _("No sources yet."))


# ---- history entries (log) ---------------------------------------------------------------------

# A history entry's fields (on, at, by first), with the commitment's ID after who recorded it,
# and whether it was recorded after the day it happened.
LOG_KEYS = (*EVENT_KEYS[:3], "id", *EVENT_KEYS[3:], "backdated")


@dataclass(frozen=True)
class LogRows(Rows):
    keys: Sequence[str] = LOG_KEYS


def log_detail(x: Mapping[str, Any]) -> str:
    """An entry's note, changes, host and evidence, on one line."""
    bits = []
    if late := backdated(x):
        bits.append(late)
    if x.get("host"):
        bits.append(_("host: {host}").format(host=safe(name_label(x["host"]))))
    if x.get("note"):
        bits.append(note_words(x["note"]))
    from aes_tracker.domain.records import change_text  # not on `list`'s path

    bits += [f"[{change_words(change_text(c))}]" for c in x.get("changes", [])]
    text = " ".join(bits)
    # Each link of evidence on a line of its own, whole.
    for u in x.get("evidence", []):
        text += "\n" + _("evidence: {url}").format(url=safe(u))
    return text.strip("\n")


def _log_event(x: Mapping[str, Any]) -> str:
    return event_label(x["event"]) + (f" [{safe(x['party'])}]" if x.get("party") else "")


def _log_cells(x: Mapping[str, Any]) -> tuple[str, ...]:
    who = safe(x["by"] or "")
    return (x["on"], x["id"], _log_event(x), status_label(x["status"]), who, log_detail(x))


def log_head() -> tuple[str, ...]:
    return (_("On"), _("ID"), _("Event"), _("Status"), _("By"), _("Detail"))


@register("log", "plain")
def _log_plain(p: Rows, out: Output) -> str:
    return log_plain(p)


def log_plain(p: Rows) -> str:
    return "".join(
        "\t".join(" ".join(c.split()) or "-" for c in _log_cells(x)) + "\n" for x in p.rows
    )


@register("log", "markdown")
def _log_markdown(p: Rows, out: Output) -> str:
    head = log_head()
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(md(c) for c in _log_cells(x)) + " |" for x in p.rows]
    return "\n".join(lines) + "\n"


LOG_COLUMNS = (
    Column(lazy_label("On"), lambda x: x["on"]),
    Column(lazy_label("ID"), lambda x: x["id"]),
    Column(lazy_label("Event"), _log_event, wrap=True),
    Column(lazy_label("Status"), lambda x: status_label(x["status"]), drop=2),
    Column(lazy_label("By"), lambda x: safe(x["by"] or ""), drop=1),
    Column(lazy_label("Detail"), log_detail, wrap=True, grow=True, min_grow=40),
)


@register("log", "table")
def _log_table(p: Rows, out: Output) -> str:
    return _table(p, LOG_COLUMNS, out, _("No history entries match."))
