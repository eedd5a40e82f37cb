import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from auditor.common.errors import PolicyError
from auditor.cross_tenant.rules import MERGE_RULES
from auditor.policy.selectors import SELECTOR_SCHEMA
from auditor.policyset import rules_page as rules_docs
from auditor.policyset.load import load_policies
from auditor.policyset.schema import build_schema, schema_text
from auditor.rules import RULE_IDS, RULES

ROOT = Path(__file__).resolve().parents[2]


def test_committed_schema_matches_the_code():
    # for the policies folder (examples/ links to it), and beside the demo's copy of the example (auditor_dev/sample)
    for folder in ("policies", "auditor_dev/sample"):
        committed = (ROOT / folder / "license-policy.schema.json").read_text(encoding="utf-8")
        assert committed == schema_text(), f"run: license-auditor schema > {folder}/license-policy.schema.json"


def test_every_policy_files_schema_reference_resolves_from_its_own_folder():
    """An editor reads `# yaml-language-server: $schema=PATH` relative to the file: the demo's copy of
    the example policy lives in another folder than examples/, and its reference must resolve too."""
    found = 0
    for path in [*ROOT.glob("policies/**/*.yaml"), *ROOT.glob("examples/*.yaml"), *ROOT.glob("auditor_dev/**/*.yaml")]:
        match = re.search(r"\$schema=(\S+)", path.read_text(encoding="utf-8").split("\n", 1)[0])
        if match:
            found += 1
            assert (path.parent / match[1]).is_file(), f"{path.relative_to(ROOT)}: {match[1]} does not resolve"
    assert found >= 2


def test_the_selector_is_defined_once_and_referenced():
    """Issue 98: build_schema copied the whole selector under every key that takes one (each hygiene check
    added 98 lines for its `except:`); it is defined once in $defs, and every match/except names it."""
    schema = build_schema()
    assert schema["$defs"]["selector"] == SELECTOR_SCHEMA
    assert schema_text().count(SELECTOR_SCHEMA["description"]) == 1
    places: list[str] = []

    def walk(node, path):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("match", "except") and path.endswith("/properties"):
                    assert value == {"$ref": "#/$defs/selector"}, f"{path}/{key}"
                    places.append(f"{path}/{key}")
                walk(value, f"{path}/{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{path}/{i}")

    walk(schema["properties"], "#/properties")
    hygiene = schema["properties"]["hygiene"]["properties"]
    takes = [key for key, check in hygiene.items() if "except" in check["properties"]]
    assert len(takes) >= 10 and {f"#/properties/hygiene/properties/{k}/properties/except" for k in takes} <= set(places)
    assert "#/properties/assignments/items/properties/match" in places
    assert any(p.startswith("#/properties/account_kinds/") for p in places)
    assert any(p.startswith("#/properties/moves/") for p in places)


def test_a_selector_error_is_located_and_suggested_through_the_reference(tmp_path):
    policy = tmp_path / "p.yaml"
    policy.write_text(
        "apiVersion: license-auditor/v1\nkind: LicensePolicy\nmetadata: {name: p}\nhygiene:\n"
        "  disabled_users:\n    except: {grops: [Admins]}\n"
        "assignments:\n  - name: a\n    match: {kinds: [persn]}\n    allowed: [SPE_E3]\n",
        encoding="utf-8",
    )
    with pytest.raises(PolicyError) as raised:
        load_policies([policy])
    assert [str(i).removeprefix(str(tmp_path)) for i in raised.value.issues] == [
        "/p.yaml:6:14: unknown key 'grops' in hygiene.disabled_users.except; did you mean 'groups'?",
        "/p.yaml:9:21: assignments[0].match.kinds[0]: 'persn' is not one of: person, guest, shared, room, equipment, "
        "resource, teams_rooms, agent, break_glass, service; did you mean 'person'?",
    ]


def test_schema_is_a_valid_draft_2020_12_schema():
    jsonschema.Draft202012Validator.check_schema(build_schema())


def test_every_object_in_the_schema_is_closed():
    def walk(node, path):
        if isinstance(node, dict):
            if node.get("type") == "object" and "propertyNames" not in node:
                assert node.get("additionalProperties") is False, f"{path} accepts unknown keys"
            for k, v in node.items():
                walk(v, f"{path}/{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{path}/{i}")

    walk(build_schema(), "#")


RULE_ID = r"[a-z][a-z0-9]*(-[a-z0-9]+)*"


def test_rule_ids_are_unique_and_well_formed():
    ids = [*RULE_IDS, *(r.id for r in MERGE_RULES)]
    assert len(set(ids)) == len(ids)  # the registries themselves are the list
    # docs/adding-a-rule.md: lower-case words joined by hyphens, a word may hold digits (a plan such as p2)
    assert all(re.fullmatch(RULE_ID, rule_id) for rule_id in ids), ids
    assert re.fullmatch(RULE_ID, "entitlement-p2") and not re.fullmatch(RULE_ID, "2fa-missing")
    assert not re.fullmatch(RULE_ID, "Sku-Forbidden") and not re.fullmatch(RULE_ID, "sku--forbidden")


def test_docs_rule_tables_are_what_the_registry_generates():
    # docs/rules.md, the one page listing the rules (README.md and docs/report-format.md link to it), is generated.
    assert rules_docs.stale(ROOT) == [], "run: python -m auditor.policyset.rules_page"


def test_every_rule_has_docs_and_a_valid_example(tmp_path):
    validator = jsonschema.Draft202012Validator(build_schema())
    for rule in RULES:
        assert rule.__doc__, rule.id
        example = yaml.safe_load(rule.example())
        assert example, f"{rule.id} has no example"
        doc = {"apiVersion": "license-auditor/v1", "kind": "LicensePolicy", "metadata": {"name": "x"}, **example}
        errors = list(validator.iter_errors(json.loads(json.dumps(doc, default=str))))
        assert not errors, (rule.id, errors[0].message if errors else "")
        # and the example actually switches the rule on
        path = tmp_path / f"{rule.id}.yaml"
        path.write_text(yaml.safe_dump(json.loads(json.dumps(doc, default=str))), encoding="utf-8")
        policy = load_policies([path]).policies[0]
        assert rule.configured(policy), rule.id


def test_example_policies_validate_and_start_with_the_schema_comment():
    for path in [*(ROOT / "policies").glob("*.yaml"), *(ROOT / "examples").glob("*.yaml")]:
        text = path.read_text(encoding="utf-8")
        assert text.startswith("# yaml-language-server: $schema="), path
        assert load_policies([path]).policies
