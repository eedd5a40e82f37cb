"""The guidance of the rules in auditor/rules/assignments/combination.py: their texts, message,
remediation and docs (auditor.wording finds each by its rule's class name)."""

from __future__ import annotations

from dataclasses import replace

from auditor.data.blocked import AFTER_GROUP, GROUP_KEEPS, STORAGE_WAITS

from ...guidance.cloud_variants import Variant
from ...guidance.details import RuleDetails
from ...guidance.examples import E5, EMS, USER
from ...guidance.library import (
    Message,
    RuleGuidance,
    ValueFormatter,
    base_values,
    direct_removals,
    group_removals,
    group_steps,
    held_twice,
    loss_steps,
    loss_summary,
    removal_frame,
)
from ...guidance.remediation import Action, Alternative, Remediation, TextRef, assign_license
from ...guidance.texts.declare import Text
from . import combination as rules
from . import licensing_texts as licensing


class SkuCombinationForbidden(RuleGuidance[rules.SkuCombinationForbiddenDetails]):
    id = rules.SkuCombinationForbidden.id
    texts = (
        Text("rule.sku-combination-forbidden.title", "Forbidden product combination"),
        Text(
            "rule.sku-combination-forbidden.describe",
            "The user holds products that the policy says must not be "
            "combined, usually because one already includes the other and the organization pays twice.",
        ),
        Text(
            "rule.sku-combination-forbidden.message",
            "{user} holds {combination} together, a combination the policy forbids.",
        ),
        Text("summary.combination", "Decide which one of {combination} to keep for {user}, and remove the rest."),
        Text(
            "steps.combination.keep",
            "{keep} already turns on everything {sku} does for {user}: keep {keep} and remove {sku}.",
            "{keep} together already turn on everything {sku} does for {user}: keep {keep} and remove {sku}.",
        ),
        Text(
            "steps.combination.choose",
            "Decide which of {combination} {user} should keep; if one product "
            "already includes the other, keep that one.",
        ),
        Text(
            "steps.combination.either",
            "Then remove only the other product. A product that a group assigns goes by taking {user} out of "
            "that group (Groups > All groups > the group > Members).",
        ),
        Text(
            "graph.combination",
            "Removes {sku} from {user}; {keep} stays and covers it.",
            "Removes {sku} from {user}; {keep} stay and cover it.",
        ),
        Text(
            "graph.combination_other",
            "Removes {sku} from {user}; {keep} stays.",
            "Removes {sku} from {user}; {keep} stay.",
        ),
        Text("alt.remove_other", "Remove {sku} instead and keep {keep}.", counted=True),
        Text(
            "summary.combination_declared",
            "Remove {sku} from {user} and keep {keep}, as the policy says.",
            counted=True,
        ),
        Text(
            "steps.combination.declared",
            "The policy keeps {keep} of {combination}: remove {sku} and nothing else.",
            counted=True,
        ),
    )
    example_finding = (
        USER,
        ["SPE_E5", "EMS"],
        {
            "combination": ["SPE_E5", "EMS"],
            "remove": "EMS",
            "keep": ["SPE_E5"],
            "assigned_by_group": {"SPE_E5": [], "EMS": []},
            "sku_ids": {"SPE_E5": E5, "EMS": EMS},
        },
    )

    def message(self, f: RuleDetails[rules.SkuCombinationForbiddenDetails], w: ValueFormatter) -> Message:
        combination = f.own.combination or f.skus
        return self.message_key(), {**base_values(f, w), "combination": w.products(combination)}

    def remediation(
        self, f: RuleDetails[rules.SkuCombinationForbiddenDetails], v: Variant, w: ValueFormatter
    ) -> Remediation:
        """Never both products: by default the one the others include goes (details remove/keep, when
        the plans show one), with "remove the other instead" as the alternative; without a default,
        one alternative per product and no default actions (only the admin knows which stays)."""
        combo = list(f.own.combination) or list(f.skus)
        held = list(f.skus) or combo
        if f.own.declared:
            declared = self.declared(f, v, w, combo, held)
            if declared is not None:
                return declared
        values = {"combination": w.products(combo)}
        remove = f.own.remove
        drop = remove if isinstance(remove, str) and remove else None
        keep = [p for p in f.own.keep if p in held]
        default = drop is not None and drop in held and bool(keep)
        gone = [drop] if default and drop else held
        steps: list[TextRef] = [TextRef("steps.combination.choose", values)]
        if default and drop:
            steps.append(TextRef("steps.combination.keep", {"sku": w.product(drop), **w.listing("keep", keep)}))
        steps += loss_steps(f, w, gone)
        if default:
            direct = f.direct(gone)
            if direct:
                steps.append(TextRef(f"steps.remove.{v.steps}", w.one_of("sku", direct)))
            steps += group_steps(f, w, f.grouped(gone))
        else:  # no removal is pre-filled, in the steps either: each way is an alternative
            steps.append(TextRef("steps.combination.either", values))
        actions: list[Action] = []
        if default and drop:
            actions = self.take(f, w, [drop], keep, "graph.combination")
            label = TextRef("alt.remove_other", {**w.listing("sku", keep), "keep": w.product(drop)})
            alternatives = [Alternative(label, tuple(self.take(f, w, keep, [drop], "graph.combination_other")))]
        else:
            alternatives = [
                Alternative(
                    TextRef("alt.remove_other", {**w.listing("sku", [p]), "keep": w.products(others)}),
                    tuple(self.take(f, w, [p], others, "graph.combination_other")),
                )
                for p in held
                if (others := [o for o in held if o != p])
            ]
        role, next_steps, links = removal_frame(bool(f.grouped(gone)))
        summary = TextRef("summary.combination", values)
        return Remediation(summary, steps, role, next_steps, links, actions, alternatives)

    def declared(
        self,
        f: RuleDetails[rules.SkuCombinationForbiddenDetails],
        v: Variant,
        w: ValueFormatter,
        combo: list[str],
        held: list[str],
    ) -> Remediation | None:
        """The policy names the product to keep (`{keep: A, remove: [B]}`): exactly the `remove`
        products the user holds go, `keep` stays; no alternative. None when the details lack them."""
        keep = [p for p in f.own.keep if p in held]
        remove = f.own.remove
        gone = [p for p in ((remove,) if isinstance(remove, str) else remove) if p in held and p not in keep]
        if not keep or not gone:
            return None
        values = {**w.listing("sku", gone), "keep": w.products(keep), "combination": w.products(combo)}
        steps = [TextRef("steps.combination.declared", values), *loss_steps(f, w, gone)]
        direct = f.direct(gone)
        if direct:
            steps.append(TextRef(f"steps.remove.{v.steps}", w.listing("sku", direct)))
        steps += group_steps(f, w, f.grouped(gone))
        loss = loss_summary(f, w, gone)
        declared = TextRef("summary.combination_declared", values)
        summary: TextRef | tuple[TextRef, ...] = (loss, declared) if loss is not None else declared
        role, next_steps, links = removal_frame(bool(f.grouped(gone)))
        actions = self.take(f, w, gone, keep, "graph.combination_other")
        return Remediation(summary, steps, role, next_steps, links, actions)

    @staticmethod
    def take(
        f: RuleDetails[rules.SkuCombinationForbiddenDetails],
        w: ValueFormatter,
        parts: list[str],
        keep: list[str],
        key: str,
    ) -> list[Action]:
        """The calls that take `parts` away and leave `keep`: direct copies in one assignLicense,
        copies from groups by leaving each group that assigns them (not one that also assigns a kept
        product: leaving it would take that too). Removals that would end data are listed, not ready."""
        kept_groups = {g for p in keep for g in f.group_ids(p)}
        direct = f.direct(parts)
        # counted by what stays ("{keep} stays" / "stay"); the removed products read the same either way
        actions = direct_removals(
            f, direct, lambda ps: TextRef(key, {"sku": w.products(ps), **w.listing("keep", keep)})
        )
        actions += group_removals(f, w, f.grouped(parts), lambda gid, name: gid in kept_groups)
        if any(gid in kept_groups for p in parts for gid in f.group_ids(p)):
            # a group gives both: these calls alone would leave the product to remove in place
            actions = [a if not a.ready else replace(a, blocked=GROUP_KEEPS) for a in actions]
        # removing one of them keeps the mailbox or OneDrive under the other's smaller plan: ready
        # only when the data fits (details.storage_by, per product removed; impact/storage_fit.py)
        fits = f.own.storage_by
        waits = [(fits.get(p) or {}).get("wait") for p in parts]
        wait = next((why for why in waits if why is not None and why in STORAGE_WAITS), None)
        if wait is not None:
            actions = [a if not a.ready else replace(a, blocked=wait) for a in actions]
        return actions


