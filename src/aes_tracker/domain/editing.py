"""Adding, editing and removing commitments, and adding a source: the changes to what a
commitment is (its title, parties, due date, rule), as opposed to what happened to it
(progress.py). Every field changed is recorded in the history entry's `changes`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from aes_tracker.domain import notes
from aes_tracker.domain.draft import Outcome
from aes_tracker.domain.history import history_entry, history_of
from aes_tracker.domain.ids import check_id, slug
from aes_tracker.domain.inputs import check_parties, check_source, default_source
from aes_tracker.domain.model import COMMITMENT_KEYS, SOURCE_DETAILS, Change, change_value
from aes_tracker.domain.notes import change_words
from aes_tracker.domain.query import fold
from aes_tracker.domain.recurrence import check_rule
from aes_tracker.domain.sessions import reschedule
from aes_tracker.domain.statuses import PENDING, Category, category_info
from aes_tracker.domain.text import check_text, shown
from aes_tracker.errors import TrackerError
from aes_tracker.i18n import _, colon

if TYPE_CHECKING:
    from aes_tracker.domain.draft import Draft, Who


@dataclass(frozen=True)
class NewCommitment:
    title: str
    category: Category
    parties: Sequence[str]
    quote: str
    source: str | None = None
    beneficiaries: Sequence[str] = ()
    due: date | None = None
    review: date | None = None
    review_reason: str = ""
    due_reason: str = ""
    recur: str = ""
    timing: Sequence[str] = ()
    hosts: Sequence[str] = ()
    notes: str = ""
    title_fr: str = ""
    cid: str | None = None


def add_commitment(d: Draft, new: NewCommitment, who: Who, *, force: bool = False) -> Outcome:
    title = check_text(new.title, "title")
    quote = check_text(new.quote, "quote")
    for f, v in (
        ("review_reason", new.review_reason),
        ("due_reason", new.due_reason),
        ("notes", new.notes),
        ("title_fr", new.title_fr),
    ):
        if v:
            check_text(v, f)
    if not new.parties:
        raise TrackerError(_("name at least one committing party"), field="party")
    party_list = check_parties(d, new.parties)
    src = check_source(d, new.source) if new.source else default_source(d)
    if (new.due is None) == (new.review is None):
        raise TrackerError(
            _("give either a due date, or no deadline and a review date"), field="due"
        )
    if not force:
        same_title = [
            cid
            for cid in d.ids()
            if (s := d.summary(cid)).source == src and fold(s.title) == fold(title)
        ]
        if same_title:
            raise TrackerError(
                _("{id} has the same title and source; nothing was added").format(id=same_title[0]),
                hint=_("add --force to add it anyway"),
            )
    if new.cid is None:
        cid = slug(new.category, title, d.ids())
    else:
        cid = check_id(new.cid)
        if d.has(cid):
            raise TrackerError(
                _("a commitment {id} already exists").format(id=shown(cid)), field="id"
            )
    t: dict[str, Any] = {"title": title}
    if new.title_fr:
        t["title_fr"] = new.title_fr
    t.update(category=new.category, parties=party_list)
    if new.beneficiaries:
        t["beneficiaries"] = [check_text(b, "beneficiaries") for b in new.beneficiaries]
    t.update(source=src, quote=quote)
    if new.timing:
        t["timing"] = [check_text(x, "timing") for x in new.timing]
    t["status"] = PENDING
    if new.due is not None:
        t["due"] = new.due
        if new.due_reason:
            t["due_reason"] = new.due_reason
    else:
        t.update(no_deadline=True, review=new.review)
        if new.review_reason:
            t["review_reason"] = new.review_reason
    if new.recur:
        check_rule(new.recur)
        if new.due is None:
            raise TrackerError(
                _("a recurring commitment needs a due date: its next session"), field="due"
            )
        t.update(recur=new.recur, recur_start=new.due)
        if new.hosts:
            t["hosts"] = [check_text(h, "host") for h in new.hosts]
            t["next_host"] = new.hosts[0]
    if new.notes:
        t["notes"] = new.notes
    t["history"] = [
        history_entry(
            "recorded",
            who.today,
            PENDING,
            who,
            note=notes.ADDED.format(source=src),
        )
    ]
    d.add(cid, t)
    return Outcome(cid, cid, notes.DID_ADD.format(id=cid, on=who.today, by=who.by))


# Fields `edit` sets directly: every field of a commitment but those that the status, the history
# or the recurrence set.
EDITABLE = tuple(
    k
    for k in COMMITMENT_KEYS
    if k
    not in {"status", "original_due", "no_deadline", "recur_start", "hosts", "next_host", "history"}
)
_TEXTS = ("title", "title_fr", "quote", "due_reason", "review_reason", "notes", "source", "recur")


def edit(
    d: Draft,
    cid: str,
    changes: Mapping[str, Any],
    who: Who,
    *,
    note: str = "",
    add_parties: Sequence[str] = (),
    remove_parties: Sequence[str] = (),
) -> Outcome:
    """Change fields. A changed due date keeps the first due date in `original_due`, so the slip
    stays visible. `due` on an undated commitment clears `no_deadline`, `review` and
    `review_reason`; `review` with `due=None` does the reverse. Every field changed is recorded
    in the history entry's `changes`, so nothing set before is lost from the record."""
    c = d.commitment(cid)
    t = d.table(cid)
    done: list[Change] = []

    def setv(key: str, value: Any) -> None:
        before = t.get(key)
        if value in ("", [], None, False):
            t.pop(key, None)
            value = None
        else:
            t[key] = value
        if change_value(before) != change_value(value):
            done.append(Change(key, change_value(before), change_value(value)))

    for key, value in changes.items():
        if key not in EDITABLE:
            raise TrackerError(_("{field} cannot be edited").format(field=key), field=key)
        if key in ("due", "review"):
            continue  # below, with the fields they clear
        if key in _TEXTS and (value or key in ("title", "quote")):
            value = check_text(value, key)
        if key == "parties":
            value = check_parties(d, value)
            if not value:
                raise TrackerError(_("name at least one committing party"), field="party")
        elif key in ("beneficiaries", "timing"):
            value = [check_text(v, key) for v in value]
        elif key == "source":
            value = check_source(d, value)
        elif key == "category":
            category_info(value)
        elif key == "recur" and value:
            check_rule(value)
        setv(key, value)
    if t.get("recur") and t.get("recur") != c.recur:
        # A new rule is a new schedule: the next due date (and host, or the end of the series)
        # from the rule and the sessions recorded, as after a session. A --due given with it is
        # then a moved session, below.
        done += reschedule(t, dataclasses.replace(c, recur=t["recur"]))
    if add_parties or remove_parties:
        current = list(t.get("parties", []))
        for p in check_parties(d, add_parties, "add_party"):
            if p not in current:
                current.append(p)
        for p in check_parties(d, remove_parties, "remove_party"):
            if p not in current:
                raise TrackerError(
                    _("{party} is not a party to {id}").format(party=p, id=cid),
                    field="remove_party",
                )
            current.remove(p)
        if not current:
            raise TrackerError(_("name at least one committing party"), field="remove_party")
        setv("parties", current)
    due_given, due = "due" in changes, changes.get("due")
    review_given, review_day = "review" in changes, changes.get("review")
    if due_given and due is not None:
        if review_given and review_day is not None:
            raise TrackerError(_("give a due date or a review date, not both"), field="review")
        before = t.get("due")
        if before is not None and before != due and "original_due" not in t:
            t["original_due"] = before
        setv("due", due)
        # Dated now: the review fields no longer apply (their values stay in `changes`).
        setv("no_deadline", None)
        setv("review", None)
        setv("review_reason", None)
    elif due_given:
        if c.recur:
            raise TrackerError(
                _("a recurring commitment needs a due date: its next session"), field="due"
            )
        review_day = review_day if review_given else t.get("review")
        if review_day is None:
            raise TrackerError(
                _("a commitment with no deadline needs a review date"), field="review"
            )
        setv("due", None)
        setv("no_deadline", True)
        setv("review", review_day)
    elif review_given and review_day is not None:
        if t.get("due") is not None:
            raise TrackerError(
                _(
                    "{id} has a due date; to make it undated, give no deadline with the review date"
                ).format(id=cid),
                field="review",
            )
        setv("review", review_day)
    if t.get("due") is None and not t.get("no_deadline"):
        raise TrackerError(
            _("a commitment needs a due date, or no deadline and a review date"), field="due"
        )
    if t.get("recur") and t.get("due") is None:
        raise TrackerError(
            _("a recurring commitment needs a due date: its next session"), field="due"
        )
    if not done:
        raise TrackerError(_("nothing to change: the values given are the current ones"))
    if note:
        check_text(note, "note")
    history_of(t).append(
        history_entry(
            "edit", who.today, str(t.get("status", c.status)), who, note=note, changes=done
        )
    )
    given = {*changes, *(["parties"] if add_parties or remove_parties else [])}
    echo = _edit_echo(done, given)
    said = _edit_echo(done, given, change_words)
    return Outcome(
        cid,
        f"{cid}{colon()}{said}",
        notes.DID_EDIT.format(id=cid, changes=echo, on=who.today, by=who.by),
    )


