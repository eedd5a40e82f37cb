"""The entitlement rules on a tenant read by the real collector from the emulator: who Conditional
Access, PIM, dynamic groups and group-based licensing reach, the cheapest product, the two counts,
and a refused read."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent.parent / "core"))

from factory import AS_OF, user

from auditor.common.errors import PolicyError
from auditor.data.access_records import CONDITIONAL_ACCESS
from auditor.data.model import AuditResult, Finding, TenantSnapshot
from auditor.evaluation.engine import evaluate
from auditor.graph import CollectOptions, GraphClient, Progress, StaticTokenCredential, collect
from auditor.policyset.load import load_policies
from auditor.rules.entitlements.entitlement import EntitlementMissing, EntitlementShort
from auditor.snapshot import snapshot_from_json
from auditor_dev.emulator import DEMO_ROLES, GraphEmulator, app_token

P1_PLAN, P2_PLAN = "41781fb2-bc02-4b7c-bd55-b576c07bb09d", "eec0eb4f-6444-4f95-aba0-50c24d67f998"
GLOBAL_ADMIN = "62e90394-69f5-4237-9190-012177145e10"
SKUS = {  # part: (skuId, service plans)
    "SPE_E3": ("05e9a617-0261-4cee-bb44-138d3ef5d965", [("AAD_PREMIUM", P1_PLAN)]),
    "ENTERPRISEPACK": (
        "6fd2c87f-b296-42f0-b197-1e91e994b900",
        [("EXCHANGE_S_ENTERPRISE", "efb87545-963c-4e0d-99df-69c6916d9eb0")],
    ),
    "EXCHANGESTANDARD": (
        "4b9405b0-7788-4568-add1-99614e613b69",
        [("EXCHANGE_S_STANDARD", "9aaf7827-d63c-4b61-89c3-182f06f82e5c")],
    ),
    "AAD_PREMIUM": ("078d2b04-f1bd-4111-bbd4-b4b1b354cef4", [("AAD_PREMIUM", P1_PLAN)]),
    "AAD_PREMIUM_P2": ("84a661c4-e949-4bd2-a560-ed7766fcaf2b", [("AAD_PREMIUM", P1_PLAN), ("AAD_PREMIUM_P2", P2_PLAN)]),
    "Microsoft_Entra_ID_Governance": (
        "cf6b0d46-4093-4546-a0ab-0b1546dcc10e",
        [("Entra_Identity_Governance", "e866a266-3cff-43a3-acca-0c90a7e00c8b")],
    ),
}


def sku(part: str, enabled: int, consumed: int) -> dict[str, Any]:
    sid, plans = SKUS[part]
    return {
        "skuId": sid,
        "skuPartNumber": part,
        "consumedUnits": consumed,
        "capabilityStatus": "Enabled",
        "appliesTo": "User",
        "prepaidUnits": {"enabled": enabled, "suspended": 0, "warning": 0, "lockedOut": 0},
        "servicePlans": [
            {"servicePlanId": pid, "servicePlanName": name, "provisioningStatus": "Success", "appliesTo": "User"}
            for name, pid in plans
        ],
    }


def lapsed(part: str, consumed: int) -> dict[str, Any]:
    """A product whose subscription ended while users still hold it: Graph keeps listing it (its
    capabilityStatus "LockedOut") without a seat, so no count owns it (and the listing is not short
    of a product users hold: auditor.graph.collection.unlisted_products)."""
    return sku(part, 0, consumed) | {
        "capabilityStatus": "LockedOut",
        "prepaidUnits": {"enabled": 0, "suspended": 0, "warning": 0, "lockedOut": consumed},
    }


def held_lapsed(doc: dict[str, Any]) -> None:
    """The products `doc`'s users hold that its subscribedSkus no longer lists, added as lapsed."""
    listed = {s["skuId"] for s in doc["subscribedSkus"]}
    for part, (sid, _) in SKUS.items():
        holders = sum(sid in {a["skuId"] for a in u.get("assignedLicenses", [])} for u in doc["users"])
        if holders and sid not in listed:
            doc["subscribedSkus"].append(lapsed(part, holders))


