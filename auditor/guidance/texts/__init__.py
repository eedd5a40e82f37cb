"""Localized guidance text: gettext catalogs of the domain "guidance", keyed by dotted names.

- The English is declared in the code (declare.py): each rule's own texts on the rule (`texts`),
  the shared ones in common.py. A declaration's key is the text's msgctxt
  ("rule.sku-forbidden.title"), its English the msgid. A block of steps (a tuple of templates) is
  one entry per step, keyed `<key>.0`, `<key>.1`, … (no key of its own ends in a number). A counted
  text has a plural and is chosen by the value `count` (see `Counted`): the number it shows
  ("{count} licenses are in the grace period"), or the number of items in a list it names, whose
  words agree with it without showing it ("Remove {sku}": Turkish "{sku} ürününü" for one
  product, "{sku} ürünlerini" for "A ve B"; `ValueFormatter.listing` gives both values).
- auditor/locale/<lang>/LC_MESSAGES/guidance.po: the translations, read with Babel on first use
  (no .mo, as for messages.po: auditor/i18n/catalogs.py) and looked up by key and English: a text
  a language does not translate gives the English.
- auditor/locale/guidance.pot: the template translators work from, written by `pybabel extract`
  from the declarations (extract.py; docs/guidance.md, "Translating the guidance").

A value is either one template or a tuple of templates (a block of steps). Templates use
`str.format` named fields only; every locale has the same keys, with the same shape and the same
fields, which tests/guidance checks. Catalogs are read on first use, per locale, and kept.
"""

from __future__ import annotations

import gettext
import re
import string
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import partial

from auditor.data.model import Locale

from ...i18n.catalogs import load
from ...i18n.formatting import format_date
from . import common
from .declare import Declared

DOMAIN = "guidance"
SOURCE_LOCALE = Locale.EN  # the msgids are the English texts: English has no catalog of its own
_STEP = re.compile(r"^(?P<key>.+)\.(?P<index>\d+)$")  # "<key>.<n>": step n of a block
_OTHER = 2  # a count that takes the "other" (plural) form in every report language
# The placeholders that hold a number. A text that shows one is counted (msgid_plural) and shows the
# number it agrees with as {count} ("{count} of {enabled} licenses is free"); the others it shows
# ("of {enabled}", "at least {min}") are written so that they need no form of their own.
# tests/guidance/test_guidance_language.py holds every text to this, and every number the rules
# give a text to one of these names.
NUMBERS = frozenset({"count", "enabled", "consumed", "limit", "min", "excess"})
# The placeholders that hold a date. The rules give them as ISO dates (as report.json and
# findings.csv keep them); a text shows them as the language writes a date ("21 nov 2026").
DATES = frozenset({"date", "expires", "last_sign_in", "last_attempt", "last_activity", "bill_from"})
# The placeholders that hold a number a text shows as a bare figure, after a colon or "to", with no
# word that agrees with it (the plan's bill for a product: auditor.guidance.library.bill_values).
FIGURES = frozenset({"bill_after", "bill_spare", "bill_to", "bill_buy", "bill_drop", "bill_moves"})
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?")


class Counted(str):
    """A counted text (ngettext): as a plain str, the form for an unknown or uncounted number (the
    plural); `for_count(n)` is the form the locale's CLDR plural rule gives `n`."""

    _lookup: Callable[[int], str]

    def __new__(cls, lookup: Callable[[int], str]) -> Counted:
        text = super().__new__(cls, lookup(_OTHER))
        text._lookup = lookup
        return text

    def for_count(self, n: int) -> str:
        return self._lookup(n)


Value = str | tuple[str, ...]  # one template, or a block of steps


def _count(value: object) -> int | None:
    return int(value) if isinstance(value, str) and re.fullmatch(r"-?\d+", value) else None


def _translations(locale: Locale) -> gettext.NullTranslations:
    if locale is SOURCE_LOCALE:
        return gettext.NullTranslations()
    return load(locale.value, DOMAIN)


class Catalogs(Mapping[Locale, Mapping[str, Value]]):
    """Locale -> its texts (key -> template(s)), for the declarations `declared` gives: each
    locale's catalog read from its .po when first asked for, and kept.

    The shared words (WORDS, below) are the texts this package declares itself; every rule's texts
    are declared on the rules, which import this package, so their catalogs are built above them
    (auditor.wording.CATALOGS)."""

    def __init__(self, declared: Callable[[], Iterable[Declared]]) -> None:
        self._declared = declared
        self._template: tuple[tuple[str, str, str | None], ...] | None = None
        self._locales: dict[Locale, Mapping[str, Value]] = {}

    def template(self) -> tuple[tuple[str, str, str | None], ...]:
        """(msgctxt, msgid, msgid_plural) of every declared text: the English, and the keys of the catalogs."""
        if self._template is None:
            self._template = tuple(entry for text in self._declared() for entry in text.entries())
        return self._template

    def cache_clear(self) -> None:
        """Forget what was read: the next lookup reads the declarations and the .po files again."""
        self._template = None
        self._locales.clear()

    def __getitem__(self, locale: Locale) -> Mapping[str, Value]:
        texts = self._locales.get(locale)
        if texts is None:  # the first time: is it a locale at all?
            if locale not in set(Locale):
                raise KeyError(locale)
            texts = self._locales[Locale(locale)] = self._read(Locale(locale))
        return texts

    def __iter__(self) -> Iterator[Locale]:
        return iter(Locale)

    def __len__(self) -> int:
        return len(Locale)

    def _read(self, locale: Locale) -> Mapping[str, Value]:
        """Every text of `locale`, key -> template(s), from its .po (English: the template)."""
        translations = _translations(locale)
        one, counted = translations.pgettext, translations.npgettext  # not called by name: nothing to extract
        texts: dict[str, Value] = {}
        steps: dict[str, list[tuple[int, str]]] = {}
        for context, english, plural in self.template():
            if plural is not None:
                text: str = Counted(partial(counted, context, english, plural))
            else:
                text = one(context, english)
            step = _STEP.match(context)
            if step:
                steps.setdefault(step["key"], []).append((int(step["index"]), text))
            else:
                texts[context] = text
        for key, items in steps.items():
            texts[key] = tuple(text for _, text in sorted(items))
        return texts

    def raw(self, locale: Locale, key: str) -> Value:
        """The template(s) for `key`; a missing key is a catalog defect, so it raises KeyError."""
        return self[locale][key]

    def render(self, locale: Locale, key: str, values: Mapping[str, str]) -> list[str]:
        """Fill `key`'s template(s) with `values`; always a list (one item for a plain template).

        A counted text (a step of a block too) takes the form for the number in `values["count"]`
        (the plural when it is missing or no whole number, e.g. "unknown"). An ISO date under a name of
        DATES is written as the language writes a date."""
        text = self.raw(locale, key)
        items = (text,) if isinstance(text, str) else text
        n = _count(values.get("count"))
        dates = {
            name: format_date(values[name], locale)
            for name in DATES & values.keys()
            if _ISO_DAY.fullmatch(str(values[name]))
        }
        values = {**values, **dates} if dates else values
        return [
            (item.for_count(n) if n is not None and isinstance(item, Counted) else item).format_map(values)
            for item in items
        ]

    def render_one(self, locale: Locale, key: str, values: Mapping[str, str]) -> str:
        return " ".join(self.render(locale, key, values))


WORDS = Catalogs(lambda: common.TEXTS)  # the shared words ("none", "unknown", the subscription states)


def fields(template: str) -> frozenset[str]:
    """Names of the placeholders in one template."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)
