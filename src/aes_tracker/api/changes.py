"""The changing commands: each reads its options, then runs one change of domain/changes.py
under the lock, through the undo journal."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aes_tracker.api.base import Base
from aes_tracker.api.types import (
    Changed,
    Edit,
    Imported,
    ImportRequest,
    NewSource,
    Progress,
    maybe_day,
)
from aes_tracker.api.types import day as _day
from aes_tracker.errors import TrackerError
from aes_tracker.i18n import _

if TYPE_CHECKING:
    from aes_tracker.domain.changes import NewCommitment, Who
    from aes_tracker.store.core import Draft


def resolve_in(d: Draft, given: str) -> str:
    """A commitment's ID, from any unique prefix of one, in the file a change works on."""
    from aes_tracker.domain.query import resolve_id

    return resolve_id(d.ids(), given)


class Changes(Base):
    def add(self, new: NewCommitment, *, force: bool = False) -> Changed:
        """Add a commitment (the rules: domain/changes.py, `add_commitment`)."""
        from aes_tracker.domain import changes as ops

        who = self.who()
        ops.check_new(new)
        return self.change(lambda d: ops.add_commitment(d, new, who, force=force))

    def import_(self, req: ImportRequest) -> Imported:
        """Merge a JSON export or a CSV into the file, all or nothing; with `dry_run`, on a copy
        that is never written."""
        from aes_tracker import exchange
        from aes_tracker.domain.changes import Outcome
        from aes_tracker.store.core import Draft, load, update
        from aes_tracker.store.fileio import read_file

        name = req.file
        incoming = exchange.read_import(exchange.decode_import(read_file(Path(name)), name), name)
        who = self.who()
        report: dict[str, list[str]] = {}

        def merge(d: Draft) -> Outcome:
            report.update(exchange.merge(d, incoming, update=req.update, who=who, name=name))
            return Outcome("", _("import of {name}").format(name=name))

        if req.dry_run:
            raw = load(self.location).raw
            cs = raw.pop("commitments", {})
            merge(Draft(self.location.path, raw, lambda cid: cs[cid], cs))
            return Imported(report, True)
        _result, written = update(
            self.location,
            merge,
            lock_timeout=self.lock_timeout,
            environ=self.environ,
            describe=lambda o: o.described,
            by=who.by,
        )
        return Imported(report, False, written)

    def done(self, cid: str, p: Progress, *, host: str = "", force: bool = False) -> Changed:
        """Mark a commitment done, or record a session of a recurring one."""
        from aes_tracker.domain import changes as ops

        who, day, proof = self._progress(p)
        return self.change(
            lambda d: ops.done(
                d,
                resolve_in(d, cid),
                who,
                on=day,
                note=p.note,
                evidence=proof,
                host=host,
                force=force,
                party=p.party,
            )
        )

    def set_status(self, cid: str, status: str, p: Progress) -> Changed:
        from aes_tracker.domain import changes as ops
        from aes_tracker.domain.model import parse_status

        value = parse_status(status)
        who, day, proof = self._progress(p)
        return self.change(
            lambda d: ops.set_status(
                d,
                resolve_in(d, cid),
                value,
                who,
                on=day,
                note=p.note,
                evidence=proof,
                party=p.party,
            )
        )

    def note(self, cid: str, text: str, p: Progress) -> Changed:
        from aes_tracker.domain import changes as ops

        who, day, proof = self._progress(p)
        return self.change(
            lambda d: ops.add_note(
                d, resolve_in(d, cid), text, who, on=day, evidence=proof, party=p.party
            )
        )

    def review(self, cid: str, p: Progress, next_review: str | None = None) -> Changed:
        """A review of an undated commitment; `next_review` is read from the review's day."""
        from aes_tracker.domain import changes as ops

        who = self.who()
        day = maybe_day(p.on, who.today, "on") or who.today
        nxt = None if next_review is None else _day(next_review, day, "next")
        proof = ops.check_evidence(p.evidence)
        return self.change(
            lambda d: ops.review(
                d, resolve_in(d, cid), who, on=day, next_review=nxt, note=p.note, evidence=proof
            )
        )

    def edit(self, cid: str, e: Edit) -> Changed:
        from aes_tracker.domain import changes as ops
        from aes_tracker.domain.model import parse_category

        who = self.who()
        changes: dict[str, Any] = {
            key: value
            for key, value in (
                ("title", e.title),
                ("title_fr", e.title_fr),
                ("due_reason", e.due_reason),
                ("review_reason", e.review_reason),
                ("quote", e.quote),
                ("source", e.source),
                ("recur", e.recur),
                ("notes", e.notes),
            )
            if value is not None
        }
        if e.category is not None:
            changes["category"] = parse_category(e.category)
        if e.parties:
            changes["parties"] = list(e.parties)
        if e.beneficiaries:
            changes["beneficiaries"] = list(e.beneficiaries)
        if e.timing:
            changes["timing"] = list(e.timing)
        ops.check_edit_deadline(e.due is not None, e.no_deadline)
        if e.due is not None:
            changes["due"] = _day(e.due, who.today, "due")
        if e.no_deadline:
            changes["due"] = None
        if e.review is not None:
            changes["review"] = _day(e.review, who.today, "review")
        if not changes and not e.add_parties and not e.remove_parties:
            raise TrackerError(
                _("nothing to change: give at least one field option"),
                hint=_("see 'aes-tracker edit --help'"),
            )
        return self.change(
            lambda d: ops.edit(
                d,
                resolve_in(d, cid),
                changes,
                who,
                note=e.note,
                add_parties=e.add_parties,
                remove_parties=e.remove_parties,
            )
        )

    def remove(self, cid: str, *, force: bool = False) -> Changed:
        from aes_tracker.domain import changes as ops

        return self.change(lambda d: ops.remove(d, resolve_in(d, cid), force=force))

    def add_source(self, s: NewSource) -> Changed:
        from aes_tracker.domain import changes as ops

        when = _day(s.date, self.today, "date")
        return self.change(
            lambda d: ops.add_source(
                d,
                s.id,
                title=s.title,
                day=when,
                place=s.place,
                language=s.language,
                url=s.url,
                publisher=s.publisher,
                author=s.author,
                parties=s.parties,
            )
        )

    def _progress(self, p: Progress) -> tuple[Who, date, list[str]]:
        from aes_tracker.domain.changes import check_evidence

        who = self.who()
        day = maybe_day(p.on, who.today, "on") or who.today
        return who, day, check_evidence(p.evidence)
