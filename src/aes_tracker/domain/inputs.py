"""Checks on what a person types into a change: evidence (a web URL or a file that exists), a
party (one of the file's, or one the commitment binds), a source.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from aes_tracker.domain.parties import concerned, expand
from aes_tracker.domain.query import resolve_id
from aes_tracker.domain.text import check_text, evidence_kind, shown
from aes_tracker.errors import TrackerError
from aes_tracker.i18n import _

if TYPE_CHECKING:
    from aes_tracker.domain.draft import Draft
    from aes_tracker.domain.model import Commitment


def check_evidence(
    values: Sequence[str],
    exists: Callable[[str], bool] = os.path.exists,
    base: str | None = None,
) -> list[str]:
    """Evidence is an absolute http(s) URL or a file that exists. A file is stored relative to
    `base` (the data file's folder) when it is in it, else absolute, so that it still resolves
    from another folder tomorrow (`local_evidence`)."""
    out = []
    for v in values:
        v = check_text(v.strip(), "evidence")
        kind = evidence_kind(v)
        if kind == "url":
            out.append(v)
        elif kind == "path" and exists(v):
            out.append(local_evidence(v, base) if base is not None else v)
        else:
            raise TrackerError(
                _("{value} is neither an http(s) URL nor a file that exists").format(
                    value=shown(v)
                ),
                hint=_("give a full link such as https://example.org/article, or a file's path"),
                field="evidence",
            )
    return out


def local_evidence(path: str, base: str) -> str:
    """`path` (read from the current folder) as the file stores it: relative to `base` when it
    is under it, with '/' whatever the system, else absolute. A first part with a colon in it
    is written ./a:b, so that it is not read as a URL's scheme."""
    from pathlib import Path, PurePosixPath

    full = Path(path).resolve()
    try:
        rel = PurePosixPath(full.relative_to(Path(base).resolve()).as_posix())
    except ValueError:
        return full.as_posix()
    return f"./{rel}" if ":" in rel.parts[0] else str(rel)


def match_party(d: Draft, party: str) -> str:
    known = d.parties()
    for k in known:
        if k.casefold() == party.strip().casefold():
            return k
    raise TrackerError(
        _("{value} is not a known party (one of: {choices})").format(
            value=shown(party), choices=", ".join(known)
        ),
        hint=_(
            "a new partnership's parties are added with `aes-tracker source add ... --party NAME`"
        ),
        field="party",
    )


def check_party_of(d: Draft, c: Commitment, party: str) -> str:
    """A party the commitment binds: one of its parties, or a member of a group that is."""
    p = match_party(d, party)
    if not concerned(c, p, d.groups()):
        members = expand(c.parties, d.groups())
        also = [m for m in members if m not in c.parties]
        raise TrackerError(
            _("{party} is not a party to {id} (its parties: {parties})").format(
                party=p,
                id=c.id,
                parties=", ".join(c.parties)
                + (_("; members: {members}").format(members=", ".join(also)) if also else ""),
            ),
            field="party",
        )
    return p


def check_parties(d: Draft, parties: Sequence[str], field: str = "party") -> list[str]:
    """The known parties these name; an unknown one is an error about `field` (the CLI names
    the option it came from: --party, --add-party, --remove-party)."""
    out: list[str] = []
    for p in parties:
        try:
            match = match_party(d, p)
        except TrackerError as e:
            if e.field in ("party", "parties"):
                e.field = field
            raise
        if match not in out:
            out.append(match)
    return out


def check_source(d: Draft, source: str) -> str:
    return resolve_id(d.source_ids(), source, "source", "source") if source else source


def default_source(d: Draft) -> str:
    """The source of a commitment added without one: the file's only source."""
    ids = d.source_ids()
    if not ids:
        raise TrackerError(
            _("this file has no source yet"),
            hint=_("register the communiqué with `aes-tracker source add`"),
            field="source",
        )
    if len(ids) > 1:
        raise TrackerError(
            _("this file has several sources; say which with --source ({ids})").format(
                ids=", ".join(ids)
            ),
            field="source",
        )
    return ids[0]
