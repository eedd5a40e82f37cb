"""report.json `trends`: the last runs of the history (this run last), for the reports' charts.

    {"runs": [{"generated_at", "complete", "open", "by_severity": {...}, "unused_monthly_cost"}, ...],
     "currency": "EUR",
     "products": [{"sku": "SPE_E3", "assigned": [180, 183, 185], "usable": [200, 200, 200]}, ...]}

`runs` holds at most RUNS entries, oldest first; each product's lists have one value per run
(null for a run in which the tenant did not have the product). `copilot_seats`, when the records keep
the judged Copilot seats: each seat's state per run and what it cost while idle
(auditor.insights.copilot_history).
"""

from __future__ import annotations

from collections.abc import Sequence

from msgspec import UNSET

from auditor.formats.report_model import TrendCopilotSeat, TrendProduct, TrendRun, Trends

from .copilot_history import seat_histories
from .history import SEVERITIES, Record

RUNS = 30


def trends(records: Sequence[Record]) -> Trends:
    """The trends block of the last RUNS records (the current run's record last)."""
    last = list(records)[-RUNS:]
    currency = next((r.currency for r in reversed(last) if r.currency), None)
    skus: list[str] = []
    for r in last:
        skus.extend(s for s in r.products if s not in skus)
    current = last[-1].products if last else {}
    skus.sort(key=lambda s: (s not in current, s))
    return Trends(
        runs=[
            TrendRun(
                generated_at=r.generated_at,
                complete=r.complete,
                open=r.open,
                by_severity={s: r.by_severity.get(s, 0) for s in SEVERITIES},
                unused_monthly_cost=r.unused_monthly_cost if r.currency in (None, currency) else None,
            )
            for r in last
        ],
        currency=currency,
        products=[
            TrendProduct(
                sku=sku,
                assigned=[r.products[sku].assigned if sku in r.products else None for r in last],
                usable=[r.products[sku].usable if sku in r.products else None for r in last],
            )
            for sku in skus
        ],
        copilot_seats=[
            TrendCopilotSeat(sku=h.sku, user_id=h.user_id, upn=h.upn, states=list(h.states), idle_cost=h.idle_cost)
            for h in seat_histories(last)
        ]
        if any(r.copilot_seats is not None for r in last)
        else UNSET,
    )
