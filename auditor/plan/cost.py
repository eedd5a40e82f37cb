"""What a plan costs or saves a month: the seats each product gains or loses x its monthly price.

Prices come from the report's seat table (the policy's prices), in the report's currency. A free
product counts 0; a product without a price is named in `unpriced`, never counted as 0.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from auditor.formats.plan_records import Change, SeatLine
from auditor.formats.report_model import Summary
from auditor.plan.schedule import Seat


def currency_of(document: Mapping[str, Any]) -> str | None:
    summary: Summary | None = document.get("summary")  # none in the migration's bill of one product
    if summary is not None and summary.unused_monthly_cost is not None and summary.unused_monthly_cost.currency:
        return summary.unused_monthly_cost.currency
    for row in document.get("skus") or []:
        if isinstance(row, Mapping) and isinstance(row.get("currency"), str) and row["currency"]:
            return str(row["currency"])
    return None


def seats_and_cost(
    document: Mapping[str, Any], table: Mapping[str, Seat], changes: Sequence[Change], currency: str | None
) -> tuple[tuple[SeatLine, ...], float | None, tuple[str, ...]]:
    rows = {r["sku"]: r for r in document.get("skus") or [] if isinstance(r, Mapping) and isinstance(r.get("sku"), str)}
    delta: dict[str, int] = {}
    for c in changes:
        for part, d in c.seats.items():
            delta[part] = delta.get(part, 0) + d
    lines: list[SeatLine] = []
    net = 0.0
    priced = False
    unpriced: list[str] = []
    for part, d in delta.items():
        row = rows.get(part, {})
        seat = table.get(part)
        price = _price(row, currency)
        name = row.get("name") if isinstance(row.get("name"), str) else ""
        consumed = seat.consumed if seat else None
        lines.append(SeatLine(part, name or "", seat.usable if seat else None, consumed, (consumed or 0) + d, price))
        if d == 0:
            continue
        if price is None:
            unpriced.append(part)
        else:
            priced = True
            net += d * price
    # Nothing changes seats: nothing to price (0 in the report's currency, when it has one).
    nothing = not any(delta.values())
    known = priced or (nothing and currency is not None)
    return tuple(lines), (round(net, 2) + 0.0 if known else None), tuple(unpriced)


def _price(row: Mapping[str, Any], currency: str | None) -> float | None:
    if row.get("free") is True:
        return 0.0
    price = row.get("price_monthly")
    if not isinstance(price, int | float) or isinstance(price, bool):
        return None
    if currency and row.get("currency") not in (None, currency):
        return None  # priced in another currency: not added to this one
    return float(price)
