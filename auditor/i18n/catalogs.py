"""Report UI texts per locale: gettext catalogs, one domain ("messages") for the whole package.

English is the source language. Each text is written in English where it is used — `pgettext` /
`npgettext` calls in auditor/report/view/, csv_report.py and the Jinja2 templates — with a stable
key as its msgctxt ("report_title", "rule_open"), so `pybabel extract` finds every text and a
translator sees the English next to the key. The translations live in
auditor/locale/<lang>/LC_MESSAGES/messages.po; auditor/locale/messages.pot is the extracted
template (docs/reports.md: "Translating the reports").

At run time each locale's messages.po is read on first use with Babel and turned into a standard
`gettext.GNUTranslations` (`translations_from_po`, also used for the guidance domain; labels.py fills
in their placeholders): an
untranslated or fuzzy entry gives the English, and a counted text takes the form the catalog's
Plural-Forms expression gives `n`. English needs no catalog: the msgids are the English texts.

No .mo files are committed or built: the package builds with plain setuptools (a compile step
would need a custom build_py, which an editable install never runs), and a committed .mo would be
one more file per locale to regenerate with every text; pyproject.toml ships the .po/.pot files.
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from importlib import resources
from typing import IO

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from auditor.data.model import Locale

DOMAIN = "messages"
SOURCE_LOCALE = Locale.EN  # the language of the msgids: no catalog of its own


def translations_from_po(po_file: IO[bytes]) -> gettext.GNUTranslations:
    """The translations of a .po file, as gettext gives them from the .mo `pybabel compile` writes."""
    mo = io.BytesIO()
    write_mo(mo, read_po(po_file))  # leaves out untranslated and fuzzy entries: gettext gives the English
    mo.seek(0)
    return gettext.GNUTranslations(mo)


def load(locale: str, domain: str) -> gettext.GNUTranslations:
    """auditor/locale/<locale>/LC_MESSAGES/<domain>.po of the installed package."""
    with resources.files("auditor").joinpath("locale", locale, "LC_MESSAGES", f"{domain}.po").open("rb") as po:
        return translations_from_po(po)


@cache
def catalog(locale: Locale) -> gettext.NullTranslations:
    """The gettext catalog of `locale`, read from its .po (for English, the msgids themselves)."""
    if locale is SOURCE_LOCALE:
        return gettext.NullTranslations()
    return load(locale.value, DOMAIN)
