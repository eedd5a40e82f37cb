"""The subscriptions the billing APIs answer, decoded at their border into the fields
auditor.billing.facts reads (every other field is dropped): a billing account's
`billingSubscriptions` item (Microsoft.Billing 2024-04-01, BillingSubscription and its properties)
and Partner Center's `Subscription` resource (and the product its renewal keeps, next_term_product;
the session that reads them, PartnerSession). A value stays `object` until facts reads it: a value
of another type than the one documented is read as not given, as before."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import msgspec


class SystemOverrides(msgspec.Struct, frozen=True, rename="camel"):
    """BillingSubscription.properties.systemOverrides: whether and until when it may be cancelled."""

    cancellation: object = None
    cancellation_allowed_end_date: object = None


class BillingProperties(msgspec.Struct, frozen=True, rename="camel"):
    """The properties of a billing account's billingSubscription that facts reads."""

    sku_description: object = None
    product_type_id: object = None
    sku_id: object = None
    beneficiary_tenant_id: object = None
    provisioning_tenant_id: object = None
    quantity: object = None
    term_duration: object = None
    term_start_date: object = None
    term_end_date: object = None
    billing_frequency: object = None
    auto_renew: object = None
    system_overrides: SystemOverrides | None = None
    status: object = None


class BillingSubscription(msgspec.Struct, frozen=True):
    """One `billingSubscriptions` item: its name, its resource id and its properties."""

    name: object = None
    id: object = None
    properties: BillingProperties | None = None


class RefundableDetail(msgspec.Struct, frozen=True, rename="camel"):
    """One seat addition of refundableQuantity: its seats, refundable until allowedUntilDateTime."""

    allowed_until_date_time: object = None
    quantity: object = None


class Refundable(msgspec.Struct, frozen=True):
    details: list[RefundableDetail] | None = None


class ResourceAttributes(msgspec.Struct, frozen=True):
    etag: object = None


class PartnerSubscription(msgspec.Struct, frozen=True, rename="camel"):
    """A Partner Center `Subscription` resource (GET /v1/customers/{id}/subscriptions), the fields
    facts reads."""

    id: object = None
    offer_id: object = None
    offer_name: object = None
    quantity: object = None
    term_duration: object = None
    effective_start_date: object = None
    creation_date: object = None
    commitment_end_date: object = None
    billing_cycle: object = None
    auto_renew_enabled: object = None
    cancellation_allowed_until_date: object = None
    status: object = None
    is_trial: object = None
    refundable_quantity: Refundable | None = None
    attributes: ResourceAttributes | None = None


class ProductTerm(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Partner Center's ProductTerm (scheduledNextTermInstructions.product: productId, skuId,
    availabilityId, billingCycle and termDuration, each required), its keys in this order."""

    productId: str
    skuId: str
    availabilityId: str
    billingCycle: str
    termDuration: str


def next_term_product(offer_id: object, billing_cycle: object, term_duration: object) -> ProductTerm | None:
    """scheduledNextTermInstructions.product (Partner Center's ProductTerm: productId, skuId,
    availabilityId, billingCycle and termDuration, each required) that renews the subscription into
    its own offer and term: a new-commerce subscription's `offerId` is productId:skuId:availabilityId.
    None when the subscription does not give all five (then no reduction is scheduled through the API)."""
    parts = str(offer_id or "").split(":")
    if (
        len(parts) != 3
        or not all(parts)
        or not isinstance(billing_cycle, str)
        or not billing_cycle
        or not isinstance(term_duration, str)
        or not term_duration
    ):
        return None
    return ProductTerm(parts[0], parts[1], parts[2], billing_cycle, term_duration)


class PartnerSession(Protocol):
    """One session with Partner Center (auditor.vendors.partner_center.client.PartnerCenter), as the
    layers that hold one for a run see it: a paced, retried call, and its close."""

    def request(
        self, method: str, path: str, customer: str, *, headers: Mapping[str, str] | None = None, body: Any = None
    ) -> Any: ...
    def close(self) -> None: ...
    def __enter__(self) -> PartnerSession: ...
    def __exit__(self, *exc: object) -> None: ...
