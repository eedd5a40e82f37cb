"""Rules over the `catalog:` — approved products and spare-seat limits per product."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import datetime
from typing import ClassVar

from auditor.data.finding import Own
from auditor.data.model import Finding, Severity, Sku, Subject, SubjectType

from ...data.reads import Reads
from ...policy.objects import CatalogEntry, Policy, SpareSeats
from ...policy.yamlsource import PolicyNode
from ..base import Context, D, Rule, parse_when


def sku_subject(sku: Sku) -> Subject:
    return Subject(SubjectType.SKU, sku.sku_id, sku=sku.sku_part_number)


def _next_renewal(ctx: Context, sku: Sku) -> datetime | None:
    """The earliest end of term among the product's paid, active subscriptions (their
    nextLifecycleDateTime while Enabled), from now on; None when not known."""
    dates = [
        when
        for s in ctx.index.subscriptions_of(sku.sku_id, "Enabled")
        if not s.is_trial and (when := parse_when(s.next_lifecycle_date_time)) is not None and when >= ctx.as_of
    ]
    return min(dates) if dates else None


def lapsed_seats(sku: Sku) -> int:
    """The product's seats that can no longer be used: suspended or locked out."""
    return sku.prepaid_units.suspended + sku.prepaid_units.locked_out


class SeatCounts(Own, frozen=True, kw_only=True):
    """A product's seats, as the seat rules' details hold them (catalog_texts.seat_values reads them): each
    written by the rules that count it (None: not counted by this rule, or not in the report, an older one)."""

    optional: ClassVar[frozenset[str]] = frozenset({"enabled", "consumed", "unused", "limit", "min"})
    enabled: int | None = None
    consumed: int | None = None
    unused: int | None = None
    limit: int | None = None  # spare-seats-over-limit: the spare seats the policy allows
    min: int | None = None  # spare-seats-under-minimum: the spare seats the policy wants at least


class SpareSeatsOverLimitDetails(SeatCounts, frozen=True, kw_only=True):
    """`enabled` (usable: enabled + in grace), `consumed`, `unused` (paid: trial seats left out), `limit` (the tightest
    allowed spare count), `max`, `max_percent`, `warning`, `trial`, `renewal` (earliest end of term of the paid,
    enabled subscriptions; null when not known), `renewal_days`"""

    max: int | None = None
    max_percent: float | None = None
    warning: int | None = None  # seats in the grace period (prepaidUnits.warning)
    trial: int | None = None
    renewal: str | None = None  # the next renewal, when the billing file or a subscription shows it
    renewal_days: int | None = None


class SpareSeatsUnderMinimumDetails(SeatCounts, frozen=True, kw_only=True):
    """`enabled` (usable: enabled + in grace), `consumed`, `unused`, `min` (may be null when consumed > enabled)"""

    optional: ClassVar[frozenset[str]] = SeatCounts.optional - {"min"}  # written null too


class SkuNotApprovedDetails(SeatCounts, frozen=True, kw_only=True):
    """`enabled` (usable: enabled + in grace, as the seat table and the summary's in use count them), `consumed`"""


def in_use(sku: Sku) -> str:
    """What is in use of a product, in report.json's English as the report's closing summary says it
    (auditor.report.view.seats.in_use_line): "9 of 10 in use", or, with more assigned than can be
    assigned, why ("9 in use; the subscription has expired (6 licenses in the grace period, 5 suspended)")."""
    used, units = sku.consumed_units, sku.prepaid_units
    if used <= units.enabled + units.warning:
        return f"{used} of {units.enabled + units.warning} in use"
    if units.warning:
        grace = f"{units.warning} license{'s' if units.warning != 1 else ''} in the grace period"
        suspended = f", {units.suspended} suspended" if units.suspended else ""
        return f"{used} in use; the subscription has expired ({grace}{suspended})"
    return f"{used} in use, more than the {units.enabled} licenses that can be assigned"


