"""Locale-aware formatting of numbers, money, percentages and dates, on Babel (CLDR).

Numbers, currency, percent and medium dates come from CLDR through Babel, so separators, symbol
placement and month names are each language's own. Babel is imported on first use (a `--help` or
`validate` never formats a figure) and results are cached: a report formats the same few counts
and prices thousands of times, and a cache hit is cheaper than Babel's pattern engine.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache

from auditor.model import Locale

# The CLDR locale behind each report language.
CLDR: dict[Locale, str] = {Locale.EN: "en", Locale.NL: "nl", Locale.DA: "da", Locale.SV: "sv", Locale.TR: "tr"}
# How each language joins a medium date and a 24-hour time (CLDR's own datetime patterns use a
# 12-hour clock in English and seconds; a report wants "HH:mm UTC" everywhere).
_DATETIME: dict[Locale, str] = {
    Locale.EN: "{date}, {h}:{mi} UTC",
    Locale.NL: "{date} {h}:{mi} UTC",
    Locale.DA: "{date} {h}.{mi} UTC",
    Locale.SV: "{date} {h}:{mi} UTC",
    Locale.TR: "{date} {h}:{mi} UTC",
}


def _pattern(decimals: int) -> str:
    return "#,##0" + ("." + "0" * decimals if decimals > 0 else "")


@lru_cache(maxsize=16384)
def _number(value: float, decimals: int, cldr: str) -> str:
    from babel.numbers import format_decimal

    return format_decimal(value, format=_pattern(decimals), locale=cldr)


@lru_cache(maxsize=16384)
def _money(value: float, currency: str, cldr: str) -> str:
    from babel.numbers import format_currency

    # currency_digits=False: always two decimals, as a monthly price is written (CLDR gives JPY none)
    return format_currency(value, currency, locale=cldr, currency_digits=False)


def format_number(value: float | int, locale: Locale, *, decimals: int = 0) -> str:
    """Group and round a number: 1234567 -> "1,234,567" (en), "1.234.567" (nl)."""
    return _number(round(float(value), decimals) + 0.0, decimals, CLDR[locale])


def format_money(amount: float | int, currency: str | None, locale: Locale) -> str:
    """Amount with its currency placed per locale: "€1,240.00" (en), "1.240,00 €" (da).

    An unknown currency shows its ISO code; no currency gives the bare number.
    """
    rounded = round(float(amount), 2) + 0.0  # + 0.0: no "-0,00"
    if not currency:
        return _number(rounded, 2, CLDR[locale])
    return _money(rounded, currency.upper(), CLDR[locale])


@lru_cache(maxsize=1024)
def format_percent(ratio: float, locale: Locale) -> str:
    """A ratio as a whole percentage: 0.25 -> "25%" (en), "25 %" (da), "%25" (tr)."""
    from babel.numbers import format_percent as percent

    return percent(ratio, locale=CLDR[locale])


def parse_timestamp(text: str) -> datetime:
    """ISO 8601 (with Z or offset, or a bare date) -> aware UTC datetime. Raises ValueError."""
    value = datetime.fromisoformat(text.strip())
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


@lru_cache(maxsize=4096)
def _date(day: date, cldr: str) -> str:
    from babel.dates import format_date as medium

    return medium(day, format="medium", locale=cldr)


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
    """Date and 24-hour UTC time: "Nov 22, 2026, 03:00 UTC"."""
    if isinstance(value, str):
        try:
            value = parse_timestamp(value)
        except ValueError:
            return str(value)
    value = value.astimezone(UTC) if value.tzinfo else value
    return _DATETIME[locale].format(date=format_date(value, locale), h=f"{value.hour:02d}", mi=f"{value.minute:02d}")
