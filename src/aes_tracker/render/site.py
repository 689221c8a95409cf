"""The tracker as a static site (`aes-tracker site DIR`) and the pages' shared pieces (the HTML
report uses the same templates): HTML through Jinja2 with autoescaping, one base template and
small includes (render/templates/), the charts of render/charts/ inline.

Every page is self-contained: one inline stylesheet (with a print stylesheet for A4), no script,
no font, no image or frame loaded from anywhere; links between pages are relative, so the site
works from `file://` and from any folder of an intranet. Local evidence files are copied into the
site and linked relatively; URLs stay links (never loads).

`build` returns the pages as {relative path: bytes}; writing them is the core API's
(`Tracker.write_site`), which builds in a temporary folder beside the target and swaps it in;
`written` is what the command says once it is done.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from aes_tracker.domain.model import EMPTY, Catalog, Commitment, Source, summarize
from aes_tracker.domain.parties import each_party
from aes_tracker.domain.query import row
from aes_tracker.domain.records import change_of, event_record
from aes_tracker.domain.text import web_url
from aes_tracker.i18n import (
    _,
    category_label,
    colon,
    event_label,
    iso_label,
    language,
    name_label,
    ngettext,
    recur_label,
    semicolon,
    status_label,
)
from aes_tracker.render import backdated, change_words, note_words, safe

TEMPLATES = Path(__file__).resolve().parent / "templates"
MARKER = ".aes-tracker-site"  # written in every site: `site DIR` replaces only a folder holding it
SAFE_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


@cache
def environment() -> Any:
    """The Jinja2 environment: autoescaped, strict about undefined names."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def markup(svg: str) -> Any:
    """An SVG this program drew (every text in it escaped), to put inline in a page."""
    from markupsafe import Markup  # Jinja2's own dependency

    return Markup(svg)


def labels() -> dict[str, str]:
    """The words of the pages, in the current language (kept here, not in the templates, so
    that the catalogue's extraction finds them)."""
    return {
        "dashboard": _("Dashboard"),
        "all_commitments": _("All commitments"),
        "sources": _("Sources"),
        "source": _("Source"),
        "id": _("ID"),
        "title": _("Title"),
        "status": _("Status"),
        "due": _("Due"),
        "parties": _("Parties"),
        "party": _("Party"),
        "overdue": _("Overdue"),
        "due_soon": _("Due soon"),
        "none": _("None."),
        "compliance": _("Compliance"),
        "changes": _("Changes of the last four weeks"),
        "no_changes": _("No change in the last four weeks."),
        "marked": _("* some parties' own assessments differ from this status"),
        "quote": _("Quote"),
        "in_the_text": _("See it in the communiqué's text"),
        "by_party": _("By party"),
        "from": _("From"),
        "sessions": _("Sessions"),
        "history": _("History"),
        "link": _("Link"),
        "text": _("Text"),
        "quotes": _("Tracked quotes"),
        "no_text": _(
            "No stored text for this source: the tracked quotes are below. A `text` file named "
            "in the source's table shows here, with each quote highlighted."
        ),
        "highlight_help": _(
            "Highlighted: the passages a tracked commitment quotes, each linked to its page. "
            "Plain: text no commitment quotes."
        ),
        "not_found": _("not found word for word in the text"),
    }


# ---- sentences --------------------------------------------------------------------------------


def change_sentence(x: Mapping[str, Any]) -> str:
    """A history entry as a sentence: "Mali: in_progress → stalled, 2026-05-03, by awa"."""
    who = ", " + _("by {who}").format(who=safe(x["by"])) if x.get("by") else ""
    day = iso_label(x["on"])
    changes = [change_of(c) for c in x.get("changes", [])]
    status_change = next((c for c in changes if c.field == "status"), None)
    if x.get("party") and x["event"] == "status":
        if status_change is not None:
            what = _("{party}: {before} → {after}").format(
                party=safe(x["party"]),
                before=_word(status_change.before),
                after=_word(status_change.after),
            )
        else:
            what = _("{party}: {status} (confirmed)").format(
                party=safe(x["party"]), status=status_label(x["status"])
            )
    elif x["event"] == "status" and status_change is not None:
        what = _("status: {before} → {after}").format(
            before=_word(status_change.before), after=_word(status_change.after)
        )
    elif x["event"] == "occurrence":
        what = (
            _("session held, host {host}").format(host=safe(name_label(x["host"])))
            if x.get("host")
            else _("session held")
        )
    else:
        what = event_label(x["event"])
        if x["event"] == "status":
            what += " " + status_label(x["status"])
    others = [
        change_words(c.text()) for c in changes if c.field != "status" and x["event"] != "status"
    ]
    text = f"{what}, {day}{who}"
    if late := backdated(x):
        text += " " + late
    if others:
        text += " (" + semicolon().join(others) + ")"
    if x.get("note"):
        text += colon() + note_words(x["note"])
    return text


