"""The guidance of the rule in auditor/rules/hygiene/copilot_chat_only.py: its texts, message and
remediation (auditor.wording finds it by its rule's class name)."""

from __future__ import annotations

from ...guidance.cloud_variants import Variant
from ...guidance.details import RuleDetails
from ...guidance.examples import USER
from ...guidance.library import Message, RuleGuidance, ValueFormatter, base_values
from ...guidance.remediation import Remediation, TextRef
from ...guidance.texts.declare import Text
from . import copilot_chat_only as rules

COPILOT = "Microsoft_365_Copilot"


class CopilotSeatChatOnly(RuleGuidance[rules.CopilotSeatChatOnlyDetails]):
    id = rules.CopilotSeatChatOnly.id
    texts = (
        Text("rule.copilot-seat-chat-only.title", "Copilot seat without Graph-grounded chat"),
        Text(
            "rule.copilot-seat-chat-only.describe",
            "A Microsoft 365 Copilot seat whose Graph-grounded chat service plan is turned off gives only the "
            "Copilot Chat that comes without a Copilot license.",
        ),
        Text(
            "rule.copilot-seat-chat-only.message",
            "{user} holds {sku} with {plan} turned off: the seat is paid for, but gives only basic Copilot Chat.",
            counted=True,
            note='TRANSLATORS: "hold(s)" means has (a license), not a preservation hold.',
        ),
        Text(
            "steps.copilot_chat_only.fact",
            'Microsoft 365 message center, MC1405498, on the service plan {plan}: "{quote}".',
            note="TRANSLATORS: {quote} is Microsoft's English sentence, quoted as Microsoft wrote it; "
            "{plan} is the service plan's name.",
        ),
        Text(
            "steps.copilot_chat_only.direct",
            "In the Microsoft 365 admin center, go to Users > Active users, select {user}, then Licenses and "
            "apps: expand {sku} and turn on {plan}.",
        ),
        Text(
            "steps.copilot_chat_only.group",
            "The group {group} gives {sku} with that service plan turned off: in the Microsoft Entra admin "
            "center, go to Groups > All groups > {group} > Licenses, select {sku} and turn on {plan} (it "
            "changes every member's license).",
        ),
        Text(
            "steps.copilot_chat_only.remove",
            "If {user} needs only Copilot Chat, remove {sku} instead: Copilot Chat comes without it.",
        ),
        Text(
            "summary.copilot_chat_only",
            "Turn on {plan} in {user}'s {sku}, or remove the seat.",
        ),
    )
    graph_calls = False  # the admin chooses between turning the plan on and removing the seat
    example_finding = (
        USER,
        [COPILOT],
        {
            "sku_ids": {COPILOT: "639dec6b-bb19-468b-871c-c5c441c4b0cb"},
            "plan": rules.GROUNDED_CHAT_PLAN,
            "plan_id": rules.GROUNDED_CHAT_PLAN_ID,
            "product_ids": ["639dec6b-bb19-468b-871c-c5c441c4b0cb"],
        },
    )

    def message(self, f: RuleDetails[rules.CopilotSeatChatOnlyDetails], w: ValueFormatter) -> Message:
        return self.message_key(), {**base_values(f, w), "plan": rules.GROUNDED_CHAT_NAME}

    def remediation(
        self, f: RuleDetails[rules.CopilotSeatChatOnlyDetails], v: Variant, w: ValueFormatter
    ) -> Remediation:
        user, plan = f.label(), rules.GROUNDED_CHAT_NAME
        parts = list(f.skus)
        steps = [TextRef("steps.copilot_chat_only.fact", {"plan": plan, "quote": rules.MC1405498})]
        for part in f.direct(parts):
            steps.append(
                TextRef("steps.copilot_chat_only.direct", {"user": user, "sku": w.product(part), "plan": plan})
            )
        for part in f.grouped(parts):
            steps += [
                TextRef("steps.copilot_chat_only.group", {"group": group, "sku": w.product(part), "plan": plan})
                for group in f.groups(part)
            ]
        steps.append(TextRef("steps.copilot_chat_only.remove", {"user": user, "sku": w.products(parts)}))
        return Remediation(
            TextRef("summary.copilot_chat_only", {"user": user, "sku": w.products(parts), "plan": plan}),
            steps,
            "role.assign",
            [TextRef("next.rerun")],
            ["assign_licenses", "unassign_licenses", "admin_roles"],
        )
