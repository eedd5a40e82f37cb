"""One term per concept and language, held against auditor/locale/glossary.csv.

The glossary lists, per concept and language, the term the texts use, the variants they must not
use (regular expressions) and where the term comes from (a Microsoft page or admin-center label,
or the project's own decision). Over every text of both catalogs (report labels and guidance):

- no text uses a forbidden variant;
- no text leaves a glossary concept in English ("usage location", "waiver", "worldwide"), except
  inside placeholders, URLs and code (`assignLicense`), and where the language's term is the English
  word itself (Dutch "tenant");
- where a row has a `match` (the term's inflected forms, a regular expression), every text whose
  English names the concept says it with that term: another word for it fails whatever it is, not
  only the variants the row forbids ("kan spares" beside "kan frigøres");
- in every file a reader gets (digest, report, plan with its bill, migration plan), rendered from the
  sample: no forbidden variant, no concept in English, and a concept the English file names n times
  appears at least n times with the language's term, so drift in a text the catalog check cannot pair
  (a value the code puts in, a sentence built from parts) fails too.

Translators see what an ambiguous word means: every text where "plan", "hold", "policy" or
"subscription" can be read two ways carries a note (auditor/locale/notes.csv, extracted as `#.`).

How to add a term and how to review a locale: docs/guidance.md, "The glossary".
"""

from __future__ import annotations

import csv
import html
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
import pytest
from babel.messages.catalog import Catalog, Message

from auditor import i18n, wording
from auditor.data.model import Locale
from auditor.formats.report_model import Amount
from auditor.guidance import texts
from auditor.guidance.texts import extract
from tests import po_catalogs as po
from tests.documents import report_document
from tests.guidance.demo_files import demo_files
from tests.report.report_fixtures import summary_of

LOCALE_DIR = Path(__file__).parents[2] / "auditor" / "locale"
GLOSSARY = LOCALE_DIR / "glossary.csv"
TRANSLATED = [locale for locale in Locale if locale is not Locale.EN]
COLUMNS = ["concept", "english", "locale", "term", "forbidden", "source", "confirmed", "note", "match"]


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
    match: str

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

# What a translation may keep in English: placeholders, URLs, code and Graph names in backticks, Graph permission
# names (CopilotCostManagement-Policy.Read.All), and proper names Microsoft does not translate.
PROPER_NAMES = (
    "Volume License Service Center",
    "Volume Licensing Service Center",
    "GCC High",
    "Cross Tenant User Data Migration",
)
_CODE = (
    r"\{[^{}]*\}|https?://\S+|`[^`]*`|\?view=\S+|\b[A-Z][A-Za-z]*(?:-[A-Z][A-Za-z]*)*(?:\.(?:Read|ReadWrite|All))+\b"
)
_NOT_PROSE = re.compile(_CODE + "|" + "|".join(map(re.escape, PROPER_NAMES)))


def translated(catalog: Catalog) -> Iterator[Message]:
    """The entries a reader sees translated: an empty or fuzzy one gives the English at run time,
    and may wait for its translation (auditor/locale/to-translate.txt; the translations check,
    `pytest -m translations`, holds that it is listed there), so the glossary has nothing to judge."""
    for message in po.messages(catalog):
        if "fuzzy" not in message.flags and all(po.forms(message.string)):
            yield message


def _messages(locale: Locale) -> Iterator[tuple[str, Message]]:
    for domain in (texts.DOMAIN, i18n.DOMAIN):
        for message in translated(po.read_catalog(po.po_path(locale, domain))):
            yield domain, message


def _texts(locale: Locale) -> Iterator[tuple[str, str]]:
    for domain, message in _messages(locale):
        for form in po.forms(message.string):
            yield f"{domain}:{message.context}", form


def _pairs(locale: Locale) -> Iterator[tuple[str, str, str]]:
    """(key, English, translation) of every translated text, each plural form beside the English form it
    translates (the translation's extra plural forms beside the English plural)."""
    for domain, message in _messages(locale):
        english = po.forms(message.id)
        for n, form in enumerate(po.forms(message.string)):
            yield f"{domain}:{message.context}", english[min(n, len(english) - 1)], form


