"""Who each security feature reaches, which Microsoft Entra plan it needs, and which products carry
that plan: what the entitlement rules (rules/entitlements/entitlement.py) count. docs/entitlements.md cites
Microsoft's page for each fact used here.

A product entitles by its service plans, never by its name: AAD_PREMIUM is Microsoft Entra ID P1,
AAD_PREMIUM_P2 is P2 (which covers P1), Entra_Identity_Governance is ID Governance (which covers
Privileged Identity Management). Group-based licensing is also open to the products Microsoft's
group-based licensing page lists (auditor/reference/group-licensing.csv)."""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from ..access_scope import AccessPolicy, AccessScope
from ..index import TenantIndex
from ..model import User
from ..reference import DATA_FILE, product_names

P1, P2, GOVERNANCE = "P1", "P2", "governance"
PLAN_IDS = {
    P1: "41781fb2-bc02-4b7c-bd55-b576c07bb09d",  # AAD_PREMIUM
    P2: "eec0eb4f-6444-4f95-aba0-50c24d67f998",  # AAD_PREMIUM_P2
    GOVERNANCE: "e866a266-3cff-43a3-acca-0c90a7e00c8b",  # Entra_Identity_Governance
}
RANK = {P1: 1, P2: 2, GOVERNANCE: 3}
GROUP_LICENSING_PLAN = "group_licensing"  # entitlement-short's own count for group-based licensing

CONDITIONAL_ACCESS = "conditional_access"
RISK_BASED_ACCESS = "risk_based_access"
PRIVILEGED_ACCESS = "privileged_access"
DYNAMIC_GROUPS = "dynamic_groups"
GROUP_LICENSING = "group_licensing"
FEATURES = (CONDITIONAL_ACCESS, RISK_BASED_ACCESS, PRIVILEGED_ACCESS, DYNAMIC_GROUPS, GROUP_LICENSING)
NEEDS = {CONDITIONAL_ACCESS: P1, RISK_BASED_ACCESS: P2, PRIVILEGED_ACCESS: P2, DYNAMIC_GROUPS: P1,
         GROUP_LICENSING: P1}

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
    """Which of P1, P2 and ID Governance these service plans carry (P2 carries P1 too)."""
    ids = set(plan_ids)
    out = {name for name, pid in PLAN_IDS.items() if pid in ids}
    if P2 in out:
        out.add(P1)
    return frozenset(out)


def covers(plans: frozenset[str], feature: str, group_product: bool = False) -> bool:
    """Whether products carrying `plans` entitle a user to `feature`."""
    if feature == PRIVILEGED_ACCESS:
        return P2 in plans or GOVERNANCE in plans
    if feature == RISK_BASED_ACCESS:
        return P2 in plans
    if feature == GROUP_LICENSING:
        return P1 in plans or group_product
    return P1 in plans


def need_of(features: Iterable[str]) -> str:
    """The highest plan the features need."""
    return max((NEEDS[f] for f in features), key=RANK.__getitem__, default=P1)


@dataclass
class Reach:
    """Per user id (lower case): each feature that reaches the user, with what put them in scope."""

    by_user: dict[str, dict[str, list[str]]] = field(default_factory=lambda: defaultdict(dict))

    def add(self, user_ids: Iterable[str], feature: str, via: str) -> None:
        for uid in user_ids:
            vias = self.by_user[uid.lower()].setdefault(feature, [])
            if via not in vias:
                vias.append(via)


