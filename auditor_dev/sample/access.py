"""The sample tenant's security features, for the entitlement rules: Conditional Access policies,
directory roles (active and eligible in PIM) and a group for the eligible admins, planted so that
`audit --demo` shows both rules (a few users reached without the plan they need, and the tenant
short of Microsoft Entra ID P2). Chosen by the users' products and names, never by a random draw,
so the rest of the sample stays as it was.

Ids: Microsoft's template ids of the built-in roles; the policies, assignments and the new group
get uuid5 ids derived from fixed names."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from auditor.data.access_records import (
    ACCESS_SCOPE,
    ENABLED,
    REPORT_ONLY,
    AccessPolicy,
    AccessScope,
    RoleGrant,
    ScopeGroup,
)
from auditor.data.enums import AccountKind
from auditor.data.feature_records import AccessReview, GroupGrant, ManagedDevice, PackageAssignment, Workflow
from auditor.data.license_insight_data import LICENSE_INSIGHT, LicenseInsight
from auditor.data.model import Group, TenantSnapshot, User
from auditor.data.protection_rules import ProtectionRule
from auditor.impact.license_insight_comparison import auditor_counts
from auditor.policy.index import TenantIndex

from .builder import SKUS

GLOBAL_ADMIN = "62e90394-69f5-4237-9190-012177145e10"
SECURITY_ADMIN = "194ae4cb-b126-40b2-bd5b-6091b380977d"
USER_ADMIN = "fe930be7-5e62-47db-91af-98c3a49a38b1"
NAMESPACE = uuid.UUID("0b1f6c52-3c2e-4a8e-bb0e-6f3d2a9c7e41")
PIM_GROUP = "PIM Global Admins"
_NOT_SIGNED_IN_BY_PEOPLE = frozenset((AccountKind.RESOURCE, AccountKind.TEAMS_ROOMS, AccountKind.AGENT))


def _id(name: str) -> str:
    return str(uuid.uuid5(NAMESPACE, name))


def _holders(snapshot: TenantSnapshot, part: str, *, only: bool = False) -> list[User]:
    """Enabled members holding `part` (only it, with `only`), by user principal name."""
    sid = SKUS[part].lower()
    found = [
        u
        for u in snapshot.users
        if u.account_enabled
        and u.user_type == "Member"
        and sid in u.sku_ids
        and (not only or u.sku_ids == frozenset((sid,)))
    ]
    return sorted(found, key=lambda u: u.user_principal_name)


def _group(snapshot: TenantSnapshot, name: str) -> Group:
    return next(g for g in snapshot.groups if g.display_name == name)


def with_access_scope(snapshot: TenantSnapshot) -> TenantSnapshot:
    """`snapshot` with its access scope, and the group of PIM's eligible admins among its groups."""
    e5 = _holders(snapshot, "SPE_E5")
    # staff holding Microsoft 365 E3 alone (the planted cases keep their own stories)
    e3 = [u for u in _holders(snapshot, "SPE_E3", only=True) if u.user_principal_name.startswith("user")]
    admins = [e5[0], e3[0], e3[1]]  # eligible for Global Administrator through the group
    pim = Group(
        id=_id(PIM_GROUP),
        display_name=PIM_GROUP,
        members=tuple(u.id for u in admins),
        group_types=(),
        mail_enabled=False,
    )
    breakglass, executives = _group(snapshot, "Break Glass Accounts"), _group(snapshot, "Executives")
    analytics = _group(snapshot, "Sales Analytics")  # a dynamic-membership group
    policies = (
        AccessPolicy(
            _id("ca-all-mfa"),
            "Require multifactor authentication for all users",
            ENABLED,
            include_users=("All",),
            # no person signs in to a resource account, a Teams Rooms account or an agent user: the admin
            # left them out of the MFA policy (docs/account-kinds.md)
            exclude_users=tuple(u.id for u in snapshot.users if u.kind in _NOT_SIGNED_IN_BY_PEOPLE),
            exclude_groups=(breakglass.id,),
        ),
        AccessPolicy(
            _id("ca-admins"),
            "Require phishing-resistant MFA for administrators",
            REPORT_ONLY,
            include_roles=(GLOBAL_ADMIN, SECURITY_ADMIN),
            exclude_groups=(breakglass.id,),
        ),
        AccessPolicy(
            _id("ca-risk"),
            "Block high-risk sign-ins",
            ENABLED,
            include_groups=(executives.id, pim.id),
            exclude_groups=(breakglass.id,),
            sign_in_risk_levels=("high",),
        ),
        AccessPolicy(_id("ca-legacy"), "Legacy pilot (off)", "disabled", include_users=("All",)),
    )
    eligible = (
        RoleGrant(_id("pim-ga"), GLOBAL_ADMIN, pim.id),
        *(RoleGrant(_id(f"pim-sec-{u.id}"), SECURITY_ADMIN, u.id) for u in e3[2:8]),
        RoleGrant(_id("pim-ua"), USER_ADMIN, e5[1].id),
    )
    assigned = (RoleGrant(_id("ra-ga"), GLOBAL_ADMIN, e5[0].id),)
    groups = tuple(
        ScopeGroup(g.id, g.display_name, bool(g.dynamic), g.members)
        for g in sorted((breakglass, executives, analytics, pim), key=lambda g: g.id)
    )
    scope = AccessScope(
        policies=policies,
        eligible=eligible,
        assigned=assigned,
        groups=groups,
        dynamic_read=True,
        **_features(snapshot, e3, executives),
    )
    return replace(
        snapshot,
        groups=(*snapshot.groups, pim),
        access_scope=scope,
        collected_datasets=snapshot.collected_datasets | {ACCESS_SCOPE},
    )