def test_a_text_whose_translation_follows_later_is_not_judged() -> None:
    """A new text's entries are empty (or fuzzy guesses) until translated: the guide lets them follow
    in a later commit, and the reader sees the English meanwhile; the glossary judges translations."""
    catalog = Catalog(locale="nl")
    catalog.add("{user} has no usage location", "", context="rule.new.message")  # untranslated
    catalog.add("Set the usage location", "Stel de gebruikslocatie in", context="rule.new.remediation")
    catalog.add("Usage location", "Set the usage location", context="rule.new.title", flags=("fuzzy",))
    assert [m.context for m in translated(catalog)] == ["rule.new.remediation"]
    usage = _english(_term("nl", "usage location"))
    assert [m.context for m in po.messages(catalog) if usage.search(m.id)] == [
        "rule.new.message",
        "rule.new.remediation",
        "rule.new.title",
    ]


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
        if term.match:
            assert term.english, f"{where}: a required term names the English it translates"
            assert re.search(term.match, term.term, re.IGNORECASE), f"{where}: the match finds the term itself"
        if term.english:
            concepts.setdefault(term.concept, set()).add(term.locale)
    assert {concept for concept, seen in concepts.items() if seen != locales} == set(), "a term in every language"
    for needed in (
        "tenant",
        "subscription",
        "product",
        "service plan",
        "hold (preservation)",
        "litigation hold",
        "retention policy",
        "policy (ours)",
        "usage location",
        "More options (...)",
        "Reprocess",
        "severity medium",
        "shared mailbox",
        "archive",
        "admin center",
        "waiver",
        "finding",
    ):
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


def _forbidden(pattern: str) -> re.Pattern[str]:
    """A forbidden variant as written, and, when it is written in lower case, also capitalised where a
    sentence starts ("Policyn behåller …"): a capital inside a sentence is a UI label's ("Services kopen")
    or a severity's ("Mellan"), so the pattern is not made case-insensitive."""
    found = re.match(r"(\\b)?([a-zà-ÿ])", pattern)
    if found is None:
        return re.compile(pattern)
    letter = found.group(2)
    start = rf"(?:^|[.!?:]\s+)(?:{found.group(1) or ''}[{letter.upper()}]{pattern[found.end() :]})"
    return re.compile(f"{pattern}|{start}")


def test_a_forbidden_variant_is_found_where_a_sentence_starts() -> None:
    policy = _forbidden(_term("sv", "policy (ours)").forbidden)
    assert policy.search("Policyn behåller 3 lediga licenser") and policy.search("Klart. Policyn behåller")
    assert policy.search("ett undantag i policyn") and not policy.search("principen behåller")
    assert not _forbidden(r"\bservices?\b").search("(Facturering > Services kopen)")


@pytest.mark.parametrize("locale", TRANSLATED, ids=lambda loc: loc.value)
def test_no_text_uses_a_forbidden_variant(locale: Locale) -> None:
    rules = [(_forbidden(t.forbidden), t) for t in TERMS if t.locale == locale.value and t.forbidden]
    found = [
        f"{key}: {term.concept} is {term.term!r}, not {pattern.pattern!r}: {text!r}"
        for key, text in _texts(locale)
        for pattern, term in rules
        if pattern.search(_NOT_PROSE.sub(" ", text))
    ]
    assert found == []


@pytest.mark.parametrize("locale", TRANSLATED, ids=lambda loc: loc.value)
def test_no_glossary_concept_is_left_in_english(locale: Locale) -> None:
    rules = [(pattern, t) for t in TERMS if t.locale == locale.value and (pattern := t.english_pattern())]
    found = [
        f"{key}: {term.english!r} is {term.term!r}: {text!r}"
        for key, text in _texts(locale)
        for pattern, term in rules
        if pattern.search(_NOT_PROSE.sub(" ", text))
    ]
    assert found == []


