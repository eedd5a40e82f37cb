"""Rules over `assignments:` entries — which products each population may, must or must not hold."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any

from ..guidance.clouds import Variant
from ..guidance.examples import E5, EMS, F3, USER
from ..guidance.facts import Facts, as_map, as_strs, as_text
from ..guidance.library import (
    LINKS_ASSIGN,
    LINKS_GROUP,
    Message,
    Words,
    base_values,
    direct_removals,
    group_removals,
    group_steps,
    group_summaries,
    held_twice,
    loss_steps,
    loss_summary,
    removal,
    removal_frame,
)
from ..guidance.plan import (
    AFTER_GROUP,
    ASSIGN_LICENSE,
    CHOOSE_VALUE,
    GROUP_KEEPS,
    REMOVE_MEMBER,
    Action,
    Alternative,
    Line,
    Plan,
    add_member,
    assign_license,
    first_blocked,
)
from ..guidance.texts.declare import Steps, Text
from ..model import Finding, Severity, User
from ..policy.model import Assignment, Exclusive, Policy, Selector
from ..policy.selectors import parse_selector
from ..policy.yamlsource import Part
from .base import SKU_LIST_SCHEMA, SKU_REF_SCHEMA, Context, Rule


class AssignmentRule(Rule):
    section = "assignments"
    needs = frozenset({"users", "subscribedSkus"})  # SKU names resolve through subscribedSkus
    leaves = True  # the fix may leave the groups that assign the finding's products (details.leaving)

    def selectors(self, policy: Policy) -> list[Selector]:
        return [s for a in policy.assignments if self.applies(a) for s in (a.match, a.except_) if s is not None]

    def configured(self, policy: Policy) -> bool:
        return any(self.applies(a) for a in policy.assignments)

    def applies(self, a: Assignment) -> bool:
        """Whether entry `a` sets this rule's key."""
        raise NotImplementedError

    def validate(self, a: Assignment, entry: Part) -> None:
        """Report what contradicts this rule's key in entry `a` (the schema cannot say it)."""

    def evaluate(self, policy: Policy, ctx: Context) -> Iterator[Finding]:
        for a in policy.assignments:
            if self.applies(a):
                yield from self.check(policy, a, ctx)

    def check(self, policy: Policy, a: Assignment, ctx: Context) -> Iterator[Finding]:
        raise NotImplementedError

    def user_finding(
        self, policy: Policy, a: Assignment, ctx: Context, pos: int, sku_ids: frozenset[str], message: str,
        extra: dict[str, Any], cost: bool = False,
    ) -> Finding:
        user = ctx.index.users[pos]
        details = ctx.user_details(user, sku_ids, a.name) | extra
        if self.leaves:
            details |= ctx.leaving(user, sku_ids)
        return self.make(
            policy, f"assignments/{a.name}", ctx.user_subject(user), ctx.index.parts(sku_ids), message, details,
            severity=a.severity, monthly_cost=ctx.cost_of(sku_ids) if cost else None,
        )


def _add_line(f: Facts, product: str) -> Line:
    """What a call that assigns `product` does; "the user needs a usage location first" only for a
    user who has none (details.no_usage_location)."""
    return Line("graph.add" if f.details.get("no_usage_location") else "graph.assign", {"sku": product})


def _without_location(f: Facts, actions: list[Action]) -> list[Action]:
    """A user without a usage location cannot be given a license directly (Graph refuses it): the
    calls that assign one wait until a person has chosen the country."""
    if not f.details.get("no_usage_location"):
        return actions
    return [replace(a, blocked=first_blocked(a.blocked, CHOOSE_VALUE))
            if a.kind == ASSIGN_LICENSE and (a.body or {}).get("addLicenses") else a for a in actions]