def member(name: str, part: str | None, via: str | None = None, **kw: Any) -> dict[str, Any]:
    out = user(name, **kw)
    if part:
        sid = SKUS[part][0]
        out["assignedLicenses"] = [{"skuId": sid, "disabledPlans": []}]
        out["licenseAssignmentStates"] = [{"skuId": sid, "assignedByGroup": via, "state": "Active", "error": "None"}]
    return out


def policy(pid: str, name: str, state: str, **users: list[str]) -> dict[str, Any]:
    risk = users.pop("signInRiskLevels", [])
    return {
        "id": pid,
        "displayName": name,
        "state": state,
        "conditions": {"signInRiskLevels": risk, "userRiskLevels": [], "users": users},
    }


def group(
    gid: str, name: str, members: list[str], dynamic: bool = False, direct: list[str] | None = None
) -> dict[str, Any]:
    """A group with its transitive user members (`members`, as a snapshot keeps them) and, for a
    group that holds another group, its `direct` user members: the rest are members through the
    nested group, which Graph's transitiveMembers lists and its members does not."""
    out = {
        "id": gid,
        "displayName": name,
        "groupTypes": ["DynamicMembership"] if dynamic else [],
        "mailEnabled": False,
        "members": [f"id-{m}" for m in members],
    }
    if direct is not None:
        out["directMembers"] = [f"id-{m}" for m in direct]
    return out


def document() -> dict[str, Any]:
    users = [
        member("ann", "ENTERPRISEPACK"),  # every user: Conditional Access without P1
        member("bob", "SPE_E3"),  # Microsoft 365 E3 carries P1
        member("cat", "ENTERPRISEPACK"),  # excluded by id
        member("dan", "ENTERPRISEPACK", accountEnabled=False),  # disabled: no finding of its own
        member("eve", None, userType="Guest"),  # a guest: counted apart
        member("fay", "SPE_E3"),  # in a nested group of the risk-based policy: needs P2
        member("gus", "SPE_E3"),  # eligible for Global Administrator through a group
        member("hal", "AAD_PREMIUM_P2"),  # eligible himself, and entitled
        member("ivy", "SPE_E3"),  # in the break-glass group: excluded
        member("kim", "ENTERPRISEPACK"),  # active Global Administrator: a report-only policy's role
        member("lou", "ENTERPRISEPACK", via="g-lic"),  # group-licensed with a product on Microsoft's list
        member("mo", "EXCHANGESTANDARD", via="g-lic2"),  # group-licensed with a product that does not qualify
        member("ned", "SPE_E3"),  # a dynamic group's member, entitled by E3's P1
        member("pat", "ENTERPRISEPACK"),  # in a group nested in the break-glass group: excluded
    ]
    # Conditional Access applies a policy to nested users and groups, in includes and excludes alike
    # (Microsoft's page "Conditional Access: Users, groups, and workload identities",
    # learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-users-groups)
    groups = [
        group("g-break", "Break glass", ["ivy", "cat", "pat"], direct=["ivy", "cat"]),  # holds g-break-2
        group("g-break-2", "Break glass vendors", ["pat"]),
        group("g-parent", "Risky users", ["fay"], direct=[]),  # holds g-child only
        group("g-child", "Risky pilots", ["fay"]),
        group("g-pim", "PIM admins", ["gus"]),
        group("g-dyn", "Dynamic sales", ["ned", "ann"], dynamic=True),
        group("g-lic", "Office licensing", ["lou"]),
        group("g-lic2", "Mail licensing", ["mo"]),
    ]
    return {
        "schemaVersion": 1,
        "kind": "license-auditor/snapshot",
        "tenant": {"id": "tid", "displayName": "Test", "cloud": "worldwide"},
        "collectedAt": "2026-11-01T00:00:00Z",
        "collectedParts": ["signInActivity"],
        "subscribedSkus": [
            sku("SPE_E3", 10, 4),
            sku("ENTERPRISEPACK", 10, 5),
            sku("EXCHANGESTANDARD", 5, 1),
            sku("AAD_PREMIUM", 1, 0),
            sku("AAD_PREMIUM_P2", 1, 1),
        ],
        "subscriptions": [],
        "users": users,
        "groups": groups,
        "gaps": [],
        "accessScope": {
            "dynamicGroupsRead": True,
            "groups": [],
            "conditionalAccessPolicies": [
                policy(
                    "ca-1",
                    "Require MFA for all users",
                    "enabled",
                    includeUsers=["All"],
                    excludeUsers=["id-cat"],
                    excludeGroups=["g-break"],
                ),
                policy(
                    "ca-2", "Block risky sign-ins", "enabled", includeGroups=["g-parent"], signInRiskLevels=["high"]
                ),
                policy("ca-3", "Old pilot", "disabled", includeUsers=["id-dan", "id-cat"]),
                policy(
                    "ca-4",
                    "Admins report-only",
                    "enabledForReportingButNotEnforced",
                    includeRoles=[GLOBAL_ADMIN],
                    excludeUsers=["id-ann"],
                ),
            ],
            "roleEligibilityScheduleInstances": [
                {"id": "e-1", "roleDefinitionId": GLOBAL_ADMIN, "principalId": "g-pim", "directoryScopeId": "/"},
                {"id": "e-2", "roleDefinitionId": GLOBAL_ADMIN, "principalId": "id-hal", "directoryScopeId": "/"},
            ],
            "roleAssignments": [
                {"id": "a-1", "roleDefinitionId": GLOBAL_ADMIN, "principalId": "id-kim", "directoryScopeId": "/"},
                {"id": "a-2", "roleDefinitionId": GLOBAL_ADMIN, "principalId": "id-cat", "directoryScopeId": "/au-1"},
            ],
        },
    }


