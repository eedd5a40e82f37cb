"""Plain data passed between the stages: collect -> TenantSnapshot -> evaluate -> AuditResult.

A tenant can hold a million users, so a User keeps only what is its own (id, names, date-times,
license assignment states) and points at a Profile: what many users share (account state, type,
department, usage location, mailbox purpose, licenses). The decoder (auditor.snapshot) gives
users with equal shared values one Profile object, so a million users hold a few thousand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import msgspec

from .enums import Cloud, Severity, SubjectType
from .enums import Locale as Locale  # re-exported: the stages import the shared enums from here

if TYPE_CHECKING:
    from .usage_reports import UsageReports

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


class AssignedLicense(msgspec.Struct, frozen=True, gc=False):
    sku_id: str
    disabled_plans: tuple[str, ...] = ()


# licenseAssignmentState.state values that mean the assignment failed, fully or in part.
ERROR_STATES = ("Error", "ActiveWithError")


class LicenseAssignmentState(msgspec.Struct, frozen=True, gc=False):
    sku_id: str
    assigned_by_group: str | None  # None = direct assignment
    state: str  # Active, ActiveWithError, Disabled, Error
    error: str  # None, CountViolation, MutuallyExclusiveViolation, ...
    disabled_plans: tuple[str, ...] = ()
    last_updated_date_time: str | None = None  # when the assignment last changed, as Graph wrote it

    @property
    def is_error(self) -> bool:
        """Graph sets `error` only when an assignment failed; the states Error (not applied) and
        ActiveWithError (active, but not every part of it applied) say so even without a code.
        Disabled alone is no failure: Graph documents no error for it."""
        return self.error not in ("", "None") or self.state in ERROR_STATES


class Profile(msgspec.Struct, frozen=True, gc=False):
    """What many users share: everything of a user but its id, names, date-times and attributes.

    msgspec Structs with gc=False (here and in User): built in C and never tracked by the cyclic
    garbage collector, which would otherwise re-scan a million users (they hold only strings,
    booleans, tuples and frozensets, so they cannot be part of a cycle)."""

    account_enabled: bool
    user_type: str  # Member | Guest
    department: str | None
    usage_location: str | None
    # mailboxSettings.userPurpose (user, linked, shared, room, equipment, others, ...), read only for
    # the accounts the disabled/inactive rules could flag: None = not asked or not readable (a 403,
    # or this user's own answer was an error), NO_MAILBOX = asked and Graph found no mailbox (a 404
    # MailboxNotEnabledForRESTAPI)
    mailbox_purpose: str | None
    assigned_licenses: tuple[AssignedLicense, ...]
    # the user's licenseAssignmentStates without lastUpdatedDateTime (which is each user's own:
    # User.license_assignment_states carries it), so users with the same licenses share them
    license_assignment_states: tuple[LicenseAssignmentState, ...]
    sku_ids: frozenset[str]  # lower-case skuIds of assigned_licenses


class Layout(msgspec.Struct, frozen=True, gc=False):
    """A license layout: assignedLicenses and licenseAssignmentStates as users share them (without
    lastUpdatedDateTime). Answers that depend only on it are computed once per layout."""

    assigned_licenses: tuple[AssignedLicense, ...]
    license_assignment_states: tuple[LicenseAssignmentState, ...]


def new_profile(*, account_enabled: bool = True, user_type: str = "Member", department: str | None = None,
                usage_location: str | None = None, mailbox_purpose: str | None = None,
                assigned_licenses: Sequence[AssignedLicense] = (),
                license_assignment_states: Sequence[LicenseAssignmentState] = ()) -> Profile:
    """A profile from its values (the states' lastUpdatedDateTime left out, sku_ids derived)."""
    return Profile(account_enabled, user_type, department, usage_location, mailbox_purpose,
                   tuple(assigned_licenses),
                   tuple(msgspec.structs.replace(s, last_updated_date_time=None) for s in license_assignment_states),
                   frozenset(lic.sku_id.lower() for lic in assigned_licenses))


class User(msgspec.Struct, frozen=True, gc=False):
    """One user: its own values, and the Profile it shares with users alike."""

    id: str
    user_principal_name: str
    display_name: str
    profile: Profile
    # as Graph gave them, lastUpdatedDateTime included; the same states as profile's otherwise
    license_assignment_states: tuple[LicenseAssignmentState, ...] = ()
    created_date_time: str | None = None
    # signInActivity; None when never signed in or not collected (see TenantSnapshot.gaps)
    last_sign_in_date_time: str | None = None
    last_non_interactive_sign_in_date_time: str | None = None
    # signInActivity.lastSuccessfulSignInDateTime: the two above also count failed attempts
    last_successful_sign_in_date_time: str | None = None
    # ((attribute path, value), ...) of the attributes a policy's cost_allocation asked for (see
    # auditor.attributes and TenantSnapshot.user_attributes); shared between users with equal values
    attributes: tuple[tuple[str, str], ...] = ()

    @classmethod
    def new(cls, id: str, user_principal_name: str, display_name: str = "", *,
            account_enabled: bool = True, user_type: str = "Member", department: str | None = None,
            usage_location: str | None = None, mailbox_purpose: str | None = None,
            assigned_licenses: Sequence[AssignedLicense] = (),
            license_assignment_states: Sequence[LicenseAssignmentState] = (), **own: Any) -> User:
        """A user from all its values (its own profile; the decoder shares profiles instead)."""
        profile = new_profile(account_enabled=account_enabled, user_type=user_type, department=department,
                              usage_location=usage_location, mailbox_purpose=mailbox_purpose,
                              assigned_licenses=assigned_licenses, license_assignment_states=license_assignment_states)
        return cls(id, user_principal_name, display_name, profile, tuple(license_assignment_states), **own)

    def with_values(self, **changes: Any) -> User:
        """This user with `changes`, to its own fields or to what it shares (a new profile then;
        new license_assignment_states change the profile's in step)."""
        own = {k: v for k, v in changes.items() if k in User.__struct_fields__}
        shared = {k: v for k, v in changes.items() if k not in own}
        if not shared and "license_assignment_states" not in own:
            return msgspec.structs.replace(self, **own)
        p = self.profile
        values = {"account_enabled": p.account_enabled, "user_type": p.user_type, "department": p.department,
                  "usage_location": p.usage_location, "mailbox_purpose": p.mailbox_purpose,
                  "assigned_licenses": p.assigned_licenses,
                  "license_assignment_states": own.get("license_assignment_states", self.license_assignment_states)}
        unknown = shared.keys() - values.keys()
        if unknown:
            raise TypeError(f"User has no field {', '.join(sorted(unknown))}")
        return msgspec.structs.replace(self, profile=new_profile(**(values | shared)), **own)

    # what the user shares, read as its own
    @property
    def account_enabled(self) -> bool:
        return self.profile.account_enabled

    @property
    def user_type(self) -> str:
        return self.profile.user_type

    @property
    def department(self) -> str | None:
        return self.profile.department

    @property
    def usage_location(self) -> str | None:
        return self.profile.usage_location

    @property
    def mailbox_purpose(self) -> str | None:
        return self.profile.mailbox_purpose

    @property
    def assigned_licenses(self) -> tuple[AssignedLicense, ...]:
        return self.profile.assigned_licenses

    @property
    def sku_ids(self) -> frozenset[str]:
        return self.profile.sku_ids

    @property
    def layout(self) -> Layout:
        return Layout(self.profile.assigned_licenses, self.profile.license_assignment_states)

    @property
    def licensed(self) -> bool:
        return bool(self.profile.assigned_licenses)

    @property
    def licenses_updated(self) -> str | None:
        """When a license of this user last changed (the latest lastUpdatedDateTime), as Graph wrote it."""
        known = [s.last_updated_date_time for s in self.license_assignment_states if s.last_updated_date_time]
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
    users: Sequence[User]
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
    # auditLogs/directoryAudits read for an interval (auditor.directory_audits.DirectoryAudits), or None
    directory_audits: Any = None
    # Microsoft 365 usage reports ("usageReports" in collected_parts), read only for usage rules
    usage_reports: UsageReports | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.users, tuple):  # compared and kept alike however they were gathered
            object.__setattr__(self, "users", tuple(self.users))

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
