"""What a plan saves a month: the seats each product loses less the seats it gains, x its monthly price
(`net_monthly`: positive lowers the cost, negative raises it; report.json's `money.plan.net_monthly`
is the same amount).

Prices come from the report's seat table (the policy's prices), in the report's currency. A free
product counts 0; a product without a price is named in `unpriced`, never counted as 0.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from auditor.formats.plan_records import Change, SeatLine
from auditor.formats.report_model import ReportDocument, SeatRow
from auditor.plan.schedule import Seat


def currency_of(document: ReportDocument) -> str | None:
    unused = document.summary.unused_monthly_cost
    if unused is not None and unused.currency:
        return unused.currency
    return next((row.currency for row in document.skus if row.currency), None)


def seats_and_cost(
    document: ReportDocument, table: Mapping[str, Seat], changes: Sequence[Change], currency: str | None
) -> tuple[tuple[SeatLine, ...], float | None, tuple[str, ...]]:
    rows = {r.sku: r for r in document.skus}
    delta: dict[str, int] = {}
    for c in changes:
        for part, d in c.seats.items():
            delta[part] = delta.get(part, 0) + d
    lines: list[SeatLine] = []
    net = 0.0
    priced = False
    unpriced: list[str] = []
    for part, d in delta.items():
        row = rows.get(part)
        seat = table.get(part)
        price = _price(row, currency) if row is not None else None
        name = row.name if row is not None else ""
        consumed = seat.consumed if seat else None
        lines.append(SeatLine(part, name or "", seat.usable if seat else None, consumed, (consumed or 0) + d, price))
        if d == 0:
            continue
        if price is None:
            unpriced.append(part)
        else:
            priced = True
            net -= d * price  # a seat freed (d < 0) saves its price
    # Nothing changes seats: nothing to price (0 in the report's currency, when it has one).
    nothing = not any(delta.values())
    known = priced or (nothing and currency is not None)
    return tuple(lines), (round(net, 2) + 0.0 if known else None), tuple(unpriced)


def _price(row: SeatRow, currency: str | None) -> float | None:
    if row.free:
        return 0.0
    if row.price_monthly is None:
        return None
    if currency and row.currency not in (None, currency):
        return None  # priced in another currency: not added to this one
    return row.price_monthly