class SkuNotAllowed(AssignmentRule):
    """Users in the population hold a product outside its `allowed` list.

    Example:
        assignments:
          - name: frontline
            match: {groups: ["Frontline Workers"]}
            allowed: [SPE_F1, FLOW_FREE]
    """

    texts = (
        Text("rule.sku-not-allowed.title", "Product not allowed"),
        Text("rule.sku-not-allowed.describe", "The user holds a product that the policy does not allow for their "
             "group of users. Moving them to an allowed product keeps licensing as intended and avoids paying for "
             "the wrong plan."),
        Text("rule.sku-not-allowed.message", "{user} holds {sku}, which the policy does not allow here (allowed: "
             "{allowed}).",
             "{user} holds {sku}, which the policy does not allow here (allowed: {allowed})."),
        Text("summary.replace", "Replace {old} with {new} for {user} in one step.",
             "Replace {old} with {new} for {user} in one step."),
        Text("summary.replace_group", "{old} comes from the group {group}: move {user} to a group that assigns "
             "{new} instead."),
        Text("summary.not_allowed", "Move {user} from {sku} to an allowed product ({allowed}), or remove {sku}.",
             "Move {user} from {sku} to an allowed product ({allowed}), or remove {sku}."),
        Steps("steps.replace.worldwide",
              "In the Microsoft 365 admin center, go to Users > Active users ({url}).",
              "Select the circle next to {user}.",
              "At the top, select More options (...), then Manage product licenses.",
              "In the Manage product licenses pane, select Replace existing product license assignments > Next.",
              "Switch the toggle to On for {new} and for every other product {user} keeps; switch Off the "
              "services the user should not get.",
              "At the bottom of the Replace existing products pane, select Replace > Close."),
        Steps("steps.replace.legacy",
              "In the Microsoft 365 admin center, go to Users > Active users ({url}).",
              "Select the check box next to {user}.",
              "In the Bulk actions pane, select Edit product licenses.",
              "In the Assign products pane, select Replace existing product license assignments > Next.",
              "Switch the toggle to On for {new} and for every other product {user} keeps; switch Off the "
              "services the user should not get.",
              "At the bottom of the Replace existing products pane, select Replace > Close > Close."),
        Text("steps.replace.caution", "Replacing takes away every license {user} had before, {old} included: only "
             "what you switched On remains."),
        Text("steps.group.replace", "Add {user} to a group that assigns {new} (Groups > All groups > the group > "
             "Members > Add members), then remove the user from {group}."),
        Text("steps.group.replace_named", "Add {user} to the group {join}, which assigns {new} (Groups > All "
             "groups > {join} > Members > Add members), then remove the user from {group}."),
        Text("graph.remove_or_replace", "Removes {sku} from {user}; to replace it in the same call, put the skuId "
             "of the allowed product in addLicenses.",
             "Removes {sku} from {user}; to replace them in the same call, put the skuId of the allowed product "
             "in addLicenses."),
        Text("graph.replace", "One call for {user} adds {new} and removes {old} together, so the user is never "
             "without a license.",
             "One call for {user} adds {new} and removes {old} together, so the user is never without a license."),
        Text("graph.add", "Assigns {sku} to {user}; the user needs a usage location first."),
        Text("graph.assign", "Assigns {sku} to {user}."),
        Text("graph.join", "Adds {user} to the group {group}, which assigns {new}; this comes before the removal, "
             "so the user is never without a license."),
    )

    id = "sku-not-allowed"
    default_severity = Severity.MEDIUM
    fires_when = "a user in the population holds a product outside `allowed`"
    details_doc = (
        "`allowed`: [part numbers]; with a required product to replace it: `replace_with`, `replace_with_id`, and "
        "`replace_group` ({\"id\",\"name\",\"gives\"}: a group that assigns it, when the old product comes from a "
        "group); `leaving` (group id → products the user loses by leaving it); `no_usage_location`: true when a "
        "replacement is to be assigned and the user has no usage location"
    )
    example_finding = (USER, ["SPE_E5"], {"assignment": "frontline", "allowed": ["SPE_F3"], "replace_with": "SPE_F3",
                                          "replace_with_id": F3, "assigned_by_group": {"SPE_E5": []},
                                          "sku_ids": {"SPE_E5": E5}})
    key = "allowed"
    fragment = {**SKU_LIST_SCHEMA, "description": "The only products this population may hold."}

    def applies(self, a: Assignment) -> bool:
        return a.allowed is not None

    def validate(self, a: Assignment, entry: Part) -> None:
        """What the entry requires must be allowed, and nothing may be both allowed and forbidden."""
        if a.allowed is None:
            return
        allowed = {s.lower() for s in a.allowed}
        required, forbidden = entry.at("required_any"), entry.at("forbidden")
        for j, sku in enumerate(a.required_any):
            if sku.lower() not in allowed:
                required.at(j).report(f"{required.name}: {sku} is required but not in 'allowed'")
        for j, sku in enumerate(a.forbidden):
            if sku.lower() in allowed:
                forbidden.at(j).report(f"{forbidden.name}: {sku} is both allowed and forbidden")

    def check(self, policy: Policy, a: Assignment, ctx: Context) -> Iterator[Finding]:
        allowed = ctx.index.resolve_skus(a.allowed or ())
        required = [ctx.index.resolve_sku(r) for r in a.required_any]
        pop = ctx.index.population(a.match, a.except_)
        for pos, bad in ctx.index.by_skuset(pop, lambda held: (held - allowed) or None):
            held = ctx.index.users[pos].sku_ids
            replace = next((r for r in required if r and r in allowed and r not in held), None)
            extra: dict[str, Any] = {"allowed": ctx.index.parts(allowed)}
            extra |= ctx.data_lost(ctx.index.users[pos], bad, (replace,) if replace else ())
            if replace:
                extra["replace_with"] = ctx.index.part(replace)
                extra["replace_with_id"] = ctx.index.sku_by_id[replace].sku_id if replace in ctx.index.sku_by_id \
                    else replace
                if any(ctx.index.assigning_group_ids(ctx.index.users[pos], sid) for sid in bad):
                    extra |= ctx.replace_group(ctx.index.users[pos], replace, allowed)
                if not ctx.index.users[pos].usage_location:
                    extra["no_usage_location"] = True
            names = ", ".join(ctx.index.parts(bad))
            yield self.user_finding(
                policy, a, ctx, pos, bad, f"holds {names}, which '{a.name}' does not allow", extra, cost=True
            )

    def message(self, f: Facts, w: Words) -> Message:
        return self.message_key(), {**base_values(f, w), "allowed": w.products(f.strs("allowed"))}

    def plan(self, f: Facts, v: Variant, w: Words) -> Plan:
        bad = list(f.skus)
        new = f.text("replace_with")
        allowed = f.strs("allowed")
        if not bad or (not new and not allowed):  # no products named: _removal shows where to look
            return removal(f, v, w, bad)
        direct, grouped = f.direct(bad), f.grouped(bad)
        target = w.product(new) if new else w.any_product(allowed)
        steps: list[Line] = loss_steps(f, w, bad)
        if direct:
            values = {"old": w.products(direct), "new": target}
            steps += [Line(f"steps.replace.{v.steps}", values), Line("steps.replace.caution", values)]
        join = as_text(as_map(f.details.get("replace_group")).get("name")) if new else None
        for part in grouped:
            for group in f.groups(part):
                values = {"old": w.product(part), "sku": w.product(part), "new": target, "group": group,
                          "join": join or ""}
                steps += [Line("steps.group.explain", values),
                          Line("steps.group.replace_named" if join else "steps.group.replace", values)]
        actions = self.actions(f, w, direct, grouped, new, target)
        summary: Line | tuple[Line, ...]
        if grouped:
            summary = group_summaries(f, w, grouped, "summary.replace_group", {"new": target})
        elif new:
            summary = Line("summary.replace", {**w.listing("old", direct), "new": target})
        else:
            summary = Line("summary.not_allowed", {**w.listing("sku", direct), "allowed": w.any_product(allowed)})
        loss = loss_summary(f, w, bad)
        if loss is not None:
            summary = (loss, *(summary if isinstance(summary, tuple) else (summary,)))
        links = list(LINKS_ASSIGN) + (LINKS_GROUP if grouped else []) + ["buy_licenses"]
        return Plan(summary, steps, "role.group" if grouped else "role.assign",
                    [Line("next.freed"), Line("next.rerun")], links, actions)

    @staticmethod
    def actions(f: Facts, w: Words, direct: list[str], grouped: list[str], new: str | None, target: str
                ) -> list[Action]:
        """The replacement first, then the removals, so the user is never without a license. Direct
        products: one assignLicense that adds the replacement and removes them together (the
        "Replace" of the admin center). Products from a group: join the group that assigns the
        replacement (details.replace_group) when there is one, else assign it directly; then leave
        each group that assigns the old product. Removals that would end data stay listed, not ready."""
        join = as_map(f.details.get("replace_group"))
        gid = as_text(join.get("id"))
        actions: list[Action] = []
        add: list[str] = [new] if new else []
        joined: tuple[str, str] | None = None  # (group id, replacement) when the user joins a group
        if new and grouped and gid:
            joined = (gid, new)
            name = as_text(join.get("name")) or gid
            actions.append(add_member(f, gid, as_strs(join.get("gives")) or [new],
                                      Line("graph.join", {"group": name, "new": target})))
            add = []
        if direct:
            key = "graph.replace" if add else "graph.remove" if new else "graph.remove_or_replace"
            actions += direct_removals(f, direct, lambda ps: Line(key, {**w.listing("old", ps), "new": target,
                                                                         **w.listing("sku", ps)}),
                                       add, _add_line(f, target))
        elif add:
            actions.append(assign_license(f, add, [], _add_line(f, target)))
        leaves = group_removals(f, w, grouped)
        if joined is not None:
            # group licensing works in the background: the old group is left only once the new
            # group's copy of the replacement is active for the user (apply re-reads it first)
            holds = {"holds": f.sku_id(joined[1]).lower(), "how": "group", "group": joined[0].lower(), "active": True}
            leaves = [replace(a, precondition=(*a.precondition, holds)) for a in leaves]
        actions += leaves
        actions = _without_location(f, actions)
        # a replacement is one change: when no removal may run (data at stake), neither may the add
        removals = [a for a in actions if a.kind == REMOVE_MEMBER or (a.body or {}).get("removeLicenses")]
        if removals and not any(a.ready for a in removals):
            held = removals[0].blocked
            actions = [a if a in removals or not a.ready else replace(a, blocked=held) for a in actions]
        return actions


