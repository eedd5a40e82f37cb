"""What a native review round found, held one way for every round: on the catalogs (rounds 6 on: the
text's context and domain, the reviewer's wording, which the text may no longer say, and the wording that
replaced it, which it says) or on the demo's files (rounds up to 5: the wording and its fix)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from auditor import i18n
from auditor.data.model import Locale

LOCALE = Path(i18n.__file__).parents[1] / "locale"

# (context, domain, the reviewer's wording, the fix)
CatalogEntry = tuple[str, str, str, str]
# (the reviewer's wording, the fix; None when the wording is only gone)
FileEntry = tuple[str, str | None]


@cache
def _catalog(locale: Locale, domain: str) -> Catalog:
    path = LOCALE / f"{domain}.pot" if locale is Locale.EN else LOCALE / locale.value / "LC_MESSAGES" / f"{domain}.po"
    with path.open("rb") as fh:
        return read_po(fh, locale=None if locale is Locale.EN else locale.value)


def catalog_texts(locale: Locale, domain: str, context: str) -> list[str]:
    """English: the template's msgid; the others: every plural form of the translation."""
    [message] = [m for m in _catalog(locale, domain) if m.context == context]
    value = message.id if locale is Locale.EN else message.string
    return [value] if isinstance(value, str) else list(value)


def unfixed_in_catalogs(locale: Locale, entries: Sequence[CatalogEntry]) -> list[tuple[str, list[str]]]:
    """The entries whose text still says the reviewer's wording or does not say the fix."""
    wrong = []
    for context, domain, found, fixed in entries:
        texts = catalog_texts(locale, domain, context)
        if any((found and found in text) or fixed not in text for text in texts):
            wrong.append((context, texts))
    return wrong


def unfixed_in_files(read: Mapping[str, str], entries: Sequence[FileEntry]) -> list[str]:
    """The reviewer's wordings some file still says, and the fixes no file says."""
    found = [f"{name}: {wrong!r}" for wrong, _ in entries for name, text in read.items() if wrong in text]
    missing = [f"missing: {fixed!r}" for _, fixed in entries if fixed and not any(fixed in t for t in read.values())]
    return found + missing
