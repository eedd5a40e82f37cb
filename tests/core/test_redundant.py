"""license-redundant: a product whose every enabled service plan another product the user holds
already turns on (or covers with a higher plan of the same service) adds nothing; the fix removes
it, directly or through every group that assigns it, and never removes both of two equal products."""

from __future__ import annotations

from typing import Any

import pytest

from auditor import wording
from auditor.data.model import Cloud, Locale
from auditor.formats.report_model import finding_of
from auditor.rules.hygiene.overlap import LicenseRedundant

from .factory import E3, E5, audit, ready, tenant, user

EXO1 = "9aaf7827-d63c-4b61-89c3-182f06f82e5c"  # EXCHANGE_S_STANDARD, Exchange Online (Plan 1)
EXO2 = "efb87545-963c-4e0d-99df-69c6916d9eb0"  # EXCHANGE_S_ENTERPRISE, Exchange Online (Plan 2)
TODO1 = "5e62787c-c316-451f-b873-1d05acd4d12c"
TODO2 = "c87f142c-d1e9-4363-8630-aaea9c4d9ae5"
MDM = "882e1d05-acd1-4ccb-8708-6ee03664b117"  # INTUNE_O365, in both
TEAMS = "57ff2da0-773e-42df-b2af-ffb7a2317929"
FOUNDATION = "113feb6c-3fe4-4440-bddc-54d774bf0318"  # EXCHANGE_S_FOUNDATION: a part every mailbox plan gives
ATP1 = "f20fedf3-f3c3-43c3-8267-2bfdd51c0939"  # ATP_ENTERPRISE, Defender for Office 365 (Plan 1): covered by nothing
EXO_P1 = "4b9405b0-7788-4568-add1-99614e613b69"  # EXCHANGESTANDARD
EXO_P2 = "19ec0d23-8335-4cbd-94ac-6050e30712fa"  # EXCHANGEENTERPRISE
NAMES = {
    EXO1: "EXCHANGE_S_STANDARD",
    EXO2: "EXCHANGE_S_ENTERPRISE",
    TODO1: "BPOS_S_TODO_1",
    TODO2: "BPOS_S_TODO_2",
    MDM: "INTUNE_O365",
    TEAMS: "TEAMS1",
    FOUNDATION: "EXCHANGE_S_FOUNDATION",
    ATP1: "ATP_ENTERPRISE",
}
PARTS = {E3: "SPE_E3", E5: "SPE_E5", EXO_P1: "EXCHANGESTANDARD", EXO_P2: "EXCHANGEENTERPRISE"}
POLICY = """catalog:
  - sku: SPE_E3
    price: {monthly: 33.75, currency: EUR}
  - sku: EXCHANGESTANDARD
    price: {monthly: 3.70, currency: EUR}
hygiene:
  redundant_products: {}
"""


def product(sku_id: str, *plans: str, status: str = "Success") -> dict[str, Any]:
    return {
        "skuId": sku_id,
        "skuPartNumber": PARTS[sku_id],
        "consumedUnits": 1,
        "prepaidUnits": {"enabled": 10, "suspended": 0, "warning": 0, "lockedOut": 0},
        "servicePlans": [
            {"servicePlanId": p, "servicePlanName": NAMES[p], "provisioningStatus": status, "appliesTo": "User"}
            for p in plans
        ],
    }


SKUS = [product(E3, EXO2, TODO2, MDM, TEAMS), product(EXO_P1, EXO1, TODO1, MDM)]


def holder(name: str, *held: tuple[str, str | None, list[str]], **kw: Any) -> dict[str, Any]:
    """A user holding (skuId, group id or None, disabledPlans) copies."""
    out = user(name, **kw)
    out["assignedLicenses"] = [{"skuId": s, "disabledPlans": []} for s in dict.fromkeys(s for s, _, _ in held)]
    out["licenseAssignmentStates"] = [
        {"skuId": s, "assignedByGroup": g, "state": "Active", "error": "None", "disabledPlans": off}
        for s, g, off in held
    ]
    return out


