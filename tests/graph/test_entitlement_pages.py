"""The entitlement rules against Microsoft's licensing pages, one tenant per page, read by the real
collector from the emulator: for each rule a user on each side of it (docs/entitlements.md quotes
each page's sentence).

- "Manage rules for dynamic membership groups": "a Microsoft Entra ID P1 license or Intune for
  Education for each unique user that is a member of one or more dynamic membership groups";
- "What is group-based licensing in Microsoft Entra ID?": the products of its list, each row of
  auditor/reference/group-licensing.csv;
- "License requirements to use Privileged Identity Management": eligible and/or time-bound
  assignments, covered by P2 or ID Governance (never by P1).
"""

from __future__ import annotations

import csv
import sys
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent.parent / "core"))

from emulator_faults import Fault, FaultKind
from factory import user
from test_entitlements import GLOBAL_ADMIN, POLICY, audit, collect_from, document, missing

from auditor.data.access_records import HIDDEN_MEMBERS, TIME_BOUND
from auditor.data.model import AuditResult
from auditor.reference import product_names
from auditor.rules.entitlements.entitlement import EntitlementShort
from auditor.snapshot import snapshot_from_json
from auditor_dev.emulator import DEMO_ROLES

INTUNE_EDU = "d9d89b70-a645-4c24-b041-8d3cb1884ec7"  # Intune for Education (INTUNE_EDU)
O365_E3 = "6fd2c87f-b296-42f0-b197-1e91e994b900"  # Office 365 E3: no P1
EXO_P1 = "4b9405b0-7788-4568-add1-99614e613b69"  # Exchange Online (Plan 1): not on the page's list
AAD_P1 = "078d2b04-f1bd-4111-bbd4-b4b1b354cef4"  # Microsoft Entra ID P1
SPB = "cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46"  # Microsoft 365 Business Premium
AAD_PREMIUM = "41781fb2-bc02-4b7c-bd55-b576c07bb09d"


def product(sku_id: str, enabled: int, consumed: int = 0) -> dict[str, Any]:
    """A subscribedSku as Graph answers it, its service plans from Microsoft's product table."""
    names = product_names()
    plans = names.plans_of(sku_id)
    assert plans, f"{sku_id} is not in Microsoft's product table"
    return {
        "skuId": sku_id,
        "skuPartNumber": _part(sku_id),
        "consumedUnits": consumed,
        "capabilityStatus": "Enabled",
        "appliesTo": "User",
        "prepaidUnits": {"enabled": enabled, "suspended": 0, "warning": 0, "lockedOut": 0},
        "servicePlans": [
            {"servicePlanId": pid, "servicePlanName": name, "provisioningStatus": "Success", "appliesTo": "User"}
            for pid, name in plans
        ],
    }


@cache
def _table() -> list[dict[str, str]]:
    text = resources.files("auditor.reference").joinpath("product-names-and-service-plans.csv").read_text("utf-8-sig")
    return list(csv.DictReader(text.splitlines()))


def _part(sku_id: str) -> str:
    return next(r["String_Id"].strip() for r in _table() if r["GUID"].strip().lower() == sku_id)


def holder(name: str, sku_id: str | None, via: str | None = None, **kw: Any) -> dict[str, Any]:
    out = user(name, **kw)
    if sku_id:
        out["assignedLicenses"] = [{"skuId": sku_id, "disabledPlans": []}]
        out["licenseAssignmentStates"] = [{"skuId": sku_id, "assignedByGroup": via, "state": "Active", "error": "None"}]
    return out


def tenant(users: list[dict[str, Any]], skus: list[dict[str, Any]], **scope: Any) -> dict[str, Any]:
    groups = scope.pop("groups", [])
    return {
        "schemaVersion": 1,
        "kind": "license-auditor/snapshot",
        "tenant": {"id": "tid", "displayName": "Test", "cloud": "worldwide"},
        "collectedAt": "2026-11-01T00:00:00Z",
        "collectedParts": ["signInActivity"],
        "subscribedSkus": skus,
        "subscriptions": [],
        "users": users,
        "groups": groups,
        "gaps": [],
        "accessScope": {"dynamicGroupsRead": True, "groups": [], **scope},
    }


def judged(tmp_path: Path, doc: dict[str, Any], features: str, **kw: Any) -> AuditResult:
    body = POLICY.replace("entitlements: {}", f"entitlements: {{features: [{features}]}}")
    return audit(tmp_path, collect_from(snapshot_from_json(doc), **kw), body)


