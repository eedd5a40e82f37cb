"""Products a user holds for nothing: twice (directly and by a group), or beside one that covers them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...guidance.clouds import Variant
from ...guidance.examples import E5, USER
from ...guidance.facts import Facts, as_map, as_strs, as_text
from ...guidance.library import (
    LINKS_GROUP,
    Message,
    ValueFormatter,
    base_values,
    direct_removals,
    group_removals,
    held_twice,
    loss_steps,
    removal,
)
from ...guidance.remediation import (
    Remediation,
    TextRef,
)
from ...guidance.texts.declare import Text
from ...model import (
    Severity,
    User,
)
from ...policy.model import HygieneCheck
from ...reference import coverage
from ..base import Context
from .base import HygieneRule, UserHygieneRule, check_schema


class LicenseAssignedTwice(UserHygieneRule):
    """A user holds a product both directly and from a group (common after a move to group-based
    licensing). The direct copy is redundant when the group's copy turns on every service plan it
    does; the fix removes it then, and otherwise names the plans its removal would switch off.

    Example:
        hygiene:
          assigned_twice: {severity: low}
    """

    texts = (
        Text("rule.license-assigned-twice.title", "Product assigned twice"),
        Text("rule.license-assigned-twice.describe", "The user holds a product both directly and from a group. "
             "The direct copy usually adds nothing and is left behind by a move to group-based licensing, but it "
             "may turn on service plans the group's copy leaves off."),
        Text("rule.license-assigned-twice.message", "{user} holds {sku} both directly and from a group.",
             "{user} holds {sku} both directly and from a group."),
    )

    id = "license-assigned-twice"
    default_severity = Severity.LOW
    fires_when = (
        "a user holds a product both directly and from a group; the fix removes the direct copy only when the group's "
        "copy turns on every service plan it does, else names the plans (e.g. Exchange Online)"
    )
    details_doc = (
        "`also_by_group` (product → groups that also assign it), `plans_lost` (product → service plans only the "
        "direct copy turns on; removing it would switch them off)"
    )
    example_finding = (USER, ["SPE_E5"], {"also_by_group": {"SPE_E5": ["All Staff"]}, "plans_lost": {},
                                          "assigned_by_group": {"SPE_E5": ["All Staff"]},
                                          "sku_ids": {"SPE_E5": E5}})
    key = "assigned_twice"
    fragment = check_schema(False)
    costs = False  # one license is consumed either way
    removes = False  # only the direct copy goes, checked by DataLoss.held_twice (rules/services.py)

    reads = frozenset({"assignedLicenses", "licenseAssignmentStates"})

    def offends(self, user: User, check: HygieneCheck, ctx: Context) -> dict[str, Any] | None:
        return ctx.data_loss.held_twice(user, user.sku_ids) or None

    def products(self, user: User, details: dict[str, Any], ctx: Context) -> frozenset[str]:
        twice = details["also_by_group"]
        return frozenset(sid for sid in user.sku_ids if ctx.index.part(sid) in twice)

    def describe(self, user: User, details: dict[str, Any]) -> str:
        return f"holds {', '.join(sorted(details['also_by_group']))} both directly and from a group"

    def remediation(self, f: Facts, v: Variant, w: ValueFormatter) -> Remediation:
        twice = f.details.get("also_by_group")
        if isinstance(twice, Mapping) and twice:
            return held_twice(f, w, twice)
        return removal(f, v, w, list(f.skus))  # the report lost the details: the generic, checked steps


class LicenseRedundant(UserHygieneRule):
    """A user holds a product that adds nothing: every service plan it turns on for them is already
    turned on by another product they hold (Exchange Online (Plan 1) beside Microsoft 365 E3). The
    fix removes it; the finding names the product that keeps the services and, when the catalog
    prices it, the monthly saving.

    Derived from the tenant's subscribedSkus.servicePlans and the user's disabledPlans, with no list
    of product pairs. A plan covers itself and the lower plans of its service
    (auditor/reference/coverage.py). The redundant product's plans count when any copy of it leaves
    them on, whatever their status; the covering product's only when an Active copy without error
    leaves them on, the tenant's provisioningStatus is Success and the product's subscription works
    (capabilityStatus Enabled: not Warning, Suspended or LockedOut). Plans that apply to the Company
    count like the others (a company-wide plan the other product lacks is something it adds). A
    product whose plans the snapshot lacks is never redundant and covers nothing. Of two products
    that cover each other, the one assigned directly, else the dearer one, goes; never both.

    Example:
        hygiene:
          redundant_products: {severity: medium}
    """

    texts = (
        Text("rule.license-redundant.title", "Product adds nothing beside another"),
        Text("rule.license-redundant.describe", "Every service this product turns on for the user is already "
             "turned on by another product they hold, through the same service plan or a higher plan of the same "
             "service (Exchange Online (Plan 1) beside Microsoft 365 E3). Removing it takes nothing away and "
             "stops paying for it."),
        Text("rule.license-redundant.message", "{cover} already turns on every service of {sku} for {user}."),
        Text("rule.license-redundant.message.several", "Other products {user} holds already turn on every service "
             "of {sku}."),
        Text("summary.redundant", "{cover} already gives {user} every service of {sku}: remove {sku}."),
        Text("summary.redundant_group", "{sku} comes from the group {group}, and {cover} already gives {user} "
             "every service of it: take {user} out of the group, or remove {sku} from the group's licenses."),
        Text("summary.redundant_same_group", "The group {group} gives {user} both {sku} and {cover}, and {cover} "
             "already turns on every service of {sku}: remove {sku} from the group's licenses."),
        Text("steps.redundant.keep", "{cover} stays, and with it every service {sku} turns on for {user}: the "
             "same service plans, or higher plans of the same services. Removing {sku} switches nothing off."),
        Text("steps.redundant.same_group", "The group {group} assigns {cover} as well, so taking {user} out of it "
             "would take {cover} away too. Instead, check that the group's {cover} turns on every service its "
             "{sku} does, then in the Microsoft Entra admin center go to Groups > All groups > {group} > "
             "Licenses, select {sku} and choose Remove license."),
        Text("graph.remove_redundant", "Removes {sku} from {user}; no service is switched off.",
             "Removes {sku} from {user}; no service is switched off."),
    )

    id = "license-redundant"
    default_severity = Severity.MEDIUM
    fires_when = (
        "a user holds a product that adds nothing: every service plan it turns on for them is already on through "
        "another product they hold, or covered by a higher plan of the same service (Exchange Online (Plan 1) beside "
        "Microsoft 365 E3), and that product's subscription works (`capabilityStatus` Enabled, not in a grace "
        "period, suspended or locked out); names the product that keeps the services and the monthly saving "
        "(README, \"Redundant products\")"
    )
    details_doc = (
        "`covered_by` (redundant product → the product the user keeps, which turns on or covers every plan of it), "
        "`cover_by_group` (that product → groups that assign it; empty = direct), `plans` (redundant product → names "
        "of the service plans it turns on for the user), `also_by_group` (redundant product held directly as well as "
        "from these groups: both copies go)"
    )
    example_finding = (USER, ["EXCHANGESTANDARD", "SHAREPOINTSTANDARD"], {
        "covered_by": {"EXCHANGESTANDARD": "SPE_E5", "SHAREPOINTSTANDARD": "SPE_E5"},
        "cover_by_group": {"SPE_E5": []}, "also_by_group": {},
        "plans": {"EXCHANGESTANDARD": ["Exchange Online (Plan 1)"], "SHAREPOINTSTANDARD": ["SharePoint (Plan 1)"]},
        "assigned_by_group": {"EXCHANGESTANDARD": [], "SHAREPOINTSTANDARD": ["Site Owners"]},
        "group_kinds": {}, "assigned_by_group_ids": {"SHAREPOINTSTANDARD": ["g-2"]},
        "sku_ids": {"EXCHANGESTANDARD": "4b9405b0-exo", "SHAREPOINTSTANDARD": "1fc08a02-spo"}})
    message_variants = ("", ".several")
    key = "redundant_products"
    fragment = check_schema(False)
    needs = frozenset({"users", "subscribedSkus"})

    reads = frozenset({"assignedLicenses", "licenseAssignmentStates"})

    def offends(self, user: User, check: HygieneCheck, ctx: Context) -> dict[str, Any] | None:
        return self._redundant(user, ctx) if len(user.sku_ids) > 1 else None

    def products(self, user: User, details: dict[str, Any], ctx: Context) -> frozenset[str]:
        return frozenset(sid for sid in user.sku_ids if ctx.index.part(sid) in details["covered_by"])

    def describe(self, user: User, details: dict[str, Any]) -> str:
        return "; ".join(f"{small} adds nothing beside {big}" for small, big in sorted(details["covered_by"].items()))

    def _redundant(self, user: User, ctx: Context) -> dict[str, Any] | None:
        """The products to remove (each with the kept product that covers it), or None."""
        enabled: dict[str, frozenset[str]] = {}  # product -> plans some copy of it turns on
        covers: dict[str, frozenset[str]] = {}  # product -> plans its Active copies turn on or cover
        for sid in user.sku_ids:
            sku = ctx.index.sku_by_id.get(sid)
            if sku is None or not sku.service_plans:
                continue  # plans unknown: neither redundant nor covering
            plans = {p.service_plan_id.lower(): p for p in sku.service_plans}
            states = [s for s in user.license_assignment_states if s.sku_id.lower() == sid]
            copies = [s.disabled_plans for s in states] or [
                lic.disabled_plans for lic in user.assigned_licenses if lic.sku_id.lower() == sid]
            active = [s.disabled_plans for s in states if s.state == "Active" and not s.is_error] if states \
                else copies
            enabled[sid] = _turned_on(plans, copies)
            # a subscription that is not Enabled (Warning: in its grace period, about to lapse;
            # Suspended; LockedOut; Deleted) keeps nothing: it covers no other product
            working = sku.capability_status.lower() == "enabled"
            covers[sid] = coverage.covered(_turned_on(
                {k: p for k, p in plans.items() if p.provisioning_status.lower() == "success"}, active)) \
                if working else frozenset()
        if len(enabled) < 2:
            return None

        def price(sid: str) -> float:
            return ctx.monthly_price(sid) or 0.0

        # keep first: the widest coverage, group-assigned before direct, the cheaper, then by name
        def keep_first(sid: str) -> tuple[int, bool, float, str]:
            grouped = any(s.assigned_by_group for s in user.license_assignment_states if s.sku_id.lower() == sid)
            return (-len(covers[sid]), not grouped, price(sid), ctx.index.part(sid))

        kept: list[str] = []
        covered_by: dict[str, str] = {}
        for sid in sorted(enabled, key=keep_first):
            cover = next((k for k in kept if enabled[sid] and enabled[sid] <= covers[k]), None)
            if cover is None:
                kept.append(sid)
            else:
                covered_by[sid] = cover
        if not covered_by:
            return None
        part = ctx.index.part
        return {
            # a redundant product held directly and from a group: both copies have to go
            "also_by_group": ctx.data_loss.held_twice(user, covered_by).get("also_by_group", {}),
            "covered_by": {part(s): part(k) for s, k in covered_by.items()},
            "cover_by_group": {part(k): ctx.index.assigning_groups(user, k) for k in set(covered_by.values())},
            "plans": {part(s): sorted(ctx.data_loss.service_plan_name(s, p) for p in enabled[s]) for s in covered_by},
        } | ctx.data_loss.kinds(user)

    def message(self, f: Facts, w: ValueFormatter) -> Message:
        """One sentence per product when the covering products differ; one for all when one covers all."""
        covers = as_map(f.details.get("covered_by"))
        by_cover: dict[str, list[str]] = {}
        for part in f.skus:
            by_cover.setdefault(as_text(covers.get(part)) or "", []).append(part)
        if len(by_cover) != 1 or "" in by_cover:
            return self.message_key(".several"), base_values(f, w)
        (cover, parts), = by_cover.items()
        return self.message_key(), {**base_values(f, w), "sku": w.products(parts), "cover": w.product(cover)}

    def remediation(self, f: Facts, v: Variant, w: ValueFormatter) -> Remediation:
        """Remove the products that add nothing: one sentence per product naming the product that keeps
        its services (nothing is lost by construction). Direct copies go in one assignLicense; a copy
        from a group goes through every such group, except that a group which also assigns the covering
        product is not left (that would take the covering product too): the product leaves its licenses."""
        covers = as_map(f.details.get("covered_by"))
        cover_groups = as_map(f.details.get("cover_by_group"))
        twice = as_map(f.details.get("also_by_group"))
        parts = list(f.skus)
        if not parts or not covers:  # the report lost the details: the generic, checked steps
            return removal(f, v, w, parts)
        unknown = w.word("unknown")

        def cover(part: str) -> str:
            found = as_text(covers.get(part))
            return w.product(found) if found else unknown

        def cover_part(part: str) -> str:
            return as_text(covers.get(part)) or unknown

        def shared(part: str) -> list[str]:
            return sorted(set(f.groups(part)) & set(as_strs(cover_groups.get(cover_part(part)))))

        direct = [p for p in parts if not f.groups(p) or p in twice]
        grouped = f.grouped(parts)
        steps = [TextRef("steps.redundant.keep", {"sku": w.product(p), "cover": cover(p)}) for p in parts]
        if direct:
            steps.append(TextRef(f"steps.remove.{v.steps}", w.listing("sku", direct)))
        summary: list[TextRef] = [TextRef("summary.redundant", {"sku": w.product(p), "cover": cover(p)})
                                  for p in direct]
        leave: list[str] = []
        for part in grouped:
            for group in f.groups(part):
                values = {"sku": w.product(part), "group": group, "cover": cover(part)}
                if group in shared(part):
                    steps.append(TextRef("steps.redundant.same_group", values))
                    summary.append(TextRef("summary.redundant_same_group", values))
                else:
                    steps += [TextRef("steps.group.explain", values), TextRef("steps.group.membership", values),
                              TextRef("steps.group.license", values)]
                    summary.append(TextRef("summary.redundant_group", values))
                    leave.append(part)
        steps[len(parts):len(parts)] = loss_steps(f, w, parts)  # leaving a group may take more than this
        actions = direct_removals(f, direct, lambda ps: TextRef("graph.remove_redundant", w.listing("sku", ps)))
        # every group that assigns a redundant product is left, except one that also assigns the covering
        # product (leaving it would take that too)
        covering = {gid for part in grouped for gid in _cover_group_ids(f, part, shared(part))}
        actions += group_removals(f, w, leave, lambda gid, name: gid in covering)
        links = ["unassign_licenses", "buy_licenses", "admin_roles", "graph:user_assign"]
        if grouped:
            links += LINKS_GROUP
        return Remediation(tuple(summary), steps, "role.group" if grouped else "role.assign",
                    [TextRef("next.freed"), TextRef("next.rerun")], links, actions)


def _cover_group_ids(f: Facts, part: str, shared: list[str]) -> list[str]:
    """The ids of the groups that assign `part` and are named in `shared` (they also assign the
    covering product); names and ids are listed in one order."""
    names, ids = f.groups(part), f.group_ids(part)
    if len(names) != len(ids):
        return list(ids) if shared else []
    return [gid for name, gid in zip(names, ids, strict=True) if name in shared]


def _turned_on(plans: dict[str, Any], copies: list[tuple[str, ...]]) -> frozenset[str]:
    """The plan ids (lower-case) of `plans` that at least one copy leaves on (copies add up)."""
    if not copies:
        return frozenset()
    off = set.intersection(*({p.lower() for p in disabled} for disabled in copies))
    return frozenset(p for p in plans if p not in off)


RULES: tuple[HygieneRule, ...] = (
    LicenseAssignedTwice(),
    LicenseRedundant(),
)