POLICY = """apiVersion: license-auditor/v1
kind: LicensePolicy
metadata: {name: p}
catalog:
  - {sku: SPE_E3, price: {monthly: 36.0, currency: EUR}}
  - {sku: AAD_PREMIUM, price: {monthly: 6.0, currency: EUR}}
  - {sku: AAD_PREMIUM_P2, price: {monthly: 9.0, currency: EUR}}
entitlements: {}
"""


def collect_from(
    snapshot: TenantSnapshot,
    roles: tuple[str, ...] = DEMO_ROLES,
    responders: list[Any] | None = None,
    options: CollectOptions | None = None,
    sent: list[str] | None = None,
) -> TenantSnapshot:
    """`snapshot` read back through the emulator (`options`: the access scope's reads); `sent` takes the paths
    and query options of the requests made."""
    token = app_token(snapshot.tenant_id, roles)
    with GraphEmulator(snapshot, token=token, responders=responders or []) as graph:

        async def run() -> TenantSnapshot:
            client = GraphClient(
                base_url=graph.url,
                credential=StaticTokenCredential(token),
                cloud=snapshot.cloud,
                progress=Progress(None, interval=0),
            )
            try:
                return await collect(client, options or CollectOptions(access_scope=True), clock=lambda: AS_OF)
            finally:
                await client.aclose()

        found = asyncio.run(run())
        if sent is not None:
            sent += [r.path + "".join(f"&{k}={v}" for k, v in (r.query or {}).items()) for r in graph.requests]
        return found


def audit(tmp_path: Path, snapshot: TenantSnapshot, body: str = POLICY) -> AuditResult:
    path = tmp_path / "p.yaml"
    path.write_text(body)
    return evaluate(load_policies([str(path)]), snapshot, AS_OF)


def missing(result: AuditResult) -> dict[str, Finding]:
    return {
        f.subject.upn.split("@")[0]: f for f in result.findings if f.rule == EntitlementMissing.id and f.subject.upn
    }


