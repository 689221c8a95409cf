"""Selecting, sorting and describing commitments as plain rows: pure, `today` passed in.

One rule for every format: a row's `days_left` is the number of days to its due date while it is
open, and null once it is closed (or when it has no due date); `review_days_left` is the same for
the review date of an open undated one (negative: the review is that many days late). `overdue`
and `review_due` are false for a closed commitment. `status` is always the commitment's own;
`assessments` holds the parties' own, where any are recorded.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import date
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, overload, runtime_checkable

from aes_tracker.domain.dates import add, days_left, is_overdue
from aes_tracker.domain.model import Catalog, Summary
from aes_tracker.domain.parties import Groups, own_assessments
from aes_tracker.domain.statuses import parse_category, parse_status, status_info, statuses
from aes_tracker.domain.text import shown
from aes_tracker.errors import TrackerError
from aes_tracker.i18n import _

if TYPE_CHECKING:
    from dateutil.relativedelta import relativedelta  # dateutil stays off start-up

# The keys of a commitment in `list --format json|csv`, in this order; stable for scripts.
LIST_KEYS = (
    "id",
    "title",
    "title_fr",
    "category",
    "parties",
    "beneficiaries",
    "status",
    "open",
    "due",
    "original_due",
    "slip_days",
    "days_left",
    "overdue",
    "review",
    "review_due",
    "review_days_left",
    "recur",
    "next_host",
    "source",
    "updated",
    "assessments",
)
_FAR = date.max


def _iso(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


@runtime_checkable
class Columns(Protocol):
    """Summaries as columns: each field's values in row order (dates as dates)."""

    def __len__(self) -> int: ...

    def field(self, name: str) -> Sequence[Any]: ...

    def summary(self, i: int) -> Summary: ...


class SummaryColumns:
    """`Columns` of a list of summaries."""

    def __init__(self, cs: Sequence[Summary]) -> None:
        self.summaries = cs
        self._fields: list[Sequence[Any]] | None = None

    def __len__(self) -> int:
        return len(self.summaries)

    def field(self, name: str) -> Sequence[Any]:
        if self._fields is None:
            self._fields = list(zip(*self.summaries, strict=True)) or [()] * len(Summary._fields)
        return self._fields[_FIELD[name]]

    def summary(self, i: int) -> Summary:
        return self.summaries[i]


_FIELD = {f: i for i, f in enumerate(Summary._fields)}


