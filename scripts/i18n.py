"""The translation catalogues: find every message the code shows a person, keep each language's
`.po` file in step with them, and compile the `.mo` files the package ships.

    python scripts/i18n.py update     # add new messages to every .po (empty), mark gone ones
    python scripts/i18n.py compile    # write each .mo from its .po
    python scripts/i18n.py check      # exit 1 if a message lacks a translation or a .mo is stale

A translator edits `src/aes_tracker/locale/<lang>/LC_MESSAGES/aes_tracker.po` in any PO editor
(Poedit, Lokalize, a text editor), then runs `compile`. A new language is a new folder and its
code in `i18n.LANGUAGES`.

What counts as a message (found by reading the source, not by running it):
- the first argument of `_()`, `_lazy()` and `pgettext()`'s second, `ngettext()`'s first two;
- `help=` and `short_help=` in the command-line modules (Typer options, arguments, apps);
- the docstring of each command (Typer shows it as the command's help);
- the registries' words: each status and category name (context "status", "category") and
  each one's one-line meaning, the month names (context "month"), the kinds of history
  entries (context "event") and the commitment's fields as a change names them ("field");
- the few texts of the framework that reach a person (`FRAMEWORK` below).
Babel (a test-only dependency) reads and writes the PO and MO formats.
"""

from __future__ import annotations

import ast
import io
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "aes_tracker"
LOCALE = PACKAGE / "locale"
DOMAIN = "aes_tracker"

CALLS_FIRST = {"_", "_lazy", "N_"}
CALLS_PLURAL = {"ngettext"}
CALLS_CONTEXT = {"pgettext"}
HELP_KEYWORDS = {"help", "short_help"}
COMMAND_DECORATORS = {"command", "callback"}

# Texts of Click and Typer that a person reads, which the command line translates by these ids.
FRAMEWORK = ("Show this message and exit.",)

Key = tuple[str | None, str, str | None]  # (context, id, plural id)


