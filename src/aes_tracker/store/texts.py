"""The communiqués' texts, stored beside the data file (`sources/ID.txt`, UTF-8, line ends \\n)
and named by each source's `text` key; and where a quote stands in them.

A data file made from the bundled data (the user data file, `init`) has no `sources/` folder of
its own: a text it names that is not beside it is read from the bundled copy, when the bundled
data names the same text for the same source.
"""

from __future__ import annotations

import os
from pathlib import Path

from aes_tracker.domain.model import Source
from aes_tracker.errors import TrackerError
from aes_tracker.extract.text import find_quote, kind_of, line_of, normalise_newlines, reduce
from aes_tracker.i18n import _
from aes_tracker.store import fileio, fileread
from aes_tracker.store.paths import bundled_path, real


def text_name(sid: str) -> str:
    return f"sources/{sid}.txt"


def decode_text(data: bytes, name: str) -> str:
    """A communiqué as given: UTF-8 (a BOM is dropped), line ends made \\n."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise TrackerError(_("is not valid UTF-8"), path=name, line=line) from None
    if "\x00" in text:
        raise TrackerError(_("is not a text file (it has NUL bytes)"), path=name)
    return normalise_newlines(text)


def write_text(data_path: Path, rel: str, text: str) -> None:
    """Store a text beside the data file, atomically (a temp file, then a rename)."""
    target = real(data_path).parent / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    fileio.write_output(target, text.encode("utf-8"), forbidden=(real(data_path),))


def text_path(data_path: Path, source: Source) -> Path | None:
    """The file of a source's text: beside the data file, else the bundled copy; None when the
    source names none."""
    if not source.text:
        return None
    beside = real(data_path).parent / source.text
    if beside.is_file():
        return beside
    bundled = bundled_path().parent / source.text
    if bundled.is_file() and _bundled_names(source):
        return bundled
    return beside


def _bundled_names(source: Source) -> bool:
    from aes_tracker.store.view import load_bytes

    try:
        doc = load_bytes(fileread.read_file(bundled_path()), bundled_path()).doc
    except TrackerError:
        return False
    s = doc.sources.get(source.id)
    return s is not None and s.text == source.text


def read_text(data_path: Path, source: Source) -> tuple[str, Path]:
    path = text_path(data_path, source)
    if path is None:
        raise TrackerError(
            _("source {id} has no stored text").format(id=source.id),
            hint=_("give one with: aes-tracker extract FILE --source {id}").format(id=source.id),
        )
    try:
        data = fileread.read_file(path)
    except TrackerError as e:
        raise TrackerError(
            _("the text of source {id} cannot be read: {why}").format(id=source.id, why=e.message),
            path=os.fspath(path),
        ) from None
    return decode_text(data, os.fspath(path)), path


def quote_position(text: str, name: str, quote: str) -> int | None:
    """The line of the text on which a quote starts (compared after normalising white space
    and apostrophes only), or None when the text does not hold it."""
    red = reduce(text, kind_of(name, text))
    where = find_quote(red.text, quote)
    if where is None:
        return None
    return line_of(text, red.stored_span(*where)[0])


def quote_at(data_path: Path, source: Source, quote: str) -> tuple[str, int | None]:
    """For `show`: the source's text (as the data file names it) and the line the quote starts
    on; None for the line when the text cannot be read or does not hold the quote (`check`
    says which)."""
    try:
        text, _path = read_text(data_path, source)
    except TrackerError:
        return source.text, None
    return source.text, quote_position(text, source.text, quote)