class CatalogRule(Rule[D]):
    section = "catalog"
    reads = Reads("subscribedSkus")

    def entries(self, policy: Policy, ctx: Context) -> Iterator[tuple[CatalogEntry, Sku]]:
        for entry in policy.catalog or ():
            sid = ctx.index.resolve_sku(entry.sku)
            sku = ctx.index.sku_by_id.get(sid) if sid else None
            if sku is not None and entry.spare_seats is not None:
                yield entry, sku


class SpareSeatsOverLimit(CatalogRule[SpareSeatsOverLimitDetails]):
    """More unused paid seats than the catalog allows (`spare_seats.max` / `max_percent`).

    Unused = usable seats (enabled, plus those in the grace period before suspension) minus consumed ones, not
    counting seats on trial subscriptions (they cost nothing and are never advised away). Free products never exceed
    a limit. The finding says to reduce at the renewal date (term seats only shrink at renewal) and is high severity
    within `renewal_window_days` (default 30) of it.

    Example:
        catalog:
          - sku: SPE_E3
            spare_seats: {max: 10, max_percent: 5}
    """

    id = "spare-seats-over-limit"
    default_severity = Severity.MEDIUM
    key = "spare_seats"
    fragment = {
        "type": "object",
        "additionalProperties": False,
        "minProperties": 1,
        "description": "Limits on unused seats: at most `max` and `max_percent` % of enabled units, at least `min`.",
        "properties": {
            "max": {"type": "integer", "minimum": 0},
            "max_percent": {"type": "number", "minimum": 0, "maximum": 100},
            "min": {"type": "integer", "minimum": 0},
            "renewal_window_days": {
                "type": "integer",
                "minimum": 0,
                "maximum": 366,
                "description": "Days before a renewal in which too many unused seats become high severity "
                "(default 30): seats on a term subscription can only be reduced at renewal.",
            },
        },
    }

    @staticmethod
    def parse(node: PolicyNode) -> SpareSeats | None:
        """A catalog entry's `spare_seats` (the fragment above; spare-seats-under-minimum reads `min`)."""
        raw = node.data
        if not raw:
            return None
        limits = SpareSeats(raw.get("max"), raw.get("max_percent"), raw.get("min"), raw.get("renewal_window_days"))
        if limits.min is not None and limits.max is not None and limits.min > limits.max:
            node.report(f"{node.name}: min ({limits.min}) is above max ({limits.max})")
        return limits

    def configured(self, policy: Policy) -> bool:
        return any(
            e.spare_seats and (e.spare_seats.max is not None or e.spare_seats.max_percent is not None)
            for e in policy.catalog or ()
        )

    def evaluate(self, policy: Policy, ctx: Context) -> Iterator[Finding]:
        for entry, sku in self.entries(policy, ctx):
            limits = entry.spare_seats
            assert limits is not None
            if entry.free:
                continue
            enabled, consumed = sku.usable, sku.consumed_units
            trial = ctx.index.trial_seats(sku.sku_id)
            unused = max(enabled - consumed - trial, 0)
            caps = []
            if limits.max is not None:
                caps.append(limits.max)
            if limits.max_percent is not None:
                caps.append(math.floor(enabled * limits.max_percent / 100))
            if not caps:
                continue
            # never demand fewer spare seats than the policy's own minimum, or both rules would fire at once
            limit = max(min(caps), limits.min or 0)
            if unused <= limit:
                continue
            price = ctx.monthly_price(sku.sku_id)
            renewal = _next_renewal(ctx, sku)
            days = (renewal - ctx.as_of).days if renewal is not None else None
            window = limits.renewal_window_days if limits.renewal_window_days is not None else 30
            yield self.make(
                policy,
                "catalog",
                sku_subject(sku),
                (sku.sku_part_number,),
                # today's counts only: how many seats to drop is the guidance's (the plan's bill, where there is one)
                f"{unused} of {enabled} seats unused; the policy allows {limit}"
                + (f"; the next renewal is on {renewal:%Y-%m-%d}" if renewal else ""),
                SpareSeatsOverLimitDetails(
                    enabled=enabled,
                    consumed=consumed,
                    unused=unused,
                    limit=limit,
                    max=limits.max,
                    max_percent=limits.max_percent,
                    warning=sku.prepaid_units.warning,
                    trial=trial,
                    renewal=renewal.strftime("%Y-%m-%dT%H:%M:%SZ") if renewal else None,
                    renewal_days=days,
                ),
                # inside the window before a renewal: the last chance to reduce this term
                severity=Severity.HIGH if days is not None and 0 <= days <= window else None,
                monthly_cost=round((unused - limit) * price, 2) if price is not None else None,
            )


