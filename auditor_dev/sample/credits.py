"""The sample tenant's Copilot Credits balance (auditor.data.copilot_credits_data), as Graph's beta
getTenantCreditBalance would give it: a prepaid pool mostly used, and pay-as-you-go consumption beside
it, which has no purchased nor finite pool (Graph omits those quantities: the report says "none")."""

from __future__ import annotations

from dataclasses import replace

from auditor.data.copilot_credits_data import COPILOT_CREDITS, CopilotCredits, CreditBalance
from auditor.data.model import TenantSnapshot

SAMPLE_CREDITS = CopilotCredits(
    (
        CreditBalance("prepaidCredits", 18340.5, 25000.0, 6659.5, "copilotCredit", "2026-11-01T04:00:00Z"),
        CreditBalance("payAsYouGo", 1210.0, None, None, "copilotCredit", "2026-11-01T04:00:00Z"),
    )
)


def with_copilot_credits(snapshot: TenantSnapshot) -> TenantSnapshot:
    """`snapshot` with the sample's Copilot Credits balance."""
    return replace(
        snapshot, copilot_credits=SAMPLE_CREDITS, collected_datasets=snapshot.collected_datasets | {COPILOT_CREDITS}
    )