def _word(status: str) -> str:
    return status_label(status) if status and status != EMPTY else EMPTY


# ---- evidence ---------------------------------------------------------------------------------


@dataclass
class Files:
    """Files the site carries besides its pages (copied evidence), by their path in the site."""

    base: Path  # the data file's folder: relative evidence paths are relative to it
    copies: dict[str, Path] = field(default_factory=dict)

    def evidence(self, ref: str, root: str) -> dict[str, str]:
        """A link for one piece of evidence: a URL as it is; a local file copied into the site
        (evidence/<n>-<name>) and linked relatively; a file that is gone, its name only."""
        if web_url(ref):
            return {"href": ref, "text": ref}
        path = Path(ref) if Path(ref).is_absolute() else self.base / ref
        if not path.is_file():
            return {"href": "", "text": ref}
        for name, p in self.copies.items():
            if p == path:
                return {"href": root + name, "text": path.name}
        clean = re.sub(r"[^A-Za-z0-9._-]", "_", path.name) or "file"
        name = f"evidence/{len(self.copies) + 1}-{clean}"
        self.copies[name] = path
        return {"href": root + name, "text": path.name}


# ---- the source's text with its quotes --------------------------------------------------------

_FOLD = str.maketrans({"’": "'", "‘": "'", "«": '"', "»": '"', "“": '"', "”": '"', "\u00a0": " "})


def _normalise(text: str) -> tuple[str, list[int]]:
    """The text folded for matching (case, quotes, runs of white space), with the index in the
    original of each folded character."""
    out: list[str] = []
    where: list[int] = []
    space = False
    for i, ch in enumerate(text):
        if ch.isspace():
            if not space and out:
                out.append(" ")
                where.append(i)
            space = True
            continue
        space = False
        for f in ch.translate(_FOLD).casefold():
            out.append(f)
            where.append(i)
    return "".join(out), where


def quote_pieces(text: str, quotes: Mapping[str, str]) -> tuple[list[dict[str, Any]], set[str]]:
    """The text cut into pieces: plain ones, and highlighted ones where commitments quote it
    (found ignoring case, quote marks and white space). Several commitments may quote the same
    words, or overlapping ones: each piece says which (`ids`), which of their quotes start in
    it (`starts`, for the anchors) and end in it (`ends`, for the links). Also the IDs found."""
    folded, where = _normalise(text)
    cover: list[list[str]] = [[] for _c in text]
    spans: dict[str, tuple[int, int]] = {}
    for cid, quote in quotes.items():
        q, _w = _normalise(quote.strip())
        q = q.strip(" .…\"'")
        if len(q) < 8:
            continue
        k = folded.find(q)
        if k < 0:
            continue
        start, end = where[k], where[k + len(q) - 1] + 1
        spans[cid] = (start, end)
        for i in range(start, end):
            cover[i].append(cid)
    pieces: list[dict[str, Any]] = []
    at = 0
    while at < len(text):
        ids = cover[at]
        end = at
        while end < len(text) and cover[end] == ids:
            end += 1
        pieces.append(
            {
                "text": text[at:end],
                "ids": list(ids),
                "starts": [c for c in ids if spans[c][0] == at],
                "ends": [c for c in ids if spans[c][1] == end],
            }
        )
        at = end
    return pieces, set(spans)


# ---- the pages --------------------------------------------------------------------------------


def written(folder: Path, pages: Mapping[str, bytes]) -> str:
    """What `site` says once the site is in place: its folder, and how many pages it holds."""
    n = sum(rel.endswith(".html") for rel in pages)
    return _("{path}: {n} pages written").format(path=folder, n=n) + "\n"


def page_name(kind: str, ident: str) -> str:
    """`c/ID.html`, `s/ID.html`: IDs are file-name safe by the data's rule; anything else is
    spelled out safely."""
    name = ident if SAFE_NAME.match(ident) else re.sub(r"[^a-z0-9._-]", "_", ident.lower())
    return f"{kind}/{name}.html"


def _title(c: Any) -> str:
    if language() == "fr" and c.title_fr:
        return safe(c.title_fr)
    return safe(c.title)


def footer(today: date, revision: str) -> str:
    text = _("Built by aes-tracker, as of {day}.").format(day=iso_label(today.isoformat()))
    if revision:
        text += " " + _("Data file at git revision {rev}.").format(rev=revision)
    return text