def _edit_echo(
    done: Sequence[Change], given: Iterable[str], words: Callable[[str], str] = str
) -> str:
    """What `edit` says it did: the fields given, old → new, and the names of the fields it
    cleared as a consequence (the history keeps their old values in full)."""
    asked = set(given)
    said = [c for c in done if c.field in asked or c.after]
    cleared = [c.field for c in done if c.field not in asked and not c.after]
    text = "; ".join(words(c.text()) for c in said)
    if cleared:
        text += ("; " if text else "") + _("cleared: {fields}").format(fields=", ".join(cleared))
    return text


def remove(d: Draft, cid: str, *, force: bool = False) -> Outcome:
    """Remove a commitment added by mistake. One whose history holds more than its `recorded`
    entry (someone worked on it) needs `force`; `undo` brings it back either way."""
    c = d.commitment(cid)
    work = [e for e in c.history if e.event != "recorded"]
    if work and not force:
        raise TrackerError(
            _("{id} has {n} history entries besides its recording; nothing was removed").format(
                id=cid, n=len(work)
            ),
            hint=_("add --force to remove it with its history (undo brings it back)"),
        )
    d.remove(cid)
    return Outcome(cid, _("{id}: removed").format(id=cid), notes.DID_RM.format(id=cid))


def add_source(
    d: Draft,
    sid: str,
    *,
    title: str,
    day: date,
    details: Mapping[str, str] | None = None,
    parties: Sequence[str] = (),
    text: str = "",
) -> Outcome:
    """Register source `sid`: its `details` are its words named in `SOURCE_DETAILS` (place,
    language, ...); `parties` not yet known are added to the file's list; `text` is where its
    text is stored, beside the data file."""
    check_id(sid)
    if sid in d.source_ids():
        raise TrackerError(_("a source {id} already exists").format(id=shown(sid)), field="id")
    check_text(title, "title")
    s: dict[str, Any] = {"title": title, "date": day}
    given = details or {}
    for k, v in (*((k, given.get(k, "")) for k in SOURCE_DETAILS), ("text", text)):
        if v:
            s[k] = check_text(v, k)
    top = d.edit_top()
    top.setdefault("sources", {})[sid] = s
    known = list(d.parties())
    new = [check_text(p.strip(), "party") for p in parties if p.strip() and p.strip() not in known]
    if new:
        top["parties"] = [*known, *new]
    return Outcome(sid, sid, f"source add {sid}")
