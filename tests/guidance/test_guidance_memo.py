"""Reused guidance text (guidance/memo.py) is exactly what computing it afresh gives."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from test_guidance_remediation import RICH

from auditor.guidance import remediation
from auditor.guidance.facts import Facts
from auditor.guidance.memo import Memo
from auditor.model import Cloud, Locale
from auditor.remediations import fill


def _get(memo: Memo, key: Any, subject: dict[str, Any], skus: list[str], details: dict[str, Any], compute: Any
         ) -> Any:
    """What the memo gives for the finding, its template filled in as every reader fills it."""
    return fill(memo.get(key, subject, skus, details, compute).body, subject)

NAMES = ["Ann Lee", "ann@contoso.example", "", None, "{user} {sku}", "Zoë <b>&amp;</b>", "a" * 300, "=1+1"]
UPNS = ["ann@contoso.example", "bob_partner.example#EXT#@contoso.example", "", None, "{0}@x"]
IDS = ["11111111-aaaa", "22222222-bbbb", "", None, "{user-id}"]
GROUPS = [{}, {"SPE_E5": []}, {"SPE_E5": ["All Staff"]}, {"SPE_E5": ["All Staff", "Sales"]}, {"EMS": ["X"]}, []]


def _variants(seed: int, count: int) -> list[tuple[str, dict[str, Any], list[str], dict[str, Any]]]:
    """User findings of every rule with shuffled user fields and varied details, shapes repeating."""
    rng = random.Random(seed)
    user_rules = [r for r, (subject, _, _) in RICH.items() if subject.get("type") == "user"]
    out = []
    for _ in range(count):
        rule = rng.choice(user_rules)
        _, skus, details = RICH[rule]
        subject: dict[str, Any] = {"type": "user"}
        for field, pool in (("id", IDS), ("upn", UPNS), ("display_name", NAMES)):
            value = rng.choice(pool)
            if value is not None:
                subject[field] = value
        if rng.random() < 0.1:
            subject["sku"] = "SPE_E5"  # any other subject field is part of the key
        details = dict(details)
        if rng.random() < 0.5:
            details["assigned_by_group"] = rng.choice(GROUPS)
        if rng.random() < 0.3:
            details["last_sign_in"] = rng.choice([None, "2026-01-02T03:04:05Z", "2025-12-31T23:59:59Z", 5])
        if rng.random() < 0.2:
            details.pop(rng.choice(sorted(details) or ["x"]), None)
        if rng.random() < 0.1:
            details["days"] = rng.choice([90, 90.0, True, "90"])
        out.append((rule, subject, list(rng.choice([skus, [], ["SPE_E5", "EMS"]])), details))
    return out


PRODUCT_NAMES = {"SPE_E5": "Microsoft 365 E5", "EMS": "Enterprise Mobility + Security E3"}


# Computes the remediation of each finding it reads (JSON on stdin) in a new interpreter, last to
# first, each with a product-name mapping of its own (one more, unused, part number): whatever
# the guidance reuses between findings, no finding's text can come from one computed earlier here
# that the test's own process computed later, or with the same names.
_FRESH = """
import json, sys
from auditor.guidance import remediation
from auditor.model import Cloud, Locale
cases = json.load(sys.stdin)
out = [None] * len(cases)
for i in reversed(range(len(cases))):
    rule, cloud, locale, subject, skus, details, names = cases[i]
    out[i] = remediation(rule, cloud=Cloud(cloud), locale=Locale(locale), subject=subject, skus=skus,
                         details=details, names={**(names or {}), f"UNUSED_{i}": "unused"})
json.dump(out, sys.stdout)
"""


LOCALES = (Locale.EN, Locale.TR)


@cache
def _cases() -> dict[Locale, list[list[Any]]]:
    """Per locale, 1,800 findings of every rule that share rule, products and details but not the
    user, in an order where later ones may reuse earlier ones' text; as report.json holds them."""
    cases: dict[Locale, list[list[Any]]] = {}
    for locale in LOCALES:
        cases[locale] = []
        for cloud in (Cloud.WORLDWIDE, Cloud.CHINA, Cloud.GERMANY):
            for i, (rule, subject, skus, details) in enumerate(_variants(sum(map(ord, locale.value + cloud.value)),
                                                                         600)):
                names = PRODUCT_NAMES if i % 2 else None  # the same finding reads differently with names
                cases[locale].append([rule, cloud.value, locale.value, subject, skus, details, names])
    out: dict[Locale, list[list[Any]]] = json.loads(json.dumps({k.value: v for k, v in cases.items()}))
    return {Locale(k): v for k, v in out.items()}