@pytest.mark.parametrize("locale", TRANSLATED, ids=lambda loc: loc.value)
def test_a_concept_is_said_with_its_term(locale: Locale) -> None:
    """Where the English names a concept, the translation uses the glossary's term: a concept said with
    another word is found whatever that word is."""
    rules = [
        (pattern, re.compile(t.match, re.IGNORECASE), t)
        for t in TERMS
        if t.locale == locale.value and t.match and (pattern := _english(t))
    ]
    found = [
        f"{key}: {term.english!r} is {term.term!r}: {text!r}"
        for key, english, text in _pairs(locale)
        if not key.startswith(_PAGE_TITLES)
        for pattern, match, term in rules
        if pattern.search(re.sub(_CODE, " ", english)) and not match.search(text)
    ]
    assert found == []


# the titles of Microsoft's pages, as the localized page gives them (a fact, not our wording)
_PAGE_TITLES = "guidance:link."


def _english(term: Term) -> re.Pattern[str]:
    """The English concept, in the singular or the plural ("finding", "findings")."""
    return re.compile(r"\b" + re.escape(term.english).replace(r"\ ", r"[ -]") + r"(?:s|es)?\b", re.IGNORECASE)


def test_another_word_for_a_concept_is_found() -> None:
    """The check above on a made-up drift: Danish "reclaimable" said as "kan spares" instead of its term."""
    term = _term("da", "reclaimable")
    assert term.match and _english(term).search("Reclaimable per month")
    assert not re.search(term.match, "Det, der kan spares pr. måned", re.IGNORECASE)
    assert re.search(term.match, "Kan frigøres pr. måned", re.IGNORECASE)


# --- what a reader gets: the sample's report.md, report.html and plan.md in each language ------------

_TAG = re.compile(r"<[^>]+>")
_ESCAPE = re.compile(r"\\(?=[^\w\s])")  # Markdown's backslash escapes
# rule ids, SKUs, UPNs
_IDENTIFIER = re.compile(r"\b[a-z0-9]+(?:[-_.][a-z0-9]+)+\b|\b[A-Z0-9]+(?:_[A-Z0-9]+)+\b|\S+@\S+")


# the files whose prose the checks read (findings.csv and the calendar entries repeat it)
READ = (
    "report.md",
    "report.html",
    "plan.md",
    "digest.html",
    "digest.txt",
    "migration/migration.md",
    "migration/migration.html",
)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., dict[str, str]]]:
    sample = Path(__file__).parents[2] / "auditor_dev" / "sample" / "sample-tenant.json"
    # tenant data is no translation: the sample has users such as "Info Shared Mailbox"
    tenant = json.loads(sample.read_text("utf-8"))
    names = sorted(
        {str(item.get("displayName") or "") for part in ("users", "groups") for item in tenant[part]},
        key=len,
        reverse=True,
    )
    done: dict[Locale, dict[str, str]] = {}
    plain: dict[Locale, dict[str, str]] = {}

    def render(locale: Locale, words: bool = False) -> dict[str, str]:
        """Each file's prose; with `words`, its text with only markup and tenant names taken out (the
        identifiers stay: "Microsoft 365-beheercentrum" is one word in Dutch)."""
        if locale not in done:
            documents = {name: text for name, text in demo_files(locale, tmp_path_factory).items() if name in READ}
            done[locale] = {name: _without(_prose(text), names) for name, text in documents.items()}
            plain[locale] = {name: _without(_words(text), names) for name, text in documents.items()}
        return plain[locale] if words else done[locale]

    yield render


def _text(document: str) -> str:
    return html.unescape(_ESCAPE.sub("", _TAG.sub(" ", document)))


# what a document names rather than says: rule ids, flags, file names, SKUs, UPNs (a Dutch
# compound such as "Microsoft 365-beheercentrum" stays a word)
_NAMED = re.compile(
    r"(?<![\w-])(?:"
    + "|".join(sorted(map(re.escape, wording.by_id()), key=len, reverse=True))
    + r")(?![\w-])|(?<!\S)--?[a-z][\w-]*|\b[\w-]+\.(?:csv|json|md|html|ics|ps1|txt|yaml)\b"
    r"|\b[a-z0-9]+(?:[_.][a-z0-9]+)+\b|\b[A-Z0-9]+(?:_[A-Z0-9]+)+\b|\S+@\S+"
)


