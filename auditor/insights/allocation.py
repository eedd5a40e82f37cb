"""report.json `cost_allocation` and cost-allocation.csv: license spend by department, company,
country and the attribute a policy chooses (`cost_allocation: {attribute: ...}`).

Per dimension, one row per value (null = the attribute is not set on the user):

    users               licensed users with that value
    licensed_monthly    the monthly price of the seats they hold (priced products only)
    unused_monthly      each product's unused-seat spend shared out in proportion to the seats of
                        that product the value's users hold (seats nobody holds belong to no one:
                        `unallocated_unused`)
    reclaimable_monthly the monthly cost of the open reclaimable findings (disabled, inactive and
                        guest users' licenses) of the value's users

Rows are sorted by unused + reclaimable spend, largest first.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from auditor.data.model import AuditResult, TenantSnapshot
from auditor.formats.report_model import AllocationDimension, AllocationRow, CostAllocation
from auditor.render.text import clean
from auditor.report.csv_report import guard_cell
from auditor.rules import RULES

DEPARTMENT = "department"
DIMENSIONS = (DEPARTMENT, "companyName", "country")
CSV_NAME = "cost-allocation.csv"
CSV_COLUMNS = (
    "dimension",
    "value",
    "licensed_users",
    "licensed_monthly_cost",
    "unused_monthly_cost",
    "reclaimable_monthly_cost",
    "currency",
)


def allocate(snapshot: TenantSnapshot, result: AuditResult, attributes: Sequence[str]) -> CostAllocation | None:
    """The allocation over DIMENSIONS and `attributes` (paths a policy chose); None when no
    product has a price (nothing to allocate)."""
    prices: dict[str, float] = {}
    parts: dict[str, str] = {}
    unused: dict[str, float] = {}
    for row in result.seats:
        key = row.sku_id.lower()
        parts[key] = row.sku
        if row.price_monthly is not None and not row.free:
            prices[key] = row.price_monthly
            unused[key] = row.unused_monthly_cost or 0.0
    if not prices:
        return None
    reclaim = _reclaimable_per_user(result)
    dims = [*DIMENSIONS, *(a for a in attributes if a not in DIMENSIONS)]
    # per dimension: value -> [users, licensed, reclaimable, {sku: seats}]
    buckets: dict[str, dict[str | None, list[Any]]] = {d: {} for d in dims}
    held_total: dict[str, int] = {}
    for user in snapshot.users:
        if not user.sku_ids:
            continue
        held = [s for s in user.sku_ids if s in prices]
        cost = sum(prices[s] for s in held)
        values = dict(user.attributes)
        for s in held:
            held_total[s] = held_total.get(s, 0) + 1
        for d in dims:
            value = user.department if d == DEPARTMENT else values.get(d)
            b = buckets[d].get(value)
            if b is None:
                b = buckets[d][value] = [0, 0.0, 0.0, {}]
            b[0] += 1
            b[1] += cost
            b[2] += reclaim.get(user.id, 0.0)
            for s in held:
                b[3][s] = b[3].get(s, 0) + 1
    unallocated = round(sum(c for s, c in unused.items() if not held_total.get(s)), 2)
    return CostAllocation(
        currency=result.currency,
        dimensions=[AllocationDimension(key=d, rows=_rows(buckets[d], unused, held_total)) for d in dims],
        unallocated_unused=unallocated,
        read=d_read(snapshot, dims),
    )


def _reclaimable_per_user(result: AuditResult) -> dict[str, float]:
    """user id -> what the first of its unwaived findings of a reclaimable rule would save a month."""
    reclaimable = {r.id for r in RULES if r.reclaimable}
    reclaim: dict[str, float] = {}
    for f in result.findings:
        if not f.waived and f.rule in reclaimable and f.monthly_cost:
            reclaim.setdefault(f.subject.id, f.monthly_cost)
    return reclaim


def _rows(
    buckets: Mapping[str | None, list[Any]], unused: Mapping[str, float], held_total: Mapping[str, int]
) -> list[AllocationRow]:
    """One dimension's rows, each value's share of the unused seats by the seats its users hold;
    the most to save first."""
    rows = []
    for value, (n, licensed, rec, seats) in buckets.items():
        share = sum(unused[s] * k / held_total[s] for s, k in seats.items() if held_total.get(s))
        rows.append(
            AllocationRow(
                value=value,
                users=n,
                licensed_monthly=round(licensed, 2),
                unused_monthly=round(share, 2),
                reclaimable_monthly=round(rec, 2),
            )
        )
    rows.sort(
        key=lambda r: (-(r.unused_monthly + r.reclaimable_monthly), -r.licensed_monthly, r.value is None, r.value or "")
    )
    return rows


def d_read(snapshot: TenantSnapshot, dims: Iterable[str]) -> list[str]:
    """The dimensions whose values were read (department always; the others when collected)."""
    return [d for d in dims if d == DEPARTMENT or d in snapshot.user_attributes]


def csv_text(allocation: CostAllocation) -> str:
    """cost-allocation.csv: every row of every dimension (UTF-8 with BOM, like findings.csv)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    currency = allocation.currency or ""
    for dim in allocation.dimensions:
        for row in dim.rows:
            writer.writerow(
                [
                    dim.key,
                    "" if row.value is None else guard_cell(clean(row.value, 300)),
                    row.users,
                    f"{row.licensed_monthly:.2f}",
                    f"{row.unused_monthly:.2f}",
                    f"{row.reclaimable_monthly:.2f}",
                    currency,
                ]
            )
    return buf.getvalue()
