"""The guidance of the rules in auditor/rules/hygiene/overlap.py: their texts, message,
remediation and docs (auditor.wording finds each by its rule's class name)."""

from __future__ import annotations

from ...guidance.cloud_variants import Variant
from ...guidance.details import Details, RuleDetails
from ...guidance.examples import E5, USER
from ...guidance.library import (
    LINKS_GROUP,
    Message,
    RuleGuidance,
    ValueFormatter,
    base_values,
    direct_removals,
    group_removals,
    held_twice,
    loss_steps,
    removal,
    removal_actions,
)
from ...guidance.remediation import Action, Remediation, TextRef
from ...guidance.texts.declare import Text
from . import overlap as rules


class LicenseAssignedTwice(RuleGuidance[rules.LicenseAssignedTwiceDetails]):
    id = rules.LicenseAssignedTwice.id
    texts = (
        Text("rule.license-assigned-twice.title", "Product assigned twice"),
        Text(
            "rule.license-assigned-twice.describe",
            "The user holds a product both directly and from a group. "
            "The direct assignment usually adds nothing and is left behind by a move to group-based licensing, but "
            "it may turn on service plans the group's license leaves off.",
        ),
        Text("rule.license-assigned-twice.message", "{user} holds {sku} both directly and from a group.", counted=True),
    )
    example_finding = (
        USER,
        ["SPE_E5"],
        {
            "also_by_group": {"SPE_E5": ["All Staff"]},
            "plans_lost": {},
            "assigned_by_group": {"SPE_E5": ["All Staff"]},
            "sku_ids": {"SPE_E5": E5},
        },
    )

    def remediation(
        self, f: RuleDetails[rules.LicenseAssignedTwiceDetails], v: Variant, w: ValueFormatter
    ) -> Remediation:
        twice = f.own.also_by_group
        if twice:
            return held_twice(f, w, twice, f.own.plans_lost)
        return removal(f, v, w, list(f.skus))  # the report lost the details: the generic, checked steps


