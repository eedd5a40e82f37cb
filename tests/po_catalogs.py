"""Reading the gettext catalogs in tests (both domains: the report labels and the guidance)."""

from __future__ import annotations

import string
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from auditor.data.model import Locale

LOCALE_DIR = Path(__file__).parents[1] / "auditor" / "locale"


def po_path(locale: Locale, domain: str) -> Path:
    return LOCALE_DIR / locale.value / "LC_MESSAGES" / f"{domain}.po"


def read_catalog(path: Path, locale: Locale | None = None) -> Catalog:
    with path.open("rb") as fp:
        return read_po(fp, locale=None if locale is None else locale.value)


def messages(catalog: Catalog) -> Iterator[Message]:
    return (message for message in catalog if message.id)


def forms(value: Any) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, tuple | list) else (value,)


def fields(text: str) -> set[str]:
    """The str.format field names of `text` (raises ValueError when it is no valid format string)."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def assert_all_translated(catalog: Catalog) -> None:
    """No fuzzy entry, every plural form of the language, no empty text, and Babel's own checks."""
    for message in messages(catalog):
        assert "fuzzy" not in message.flags, f"{message.context}: fuzzy"
        found = forms(message.string)
        if message.pluralizable:
            assert len(found) == catalog.num_plurals, f"{message.context}: {catalog.num_plurals} plural forms"
        assert all(form.strip() for form in found), f"{message.context}: not translated"
    assert [error for _, errors in catalog.check() for error in errors] == []
