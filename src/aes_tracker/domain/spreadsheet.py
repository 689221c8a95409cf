"""A spreadsheet's cells: the form `--excel` writes (OWASP's rule against formula injection) and
its inverse, which `import` applies to every CSV cell, so that the tool's own CSV, raw or for
spreadsheets, and the same file after a spreadsheet opened and saved it, read back as the data
they came from."""

from __future__ import annotations

import re

_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
# What a cell that a spreadsheet would run as a formula starts with (OWASP), and the mark.
_FORMULA = "=+-@\t\r"


def excel_cell(text: str) -> str:
    """OWASP's rule against formula injection, for the Excel form: a cell starting with `=`,
    `+`, `-`, `@`, a tab or a carriage return is prefixed with `'` so a spreadsheet shows it as
    text instead of running it. Numbers (`-239`) are left as numbers. A cell that already starts
    with `'` and one of those (or another `'`) gets one more, so that `import` can take exactly
    one off every such cell and have the data back (`plain_cell`)."""
    if text[:1] and text[0] in _FORMULA and not _NUMBER.match(text):
        return "'" + text
    return csv_cell(text)


def csv_cell(text: str) -> str:
    """A cell of the raw CSV: as in the data, except a value starting with `'` and a formula's
    first character (or another `'`), which gets one more `'`, so that it is never read back as
    the Excel form's neutralised cell."""
    if text[:1] == "'" and text[1:2] and text[1] in _FORMULA + "'":
        return "'" + text
    return text


def plain_cell(text: str) -> str:
    """The inverse of `excel_cell` and `csv_cell`, for `import`: one `'` off a cell that starts
    with `'` and a formula's first character (or another `'`). The same file after a spreadsheet
    opened and saved it reads back the same (LibreOffice keeps the `'`, drops the BOM)."""
    if text[:1] == "'" and text[1:2] and text[1] in _FORMULA + "'":
        return text[1:]
    return text
