"""Report UI labels per locale, and locale-aware number, money and date formatting.

Labels live in `auditor/i18n/labels/<locale>.json`, one flat object per locale with the same
keys as `en.json`. Values are `str.format` templates with named fields ("{n} open findings").
Counted labels come in two keys, `<key>_one` and `<key>_other` (all five locales use the CLDR
one/other plural categories with "one" meaning exactly 1). Rule titles, finding messages and
remediation text come from `auditor.guidance`, not from here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib import resources

from auditor.i18n.formatting import (
    format_date,
    format_datetime,
    format_money,
    format_number,
    format_percent,
    parse_timestamp,
)
from auditor.model import Locale

__all__ = [
    "format_date",
    "format_datetime",
    "format_money",
    "format_number",
    "format_percent",
    "labels",
    "parse_timestamp",
    "plural",
    "text",
]


@cache
def labels(locale: Locale) -> Mapping[str, str]:
    """Every UI label of `locale`, keyed as in en.json."""
    raw = resources.files("auditor.i18n").joinpath("labels", f"{locale.value}.json").read_text("utf-8")
    data = json.loads(raw)
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise ValueError(f"auditor/i18n/labels/{locale.value}.json: expected an object of strings")
    return dict(data)


def text(locale: Locale, key: str, **values: object) -> str:
    """The label `key` in `locale`, with `values` filled in. A missing key raises KeyError."""
    template = labels(locale)[key]
    return template.format(**values) if values else template


def plural(locale: Locale, key: str, n: int, **values: object) -> str:
    """A counted label: `<key>_one` when n == 1, else `<key>_other`; `{n}` is the formatted count."""
    suffix = "one" if n == 1 else "other"
    return text(locale, f"{key}_{suffix}", n=format_number(n, locale), **values)
