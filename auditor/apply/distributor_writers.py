"""The distributors `apply --distributor` writes to, behind one small interface (auditor.apply.distributor
runs the changes, journals them and re-checks the tenant's seats; a writer re-reads its own
subscription and sends its own request):

    Writer.name                     "Pax8", "Sherweb": as messages name it
    Writer.differs(change, today)   the subscription re-read at the call: why the change no longer
                                    fits it, else None
    Writer.now(scope, id)           its quantity and whether it can be written (undo's re-read)
    Writer.send(change)             the request sent, its outcome: Sent(done | failed | unknown)

Pax8 (auditor.billing.pax8): "Update Subscription" (PUT, a quantity) and "Cancel Subscription" (DELETE
?cancelDate), the answer the subscription. Sherweb (auditor.billing.sherweb): CreateSubscriptionsAmendment
(POST, a new quantity), whose answer is only the amendment's id: its status is asked
(GetSubscriptionsAmendmentStatus) up to POLLS times, WAIT seconds apart, while Pending or Processing;
Success is done once the re-read subscription has the new quantity, Failure or Canceled failed,
anything else unknown (the journal names the amendment, for a person to check).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from auditor.formats.bill_model import CommerceChange

from ..billing.pax8 import Pax8, Pax8Error, Pax8Subscription
from ..billing.sherweb import Sherweb, SherwebError
from ..plan.distributor_requests import CANCEL

WRITABLE = ("Active", "Activated")  # the statuses Pax8 bills whose quantity apply changes
CANCELLED = ("Cancelled", "PendingCancel")  # a cancellation's answer: cancelled, or at its cancelDate
POLLS, WAIT = 5, 2.0  # Sherweb's amendment status: asked at most 5 times, 2 seconds apart


class Unread(Exception):
    """The subscription could not be re-read (the distributor's error, in one line)."""


@dataclass(frozen=True)
class Sent:
    outcome: str  # done, failed (a 4xx: nothing changed) or unknown
    note: str = ""
    status: int | None = None


@dataclass(frozen=True)
class Now:
    """A subscription as undo re-reads it."""

    quantity: int
    writable: bool
    status: str


class Writer(Protocol):
    name: str

    def differs(self, c: CommerceChange, today: date) -> str | None: ...
    def now(self, scope: str, sub_id: str) -> Now: ...
    def send(self, c: CommerceChange) -> Sent: ...


def _failed(exc: Pax8Error | SherwebError) -> Sent:
    refused = exc.status is not None and 400 <= exc.status < 500
    return Sent("failed" if refused else "unknown", str(exc), exc.status)


class Pax8Writer:
    name = "Pax8"

    def __init__(self, pax8: Pax8) -> None:
        self.pax8 = pax8

    def differs(self, c: CommerceChange, today: date) -> str | None:
        try:
            sub = self.pax8.subscription(c.scope, c.api_id)
        except Pax8Error as exc:
            return f"could not re-read the Pax8 subscription: {exc}"
        if sub.status not in WRITABLE:
            return f"its status at Pax8 is {sub.status or 'not given'}"
        if sub.start and sub.start[:10] > today.isoformat():
            return f"it starts on {sub.start[:10]}: Pax8 does not update a subscription with a future date"
        if sub.quantity != c.from_:
            return f"it now has {sub.quantity} seats at Pax8, the plan counted {c.from_}"
        return None

    def now(self, scope: str, sub_id: str) -> Now:
        try:
            sub = self.pax8.subscription(scope, sub_id)
        except Pax8Error as exc:
            raise Unread(str(exc)) from None
        return Now(sub.quantity, sub.status in WRITABLE, sub.status)

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

    def differs(self, c: CommerceChange, today: date) -> str | None:
        try:
            seats = self.sherweb.seats(c.scope, c.api_id)
        except SherwebError as exc:
            return f"could not re-read the Sherweb subscription: {exc}"
        if seats.quantity != c.from_:
            return f"it now has {seats.quantity} seats at Sherweb, the plan counted {c.from_}"
        least = seats.least(today)
        if (c.to or 0) < least:
            return (
                f"Sherweb takes no fewer than {least} seats today (its committedMinimalQuantities): "
                "plan again when its term renews"
            )
        return None

    def now(self, scope: str, sub_id: str) -> Now:
        try:
            seats = self.sherweb.seats(scope, sub_id)
        except SherwebError as exc:
            raise Unread(str(exc)) from None
        return Now(seats.quantity, True, "listed")

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