class LicenseRedundant(RuleGuidance[rules.LicenseRedundantDetails]):
    id = rules.LicenseRedundant.id
    texts = (
        Text("rule.license-redundant.title", "Product adds nothing beside another"),
        Text(
            "rule.license-redundant.describe",
            "Every service this product turns on for the user is already "
            "turned on by another product they hold, through the same service plan or a higher plan of the same "
            "service (Exchange Online (Plan 1) beside Microsoft 365 E3). Removing it takes nothing away and "
            "stops paying for it.",
        ),
        Text("rule.license-redundant.message", "{cover} already turns on every service of {sku} for {user}."),
        Text(
            "rule.license-redundant.message.several",
            "Other products {user} holds already turn on every service of {sku}.",
        ),
        Text("summary.redundant", "{cover} already gives {user} every service of {sku}: remove {sku}."),
        Text(
            "summary.redundant_group",
            "{sku} comes from the group {group}, and {cover} already gives {user} "
            "every service of it: take {user} out of the group, or remove {sku} from the group's licenses.",
        ),
        Text(
            "summary.redundant_same_group",
            "The group {group} gives {user} both {sku} and {cover}, and {cover} "
            "already turns on every service of {sku}: remove {sku} from the group's licenses.",
        ),
        Text(
            "steps.redundant.keep",
            "{cover} stays, and with it every service {sku} turns on for {user}: the "
            "same service plans, or higher plans of the same services. Removing {sku} switches nothing off.",
        ),
        Text(
            "steps.redundant.same_group",
            "The group {group} assigns {cover} as well, so taking {user} out of it "
            "would take {cover} away too. Instead, check that the group's {cover} turns on every service its "
            "{sku} does, then in the Microsoft Entra admin center go to Groups > All groups > {group} > "
            "Licenses, select {sku} and choose Remove license.",
        ),
        Text("graph.remove_redundant", "Removes {sku} from {user}; no service is switched off.", counted=True),
    )
    example_finding = (
        USER,
        ["EXCHANGESTANDARD", "SHAREPOINTSTANDARD"],
        {
            "covered_by": {"EXCHANGESTANDARD": "SPE_E5", "SHAREPOINTSTANDARD": "SPE_E5"},
            "cover_by_group": {"SPE_E5": []},
            "also_by_group": {},
            "plans": {"EXCHANGESTANDARD": ["Exchange Online (Plan 1)"], "SHAREPOINTSTANDARD": ["SharePoint (Plan 1)"]},
            "assigned_by_group": {"EXCHANGESTANDARD": [], "SHAREPOINTSTANDARD": ["Site Owners"]},
            "group_kinds": {},
            "assigned_by_group_ids": {"SHAREPOINTSTANDARD": ["g-2"]},
            "sku_ids": {"EXCHANGESTANDARD": "4b9405b0-exo", "SHAREPOINTSTANDARD": "1fc08a02-spo"},
        },
    )

    def message(self, f: RuleDetails[rules.LicenseRedundantDetails], w: ValueFormatter) -> Message:
        """One sentence per product when the covering products differ; one for all when one covers all."""
        covers = f.own.covered_by
        by_cover: dict[str, list[str]] = {}
        for part in f.skus:
            by_cover.setdefault(covers.get(part) or "", []).append(part)
        if len(by_cover) != 1 or "" in by_cover:
            return self.message_key(".several"), base_values(f, w)
        ((cover, parts),) = by_cover.items()
        return self.message_key(), {**base_values(f, w), "sku": w.products(parts), "cover": w.product(cover)}

    def remediation(self, f: RuleDetails[rules.LicenseRedundantDetails], v: Variant, w: ValueFormatter) -> Remediation:
        """Remove the products that add nothing: one sentence per product naming the product that keeps
        its services (nothing is lost by construction). Direct copies go in one assignLicense; a copy
        from a group goes through every such group, except that a group which also assigns the covering
        product is not left (that would take the covering product too): the product leaves its licenses."""
        covers = f.own.covered_by
        parts = list(f.skus)
        if not parts or not covers:  # the report lost the details: the generic, checked steps
            return removal(f, v, w, parts)
        unknown = w.word("unknown")

        def cover(part: str) -> str:
            found = covers.get(part)
            return w.product(found) if found else unknown

        direct, grouped = _direct(f), f.grouped(parts)
        steps = [TextRef("steps.redundant.keep", {"sku": w.product(p), "cover": cover(p)}) for p in parts]
        if direct:
            steps.append(TextRef(f"steps.remove.{v.steps}", w.listing("sku", direct)))
        summary: list[TextRef] = [
            TextRef("summary.redundant", {"sku": w.product(p), "cover": cover(p)}) for p in direct
        ]
        for part in grouped:
            for group in f.groups(part):
                values = {"sku": w.product(part), "group": group, "cover": cover(part)}
                if group in _shared_with_cover(f, part):
                    steps.append(TextRef("steps.redundant.same_group", values))
                    summary.append(TextRef("summary.redundant_same_group", values))
                else:
                    steps += [
                        TextRef("steps.group.explain", values),
                        TextRef("steps.group.membership", values),
                        TextRef("steps.group.license", values),
                    ]
                    summary.append(TextRef("summary.redundant_group", values))
        steps[len(parts) : len(parts)] = loss_steps(f, w, parts)  # leaving a group may take more than this
        links = ["unassign_licenses", "buy_licenses", "admin_roles", "graph:user_assign"]
        if grouped:
            links += LINKS_GROUP
        return Remediation(
            tuple(summary),
            steps,
            "role.group" if grouped else "role.assign",
            [TextRef("next.freed"), TextRef("next.rerun")],
            links,
            self.default_actions(f, v, w),
        )

    def default_actions(
        self, f: RuleDetails[rules.LicenseRedundantDetails], v: Variant, w: ValueFormatter
    ) -> list[Action]:
        """The direct copies go in one assignLicense; every group that assigns a redundant product is
        left, except one that also assigns the covering product (leaving it would take that too)."""
        parts = list(f.skus)
        if not parts or not f.own.covered_by:
            return removal_actions(f, w, parts)
        grouped = f.grouped(parts)
        leave = [part for part in grouped if set(f.groups(part)) - set(_shared_with_cover(f, part))]
        covering = {gid for part in grouped for gid in _cover_group_ids(f, part, _shared_with_cover(f, part))}
        return direct_removals(
            f, _direct(f), lambda ps: TextRef("graph.remove_redundant", w.listing("sku", ps))
        ) + group_removals(f, w, leave, lambda gid, name: gid in covering)


def _direct(f: RuleDetails[rules.LicenseRedundantDetails]) -> list[str]:
    """The redundant products held directly (also those held from a group as well)."""
    twice = f.own.also_by_group
    return [p for p in f.skus if not f.groups(p) or p in twice]


def _shared_with_cover(f: RuleDetails[rules.LicenseRedundantDetails], part: str) -> list[str]:
    """The groups that assign both `part` and the product that covers it."""
    cover = f.own.covered_by.get(part, "")
    return sorted(set(f.groups(part)) & set(f.own.cover_by_group.get(cover, ())))


def _cover_group_ids(f: Details, part: str, shared: list[str]) -> list[str]:
    """The ids of the groups that assign `part` and are named in `shared` (they also assign the
    covering product); names and ids are listed in one order."""
    names, ids = f.groups(part), f.group_ids(part)
    if len(names) != len(ids):
        return list(ids) if shared else []
    return [gid for name, gid in zip(names, ids, strict=True) if name in shared]
