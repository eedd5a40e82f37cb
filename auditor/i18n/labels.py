"""One locale's report labels (the "messages" domain), with their placeholders filled in (the catalogs: catalogs.py)."""

from __future__ import annotations

from functools import cache

from auditor.data.model import Locale
from auditor.i18n.catalogs import catalog
from auditor.i18n.formatting import format_number


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