class SkuForbidden(AssignmentRule):
    """Users in the population hold a product on its `forbidden` list.

    Example:
        assignments:
          - name: contractors
            match: {upn: ["*@contractors.contoso.example"]}
            forbidden: [SPE_E5]
    """

    texts = (
        Text("rule.sku-forbidden.title", "Forbidden product"),
        Text("rule.sku-forbidden.describe", "The policy forbids this product for the user. A forbidden license "
             "costs money and can give access to services the user should not have."),
        Text("rule.sku-forbidden.message", "{user} holds {sku}, which the policy forbids.",
             "{user} holds {sku}, which the policy forbids."),
    )

    id = "sku-forbidden"
    default_severity = Severity.HIGH
    fires_when = "a user in the population holds a `forbidden` product"
    details_doc = "`forbidden`: [part numbers]"
    example_finding = (USER, ["SPE_E5"], {"forbidden": ["SPE_E5"], "assigned_by_group": {"SPE_E5": []},
                                          "sku_ids": {"SPE_E5": E5}})
    key = "forbidden"
    fragment = {**SKU_LIST_SCHEMA, "minItems": 1, "description": "Products this population must not hold."}

    def applies(self, a: Assignment) -> bool:
        return bool(a.forbidden)

    def check(self, policy: Policy, a: Assignment, ctx: Context) -> Iterator[Finding]:
        forbidden = ctx.index.resolve_skus(a.forbidden)
        pop = ctx.index.population(a.match, a.except_)
        for pos, bad in ctx.index.by_skuset(pop, lambda held: (held & forbidden) or None):
            names = ", ".join(ctx.index.parts(bad))
            yield self.user_finding(
                policy, a, ctx, pos, bad, f"holds {names}, which '{a.name}' forbids",
                {"forbidden": ctx.index.parts(forbidden)} | ctx.data_lost(ctx.index.users[pos], bad), cost=True,
            )

    def plan(self, f: Facts, v: Variant, w: Words) -> Plan:
        return removal(f, v, w, list(f.skus))


