"""What `extract` prints: the proposals as a table for a person (each with its quote, the rule
that fired, whether it is already tracked; then the counts), or as JSON or TOML that `import`
and an editor read; the questions of its walk in a terminal, and what it says when it adds
nothing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from aes_tracker.i18n import _, ngettext

if TYPE_CHECKING:
    from aes_tracker.extract.propose import Proposal


def table(proposals: Sequence[Proposal]) -> str:
    out: list[str] = []
    for p in proposals:
        when = (
            _("due {day}").format(day=p.due.isoformat())
            if p.due
            else _("review {day}").format(day=p.review.isoformat() if p.review else "-")
        )
        out.append(f"{p.id}  {p.confidence:.2f}  {', '.join(p.parties)}  {p.category}  {when}\n")
        out.append(f"  {p.title}\n")
        if p.title_fr and p.title_fr != p.title:
            out.append(f"  {p.title_fr}\n")
        out.append("  " + _("target: « {words} »").format(words=p.target) + "\n")
        out.append(
            "  " + _("quote, line {line}: « {quote} »").format(line=p.line, quote=p.quote) + "\n"
        )
        if p.timing:
            out.append("  " + _("timing: {words}").format(words="; ".join(p.timing)) + "\n")
        out.append("  " + _("rule: {rule}").format(rule=p.rule) + "\n")
        if p.tracked:
            out.append("  " + _("already tracked by {id}").format(id=p.tracked) + "\n")
        out.append("\n")
    new = sum(1 for p in proposals if not p.tracked)
    tracked = len(proposals) - new
    out.append(
        ngettext("{n} proposal", "{n} proposals", new).format(n=new)
        + ", "
        + ngettext("{n} already tracked", "{n} already tracked", tracked).format(n=tracked)
        + "\n"
    )
    return "".join(out)


def prompt(which: str, **fill: str) -> str:
    """A question of the walk: `choice` (what to do with a proposal), `field` (which one to
    edit, among `fields`), `value` (its new value), `split` (where the second part starts)."""
    return {
        "choice": _("[a]ccept, [e]dit, [s]kip, s[p]lit, [m]erge with previous, [q]uit"),
        "field": _("field ({fields})"),
        "value": _("new value"),
        "split": _("the words the second part starts with"),
    }[which].format(**fill)


def nothing_added(walked: bool) -> str:
    """No commitment added: none accepted in the walk, or (`--accept all`) none new."""
    if walked:
        return _("nothing was added") + "\n"
    return _("nothing to add: every proposal is already tracked") + "\n"


def document_text(proposals: Sequence[Proposal], sid: str, fmt: str) -> str:
    """The proposals as a data file's fragment: `json` or `toml`."""
    from aes_tracker.extract.accept import document

    doc = document(proposals, sid)
    if fmt == "json":
        from aes_tracker.exchange import export_json

        return export_json(doc)
    import tomli_w

    return tomli_w.dumps(doc)
