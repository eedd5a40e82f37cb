"""The sample tenant's Copilot Credits balance (auditor.data.copilot_credits_data), as Graph's beta
getTenantCreditBalance would give it: a prepaid pool mostly used, and pay-as-you-go consumption beside
it, which has no purchased nor finite pool (Graph omits those quantities: the report says "none"); the
month's use per service and funding class; and its
audit log's Copilot interactions (auditor.data.copilot_chat_use)."""

from __future__ import annotations

from dataclasses import replace

from auditor.data.copilot_chat_use import COPILOT_AUDIT, ChatUse, CopilotChatUse
from auditor.data.copilot_credit_use_data import COPILOT_CREDIT_USE, CopilotCreditUse
from auditor.data.copilot_credits_data import COPILOT_CREDITS, CopilotCredits, CreditBalance
from auditor.data.model import TenantSnapshot

SAMPLE_CREDITS = CopilotCredits(
    (
        CreditBalance("prepaidCredits", 18340.5, 25000.0, 6659.5, "copilotCredit", "2026-11-01T04:00:00Z"),
        CreditBalance("payAsYouGo", 1210.0, None, None, "copilotCredit", "2026-11-01T04:00:00Z"),
    )
)


# October's use, as the usage reports give it (auditor.data.copilot_credit_use_data): the sample is read on
# 1 November, so the month of the latest completed day is October, in full. Two governed services a day
# (Microsoft's examples of serviceId: cowork, workIQ), and the month by funding class, which adds up to
# the same 1,612 credits.
SAMPLE_CREDIT_USE = CopilotCreditUse(
    "2026-10",
    {
        f"2026-10-{day:02d}": (
            {"serviceId": "cowork", "consumedQuantity": 40.0, "unit": "copilotCredit"},
            {"serviceId": "workIQ", "consumedQuantity": 12.0, "unit": "copilotCredit"},
        )
        for day in range(1, 32)
    },
    (
        {
            "fundingClass": "prepaidCredits",
            "consumedQuantity": 1400.0,
            "unit": "copilotCredit",
            "dataStatus": {"latestSourceDateTime": "2026-11-01T04:00:00Z"},
        },
        {
            "fundingClass": "payAsYouGo",
            "consumedQuantity": 212.0,
            "unit": "copilotCredit",
            "dataStatus": {"latestSourceDateTime": "2026-11-01T04:00:00Z"},
        },
    ),
)


def with_copilot_credits(snapshot: TenantSnapshot) -> TenantSnapshot:
    """`snapshot` with the sample's Copilot Credits balance and the month's use."""
    return replace(
        snapshot,
        copilot_credits=SAMPLE_CREDITS,
        copilot_credit_use=SAMPLE_CREDIT_USE,
        collected_datasets=snapshot.collected_datasets | {COPILOT_CREDITS, COPILOT_CREDIT_USE},
    )


# who used Copilot Chat in October, as the audit log counts it (auditor.data.copilot_chat_use): two people
# without a seat beside the waiting list's member, and a seat holder (no candidate: the seat is theirs)
SAMPLE_CHAT_USE = CopilotChatUse(
    "2026-10-02T06:00:00Z",
    "2026-11-01T06:00:00Z",
    (
        ChatUse("611596f8-a54a-46df-aad6-28bc412c12d7", "copilot.daily@contoso.example", 41, "2026-10-31T16:20:00Z"),
        ChatUse("519088f5-90fb-4d11-9c1c-aaf75e8766ed", "user000006@contoso.example", 31, "2026-10-29T09:40:00Z"),
        ChatUse("14ace1cb-47a1-44e4-9407-ab3300bc22cb", "user000104@contoso.example", 23, "2026-10-30T14:05:00Z"),
        ChatUse("bf4e302c-31e7-4ed1-81cb-cc3a0fdf7cc6", "user000108@contoso.example", 5, "2026-10-27T11:15:00Z"),
    ),
)


def with_copilot_chat_use(snapshot: TenantSnapshot) -> TenantSnapshot:
    """`snapshot` with the audit log's Copilot interactions of the sample's month."""
    return replace(
        snapshot, copilot_chat_use=SAMPLE_CHAT_USE, collected_datasets=snapshot.collected_datasets | {COPILOT_AUDIT}
    )