class SkuRequiredMissing(AssignmentRule):
    """Enabled users in the population hold none of the `required_any` products.

    Example:
        assignments:
          - name: frontline
            match: {groups: ["Frontline Workers"]}
            required_any: [SPE_F1]
    """

    texts = (
        Text("rule.sku-required-missing.title", "Required product missing"),
        Text("rule.sku-required-missing.describe", "The user has none of the products the policy requires, so "
             "they may lack services they need for their work."),
        Text("rule.sku-required-missing.message", "{user} does not hold the required product {required}.",
             "{user} has none of the required products ({required})."),
        Text("summary.assign", "Give {user} the required product {sku}.",
             "Give {user} one of the required products: {sku}."),
        Steps("steps.assign.worldwide",
              "In the Microsoft 365 admin center, go to Users > Active users ({url}).",
              "Select {user}, then open the Licenses and apps tab.",
              "If no location is chosen under Select location, choose the country where the user works.",
              "Under Licenses, select the box for {sku}, then select Save changes."),
        Steps("steps.assign.legacy",
              "In the Microsoft 365 admin center, go to Users > Active users ({url}).",
              "Select {user}; on the right, in the Product licenses row, select Edit.",
              "Switch the toggle for {sku} to On, then select Save > Close > Close."),
        Text("steps.group.add", "If the product should come from a group: in the Microsoft Entra admin center, go "
             "to Groups > All groups, open the group that assigns {sku}, select Members > Add members and add "
             "{user}.",
             "If the products should come from a group: in the Microsoft Entra admin center, go to Groups > All "
             "groups, open the group that assigns {sku}, select Members > Add members and add {user}."),
    )

    id = "sku-required-missing"
    default_severity = Severity.MEDIUM
    leaves = False
    fires_when = "an enabled user in the population holds none of `required_any`"
    details_doc = "`required_any`: [part numbers]; `no_usage_location`: true when the user has no usage location"
    example_finding = (USER, [], {"required_any": ["SPE_F3", "SPE_E3"], "sku_ids": {"SPE_F3": F3}})
    key = "required_any"
    fragment = {**SKU_LIST_SCHEMA, "minItems": 1, "description": "Each user must hold at least one of these."}

    def applies(self, a: Assignment) -> bool:
        return bool(a.required_any)

    def check(self, policy: Policy, a: Assignment, ctx: Context) -> Iterator[Finding]:
        required = ctx.index.resolve_skus(a.required_any)
        parts = ctx.index.parts(required) or tuple(sorted(a.required_any))
        pop = ctx.index.population(a.match, a.except_)
        users = ctx.index.users
        required_ids = {ctx.index.part(s): ctx.index.sku_by_id[s].sku_id for s in required if s in ctx.index.sku_by_id}
        for pos, _ in ctx.index.by_skuset(pop, lambda held: None if held & required else True):
            if not users[pos].account_enabled:
                continue  # a disabled account needs no license; disabled-user-licensed covers the rest
            finding = self.user_finding(
                policy, a, ctx, pos, frozenset(), f"holds none of {', '.join(parts)}, required by '{a.name}'",
                {"required_any": parts} | ({} if users[pos].usage_location else {"no_usage_location": True}),
            )
            # the SKUs to add are the required ones, so the guidance can name their skuIds
            yield replace(finding, facts=tuple(sorted({**dict(finding.facts), "sku_ids": required_ids}.items())))

    def message(self, f: Facts, w: Words) -> Message:
        return self.message_key(), {**base_values(f, w), **w.listing("required", f.strs("required_any"))}

    def plan(self, f: Facts, v: Variant, w: Words) -> Plan:
        required = list(f.strs("required_any")) or list(f.skus)
        choice = w.one_of("sku", required)  # "A or B": one product
        steps = [Line(f"steps.assign.{v.steps}", choice), Line("steps.group.add", choice)]
        actions = []
        if required:
            actions.append(assign_license(f, [required[0]], [], _add_line(f, w.product(required[0]))))
        actions = _without_location(f, actions)
        # "one of the required products: A or B", or "the required product A"
        summary = Line("summary.assign", {**choice, "count": str(len(required))})
        return Plan(summary, steps, "role.assign", [Line("next.rerun")],
                    ["assign_licenses", "group_licensing", "admin_roles", "graph:user_assign"], actions)


