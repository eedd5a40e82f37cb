"""The guidance texts (gettext domain "guidance") are consistent and in step with the code.

- the English is declared in the code (`Text` / `Steps`, auditor/guidance/texts/declare.py): one
  key per text, exactly the keys the guidance code asks for, and `pybabel extract` finds exactly
  those declarations;
- every locale's guidance.po is laid out as pybabel writes it, keeps the English placeholders and
  has every plural form of its language: CLDR's categories for whole numbers, so Turkish has two
  ("one", "other") although Babel's gettext table gives it one: a counted text may agree with the
  number of items in a list ("ürününü" / "ürünlerini"), not only with a number it shows;
- the runtime gives every text of the .po files, and the English for a text a language lacks.

Whether every language translates every text (and guidance.pot is freshly extracted) is a check
of its own, test_translations_complete.py: a new text is not a reason to touch five catalogs.
"""

from __future__ import annotations

import ast
import gettext
import io
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from babel import Locale as BabelLocale
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_keywords
from babel.messages.pofile import write_po
from babel.plural import to_gettext

from auditor import wording
from auditor.data.model import Locale
from auditor.formats.report_model import finding_of
from auditor.guidance import texts
from auditor.guidance.texts import extract
from auditor.guidance.texts.declare import Steps, Text
from auditor.guidance.texts.extract import declared_in
from auditor.rules.seats import SeatsInGrace
from tests import po_catalogs as po

ROOT = Path(__file__).parents[2]
LOCALE_DIR = ROOT / "auditor" / "locale"
TRANSLATED = [locale for locale in Locale if locale is not texts.SOURCE_LOCALE]
KEY_PREFIX = re.compile(r"(word|rule|summary|steps|graph|alt|link|role|next|message)\.")


def _po_path(locale: Locale) -> Path:
    return po.po_path(locale, texts.DOMAIN)


_read_po, _messages, _forms, _fields = po.read_catalog, po.messages, po.forms, po.fields


def _body(po_text: str) -> str:
    return po_text.split("\n\n", 1)[1]


def _written(catalog: Catalog) -> str:
    out = io.BytesIO()
    write_po(out, catalog, include_lineno=False)
    return out.getvalue().decode("utf-8")


def test_the_catalogs_are_written_as_pybabel_writes_them() -> None:
    """Hand edits keep the layout `pybabel update` produces, so an update changes nothing else."""
    for locale in TRANSLATED:
        path = _po_path(locale)
        assert _body(path.read_text("utf-8")) == _body(_written(_read_po(path, locale))), path


def test_every_text_has_one_key_and_english() -> None:
    declared = wording.declared()
    names = [text.key for text in declared]
    assert sorted({key for key in names if names.count(key) > 1}) == [], "declared twice"
    keys = {context for context, _, _ in _template()}
    for text in declared:
        assert KEY_PREFIX.match(text.key), f"{text.key}: needs a dotted key"
        assert isinstance(text, Steps) or not re.search(r"\.\d+$", text.key), f"{text.key}: a step's key"
        assert isinstance(text, Text) or text.steps, f"{text.key}: a block without steps"
    for context, english, plural in _template():
        assert english.strip(), f"{context}: no English"
        forms = [_fields(english), *([_fields(plural)] if plural is not None else [])]
        assert all(fields == forms[0] for fields in forms), f"{context}: singular and plural differ"
        assert all(re.fullmatch(r"[a-z_]+", name) for name in forms[0]), context
        if plural is not None:  # it shows {count}, or names a list whose words agree with {count}
            assert len(forms[0] - {"user", "subject"}) > 0, f"{context}: counted, but by what?"
    assert len(keys) > 200


def _template() -> tuple[tuple[str, str, str | None], ...]:
    """(msgctxt, English, plural) of every declared text, a block's steps one by one."""
    return tuple(entry for text in wording.declared() for entry in text.entries())