def _const(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _name(func: ast.AST) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _from_source(path: Path) -> Iterator[tuple[Key, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    in_cli = "cli" in path.relative_to(PACKAGE).parts
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _name(node.func)
            args = node.args
            if name in CALLS_FIRST and args and (text := _const(args[0])):
                yield (None, text, None), node.lineno
            elif name in CALLS_PLURAL and len(args) >= 2:
                one, many = _const(args[0]), _const(args[1])
                if one and many:
                    yield (None, one, many), node.lineno
            elif name in CALLS_CONTEXT and len(args) >= 2:
                ctx, text = _const(args[0]), _const(args[1])
                if ctx and text:
                    yield (ctx, text, None), node.lineno
            if in_cli:
                for kw in node.keywords:
                    if kw.arg in HELP_KEYWORDS and (text := _const(kw.value)):
                        yield (None, text, None), node.lineno
        elif in_cli and isinstance(node, ast.FunctionDef):
            decorated = any(
                isinstance(d, ast.Call) and _name(d.func) in COMMAND_DECORATORS
                for d in node.decorator_list
            )
            doc = ast.get_docstring(node, clean=True)
            if decorated and doc:
                yield (None, doc, None), node.lineno


def _from_registries() -> Iterator[Key]:
    sys.path.insert(0, str(ROOT / "src"))
    from aes_tracker.domain.model import COMMITMENT_KEYS, EVENT_KINDS
    from aes_tracker.domain.statuses import categories, statuses
    from aes_tracker.i18n import MONTHS

    for month in MONTHS:
        yield ("month", month, None)
    for kind in EVENT_KINDS:
        yield ("event", kind, None)
    for key in COMMITMENT_KEYS:
        if key != "history":
            yield ("field", key, None)

    for s in statuses():
        yield ("status", s.name, None)
        yield (None, s.meaning, None)
    for c in categories():
        yield ("category", c.name, None)
        yield (None, c.meaning, None)


def messages() -> dict[Key, list[str]]:
    """Every message, with where it is used."""
    found: dict[Key, list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        for key, line in _from_source(path):
            found.setdefault(key, []).append(f"{rel}:{line}")
    for key in _from_registries():
        found.setdefault(key, []).append("src/aes_tracker/domain/model.py")
    for text in FRAMEWORK:
        found.setdefault((None, text, None), []).append("framework")
    return found


def po_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def languages() -> list[str]:
    return sorted(p.name for p in LOCALE.iterdir() if po_path(p.name).exists())


def _msg_id(key: Key) -> str | tuple[str, str]:
    return key[1] if key[2] is None else (key[1], key[2])


def update() -> None:
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po, write_po

    found = messages()
    for lang in languages():
        path = po_path(lang)
        with path.open("rb") as f:
            old = read_po(f, locale=lang)
        new = Catalog(
            locale=lang,
            domain=DOMAIN,
            project="aes-tracker",
            header_comment=old.header_comment,
            creation_date=old.creation_date,
            revision_date=old.revision_date,
            last_translator=old.last_translator,
            language_team=old.language_team,
            fuzzy=False,
        )
        # The catalogue's own plural rule, not Babel's CLDR one (French in CLDR has a third form
        # for millions, which no translator expects to fill in).
        new._num_plurals, new._plural_expr = old.num_plurals, old.plural_expr
        for key, where in sorted(found.items(), key=lambda kv: kv[1][0]):
            ctx, text, plural = key
            msg_id = _msg_id(key)
            before = old.get(msg_id, context=ctx)
            string: str | tuple[str, ...] = (
                before.string if before is not None else ("" if plural is None else ("", ""))
            )
            new.add(
                msg_id,
                string,
                locations=[(w.rsplit(":", 1)[0], _line(w)) for w in where[:3]],
                context=ctx,
                flags=("python-brace-format",) if "{" in text else (),
            )
        out = io.BytesIO()
        write_po(out, new, width=100, sort_output=False, omit_header=False)
        path.write_bytes(out.getvalue())
        print(f"{path.relative_to(ROOT)}: {len(new)} messages")


def _line(where: str) -> int | None:
    tail = where.rsplit(":", 1)
    return int(tail[1]) if len(tail) == 2 and tail[1].isdigit() else None


def compiled(lang: str) -> bytes:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po_path(lang).open("rb") as f:
        catalog = read_po(f, locale=lang)
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def compile_all() -> None:
    for lang in languages():
        mo = po_path(lang).with_suffix(".mo")
        mo.write_bytes(compiled(lang))
        print(f"{mo.relative_to(ROOT)} written")


# The fields a message's translation may use beyond those of its English text (a date pattern's
# English is just the ISO date; another language spells it out).
EXTRA_FIELDS = {
    "date": {"day", "month", "year"},
    "date, first day of a month": {"day", "month", "year"},
}


def _fields(text: str) -> set[str]:
    """The {named} fields of a format string (ValueError when its braces do not pair)."""
    import string

    return {f for _lit, f, _spec, _conv in string.Formatter().parse(text) if f}


def problems() -> list[str]:
    """What `check` reports: messages without a translation, and .mo files out of step."""
    from babel.messages.pofile import read_po

    out = []
    found = messages()
    for lang in languages():
        with po_path(lang).open("rb") as f:
            catalog = read_po(f, locale=lang)
        for key, where in found.items():
            m = catalog.get(_msg_id(key), context=key[0])
            strings = (
                () if m is None else (m.string if isinstance(m.string, tuple) else (m.string,))
            )
            if m is None or not all(strings) or m.fuzzy:
                out.append(f"{lang}: untranslated ({where[0]}): {key[1]!r}")
                continue
            allowed = _fields(key[1]) | _fields(key[2] or "") | EXTRA_FIELDS.get(key[0], set())
            for text in strings:
                try:
                    used = _fields(text)
                except ValueError as e:
                    out.append(f"{lang}: broken braces ({e}) in the translation of {key[1]!r}")
                    continue
                if not used <= allowed:
                    out.append(
                        f"{lang}: {sorted(used - allowed)} in the translation of {key[1]!r} "
                        "is not a field of the message"
                    )
        mo = po_path(lang).with_suffix(".mo")
        if not mo.exists() or mo.read_bytes() != compiled(lang):
            out.append(f"{lang}: {mo.relative_to(ROOT)} is not compiled from its .po")
    return out


def main() -> None:
    what = sys.argv[1] if len(sys.argv) > 1 else ""
    if what == "update":
        update()
    elif what == "compile":
        compile_all()
    elif what == "check":
        found = problems()
        for p in found:
            print(p)
        sys.exit(1 if found else 0)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
