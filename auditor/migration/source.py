"""Rule 5, the source's side: the seats the moves free go into the source's schedule, with the bill's
commerce windows and owners (auditor.billing: 7 days, renewal, partner, VLSC, trial).

The window is judged on the day the seats are free: the first move of that product that completes
(a license is removed only after the user's move is verified). When every assigned seat of a product
leaves, its subscriptions are cancelled, never deleted, and the lifecycle (expired 30 days, disabled
90 days, deleted; data gone at the latest 180 days after) is said."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from ..billing import BillingFile, CommerceAction, Confidence, commerce_action, opening
from ..model import Subscription, TenantSnapshot
from .plan import SourceBill

LIFECYCLE_DAYS = {"expired": 30, "disabled": 90, "deleted_at_the_latest": 180}  # facts: commerce.lifecycle


def _action_json(subscription: Subscription, action: CommerceAction, price: float | None) -> dict[str, Any]:
    """The bill's action object (the bill issue's contract), for one source subscription."""
    out: dict[str, Any] = {
        "subscription": subscription.commerce_subscription_id or subscription.id,
        "sku": subscription.sku_part_number, "action": action.action.value, "seats": action.seats,
        "from": action.from_seats, "to": action.to_seats,
        "not_before": action.not_before.isoformat() if action.not_before else None,
        "by": action.by.isoformat() if action.by else None, "window": action.window.value,
        "owner": action.owner.value,
        "monthly_saving": round(action.seats * price, 2) if price is not None else None,
        "saving_from": action.saving_from.isoformat() if action.saving_from else None,
        "confidence": action.confidence.value, "reason": action.reason.key,
    }
    if action.seats and action.to_seats == 0:  # cancelled, or left to end at the renewal
        out["lifecycle_days"] = dict(LIFECYCLE_DAYS)
    return out


def _first(subscription: Subscription, billing: BillingFile | None, day: date) -> tuple[date, str]:
    """Sort key: the subscription whose seats stop costing first."""
    saving = opening(subscription, billing.row_for(subscription) if billing else None, day).saving_from
    return (saving or date.max, subscription.id)


def source_bill(source: TenantSnapshot, billing: BillingFile | None,
                freed_on: Mapping[str, tuple[int, date]]) -> SourceBill:
    """The actions for the seats the moves free: `freed_on` is part number -> (seats, the day the
    first of them is free). Each product's seats go to its subscriptions whose window comes first,
    never more than a subscription's own seats or what its window can take."""
    actions: list[dict[str, Any]] = []
    reduction: dict[str, date | None] = {}
    prices: dict[str, tuple[float, str] | None] = {}
    consumed = {s.sku_part_number.lower(): s.consumed_units for s in source.skus}
    for part, (seats, day) in sorted(freed_on.items()):
        subscriptions = [s for s in source.subscriptions
                         if s.sku_part_number.lower() == part.lower() and s.status.lower() == "enabled"]
        everyone = seats >= consumed.get(part.lower(), 0)
        left = sum(s.total_licenses for s in subscriptions) if everyone else seats

        ends: list[date | None] = []
        price: tuple[float, str] | None = None
        for s in sorted(subscriptions, key=lambda s: _first(s, billing, day)):
            row = billing.row_for(s) if billing else None
            cap = opening(s, row, day).cap
            take = min(left, s.total_licenses, s.total_licenses if everyone else cap)
            if take <= 0:
                continue
            left -= take
            act = commerce_action(s, row, take, day)
            unit = row.unit_price if row is not None else None
            if unit is not None and row is not None and row.currency and price is None:
                price = (unit, row.currency)
            ends.append(act.saving_from if act.confidence is Confidence.DOCUMENTED else None)
            actions.append(_action_json(s, act, unit))
        reduction[part.lower()] = None if not ends or None in ends or left > 0 else max(d for d in ends if d)
        prices[part.lower()] = price
    return SourceBill(tuple(actions), reduction, prices)