@pytest.fixture(scope="module")
def collected() -> TenantSnapshot:
    return collect_from(snapshot_from_json(document()))


def test_the_collector_reads_the_scope_in_graphs_shapes(collected: TenantSnapshot) -> None:
    scope = collected.access_scope
    assert scope is not None and not collected.gaps
    assert [p.display_name for p in scope.policies or ()][:2] == ["Require MFA for all users", "Block risky sign-ins"]
    assert {g.principal_id for g in scope.eligible or ()} == {"g-pim", "id-hal"}
    assert {g.id: g.dynamic for g in scope.groups} == {
        "g-break": False,
        "g-dyn": True,
        "g-parent": False,
        "g-pim": False,
    }


def test_each_feature_reaches_whom_microsoft_says(tmp_path: Path, collected: TenantSnapshot) -> None:
    found = {name: dict(f.details) for name, f in missing(audit(tmp_path, collected)).items()}
    # All users minus the excluded id and the excluded group; the disabled policy reaches nobody
    assert found["ann"]["via"]["conditional_access"] == ["Require MFA for all users"]
    assert "cat" not in found and "ivy" not in found and "bob" not in found
    # a disabled account and a guest get no finding of their own
    assert "dan" not in found and "eve" not in found
    # risk-based policy over a group whose only member is a group: its members are in scope, P2
    assert found["fay"]["features"] == ["risk_based_access"] and found["fay"]["needs"] == "P2"
    assert found["fay"]["via"] == {"risk_based_access": ["Block risky sign-ins"]}
    # excluded through a group nested in the excluded group
    assert "pat" not in found
    # an eligible role given to a group reaches its members; one given to the user himself, entitled, nobody
    assert found["gus"]["via"] == {"privileged_access": ["Global Administrator"]}
    assert "hal" not in found
    # a report-only policy counts; its role reaches the active, tenant-wide member only
    assert found["kim"]["via"]["conditional_access"] == ["Require MFA for all users", "Admins report-only"]
    # a dynamic group: ann is reached, ned is entitled by Microsoft 365 E3's P1
    assert found["ann"]["via"]["dynamic_groups"] == ["Dynamic sales"] and "ned" not in found
    # group-based licensing: Office 365 E3 qualifies, Exchange Online (Plan 1) does not
    assert "group_licensing" not in found["lou"]["features"]
    assert found["mo"]["features"] == ["conditional_access", "group_licensing"]


def test_the_cheapest_product_that_covers_every_feature(tmp_path: Path, collected: TenantSnapshot) -> None:
    found = missing(audit(tmp_path, collected))
    ann, fay = dict(found["ann"].details), dict(found["fay"].details)
    assert ann["entitle_with"] == {
        "sku": "AAD_PREMIUM",
        "name": "Microsoft Entra ID P1",
        "monthly": 6.0,
        "free_seats": 1,
    }
    assert fay["entitle_with"]["sku"] == "AAD_PREMIUM_P2" and fay["entitle_with"]["free_seats"] == 0
    assert fay["waits_for_seats"] is True and found["fay"].monthly_cost == 9.0
    # one free P1 seat: the first user alphabetically takes it, the next waits
    p1_users = sorted(n for n, f in found.items() if dict(f.details)["entitle_with"]["sku"] == "AAD_PREMIUM")
    assert [dict(found[n].details)["waits_for_seats"] for n in p1_users] == [False] + [True] * (len(p1_users) - 1)


