"""The requests a plan's Pax8 change sends (plan.json `bill.distributor[].request`): one home for `plan`,
which writes them, and `apply --distributor` / `undo --distributor`, which hold a change to them and send them.

    Update                     its body (plan.json's `request.body`: the Body this distributor owns)
    update(id, to)             Pax8's "Update Subscription": PUT /v1/subscriptions/{id} {"quantity": to}
    cancel(id, on)             Pax8's "Cancel Subscription": DELETE /v1/subscriptions/{id}?cancelDate=on
    wrong_request(change)      how a plan's change's request differs from the one Pax8 is sent, else None

A reduction keeps at least one seat; a change that takes a subscription's whole quantity is a
cancellation (`kind: cancel`, `to: 0`), its cancelDate the day it can be made first (the plan's day,
or the commitment's end: `saving_from`).
"""

from __future__ import annotations

from typing import Self

import msgspec

from auditor.formats.bill_model import Body, CommerceChange, CommerceRequest
from auditor.vendors.protocols import CANCEL


class Update(Body, frozen=True, kw_only=True):
    """Update Subscription's body as plan writes it: only the subscription's new quantity (Pax8's
    Subscription's `quantity`); any other key is refused as plan.json is read."""

    quantity: int

    def with_quantity(self, old: int, new: int) -> Self:
        return msgspec.structs.replace(self, quantity=new) if self.quantity == old else self


def path(sub_id: str) -> str:
    """The path of one Pax8 subscription (relative to the API's root, as plan.json shows it)."""
    return f"/v1/subscriptions/{sub_id}"


def update(sub_id: str, to: int) -> CommerceRequest:
    """The quantity change plan writes and apply sends: only the quantity."""
    return CommerceRequest(method="PUT", path=path(sub_id), body=Update(quantity=to))


def cancel(sub_id: str, on: str) -> CommerceRequest:
    """The cancellation plan writes: DELETE with the cancelDate (YYYY-MM-DD), no body."""
    return CommerceRequest(method="DELETE", path=f"{path(sub_id)}?cancelDate={on}", body=None)


def wrong_request(c: CommerceChange) -> str | None:
    """How the change's request is not the one plan writes for it (its shape checked already), else None."""
    assert c.to is not None
    if c.kind == CANCEL:
        on = str(c.saving_from)
        if c.request != cancel(c.api_id, on):
            return f"its request is not DELETE {path(c.api_id[:60])}?cancelDate={on}"
        return None
    if c.request != update(c.api_id, c.to):
        return f"its request is not PUT {path(c.api_id[:60])} {{'quantity': {c.to}}}"
    return None
