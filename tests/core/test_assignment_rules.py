from auditor.data.model import Severity
from auditor.rules.assignments import (
    AssignmentNotGroupBased,
    SkuCombinationForbidden,
    SkuForbidden,
    SkuNotAllowed,
    SkuRequiredMissing,
)
from auditor.rules.hygiene.accounts import GuestLicensed

from .factory import audit, fired, tenant, user

FRONTLINE = {"id": "g-front", "displayName": "Frontline Workers", "members": ["id-ann", "id-bob", "id-cat"]}


def test_allowed_flags_only_products_outside_the_list(tmp_path):
    doc = tenant(
        [user("ann", "SPE_F1"), user("bob", "SPE_F1", "SPE_E3"), user("cat"), user("dan", "SPE_E3")], groups=[FRONTLINE]
    )
    result = audit(
        tmp_path,
        """
assignments:
  - name: frontline
    match: {groups: ["Frontline Workers"]}
    allowed: [SPE_F1]
    required_any: [SPE_F1]
""",
        doc,
    )
    assert fired(result, SkuNotAllowed.id) == [(SkuNotAllowed.id, "bob@contoso.example", ("SPE_E3",))]
    # cat holds nothing; dan is not in the group
    assert fired(result, SkuRequiredMissing.id) == [(SkuRequiredMissing.id, "cat@contoso.example", ())]


def test_not_allowed_suggests_the_required_replacement(tmp_path):
    doc = tenant([user("ann", "SPE_E3")], groups=[FRONTLINE])
    result = audit(
        tmp_path,
        """
assignments:
  - name: frontline
    match: {groups: [g-front]}
    allowed: [SPE_F1]
    required_any: [SPE_F1]
""",
        doc,
    )
    f = next(f for f in result.findings if f.rule == SkuNotAllowed.id)
    details = dict(f.details)
    assert details["replace_with"] == "SPE_F1"
    assert details["replace_with_id"] == "66b55226-6b4f-492c-910c-a3b7a3c9d993"
    assert details["assigned_by_group"] == {"SPE_E3": []}


def test_required_any_skips_disabled_accounts(tmp_path):
    doc = tenant([user("ann", accountEnabled=False), user("bob")], groups=[FRONTLINE])
    result = audit(
        tmp_path,
        """
assignments:
  - name: frontline
    match: {groups: ["frontline workers"]}
    required_any: [SPE_F1]
""",
        doc,
    )
    assert fired(result) == [(SkuRequiredMissing.id, "bob@contoso.example", ())]


def test_forbidden_by_upn_glob_and_severity_override(tmp_path):
    doc = tenant([user("x.contractor", "SPE_E5"), user("emp", "SPE_E5")])
    doc["users"][0]["userPrincipalName"] = "x@Contractors.Contoso.example"
    result = audit(
        tmp_path,
        """
assignments:
  - name: contractors
    match: {upn: ["*@contractors.contoso.example"]}
    forbidden: [SPE_E5]
    severity: critical
""",
        doc,
    )
    assert fired(result) == [(SkuForbidden.id, "x@Contractors.Contoso.example", ("SPE_E5",))]
    assert result.findings[0].severity is Severity.CRITICAL


def test_exclusive_and_except(tmp_path):
    doc = tenant(
        [user("ann", "SPE_E3", "SPE_E5"), user("bob", "SPE_E3"), user("admin", "SPE_E3", "SPE_E5")],
        groups=[{"id": "g-bg", "displayName": "Break Glass Accounts", "members": ["id-admin"]}],
    )
    result = audit(
        tmp_path,
        """
assignments:
  - name: everyone
    match: {all: true}
    except: {groups: ["Break Glass Accounts"]}
    exclusive: [[SPE_E3, SPE_E5]]
""",
        doc,
    )
    assert fired(result) == [(SkuCombinationForbidden.id, "ann@contoso.example", ("SPE_E3", "SPE_E5"))]


