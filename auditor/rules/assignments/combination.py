"""Assignment rules over how products are held together: `exclusive`, `group_based_only`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar, TypedDict

from msgspec import UNSET, UnsetType

from auditor.data.finding import Own
from auditor.data.model import Finding, Severity, User
from auditor.data.usage_data import STORAGE_FIELDS

from ...data.reads import Reads
from ...impact.fix_facts import StorageFacts
from ...policy.objects import Assignment, Policy
from ...policy.yamlsource import PolicyNode
from ..base import SKU_LIST_SCHEMA, SKU_REF_SCHEMA, Context
from . import licensing
from .base import AssignmentRule
from .licensing import LicensingGroupEntry


def exclusive_contradictions(a: Assignment, entry: PolicyNode) -> None:
    """In an `exclusive` entry, the product to keep cannot also be one to remove (parse_assignments
    reports it; the schema cannot say it)."""
    for i, combo in enumerate(a.exclusive):
        if combo.keep is None:
            continue
        remove = entry.at("exclusive").at(i).at("remove")
        for j, sku in enumerate(combo.remove):
            if sku.lower() == combo.keep.lower():
                remove.at(j).report(f"{remove.name}: {sku} is the product to keep")


class Losses(TypedDict, total=False):
    """What removing each product of a set on its own would cost (SkuCombinationForbidden.losses)."""

    data_lost: dict[str, list[str]]  # product -> the service plans whose data its removal ends
    plans_unknown: list[str]
    storage_by: dict[str, StorageFacts]
    data_kinds: dict[str, list[str]]  # product -> the kinds of data it keeps (DataLoss.kinds)


class SkuCombinationForbiddenDetails(Own, frozen=True, kw_only=True):
    """`combination`: [part numbers]; `remove` and `keep` when one held product switches on nothing the others do not
    (the default removal; absent when none does, and then nothing is pre-filled); for a set that names the product
    to keep, held by the user: `declared` (true), `keep` [it] and `remove` [the held `remove` products]; `storage_by`
    (product → the storage evidence of removing it alone, when that keeps the mailbox or OneDrive under a smaller
    plan: a way that removes it is ready only when the data fits) and `storage` (the default removal's); what the
    removal ends: `data_lost`, `plans_unknown`, `data_kinds` (of all the declared removals together, else of each)"""

    optional: ClassVar[frozenset[str]] = frozenset({"declared", "keep", "remove", "storage_by"})
    combination: list[str] = []  # []: not in the report (an older one)
    declared: bool = False  # the policy names the product to keep ({keep: A, remove: [B]})
    keep: list[str] = []
    remove: str | list[str] = ""  # the default removal; the held `remove` products when declared
    storage_by: dict[str, StorageFacts] = {}  # product -> the storage evidence of removing it alone
    # the default removal's; what the removal ends (DataLost, Losses), each as DataLoss.of wrote it
    storage: StorageFacts | UnsetType = UNSET
    data_lost: dict[str, list[str]] | UnsetType = UNSET
    plans_unknown: list[str] | UnsetType = UNSET
    data_kinds: dict[str, list[str]] | UnsetType = UNSET


class AssignmentNotGroupBasedDetails(Own, frozen=True, kw_only=True):
    """`also_by_group` (product → groups that also assign it), `plans_lost` (product → service plans only the direct
    assignment turns on; removing it would switch them off); when no group's license stands in yet, `licensing_group`
    (product → the catalog's licensing group: `ref`, `file`, `line`, and its `id`, `name`, `gives`, `needs_p1` when
    neither the group's products nor the user's carry Microsoft Entra ID P1 or are on Microsoft's list for
    group-based licensing, or the `problem` that keeps the fix from joining it)"""

    optional: ClassVar[frozenset[str]] = frozenset({"also_by_group", "licensing_group"})
    also_by_group: dict[str, list[str]] = {}  # product -> the groups that also assign it (HeldTwice)
    plans_lost: dict[str, list[str]] | UnsetType = UNSET  # written with also_by_group, empty or not
    licensing_group: dict[str, LicensingGroupEntry] = {}  # product -> its catalog licensing group


class SkuCombinationForbidden(AssignmentRule[SkuCombinationForbiddenDetails]):
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

    id = "sku-combination-forbidden"
    default_severity = Severity.MEDIUM
    key = "exclusive"
    reads = Reads("users", "subscribedSkus", usage=STORAGE_FIELDS)  # the storage fit of what is kept
    fragment = {
        "type": "array",
        "minItems": 1,
        "items": {
            "oneOf": [
                {**SKU_LIST_SCHEMA, "minItems": 2},
                {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["keep", "remove"],
                    "properties": {"keep": SKU_REF_SCHEMA, "remove": {**SKU_LIST_SCHEMA, "minItems": 1}},
                },
            ]
        },
        "description": "Sets of products of which a user may hold at most one: a list, or {keep: SKU, remove: [SKUs]} "
        "to name the product the fix keeps.",
    }

    def applies(self, a: Assignment) -> bool:
        return bool(a.exclusive)

    def check(self, policy: Policy, a: Assignment, ctx: Context) -> Iterator[Finding]:
        for set_ in a.exclusive:
            combo = ctx.index.resolve_skus(set_.skus)
            keep = ctx.index.resolve_sku(set_.keep) if set_.keep is not None else None

            def overlap(held: frozenset[str], c: frozenset[str] = combo) -> frozenset[str] | None:
                return (held & c) if len(held & c) > 1 else None

            for user, both in ctx.index.holders(a.match, a.except_, overlap):
                names = " + ".join(ctx.index.parts(both))
                combination = list(ctx.index.parts(combo))
                if keep is not None and keep in both:  # the policy names the product to keep
                    gone = both - {keep}
                    choice = SkuCombinationForbiddenDetails(
                        # they go together: what removing all of them ends
                        **ctx.data_loss.of(user, gone),
                        declared=True,
                        keep=[ctx.index.part(keep)],
                        remove=list(ctx.index.parts(gone)),
                        combination=combination,
                    )
                else:
                    losses, (remove, kept) = self.losses(ctx, user, both), self.suggestion(ctx, user, both)
                    # the default removal's storage evidence, where plan.md reads the sizes
                    fit = losses.get("storage_by", {}).get(remove)
                    choice = SkuCombinationForbiddenDetails(
                        **losses, remove=remove, keep=kept, combination=combination, storage=fit or UNSET
                    )
                yield self.user_finding(
                    policy,
                    a,
                    ctx,
                    user,
                    both,
                    f"holds {names}, which must not be combined",
                    choice,
                    cost=False,
                )

    @staticmethod
    def suggestion(ctx: Context, user: User, both: frozenset[str]) -> tuple[str, list[str]]:
        """The product to remove by default and those kept: one whose removal switches off nothing the user's other
        products do not turn on (the others include it). None qualifies -> ("", []), no default: the admin decides."""
        plans = ctx.data_loss.plans
        spare = [
            sid
            for sid in sorted(both, key=ctx.index.part)
            if plans.service_plans(sid) and not plans.switched_off(user, [sid])
        ]  # unknown plans: no default
        if not spare:
            return "", []
        drop = spare[0]
        return ctx.index.part(drop), list(ctx.index.parts(both - {drop}))

    @staticmethod
    def losses(ctx: Context, user: User, both: frozenset[str]) -> Losses:
        """What removing each product on its own would cost (data_lost per product, plans_unknown):
        every path removes one product, never both."""
        lost: dict[str, list[str]] = {}
        unknown: set[str] = set()
        fits: dict[str, StorageFacts] = {}  # product -> the storage evidence of removing it alone (storage_fit.py)
        for sid in sorted(both):
            found = ctx.data_loss.of(user, [sid])
            lost |= found.get("data_lost", {})
            unknown |= set(found.get("plans_unknown", ()))
            if found.get("storage"):
                fits[ctx.index.part(sid)] = found["storage"]
        out: Losses = {}
        if lost:
            out["data_lost"] = lost
        if unknown:
            out["plans_unknown"] = sorted(unknown)
        if fits:
            out["storage_by"] = fits
        out["data_kinds"] = ctx.data_loss.kinds(user)["data_kinds"]
        return out


class AssignmentNotGroupBased(AssignmentRule[AssignmentNotGroupBasedDetails]):
    """A product that must come from a group (`group_based_only`) is assigned to the user directly.

    With a catalog `licensing_group` the fix joins that group and removes the direct assignment once the group's license
    is active. When a group also assigns the product, the fix removes the direct assignment only if that switches off no
    service plan, and otherwise names the plans (Exchange Online, for example).

    Example:
        assignments:
          - name: everyone
            match: {all: true}
            group_based_only: [SPE_E3]
    """

    id = "assignment-not-group-based"
    default_severity = Severity.LOW
    leaves = False  # the fix moves a direct copy to a group; it leaves no group
    key = "group_based_only"
    fragment = {
        "oneOf": [{"type": "boolean"}, {**SKU_LIST_SCHEMA, "minItems": 1}],
        "description": "true = every product; or the products that may only be assigned through groups.",
    }

    def applies(self, a: Assignment) -> bool:
        return bool(a.group_based_only)

    def check(self, policy: Policy, a: Assignment, ctx: Context) -> Iterator[Finding]:
        index = ctx.index
        only = a.group_based_only
        sku_ids = sorted(index.sku_by_id if only is True else index.resolve_skus(only or ()))
        groups = licensing.licensing_groups(policy, index)
        for user, skus in index.direct_holders_of(a.match, a.except_, sku_ids):
            names = ", ".join(index.parts(skus))
            message = f"has {names} assigned directly; '{a.name}' requires group-based assignment"
            twice = ctx.data_loss.held_twice(user, skus)
            # the group to join is asked only where no group's copy stands in for the direct one yet
            joins = {} if twice else licensing.for_user(policy, ctx, user, sorted(skus), groups)
            own = AssignmentNotGroupBasedDetails(**twice, licensing_group=joins)
            yield self.user_finding(policy, a, ctx, user, skus, message, own)