class RowList(Sequence[dict[str, Any]]):
    """`row` of each commitment, made when it is read: what list and due print, without holding
    10,000 dicts at once (the openness of each status looked up once, not once per row). Each
    renderer reads the rows once, in order, or their fields column by column (`column`): from
    the summaries, or from the parse cache's columns without a summary per row (`index`: the
    rows chosen, in order)."""

    def __init__(
        self,
        cs: Iterable[Summary] | Columns,
        today: date,
        groups: Groups,
        index: Sequence[int] | None = None,
    ) -> None:
        self._cols: Columns = cs if isinstance(cs, Columns) else SummaryColumns(list(cs))
        self._index = index
        self._today = today
        self._groups = groups
        self._opens: dict[str, bool] = {s.name: s.open for s in statuses()}
        self._columns: dict[str, list[Any]] = {}
        self._summaries: Sequence[Summary] | None = None

    def __len__(self) -> int:
        return len(self._cols) if self._index is None else len(self._index)

    @overload
    def __getitem__(self, i: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, i: slice) -> list[dict[str, Any]]: ...
    def __getitem__(self, i: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(i, slice):
            return [self._row(c) for c in self.summaries[i]]
        return self._row(self.summaries[i])

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return map(self._row, self.summaries)

    def _row(self, c: Summary) -> dict[str, Any]:
        return row(c, self._today, self._opens.get(c.status, False), groups=self._groups)

    @property
    def summaries(self) -> Sequence[Summary]:
        if self._summaries is None:
            cols = self._cols
            if self._index is None and isinstance(cols, SummaryColumns):
                self._summaries = cols.summaries
            else:
                index = range(len(cols)) if self._index is None else self._index
                self._summaries = list(map(cols.summary, index))
        return self._summaries

    def column(self, name: str) -> list[Any]:
        """A field of every row, in order (`Summary`'s names)."""
        col = self._columns.get(name)
        if col is None:
            values = self._cols.field(name)
            col = (
                list(values) if self._index is None else list(map(values.__getitem__, self._index))
            )
            self._columns[name] = col
        return col

    def summary(self, k: int) -> Summary:
        """Row `k`'s summary (made for it alone, when the rows are the cache's columns)."""
        if self._summaries is not None:
            return self._summaries[k]
        return self._cols.summary(k if self._index is None else self._index[k])

    @property
    def today(self) -> date:
        return self._today

    @property
    def groups(self) -> Groups:
        return self._groups

    def is_open(self, status: str) -> bool:
        return self._opens.get(status, False)

    def party_names(self) -> set[str]:
        """Every party the rows name (each row's `parties`), without making the rows."""
        return {p for ps in set(self.column("parties")) for p in ps}


def rows(cs: Iterable[Summary], today: date, groups: Groups) -> RowList:
    return RowList(cs, today, groups)


def row(c: Summary, today: date, is_open: bool | None = None, *, groups: Groups) -> dict[str, Any]:
    """A commitment as a flat dict with the LIST_KEYS, JSON-ready (`groups`: the file's party
    groups, to tell which assessed parties the commitment still binds)."""
    if is_open is None:
        is_open = c.is_open
    slip = (c.due - c.original_due).days if c.due and c.original_due else None
    return {
        "id": c.id,
        "title": c.title,
        "title_fr": c.title_fr or None,
        "category": c.category,
        "parties": list(c.parties),
        "beneficiaries": list(c.beneficiaries),
        "status": c.status,
        "open": is_open,
        "due": _iso(c.due),
        "original_due": _iso(c.original_due),
        "slip_days": slip,
        "days_left": days_left(c.due, today) if c.due is not None and is_open else None,
        "overdue": is_overdue(c.due, is_open, today),
        "review": _iso(c.review),
        "review_due": is_open and c.due is None and c.review is not None and c.review <= today,
        # Like days_left, for the review date of an open undated one: negative when it is late.
        "review_days_left": days_left(c.review, today)
        if is_open and c.due is None and c.review is not None
        else None,
        "recur": c.recur or None,
        "next_host": c.next_host or None,
        "source": c.source,
        "updated": _iso(c.updated),
        # Each assessed party's own status (`status ID S --party P`), of the parties it still
        # binds; the status above stays the commitment's own.
        "assessments": own_assessments(c, groups) if c.assessments else {},
    }


def review_due(c: Summary, today: date) -> bool:
    """An open commitment with no due date whose review date has come: review date ≤ today."""
    return c.due is None and c.review is not None and c.review <= today and c.is_open


def review_soon(c: Summary, today: date, end: date) -> bool:
    """Its review date comes after today but by `end`."""
    return c.due is None and c.review is not None and today < c.review <= end and c.is_open


class Filter(NamedTuple):
    statuses: Sequence[str] = ()
    categories: Sequence[str] = ()
    parties: Sequence[str] = ()
    sources: Sequence[str] = ()
    overdue: bool = False
    due_within: relativedelta | None = None
    due_before: date | None = None
    due_after: date | None = None
    search: str = ""
    open: bool | None = None  # True: open only; False: closed only
    # The file's party groups: a member of a group is a party to the group's commitments.
    groups: Groups = MappingProxyType({})  # read-only: one empty default serves every filter

    def matcher(
        self, today: date, haystack: Callable[[Summary], str] | None = None
    ) -> Callable[[Summary], bool]:
        wanted = set(self.statuses)
        categories = set(self.categories)
        parties = {p.casefold() for p in self.parties}
        sources = set(self.sources)
        needle = fold(self.search) if self.search else ""
        end = add(today, self.due_within) if self.due_within is not None else None

        def match(c: Summary) -> bool:
            if wanted and c.status not in wanted:
                return False
            if categories and c.category not in categories:
                return False
            if parties and not binds(c, parties, self.groups):
                return False
            if sources and c.source not in sources:
                return False
            if self.open is not None and c.is_open != self.open:
                return False
            if self.overdue and not is_overdue(c.due, c.is_open, today):
                return False
            if end is not None and (c.due is None or c.due > end):
                return False
            if self.due_before is not None and (c.due is None or c.due >= self.due_before):
                return False
            if self.due_after is not None and (c.due is None or c.due <= self.due_after):
                return False
            if needle:
                text = haystack(c) if haystack is not None else c.title
                return needle in fold(text)
            return True

        return match


def binds(c: Summary, parties: set[str], groups: Groups) -> bool:
    """The commitment binds one of `parties` (case-folded names): it names it, or a group it
    is a member of. A group's name matches the group's own commitments, not its members'."""
    for p in c.parties:
        if p.casefold() in parties:
            return True
        if any(m.casefold() in parties for m in groups.get(p, ())):
            return True
    return False


def filter_of(
    catalog: Catalog,
    *,
    statuses: Iterable[str] = (),
    categories: Iterable[str] = (),
    parties: Iterable[str] = (),
    sources: Iterable[str] = (),
    **rest: Any,
) -> Filter:
    """The filter the read commands share, from the words typed: statuses and categories by
    name, parties and sources resolved as IDs are (a unique prefix; a near miss gets "did you
    mean"). `rest` are the other fields of `Filter`, as they are."""
    return Filter(
        statuses=[parse_status(x) for x in statuses],
        categories=[parse_category(x) for x in categories],
        parties=[resolve_party(catalog.parties, p) for p in parties],
        sources=[resolve_id(catalog.sources, s, "source", "source") for s in sources],
        groups=catalog.groups,
        **rest,
    )


def narrow(catalog: Catalog, f: Filter, today: date) -> Catalog:
    """The catalog with only the commitments `f` matches: what due, report, log, timeline and
    stats read under --party, --category, --source and --status."""
    if plain(f) and f.open is None:
        return catalog
    match = f.matcher(today)
    return replace(catalog, commitments={k: c for k, c in catalog.commitments.items() if match(c)})


def select(
    commitments: Iterable[Summary],
    today: date,
    f: Filter,
    haystack: Callable[[Summary], str] | None = None,
) -> list[Summary]:
    match = f.matcher(today, haystack)
    return [c for c in commitments if match(c)]


def _status_rank() -> dict[str, int]:
    return {s.name: i for i, s in enumerate(statuses())}


def _by_due(c: Summary) -> Any:
    return _due_key(c.due, c.review, c.id)


def _due_key(due: date | None, review: date | None, cid: str) -> Any:
    # Dated ones first by due date, then undated ones by review date, then ID.
    return (due is None, due or review or _FAR, cid)


# The sort keys of `list --sort`, declared once: the CLI's choices come from here.
SORTS: dict[str, Callable[[Summary], Any]] = {
    "due": _by_due,
    "id": lambda c: c.id,
    "status": lambda c: (_status_rank().get(c.status, 99), c.id),
    "category": lambda c: (c.category, c.id),
    "updated": lambda c: (c.updated or date.min, c.id),
}


def sort(cs: list[Summary], key: str = "due", reverse: bool = False) -> list[Summary]:
    if key == "status":
        rank = _status_rank()
        return sorted(cs, key=lambda c: (rank.get(c.status, 99), c.id), reverse=reverse)
    return sorted(cs, key=SORTS[key], reverse=reverse)


def plain(f: Filter) -> bool:
    """`f` asks for nothing but open or closed ones (whatever its empty values: `()`, `[]`):
    `choose` answers it from the columns."""
    return not (
        f.statuses
        or f.categories
        or f.parties
        or f.sources
        or f.overdue
        or f.due_within is not None
        or f.due_before is not None
        or f.due_after is not None
        or f.search
    )


def choose(
    cols: Columns, f: Filter, open_by_default: bool, reverse: bool = False
) -> tuple[list[int], int]:
    """`select` under a `plain` filter, then the open ones when `open_by_default`, then `sort`
    by due date, read from the columns, without a summary per row: the rows' indices, and how
    many closed ones `open_by_default` left out."""
    status = cols.field("status")
    opens = {s: status_info(s).open for s in set(status)}
    is_open = list(map(opens.__getitem__, status))
    keep: Iterable[int] = range(len(is_open))
    if f.open is not None:
        keep = [i for i in keep if is_open[i] == f.open]
    hidden = 0
    if open_by_default:
        shown = [i for i in keep if is_open[i]]
        hidden, keep = len(keep) - len(shown), shown  # type: ignore[arg-type]
    due, review, ids = cols.field("due"), cols.field("review"), cols.field("id")
    return sorted(keep, key=lambda i: _due_key(due[i], review[i], ids[i]), reverse=reverse), hidden


def due_soon(commitments: Iterable[Summary], today: date, within: relativedelta) -> list[Summary]:
    """Open commitments overdue or due by today + within, and open undated ones whose review date
    has come: the overdue ones first, most overdue first, then by date."""
    cs = list(commitments)
    return [cs[i] for i in due_index(SummaryColumns(cs), today, within)]


def due_index(cols: Columns, today: date, within: relativedelta) -> list[int]:
    """`due_soon`, as the rows' indices, read from the columns (the cache's, or those of a
    list of summaries) without a summary per row."""
    end = add(today, within)
    status = cols.field("status")
    opens = {s: status_info(s).open for s in set(status)}
    due, review, ids = cols.field("due"), cols.field("review"), cols.field("id")
    # Open, and due by the end, or undated with the review date come (`review_due`).
    found = [
        i
        for i, (s, d, r) in enumerate(zip(status, due, review, strict=True))
        if opens[s] and (d <= end if d is not None else r is not None and r <= today)
    ]

    def key(i: int) -> Any:
        d = due[i]
        return (not (d is not None and d < today), d or review[i] or _FAR, ids[i])

    return sorted(found, key=key)


# ---- finding by ID, and searching text ---------------------------------------------------------


def resolve_id(
    ids: Iterable[str], given: str, what: str = "commitment", field: str | None = None
) -> str:
    """An exact ID (any case), or the one ID that starts with `given` (as git does with commit
    hashes); a near miss gets "did you mean"."""
    ids = list(ids)
    key = given.strip().casefold()
    found = _by_prefix(ids, given, key, str.casefold, _("give more of the ID"), field)
    if found is not None:
        return found
    import difflib

    close = difflib.get_close_matches(key, ids, n=3, cutoff=0.6)
    message = (
        _("no commitment {value}") if what == "commitment" else _("no source {value}")
    ).format(value=shown(given))
    hint = (
        _("did you mean {ids}?").format(ids=_(" or ").join(close))
        if close
        else _("`aes-tracker list` shows the IDs")
        if what == "commitment"
        else _("`aes-tracker source list` shows the IDs")
    )
    raise TrackerError(message, hint=hint, field=field)


def _by_prefix(
    names: Sequence[str],
    given: str,
    key: str,
    norm: Callable[[str], str],
    more: str,
    field: str | None,
) -> str | None:
    """The name equal to `key` once normalised (`norm`), else the one that starts with it (as
    git does with commit hashes); several raise "ambiguous" with the hint `more`; None: no
    name starts with it (the caller says what is near)."""
    exact = [n for n in names if norm(n) == key]
    if exact:
        return exact[0]
    matches = sorted(n for n in names if norm(n).startswith(key)) if key else []
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise TrackerError(
            _("{value} is ambiguous: it starts {ids}").format(
                value=shown(given), ids=", ".join(matches)
            ),
            hint=more,
            field=field,
        )
    return None


def resolve_party(parties: Sequence[str], given: str, field: str | None = "party") -> str:
    """A party of the file by its name or the one name that starts with `given`, any case,
    accents and punctuation ignored (`burkina` is Burkina Faso); a near miss gets "did you
    mean"."""
    key = fold(given)
    found = _by_prefix(parties, given, key, fold, _("give more of the name"), field)
    if found is not None:
        return found
    import difflib

    folded = {fold(p): p for p in parties}
    close = [folded[k] for k in difflib.get_close_matches(key, folded, n=3, cutoff=0.6)]
    raise TrackerError(
        _("'{value}' is not a known party (one of: {choices})").format(
            value=given, choices=", ".join(parties)
        ),
        hint=_("did you mean {ids}?").format(ids=_(" or ").join(close)) if close else None,
        field=field,
    )


def fold(text: str) -> str:
    """For searching: lower case, no accents, and punctuation as spaces, so that `d'intensifier`
    finds `d’intensifier` and `bamako-dakar` finds `Bamako–Dakar`."""
    nfkd = unicodedata.normalize("NFKD", text.casefold())
    out = []
    for ch in nfkd:
        if unicodedata.combining(ch):
            continue
        cat = unicodedata.category(ch)
        out.append(" " if cat[0] in "PSZC" else ch)
    return " ".join("".join(out).split())
