"""One commitment in full (`show`): every field, the quote, the slip of the due date, the
recorded sessions of a recurring one, and the history in date order; in a file a merge left
conflicts in, our version and theirs, each labelled."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from aes_tracker.domain.dates import days_left
from aes_tracker.domain.model import Commitment, Event, Source, summarize
from aes_tracker.domain.parties import Groups, parties_differ
from aes_tracker.domain.query import LIST_KEYS, row
from aes_tracker.domain.records import by_party, detail, sessions
from aes_tracker.domain.recurrence import missed_slots, owed_slot, session_timing
from aes_tracker.errors import TrackerError
from aes_tracker.i18n import (
    _,
    category_label,
    colon,
    event_label,
    human_date,
    iso_label,
    language,
    name_label,
    ngettext,
    recur_label,
    semicolon,
    status_label,
)
from aes_tracker.render import (
    Output,
    change_words,
    md,
    md_code,
    note_words,
    paint,
    register,
    safe,
    to_csv,
    to_json,
)
from aes_tracker.render.rows import MARK, row_style


@dataclass(frozen=True)
class Shown:
    c: Commitment
    source: Source | None
    today: date
    groups: Groups
    # Where the quote starts in the source's stored text: its file and line (None: not found).
    quote_at: tuple[str, int | None] | None = None


@dataclass(frozen=True)
class Versions:
    """A commitment a merge left in conflict: our version and theirs (None: removed there)."""

    cid: str
    ours: Shown | None
    theirs: Shown | None


def party_line(x: dict[str, Any]) -> str:
    """ "Mali: in_progress (2026-05-28, ben)", "Niger: stalled (from AES)"."""
    if x["from"] == "own":
        why = iso_label(x["on"]) + (f", {safe(x['by'])}" if x["by"] else "")
    elif x["from"] == "group":
        why = _("from {group}").format(group=safe(name_label(x["via"])))
    else:
        why = _("the commitment's status")
    return f"{safe(name_label(x['party']))}{colon()}{status_label(x['status'])} ({why})"


def slip_text(c: Commitment) -> str:
    if c.due and c.original_due and c.due != c.original_due:
        n = (c.due - c.original_due).days
        days = abs(n)
        text = (
            ngettext(
                "due {due}, originally {orig}, slipped {n} day",
                "due {due}, originally {orig}, slipped {n} days",
                days,
            )
            if n > 0
            else ngettext(
                "due {due}, originally {orig}, brought forward {n} day",
                "due {due}, originally {orig}, brought forward {n} days",
                days,
            )
        )
        return text.format(due=human_date(c.due), orig=human_date(c.original_due), n=days)
    return ""


def detail_lines(
    c: Commitment,
    source: Source | None,
    today: date,
    groups: Groups,
    quote_at: tuple[str, int | None] | None = None,
) -> list[tuple[str, str]]:
    """The fields of `show`, as (label, value) pairs in reading order."""
    french = language() == "fr" and bool(c.title_fr)
    lines: list[tuple[str, str]] = [
        (_("ID"), c.id),
        (_("Title"), safe(c.title_fr if french else c.title)),
    ]
    # The title in the other language too, where there is one: the communiqué is French.
    if c.title_fr:
        other = (_("Title in English"), c.title) if french else (_("Title in French"), c.title_fr)
        lines.append((other[0], safe(other[1])))
    lines += [
        (_("Category"), category_label(c.category)),
        (_("Parties"), safe(", ".join(map(name_label, c.parties)))),
    ]
    if c.beneficiaries:
        lines.append((_("Beneficiaries"), safe(", ".join(c.beneficiaries))))
    mark = MARK if parties_differ(c, groups) else ""
    lines.append(
        (_("Status"), status_label(c.status) + mark + ("" if c.is_open else _(" (closed)")))
    )
    for i, x in enumerate(by_party(c, groups)):
        indent = "  " if x["member_of"] else ""
        lines.append((_("By party") if i == 0 else "", indent + party_line(x)))
    if c.due:
        n = days_left(c.due, today)
        when = ""
        if c.is_open:
            if n < 0:
                when = ngettext("{n} day overdue", "{n} days overdue", -n).format(n=-n)
            elif n == 0:
                when = _("due today")
            else:
                when = ngettext("in {n} day", "in {n} days", n).format(n=n)
        lines.append((_("Due"), slip_text(c) or human_date(c.due)))
        if when:
            lines.append(("", when))
        if c.due_reason:
            lines.append((_("Due date from"), safe(c.due_reason)))
    else:
        lines.append((_("Due"), _("no deadline in the text")))
        if c.review:
            lines.append(
                (
                    _("Review"),
                    human_date(c.review)
                    + (colon() + safe(c.review_reason) if c.review_reason else ""),
                )
            )
    if c.recur:
        rec = recur_label(c.recur) + (
            _(" from {day}").format(day=human_date(c.recur_start)) if c.recur_start else ""
        )
        lines.append((_("Recurs"), rec))
        for i, s in enumerate(sessions(c)):
            text = iso_label(s["on"]) + (f", {safe(name_label(s['host']))}" if s["host"] else "")
            if s["place"]:
                text += ", " + _("in {place}").format(place=safe(name_label(s["place"])))
            when = session_timing(c, date.fromisoformat(s["on"]))
            if when:
                text += f" ({when})"
            if s["note"]:
                text += colon() + safe(s["note"])
            for url in s["evidence"]:
                text += "  " + _("evidence: {url}").format(url=safe(url))
            lines.append((_("Sessions held") if i == 0 else "", text))
        missed = missed_slots(c, today)
        if missed:
            lines.append((_("Missed sessions"), ", ".join(map(human_date, missed))))
        owed = owed_slot(c, today, missed)
        if c.is_open and owed:
            nxt = human_date(owed)
            if c.next_host:
                nxt += ", " + _("expected host: {host}").format(host=safe(name_label(c.next_host)))
            lines.append((_("Next session"), nxt))
    if c.timing:
        lines.append((_("Timing in text"), semicolon().join(f"« {safe(t)} »" for t in c.timing)))
    if source is None:
        src = c.source
    else:
        place = f"{safe(name_label(source.place))}, " if source.place else ""
        src = f"{safe(source.title)} ({place}{human_date(source.date)})"
    lines.append((_("Source"), src))
    lines.append((_("Quote"), f"« {safe(c.quote)} »"))
    if quote_at is not None:
        name, line = quote_at
        where = (
            _("{file}: not found word for word (aes-tracker check)").format(file=name)
            if line is None
            else _("{file}, line {line}").format(file=name, line=line)
        )
        lines.append((_("Quote at"), safe(where)))
    if c.notes:
        lines.append((_("Notes"), safe(c.notes)))
    return lines


def event_line(e: Event, evidence: bool = True) -> str:
    """One history entry on one line (its evidence too, unless `evidence` is False: `show`
    puts each link on a line of its own)."""
    parts = [human_date(e.on), event_label(e.event)]
    if e.party:
        parts.append(f"[{safe(name_label(e.party))}]")
    parts.append(status_label(e.status))
    if e.host:
        parts.append(_("host: {host}").format(host=safe(name_label(e.host))))
    if e.by:
        parts.append(_("by {who}").format(who=safe(e.by)))
    text = " ".join(parts)
    if e.note:
        text += f" — {note_words(e.note)}"
    for ch in e.changes:
        if ch.field != "status":
            text += f" [{change_words(ch.text())}]"
    if evidence:
        for url in e.evidence:
            text += " " + _("evidence: {url}").format(url=safe(url))
    return text


@register("commitment", "json")
def _json(p: Shown, out: Output) -> str:
    return to_json(detail(p.c, p.source, p.today, p.groups, p.quote_at))


@register("commitment", "csv")
def _csv(p: Shown, out: Output) -> str:
    return to_csv(
        [detail(p.c, p.source, p.today, p.groups)], (*LIST_KEYS, "quote", "notes"), excel=out.excel
    )


def _items(p: Shown) -> list[tuple[str, str]]:
    """Every line of `show` as (label, value): the fields, then the history (each entry after a
    bullet, each link of evidence on a line of its own); a value that goes on where the one
    before stopped has an empty label."""
    items = detail_lines(p.c, p.source, p.today, p.groups, p.quote_at)
    for i, e in enumerate(p.c.events()):
        items.append((_("History") if i == 0 else "", "• " + event_line(e, evidence=False)))
        items += [("", "  " + _("evidence: {url}").format(url=safe(u))) for u in e.evidence]
    return items


@register("commitment", "markdown")
def _markdown(p: Shown, out: Output) -> str:
    c = p.c
    pairs = detail_lines(c, p.source, p.today, p.groups, p.quote_at)
    title = c.title_fr if language() == "fr" and c.title_fr else c.title
    text = [f"## {md(title)} ({md_code(c.id)})", ""]
    # A line without a label continues the field above: an item of its own under it, not a
    # line run into the item's paragraph.
    text += [f"- **{md(k)}**: {md(v)}" if k else f"  - {md(v)}" for k, v in pairs]
    text += ["", f"### {_('History')}", ""] + [f"- {md(event_line(e))}" for e in c.events()]
    return "\n".join(text) + "\n"


@register("commitment", "plain")
def _plain(p: Shown, out: Output) -> str:
    """One tab-separated line per value: the same labels as the table, repeated on the lines
    that go on from the one before, so that each line says what it is."""
    lines = []
    label = ""
    for k, v in _items(p):
        label = k or label
        lines.append(f"{label}\t{' '.join(v.removeprefix('• ').split())}")
    return "\n".join(lines) + "\n"


def _table(p: Shown, out: Output) -> str:
    """Labels in a bold column, values wrapped beside them; the ID and links are never folded
    (a link longer than the page gets a line of its own); no line ends in spaces."""
    from aes_tracker.render.layout import GAP, wrap_keeping

    c = p.c
    items = _items(p)
    label_w = max(len(k) for k, _v in items)
    # A page too narrow for labels beside the values: each label on a line of its own.
    stacked = out.width - label_w - GAP < max(30, len(c.id))
    room = out.width - 2 if stacked else out.width - label_w - GAP
    style = row_style(row(summarize(c), p.today, groups=p.groups))
    styled = {_("Due"): style}
    lines = []
    current = ""
    for k, v in items:
        current = k or current
        if stacked and k:
            lines.append(paint(k, "bold", out.color))
        # A history entry hangs under its bullet.
        hang = "  " if v.startswith(("• ", "  ")) else ""
        body = v[len(hang) :] if hang else v
        for n, ln in enumerate(wrap_keeping(body, room - len(hang), keep=(c.id,))):
            lead = (v[: len(hang)] if n == 0 else hang) if hang else ""
            text = paint(lead + ln, styled.get(current, ""), out.color)
            if stacked:
                lines.append(("  " + text).rstrip())
                continue
            label = k if n == 0 else ""
            head = paint(label.ljust(label_w), "bold", out.color) if label else " " * label_w
            lines.append((head + " " * GAP + text).rstrip())
    return "\n".join(lines) + "\n"


register("commitment", "table")(_table)  # undecorated: `_versions` calls it for each version


def table_only(cid: str) -> TrackerError:
    """Any format but the table, for a commitment in conflict: one JSON object cannot hold two
    versions."""
    return TrackerError(
        _("{id} is in a merge conflict: it is shown as a table only, both versions").format(id=cid),
        hint=_("`aes-tracker resolve {id}` lists what differs and settles it").format(id=cid),
    )


@register("versions", "table")
def _versions(p: Versions, out: Output) -> str:
    """What the merge left, then each version as `show` lays one out, under its label."""
    text = [
        _("{id} is in a merge conflict; both versions follow (`aes-tracker resolve {id}`)").format(
            id=p.cid
        )
        + "\n"
    ]
    for label, one in (
        (_("ours: our version (the branch you were on)"), p.ours),
        (_("theirs: their version (the one merged in)"), p.theirs),
    ):
        text += ["\n", label + "\n"]
        text.append(_("(removed in this version)") + "\n" if one is None else _table(one, out))
    return "".join(text)
