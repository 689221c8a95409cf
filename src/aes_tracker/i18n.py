"""The language of what a person reads: the standard library's gettext, one catalogue per language
in `aes_tracker/locale/<lang>/LC_MESSAGES/aes_tracker.mo` (compiled from the `.po` files kept
beside them).

Only human output is translated. Machine formats (JSON, CSV, plain, the data file) and exit codes
are the same in every language, so scripts never depend on it.

Messages are written in English in the code, as `_("...")` with `{named}` fields filled in after
translation, so that a translator can move the fields around.
"""

from __future__ import annotations

import gettext as _gettext
import os
from collections.abc import Mapping
from pathlib import Path

DOMAIN = "aes_tracker"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("en", "fr")

_current: _gettext.NullTranslations = _gettext.NullTranslations()
_lang = "en"


def choose(flag: str | None, environ: Mapping[str, str]) -> str:
    """--lang, else $AES_TRACKER_LANG, else the locale (LC_ALL, LC_MESSAGES, LANG, as the C
    library reads them), else English. Under cron's LANG=C that is English."""
    for value in (flag, environ.get("AES_TRACKER_LANG")):
        if value:
            return value.strip().lower()
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(var)
        if value:
            return "fr" if value.lower().startswith("fr") else "en"
    return "en"


def set_language(lang: str) -> None:
    global _current, _lang
    lang = lang.split("_")[0].split(".")[0].lower()
    if lang not in LANGUAGES:
        from aes_tracker.errors import TrackerError

        raise TrackerError(
            f"'{lang}' is not a language of aes-tracker (one of: {', '.join(LANGUAGES)})",
            field="lang",
        )
    _lang = lang
    if lang == "en":
        _current = _gettext.NullTranslations()
        return
    try:
        with open(LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo", "rb") as f:
            _current = _gettext.GNUTranslations(f)
    except OSError:
        _current = _gettext.NullTranslations()


def language() -> str:
    return _lang


def _(message: str) -> str:
    """The message in the current language (the English text when it has no translation)."""
    return _current.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _current.ngettext(singular, plural, n)


def init_from_environment(flag: str | None = None) -> None:
    set_language(choose(flag, os.environ))
