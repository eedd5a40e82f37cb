"""SKUs and subscriptions: Graph's subscribedSkus and directory/subscriptions items become model
Structs, a malformed one is named by its field (the field found by walking the value along its wire
type, not from msgspec's error text), and old snapshots read as before."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec
import pytest

from auditor.common.errors import SnapshotError
from auditor.data.model import PrepaidUnits, ServicePlan, Sku, Subscription
from auditor.snapshot import (
    BadValue,
    load_snapshot,
    sku_from_graph,
    sku_to_json,
    subscription_from_graph,
    subscription_to_json,
)
from auditor.snapshot.format import _UserSignIn
from auditor.snapshot.problems import problem

from .factory import E3, tenant, user

SKU: dict[str, Any] = {
    "id": f"tid_{E3}",
    "skuId": E3,
    "skuPartNumber": "SPE_E3",
    "appliesTo": "User",
    "capabilityStatus": "Enabled",
    "consumedUnits": 7,
    "prepaidUnits": {"enabled": 10, "suspended": 1, "warning": 2, "lockedOut": 3},
    "servicePlans": [
        {
            "servicePlanId": "efb87545-963c-4e0d-99df-69c6916d9eb0",
            "servicePlanName": "EXCHANGE_S_ENTERPRISE",
            "provisioningStatus": "Success",
            "appliesTo": "User",
        }
    ],
}
SUBSCRIPTION: dict[str, Any] = {
    "id": "sub-1",
    "skuId": E3,
    "skuPartNumber": "SPE_E3",
    "status": "Enabled",
    "isTrial": False,
    "totalLicenses": 10,
    "createdDateTime": "2024-03-01T00:00:00Z",
    "nextLifecycleDateTime": "2027-03-01T00:00:00Z",
    "commerceSubscriptionId": "c-sub-1",
    "ownerId": "owner-1",
    "ownerTenantId": "partner-tenant",
    "ownerType": "User",
}


def test_a_sku_and_a_subscription_are_decoded_into_structs_and_written_back_as_read() -> None:
    sku = sku_from_graph(SKU)
    plan = ServicePlan("efb87545-963c-4e0d-99df-69c6916d9eb0", "EXCHANGE_S_ENTERPRISE", "Success", "User")
    assert sku == Sku(f"tid_{E3}", E3, "SPE_E3", "User", "Enabled", 7, PrepaidUnits(10, 1, 2, 3), (plan,))
    assert isinstance(sku, msgspec.Struct) and (sku.usable, sku.unused) == (12, 5)
    assert sku_to_json(sku) == SKU
    sub = subscription_from_graph(SUBSCRIPTION)
    assert isinstance(sub, msgspec.Struct) and subscription_to_json(sub) == SUBSCRIPTION
    assert (sub.commerce_subscription_id, sub.owner_id, sub.owner_tenant_id, sub.owner_type) == (
        "c-sub-1",
        "owner-1",
        "partner-tenant",
        "User",
    )


def test_what_graph_may_leave_out_or_null_reads_as_the_defaults() -> None:
    sku = sku_from_graph(
        {
            "skuId": E3,
            "skuPartNumber": "SPE_E3",
            "appliesTo": None,
            "capabilityStatus": None,
            "prepaidUnits": None,
            "servicePlans": None,
        }
    )
    assert (
        sku.id,
        sku.applies_to,
        sku.capability_status,
        sku.consumed_units,
        sku.prepaid_units,
        sku.service_plans,
    ) == ("", "", "Enabled", 0, PrepaidUnits(), ())
    sub = subscription_from_graph({"id": "s", "skuId": E3, "skuPartNumber": None, "status": None})
    assert (sub.sku_part_number, sub.status, sub.is_trial, sub.total_licenses, sub.next_lifecycle_date_time) == (
        "",
        "Enabled",
        False,
        0,
        None,
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"skuId": None}, "skuId: missing"),
        ({"skuPartNumber": ""}, "skuPartNumber: empty"),
        ({"consumedUnits": -3}, "consumedUnits: -3 is negative"),
        ({"consumedUnits": "7"}, "consumedUnits: expected an integer, got a string"),
        ({"consumedUnits": True}, "consumedUnits: expected an integer, got true/false"),
        ({"consumedUnits": 7.5}, "consumedUnits: expected an integer, got a number"),
        ({"prepaidUnits": []}, "prepaidUnits: expected an object or null, got a list"),
        ({"prepaidUnits": {"enabled": 10, "lockedOut": -1}}, "prepaidUnits.lockedOut: -1 is negative"),
        ({"prepaidUnits": {"warning": None}}, "prepaidUnits.warning: missing"),
        ({"servicePlans": [["x"]]}, "servicePlans[0]: expected an object, got a list"),
        ({"servicePlans": [{"servicePlanName": "X"}]}, "servicePlans[0].servicePlanId: missing"),
        (
            {"servicePlans": [SKU["servicePlans"][0], {"servicePlanId": "p", "appliesTo": 1}]},
            "servicePlans[1].appliesTo: expected a string or null, got an integer",
        ),
        ({"capabilityStatus": {}}, "capabilityStatus: expected a string or null, got an object"),
    ],
)
def test_a_malformed_sku_is_named_by_its_field(change: dict[str, Any], message: str) -> None:
    with pytest.raises(BadValue) as caught:
        sku_from_graph({**SKU, **change})
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"id": ""}, "id: empty"),
        ({"skuId": 5}, "skuId: expected a string, got an integer"),
        ({"isTrial": "no"}, "isTrial: expected true/false, got a string"),
        ({"totalLicenses": -1}, "totalLicenses: -1 is negative"),
        ({"nextLifecycleDateTime": "2026-13-01"}, "nextLifecycleDateTime: '2026-13-01' is not an ISO-8601 date-time"),
    ],
)
def test_a_malformed_subscription_is_named_by_its_field(change: dict[str, Any], message: str) -> None:
    with pytest.raises(BadValue) as caught:
        subscription_from_graph({**SUBSCRIPTION, **change})
    assert str(caught.value) == message


def test_not_an_object_is_named() -> None:
    with pytest.raises(BadValue) as caught:
        sku_from_graph([SKU])
    assert str(caught.value) == "expected an object, got a list"
    with pytest.raises(BadValue) as caught:
        subscription_from_graph("sub-1")
    assert str(caught.value) == "expected an object, got a string"


def test_a_snapshot_names_the_item_and_the_field(tmp_path: Path) -> None:
    doc = tenant([user("a", "SPE_E3")], subscriptions=[SUBSCRIPTION, {**SUBSCRIPTION, "totalLicenses": "ten"}])
    path = tmp_path / "snap.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(SnapshotError) as caught:
        load_snapshot(path)
    assert str(caught.value) == (
        f"{path}: invalid snapshot: subscriptions[1] (sub-1).totalLicenses: expected an integer, got a string"
    )


def test_an_old_snapshot_without_the_optional_fields_still_reads(tmp_path: Path) -> None:
    old = tenant(
        [user("a", "SPE_E3")],
        skus=[{"skuId": E3, "skuPartNumber": "SPE_E3", "consumedUnits": 1, "prepaidUnits": {"enabled": 10}}],
        subscriptions=[{"id": "s", "skuId": E3}],
    )
    path = tmp_path / "old.json"
    path.write_text(json.dumps(old), encoding="utf-8")
    snap = load_snapshot(path)
    assert snap.skus[0].prepaid_units == PrepaidUnits(10, 0, 0, 0) and snap.skus[0].capability_status == "Enabled"
    assert snap.subscriptions[0] == Subscription("s", E3, "", "Enabled", False, 0, None, None)


def test_the_walk_finds_every_misfit_msgspec_refuses() -> None:
    """`problem` is the only way a malformed value is named: wherever msgspec refuses a user, the
    walk names a field, and where msgspec accepts one, the walk finds nothing."""
    good = user("a", "SPE_E3")
    assert problem(good, _UserSignIn) is None
    msgspec.convert(good, _UserSignIn, strict=True)
    for key in good:
        bad: Any
        for bad in (None, 1, "x", [], {}, True):
            raw = {**good, key: bad}
            try:
                msgspec.convert(raw, _UserSignIn, strict=True)
                refused = False
            except msgspec.ValidationError:
                refused = True
            assert (problem(raw, _UserSignIn) is not None) == refused, (key, bad)
