"""The entitlement and cross-tenant rules' details are records (auditor.rules.entitlements.entitlement,
auditor.cross_tenant.rules): report.json gets what their TypedDicts wrote (Intune's `devices_without_user`
only on Intune's count, 0 too), and a report without the keys (an older one) decodes with each record's
defaults and reads as before."""

from __future__ import annotations

from auditor.cross_tenant.rules import (
    CrossTenantDuplicate,
    CrossTenantDuplicateDetails,
    SeatsRebalanceAcrossTenants,
    SeatsRebalanceAcrossTenantsDetails,
)
from auditor.data.finding import own_json
from auditor.data.model import Cloud, Locale
from auditor.formats.report_model import finding_of
from auditor.guidance.examples import E5, USER
from auditor.rules.entitlements.entitlement import (
    EntitlementMissing,
    EntitlementMissingDetails,
    EntitlementShort,
    EntitlementShortDetails,
    Product,
)
from auditor.wording import message, remediation

P1 = Product(sku="AAD_PREMIUM", name="Microsoft Entra ID P1", monthly=6.0, free_seats=0)


def test_the_records_write_what_their_typed_dicts_wrote() -> None:
    missing = EntitlementMissingDetails(features=["conditional_access"], needs="P1", via={}, entitle_with=None)
    assert own_json(missing) == {
        "entitle_with": None,
        "features": ["conditional_access"],
        "needs": "P1",
        "no_usage_location": False,
        "sku_ids": {},
        "via": {},
        "waits_for_seats": False,
    }
    short = EntitlementShortDetails(plan="P1", features=[], in_scope=3, owned=1, short=2, entitle_with=P1)
    assert "devices_without_user" not in own_json(short) and own_json(short)["monthly_cost"] is None
    intune = EntitlementShortDetails(plan="intune", in_scope=1, owned=0, short=1, devices_without_user=0)
    assert own_json(intune)["devices_without_user"] == 0
    duplicate = CrossTenantDuplicateDetails(identity="ann@contoso.example", tenants=[], sku_ids={"SPE_E5": E5})
    assert own_json(duplicate) == {"identity": "ann@contoso.example", "sku_ids": {"SPE_E5": E5}, "tenants": []}
    seats = SeatsRebalanceAcrossTenantsDetails(surplus=[], shortage=[], movable=2)
    assert own_json(seats) == {"movable": 2, "shortage": [], "surplus": []}


def test_an_older_reports_details_decode_with_the_records_defaults() -> None:
    """Without their keys: an "unknown" product and plan, no call to make; the tenants "unknown"; the
    duplicate named by the finding's own user."""
    found = finding_of(USER, [], {})
    assert "unknown" in message(EntitlementMissing.id, found, locale=Locale.EN)
    assert not remediation(EntitlementMissing.id, found, cloud=Cloud.WORLDWIDE, locale=Locale.EN)["actions"]
    sku = finding_of({"type": "sku", "id": "entitlement-p1", "sku": "AAD_PREMIUM"}, ["AAD_PREMIUM"], {})
    assert message(EntitlementShort.id, sku, locale=Locale.EN)
    assert "guest" not in str(remediation(EntitlementShort.id, sku, cloud=Cloud.WORLDWIDE, locale=Locale.EN))
    assert "unknown" in message(SeatsRebalanceAcrossTenants.id, sku, locale=Locale.EN)
    duplicate = finding_of(USER, ["SPE_E5"], {})
    fix = remediation(CrossTenantDuplicate.id, duplicate, cloud=Cloud.WORLDWIDE, locale=Locale.EN)
    assert not fix["actions"] and USER["upn"] in str(fix["summary"])


def test_the_facts_are_read_from_the_records() -> None:
    product = {"features": ["conditional_access"], "needs": "P1", "entitle_with": dict(P1)}
    ids = {"sku_ids": {"AAD_PREMIUM": "p1-id"}}
    for details, blocked in (
        ({"waits_for_seats": True}, "seats_to_buy"),
        ({"no_usage_location": True}, "choose_value"),
    ):
        found = finding_of(USER, [], {**product, **ids, **details})
        fix = remediation(EntitlementMissing.id, found, cloud=Cloud.WORLDWIDE, locale=Locale.EN)
        assert [a["blocked"] for a in fix["actions"]] == [blocked], fix["actions"]
    sku = {"type": "sku", "id": "entitlement-p1", "sku": "AAD_PREMIUM"}
    short = {"plan": "P1", "features": ["conditional_access"], "short": 2, "guests_in_scope": 3}
    found = finding_of(sku, ["AAD_PREMIUM"], short)
    assert "2 licenses short" in message(EntitlementShort.id, found, locale=Locale.EN)
    assert "3 guests" in str(remediation(EntitlementShort.id, found, cloud=Cloud.WORLDWIDE, locale=Locale.EN))
