"""The guidance of the rules in auditor/rules/hygiene/kinds.py: their texts, message and remediation
(auditor.wording finds each by its rule's class name)."""

from __future__ import annotations

from typing import Any

from ...guidance.cloud_variants import Variant
from ...guidance.details import RuleDetails, as_map, as_text
from ...guidance.examples import E3, USER
from ...guidance.library import Message, RuleGuidance, ValueFormatter, base_values, group_removals, removal
from ...guidance.remediation import Remediation, TextRef, assign_license, resting_on
from ...guidance.texts.declare import Text
from . import kinds as rules

RESOURCE = "440eaaa8-b3e0-484b-a8be-62870b9ba70a"  # PHONESYSTEM_VIRTUALUSER, the example's


class AgentUserOrphaned(RuleGuidance[rules.AgentUserOrphanedDetails]):
    id = rules.AgentUserOrphaned.id
    texts = (
        Text("rule.agent-user-orphaned.title", "Agent user whose agent is gone holds licenses"),
        Text(
            "rule.agent-user-orphaned.describe",
            "An agent user signs in through its agent identity; with that identity deleted or disabled, "
            "the licenses of the agent user serve no agent.",
        ),
        Text(
            "rule.agent-user-orphaned.message",
            "The agent user {user} holds {sku}, but its agent identity no longer exists.",
        ),
        Text(
            "rule.agent-user-orphaned.message.disabled",
            "The agent user {user} holds {sku}, but its agent identity is disabled.",
        ),
        Text(
            "steps.agent.confirm",
            "In the Microsoft Entra admin center, check whether the agent of {user} is retired; if the agent "
            "is still in use, record a waiver instead.",
        ),
    )
    example_finding = (
        USER,
        ["SPE_E3"],
        {"identity_parent_id": "5a000000-0000-4000-8000-00000000000b", "parent": "gone", "sku_ids": {"SPE_E3": E3}},
    )

    def message(self, f: RuleDetails[rules.AgentUserOrphanedDetails], w: ValueFormatter) -> Message:
        disabled = as_text(f.own["parent"]) == "disabled"
        return self.message_key(".disabled" if disabled else ""), base_values(f, w)

    def remediation(self, f: RuleDetails[rules.AgentUserOrphanedDetails], v: Variant, w: ValueFormatter) -> Remediation:
        remedy = removal(
            f, v, w, list(f.skus), intro=[TextRef("steps.agent.confirm")], remove_block="steps.remove.entra"
        )
        parent = as_text(f.own["identity_parent_id"])
        # still an agent user, and its agent identity still gone or disabled, when the call runs
        return resting_on(remedy, {"agent_orphaned": parent}) if parent else remedy


class ResourceAccountPaidLicense(RuleGuidance[rules.ResourceAccountPaidLicenseDetails]):
    id = rules.ResourceAccountPaidLicense.id
    texts = (
        Text("rule.resource-account-paid-license.title", "Resource account holds a paid license"),
        Text(
            "rule.resource-account-paid-license.describe",
            "A Teams resource account (an auto attendant's or a call queue's) takes up a paid license where "
            "the free Microsoft Teams Phone Resource Account license serves.",
        ),
        Text(
            "rule.resource-account-paid-license.message",
            "The resource account {user} holds {sku}, where the free license {resource} serves.",
        ),
        Text(
            "summary.resource_swap",
            "Give {user} the free license {resource} and remove {sku} in the same change.",
            counted=True,
        ),
        Text(
            "steps.resource.swap",
            "In the Microsoft 365 admin center, change the licenses of {user} in one step: select {resource} "
            "and clear {sku} before you save. Never remove the old license first: a resource account without "
            "a license loses its phone number.",
            counted=True,
        ),
        Text(
            "steps.resource.seats",
            "The tenant has no free {resource} license: get more of it first (it costs nothing).",
        ),
        Text(
            "graph.resource_swap",
            "Assigns {resource} to {user} and removes the directly assigned {sku} in the same call.",
            counted=True,
        ),
    )
    example_finding = (
        USER,
        ["SPE_E3"],
        {
            "paid": {"SPE_E3": E3},
            "replace_with": "PHONESYSTEM_VIRTUALUSER",
            "replace_with_id": RESOURCE,
            "resource_seats": 4,
            "sku_ids": {"SPE_E3": E3},
        },
    )

    def values(self, f: RuleDetails[rules.ResourceAccountPaidLicenseDetails], w: ValueFormatter) -> dict[str, Any]:
        part = as_text(f.own["replace_with"]) or "PHONESYSTEM_VIRTUALUSER"
        return {**base_values(f, w), "resource": w.product(part)}

    def message(self, f: RuleDetails[rules.ResourceAccountPaidLicenseDetails], w: ValueFormatter) -> Message:
        return self.message_key(), self.values(f, w)

    def remediation(
        self, f: RuleDetails[rules.ResourceAccountPaidLicenseDetails], v: Variant, w: ValueFormatter
    ) -> Remediation:
        values = self.values(f, w)
        resource = as_text(f.own["replace_with"]) or "PHONESYSTEM_VIRTUALUSER"
        paid = sorted(as_map(f.own["paid"]))
        direct = f.direct(paid)
        swap = assign_license(
            f,
            [resource],
            direct,
            TextRef("graph.resource_swap", {**values, **w.listing("sku", direct)}),
        )
        steps = [TextRef("steps.resource.swap", values)]
        if f.own["resource_seats"] is not None and not f.own["resource_seats"]:
            steps.insert(0, TextRef("steps.resource.seats", values))
        actions = [swap, *group_removals(f, w, f.grouped(paid))]
        return resting_on(
            Remediation(
                TextRef("summary.resource_swap", values),
                steps,
                "role.assign",
                [TextRef("next.rerun")],
                ["assign_licenses", "admin_roles", "graph:user_assign"],
                actions,
            ),
            {"account_kind": "resource"},  # still a resource account when the call runs
        )
