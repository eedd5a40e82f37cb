"""The shared part of the `assignments:` rules: the rule family and the helpers of their plans."""

from __future__ import annotations

from collections.abc import Iterator
from typing import final

from auditor.data.model import Finding, User

from ...data.finding import Holding
from ...data.reads import Reads
from ...policy.objects import Assignment, Policy, Selector
from ..base import Context, D, Rule


class AssignmentRule(Rule[D]):
    """A rule over the entries of `assignments:`: each finding is on a user, its own details beside
    how the user holds the products (`user_finding`)."""

    section = "assignments"
    reads = Reads("users", "subscribedSkus")  # SKU names resolve through subscribedSkus
    leaves = True  # the fix may leave the groups that assign the finding's products (details.leaving)

    def selectors(self, policy: Policy) -> list[Selector]:
        return [s for a in policy.assignments if self.applies(a) for s in (a.match, a.except_) if s is not None]

    def configured(self, policy: Policy) -> bool:
        return any(self.applies(a) for a in policy.assignments)

    def applies(self, a: Assignment) -> bool:
        """Whether entry `a` sets this rule's key."""
        raise NotImplementedError

    def evaluate(self, policy: Policy, ctx: Context) -> Iterator[Finding]:
        for a in policy.assignments:
            if self.applies(a):
                yield from self.check(policy, a, ctx)

    def check(self, policy: Policy, a: Assignment, ctx: Context) -> Iterator[Finding]:
        raise NotImplementedError

    @final
    def user_finding(
        self,
        policy: Policy,
        a: Assignment,
        ctx: Context,
        user: User,
        sku_ids: frozenset[str],
        message: str,
        own: D,
        cost: bool = False,
        holding: Holding | None = None,
    ) -> Finding:
        """The finding on `user`: `own` beside how the user holds `sku_ids` (Context.user_details,
        unless `holding` is given)."""
        return self.make(
            policy,
            f"assignments/{a.name}",
            ctx.user_subject(user),
            ctx.index.parts(sku_ids),
            message,
            own,
            severity=a.severity,
            monthly_cost=ctx.cost_of(sku_ids) if cost else None,
            holding=ctx.user_details(user, sku_ids, a.name) if holding is None else holding,
        )
