"""Assignment rules over single products: `allowed`, `forbidden`, `required_any`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar, cast

from msgspec import UNSET, Struct, UnsetType

from auditor.data.finding import Own
from auditor.data.model import Finding, Severity
from auditor.data.usage_data import STORAGE_FIELDS

from ...data.reads import Reads
from ...impact.fix_facts import GroupJoin, GroupKindFacts
from ...policy.objects import Assignment, Policy
from ...policy.yamlsource import PolicyNode
from ..base import SKU_LIST_SCHEMA, Context
from . import licensing
from .base import AssignmentRule
from .licensing import LicensingGroupEntry, ReplaceGroup


def allowed_contradictions(a: Assignment, entry: PolicyNode) -> None:
    """What an entry with `allowed` requires must be allowed, and nothing may be both allowed and forbidden
    (parse_assignments reports it; the schema cannot say it)."""
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


class Replacement(Struct, frozen=True, kw_only=True):
    """Where a replacement comes from (replacement_group): its catalog licensing group, or a group
    that assigns it; neither (NO_REPLACEMENT): the fix assigns it directly."""

    replace_group: ReplaceGroup | None = None
    licensing_group: dict[str, LicensingGroupEntry] = {}  # the replacement -> its catalog licensing group


NO_REPLACEMENT = Replacement()


class SkuNotAllowedDetails(Own, frozen=True, kw_only=True):
    """`allowed`: [part numbers]; with a required product to replace it: `replace_with`, `replace_with_id`, and
    `replace_group` ({"id","name","gives"}: a group that assigns it, when the old product comes from a group) or
    `licensing_group` (its catalog licensing group); `leaving` (group id → products the user loses by leaving it);
    `no_usage_location`: true when a replacement is to be assigned and the user has no usage location"""

    optional: ClassVar[frozenset[str]] = frozenset(
        {"replace_with", "replace_with_id", "replace_group", "licensing_group", "no_usage_location"}
    )
    allowed: list[str] = []  # []: not in the report (an older one)
    replace_with: str = ""  # the required product to give in the same call, when the population has one
    replace_with_id: str = ""
    replace_group: ReplaceGroup | None = None  # the group that assigns the replacement (GroupIndex.replacement)
    licensing_group: dict[str, LicensingGroupEntry] = {}  # the replacement -> its catalog licensing group
    no_usage_location: bool = False


class SkuForbiddenDetails(Own, frozen=True, kw_only=True):
    """`forbidden`: [part numbers]"""

    forbidden: list[str] = []


class SkuRequiredMissingDetails(Own, frozen=True, kw_only=True):
    """`required_any`: [part numbers]; `no_usage_location`: true when the user has no usage location;
    `licensing_group`: the first required product's catalog licensing group, which the fix joins (as for
    assignment-not-group-based); `group_membership`: [{`id`, `name`, `gives`, `via`: nested | direct | unknown}] for the
    groups that assign a required product and that the user is a member of without their license (then no direct
    assignment is proposed), with `group_kinds` as for every group a fix may change; `sku_ids` names the required
    products' skuIds too"""

    optional: ClassVar[frozenset[str]] = frozenset({"licensing_group", "no_usage_location"})
    required_any: list[str] = []  # []: not in the report (an older one)
    # the required products' skuIds, over the holding's (Finding.holding), which names none
    sku_ids: dict[str, str] = {}
    licensing_group: dict[str, LicensingGroupEntry] = {}  # the first required product's, which the fix joins
    # GroupIndex.not_applied's, as it wrote them (UNSET: no such group)
    group_membership: list[GroupJoin] | UnsetType = UNSET
    group_kinds: dict[str, GroupKindFacts] | UnsetType = UNSET
    no_usage_location: bool = False


class SkuNotAllowed(AssignmentRule[SkuNotAllowedDetails]):
    """Users in the population hold a product outside its `allowed` list.

    Example:
        assignments:
          - name: frontline
            match: {groups: ["Frontline Workers"]}
            allowed: [SPE_F1, FLOW_FREE]
    """

    id = "sku-not-allowed"
    removes = True  # the fix takes the finding's products away
    default_severity = Severity.MEDIUM
    key = "allowed"
    reads = Reads("users", "subscribedSkus", usage=STORAGE_FIELDS)  # the replacement's storage fit
    fragment = {**SKU_LIST_SCHEMA, "description": "The only products this population may hold."}

    def applies(self, a: Assignment) -> bool:
        return a.allowed is not None

    def check(self, policy: Policy, a: Assignment, ctx: Context) -> Iterator[Finding]:
        allowed = ctx.index.resolve_skus(a.allowed or ())
        required = [ctx.index.resolve_sku(r) for r in a.required_any]
        groups = licensing.licensing_groups(policy, ctx.index)
        for user, bad in ctx.index.holders(a.match, a.except_, lambda held: (held - allowed) or None):
            replace = next((r for r in required if r and r in allowed and r not in user.sku_ids), None)
            joined = NO_REPLACEMENT  # the group the replacement comes from
            if replace:
                joined = replacement_group(
                    policy, ctx, user, bad, replace, allowed, groups, group_based(a, ctx.index.part(replace))
                )
            names = ", ".join(ctx.index.parts(bad))
            own = SkuNotAllowedDetails(
                allowed=list(ctx.index.parts(allowed)),
                replace_with=ctx.index.part(replace) if replace else "",
                replace_with_id=(ctx.index.sku_by_id[replace].sku_id if replace in ctx.index.sku_by_id else replace)
                if replace
                else "",
                replace_group=joined.replace_group,
                licensing_group=joined.licensing_group,
                no_usage_location=bool(replace) and not user.usage_location,
            )
            yield self.user_finding(
                policy,
                a,
                ctx,
                user,
                bad,
                f"holds {names}, which '{a.name}' does not allow",
                own,
                cost=True,
            )


