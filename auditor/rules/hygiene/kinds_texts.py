"""The guidance of the rules in auditor/rules/hygiene/kinds.py: their texts, message and remediation
(auditor.wording finds each by its rule's class name)."""

from __future__ import annotations

from dataclasses import replace

from ...data.blocked import DATA_LOST, GROUP_KEEPS, KIND_UNCONFIRMED
from ...guidance.cloud_variants import Variant
from ...guidance.details import RuleDetails
from ...guidance.examples import E3, USER
from ...guidance.library import Message, RuleGuidance, ValueFormatter, base_values, group_removals, removal
from ...guidance.remediation import Action, Remediation, TextRef, assign_license, resting_on
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
        disabled = f.own.parent == "disabled"
        return self.message_key(".disabled" if disabled else ""), base_values(f, w)

    def remediation(self, f: RuleDetails[rules.AgentUserOrphanedDetails], v: Variant, w: ValueFormatter) -> Remediation:
        remedy = removal(
            f, v, w, list(f.skus), intro=[TextRef("steps.agent.confirm")], remove_block="steps.remove.entra"
        )
        parent = f.own.identity_parent_id
        # still an agent user, and its agent identity still gone or disabled, when the call runs
        return resting_on(remedy, {"agent_orphaned": parent}) if parent else remedy


# the person's check the swap's steps open with when it is not confirmed, one per `doubt` (_CONFIRM)
CONFIRM_TEXTS = (
    Text(
        "steps.resource.confirm.signs_in",
        "Anyone who assigns licenses can assign {resource}, and {user} signs in interactively, which a "
        "resource account never does. In the Teams admin center, under Voice > Resource accounts, check "
        "whether {user} is listed there; only if it is, change its licenses as the next step says.",
    ),
    Text(
        "steps.resource.confirm.enabled",
        "Anyone who assigns licenses can assign {resource}, and the account of {user} is enabled, which a "
        "resource account is not; that it has not signed in yet shows nothing, as a new hire's account has "
        "not either. In the Teams admin center, under Voice > Resource accounts, check whether {user} is "
        "listed there; only if it is, change its licenses as the next step says.",
    ),
    Text(
        "steps.resource.confirm.mailbox",
        "Anyone who may edit the profile of {user}, or an HR feed, can set its department, and every "
        "leaver's account is disabled; the account holds a suite with a mailbox and no phone line. In the "
        "Teams admin center, under Voice > Resource accounts, check whether {user} is listed there; only "
        "if it is, change its licenses as the next step says.",
    ),
    Text(
        "steps.resource.confirm",
        "Anyone who may edit the profile of {user}, or an HR feed, can set its department, and the "
        "account is enabled, which a resource account is not. In the Teams admin center, under Voice > "
        "Resource accounts, check whether {user} is listed there; only if it is, change its licenses as "
        "the next step says.",
    ),
)


