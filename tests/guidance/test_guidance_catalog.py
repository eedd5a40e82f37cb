"""The guidance texts are consistent in every locale. (That every language translates every
text is test_translations_complete.py's.)"""

from __future__ import annotations

import ast
import re
import sys
import typing
from pathlib import Path

import pytest

from auditor import wording
from auditor.cross_tenant.rules import MERGE_RULES
from auditor.data.finding import is_record
from auditor.data.model import Locale
from auditor.guidance import texts
from auditor.guidance.library import RuleGuidance
from auditor.rules import RULE_IDS, RULES

# The engine and merge registries are the one list of rules; the guidance covers exactly them.
EXPECTED_RULES = tuple(sorted({r.id for r in RULES} | {r.id for r in MERGE_RULES}))
MESSAGE_KEYS = {rule_id: rule.message_keys() for rule_id, rule in wording.by_id().items()}
EN = wording.CATALOGS[Locale.EN]
OTHER = [loc for loc in Locale if loc is not Locale.EN]


def _items(value: texts.Value) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else value


def test_guidance_covers_exactly_the_registered_rules() -> None:
    assert len(EXPECTED_RULES) >= 19 and len(set(RULE_IDS)) == len(RULE_IDS)
    assert set(wording.ALL_RULE_IDS) == set(EXPECTED_RULES)
    assert set(wording.by_id()) == set(EXPECTED_RULES)


def _guidance_module(rule: object) -> str:
    """Where a rule's texts live: beside the rule, auditor.rules.T.X -> auditor.rules.T.X_texts, and
    the merge rules' auditor.cross_tenant.rules -> auditor.cross_tenant.rules_texts."""
    return f"{type(rule).__module__}_texts"


def test_each_rule_has_one_guidance_at_its_module_path() -> None:
    """wording.GUIDANCE holds one guidance per rule, no more, in the registries' order (engine
    rules, then merge rules), each in the `_texts` module beside its rule module (a newcomer finds
    one from the other); a rule itself carries no guidance."""
    GUIDANCE = wording.GUIDANCE
    every = (*RULES, *MERGE_RULES)
    assert [g.id for g in GUIDANCE] == [r.id for r in every]
    for guidance, rule in zip(GUIDANCE, every, strict=True):
        assert type(guidance).__name__ == type(rule).__name__
        assert type(guidance).__module__ == _guidance_module(rule)
        assert wording.by_id()[rule.id] is guidance
        assert not isinstance(rule, RuleGuidance), rule.id
        assert not hasattr(rule, "remediation") and not hasattr(rule, "texts"), rule.id


def test_a_rules_texts_are_found_from_the_rule() -> None:
    """No list of texts is kept by hand: wording finds a rule's texts from the rule (the class of its
    name in the `_texts` module beside it), in the registries' order (RULES, then MERGE_RULES), said
    once; a rule without texts, or texts that give another id, fail at import."""
    first, second = RULES[0], RULES[1]
    assert list(wording._by_rule((second, first))) == [second.id, first.id]
    assert type(wording.texts_of(first)).__name__ == type(first).__name__

    class Textless(type(first)):  # type: ignore[misc]
        id = "a-rule-without-texts"

    class Renamed(type(first)):  # type: ignore[misc]
        id = "another-id"

    Renamed.__name__ = type(first).__name__  # its texts class exists, but says the id of `first`
    for rules in ((first, first), (Textless(),), (Renamed(),)):
        with pytest.raises(LookupError):
            wording._by_rule(rules)


def test_each_rules_details_have_a_typed_contract() -> None:
    """A rule's details are a record in the rule's module (`<Rule>Details`, an auditor.data.finding.Own), and
    its texts are RuleGuidance of that record: they read the rule's fields as `f.own.field`, which mypy
    checks against what the rule writes. No texts module reads a key by a bare string any more."""
    for guidance, rule in zip(wording.GUIDANCE, (*RULES, *MERGE_RULES), strict=True):
        args = [
            typing.get_args(base)
            for base in vars(type(guidance)).get("__orig_bases__", ())
            if typing.get_origin(base) is not None
        ]
        (contract,) = args[0] if args else (None,)
        assert contract is not None and is_record(contract), rule.id
        assert contract.__name__ == f"{type(rule).__name__}Details", rule.id
        assert contract.__module__ == type(rule).__module__, rule.id
        assert (contract.__doc__ or "").strip(), f"{rule.id}: its details contract documents its keys (docs/rules.md)"
        own = [
            s.target.id
            for s in _class_node(contract).body
            if isinstance(s, ast.AnnAssign)
            and isinstance(s.target, ast.Name)
            and "ClassVar" not in ast.unparse(s.annotation)  # a record's `optional`: no key of its own
        ]
        undocumented = [key for key in own if f"`{key}`" not in (contract.__doc__ or "")]
        assert not undocumented, f"{rule.id}: its details contract's docstring (docs/rules.md) names no {undocumented}"
        assert (type(rule).__doc__ or "").split("Example:")[0].strip(), f"{rule.id}: its docstring says when it fires"
    untyped = re.compile(r'\bf\.(?:text|strs|int)\("|\bf\.details\.get\("')
    for module in {type(g).__module__ for g in wording.GUIDANCE}:
        source = Path(sys.modules[module].__file__ or "").read_text("utf-8")
        assert not untyped.search(source), module


def _class_node(cls: type) -> ast.ClassDef:
    source = Path(sys.modules[cls.__module__].__file__ or "").read_text("utf-8")
    return next(n for n in ast.parse(source).body if isinstance(n, ast.ClassDef) and n.name == cls.__name__)


def test_every_locale_has_a_catalog() -> None:
    assert set(wording.CATALOGS) == set(Locale)


@pytest.mark.parametrize("rule", EXPECTED_RULES)
@pytest.mark.parametrize("locale", list(Locale), ids=lambda loc: loc.value)
def test_every_rule_has_title_description_and_messages(rule: str, locale: Locale) -> None:
    catalog = wording.CATALOGS[locale]
    for key in (f"rule.{rule}.title", f"rule.{rule}.describe", *MESSAGE_KEYS[rule]):
        assert key in catalog, f"{locale.value} lacks {key}"
        assert all(item.strip() for item in _items(catalog[key])), f"{locale.value}: {key} is empty"
    assert wording.title(rule, locale)
    assert wording.describe(rule, locale)


@pytest.mark.parametrize("locale", OTHER, ids=lambda loc: loc.value)
def test_placeholders_and_shape_match_english(locale: Locale) -> None:
    catalog = wording.CATALOGS[locale]
    for key, en_value in EN.items():
        value = catalog[key]
        assert type(value) is type(en_value), key
        en_items, items = _items(en_value), _items(value)
        assert len(items) == len(en_items), f"{key}: {len(items)} steps, English has {len(en_items)}"
        for en_item, item in zip(en_items, items, strict=True):
            assert texts.fields(item) == texts.fields(en_item), f"{locale.value} {key}: {item!r}"


def test_templates_parse_and_use_only_named_fields() -> None:
    for locale, catalog in wording.CATALOGS.items():
        for key, value in catalog.items():
            for item in _items(value):
                for name in texts.fields(item):
                    assert re.fullmatch(r"[a-z_]+", name), f"{locale.value} {key}: odd field {name!r}"