# a link's text is the title of Microsoft's page, as the localized page gives it: a fact, not our wording
_LINK = re.compile(r"<a\b[^>]*>.*?</a>|\[[^\]\n]*\]\([^)\n]*\)")


def _words(document: str) -> str:
    """The words a document says in its own voice; a "…" that links to the rest of a cut text stays."""
    unlinked = _LINK.sub(lambda link: " … " if "…" in link[0] else " ", document)
    return _NAMED.sub(" ", _NOT_PROSE.sub(" ", _text(unlinked)))


def _prose(document: str) -> str:
    return _IDENTIFIER.sub(" ", _NOT_PROSE.sub(" ", _text(document)))


def _without(text: str, names: list[str]) -> str:
    for name in names:
        text = text.replace(name, " ") if name else text
    return text


@pytest.mark.parametrize("locale", TRANSLATED, ids=lambda loc: loc.value)
def test_the_reports_and_the_plan_keep_the_glossary(
    locale: Locale, rendered: Callable[[Locale], dict[str, str]]
) -> None:
    """The texts as the reader gets them, with the values the code puts in (the cloud's name, dates,
    product words), in every file a person reads (digest, report, plan with its bill, migration plan):
    no forbidden variant and no glossary concept in English."""
    concepts = [t for t in TERMS if t.locale == locale.value and t.english]  # the grammar rows judge one text each
    rules = [(re.compile(t.forbidden), t.term) for t in concepts if t.forbidden]
    rules += [(pattern, t.term) for t in concepts if (pattern := t.english_pattern())]
    found = sorted(
        {
            f"{name}: {match[0]!r} -> {term}"
            for name, document in rendered(locale).items()
            for pattern, term in rules
            for match in pattern.finditer(document)
        }
    )
    assert found == []
    assert re.findall(r".{30}\b\d{4}-\d{2}-\d{2}\b", rendered(locale)["report.md"]) == [], "an ISO date in prose"


# --- translators see what a word means -------------------------------------------------------------

# "plan" (the change plan, a service plan, a product), "hold" (has, or a preservation hold), "policy"
# (ours, or a retention policy) and "subscription" (never a product) need a word of explanation;
# placeholders, product names ("Exchange Online (Plan 2)") and the unambiguous compounds do not.
_AMBIGUOUS = re.compile(
    r"(?<!service )\bplans?\b(?! \d)|\bhold(s|ing)?\b|\bheld\b|(?<!retention )\bpolic(y|ies)\b"
    r"|\bsubscriptions?\b",
    re.IGNORECASE,
)
_CLEAR = re.compile(r"\{[^{}]*\}|\(Plan \d\)|Plan \d|litigation hold|eDiscovery hold", re.IGNORECASE)


def _templates() -> Iterator[tuple[str, str, Any]]:
    for domain in (texts.DOMAIN, i18n.DOMAIN):
        for message in po.messages(po.read_catalog(LOCALE_DIR / f"{domain}.pot")):
            yield domain, str(message.context), message


def test_every_ambiguous_text_has_a_translator_note() -> None:
    missing = [
        f"{domain}: {key}"
        for domain, key, message in _templates()
        if _AMBIGUOUS.search(_CLEAR.sub(" ", " ".join(po.forms(message.id))))
        and not any(comment.startswith("TRANSLATORS:") for comment in message.auto_comments)
    ]
    assert missing == [], "add a note to auditor/locale/notes.csv and extract again (docs/guidance.md)"


def test_every_note_belongs_to_a_text() -> None:
    keys = {(domain, key) for domain, key, _ in _templates()}
    assert sorted(set(extract.notes()) - keys) == []
    assert all(note.startswith("TRANSLATORS: ") for note in extract.notes().values())


@pytest.mark.parametrize("locale", TRANSLATED, ids=lambda loc: loc.value)
def test_the_catalogs_show_translators_the_notes(locale: Locale) -> None:
    """As `pybabel update` copies them from the templates: a translator reads the note in the .po."""
    notes = extract.notes()
    for domain in (texts.DOMAIN, i18n.DOMAIN):
        catalog = po.read_catalog(po.po_path(locale, domain))
        lacking = [
            m.context
            for m in po.messages(catalog)
            if (domain, m.context) in notes  # a long note is wrapped over several `#.` lines
            and notes[(domain, str(m.context))] not in " ".join(m.auto_comments)
        ]
        assert lacking == [], f"{domain}.po lacks the notes of the template"


