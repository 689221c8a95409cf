"""The read side's fast paths (issue 25) each give the same bytes as the full path they stand
in for: `--version` answered before the app is built, ..."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from aes_tracker.cli import app
from aes_tracker.domain.asof import document_as_of, unsettled
from aes_tracker.domain.model import Summary
from aes_tracker.domain.parties import DEFAULT_GROUPS
from aes_tracker.domain.query import rows
from aes_tracker.render import Output, renderer
from aes_tracker.render.rows import Rows
from aes_tracker.store import core as store
from aes_tracker.store.paths import Location, cache_home

from .conftest import ROOT, Cli, bare_env


def test_version_before_the_app_is_the_apps_version(tmp_path: Path) -> None:
    """`aes-tracker --version` answered by the entry point prints what the app prints."""
    fast = subprocess.run(
        [sys.executable, "-m", "aes_tracker", "--version"],
        env=bare_env(tmp_path),
        capture_output=True,
        check=False,
    )
    full = CliRunner().invoke(app, ["--version"])
    assert (fast.returncode, fast.stdout.decode(), fast.stderr) == (
        full.exit_code,
        full.stdout,
        b"",
    )
    # And what needs the app still reaches it: a language that is none is an error.
    bad = subprocess.run(
        [sys.executable, "-m", "aes_tracker", "--version"],
        env=bare_env(tmp_path, AES_TRACKER_LANG="xx"),
        capture_output=True,
        check=False,
    )
    assert bad.returncode == 2 and bad.stderr.startswith(b"error: ")


# ---- --as-of from the cache ------------------------------------------------------------------


def _generated(tmp: Path, n: int) -> Path:
    """A file of `n` generated commitments (benchmarks/generate.py), whose histories run past
    the day it is generated for."""
    import importlib.util

    from aes_tracker.store.tomlfile import dumps

    spec = importlib.util.spec_from_file_location("generate", ROOT / "benchmarks" / "generate.py")
    assert spec is not None and spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    path = tmp / f"generated-{n}.toml"
    path.write_bytes(dumps(gen.generate(n, 1, date(2026, 11, 28))))
    return path


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _generated(tmp_path_factory.mktemp("gen"), 40)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(day=st.dates(date(2021, 1, 1), date(2028, 6, 30)))
def test_as_of_from_the_cache_is_the_file_turned_back(generated: Path, day: date) -> None:
    """`view_as_of` served from its cache entry (the second read of a day) holds the same
    summaries, and gives the same commitments in full, as the whole file read and turned back."""
    loc = Location(generated, True)
    full = document_as_of(store.load(loc).doc, day)
    first = store.view_as_of(loc, day)
    second = store.view_as_of(loc, day)
    assert first.catalog == second.catalog == full.catalog()
    if unsettled(store.view(loc).catalog.commitments.values(), day):
        assert second._document is None  # served from the cache, nothing parsed yet
    for cid in list(full.commitments)[:8]:
        assert second.detail(cid) == full.commitments[cid]
    assert second.document() == full


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(day=st.dates(date(2022, 1, 1), date(2028, 6, 30)))
def test_as_of_commands_print_the_same_from_the_cache(generated: Path, day: date) -> None:
    """What the read commands print under --as-of, from the cache and from no cache."""
    cli = Cli(generated)
    argvs = [["list", "--all", "--format", "json"], ["report"], ["list", "--search", "Bamako"]]
    warm = [cli(*a, as_of=day.isoformat()).stdout for a in argvs for _ in (0, 1)][1::2]
    shutil.rmtree(cache_home(os.environ), ignore_errors=True)
    cold = [cli(*a, as_of=day.isoformat()).stdout for a in argvs]
    assert warm == cold


# ---- the list's table ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def summaries(generated: Path) -> list[Summary]:
    return list(store.load(Location(generated, True)).doc.catalog().commitments.values())


def _table(rows: Any, width: int, columns: Sequence[str] = ()) -> str:
    out = Output.decide(io.StringIO(), "never", width, {})
    data = renderer("rows", "table")(Rows(rows, columns=columns), out)
    return data if isinstance(data, str) else "".join(data)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    width=st.integers(20, 200),
    picks=st.lists(st.integers(0, 39), max_size=40),
    lang=st.sampled_from(["en", "fr"]),
)
def test_the_table_from_rows_made_as_read_is_the_table_from_dicts(
    summaries: list[Summary], width: int, picks: list[int], lang: str
) -> None:
    """The table of rows made as they are read (domain.query.RowList, which tells the parties
    without making the rows) is the table of the same rows as plain dicts."""
    from aes_tracker import i18n

    chosen = [summaries[i % len(summaries)] for i in picks]
    today = date(2026, 11, 28)
    i18n.set_language(lang)
    try:
        lazy = rows(chosen, today, dict(DEFAULT_GROUPS))
        assert lazy.party_names() == {p for r in list(lazy) for p in r["parties"]}
        assert _table(lazy, width) == _table([dict(r) for r in lazy], width)
    finally:
        i18n.set_language("en")


# ---- the report's word wrap ----------------------------------------------------------------------


_WORDS = st.text(alphabet="abcdeé’«»:;,.-/ \u00a0\u202f\t\nhttps", min_size=0, max_size=160)


@settings(max_examples=400, deadline=None)
@given(
    text=_WORDS | st.lists(st.text("abcdefghé-", min_size=1, max_size=30)).map(" ".join),
    width=st.integers(8, 140),
    indent=st.sampled_from(["", "  - ", "  "]),
    hang=st.sampled_from(["", "      ", "    "]),
)
def test_the_reports_wrap_is_textwraps(text: str, width: int, indent: str, hang: str) -> None:
    """The report's word wrap gives textwrap's lines, whatever the text and the widths."""
    import textwrap

    from aes_tracker.render.report import hanging_wrap

    try:
        expected = textwrap.wrap(
            text,
            width=width,
            initial_indent=indent,
            subsequent_indent=hang,
            break_long_words=False,
            break_on_hyphens=False,
        )
    except ValueError:  # textwrap refuses some widths; so must the fast path
        with pytest.raises(ValueError):
            hanging_wrap(text, width, indent, hang)
        return
    assert hanging_wrap(text, width, indent, hang) == expected


# ---- list --format json from the summaries -------------------------------------------------------

_TEXT = st.text(st.characters(codec="utf-8"), max_size=12)
_DAY = st.none() | st.dates(date(2020, 1, 1), date(2030, 12, 31))
_PARTIES = st.lists(st.sampled_from(["AES", "Mali", "Niger", "Russia", "Burkina Faso"]), max_size=3)


@st.composite
def _summary(draw: st.DrawFn) -> Summary:
    from aes_tracker.domain.statuses import Category, Status, categories, statuses

    status = Status(draw(st.sampled_from([s.name for s in statuses()])))
    parties = tuple(draw(_PARTIES))
    assessed = draw(
        st.lists(st.tuples(st.sampled_from([*parties, "AES", "Mali"]), st.just(status)))
    )
    return Summary(
        id=draw(st.from_regex(r"[a-z0-9][a-z0-9._-]{0,10}", fullmatch=True)),
        title=draw(_TEXT),
        title_fr=draw(_TEXT),
        category=Category(draw(st.sampled_from([c.name for c in categories()]))),
        parties=parties,
        beneficiaries=tuple(draw(st.lists(_TEXT, max_size=2))),
        source=draw(_TEXT),
        status=status,
        due=draw(_DAY),
        original_due=draw(_DAY),
        no_deadline=draw(st.booleans()),
        review=draw(_DAY),
        recur=draw(st.sampled_from(["", "yearly"])),
        recur_start=None,
        hosts=(),
        next_host=draw(st.sampled_from(["", "Russia", "Mali"])),
        days=(),
        updated=draw(_DAY),
        occurrences=(),
        assessments=tuple(assessed[: draw(st.integers(0, 2))]),
    )


@settings(max_examples=300, deadline=None)
@given(cs=st.lists(_summary(), max_size=6), today=st.dates(date(2019, 1, 1), date(2031, 12, 31)))
def test_json_from_the_summaries_is_the_json_of_the_rows(cs: list[Summary], today: date) -> None:
    """`list --format json` written from the summaries gives the bytes the encoder gives for
    the rows (domain.query.row) as dicts."""
    lazy = rows(cs, today, dict(DEFAULT_GROUPS))
    out = Output.decide(io.StringIO(), "never", 100, {})
    fast = "".join(renderer("rows", "json")(Rows(lazy), out))
    full = "".join(renderer("rows", "json")(Rows([dict(r) for r in lazy]), out))
    assert fast == full


@settings(max_examples=300, deadline=None)
@given(
    cs=st.lists(_summary(), max_size=8),
    today=st.dates(date(2019, 1, 1), date(2031, 12, 31)),
    width=st.integers(20, 180),
    columns=st.sampled_from([(), ("id", "status", "days_left"), ("title", "parties", "due")]),
    color=st.sampled_from(["never", "always"]),
    lang=st.sampled_from(["en", "fr"]),
)
def test_the_table_from_the_summaries_is_the_table_of_the_rows(
    cs: list[Summary],
    today: date,
    width: int,
    columns: tuple[str, ...],
    color: str,
    lang: str,
) -> None:
    """The list's table with its cells and styles taken from the summaries is the table of the
    same rows as dicts: any text, dates, statuses, assessments (the mark and its legend),
    widths (short party codes, columns dropped, the title below, blocks), colour, language."""
    from aes_tracker import i18n

    i18n.set_language(lang)
    try:
        lazy = rows(cs, today, dict(DEFAULT_GROUPS))
        out = Output.decide(io.StringIO(), color, width, {})

        def table(rs: Any) -> str:
            data = renderer("rows", "table")(Rows(rs, columns=columns, hidden=2), out)
            return data if isinstance(data, str) else "".join(data)

        assert table(lazy) == table([dict(r) for r in lazy])
    finally:
        i18n.set_language("en")


# ---- list from the parse cache's columns ---------------------------------------------------------

_UNIQUE = st.lists(_summary(), max_size=8, unique_by=lambda c: c.id)
_TODAY = st.dates(date(2019, 1, 1), date(2031, 12, 31))


def _column_rows(cs: list[Summary]) -> Any:
    """The summaries as a warm read gets them: frozen into the cache's columns, read back lean."""
    from aes_tracker.domain.model import Catalog
    from aes_tracker.store import cache

    entry = cache.Entry("d", True, 0, "", Catalog({}, {c.id: c for c in cs}), {}, {})
    restored = cache._restore_lean(cache._freeze(entry), keep=False)
    assert restored is not None
    return restored.catalog.commitments


