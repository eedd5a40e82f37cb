"""Who each security feature reaches, which Microsoft Entra plan it needs, and which products carry
that plan: what the entitlement rules (rules/entitlements/entitlement.py) count. docs/entitlements.md cites
Microsoft's page for each fact used here.

A product entitles by its service plans, never by its name: AAD_PREMIUM is Microsoft Entra ID P1,
AAD_PREMIUM_P2 is P2 (which covers P1), Entra_Identity_Governance is ID Governance (which covers
Privileged Identity Management), INTUNE_EDU is Intune for Education (which covers dynamic membership
groups). Group-based licensing is also open to the products Microsoft's group-based licensing page
lists (auditor/reference/group-licensing.csv)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from auditor.data.access_records import AccessPolicy, AccessScope
from auditor.data.feature_records import AccessReview
from auditor.data.model import User
from auditor.data.protection_rules import ProtectionRule
from auditor.policy.index import TenantIndex

from ..reference import DATA_FILE, product_names

P1, P2, GOVERNANCE, INTUNE_EDU, INTUNE = "P1", "P2", "governance", "intune_edu", "intune"
GOVERNANCE_ONLY = "governance_only"  # seats carrying ID Governance without P2 (P2's count takes them for PIM)
PLAN_IDS = {
    P1: "41781fb2-bc02-4b7c-bd55-b576c07bb09d",  # AAD_PREMIUM
    P2: "eec0eb4f-6444-4f95-aba0-50c24d67f998",  # AAD_PREMIUM_P2
    GOVERNANCE: "e866a266-3cff-43a3-acca-0c90a7e00c8b",  # Entra_Identity_Governance
    INTUNE_EDU: "da24caf9-af8e-485c-b7c8-e73336da2693",  # INTUNE_EDU: dynamic groups only
}
# Microsoft Intune's service plans (Microsoft's product table): Plan 1 (INTUNE_A, its volume-licensing and
# government editions), Intune for small business (INTUNE_SMBIZ, in Microsoft 365 Business Premium) and Intune
# for Education. Not Mobile Device Management for Office 365 (INTUNE_O365: Basic Mobility and Security), nor
# Intune Plan 2 (INTUNE_P2), an add-on to Plan 1.
INTUNE_IDS = frozenset(
    {
        "c1ec4a95-1f05-45b3-a911-aa3fa01094f5",  # INTUNE_A
        "3e170737-c728-4eae-bbb9-3f3360f7184c",  # INTUNE_A_VL
        "d216f254-796f-4dab-bbfa-710686e646b9",  # INTUNE_A_GOV
        "8e9ff0ff-aa7a-4b20-83c1-2f636b600ac2",  # INTUNE_SMBIZ
        PLAN_IDS[INTUNE_EDU],
    }
)
# Microsoft Defender for Office 365 (Microsoft's product table): Plan 1 (ATP_ENTERPRISE) and Plan 2
# (THREAT_INTELLIGENCE), which includes Plan 1's protection; Safe Links, Safe Attachments, impersonation
# protection and the preset policies are Plan 1's (docs/entitlements.md)
DEFENDER = "defender_office"
DEFENDER_IDS = frozenset(
    {
        "f20fedf3-f3c3-43c3-8267-2bfdd51c0939",  # ATP_ENTERPRISE: Defender for Office 365 (Plan 1)
        "8e0c0a52-6a6c-4d40-8370-dd62790dcd70",  # THREAT_INTELLIGENCE: Defender for Office 365 (Plan 2)
    }
)
RANK = {DEFENDER: -1, INTUNE: 0, P1: 1, P2: 2, GOVERNANCE: 3}
GROUP_LICENSING_PLAN = "group_licensing"  # entitlement-short's own count for group-based licensing

CONDITIONAL_ACCESS = "conditional_access"
RISK_BASED_ACCESS = "risk_based_access"
PRIVILEGED_ACCESS = "privileged_access"
DYNAMIC_GROUPS = "dynamic_groups"
GROUP_LICENSING = "group_licensing"
INTUNE_DEVICES = "intune"
ACCESS_REVIEWS = "access_reviews"
ENTITLEMENT_MANAGEMENT = "entitlement_management"
LIFECYCLE_WORKFLOWS = "lifecycle_workflows"
GROUP_PIM = "pim_groups"
DEFENDER_OFFICE = "defender_office"  # Safe Links, Safe Attachments, anti-phishing and preset policy rules
# `entitlements: {}` judges the first five (read with the Entra permissions the section always asked for); the
# others are judged when the policy names them: each needs a permission of its own (docs/entitlements.md)
DEFAULT_FEATURES = (CONDITIONAL_ACCESS, RISK_BASED_ACCESS, PRIVILEGED_ACCESS, DYNAMIC_GROUPS, GROUP_LICENSING)
FEATURES = (
    *DEFAULT_FEATURES,
    INTUNE_DEVICES,
    ACCESS_REVIEWS,
    ENTITLEMENT_MANAGEMENT,
    LIFECYCLE_WORKFLOWS,
    GROUP_PIM,
    DEFENDER_OFFICE,
)
NEEDS = {
    CONDITIONAL_ACCESS: P1,
    RISK_BASED_ACCESS: P2,
    PRIVILEGED_ACCESS: P2,
    DYNAMIC_GROUPS: P1,
    GROUP_LICENSING: P1,
    INTUNE_DEVICES: INTUNE,
    ACCESS_REVIEWS: P2,
    ENTITLEMENT_MANAGEMENT: P2,
    LIFECYCLE_WORKFLOWS: GOVERNANCE,
    GROUP_PIM: P2,
    DEFENDER_OFFICE: DEFENDER,
}
# the features P2 or ID Governance covers (PIM's page; access reviews and entitlement management: some of their
# capabilities "operate with" P2, the auditor does not tell which a review or package uses)
P2_OR_GOVERNANCE = frozenset({PRIVILEGED_ACCESS, ACCESS_REVIEWS, ENTITLEMENT_MANAGEMENT, GROUP_PIM})
# What a disabled member account still counts for: Microsoft's pages count "each unique user" who is
# a member of a dynamic group or of a licensed group, enabled or not (docs/entitlements.md); a
# disabled account signs in to nothing, so Conditional Access and PIM do not reach it.
MEMBERSHIP_FEATURES = frozenset({DYNAMIC_GROUPS, GROUP_LICENSING})

# Built-in directory roles by template id (Microsoft Entra built-in roles reference), so a finding
# names the role; another id is shown as it is.
ROLE_NAMES = {
    "62e90394-69f5-4237-9190-012177145e10": "Global Administrator",
    "e8611ab8-c189-46e8-94e1-60213ab1f814": "Privileged Role Administrator",
    "194ae4cb-b126-40b2-bd5b-6091b380977d": "Security Administrator",
    "fe930be7-5e62-47db-91af-98c3a49a38b1": "User Administrator",
    "29232cdf-9323-42fd-ade2-1d097af3e4de": "Exchange Administrator",
    "f28a1f50-f6e7-4571-818b-6a12f2af6b6c": "SharePoint Administrator",
    "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9": "Conditional Access Administrator",
    "4d6ac14f-3453-41d0-bef9-a3e0c569773a": "License Administrator",
    "b0f54661-2d74-4c50-afa3-1ec803f12efe": "Billing Administrator",
    "729827e3-9c14-49f7-bb1b-9608f156bbb8": "Helpdesk Administrator",
}


@cache
def group_licensing_products() -> frozenset[str]:
    """skuIds (lower case) of the products Microsoft's group-based licensing page names beside P1."""
    text = resources.files("auditor.reference").joinpath("group-licensing.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    return frozenset(row["GUID"].strip().lower() for row in rows)


@cache
def _parts() -> dict[str, str]:
    """skuId (lower case) -> skuPartNumber, from Microsoft's product table."""
    text = resources.files("auditor.reference").joinpath(DATA_FILE).read_text(encoding="utf-8-sig")
    return {row["GUID"].strip().lower(): row["String_Id"].strip() for row in csv.DictReader(text.splitlines())}


def part_of(index: TenantIndex, sku_id: str) -> str:
    """A product's part number: the tenant's, else Microsoft's table's, else its skuId."""
    sku = index.sku_by_id.get(sku_id.lower())
    return sku.sku_part_number if sku is not None else _parts().get(sku_id.lower(), sku_id)


def plans_of(index: TenantIndex, sku_id: str) -> frozenset[str]:
    """The service plan ids (lower case) of a product: from subscribedSkus when the tenant has it,
    else from Microsoft's product table (a product the policy prices but the tenant lacks)."""
    sku = index.sku_by_id.get(sku_id.lower())
    if sku is not None and sku.service_plans:
        return frozenset(p.service_plan_id.lower() for p in sku.service_plans)
    return frozenset(pid for pid, _ in product_names().plans_of(sku_id.lower()))


def carried(plan_ids: Iterable[str]) -> frozenset[str]:
    """Which of P1, P2, ID Governance and Intune for Education these service plans carry (P2 carries
    P1 too)."""
    ids = set(plan_ids)
    out = {name for name, pid in PLAN_IDS.items() if pid in ids}
    if P2 in out:
        out.add(P1)
    if ids & INTUNE_IDS:
        out.add(INTUNE)
    if ids & DEFENDER_IDS:
        out.add(DEFENDER)
    return frozenset(out)


def covers(plans: frozenset[str], feature: str, group_product: bool = False) -> bool:
    """Whether products carrying `plans` entitle a user to `feature`."""
    if feature in P2_OR_GOVERNANCE:
        return P2 in plans or GOVERNANCE in plans
    if feature == LIFECYCLE_WORKFLOWS:
        return GOVERNANCE in plans
    if feature == INTUNE_DEVICES:
        return INTUNE in plans
    if feature == DEFENDER_OFFICE:
        return DEFENDER in plans
    if feature == RISK_BASED_ACCESS:
        return P2 in plans
    if feature == GROUP_LICENSING:
        return P1 in plans or group_product
    if feature == DYNAMIC_GROUPS:
        return P1 in plans or INTUNE_EDU in plans
    return P1 in plans


def opens_group_licensing(index: TenantIndex, sku_ids: Iterable[str]) -> bool:
    """Whether a user holding `sku_ids` may be licensed through a group: one of them carries P1 (P2
    carries it too) or is on Microsoft's list (group_licensing_products)."""
    return any(
        covers(carried(plans_of(index, sid)), GROUP_LICENSING, sid.lower() in group_licensing_products())
        for sid in sku_ids
    )


def owned_seats(index: TenantIndex, plan: str) -> int:
    """Enabled seats (with those in their grace period) of the products that satisfy `plan`'s count;
    for "governance_only", those carrying ID Governance without P2 (P2's own seats are counted as P2); for
    "intune_edu", those carrying Intune for Education without P1."""
    total = 0
    for sku in index.snapshot.skus:
        plans = carried(plans_of(index, sku.sku_id))
        if plan == GROUP_LICENSING_PLAN:
            ok = P1 in plans or sku.sku_id.lower() in group_licensing_products()
        elif plan == GOVERNANCE_ONLY:
            ok = GOVERNANCE in plans and P2 not in plans
        elif plan == INTUNE_EDU:
            ok = INTUNE_EDU in plans and P1 not in plans
        else:
            ok = plan in plans
        total += sku.usable if ok else 0
    return total


def need_of(features: Iterable[str]) -> str:
    """The highest plan the features need."""
    return max((NEEDS[f] for f in features), key=RANK.__getitem__, default=P1)


def _key(text: str) -> str:
    """An id as compared here: lower case (Graph writes ids in lower case, so the id itself is kept,
    not a lowered copy of it)."""
    return text if text.islower() else text.lower()


@dataclass(frozen=True)
class Side:
    """One side of a scope (include or exclude): every user, every guest, or the users in `ids`."""

    everyone: bool = False
    guests: bool = False
    ids: frozenset[str] = frozenset()

    def holds(self, key: str, guest: bool) -> bool:
        """Whether the user of id `key` (lower case), a guest or not, is on this side."""
        return self.everyone or (self.guests and guest) or key in self.ids


@dataclass(frozen=True)
class Scope:
    """Who one policy, role or group reaches (`via` names it): the include side but the exclude side."""

    via: str
    include: Side
    exclude: Side = Side()

    def reaches(self, key: str, guest: bool) -> bool:
        return self.include.holds(key, guest) and not self.exclude.holds(key, guest)


@dataclass
class Reach:
    """Each feature's scopes (in FEATURES' order), asked of one user at a time: nothing is kept per
    user, so a feature that reaches every user (a policy for All users, group-based licensing) costs
    no memory per user. Group-based licensing is read from the user's own licenseAssignmentStates."""

    scopes: dict[str, list[Scope]]
    group_licensing: bool = False
    group_names: dict[str, str] = field(default_factory=dict)  # group id -> display name
    # id(profile) -> whether its license states hold one from a group (users share profiles)
    _from_group: dict[int, bool] = field(default_factory=dict)

    def features(self, user: User) -> tuple[str, ...]:
        """The features that reach `user`, in FEATURES' order."""
        found: list[str] = []
        if self.scopes:
            key, guest = _key(user.id), user.user_type.lower() == "guest"
            found = [f for f, scopes in self.scopes.items() if any(s.reaches(key, guest) for s in scopes)]
        if self.group_licensing and self._group_licensed(user):
            found.append(GROUP_LICENSING)
        return tuple(found)

    def _group_licensed(self, user: User) -> bool:
        profile = user.profile  # lives as long as the snapshot: its id stays its own
        found = self._from_group.get(id(profile))
        if found is None:
            found = self._from_group[id(profile)] = any(s.assigned_by_group for s in profile.license_assignment_states)
        return found

    def via(self, user: User, feature: str) -> list[str]:
        """The policies, roles or groups that put `user` in the feature's scope, each once."""
        if feature == GROUP_LICENSING:
            found = [
                self.group_names.get(s.assigned_by_group, s.assigned_by_group)
                for s in user.profile.license_assignment_states
                if s.assigned_by_group
            ]
        else:
            key, guest = _key(user.id), user.user_type.lower() == "guest"
            found = [s.via for s in self.scopes.get(feature, ()) if s.reaches(key, guest)]
        return list(dict.fromkeys(found))


class ScopeReader:
    """Resolves the users, groups and roles of one snapshot's access scope into Sides."""

    def __init__(self, scope: AccessScope) -> None:
        self.scope = scope
        self.groups = {_key(g.id): g for g in scope.groups}
        self.hidden = frozenset(map(_key, scope.hidden))

    def names_hidden(self, policy: AccessPolicy) -> bool:
        """Whether the policy names a group whose members Graph refused: who it reaches is not known,
        so it is not judged (the Gap names the group)."""
        return any(_key(g) in self.hidden for g in (*policy.include_groups, *policy.exclude_groups))

    def members(self, group_id: str) -> frozenset[str]:
        group = self.groups.get(_key(group_id))
        return frozenset(map(_key, group.members)) if group is not None else frozenset()

    def principal(self, principal_id: str) -> frozenset[str]:
        """A group's members, or the principal itself (a user; a service principal matches no user)."""
        key = _key(principal_id)
        return self.members(key) if key in self.groups else frozenset((key,))

    def role_members(self, role_ids: Iterable[str]) -> frozenset[str]:
        """The active members of tenant-wide assignments of these roles: Conditional Access reaches
        users actively assigned a built-in role, not those scoped to an administrative unit."""
        wanted = {_key(r) for r in role_ids}
        out: set[str] = set()
        for grant in self.scope.assigned or ():
            if _key(grant.role_id) in wanted and grant.directory_scope_id == "/":
                out |= self.principal(grant.principal_id)
        return frozenset(out)

    def policy_scope(self, policy: AccessPolicy) -> Scope:
        """Everyone the policy reaches: includeUsers (All, GuestsOrExternalUsers, ids), the
        transitive members of includeGroups and the members of includeRoles, minus the excludes."""
        return Scope(
            policy.display_name or policy.id,
            self._side(policy.include_users, policy.include_groups, policy.include_roles),
            self._side(policy.exclude_users, policy.exclude_groups, policy.exclude_roles),
        )

    def _side(self, users: Iterable[str], groups: Iterable[str], roles: Iterable[str]) -> Side:
        tokens = set(users)
        ids = {_key(t) for t in tokens - {"All", "GuestsOrExternalUsers"}}
        for gid in groups:
            ids |= self.members(gid)
        return Side(
            everyone="All" in tokens,
            guests="GuestsOrExternalUsers" in tokens,
            ids=frozenset(ids | self.role_members(roles)),
        )


def reach(index: TenantIndex, scope: AccessScope, features: Iterable[str]) -> Reach:
    """Who each of `features` reaches, from what the snapshot read (a feature whose read failed
    reaches nobody here; its gap is in the report)."""
    wanted = set(features)
    reader = ScopeReader(scope)
    # GROUP_LICENSING last: Reach.features appends it after the others
    out = Reach(
        {f: [] for f in FEATURES if f in wanted and f != GROUP_LICENSING},
        group_licensing=GROUP_LICENSING in wanted,
        group_names=index.group_name,
    )
    for policy in scope.policies or ():  # enabled and report-only policies; a risk-based one is its own feature
        if not policy.counts or reader.names_hidden(policy):
            continue
        feature = RISK_BASED_ACCESS if policy.risk_based and RISK_BASED_ACCESS in wanted else CONDITIONAL_ACCESS
        if feature in wanted:
            out.scopes[feature].append(reader.policy_scope(policy))
    if PRIVILEGED_ACCESS in wanted:
        # PIM's terms count eligible and time-bound assignments; a permanent active one is not PIM's
        time_bound = [g for g in scope.scheduled or () if g.time_bound]
        for grant in (*(scope.eligible or ()), *time_bound):
            if _key(grant.principal_id) in reader.hidden:
                continue
            out.scopes[PRIVILEGED_ACCESS].append(
                Scope(
                    ROLE_NAMES.get(grant.role_id.lower(), grant.role_id), Side(ids=reader.principal(grant.principal_id))
                )
            )
    _features(out, scope, reader, wanted)
    if DEFENDER_OFFICE in wanted:
        out.scopes[DEFENDER_OFFICE] = _protected(index, scope.protection_rules or (), reader)
    if DYNAMIC_GROUPS in wanted:
        for group in scope.groups:
            if group.dynamic:
                out.scopes[DYNAMIC_GROUPS].append(
                    Scope(group.display_name or group.id, Side(ids=reader.members(group.id)))
                )
    out.scopes = {f: scopes for f, scopes in out.scopes.items() if scopes}
    return out


def _features(out: Reach, scope: AccessScope, reader: ScopeReader, wanted: set[str]) -> None:
    """The scopes of Intune and ID Governance's features (auditor.data.feature_records): the users of the
    devices enrolled in Intune, by operating system; the reviewed and the reviewers of each access review
    still running; the users given each access package; the eligible and time-bound members and owners of each
    group in PIM for Groups; the users each lifecycle workflow processed."""
    if INTUNE_DEVICES in wanted:
        by_os: dict[str, set[str]] = {}
        for device in scope.devices or ():
            if device.intune and device.user_id:
                by_os.setdefault(device.operating_system or "?", set()).add(_key(device.user_id))
        out.scopes[INTUNE_DEVICES] = _named(by_os)
    if ACCESS_REVIEWS in wanted:
        out.scopes[ACCESS_REVIEWS] = [_review(review, reader) for review in scope.reviews or () if review.counts]
    if ENTITLEMENT_MANAGEMENT in wanted:
        by_package: dict[str, set[str]] = {}
        for grant in scope.packages or ():
            if grant.counts and grant.object_id:
                by_package.setdefault(grant.package or grant.id, set()).add(_key(grant.object_id))
        out.scopes[ENTITLEMENT_MANAGEMENT] = _named(by_package)
    if GROUP_PIM in wanted:
        by_group: dict[str, set[str]] = {}
        for given in scope.group_grants or ():
            if given.counts:
                named = reader.groups.get(_key(given.group_id))
                name = out.group_names.get(given.group_id) or (named.display_name if named else given.group_id)
                by_group.setdefault(name, set()).add(_key(given.principal_id))
        out.scopes[GROUP_PIM] = _named(by_group)
    if LIFECYCLE_WORKFLOWS in wanted:
        out.scopes[LIFECYCLE_WORKFLOWS] = [
            Scope(w.display_name or w.id, Side(ids=frozenset(map(_key, w.users)))) for w in scope.workflows or ()
        ]


def _protected(index: TenantIndex, rules: Iterable[ProtectionRule], reader: ScopeReader) -> list[Scope]:
    """Whom each enabled Defender for Office 365 rule reaches: the recipients meeting every kind of condition
    it gives (Microsoft: conditions of different kinds are ANDed), but those meeting any exception (ORed). A
    group is resolved from the groups the snapshot read; a rule naming a group it did not read is left out
    (its reach is not known)."""
    groups = {_key(g.id): frozenset(map(_key, g.members)) for g in index.snapshot.groups}
    groups.update({key: frozenset(map(_key, g.members)) for key, g in reader.groups.items()})
    # `RecipientDomainIs` looks for "recipients with email address in the specified domains": a user's mail
    # domains (proxyAddresses, mail), its user principal name's only where those were not read or it has none
    domains: dict[str, set[str]] = {}
    for user in index.users:
        for domain in user.recipient_domains:
            domains.setdefault(domain, set()).add(_key(user.id))
    out: list[Scope] = []
    for rule in rules:
        named = (*rule.sent_to_member_of, *rule.except_sent_to_member_of)
        if not rule.enabled or any(g not in groups for g in named):
            continue
        kinds = [
            frozenset(rule.sent_to) if rule.sent_to else None,
            frozenset().union(*(groups[g] for g in rule.sent_to_member_of)) if rule.sent_to_member_of else None,
            frozenset().union(*(domains.get(d, ()) for d in rule.recipient_domain_is))
            if rule.recipient_domain_is
            else None,
        ]
        given = [k for k in kinds if k is not None]
        include = frozenset.intersection(*given) if given else frozenset()
        exclude = frozenset(rule.except_sent_to).union(
            *(groups[g] for g in rule.except_sent_to_member_of),
            *(domains.get(d, ()) for d in rule.except_recipient_domain_is),
        )
        out.append(Scope(rule.name, Side(ids=include), Side(ids=exclude)))
    return out


def _named(found: dict[str, set[str]]) -> list[Scope]:
    return [Scope(name, Side(ids=frozenset(ids))) for name, ids in sorted(found.items())]


def _review(review: AccessReview, reader: ScopeReader) -> Scope:
    """Whom an access review reaches: the reviewed and the reviewers it names by user or group (a query the
    auditor cannot resolve, `./manager` say, is a gap the collector recorded)."""
    ids: set[str] = set()
    for found in (review.reviewed, review.reviewing):
        ids |= {_key(u) for u in found.users}
        for gid in found.groups:
            ids |= reader.members(gid)
    return Scope(review.display_name or review.id, Side(ids=frozenset(ids)))


class Entitling:
    """The plans users' products carry, worked out once per set of products (users share few)."""

    def __init__(self, index: TenantIndex) -> None:
        self.index = index
        self._by_products: dict[frozenset[str], tuple[frozenset[str], bool]] = {}

    def of(self, user: User) -> tuple[frozenset[str], bool]:
        """(the plans the user's own products carry, whether one of them qualifies for group-based
        licensing by Microsoft's list)."""
        products = user.sku_ids
        found = self._by_products.get(products)
        if found is None:
            plan_ids: set[str] = set()
            for sku_id in products:
                plan_ids |= plans_of(self.index, sku_id)
            found = self._by_products[products] = (carried(plan_ids), bool(products & group_licensing_products()))
        return found


def readable(scope: AccessScope, features: Iterable[str]) -> tuple[str, ...]:
    """The features whose reads the snapshot holds."""
    ok = {
        CONDITIONAL_ACCESS: scope.policies is not None,
        RISK_BASED_ACCESS: scope.policies is not None,
        PRIVILEGED_ACCESS: scope.eligible is not None or scope.scheduled is not None,
        DYNAMIC_GROUPS: scope.dynamic_read,
        GROUP_LICENSING: True,
        INTUNE_DEVICES: scope.devices is not None,
        ACCESS_REVIEWS: scope.reviews is not None,
        ENTITLEMENT_MANAGEMENT: scope.packages is not None,
        LIFECYCLE_WORKFLOWS: scope.workflows is not None,
        GROUP_PIM: scope.group_grants is not None,
        DEFENDER_OFFICE: scope.protection_rules is not None,
    }
    return tuple(f for f in features if ok[f])