class SkuCombinationForbidden(AssignmentRule):
    """Users hold two or more products of one `exclusive` set.

    A set is a list (`[SPE_E3, SPE_E5]`: the fix removes by default a product the others include,
    judged from the service plans, else the admin chooses) or names the product to keep
    (`{keep: SPE_E5, remove: [SPE_E3]}`, the set being keep and remove together): a user who
    holds `keep` loses exactly the `remove` products they hold. A user holding two of `remove`
    but not `keep` is judged as by the list form.

    Example:
        assignments:
          - name: everyone
            match: {all: true}
            exclusive: [[EMS, EMSPREMIUM], {keep: SPE_E5, remove: [SPE_E3]}]
    """

    texts = (
        Text("rule.sku-combination-forbidden.title", "Forbidden product combination"),
        Text("rule.sku-combination-forbidden.describe", "The user holds products that the policy says must not be "
             "combined, usually because one already includes the other and the organization pays twice."),
        Text("rule.sku-combination-forbidden.message", "{user} holds {combination} together, a combination the "
             "policy forbids."),
        Text("summary.combination", "Decide which one of {combination} to keep for {user}, and remove the rest."),
        Text("steps.combination.keep", "{keep} already turns on everything {sku} does for {user}: keep {keep} and "
             "remove {sku}.",
             "{keep} together already turn on everything {sku} does for {user}: keep {keep} and remove {sku}."),
        Text("steps.combination.choose", "Decide which of {combination} {user} should keep; if one product "
             "already includes the other, keep that one."),
        Text("steps.combination.either", "Then remove only the other product: each way is listed with its "
             "Microsoft Graph requests. A product that a group assigns goes by taking {user} out of that group "
             "(Groups > All groups > the group > Members)."),
        Text("graph.combination", "Removes {sku} from {user}; {keep} stays and covers it.",
             "Removes {sku} from {user}; {keep} stay and cover it."),
        Text("graph.combination_other", "Removes {sku} from {user}; {keep} stays.",
             "Removes {sku} from {user}; {keep} stay."),
        Text("alt.remove_other", "Remove {sku} instead and keep {keep}.", "Remove {sku} instead and keep {keep}."),
        Text("summary.combination_declared", "Remove {sku} from {user} and keep {keep}, as the policy says.",
             "Remove {sku} from {user} and keep {keep}, as the policy says."),
        Text("steps.combination.declared", "The policy keeps {keep} of {combination}: remove {sku} and nothing else.",
             "The policy keeps {keep} of {combination}: remove {sku} and nothing else."),
    )

    id = "sku-combination-forbidden"
    default_severity = Severity.MEDIUM
    fires_when = "a user holds two or more products of one `exclusive` set"
    details_doc = (
        "`combination`: [part numbers]; `remove` and `keep` when one held product switches on nothing the others do "
        "not (the default removal; absent when none does, and then nothing is pre-filled); for a set that names the "
        "product to keep, held by the user: `declared: true`, `keep` [it] and `remove` [the held `remove` products]"
    )
    example_finding = (USER, ["SPE_E5", "EMS"], {"combination": ["SPE_E5", "EMS"], "remove": "EMS",
                                                 "keep": ["SPE_E5"],
                                                 "assigned_by_group": {"SPE_E5": [], "EMS": []},
                                                 "sku_ids": {"SPE_E5": E5, "EMS": EMS}})
    key = "exclusive"
    fragment = {
        "type": "array",
        "minItems": 1,
        "items": {"oneOf": [
            {**SKU_LIST_SCHEMA, "minItems": 2},
            {"type": "object", "additionalProperties": False, "required": ["keep", "remove"],
             "properties": {"keep": SKU_REF_SCHEMA, "remove": {**SKU_LIST_SCHEMA, "minItems": 1}}},
        ]},
        "description": "Sets of products of which a user may hold at most one: a list, or {keep: SKU, remove: [SKUs]} "
                       "to name the product the fix keeps.",
    }

    def applies(self, a: Assignment) -> bool:
        return bool(a.exclusive)

    def validate(self, a: Assignment, entry: Part) -> None:
        """The product to keep cannot also be one to remove."""
        for i, combo in enumerate(a.exclusive):
            if combo.keep is None:
                continue
            remove = entry.at("exclusive").at(i).at("remove")
            for j, sku in enumerate(combo.remove):
                if sku.lower() == combo.keep.lower():
                    remove.at(j).report(f"{remove.name}: {sku} is the product to keep")

    def check(self, policy: Policy, a: Assignment, ctx: Context) -> Iterator[Finding]:
        pop = ctx.index.population(a.match, a.except_)
        for set_ in a.exclusive:
            combo = ctx.index.resolve_skus(set_.skus)
            keep = ctx.index.resolve_sku(set_.keep) if set_.keep is not None else None

            def overlap(held: frozenset[str], c: frozenset[str] = combo) -> frozenset[str] | None:
                return (held & c) if len(held & c) > 1 else None

            for pos, both in ctx.index.by_skuset(pop, overlap):
                names = " + ".join(ctx.index.parts(both))
                user = ctx.index.users[pos]
                if keep is not None and keep in both:  # the policy names the product to keep
                    gone = both - {keep}
                    choice = {"declared": True, "keep": [ctx.index.part(keep)], "remove": ctx.index.parts(gone)}
                    choice |= ctx.data_lost(user, gone)  # they go together: what removing all of them ends
                else:
                    choice = self.suggestion(ctx, user, both) | self.losses(ctx, user, both)
                yield self.user_finding(
                    policy, a, ctx, pos, both, f"holds {names}, which must not be combined",
                    {"combination": ctx.index.parts(combo)} | choice, cost=False,
                )

    @staticmethod
    def suggestion(ctx: Context, user: User, both: frozenset[str]) -> dict[str, Any]:
        """The product to remove by default: one whose removal switches off nothing the user's other
        products do not turn on (the others include it). None qualifies -> no default: the admin decides."""
        spare = [sid for sid in sorted(both, key=ctx.index.part)
                 if ctx.loss.plans(sid) and not ctx.loss.switched_off(user, [sid])]  # unknown plans: no default
        if not spare:
            return {}
        drop = spare[0]
        return {"remove": ctx.index.part(drop), "keep": ctx.index.parts(both - {drop})}

    @staticmethod
    def losses(ctx: Context, user: User, both: frozenset[str]) -> dict[str, Any]:
        """What removing each product on its own would cost (data_lost per product, plans_unknown):
        every path removes one product, never both."""
        lost: dict[str, Any] = {}
        unknown: set[str] = set()
        for sid in sorted(both):
            found = ctx.data_lost(user, [sid])
            lost |= found.get("data_lost", {})
            unknown |= set(found.get("plans_unknown", ()))
        return (({"data_lost": lost} if lost else {}) | ({"plans_unknown": sorted(unknown)} if unknown else {})
                | ctx.data_kinds(user))

    def message(self, f: Facts, w: Words) -> Message:
        combination = f.strs("combination") or f.skus
        return self.message_key(), {**base_values(f, w), "combination": w.products(combination)}

    def plan(self, f: Facts, v: Variant, w: Words) -> Plan:
        """Never both products: by default the one the others include goes (details remove/keep, when
        the plans show one), with "remove the other instead" as the alternative; without a default,
        one alternative per product and no default actions (only the admin knows which stays)."""
        combo = list(f.strs("combination")) or list(f.skus)
        held = list(f.skus) or combo
        if f.details.get("declared") is True:
            declared = self.declared(f, v, w, combo, held)
            if declared is not None:
                return declared
        values = {"combination": w.products(combo)}
        drop, keep = f.text("remove"), [p for p in f.strs("keep") if p in held]
        default = drop is not None and drop in held and bool(keep)
        gone = [drop] if default and drop else held
        steps: list[Line] = [Line("steps.combination.choose", values)]
        if default and drop:
            steps.append(Line("steps.combination.keep", {"sku": w.product(drop), **w.listing("keep", keep)}))
        steps += loss_steps(f, w, gone)
        if default:
            direct = f.direct(gone)
            if direct:
                steps.append(Line(f"steps.remove.{v.steps}", w.one_of("sku", direct)))
            steps += group_steps(f, w, f.grouped(gone))
        else:  # no removal is pre-filled, in the steps either: each way is an alternative
            steps.append(Line("steps.combination.either", values))
        actions: list[Action] = []
        if default and drop:
            actions = self.take(f, w, [drop], keep, "graph.combination")
            alternatives = [Alternative(Line("alt.remove_other", {**w.listing("sku", keep), "keep": w.product(drop)}),
                                        tuple(self.take(f, w, keep, [drop], "graph.combination_other")))]
        else:
            alternatives = [
                Alternative(Line("alt.remove_other", {**w.listing("sku", [p]), "keep": w.products(others)}),
                            tuple(self.take(f, w, [p], others, "graph.combination_other")))
                for p in held if (others := [o for o in held if o != p])]
        role, next_steps, links = removal_frame(bool(f.grouped(gone)))
        return Plan(Line("summary.combination", values), steps, role, next_steps, links, actions, alternatives)

    def declared(self, f: Facts, v: Variant, w: Words, combo: list[str], held: list[str]) -> Plan | None:
        """The policy names the product to keep (`{keep: A, remove: [B]}`): exactly the `remove`
        products the user holds go, `keep` stays; no alternative. None when the details lack them."""
        keep = [p for p in f.strs("keep") if p in held]
        gone = [p for p in f.strs("remove") if p in held and p not in keep]
        if not keep or not gone:
            return None
        values = {**w.listing("sku", gone), "keep": w.products(keep), "combination": w.products(combo)}
        steps = [Line("steps.combination.declared", values), *loss_steps(f, w, gone)]
        direct = f.direct(gone)
        if direct:
            steps.append(Line(f"steps.remove.{v.steps}", w.listing("sku", direct)))
        steps += group_steps(f, w, f.grouped(gone))
        loss = loss_summary(f, w, gone)
        declared = Line("summary.combination_declared", values)
        summary: Line | tuple[Line, ...] = (loss, declared) if loss is not None else declared
        role, next_steps, links = removal_frame(bool(f.grouped(gone)))
        return Plan(summary, steps, role, next_steps, links, self.take(f, w, gone, keep, "graph.combination_other"))

    @staticmethod
    def take(f: Facts, w: Words, parts: list[str], keep: list[str], key: str) -> list[Action]:
        """The calls that take `parts` away and leave `keep`: direct copies in one assignLicense,
        copies from groups by leaving each group that assigns them (not one that also assigns a kept
        product: leaving it would take that too). Removals that would end data are listed, not ready."""
        kept_groups = {g for p in keep for g in f.group_ids(p)}
        direct = f.direct(parts)
        # counted by what stays ("{keep} stays" / "stay"); the removed products read the same either way
        actions = direct_removals(f, direct, lambda ps: Line(key, {"sku": w.products(ps), **w.listing("keep", keep)}))
        actions += group_removals(f, w, f.grouped(parts), lambda gid, name: gid in kept_groups)
        if any(gid in kept_groups for p in parts for gid in f.group_ids(p)):
            # a group gives both: these calls alone would leave the product to remove in place
            actions = [a if not a.ready else replace(a, blocked=GROUP_KEEPS) for a in actions]
        return actions


