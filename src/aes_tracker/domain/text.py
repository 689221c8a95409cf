"""Text as people type it and as messages show it: control characters refused or escaped,
a value quoted for a one-line message (`shown`), and what a piece of evidence is (a web URL or a
local file's path).
"""

from __future__ import annotations

import re

from aes_tracker.errors import TrackerError
from aes_tracker.i18n import _

_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def control_char(text: str) -> str | None:
    """The first control character of `text` other than newline and tab, or None."""
    m = _CONTROL_RE.search(text)
    return None if m is None else m.group(0)


def check_text(text: str, field: str, *, blank_ok: bool = False) -> str:
    """Text typed by a person: no terminal escapes or other control characters, not blank."""
    bad = control_char(text)
    if bad is not None:
        raise TrackerError(
            _("contains the control character U+{code:04X}; remove it").format(code=ord(bad)),
            field=field,
        )
    if not blank_ok and not text.strip():
        raise TrackerError(_("must not be blank"), field=field)
    return text


_ALL_CONTROLS_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")

# Compiled by `re` when evidence or a source is first checked (and kept there), not at every
# start: a case-blind pattern is a millisecond to compile, and most runs check no link.
_WEB_URL = r"^https?://[^\s/$.?#]\S*$"
_SCHEME = r"^[a-z][a-z0-9+.-]+:"


def web_url(value: str) -> bool:
    """An absolute http(s) URL: the only kind of link evidence may be."""
    return re.match(_WEB_URL, value, re.I) is not None


def not_evidence(value: str) -> str:
    return _("{value} is neither an http(s) URL nor a local file's path").format(value=shown(value))


def check_evidence_value(value: str) -> str:
    """Evidence read from an import: a URL or a path, whether or not the file is here."""
    if evidence_kind(value) is None:
        raise TrackerError(not_evidence(value), field="evidence")
    return value


def evidence_kind(value: str) -> str | None:
    """'url' (http, https), 'path' (a local file), or None for anything else (`javascript:`,
    `data:`, `file:`...). A browser drops tabs and newlines from a URL and spaces around it, so
    `java\tscript:` is a scheme too. A path with a colon in its first part is written ./a:b."""
    bare = re.sub(r"[\t\n\r]", "", value).strip()
    if web_url(bare) and bare == value:
        return "url"
    if re.match(_SCHEME, bare, re.I) or not bare:
        return None
    return "path"


def shown(text: str) -> str:
    """`text` quoted for a one-line message: every control character escaped, newlines and tabs
    too (never sent raw to a terminal)."""
    return "'" + _ALL_CONTROLS_RE.sub(_escape_one, text) + "'"


def _escape_one(m: re.Match[str]) -> str:
    ch = m.group(0)
    return {"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(ch) or f"\\x{ord(ch):02x}"


def escape_controls(text: str) -> str:
    if _CONTROL_RE.search(text) is None:
        return text
    return _CONTROL_RE.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)


_TEXT_PATH = r"sources/[^/\\\x00]+"


def check_text_path(value: str) -> bool:
    """A source's `text` is a file in the `sources/` folder beside the data file: no other
    folder, no way out of it."""
    return bool(re.fullmatch(_TEXT_PATH, value)) and value not in ("sources/.", "sources/..")