def extracted() -> Catalog:
    """What `pybabel extract -F pyproject.toml --no-default-keywords -k Text:1c,2 ... auditor` writes
    (pyproject.toml, [tool.babel])."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["babel"]
    extractors = config.get("extractors", {})
    method_map = [(m["pattern"], extractors.get(m["method"], m["method"])) for m in config["mappings"]]
    catalog = Catalog(project="license-auditor", copyright_holder="license-auditor developers", fuzzy=True)
    for _, _, message, comments, context in extract_from_dir(
        str(ROOT / "auditor"),
        method_map,
        {m["pattern"]: {} for m in config["mappings"]},
        keywords=parse_keywords(["Text:1c,2"]),
    ):
        catalog.add(message, None, auto_comments=comments, context=context)
    return catalog


def test_pybabel_extract_finds_every_declared_text() -> None:
    """The template translators work from (guidance.pot) is what `pybabel extract` finds: exactly
    the texts the run time declares, no more (the report labels stay in messages.pot)."""
    found = [(str(m.context), *_forms(m.id)) for m in _messages(extracted())]
    assert sorted(found, key=str) == sorted(((c, e) if p is None else (c, e, p) for c, e, p in _template()), key=str)


def test_the_extractor_names_a_text_built_at_run_time() -> None:
    source = 'T = (Text("rule.x.title", "A"), Text(f"rule.{x}.describe", "B"))\n'
    with pytest.raises(ValueError, match=r"module.py:1: .*literal"):
        list(declared_in(source, "module.py"))
    steps = list(declared_in('Steps("steps.x", "One.", ("{count} day.", "{count} days."))\n', "m.py"))
    assert [(key, one, other) for _, key, one, other, _ in steps] == [
        ("steps.x.0", "One.", None),
        ("steps.x.1", "{count} day.", "{count} days."),
    ]


def test_a_counted_text_whose_english_is_one_form_is_its_own_plural() -> None:
    """`Text(key, english, counted=True)`: the catalogs get the English as singular and plural, at
    run time (entries) as in the template (declared_in); any other keyword is refused."""
    from auditor.guidance.texts.declare import Text

    found = list(declared_in('Text("summary.x", "Remove {sku}.", counted=True)\n', "m.py"))
    assert [(key, one, other) for _, key, one, other, _ in found] == [("summary.x", "Remove {sku}.", "Remove {sku}.")]
    assert list(Text("summary.x", "Remove {sku}.", counted=True).entries()) == [
        ("summary.x", "Remove {sku}.", "Remove {sku}.")
    ]
    with pytest.raises(ValueError, match=r"m.py:1: .*keyword"):
        list(declared_in('Text("summary.x", "Remove {sku}.", counted=False)\n', "m.py"))


def test_a_text_may_declare_its_translator_note() -> None:
    """`Text(key, english, note="TRANSLATORS: ...")`: the note goes into the catalogs as `#.`, as a note
    of auditor/locale/notes.csv does, so a new rule's note stays in its texts module; one place only."""
    source = 'Text("rule.x.message", "{user} holds {sku}.", counted=True, note="TRANSLATORS: has, not a hold.")\n'
    assert [comments for *_, comments in declared_in(source, "m.py")] == [["TRANSLATORS: has, not a hold."]]
    assert Text("rule.x.message", "{user} holds {sku}.", note="TRANSLATORS: has.").note == "TRANSLATORS: has."
    with pytest.raises(ValueError, match=r"m.py:1: .*keyword"):
        list(declared_in('Text("rule.x.message", "{user} holds {sku}.", note="has, not a hold.")\n', "m.py"))
    noted = next(key for domain, key in extract.notes() if domain == "guidance")
    twice = f'Text("{noted}", "Some English.", note="TRANSLATORS: again.")\n'
    with pytest.raises(ValueError, match=r"in its declaration and in notes.csv"):
        list(extract.extract(io.BytesIO(twice.encode()), {"Text": None}, (), {}))


def _code_keys() -> set[str]:
    """Regular expressions for the keys the guidance and the rules ask for: string literals that look like a
    key, f-string fields as wildcards, a literal ending in "." as a prefix completed at run time."""
    found: set[str] = set()
    # the guidance library, the rules with their texts (auditor/rules/<topic>/*_texts.py) and the wording
    sources = [
        *(ROOT / "auditor" / "guidance").rglob("*.py"),
        *(ROOT / "auditor" / "rules").rglob("*.py"),
        ROOT / "auditor" / "cross_tenant" / "rules.py",
        ROOT / "auditor" / "cross_tenant" / "rules_texts.py",
        ROOT / "auditor" / "wording.py",
    ]
    for path in sorted(sources):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.JoinedStr):
                found.add("".join(re.escape(v.value) if isinstance(v, ast.Constant) else r"\S+" for v in node.values))
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.add(re.escape(node.value) + (r"\S+" if node.value.endswith(".") else ""))
    return {pattern for pattern in found if KEY_PREFIX.match(pattern.replace("\\", ""))}