class ResourceAccountPaidLicense(RuleGuidance[rules.ResourceAccountPaidLicenseDetails]):
    id = rules.ResourceAccountPaidLicense.id
    texts = (
        Text("rule.resource-account-paid-license.title", "Resource account holds a paid license"),
        Text(
            "rule.resource-account-paid-license.describe",
            "A Teams resource account (an auto attendant's or a call queue's) takes up a paid license where "
            "the Microsoft Teams Phone Resource Account license serves.",
        ),
        Text(
            "rule.resource-account-paid-license.message",
            "The resource account {user} holds {sku}, where the license {resource} serves.",
        ),
        Text(
            "rule.resource-account-paid-license.message.unconfirmed",
            "The department of {user} names a Teams resource account, and the account holds {sku}; "
            "nothing else shows that it is one.",
        ),
        Text(
            "summary.resource_swap",
            "Give {user} the license {resource} and remove {sku} in the same change.",
            counted=True,
        ),
        Text(
            "rule.resource-account-paid-license.message.signs_in",
            "{user} holds the license {resource} of a Teams resource account and {sku}, but signs in "
            "interactively, which a resource account never does.",
        ),
        Text(
            "rule.resource-account-paid-license.message.enabled",
            "{user} holds the license {resource} of a Teams resource account and {sku}, but the account is "
            "enabled, which a resource account is not.",
        ),
        *CONFIRM_TEXTS,
        Text(
            "steps.resource.swap",
            "In the Microsoft 365 admin center, change the licenses of {user} in one step: select {resource} "
            "and clear {sku} before you save. Never remove the old license first: Microsoft warns that the "
            "resource account may then no longer work as expected.",
            counted=True,
        ),
        Text(
            "steps.resource.keeps",
            "{user} keeps {keeps}: a resource account needs a Calling Plan or Communications Credits to dial out.",
        ),
        Text(
            "steps.resource.mailbox",
            "{user} keeps {mailbox} for now: it carries the account's mailbox, which the license change never "
            "ends. A resource account needs no mailbox, but only a person can tell whether this one holds mail "
            "to keep: in the Exchange admin center check its holds and archive, keep what must be kept (a "
            "retention policy, a litigation hold, or a conversion to a shared mailbox), and only then remove "
            "{mailbox} from {user}, keeping {resource}.",
            counted=True,
        ),
        Text(
            "steps.resource.seats",
            "The tenant has no free {resource} license: get one first (Billing > Purchase services). "
            "Within the tenant's allocation it costs nothing; beyond it, it has a cost.",
        ),
        Text(
            "steps.resource.beyond",
            "The tenant's Teams Phone licenses give it {allocation} {resource} licenses at no cost and it "
            "assigns {in_use} already: a further one has a cost.",
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
            "keeps": {},
            "replace_with": "PHONESYSTEM_VIRTUALUSER",
            "replace_with_id": RESOURCE,
            "resource_seats": 4,
            "allocation": 25,
            "resource_in_use": 3,
            "confirmed": True,
            "sku_ids": {"SPE_E3": E3},
        },
    )

    def values(self, f: RuleDetails[rules.ResourceAccountPaidLicenseDetails], w: ValueFormatter) -> dict[str, str]:
        return {**base_values(f, w), "resource": w.product(f.own.replace_with)}

    def message(self, f: RuleDetails[rules.ResourceAccountPaidLicenseDetails], w: ValueFormatter) -> Message:
        key = "" if f.own.confirmed else _MESSAGES.get(f.own.doubt, ".unconfirmed")
        return self.message_key(key), self.values(f, w)

    def remediation(
        self, f: RuleDetails[rules.ResourceAccountPaidLicenseDetails], v: Variant, w: ValueFormatter
    ) -> Remediation:
        paid, mailbox, confirmed = sorted(f.own.paid), sorted(f.own.mailbox), f.own.confirmed
        values = {**self.values(f, w), **w.listing("sku", paid)}  # the swap names what it removes, never the mailbox's
        leaves = [_held(a, f, confirmed) for a in group_removals(f, w, f.grouped([*paid, *mailbox]))]
        actions = [_swap(f, w, values, confirmed)] if paid else []
        actions += [*_mailbox_removals(f, w, mailbox, confirmed), *leaves]
        steps = _steps(f, w, values, confirmed)
        links = ["assign_licenses", "admin_roles", "graph:user_assign"]
        summary = TextRef("summary.resource_swap", values) if paid else _mailbox_summary(f, w, mailbox)
        remedy = Remediation(summary, steps, "role.assign", [TextRef("next.rerun")], links, actions)
        return resting_on(remedy, {"account_kind": "resource"})  # still one, on the same evidence, when the call runs


def _held(leave: Action, f: RuleDetails[rules.ResourceAccountPaidLicenseDetails], confirmed: bool) -> Action:
    """A group's membership removal held back where only the department says what the account is,
    where the group also gives a product the account keeps (a Calling Plan: leaving would take it
    too), or where it gives a product that carries the account's mailbox (leaving would end it)."""
    keeps, mailbox = set(f.own.keeps), set(f.own.mailbox)
    gives = set(f.group_licenses(leave.group or "")) | set(leave.seats)
    reason = None if confirmed else KIND_UNCONFIRMED
    reason = reason or (GROUP_KEEPS if leave.group and gives & keeps else None)
    reason = reason or (DATA_LOST if gives & mailbox else None)
    return leave if reason is None or leave.blocked else replace(leave, blocked=reason)


