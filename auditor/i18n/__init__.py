"""Report UI texts per locale (gettext catalogs) and locale-aware formatting (Babel, CLDR).

Texts: `translations(locale).pgettext("report_title", "Microsoft 365 license audit")` and, for
counted texts, `npgettext("rule_open", "{n} open finding", "{n} open findings", n)`; the English is
written where the text is used and translated in auditor/locale/<lang>/LC_MESSAGES/messages.po
(see catalogs.py). Rule titles, finding messages and remediation text come from
`auditor.wording`, not from here.

Formatting: numbers, money, percentages, dates and lists from CLDR through Babel (formatting.py).
"""

from __future__ import annotations

from auditor.common.numbers import english_count
from auditor.common.timestamps import parse_timestamp
from auditor.i18n.catalogs import DOMAIN, catalog
from auditor.i18n.cloud_names import cloud_name
from auditor.i18n.formatting import (
    currency_code_after,
    format_date,
    format_datetime,
    format_list,
    format_money,
    format_number,
    format_percent,
    format_size,
)
from auditor.i18n.labels import Translations, translations

__all__ = [
    "DOMAIN",
    "Translations",
    "catalog",
    "cloud_name",
    "currency_code_after",
    "english_count",
    "format_date",
    "format_datetime",
    "format_list",
    "format_money",
    "format_number",
    "format_percent",
    "format_size",
    "parse_timestamp",
    "translations",
]
