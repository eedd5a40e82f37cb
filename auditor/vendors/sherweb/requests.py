"""The request a plan's Sherweb change sends (plan.json `bill.distributor[].request`), written by `plan`
and held to and sent by `apply --distributor` and `undo --distributor`:

    amend(customer, id, to)    Sherweb's CreateSubscriptionsAmendment: POST
                               /service-provider/v1/billing/subscriptions/amendments?customerId=customer
                               {subscriptionAmendmentParameters: [{subscriptionId: id, newQuantity: to}]}
    wrong_request(change)      how a plan's change's request differs from it, else None

Sherweb's changes are reductions (to at least one seat) and purchases (the quantity up).
"""

from __future__ import annotations

from auditor.formats.bill_model import Amendment, CommerceChange, CommerceRequest, RequestBody


def amend(customer_id: str, sub_id: str, to: int) -> CommerceRequest:
    """The amendment plan writes and apply sends: one subscription's new quantity."""
    return CommerceRequest(
        method="POST",
        path=f"/service-provider/v1/billing/subscriptions/amendments?customerId={customer_id}",
        body=RequestBody(subscriptionAmendmentParameters=[Amendment(subscriptionId=sub_id, newQuantity=to)]),
    )


def wrong_request(c: CommerceChange) -> str | None:
    """How the change's request is not the one plan writes for it (its shape checked already), else None."""
    assert c.to is not None
    if c.request != amend(c.scope, c.api_id, c.to):
        return f"its request is not Sherweb's amendment of {c.api_id[:60]} to {c.to} seats"
    return None
