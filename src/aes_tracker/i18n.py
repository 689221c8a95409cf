"""The language of what a person reads: the standard library's gettext, one catalogue per language
in `aes_tracker/locale/<lang>/LC_MESSAGES/aes_tracker.mo` (compiled from the `.po` files kept
beside them).

Only human output is translated. Machine formats (JSON, CSV, plain, the data file) and exit codes
are the same in every language, so scripts never depend on it.

Messages are written in English in the code, as `_("...")` with `{named}` fields filled in after
translation, so that a translator can move the fields around.
"""

from __future__ import annotations

import contextlib
import gettext as _gettext
from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path

DOMAIN = "aes_tracker"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("en", "fr")

_current: _gettext.NullTranslations = _gettext.NullTranslations()
_lang = "en"
_names_fr: Mapping[str, str] = {}


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
    # A catalogue missing, with a bad magic number (OSError), a bad header (ValueError), or
    # empty or cut short (struct.error, tested by name: `struct` is not imported on `list`'s
    # path for this): English rather than a traceback in every command.
    except (OSError, ValueError, LookupError):
        _current = _gettext.NullTranslations()
    except Exception as e:
        if type(e).__module__ != "struct" or type(e).__name__ != "error":
            raise
        _current = _gettext.NullTranslations()


def language() -> str:
    return _lang


@contextlib.contextmanager
def untranslated() -> Iterator[None]:
    """English for the time being: the machine formats (JSON, CSV, plain, ICS) are rendered in
    it, so their bytes are the same whatever the language."""
    global _current, _lang
    saved = _current, _lang
    _current, _lang = _gettext.NullTranslations(), "en"  # name_label: names as written
    try:
        yield
    finally:
        _current, _lang = saved


def _(message: str) -> str:
    """The message in the current language (the English text when it has no translation)."""
    return _current.gettext(message)


def N_(message: str) -> str:
    """Marks a message for the catalogue where it cannot be translated yet (a module constant,
    read before the language is known); it is translated where it is shown."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    return _current.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """A message whose translation depends on where it is used: the status `done` (réalisé) is
    not the word `done` elsewhere."""
    return _current.pgettext(context, message)


def colon() -> str:
    """The colon between a label and what follows, as the language writes it (": ", " : ")."""
    return pgettext("punctuation", ": ")


def semicolon() -> str:
    """The semicolon between two parts of a line, as the language writes it ("; ", " ; ")."""
    return pgettext("punctuation", "; ")


def status_label(name: str) -> str:
    """A status as a person reads it: the identifier in English (what they type), the
    catalogue's word in another language (`en cours`). Machine formats keep the identifier."""
    return pgettext("status", name)


def category_label(name: str) -> str:
    return pgettext("category", name)


def set_names_fr(names: Mapping[str, str]) -> None:
    """The French forms of names (the data file's `[names_fr]`), for `name_label`."""
    global _names_fr
    _names_fr = names


def name_label(name: str) -> str:
    """A party's, host's or place's name as a person reads it: its French form from the data
    file in French, where it has one; else as written (never guessed)."""
    return _names_fr.get(name, name) if _lang == "fr" else name


def names_label(names: str, sep: str = ", ") -> str:
    """`name_label` of each name of a list joined by `sep` ("AES, Russia")."""
    if _lang != "fr" or not _names_fr:
        return names
    return sep.join(name_label(n) for n in names.split(sep))


def field_label(name: str) -> str:
    """A data field's name as a person reads it in a change (`réexamen` for `review`): the
    identifier in English, which is what the history in the data file says."""
    return pgettext("field", name)


def recur_label(rule: str) -> str:
    """A recurrence as a person reads it: `yearly` in words; an RFC 5545 rule as it is."""
    return pgettext("recurrence", "yearly") if rule == "yearly" else rule


def event_label(name: str) -> str:
    """A history entry's kind (`recorded`, `status`, `note`...) as a person reads it."""
    return pgettext("event", name)


def human_month(text: str) -> str:
    """A month ("2026-04") as a heading: as it is in English, "avril 2026" in French."""
    if _lang == "en":
        return text
    year, month = text.split("-")
    return pgettext("month and year", "{month} {year}").format(
        month=month_name(int(month)), year=year
    )


def iso_label(text: str | None) -> str:
    """`human_date` of an ISO date as the rows carry it ("" for none)."""
    return human_date(date.fromisoformat(text)) if text else ""


MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def month_name(month: int) -> str:
    """The name of a month (1–12) in the current language: one catalogue entry (context
    "month") for dates in prose, month headings and date errors."""
    return pgettext("month", MONTHS[month - 1])


def human_date(d: date | None) -> str:
    """A date in prose (reports, `show`, the timeline): ISO in English, as the data file has
    it; in another language, the catalogue's pattern (`3 avril 2026`, `1er mai 2026`). Machine
    formats always keep ISO."""
    if d is None:
        return ""
    iso = d.isoformat()
    if _lang == "en":
        return iso
    month = month_name(d.month)
    if d.day == 1:
        pattern = pgettext("date, first day of a month", "{iso}")
    else:
        pattern = pgettext("date", "{iso}")
    return pattern.format(iso=iso, day=d.day, month=month, year=d.year)


def init_from_environment(flag: str | None, environ: Mapping[str, str]) -> None:
    set_language(choose(flag, environ))
