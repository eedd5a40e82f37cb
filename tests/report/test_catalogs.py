"""The gettext catalogs in auditor/locale: complete, consistent, and in step with the code.

- messages.pot is what `pybabel extract` finds in the code today (extracted here in-process);
- every locale's messages.po has exactly the template's texts, each translated (no empty or fuzzy
  msgstr), with the same `str.format` placeholders as the English and every plural form;
- the runtime gives every text of the .po files; no .mo is committed.
"""

from __future__ import annotations

import gettext
import io
import os
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from babel import Locale as BabelLocale
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import write_po
from babel.plural import to_gettext

from auditor import i18n
from auditor.data.model import Locale
from tests import po_catalogs as po

ROOT = Path(__file__).parents[2]
PACKAGE = ROOT / "auditor"
LOCALE_DIR = PACKAGE / "locale"
POT = LOCALE_DIR / "messages.pot"
TRANSLATED = [locale for locale in Locale if locale is not i18n.catalogs.SOURCE_LOCALE]


def _po_path(locale: Locale) -> Path:
    return po.po_path(locale, i18n.DOMAIN)


_read_po, _messages, _forms, _fields = po.read_catalog, po.messages, po.forms, po.fields


def _body(po_text: str) -> str:
    """A .po/.pot file without its header entry (creation date, Babel version, project version)."""
    return po_text.split("\n\n", 1)[1]


def _extract() -> Catalog:
    """What `pybabel extract -F pyproject.toml --add-location=file ... auditor` extracts."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["babel"]
    extractors = config.get("extractors", {})
    method_map = [(m["pattern"], extractors.get(m["method"], m["method"])) for m in config["mappings"]]
    options_map: dict[str, dict[str, Any]] = {m["pattern"]: {} for m in config["mappings"]}
    catalog = Catalog(project="license-auditor", fuzzy=True)
    for filename, lineno, message, comments, context in extract_from_dir(
        str(PACKAGE), method_map, options_map, keywords=DEFAULT_KEYWORDS
    ):
        path = os.path.normpath(os.path.join(PACKAGE.name, filename))
        catalog.add(message, None, [(path, lineno)], auto_comments=comments, context=context)
    return catalog


def _write(catalog: Catalog) -> str:
    out = io.BytesIO()
    write_po(out, catalog, include_lineno=False)
    return out.getvalue().decode("utf-8")


def test_the_template_is_what_the_code_says() -> None:
    """Fails when a text was added, changed or removed in the code (or a template) without
    re-extracting: `pybabel extract` + `pybabel update` (docs/reports.md)."""
    fresh = _write(_extract())
    assert _body(POT.read_text("utf-8")) == _body(fresh), "auditor/locale/messages.pot is out of date"


def test_every_text_has_one_key_and_english() -> None:
    template = _read_po(POT)
    keys: dict[str, Any] = {}
    for message in _messages(template):
        assert message.context, f"{message.id!r}: every text needs a key (pgettext/npgettext msgctxt)"
        assert message.context not in keys, f"{message.context}: one key, two English texts"
        keys[message.context] = message.id
        for english in _forms(message.id):
            fields = _fields(english)
            assert all(name.isidentifier() for name in fields), f"{message.context}: use named placeholders"
            assert ("python-brace-format" in message.flags) == bool(fields), message.context
    assert len(keys) > 50


def test_every_report_language_has_a_catalog() -> None:
    shipped = {p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{i18n.DOMAIN}.po")}
    assert shipped == {locale.value for locale in TRANSLATED}
    assert not (LOCALE_DIR / i18n.catalogs.SOURCE_LOCALE.value).exists(), "English is the msgids"


@pytest.mark.parametrize("locale", TRANSLATED, ids=lambda loc: loc.value)
def test_every_text_is_translated(locale: Locale) -> None:
    template = {(m.context, m.id if isinstance(m.id, str) else tuple(m.id)) for m in _messages(_read_po(POT))}
    catalog = _read_po(_po_path(locale), locale)
    assert catalog.locale is not None and str(catalog.locale) == locale.value
    assert not catalog.fuzzy, "the catalog header is marked fuzzy"
    # CLDR's plural categories for whole numbers, as the guidance catalogs have them: Turkish has two
    # ("one", "other") although Babel's gettext table (get_plural) gives it one
    cldr = to_gettext(BabelLocale.parse(locale.value).plural_form)  # "nplurals=2; plural=(...);"
    assert catalog.num_plurals == int(re.search(r"nplurals=(\d+)", cldr)[1]), "Plural-Forms: not CLDR's forms"
    ours, theirs = gettext.c2py(catalog.plural_expr), gettext.c2py(re.search(r"plural=(.+);", cldr)[1])
    assert [ours(n) for n in range(1001)] == [theirs(n) for n in range(1001)], "Plural-Forms: not CLDR's rule"
    assert not catalog.obsolete, "obsolete (#~) entries: pybabel update, then drop them"
    texts = {(m.context, m.id if isinstance(m.id, str) else tuple(m.id)) for m in _messages(catalog)}
    assert sorted(template - texts, key=str) == [], "texts missing: run pybabel update"
    assert sorted(texts - template, key=str) == [], "texts the code no longer has: run pybabel update"
    po.assert_all_translated(catalog)


@pytest.mark.parametrize("locale", TRANSLATED, ids=lambda loc: loc.value)
def test_translations_keep_the_placeholders(locale: Locale) -> None:
    for message in _messages(_read_po(_po_path(locale), locale)):
        english = [_fields(form) for form in _forms(message.id)]
        assert all(fields == english[0] for fields in english), f"{message.context}: singular and plural differ"
        for form in _forms(message.string):
            assert _fields(form) == english[0], (
                f"{locale.value}: {message.context}: placeholders {sorted(_fields(form))} differ from the English"
            )


@pytest.mark.parametrize("locale", TRANSLATED, ids=lambda loc: loc.value)
def test_translations_are_not_english_copies(locale: Locale) -> None:
    # product words and file names legitimately stay the same; sentences must not
    same = [
        m.context
        for m in _messages(_read_po(_po_path(locale), locale))
        for english, form in zip(_forms(m.id), _forms(m.string), strict=False)
        if english == form and len(english.split()) > 2
    ]
    assert same == []


@pytest.mark.parametrize("locale", TRANSLATED, ids=lambda loc: loc.value)
def test_the_runtime_reads_every_translation(locale: Locale) -> None:
    po = _read_po(_po_path(locale), locale)
    t = i18n.translations(locale)
    for message in _messages(po):
        assert message.context is not None
        forms = _forms(message.string)
        if isinstance(message.id, str):
            values = dict.fromkeys(_fields(message.id), "X")
            assert t.pgettext(message.context, message.id, **values) == forms[0].format(**values)
            continue
        singular, plural = message.id
        values = dict.fromkeys(_fields(singular) - {"n"}, "X")  # a counted text may show more than {n}
        for n in (0, 1, 2, 5, 21, 1000):
            index = gettext.c2py(po.plural_expr)(n)  # the Plural-Forms expression, as gettext evaluates it
            expected = forms[index].format(n=i18n.format_number(n, locale), **values)
            assert t.npgettext(message.context, singular, plural, n, **values) == expected, (message.context, n)