def group_based(a: Assignment, part: str) -> bool:
    """The assignment's `group_based_only` covers `part`: it is given through a group, never directly."""
    only = a.group_based_only
    return only is True or (isinstance(only, tuple) and part.lower() in {p.lower() for p in only})


def replacement_group(
    policy: Policy,
    ctx: Context,
    user: Any,
    old: frozenset[str],
    new: str,
    allowed: frozenset[str],
    groups: dict[str, licensing.Named],
    based: bool,
) -> Replacement:
    """Where the replacement `new` comes from. Its catalog `licensing_group` when it has one
    (details.licensing_group: the fix joins it, ready or waiting with the reason, never a direct
    copy); else, when the old products come from a group or the assignment is group_based_only for
    it, a group that assigns it (details.replace_group; `required` when the policy asks for a group)."""
    if new in groups:
        joins = licensing.for_user(policy, ctx, user, [new], groups)
        return Replacement(licensing_group=joins) if joins else NO_REPLACEMENT
    if based:  # no group assigns it: the fix may not assign it directly either (it waits)
        found = group_replacement(ctx, user, new, allowed).replace_group or ReplaceGroup()
        return Replacement(replace_group={**found, "required": True})
    if any(ctx.index.assigning_group_ids(user, sid) for sid in old):
        return group_replacement(ctx, user, new, allowed)
    return NO_REPLACEMENT


def group_replacement(ctx: Context, user: Any, new: str, allowed: frozenset[str]) -> Replacement:
    """GroupIndex.replacement's answer as a Replacement: a group that assigns `new`, or none."""
    found = ctx.groups.replacement(user, new, allowed).get("replace_group")
    return Replacement(replace_group=cast(ReplaceGroup, found)) if found is not None else NO_REPLACEMENT


class SkuForbidden(AssignmentRule[SkuForbiddenDetails]):
    """Users in the population hold a product on its `forbidden` list.

    Example:
        assignments:
          - name: contractors
            match: {upn: ["*@contractors.contoso.example"]}
            forbidden: [SPE_E5]
    """

    id = "sku-forbidden"
    removes = True  # the fix takes the finding's products away
    default_severity = Severity.HIGH
    key = "forbidden"
    fragment = {**SKU_LIST_SCHEMA, "minItems": 1, "description": "Products this population must not hold."}

    def applies(self, a: Assignment) -> bool:
        return bool(a.forbidden)

    def check(self, policy: Policy, a: Assignment, ctx: Context) -> Iterator[Finding]:
        forbidden = ctx.index.resolve_skus(a.forbidden)
        for user, bad in ctx.index.holders(a.match, a.except_, lambda held: (held & forbidden) or None):
            names = ", ".join(ctx.index.parts(bad))
            yield self.user_finding(
                policy,
                a,
                ctx,
                user,
                bad,
                f"holds {names}, which '{a.name}' forbids",
                SkuForbiddenDetails(forbidden=list(ctx.index.parts(forbidden))),
                cost=True,
            )


class SkuRequiredMissing(AssignmentRule[SkuRequiredMissingDetails]):
    """Enabled users in the population hold none of the `required_any` products.

    Example:
        assignments:
          - name: frontline
            match: {groups: ["Frontline Workers"]}
            required_any: [SPE_F1]
    """

    id = "sku-required-missing"
    default_severity = Severity.MEDIUM
    leaves = False
    key = "required_any"
    fragment = {**SKU_LIST_SCHEMA, "minItems": 1, "description": "Each user must hold at least one of these."}

    def applies(self, a: Assignment) -> bool:
        return bool(a.required_any)

    def check(self, policy: Policy, a: Assignment, ctx: Context) -> Iterator[Finding]:
        required = ctx.index.resolve_skus(a.required_any)
        parts = ctx.index.parts(required) or tuple(sorted(a.required_any))
        required_ids = {ctx.index.part(s): ctx.index.sku_by_id[s].sku_id for s in required if s in ctx.index.sku_by_id}
        groups = licensing.licensing_groups(policy, ctx.index)
        # the required products in the policy's order: the first with a licensing group is the one to join
        in_order = [sid for sid in (ctx.index.resolve_sku(ref) for ref in a.required_any) if sid in groups]
        for user, _ in ctx.index.holders(a.match, a.except_, lambda held: None if held & required else True):
            if not user.account_enabled:
                continue  # a disabled account needs no license; disabled-user-licensed covers the rest
            joins = licensing.for_user(policy, ctx, user, in_order[:1], groups) if in_order else {}
            # the SKUs to add are the required ones, so the guidance can name their skuIds
            own = SkuRequiredMissingDetails(
                **ctx.groups.not_applied(user, required),
                licensing_group=joins,
                no_usage_location=not user.usage_location,
                required_any=list(parts),
                sku_ids=required_ids,
            )
            yield self.user_finding(
                policy, a, ctx, user, frozenset(), f"holds none of {', '.join(parts)}, required by '{a.name}'", own
            )
