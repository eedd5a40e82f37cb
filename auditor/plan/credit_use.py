"""The bill's Copilot Credits use of the month (report.json `bill.copilot_credits.use`): what Microsoft's
Copilot cost management usage reports gave (auditor.data.copilot_credit_use_data), per service and per funding
class, or the gap that says why a report was not read; and that the spending policies are not read (they
need a delegated permission: the audit signs in as an application)."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from auditor.common import shapes
from auditor.data.copilot_credit_use_data import (
    COPILOT_CREDIT_USE,
    FUNDING_PATH,
    POLICY_PERMISSION,
    SERVICES_PATH,
    CopilotCreditUse,
)
from auditor.data.model import Gap
from auditor.formats.bill_model import CopilotCredits, CreditUse


def credit_use(use: CopilotCreditUse | None, gaps: Sequence[Gap]) -> CreditUse | None:
    """`bill.copilot_credits.use`; None when it was not asked (neither read nor refused)."""
    mine = [g for g in gaps if g.dataset == COPILOT_CREDIT_USE]
    if use is None and not mine:
        return None
    services_gap = next((g for g in mine if SERVICES_PATH in g.request), None)
    funding_gap = next((g for g in mine if FUNDING_PATH in g.request), None)
    if use is None:  # no /beta beside the endpoint: one gap says it for both
        services_gap = funding_gap = services_gap or funding_gap or mine[0]
    services = use.by_service() if use is not None and use.days is not None else None
    funding = use.funding if use is not None else None
    return shapes.convert(
        {
            "month": use.month if use is not None else "",
            "days": len(use.days or {}) if use is not None else 0,
            "services": [{"service": k, "consumed": v} for k, v in services.items()] if services is not None else None,
            "funding": [
                {
                    "funding_class": r["fundingClass"],
                    "consumed": round(r["consumedQuantity"], 2),
                    "synced": r.get("dataStatus", {}).get("latestSourceDateTime"),
                }
                for r in funding
            ]
            if funding is not None
            else None,
            "policies": {"read": False, "reason": "delegated_only", "permission": POLICY_PERMISSION},
            **({"services_gap": f"{services_gap.request} {services_gap.reason}"} if services_gap else {}),
            **({"funding_gap": f"{funding_gap.request} {funding_gap.reason}"} if funding_gap else {}),
        },
        CreditUse,
    )


def with_credit_use(
    credits: CopilotCredits | None, use: CopilotCreditUse | None, gaps: Sequence[Gap]
) -> CopilotCredits | None:
    """The bill's `copilot_credits` with the month's use beside the balance (read together)."""
    found = credit_use(use, gaps)
    if credits is None or found is None:
        return credits
    return msgspec.structs.replace(credits, use=found)
