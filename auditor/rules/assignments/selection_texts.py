"""The guidance of the rules in auditor/rules/assignments/selection.py: their texts, message,
remediation and docs (auditor.wording finds each by its rule's class name)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Protocol

from auditor.data.blocked import LICENSING_GROUP
from auditor.impact.fix_facts import GroupJoin

from ...guidance.cloud_variants import Variant
from ...guidance.details import Details, RuleDetails
from ...guidance.examples import E5, F3, USER
from ...guidance.library import (
    LINKS_ASSIGN,
    LINKS_GROUP,
    Message,
    RuleGuidance,
    ValueFormatter,
    base_values,
    direct_removals,
    group_removals,
    group_summaries,
    loss_steps,
    loss_summary,
    removal,
)
from ...guidance.links import PAGE_DATES
from ...guidance.remediation import (
    ASSIGN_LICENSE,
    REMOVE_MEMBER,
    Action,
    Remediation,
    TextRef,
    add_member,
    assign_license,
    reprocess,
)
from ...guidance.texts.declare import Steps, Text
from . import licensing_texts as licensing
from . import selection as rules
from .base_texts import assign_line, wait_for_usage_location
from .licensing import LicensingGroupEntry, ReplaceGroup


class Replacing(Protocol):
    """What the replacement of sku-not-allowed reads of a finding's details (SkuNotAllowed.replacement):
    the records of sku-not-allowed, rightsize and subscription-move."""

    @property
    def allowed(self) -> Sequence[str]: ...
    @property
    def replace_with(self) -> str: ...
    @property
    def replace_with_id(self) -> str: ...
    @property
    def replace_group(self) -> ReplaceGroup | None: ...
    @property
    def licensing_group(self) -> Mapping[str, LicensingGroupEntry]: ...


class SkuNotAllowed(RuleGuidance[rules.SkuNotAllowedDetails]):
    id = rules.SkuNotAllowed.id
    texts = (
        Text("rule.sku-not-allowed.title", "Product not allowed"),
        Text(
            "rule.sku-not-allowed.describe",
            "The user holds a product that the policy does not allow for their "
            "group of users. Moving them to an allowed product keeps licensing as intended and avoids paying for "
            "the wrong plan.",
        ),
        Text(
            "rule.sku-not-allowed.message",
            "{user} holds {sku}, which the policy does not allow here (allowed: {allowed}).",
            counted=True,
        ),
        Text("summary.replace", "Replace {old} with {new} for {user} in one step.", counted=True),
        Text(
            "summary.replace_group",
            "{old} comes from the group {group}: move {user} to a group that assigns {new} instead.",
        ),
        Text(
            "summary.replace_named_group",
            "{old} comes from the group {group}: move {user} to the group {join}, which assigns {new}, instead.",
        ),
        Text(
            "summary.not_allowed",
            "Move {user} from {sku} to an allowed product ({allowed}), or remove {sku}.",
            counted=True,
        ),
        Steps(
            "steps.replace.worldwide",
            "In the Microsoft 365 admin center, go to Users > Active users ({url}).",
            "Select the circle next to {user}.",
            "At the top, select More options (...), then Manage product licenses.",
            "In the Manage product licenses pane, select Replace existing product license assignments > Next.",
            "Switch the toggle to On for {new} and for every other product {user} keeps; switch Off the "
            "services the user should not get.",
            "At the bottom of the Replace existing products pane, select Replace > Close.",
        ),
        Steps(
            "steps.replace.legacy",
            "In the Microsoft 365 admin center, go to Users > Active users ({url}).",
            "Select the check box next to {user}.",
            "In the Bulk actions pane, select Edit product licenses.",
            "In the Assign products pane, select Replace existing product license assignments > Next.",
            "Switch the toggle to On for {new} and for every other product {user} keeps; switch Off the "
            "services the user should not get.",
            "At the bottom of the Replace existing products pane, select Replace > Close > Close.",
        ),
        Text(
            "steps.replace.caution",
            "Replacing takes away every license {user} had before, {old} included: only what you switched On remains.",
        ),
        Text(
            "steps.replace.source",
            'Steps as on Microsoft\'s page "Move users to a different subscription" of {date}; where the '
            "labels differ, follow its current version.",
        ),
        Text(
            "steps.group.replace",
            "Add {user} to a group that assigns {new} (Groups > All groups > the group > "
            "Members > Add members), then remove the user from {group}.",
        ),
        Text(
            "steps.group.replace_named",
            "Add {user} to the group {join}, which assigns {new} (Groups > All "
            "groups > {join} > Members > Add members), then remove the user from {group}.",
        ),
        Text(
            "graph.remove_or_replace",
            "Removes {sku} from {user}; to replace it in the same call, put the skuId "
            "of the allowed product in addLicenses.",
            "Removes {sku} from {user}; to replace them in the same call, put the skuId of the allowed product "
            "in addLicenses.",
        ),
        Text(
            "graph.replace",
            "One call for {user} adds {new} and removes {old} together, so the user is never without a license.",
            counted=True,
        ),
        Text("graph.add", "Assigns {sku} to {user}; the user needs a usage location first."),
        Text("graph.assign", "Assigns {sku} to {user}."),
        Text(
            "graph.join",
            "Adds {user} to the group {group}, which assigns {new}; this comes before the removal, "
            "so the user is never without a license.",
        ),
    )
    example_finding = (
        USER,
        ["SPE_E5"],
        {
            "assignment": "frontline",
            "allowed": ["SPE_F3"],
            "replace_with": "SPE_F3",
            "replace_with_id": F3,
            "assigned_by_group": {"SPE_E5": []},
            "sku_ids": {"SPE_E5": E5},
        },
    )

    def message(self, f: RuleDetails[rules.SkuNotAllowedDetails], w: ValueFormatter) -> Message:
        return self.message_key(), {**base_values(f, w), "allowed": w.products(f.own.allowed)}

    def remediation(self, f: RuleDetails[rules.SkuNotAllowedDetails], v: Variant, w: ValueFormatter) -> Remediation:
        return self.replacement(f, f.own, v, w, f.own.no_usage_location)

    @staticmethod
    def replacement(
        f: Details, own: Replacing, v: Variant, w: ValueFormatter, no_usage_location: bool = False
    ) -> Remediation:
        """The fix of a finding whose details name what replaces its products (`own`, the details of
        sku-not-allowed, rightsize or subscription-move): the replacement, then the removals."""
        bad = list(f.skus)
        new = own.replace_with or None
        allowed = own.allowed
        if not bad or (not new and not allowed):  # no products named: _removal shows where to look
            return removal(f, v, w, bad)
        direct, grouped = f.direct(bad), f.grouped(bad)
        target = w.product(new) if new else w.any_product(allowed)
        steps: list[TextRef] = loss_steps(f, w, bad)
        if direct:
            values = {"old": w.products(direct), "new": target}
            steps += [
                TextRef(f"steps.replace.{v.steps}", values),
                TextRef("steps.replace.caution", values),
                TextRef("steps.replace.source", {"date": PAGE_DATES["move_users"]}),
            ]
        join = (own.replace_group or {}).get("name") or None if new else None
        for part in grouped:
            for group in f.groups(part):
                values = {
                    "old": w.product(part),
                    "sku": w.product(part),
                    "new": target,
                    "group": group,
                    "join": join or "",
                }
                steps += [
                    TextRef("steps.group.explain", values),
                    TextRef("steps.group.replace_named" if join else "steps.group.replace", values),
                ]
        actions = SkuNotAllowed.actions(f, own, w, direct, grouped, new, target, no_usage_location)
        summary: TextRef | tuple[TextRef, ...]
        if grouped:  # naming the group to join where the policy names it
            summary = group_summaries(
                f,
                w,
                grouped,
                "summary.replace_named_group" if join else "summary.replace_group",
                {"new": target, "join": join or ""},
            )
        elif new:
            summary = TextRef("summary.replace", {**w.listing("old", direct), "new": target})
        else:
            summary = TextRef("summary.not_allowed", {**w.listing("sku", direct), "allowed": w.any_product(allowed)})
        loss = loss_summary(f, w, bad)
        if loss is not None:
            summary = (loss, *(summary if isinstance(summary, tuple) else (summary,)))
        links = list(LINKS_ASSIGN) + (LINKS_GROUP if grouped else []) + ["buy_licenses"]
        return Remediation(
            summary,
            steps,
            "role.group" if grouped else "role.assign",
            [TextRef("next.freed"), TextRef("next.rerun")],
            links,
            actions,
        )

    @staticmethod
    def actions(
        f: Details,
        own: Replacing,
        w: ValueFormatter,
        direct: list[str],
        grouped: list[str],
        new: str | None,
        target: str,
        no_usage_location: bool,
    ) -> list[Action]:
        """The replacement first, then the removals, so the user is never without a license. Direct
        products: one assignLicense that adds the replacement and removes them together (the
        "Replace" of the admin center). Products from a group: join the group that assigns the
        replacement (details.replace_group) when there is one, else assign it directly; then leave
        each group that assigns the old product. Removals that would end data stay listed, not ready."""
        join = own.replace_group or ReplaceGroup()
        gid = join.get("id") or None
        actions: list[Action] = []
        add: list[str] = [new] if new else []
        joined: tuple[str, str] | None = None  # (group id, replacement) when the user joins a group
        entry = own.licensing_group.get(new) if new else None
        if new and entry is not None:
            # the replacement's catalog licensing group gives it: join that group, never a direct copy
            actions.append(licensing.join(f, w, [new], entry))
            joined, add = (entry.get("id") or "", new), []
        elif new and gid and (grouped or join.get("required")):
            joined = (gid, new)
            name = join.get("name") or gid
            actions.append(
                add_member(f, gid, join.get("gives") or [new], TextRef("graph.join", {"group": name, "new": target}))
            )
            add = []
        if direct:
            key = "graph.replace" if add else "graph.remove" if new else "graph.remove_or_replace"
            actions += direct_removals(
                f,
                direct,
                lambda ps: TextRef(key, {**w.listing("old", ps), "new": target, **w.listing("sku", ps)}),
                add,
                assign_line(no_usage_location, target),
            )
        elif add:
            actions.append(assign_license(f, add, [], assign_line(no_usage_location, target)))
        leaves = group_removals(f, w, grouped)
        if joined is not None:
            # group licensing works in the background: the old products go only once the new
            # group's copy of the replacement is active for the user (apply re-reads it first)
            holds = {"holds": f.sku_id(joined[1]).lower(), "how": "group", "group": joined[0].lower(), "active": True}
            actions = [
                replace(a, precondition=(*a.precondition, holds))
                if a.kind == ASSIGN_LICENSE and (a.body or {}).get("removeLicenses")
                else a
                for a in actions
            ]
            leaves = [replace(a, precondition=(*a.precondition, holds)) for a in leaves]
        actions += leaves
        if new and join.get("required") and not gid:
            # group_based_only, and no group assigns the replacement: no direct copy either
            actions = [replace(a, blocked=LICENSING_GROUP) if (a.body or {}).get("addLicenses") else a for a in actions]
        actions = wait_for_usage_location(no_usage_location, actions)
        # a replacement is one change: when no removal may run (data at stake), neither may the add
        removals = [a for a in actions if a.kind == REMOVE_MEMBER or (a.body or {}).get("removeLicenses")]
        if removals and not any(a.ready for a in removals):
            held = removals[0].blocked
            actions = [a if a in removals or not a.ready else replace(a, blocked=held) for a in actions]
        return actions


class SkuForbidden(RuleGuidance[rules.SkuForbiddenDetails]):
    id = rules.SkuForbidden.id
    texts = (
        Text("rule.sku-forbidden.title", "Forbidden product"),
        Text(
            "rule.sku-forbidden.describe",
            "The policy forbids this product for the user. A forbidden license "
            "costs money and can give access to services the user should not have.",
        ),
        Text("rule.sku-forbidden.message", "{user} holds {sku}, which the policy forbids.", counted=True),
    )
    example_finding = (
        USER,
        ["SPE_E5"],
        {"forbidden": ["SPE_E5"], "assigned_by_group": {"SPE_E5": []}, "sku_ids": {"SPE_E5": E5}},
    )

    def remediation(self, f: RuleDetails[rules.SkuForbiddenDetails], v: Variant, w: ValueFormatter) -> Remediation:
        return removal(f, v, w, list(f.skus))


class SkuRequiredMissing(RuleGuidance[rules.SkuRequiredMissingDetails]):
    id = rules.SkuRequiredMissing.id
    texts = (
        Text("rule.sku-required-missing.title", "Required product missing"),
        Text(
            "rule.sku-required-missing.describe",
            "The user has none of the products the policy requires, so "
            "they may lack services they need for their work.",
        ),
        Text(
            "rule.sku-required-missing.message",
            "{user} does not hold the required product {required}.",
            "{user} has none of the required products ({required}).",
        ),
        Text(
            "summary.assign",
            "Give {user} the required product {sku}.",
            "Give {user} one of the required products: {sku}.",
        ),
        Text("summary.assign_group", "Add {user} to the group {group}, which assigns {sku}.", counted=True),
        Steps(
            "steps.assign.worldwide",
            "In the Microsoft 365 admin center, go to Users > Active users ({url}).",
            "Select {user}, then open the Licenses and apps tab.",
            "If no location is chosen under Select location, choose the country where the user works.",
            "Under Licenses, select the box for {sku}, then select Save changes.",
        ),
        Steps(
            "steps.assign.legacy",
            "In the Microsoft 365 admin center, go to Users > Active users ({url}).",
            "Select {user}; on the right, in the Product licenses row, select Edit.",
            "Switch the toggle for {sku} to On, then select Save > Close > Close.",
        ),
        Text(
            "steps.group.add",
            "If the product should come from a group: in the Microsoft Entra admin center, go "
            "to Groups > All groups, open the group that assigns {sku}, select Members > Add members and add "
            "{user}.",
            "If the products should come from a group: in the Microsoft Entra admin center, go to Groups > All "
            "groups, open the group that assigns {sku}, select Members > Add members and add {user}.",
        ),
        # a member of a group that assigns the product, without the group's copy: no direct copy
        Text(
            "summary.required.nested",
            "{user} is in the group {group}, which assigns {sku}, only through a "
            "nested group, and group-based licensing does not follow nested groups: add {user} to {group} "
            "itself instead of assigning {sku} directly.",
        ),
        Text(
            "summary.required.direct",
            "{user} is a direct member of the group {group}, which assigns {sku}, "
            "but has not received the license from it: the group's license has not been applied to the user. "
            "Reprocess the "
            "user's licenses instead of assigning {sku} directly.",
        ),
        Text(
            "summary.required.unknown",
            "{user} is a member of the group {group}, which assigns {sku}, but has "
            "not received the license from it, and the snapshot does not show whether the membership is "
            "direct (group-based licensing applies a group's licenses to its direct members only). Check "
            "the group's members before you assign {sku} directly.",
        ),
        Text(
            "steps.required.nested",
            "In the Microsoft Entra admin center, go to Groups > All groups > {group} > "
            "Members, select Add members and add {user}; the group's license reaches the user once the group "
            "has processed the change.",
        ),
        Text(
            "steps.required.direct",
            "In the Microsoft Entra admin center, go to Users > All users > {user} > "
            "Licenses and select Reprocess. If the assignment then shows an error, fix its cause (no usage "
            "location, no free license, or a service plan that conflicts with another).",
        ),
        Text(
            "graph.join_direct",
            "Adds {user} to the group {group} as a direct member, so that its licenses ({sku}) apply to the user.",
        ),
        Text(
            "graph.reprocess_group",
            "Makes Microsoft Entra ID apply the licenses of {user} again, so that the group {group} gives its {sku}.",
        ),
    )
    example_finding = (USER, [], {"required_any": ["SPE_F3", "SPE_E3"], "sku_ids": {"SPE_F3": F3}})

    def message(self, f: RuleDetails[rules.SkuRequiredMissingDetails], w: ValueFormatter) -> Message:
        return self.message_key(), {**base_values(f, w), **w.listing("required", f.own.required_any)}

    def remediation(
        self, f: RuleDetails[rules.SkuRequiredMissingDetails], v: Variant, w: ValueFormatter
    ) -> Remediation:
        required = list(f.own.required_any) or list(f.skus)
        joined = [g for g in f.own.group_membership or () if g.get("id")]
        if joined:
            return self.group_plan(f, w, joined)
        choice = w.one_of("sku", required)  # "A or B": one product
        summary = TextRef("summary.assign", {**choice, "count": str(len(required))})
        links = ["assign_licenses", "group_licensing", "admin_roles", "graph:user_assign"]
        for entry, given in licensing.by_group(f.own.licensing_group, required)[:1]:
            # the policy's licensing group gives the product: the user joins it (group licensing
            # needs no usage location of the user's own: it takes the tenant's)
            join = licensing.join(f, w, given, entry)
            steps = licensing.join_steps(w, entry, given) if join.ready else [join.description]
            if join.ready:  # the summary names the group the step joins
                summary = TextRef(
                    "summary.assign_group", {**w.listing("sku", given), "group": licensing.group_name(entry)}
                )
            return Remediation(summary, steps, "role.group", [TextRef("next.rerun")], links, [join])
        steps = [TextRef(f"steps.assign.{v.steps}", choice), TextRef("steps.group.add", choice)]
        actions = []
        if required:
            missing = f.own.no_usage_location
            actions.append(assign_license(f, [required[0]], [], assign_line(missing, w.product(required[0]))))
        actions = wait_for_usage_location(f.own.no_usage_location, actions)
        # "one of the required products: A or B", or "the required product A"
        return Remediation(summary, steps, "role.assign", [TextRef("next.rerun")], links, actions)

    @staticmethod
    def group_plan(
        f: RuleDetails[rules.SkuRequiredMissingDetails], w: ValueFormatter, joined: list[GroupJoin]
    ) -> Remediation:
        """The user is a member of a group that assigns a required product, yet holds no copy from
        it: never a direct copy beside the group (details.group_membership). Through a nested group
        only: join the group itself (group-based licensing follows direct members only). A direct
        member: reprocess the user's licenses. Not known which: a person checks first."""
        summaries: list[TextRef] = []
        steps: list[TextRef] = []
        actions: list[Action] = []
        for g in joined:
            gid = g.get("id") or ""
            name = g.get("name") or gid
            gives = list(g.get("gives") or ())
            via = g.get("via")
            via = via if via in ("nested", "direct") else "unknown"
            values = {"group": name, "sku": w.products(gives)}
            summaries.append(TextRef(f"summary.required.{via}", values))
            if via == "nested":
                steps.append(TextRef("steps.required.nested", values))
                actions.append(add_member(f, gid, gives, TextRef("graph.join_direct", values)))
            elif via == "direct":
                steps.append(TextRef("steps.required.direct", values))
                actions.append(reprocess(f, TextRef("graph.reprocess_group", values), takes=gives))
        # a join to a dynamic or synced group is listed, not ready (its reason says where to change it)
        return Remediation(
            tuple(summaries),
            steps,
            "role.group",
            [TextRef("next.rerun")],
            ["admin_roles", *LINKS_GROUP],
            wait_for_usage_location(f.own.no_usage_location, actions),
        )
