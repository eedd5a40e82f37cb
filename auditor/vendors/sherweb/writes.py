"""Sherweb's writes for `apply --distributor`, behind the session of auditor.vendors.protocols
(DistributorSession; what each method does: auditor.vendors.pax8.writes).

The customer's subscription details and catalog (its product: the catalog's microsoftSkuId of its sku;
its commitment type and termEndDate; committedMinimalQuantities); CreateSubscriptionsAmendment (POST, a
new quantity), whose answer is only the amendment's id: its status is asked
(GetSubscriptionsAmendmentStatus) up to POLLS times, WAIT seconds apart, while Pending or Processing;
Success is done once the re-read subscription has the new quantity, Failure or Canceled failed,
anything else unknown (the journal names the amendment, for a person to check). Sherweb's API documents
no history of a subscription: its put-back is bounded by the tenant's seats only
(auditor.apply.distributor_bound).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date

from auditor.billing.distributor_join import Joins
from auditor.billing.distributor_records import DistributorSubscription
from auditor.formats.bill_model import CommerceChange
from auditor.vendors.client import not_sent
from auditor.vendors.protocols import Added, Now, Recorded, Sent, Unread
from auditor.vendors.terms import due_day

from . import VENDOR
from .client import Sherweb, SherwebError

POLLS, WAIT = 5, 2.0  # Sherweb's amendment status: asked at most 5 times, 2 seconds apart


class SherwebWriter:
    name = "Sherweb"

    def __init__(self, sherweb: Sherweb, wait: Callable[[float], None] = time.sleep) -> None:
        self.sherweb, self.wait = sherweb, wait

    def subscriptions(self, customer: str) -> list[DistributorSubscription]:
        return self.sherweb.subscriptions(customer)

    def now(self, scope: str, sub_id: str, today: date, tenant: Joins) -> Now:
        del tenant  # Sherweb names no Microsoft subscription: its product is its catalog's microsoftSkuId
        try:
            listed = self.sherweb.subscriptions(scope)
            seats = self.sherweb.seats(scope, sub_id)
        except SherwebError as exc:
            raise Unread(str(exc)) from None
        found = [s for s in listed if s.id == sub_id]
        if len(found) != 1:
            raise Unread(f"subscription {sub_id[:40]!r} is listed {len(found)} times in the customer's details")
        (sub,) = found
        sku = (sub.vendor_sku_id or "").lower() or None
        billed = sum(s.quantity for s in listed if sku and (s.vendor_sku_id or "").lower() == sku)
        end = sub.commitment_end or sub.end
        due, stale = due_day(VENDOR, sub.commitment_term, sub.billing_term, end, today, ended=True, renews=sub.renews)
        return Now(
            quantity=seats.quantity,
            writable=True,
            status="listed",
            sku_id=sku,
            product=sub.product_id,
            billed=billed,
            due=due,
            stale=stale,
            least=seats.least(today),
            least_said="its committedMinimalQuantities",
        )

    def recorded(self, scope: str, sub_id: str, quantity: int) -> Recorded:
        del scope, sub_id, quantity  # Sherweb's API documents no history of a subscription's quantity
        return Recorded(False)

    def added(self, scope: str, sub_id: str, before: int, after: int) -> Added | None:
        del scope, sub_id, before, after  # no history: undo dates a purchase by the journal's `done` line
        return None

    def send(self, c: CommerceChange) -> Sent:
        try:
            amendment = self.sherweb.amend(c.scope, c.api_id, c.to or 0)
        except SherwebError as exc:
            return not_sent(exc)
        named = f"Sherweb's amendment {amendment}"
        status = "Pending"
        try:
            for n in range(POLLS):
                status = self.sherweb.amendment_status(amendment)
                if status not in ("Pending", "Processing"):
                    break
                if n + 1 < POLLS:
                    self.wait(WAIT)
            if status == "Success":
                seats = self.sherweb.seats(c.scope, c.api_id)
                if seats.quantity == c.to:
                    return Sent("done", named)
                return Sent("unknown", f"{named} succeeded, the subscription lists {seats.quantity} seats")
        except SherwebError as exc:
            return Sent("unknown", f"{named}: {exc}")
        if status in ("Failure", "Canceled"):
            return Sent("failed", f"{named}: {status}")
        return Sent("unknown", f"{named} is {status}: check its status in Sherweb's portal")
