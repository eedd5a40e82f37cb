"""The bill's actions an API can perform, as commerce changes (plan.json `bill.commerce`).

    commerce_changes(actions) -> list of changes, numbered from 1

Only what the API that sold the subscription can do, inside its window:

    billing-account  reduce within a 7-day window   PATCH billingSubscriptions/{name} {"properties": {"quantity"}}
                     cancel within a 7-day window   POST billingSubscriptions/{name}/cancel {"cancellationReason"}
    partner-center   reduce within a 7-day window   PATCH customers/{c}/subscriptions/{id} (quantity)
                     reduce at the renewal          PATCH the same, scheduledNextTermInstructions
                                                    {product: productId, skuId, availabilityId,
                                                    billingCycle, termDuration; quantity} (needs
                                                    auto-renew on; a mid-term change erases it)

Never a delete. `cancel_at_end_of_term` has no field in either API's stored specification, and a
subscription in its Extended Service Term cannot be reduced: both stay with the admin. `apply
--commerce` re-reads each subscription and the seats assigned before it changes anything
(auditor.apply.commerce).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..billing.partner_center import next_term_product

API_VERSION = "2024-04-01"


def _arm_path(account: str, name: str, tail: str = "") -> str:
    return (
        f"/providers/Microsoft.Billing/billingAccounts/{account}/billingSubscriptions/{name}{tail}"
        f"?api-version={API_VERSION}"
    )


def _request(action: Mapping[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """(kind, request) for an action an API can perform, else None."""
    api = action.get("api") or {}
    source, sub_id, scope = api.get("source"), api.get("id"), api.get("scope")
    window, verb, to = action.get("window"), action.get("action"), action.get("to")
    if not (sub_id and scope and action.get("seats")) or not isinstance(to, int) or action.get("join") == "uncertain":
        return None  # nothing to drop, or a join by product and quantity: a person checks it first
    if source == "billing-account" and window == "within_7_days":
        if verb == "reduce":
            return "reduce", {
                "method": "PATCH",
                "path": _arm_path(scope, sub_id),
                "body": {"properties": {"quantity": to}},
            }
        if verb == "cancel":
            return "cancel", {
                "method": "POST",
                "path": _arm_path(scope, sub_id, "/cancel"),
                "body": {"cancellationReason": "Other"},
            }
    if source == "partner-center" and verb in ("reduce", "contact_partner") and to > 0:
        path = f"/v1/customers/{scope}/subscriptions/{sub_id}"
        if window == "within_7_days":
            return "reduce", {"method": "PATCH", "path": path, "body": {"quantity": to}}
        product = next_term_product(api.get("offer"), api.get("billing_cycle"), api.get("term"))
        if window == "renewal" and (action.get("sources") or {}).get("auto_renew") == "partner-center" and product:
            # the renewal keeps the offer and term, with fewer seats (apply takes the product as re-read)
            return "schedule_reduction", {
                "method": "PATCH",
                "path": path,
                "body": {"scheduledNextTermInstructions": {"product": product, "quantity": to}},
            }
    return None


def commerce_changes(actions: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The commerce changes of the bill's `actions`, numbered from 1 in the bill's order."""
    out: list[dict[str, Any]] = []
    for action in actions:
        made = _request(action)
        if made is None:
            continue
        kind, request = made
        api = action["api"]
        out.append(
            {
                "n": len(out) + 1,
                "kind": kind,
                "source": api["source"],
                "scope": api["scope"],
                "api_id": api["id"],
                "subscription": action["subscription"],
                "sku": action["sku"],
                "sku_id": api.get("sku_id"),
                "from": action["from"],
                "to": action["to"],
                "seats": action["seats"],
                "window": action["window"],
                "not_before": action["not_before"],
                "by": action["by"],
                "monthly_saving": action["monthly_saving"],
                "saving_from": action["saving_from"],
                "request": request,
            }
        )
    return out