def test_the_declared_texts_are_exactly_the_keys_the_code_uses() -> None:
    """A key the code asks for and nothing declares (a KeyError in some report), or a text nothing
    asks for any more."""
    keys = set(wording.CATALOGS[Locale.EN])
    patterns = _code_keys()
    assert sorted(p for p in patterns if not any(re.fullmatch(p, key) for key in keys)) == [], "keys missing"
    # "<key>.gov" is asked for wherever <key> is, in a US Government cloud (auditor.wording._remediation)
    assert sorted(k for k in keys if not any(re.fullmatch(p, k.removesuffix(".gov")) for p in patterns)) == [], (
        "keys unused"
    )
    assert all(k.removesuffix(".gov") in keys for k in keys), "a .gov text without the text it stands for"


def test_every_report_language_has_a_guidance_catalog() -> None:
    shipped = {p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{texts.DOMAIN}.po")}
    assert shipped == {locale.value for locale in TRANSLATED}


@pytest.mark.parametrize("locale", TRANSLATED, ids=lambda loc: loc.value)
def test_every_catalog_has_the_plural_forms_of_its_language(locale: Locale) -> None:
    catalog = _read_po(_po_path(locale), locale)
    assert catalog.locale is not None and str(catalog.locale) == locale.value
    assert not catalog.fuzzy, "the catalog header is marked fuzzy"
    cldr = to_gettext(BabelLocale.parse(locale.value).plural_form)  # "nplurals=2; plural=(...);"
    assert catalog.num_plurals == int(re.search(r"nplurals=(\d+)", cldr)[1]), "Plural-Forms: not CLDR's forms"
    ours, theirs = gettext.c2py(catalog.plural_expr), gettext.c2py(re.search(r"plural=(.+);", cldr)[1])
    assert [ours(n) for n in range(1001)] == [theirs(n) for n in range(1001)], "Plural-Forms: not CLDR's rule"
    assert not catalog.obsolete, "obsolete (#~) entries: pybabel update --ignore-obsolete"
    for message in _messages(catalog):
        if message.pluralizable and any(_forms(message.string)):
            assert len(_forms(message.string)) == catalog.num_plurals, f"{message.context}: plural forms"


@pytest.mark.parametrize("locale", TRANSLATED, ids=lambda loc: loc.value)
def test_translations_keep_the_placeholders(locale: Locale) -> None:
    """Every translation the reports use keeps the English placeholders. An untranslated or fuzzy
    entry gives the English at run time, so it has none to keep: the translations check lists it."""
    for message in _messages(_read_po(_po_path(locale), locale)):
        if message.fuzzy:
            continue
        english = _fields(_forms(message.id)[0])
        for form in filter(None, _forms(message.string)):
            assert _fields(form) == english, (
                f"{locale.value}: {message.context}: placeholders {sorted(_fields(form))} differ from the English"
            )


def _expected(locale: Locale) -> Iterator[tuple[str, bool, tuple[str, ...], Any]]:
    """(key, counted, forms, plural rule) per text: what the runtime should give for each: the
    language's translation of the declared English, else the English."""
    english = Catalog(locale=None)
    for context, one, plural in _template():
        english.add(one if plural is None else (one, plural), context=context)
    catalog = english if locale is texts.SOURCE_LOCALE else _read_po(_po_path(locale), locale)
    rule = gettext.c2py(catalog.plural_expr) if locale is not texts.SOURCE_LOCALE else (lambda n: int(n != 1))
    for m in _messages(english):
        found = catalog.get(m.id, context=m.context)
        forms = _forms(found.string) if found is not None and locale is not texts.SOURCE_LOCALE else ()
        if not forms or not all(forms) or "fuzzy" in found.flags:  # type: ignore[union-attr]
            yield str(m.context), m.pluralizable, _forms(m.id), (lambda n: int(n != 1))
        else:
            yield str(m.context), m.pluralizable, forms, rule


@pytest.mark.parametrize("locale", list(Locale), ids=lambda loc: loc.value)
def test_the_runtime_reads_every_text(locale: Locale) -> None:
    catalog = wording.CATALOGS[locale]
    for key, counted, forms, rule in _expected(locale):
        step = re.fullmatch(r"(.+)\.(\d+)", key)
        value = catalog[step[1]][int(step[2])] if step else catalog[key]
        if not counted:
            assert value == forms[0], key
            continue
        assert isinstance(value, texts.Counted), key

        def render(values: dict[str, str], key: str = key, step: Any = step) -> str:
            """The text as rendered: a step of a block takes its form like a text of its own."""
            return (
                wording.render(locale, step[1], values)[int(step[2])]
                if step
                else wording.render_one(locale, key, values)
            )

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
    text = wording.raw(locale, step[1] if step else key)
    return (text,) if isinstance(text, str) else text


def test_every_counted_text_has_forms_that_differ() -> None:
    """A text is counted because some language words it differently for one and for several: a
    counted text whose forms are equal in every language would only hide a missing translation."""
    counted = {context for context, _, plural in _template() if plural is not None}
    assert len(counted) > 40
    differ = {context for context, one, plural in _template() if plural is not None and one != plural}
    differ |= {
        m.context
        for locale in TRANSLATED
        for m in _messages(_read_po(_po_path(locale), locale))
        if m.pluralizable and len(set(_forms(m.string))) > 1
    }
    assert sorted(counted - differ) == []


_OTHER = 2


def test_catalogs_are_read_lazily_per_locale() -> None:
    assert set(wording.CATALOGS) == set(Locale) and len(wording.CATALOGS) == len(Locale)
    with pytest.raises(KeyError):
        wording.raw(Locale.EN, "no.such.key")


@pytest.mark.parametrize(
    ("locale", "one", "many"),
    [
        (Locale.EN, "1 license is in the grace period", "3 licenses are in the grace period"),
        (Locale.NL, "1 licentie zit in de respijtperiode", "3 licenties zitten in de respijtperiode"),
        (Locale.DA, "1 licens er i respitperioden", "3 licenser er i respitperioden"),
        (Locale.SV, "1 licens är i respitperioden", "3 licenser är i respitperioden"),
        (Locale.TR, "1 lisans yetkisiz kullanım süresinde", "3 lisans yetkisiz kullanım süresinde"),
    ],
)
def test_counted_texts_agree_with_their_count(locale: Locale, one: str, many: str) -> None:
    from auditor import wording

    def say(n: int) -> str:
        return wording.message(
            SeatsInGrace.id,
            finding_of({"type": "sku", "id": "SPE_E3", "sku": "SPE_E3"}, ["SPE_E3"], {"warning": n, "enabled": 5}),
            locale=locale,
        )

    assert one in say(1) and many in say(3)


def test_rule_and_link_texts_are_exactly_the_registries() -> None:
    """`rule.<id>.*` and `link.<key>` are asked for with f-strings (any id matches their pattern):
    each rule declares on itself its title, describe and each message variant, and nothing else
    under `rule.<id>.`; links.URLS has exactly the `link.<key>` texts. A rule or a link without its
    text, or a text whose rule or link is gone, fails here."""
    from auditor import wording
    from auditor.guidance.links import URLS

    keys = set(wording.CATALOGS[Locale.EN])
    for rule in wording.by_id().values():
        wanted = {f"rule.{rule.id}.title", f"rule.{rule.id}.describe", *rule.message_keys()}
        own = {text.key for text in rule.texts}
        assert sorted(wanted - own) == [], f"{rule.id}: not declared on the rule"
        assert sorted(k for k in keys if k.startswith(f"rule.{rule.id}.")) == sorted(wanted), rule.id
    wanted_rules = {
        key
        for rule in wording.by_id().values()
        for key in (f"rule.{rule.id}.title", f"rule.{rule.id}.describe", *rule.message_keys())
    }
    assert sorted(k for k in keys if k.startswith("rule.")) == sorted(wanted_rules)
    assert sorted(k for k in keys if k.startswith("link.")) == sorted(f"link.{key}" for key in URLS)
