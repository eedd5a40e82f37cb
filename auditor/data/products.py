"""The tenant's products: its subscribedSkus and companySubscriptions (re-exported by auditor.data.model)."""

from __future__ import annotations

import msgspec

# SKUs and subscriptions, like users, are msgspec Structs: the decoder (auditor.snapshot.decode)
# builds them once from the wire types of auditor.snapshot.format.


class PrepaidUnits(msgspec.Struct, frozen=True, gc=False):
    enabled: int = 0
    suspended: int = 0
    warning: int = 0
    locked_out: int = 0


class ServicePlan(msgspec.Struct, frozen=True, gc=False):
    service_plan_id: str
    service_plan_name: str
    provisioning_status: str
    applies_to: str


class Sku(msgspec.Struct, frozen=True, gc=False):
    """A subscribedSku: one product the tenant has bought."""

    id: str
    sku_id: str
    sku_part_number: str
    applies_to: str
    capability_status: str
    consumed_units: int
    prepaid_units: PrepaidUnits
    service_plans: tuple[ServicePlan, ...] = ()

    @property
    def usable(self) -> int:
        """Seats that can be assigned: enabled, plus those in the grace period before suspension
        (prepaidUnits.warning). Suspended and locked-out seats can no longer be used."""
        return self.prepaid_units.enabled + self.prepaid_units.warning

    @property
    def unused(self) -> int:
        return self.usable - self.consumed_units

    @property
    def deleted(self) -> bool:
        """A product whose subscription is gone: Graph lists it as Deleted with no units left."""
        units = self.prepaid_units
        return self.capability_status == "Deleted" and not (
            units.enabled or units.warning or units.suspended or units.locked_out
        )


class Subscription(msgspec.Struct, frozen=True, gc=False):
    """A companySubscription (directory/subscriptions)."""

    id: str
    sku_id: str
    sku_part_number: str
    status: str
    is_trial: bool
    total_licenses: int
    created_date_time: str | None
    next_lifecycle_date_time: str | None
    # the commerce side (None when Graph gave none, or an older snapshot): the id in the admin
    # center's Billing > Your products and in a billing file; who owns the subscription (ownerType
    # "Partner" or another tenant's ownerTenantId: a partner or that tenant buys and reduces it)
    commerce_subscription_id: str | None = None
    owner_id: str | None = None
    owner_tenant_id: str | None = None
    owner_type: str | None = None