def _text(rs: Any, fmt: str, out: Output, hidden: int = 0) -> str:
    data = renderer("rows", fmt)(Rows(rs, hidden=hidden), out)
    return data if isinstance(data, str) else "".join(data)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cs=_UNIQUE,
    today=_TODAY,
    opened=st.sampled_from([None, True, False]),
    by_default=st.booleans(),
    reverse=st.booleans(),
    width=st.integers(20, 180),
    lang=st.sampled_from(["en", "fr"]),
)
def test_list_from_the_cache_columns_is_list_from_the_summaries(
    cs: list[Summary],
    today: date,
    opened: bool | None,
    by_default: bool,
    reverse: bool,
    width: int,
    lang: str,
) -> None:
    """The rows `list` takes from the cache's columns (`choose` on `ColumnRows`, no summary per
    row) are the rows it takes from the summaries (`select`, the open ones, `sort`): the same
    rows, how many were left out, and the same table, JSON, CSV and plain bytes."""
    from aes_tracker import i18n
    from aes_tracker.domain.query import Columns, Filter, RowList, choose, select, sort

    groups = dict(DEFAULT_GROUPS)
    columns = _column_rows(cs)
    assert isinstance(columns, Columns)
    f = Filter(open=opened, groups=groups)
    index, hidden = choose(columns, f, by_default, reverse)
    chosen = select(cs, today, f)
    full_hidden = 0
    if by_default:
        shown = [c for c in chosen if c.is_open]
        full_hidden, chosen = len(chosen) - len(shown), shown
    fast = RowList(columns, today, groups, index)
    full = rows(sort(chosen, "due", reverse), today, groups)
    assert hidden == full_hidden
    assert list(fast) == list(full)
    assert list(columns.values()) == cs  # every row at once, as `_restore` makes them
    i18n.set_language(lang)
    try:
        out = Output.decide(io.StringIO(), "never", width, {})
        for fmt in ("table", "json", "csv", "plain"):
            assert _text(fast, fmt, out, hidden) == _text(full, fmt, out, hidden), fmt
    finally:
        i18n.set_language("en")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cs=_UNIQUE,
    today=_TODAY,
    days=st.integers(0, 400),
    width=st.integers(20, 180),
)
def test_due_from_the_cache_columns_is_due_from_the_summaries(
    cs: list[Summary], today: date, days: int, width: int
) -> None:
    """`due` picks its rows from the cache's columns (`due_index` on `ColumnRows`) as the rule
    picks them from the summaries, one by one: open, and due by the window's end or undated
    with the review date come; overdue first, then by date, then ID. The same table and JSON."""
    from dateutil.relativedelta import relativedelta

    from aes_tracker.domain.query import RowList, due_index, review_due

    groups = dict(DEFAULT_GROUPS)
    within = relativedelta(days=days)
    columns = _column_rows(cs)
    end = today + within
    expected = sorted(
        (
            c
            for c in cs
            if c.is_open and ((c.due is not None and c.due <= end) or review_due(c, today))
        ),
        key=lambda c: (
            not (c.is_open and c.due is not None and c.due < today),
            c.due or c.review or date.max,
            c.id,
        ),
    )
    fast = RowList(columns, today, groups, due_index(columns, today, within))
    full = rows(expected, today, groups)
    assert list(fast) == list(full)
    out = Output.decide(io.StringIO(), "always", width, {})
    for fmt in ("table", "json"):
        assert _text(fast, fmt, out) == _text(full, fmt, out), fmt


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cs=_UNIQUE, today=_TODAY, chunk=st.integers(1, 5), cached=st.booleans())
def test_json_lines_made_in_chunks_are_the_json_of_the_rows(
    cs: list[Summary], today: date, chunk: int, cached: bool
) -> None:
    """`list --format json` made column by column a few rows at a time (render/rows.py
    `_column_json`), from the summaries or from the cache's columns, and whatever the chunk's
    size against the rows' number: the bytes the encoder gives for the rows as dicts."""
    from aes_tracker.domain.query import RowList
    from aes_tracker.render.rows import _column_json

    groups = dict(DEFAULT_GROUPS)
    source = _column_rows(cs) if cached else cs
    lazy = RowList(source, today, groups, list(range(len(cs)))[::-1])
    out = Output.decide(io.StringIO(), "never", 100, {})
    full = "".join(renderer("rows", "json")(Rows([dict(r) for r in lazy]), out))
    assert "".join(_column_json(lazy, chunk)) == full


