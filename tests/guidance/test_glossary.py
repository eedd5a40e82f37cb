"""One term per concept and language, held against auditor/locale/glossary.csv.

The glossary lists, per concept and language, the term the texts use, the variants they must not
use (regular expressions) and where the term comes from (a Microsoft page or admin-center label,
or the project's own decision). Over every text of both catalogs (report labels and guidance):

- no text uses a forbidden variant;
- no text leaves a glossary concept in English ("usage location", "waiver", "worldwide"), except
  inside placeholders, URLs and code (`assignLicense`), and where the language's term is the English
  word itself (Dutch "tenant").

How to add a term and how to review a locale: docs/guidance.md, "The glossary".
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from auditor import i18n
from auditor.guidance import texts
from auditor.model import Locale
from tests import po_catalogs as po

GLOSSARY = Path(__file__).parents[2] / "auditor" / "locale" / "glossary.csv"
TRANSLATED = [locale for locale in Locale if locale is not Locale.EN]
COLUMNS = ["concept", "english", "locale", "term", "forbidden", "source", "confirmed", "note"]


@dataclass(frozen=True)
class Term:
    concept: str
    english: str
    locale: str
    term: str
    forbidden: str
    source: str
    confirmed: str
    note: str

    def english_pattern(self) -> re.Pattern[str] | None:
        """The English word(s) that must not stay in a translation, or None where the language's
        term is the English word itself or the row is about grammar rather than a concept."""
        if not self.english or self.english.lower() in self.term.lower():
            return None
        return re.compile(r"\b" + re.escape(self.english).replace(r"\ ", r"[ -]") + r"\b", re.IGNORECASE)


def read_glossary(path: Path = GLOSSARY) -> list[Term]:
    with path.open(encoding="utf-8", newline="") as fp:
        reader = csv.DictReader(fp)
        assert reader.fieldnames == COLUMNS, f"{path}: columns {reader.fieldnames}, expected {COLUMNS}"
        return [Term(**{name: (row[name] or "").strip() for name in COLUMNS}) for row in reader]


TERMS = read_glossary()

# What a translation may keep in English: placeholders, URLs, code and Graph names in backticks, and
# proper names Microsoft does not translate.
PROPER_NAMES = ("Volume License Service Center", "Volume Licensing Service Center", "GCC High")
_NOT_PROSE = re.compile(r"\{[^{}]*\}|https?://\S+|`[^`]*`|\?view=\S+|" + "|".join(map(re.escape, PROPER_NAMES)))


def _texts(locale: Locale) -> Iterator[tuple[str, str]]:
    for domain in (texts.DOMAIN, i18n.DOMAIN):
        for message in po.messages(po.read_catalog(po.po_path(locale, domain))):
            for form in po.forms(message.string):
                yield f"{domain}:{message.context}", form


def test_the_glossary_is_complete_and_sourced() -> None:
    locales = {locale.value for locale in TRANSLATED}
    concepts: dict[str, set[str]] = {}
    for row, term in enumerate(TERMS, start=2):
        where = f"{GLOSSARY.name}:{row}"
        assert term.locale in locales, f"{where}: locale {term.locale!r}"
        assert term.concept and term.term, f"{where}: a concept and its term"
        assert term.source, f"{where}: every term names where it comes from"
        assert term.confirmed in {"yes", "no", "project"}, f"{where}: confirmed is yes, no or project"
        if term.forbidden:
            pattern = re.compile(term.forbidden)
            assert not pattern.search(term.term), f"{where}: the term matches its own forbidden variants"
        if term.english:
            concepts.setdefault(term.concept, set()).add(term.locale)
    assert {concept for concept, seen in concepts.items() if seen != locales} == set(), "a term in every language"
    for needed in ("tenant", "subscription", "product", "service plan", "hold (preservation)", "litigation hold",
                   "retention policy", "policy (ours)", "usage location", "More options (...)", "Reprocess",
                   "severity medium", "shared mailbox", "archive", "admin center", "waiver", "finding"):
        assert needed in concepts, needed


def _term(locale: str, concept: str) -> Term:
    return next(t for t in TERMS if t.locale == locale and t.concept == concept)


def test_a_forbidden_variant_is_found() -> None:
    """The check below sees a variant even inflected ("politikken" is fine, "policyn" is not)."""
    assert re.search(_term("sv", "policy (ours)").forbidden, "ett undantag i policyn")
    medium = _term("da", "severity medium").forbidden
    assert re.search(medium, "Middel") and not re.search(medium, "Mellem")
    usage = _term("nl", "usage location").english_pattern()
    assert usage is not None and usage.search("Stel de usage location in")
    assert not usage.search(_NOT_PROSE.sub(" ", "Stel {usage_location} in"))
    assert _term("nl", "tenant").english_pattern() is None


@pytest.mark.parametrize("locale", TRANSLATED, ids=lambda loc: loc.value)
def test_no_text_uses_a_forbidden_variant(locale: Locale) -> None:
    rules = [(re.compile(t.forbidden), t) for t in TERMS if t.locale == locale.value and t.forbidden]
    found = [f"{key}: {term.concept} is {term.term!r}, not {pattern.pattern!r}: {text!r}"
             for key, text in _texts(locale)
             for pattern, term in rules if pattern.search(_NOT_PROSE.sub(" ", text))]
    assert found == []


@pytest.mark.parametrize("locale", TRANSLATED, ids=lambda loc: loc.value)
def test_no_glossary_concept_is_left_in_english(locale: Locale) -> None:
    rules = [(pattern, t) for t in TERMS if t.locale == locale.value and (pattern := t.english_pattern())]
    found = [f"{key}: {term.english!r} is {term.term!r}: {text!r}"
             for key, text in _texts(locale)
             for pattern, term in rules if pattern.search(_NOT_PROSE.sub(" ", text))]
    assert found == []
