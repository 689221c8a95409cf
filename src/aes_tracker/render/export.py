"""`export`: the whole document as lossless JSON, a spreadsheet (CSV), or a calendar (ICS)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from aes_tracker import exchange
from aes_tracker.domain.model import Document
from aes_tracker.render import Output, register, to_csv


@dataclass(frozen=True)
class Export:
    raw: dict[str, Any]
    doc: Document
    today: date
    now: datetime
    per_party: bool = False  # CSV: one row per commitment and party


@register("export", "json")
def _json(p: Export, out: Output) -> str:
    return exchange.export_json(p.raw)


@register("export", "csv")
def _csv(p: Export, out: Output) -> str:
    if p.per_party:
        return to_csv(exchange.party_rows(p.doc), exchange.PARTY_CSV_KEYS, excel=out.excel)
    return to_csv(exchange.csv_rows(p.doc, p.today), exchange.CSV_KEYS, excel=out.excel)


@register("export", "ics")
def _ics(p: Export, out: Output) -> bytes:
    return exchange.export_ics(p.doc, p.today, p.now)
