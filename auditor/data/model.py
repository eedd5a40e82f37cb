"""Plain data passed between the stages: collect -> TenantSnapshot -> evaluate -> AuditResult.

A tenant can hold a million users, so a User keeps only what is its own (id, names, date-times,
license assignment states) and points at a Profile: what many users share (account state, type,
department, usage location, mailbox purpose, licenses). The decoder (auditor.snapshot) gives
users with equal shared values one Profile object, so a million users hold a few thousand.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import msgspec

from auditor.data.access_records import AccessScope
from auditor.data.account_kinds import NO_MAILBOX as NO_MAILBOX
from auditor.data.account_kinds import RESOURCE_DEPARTMENT as RESOURCE_DEPARTMENT  # re-exported with the rest
from auditor.data.account_kinds import RESOURCE_LICENSES as RESOURCE_LICENSES
from auditor.data.account_kinds import TEAMS_ROOMS_LICENSES as TEAMS_ROOMS_LICENSES
from auditor.data.account_kinds import TEAMS_ROOMS_PRO as TEAMS_ROOMS_PRO
from auditor.data.account_kinds import AccountKindRow as AccountKindRow
from auditor.data.account_kinds import account_kind as account_kind
from auditor.data.account_kinds import resource_signal, signed_in_interactively
from auditor.data.agents import Agents
from auditor.data.copilot_chat_use import CopilotChatUse
from auditor.data.copilot_credit_use_data import CopilotCreditUse
from auditor.data.copilot_credits_data import CopilotCredits
from auditor.data.copilot_use import CopilotSeat
from auditor.data.enums import AccountKind
from auditor.data.enums import Cloud as Cloud  # re-exported, as the other three below
from auditor.data.enums import Locale as Locale  # re-exported: the stages import the shared enums from here
from auditor.data.enums import Severity as Severity
from auditor.data.enums import SubjectType as SubjectType
from auditor.data.feature_rows import FeatureRow
from auditor.data.finding import Finding as Finding  # re-exported: a finding, and its subject
from auditor.data.finding import Subject as Subject
from auditor.data.license_insight_data import InsightComparison, LicenseInsight
from auditor.data.products import PrepaidUnits as PrepaidUnits  # re-exported: the stages import them from here
from auditor.data.products import ServicePlan as ServicePlan
from auditor.data.products import Sku as Sku
from auditor.data.products import Subscription as Subscription
from auditor.data.times import NAME_APART as NAME_APART  # re-exported, as the five below
from auditor.data.times import OWN_TIMES as OWN_TIMES
from auditor.data.times import SAME_AS_LAST
from auditor.data.times import TIMES_APART as TIMES_APART
from auditor.data.times import joined_times as joined_times
from auditor.data.times import own_text as own_text
from auditor.data.times import sign_in_text as sign_in_text
from auditor.data.usage_data import UsageReports

# --- tenant state ---------------------------------------------------------------------------


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
    # User.license_times holds it), so users with the same licenses share them
    license_assignment_states: tuple[LicenseAssignmentState, ...]
    sku_ids: frozenset[str]  # lower-case skuIds of assigned_licenses
    # an agent user (Graph's microsoft.graph.agentUser; User.identity_parent_id names its parent): kept
    # here too so that agent users never share a profile with people, whose rules ask once per profile
    agent: bool = False


class Layout(msgspec.Struct, frozen=True, gc=False):
    """A license layout: assignedLicenses and licenseAssignmentStates as users share them (without
    lastUpdatedDateTime). Answers that depend only on it are computed once per layout."""

    assigned_licenses: tuple[AssignedLicense, ...]
    license_assignment_states: tuple[LicenseAssignmentState, ...]


def new_profile(
    *,
    account_enabled: bool = True,
    user_type: str = "Member",
    department: str | None = None,
    usage_location: str | None = None,
    mailbox_purpose: str | None = None,
    assigned_licenses: Sequence[AssignedLicense] = (),
    license_assignment_states: Sequence[LicenseAssignmentState] = (),
    agent: bool = False,
) -> Profile:
    """A profile from its values (the states' lastUpdatedDateTime left out, sku_ids derived)."""
    return Profile(
        account_enabled,
        user_type,
        department,
        usage_location,
        mailbox_purpose,
        tuple(assigned_licenses),
        tuple(msgspec.structs.replace(s, last_updated_date_time=None) for s in license_assignment_states),
        frozenset(lic.sku_id.lower() for lic in assigned_licenses),
        agent,
    )


def license_times(states: Sequence[LicenseAssignmentState]) -> str:
    """User.license_times of `states` (see there)."""
    return joined_times([s.last_updated_date_time for s in states])


def _sign_ins(times: Mapping[str, str | None]) -> str:
    """User.sign_ins of the sign-in times among `times` (by the names of OWN_TIMES)."""
    return sign_in_text(
        times["last_sign_in_date_time"],
        times["last_non_interactive_sign_in_date_time"],
        times["last_successful_sign_in_date_time"],
    )


class User(msgspec.Struct, frozen=True, gc=False):
    """One user: its own values, and the Profile it shares with users alike.

    A user's own texts but its id and display name are held in two strings, `own` and `sign_ins`, and
    read through properties of the names Graph gives them (user_principal_name, created_date_time,
    license_times, last_sign_in_date_time, ...): a million users hold a million of each string, and each
    costs its object's overhead beside its text (what it saves: docs/performance.md, "What the code's
    shapes save"). The display name stays apart: a name outside ASCII would widen every character of a
    string it shared."""

    id: str
    display_name: str
    profile: Profile
    # userPrincipalName, NAME_APART, then createdDateTime, employeeLeaveDateTime and the license times
    # (license_times), joined by TIMES_APART ("" where Graph gave none): auditor.data.times.own_text
    own: str
    # lastSignInDateTime, lastNonInteractiveSignInDateTime and lastSuccessfulSignInDateTime joined by
    # TIMES_APART ("" where Graph gave none), "" when it gave none at all: the part a night's sign-in read
    # replaces (with_sign_ins), apart from the rest
    sign_ins: str = ""
    # ((attribute path, value), ...) of the attributes a policy's cost_allocation asked for (see
    # auditor.data.attributes and TenantSnapshot.user_attributes); shared between users with equal values
    attributes: tuple[tuple[str, str], ...] = ()
    # identityParentId of an agent user (Graph's microsoft.graph.agentUser, lower case): the object id
    # of its parent agent identity; None for every other user, or when the agent users were not read
    identity_parent_id: str | None = None
    # the domains of the user's mail addresses (proxyAddresses' SMTP ones and mail, auditor.data.protection_rules
    # .mail_domains), read only for a policy that judges Defender for Office 365's reach; () when they are just its
    # user principal name's domain, when it has none, or when they were not read (recipient_domains falls back)
    mail_domains: tuple[str, ...] = ()

    @classmethod
    def new(
        cls,
        id: str,
        user_principal_name: str,
        display_name: str = "",
        *,
        account_enabled: bool = True,
        user_type: str = "Member",
        department: str | None = None,
        usage_location: str | None = None,
        mailbox_purpose: str | None = None,
        assigned_licenses: Sequence[AssignedLicense] = (),
        license_assignment_states: Sequence[LicenseAssignmentState] = (),
        **own: Any,
    ) -> User:
        """A user from all its values (its own profile; the decoder shares profiles instead)."""
        profile = new_profile(
            account_enabled=account_enabled,
            user_type=user_type,
            department=department,
            usage_location=usage_location,
            mailbox_purpose=mailbox_purpose,
            assigned_licenses=assigned_licenses,
            license_assignment_states=license_assignment_states,
            agent=own.get("identity_parent_id") is not None,
        )
        times = {k: own.pop(k, None) for k in OWN_TIMES}
        text = own_text(
            user_principal_name,
            times["created_date_time"],
            times["employee_leave_date_time"],
            license_times(license_assignment_states),
        )
        return cls(id, display_name, profile, text, _sign_ins(times), **own)

    def with_values(self, **changes: Any) -> User:
        """This user with `changes`, to its own fields (its user principal name and date-times among
        them) or to what it shares (a new profile then; new license_assignment_states change the
        profile's and the times in step)."""
        texts = {k: changes.pop(k) for k in ("user_principal_name", *OWN_TIMES) if k in changes}
        fields = {k: v for k, v in changes.items() if k in User.__struct_fields__}
        shared = {k: v for k, v in changes.items() if k not in fields}
        if texts or "license_assignment_states" in shared:
            now = {k: getattr(self, k) for k in ("user_principal_name", *OWN_TIMES)} | texts
            states = shared.get("license_assignment_states")
            fields["own"] = own_text(
                now["user_principal_name"],
                now["created_date_time"],
                now["employee_leave_date_time"],
                self.license_times if states is None else license_times(states),
            )
            fields["sign_ins"] = _sign_ins(now)
        if not shared:
            return msgspec.structs.replace(self, **fields)
        p = self.profile
        values: dict[str, Any] = {
            "account_enabled": p.account_enabled,
            "user_type": p.user_type,
            "department": p.department,
            "usage_location": p.usage_location,
            "mailbox_purpose": p.mailbox_purpose,
            "assigned_licenses": p.assigned_licenses,
            "license_assignment_states": self.license_assignment_states,
            "agent": p.agent,
        }
        unknown = shared.keys() - values.keys()
        if unknown:
            raise TypeError(f"User has no field {', '.join(sorted(unknown))}")
        return msgspec.structs.replace(self, profile=new_profile(**(values | shared)), **fields)

    @property
    def license_assignment_states(self) -> tuple[LicenseAssignmentState, ...]:
        """The user's licenseAssignmentStates as Graph gave them, each with its lastUpdatedDateTime."""
        states = self.profile.license_assignment_states
        times = self.license_times
        if not times:
            return states
        return tuple(
            msgspec.structs.replace(s, last_updated_date_time=t) if t else s
            for s, t in zip(states, times.split(TIMES_APART), strict=True)
        )

    def with_sign_ins(self, last: str | None, last_ni: str | None, last_ok: str | None) -> User:
        """This user with these signInActivity times (lastSignInDateTime, lastNonInteractiveSignInDateTime,
        lastSuccessfulSignInDateTime), its other values as they were."""
        return msgspec.structs.replace(self, sign_ins=sign_in_text(last, last_ni, last_ok))

    # the user's own texts (own, sign_ins)
    @property
    def user_principal_name(self) -> str:
        return self.own[: self.own.rindex(NAME_APART)]

    def _own_times(self) -> list[str]:
        """[createdDateTime, employeeLeaveDateTime, the license times] of `own` ("" where none)."""
        return self.own[self.own.rindex(NAME_APART) + 1 :].split(TIMES_APART, 2)

    @property
    def license_times(self) -> str:
        """The lastUpdatedDateTime of each of profile.license_assignment_states, in their order, as Graph
        wrote it, joined by TIMES_APART ("" where it gave none); "" when it gave none at all. The times are
        each user's own while the states are shared, so a user holds only its times, not a copy of its
        states: license_assignment_states joins them."""
        return self._own_times()[2]

    def _sign_in(self, i: int) -> str | None:
        if not self.sign_ins:
            return None
        times = self.sign_ins.split(TIMES_APART)
        return (times[0] if times[i] == SAME_AS_LAST else times[i]) or None

    @property
    def created_date_time(self) -> str | None:
        return self._own_times()[0] or None

    @property
    def last_sign_in_date_time(self) -> str | None:
        """signInActivity's; None when never signed in or not collected (see TenantSnapshot.gaps)."""
        return self._sign_in(0)

    @property
    def last_non_interactive_sign_in_date_time(self) -> str | None:
        return self._sign_in(1)

    @property
    def last_successful_sign_in_date_time(self) -> str | None:
        """signInActivity.lastSuccessfulSignInDateTime: the two above also count failed attempts."""
        return self._sign_in(2)

    @property
    def employee_leave_date_time(self) -> str | None:
        """employeeLeaveDateTime: when the user left or will leave the organization (read only for
        grace_days, and only where the app may: User-LifeCycleInfo.Read.All); None = not set or not read."""
        return self._own_times()[1] or None

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
    def recipient_domains(self) -> tuple[str, ...]:
        """The domains mail reaches the user at (a protection rule's `RecipientDomainIs`): its mail domains, or
        its user principal name's domain where none were read or it has none."""
        return self.mail_domains or (self.user_principal_name.rpartition("@")[2].lower(),)

    @property
    def kind(self) -> AccountKind:
        """What the account is (account_kind): the one answer every stage asks."""
        p = self.profile
        parent = self.identity_parent_id if self.identity_parent_id is not None else ("" if p.agent else None)
        # the sign-ins count only for an account something calls a resource account (account_kinds)
        signed_in = resource_signal(p.department, p.sku_ids) and signed_in_interactively(self.last_sign_in_date_time)
        return account_kind(
            p.user_type, p.department, p.mailbox_purpose, p.sku_ids, parent, p.account_enabled, signed_in
        )

    @property
    def licenses_updated(self) -> str | None:
        """When a license of this user last changed (the latest lastUpdatedDateTime), as Graph wrote it."""
        known = [t for t in self.license_times.split(TIMES_APART) if t]
        return max(known) if known else None


# NO_MAILBOX (auditor.data.account_kinds, "" ): User.mailbox_purpose of an account Graph found no mailbox for
# userPurpose values of a mailbox that no person signs in to: shared, room (meeting room) and equipment
RESOURCE_PURPOSES = frozenset(("shared", "room", "equipment"))
# userPurpose values of a person's mailbox (linked: a user mailbox linked to an account in another
# forest). Any other value (others: not a plain user mailbox; unknownFutureValue; one Graph adds
# later) says nothing either way: the account may be a shared mailbox.
PERSON_PURPOSES = frozenset(("user", "linked"))


# groupTypes value of a group whose members a membership rule decides (Graph's group resource)
DYNAMIC_MEMBERSHIP = "DynamicMembership"
UNIFIED = "Unified"  # groupTypes value of a Microsoft 365 group


class Group(msgspec.Struct, frozen=True):
    """A group the policies name or one that assigns licenses.

    Its kind (group_types, membership_rule, on_premises_sync_enabled, mail_enabled) says whether a
    program may change its members: None in group_types means the kind was not read (an older
    snapshot), and then nothing about the group is assumed, neither "dynamic" nor "cloud-only"."""

    id: str
    display_name: str
    assigned_licenses: tuple[AssignedLicense, ...] = ()
    members: tuple[str, ...] = ()  # transitive member object ids (users only)
    # Graph's hasMembersWithLicenseErrors (only readable through $filter): None = not collected
    # (an older snapshot, or the read failed: see TenantSnapshot.gaps), never "no errors"
    has_members_with_license_errors: bool | None = None
    group_types: tuple[str, ...] | None = None  # Graph's groupTypes; None = not read
    membership_rule: str | None = None  # the rule of a dynamic group, as the tenant wrote it (untrusted text)
    # Graph's onPremisesSyncEnabled: true = synced from on-premises Active Directory; null (None) is
    # a cloud-only group when group_types was read, else not known
    on_premises_sync_enabled: bool | None = None
    mail_enabled: bool | None = None
    # the direct user members (Graph's members): read for a group that both assigns licenses and is
    # named by a policy, whose transitive members are read too; None = not read. Group-based
    # licensing applies a group's licenses to its direct members only, never through a nested group.
    direct_members: tuple[str, ...] | None = None

    @property
    def kind_known(self) -> bool:
        return self.group_types is not None

    @property
    def dynamic(self) -> bool | None:
        """Members follow a membership rule (groupTypes holds DynamicMembership); None = not known."""
        return None if self.group_types is None else DYNAMIC_MEMBERSHIP in self.group_types

    @property
    def synced(self) -> bool | None:
        """Synced from on-premises Active Directory (onPremisesSyncEnabled true); None = not known."""
        return None if self.group_types is None else self.on_premises_sync_enabled is True

    @property
    def mail_security(self) -> bool | None:
        """A mail-enabled security group or distribution list (mail-enabled, not a Microsoft 365
        group): Graph cannot change its members (Exchange Online does). None = not known."""
        if self.group_types is None or self.mail_enabled is None:
            return None
        return self.mail_enabled and UNIFIED not in self.group_types


@dataclass(frozen=True, slots=True)
class Gap:
    """Tenant data that could not be collected. Rules that need `dataset` are not evaluated.

    A dataset is one piece of the snapshot as a rule's `needs` names it: users | signInActivity |
    subscribedSkus | subscriptions | groups | hasMembersWithLicenseErrors | organization |
    mailboxSettings | usageReports | … (the snapshot file and report.json keep Graph-era key
    names: a gap's `part`, the snapshot's `collectedParts`)."""

    dataset: str
    request: str
    reason: str

    def to_json(self) -> dict[str, str]:
        return {"part": self.dataset, "request": self.request, "reason": self.reason}


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
    collected_datasets: frozenset[str] = frozenset()
    # What the collection says about how it read the tenant that a reader of the report should
    # know (e.g. Graph refused the partitioned read of /users and it was read sequentially);
    # shown among the report's warnings. Not gaps: the data is complete.
    notes: tuple[str, ...] = ()
    # the attribute paths read for every user (User.attributes), when a policy asked for them
    user_attributes: tuple[str, ...] = ()
    # auditLogs/directoryAudits read for an interval (auditor.data.audit_entries.DirectoryAudits), or None
    directory_audits: Any = None
    # Microsoft 365 usage reports ("usageReports" in collected_datasets), read only for usage rules
    usage_reports: UsageReports | None = None
    # what Conditional Access, PIM and dynamic groups reach (auditor.data.access_records), read only for
    # the entitlement rules; None = not read
    access_scope: AccessScope | None = None
    # Microsoft's own counts of P1/P2 licenses and feature users (auditor.data.license_insight_data), read with
    # the access scope in the global cloud only; None = not read (optional context: no gap)
    license_insight: LicenseInsight | None = None
    # the nightly's (auditor.graph.kept_sign_ins): when the sign-in activity behind the users' times was
    # read in full (UTC ISO): this collection's own time on a full read, an earlier night's when only
    # what can have changed was read; None = by this collection (collected_at), or not read
    sign_ins_read_at: str | None = None
    # the day the active-user usage report showed the dormant accounts idle through, on a night that read no
    # sign-in for them (auditor.graph.dormant_usage); None = their sign-in activity was read, or not read
    sign_ins_usage_quiet: str | None = None
    # the tenant's Copilot Credits balance (auditor.data.copilot_credits_data, Graph beta), read for the bill
    # when the tenant holds a Copilot product; None = not read (a refusal is a gap in copilotCreditBalance)
    copilot_credits: CopilotCredits | None = None
    copilot_credit_use: CopilotCreditUse | None = None  # the month's use, read with it (gaps: copilotCreditUse)
    # the audit log's Copilot interactions per user (auditor.data.copilot_chat_use), read when a copilot_seats
    # entry asks for its candidates; None = not read (a refusal is a gap in copilotInteractions)
    copilot_chat_use: CopilotChatUse | None = None
    # the agent users and their parent agent identities (auditor.data.agents), read only for the rules
    # that judge kinds ("agentUsers" in collected_datasets); None = not read
    agents: Agents | None = None

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
            f"gaps={self.gaps!r}, collected_datasets={sorted(self.collected_datasets)!r})"
        )


