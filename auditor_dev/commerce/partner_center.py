"""A loopback stand-in of Partner Center's REST API: a customer's subscriptions.

    GET   /v1/customers/{customer}/subscriptions          a Collection ({totalCount, items, links,
                                                          attributes}); more pages: links.next with
                                                          the MS-ContinuationToken header to send
    GET   /v1/customers/{customer}/subscriptions/{id}
    PATCH /v1/customers/{customer}/subscriptions/{id}     quantity (down only within the refundable
                                                          seats' window), autoRenewEnabled,
                                                          scheduledNextTermInstructions (needs
                                                          auto-renew on, and its product's
                                                          productId, skuId, availabilityId,
                                                          billingCycle, termDuration and a quantity;
                                                          the availability one the catalog offers now)
    GET   /v1/customers/{customer}/subscriptions/{id}/transitioneligibilities?eligibilityType=scheduled
                                                          the products its renewal may be scheduled
                                                          into: its own, with the availability id
                                                          offered now (`availabilities`: Microsoft
                                                          reissues them: they "can change over time")

Errors carry Partner Center's body {"code", "description", "data", "source"}; throttling is a 429
with Retry-After (the Subscription resource allows 500 requests a minute per customer).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from auditor_dev.commerce.server import Asked, Reply, StandIn

_SUBS = re.compile(r"^/v1/customers/([^/]+)/subscriptions/?$", re.I)
# scheduledNextTermInstructions.product: Partner Center's ProductTerm, every field required
PRODUCT_TERM = ("productId", "skuId", "availabilityId", "billingCycle", "termDuration")
_SUB = re.compile(r"^/v1/customers/([^/]+)/subscriptions/([^/]+)$", re.I)
_ELIGIBILITIES = re.compile(r"^/v1/customers/([^/]+)/subscriptions/([^/]+)/transitioneligibilities$", re.I)


def _error(status: int, code: int, description: str) -> Reply:
    return Reply(status, {"code": code, "description": description, "data": [], "source": "PartnerFabric"})


class PartnerCenterStandIn(StandIn):
    """Customers (tenant id -> their Subscription resources), as one partner sees them."""

    def __init__(
        self,
        customers: Mapping[str, Sequence[Mapping[str, Any]]],
        *,
        token: str | None = "pc-token",
        page_size: int = 50,
        now: datetime | None = None,
        availabilities: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(token)
        self.customers = {c.lower(): [copy.deepcopy(dict(s)) for s in subs] for c, subs in customers.items()}
        self.page_size = page_size
        self.now = now
        # "productId:skuId" -> the availability id the catalog offers now (default: the subscription's own)
        self.availabilities = dict(availabilities or {})

    def unauthorized(self, asked: Asked) -> Reply | None:
        return _error(401, 900, "Unauthorized: the bearer token is missing, expired or not for Partner Center.")

    def throttled(self, asked: Asked) -> Reply:
        return _error(429, 2010, "Too many requests: retry after the interval in Retry-After.")

    def route(self, asked: Asked) -> Reply:
        if (m := _SUBS.match(asked.path)) and asked.method == "GET":
            return self._list(asked, m.group(1).lower())
        if m := _SUB.match(asked.path):
            return self._one(asked, m.group(1).lower(), m.group(2))
        if (m := _ELIGIBILITIES.match(asked.path)) and asked.method == "GET":
            return self._eligibilities(asked, m.group(1).lower(), m.group(2))
        return _error(404, 2000, f"The resource {asked.path} was not found.")

    def _find(self, customer: str, sub_id: str) -> dict[str, Any] | None:
        return next((s for s in self.customers.get(customer, []) if str(s.get("id")).lower() == sub_id.lower()), None)

    def availability(self, offer: object) -> str | None:
        """The availability id offered now for the offer's product and SKU (productId:skuId:availabilityId)."""
        parts = str(offer or "").split(":")
        if len(parts) != 3:
            return None
        return self.availabilities.get(f"{parts[0]}:{parts[1]}", parts[2])

    def _eligibilities(self, asked: Asked, customer: str, sub_id: str) -> Reply:
        """The subscription's own product, term and billing cycle, as a scheduled change may renew it."""
        sub = self._find(customer, sub_id)
        if sub is None:
            return _error(404, 2000, f"The subscription {sub_id} was not found for customer {customer}.")
        kind = asked.query.get("eligibilityType") or asked.query.get("eligibilitytype")
        parts = str(sub.get("offerId") or "").split(":")
        items = []
        if kind == "scheduled" and len(parts) == 3:
            items.append(
                {
                    "catalogItemId": f"{parts[0]}:{parts[1]}:{self.availability(sub.get('offerId'))}",
                    "title": sub.get("offerName"),
                    "quantity": sub.get("quantity"),
                    "termDuration": sub.get("termDuration"),
                    "billingCycle": sub.get("billingCycle"),
                    "eligibilities": [{"isEligible": True, "transitionType": "scheduled", "errors": []}],
                }
            )
        return Reply(200, {"totalCount": len(items), "items": items, "attributes": {"objectType": "Collection"}})

    def _list(self, asked: Asked, customer: str) -> Reply:
        if customer not in self.customers:
            return _error(404, 600008, f"The customer {customer} is not a customer of this partner.")
        items = self.customers[customer]
        start = int(asked.headers.get("ms-continuationtoken") or 0)
        page = items[start : start + self.page_size]
        links: dict[str, Any] = {
            "self": {"uri": f"/customers/{customer}/subscriptions", "method": "GET", "headers": []}
        }
        if start + self.page_size < len(items):
            links["next"] = {
                "uri": f"/v1/customers/{customer}/subscriptions?size={self.page_size}&seek_operation=Next",
                "method": "GET",
                "headers": [{"key": "MS-ContinuationToken", "value": str(start + self.page_size)}],
            }
        return Reply(
            200,
            {
                "totalCount": len(page),
                "items": copy.deepcopy(page),
                "links": links,
                "attributes": {"objectType": "Collection"},
            },
        )

    def _one(self, asked: Asked, customer: str, sub_id: str) -> Reply:
        sub = self._find(customer, sub_id)
        if sub is None:
            return _error(404, 2000, f"The subscription {sub_id} was not found for customer {customer}.")
        if asked.method == "GET":
            return Reply(200, copy.deepcopy(sub))
        if asked.method != "PATCH":
            return _error(405, 2000, f"The method {asked.method} is not allowed here.")
        return self._patch(sub, asked.body or {})

    def _patch(self, sub: dict[str, Any], body: Mapping[str, Any]) -> Reply:
        quantity = body.get("quantity", sub.get("quantity"))
        if not isinstance(quantity, int) or quantity < 1:
            return _error(400, 800002, "The quantity must be a positive whole number.")
        drop = int(sub.get("quantity") or 0) - quantity
        refundable = int((sub.get("refundableQuantity") or {}).get("totalQuantity") or 0)
        if drop > refundable:
            return _error(
                400, 800037, f"Only {refundable} seats can be reduced now; the rest are past their cancellation window."
            )
        renew = body.get("autoRenewEnabled", sub.get("autoRenewEnabled"))
        scheduled = body.get("scheduledNextTermInstructions")
        if scheduled and not renew:
            return _error(400, 800050, "Scheduled changes need auto-renew to be on.")
        if scheduled:
            product = scheduled.get("product") if isinstance(scheduled, Mapping) else None
            missing = [f for f in PRODUCT_TERM if not (isinstance(product, Mapping) and product.get(f))]
            if missing or not isinstance(scheduled.get("quantity"), int) or scheduled["quantity"] < 1:
                return _error(
                    400,
                    800002,
                    "scheduledNextTermInstructions needs product ("
                    f"{', '.join(PRODUCT_TERM)}) and a positive quantity; missing: "
                    f"{', '.join(missing) or 'quantity'}",
                )
            assert isinstance(product, Mapping)
            offered = self.availability(f"{product['productId']}:{product['skuId']}:{product['availabilityId']}")
            if product["availabilityId"] != offered:
                return _error(
                    400,
                    800002,
                    f"The availability {product['availabilityId']} is not offered any more for "
                    f"{product['productId']}:{product['skuId']}; get the transition eligibilities again.",
                )
        if drop > 0:
            sub["quantity"] = quantity
            left = refundable - drop
            sub["refundableQuantity"] = {
                "totalQuantity": left,
                "details": [d for d in (sub.get("refundableQuantity") or {}).get("details") or []][: 1 if left else 0],
            }
            sub.pop("scheduledNextTermInstructions", None)  # a mid-term change erases a scheduled one
        elif drop < 0:  # seats bought: they are refundable for their own 7 days
            sub["quantity"] = quantity
            left = refundable - drop
            sub["refundableQuantity"] = {
                "totalQuantity": left,
                "details": [*((sub.get("refundableQuantity") or {}).get("details") or []), {"quantity": -drop}],
            }
            sub.pop("scheduledNextTermInstructions", None)
        sub["autoRenewEnabled"] = bool(renew)
        if scheduled:
            sub["scheduledNextTermInstructions"] = copy.deepcopy(dict(scheduled))
        elif "scheduledNextTermInstructions" in body:
            sub.pop("scheduledNextTermInstructions", None)
        return Reply(200, copy.deepcopy(sub))