def counts(result: AuditResult) -> dict[str, dict[str, Any]]:
    return {dict(f.details)["plan"]: dict(f.details) for f in result.findings if f.rule == EntitlementShort.id}


# --- Manage rules for dynamic membership groups -------------------------------------------------


def test_intune_for_education_entitles_a_dynamic_groups_member(tmp_path: Path) -> None:
    """ines holds Intune for Education, otto Office 365 E3 (no P1): both are members of a dynamic
    group; only otto lacks what the page asks for. dora, a disabled member, gets no finding but is
    one of the "unique users" the count counts: 3 in scope, against 1 Intune for Education seat."""
    doc = tenant(
        [
            holder("ines", INTUNE_EDU),
            holder("otto", O365_E3),
            holder("dora", O365_E3, accountEnabled=False),
        ],
        [product(INTUNE_EDU, 1, 1), product(O365_E3, 5, 2)],
        groups=[
            {
                "id": "g-dyn",
                "displayName": "Pupils",
                "groupTypes": ["DynamicMembership"],
                "mailEnabled": False,
                "members": ["id-ines", "id-otto", "id-dora"],
            }
        ],
    )
    result = judged(tmp_path, doc, "dynamic_groups")
    assert {n: dict(f.details)["features"] for n, f in missing(result).items()} == {"otto": ["dynamic_groups"]}
    p1 = counts(result)["P1"]
    assert (p1["in_scope"], p1["owned"], p1["short"]) == (3, 1, 2)


def test_intune_for_education_never_covers_conditional_access(tmp_path: Path) -> None:
    """Intune for Education covers dynamic groups only: a Conditional Access policy still needs P1
    for ines, and her Intune for Education seat is not counted against it."""
    doc = tenant(
        [holder("ines", INTUNE_EDU)],
        [product(INTUNE_EDU, 1, 1)],
        conditionalAccessPolicies=[
            {
                "id": "ca-1",
                "displayName": "MFA",
                "state": "enabled",
                "conditions": {"users": {"includeUsers": ["All"]}, "userRiskLevels": [], "signInRiskLevels": []},
            }
        ],
    )
    result = judged(tmp_path, doc, "conditional_access, dynamic_groups")
    assert dict(missing(result)["ines"].details)["features"] == ["conditional_access"]
    p1 = counts(result)["P1"]
    assert (p1["in_scope"], p1["owned"], p1["short"]) == (1, 1, 1)


# --- What is group-based licensing in Microsoft Entra ID? -------------------------------------

PAGE = (  # the page's list, each with a product of Microsoft's table it names
    ("Microsoft Entra ID P1 and above", AAD_P1),
    ("Microsoft 365 Business Premium", SPB),
    ("Office 365 Enterprise E3", O365_E3),
    ("Office 365 A3", "e578b273-6db4-4691-bba0-8d691f4da603"),
    ("Office 365 GCC G3", "535a3a29-c5f0-42fe-8215-d3b9e1f38c4a"),
    ("Office 365 E3 for GCCH", "aea38a85-9bd5-4981-aa00-616b411205bf"),
    ("Office 365 E3 for DOD", "b107e5a3-3e60-4c0d-a184-a7e4395eb44c"),
    ("and above", "c7df2760-2c81-4ef7-b578-5b5392b571df"),  # Office 365 E5
)


def _rows() -> list[dict[str, str]]:
    text = resources.files("auditor.reference").joinpath("group-licensing.csv").read_text("utf-8")
    return list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))


ROWS = _rows()


def _licensed_tenant() -> dict[str, Any]:
    """One group-licensed user per row of the list and per product the page names, and mo, whose
    Exchange Online (Plan 1) is not on it."""
    ids = sorted({r["GUID"] for r in ROWS} | {sid for _, sid in PAGE})
    users = [holder(f"u{n}", sid, via="g-lic") for n, sid in enumerate(ids)]
    users.append(holder("mo", EXO_P1, via="g-lic"))
    skus = [product(sid, 2, 1) for sid in ids] + [product(EXO_P1, 2, 1)]
    groups = [{"id": "g-lic", "displayName": "Licensing", "groupTypes": [], "mailEnabled": False, "members": []}]
    return tenant(users, skus, groups=groups)