def _mailbox_removals(
    f: RuleDetails[rules.ResourceAccountPaidLicenseDetails], w: ValueFormatter, mailbox: list[str], confirmed: bool
) -> list[Action]:
    """The removal of the products held directly that carry the account's mailbox: listed, so the
    report and the plan show what waits, and never ready (a mailbox leaves through a person's steps,
    never through the swap; apply refuses one an edited plan makes ready: kind_reads.swap_unmet)."""
    direct = f.direct(mailbox)
    if not direct:
        return []
    said = TextRef("graph.remove", w.listing("sku", direct))
    return [assign_license(f, [], direct, said, DATA_LOST if confirmed else KIND_UNCONFIRMED)]


def _mailbox_summary(
    f: RuleDetails[rules.ResourceAccountPaidLicenseDetails], w: ValueFormatter, mailbox: list[str]
) -> TextRef:
    """What the finding asks when the swap has nothing to remove: keep the mailbox's data first."""
    plans = sorted({name for part in mailbox for name in rules.mailbox_plans(f.sku_id(part), ())})
    return TextRef(
        "summary.loss.data", {**w.listing("sku", mailbox), "plans": w.all(plans) if plans else w.word("unknown")}
    )


def _swap(
    f: RuleDetails[rules.ResourceAccountPaidLicenseDetails], w: ValueFormatter, values: dict[str, str], confirmed: bool
) -> Action:
    """One assignLicense that adds the resource license and removes the paid products held directly;
    not ready where only the department says the account is a resource account."""
    resource = f.own.replace_with
    direct = f.direct(sorted(f.own.paid))
    said = TextRef("graph.resource_swap", {**values, **w.listing("sku", direct)})
    return assign_license(f, [resource], direct, said, None if confirmed else KIND_UNCONFIRMED)


# the person's check that comes first when the swap is not confirmed, by the details' `doubt`
_CONFIRM = {
    "signs_in": "steps.resource.confirm.signs_in",
    "mailbox": "steps.resource.confirm.mailbox",
    "enabled": "steps.resource.confirm.enabled",
}
# the message of a finding that is not confirmed, by the details' `doubt` (else the department's)
_MESSAGES = {"signs_in": ".signs_in", "enabled": ".enabled"}


def _steps(
    f: RuleDetails[rules.ResourceAccountPaidLicenseDetails], w: ValueFormatter, values: dict[str, str], confirmed: bool
) -> list[TextRef]:
    """The swap's steps: a person's confirmation first where only the department says what the account
    is, then what the tenant's allocation and free seats ask, the swap, and what the account keeps."""
    confirm = _CONFIRM.get(f.own.doubt, "steps.resource.confirm")
    steps = [] if confirmed else [TextRef(confirm, values)]
    allocation, in_use = f.own.allocation, f.own.resource_in_use
    if allocation is not None and in_use is not None and in_use >= allocation:
        counts = {"allocation": str(allocation), "in_use": str(in_use)}
        steps.append(TextRef("steps.resource.beyond", {**values, **counts}))
    if f.own.resource_seats == 0:  # the tenant subscribes to it and has no free seat
        steps.append(TextRef("steps.resource.seats", values))
    if f.own.paid:
        steps.append(TextRef("steps.resource.swap", values))
    keeps = sorted(f.own.keeps)
    if keeps:
        steps.append(TextRef("steps.resource.keeps", {**values, **w.listing("keeps", keeps)}))
    mailbox = sorted(f.own.mailbox)
    if mailbox:  # a mailbox leaves through a person's steps, never through the swap
        steps.append(TextRef("steps.resource.mailbox", {**values, **w.listing("mailbox", mailbox)}))
    return steps
