"""Rules over `assignments:` entries — which products each population may, must or must not hold."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from ..model import Finding, Severity, User
from ..policy.model import Assignment, Policy, Selector
from .base import SKU_LIST_SCHEMA, Context, Rule


class AssignmentRule(Rule):
    section = "assignments"
    needs = frozenset({"users", "subscribedSkus"})  # SKU names resolve through subscribedSkus

    def selectors(self, policy: Policy) -> list[Selector]:
        return [s for a in policy.assignments if self.applies(a) for s in (a.match, a.except_) if s is not None]

    def configured(self, policy: Policy) -> bool:
        return any(self.applies(a) for a in policy.assignments)

    def applies(self, a: Assignment) -> bool:
        return bool(getattr(a, self.key or ""))

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
        return self.make(
            policy, f"assignments/{a.name}", ctx.user_subject(user), ctx.index.parts(sku_ids), message, details,
            severity=a.severity, monthly_cost=ctx.cost_of(sku_ids) if cost else None,
        )


class SkuNotAllowed(AssignmentRule):
    """Users in the population hold a product outside its `allowed` list.

    Example:
        assignments:
          - name: frontline
            match: {groups: ["Frontline Workers"]}
            allowed: [SPE_F1, FLOW_FREE]
    """

    id = "sku-not-allowed"
    title = "Product not allowed for this population"
    default_severity = Severity.MEDIUM
    key = "allowed"
    fragment = {**SKU_LIST_SCHEMA, "description": "The only products this population may hold."}

    def applies(self, a: Assignment) -> bool:
        return a.allowed is not None

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
            names = ", ".join(ctx.index.parts(bad))
            yield self.user_finding(
                policy, a, ctx, pos, bad, f"holds {names}, which '{a.name}' does not allow", extra, cost=True
            )


class SkuForbidden(AssignmentRule):
    """Users in the population hold a product on its `forbidden` list.

    Example:
        assignments:
          - name: contractors
            match: {upn: ["*@contractors.contoso.example"]}
            forbidden: [SPE_E5]
    """

    id = "sku-forbidden"
    title = "Forbidden product"
    default_severity = Severity.HIGH
    key = "forbidden"
    fragment = {**SKU_LIST_SCHEMA, "minItems": 1, "description": "Products this population must not hold."}

    def check(self, policy: Policy, a: Assignment, ctx: Context) -> Iterator[Finding]:
        forbidden = ctx.index.resolve_skus(a.forbidden)
        pop = ctx.index.population(a.match, a.except_)
        for pos, bad in ctx.index.by_skuset(pop, lambda held: (held & forbidden) or None):
            names = ", ".join(ctx.index.parts(bad))
            yield self.user_finding(
                policy, a, ctx, pos, bad, f"holds {names}, which '{a.name}' forbids",
                {"forbidden": ctx.index.parts(forbidden)} | ctx.data_lost(ctx.index.users[pos], bad), cost=True,
            )


class SkuRequiredMissing(AssignmentRule):
    """Enabled users in the population hold none of the `required_any` products.

    Example:
        assignments:
          - name: frontline
            match: {groups: ["Frontline Workers"]}
            required_any: [SPE_F1]
    """

    id = "sku-required-missing"
    title = "Required product missing"
    default_severity = Severity.MEDIUM
    key = "required_any"
    fragment = {**SKU_LIST_SCHEMA, "minItems": 1, "description": "Each user must hold at least one of these."}

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
                {"required_any": parts},
            )
            # the SKUs to add are the required ones, so the guidance can name their skuIds
            yield replace(finding, facts=tuple(sorted({**dict(finding.facts), "sku_ids": required_ids}.items())))


class SkuCombinationForbidden(AssignmentRule):
    """Users hold two or more products of one `exclusive` set.

    Example:
        assignments:
          - name: everyone
            match: {all: true}
            exclusive: [[SPE_E3, SPE_E5]]
    """

    id = "sku-combination-forbidden"
    title = "Products that must not be combined"
    default_severity = Severity.MEDIUM
    key = "exclusive"
    fragment = {
        "type": "array",
        "minItems": 1,
        "items": {**SKU_LIST_SCHEMA, "minItems": 2},
        "description": "Sets of products of which a user may hold at most one.",
    }

    def check(self, policy: Policy, a: Assignment, ctx: Context) -> Iterator[Finding]:
        combos = [ctx.index.resolve_skus(c) for c in a.exclusive]
        pop = ctx.index.population(a.match, a.except_)
        for combo in combos:

            def overlap(held: frozenset[str], c: frozenset[str] = combo) -> frozenset[str] | None:
                return (held & c) if len(held & c) > 1 else None

            for pos, both in ctx.index.by_skuset(pop, overlap):
                names = " + ".join(ctx.index.parts(both))
                yield self.user_finding(
                    policy, a, ctx, pos, both, f"holds {names}, which must not be combined",
                    {"combination": ctx.index.parts(combo)} | self.suggestion(ctx, ctx.index.users[pos], both),
                    cost=False,
                )

    @staticmethod
    def suggestion(ctx: Context, user: User, both: frozenset[str]) -> dict[str, Any]:
        """The product to remove by default: one whose removal switches off nothing the user's other
        products do not turn on (the others include it). None qualifies -> no default: the admin decides."""
        spare = [sid for sid in sorted(both, key=ctx.index.part) if not ctx.loss.switched_off(user, [sid])]
        if not spare:
            return {}
        drop = spare[0]
        return {"remove": ctx.index.part(drop), "keep": ctx.index.parts(both - {drop})}


class AssignmentNotGroupBased(AssignmentRule):
    """A product that must come from a group is assigned to the user directly.

    Example:
        assignments:
          - name: everyone
            match: {all: true}
            group_based_only: [SPE_E3]
    """

    id = "assignment-not-group-based"
    title = "License assigned directly instead of by group"
    default_severity = Severity.LOW
    key = "group_based_only"
    fragment = {
        "oneOf": [{"type": "boolean"}, {**SKU_LIST_SCHEMA, "minItems": 1}],
        "description": "true = every product; or the products that may only be assigned through groups.",
    }

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


ASSIGNMENT_RULES: tuple[AssignmentRule, ...] = (
    SkuNotAllowed(),
    SkuForbidden(),
    SkuRequiredMissing(),
    SkuCombinationForbidden(),
    AssignmentNotGroupBased(),
)
