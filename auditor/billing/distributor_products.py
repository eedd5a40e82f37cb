"""A product at the distributor that names more than one Microsoft product (issue 95, point 4): a gap,
never a guess. Which tenant product a distributor's subscription is decides whose seats it counts,
what the plan reduces and what apply changes; a distributor product whose subscriptions say two
things leaves that unknown:

    - the distributor gives one of its products two Microsoft SKU ids (its catalog or its listing:
      the readers mark those subscriptions, DistributorSubscription.ambiguous_sku_ids);
    - a subscription's own ids disagree: the Microsoft subscription it names is of one product, the
      Microsoft SKU it names another, or the tenants entry's products map names a third.

    split(subscriptions, lookups) -> Split
        the subscriptions to match as before; the gaps (one AmbiguousProductFinding per distributor
        product, every one of its billed subscriptions named); the tenant products whose seats are
        not compared; the run's warnings

The reconciliation (auditor.billing.distributor_seats.reconcile) matches none of a gap's
subscriptions and leaves the products it names out of its rows and findings, so the plan reduces
nothing on them: their seats at the distributor are not known.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from auditor.billing.distributor_records import AmbiguousProductFinding, DistributorSubscription


class Tied(Protocol):
    """A tenant subscription as a distributor's subscription names it (distributor_seats.TenantSubscription)."""

    @property
    def part(self) -> str: ...


class Lookups(Protocol):
    """The matcher's lookups (distributor_seats._Matcher): the tenant subscription a distributor's
    subscription names (distributor_join), and by casefolded keys Microsoft's skuId -> the
    tenant's part number, the tenants entry's products map (the distributor's product -> a part number)."""

    def named(self, vendor_id: str | None) -> Tied | None: ...
    @property
    def by_sku(self) -> Mapping[str, str]: ...
    @property
    def mapped(self) -> Mapping[str, str]: ...


@dataclasses.dataclass(frozen=True)
class Split:
    clear: list[DistributorSubscription]
    gaps: list[AmbiguousProductFinding]
    parts: frozenset[str]  # the tenant's products whose seats are not compared
    warnings: list[str]


def _named(sub: DistributorSubscription, lookups: Lookups) -> set[str]:
    """The Microsoft products `sub` names (tenant part numbers, else Microsoft's SKU ids), by each of
    its ids: more than one is a gap."""
    if sub.ambiguous_sku_ids:
        return {lookups.by_sku.get(i.casefold(), i) for i in sub.ambiguous_sku_ids}
    tied = lookups.named(sub.vendor_subscription_id)
    said = (
        tied.part if tied is not None else None,
        lookups.by_sku.get((sub.vendor_sku_id or "").casefold()),
        lookups.mapped.get(sub.product_id.lower()),
    )
    return {part for part in said if part}


def split(
    subscriptions: Sequence[DistributorSubscription],
    lookups: Lookups,
    *,
    billed: Callable[[DistributorSubscription], bool],
    vendor: str,
) -> Split:
    """The subscriptions split into those matched as before and the gaps: a distributor product
    (productId, casefolded) one of whose billed subscriptions names two or more Microsoft products
    takes all its subscriptions into the gap. `billed`: whether a subscription is billed
    (distributor_seats.billed_on)."""
    named = {id(s): _named(s, lookups) for s in subscriptions}
    ambiguous = {s.product_id.casefold() for s in subscriptions if billed(s) and len(named[id(s)]) > 1}
    if not ambiguous:
        return Split(list(subscriptions), [], frozenset(), [])
    gaps: dict[str, tuple[str, set[str], list[str]]] = {}
    for sub in subscriptions:
        key = sub.product_id.casefold()
        if key in ambiguous and billed(sub):
            _, products, ids = gaps.setdefault(key, (sub.product_id, set(), []))
            products |= named[id(sub)]
            ids.append(sub.id)
    findings = [
        AmbiguousProductFinding(sku=sku, products=sorted(products), subscriptions=sorted(ids))
        for sku, products, ids in sorted(gaps.values())
    ]
    warnings = [
        f"{vendor} product {f.sku!r} names more than one Microsoft product ({', '.join(f.products)}): its "
        f"subscriptions {', '.join(f.subscriptions)} are matched to none, and the seats of "
        f"{', '.join(f.products)} are not compared (nothing is planned on them)"
        for f in findings
    ]
    return Split(
        [s for s in subscriptions if s.product_id.casefold() not in ambiguous],
        findings,
        frozenset(p for f in findings for p in f.products),
        warnings,
    )
