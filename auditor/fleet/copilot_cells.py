"""The roll-up's Copilot seats (tenants.json `copilot`, tenants.md's section): per tenant, where its Copilot
seats stand on the latest night of its history (retained, reactivated, lapsed, reassigned, reclaimed) and
what they cost while idle over the nights its report's trends show (auditor.insights.copilot_history, from
report.json `trends.copilot_seats`). None for a tenant whose report has no such trends."""

from __future__ import annotations

from typing import Any

from auditor.data.copilot_use import SEAT_STATES as STATES
from auditor.data.model import Locale
from auditor.formats.report_model import ReportDocument, Trends
from auditor.i18n import Translations, format_money
from auditor.render.text import md_escape

from .rollup_model import CopilotRollup, Rollup


def copilot_figures(report: ReportDocument) -> CopilotRollup | None:
    trend = report.trends if isinstance(report.trends, Trends) else None
    seats = trend.copilot_seats if trend is not None and isinstance(trend.copilot_seats, list) else None
    if not seats:
        return None
    states = {s: 0 for s in STATES}
    for seat in seats:
        last = next((s for s in reversed(seat.states) if s is not None), None)
        if last in states:
            states[last] += 1
    known = [s.idle_cost for s in seats if s.idle_cost is not None]
    return {
        "nights": len(trend.runs) if trend else 0,
        "states": states,
        "idle_cost": round(sum(known), 2) if known else None,
    }


def row_ok(value: Any) -> bool:
    """Whether a tenants.json row's `copilot` is as copilot_figures writes it."""
    if value is None:
        return True
    if not isinstance(value, dict) or not isinstance(value.get("states"), dict):
        return False
    counts = value["states"].values()
    cost = value.get("idle_cost")
    return (
        all(isinstance(n, int) and not isinstance(n, bool) for n in counts)
        and isinstance(value.get("nights"), int)
        and (cost is None or (isinstance(cost, int | float) and not isinstance(cost, bool)))
    )


def markdown(doc: Rollup, t: Translations, locale: Locale) -> list[str]:
    """tenants.md's Copilot section: a row per tenant whose report shows its seats' history."""
    rows = [r for r in doc["tenants"] if r.get("copilot")]
    if not rows:
        return []
    states = [
        t.pgettext("copilot_head_retained", "Retained"),
        t.pgettext("copilot_head_reactivated", "Reactivated"),
        t.pgettext("copilot_head_lapsed", "Idle"),
        t.pgettext("copilot_head_reassigned", "Reassigned"),
        t.pgettext("copilot_head_reclaimed", "Reclaimed"),
    ]  # in the order of STATES
    headers = [t.pgettext("rollup_tenant", "Tenant"), *states, t.pgettext("copilot_idle_cost", "Cost while idle")]
    title = t.pgettext("copilot_rollup_title", "Copilot seats on each tenant's latest night (from its history)")
    lines = [
        "",
        f"### {md_escape(title)}",
        "",
        "| " + " | ".join(md_escape(h) for h in headers) + " |",
        "| --- |" + " ---: |" * (len(headers) - 1),
    ]
    for row in rows:
        figures = row.get("copilot")
        if figures is None:
            continue
        cost = figures["idle_cost"]
        money = format_money(cost, row["currency"], locale) if cost is not None and row["currency"] else "–"
        cells = [f"{row['name']} ({row['key']})", *(str(figures["states"].get(s, 0)) for s in STATES), money]
        lines.append("| " + " | ".join(md_escape(c).replace("|", "\\|") for c in cells) + " |")
    return lines
