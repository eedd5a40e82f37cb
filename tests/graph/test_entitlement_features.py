"""Intune and ID Governance in the entitlement rules, read by the real collector from the emulator: the users of
devices enrolled in Intune, the reviewed and the reviewers of an access review, access package assignments and the
users a lifecycle workflow processed; only the reads of the features a policy names; a refusal a gap of its own;
the documented paging of the access reviews' $top and $skip."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from test_entitlements import audit, collect_from, document, member, missing, sku

from auditor.data.feature_records import ACCESS_REVIEWS, GROUP_PIM, MANAGED_DEVICES, WORKFLOWS
from auditor.data.model import TenantSnapshot
from auditor.data.reads import Requests
from auditor.graph import CollectOptions
from auditor.policyset.load import load_policies
from auditor.rules.entitlements.entitlement import EntitlementMissing, EntitlementShort
from auditor.rules.requests import requests_of
from auditor.snapshot import snapshot_from_json
from auditor_dev.emulator import DEMO_ROLES, GraphEmulator, app_token

INTUNE_A = "c1ec4a95-1f05-45b3-a911-aa3fa01094f5"
FEATURES = "[intune, access_reviews, entitlement_management, lifecycle_workflows, pim_groups]"
POLICY = f"""apiVersion: license-auditor/v1
kind: LicensePolicy
metadata: {{name: p}}
catalog:
  - {{sku: SPE_E3, price: {{monthly: 36.0, currency: EUR}}}}
  - {{sku: AAD_PREMIUM_P2, price: {{monthly: 9.0, currency: EUR}}}}
  - {{sku: Microsoft_Entra_ID_Governance, price: {{monthly: 7.0, currency: EUR}}}}