def test_group_based_only_flags_direct_but_not_group_assignments(tmp_path):
    both = user("cat", "SPE_E3", via="g-office")
    both["licenseAssignmentStates"].append(
        {"skuId": "05e9a617-0261-4cee-bb44-138d3ef5d965", "assignedByGroup": None, "state": "Active", "error": "None"}
    )
    doc = tenant(
        [user("ann", "SPE_E3", via="g-office"), user("bob", "SPE_E3", "SPE_E5"), both],
        groups=[{"id": "g-office", "displayName": "Office", "members": ["id-ann", "id-cat"]}],
    )
    result = audit(
        tmp_path,
        """
assignments:
  - name: everyone
    match: {all: true}
    group_based_only: [SPE_E3]
""",
        doc,
    )
    assert fired(result) == [
        (AssignmentNotGroupBased.id, "bob@contoso.example", ("SPE_E3",)),
        (AssignmentNotGroupBased.id, "cat@contoso.example", ("SPE_E3",)),
    ]
    every = audit(
        tmp_path,
        """
assignments:
  - name: everyone
    match: {all: true}
    group_based_only: true
""",
        doc,
    )
    assert (AssignmentNotGroupBased.id, "bob@contoso.example", ("SPE_E3", "SPE_E5")) in fired(every)


def test_selectors_combine_with_and(tmp_path):
    doc = tenant(
        [
            user("a", "SPE_E5", department="Sales", usageLocation="NL"),
            user("b", "SPE_E5", department="Sales", usageLocation="DE"),
            user("c", "SPE_E5", department="HR", usageLocation="NL"),
            user("d", "SPE_E5", department="sales", usageLocation="NL", userType="Guest"),
        ]
    )
    result = audit(
        tmp_path,
        """
assignments:
  - name: nl-sales-members
    match: {departments: [SALES], usage_locations: [nl], user_types: [Member]}
    forbidden: [SPE_E5]
""",
        doc,
    )
    assert fired(result) == [(SkuForbidden.id, "a@contoso.example", ("SPE_E5",))]


def test_unknown_group_makes_the_rule_not_evaluated_not_silently_compliant(tmp_path):
    doc = tenant([user("a", "SPE_E5")])
    result = audit(
        tmp_path,
        """
assignments:
  - name: ghosts
    match: {groups: ["No Such Group"]}
    forbidden: [SPE_E5]
""",
        doc,
    )
    assert fired(result) == []
    assert [(n.rule, n.reason) for n in result.not_evaluated] == [
        (SkuForbidden.id, "group 'No Such Group' named by the policy is not in the tenant data")
    ]
    assert not result.complete


def test_gaps_in_groups_or_skus_stop_the_rules_that_read_them(tmp_path):
    groups = [{"id": "g1", "displayName": "Frontline Workers", "members": ["id-a"]}]
    policy = """
assignments:
  - name: frontline
    match: {groups: ["Frontline Workers"]}
    allowed: [SPE_F1]
  - name: everyone
    match: {all: true}
    forbidden: [SPE_E5]
hygiene:
  guest_users: {except: {groups: ["Frontline Workers"]}}
  disabled_users: {}
"""
    no_groups = tenant(
        [user("a", "SPE_E3")], groups=groups, gaps=[{"part": "groups", "request": "GET /groups", "reason": "403"}]
    )
    result = audit(tmp_path, policy, no_groups)
    assert sorted(n.rule for n in result.not_evaluated) == [GuestLicensed.id, SkuNotAllowed.id]
    no_skus = tenant(
        [user("a", "SPE_E3")],
        groups=groups,
        gaps=[{"part": "subscribedSkus", "request": "GET /subscribedSkus", "reason": "403"}],
    )
    result = audit(tmp_path, policy, no_skus)
    assert sorted(n.rule for n in result.not_evaluated) == [SkuForbidden.id, SkuNotAllowed.id]
    assert fired(result) == []


def test_sku_referenced_by_guid(tmp_path):
    doc = tenant([user("a", "SPE_E5")])
    result = audit(
        tmp_path,
        """
assignments:
  - name: all
    match: {all: true}
    forbidden: [06EBC4EE-1BB5-47DD-8120-11324BC54E06]
""",
        doc,
    )
    assert fired(result) == [(SkuForbidden.id, "a@contoso.example", ("SPE_E5",))]