class SpareSeatsUnderMinimum(CatalogRule[SpareSeatsUnderMinimumDetails]):
    """Fewer spare seats (enabled + in grace − consumed) than `spare_seats.min`, or more seats assigned than usable,
    unless suspended seats explain it.

    Example:
        catalog:
          - sku: SPE_E3
            spare_seats: {min: 2}
    """

    id = "spare-seats-under-minimum"
    default_severity = Severity.HIGH
    key = None  # shares `spare_seats` with spare-seats-over-limit

    def configured(self, policy: Policy) -> bool:
        return bool(policy.catalog)

    def evaluate(self, policy: Policy, ctx: Context) -> Iterator[Finding]:
        seen: set[str] = set()
        for entry in policy.catalog or ():
            sid = ctx.index.resolve_sku(entry.sku)
            sku = ctx.index.sku_by_id.get(sid) if sid else None
            if sku is None or sku.sku_id in seen:
                continue
            seen.add(sku.sku_id)
            enabled, consumed = sku.usable, sku.consumed_units  # grace-period seats are still usable
            unused = enabled - consumed
            minimum = entry.spare_seats.min if entry.spare_seats else None
            if consumed > enabled and lapsed_seats(sku) and consumed <= enabled + lapsed_seats(sku):
                continue  # not a purchase shortfall: the seats exist but are suspended (license-suspended)
            if consumed > enabled:
                message = f"{consumed} seats consumed but only {enabled} usable"
            elif minimum is not None and unused < minimum:
                seats = "seat" if unused == 1 else "seats"  # report.json's own English (native review 8, E12)
                message = f"only {unused} spare {seats}; the policy wants at least {minimum}"
            else:
                continue
            yield self.make(
                policy,
                "catalog",
                sku_subject(sku),
                (sku.sku_part_number,),
                message,
                SpareSeatsUnderMinimumDetails(enabled=enabled, consumed=consumed, unused=unused, min=minimum),
            )


class SkuNotApproved(CatalogRule[SkuNotApprovedDetails]):
    """The tenant subscribes to a product the policy's `catalog` does not list. A deleted product with no units left is
    history, not a finding.

    Example:
        catalog:
          - sku: SPE_E3
          - sku: FLOW_FREE
            free: true
    """

    id = "sku-not-approved"
    default_severity = Severity.MEDIUM
    key = None  # reads the presence of `catalog` itself

    def configured(self, policy: Policy) -> bool:
        return policy.catalog is not None

    def evaluate(self, policy: Policy, ctx: Context) -> Iterator[Finding]:
        if policy.catalog is None:
            return
        approved = ctx.index.resolve_skus(e.sku for e in policy.catalog)
        for sku in sorted(ctx.index.snapshot.skus, key=lambda s: s.sku_part_number):
            if sku.sku_id.lower() in approved or sku.deleted:
                continue  # a deleted product is a record of the past, not a purchase to approve
            yield self.make(
                policy,
                "catalog",
                sku_subject(sku),
                (sku.sku_part_number,),
                f"{sku.sku_part_number} is not in the approved catalog: {in_use(sku)}",
                SkuNotApprovedDetails(
                    enabled=sku.prepaid_units.enabled + sku.prepaid_units.warning, consumed=sku.consumed_units
                ),
            )