class ScopeReader:
    """Resolves users, groups and roles of one snapshot into user ids."""

    def __init__(self, index: TenantIndex, scope: AccessScope) -> None:
        self.index = index
        self.scope = scope
        self.users = {u.id.lower(): u for u in index.users}

    def members(self, group_id: str) -> set[str]:
        group = self.scope.group(group_id)
        return {m.lower() for m in group.members} if group is not None else set()

    def principal(self, principal_id: str) -> set[str]:
        """A user, or a group's members (a service principal: nobody)."""
        key = principal_id.lower()
        return {key} if key in self.users else self.members(principal_id)

    def role_members(self, role_ids: Iterable[str]) -> set[str]:
        """The active members of tenant-wide assignments of these roles: Conditional Access reaches
        users actively assigned a built-in role, not those scoped to an administrative unit."""
        wanted = {r.lower() for r in role_ids}
        out: set[str] = set()
        for grant in self.scope.assigned or ():
            if grant.role_id.lower() in wanted and grant.directory_scope_id == "/":
                out |= self.principal(grant.principal_id)
        return out

    def policy_users(self, policy: AccessPolicy) -> set[str]:
        """Everyone the policy reaches: includeUsers (All, GuestsOrExternalUsers, ids), the
        transitive members of includeGroups and the members of includeRoles, minus the excludes."""
        return self._side(policy.include_users, policy.include_groups, policy.include_roles) - self._side(
            policy.exclude_users, policy.exclude_groups, policy.exclude_roles)

    def _side(self, users: Iterable[str], groups: Iterable[str], roles: Iterable[str]) -> set[str]:
        out: set[str] = set()
        for token in users:
            if token == "All":
                out |= set(self.users)
            elif token == "GuestsOrExternalUsers":
                out |= {k for k, u in self.users.items() if u.user_type.lower() == "guest"}
            elif token.lower() in self.users:
                out.add(token.lower())
        for gid in groups:
            out |= self.members(gid)
        return out | self.role_members(roles)


def reach(index: TenantIndex, scope: AccessScope, features: Iterable[str]) -> Reach:
    """Who each of `features` reaches, from what the snapshot read (a feature whose read failed
    reaches nobody here; its gap is in the report)."""
    wanted = set(features)
    reader = ScopeReader(index, scope)
    out = Reach()
    _conditional_access(reader, wanted, out)
    if PRIVILEGED_ACCESS in wanted:
        for grant in scope.eligible or ():
            out.add(reader.principal(grant.principal_id), PRIVILEGED_ACCESS,
                    ROLE_NAMES.get(grant.role_id.lower(), grant.role_id))
    if DYNAMIC_GROUPS in wanted:
        for group in scope.groups:
            if group.dynamic:
                out.add(group.members, DYNAMIC_GROUPS, group.display_name or group.id)
    if GROUP_LICENSING in wanted:
        _group_licensing(index, out)
    return out


def _conditional_access(reader: ScopeReader, wanted: set[str], out: Reach) -> None:
    """Enabled and report-only policies; a risk-based one is its own feature when it is judged."""
    for policy in reader.scope.policies or ():
        if not policy.counts:
            continue
        feature = RISK_BASED_ACCESS if policy.risk_based and RISK_BASED_ACCESS in wanted else CONDITIONAL_ACCESS
        if feature in wanted:
            out.add(reader.policy_users(policy), feature, policy.display_name or policy.id)


def _group_licensing(index: TenantIndex, out: Reach) -> None:
    """Every user holding a product from a group (licenseAssignmentStates.assignedByGroup)."""
    for user in index.users:
        for state in user.license_assignment_states:
            if state.assigned_by_group:
                out.add((user.id,), GROUP_LICENSING, index.group_name.get(state.assigned_by_group,
                                                                          state.assigned_by_group))


def user_plans(index: TenantIndex, user: User) -> tuple[frozenset[str], bool]:
    """(the plans the user's own products carry, whether one of them qualifies for group-based
    licensing by Microsoft's list)."""
    plan_ids: set[str] = set()
    for sku_id in user.sku_ids:
        plan_ids |= plans_of(index, sku_id)
    return carried(plan_ids), bool(user.sku_ids & group_licensing_products())


def readable(scope: AccessScope, features: Iterable[str]) -> tuple[str, ...]:
    """The features whose reads the snapshot holds."""
    ok = {CONDITIONAL_ACCESS: scope.policies is not None, RISK_BASED_ACCESS: scope.policies is not None,
          PRIVILEGED_ACCESS: scope.eligible is not None, DYNAMIC_GROUPS: scope.dynamic_read, GROUP_LICENSING: True}
    return tuple(f for f in features if ok[f])