def _features(snapshot: TenantSnapshot, e3: list[User], executives: Group) -> dict[str, Any]:
    """Intune and ID Governance's records (auditor.data.feature_records): devices enrolled in Intune by staff
    holding Microsoft 365 E3 (which carries Intune) and by the one enabled member holding no product, a kiosk
    without a user, a phone Exchange alone manages; an access review of the Executives reviewed by an E3 holder
    (P1 only) who also hold an access package, own the Executives group in PIM for Groups (eligible) and were
    onboarded by a lifecycle workflow (ID Governance, which nobody holds): two of the staff PIM already reaches,
    so the demo flags no one else, and their fix is one."""
    bare = next(
        u
        for u in sorted(snapshot.users, key=lambda u: u.user_principal_name)
        if u.account_enabled and u.user_type == "Member" and not u.sku_ids and u.kind is AccountKind.PERSON
    )
    stamp = "2026-03-02T08:15:00Z"
    systems = ("Windows", "iOS", "Windows", "Android", "macOS", "Windows")
    devices = (
        *(
            ManagedDevice(_id(f"dev-{u.id}"), u.id, u.user_principal_name, "mdm", os, stamp)
            for u, os in zip(e3[:6], systems, strict=True)
        ),
        ManagedDevice(_id("dev-bare"), bare.id, bare.user_principal_name, "mdm", "Android", stamp),
        ManagedDevice(_id("dev-kiosk"), "", "", "mdm", "Windows", stamp),
        ManagedDevice(_id("dev-eas"), e3[6].id, e3[6].user_principal_name, "eas", "iOS", stamp),
    )
    reviews = (
        AccessReview(
            _id("ar-exec"),
            "Quarterly review of the Executives",
            "InProgress",
            (f"/groups/{executives.id}/transitiveMembers",),
            (f"/users/{e3[2].id}", f"/users/{e3[3].id}"),
        ),
        AccessReview(
            _id("ar-old"),
            "Guest review 2025",
            "Completed",
            ("/groups/00000000-0000-0000-0000-000000000000/transitiveMembers",),
            (),
        ),
    )
    packages = (
        *(PackageAssignment(_id(f"ap-sales-{u.id}"), "delivered", u.id, "user", "Sales tools") for u in e3[2:4]),
        PackageAssignment(_id("ap-old"), "expired", e3[10].id, "user", "Sales tools"),
    )
    workflows = (Workflow(_id("lcw-onboard"), "Onboard new hires", "joiner", (e3[2].id, e3[3].id)),)
    # the PIM group's members may activate its ownership for a day: eligible owners, PIM for Groups
    grants = tuple(GroupGrant(_id(f"pg-owner-{u.id}"), executives.id, u.id, "owner", True) for u in e3[2:4])
    # Defender for Office 365 (the Exchange export's protection-rules.csv): a Safe Links rule reaching an E3 holder
    # (E3 carries Plan 1) and a holder of F3 alone (which does not), and a disabled preset rule
    domain = bare.user_principal_name.rpartition("@")[2].lower()
    frontline = _holders(snapshot, "SPE_F1", only=True)[0]
    rules = (
        ProtectionRule("Get-SafeLinksRule", "Safe Links for staff", "Enabled", sent_to=(e3[0].id, frontline.id)),
        ProtectionRule(
            "Get-ATPProtectionPolicyRule",
            "Strict Preset Security Policy",
            "Disabled",
            recipient_domain_is=(domain,),
        ),
    )
    return {
        "protection_rules": rules,
        "devices": devices,
        "reviews": reviews,
        "packages": packages,
        "workflows": workflows,
        "group_grants": grants,
    }


def with_license_insight(snapshot: TenantSnapshot) -> TenantSnapshot:
    """`snapshot` with Microsoft's own counts (auditor.data.license_insight_data), as Graph's beta report would
    give them for the sample: the licenses as the auditor counts them, and a few users fewer than in
    scope for each feature, since Microsoft counts the users who used a feature (a member who did not
    sign in within its period is in scope but not counted). So `audit --demo` shows the comparison
    and the sentence saying why they differ."""
    ours = auditor_counts(TenantIndex(snapshot))

    def used(key: str, fewer: int) -> int | None:
        count = ours[key]
        return max(count - fewer, 0) if count is not None else None

    premium, p2 = ours["premium_licenses"] or 0, ours["p2_licenses"] or 0
    insight = LicenseInsight(
        entitled_p1=premium - p2,
        entitled_p2=p2,
        entitled_total=premium,
        conditional_access=used("conditional_access_users", 4),
        conditional_access_guests=used("conditional_access_guests", 1),
        risk_based=used("risk_based_users", 1),
        risk_based_guests=used("risk_based_guests", 0),
    )
    return replace(
        snapshot, license_insight=insight, collected_datasets=snapshot.collected_datasets | {LICENSE_INSIGHT}
    )


def with_no_access_features(snapshot: TenantSnapshot) -> TenantSnapshot:
    """`snapshot` as a collection with an entitlements section reads a tenant that has no
    Conditional Access policy and no role in PIM: every read answered, and only its dynamic groups
    (and group-based licensing, read from the users) reach anyone."""
    groups = tuple(ScopeGroup(g.id, g.display_name, True, g.members) for g in snapshot.groups if g.dynamic)
    scope = AccessScope(policies=(), eligible=(), assigned=(), groups=groups, dynamic_read=True)
    return replace(snapshot, access_scope=scope, collected_datasets=snapshot.collected_datasets | {ACCESS_SCOPE})
