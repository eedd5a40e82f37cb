"""A text a catalog does not translate (an empty or fuzzy msgstr, or no entry at all) is given in
English at run time, for the report labels (domain "messages") and the guidance (domain
"guidance") alike; a translated counted text takes the form of the catalog's Plural-Forms."""

from __future__ import annotations

import gettext
import io
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po

from auditor import wording
from auditor.data.model import Locale
from auditor.guidance import texts
from auditor.i18n import catalogs, labels
from tests import po_catalogs as po

PO = b"""msgid ""
msgstr ""
"Language: pl\\n"
"Plural-Forms: nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);\\n"
"Content-Type: text/plain; charset=utf-8\\n"

msgctxt "done"
msgid "Done"
msgstr "Gotowe"

msgctxt "empty"
msgid "Empty"
msgstr ""

#, fuzzy
msgctxt "fuzzy"
msgid "Fuzzy"
msgstr "Niepewne"

msgctxt "count"
msgid "{n} user"
msgid_plural "{n} users"
msgstr[0] "{n} u\xc5\xbcytkownik"
msgstr[1] "{n} u\xc5\xbcytkownicy"
msgstr[2] "{n} u\xc5\xbcytkownik\xc3\xb3w"

msgctxt "uncounted"
msgid "{n} seat"
msgid_plural "{n} seats"
msgstr[0] ""
msgstr[1] ""
msgstr[2] ""
"""


def test_a_po_file_reads_as_gettext_with_english_for_what_it_does_not_translate() -> None:
    t = catalogs.translations_from_po(io.BytesIO(PO))
    assert t.pgettext("done", "Done") == "Gotowe"
    assert t.pgettext("empty", "Empty") == "Empty"
    assert t.pgettext("fuzzy", "Fuzzy") == "Fuzzy"
    assert t.pgettext("absent", "Not in the catalog") == "Not in the catalog"
    assert t.pgettext("other-context", "Done") == "Done"  # the key is the context and the English
    assert [t.npgettext("count", "{n} user", "{n} users", n) for n in (1, 3, 5, 22, 112)] == [
        "{n} użytkownik",
        "{n} użytkownicy",
        "{n} użytkowników",
        "{n} użytkownicy",
        "{n} użytkowników",
    ]
    assert [t.npgettext("uncounted", "{n} seat", "{n} seats", n) for n in (1, 2, 5)] == [
        "{n} seat",
        "{n} seats",
        "{n} seats",
    ]


def _without(domain: str, locale: Locale, untranslated: set[str]) -> Callable[[str, str], gettext.GNUTranslations]:
    """A catalog loader giving the shipped `domain` catalog of `locale` with the entries whose
    msgctxt is in `untranslated` emptied, as a translator leaves a new text."""
    catalog = po.read_catalog(po.po_path(locale, domain), locale)
    # texts whose translations follow later (auditor/locale/to-translate.txt) are empty already
    before = {m.context for m in catalog if m.id and not any(po.forms(m.string))}
    for message in catalog:
        if message.context in untranslated:
            message.string = ("",) * catalog.num_plurals if message.pluralizable else ""
    text = io.BytesIO()
    write_po(text, catalog)
    emptied = {m.context for m in read_po(io.BytesIO(text.getvalue())) if m.id and not any(po.forms(m.string))}
    assert emptied - before == untranslated  # the entries are still there, with no text

    def load(code: str, name: str) -> gettext.GNUTranslations:
        assert (code, name) == (locale.value, domain)
        return catalogs.translations_from_po(io.BytesIO(text.getvalue()))

    return load


@pytest.fixture
def fresh_catalogs() -> Iterator[None]:
    """The catalogs are read once per process: read them again here, and again after the test."""
    caches = (catalogs.catalog, labels.translations, wording.CATALOGS)
    for cache in caches:
        cache.cache_clear()
    yield
    for cache in caches:
        cache.cache_clear()


@pytest.mark.usefixtures("fresh_catalogs")
def test_an_untranslated_report_label_is_english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(catalogs, "load", _without("messages", Locale.DA, {"datetime_utc", "rule_open"}))
    t = labels.translations(Locale.DA)
    assert t.pgettext("datetime_utc", "{date}, {time} UTC", date="1. nov.", time="06:00") == "1. nov., 06:00 UTC"
    assert t.npgettext("rule_open", "{n} open finding", "{n} open findings", 1200) == "1.200 open findings"
    # the texts left as they are stay Danish
    assert (
        t.npgettext(
            "ics_summary",
            "Renew {product}: {n} seat ({tenant})",
            "Renew {product}: {n} seats ({tenant})",
            5,
            product="E3",
            tenant="contoso",
        )
        == "Forny E3: 5 licenser (contoso)"
    )


@pytest.mark.usefixtures("fresh_catalogs")
def test_an_untranslated_guidance_text_is_english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        texts,
        "load",
        _without("guidance", Locale.DA, {"rule.sku-required-missing.title", "rule.sku-forbidden.message"}),
    )
    assert wording.raw(Locale.DA, "rule.sku-required-missing.title") == "Required product missing"
    values = {"user": "Adele", "sku": "E5", "count": "1"}
    assert wording.render_one(Locale.DA, "rule.sku-forbidden.message", values) == (
        "Adele holds E5, which the policy forbids."
    )
    assert wording.raw(Locale.DA, "rule.sku-forbidden.title") == "Forbudt produkt"  # left as it is


@pytest.fixture
def fresh_template() -> Iterator[None]:
    wording.CATALOGS.cache_clear()
    yield
    wording.CATALOGS.cache_clear()


@pytest.mark.usefixtures("fresh_catalogs", "fresh_template")
def test_a_text_whose_english_changed_is_english_until_translated_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """The run time looks a translation up by the key and the English the code declares now: a
    translation of the text's older English is not shown for the new one."""
    from auditor.guidance.texts.declare import Text

    declared = wording.declared()
    changed = Text("rule.sku-forbidden.title", "Product the policy forbids")
    monkeypatch.setattr(wording, "declared", lambda: tuple(changed if t.key == changed.key else t for t in declared))
    assert wording.raw(Locale.DA, changed.key) == "Product the policy forbids"
    assert wording.raw(Locale.DA, "rule.sku-required-missing.title") != "Required product missing"  # still Danish


@pytest.mark.usefixtures("fresh_catalogs")
def test_a_catalog_with_a_translation_to_follow_passes_these_checks(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """docs/adding-a-rule.md's path: a new rule's texts land in English first, empty in the catalogs
    and listed in auditor/locale/to-translate.txt. The checks above still hold on such a catalog."""
    catalog = po.read_catalog(po.po_path(Locale.DA, "guidance"), Locale.DA)
    for message in catalog:
        if message.context == "rule.guest-licensed.title":  # as `scripts/relocale.sh` adds a new text
            message.string = ""
    later = tmp_path / "guidance.po"
    with later.open("wb") as fp:
        write_po(fp, catalog)
    monkeypatch.setattr(po, "po_path", lambda locale, domain: later)
    monkeypatch.setattr(texts, "load", _without("guidance", Locale.DA, {"rule.sku-required-missing.title"}))
    assert wording.raw(Locale.DA, "rule.sku-required-missing.title") == "Required product missing"
    assert wording.raw(Locale.DA, "rule.guest-licensed.title") == "Guest holds licenses"
