"""The quick schema check (auditor/policy/certify.py) against jsonschema: whatever it certifies,
jsonschema accepts, on the shipped policies, every rule's example and thousands of broken variants;
and valid policies are certified (so loading them does not import jsonschema)."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from auditor.policy.certify import certifier
from auditor.policy.load import load_policy_file
from auditor.policy.schema import build_schema
from auditor.policy.yamlsource import read_yaml
from auditor.rules import RULES
from auditor.rules.assignments import SkuForbidden
from auditor.rules.usage import Rightsize

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = build_schema()
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
CERTIFIED = certifier(SCHEMA)

# Values that break (or happen to fit) the schema in every way it can be broken: types, integers
# written as floats, booleans where numbers go, NaN, duplicates (also 1 and 1.0, True and 1),
# bad patterns, empty strings, lists and mappings, non-string keys.
POOL: list[Any] = [
    None, True, False, 0, 1, -1, 7, 30, 181, 1.0, 2.5, float("nan"), float("inf"), "", "x", "SPE_E3",
    "spe e3!", "low", "high", "critical", "2026-01-01", "2026-1-1", "ops@contoso.example", "contoso.example",
    SkuForbidden.id, "exchange", "upn", "EUR", "eur", "license-auditor/v1", "LicensePolicy", [], ["SPE_E3"],
    ["SPE_E3", "SPE_E3"], [1, 1.0], [True, 1], [None], ["exchange"], {}, {"x": 1}, {"name": "x"},
    {1: "a"}, {Rightsize.key: {"from": "SPE_E5", "to": "SPE_E3"}},  # a usage entry that rightsizes
]


def _examples() -> list[dict[str, Any]]:
    located, _ = read_yaml("example.yaml", (ROOT / "policies" / "example.yaml").read_bytes())
    assert located is not None
    docs = [located.data]  # read as the loader reads it (dates stay strings)
    for rule in RULES:
        example = yaml.safe_load(rule.example())
        doc = {"apiVersion": "license-auditor/v1", "kind": "LicensePolicy", "metadata": {"name": "x"}, **example}
        docs.append(json.loads(json.dumps(doc, default=str)))
    return docs


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*path, i))
    return out


def _mutate(doc: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    for _ in range(rng.choice((1, 1, 2, 3))):
        paths = _paths(doc)[1:]
        if not paths:
            break
        path = rng.choice(paths)
        parent = doc
        for step in path[:-1]:
            parent = parent[step]
        last = path[-1]
        action = rng.random()
        if action < 0.15:
            del parent[last]
        elif action < 0.25 and isinstance(parent, dict):
            parent[rng.choice(["extra", "severity", "days", "unless_active", "name", 3])] = copy.deepcopy(
                rng.choice(POOL))
        elif action < 0.35 and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[last]))  # a duplicate
        else:
            parent[last] = copy.deepcopy(rng.choice(POOL))
    return doc


def test_valid_policies_are_certified():
    for doc in _examples():
        assert not list(VALIDATOR.iter_errors(doc))
        assert CERTIFIED(doc), doc["metadata"]


def test_nothing_jsonschema_rejects_is_certified():
    rng = random.Random(20261101)
    certified = valid = 0
    for doc in _examples():
        for _ in range(300):
            broken = _mutate(doc, rng)
            errors = list(VALIDATOR.iter_errors(broken))
            if CERTIFIED(broken):
                certified += 1
                assert not errors, (broken, errors[0].message)
            if not errors:
                valid += 1
    # the variants are mostly invalid, and most of the valid ones are certified
    assert certified >= valid * 0.9 and valid < certified * 2 and certified > 100


@pytest.mark.parametrize(("schema", "value", "expected"), [
    ({"type": "integer"}, 1.0, False),  # jsonschema calls 1.0 an integer: it judges, not the quick check
    ({"type": "integer"}, True, False),
    ({"type": "number"}, False, False),
    ({"minimum": 1}, float("nan"), True),  # NaN < 1 is false, so jsonschema accepts it too
    ({"uniqueItems": True}, [1, True], False),
    ({"uniqueItems": True}, ["a", "b"], True),
    ({"enum": ["a", 1]}, 1, True),
    ({"enum": ["a", 1]}, 1.0, True),
    ({"enum": [1]}, True, False),  # True is not 1 to jsonschema
    ({"const": True}, 1, False),
    ({"const": True}, True, True),
    ({"enum": [["a"]]}, ["a"], False),  # lists: jsonschema compares
    ({"patternProperties": {"^a": {}}}, {}, False),  # a keyword it does not know: never certified
    ({"format": "email"}, "x", False),
    ({"$schema": "http://json-schema.org/draft-07/schema#"}, {}, False),
    ({"if": {"required": ["a"]}, "then": {"required": ["b"]}, "else": {"required": ["c"]}}, {"a": 1}, False),
    ({"if": {"required": ["a"]}, "then": {"required": ["b"]}, "else": {"required": ["c"]}}, {"c": 1}, True),
    ({"if": {"required": ["a"]}, "then": {"required": ["b"]}}, [], True),
    ({"oneOf": [{"type": "boolean"}, {"type": "array"}]}, [], True),
    ({"oneOf": [{"type": "array"}, {"type": "array", "minItems": 1}]}, ["x"], False),
    ({"pattern": "b"}, "abc", True),  # re.search, as jsonschema
])
def test_keywords(schema: dict[str, Any], value: Any, expected: bool):
    assert certifier(schema)(value) is expected
    if expected:
        assert not list(jsonschema.Draft202012Validator(schema).iter_errors(value))


def test_a_broken_policy_still_gets_jsonschema_messages(tmp_path: Path):
    path = tmp_path / "p.yaml"
    path.write_text("apiVersion: license-auditor/v1\nkind: LicensePolicy\nmetadata: {name: x}\n"
                    "assignments:\n  - name: a\n    match: {all: true}\n    severity: urgent\n", encoding="utf-8")
    policy, issues, _ = load_policy_file(path)
    assert policy is None
    assert [i.message for i in issues] == [
        "assignments[0].severity: 'urgent' is not one of: low, medium, high, critical"]
