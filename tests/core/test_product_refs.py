"""The products a policy names are found where the schema puts a product (SKU_REF_SCHEMA in a rule's
fragment), not from a hand-kept list of policy keys (it was engine.sku_references): a product written
with a typo under a new rule's key is named by `validate` and the audit like any other."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.data.model import Severity
from auditor.policy.objects import Assignment
from auditor.policyset import load as policy_load
from auditor.policyset import schema as policy_schema
from auditor.policyset.config_problems import unknown_products
from auditor.policyset.load import load_policies
from auditor.rules.assignments.base import AssignmentRule
from auditor.rules.base import SKU_LIST_SCHEMA

EVERY_KEY = """\
apiVersion: license-auditor/v1
kind: LicensePolicy
metadata: {name: every-key}
catalog:
  - {sku: CATALOG_SKU}
assignments:
  - name: a
    match: {all: true}
    allowed: [ALLOWED_SKU]
  - name: b
    match: {all: true}
    forbidden: [FORBIDDEN_SKU]
    required_any: [REQUIRED_SKU]
    exclusive:
      - [EXCLUSIVE_A, EXCLUSIVE_B]
      - {keep: KEEP_SKU, remove: [REMOVE_SKU]}
    group_based_only: [GROUP_BASED_SKU]
waivers:
  - {rule: sku-forbidden, subject: "*", sku: WAIVED_SKU, reason: r, owner: o, expires: 2030-01-01}
usage:
  - {sku: USAGE_SKU, workloads: [exchange], days: 30}
  - {rightsize: {from: LARGER_SKU, to: SMALLER_SKU}, unless_active: [power_bi], days: 30}
moves:
  - {name: m, match: {all: true}, from: FROM_SKU, to: TO_SKU}
"""


def _load(tmp_path: Path, text: str) -> tuple[str, ...]:
    path = tmp_path / "p.yaml"
    path.write_text(text, "utf-8")
    (policy,) = load_policies([path]).policies
    return policy.products


def test_every_key_that_names_a_product_is_found(tmp_path: Path) -> None:
    assert _load(tmp_path, EVERY_KEY) == (
        "CATALOG_SKU",
        "ALLOWED_SKU",
        "FORBIDDEN_SKU",
        "REQUIRED_SKU",
        "EXCLUSIVE_A",
        "EXCLUSIVE_B",
        "KEEP_SKU",
        "REMOVE_SKU",
        "GROUP_BASED_SKU",
        "WAIVED_SKU",
        "USAGE_SKU",
        "LARGER_SKU",
        "SMALLER_SKU",
        "FROM_SKU",
        "TO_SKU",
    )


class TrialOnly(AssignmentRule):
    """A throwaway rule with a policy key of its own that names products (never registered for real)."""

    id = "trial-only"
    default_severity = Severity.LOW
    key = "trial_only"
    fragment = {**SKU_LIST_SCHEMA, "description": "Products this population may hold on trial only."}

    def applies(self, a: Assignment) -> bool:
        return False


@pytest.fixture
def with_trial_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(policy_schema, "RULES", (*policy_schema.RULES, TrialOnly()))
    policy_load._schema.cache_clear()
    policy_load._validator.cache_clear()
    yield
    policy_load._schema.cache_clear()
    policy_load._validator.cache_clear()


@pytest.mark.usefixtures("with_trial_only")
def test_a_typo_in_a_new_keys_product_is_named(tmp_path: Path) -> None:
    text = EVERY_KEY.replace("    group_based_only:", "    trial_only: [SPE_E33]\n    group_based_only:")
    path = tmp_path / "p.yaml"
    path.write_text(text, "utf-8")
    policies = load_policies([path])
    assert "SPE_E33" in policies.policies[0].products
    problems = unknown_products(policies, [])
    typo = next(p for p in problems if p.product == "SPE_E33")
    assert typo.suggestion == "SPE_E3" and typo.line == text.splitlines().index("    trial_only: [SPE_E33]") + 1
