"""The requests a plan's distributor change sends (plan.json `bill.distributor[].request`): one home for
`plan`, which writes them, and `apply --distributor`, which holds a change to them and sends them.

    pax8_update(id, to)        Pax8's "Update Subscription": PUT /v1/subscriptions/{id} {"quantity": to}
    pax8_cancel(id, on)        Pax8's "Cancel Subscription": DELETE /v1/subscriptions/{id}?cancelDate=on
    sherweb_amend(customer, id, to)   Sherweb's CreateSubscriptionsAmendment: POST
                               /service-provider/v1/billing/subscriptions/amendments?customerId=customer
                               {subscriptionAmendmentParameters: [{subscriptionId: id, newQuantity: to}]}
    shape_error(change)        what is wrong with a plan's distributor change (a hand edit), else None

A reduction keeps at least one seat; a change that takes a Pax8 subscription's whole quantity is a
cancellation (`kind: cancel`, `to: 0`), its cancelDate the day it can be made first (the plan's day,
or the commitment's end: `saving_from`). Sherweb's changes are reductions only (to at least one seat).
"""

from __future__ import annotations

from datetime import date

from auditor.formats.bill_model import Amendment, CommerceChange, CommerceRequest, RequestBody

PAX8, SHERWEB = "pax8", "sherweb"
REDUCE, CANCEL = "reduce", "cancel"
INCREASE = "increase"  # a purchase: the subscription's quantity up by the seats the bill buys (distributor.purchases)


def pax8_path(sub_id: str) -> str:
    """The path of one Pax8 subscription (relative to the API's root, as plan.json shows it)."""
    return f"/v1/subscriptions/{sub_id}"


def pax8_update(sub_id: str, to: int) -> CommerceRequest:
    """The quantity change plan writes and apply sends: only the quantity."""
    return CommerceRequest(method="PUT", path=pax8_path(sub_id), body=RequestBody(quantity=to))


def pax8_cancel(sub_id: str, on: str) -> CommerceRequest:
    """The cancellation plan writes: DELETE with the cancelDate (YYYY-MM-DD), no body."""
    return CommerceRequest(method="DELETE", path=f"{pax8_path(sub_id)}?cancelDate={on}", body=None)


def sherweb_amend(customer_id: str, sub_id: str, to: int) -> CommerceRequest:
    """The amendment plan writes and apply sends: one subscription's new quantity."""
    return CommerceRequest(
        method="POST",
        path=f"/service-provider/v1/billing/subscriptions/amendments?customerId={customer_id}",
        body=RequestBody(subscriptionAmendmentParameters=[Amendment(subscriptionId=sub_id, newQuantity=to)]),
    )


def _iso_day(text: str | None) -> bool:
    try:
        return text is not None and len(text) == 10 and date.fromisoformat(text).isoformat() == text
    except ValueError:
        return False


def shape_error(c: CommerceChange) -> str | None:
    """What is wrong with a plan's distributor change (a hand edit), else None: a Pax8 reduction to at
    least one seat, or a Pax8 cancellation of the whole quantity, and the request plan writes for it."""
    frm, to, seats = c.from_, c.to, c.seats
    kinds = (REDUCE, CANCEL, INCREASE) if c.source == PAX8 else (REDUCE, INCREASE) if c.source == SHERWEB else ()
    if c.kind not in kinds:
        return "it is not a Pax8 reduction, cancellation or purchase, nor a Sherweb reduction or purchase"
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (frm, to, seats)):
        return "its from, to and seats must be whole numbers"
    assert frm is not None and to is not None
    if c.kind == INCREASE and (not 1 <= frm < to or seats != to - frm):
        return f"a purchase goes from {frm} up to more seats, {seats} more, not to {to}"
    if c.kind == CANCEL:
        if frm < 1 or to != 0 or seats != frm:
            return f"a cancellation takes the whole quantity ({frm} seats) to 0, not {seats} seats to {to}"
        on = c.saving_from
        if not _iso_day(on) or (c.not_before is not None and c.not_before != on):
            return f"its cancelDate {str(on)[:20]!r} is not the day it can be made (YYYY-MM-DD)"
        assert on is not None
        if c.request != pax8_cancel(c.api_id, on):
            return f"its request is not DELETE {pax8_path(c.api_id[:60])}?cancelDate={on}"
        return None
    if c.kind == REDUCE and (not 1 <= to < frm or seats != frm - to):
        return f"a reduction goes from {frm} down to at least one seat, {seats} fewer, not to {to}"
    if c.source == SHERWEB:
        if c.request != sherweb_amend(c.scope, c.api_id, to):
            return f"its request is not Sherweb's amendment of {c.api_id[:60]} to {to} seats"
        return None
    if c.request != pax8_update(c.api_id, to):
        return f"its request is not PUT {pax8_path(c.api_id[:60])} {{'quantity': {to}}}"
    return None
