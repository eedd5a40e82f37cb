"""Rule 5, the source's side: the seats the moves free go into the source's schedule, with the bill's
commerce windows, owners and action objects (auditor.plan.bill.build_bill: 7 days, renewal,
partner, VLSC, trial; the spread over a product's subscriptions; docs/bill.md). Only the freed
seats are scheduled: the source's other spare seats are for its own plan.

Each product is judged on the day its first freed seat is free: the first move of it that completes
(a license is removed only after the user's move is verified). The bill counts the seats left
assigned after the moves; when every assigned seat of a product leaves, its subscriptions go whole:
cancelled or left to end at the renewal, never deleted, with the lifecycle (expired 30 days, disabled
90 days, deleted; data gone at the latest 180 days after) said."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import msgspec

from auditor.data.model import Locale, TenantSnapshot
from auditor.formats.bill_model import BillAction

from ..billing import BillingFile
from ..formats.report_model import SeatRow
from ..plan.bill import BillSource, build_bill
from .plan import SourceBill

LIFECYCLE_DAYS = {"expired": 30, "disabled": 90, "deleted_at_the_latest": 180}  # facts: commerce.lifecycle


def source_bill(
    source: TenantSnapshot, billing: BillingFile | None, freed_on: Mapping[str, tuple[int, date]], locale: Locale
) -> SourceBill:
    """The bill's actions for the seats the moves free: `freed_on` is part number -> (seats, the day
    the first of them is free); reasons in `locale`."""
    actions: list[BillAction] = []
    reduction: dict[str, date | None] = {}
    prices: dict[str, tuple[float, str] | None] = {}
    for part, (seats, day) in sorted(freed_on.items()):
        sku = next((s for s in source.skus if s.sku_part_number.lower() == part.lower()), None)
        subscriptions = [s for s in source.subscriptions if s.sku_part_number.lower() == part.lower()]
        if sku is None or not subscriptions:
            reduction[part.lower()], prices[part.lower()] = None, None
            continue
        source_seats = BillSource(
            locale=locale,
            seats=[SeatRow(sku=sku.sku_part_number, sku_id=sku.sku_id, consumed=sku.consumed_units)],
            subscriptions=subscriptions,
            spare_seats={},
            currency=None,
        )
        # only the freed seats leave (the source's other spare seats are its own plan's), unless every
        # assigned seat leaves: then the product's subscriptions go whole
        purchased = sum(s.total_licenses for s in subscriptions if s.status.lower() == "enabled")
        after = 0 if seats >= sku.consumed_units else max(0, purchased - seats)
        bill = build_bill(source_seats, {sku.sku_part_number: after}, billing, day)
        # cancelled, or left to end at the renewal: the days its data is kept
        mine = [
            msgspec.structs.replace(a, lifecycle_days=dict(LIFECYCLE_DAYS)) if a.to == 0 else a
            for a in bill.actions
            if a.seats
        ]
        actions += mine
        ends = [
            date.fromisoformat(a.saving_from) if a.saving_from and a.confidence == "documented" else None for a in mine
        ]
        scheduled = not any(p.unscheduled for p in bill.products)
        reduction[part.lower()] = max(ends) if ends and scheduled and None not in ends else None  # type: ignore[type-var]
        rows = [billing.row_for(s) for s in subscriptions] if billing else []
        priced = [(r.unit_price, r.currency) for r in rows if r and r.unit_price is not None and r.currency]
        prices[part.lower()] = priced[0] if priced else None
    return SourceBill(tuple(actions), reduction, prices)