entitlements: {{features: {FEATURES}}}
"""


def devices() -> list[dict[str, Any]]:
    def device(n: int, uid: str | None, agent: str = "mdm", os: str = "Windows") -> dict[str, Any]:
        return {
            "id": f"dev-{n}",
            "userId": uid,
            "userPrincipalName": f"{uid}@x" if uid else None,
            "managementAgent": agent,
            "operatingSystem": os,
            "enrolledDateTime": "2026-03-01T00:00:00Z",
        }

    return [
        device(1, "id-ann", os="Android"),  # Office 365 E3 carries no Intune plan
        device(2, "id-bob"),  # Microsoft 365 E3 (here with Intune Plan 1) does
        device(3, None),  # a kiosk without a user: counted apart
        device(4, "id-kim", agent="eas", os="iOS"),  # Exchange alone manages it: not Intune
    ]


def features_document(reviews: int = 1) -> dict[str, Any]:
    doc = document()
    doc["subscribedSkus"][0] = sku("SPE_E3", 10, 4)
    doc["subscribedSkus"][0]["servicePlans"].append(
        {"servicePlanId": INTUNE_A, "servicePlanName": "INTUNE_A", "provisioningStatus": "Success", "appliesTo": "User"}
    )
    doc["users"].append(member("zed", "SPE_E3"))
    scope = doc["accessScope"]
    scope["managedDevices"] = devices()
    scope["accessReviewDefinitions"] = [
        {
            "id": "ar-1",
            "displayName": "Review the PIM admins",
            "status": "InProgress",
            "scope": {"query": "/groups/g-pim/transitiveMembers", "queryType": "MicrosoftGraph"},
            "reviewers": [{"query": "/users/id-fay", "queryType": "MicrosoftGraph"}],
        },
        {
            "id": "ar-2",
            "displayName": "Managers review sales",
            "status": "InProgress",
            "scope": {"query": "/groups/g-dyn/transitiveMembers", "queryType": "MicrosoftGraph"},
            "reviewers": [{"query": "./manager", "queryType": "MicrosoftGraph", "queryRoot": "decisions"}],
        },
        *(
            {"id": f"old-{n}", "displayName": f"Old {n}", "status": "Completed", "scope": {"query": "/users/id-ann"}}
            for n in range(reviews - 1)
        ),
    ]
    scope["accessPackageAssignments"] = [
        {
            "id": "ap-1",
            "state": "delivered",
            "target": {"objectId": "id-ned", "subjectType": "user"},
            "accessPackage": {"displayName": "Sales tools"},
        },
        {
            "id": "ap-2",
            "state": "expired",
            "target": {"objectId": "id-ann", "subjectType": "user"},
            "accessPackage": {"displayName": "Sales tools"},
        },
    ]
    # PIM for Groups: an eligible owner, a time-bound member, and a permanent member PIM's terms do not count
    scope["groupEligibilityScheduleInstances"] = [
        {"id": "pe-1", "groupId": "g-lic", "principalId": "id-kim", "accessId": "owner", "endDateTime": None}
    ]
    scope["groupAssignmentScheduleInstances"] = [
        {
            "id": "pa-1",
            "groupId": "g-lic",
            "principalId": "id-pat",
            "accessId": "member",
            "endDateTime": "2026-12-31T00:00:00Z",
        },
        {"id": "pa-2", "groupId": "g-lic", "principalId": "id-cat", "accessId": "member", "endDateTime": None},
    ]
    scope["lifecycleWorkflows"] = [
        {
            "id": "wf-1",
            "displayName": "Onboard",
            "category": "joiner",
            "userProcessingResults": [
                {"id": "r1", "subject": {"id": "id-zed"}},
                {"id": "r2", "subject": {"id": "id-bob"}},
            ],
        }
    ]
    return doc


def collect_with(
    snapshot: TenantSnapshot, features: frozenset[str], roles: tuple[str, ...] = DEMO_ROLES
) -> tuple[TenantSnapshot, list[str]]:
    sent: list[str] = []
    options = CollectOptions(access_scope=True, scope_features=features)
    return collect_from(snapshot, roles, options=options, sent=sent), sent


def wanted(tmp_path: Path, body: str) -> frozenset[str]:
    path = tmp_path / "p.yaml"
    path.write_text(body)
    return CollectOptions.of(requests_of(load_policies([str(path)]))).scope_features


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory) -> tuple[TenantSnapshot, list[str]]:
    features = wanted(tmp_path_factory.mktemp("policy"), POLICY)
    return collect_with(snapshot_from_json(features_document()), features)


def test_the_policy_declares_each_features_read(tmp_path: Path) -> None:
    assert wanted(tmp_path, POLICY) == frozenset(
        {MANAGED_DEVICES, ACCESS_REVIEWS, "accessPackageAssignments", WORKFLOWS, GROUP_PIM}
    )
    # `entitlements: {}` keeps to the Entra features: no Intune or ID Governance read, no new permission
    assert wanted(tmp_path, POLICY.replace(f"{{features: {FEATURES}}}", "{}")) == frozenset()
    assert Requests().parts == frozenset()


def test_the_documented_requests_are_sent(collected: tuple[TenantSnapshot, list[str]]) -> None:
    _, sent = collected
    select = "&$select=userId,userPrincipalName,managementAgent,operatingSystem,enrolledDateTime"
    assert "/deviceManagement/managedDevices" + select in sent
    assert "/identityGovernance/accessReviews/definitions&$top=100&$skip=0" in sent
    packages = "/identityGovernance/entitlementManagement/assignments&$expand=target,accessPackage"
    assert packages + "&$filter=state eq 'Delivered'" in sent
    assert any(r.endswith("/workflows/wf-1/userProcessingResults") for r in sent), sent
    pim = "/identityGovernance/privilegedAccess/group/{}&$filter=groupId eq 'g-lic'"
    assert pim.format("eligibilityScheduleInstances") in sent and pim.format("assignmentScheduleInstances") in sent
    assert not [r for r in sent if "groupId eq 'g-dyn'" in r]  # a dynamic group is not PIM's to manage


def test_each_feature_reaches_whom_microsoft_says(tmp_path: Path, collected: tuple[TenantSnapshot, list[str]]) -> None:
    snapshot, _ = collected
    found = missing(audit(tmp_path, snapshot, POLICY))
    features = {name: dict(f.details)["features"] for name, f in found.items()}
    # her Android device (Office 365 E3 carries no Intune plan), and the sales group a review covers
    assert features["ann"] == ["intune", "access_reviews"]
    assert "bob" not in features or "intune" not in features["bob"]  # E3 with Intune Plan 1
    assert features["gus"] == ["access_reviews"]  # reviewed: a member of the PIM admins group (E3: P1 only)
    assert features["fay"] == ["access_reviews"]  # the reviewer
    assert features["ned"] == ["access_reviews", "entitlement_management"]  # in the sales group, and given a package
    assert features["zed"] == ["lifecycle_workflows"]  # processed by the workflow: ID Governance only
    assert "intune" not in features.get("kim", [])  # Exchange alone manages her phone
    # PIM for Groups: the eligible owner and the time-bound member; not the permanent member
    assert features["kim"] == ["pim_groups"] and features["pat"] == ["pim_groups"]
    assert "cat" not in features
    assert dict(found["kim"].details)["via"] == {"pim_groups": ["Office licensing"]}
    # no priced product carries Intune and P2 or ID Governance: the finding says to price one
    assert dict(found["ann"].details)["entitle_with"] is None
    assert dict(found["zed"].details)["entitle_with"]["sku"] == "Microsoft_Entra_ID_Governance"
    assert dict(found["fay"].details)["via"] == {"access_reviews": ["Review the PIM admins"]}


def test_the_counts(tmp_path: Path, collected: tuple[TenantSnapshot, list[str]]) -> None:
    snapshot, _ = collected
    shorts = {
        dict(f.details)["plan"]: dict(f.details)
        for f in audit(tmp_path, snapshot, POLICY).findings
        if f.rule == EntitlementShort.id
    }
    assert shorts["governance"]["in_scope"] == 2 and shorts["governance"]["short"] == 2  # zed and bob, no seat
    assert "intune" not in shorts  # ann, bob: 2 in scope, 10 E3 seats carry Intune


def test_a_review_naming_managers_is_a_gap(collected: tuple[TenantSnapshot, list[str]]) -> None:
    snapshot, _ = collected
    (gap,) = [g for g in snapshot.gaps if g.dataset == ACCESS_REVIEWS]
    assert '"Managers review sales" names ./manager' in gap.reason


def test_a_device_without_a_user_is_counted_apart(tmp_path: Path, collected: tuple[TenantSnapshot, list[str]]) -> None:
    snapshot, _ = collected
    assert snapshot.access_scope is not None and snapshot.access_scope.devices is not None
    assert len(snapshot.access_scope.devices) == 4
    # the count's details say so when Intune falls short: every seat taken away here
    doc = features_document()
    doc["subscribedSkus"][0]["prepaidUnits"]["enabled"] = 0
    doc["users"] = [u for u in doc["users"] if u["displayName"] != "bob"]
    short = [
        dict(f.details)
        for f in audit(tmp_path, snapshot_from_json(doc), POLICY).findings
        if f.rule == EntitlementShort.id and dict(f.details)["plan"] == "intune"
    ]
    assert short and short[0]["devices_without_user"] == 1


def test_a_refused_read_is_a_gap_of_its_own_and_the_rest_is_judged(tmp_path: Path) -> None:
    roles = tuple(r for r in DEMO_ROLES if r != "DeviceManagementManagedDevices.Read.All")
    features = wanted(tmp_path, POLICY)
    snapshot, _ = collect_with(snapshot_from_json(features_document()), features, roles)
    (gap,) = [g for g in snapshot.gaps if g.dataset == MANAGED_DEVICES]
    assert "403" in gap.reason and "DeviceManagementManagedDevices.Read.All" in gap.reason
    result = audit(tmp_path, snapshot, POLICY)
    found = missing(result)
    assert "intune" not in dict(found["ann"].details)["features"]  # not judged: never "compliant", a gap says it
    assert dict(found["zed"].details)["features"] == ["lifecycle_workflows"]  # the others still judged
    assert MANAGED_DEVICES in {g.dataset for g in result.gaps}


def test_no_read_beyond_what_the_policy_names(tmp_path: Path) -> None:
    body = POLICY.replace(FEATURES, "[lifecycle_workflows]")
    snapshot, sent = collect_with(snapshot_from_json(features_document()), wanted(tmp_path, body))
    assert not [r for r in sent if "managedDevices" in r or "accessReviews" in r or "entitlementManagement" in r]
    assert snapshot.access_scope is not None and snapshot.access_scope.devices is None
    assert snapshot.access_scope.workflows is not None


def test_access_reviews_are_paged_by_top_and_skip(tmp_path: Path) -> None:
    snapshot, sent = collect_with(snapshot_from_json(features_document(reviews=230)), wanted(tmp_path, POLICY))
    assert snapshot.access_scope is not None and len(snapshot.access_scope.reviews or ()) == 231
    pages = [r for r in sent if "accessReviews/definitions" in r]
    assert len(pages) == 3 and all("$top=100" in r for r in pages)


def test_the_demo_finds_a_case_of_each_through_the_emulator(tmp_path: Path) -> None:
    """`audit --demo` reads the sample through the real collector and the emulator: an enrolled device on the
    account holding no product, an access review's reviewer, an access package's holder and the users a
    lifecycle workflow onboarded, none with the plan; the kiosk without a user counted apart."""
    import json

    from auditor.cli import main

    # the example policy leaves defender_office commented (it needs the nightly Exchange export): named here
    example = (Path(__file__).parents[2] / "examples" / "contoso-policy.yaml").read_text("utf-8")
    assert "             pim_groups]" in example
    policy = tmp_path / "policy.yaml"
    policy.write_text(example.replace("             pim_groups]", "             pim_groups, defender_office]"), "utf-8")
    out = tmp_path / "out"
    assert main(["audit", "--demo", "--policies", str(policy), "--output-dir", str(out), "--format", "json"]) == 1
    report = json.loads((out / "report.json").read_text("utf-8"))
    reached = {
        feature: sorted(names)
        for f in report["findings"]
        if f["rule"] == EntitlementMissing.id
        for feature, names in f["details"]["via"].items()
        if feature
        in (
            "intune",
            "access_reviews",
            "entitlement_management",
            "lifecycle_workflows",
            "pim_groups",
            "defender_office",
        )
    }
    assert reached["intune"] == ["Android"]
    assert reached["access_reviews"] == ["Quarterly review of the Executives"]
    assert reached["entitlement_management"] == ["Sales tools"]
    assert reached["lifecycle_workflows"] == ["Onboard new hires"]
    assert reached["pim_groups"] == ["Executives"]
    # the Safe Links rule of the sample's Exchange export (its protection-rules.csv) reaches a holder of F3 alone
    assert reached["defender_office"] == ["Safe Links for staff"]
    workflow = [
        f
        for f in report["findings"]
        if f["rule"] == EntitlementMissing.id and "lifecycle_workflows" in f["details"]["features"]
    ]
    assert len(workflow) == 2 and report["complete"] is True


def test_pim_for_groups_refused_is_a_gap_naming_both_permissions(tmp_path: Path) -> None:
    roles = tuple(r for r in DEMO_ROLES if r != "PrivilegedAssignmentSchedule.Read.AzureADGroup")
    snapshot, _ = collect_with(snapshot_from_json(features_document()), wanted(tmp_path, POLICY), roles)
    (gap,) = [g for g in snapshot.gaps if g.dataset == GROUP_PIM]
    assert "PrivilegedAssignmentSchedule.Read.AzureADGroup" in gap.reason
    assert snapshot.access_scope is not None and snapshot.access_scope.group_grants is None


def test_the_emulator_refuses_a_listing_without_the_documented_filter() -> None:
    snapshot = snapshot_from_json(features_document())
    token = app_token(snapshot.tenant_id, DEMO_ROLES)
    with GraphEmulator(snapshot, token=token) as graph:
        import urllib.error
        import urllib.request

        url = f"{graph.url}/identityGovernance/privilegedAccess/group/eligibilityScheduleInstances"
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request)
        assert refused.value.code == 400 and b"groupId or principalId" in refused.value.read()
