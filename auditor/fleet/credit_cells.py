"""The roll-up's Copilot Credits (tenants.json `copilot_credits`, tenants.md's section): per tenant, the
month's use of Copilot Credits per service and per funding source, as its report's bill gives it
(report.json `bill.copilot_credits.use`, auditor.plan.credit_use), beside the Copilot seats; a report
Microsoft refused or does not offer is said as not read, never as zero. None for a tenant whose report has
no such use (no Copilot product, or no bill)."""

from __future__ import annotations

from typing import Any

from auditor.data.model import Locale
from auditor.formats.bill_model import Bill
from auditor.formats.report_model import ReportDocument
from auditor.i18n import Translations, format_number
from auditor.render.text import md_escape

from .rollup_model import CreditRollup, Rollup


def credit_figures(report: ReportDocument) -> CreditRollup | None:
    bill = report.bill if isinstance(report.bill, Bill) else None
    credits = bill.copilot_credits if bill is not None and bill.copilot_credits else None
    use = credits.use if credits is not None and credits.use else None
    if use is None:
        return None
    return {
        "month": use.month,
        "services": {s.service: s.consumed for s in use.services} if use.services is not None else None,
        "funding": {f.funding_class: f.consumed for f in use.funding} if use.funding is not None else None,
    }


def _figures(value: Any) -> bool:
    return value is None or (
        isinstance(value, dict)
        and all(isinstance(k, str) and isinstance(v, int | float) and not isinstance(v, bool) for k, v in value.items())
    )


def row_ok(value: Any) -> bool:
    """Whether a tenants.json row's `copilot_credits` is as credit_figures writes it."""
    if value is None:
        return True
    return (
        isinstance(value, dict)
        and isinstance(value.get("month"), str)
        and _figures(value.get("services"))
        and _figures(value.get("funding"))
    )


def _cell(figures: dict[str, float] | None, t: Translations, locale: Locale) -> str:
    if figures is None:
        return t.pgettext("credit_rollup_not_read", "not read (not zero)")
    if not figures:
        return t.pgettext("credits_use_nothing", "none reported")
    return "; ".join(f"{name} {format_number(value, locale)}" for name, value in sorted(figures.items()))


def markdown(doc: Rollup, t: Translations, locale: Locale) -> list[str]:
    """tenants.md's Copilot Credits section: a row per tenant whose report shows the month's use."""
    rows = [r for r in doc["tenants"] if r.get("copilot_credits")]
    if not rows:
        return []
    headers = [
        t.pgettext("rollup_tenant", "Tenant"),
        t.pgettext("credit_rollup_month", "Month"),
        t.pgettext("credit_rollup_services", "Per service"),
        t.pgettext("credit_rollup_funding", "Per funding source"),
    ]
    title = t.pgettext("credit_rollup_title", "Copilot Credits used, beside the seats (Microsoft Graph beta)")
    lines = ["", f"### {md_escape(title)}", "", "| " + " | ".join(md_escape(h) for h in headers) + " |"]
    lines.append("|" + " --- |" * len(headers))
    for row in rows:
        figures = row.get("copilot_credits")
        if figures is None:
            continue
        cells = [
            f"{row['name']} ({row['key']})",
            figures["month"],
            _cell(figures["services"], t, locale),
            _cell(figures["funding"], t, locale),
        ]
        lines.append("| " + " | ".join(md_escape(c).replace("|", "\\|") for c in cells) + " |")
    return lines
