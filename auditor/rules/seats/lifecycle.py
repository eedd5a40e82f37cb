"""Rules over each product's seat lifecycle (prepaidUnits): seats in grace, suspended licenses."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.data.model import Finding, Severity, Sku

from ...policy.objects import Policy
from ..base import Context, D
from .catalog import CatalogRule, SeatCounts, lapsed_seats, sku_subject


class SeatsInGraceDetails(SeatCounts, frozen=True, kw_only=True):
    """`warning` (licenses in the grace period), `enabled`, `consumed`, `lapse` (the Warning subscription's
    nextLifecycleDateTime: suspension; null when not known)"""

    warning: int | None = None  # seats in the grace period; None: not in the report (an older one)
    lapse: str | None = None  # when they lapse: the next lifecycle date of the subscriptions in Warning


class LicenseSuspendedDetails(SeatCounts, frozen=True, kw_only=True):
    """`suspended`, `locked_out`, `usable`, `consumed`, `affected` (holders beyond the usable seats)"""

    suspended: int | None = None  # None: not in the report (an older one)
    locked_out: int | None = None
    usable: int | None = None
    affected: int | None = None  # holders on suspended or locked-out seats


class LifecycleRule(CatalogRule[D]):
    """A check of each product's seat lifecycle (prepaidUnits); runs wherever the policy has a `catalog`."""

    def configured(self, policy: Policy) -> bool:
        return policy.catalog is not None

    def check(self, sku: Sku, ctx: Context) -> tuple[str, D] | None:
        """(message, details) when `sku` offends."""
        raise NotImplementedError

    def evaluate(self, policy: Policy, ctx: Context) -> Iterator[Finding]:
        for sku in sorted(ctx.index.snapshot.skus, key=lambda s: s.sku_part_number):
            found = self.check(sku, ctx)
            if found is not None:
                yield self.make(policy, "catalog", sku_subject(sku), (sku.sku_part_number,), *found)


class SeatsInGrace(LifecycleRule[SeatsInGraceDetails]):
    """Licenses of a product are in the grace period before suspension (`prepaidUnits.warning`): they lapse on the
    subscription's next lifecycle date unless renewed.

    Example:
        catalog:
          - sku: SPE_E3
    """

    id = "seats-in-grace"
    default_severity = Severity.MEDIUM

    def check(self, sku: Sku, ctx: Context) -> tuple[str, SeatsInGraceDetails] | None:
        warning = sku.prepaid_units.warning
        if warning <= 0:
            return None
        # the date the grace period ends: the next lifecycle date of the subscriptions in Warning
        dates = sorted(
            s.next_lifecycle_date_time
            for s in ctx.index.subscriptions_of(sku.sku_id, "Warning")
            if s.next_lifecycle_date_time
        )
        lapse = dates[0] if dates else None
        return (
            f"{warning} licenses are in the grace period and lapse {lapse[:10] if lapse else 'soon'} unless renewed",
            SeatsInGraceDetails(
                warning=warning, enabled=sku.prepaid_units.enabled, consumed=sku.consumed_units, lapse=lapse
            ),
        )


class LicenseSuspended(LifecycleRule[LicenseSuspendedDetails]):
    """Users hold licenses of a product whose units are suspended or locked out: they have lost, or are losing, access.

    Example:
        catalog:
          - sku: SPE_E3
    """

    id = "license-suspended"
    default_severity = Severity.HIGH

    def check(self, sku: Sku, ctx: Context) -> tuple[str, LicenseSuspendedDetails] | None:
        lapsed = lapsed_seats(sku)
        # holders beyond the usable seats are on suspended or locked-out ones
        affected = min(sku.consumed_units - sku.usable, lapsed)
        if lapsed <= 0 or affected <= 0:
            return None
        return (
            f"{affected} of {sku.consumed_units} assigned licenses are on suspended or locked-out seats",
            LicenseSuspendedDetails(
                suspended=sku.prepaid_units.suspended,
                locked_out=sku.prepaid_units.locked_out,
                usable=sku.usable,
                consumed=sku.consumed_units,
                affected=affected,
            ),
        )
