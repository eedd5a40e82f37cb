"""The guidance catalogs (gettext domain "guidance" in auditor/locale) are complete, consistent and
in step with the code that uses them.

- guidance.pot is the English source: written as pybabel writes it, one key per text, blocks of
  steps numbered without gaps, and exactly the keys the guidance code asks for;
- every locale's guidance.po has exactly the template's texts, each translated, with the same
  placeholders as the English and every plural form of its language: CLDR's categories for whole
  numbers, so Turkish has two ("one", "other") although Babel's gettext table gives it one: a counted
  text may agree with the number of items in a list ("ürününü" / "ürünlerini"), not only with a
  number it shows;
- the runtime gives every text of the .po files; no .mo is committed.
"""

from __future__ import annotations

import ast
import gettext
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from babel import Locale as BabelLocale
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import write_po
from babel.plural import to_gettext

from auditor.guidance import texts
from auditor.model import Locale
from auditor.rules.seats import SeatsInGrace
from tests import po_catalogs as po

ROOT = Path(__file__).parents[2]
LOCALE_DIR = ROOT / "auditor" / "locale"
POT = LOCALE_DIR / f"{texts.DOMAIN}.pot"
TRANSLATED = [locale for locale in Locale if locale is not texts.SOURCE_LOCALE]
KEY_PREFIX = re.compile(r"(word|rule|summary|steps|graph|alt|link|role|next|message)\.")


def _po_path(locale: Locale) -> Path:
    return po.po_path(locale, texts.DOMAIN)


_read_po, _messages, _forms, _fields = po.read_catalog, po.messages, po.forms, po.fields


def _ident(message: Message) -> tuple[str | None, Any]:
    return message.context, message.id if isinstance(message.id, str) else tuple(message.id)


def _body(po_text: str) -> str:
    return po_text.split("\n\n", 1)[1]


def _written(catalog: Catalog) -> str:
    out = io.BytesIO()
    write_po(out, catalog, include_lineno=False)
    return out.getvalue().decode("utf-8")


def test_the_template_is_written_as_pybabel_writes_it() -> None:
    """Hand edits keep the layout `pybabel update` produces, so an update changes nothing else."""
    assert _body(POT.read_text("utf-8")) == _body(_written(_read_po(POT)))
    for locale in TRANSLATED:
        path = _po_path(locale)
        assert _body(path.read_text("utf-8")) == _body(_written(_read_po(path, locale))), path


def test_every_text_has_one_key_english_and_whole_blocks() -> None:
    keys: set[str] = set()
    steps: dict[str, list[int]] = {}
    for message in _messages(_read_po(POT)):
        assert message.context and KEY_PREFIX.match(message.context), f"{message.id!r}: needs a dotted key"
        assert message.context not in keys, f"{message.context}: two entries"
        keys.add(message.context)
        english = [_fields(form) for form in _forms(message.id)]
        assert all(fields == english[0] for fields in english), f"{message.context}: singular and plural differ"
        assert all(re.fullmatch(r"[a-z_]+", name) for name in english[0]), message.context
        assert ("python-brace-format" in message.flags) == bool(english[0]), message.context
        if message.pluralizable:  # it shows {count}, or names a list whose words agree with {count}
            assert len(english[0] - {"user", "subject"}) > 0, f"{message.context}: counted, but by what?"
        step = re.fullmatch(r"(.+)\.(\d+)", message.context)
        if step:
            steps.setdefault(step[1], []).append(int(step[2]))
    for key, indexes in steps.items():
        assert indexes == list(range(len(indexes))), f"{key}: steps numbered 0, 1, … in order"
        assert key not in keys, f"{key}: both a text and a block"
    assert len(keys) > 200


def _code_keys() -> set[str]:
    """Regular expressions for the keys the guidance and the rules ask for: string literals that look like a
    key, f-string fields as wildcards, a literal ending in "." as a prefix completed at run time."""
    found: set[str] = set()
    # the guidance library and the rules, which carry their own messages and plans
    sources = [*(ROOT / "auditor" / "guidance").glob("*.py"), *(ROOT / "auditor" / "rules").rglob("*.py"),
               ROOT / "auditor" / "merge" / "rules.py"]
    for path in sorted(sources):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.JoinedStr):
                found.add("".join(re.escape(v.value) if isinstance(v, ast.Constant) else r"\S+" for v in node.values))
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.add(re.escape(node.value) + (r"\S+" if node.value.endswith(".") else ""))
    return {pattern for pattern in found if KEY_PREFIX.match(pattern.replace("\\", ""))}


