"""Pax8's writes for `apply --distributor` and `undo --distributor`, behind the session of
auditor.vendors.protocols (DistributorSession: apply runs the changes, journals them, re-derives each from
the re-read and re-checks the tenant's seats; a session re-reads its own subscription and sends its own
request):

    .name                               "Pax8", as messages name it
    .subscriptions(company)             the company's subscriptions (the reads: auditor.vendors.pax8.client)
    .now(scope, id, today, tenant)      the subscription re-read at the call (Now): its quantity and
                                        status, the Microsoft product it is and its Microsoft
                                        subscription as Pax8 names them now, the seats of that product
                                        Pax8 bills the customer now, the first day its commitment lets a
                                        reduction be made (due_day), and the fewest seats it takes today
    .send(change)                       the request sent, its outcome: Sent(done | failed | unknown)
    .recorded(scope, id, now)           what Pax8's own record says the subscription had before its last
                                        change (Recorded; undo bounds a put-back by it)

The subscription (GET /v1/subscriptions/{id}: its vendorSubscriptionId, its vendorSkuId,
commitmentTerm.term and .endDate, billingTerm, status, startDate, quantity) and the company's listing
(the product's seats billed); "Update Subscription" (PUT, a quantity) and "Cancel Subscription" (DELETE
?cancelDate), the answer the subscription. Its product is its vendorSkuId, else the skuId of the tenant's
Microsoft subscription its vendorSubscriptionId names (`tenant`: Graph's /directory/subscriptions,
re-read); the two disagreeing is no product.

The record undo reads: Pax8's "Get Subscription History" (GET /v1/subscriptions/{id}/history, "Returns a
list of changes for a subscription": the subscription as it was after each change); its newest entry must
be the quantity re-read, and the entry before it gives the quantity before the last change.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from auditor.billing.distributor_join import Joins, named_twice
from auditor.billing.distributor_records import DistributorSubscription
from auditor.billing.distributor_seats import billed_on
from auditor.formats.bill_model import CommerceChange
from auditor.vendors.client import not_sent
from auditor.vendors.protocols import CANCEL, Added, Foreign, Now, Recorded, Sent, Unread
from auditor.vendors.terms import due_day

from . import VENDOR
from .client import Pax8, Pax8Error, Pax8OtherCompany

WRITABLE = ("Active", "Activated")  # the statuses Pax8 bills whose quantity apply changes
CANCELLED = ("Cancelled", "PendingCancel")  # a cancellation's answer: cancelled, or at its cancelDate


def pax8_product(sub: DistributorSubscription, tenant: Joins) -> str | None:
    """The Microsoft product (skuId, lower case) a Pax8 subscription is: its vendorSkuId, and the skuId
    of the tenant's Microsoft subscription its vendorSubscriptionId names (`tenant`: by the audit's own
    join, auditor.billing.distributor_join); one of them when only one is given, None when neither is or
    the two disagree."""
    tied = tenant.named(sub.vendor_subscription_id)
    named = {sku.lower() for sku in (sub.vendor_sku_id, tied.sku_id if tied else None) if sku}
    return next(iter(named)) if len(named) == 1 else None


def pax8_twins(
    sub: DistributorSubscription, listed: Sequence[DistributorSubscription], tenant: Joins, today: date
) -> tuple[str, ...]:
    """The listing's subscriptions billed `today` (by their dates, as the audit counts them: billed_on),
    `sub` among them, that name the Microsoft subscription `sub` names, when two or more do, as the audit
    finds them (distributor_join.named_twice); else ()."""
    billed = [s for s in listed if billed_on(s, VENDOR.key, today)]
    pairs = [(s.id, t.id) for s in billed if (t := tenant.named(s.vendor_subscription_id))]
    return next((tuple(ids) for ids in named_twice(pairs).values() if sub.id in ids), ())


class Pax8Writer:
    name = "Pax8"

    def __init__(self, pax8: Pax8) -> None:
        self.pax8 = pax8

    def subscriptions(self, customer: str) -> list[DistributorSubscription]:
        return self.pax8.subscriptions(customer)

    def now(self, scope: str, sub_id: str, today: date, tenant: Joins) -> Now:
        try:
            sub = self.pax8.subscription(scope, sub_id)
            listed = self.pax8.subscriptions(scope)
        except Pax8OtherCompany as exc:
            raise Foreign(str(exc)) from None
        except Pax8Error as exc:
            raise Unread(str(exc)) from None
        sku = pax8_product(sub, tenant)
        # the seats Pax8 bills on and will bill on: one pending cancellation (this run's, or another's) is not counted
        billed = sum(s.quantity for s in listed if s.status in WRITABLE and sku and pax8_product(s, tenant) == sku)
        end = sub.commitment_end or sub.end
        due, stale = due_day(VENDOR, sub.commitment_term, sub.billing_term, end, today, ended=True, renews=sub.renews)
        start = (sub.start or "")[:10]
        return Now(
            quantity=sub.quantity,
            writable=sub.status in WRITABLE,
            status=sub.status,
            sku_id=sku,
            product=sub.vendor_sku_id or sub.product_id,
            microsoft=sub.vendor_subscription_id,
            billed=billed,
            due=due,
            stale=stale,
            future=start if start > today.isoformat() else None,
            twins=pax8_twins(sub, listed, tenant, today),
            price=sub.partner_cost if sub.partner_cost is not None else sub.price,
        )

    def recorded(self, scope: str, sub_id: str, quantity: int) -> Recorded:
        """Pax8's history of the subscription: the quantity before its last change (Unread when the
        history cannot be read)."""
        try:
            versions = self.pax8.history(scope, sub_id)
        except Pax8Error as exc:
            raise Unread(str(exc)) from None
        if not versions or versions[0].quantity != quantity:
            ends = f"{versions[0].quantity} seats" if versions else "no entry"
            return Recorded(True, why=f"Pax8's history of it ends at {ends}, not the {quantity} re-read")
        if len(versions) < 2 or versions[1].quantity <= quantity:
            last = "no change" if len(versions) < 2 else f"{versions[1].quantity} -> {quantity} seats"
            return Recorded(True, why=f"Pax8's history shows {last} as its last change, no reduction")
        return Recorded(True, versions[1].quantity)

    def added(self, scope: str, sub_id: str, before: int, after: int) -> Added | None:
        """When the seats were added: Pax8's history, its newest entry `after`, the one before it `before`."""
        try:
            versions = self.pax8.history(scope, sub_id)
        except Pax8Error as exc:
            return Added(None, "", f"Pax8's history of it could not be read: {exc}")
        if len(versions) < 2 or versions[0].quantity != after or versions[1].quantity != before:
            return Added(None, "", f"Pax8's history does not show {before} -> {after} as its last change")
        return Added(versions[0].since, "Pax8's history dates the purchase")

    def send(self, c: CommerceChange) -> Sent:
        try:
            if c.kind == CANCEL:
                on = date.fromisoformat(c.request.path.rsplit("=", 1)[1])
                answer: DistributorSubscription | None = self.pax8.cancel(c.scope, c.api_id, on)
            else:
                answer = self.pax8.update_quantity(c.scope, c.api_id, c.to or 0)
        except Pax8Error as exc:
            return not_sent(exc)
        if c.kind == CANCEL:
            if answer is None or answer.status in CANCELLED:
                return Sent("done")
            return Sent("unknown", f"the answer says status {answer.status or 'not given'}, not a cancellation")
        if answer is None or answer.quantity != c.to:
            got = "no subscription" if answer is None else f"{answer.quantity} seats"
            return Sent("unknown", f"the answer says {got}, the request asked for {c.to}")
        return Sent("done")