class AssignmentNotGroupBased(AssignmentRule):
    """A product that must come from a group is assigned to the user directly.

    Example:
        assignments:
          - name: everyone
            match: {all: true}
            group_based_only: [SPE_E3]
    """

    texts = (
        Text("rule.assignment-not-group-based.title", "License not assigned through a group"),
        Text("rule.assignment-not-group-based.describe", "The policy expects this product to come from a group. "
             "Direct assignments are easily forgotten when people change jobs or leave."),
        Text("rule.assignment-not-group-based.message", "{user} has {sku} assigned directly instead of through a "
             "group.",
             "{user} has {sku} assigned directly instead of through a group."),
        Text("summary.to_group", "Add {user} to the group that should assign {sku}, then remove the direct "
             "assignment.",
             "Add {user} to the group that should assign {sku}, then remove the direct assignments."),
        Text("steps.group.wait", "Wait until the Licenses page of {user} shows {sku} as inherited from the group "
             "before you remove the direct assignment.",
             "Wait until the Licenses page of {user} shows {sku} as inherited from the group before you remove "
             "the direct assignments."),
        Text("graph.remove_after_group", "Once the group's license is active for {user}, removes the direct "
             "assignment of {sku}.",
             "Once the group's licenses are active for {user}, removes the direct assignments of {sku}."),
    )

    id = "assignment-not-group-based"
    default_severity = Severity.LOW
    leaves = False  # the fix moves a direct copy to a group; it leaves no group
    fires_when = (
        "a `group_based_only` product is assigned directly; when a group also assigns it, the fix removes the direct "
        "copy only if that switches off no service plan (else it names the plans, e.g. Exchange Online)"
    )
    details_doc = (
        "`also_by_group` (product → groups that also assign it), `plans_lost` (product → service plans "
        "only the direct copy turns on; removing it would switch them off)"
    )
    example_finding = (USER, ["SPE_E5"], {"assigned_by_group": {"SPE_E5": []}, "sku_ids": {"SPE_E5": E5}})
    key = "group_based_only"
    fragment = {
        "oneOf": [{"type": "boolean"}, {**SKU_LIST_SCHEMA, "minItems": 1}],
        "description": "true = every product; or the products that may only be assigned through groups.",
    }

    def applies(self, a: Assignment) -> bool:
        return bool(a.group_based_only)

    def check(self, policy: Policy, a: Assignment, ctx: Context) -> Iterator[Finding]:
        index = ctx.index
        if a.group_based_only is True:
            sku_ids = sorted(index.sku_by_id)
        else:
            sku_ids = sorted(index.resolve_skus(a.group_based_only or ()))
        pop = index.population(a.match, a.except_)
        per_user: dict[int, set[str]] = {}
        for sid in sku_ids:
            for pos in index.direct_holders(sid):
                if pop is None or pos in pop:
                    per_user.setdefault(pos, set()).add(sid)
        for pos in sorted(per_user):
            skus = frozenset(per_user[pos])
            names = ", ".join(index.parts(skus))
            yield self.user_finding(
                policy, a, ctx, pos, skus, f"has {names} assigned directly; '{a.name}' requires group-based assignment",
                ctx.held_twice(index.users[pos], skus),
            )

    def plan(self, f: Facts, v: Variant, w: Words) -> Plan:
        twice = f.details.get("also_by_group")
        twice = twice if isinstance(twice, Mapping) else {}
        if not twice:
            parts = f.direct(f.skus) or list(f.skus)
            values = w.listing("sku", parts)
            steps = [Line("steps.group.add", values), Line("steps.group.wait", values),
                     Line(f"steps.remove.{v.steps}", values)]
            # not ready: it may only run once a group's copy is active (no group to join is known)
            action = assign_license(f, [], parts, Line("graph.remove_after_group", values), AFTER_GROUP)
            return Plan(Line("summary.to_group", values), steps, "role.group", [Line("next.rerun")],
                        ["group_licensing", "unassign_licenses", "admin_roles", "graph:user_assign"], [action])
        return held_twice(f, w, twice)