def findings(
    tmp_path: Any,
    users: list[dict[str, Any]],
    skus: list[dict[str, Any]] | None = None,
    groups: list[dict[str, Any]] | None = None,
    policy: str = POLICY,
) -> dict[str, Any]:
    result = audit(tmp_path, policy, tenant(users, skus=skus or SKUS, groups=groups))
    return {f.subject.upn.split("@")[0]: f for f in result.findings if f.rule == LicenseRedundant.id}


def remediation(f: Any, cloud: Cloud = Cloud.WORLDWIDE, locale: Locale = Locale.EN) -> dict[str, Any]:
    return wording.remediation(f.rule, finding_of(f.subject, list(f.skus), dict(f.details)), cloud=cloud, locale=locale)


def test_exchange_plan_1_beside_e3_is_redundant(tmp_path: Any) -> None:
    found = findings(tmp_path, [holder("a", (E3, None, []), (EXO_P1, None, []))])
    f = found["a"]
    details = dict(f.details)
    assert f.skus == ("EXCHANGESTANDARD",) and details["covered_by"] == {"EXCHANGESTANDARD": "SPE_E3"}
    assert f.monthly_cost == 3.70 and f.severity.label == "medium"
    assert "Exchange Online (Plan 1)" in details["plans"]["EXCHANGESTANDARD"]
    rem = remediation(f)
    assert ready(rem)[0]["body"] == {"addLicenses": [], "removeLicenses": [EXO_P1]}
    assert "SPE_E3" in rem["summary"] and "EXCHANGESTANDARD" in rem["summary"]


def test_not_when_the_small_product_adds_a_plan(tmp_path: Any) -> None:
    skus = [SKUS[0], product(EXO_P1, EXO1, TODO1, MDM, ATP1)]
    assert findings(tmp_path, [holder("a", (E3, None, []), (EXO_P1, None, []))], skus=skus) == {}


def test_a_plan_the_user_has_off_in_the_small_product_needs_no_cover(tmp_path: Any) -> None:
    skus = [SKUS[0], product(EXO_P1, EXO1, TODO1, MDM, ATP1)]
    found = findings(tmp_path, [holder("a", (E3, None, []), (EXO_P1, None, [ATP1]))], skus=skus)
    assert set(found) == {"a"}


def test_exchange_foundation_is_covered_by_a_mailbox_plan_only_while_it_is_on(tmp_path: Any) -> None:
    """Exchange Foundation gives nothing a mailbox plan does not (auditor.reference.coverage.PARTS)."""
    skus = [SKUS[0], product(EXO_P1, EXO1, TODO1, MDM, FOUNDATION)]
    assert set(findings(tmp_path, [holder("a", (E3, None, []), (EXO_P1, None, []))], skus=skus)) == {"a"}
    # with Exchange Online (Plan 2) off in E3, nothing covers the foundation (nor Plan 1)
    assert findings(tmp_path, [holder("b", (E3, None, [EXO2]), (EXO_P1, None, []))], skus=skus) == {}


def test_not_when_the_covering_plan_is_disabled_in_the_bigger_product(tmp_path: Any) -> None:
    users = [holder("a", (E3, None, [EXO2]), (EXO_P1, None, [])), holder("b", (E3, None, [TODO2]), (EXO_P1, None, []))]
    assert findings(tmp_path, users) == {}


def test_a_covering_plan_counts_when_any_active_copy_has_it_on(tmp_path: Any) -> None:
    group = {"id": "g-e3", "displayName": "E3 Users", "assignedLicenses": [], "members": ["id-a", "id-b"]}
    on_in_group = holder("a", (E3, None, [EXO2]), (E3, "g-e3", []), (EXO_P1, None, []))
    erring = holder("b", (E3, None, [EXO2]), (E3, "g-e3", []), (EXO_P1, None, []))
    erring["licenseAssignmentStates"][1].update(state="Error", error="CountViolation")
    assert set(findings(tmp_path, [on_in_group, erring], groups=[group])) == {"a"}


def test_plans_not_provisioned_in_the_tenant_cover_nothing(tmp_path: Any) -> None:
    skus = [product(E3, EXO2, TODO2, MDM, TEAMS, status="PendingProvisioning"), SKUS[1]]
    assert findings(tmp_path, [holder("a", (E3, None, []), (EXO_P1, None, []))], skus=skus) == {}