class AssignmentNotGroupBased(RuleGuidance[rules.AssignmentNotGroupBasedDetails]):
    id = rules.AssignmentNotGroupBased.id
    texts = (
        Text("rule.assignment-not-group-based.title", "License not assigned through a group"),
        Text(
            "rule.assignment-not-group-based.describe",
            "The policy expects this product to come from a group. "
            "Direct assignments are easily forgotten when people change jobs or leave.",
        ),
        Text(
            "rule.assignment-not-group-based.message",
            "{user} has {sku} assigned directly instead of through a group.",
            counted=True,
        ),
        Text(
            "summary.to_group",
            "Add {user} to the group that should assign {sku}, then remove the direct assignment.",
            "Add {user} to the group that should assign {sku}, then remove the direct assignments.",
        ),
        Text(
            "summary.to_named_group",
            "Add {user} to the group {group}, which assigns {sku}, then remove the direct assignment.",
            "Add {user} to the group {group}, which assigns {sku}, then remove the direct assignments.",
        ),
        Text(
            "steps.group.wait",
            "Wait until the Licenses page of {user} shows {sku} as inherited from the group "
            "before you remove the direct assignment.",
            "Wait until the Licenses page of {user} shows {sku} as inherited from the group before you remove "
            "the direct assignments.",
        ),
        Text(
            "graph.remove_after_group",
            "Once the group's license is active for {user}, removes the direct assignment of {sku}.",
            "Once the group's licenses are active for {user}, removes the direct assignments of {sku}.",
        ),
        *licensing.TEXTS,
    )
    example_finding = (USER, ["SPE_E5"], {"assigned_by_group": {"SPE_E5": []}, "sku_ids": {"SPE_E5": E5}})

    def remediation(
        self, f: RuleDetails[rules.AssignmentNotGroupBasedDetails], v: Variant, w: ValueFormatter
    ) -> Remediation:
        twice = f.own.also_by_group
        if twice:
            return held_twice(f, w, twice, f.own.plans_lost or None)
        parts = f.direct(f.skus) or list(f.skus)
        values = w.listing("sku", parts)
        steps: list[TextRef] = []
        actions: list[Action] = []
        rest: list[str] = []  # no licensing group can be joined for these: a person adds the user
        # the policy's licensing group: join it, then (once its copy is active) remove the direct one
        by_group = licensing.by_group(f.own.licensing_group, parts)
        for entry, given in by_group:
            join = licensing.join(f, w, given, entry)
            if join.ready:
                given_values = w.listing("sku", given)
                steps += [
                    *licensing.join_steps(w, entry, given),
                    TextRef("steps.group.wait", given_values),
                    TextRef(f"steps.remove.{v.steps}", given_values),
                ]
                actions += [join, licensing.remove_after_join(f, w, given, entry)]
            else:  # the finding waits: the step says what keeps the group from being joined
                steps.append(join.description)
                actions.append(join)
                rest += given
        rest += [p for p in parts if all(p not in given for _, given in by_group)]
        if rest or not actions:
            rest_values = w.listing("sku", rest)
            steps += [
                TextRef("steps.group.add", rest_values),
                TextRef("steps.group.wait", rest_values),
                TextRef(f"steps.remove.{v.steps}", rest_values),
            ]
            # not ready: it may only run once a group's copy is active (no group to join is known)
            actions.append(assign_license(f, [], rest, TextRef("graph.remove_after_group", rest_values), AFTER_GROUP))
        # the summary names the licensing group when the policy's one group gives every product
        groups = {licensing.group_name(entry) for entry, _ in by_group}
        summary = TextRef("summary.to_group", values)
        if not rest and len(groups) == 1:
            summary = TextRef("summary.to_named_group", values | {"group": groups.pop()})
        return Remediation(
            summary,
            steps,
            "role.group",
            [TextRef("next.rerun")],
            ["group_licensing", "unassign_licenses", "admin_roles", "graph:user_assign"],
            actions,
        )
