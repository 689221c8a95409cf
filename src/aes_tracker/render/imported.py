"""What `import` says it did, or would do (`--dry-run`): one line per commitment (and what
differs, under each one updated or in conflict), then the counts; and the counts its commit in
git records."""

from __future__ import annotations

from collections.abc import Mapping

from aes_tracker.i18n import _, ngettext


def commit_body(report: Mapping[str, list[str]]) -> str:
    """The counts an import's commit records: of assessments, from a per-party CSV."""
    if "assessed" in report:
        return _("{a} assessments recorded").format(a=len(report["assessed"]))
    return _("{a} added, {u} updated").format(a=len(report["added"]), u=len(report["updated"]))


def import_lines(report: Mapping[str, list[str]], dry_run: bool) -> str:
    """The lines for an import's report (exchange.merge's lists), without the last newline."""
    # Whole sentences for each mode: a translation cannot put a "would be" in the right place.
    out = []
    if "assessed" in report:
        for label in report["assessed"]:
            line = (
                _("{id}: assessment would be recorded")
                if dry_run
                else _("{id}: assessment recorded")
            )
            out.append(line.format(id=label))
        for label in report["conflicts"]:
            out.append(
                _("{id}: conflict: differs from the data file (use --update)").format(id=label)
            )
        a = len(report["assessed"])
        summary = (
            ngettext(
                "{a} assessment would be recorded, {n} unchanged, {c} conflicts",
                "{a} assessments would be recorded, {n} unchanged, {c} conflicts",
                a,
            )
            if dry_run
            else ngettext(
                "{a} assessment recorded, {n} unchanged, {c} conflicts",
                "{a} assessments recorded, {n} unchanged, {c} conflicts",
                a,
            )
        )
        out.append(
            summary.format(a=a, n=len(report["assessments_unchanged"]), c=len(report["conflicts"]))
        )
        return "\n".join(out)
    labels = (
        {
            "added": _("would be added"),
            "updated": _("would be updated"),
            "sources": _("source would be added"),
        }
        if dry_run
        else {"added": _("added"), "updated": _("updated"), "sources": _("source added")}
    )
    # Under each commitment updated or in conflict, what differs: old → new.
    diffs = dict(line.split(": ", 1) for line in report["diffs"])
    for key in ("added", "updated", "sources"):
        for cid in report[key]:
            out.append(f"{cid}: {labels[key]}")
            if key == "updated" and cid in diffs:
                out.append(f"  {diffs[cid]}")
    for cid in report["conflicts"]:
        out.append(_("{id}: conflict: differs from the data file (use --update)").format(id=cid))
        if cid in diffs:
            out.append(f"  {diffs[cid]}")
    summary = (
        _("{a} would be added, {u} would be updated, {n} unchanged, {c} conflicts")
        if dry_run
        else _("{a} added, {u} updated, {n} unchanged, {c} conflicts")
    )
    out.append(
        summary.format(
            a=len(report["added"]),
            u=len(report["updated"]),
            n=len(report["unchanged"]),
            c=len(report["conflicts"]),
        )
    )
    return "\n".join(out)
