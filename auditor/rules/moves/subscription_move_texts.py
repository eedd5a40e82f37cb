"""The guidance of the rules in auditor/rules/moves/subscription_move.py: their texts, message,
remediation and docs (auditor.wording finds each by its rule's class name)."""

from __future__ import annotations

from dataclasses import replace

from auditor.data.blocked import CONFLICT, SEATS_TO_BUY, WHOLE_GROUP

from ...guidance.cloud_variants import Variant
from ...guidance.details import RuleDetails
from ...guidance.examples import E3, E5, USER
from ...guidance.library import Message, RuleGuidance, ValueFormatter, base_values, removal
from ...guidance.remediation import Remediation, TextRef
from ...guidance.texts.declare import Text
from ...reference import product_names
from ..assignments.selection_texts import SkuNotAllowed
from . import subscription_move as rules


class SubscriptionMove(RuleGuidance[rules.SubscriptionMoveDetails]):
    id = rules.SubscriptionMove.id
    texts = (
        Text("rule.subscription-move.title", "User to move to another subscription"),
        Text(
            "rule.subscription-move.describe",
            "The policy moves these users to another product; until then they hold the one they move from.",
        ),
        Text("rule.subscription-move.message", "{user} moves from {sku} to {target}."),
        Text(
            "rule.subscription-move.message.lost",
            "{user} moves from {sku} to {target}, and loses {plans}, which {target} does not include.",
        ),
        Text(
            "rule.subscription-move.message.seats",
            "{user} moves from {sku} to {target} once {target} has a free seat: buy it first.",
        ),
        Text(
            "steps.move.whole_group",
            "Every member of {group} moves: change the group's license from {sku} to "
            "{target} in the Microsoft Entra admin center (Groups > {group} > Licenses), one change for all of "
            "them.",
        ),
        Text(
            "steps.move.seats",
            "{target} has no free seat for this user: buy one (the plan's bill says how many in all), then plan again.",
        ),
        Text(
            "steps.move.conflict",
            "The user holds a license in MutuallyExclusiveViolation: resolve that conflict "
            "first, or Microsoft Entra ID refuses {target}.",
        ),
    )
    example_finding = (
        USER,
        ["SPE_E3"],
        {
            "move": "sales-to-e5",
            "move_to": "SPE_E5",
            "allowed": ["SPE_E5"],
            "replace_with": "SPE_E5",
            "replace_with_id": E5,
            "assigned_by_group": {"SPE_E3": []},
            "sku_ids": {"SPE_E3": E3},
            "plans_lost": [],
            "waits_for_seats": False,
        },
    )

    def message(self, f: RuleDetails[rules.SubscriptionMoveDetails], w: ValueFormatter) -> Message:
        values = {
            **base_values(f, w),
            "target": w.product(f.own.move_to or w.word("unknown")),
            # the service plans by their names in Microsoft's product table (report.json keeps the ids)
            "plans": w.all([product_names().plan(plan_name=p) or p for p in f.own.plans_lost]),
        }
        if f.own.waits_for_seats:
            return self.message_key(".seats"), values
        return self.message_key(".lost" if f.own.plans_lost else ""), values

    def remediation(self, f: RuleDetails[rules.SubscriptionMoveDetails], v: Variant, w: ValueFormatter) -> Remediation:
        """The replacement sku-not-allowed proposes, the disabled plans kept on `to`, and every call
        waiting while the move waits for a seat, a conflict or the group's own license."""
        target = w.product(f.own.move_to or w.word("unknown"))
        values = {"target": target, "sku": w.products(list(f.skus))}
        # sku-not-allowed's replacement, read from this rule's record
        replaced = f.own.replace_with
        remedy = SkuNotAllowed.replacement(f, f.own, v, w) if replaced else removal(f, v, w, list(f.skus))
        blocked = None
        intro: list[TextRef] = []
        if f.own.waits_for_seats:
            blocked = SEATS_TO_BUY
            intro.append(TextRef("steps.move.seats", values))
        if f.own.conflict:
            blocked = blocked or CONFLICT
            intro.append(TextRef("steps.move.conflict", values))
        for group in f.own.whole_group:
            blocked = blocked or WHOLE_GROUP
            intro.append(TextRef("steps.move.whole_group", {**values, "group": group}))
        remedy.steps = [*intro, *remedy.steps]
        kept = list(f.own.keep_disabled_ids)
        actions = []
        for a in remedy.actions:
            added = a.body.get("addLicenses") if kept and a.body else None
            if a.body and isinstance(added, list) and added:
                new_id = f.own.replace_with_id or None
                licenses = [
                    {**lic, "disabledPlans": kept} if isinstance(lic, dict) and lic.get("skuId") == new_id else lic
                    for lic in added
                ]
                a = replace(a, body={**a.body, "addLicenses": licenses})
            actions.append(a if blocked is None or not a.ready else replace(a, blocked=blocked))
        remedy.actions = actions
        return remedy
