"""`aes-tracker site DIR`: the tracker as a static site, built in a temporary folder beside DIR
and swapped in, so a web server or a reader never sees half a site (cron-friendly)."""

# No `from __future__ import annotations` in the command modules (see cli/read.py).

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from aes_tracker.cli.base import command, settings, view
from aes_tracker.errors import TrackerError
from aes_tracker.i18n import _

if TYPE_CHECKING:
    from collections.abc import Iterable

    from aes_tracker.domain.model import Source


@command()
def site(
    ctx: typer.Context,
    folder: Annotated[
        Path,
        typer.Argument(
            metavar="DIR",
            help="The site's folder: created, or replaced whole if an earlier `site` built it.",
            show_default=False,
        ),
    ],
    lang: Annotated[
        str | None,
        typer.Option("--lang", metavar="LANG", help="The site's language: en or fr."),
    ] = None,
) -> None:
    """Build the tracker as a static site: index.html (overdue, due soon, the charts, the
    matrix, the last four weeks' changes), a page per commitment and a page per source (its
    stored text with the tracked quotes highlighted). No script, nothing loaded from another
    host; it works from file:// and prints on A4.

    Example: aes-tracker site /srv/aes/site --lang fr
    """
    # Imported here: every command module is imported at start-up (to register it), and
    # `list` must not pay for these.
    import shutil
    import tempfile

    from aes_tracker import i18n
    from aes_tracker.render.site import build

    if lang is not None:
        i18n.set_language(i18n.choose(lang, {}))
    s = settings(ctx)
    v = view(ctx)
    data = Path(os.path.realpath(v.path))
    target = Path(os.path.abspath(folder))
    _check_target(target, data)
    texts = _source_texts(v.catalog.sources.values(), data)
    pages, copies = build(
        v.catalog,
        v.details,
        s.today,
        revision=_revision(data),
        texts=texts,
        base=data.parent,
    )
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".new", dir=target.parent))
    try:
        for rel, content in pages.items():
            out = tmp / rel
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(content)
        for rel, src in copies.items():
            out = tmp / rel
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, out)
        os.chmod(tmp, 0o755)  # mkdtemp's 0700 would hide the site from a web server
        old = None
        if target.exists():
            old = Path(
                tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent)
            )
            os.rename(target, old / "site")
        os.rename(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    n = sum(rel.endswith(".html") for rel in pages)
    typer.echo(_("{path}: {n} pages written").format(path=folder, n=n))


def _check_target(target: Path, data: Path) -> None:
    """Refuse a target that is not a site this command built: replacing it would delete files
    someone else put there. Refuse the data file's own folder, or one above it."""
    from aes_tracker.render.site import MARKER

    shown = str(target)
    if target == data.parent or target in data.parents:
        raise TrackerError(
            _("holds the data file; choose a folder of its own for the site"),
            path=shown,
            field="folder",
        )
    if target.exists() and not target.is_dir():
        raise TrackerError(_("exists and is not a folder"), path=shown, field="folder")
    if target.is_dir() and any(target.iterdir()) and not (target / MARKER).is_file():
        raise TrackerError(
            _("is a folder that `aes-tracker site` did not build; nothing was written"),
            path=shown,
            hint=_("give a new or empty folder: the site replaces its folder whole"),
            field="folder",
        )
    if not target.parent.is_dir():
        raise TrackerError(_("no such folder"), path=str(target.parent), field="folder")


def _source_texts(sources: "Iterable[Source]", data: Path) -> dict[str, str]:
    """Each source's stored text, where it has one, read as `source show` reads it (beside the
    data file, else the bundled copy: store.texts)."""
    from aes_tracker.store.texts import read_text

    return {src.id: read_text(data, src)[0] for src in sources if src.text}


def _revision(data: Path) -> str:
    """The data file's git revision (the last commit that touched it), "" outside git."""
    from aes_tracker.desk import gitops

    try:
        repo = gitops.find(data, os.environ)
        if repo is None:
            return ""
        env = gitops.git_env(os.environ)
        p = gitops.run(repo.top, ["log", "-1", "--format=%h", "--", repo.rel], env, check=False)
        rev = p.stdout.strip()
        if rev:
            dirty = gitops.run(
                repo.top, ["status", "--porcelain", "--", repo.rel], env, check=False
            ).stdout.strip()
            if dirty:
                rev += " " + _("(with changes not yet committed)")
        return rev
    except TrackerError:
        return ""
