"""The snapshot file format: its layout, names and the msgspec types of Graph's JSON it holds.

Snapshot files hold tenant state as versioned JSON whose field names follow Microsoft Graph, so a
snapshot is checkable against Graph field by field and both are read alike (auditor.snapshot.decode
reads them, auditor.snapshot.write writes them).

Layout (schemaVersion 1):
    {"schemaVersion": 1, "kind": "license-auditor/snapshot",
     "tenant": {"id", "displayName", "cloud"}, "collectedAt": ISO-8601,
     "collectedParts": ["signInActivity", "mailboxSettings"],
     "subscribedSkus": [subscribedSku], "subscriptions": [companySubscription],
     "users": [user], "groups": [group + "members": [transitive user ids]
                                  + "hasMembersWithLicenseErrors" when collected
                                  + "directMembers": [direct user ids] when read],
     "gaps": [{"part", "request", "reason"}],
     "notes": [str]}   (only when the collection left notes for the report's warnings)
A user carries "mailboxSettings": {"userPurpose": ...} when its mailbox purpose was read, and
"mailboxSettings": null when Graph found no mailbox for it. An optional "usageReports" section holds
the Microsoft 365 usage reports the usage rules read (auditor/data/usage_data.py describes it), an optional
"accessScope" what the entitlement rules read (auditor/data/access_records.py), and an optional
"azureADPremiumLicenseInsight" Microsoft's own counts of P1/P2 licenses and feature users, in Graph's
shape (auditor/data/license_insight_data.py), and an optional "copilotCreditBalance" the tenant's
Copilot Credits balance, in Graph's beta shape (auditor/data/copilot_credits_data.py), and an optional
"copilotCreditUse" the month's usage reports' rows (auditor/data/copilot_credit_use_data.py); a snapshot
without them loads as one collected without them.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeAlias

import msgspec

from auditor.data.protection_rules import MAIL_READS

SCHEMA_VERSION = 1
KIND = "license-auditor/snapshot"
SIGN_IN_ACTIVITY = "signInActivity"
# collectedParts: the users' employeeLeaveDateTime was selected (a user without it has none set);
# selected only for grace_days, and only where the app may read it (User-LifeCycleInfo.Read.All)
LEAVE_DATE = "employeeLeaveDateTime"
# when the users' sign-in activity was read in full (auditor.graph.kept_sign_ins); absent: not said
SIGN_INS_READ_AT = "signInActivityReadAt"
# the day the usage report showed the dormant accounts idle through (auditor.graph.dormant_usage); absent: not used
SIGN_INS_USAGE_QUIET = "signInActivityUsageQuietThrough"
MAILBOX_SETTINGS = "mailboxSettings"  # collectedParts / Gap.dataset: the candidates' mailboxSettings/userPurpose
# The groups' hasMembersWithLicenseErrors was read (GET /groups?$filter=hasMembersWithLicenseErrors eq true):
# only then does a group without the flag mean "no member has a license error".
LICENSE_ERROR_GROUPS = "hasMembersWithLicenseErrors"


# --- users: the wire types of one decoder for Graph pages and snapshot files----------------------------------
#
# msgspec decodes users into the typed structs below (types checked in C, straight from a page's
# bytes); UserDecoder then checks what types cannot say (the date-times) and builds each model User.
# What users share goes into a Profile, and users with equal shared values get the same Profile
# object (as do equal license lists and states): a million users hold a few thousand profiles.
# Every error names the field.
#
# A new Graph property of users: a field of model.User (its own) or model.Profile (shared), the
# same property on _User and _UserSelected below (the collector's $select follows), its line in
# UserDecoder._user or _profile and in user_to_json (the emulator serves what user_to_json
# writes), and the sample generator (auditor_dev/sample/generate.py).

NonEmpty = Annotated[str, msgspec.Meta(min_length=1)]


class WireLicense(msgspec.Struct, frozen=True, gc=False):
    skuId: str
    disabledPlans: tuple[str, ...] | None = None


class WireLicenseState(msgspec.Struct, frozen=True, gc=False):
    skuId: NonEmpty
    assignedByGroup: str | None = None
    state: str | None = None
    error: str | None = None
    disabledPlans: tuple[str, ...] | None = None
    lastUpdatedDateTime: str | None = None


class WireSignIn(msgspec.Struct, gc=False):
    lastSignInDateTime: str | None = None
    lastNonInteractiveSignInDateTime: str | None = None
    lastSuccessfulSignInDateTime: str | None = None


class _Mailbox(msgspec.Struct, gc=False):
    userPurpose: NonEmpty


class _User(msgspec.Struct, gc=False):
    """A user of a snapshot file: only id and userPrincipalName must be there."""

    id: NonEmpty
    userPrincipalName: NonEmpty
    displayName: str | None = None
    accountEnabled: bool | None = None
    userType: str | None = None
    department: str | None = None
    usageLocation: str | None = None
    createdDateTime: str | None = None
    assignedLicenses: list[WireLicense] | None = None
    licenseAssignmentStates: list[WireLicenseState] | None = None
    employeeLeaveDateTime: str | None = None
    # the mailbox purpose (Graph's pages never carry it): null = no mailbox
    mailboxSettings: _Mailbox | msgspec.UnsetType | None = msgspec.UNSET
    # the user's mail addresses in Graph's shape (a snapshot written by hand), or the domains of them a
    # snapshot the auditor wrote keeps (User.mail_domains): either gives the user's mail domains
    mail: str | None = None
    proxyAddresses: list[str] | None = None
    mailDomains: list[str] | None = None


class _UserSignIn(_User, gc=False):
    signInActivity: WireSignIn | None = None


class _UserSelected(msgspec.Struct, gc=False, kw_only=True):
    """A user of a Graph page read with `$select`: Graph returns every selected property (null
    when it has no value), so an absent one fails here instead of reading as a default (no
    accountEnabled must not mean "enabled", no assignedLicenses must not mean "unlicensed")."""

    id: NonEmpty
    userPrincipalName: NonEmpty
    displayName: str | None
    accountEnabled: bool | None
    userType: str | None
    department: str | None
    usageLocation: str | None
    createdDateTime: str | None
    assignedLicenses: list[WireLicense] | None
    licenseAssignmentStates: list[WireLicenseState] | None
    mailboxSettings: _Mailbox | msgspec.UnsetType | None = msgspec.UNSET
    # selected only for grace_days (LEAVE_DATE): absent or null reads as "not known", never as a claim
    employeeLeaveDateTime: str | None = None
    # selected only for Defender for Office 365's reach (MAIL_READS): absent or null reads as none
    mail: str | None = None
    proxyAddresses: list[str] | None = None


class _UserSelectedSignIn(_UserSelected, gc=False, kw_only=True):
    # absent or null for accounts with no recorded sign-in: not a missing field
    signInActivity: WireSignIn | None = None


# a user as decoded from a page or a snapshot: one of the four types below (with signInActivity: a SIGN_IN_WIRE one)
WireUser: TypeAlias = "_User | _UserSelected"
SIGN_IN_WIRE = (_UserSignIn, _UserSelectedSignIn)

# [every selected field required][with signInActivity]
USER_WIRE_TYPES: tuple[tuple[type[Any], type[Any]], tuple[type[Any], type[Any]]] = (
    (_User, _UserSignIn),
    (_UserSelected, _UserSelectedSignIn),
)


def page_type(user: type[Any]) -> type[Any]:
    return msgspec.defstruct(
        f"_Page{user.__name__}",
        [
            ("value", list[user]),  # type: ignore[valid-type]
            ("next_link", str | None, msgspec.field(default=None, name="@odata.nextLink")),
        ],
        gc=False,
    )


# The user properties every $select of the collector names, apart from signInActivity.
SELECTED_USER_FIELDS = tuple(
    f for f in _UserSelected.__struct_fields__ if f not in ("mailboxSettings", LEAVE_DATE, *MAIL_READS)
)


# --- SKUs and subscriptions: the wire types of subscribedSkus and directory/subscriptions --------------
#
# Each item of Graph's answer (or of a snapshot's list) is decoded into one of these, then built into
# the model's Sku or Subscription (auditor.snapshot.decode). A text Graph may leave null reads as
# the model's default ("" or "Enabled"); the ids and counts must be there and be what they say.

Count = Annotated[int, msgspec.Meta(ge=0)]


class _PrepaidUnits(msgspec.Struct, frozen=True, gc=False):
    enabled: Count = 0
    suspended: Count = 0
    warning: Count = 0
    lockedOut: Count = 0


class _ServicePlan(msgspec.Struct, frozen=True, gc=False):
    servicePlanId: NonEmpty
    servicePlanName: str | None = None
    provisioningStatus: str | None = None
    appliesTo: str | None = None


class _Sku(msgspec.Struct, frozen=True, gc=False):
    skuId: NonEmpty
    skuPartNumber: NonEmpty
    id: str | None = None
    appliesTo: str | None = None
    capabilityStatus: str | None = None
    consumedUnits: Count = 0
    prepaidUnits: _PrepaidUnits | None = None
    servicePlans: list[_ServicePlan] | None = None


class WireGroup(msgspec.Struct, frozen=True, gc=False):
    """A group as Graph lists it (auditor.graph.groups.GROUP_FIELDS) and as a snapshot keeps it, with its members
    (and its direct ones when read). Without groupTypes (a snapshot written before they were read) its kind is
    not known."""

    id: NonEmpty
    displayName: str | None = None
    assignedLicenses: list[WireLicense] | None = None
    groupTypes: list[str] | None = None
    membershipRule: str | None = None
    onPremisesSyncEnabled: bool | None = None  # absent or null: not known, never False
    mailEnabled: bool | None = None
    members: list[str] | None = None  # the snapshot's: its transitive user members
    directMembers: list[str] | None = None
    hasMembersWithLicenseErrors: bool | None = None


class _Subscription(msgspec.Struct, frozen=True, gc=False):
    id: NonEmpty
    skuId: NonEmpty
    skuPartNumber: str | None = None
    status: str | None = None
    isTrial: bool = False
    totalLicenses: Count = 0
    createdDateTime: str | None = None
    nextLifecycleDateTime: str | None = None
    commerceSubscriptionId: str | None = None
    ownerId: str | None = None
    ownerTenantId: str | None = None
    ownerType: str | None = None
