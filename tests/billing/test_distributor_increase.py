"""A purchase's request is each distributor's own (auditor.vendors.<name>.requests, through the Distributor
Protocol's `increase`), and apply holds a plan's purchase to it: up from `from` by `seats`, the request the
vendor writes, else refused naming why."""

from __future__ import annotations

import msgspec

from auditor.distributor.distributor_requests import INCREASE, shape_error
from auditor.formats.bill_model import CommerceChange
from auditor.vendors.registry import DISTRIBUTORS


def _purchase(source: str, frm: int, to: int, seats: int) -> CommerceChange:
    scope = "customer-1"
    return CommerceChange(
        n=1,
        kind=INCREASE,
        source=source,
        scope=scope,
        api_id="sub-1",
        subscription=None,
        sku="SPE_E3",
        sku_id=None,
        from_=frm,
        to=to,
        seats=seats,
        window="any_time",
        not_before=None,
        by=None,
        monthly_saving=-33.75,
        saving_from=None,
        request=DISTRIBUTORS[source].api.quantity(scope, "sub-1", to),
    )


def test_each_distributor_writes_its_own_purchase_request() -> None:
    pax8 = DISTRIBUTORS["pax8"].api.quantity("ignored", "sub-1", 211)
    sherweb = DISTRIBUTORS["sherweb"].api.quantity("customer-1", "sub-1", 211)
    assert (pax8.method, pax8.path, msgspec.to_builtins(pax8.body)) == (
        "PUT",
        "/v1/subscriptions/sub-1",
        {"quantity": 211},
    )
    assert sherweb.method == "POST" and sherweb.path.endswith("amendments?customerId=customer-1")
    assert msgspec.to_builtins(sherweb.body) == {
        "subscriptionAmendmentParameters": [{"subscriptionId": "sub-1", "newQuantity": 211}]
    }


def test_apply_holds_a_purchase_to_its_shape_and_its_vendors_request() -> None:
    for source in ("pax8", "sherweb"):
        assert shape_error(_purchase(source, 210, 211, 1)) is None
        wrong = shape_error(_purchase(source, 210, 212, 1))
        assert wrong == "a purchase goes from 210 up to more seats, 1 more, not to 212"
        assert shape_error(_purchase(source, 210, 209, -1)) is not None
        other = msgspec.structs.replace(
            _purchase(source, 210, 211, 1), request=DISTRIBUTORS[source].api.quantity("customer-1", "sub-1", 215)
        )
        assert "its request is not" in str(shape_error(other))
