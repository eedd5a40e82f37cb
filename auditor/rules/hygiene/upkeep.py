"""Upkeep: a licensed user without a usage location, subscriptions that end."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any, ClassVar, TypedDict

from msgspec import UNSET, UnsetType
from msgspec.structs import replace

from auditor.data.finding import Own
from auditor.data.model import Finding, Severity, Subject, SubjectType, Subscription, User

from ...data.reads import Reads
from ...policy.objects import HygieneCheck, Policy
from ..base import Context, parse_when
from .base import DeclaredOwn, HygieneRule, UserHygieneRule, check_schema


class UsageLocationMissingDetails(DeclaredOwn, frozen=True, kw_only=True):
    """(common only); no `monthly_cost`: the fix keeps every license"""


class SeatReduction(TypedDict, total=False):
    """The bill's action for a subscription whose seats its renewal lets the plan drop (auditor.plan.bill)."""

    window: str  # auditor.billing.windows.Window
    by: str | None  # the last day to schedule the reduction (ISO)
    seats: int


class SubscriptionExpiringDetails(Own, frozen=True, kw_only=True):
    """`status`, `is_trial`, `next_lifecycle` (ISO), `days_left` (negative = past), `total_licenses`; with `audit
    --billing`: `term` (P1M, P1Y, P3Y; null = no row), `auto_renew`, `channel`, and `reduction` ({window, by,
    seats}: the bill's action for it); a monthly term that renews itself is no finding"""

    # the plan's (auditor.plan.bill.name_reductions, among the details): read, never written here
    optional: ClassVar[frozenset[str]] = frozenset({"channel", "reduction"})
    status: str = ""  # "": not in the report (an older one)
    is_trial: bool = False
    next_lifecycle: str | None = None
    days_left: int | None = None
    total_licenses: int | None = None
    # with a billing file (_term): the term (None: no row for it), whether it renews (None: not known), the
    # channel; UNSET without a billing file
    term: str | UnsetType | None = UNSET
    auto_renew: bool | UnsetType | None = UNSET
    channel: str = ""
    reduction: SeatReduction | None = None  # the plan adds when its seats may be reduced (auditor.billing)


class UsageLocationMissing(UserHygieneRule[UsageLocationMissingDetails]):
    """A licensed user has no usage location (required for license assignment).

    Example:
        hygiene:
          usage_location: {severity: low}
    """

    id = "usage-location-missing"
    default_severity = Severity.LOW
    key = "usage_location"
    fragment = check_schema(False)
    removes = False

    reads = Reads("users", user={"usageLocation"})

    def saves(self, details: UsageLocationMissingDetails) -> bool:
        return False  # the fix sets a location and keeps every license: no money at stake

    def offends(self, user: User, check: HygieneCheck, ctx: Context) -> UsageLocationMissingDetails | None:
        return None if user.usage_location else UsageLocationMissingDetails()

    def describe(self, user: User, details: UsageLocationMissingDetails) -> str:
        return "holds licenses but has no usage location"


class SubscriptionExpiring(HygieneRule[SubscriptionExpiringDetails]):
    """A subscription (trials included) ends within `days` days, or is past its end: in its grace period (until
    suspension), suspended or locked out (until deletion).

    Example:
        hygiene:
          expiring_subscriptions: {days: 30, severity: medium}
    """

    id = "subscription-expiring"
    default_severity = Severity.MEDIUM
    key = "expiring_subscriptions"
    fragment = check_schema(True, "Report subscriptions whose next lifecycle date is within this many days.")
    reads = Reads("subscriptions")

    def check(self, policy: Policy, check: HygieneCheck, ctx: Context) -> Iterator[Finding]:
        horizon = ctx.as_of + timedelta(days=check.days or 30)
        for sub in sorted(ctx.index.snapshot.subscriptions, key=lambda s: s.id):
            if sub.status.lower() == "deleted":
                continue
            when = parse_when(sub.next_lifecycle_date_time)
            lapsed = sub.status.lower() in ("warning", "suspended", "lockedout")
            if not lapsed and (when is None or when > horizon):
                continue
            part = sub.sku_part_number or ctx.index.part(sub.sku_id)
            term = _term(ctx, sub)
            if not lapsed and not sub.is_trial and term.term == "P1M" and term.auto_renew is True:
                continue  # a monthly term that renews itself: a roll-over, not an ending
            days_left = (when - ctx.as_of).days if when else None
            kind = "trial" if sub.is_trial else "subscription"
            if lapsed:
                after = f"; next change {when:%Y-%m-%d}" if when else ""
                message = f"{kind} for {part} has ended and is {sub.status}{after}"
            elif days_left is not None and days_left < 0:
                message = f"{kind} for {part} ended {when:%Y-%m-%d}" if when else f"{kind} for {part} ended"
            else:
                message = f"{kind} for {part} ends {when:%Y-%m-%d} ({days_left} days)" if when else ""
            yield self.make(
                policy,
                f"hygiene/{self.key}",
                Subject(SubjectType.SUBSCRIPTION, sub.id, sku=part),
                (part,),
                message,
                replace(
                    term,
                    status=sub.status,
                    is_trial=sub.is_trial,
                    next_lifecycle=sub.next_lifecycle_date_time,
                    days_left=days_left,
                    total_licenses=sub.total_licenses,
                ),
                severity=check.severity,
            )


def _term(ctx: Context, sub: Subscription) -> SubscriptionExpiringDetails:
    """With a billing file: the subscription's term and renewal setting (term None: no row, not known)."""
    if ctx.billing is None:
        return SubscriptionExpiringDetails()
    row = ctx.billing.row_for(sub)
    if row is None:
        return SubscriptionExpiringDetails(term=None)
    return SubscriptionExpiringDetails(
        term=row.term.value if row.term else None, auto_renew=row.auto_renew, channel=row.channel.value
    )


RULES: tuple[HygieneRule[Any], ...] = (
    UsageLocationMissing(),
    SubscriptionExpiring(),
)
