"""A rule reports only what it found; the engine adds once, after evaluation, what the fix needs
to know (auditor/evaluation/enrichment.py): the groups' kinds, the data a removal ends, the groups it leaves,
and when a disabled account was disabled."""

from __future__ import annotations

from typing import Any

from auditor.data.model import Finding
from auditor.evaluation.enrichment import gives_instead
from auditor.policy.index import TenantIndex
from auditor.policyset.load import load_policies
from auditor.rules import Context, Rule
from auditor.rules.assignments import SkuForbidden, SkuRequiredMissing
from auditor.rules.assignments.selection import SkuForbiddenDetails, SkuNotAllowedDetails
from auditor.rules.hygiene.accounts import DisabledUserLicensed
from auditor.snapshot import snapshot_from_json

from .factory import AS_OF, audit, policy_file, tenant, user

FORBID_F1 = "assignments:\n  - name: all\n    match: {all: true}\n    forbidden: [SPE_F1]\n"
REQUIRE_E3 = "assignments:\n  - name: all\n    match: {all: true}\n    required_any: [SPE_E3]\n"
DISABLED = "hygiene:\n  disabled_users: {grace_days: 14}\n"
REMOVAL_FACTS = {
    "data_lost",
    "plans_unknown",
    "storage",
    "leaving",
    "group_kinds",
    "group_licenses",
    "disabled_at",
    "disabled_from",
    "disable_unknown",
    "audit_span_days",
}


def _doc() -> dict[str, Any]:
    """Ann holds F1 from the group Frontline (which also gives E3), and E5 directly; Bob is disabled."""
    groups = [
        {
            "id": "g-1",
            "displayName": "Frontline",
            "members": ["id-ann"],
            "assignedLicenses": [
                {"skuId": s, "disabledPlans": []}
                for s in ("66b55226-6b4f-492c-910c-a3b7a3c9d993", "05e9a617-0261-4cee-bb44-138d3ef5d965")
            ],
        }
    ]
    return tenant([user("ann", "SPE_F1", via="g-1"), user("bob", "SPE_E5", accountEnabled=False)], groups=groups)


def _rule_alone(tmp_path: Any, rule: Rule, policy: str) -> list[Finding]:
    policies = load_policies([policy_file(tmp_path, policy)])
    ctx = Context(index=TenantIndex(snapshot_from_json(_doc())), as_of=AS_OF, prices={})
    return list(rule.evaluate(policies.policies[0], ctx))


def _details(findings: list[Finding], rule: str) -> dict[str, Any]:
    (found,) = [f for f in findings if f.rule == rule]
    return dict(found.details)


def test_a_rule_reports_no_removal_facts_of_its_own(tmp_path: Any) -> None:
    for rule, policy in ((SkuForbidden(), FORBID_F1), (DisabledUserLicensed(), DISABLED)):
        details = _details(_rule_alone(tmp_path, rule, policy), rule.id)
        assert not REMOVAL_FACTS & set(details), rule.id


def test_the_engine_adds_the_groups_the_data_and_the_groups_left(tmp_path: Any) -> None:
    details = _details(list(audit(tmp_path, FORBID_F1, _doc()).findings), SkuForbidden.id)
    assert details["group_kinds"] == {}  # a cloud security group: its members may be changed
    assert details["group_licenses"] == {"g-1": ["SPE_E3", "SPE_F1"]}  # leaving it takes E3 too
    assert details["leaving"] == {"g-1": ["SPE_F1"]}
    assert "data_lost" in details or "plans_unknown" in details  # what removing F1 ends, or that nobody knows
    # the rule's own facts are untouched
    assert list(details["forbidden"]) == ["SPE_F1"] and details["assigned_by_group_ids"] == {"SPE_F1": ["g-1"]}


def test_a_fix_that_neither_removes_nor_leaves_gets_neither(tmp_path: Any) -> None:
    details = _details(list(audit(tmp_path, REQUIRE_E3, _doc()).findings), SkuRequiredMissing.id)
    assert not {"leaving", "data_lost", "plans_unknown"} & set(details)


def test_grace_days_bring_the_disable_time(tmp_path: Any) -> None:
    details = _details(list(audit(tmp_path, DISABLED, _doc()).findings), DisabledUserLicensed.id)
    assert details["grace_days"] == 14
    assert details["disabled_at"] is None and details["disable_unknown"] == "audit_not_read"
    plain = _details(
        list(audit(tmp_path, "hygiene:\n  disabled_users: {}\n", _doc()).findings), DisabledUserLicensed.id
    )
    assert "disabled_at" not in plain and "disable_unknown" not in plain


def test_the_product_a_fix_gives_instead_is_read_from_the_rules_record() -> None:
    """The data a removal ends counts the product the fix adds: the rule's record names it
    (`replace_with_id`, typed there); a record without one gives none."""
    assert gives_instead(SkuNotAllowedDetails(replace_with="SPE_E3", replace_with_id="e3-id")) == "e3-id"
    assert gives_instead(SkuNotAllowedDetails()) == ""
    assert gives_instead(SkuForbiddenDetails(forbidden=["SPE_F1"])) == ""
