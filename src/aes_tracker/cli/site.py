"""`aes-tracker site DIR`: the tracker as a static site, built in a temporary folder beside DIR
and swapped in, so a web server or a reader never sees half a site (cron-friendly)."""

# No `from __future__ import annotations` in the command modules (see cli/read.py).

import sys
from pathlib import Path
from typing import Annotated

import typer

from aes_tracker.cli.base import command, tracker


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
    from aes_tracker import i18n
    from aes_tracker.render.site import MARKER, build, written

    if lang is not None:
        i18n.set_language(i18n.choose(lang, {}))
    t = tracker(ctx)
    target = t.check_site_folder(folder, MARKER)
    data = t.site_data()
    pages, copies = build(
        data.catalog,
        data.details,
        data.today,
        revision=data.revision,
        texts=data.texts,
        base=data.base,
    )
    t.write_site(target, pages, copies)
    sys.stdout.write(written(folder, pages))
