"""The distributors `apply --distributor` writes to, behind one small interface (auditor.apply.distributor
runs the changes, journals them, re-derives each from the re-read and re-checks the tenant's seats; a
writer re-reads its own subscription and sends its own request):

    Writer.name                         "Pax8", "Sherweb": as messages name it
    Writer.now(scope, id, today, tenant) the subscription re-read at the call (Now): its quantity and
                                        status, the Microsoft product it is and its Microsoft
                                        subscription as the distributor names them now, the seats of
                                        that product the distributor bills the customer now, the first
                                        day its commitment lets a reduction be made (due_day), and the
                                        fewest seats the distributor takes today
    Writer.send(change)                 the request sent, its outcome: Sent(done | failed | unknown)
    Writer.recorded(scope, id, now)     what the distributor's own record says the subscription had
                                        before its last change (Recorded; undo bounds a put-back by it)

Pax8 (auditor.billing.pax8): the subscription (GET /v1/subscriptions/{id}: its vendorSubscriptionId, its
vendorSkuId, commitmentTerm.term and .endDate, billingTerm, status, startDate, quantity) and the
company's listing (the product's seats billed); "Update Subscription" (PUT, a quantity) and "Cancel
Subscription" (DELETE ?cancelDate), the answer the subscription. Its product is its vendorSkuId, else
the skuId of the tenant's Microsoft subscription its vendorSubscriptionId names (`tenant`: Graph's
/directory/subscriptions, re-read); the two disagreeing is no product. Sherweb (auditor.billing.sherweb):
the customer's subscription details and catalog (its product: the catalog's microsoftSkuId of its sku;
its commitment type and termEndDate; committedMinimalQuantities); CreateSubscriptionsAmendment (POST, a
new quantity), whose answer is only the amendment's id: its status is asked
(GetSubscriptionsAmendmentStatus) up to POLLS times, WAIT seconds apart, while Pending or Processing;
Success is done once the re-read subscription has the new quantity, Failure or Canceled failed,
anything else unknown (the journal names the amendment, for a person to check).

The record undo reads: Pax8's "Get Subscription History" (GET /v1/subscriptions/{id}/history, "Returns a
list of changes for a subscription": the subscription as it was after each change); its newest entry must
be the quantity re-read, and the entry before it gives the quantity before the last change. Sherweb's API
documents no such history: its put-back is bounded by the tenant's seats only (auditor.apply.distributor_bound).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from auditor.formats.bill_model import CommerceChange

from ..billing.distributor_join import Joins, named_twice
from ..billing.distributor_seats import BILLED
from ..billing.pax8 import Pax8, Pax8Error, Pax8OtherCompany, Pax8Subscription
from ..billing.sherweb import Sherweb, SherwebError
from .distributor_changes import due_day
from .distributor_requests import CANCEL, PAX8, SHERWEB

WRITABLE = ("Active", "Activated")  # the statuses Pax8 bills whose quantity apply changes
CANCELLED = ("Cancelled", "PendingCancel")  # a cancellation's answer: cancelled, or at its cancelDate
POLLS, WAIT = 5, 2.0  # Sherweb's amendment status: asked at most 5 times, 2 seconds apart


class Unread(Exception):
    """The subscription could not be re-read (the distributor's error, in one line)."""


class Foreign(Unread):
    """The distributor answers the subscription as another customer's: a change naming it is refused."""


@dataclass(frozen=True)
class Sent:
    outcome: str  # done, failed (a 4xx: nothing changed) or unknown
    note: str = ""
    status: int | None = None


@dataclass(frozen=True)
class Now:
    """A subscription as re-read at the call (apply's re-derivation, undo's re-read)."""

    quantity: int
    writable: bool
    status: str
    sku_id: str | None = None  # the Microsoft product (skuId, lower case) it is now; None: none, or two
    product: str = ""  # how the distributor names it (for the messages)
    microsoft: str | None = None  # Pax8's vendorSubscriptionId now (None: not given; Sherweb gives none)
    billed: int = 0  # the seats of that product the distributor bills the customer now (its listing)
    due: str | None = None  # the first day its commitment lets a reduction be made (None: now)
    stale: str | None = None  # why no such day can be derived (a commitment's end passed or not given)
    least: int = 1  # the fewest seats the distributor takes today (Sherweb's committedMinimalQuantities)
    future: str | None = None  # Pax8: a startDate after today (Pax8 does not update such a subscription)
    # Pax8: the customer's billed subscriptions that name its Microsoft subscription, it among them, when two
    # or more do (distributor_join.named_twice: which is the tenant's is not guessed); else none
    twins: tuple[str, ...] = ()
    price: float | None = None  # a seat's monthly price to the MSP now (Pax8's partnerCost, else its price)


@dataclass(frozen=True)
class Recorded:
    """What the distributor's own record says of a subscription's last change: the quantity before it
    (`before`); `kept` False when the distributor keeps no record the API gives; `why` when the record
    shows no reduction to put back (the last change was not one, or the record does not end at the
    quantity re-read)."""

    kept: bool
    before: int | None = None
    why: str = ""


class Writer(Protocol):
    name: str

    def now(self, scope: str, sub_id: str, today: date, tenant: Joins) -> Now: ...
    def send(self, c: CommerceChange) -> Sent: ...
    def recorded(self, scope: str, sub_id: str, quantity: int) -> Recorded: ...


def _failed(exc: Pax8Error | SherwebError) -> Sent:
    refused = exc.status is not None and 400 <= exc.status < 500
    return Sent("failed" if refused else "unknown", str(exc), exc.status)


def pax8_product(sub: Pax8Subscription, tenant: Joins) -> str | None:
    """The Microsoft product (skuId, lower case) a Pax8 subscription is: its vendorSkuId, and the skuId
    of the tenant's Microsoft subscription its vendorSubscriptionId names (`tenant`: by the audit's own
    join, auditor.billing.distributor_join); one of them when only one is given, None when neither is or
    the two disagree."""
    tied = tenant.named(sub.vendor_subscription_id)
    named = {sku.lower() for sku in (sub.vendor_sku_id, tied.sku_id if tied else None) if sku}
    return next(iter(named)) if len(named) == 1 else None


def pax8_twins(sub: Pax8Subscription, listed: Sequence[Pax8Subscription], tenant: Joins) -> tuple[str, ...]:
    """The listing's billed subscriptions, `sub` among them, that name the Microsoft subscription `sub`
    names, when two or more do, as the audit finds them (distributor_join.named_twice); else ()."""
    pairs = [(s.id, t.id) for s in listed if s.status in BILLED and (t := tenant.named(s.vendor_subscription_id))]
    return next((tuple(ids) for ids in named_twice(pairs).values() if sub.id in ids), ())


class Pax8Writer:
    name = "Pax8"

    def __init__(self, pax8: Pax8) -> None:
        self.pax8 = pax8

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
        due, stale = due_day(PAX8, sub.commitment_term, sub.billing_term, end, today, ended=True)
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
            twins=pax8_twins(sub, listed, tenant),
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

    def send(self, c: CommerceChange) -> Sent:
        try:
            if c.kind == CANCEL:
                on = date.fromisoformat(c.request.path.rsplit("=", 1)[1])
                answer: Pax8Subscription | None = self.pax8.cancel(c.scope, c.api_id, on)
            else:
                answer = self.pax8.update_quantity(c.scope, c.api_id, c.to or 0)
        except Pax8Error as exc:
            return _failed(exc)
        if c.kind == CANCEL:
            if answer is None or answer.status in CANCELLED:
                return Sent("done")
            return Sent("unknown", f"the answer says status {answer.status or 'not given'}, not a cancellation")
        if answer is None or answer.quantity != c.to:
            got = "no subscription" if answer is None else f"{answer.quantity} seats"
            return Sent("unknown", f"the answer says {got}, the request asked for {c.to}")
        return Sent("done")


class SherwebWriter:
    name = "Sherweb"

    def __init__(self, sherweb: Sherweb, wait: Callable[[float], None] = time.sleep) -> None:
        self.sherweb, self.wait = sherweb, wait

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
        due, stale = due_day(SHERWEB, sub.commitment_term, sub.billing_term, end, today, ended=True)
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
        )

    def recorded(self, scope: str, sub_id: str, quantity: int) -> Recorded:
        del scope, sub_id, quantity  # Sherweb's API documents no history of a subscription's quantity
        return Recorded(False)

    def send(self, c: CommerceChange) -> Sent:
        try:
            amendment = self.sherweb.amend(c.scope, c.api_id, c.to or 0)
        except SherwebError as exc:
            return _failed(exc)
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