def test_the_template_has_exactly_the_keys_the_code_uses() -> None:
    """The drift check of a hand-written template: a key the code asks for and the template lacks
    (a KeyError in some report), or a text nothing asks for any more."""
    keys = set(texts.CATALOGS[Locale.EN])
    patterns = _code_keys()
    assert sorted(p for p in patterns if not any(re.fullmatch(p, key) for key in keys)) == [], "keys missing"
    # "<key>.gov" is asked for wherever <key> is, in a US Government cloud (auditor.guidance._remediation)
    assert sorted(k for k in keys if not any(re.fullmatch(p, k.removesuffix(".gov")) for p in patterns)) == [], (
        "keys unused")
    assert all(k.removesuffix(".gov") in keys for k in keys), "a .gov text without the text it stands for"


def test_every_report_language_has_a_guidance_catalog() -> None:
    shipped = {p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{texts.DOMAIN}.po")}
    assert shipped == {locale.value for locale in TRANSLATED}


@pytest.mark.parametrize("locale", TRANSLATED, ids=lambda loc: loc.value)
def test_every_text_is_translated(locale: Locale) -> None:
    template = {_ident(m) for m in _messages(_read_po(POT))}
    catalog = _read_po(_po_path(locale), locale)
    assert catalog.locale is not None and str(catalog.locale) == locale.value
    assert not catalog.fuzzy, "the catalog header is marked fuzzy"
    cldr = to_gettext(BabelLocale.parse(locale.value).plural_form)  # "nplurals=2; plural=(...);"
    assert catalog.num_plurals == int(re.search(r"nplurals=(\d+)", cldr)[1]), "Plural-Forms: not CLDR's forms"
    ours, theirs = gettext.c2py(catalog.plural_expr), gettext.c2py(re.search(r"plural=(.+);", cldr)[1])
    assert [ours(n) for n in range(1001)] == [theirs(n) for n in range(1001)], "Plural-Forms: not CLDR's rule"
    assert not catalog.obsolete, "obsolete (#~) entries: pybabel update --ignore-obsolete"
    found = {_ident(m) for m in _messages(catalog)}
    assert sorted(template - found, key=str) == [], "texts missing: run pybabel update -D guidance"
    assert sorted(found - template, key=str) == [], "texts the template no longer has: run pybabel update"
    po.assert_all_translated(catalog)


@pytest.mark.parametrize("locale", TRANSLATED, ids=lambda loc: loc.value)
def test_translations_keep_the_placeholders(locale: Locale) -> None:
    for message in _messages(_read_po(_po_path(locale), locale)):
        english = _fields(_forms(message.id)[0])
        for form in _forms(message.string):
            assert _fields(form) == english, (
                f"{locale.value}: {message.context}: placeholders {sorted(_fields(form))} differ from the English"
            )


def _expected(locale: Locale) -> Iterator[tuple[str, Message, tuple[str, ...], Any]]:
    """(key, message, forms, plural rule) per entry: what the runtime should give for each text."""
    if locale is texts.SOURCE_LOCALE:
        catalog = _read_po(POT)
        for m in _messages(catalog):
            forms = _forms(m.id)
            yield str(m.context), m, forms, (lambda n: int(n != 1))
        return
    catalog = _read_po(_po_path(locale), locale)
    rule = gettext.c2py(catalog.plural_expr)
    for m in _messages(catalog):
        yield str(m.context), m, _forms(m.string), rule


@pytest.mark.parametrize("locale", list(Locale), ids=lambda loc: loc.value)
def test_the_runtime_reads_every_text(locale: Locale) -> None:
    catalog = texts.CATALOGS[locale]
    for key, message, forms, rule in _expected(locale):
        step = re.fullmatch(r"(.+)\.(\d+)", key)
        value = catalog[step[1]][int(step[2])] if step else catalog[key]
        if not message.pluralizable:
            assert value == forms[0], key
            continue
        assert isinstance(value, texts.Counted), key

        def render(values: dict[str, str], key: str = key, step: Any = step) -> str:
            """The text as rendered: a step of a block takes its form like a text of its own."""
            return texts.render(locale, step[1], values)[int(step[2])] if step else texts.render_one(
                locale, key, values)

        values = dict.fromkeys(set().union(*(_fields(form) for form in _block_of(locale, key, step))), "X")
        for n in (0, 1, 2, 5, 21, 1000):
            rendered = render({**values, "count": str(n)})
            assert rendered == forms[rule(n)].format_map({**values, "count": str(n)}), (locale, key, n)
        # no whole number (a placeholder such as "unknown"), or none for a text that does not show it
        # (a list of no known items): the plural, as before counted texts
        for other in ({**values, "count": "?"}, *([] if "count" in values else [values])):
            assert render(other) == forms[rule(_OTHER)].format_map(other)


def _block_of(locale: Locale, key: str, step: Any) -> tuple[str, ...]:
    """The templates rendered with `key`: its block's steps (each needs its own values), or itself."""
    text = texts.raw(locale, step[1] if step else key)
    return (text,) if isinstance(text, str) else text


def test_every_counted_text_has_forms_that_differ() -> None:
    """A text is counted because some language words it differently for one and for several: a
    counted text whose forms are equal in every language would only hide a missing translation."""
    catalogs = [_read_po(POT), *(_read_po(_po_path(locale), locale) for locale in TRANSLATED)]
    counted = {m.context for m in _messages(catalogs[0]) if m.pluralizable}
    assert len(counted) > 40
    differ = {m.context for catalog in catalogs for m in _messages(catalog) if m.pluralizable
              and len(set(_forms(m.string if catalog is not catalogs[0] else m.id))) > 1}
    assert sorted(counted - differ) == []


_OTHER = 2


def test_catalogs_are_read_lazily_per_locale() -> None:
    assert set(texts.CATALOGS) == set(Locale) and len(texts.CATALOGS) == len(Locale)
    with pytest.raises(KeyError):
        texts.raw(Locale.EN, "no.such.key")


@pytest.mark.parametrize(("locale", "one", "many"), [
    (Locale.EN, "1 license is in the grace period", "3 licenses are in the grace period"),
    (Locale.NL, "1 licentie zit in de respijtperiode", "3 licenties zitten in de respijtperiode"),
    (Locale.DA, "1 licens er i henstandsperioden", "3 licenser er i henstandsperioden"),
    (Locale.SV, "1 licens är i respitperioden", "3 licenser är i respitperioden"),
    (Locale.TR, "1 lisans ek süre içinde", "3 lisans ek süre içinde"),
])
def test_counted_texts_agree_with_their_count(locale: Locale, one: str, many: str) -> None:
    from auditor import guidance

    def say(n: int) -> str:
        return guidance.message(SeatsInGrace.id, subject={"type": "sku", "id": "SPE_E3", "sku": "SPE_E3"},
                                skus=["SPE_E3"], details={"warning": n, "enabled": 5}, locale=locale)

    assert one in say(1) and many in say(3)


def test_rule_and_link_texts_are_exactly_the_registries() -> None:
    """`rule.<id>.*` and `link.<key>` are asked for with f-strings (any id matches their pattern):
    the keys come from the rule registries (title, describe and each message variant of every
    rule) and from links.URLS, so a rule or a link without its text, or a text whose rule or link is
    gone, fails here."""
    from auditor.guidance import registry
    from auditor.guidance.links import URLS

    keys = set(texts.CATALOGS[Locale.EN])
    wanted_rules = {key for rule in registry.by_id().values()
                    for key in (f"rule.{rule.id}.title", f"rule.{rule.id}.describe", *rule.message_keys())}
    assert sorted(k for k in keys if k.startswith("rule.")) == sorted(wanted_rules)
    assert sorted(k for k in keys if k.startswith("link.")) == sorted(f"link.{key}" for key in URLS)