ASSIGNMENT_RULES: tuple[AssignmentRule, ...] = (
    SkuNotAllowed(),
    SkuForbidden(),
    SkuRequiredMissing(),
    SkuCombinationForbidden(),
    AssignmentNotGroupBased(),
)


def parse_assignments(part: Part) -> tuple[Assignment, ...]:
    """The `assignments:` section: entries with unique names, each checked by the rules it sets."""
    out = []
    names: dict[str, str] = {}  # name -> the entry that last used it
    for entry in part.entries():
        a = parse_assignment(entry.data)
        if a.name in names:
            name = entry.at("name")
            name.report(f"{name.name}: '{a.name}' is already used by {names[a.name]}")
        names[a.name] = entry.name
        for rule in ASSIGNMENT_RULES:
            rule.validate(a, entry)
        out.append(a)
    return tuple(out)


def parse_assignment(raw: dict[str, Any]) -> Assignment:
    """One entry: who it applies to, and the keys of the rules above (their fragments)."""
    group_based_only = raw.get("group_based_only", False)
    return Assignment(
        name=raw["name"],
        match=parse_selector(raw["match"]),
        except_=parse_selector(raw["except"]) if "except" in raw else None,
        allowed=tuple(raw["allowed"]) if "allowed" in raw else None,
        forbidden=tuple(raw.get("forbidden", ())),
        required_any=tuple(raw.get("required_any", ())),
        exclusive=tuple(Exclusive(tuple(c)) if isinstance(c, list) else Exclusive((c["keep"], *c["remove"]), c["keep"])
                        for c in raw.get("exclusive", ())),
        group_based_only=group_based_only if isinstance(group_based_only, bool) else tuple(group_based_only),
        severity=Severity.parse(raw["severity"]) if "severity" in raw else None,
    )
