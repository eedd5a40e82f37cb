"""report.json's smaller parts that other stages write, typed as report_model's are (docs/report-format.md):

    FindingWaiver        a finding's `waiver`: the policy's waiver that covers it, or that expired
    FindingTenant        a merged report's finding's `tenant`: where it was found
    FindingCause         --baseline --causes: a new finding's `cause`, the directory change behind it
    FindingPlanState         a finding's `state` in the plan (auditor.report.view.states.PlanTruth)
    ReportSubscription   one of `subscriptions`: a companySubscription as Graph gave it, the bill's input

Each is decoded with the document (auditor.formats.report_json), so a value of the wrong type is
refused with its place; each is written in its fields' order, a field left UNSET not at all.
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import UNSET, Struct, UnsetType

from auditor.common.timestamps import timestamp_or_none
from auditor.data.model import Subscription

__all__ = ["FindingCause", "FindingPlanState", "FindingTenant", "FindingWaiver", "ReportSubscription"]


class FindingWaiver(Struct, frozen=True, kw_only=True):
    """The waiver of the policy that covers the finding (or covered it: expired), as the policy gives it
    (auditor.rules.waivers.waiver_expired.waiver_json); `expires` a date, YYYY-MM-DD."""

    rule: str
    subject: str  # UPN, object id, SKU part number or subscription id, or a glob pattern of them
    reason: str
    owner: str
    expires: str
    sku: str | UnsetType = UNSET


class FindingTenant(Struct, frozen=True, kw_only=True):
    """A merged report's finding: the tenant it was found in, and its id in that tenant's own report."""

    id: str
    name: str
    finding_id: str


class FindingCause(Struct, frozen=True, kw_only=True):
    """The directory audit entry that most likely made a new finding (auditor.insights.causes.cause_for):
    its kind (group, license, or a property's), who made it and when, and the kind's particulars."""

    kind: str
    activity: str
    at: str
    by: str
    by_type: str  # "user", "app" or "" (unknown)
    audit_id: str
    group: str | None  # kind group: the group's name (or id)
    joined: bool | None  # kind group: added to it (else removed)
    property: str | None  # a property's kind: its name, the old value and the new
    old: str | None
    new: str | None
    added: list[str]  # kind license: the products added and removed (part numbers where known)
    removed: list[str]
    others: int  # the user's other entries of the window


class FindingPlanState(Struct, frozen=True, kw_only=True):
    """A finding's state in the plan: READY, IN_PART, DECLARATION or PERSON, and what it waits for."""

    key: str
    waits_for: str | UnsetType = UNSET


Count = Annotated[int, msgspec.Meta(ge=0)]
NonEmpty = Annotated[str, msgspec.Meta(min_length=1)]


class ReportSubscription(Struct, frozen=True, kw_only=True, rename="camel"):
    """One of report.json's `subscriptions` (the bill's input, docs/bill.md): a companySubscription in
    Graph's shape and order (auditor.snapshot.write.subscription_to_json), the commerce fields only
    when Graph gave them. A date-time that is not ISO-8601 is refused with its place."""

    id: NonEmpty
    sku_id: NonEmpty
    sku_part_number: str | None = None
    status: str | None = None
    is_trial: bool = False
    total_licenses: Count = 0
    created_date_time: str | None = None
    next_lifecycle_date_time: str | None = None
    commerce_subscription_id: str | UnsetType | None = UNSET
    owner_id: str | UnsetType | None = UNSET
    owner_tenant_id: str | UnsetType | None = UNSET
    owner_type: str | UnsetType | None = UNSET

    def __post_init__(self) -> None:
        for name, text in (
            ("createdDateTime", self.created_date_time),
            ("nextLifecycleDateTime", self.next_lifecycle_date_time),
        ):
            # as Graph writes one: no blanks around it, a "T" between date and time
            if text is not None and (
                text != text.strip() or (len(text) > 10 and text[10] != "T") or timestamp_or_none(text) is None
            ):
                raise ValueError(f"{name}: {text!r} is not an ISO-8601 date-time")

    @classmethod
    def of(cls, s: Subscription) -> ReportSubscription:
        """The subscription as report.json keeps it."""
        return cls(
            id=s.id,
            sku_id=s.sku_id,
            sku_part_number=s.sku_part_number,
            status=s.status,
            is_trial=s.is_trial,
            total_licenses=s.total_licenses,
            created_date_time=s.created_date_time,
            next_lifecycle_date_time=s.next_lifecycle_date_time,
            commerce_subscription_id=_given(s.commerce_subscription_id),
            owner_id=_given(s.owner_id),
            owner_tenant_id=_given(s.owner_tenant_id),
            owner_type=_given(s.owner_type),
        )

    def subscription(self) -> Subscription:
        """The model's Subscription (a text Graph left null read as the model's default)."""
        return Subscription(
            id=self.id,
            sku_id=self.sku_id,
            sku_part_number=self.sku_part_number or "",
            status=self.status or "Enabled",
            is_trial=self.is_trial,
            total_licenses=self.total_licenses,
            created_date_time=self.created_date_time,
            next_lifecycle_date_time=self.next_lifecycle_date_time,
            commerce_subscription_id=_none(self.commerce_subscription_id),
            owner_id=_none(self.owner_id),
            owner_tenant_id=_none(self.owner_tenant_id),
            owner_type=_none(self.owner_type),
        )


def _given(value: str | None) -> str | UnsetType:
    return UNSET if value is None else value


def _none(value: str | UnsetType | None) -> str | None:
    return value or None if isinstance(value, str) else None
