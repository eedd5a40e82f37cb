"""The price a seat costs now, where a source read at the run gives one (docs/policy.md, "Prices that
have moved"): the policy's `price` was written on some earlier day, and Microsoft's price list changes
at renewal, so a price the run reads is the newer one.

    current_prices(skus, subscriptions, billing, seats, currency) -> {skuId (lower): CurrentPrice}

A product's current price is, first, the billing file's `unit_price` (the invoice's price of a seat a
month) when every subscription of the product that is enabled has a row with one and the same price;
else the distributor's price of the seat for the customer (Pax8's `price`) when all its billed
subscriptions of the product give one and the same. A price in another currency than the policy's is
never taken (amounts in two currencies are not added); two prices that differ are not chosen between.
The engine (auditor.evaluation.engine) uses it in place of a policy price that differs from it, and the seat
table names both.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from auditor.billing.distributor_join import TenantSubscription
from auditor.billing.distributor_records import Payload
from auditor.billing.distributor_seats import Product, day_of, reconcile
from auditor.billing.file import BillingFile
from auditor.data.model import Sku, Subscription

BILLING_FILE = "billing_file"  # SeatRow.price_source of the billing file's unit_price


@dataclasses.dataclass(frozen=True)
class CurrentPrice:
    monthly: float
    source: str  # BILLING_FILE, or the distributor's name (pax8)


def _one(prices: Sequence[float]) -> float | None:
    """The one price of them all (to the cent), else None."""
    cents = {round(p, 2) for p in prices}
    return cents.pop() if len(cents) == 1 else None


def _from_file(
    billing: BillingFile | None, subscriptions: Sequence[Subscription], currency: str | None
) -> dict[str, float]:
    if billing is None:
        return {}
    by_sku: dict[str, list[float | None]] = {}
    for sub in subscriptions:
        if sub.status.lower() != "enabled":
            continue
        row = billing.row_for(sub)
        price = row.unit_price if row is not None else None
        if row is not None and row.currency and currency and row.currency != currency:
            price = None  # another currency's: never this product's price
        by_sku.setdefault(sub.sku_id.lower(), []).append(price)
    out: dict[str, float] = {}
    for sid, prices in by_sku.items():
        given = [p for p in prices if p is not None]
        one = _one(given) if len(given) == len(prices) else None
        if one is not None:
            out[sid] = one
    return out


def _from_distributor(
    skus: Sequence[Sku], subscriptions: Sequence[Subscription], seats: Payload | None, currency: str | None
) -> dict[str, tuple[float, str]]:
    if not seats or seats.get("error") or not currency:
        return {}
    seller = seats["seller"]
    tenant = [TenantSubscription.of(s) for s in subscriptions if s.sku_part_number]
    rows = [Product(s.sku_part_number, s.sku_id) for s in skus if s.sku_part_number]
    subs = list(seats.get("subscriptions") or [])
    found = reconcile(seats.get("block") or {}, rows, subs, tenant, seller, day_of(seats))
    ids = {s.sku_part_number.upper(): s.sku_id.lower() for s in skus if s.sku_part_number}
    out: dict[str, tuple[float, str]] = {}
    for product in found.products or []:
        sid = ids.get(product.sku.upper())
        if sid and product.price is not None and product.currency == currency:
            out[sid] = (round(product.price, 2), seller.key)
    return out


def current_prices(
    skus: Sequence[Sku],
    subscriptions: Sequence[Subscription],
    billing: BillingFile | None,
    seats: Payload | None,
    currency: str | None,
) -> dict[str, CurrentPrice]:
    """Each product's price read at the run, by skuId (lower case): the billing file's, else the
    distributor's (see the module's docstring); `currency`: the policy's."""
    out = {
        sid: CurrentPrice(price, source)
        for sid, (price, source) in _from_distributor(skus, subscriptions, seats, currency).items()
    }
    out.update(
        {sid: CurrentPrice(price, BILLING_FILE) for sid, price in _from_file(billing, subscriptions, currency).items()}
    )
    return out