@pytest.fixture(scope="module")
def licensed(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], AuditResult]:
    doc = _licensed_tenant()
    holders = {u["licenseAssignmentStates"][0]["skuId"]: u["id"][3:] for u in doc["users"]}
    return holders, judged(tmp_path_factory.mktemp("gbl"), doc, "group_licensing")


@pytest.mark.parametrize("row", ROWS, ids=[r["String_Id"] for r in ROWS])
def test_each_row_of_the_list_opens_group_licensing(
    row: dict[str, str], licensed: tuple[dict[str, str], AuditResult]
) -> None:
    holders, result = licensed
    assert holders[row["GUID"]] not in missing(result)
    assert "mo" in missing(result)  # the other side: a product not on the list


@pytest.mark.parametrize(("words", "sku_id"), PAGE, ids=[w for w, _ in PAGE])
def test_each_product_the_page_names_opens_group_licensing(
    words: str, sku_id: str, licensed: tuple[dict[str, str], AuditResult]
) -> None:
    holders, result = licensed
    assert holders[sku_id] not in missing(result), words
    carries_p1 = AAD_PREMIUM in {pid for pid, _ in product_names().plans_of(sku_id)}
    assert carries_p1 or sku_id in {r["GUID"] for r in ROWS}


def test_the_list_is_microsofts_table() -> None:
    """Each row names a product of Microsoft's table by its skuId, part and name, stands for words
    of the page, and carries no P1 (a product carrying it needs no row)."""
    table = {r["GUID"].strip(): (r["String_Id"].strip(), r["Product_Display_Name"].strip()) for r in _table()}
    words = {w for w, _ in PAGE}
    for row in ROWS:
        assert table[row["GUID"]] == (row["String_Id"], row["Product_Display_Name"])
        assert row["Page_Name"] in words
        assert AAD_PREMIUM not in {pid for pid, _ in product_names().plans_of(row["GUID"])}


def test_a_disabled_member_counts_toward_group_licensing(tmp_path: Path) -> None:
    """ "For any groups assigned a license, you must also have a license for each unique member": a
    disabled member with a license from a group is counted, with no finding of its own."""
    doc = tenant(
        [holder("mo", EXO_P1, via="g-lic"), holder("dan", EXO_P1, via="g-lic", accountEnabled=False)],
        [product(EXO_P1, 5, 2)],
        groups=[{"id": "g-lic", "displayName": "Mail", "groupTypes": [], "mailEnabled": False, "members": []}],
    )
    result = judged(tmp_path, doc, "group_licensing")
    assert set(missing(result)) == {"mo"}
    assert counts(result)["group_licensing"]["in_scope"] == 2


# --- License requirements to use Privileged Identity Management --------------------------------


def _instance(iid: str, principal: str, end: str | None) -> dict[str, Any]:
    return {
        "id": iid,
        "roleDefinitionId": GLOBAL_ADMIN,
        "principalId": principal,
        "directoryScopeId": "/",
        "endDateTime": end,
    }


def _pim_tenant() -> dict[str, Any]:
    """cal is in a Conditional Access policy with P1; pia is eligible for a role, tim assigned one
    until a date, per assigned one for good; none holds P2 or ID Governance."""
    return tenant(
        [
            holder("cal", AAD_P1),
            holder("pia", O365_E3),
            holder("tim", O365_E3),
            holder("per", O365_E3),
        ],
        [product(AAD_P1, 1, 1), product(O365_E3, 5, 3)],
        conditionalAccessPolicies=[
            {
                "id": "ca-1",
                "displayName": "MFA",
                "state": "enabled",
                "conditions": {"users": {"includeUsers": ["id-cal"]}, "userRiskLevels": [], "signInRiskLevels": []},
            }
        ],
        roleEligibilityScheduleInstances=[_instance("e-1", "id-pia", None)],
        roleAssignmentScheduleInstances=[
            _instance("a-1", "id-tim", "2027-01-31T00:00:00Z"),
            _instance("a-2", "id-per", None),
        ],
    )


def test_time_bound_and_eligible_assignments_need_p2_not_p1(tmp_path: Path) -> None:
    result = judged(tmp_path, _pim_tenant(), "conditional_access, privileged_access")
    found = missing(result)
    assert dict(found["tim"].details)["via"] == {"privileged_access": ["Global Administrator"]}
    assert dict(found["pia"].details)["needs"] == "P2"
    assert "per" not in found  # a permanent active assignment is not PIM's to count
    shorts = counts(result)
    assert "P1" not in shorts  # cal alone needs P1, and holds it: PIM's users are not counted against P1
    assert (shorts["P2"]["in_scope"], shorts["P2"]["owned"], shorts["P2"]["short"]) == (2, 0, 2)


