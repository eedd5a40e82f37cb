"""The subscriptions the billing APIs answer, decoded at their border into the fields
auditor.billing.facts reads (every other field is dropped): a billing account's
`billingSubscriptions` item (Microsoft.Billing 2024-04-01, BillingSubscription and its properties)
and Partner Center's `Subscription` resource. A value stays `object` until facts reads it: a value
of another type than the one documented is read as not given, as before."""

from __future__ import annotations

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
