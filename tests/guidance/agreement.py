"""How each report language agrees a noun (and a verb or adjective) with a number: the patterns a
text rendered for 1 or for 2 must not contain. Shared by the tests of both catalogs
(tests/guidance/test_guidance_language.py, tests/report/test_i18n.py)."""

from __future__ import annotations

import re

from auditor.data.model import Locale

# How each language agrees a noun (and a verb or adjective) with a number. A pattern here is a
# mistake for that number: "1 days", "2 license", Turkish "2 lisanslar" (a noun after a number stays
# singular), Danish "1 af 7 licenser er ledige".
NOUNS = {
    Locale.EN: [
        ("day", "days"),
        ("license", "licenses"),
        ("member", "members"),
        ("user", "users"),
        ("finding", "findings"),
        ("change", "changes"),
        ("product", "products"),
        ("run", "runs"),
        ("seat", "seats"),
    ],
    Locale.NL: [
        ("dag", "dagen"),
        ("licentie", "licenties"),
        ("lid", "leden"),
        ("gebruiker", "gebruikers"),
        ("bevinding", "bevindingen"),
        ("wijziging", "wijzigingen"),
        ("product", "producten"),
    ],
    Locale.DA: [
        ("dag", "dage"),
        ("licens", "licenser"),
        ("medlem", "medlemmer"),
        ("bruger", "brugere"),
        ("ændring", "ændringer"),
        ("produkt", "produkter"),
        ("kørsel", "kørsler"),
    ],
    Locale.SV: [
        ("dag", "dagar"),
        ("licens", "licenser"),
        ("medlem", "medlemmar"),
        ("avvikelse", "avvikelser"),
        ("ändring", "ändringar"),
        ("produkt", "produkter"),
        ("körning", "körningar"),
    ],
    Locale.TR: [],
}
WRONG_FOR = {
    1: {
        Locale.EN: [r"\b1 (of \d+ )?\w+ (are|lapse|stay)\b"],
        Locale.NL: [r"\b1 (van de \d+ )?\w+ (zijn|vervallen|zitten|blijven)\b", r"\bzijn 1\b"],
        Locale.DA: [r"\b1 af \d+ \w+ er (ledige|ubrugte)\b", r"\b1 licenser\b"],
        Locale.SV: [r"\b1 av \d+ \w+ är (lediga|oanvända)\b", r"\b1 licenser\b"],
        Locale.TR: [],
    },
    2: {
        Locale.EN: [r"\b2 (of \d+ )?\w+ (is|lapses|stays)\b"],
        Locale.NL: [r"\b2 (van de \d+ )?\w+ (is|vervalt|zit|blijft)\b", r"\bis 2\b"],
        Locale.DA: [r"\b2 af \d+ \w+ er (ledig|ubrugt)\b"],
        Locale.SV: [r"\b2 av \d+ \w+ är (ledig|oanvänd)\b"],
        Locale.TR: [],
    },
}
TURKISH_PLURAL_AFTER_NUMBER = re.compile(r"\b\d+ \w+(ler|lar)\w*\b")


def agreement_errors(text: str, locale: Locale, n: int) -> list[str]:
    wrong = list(WRONG_FOR[n][locale])
    for one, many in NOUNS[locale]:
        wrong.append(rf"\b1 (\w+ )?{many}\b" if n == 1 else rf"\b2 (\w+ )?{one}\b")
    found = [p for p in wrong if re.search(p, text)]
    if locale is Locale.TR and TURKISH_PLURAL_AFTER_NUMBER.search(text):
        found.append(TURKISH_PLURAL_AFTER_NUMBER.pattern)
    return found
