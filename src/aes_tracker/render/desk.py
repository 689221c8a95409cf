"""What the desk's commands say: the conflicts a merge left (each field's base, our and their
value, who changed it and when), that the git merge is still to finish once `resolve` settled
the last one, what `sync` received and sent (or would), and the conflicts the merge driver
met."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from aes_tracker.i18n import _, ngettext

if TYPE_CHECKING:
    from aes_tracker.desk.mergefile import Result
    from aes_tracker.desk.resolve import ConflictView
    from aes_tracker.desk.sync import Preview, Synced


def conflicts(views: Sequence[ConflictView]) -> str:
    """`resolve` without an option: what differs in each conflict, and how to settle it."""
    names = {"base": _("base"), "ours": _("ours"), "theirs": _("theirs")}
    width = max(len(n) for n in names.values())
    out: list[str] = []
    for v in views:
        if out:
            out.append("")
        out.append(_("{id} (line {line})").format(id=v.unit, line=v.line))
        for d in v.fields:
            indent = "  "
            if d.field:
                out.append(f"  {d.field}")
                indent = "    "
            rows = [("base", d.base, "", "")] if d.field else []
            rows += [("ours", d.ours.value, d.ours.by, d.ours.on)]
            rows += [("theirs", d.theirs.value, d.theirs.by, d.theirs.on)]
            for name, value, by, on in rows:
                shown = (
                    _("(removed)")
                    if value is None and name != "base"
                    else _("(not known)")
                    if value is None
                    else value.replace("\n", "\n" + indent + " " * (width + 2))
                )
                who = _("  ({by}, {on})").format(by=by, on=on) if by else ""
                out.append(f"{indent}{names[name]:<{width}}  {shown}{who}")
        out.append(
            _(
                "settle with: aes-tracker resolve {id} --ours (or --theirs, or --field KEY=VALUE)"
            ).format(id=v.unit)
        )
    return "\n".join(out) + "\n"


def merge_unfinished() -> str:
    """`resolve` settled the last conflict of a git merge still in progress (for stderr)."""
    return _("the git merge is not finished: `aes-tracker sync` finishes it and shares it") + "\n"


def merged_conflicts(result: Result, shown: str) -> str:
    """The merge driver's conflicts, one line each (for stderr)."""
    out = []
    for c in result.conflicts:
        what = ", ".join(f for f in c.fields if f) or _("removed on one side, changed on the other")
        out.append(
            _("conflict: {path}: {id}: {fields}").format(path=shown, id=c.label, fields=what) + "\n"
        )
    return "".join(out)


def received(changes: Sequence[tuple[str, str]], would: bool) -> str:
    """What `sync` received (or would receive), one line per author."""
    by_author: dict[str, list[str]] = {}
    for author, subject_line in changes:
        by_author.setdefault(author, []).append(subject_line.split(": ", 1)[0])
    out = []
    for author, heads in by_author.items():
        shown = heads if len(heads) <= 5 else [*heads[:5], "…"]
        line = (
            ngettext(
                "would receive: {n} change by {who} ({what})",
                "would receive: {n} changes by {who} ({what})",
                len(heads),
            )
            if would
            else ngettext(
                "received: {n} change by {who} ({what})",
                "received: {n} changes by {who} ({what})",
                len(heads),
            )
        )
        out.append(line.format(n=len(heads), who=author, what=", ".join(shown)) + "\n")
    return "".join(out)


def previewed(seen: Preview) -> str:
    """`sync --dry-run`: what would be received and sent."""
    out = [received(seen.incoming, would=True)]
    if seen.outgoing or seen.uncommitted:
        sent = ngettext("would send: {n} commit", "would send: {n} commits", seen.outgoing).format(
            n=seen.outgoing
        )
        if seen.uncommitted:
            sent = (
                sent + _(", and the changes not committed yet")
                if seen.outgoing
                else _("would send: the changes not committed yet")
            )
        out.append(sent + "\n")
    out.append(
        _("dry run with {remote}/{branch}: nothing was changed").format(
            remote=seen.remote, branch=seen.branch
        )
        + "\n"
    )
    return "".join(out)


def synced(done: Synced) -> str:
    """`sync`: what was received, committed and sent."""
    out = [received(done.changes, would=False)]
    if done.committed:
        out.append(
            _("committed the changes not committed yet ({commit})").format(commit=done.committed)
            + "\n"
        )
    out.append(
        _("synced with {remote}/{branch}: {received} received, {sent} sent").format(
            remote=done.remote, branch=done.branch, received=done.received, sent=done.sent
        )
        + "\n"
    )
    return "".join(out)