@pytest.mark.parametrize("status", ["Warning", "Suspended", "LockedOut"])
def test_a_subscription_that_is_not_working_covers_nothing(tmp_path: Any, status: str) -> None:
    """E3 in its grace period (Warning: about to lapse), suspended or locked out keeps nothing:
    Exchange Online (Plan 1) beside it is what the user would be left with, so it is not redundant."""
    skus = [{**SKUS[0], "capabilityStatus": status}, {**SKUS[1], "capabilityStatus": "Enabled"}]
    users = [holder("a", (E3, None, []), (EXO_P1, None, []))]
    assert findings(tmp_path, users, skus=skus) == {}
    skus = [{**SKUS[0], "capabilityStatus": "Enabled"}, {**SKUS[1], "capabilityStatus": status}]
    found = findings(tmp_path, users, skus=skus)  # the lapsing small product beside a working E3 still goes
    assert dict(found["a"].details)["covered_by"] == {"EXCHANGESTANDARD": "SPE_E3"}


def test_unknown_plans_are_never_redundant(tmp_path: Any) -> None:
    skus = [SKUS[0], product(EXO_P1)]  # subscribedSkus without servicePlans
    assert findings(tmp_path, [holder("a", (E3, None, []), (EXO_P1, None, []))], skus=skus) == {}


def test_the_lower_plan_never_covers_the_higher(tmp_path: Any) -> None:
    skus = [product(EXO_P1, EXO1, TODO1, MDM), product(EXO_P2, EXO2)]
    found = findings(tmp_path, [holder("a", (EXO_P1, None, []), (EXO_P2, None, []))], skus=skus)
    assert found == {}  # Plan 2 alone lacks To-Do and MDM; Plan 1 never covers Plan 2


def test_group_assigned_redundant_product_names_every_group(tmp_path: Any) -> None:
    groups = [
        {
            "id": f"g-{n}",
            "displayName": n,
            "assignedLicenses": [{"skuId": EXO_P1, "disabledPlans": []}],
            "members": ["id-a"],
        }
        for n in ("Mail A", "Mail B")
    ]
    u = holder("a", (E3, None, []), (EXO_P1, "g-Mail A", []), (EXO_P1, "g-Mail B", []))
    f = findings(tmp_path, [u], groups=groups)["a"]
    for cloud in Cloud:
        rem = remediation(f, cloud=cloud)
        steps = " ".join(rem["steps"])
        assert "Mail A" in steps and "Mail B" in steps, cloud
        assert ready(rem)[0]["method"] == "DELETE"
        assert "SPE_E3" in rem["summary"]


def test_a_group_that_also_assigns_the_cover_is_not_left(tmp_path: Any) -> None:
    """Leaving the group would take the covering product too: remove the product from the group."""
    group = {
        "id": "g-all",
        "displayName": "Everything",
        "members": ["id-a"],
        "assignedLicenses": [{"skuId": E3, "disabledPlans": []}, {"skuId": EXO_P1, "disabledPlans": []}],
    }
    f = findings(tmp_path, [holder("a", (E3, "g-all", []), (EXO_P1, "g-all", []))], groups=[group])["a"]
    rem = remediation(f)
    assert not ready(rem)
    assert not any("Members, select" in s for s in rem["steps"])
    assert any("Licenses" in s and "Everything" in s for s in rem["steps"])


def test_held_directly_and_from_a_group_both_copies_go(tmp_path: Any) -> None:
    group = {
        "id": "g-mail",
        "displayName": "Mail",
        "members": ["id-a"],
        "assignedLicenses": [{"skuId": EXO_P1, "disabledPlans": []}],
    }
    f = findings(tmp_path, [holder("a", (E3, None, []), (EXO_P1, None, []), (EXO_P1, "g-mail", []))], groups=[group])[
        "a"
    ]
    rem = remediation(f)
    assert ready(rem)[0]["body"]["removeLicenses"] == [EXO_P1]
    assert any("Mail" in s for s in rem["steps"])