# --- audit results --------------------------------------------------------------------------


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
    # the policy's price where a price read at the run replaced it in price_monthly, and that price's
    # source (auditor.billing.current_prices: billing_file, pax8)
    policy_price_monthly: float | None = None
    price_source: str = ""


@dataclass(frozen=True)
class NotEvaluated:
    """A rule a policy asks for that the data did not let the audit evaluate; with `only`, the rule was
    evaluated and only its judgements whose finding's details hold one of these values under that key
    were not (auditor.data.reads.Without: a gap that hides some of a rule's judgements)."""

    rule: str
    policy: str
    reason: str
    only: tuple[str, tuple[str, ...]] | None = None


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
    # Microsoft's own counts beside the auditor's (auditor.impact.license_insight_comparison), when a policy has
    # `entitlements:` and they were read; context only, so never part of `complete`
    license_insight: InsightComparison | None = None
    # when the sign-in activity the inactivity findings rest on was read in full (TenantSnapshot.sign_ins_read_at)
    sign_ins_read_at: str | None = None
    # each kind of account other than a person's that holds licenses (auditor.evaluation.engine.account_kind_rows)
    account_kinds: tuple[AccountKindRow, ...] = ()
    # user id -> the kind a policy declares for the account (`account_kinds:`, TenantIndex.declared_ids)
    declared_kinds: Mapping[str, AccountKind] = field(default_factory=dict)
    # every holder of a Copilot product a copilot_seats entry judges, and their last use (seat_ledger)
    copilot_seats: tuple[CopilotSeat, ...] = ()
    # the feature map (auditor.impact.feature_map), when a policy has `entitlements:`
    feature_map: tuple[FeatureRow, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.gaps and not self.not_evaluated