@cache
def _fresh() -> dict[Locale, list[Any]]:
    """The cases' remediations, each computed on its own (_FRESH), in one interpreter for all locales."""
    cases = [case for locale in LOCALES for case in _cases()[locale]]
    run = subprocess.run([sys.executable, "-c", _FRESH], input=json.dumps(cases), capture_output=True, text=True,
                         check=True, cwd=Path(__file__).parents[2], timeout=600)
    found: list[Any] = json.loads(run.stdout)
    out: dict[Locale, list[Any]] = {}
    for locale in LOCALES:
        out[locale], found = found[:len(_cases()[locale])], found[len(_cases()[locale]):]
    return out


@pytest.mark.parametrize("locale", LOCALES, ids=lambda loc: loc.value)
def test_reused_remediation_equals_fresh_one(locale: Locale) -> None:
    cases = _cases()[locale]
    here = [remediation(rule, cloud=Cloud(cloud), locale=Locale(loc), subject=subject, skus=skus, details=details,
                        names=names) for rule, cloud, loc, subject, skus, details, names in cases]
    fresh = _fresh()[locale]
    assert len(fresh) == len(here) == 1800
    for case, mine, theirs in zip(cases, json.loads(json.dumps(here)), fresh, strict=True):
        assert mine == theirs, case


def test_reuse_happens_and_copies_are_independent() -> None:
    memo = Memo()
    calls: list[str] = []

    def compute(f: Facts) -> dict[str, Any]:
        calls.append(f.label())
        return {"steps": [f"remove from {f.label()}"], "path": f"/users/{f.user_ref}", "n": f.details.get("days")}

    ann = {"type": "user", "id": "id-ann", "upn": "ann@x", "display_name": "Ann"}
    bob = {"type": "user", "id": "id-bob", "upn": "bob@x"}
    first = _get(memo, "k", ann, ["E5"], {"days": 90, "unread": 1}, compute)
    second = _get(memo, "k", bob, ["E5"], {"days": 90, "unread": 2}, compute)
    assert memo.get("k", bob, ["E5"], {"days": 90}, compute).body == {  # one template: the user is a placeholder
        "steps": ["remove from {user}"], "path": "/users/{user_ref}", "n": 90}
    assert first == {"steps": ["remove from Ann (ann@x)"], "path": "/users/id-ann", "n": 90}
    assert second == {"steps": ["remove from bob@x"], "path": "/users/id-bob", "n": 90}
    assert len(calls) == 1  # an unread detail does not matter
    first["steps"].append("changed")
    assert _get(memo, "k", ann, ["E5"], {"days": 90}, compute)["steps"] == ["remove from Ann (ann@x)"]
    memo.get("k", ann, ["E5"], {"days": 30}, compute)  # a read detail that differs
    memo.get("k", ann, ["EMS"], {"days": 90}, compute)  # other products
    memo.get("k", {**ann, "type": "group"}, ["E5"], {"days": 90}, compute)  # not a user: never reused
    assert len(calls) == 4


def test_iterating_the_details_makes_all_of_them_the_key() -> None:
    memo = Memo()
    calls = []

    def compute(f: Facts) -> list[str]:
        calls.append(1)
        return sorted(f.details)

    user = {"type": "user", "id": "u"}
    assert _get(memo, "k", user, [], {"a": 1}, compute) == ["a"]
    assert _get(memo, "k", user, [], {"a": 1, "b": 2}, compute) == ["a", "b"]
    assert _get(memo, "k", user, [], {"a": 1}, compute) == ["a"]
    assert len(calls) == 2



def test_a_structure_json_cannot_hold_is_computed_afresh_and_not_kept() -> None:
    memo = Memo()
    calls = []

    def compute(f: Facts) -> tuple[str, ...]:
        calls.append(1)
        return ("for", f.label(), f.user_ref)

    ann = {"type": "user", "id": "id-ann", "upn": "ann@x"}
    assert _get(memo, "k", ann, [], {}, compute) == ["for", "ann@x", "id-ann"]  # a template holds JSON
    assert _get(memo, "k", {**ann, "id": "id-2"}, [], {}, compute) == ["for", "ann@x", "id-2"]
    before = len(calls)
    assert _get(memo, "k", ann, [], {}, compute) == ["for", "ann@x", "id-ann"]
    assert len(calls) > before  # nothing was kept: the same finding is computed again
