"""Report UI texts per locale: gettext catalogs, one domain ("messages") for the whole package.

English is the source language. Each text is written in English where it is used — `pgettext` /
`npgettext` calls in auditor/report/view.py, csv_report.py and the Jinja2 templates — with a stable
key as its msgctxt ("report_title", "rule_open"), so `pybabel extract` finds every text and a
translator sees the English next to the key. The translations live in
auditor/locale/<lang>/LC_MESSAGES/messages.po; auditor/locale/messages.pot is the extracted
template (docs/reports.md: "Translating the reports").

At run time the compiled catalogs (messages.mo) are read with the standard library's
`gettext.GNUTranslations`, which costs nothing to import (Babel is needed only to extract, update
and compile catalogs). English needs no catalog: the msgids are the English texts.

Why the .mo files are committed next to the .po files rather than compiled at build time: the
package builds with plain setuptools from pyproject.toml, and a compile step would need a custom
build_py command (a setup.py or an in-tree build backend) plus Babel as a build requirement, and
a checkout or an editable install (the development venv, the tests) never runs build_py, so it
would lack the catalogs unless every checkout ran an extra step or start-up compiled .po files
with Babel. Committed .mo files work the same in a checkout, an editable install, an sdist and a
wheel; tests/report/test_catalogs.py fails when a .mo no longer matches its .po, so they cannot
drift unnoticed (`pybabel compile` fixes it).
"""

from __future__ import annotations

import gettext
from functools import cache
from importlib import resources

from auditor.i18n.formatting import format_number
from auditor.model import Locale

DOMAIN = "messages"
SOURCE_LOCALE = Locale.EN  # the language of the msgids: no catalog of its own


@cache
def catalog(locale: Locale) -> gettext.NullTranslations:
    """The compiled gettext catalog of `locale` (for English, the msgids themselves)."""
    if locale is SOURCE_LOCALE:
        return gettext.NullTranslations()
    mo = resources.files("auditor").joinpath("locale", locale.value, "LC_MESSAGES", f"{DOMAIN}.mo")
    with mo.open("rb") as fp:
        return gettext.GNUTranslations(fp)


class Translations:
    """One locale's texts, with `str.format` placeholders ("{n} open findings") filled in.

    The method names are gettext's own so `pybabel extract` finds calls with its default
    keywords: `pgettext(msgctxt, message)` and `npgettext(msgctxt, singular, plural, n)`.
    """

    def __init__(self, locale: Locale) -> None:
        self.locale = locale
        self._catalog = catalog(locale)

    def pgettext(self, context: str, message: str, /, **values: object) -> str:
        """The text `message` (msgctxt `context`) in this locale, with `values` filled in."""
        text = self._catalog.pgettext(context, message)
        return text.format(**values) if values else text

    def npgettext(self, context: str, singular: str, plural: str, n: int, /, **values: object) -> str:
        """A counted text in the plural form the locale uses for `n`; `{n}` is the formatted count."""
        text = self._catalog.npgettext(context, singular, plural, n)
        return text.format(n=format_number(n, self.locale), **values)


@cache
def translations(locale: Locale) -> Translations:
    """The report texts of `locale`."""
    return Translations(locale)
