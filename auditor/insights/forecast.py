"""report.json `renewals`: how many seats to renew, for each paid subscription renewing soon.

For each subscription (directory/subscriptions) that is Enabled, not a trial, and whose
nextLifecycleDateTime falls within WINDOW_DAYS of the audit's clock:

    projected  assigned seats of the product at the renewal date: today's, plus the trend of the
               history's assigned seats (least-squares slope over the last TREND_DAYS days)
               carried to the renewal date; today's when the history has fewer than two points
    freed      seats the open, unwaived findings of the rules that free seats would give back
               (the reclaimable rules: disabled, inactive and guest users, and license-redundant),
               from each finding's default fix (its `remediation.actions` seat changes, ready or
               not), each user's seat of a product counted once; at least what the plan frees
    plan       seats the plan's ready, seat-checked changes give back (auditor.plan)
    buffer     the catalog's `spare_seats.min` for the product (0 without one)
    spread     the largest distance of a history point from the trend line (0 with fewer than
               three points)

    seats  = ceil(projected - freed + buffer), less the seats of the product's other enabled paid
             subscriptions (they keep their seats), at least 0
    low    = seats - spread
    high   = ceil(projected + spread - plan + buffer) less the same: only the plan is carried out

So "renew Microsoft 365 E3 at 172 seats (today 185; range 168–176) by 2026-12-01".
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from auditor.common.timestamps import timestamp_or_none
from auditor.formats.report_model import RenewalForecast, ReportDocument, SeatRow
from auditor.plan.actions import Remediation
from auditor.plan.compile import ChangePlan, compile_plan
from auditor.rules import RULES
from auditor.rules.hygiene.overlap import LicenseRedundant

from .history import Record

WINDOW_DAYS = 60
TREND_DAYS = 90
# Rules whose findings give seats back when fixed: the reclaimable ones and redundant products.
FREEING = frozenset({r.id for r in RULES if r.reclaimable} | {LicenseRedundant.id})


@dataclass(frozen=True)
class SubscriptionFacts:
    """What the forecast needs of a companySubscription (kept from the snapshot)."""

    id: str
    sku_id: str
    sku: str  # part number
    status: str
    is_trial: bool
    total_licenses: int
    renews: str | None  # nextLifecycleDateTime


def _when(text: str | None) -> datetime | None:
    return timestamp_or_none(text, require_zone=True)


def trend(points: Sequence[tuple[datetime, int]], now: datetime) -> tuple[float, float]:
    """(slope in seats per day, spread) of the points within TREND_DAYS before `now`."""
    recent = [(t, v) for t, v in points if now - timedelta(days=TREND_DAYS) <= t <= now]
    if len(recent) < 2:
        return 0.0, 0.0
    xs = [(t - recent[0][0]).total_seconds() / 86400 for t, _ in recent]
    ys = [float(v) for _, v in recent]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    var = sum((x - mx) ** 2 for x in xs)
    if var == 0:
        return 0.0, 0.0
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / var
    if len(recent) < 3:
        return slope, 0.0
    spread = max(abs(y - (my + slope * (x - mx))) for x, y in zip(xs, ys, strict=True))
    return slope, spread


def _freed_by_findings(document: ReportDocument, work_out: Remediation | None = None) -> dict[str, int]:
    """Seats per product (part number) the open findings of FREEING rules give back. `work_out`:
    a finding's remediation where the document carries none (auditor.plan.actions.read_findings)."""
    seen: set[tuple[str, str]] = set()
    freed: dict[str, int] = {}
    for f in document.findings:
        if f.waived or f.rule not in FREEING:
            continue
        carried: Mapping[str, Any] | None = f.remediation
        if carried is None and work_out is not None:
            carried = work_out(f)
        remediation = carried if isinstance(carried, Mapping) else {}
        subject = f.subject
        for action in remediation.get("actions") or []:
            if not isinstance(action, Mapping) or not isinstance(action.get("seats"), Mapping):
                continue
            who = str(action.get("user") or subject.id or f.id)
            for part, delta in action["seats"].items():
                if isinstance(delta, int) and not isinstance(delta, bool) and delta < 0 and (who, part) not in seen:
                    seen.add((who, part))
                    freed[part] = freed.get(part, 0) - delta
    return freed


