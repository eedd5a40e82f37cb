"""The feature map: which license each premium feature the entitlement rules judge needs, which of the
tenant's products carry it, and, per feature, the users it reaches and those their own products entitle,
counted as the entitlement rules count them (auditor/rules/entitlements/entitlement.py): an enabled member or
a guest for every feature, a disabled member for group memberships only (dynamic groups, group-based
licensing); guests apart. Written beside the reports (auditor.report.feature_map_files) for a security team; the
facts and pages behind each row: docs/entitlements.md."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from auditor.data.feature_rows import AskedLicense, FeatureRow
from auditor.policy.index import TenantIndex

from ..reference import product_names
from . import entitlement_scope as scope

JUDGED, NOT_IN_POLICY, NOT_READ = "judged", "not in the policy", "not read"

_LICENSING = "https://learn.microsoft.com/entra/id-governance/licensing-fundamentals"
_GOVERNANCE = (
    "Using this feature requires a Microsoft Entra ID Governance subscription for your organization's member users"
)
_PIM = (
    "Ensure that your directory has Microsoft Entra ID P2 or Microsoft Entra ID Governance licenses for the "
    "following categories of users"
)
_PIM_PAGE = "https://learn.microsoft.com/entra/id-governance/privileged-identity-management/subscription-requirements"
_P2_OR_GOVERNANCE = AskedLicense(("Microsoft Entra ID P2", "Microsoft Entra ID Governance"))
_GOVERNANCE_SOME_P2 = AskedLicense(("Microsoft Entra ID Governance",), some_from="Microsoft Entra ID P2")
# feature -> (Microsoft's name for it, the license its page asks for, the page's sentence word for word, the page);
# each sentence is quoted with its context in docs/entitlements.md
SOURCES: dict[str, tuple[str, AskedLicense, str, str]] = {
    scope.CONDITIONAL_ACCESS: (
        "Conditional Access",
        AskedLicense(("Microsoft Entra ID P1",)),
        "Using this feature requires Microsoft Entra ID P1 licenses.",
        "https://learn.microsoft.com/entra/identity/conditional-access/overview#license-requirements",
    ),
    scope.RISK_BASED_ACCESS: (
        "Risk-based Conditional Access (ID Protection)",
        AskedLicense(("Microsoft Entra ID P2",)),
        "Using this feature requires Microsoft Entra ID P2 licenses.",
        "https://learn.microsoft.com/entra/id-protection/overview-identity-protection#license-requirements",
    ),
    scope.PRIVILEGED_ACCESS: (
        "Privileged Identity Management (directory roles)",
        _P2_OR_GOVERNANCE,
        _PIM,
        _PIM_PAGE,
    ),
    scope.DYNAMIC_GROUPS: (
        "Dynamic membership groups",
        AskedLicense(("Microsoft Entra ID P1", "Intune for Education")),
        "The feature of dynamic membership groups requires a Microsoft Entra ID P1 license or an Intune for Education "
        "license for each unique user who's a member of one or more dynamic membership groups.",
        "https://learn.microsoft.com/entra/identity/users/groups-dynamic-membership",
    ),
    scope.GROUP_LICENSING: (
        "Group-based licensing",
        AskedLicense(("Microsoft Entra ID P1",), listed=("Office 365 E3", "Microsoft 365 Business Premium")),
        "You must have one of the following licenses for every user who benefits from group-based licensing",
        "https://learn.microsoft.com/entra/fundamentals/concept-group-based-licensing",
    ),
    scope.INTUNE_DEVICES: (
        "Microsoft Intune (enrolled devices' users)",
        AskedLicense(("Microsoft Intune",)),
        "The appropriate Microsoft Intune license is required if a user or device benefits directly or indirectly "
        "from the Microsoft Intune service, including access to the Microsoft Intune service through a Microsoft API.",
        "https://learn.microsoft.com/intune/intune-service/fundamentals/licenses",
    ),
    scope.ACCESS_REVIEWS: (
        "Access reviews",
        _GOVERNANCE_SOME_P2,
        f"{_GOVERNANCE}, including for all employees who are reviewing access or having their access reviewed.",
        _LICENSING,
    ),
    scope.ENTITLEMENT_MANAGEMENT: (
        "Entitlement management (access packages)",
        _GOVERNANCE_SOME_P2,
        f"{_GOVERNANCE}.",
        _LICENSING,
    ),
    scope.LIFECYCLE_WORKFLOWS: (
        "Lifecycle workflows",
        AskedLicense(("Microsoft Entra ID Governance",)),
        f"{_GOVERNANCE}.",
        _LICENSING,
    ),
    scope.GROUP_PIM: (
        "PIM for Groups",
        _P2_OR_GOVERNANCE,
        _PIM,
        _PIM_PAGE,
    ),
    scope.DEFENDER_OFFICE: (
        "Microsoft Defender for Office 365 (Safe Links, Safe Attachments, anti-phishing, preset policies)",
        AskedLicense(("Microsoft Defender for Office 365 Plan 1",), also_in="Plan 2"),
        "Although some unlicensed users may technically be able to access the service, a license is required for "
        "any user that you intend to benefit from the service.",
        "https://docs.microsoft.com/en-us/office365/servicedescriptions/microsoft-365-service-descriptions/"
        "microsoft-365-tenantlevel-services-licensing-guidance/microsoft-365-security-compliance-licensing-guidance",
    ),
}


def feature_map(index: TenantIndex, wanted: Iterable[str]) -> tuple[FeatureRow, ...]:
    """Every feature of the policy language, in its order: counted when a policy names it (`wanted`) and its
    read is in the snapshot, else said why not."""
    access = index.snapshot.access_scope
    named = set(wanted)
    judged = scope.readable(access, [f for f in scope.FEATURES if f in named]) if access is not None else ()
    members: Counter[str] = Counter()
    entitled: Counter[str] = Counter()
    guests: Counter[str] = Counter()
    if judged and access is not None:
        reach = scope.reach(index, access, judged)
        entitling = scope.Entitling(index)
        for user in index.users:
            features = reach.features(user)
            if not features:
                continue
            if user.user_type.lower() == "guest":
                guests.update(features)
                continue
            counted = [f for f in features if user.account_enabled or f in scope.MEMBERSHIP_FEATURES]
            members.update(counted)
            plans, group_product = entitling.of(user)
            entitled.update(f for f in counted if scope.covers(plans, f, group_product))
    rows = []
    for feature in scope.FEATURES:
        name, license_, sentence, page = SOURCES[feature]
        status = JUDGED if feature in judged else NOT_READ if feature in named else NOT_IN_POLICY
        on = status == JUDGED
        rows.append(
            FeatureRow(
                feature=feature,
                name=name,
                license=license_,
                products=_carrying(index, feature),
                status=status,
                members_reached=members[feature] if on else None,
                members_entitled=entitled[feature] if on else None,
                guests_reached=guests[feature] if on else None,
                sentence=sentence,
                page=page,
            )
        )
    return tuple(rows)


def _carrying(index: TenantIndex, feature: str) -> tuple[str, ...]:
    """The tenant's products whose service plans entitle a user to `feature`, by part number."""
    out = []
    for sku in sorted(index.snapshot.skus, key=lambda s: s.sku_part_number):
        plans = scope.carried(scope.plans_of(index, sku.sku_id))
        if scope.covers(plans, feature, sku.sku_id.lower() in scope.group_licensing_products()):
            name = product_names().product(sku_id=sku.sku_id, part=sku.sku_part_number) or sku.sku_part_number
            out.append(f"{name} ({sku.sku_part_number})")
    return tuple(out)
