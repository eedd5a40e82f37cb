"""UI labels exist in every locale, and numbers, money and dates follow each locale's rules."""

from __future__ import annotations

import re
import string
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import pytest

from auditor import i18n
from auditor.model import Locale

NBSP = "\u00a0"
TEMPLATES = Path(str(resources.files("auditor.report").joinpath("templates")))
SOURCES = Path(str(resources.files("auditor.report")))


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("locale", list(Locale), ids=lambda loc: loc.value)
def test_every_locale_has_every_label(locale: Locale) -> None:
    english = i18n.labels(Locale.EN)
    labels = i18n.labels(locale)
    assert sorted(set(english) - set(labels)) == [], f"{locale.value}.json lacks these labels"
    assert sorted(set(labels) - set(english)) == [], f"{locale.value}.json has labels en.json does not"
    for key, value in labels.items():
        assert value.strip(), f"{locale.value}.json: {key} is empty"
        assert _fields(value) == _fields(english[key]), f"{locale.value}.json: {key} placeholders differ from en"


@pytest.mark.parametrize("locale", [loc for loc in Locale if loc is not Locale.EN], ids=lambda loc: loc.value)
def test_translations_are_not_english_copies(locale: Locale) -> None:
    english = i18n.labels(Locale.EN)
    labels = i18n.labels(locale)
    # product words and file names legitimately stay the same; sentences must not
    same = [k for k, v in labels.items() if v == english[k] and len(v.split()) > 2]
    assert same == []


def test_every_label_is_used_and_every_used_label_exists() -> None:
    keys = set(i18n.labels(Locale.EN))
    template_text = "".join(p.read_text("utf-8") for p in TEMPLATES.glob("*.j2"))
    python_text = "".join(p.read_text("utf-8") for p in SOURCES.glob("*.py"))
    in_templates = set(re.findall(r"\bt\.(\w+)", template_text))
    assert in_templates - keys == set(), "templates use labels missing from en.json"
    quoted = set(re.findall(r"\"(\w+)\"", python_text))
    families = {"severity_", "subject_"}
    plurals = {k.rsplit("_", 1)[0] for k in keys if k.endswith(("_one", "_other"))}
    unused = {
        k
        for k in keys
        if k not in in_templates
        and k not in quoted
        and not any(k.startswith(f) for f in families)
        and not (k.endswith(("_one", "_other")) and k.rsplit("_", 1)[0] in quoted)
    }
    assert unused == set(), "labels nothing uses"
    assert plurals <= quoted


def test_plural_picks_one_or_other() -> None:
    assert i18n.plural(Locale.EN, "rule_open", 1) == "1 open finding"
    assert i18n.plural(Locale.EN, "rule_open", 1234) == "1,234 open findings"
    assert i18n.plural(Locale.DA, "rule_open", 1) == "1 åbent fund"
    assert i18n.plural(Locale.SV, "rule_open", 2000) == f"2{NBSP}000 öppna avvikelser"


def test_missing_label_raises() -> None:
    with pytest.raises(KeyError):
        i18n.text(Locale.EN, "no_such_label")


# Expected values are CLDR's (checked against Babel's output for these locales).
MONEY = {
    Locale.EN: ("€1,240.50", "$1,240.50", "£0.00"),
    Locale.NL: (f"€{NBSP}1.240,50", f"US${NBSP}1.240,50", f"£{NBSP}0,00"),
    Locale.DA: (f"1.240,50{NBSP}€", f"1.240,50{NBSP}US$", f"0,00{NBSP}£"),
    Locale.SV: (f"1{NBSP}240,50{NBSP}€", f"1{NBSP}240,50{NBSP}US$", f"0,00{NBSP}GBP"),
    Locale.TR: ("€1.240,50", "$1.240,50", "£0,00"),
}
DATES = {
    Locale.EN: ("Nov 22, 2026", "May 3, 2027"),
    Locale.NL: ("22 nov 2026", "3 mei 2027"),
    Locale.DA: ("22. nov. 2026", "3. maj 2027"),
    Locale.SV: ("22 nov. 2026", "3 maj 2027"),
    Locale.TR: ("22 Kas 2026", "3 May 2027"),
}
NUMBERS = {
    Locale.EN: ("1,234,567", "25%"),
    Locale.NL: ("1.234.567", "25%"),
    Locale.DA: ("1.234.567", f"25{NBSP}%"),
    Locale.SV: (f"1{NBSP}234{NBSP}567", f"25{NBSP}%"),
    Locale.TR: ("1.234.567", "%25"),
}


@pytest.mark.parametrize("locale", list(Locale), ids=lambda loc: loc.value)
def test_money(locale: Locale) -> None:
    eur, usd, gbp = MONEY[locale]
    assert i18n.format_money(1240.5, "EUR", locale) == eur
    assert i18n.format_money(1240.499, "USD", locale) == usd
    assert i18n.format_money(0, "GBP", locale) == gbp


def test_money_edge_cases() -> None:
    assert i18n.format_money(-12.5, "EUR", Locale.EN) == "-€12.50"
    assert i18n.format_money(12.5, "CHF", Locale.EN) == "CHF12.50"
    assert i18n.format_money(12.5, None, Locale.DA) == "12,50"


@pytest.mark.parametrize("locale", list(Locale), ids=lambda loc: loc.value)
def test_dates(locale: Locale) -> None:
    nov, may = DATES[locale]
    assert i18n.format_date("2026-11-22T03:00:00Z", locale) == nov
    assert i18n.format_date("2027-05-03", locale) == may


def test_datetime_is_shown_in_utc() -> None:
    assert i18n.format_datetime("2026-11-22T04:30:00+01:00", Locale.EN) == "Nov 22, 2026, 03:30 UTC"
    assert i18n.format_datetime("2026-11-22T03:00:00Z", Locale.DA) == "22. nov. 2026 03.00 UTC"
    assert i18n.format_datetime(datetime(2026, 1, 2, 9, 5, tzinfo=UTC), Locale.TR) == "2 Oca 2026 09:05 UTC"


def test_unparseable_dates_are_shown_as_they_are() -> None:
    assert i18n.format_date("next Tuesday", Locale.EN) == "next Tuesday"
    assert i18n.format_datetime("", Locale.EN) == ""


@pytest.mark.parametrize("locale", list(Locale), ids=lambda loc: loc.value)
def test_numbers_and_percentages(locale: Locale) -> None:
    grouped, percent = NUMBERS[locale]
    assert i18n.format_number(1234567, locale) == grouped
    assert i18n.format_percent(0.25, locale) == percent


def test_negative_amounts_and_unknown_currencies_follow_cldr() -> None:
    """Babel's CLDR patterns: the sign goes where each language puts it (nl: after the symbol),
    Swedish writes kronor as "kr", and a currency CLDR does not know shows its ISO code."""
    assert i18n.format_money(-1240, "EUR", Locale.NL) == f"€{NBSP}-1.240,00"
    assert i18n.format_money(-1240, "EUR", Locale.EN) == "-€1,240.00"
    assert i18n.format_money(12.5, "SEK", Locale.SV) == f"12,50{NBSP}kr"
    assert i18n.format_money(-0.001, "EUR", Locale.EN) == "€0.00"
    assert i18n.format_money(3, "XTS", Locale.EN).startswith("XTS")