def _freed_by_plan(
    document: ReportDocument, plan: ChangePlan | None = None, remediation: Remediation | None = None
) -> dict[str, int]:
    if plan is None:
        try:
            plan = compile_plan(document, remediation=remediation)
        except (KeyError, TypeError, ValueError):  # a document without actions plans nothing
            return {}
    out: dict[str, int] = {}
    for line in plan.seats:
        if line.consumed is not None and line.after < line.consumed:
            out[line.sku] = line.consumed - line.after
    return out


def renewals(
    document: ReportDocument,
    subscriptions: Sequence[SubscriptionFacts],
    history: Sequence[Record],
    minimums: Mapping[str, int],
    as_of: datetime,
    window_days: int = WINDOW_DAYS,
    plan: ChangePlan | None = None,
    remediation: Remediation | None = None,
) -> list[RenewalForecast]:
    """The forecast of every subscription renewing within `window_days` (soonest first).

    `history`: this tenant's records (the current run's included or not: today's seats come
    from `document`); `minimums`: catalog spare_seats.min per part number."""
    horizon = as_of + timedelta(days=window_days)
    due = [
        (sub, when)
        for sub in subscriptions
        if not sub.is_trial
        and sub.status.lower() == "enabled"
        and (when := _when(sub.renews)) is not None
        and as_of <= when <= horizon
    ]
    if not due:  # nothing to forecast: the findings' actions need not be worked out (seconds in a large tenant)
        return []
    rows = {r.sku: r for r in document.skus if r.sku}
    freed_open = _freed_by_findings(document, remediation)
    freed_plan = _freed_by_plan(document, plan, remediation)
    out: list[RenewalForecast] = []
    for sub, when in due:
        row = rows.get(sub.sku)
        if row is None:  # a product the table lacks: none assigned
            row = SeatRow(sku=sub.sku, sku_id=sub.sku_id)
        assigned = row.consumed
        points = [
            (t, r.products[sub.sku].assigned)
            for r in history
            if sub.sku in r.products and (t := _when(r.generated_at)) is not None
        ]
        if not points or points[-1][0] < as_of - timedelta(days=1):
            points.append((as_of, assigned))
        slope, spread = trend(points, as_of)
        days = (when - as_of).total_seconds() / 86400
        projected = max(0.0, assigned + slope * days)
        freed_p = freed_plan.get(sub.sku, 0)
        freed = max(freed_open.get(sub.sku, 0), freed_p)
        buffer = minimums.get(sub.sku, 0)
        others = sum(
            s.total_licenses
            for s in subscriptions
            if s.id != sub.id
            and s.sku_id.lower() == sub.sku_id.lower()
            and not s.is_trial
            and s.status.lower() == "enabled"
        )
        seats = max(0, math.ceil(projected - freed + buffer - 1e-9) - others)
        high = max(seats, math.ceil(projected + spread - freed_p + buffer - 1e-9) - others)
        low = max(0, seats - math.ceil(spread - 1e-9))
        price = row.price_monthly
        priced = price is not None and not row.free
        out.append(
            RenewalForecast(
                subscription_id=sub.id,
                sku=sub.sku,
                sku_id=sub.sku_id,
                name=row.name or sub.sku,
                renews=sub.renews,
                days_left=math.floor(days),
                seats_today=sub.total_licenses,
                seats=seats,
                low=low,
                high=high,
                assigned=assigned,
                projected=round(projected, 1),
                trend_per_30_days=round(slope * 30, 1),
                history_points=len(points),
                freed_by_findings=freed,
                freed_by_plan=freed_p,
                buffer=buffer,
                other_subscriptions=others,
                monthly_difference=round((seats - sub.total_licenses) * float(price), 2)
                if priced and price is not None
                else None,
                currency=row.currency if priced else None,
            )
        )
    out.sort(key=lambda r: (str(r.renews), r.sku, r.subscription_id))
    return out
