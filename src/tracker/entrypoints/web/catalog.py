"""Translation catalogs of the web app: update them, or check they are complete.

`python -m tracker.entrypoints.web.catalog update` extracts the messages of
the Python modules and templates in this package, merges them into each
`translations/<language>/LC_MESSAGES/messages.po` and compiles the `.mo`
next to it. Translate the new (empty) entries and run it again: installs
ship the compiled `.mo` as it is in the repository.

`python -m tracker.entrypoints.web.catalog check` exits with status 1 and
lists the problems when a `.po` lacks a message, has an untranslated or
fuzzy one, or when a `.mo` does not match its `.po`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

WEB_DIR = Path(__file__).parent
TRANSLATIONS = WEB_DIR / "translations"
DOMAIN = "messages"

_METHOD_MAP = [
    ("**.py", "python"),
    ("templates/**.html", "jinja2"),
]
# Without `silent: false` the Jinja extractor skips a template it cannot
# parse instead of reporting it.
_OPTIONS_MAP = {
    "templates/**.html": {"extensions": "jinja2.ext.do", "silent": "false"},
}
_KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}


def languages() -> list[str]:
    """Return the languages that have a catalog, such as ["ru"]."""
    return sorted(path.name for path in TRANSLATIONS.iterdir() if path.is_dir())


def po_path(language: str) -> Path:
    return TRANSLATIONS / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def extract() -> Catalog:
    """Return a catalog of every message the package's code and templates use."""
    template = Catalog(project="tracker", domain=DOMAIN)
    found = extract_from_dir(
        WEB_DIR,
        method_map=_METHOD_MAP,
        options_map=_OPTIONS_MAP,
        keywords=_KEYWORDS,
    )
    for filename, lineno, message, comments, context in found:
        template.add(
            message,
            locations=[(filename, lineno)],
            auto_comments=comments,
            context=context,
        )
    return template


def update(language: str) -> Path:
    """Merge newly extracted messages into the language's .po; compile its .mo."""
    path = po_path(language)
    template = extract()
    if path.exists():
        with path.open("rb") as file:
            catalog = read_po(file, locale=language)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        catalog = Catalog(
            locale=language,
            domain=DOMAIN,
            project="tracker",
            header_comment=f"# {language} messages of the tracker web app.",
        )
    catalog.update(template, update_header_comment=False, update_creation_date=False)
    catalog.obsolete.clear()
    catalog.fuzzy = False
    with path.open("wb") as file:
        write_po(file, catalog, width=88, omit_header=False, sort_output=True)
    with path.with_suffix(".mo").open("wb") as file:
        write_mo(file, catalog)
    return path


def problems(language: str) -> list[str]:
    """Return what is missing or stale in one language's catalogs."""
    path = po_path(language)
    with path.open("rb") as file:
        catalog = read_po(file, locale=language)
    found: list[str] = []
    for message in extract():
        if message.id and message.id not in catalog:
            found.append(f"{path}: no entry for {_first(message.id)!r}")
    for message in catalog:
        if not message.id:
            continue
        if message.fuzzy:
            found.append(f"{path}: fuzzy entry {_first(message.id)!r}")
        elif not _translated(message.string):
            found.append(f"{path}: untranslated {_first(message.id)!r}")
    found.extend(_mo_problems(path, catalog))
    return found


def _mo_problems(po: Path, catalog: Catalog) -> list[str]:
    mo = po.with_suffix(".mo")
    if not mo.exists():
        return [f"{mo}: missing; run the update command"]
    with mo.open("rb") as file:
        compiled = read_mo(file)
    expected = _strings(catalog, skip_fuzzy=True)
    actual = _strings(compiled, skip_fuzzy=False)
    if expected == actual:
        return []
    changed = sorted(set(expected.items()) ^ set(actual.items()), key=str)
    sample = _first(changed[0][0]) if changed else ""
    return [f"{mo}: differs from {po.name} (e.g. at {sample!r}); run update"]


def _strings(catalog: Catalog, *, skip_fuzzy: bool) -> dict[object, object]:
    # read_mo returns plural forms as lists and read_po as tuples.
    return {
        _hashable(message.id): _hashable(message.string)
        for message in catalog
        if message.id and not (skip_fuzzy and message.fuzzy)
    }


def _hashable(value: object) -> object:
    return tuple(value) if isinstance(value, list) else value


def _translated(string: object) -> bool:
    if isinstance(string, (tuple, list)):
        return all(string)
    return bool(string)


def _first(message_id: object) -> str:
    if isinstance(message_id, (tuple, list)):
        return str(message_id[0])
    return str(message_id)


def main(argv: list[str]) -> int:
    command = argv[0] if argv else ""
    if command == "update":
        for language in argv[1:] or languages():
            print(f"updated {update(language)}")
        return 0
    if command == "check":
        found = [line for language in languages() for line in problems(language)]
        print("\n".join(found) or "catalogs are complete and compiled")
        return 1 if found else 0
    print("usage: python -m tracker.entrypoints.web.catalog update [LANG...] | check")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