def test_equal_products_lose_only_one_the_direct_one(tmp_path: Any) -> None:
    skus = [product(E3, EXO2, TODO2), product(E5, EXO2, TODO2)]
    group = {"id": "g-e5", "displayName": "E5", "members": ["id-a"], "assignedLicenses": []}
    found = findings(
        tmp_path,
        [holder("a", (E3, None, []), (E5, "g-e5", [])), holder("b", (E3, None, []), (E5, None, []))],
        skus=skus,
        groups=[group],
    )
    assert found["a"].skus == ("SPE_E3",)  # the direct one goes, the group's stays
    assert found["b"].skus == ("SPE_E3",)  # both direct: the dearer goes (E3 is priced, E5 not)
    assert dict(found["b"].details)["covered_by"] == {"SPE_E3": "SPE_E5"}


def test_a_chain_removes_both_smaller_products_to_the_kept_one(tmp_path: Any) -> None:
    skus = [*SKUS, product(EXO_P2, EXO2)]
    f = findings(tmp_path, [holder("a", (E3, None, []), (EXO_P1, None, []), (EXO_P2, None, []))], skus=skus)["a"]
    assert dict(f.details)["covered_by"] == {"EXCHANGESTANDARD": "SPE_E3", "EXCHANGEENTERPRISE": "SPE_E3"}
    assert f.monthly_cost == 3.70  # EXCHANGEENTERPRISE is not priced


def test_users_with_one_layout_share_the_answer(tmp_path: Any) -> None:
    users = [holder(f"u{i}", (E3, None, []), (EXO_P1, None, [])) for i in range(3)]
    assert set(findings(tmp_path, users)) == {"u0", "u1", "u2"}


def test_except_and_severity(tmp_path: Any) -> None:
    policy = POLICY.replace(
        "redundant_products: {}", "redundant_products: {severity: low, except: {upn: ['b@contoso.example']}}"
    )
    found = findings(
        tmp_path,
        [holder("a", (E3, None, []), (EXO_P1, None, [])), holder("b", (E3, None, []), (EXO_P1, None, []))],
        policy=policy,
    )
    assert set(found) == {"a"} and found["a"].severity.label == "low"


def _table_product(part: str, sku_id: str) -> dict[str, Any]:
    """`part` with the service plans Microsoft's product table lists for it."""
    import csv
    from importlib import resources

    from auditor.reference import DATA_FILE

    text = resources.files("auditor.reference").joinpath(DATA_FILE).read_text("utf-8-sig")
    plans = {
        r["Service_Plan_Id"].strip().lower(): r["Service_Plan_Name"].strip()
        for r in csv.DictReader(text.splitlines())
        if r["String_Id"].strip() == part
    }
    assert plans, part
    return {
        "skuId": sku_id,
        "skuPartNumber": part,
        "consumedUnits": 1,
        "prepaidUnits": {"enabled": 10, "suspended": 0, "warning": 0, "lockedOut": 0},
        "servicePlans": [
            {"servicePlanId": p, "servicePlanName": n, "provisioningStatus": "Success", "appliesTo": "User"}
            for p, n in sorted(plans.items())
        ],
    }


@pytest.mark.parametrize(("ems", "suite"), [("EMS", "SPE_E3"), ("EMS", "SPE_E5"), ("EMSPREMIUM", "SPE_E5")])
def test_ems_beside_microsoft_365_is_redundant(tmp_path: Any, ems: str, suite: str) -> None:
    """EMS carries Exchange Foundation (and EMS E3 Cloud App Discovery), which Microsoft 365 E3/E5 do not
    list: their Exchange Online (Plan 2), and E5's Defender for Cloud Apps, give it whole."""
    ems_id, suite_id = "efccb6f7-5641-4e0e-bd10-b4976e1bf68e", "05e9a617-0261-4cee-bb44-138d3ef5d965"
    skus = [_table_product(ems, ems_id), _table_product(suite, suite_id)]
    found = findings(
        tmp_path,
        [holder("a", (suite_id, None, []), (ems_id, None, []))],
        skus=skus,
        policy="hygiene:\n  redundant_products: {}\n",
    )
    assert set(found) == {"a"} and found["a"].skus == (ems,)
    assert dict(found["a"].details)["covered_by"] == {ems: suite}