def test_the_two_counts(tmp_path: Path, collected: TenantSnapshot) -> None:
    result = audit(tmp_path, collected)
    shorts = {dict(f.details)["plan"]: dict(f.details) for f in result.findings if f.rule == EntitlementShort.id}
    # P1: enabled members reached by any feature needing P1 or more: ann, bob, fay, gus, hal, kim, lou, mo, ned
    # (cat and ivy excluded, dan disabled, eve a guest); owned: E3 10 + P1 1 + P2 1 seats
    assert "P1" not in shorts  # 9 in scope, 12 owned
    p2 = shorts["P2"]
    assert (p2["in_scope"], p2["owned"], p2["short"]) == (3, 1, 2)  # fay, gus, hal against one P2 seat
    assert p2["monthly_cost"] == 18.0 and p2["entitle_with"]["sku"] == "AAD_PREMIUM_P2"
    missing_p2 = missing(result)["gus"]
    assert missing_p2.severity.name == "MEDIUM"  # the tenant is short of P2
    assert missing(result)["ann"].severity.name == "LOW"  # P1 is not short


def test_guests_in_scope_are_counted_apart(tmp_path: Path, collected: TenantSnapshot) -> None:
    doc = document()
    doc["subscribedSkus"] = [sku("ENTERPRISEPACK", 20, 5)]  # nothing carries P1
    held_lapsed(doc)  # no seat of what the others hold
    result = audit(tmp_path, collect_from(snapshot_from_json(doc)))
    p1 = next(
        dict(f.details) for f in result.findings if f.rule == EntitlementShort.id and dict(f.details)["plan"] == "P1"
    )
    assert p1["guests_in_scope"] == 1 and p1["owned"] == 0 and p1["short"] == p1["in_scope"]


def test_a_refused_read_is_a_gap_and_the_rest_is_judged(tmp_path: Path) -> None:
    roles = tuple(r for r in DEMO_ROLES if r != "Policy.Read.All")
    snapshot = collect_from(snapshot_from_json(document()), roles)
    assert [g.dataset for g in snapshot.gaps] == [CONDITIONAL_ACCESS]
    assert "Policy.Read.All" in snapshot.gaps[0].reason
    result = audit(tmp_path, snapshot)
    found = missing(result)
    assert dict(found["gus"].details)["features"] == ["privileged_access"]  # PIM still judged
    assert all("conditional_access" not in dict(f.details)["features"] for f in found.values())
    assert [g.dataset for g in result.gaps] == [CONDITIONAL_ACCESS]  # the report says it is incomplete


def test_a_subset_of_features(tmp_path: Path, collected: TenantSnapshot) -> None:
    body = POLICY.replace("entitlements: {}", "entitlements: {features: [dynamic_groups]}")
    found = missing(audit(tmp_path, collected, body))
    assert {n: dict(f.details)["features"] for n, f in found.items()} == {"ann": ["dynamic_groups"]}


