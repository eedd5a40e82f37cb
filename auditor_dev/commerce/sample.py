"""The sample tenant's subscriptions as Microsoft's commerce APIs sell them (`audit --demo`): the
billing account (bought directly, Microsoft Customer Agreement) and a partner (CSP), deterministic
from the sample tenant's own Graph subscriptions and its clock (auditor_dev.sample.REFERENCE).

Bought directly: Microsoft 365 E3 (annual, billed monthly), E5 (annual), F1 (annual), a Power BI
Pro bought 4 days ago (its cancellation window open), EMS with auto-renew off (it moves into a paid
Extended Service Term) and the Project trial. Through the partner: Microsoft 365 Copilot (annual,
billed monthly) with 2 seats added 3 days ago, still refundable. The legacy Power BI Pro and the
Volume Licensing Exchange subscription are in no API: the billing file gives them. Each term
agrees with the sample's billing file (auditor_dev/sample/sample-billing.csv) and Graph's renewal.

Each billing subscription's systemOverrides has the shape of Microsoft's 2024-04-01 Get and Update
examples: cancellationAllowedEndDate alone (168 hours after the purchase or renewal), no
`cancellation`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from auditor.data.model import Subscription, TenantSnapshot
from auditor.reference import product_names

ACCOUNT = "7d5c3e1a-0b4f-4c2e-9a6d-1f8e2b3c4d5e:0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b_2019-05-31"
ACCOUNT_NAME = "Contoso Ltd"

# commerceSubscriptionId -> (termDuration, billingFrequency, termStart, termEnd, autoRenew)
_DIRECT: dict[str, tuple[str, str, str, str, str]] = {
    "6f5e5c0b-466f-5e80-9fe3-47c4054dd921": ("P1Y", "P1M", "2026-03-01", "2027-03-01", "On"),
    "146ddd03-4baf-5407-9836-e858d3f903bb": ("P1Y", "P1Y", "2026-03-18", "2027-03-18", "On"),
    "b5ac0e02-6581-545c-bcd5-ef6193795ae0": ("P1Y", "P1Y", "2026-04-04", "2027-04-04", "On"),
    "cf86da0c-f640-56d1-913b-79bd0b93b3ed": ("P1Y", "P1Y", "2026-10-28", "2027-10-28", "On"),
    "1b814d71-f7f2-5a90-beed-2d08c1609a8b": ("P1Y", "P1Y", "2026-05-25", "2027-05-25", "Off"),
    "e7d983f9-5f53-55e8-b9bb-db56753eaef9": ("P1M", "P1M", "2026-10-22", "2026-11-21", "On"),
}
WINDOW = timedelta(hours=168)  # the self-serve cancellation window after a purchase or renewal
# The billing API's product catalog ids (productTypeId, skuId), by Graph's part number. Its skuId is
# a catalog SKU id ("0001"), not Graph's skuId GUID. Each pair is Microsoft's own: Microsoft 365 E5
# CFQ7TTC0LFLZ:0002 is Partner Center's "Create a cart" example; Power BI Pro CFQ7TTC0L3PB and Project
# Plan 3 CFQ7TTC0HDB0 are the product ids of "Use AllowSelfServicePurchase for the MSCommerce PowerShell
# module" (their SKU: the first, 0001); Microsoft 365 E3 CFQ7TTC0LFLX:0001 is the catalog item partners
# order. F1 and EMS E3, whose ids were not found on a Microsoft page, carry none (the API may leave
# them out: no field of billingSubscription is required).
_CATALOG = {
    "SPE_E3": ("CFQ7TTC0LFLX", "0001"),
    "SPE_E5": ("CFQ7TTC0LFLZ", "0002"),
    "POWER_BI_PRO": ("CFQ7TTC0L3PB", "0001"),
    "PROJECTPROFESSIONAL": ("CFQ7TTC0HDB0", "0001"),
}
# (termDuration, billingCycle, start, end, seats added, when they were added: UTC)
_PARTNER = {
    "8af68566-8229-5983-be4b-f5d5f157d380": ("P1Y", "monthly", "2026-08-01", "2027-08-01", 2, "2026-10-29T14:20:00")
}
# offerId: productId:skuId:availabilityId, as Partner Center's new-commerce subscriptions give it
# (availability ids are reissued by Microsoft over time; this one has the shape, not a catalog look-up)
_OFFERS = {"Microsoft_365_Copilot": ("CFQ7TTC0MM8R:0002:CFQ7TTC0MM8R0002", "Microsoft 365 Copilot")}


@dataclass(frozen=True)
class SampleCommerce:
    accounts: dict[str, list[dict[str, Any]]]  # billing account name -> billingSubscriptions
    customers: dict[str, list[dict[str, Any]]]  # customer tenant id -> Partner Center subscriptions
    display_names: dict[str, str]


def _stamp(day: str) -> str:
    return f"{day}T00:00:00Z"


def _direct(sub: Subscription, tenant: str, facts: tuple[str, str, str, str, str]) -> dict[str, Any]:
    term, frequency, start, end, renew = facts
    name = sub.commerce_subscription_id or sub.id
    product = product_names().product(sub.sku_id, sub.sku_part_number) or sub.sku_part_number
    catalog = _CATALOG.get(sub.sku_part_number)
    ids = {"productTypeId": catalog[0], "skuId": catalog[1]} if catalog else {}
    # 168 hours after the purchase, or after the term's start (its renewal) when that is later
    bought = datetime.fromisoformat(str(sub.created_date_time).replace("Z", "+00:00"))
    opened = max(bought, datetime.fromisoformat(f"{start}T00:00:00+00:00"))
    overrides = {"cancellationAllowedEndDate": (opened + WINDOW).strftime("%Y-%m-%dT%H:%M:%SZ")}
    return {
        "id": f"/providers/Microsoft.Billing/billingAccounts/{ACCOUNT}/billingSubscriptions/{name}",
        "name": name,
        "type": "Microsoft.Billing/billingAccounts/billingSubscriptions",
        "properties": {
            "autoRenew": renew,
            "beneficiaryTenantId": tenant,
            "provisioningTenantId": tenant,
            "billingFrequency": frequency,
            "displayName": product,
            "productCategory": "SeatBased",
            "productType": product,
            **ids,
            "purchaseDate": sub.created_date_time,
            "quantity": sub.total_licenses,
            "skuDescription": product,
            "status": "Active" if sub.status == "Enabled" else sub.status,
            "systemOverrides": overrides,
            "termDuration": term,
            "termStartDate": _stamp(start),
            "termEndDate": _stamp(end),
            "renewalTermDetails": {
                "billingFrequency": frequency,
                "termDuration": term,
                "quantity": sub.total_licenses,
                "termEndDate": _stamp(end),
            }
            if renew == "On"
            else None,
        },
    }


def _partner(sub: Subscription, facts: tuple[str, str, str, str, int, str], now: datetime) -> dict[str, Any]:
    """A Partner Center subscription; its added seats refundable until allowedUntilDateTime, 168
    hours after they were added."""
    term, cycle, start, end, added, added_on = facts
    offer, offer_name = _OFFERS.get(sub.sku_part_number, (sub.sku_id, sub.sku_part_number))
    until = datetime.fromisoformat(added_on) + WINDOW
    return {
        "id": sub.commerce_subscription_id or sub.id,
        "offerId": offer,
        "offerName": offer_name,
        "friendlyName": offer_name,
        "quantity": sub.total_licenses,
        "unitType": "Licenses",
        "creationDate": sub.created_date_time,
        "effectiveStartDate": _stamp(start),
        "commitmentEndDate": _stamp(end),
        "status": "active",
        "autoRenewEnabled": True,
        "billingType": "license",
        "billingCycle": cycle,
        "termDuration": term,
        "isTrial": False,
        "cancellationAllowedUntilDate": until.strftime("%Y-%m-%dT%H:%M:%SZ") if until > now else None,
        "refundableQuantity": {
            "totalQuantity": added,
            "details": [{"quantity": added, "allowedUntilDateTime": until.strftime("%Y-%m-%dT%H:%M:%SZ")}],
        },
        "attributes": {"etag": f"etag-{sub.id[:8]}", "objectType": "Subscription"},
    }


def sample_commerce(snapshot: TenantSnapshot, now: datetime) -> SampleCommerce:
    """The billing account's and the partner's subscriptions of `snapshot` (the sample tenant)."""
    tenant = snapshot.tenant_id
    direct = [
        _direct(s, tenant, _DIRECT[s.commerce_subscription_id])
        for s in snapshot.subscriptions
        if s.commerce_subscription_id in _DIRECT
    ]
    partner = [
        _partner(s, _PARTNER[s.commerce_subscription_id], now)
        for s in snapshot.subscriptions
        if s.commerce_subscription_id in _PARTNER
    ]
    return SampleCommerce({ACCOUNT: direct}, {tenant: partner}, {ACCOUNT: ACCOUNT_NAME})
