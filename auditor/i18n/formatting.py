"""Locale-aware formatting of numbers, money, percentages and dates.

A small table instead of a CLDR library: the report needs five locales and five patterns, and a
table keeps the output byte-for-byte stable across library upgrades (golden files). The values
follow CLDR (decimal/grouping separators, currency placement, medium date pattern).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from auditor.model import Locale

NBSP = "\u00a0"


@dataclass(frozen=True)
class LocaleFormat:
    decimal: str
    group: str
    # "{n}" is the formatted number, "{s}" the currency symbol
    currency_pattern: str
    percent_pattern: str
    # "{d}" day, "{m}" abbreviated month, "{y}" year
    date_pattern: str
    months: tuple[str, ...]
    # joins the date and the 24-hour time; "{h}" hours, "{mi}" minutes
    datetime_pattern: str
    symbols: dict[str, str] = field(default_factory=dict)


_COMMON_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥"}

FORMATS: dict[Locale, LocaleFormat] = {
    Locale.EN: LocaleFormat(
        decimal=".",
        group=",",
        currency_pattern="{s}{n}",
        percent_pattern="{n}%",
        date_pattern="{m} {d}, {y}",
        months=("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
        datetime_pattern="{date}, {h}:{mi} UTC",
        symbols=dict(_COMMON_SYMBOLS),
    ),
    Locale.NL: LocaleFormat(
        decimal=",",
        group=".",
        currency_pattern="{s}" + NBSP + "{n}",
        percent_pattern="{n}%",
        date_pattern="{d} {m} {y}",
        months=("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"),
        datetime_pattern="{date} {h}:{mi} UTC",
        symbols={**_COMMON_SYMBOLS, "USD": "US$"},
    ),
    Locale.DA: LocaleFormat(
        decimal=",",
        group=".",
        currency_pattern="{n}" + NBSP + "{s}",
        percent_pattern="{n}" + NBSP + "%",
        date_pattern="{d}. {m} {y}",
        months=("jan.", "feb.", "mar.", "apr.", "maj", "jun.", "jul.", "aug.", "sep.", "okt.", "nov.", "dec."),
        datetime_pattern="{date} {h}.{mi} UTC",
        symbols={**_COMMON_SYMBOLS, "USD": "US$"},
    ),
    Locale.SV: LocaleFormat(
        decimal=",",
        group=NBSP,
        currency_pattern="{n}" + NBSP + "{s}",
        percent_pattern="{n}" + NBSP + "%",
        date_pattern="{d} {m} {y}",
        months=("jan.", "feb.", "mars", "apr.", "maj", "juni", "juli", "aug.", "sep.", "okt.", "nov.", "dec."),
        datetime_pattern="{date} {h}:{mi} UTC",
        symbols={"EUR": "€", "USD": "US$"},
    ),
    Locale.TR: LocaleFormat(
        decimal=",",
        group=".",
        currency_pattern="{s}{n}",
        percent_pattern="%{n}",
        date_pattern="{d} {m} {y}",
        months=("Oca", "Şub", "Mar", "Nis", "May", "Haz", "Tem", "Ağu", "Eyl", "Eki", "Kas", "Ara"),
        datetime_pattern="{date} {h}:{mi} UTC",
        symbols={**_COMMON_SYMBOLS},
    ),
}


def _digits(value: float, decimals: int, fmt: LocaleFormat) -> str:
    text = f"{abs(value):,.{decimals}f}"  # "1,234.50" — swap separators via placeholders
    text = text.replace(",", "\x00").replace(".", fmt.decimal).replace("\x00", fmt.group)
    return text


def format_number(value: float | int, locale: Locale, *, decimals: int = 0) -> str:
    """Group and round a number: 1234567 -> "1,234,567" (en), "1.234.567" (nl)."""
    fmt = FORMATS[locale]
    rounded = round(float(value), decimals)
    sign = "-" if rounded < 0 else ""
    return sign + _digits(rounded, decimals, fmt)


def format_money(amount: float | int, currency: str | None, locale: Locale) -> str:
    """Amount with its currency placed per locale: "€1,240.00" (en), "1.240,00 €" (da).

    Unknown currencies fall back to the ISO code as symbol; no currency gives the bare number.
    """
    fmt = FORMATS[locale]
    rounded = round(float(amount), 2)
    number = _digits(rounded, 2, fmt)
    if not currency:
        text = number
    else:
        symbol = fmt.symbols.get(currency.upper(), currency.upper())
        text = fmt.currency_pattern.format(s=symbol, n=number)
    return ("-" + text) if rounded < 0 else text


def format_percent(ratio: float, locale: Locale, *, decimals: int = 0) -> str:
    """A ratio as a percentage: 0.25 -> "25%" (en), "25 %" (da), "%25" (tr)."""
    fmt = FORMATS[locale]
    return fmt.percent_pattern.format(n=format_number(ratio * 100, locale, decimals=decimals))


def parse_timestamp(text: str) -> datetime:
    """ISO 8601 (with Z or offset, or a bare date) -> aware UTC datetime. Raises ValueError."""
    value = datetime.fromisoformat(text.strip())
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


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
    fmt = FORMATS[locale]
    return fmt.date_pattern.format(d=value.day, m=fmt.months[value.month - 1], y=value.year)


def format_datetime(value: datetime | str, locale: Locale) -> str:
    """Date and 24-hour UTC time: "Nov 22, 2026, 03:00 UTC"."""
    if isinstance(value, str):
        try:
            value = parse_timestamp(value)
        except ValueError:
            return str(value)
    value = value.astimezone(UTC) if value.tzinfo else value
    fmt = FORMATS[locale]
    return fmt.datetime_pattern.format(date=format_date(value, locale), h=f"{value.hour:02d}", mi=f"{value.minute:02d}")