# ---- the report from the parse cache's columns ---------------------------------------------------


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cs=_UNIQUE,
    days=st.lists(st.lists(_DAY.filter(lambda d: d is not None), max_size=3), max_size=8),
    today=_TODAY,
    since=st.integers(0, 400),
    ahead=st.integers(0, 400),
    lang=st.sampled_from(["en", "fr"]),
)
def test_report_from_the_cache_columns_is_the_report_of_the_summaries(
    cs: list[Summary], days: list[list[date]], today: date, since: int, ahead: int, lang: str
) -> None:
    """The weekly report's sections picked from the cache's columns and made into items
    (domain/report.py `build`, `open_items`) hold what the rule
    picks from each summary, in its order, each made by `item`; the commitments asked for
    in full are those with a day in the window; the same JSON, text and Markdown bytes as
    the report built from the summaries themselves."""
    from datetime import timedelta

    from aes_tracker import i18n
    from aes_tracker.domain import report as rp
    from aes_tracker.domain.model import Catalog

    cs = [
        c._replace(days=tuple(sorted(d)))
        for c, d in zip(cs, [*days, *[[]] * len(cs)], strict=False)
    ]
    groups = dict(DEFAULT_GROUPS)
    w = rp.window(today, today - timedelta(days=since), timedelta(days=ahead))
    asked: list[list[str]] = []

    def details(ids: Any) -> list[Any]:
        asked.append(list(ids))
        return []

    live = [c for c in cs if c.is_open]
    expected = {
        "overdue": sorted(
            (c for c in live if c.due is not None and c.due < today), key=lambda c: (c.due, c.id)
        ),
        "due_soon": sorted(
            (c for c in live if c.due is not None and today <= c.due <= w.until),
            key=lambda c: (c.due, c.id),
        ),
        "review_due": sorted(
            (c for c in live if c.due is None and c.review is not None and c.review <= today),
            key=lambda c: (c.review, c.id),
        ),
        "review_soon": sorted(
            (
                c
                for c in live
                if c.due is None and c.review is not None and today < c.review <= w.until
            ),
            key=lambda c: (c.review, c.id),
        ),
    }
    fast = rp.build(Catalog({}, _column_rows(cs), groups=groups), w, details)
    for key, chosen in expected.items():
        assert fast[key] == [rp.item(c, today, groups) for c in chosen], key
    touched = [c.id for c in cs if any(w.since <= d <= today for d in c.days)]
    full = rp.build(Catalog({}, {c.id: c for c in cs}, groups=groups), w, details)
    assert asked == [touched, touched]
    assert fast == full
    assert [x["id"] for x in fast["next_consultation"]] == [
        c.id for c in sorted((c for c in live if c.recur), key=lambda c: (c.due or date.max, c.id))
    ]
    i18n.set_language(lang)
    try:
        out = Output.decide(io.StringIO(), "never", 100, {})
        for fmt in ("text", "markdown", "json"):
            assert renderer("report", fmt)(fast, out) == renderer("report", fmt)(full, out)
    finally:
        i18n.set_language("en")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cs=st.lists(_summary(), min_size=1, max_size=8),
    today=_TODAY,
    kind=st.sampled_from(["overdue", "due_soon", "review_due", "review_soon"]),
    markdown=st.booleans(),
    lang=st.sampled_from(["en", "fr"]),
)
def test_report_lines_with_shared_texts_are_the_lines_made_afresh(
    cs: list[Summary], today: date, kind: str, markdown: bool, lang: str
) -> None:
    """A section's lines, with the texts its items share (dates in words, parties, status)
    kept from one item to the next (render/report.py `_describe`'s memo), are the lines each
    item makes on its own."""
    from aes_tracker import i18n
    from aes_tracker.domain.report import item
    from aes_tracker.render import report as rr

    f = rr._Markdown if markdown else rr._Plain
    items = [item(c, today, dict(DEFAULT_GROUPS)) for c in cs]
    # The items the section would hold: overdue ones, dated ones not overdue, undated ones
    # with a review date.
    fits = {
        "overdue": lambda r: r["overdue"],
        "due_soon": lambda r: r["due"] is not None and not r["overdue"],
    }.get(kind, lambda r: r["due"] is None and r["review"] is not None)
    items = [r for r in items if fits(r)]
    i18n.set_language(lang)
    try:
        memo: dict[Any, str] = {}
        shared = [rr._describe(r, kind, f, memo) for r in items]
        assert shared == [rr._describe(r, kind, f) for r in items]
    finally:
        i18n.set_language("en")
