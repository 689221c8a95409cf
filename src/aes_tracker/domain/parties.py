"""The parties and their groups: the default parties, a group's members, and each party's
status on a commitment (its own assessment, its group's, or the commitment's).

Parties and groups. The top-level `parties` array lists the known parties; a party group (the
AES, for its three states) is declared once, in a table of its own:

    parties = ["AES", "Burkina Faso", "Mali", "Niger", "Russia"]

    [groups.AES]
    members = ["Burkina Faso", "Mali", "Niger"]

Not `[parties.AES]`: TOML cannot make `parties` both the array every existing file has and a
table, and a key whose type depends on the file would have to be read two ways by every reader
(this one, older versions of aes-tracker, people's scripts). With `groups` beside it, old files
read as before (no groups), and an older aes-tracker keeps `groups` as a key it does not know.
A group is a known party; its members are known parties and not groups themselves.

Per-party assessments. A commitment's `status` is the analyst's overall judgment. Its history may
also hold assessments of one party each (`event = "status"`, `party = "Mali"`): the latest one
of a party is that party's status. A group's assessment applies to each of its members that has
none of its own (`party_status`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from aes_tracker.domain.model import Commitment, Event, Summary
    from aes_tracker.domain.statuses import Status

# The parties of the AES–Russia partnership. A data file may widen the list with a top-level
# `parties` array (another partnership, another communiqué); a party outside it is a typo.
DEFAULT_PARTIES: tuple[str, ...] = ("AES", "Burkina Faso", "Mali", "Niger", "Russia")
# Party groups: a party that stands for several others. The communiqué names the three states of
# the Confederation and their ministers. A file with no `parties` key gets these defaults with the
# default parties; a file that lists its parties declares its groups itself (`[groups.NAME]`).
DEFAULT_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("AES", ("Burkina Faso", "Mali", "Niger")),
)

Groups = Mapping[str, tuple[str, ...]]  # a group's name -> its members


def default_groups() -> dict[str, tuple[str, ...]]:
    return dict(DEFAULT_GROUPS)


def groups_of(raw: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    """The groups of a document's top level, without checking them (see `check_document`): the
    well-formed `[groups.NAME]` tables; the default groups when the file names neither its
    parties nor its groups."""
    table = raw.get("groups")
    if table is None:
        return {} if "parties" in raw else default_groups()
    out: dict[str, tuple[str, ...]] = {}
    if isinstance(table, dict):
        for name, g in table.items():
            members = g.get("members") if isinstance(g, dict) else None
            if isinstance(members, list) and all(isinstance(m, str) for m in members):
                out[name] = tuple(members)
    return out


class PartyStatus(NamedTuple):
    """One party's status on a commitment, and where it comes from: its own assessment ("own"),
    its group's ("group", `via` names the group), or the commitment's status ("commitment")."""

    party: str
    status: Status
    source: str
    via: str = ""


def own_assessments(c: Summary | Commitment, groups: Groups) -> dict[str, Status]:
    """Each assessed party's own status, for the parties the commitment binds (named, or a
    member of a group that is). An assessment of a party removed since stays in the history,
    and no longer counts."""
    return {p: s for p, s in c.assessments if concerned(c, p, groups)}


def parties_differ(c: Summary | Commitment, groups: Groups) -> bool:
    """Per-party assessments are recorded and at least one differs from the commitment's own
    status: `list` marks the status (`in_progress*`)."""
    return any(s != c.status for s in own_assessments(c, groups).values())


def concerned(c: Summary | Commitment, party: str, groups: Groups) -> bool:
    """`party` is one of the commitment's parties, or a member of a group that is."""
    return party in c.parties or any(party in groups.get(g, ()) for g in c.parties)


def party_status(c: Summary | Commitment, party: str, groups: Groups) -> PartyStatus:
    """The party's own assessment; else that of a group of the commitment's parties it belongs
    to (the first such group, in the order of the commitment's parties, that has one); else the
    commitment's own status."""
    return party_statuses(c, (party,), groups)[0]


def party_statuses(
    c: Summary | Commitment, parties: Iterable[str], groups: Groups
) -> list[PartyStatus]:
    """`party_status` of each of `parties`, in linear time: the assessments and the groups'
    members are looked at once for all of them (one at a time, a commitment of 20,000 parties
    took 25 s in `stats`)."""
    own = dict(c.assessments)
    via: dict[str, str] = {}  # member -> the first assessed group of the commitment holding it
    for g in c.parties:
        if g in own:
            for m in groups.get(g, ()):
                if m != g:
                    via.setdefault(m, g)
    out = []
    for party in parties:
        if party in own:
            out.append(PartyStatus(party, own[party], "own"))
        elif party in via:
            out.append(PartyStatus(party, own[via[party]], "group", via[party]))
        else:
            out.append(PartyStatus(party, c.status, "commitment"))
    return out


class PartyLine(NamedTuple):
    """One line of a commitment's per-party view: the party's status, its latest assessment of
    its own (None when it has none), and the group it is listed under ("" for a named party)."""

    status: PartyStatus
    latest: Event | None
    member_of: str


def each_party(c: Commitment, groups: Groups) -> list[PartyLine]:
    """Every party the commitment binds, each named party followed by its members when it is a
    group, each once."""
    latest = c.latest_assessments()
    listed: list[tuple[str, str]] = []  # (party, the group it is listed under, or "")
    seen: set[str] = set()
    for p in c.parties:
        for q in (p, *groups.get(p, ())):
            if q not in seen:
                seen.add(q)
                listed.append((q, p if q != p else ""))
    out: list[PartyLine] = []
    for (q, under), ps in zip(
        listed, party_statuses(c, (q for q, _u in listed), groups), strict=True
    ):
        own = latest.get(q) if ps.source == "own" else None
        out.append(PartyLine(ps, own, under))
    return out


def expand(parties: Iterable[str], groups: Groups) -> tuple[str, ...]:
    """The parties with each group replaced by its members, each once, in order."""
    out: list[str] = []
    for p in parties:
        for q in groups.get(p, (p,)):
            if q not in out:
                out.append(q)
    return tuple(out)
