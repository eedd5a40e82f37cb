"""The request a plan's Sherweb change sends (plan.json `bill.distributor[].request`), written by `plan`
and held to and sent by `apply --distributor` and `undo --distributor`:

    amend(customer, id, to)    Sherweb's CreateSubscriptionsAmendment: POST
                               /service-provider/v1/billing/subscriptions/amendments?customerId=customer
                               {subscriptionAmendmentParameters: [{subscriptionId: id, newQuantity: to}]}
    wrong_request(change)      how a plan's change's request differs from it, else None
    Amendments                 its body (plan.json's `request.body`: the Body this distributor owns)

Sherweb's changes are reductions (to at least one seat) and purchases (the quantity up).
"""

from __future__ import annotations

from typing import Self

import msgspec
from msgspec import Struct

from auditor.formats.bill_model import Body, CommerceChange, CommerceRequest


class Amendment(Struct, frozen=True, forbid_unknown_fields=True):
    """One of Sherweb's subscriptionAmendmentParameters (its SubscriptionAmendmentParameter)."""

    subscriptionId: str
    newQuantity: int


class Amendments(Body, frozen=True, kw_only=True):
    """CreateSubscriptionsAmendment's body as plan writes it: the subscriptions' new quantities."""

    subscriptionAmendmentParameters: list[Amendment]

    def with_quantity(self, old: int, new: int) -> Self:
        amended = [
            msgspec.structs.replace(a, newQuantity=new) if a.newQuantity == old else a
            for a in self.subscriptionAmendmentParameters
        ]
        return msgspec.structs.replace(self, subscriptionAmendmentParameters=amended)


def amend(customer_id: str, sub_id: str, to: int) -> CommerceRequest:
    """The amendment plan writes and apply sends: one subscription's new quantity."""
    return CommerceRequest(
        method="POST",
        path=f"/service-provider/v1/billing/subscriptions/amendments?customerId={customer_id}",
        body=Amendments(subscriptionAmendmentParameters=[Amendment(subscriptionId=sub_id, newQuantity=to)]),
    )


def wrong_request(c: CommerceChange) -> str | None:
    """How the change's request is not the one plan writes for it (its shape checked already), else None."""
    assert c.to is not None
    if c.request != amend(c.scope, c.api_id, c.to):
        return f"its request is not Sherweb's amendment of {c.api_id[:60]} to {c.to} seats"
    return None
