"""The changing commands: each reads its options, then runs one change of the domain
(progress.py, sessions.py, editing.py) under the lock, through the undo journal."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aes_tracker.api.base import Base
from aes_tracker.api.types import (
    Changed,
    Edit,
    Imported,
    ImportRequest,
    NewOne,
    NewSource,
    Progress,
    maybe_day,
)
from aes_tracker.api.types import day as _day
from aes_tracker.errors import TrackerError
from aes_tracker.i18n import _, ngettext

if TYPE_CHECKING:
    from aes_tracker.domain.draft import Outcome, Who
    from aes_tracker.extract.propose import Proposal
    from aes_tracker.store.core import Draft


def resolve_in(d: Draft, given: str) -> str:
    """A commitment's ID, from any unique prefix of one, in the file a change works on."""
    from aes_tracker.domain.query import resolve_id

    return resolve_id(d.ids(), given)


class Changes(Base):
    def evidence(self, values: Sequence[str]) -> list[str]:
        """The --evidence values checked; a local file's path stored relative to the data file's
        folder (absolute outside it), so that every output resolves it from there."""
        from aes_tracker.domain.inputs import check_evidence

        base = str(self.location.path.parent) if values else None
        return check_evidence(values, base=base)

    def _progress(self, p: Progress) -> tuple[Who, date, list[str]]:
        who = self.who()
        day = maybe_day(p.on, who.today, "on") or who.today
        return who, day, self.evidence(p.evidence)

    def done(
        self, cid: str, p: Progress, *, host: str = "", place: str = "", force: bool = False
    ) -> Changed:
        """Mark a commitment done, or record a session of a recurring one."""
        from aes_tracker.domain import progress
        from aes_tracker.domain.draft import Entry

        who, day, proof = self._progress(p)
        return self.change(
            lambda d: progress.done(
                d,
                resolve_in(d, cid),
                who,
                Entry(
                    on=day,
                    note=p.note,
                    evidence=proof,
                    host=host,
                    force=force,
                    party=p.party or "",
                    place=place,
                ),
            )
        )

    def set_status(self, cid: str, status: str, p: Progress) -> Changed:
        from aes_tracker.domain import progress
        from aes_tracker.domain.draft import Entry
        from aes_tracker.domain.statuses import parse_status

        value = parse_status(status)
        who, day, proof = self._progress(p)
        return self.change(
            lambda d: progress.set_status(
                d,
                resolve_in(d, cid),
                value,
                who,
                Entry(on=day, note=p.note, evidence=proof, party=p.party or ""),
            )
        )

    def note(self, cid: str, text: str, p: Progress) -> Changed:
        from aes_tracker.domain import progress
        from aes_tracker.domain.draft import Entry

        who, day, proof = self._progress(p)
        return self.change(
            lambda d: progress.add_note(
                d,
                resolve_in(d, cid),
                who,
                Entry(on=day, note=text, evidence=proof, party=p.party or ""),
            )
        )

    def review(self, cid: str, p: Progress, next_review: str | None = None) -> Changed:
        """A review of an undated commitment; `next_review` is read from the review's day."""
        from aes_tracker.domain import progress
        from aes_tracker.domain.draft import Entry

        who = self.who()
        day = maybe_day(p.on, who.today, "on") or who.today
        nxt = None if next_review is None else _day(next_review, day, "next")
        proof = self.evidence(p.evidence)
        return self.change(
            lambda d: progress.review(
                d,
                resolve_in(d, cid),
                who,
                Entry(on=day, note=p.note, evidence=proof),
                next_review=nxt,
            )
        )

    def add(self, n: NewOne, *, force: bool = False) -> Changed:
        """Add a commitment: dated (`due`) or undated (`no_deadline` with a `review` date), with
        the communiqué's words (the rest of the rules: domain/editing.py, `add_commitment`)."""
        from aes_tracker.domain import editing as ops
        from aes_tracker.domain.statuses import parse_category

        who = self.who()
        cat = parse_category(n.category)
        due_day = maybe_day(n.due, who.today, "due")
        review_day = maybe_day(n.review, who.today, "review")
        if n.no_deadline and due_day is not None:
            raise TrackerError(_("--due and --no-deadline exclude each other: give one"))
        if n.no_deadline and review_day is None:
            raise TrackerError(_("--no-deadline needs --review DATE: when to look at it again"))
        if review_day is not None and not n.no_deadline:
            raise TrackerError(_("--review goes with --no-deadline"))
        if due_day is None and not n.no_deadline:
            raise TrackerError(_("give --due DATE, or --no-deadline with --review DATE"))
        if not n.quote.strip():
            raise TrackerError(
                _("the quote is missing: copy the communiqué's words"), field="quote"
            )
        # The request's fields under the same names, but those read above.
        given = {f.name: getattr(n, f.name) for f in dataclasses.fields(ops.NewCommitment)}
        read = {"category": cat, "parties": list(n.parties), "due": due_day, "review": review_day}
        new = ops.NewCommitment(**(given | read))
        return self.change(lambda d: ops.add_commitment(d, new, who, force=force))

    def edit(self, cid: str, e: Edit) -> Changed:
        from aes_tracker.domain import editing as ops
        from aes_tracker.domain.statuses import parse_category

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
        if e.due is not None and e.no_deadline:
            raise TrackerError(_("--due and --no-deadline exclude each other: give one"))
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
        from aes_tracker.domain import editing as ops

        return self.change(lambda d: ops.remove(d, resolve_in(d, cid), force=force))

    def add_source(self, s: NewSource) -> Changed:
        """Register a communiqué; its text, when given, is stored beside the data file."""
        from aes_tracker.domain import editing as ops
        from aes_tracker.store.fileread import read_file
        from aes_tracker.store.texts import decode_text, text_name, write_text

        when = _day(s.date, self.today, "date")
        text = None
        if s.text_file is not None:
            text = decode_text(read_file(Path(s.text_file)), s.text_file)
        path = self.location.path

        def add(d: Draft) -> Outcome:
            done = ops.add_source(
                d,
                s.id,
                title=s.title,
                day=when,
                details=s.details,
                parties=s.parties,
                text=text_name(s.id) if text is not None else "",
            )
            if text is not None:
                # Under the lock, once the ID is known to be new: no other source's text is
                # replaced.
                write_text(path, text_name(s.id), text)
            return done

        return self.change(add)

    def add_proposals(self, accepted: Sequence[Proposal], sid: str, text: str | None) -> Changed:
        """The accepted proposals of `extract` as commitments, in one change (one `undo` takes
        them all back); the source's text stored too when it had none (`text`)."""
        from aes_tracker.domain import editing as ops
        from aes_tracker.domain.draft import Outcome
        from aes_tracker.extract.accept import new_commitment
        from aes_tracker.store.texts import text_name, write_text

        who = self.who()
        path = self.location.path

        def fn(d: Draft) -> Outcome:
            ids = [ops.add_commitment(d, new_commitment(p, sid), who).cid for p in accepted]
            if text is not None:
                top = d.edit_top()
                top["sources"][sid]["text"] = text_name(sid)
                write_text(path, text_name(sid), text)
            line = ngettext("added {n} commitment: {ids}", "added {n} commitments: {ids}", len(ids))
            return Outcome(
                ids[0] if ids else sid,
                line.format(n=len(ids), ids=", ".join(ids)),
                f"extract {sid}: " + ", ".join(ids),
            )

        return self.change(fn)

    def import_(self, req: ImportRequest) -> Imported:
        """Merge a JSON export or a CSV into the file, all or nothing; with `dry_run`, on a copy
        that is never written."""
        from aes_tracker import importing
        from aes_tracker.domain.draft import Outcome
        from aes_tracker.store.core import preview
        from aes_tracker.store.fileread import read_file

        name = req.file
        incoming = importing.read_import(
            importing.decode_import(read_file(Path(name)), name), name, self.today
        )
        who = self.who()
        report: dict[str, list[str]] = {}

        def merge(d: Draft) -> Outcome:
            report.update(importing.merge(d, incoming, update=req.update, who=who, name=name))
            return Outcome("", _("import of {name}").format(name=name))

        if req.dry_run:
            preview(self.location, merge)
            return Imported(report, True)
        return Imported(report, False, self._update(merge, by=who.by)[1])
