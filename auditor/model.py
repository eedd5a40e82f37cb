"""Plain data passed between the stages: collect -> TenantSnapshot -> evaluate -> AuditResult.

Users are kept compact (slots, interned SKU ids, shared tuples for identical license layouts)
because a tenant can hold a million of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import msgspec

from .enums import Cloud, Severity, SubjectType
from .enums import Locale as Locale  # re-exported: the stages import the shared enums from here

if TYPE_CHECKING:
    from .usage import UsageReports
    from .users import UserTable

# --- tenant state ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PrepaidUnits:
    enabled: int = 0
    suspended: int = 0
    warning: int = 0
    locked_out: int = 0


@dataclass(frozen=True, slots=True)
class ServicePlan:
    service_plan_id: str
    service_plan_name: str
    provisioning_status: str
    applies_to: str


@dataclass(frozen=True, slots=True)
class Sku:
    """A subscribedSku: one product the tenant has bought."""

    id: str
    sku_id: str
    sku_part_number: str
    applies_to: str
    capability_status: str
    consumed_units: int
    prepaid_units: PrepaidUnits
    service_plans: tuple[ServicePlan, ...] = ()

    @property
    def usable(self) -> int:
        """Seats that can be assigned: enabled, plus those in the grace period before suspension
        (prepaidUnits.warning). Suspended and locked-out seats can no longer be used."""
        return self.prepaid_units.enabled + self.prepaid_units.warning

    @property
    def unused(self) -> int:
        return self.usable - self.consumed_units

    @property
    def deleted(self) -> bool:
        """A product whose subscription is gone: Graph lists it as Deleted with no units left."""
        units = self.prepaid_units
        return self.capability_status == "Deleted" and not (units.enabled or units.warning or units.suspended
                                                              or units.locked_out)


@dataclass(frozen=True, slots=True)
class Subscription:
    """A companySubscription (directory/subscriptions)."""

    id: str
    sku_id: str
    sku_part_number: str
    status: str
    is_trial: bool
    total_licenses: int
    created_date_time: str | None
    next_lifecycle_date_time: str | None


@dataclass(frozen=True, slots=True)
class AssignedLicense:
    sku_id: str
    disabled_plans: tuple[str, ...] = ()


# licenseAssignmentState.state values that mean the assignment failed, fully or in part.
ERROR_STATES = ("Error", "ActiveWithError")


@dataclass(frozen=True, slots=True)
class LicenseAssignmentState:
    sku_id: str
    assigned_by_group: str | None  # None = direct assignment
    state: str  # Active, ActiveWithError, Disabled, Error
    error: str  # None, CountViolation, MutuallyExclusiveViolation, ...
    disabled_plans: tuple[str, ...] = ()

    @property
    def is_error(self) -> bool:
        """Graph sets `error` only when an assignment failed; the states Error (not applied) and
        ActiveWithError (active, but not every part of it applied) say so even without a code.
        Disabled alone is no failure: Graph documents no error for it."""
        return self.error not in ("", "None") or self.state in ERROR_STATES


class User(msgspec.Struct, frozen=True, gc=False):
    """One user. A msgspec Struct rather than a dataclass: built in C (a tenth of the cost at a
    million users) and never tracked by the cyclic garbage collector (gc=False is safe: a User
    holds only strings, booleans, tuples and frozensets, so it cannot be part of a cycle)."""

    id: str
    user_principal_name: str
    display_name: str
    account_enabled: bool
    user_type: str  # Member | Guest
    department: str | None
    usage_location: str | None
    assigned_licenses: tuple[AssignedLicense, ...]
    license_assignment_states: tuple[LicenseAssignmentState, ...]
    created_date_time: str | None = None
    # signInActivity; None when never signed in or not collected (see TenantSnapshot.gaps)
    last_sign_in_date_time: str | None = None
    last_non_interactive_sign_in_date_time: str | None = None
    sku_ids: frozenset[str] = frozenset()  # lower-case skuIds of assigned_licenses
    # signInActivity.lastSuccessfulSignInDateTime: the two above also count failed attempts
    last_successful_sign_in_date_time: str | None = None
    # licenseAssignmentStates[i].lastUpdatedDateTime, in the same order; () when not known. Kept
    # apart from the states so that users with the same license layout still share one tuple.
    license_states_updated: tuple[str | None, ...] = ()
    # mailboxSettings.userPurpose (user, linked, shared, room, equipment, others, ...), read only for
    # the accounts the disabled/inactive rules could flag: None = not asked or not readable (a 403,
    # or this user's own answer was an error), NO_MAILBOX = asked and Graph found no mailbox (a 404
    # MailboxNotEnabledForRESTAPI)
    mailbox_purpose: str | None = None
    # ((attribute path, value), ...) of the attributes a policy's cost_allocation asked for (see
    # auditor.attributes and TenantSnapshot.user_attributes); shared between users with equal values
    attributes: tuple[tuple[str, str], ...] = ()

    @property
    def licensed(self) -> bool:
        return bool(self.assigned_licenses)

    @property
    def licenses_updated(self) -> str | None:
        """When a license of this user last changed (the latest lastUpdatedDateTime), as Graph wrote it."""
        known = [t for t in self.license_states_updated if t]
        return max(known) if known else None


NO_MAILBOX = ""  # User.mailbox_purpose of an account Graph found no mailbox for
# userPurpose values of a mailbox that no person signs in to: shared, room (meeting room) and equipment
RESOURCE_PURPOSES = frozenset(("shared", "room", "equipment"))
# userPurpose values of a person's mailbox (linked: a user mailbox linked to an account in another
# forest). Any other value (others: not a plain user mailbox; unknownFutureValue; one Graph adds
# later) says nothing either way: the account may be a shared mailbox.
PERSON_PURPOSES = frozenset(("user", "linked"))


@dataclass(frozen=True, slots=True)
class Group:
    id: str
    display_name: str
    assigned_licenses: tuple[AssignedLicense, ...] = ()
    members: tuple[str, ...] = ()  # transitive member object ids (users only)
    # Graph's hasMembersWithLicenseErrors (only readable through $filter): None = not collected
    # (an older snapshot, or the read failed: see TenantSnapshot.gaps), never "no errors"
    has_members_with_license_errors: bool | None = None


@dataclass(frozen=True, slots=True)
class Gap:
    """Tenant data that could not be collected. Rules needing `part` are not evaluated."""

    # users | signInActivity | subscribedSkus | subscriptions | groups | hasMembersWithLicenseErrors |
    # organization | mailboxSettings
    part: str
    request: str
    reason: str

    def to_json(self) -> dict[str, str]:
        return {"part": self.part, "request": self.request, "reason": self.reason}


@dataclass(frozen=True, repr=False)
class TenantSnapshot:
    tenant_id: str
    tenant_name: str
    cloud: Cloud
    collected_at: str
    skus: tuple[Sku, ...]
    subscriptions: tuple[Subscription, ...]
    users: UserTable  # by column (auditor.users); any other sequence of users given is stored as one
    groups: tuple[Group, ...]
    gaps: tuple[Gap, ...] = ()
    # "signInActivity" when signInActivity was requested (without it inactivity is not evaluable);
    # "mailboxSettings" when the mailbox purposes of the candidates of the disabled/inactive rules were
    # read (a candidate whose own answer was an error keeps mailbox_purpose None: unknown);
    # "hasMembersWithLicenseErrors" when the groups with license errors were read
    collected_parts: frozenset[str] = frozenset()
    # What the collection says about how it read the tenant that a reader of the report should
    # know (e.g. Graph refused the partitioned read of /users and it was read sequentially);
    # shown among the report's warnings. Not gaps: the data is complete.
    notes: tuple[str, ...] = ()
    # the attribute paths read for every user (User.attributes), when a policy asked for them
    user_attributes: tuple[str, ...] = ()
    # auditLogs/directoryAudits read for an interval (auditor.audits.DirectoryAudits), or None
    directory_audits: Any = None
    # Microsoft 365 usage reports ("usageReports" in collected_parts), read only for usage rules
    usage: UsageReports | None = None

    def __post_init__(self) -> None:
        from .users import UserTable  # users.py builds on this module's records

        object.__setattr__(self, "users", UserTable.of(self.users))

    @property
    def complete(self) -> bool:
        return not self.gaps

    def __repr__(self) -> str:
        # A million users would make a repr of gigabytes (asyncio formats the result of
        # asyncio.run's task when it restores the SIGINT handler).
        return (
            f"TenantSnapshot(tenant_id={self.tenant_id!r}, tenant_name={self.tenant_name!r}, "
            f"cloud={self.cloud}, collected_at={self.collected_at!r}, skus={len(self.skus)}, "
            f"subscriptions={len(self.subscriptions)}, users={len(self.users)}, groups={len(self.groups)}, "
            f"gaps={self.gaps!r}, collected_parts={sorted(self.collected_parts)!r})"
        )


# --- audit results --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Subject:
    type: SubjectType
    id: str
    upn: str | None = None  # users
    sku: str | None = None  # SKU part number, for skus and subscriptions
    display_name: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type.value, "id": self.id}
        if self.upn is not None:
            out["upn"] = self.upn
        if self.sku is not None:
            out["sku"] = self.sku
        if self.display_name is not None:
            out["display_name"] = self.display_name
        return out


@dataclass(frozen=True, slots=True)
class Finding:
    id: str
    rule: str
    severity: Severity
    policy: str  # "<policy name>/<section>[/<entry name>]"
    subject: Subject
    skus: tuple[str, ...]  # part numbers (or skuId when unknown)
    message: str
    facts: tuple[tuple[str, Any], ...] = ()  # rule-specific details used by renderers and guidance
    monthly_cost: float | None = None
    waived: bool = False
    waiver: dict[str, str] | None = None


@dataclass(frozen=True, slots=True)
class SeatRow:
    sku: str
    sku_id: str
    enabled: int
    suspended: int
    warning: int
    locked_out: int
    consumed: int
    unused: int  # usable (enabled + warning) minus consumed
    capability_status: str
    free: bool
    price_monthly: float | None
    currency: str | None
    unused_monthly_cost: float | None
    trial: int = 0  # seats on trial subscriptions: not spend
    name: str = ""  # the product's name for people (policy catalog name, else Microsoft's table, else the part)


@dataclass(frozen=True)
class NotEvaluated:
    rule: str
    policy: str
    reason: str


@dataclass(frozen=True)
class AuditResult:
    tenant_id: str
    tenant_name: str
    cloud: Cloud
    collected_at: str
    as_of: datetime
    policies: tuple[str, ...]
    findings: tuple[Finding, ...]
    seats: tuple[SeatRow, ...]
    gaps: tuple[Gap, ...]
    not_evaluated: tuple[NotEvaluated, ...]
    warnings: tuple[str, ...]
    currency: str | None
    users_total: int
    users_licensed: int

    @property
    def complete(self) -> bool:
        return not self.gaps and not self.not_evaluated
