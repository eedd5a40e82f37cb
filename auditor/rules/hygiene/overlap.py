"""Products a user holds for nothing: twice (directly and by a group), or beside one that covers them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from auditor.data.model import Severity, User

from ...data.reads import Reads
from ...policy.objects import HygieneCheck
from ...reference import coverage
from ..base import Context
from .base import DeclaredOwn, HygieneRule, UserHygieneRule, check_schema


class LicenseAssignedTwiceDetails(DeclaredOwn, frozen=True, kw_only=True):
    """`also_by_group` (product → groups that also assign it), `plans_lost` (product → service plans only the direct
    assignment turns on; removing it would switch them off)"""

    # DataLoss.held_twice's (auditor.impact.services.HeldTwice); {}: not in the report (an older one)
    also_by_group: dict[str, list[str]] = {}
    plans_lost: dict[str, list[str]] = {}


class LicenseRedundantDetails(DeclaredOwn, frozen=True, kw_only=True):
    """`covered_by` (redundant product → the product the user keeps, which turns on or covers every plan of it),
    `cover_by_group` (that product → groups that assign it; empty = direct), `plans` (redundant product → names of the
    service plans it turns on for the user), `cover_plans` (the kept product → the plans its working assignments turn
    on), `cover_ids` (the kept product → its skuId: the removal rests on the user still holding it), `also_by_group`
    (redundant product held directly as well as from these groups: both assignments go), `data_kinds` (each product the
    user holds → the kinds of data it keeps: mailbox, archive, files)"""

    # {}: not in the report (an older one)
    also_by_group: dict[str, list[str]] = {}  # redundant product held directly -> the groups that also assign it
    covered_by: dict[str, str] = {}  # redundant product -> the kept product that covers it
    cover_by_group: dict[str, list[str]] = {}  # kept product -> the groups that assign it
    plans: dict[str, list[str]] = {}  # redundant product -> the service plans it turns on
    cover_plans: dict[str, list[str]] = {}  # kept product -> the plans its working copies turn on
    cover_ids: dict[str, str] = {}  # kept product -> its skuId
    data_kinds: dict[str, list[str]] = {}  # product -> the kinds of data it keeps (DataLoss.kinds)


class LicenseAssignedTwice(UserHygieneRule[LicenseAssignedTwiceDetails]):
    """A user holds a product both directly and from a group (common after a move to group-based
    licensing). The direct assignment is redundant when the group's license turns on every service plan
    it does; the fix removes it then, and otherwise names the plans its removal would switch off.

    Example:
        hygiene:
          assigned_twice: {severity: low}
    """

    id = "license-assigned-twice"
    default_severity = Severity.LOW
    key = "assigned_twice"
    fragment = check_schema(False)
    removes = False  # only the direct copy goes, checked by DataLoss.held_twice (impact/services.py)

    reads = Reads("users", user={"assignedLicenses", "licenseAssignmentStates"})

    def saves(self, details: LicenseAssignedTwiceDetails) -> bool:
        return False  # one license is consumed either way

    def offends(self, user: User, check: HygieneCheck, ctx: Context) -> LicenseAssignedTwiceDetails | None:
        twice = ctx.data_loss.held_twice(user, user.sku_ids)  # both keys, or empty
        if not twice:
            return None
        return LicenseAssignedTwiceDetails(also_by_group=twice["also_by_group"], plans_lost=twice["plans_lost"])

    def products(self, user: User, details: LicenseAssignedTwiceDetails, ctx: Context) -> frozenset[str]:
        twice = details.also_by_group
        return frozenset(sid for sid in user.sku_ids if ctx.index.part(sid) in twice)

    def describe(self, user: User, details: LicenseAssignedTwiceDetails) -> str:
        return f"holds {', '.join(sorted(details.also_by_group))} both directly and from a group"


class LicenseRedundant(UserHygieneRule[LicenseRedundantDetails]):
    """A user holds a product that adds nothing: every service plan it turns on for them is already
    turned on by another product they hold (Exchange Online (Plan 1) beside Microsoft 365 E3). The
    fix removes it; the finding names the product that keeps the services and, when the catalog
    prices it, the monthly saving.

    Derived from the tenant's subscribedSkus.servicePlans and the user's disabledPlans, with no list
    of product pairs. A plan covers itself and the lower plans of its service
    (auditor/reference/coverage.py). The redundant product's plans count when any assignment of it
    leaves them on, whatever their status; the covering product's only when an Active assignment without error
    leaves them on, the tenant's provisioningStatus is Success and the product's subscription works
    (capabilityStatus Enabled: not Warning, Suspended or LockedOut). Plans that apply to the Company
    count like the others (a company-wide plan the other product lacks is something it adds). A
    product whose plans the snapshot lacks is never redundant and covers nothing. Of two products
    that cover each other, the one assigned directly, else the dearer one, goes; never both.

    Example:
        hygiene:
          redundant_products: {severity: medium}
    """

    id = "license-redundant"
    default_severity = Severity.MEDIUM
    key = "redundant_products"
    fragment = check_schema(False)

    reads = Reads("users", "subscribedSkus", user={"assignedLicenses", "licenseAssignmentStates"})

    def offends(self, user: User, check: HygieneCheck, ctx: Context) -> LicenseRedundantDetails | None:
        return self._redundant(user, ctx) if len(user.sku_ids) > 1 else None

    def products(self, user: User, details: LicenseRedundantDetails, ctx: Context) -> frozenset[str]:
        return frozenset(sid for sid in user.sku_ids if ctx.index.part(sid) in details.covered_by)

    def describe(self, user: User, details: LicenseRedundantDetails) -> str:
        return "; ".join(f"{small} adds nothing beside {big}" for small, big in sorted(details.covered_by.items()))

    def _redundant(self, user: User, ctx: Context) -> LicenseRedundantDetails | None:
        """The products to remove (each with the kept product that covers it), or None."""
        enabled: dict[str, frozenset[str]] = {}  # product -> plans some copy of it turns on
        covers: dict[str, frozenset[str]] = {}  # product -> plans its Active copies turn on or cover
        on: dict[str, frozenset[str]] = {}  # product -> plans its Active copies turn on (a removal rests on them)
        for sid in user.sku_ids:
            sku = ctx.index.sku_by_id.get(sid)
            if sku is None or not sku.service_plans:
                continue  # plans unknown: neither redundant nor covering
            plans = {p.service_plan_id.lower(): p for p in sku.service_plans}
            states = [s for s in user.license_assignment_states if s.sku_id.lower() == sid]
            copies = [s.disabled_plans for s in states] or [
                lic.disabled_plans for lic in user.assigned_licenses if lic.sku_id.lower() == sid
            ]
            active = [s.disabled_plans for s in states if s.state == "Active" and not s.is_error] if states else copies
            enabled[sid] = _turned_on(plans, copies)
            # a subscription that is not Enabled (Warning: in its grace period, about to lapse;
            # Suspended; LockedOut; Deleted) keeps nothing: it covers no other product
            working = sku.capability_status.lower() == "enabled"
            on[sid] = (
                _turned_on({k: p for k, p in plans.items() if p.provisioning_status.lower() == "success"}, active)
                if working
                else frozenset()
            )
            covers[sid] = coverage.covered(on[sid]) if working else frozenset()
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
        return LicenseRedundantDetails(
            # a redundant product held directly and from a group: both copies have to go
            also_by_group=ctx.data_loss.held_twice(user, covered_by).get("also_by_group", {}),
            covered_by={part(s): part(k) for s, k in covered_by.items()},
            cover_by_group={part(k): ctx.index.assigning_groups(user, k) for k in set(covered_by.values())},
            plans={part(s): sorted(ctx.data_loss.service_plan_name(s, p) for p in enabled[s]) for s in covered_by},
            cover_plans={part(k): sorted(on[k]) for k in set(covered_by.values())},
            cover_ids={part(k): ctx.index.sku_by_id[k].sku_id for k in set(covered_by.values())},
            data_kinds=ctx.data_loss.kinds(user)["data_kinds"],
        )


def _turned_on(plans: Iterable[str], copies: list[tuple[str, ...]]) -> frozenset[str]:
    """The plan ids (lower-case) of `plans` that at least one copy leaves on (copies add up)."""
    if not copies:
        return frozenset()
    off = set.intersection(*({p.lower() for p in disabled} for disabled in copies))
    return frozenset(p for p in plans if p not in off)


RULES: tuple[HygieneRule[Any], ...] = (
    LicenseAssignedTwice(),
    LicenseRedundant(),
)