def test_an_unknown_feature_names_the_valid_ones(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(POLICY.replace("entitlements: {}", "entitlements: {features: [pim]}"))
    with pytest.raises(PolicyError) as caught:
        load_policies([str(path)])
    assert "conditional_access, risk_based_access, privileged_access, dynamic_groups, group_licensing" in str(
        caught.value
    )


def test_without_the_read_the_rules_are_not_evaluated(tmp_path: Path) -> None:
    doc = document()
    del doc["accessScope"]
    result = audit(tmp_path, snapshot_from_json(doc))
    assert {n.rule for n in result.not_evaluated} == {EntitlementMissing.id, EntitlementShort.id}
    assert not [f for f in result.findings if f.rule in (EntitlementMissing.id, EntitlementShort.id)]


def test_id_governance_seats_cover_pim_but_never_risk_based_access(tmp_path: Path) -> None:
    """P2's count: fay needs P2 (risk-based access), gus and hal need P2 or ID Governance (PIM). With
    no P2 seat and five ID Governance seats, PIM is covered and risk-based access is one short."""
    doc = document()
    doc["subscribedSkus"] = [s for s in doc["subscribedSkus"] if s["skuPartNumber"] != "AAD_PREMIUM_P2"]
    doc["subscribedSkus"].append(sku("Microsoft_Entra_ID_Governance", 5, 0))
    held_lapsed(doc)  # P2 held without a seat
    result = audit(tmp_path, collect_from(snapshot_from_json(doc)))
    (p2,) = [
        dict(f.details) for f in result.findings if f.rule == EntitlementShort.id and dict(f.details)["plan"] == "P2"
    ]
    assert (p2["in_scope"], p2["owned"], p2["short"]) == (3, 5, 1)


def test_nested_members_are_read_through_transitive_members(collected: TenantSnapshot) -> None:
    """The collector asks Graph for the transitive members of the groups the policies name, so a
    member only through a nested group (fay in Risky users, pat in Break glass) is among them."""
    assert collected.access_scope is not None
    members = {g.id: set(g.members) for g in collected.access_scope.groups}
    assert members["g-parent"] == {"id-fay"} and "id-pat" in members["g-break"]
    direct = {g["id"]: g.get("directMembers") for g in document()["groups"]}
    assert direct["g-parent"] == [] and "id-pat" not in direct["g-break"]


def test_the_group_licensing_count(tmp_path: Path) -> None:
    """entitlement-short's own count for group-based licensing: the enabled members with a product
    from a group (lou, mo) against the seats of the products carrying P1 or on Microsoft's list
    (one seat of Office 365 E3; Exchange Online (Plan 1) does not qualify); a guest with a product
    from a group is counted apart."""
    doc = document()
    doc["users"] = [u for u in doc["users"] if u["id"] != "id-eve"]
    doc["users"].append(member("eve", "EXCHANGESTANDARD", via="g-lic2", userType="Guest"))
    doc["subscribedSkus"] = [sku("ENTERPRISEPACK", 1, 1), sku("EXCHANGESTANDARD", 5, 2)]
    held_lapsed(doc)
    # P1 priced by its skuId: a product the tenant does not subscribe to yet is known by that alone
    body = POLICY.replace("entitlements: {}", "entitlements: {features: [group_licensing]}").replace(
        "sku: AAD_PREMIUM,", f"sku: {SKUS['AAD_PREMIUM'][0]},"
    )
    result = audit(tmp_path, collect_from(snapshot_from_json(doc)), body)
    (count,) = [dict(f.details) for f in result.findings if f.rule == EntitlementShort.id]
    assert count["plan"] == "group_licensing" and count["features"] == ["group_licensing"]
    assert (count["in_scope"], count["owned"], count["short"], count["guests_in_scope"]) == (2, 1, 1, 1)
    # the cheapest priced product that opens group-based licensing: Microsoft Entra ID P1 at 6.00
    assert count["entitle_with"]["sku"] == "AAD_PREMIUM" and count["monthly_cost"] == 6.0
    # mo's own product does not qualify: the one finding, medium while the count is short
    assert {n: dict(f.details)["features"] for n, f in missing(result).items()} == {"mo": ["group_licensing"]}
    assert missing(result)["mo"].severity.name == "MEDIUM"


def test_each_policy_is_counted_on_its_own(tmp_path: Path, collected: TenantSnapshot) -> None:
    """Both rules share one tally per policy: a second policy judging dynamic groups alone gets
    findings of its own features, not the first policy's."""
    first, second = tmp_path / "p.yaml", tmp_path / "q.yaml"
    first.write_text(POLICY)
    second.write_text(
        POLICY.replace("metadata: {name: p}", "metadata: {name: q}").replace(
            "entitlements: {}", "entitlements: {features: [dynamic_groups]}"
        )
    )
    result = evaluate(load_policies([str(first), str(second)]), collected, AS_OF)
    by_policy = {
        (f.policy, f.subject.upn.split("@")[0]): dict(f.details)["features"]
        for f in result.findings
        if f.rule == EntitlementMissing.id
    }
    assert by_policy[("q/entitlements", "ann")] == ["dynamic_groups"]
    assert by_policy[("p/entitlements", "ann")] == ["conditional_access", "dynamic_groups"]
    assert not [k for k in by_policy if k[0] == "q/entitlements" and k[1] != "ann"]