@pytest.mark.parametrize("locale", TRANSLATED, ids=lambda loc: loc.value)
def test_the_mail_subject_is_in_the_reports_language(locale: Locale) -> None:
    from auditor.delivery.content import subject_for

    report = report_document(
        locale=locale.value,
        tenant={"id": "t", "name": "Contoso"},
        complete=False,
        summary=summary_of(
            "EUR",
            by_severity={"critical": 1, "high": 2, "medium": 9, "low": 3},
            unused_monthly_cost=Amount(amount=1240.4, currency="EUR"),
        ),
    )
    subject = subject_for(report)
    english = subject_for(msgspec.structs.replace(report, locale="en"))
    assert english == (
        "[license-auditor] Contoso: INCOMPLETE DATA, 1 critical, 2 high, 9 medium, 3 low, EUR 1,240/month unused"
    )
    assert re.findall(r"\b(INCOMPLETE|critical|high|medium|low|month|unused|no findings)\b", subject) == [], subject
    medium = _term(locale.value, "severity medium").term.lower()
    assert f"9 {medium}" in subject and "1.240" in subject.replace("\xa0", ".").replace(" ", ".")
    assert subject_for(msgspec.structs.replace(report, summary=summary_of(None), complete=True)) == (
        f"[license-auditor] Contoso: {i18n.translations(locale).pgettext('mail_no_findings', 'no findings')}"
    )


def _uncut(english: str, translated: str) -> tuple[str, str]:
    """Both files without the lines cut short ("…") in either: a cut line holds as much text in each
    language, not as much meaning. The files are rendered from one report, line for line."""
    pairs = list(zip(english.splitlines(), translated.splitlines(), strict=True))
    kept = [(a, b) for a, b in pairs if "…" not in a and "…" not in b]
    return "\n".join(a for a, _ in kept), "\n".join(b for _, b in kept)


def _short(document: str, concepts: list[Term], english: dict[str, str], name: str) -> list[str]:
    """Concepts a translated document says fewer times with its term than the English document names
    them: the rest were said with another word (each concept counted apart, in each file)."""
    found = []
    source, document = _uncut(english[name], document)
    for term in concepts:
        wanted = len(_english(term).findall(source))
        said = len(re.findall(term.match, document, re.IGNORECASE))
        if said < wanted:
            found.append(f"{name}: {term.english!r} {wanted}x in English, {term.term!r} {said}x")
    return found


@pytest.mark.parametrize("locale", TRANSLATED, ids=lambda loc: loc.value)
def test_the_reports_say_each_concept_with_its_term(locale: Locale, rendered: Callable[..., dict[str, str]]) -> None:
    """Drift the variant lists do not name: in every file a person reads, a concept the English file names
    n times appears at least n times with the glossary's term (Swedish "kvarhåll" where the glossary
    says "bevarande" fails whatever the other word is)."""
    concepts = [t for t in TERMS if t.locale == locale.value and t.english and t.match]
    english = rendered(Locale.EN, words=True)
    found = sorted(
        line
        for name, document in rendered(locale, words=True).items()
        for line in _short(document, concepts, english, name)
    )
    assert found == [], "\n".join(found)


def test_a_concept_said_with_another_word_in_a_file_is_found() -> None:
    """The check above on a made-up drift: the second Swedish "waiver" said as "dispens"."""
    waiver = [_term("sv", "waiver")]
    english = {"plan.md": "Add a waiver.\nThe waiver ends on 1 May."}
    assert _short("Lägg till ett undantag.\nDispensen upphör 1 maj.", waiver, english, "plan.md") == [
        "plan.md: 'waiver' 2x in English, 'undantag' 1x"
    ]
    assert _short("Lägg till ett undantag.\nUndantaget upphör 1 maj.", waiver, english, "plan.md") == []
    cut = {"plan.md": "Add a waiver.\nThe waiver ends on …"}
    assert _short("Lägg till ett undantag.\nDispensen …", waiver, cut, "plan.md") == []