def test_the_emulator_serves_assignment_schedule_instances_in_graphs_shape(tmp_path: Path) -> None:
    snapshot = collect_from(snapshot_from_json(_pim_tenant()))
    assert snapshot.access_scope is not None
    assert {(g.principal_id, g.end_date_time) for g in snapshot.access_scope.scheduled or ()} == {
        ("id-tim", "2027-01-31T00:00:00Z"),
        ("id-per", None),
    }


def test_a_refused_schedule_read_is_its_own_gap(tmp_path: Path) -> None:
    """Without RoleAssignmentSchedule.Read.Directory (nor RoleManagement.Read.Directory, which also
    opens it) Graph answers 403: a timeBoundAssignments gap; the eligible assignments are still judged."""
    refused = ("RoleAssignmentSchedule.Read.Directory", "RoleManagement.Read.Directory")
    roles = tuple(r for r in DEMO_ROLES if r not in refused)
    result = judged(tmp_path, _pim_tenant(), "privileged_access", roles=roles)
    assert [g.dataset for g in result.gaps] == [TIME_BOUND]
    assert "RoleAssignmentSchedule.Read.Directory" in result.gaps[0].reason
    assert set(missing(result)) == {"pia"}


# --- a group whose members Graph refuses -------------------------------------------------------


def test_a_group_with_hidden_members_is_a_gap_and_the_rest_is_judged(tmp_path: Path) -> None:
    """The break-glass group excluded from "Require MFA for all users" answers 403 for its members
    (hidden membership): a gap naming it, that policy not judged (its reach is unknown), and the
    report-only policy, PIM and the dynamic group still judged."""
    fault = Fault(FaultKind.FORBIDDEN, match=r"GET /v1\.0/groups/g-break/transitiveMembers", count=None)
    snapshot = collect_from(snapshot_from_json(document()), responders=[fault])
    assert [g.dataset for g in snapshot.gaps] == [HIDDEN_MEMBERS]
    assert "Break glass" in snapshot.gaps[0].reason and "GroupMember.Read.All" in snapshot.gaps[0].reason
    result = audit(tmp_path, snapshot)
    found = {n: dict(f.details) for n, f in missing(result).items()}
    assert all("Require MFA for all users" not in f["via"].get("conditional_access", []) for f in found.values())
    assert found["kim"]["via"]["conditional_access"] == ["Admins report-only"]
    assert found["gus"]["via"] == {"privileged_access": ["Global Administrator"]}
    assert found["ann"]["via"] == {"dynamic_groups": ["Dynamic sales"]}
    assert [g.dataset for g in result.gaps] == [HIDDEN_MEMBERS]


def test_without_the_fault_the_policy_is_judged(tmp_path: Path) -> None:
    """The other side: the same tenant, the group's members read, the policy reaches ann."""
    found = missing(audit(tmp_path, collect_from(snapshot_from_json(document()))))
    assert "Require MFA for all users" in dict(found["ann"].details)["via"]["conditional_access"]


def test_a_product_carrying_p2_alone_covers_p1(tmp_path: Path) -> None:
    """Microsoft 365 E5 Security carries AAD_PREMIUM_P2 and not AAD_PREMIUM in Microsoft's table:
    its holder in a Conditional Access policy is entitled, and its seat counts toward P1's; an
    Office 365 E3 holder in the same policy is not."""
    e5_security = "26124093-3d78-432b-b5dc-48bf992543d5"
    plans = {pid for pid, _ in product_names().plans_of(e5_security)}
    assert AAD_PREMIUM not in plans and "eec0eb4f-6444-4f95-aba0-50c24d67f998" in plans
    doc = tenant(
        [holder("sec", e5_security), holder("otto", O365_E3)],
        [product(e5_security, 1, 1), product(O365_E3, 5, 1)],
        conditionalAccessPolicies=[
            {
                "id": "ca-1",
                "displayName": "MFA",
                "state": "enabled",
                "conditions": {"users": {"includeUsers": ["All"]}, "userRiskLevels": [], "signInRiskLevels": []},
            }
        ],
    )
    result = judged(tmp_path, doc, "conditional_access")
    assert set(missing(result)) == {"otto"}
    p1 = counts(result)["P1"]
    assert (p1["in_scope"], p1["owned"], p1["short"]) == (2, 1, 1)
