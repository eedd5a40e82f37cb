"""Localized guidance text: one flat catalog per locale, keyed by dotted names.

A value is either one template or a tuple of templates (a block of steps). Templates use
`str.format` named fields only; every locale must define the same keys, with the same shape
and the same fields, which tests/guidance checks. No I/O: the catalogs are Python data.
"""

from __future__ import annotations

import string
from collections.abc import Mapping

from ...model import Locale
from . import da, en, nl, sv, tr

Text = str | tuple[str, ...]

CATALOGS: Mapping[Locale, Mapping[str, Text]] = {
    Locale.EN: en.TEXTS,
    Locale.NL: nl.TEXTS,
    Locale.DA: da.TEXTS,
    Locale.SV: sv.TEXTS,
    Locale.TR: tr.TEXTS,
}


def raw(locale: Locale, key: str) -> Text:
    """The template(s) for `key`; a missing key is a catalog defect, so it raises KeyError."""
    return CATALOGS[locale][key]


def render(locale: Locale, key: str, values: Mapping[str, str]) -> list[str]:
    """Fill `key`'s template(s) with `values`; always a list (one item for a plain template)."""
    text = raw(locale, key)
    items = (text,) if isinstance(text, str) else text
    return [item.format_map(values) for item in items]


def render_one(locale: Locale, key: str, values: Mapping[str, str]) -> str:
    return " ".join(render(locale, key, values))


def fields(template: str) -> frozenset[str]:
    """Names of the placeholders in one template."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)
