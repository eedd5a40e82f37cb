"""Locale-aware numbers, money, percentages, dates and lists: Babel (CLDR), nothing hand-written.

Separators, symbol placement, month names, 24-hour time patterns and list conjunctions are each
language's own from CLDR. The one choice that is the report's rather than CLDR's — how a date and
a time in UTC are joined ("Nov 22, 2026, 03:00 UTC") — is a translatable text in the gettext
catalogs (msgctxt "datetime_utc"): CLDR's medium date-time is not what the reports show ("Nov 22,
2026, 3:00:00 AM" in English, a comma before the time in Dutch). The time itself is CLDR's
24-hour hour-minute pattern ("03:00", Danish "03.00").

Babel is imported on first use (a `--help` or `validate` never formats a figure; importing
babel.dates alone costs several milliseconds) and results are cached: a report formats the same
few counts and prices thousands of times, and a cache hit is cheaper than Babel's pattern engine.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from functools import lru_cache
from typing import Any, Literal

from auditor.common.timestamps import parse_timestamp
from auditor.data.model import Locale
from auditor.i18n.catalogs import catalog

# The CLDR locale behind each report language (the report language codes are CLDR's own).
CLDR: dict[Locale, str] = {locale: locale.value for locale in Locale}
# Lists follow British English: "A, B and C", no serial comma (CLDR "en" writes "A, B, and C").
_LIST_CLDR: dict[Locale, str] = {**CLDR, Locale.EN: "en_GB"}


def _pattern(decimals: int) -> str:
    return "#,##0" + ("." + "0" * decimals if decimals > 0 else "")


@lru_cache(maxsize=16384)
def _number(value: float, decimals: int, cldr: str) -> str:
    from babel.numbers import format_decimal  # Babel's CLDR data: loaded at the first number, not at start-up

    return format_decimal(value, format=_pattern(decimals), locale=cldr)


@lru_cache(maxsize=16384)
def _money(value: float, currency: str, cldr: str) -> str:
    from babel.numbers import format_currency  # Babel: at the first amount

    # currency_digits=False: always two decimals, as a monthly price is written (CLDR gives JPY none)
    return format_currency(value, currency, locale=cldr, currency_digits=False)


def format_number(value: float | int, locale: Locale, *, decimals: int = 0) -> str:
    """Group and round a number: 1234567 -> "1,234,567" (en), "1.234.567" (nl)."""
    return _number(round(float(value), decimals) + 0.0, decimals, CLDR[locale])


def format_size(size_bytes: float | int, locale: Locale) -> str:
    """A mailbox or OneDrive size as admins read it: "8.4 GB", "2 GB" (en), "8,4 GB" (nl). GB are
    1024^3 bytes, as Exchange Online counts its quotas; one decimal unless it is a whole number."""
    gb = round(size_bytes / 1024**3, 1)
    return f"{format_number(gb, locale, decimals=0 if gb == int(gb) else 1)} GB"


MINUS = "\u2212"  # the minus sign (U+2212) of every negative amount a person reads


def format_money(amount: float | int, currency: str | None, locale: Locale) -> str:
    """Amount with its currency placed per locale: "€1,240.00" (en), "1.240,00 €" (da).

    An unknown currency shows its ISO code; no currency gives the bare number. A negative amount
    has one sign in every file: the minus sign before the amount as written ("−€ 56,20",
    "−56,20 €"), as the texts write a reduction ("−{amount} a month"); CLDR's own negative
    patterns differ ("€ -56,20" in Dutch, with a hyphen), and one report would show both.
    """
    rounded = round(float(amount), 2) + 0.0  # + 0.0: no "-0,00"
    if rounded < 0:
        return MINUS + format_money(-rounded, currency, locale)
    if not currency:
        return _number(rounded, 2, CLDR[locale])
    return _money(rounded, currency.upper(), CLDR[locale])


@lru_cache(maxsize=8)
def currency_code_after(locale: Locale) -> bool:
    """Whether the language writes an ISO currency code after the amount ("378 EUR" in Danish, Swedish
    and Turkish, "EUR 378" in English): CLDR's currency pattern of the language, except Turkish, whose
    pattern puts the symbol first ("€378") while a code goes after the number (native review 8, tr 1)."""
    from babel import Locale as Cldr  # Babel: at the first amount

    if locale is Locale.TR:
        return True
    pattern: str = Cldr.parse(CLDR[locale]).currency_formats["standard"].pattern
    return pattern.split(";")[0].rstrip().endswith("\u00a4")


@lru_cache(maxsize=1024)
def format_percent(ratio: float, locale: Locale) -> str:
    """A ratio as a whole percentage: 0.25 -> "25%" (en), "25 %" (da), "%25" (tr)."""
    from babel.numbers import format_percent as percent  # Babel: at the first percentage

    return percent(ratio, locale=CLDR[locale])


@lru_cache(maxsize=4096)
def _date(day: date, cldr: str) -> str:
    from babel.dates import format_date as medium  # Babel: at the first date

    return medium(day, format="medium", locale=cldr)


@lru_cache(maxsize=4096)
def _time(hour: int, minute: int, cldr: str) -> str:
    from babel.dates import format_skeleton  # Babel: at the first date

    # CLDR's 24-hour hour-minute pattern: "03:00" in most languages, "03.00" in Danish
    return format_skeleton("Hm", time(hour, minute), locale=cldr)


def format_date(value: date | datetime | str, locale: Locale) -> str:
    """Medium date: "Nov 22, 2026" (en), "22 nov 2026" (nl), "22. nov. 2026" (da).

    Strings that are not ISO dates are returned unchanged, so a malformed value in a document is
    shown as it is rather than hidden.
    """
    if isinstance(value, str):
        try:
            value = parse_timestamp(value)
        except ValueError:
            return str(value)
    day = value.date() if isinstance(value, datetime) else value
    return _date(day, CLDR[locale])


def format_datetime(value: datetime | str, locale: Locale) -> str:
    """Date and 24-hour UTC time: "Nov 22, 2026, 03:00 UTC" (en), "22. nov. 2026 03.00 UTC" (da)."""
    if isinstance(value, str):
        try:
            value = parse_timestamp(value)
        except ValueError:
            return str(value)
    value = value.astimezone(UTC) if value.tzinfo else value
    return (
        catalog(locale)
        .pgettext("datetime_utc", "{date}, {time} UTC")
        .format(
            date=format_date(value, locale),
            time=_time(value.hour, value.minute, CLDR[locale]),
        )
    )


def format_list(items: Iterable[str], locale: Locale, *, style: Literal["standard", "or"] = "standard") -> str:
    """Join items as the language does: "A, B and C" (en), "A, B en C" (nl), "A, B og C" (da),
    "A, B och C" (sv), "A, B ve C" (tr); style="or" for alternatives ("A, B or C")."""
    parts = tuple(items)
    if len(parts) == 1:  # as Babel answers it; most findings name one product
        return parts[0]
    return _joined(parts, style, _LIST_CLDR[locale])


@lru_cache(maxsize=4096)
def _joined(parts: tuple[str, ...], style: Literal["standard", "or"], cldr: str) -> str:
    """Babel's list pattern, once per distinct list: thousands of findings name the same products."""
    from babel.lists import format_list as join  # Babel: at the first list

    return join(list(parts), style=style, locale=_parsed(cldr))


@lru_cache(maxsize=16)
def _parsed(cldr: str) -> Any:
    """Babel's locale, parsed once (babel.lists.format_list parses a name on every call)."""
    from babel import Locale as Parsed  # Babel: at the first locale parsed

    return Parsed.parse(cldr)