def build(
    catalog: Catalog,
    details: Callable[[Iterable[str]], list[Commitment]],
    today: date,
    *,
    revision: str = "",
    texts: Mapping[str, str] | None = None,
    base: Path | None = None,
) -> tuple[dict[str, bytes], dict[str, Path]]:
    """Every page of the site, and the files to copy into it ({site path: source path}).
    `texts` gives each source's stored text by source ID (none: the quotes only)."""
    from aes_tracker.domain import report as rp
    from aes_tracker.domain.matrix import matrix
    from aes_tracker.domain.stats import compliance, timeline
    from aes_tracker.render.charts.compliance import stats_svg
    from aes_tracker.render.charts.heatmap import matrix_svg
    from aes_tracker.render.charts.timeline import timeline_svg

    env = environment()
    texts = texts or {}
    files = Files(base or Path.cwd())
    common = {
        "lang": language(),
        "L": labels(),
        "nav": True,
        "footer": footer(today, revision),
    }
    cs = sorted(catalog.commitments.values(), key=lambda c: c.id)
    full = {c.id: c for c in details([c.id for c in cs])}
    groups = catalog.groups

    def row_view(c: Any, root: str) -> dict[str, Any]:
        r = row(c, today, groups=groups)
        mark = any(s != r["status"] for s in (r.get("assessments") or {}).values())
        return {
            "id": c.id,
            "link": root + page_name("c", c.id),
            "title": _title(c),
            "status": status_label(r["status"]) + ("*" if mark else ""),
            "due": iso_label(r["due"]) if r["due"] else _("no deadline"),
            "overdue": r["overdue"],
            "parties": ", ".join(safe(name_label(p)) for p in c.parties),
            "marked": mark,
        }

    pages: dict[str, bytes] = {}
    # The dashboard.
    w = rp.window(today, today - timedelta(days=27), timedelta(days=30))
    rep = rp.build(catalog, w, details)
    titles = {c.id: _title(c) for c in cs}
    st = compliance(catalog, today, "party")
    m = matrix(catalog, today, "party")
    tl = timeline(catalog, today, 6)
    charts = [
        markup(stats_svg(st, "stats-")),
        markup(matrix_svg(m, titles, "matrix-")),
        markup(timeline_svg(tl, titles, "timeline-")),
    ]
    by_id = catalog.commitments
    every = [row_view(c, "") for c in cs]
    changes = [
        {
            "id": x["id"],
            "title": titles.get(x["id"], x["id"]),
            "link": page_name("c", x["id"]),
            "sentence": change_sentence(x),
            "evidence": [files.evidence(u, "") for u in x["evidence"]],
        }
        for x in reversed(rep["changed"])
    ]
    source_list = [
        {
            "link": page_name("s", s.id),
            "title": safe(s.title),
            "date": iso_label(s.date.isoformat()),
            "count": sum(c.source == s.id for c in cs),
        }
        for s in sorted(catalog.sources.values(), key=lambda s: (s.date, s.id))
    ]
    heading = _("The commitments, as of {day}").format(day=iso_label(today.isoformat()))
    pages["index.html"] = _render(
        env,
        "index.html",
        common,
        root="",
        page_title=heading,
        heading=heading,
        as_of_line=ngettext(
            "As of {day}; {n} commitment.", "As of {day}; {n} commitments.", len(cs)
        ).format(day=iso_label(today.isoformat()), n=len(cs)),
        revision=_("data file at git revision {rev}").format(rev=revision) if revision else "",
        overdue=[row_view(by_id[r["id"]], "") for r in rep["overdue"]],
        due_soon=[row_view(by_id[r["id"]], "") for r in rep["due_soon"]],
        charts=charts,
        changes=changes,
        all=every,
        any_marked=any(r["marked"] for r in every),
        sources=source_list,
    )
    # One page per commitment.
    for c in cs:
        pages[page_name("c", c.id)] = _commitment_page(
            env, common, full[c.id], catalog, today, files, texts
        )
    # One page per source.
    for s in catalog.sources.values():
        mine = [full[c.id] for c in cs if c.source == s.id]
        pages[page_name("s", s.id)] = _source_page(env, common, s, mine, texts.get(s.id, ""))
    pages[MARKER] = b"This folder was built by `aes-tracker site`; it is replaced whole.\n"
    return pages, dict(files.copies)


def _render(env: Any, name: str, common: Mapping[str, Any], **kw: Any) -> bytes:
    text: str = env.get_template(name).render(**common, **kw)
    return text.encode("utf-8")


def _commitment_page(
    env: Any,
    common: Mapping[str, Any],
    c: Commitment,
    catalog: Catalog,
    today: date,
    files: Files,
    texts: Mapping[str, str],
) -> bytes:
    root = "../"
    r = row(summarize(c), today, groups=catalog.groups)
    fields: list[tuple[str, str]] = [
        (_("ID"), c.id),
        (_("Status"), status_label(c.status)),
        (_("Category"), category_label(c.category)),
        (_("Parties"), ", ".join(safe(p) for p in c.parties)),
    ]
    if c.beneficiaries:
        fields.append((_("Beneficiaries"), ", ".join(safe(p) for p in c.beneficiaries)))
    if c.due:
        due = iso_label(c.due.isoformat())
        if r["overdue"]:
            due += " (" + _("overdue") + ")"
        fields.append((_("Due"), due))
    if c.original_due and c.original_due != c.due:
        fields.append((_("Originally due"), iso_label(c.original_due.isoformat())))
    if c.due_reason:
        fields.append((_("Why this date"), safe(c.due_reason)))
    if c.no_deadline:
        fields.append((_("Due"), _("no deadline")))
    if c.review:
        fields.append((_("Review"), iso_label(c.review.isoformat())))
    if c.review_reason:
        fields.append((_("Why a review"), safe(c.review_reason)))
    if c.timing:
        fields.append((_("Timing"), semicolon().join(safe(t) for t in c.timing)))
    if c.recur:
        fields.append((_("Recurrence"), recur_label(c.recur)))
    if c.hosts:
        fields.append((_("Hosts"), ", ".join(safe(name_label(h)) for h in c.hosts)))
    if c.next_host:
        fields.append((_("Next host"), safe(name_label(c.next_host))))
    if c.notes:
        fields.append((_("Notes"), safe(c.notes)))
    source = catalog.sources.get(c.source)
    by_party = []
    for x in each_party(c, catalog.groups):
        ps = x.status
        origin = (
            _("own assessment, {day}").format(day=iso_label(x.latest.on.isoformat()))
            if ps.source == "own" and x.latest is not None
            else _("from {group}").format(group=safe(ps.via))
            if ps.source == "group"
            else _("the commitment's status")
        )
        by_party.append(
            {"party": safe(ps.party), "status": status_label(ps.status), "from": origin}
        )
    history = []
    for e in c.events():
        entry = event_record(e)  # the same record as `show --format json`
        history.append(
            {
                "sentence": change_sentence(entry),
                "evidence": [files.evidence(u, root) for u in e.evidence],
            }
        )
    sessions = [
        iso_label(day.isoformat())
        + (", " + _("host: {host}").format(host=safe(host)) if host else "")
        for day, host in c.occurrences
    ]
    other = c.title_fr if language() != "fr" else c.title
    view = {
        "title": _title(c),
        "other_title": safe(other) if other and c.title_fr else "",
        "other_lang": "fr" if language() != "fr" else "en",
        "fields": fields,
        "source_title": safe(source.title) if source else safe(c.source),
        "source_link": root + page_name("s", c.source) if source else "",
        "quote": safe(c.quote),
        "quote_link": root + page_name("s", c.source) + f"#q-{c.id}" if source else "",
        "by_party": by_party,
        "sessions": sessions,
        "history": history,
    }
    return _render(
        env, "commitment.html", common, root=root, page_title=c.id + colon() + _title(c), c=view
    )


def _source_page(
    env: Any, common: Mapping[str, Any], s: Source, mine: list[Commitment], text: str
) -> bytes:
    root = "../"
    pieces: list[dict[str, str]] = []
    found: set[str] = set()
    if text:
        pieces, found = quote_pieces(text, {c.id: c.quote for c in mine})
    fields = [(_("Date"), iso_label(s.date.isoformat()))]
    for label, value in (
        (_("Place"), s.place),
        (_("Language"), s.language),
        (_("Publisher"), s.publisher),
        (_("Author"), s.author),
    ):
        if value:
            fields.append((label, safe(value)))
    view = {
        "title": safe(s.title),
        "fields": fields,
        "url": s.url if re.match(r"^https?://", s.url or "") else "",
        "pieces": pieces,
        "quotes": [
            {
                "id": c.id,
                "title": _title(c),
                "link": root + page_name("c", c.id),
                "quote": safe(c.quote),
                "found": c.id in found,
            }
            for c in mine
        ],
    }
    return _render(env, "source.html", common, root=root, page_title=safe(s.title), s=view)
