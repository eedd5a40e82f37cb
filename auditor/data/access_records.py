"""What the tenant's security features reach, as read from Microsoft Graph: the Conditional Access
policies, the directory role assignments (active and eligible) and the groups they and the
dynamic-membership rules name, with their members (read by auditor/graph/access_scope.py). Who each
feature reaches is worked out in auditor/impact/entitlement_scope.py, and the entitlement rules
(auditor/rules/entitlements/) judge who needs Microsoft Entra ID P1, P2 or ID Governance from it.

Each record keeps the fields of Microsoft's resource that the rules read, by their documented
meaning (docs/entitlements.md cites each page):

- conditionalAccessPolicy: `state` (`enabled`, `disabled`, `enabledForReportingButNotEnforced`),
  `conditions.users` (include/exclude users, groups, roles; `All` in includeUsers), and the risk
  conditions `conditions.userRiskLevels` / `conditions.signInRiskLevels`;
- unifiedRoleAssignment, unifiedRoleEligibilityScheduleInstance and
  unifiedRoleAssignmentScheduleInstance: `roleDefinitionId` (for a built-in role its template id),
  `principalId` (a user, a group or a service principal), `directoryScopeId` (`/` for the whole
  tenant) and, for a schedule instance, `endDateTime` (null for a permanent one);
- a group: its id, name, whether `groupTypes` holds `DynamicMembership`, and its transitive user
  members.

The snapshot file keeps the policies and role records in Graph's own JSON shape (to_graph /
from_graph below), so the emulator serves them as Graph does."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NotRequired, TypedDict

from .feature_records import (
    AccessReview,
    AccessReviewGraph,
    BadRecord,
    GroupGrant,
    GroupGrantGraph,
    ManagedDevice,
    ManagedDeviceGraph,
    PackageAssignment,
    PackageAssignmentGraph,
    Workflow,
    WorkflowGraph,
)
from .protection_rules import PROTECTION_RULES, ProtectionRule, ProtectionRuleJson

CONDITIONAL_ACCESS = "conditionalAccess"  # snapshot datasets (Gap.dataset) of each read
PRIVILEGED_ACCESS = "privilegedAccess"
ROLE_ASSIGNMENTS = "roleAssignments"
TIME_BOUND = "timeBoundAssignments"
DYNAMIC_GROUPS = "dynamicGroups"
HIDDEN_MEMBERS = "groupMembers"  # a group whose members Graph refused: what names it is not judged
ACCESS_SCOPE = "accessScope"  # the snapshot file's key, and its part in collectedParts

ENABLED = "enabled"
REPORT_ONLY = "enabledForReportingButNotEnforced"
TENANT_SCOPE = "/"


class BadScope(ValueError):
    """A record of the access scope that is not what Graph documents."""


def _strs(raw: object, key: str) -> tuple[str, ...]:
    value = raw.get(key) if isinstance(raw, dict) else None
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise BadScope(f"{key}: expected a list of strings")
    return tuple(value)


def _text(raw: object, key: str, required: bool = True) -> str:
    value = raw.get(key) if isinstance(raw, dict) else None
    if isinstance(value, str):
        return value
    if required:
        raise BadScope(f"{key}: expected a string")
    return ""


# --- the records as the snapshot keeps them (Graph's shapes; the functional form where a key is `@odata.type`)

CaUsers = TypedDict(
    "CaUsers",
    {
        "@odata.type": str,
        "includeUsers": list[str],
        "excludeUsers": list[str],
        "includeGroups": list[str],
        "excludeGroups": list[str],
        "includeRoles": list[str],
        "excludeRoles": list[str],
    },
)
CaConditions = TypedDict(
    "CaConditions",
    {"@odata.type": str, "userRiskLevels": list[str], "signInRiskLevels": list[str], "users": CaUsers},
)
CaPolicyGraph = TypedDict(
    "CaPolicyGraph",
    {"@odata.type": str, "id": str, "displayName": str, "state": str, "conditions": CaConditions},
)
# unifiedRoleAssignment, and the two schedule instances with their own fields
RoleGrantGraph = TypedDict(
    "RoleGrantGraph",
    {
        "@odata.type": str,
        "id": str,
        "roleDefinitionId": str,
        "principalId": str,
        "directoryScopeId": str,
        "appScopeId": NotRequired[None],
        "assignmentType": NotRequired[str],
        "memberType": NotRequired[str],
        "roleEligibilityScheduleId": NotRequired[str],
        "roleAssignmentOriginId": NotRequired[str],
        "roleAssignmentScheduleId": NotRequired[str],
        "startDateTime": NotRequired[None],
        "endDateTime": NotRequired[str | None],
    },
)


class ScopeGroupJson(TypedDict):
    id: str
    displayName: str
    groupTypes: list[str]
    members: list[str]


class AccessScopeJson(TypedDict):
    """The snapshot's accessScope: each listing only when it was read."""

    dynamicGroupsRead: bool
    groups: list[ScopeGroupJson]
    membersRefused: NotRequired[list[str]]
    conditionalAccessPolicies: NotRequired[list[CaPolicyGraph]]
    roleEligibilityScheduleInstances: NotRequired[list[RoleGrantGraph]]
    roleAssignments: NotRequired[list[RoleGrantGraph]]
    roleAssignmentScheduleInstances: NotRequired[list[RoleGrantGraph]]
    managedDevices: NotRequired[list[ManagedDeviceGraph]]
    accessReviewDefinitions: NotRequired[list[AccessReviewGraph]]
    accessPackageAssignments: NotRequired[list[PackageAssignmentGraph]]
    lifecycleWorkflows: NotRequired[list[WorkflowGraph]]
    groupEligibilityScheduleInstances: NotRequired[list[GroupGrantGraph]]
    groupAssignmentScheduleInstances: NotRequired[list[GroupGrantGraph]]
    protectionRules: NotRequired[list[ProtectionRuleJson]]  # from the Exchange export (docs/exchange-export.md)


@dataclass(frozen=True)
class AccessPolicy:
    """A Conditional Access policy: who it reaches, and whether it judges risk (which needs P2)."""

    id: str
    display_name: str
    state: str
    include_users: tuple[str, ...] = ()
    exclude_users: tuple[str, ...] = ()
    include_groups: tuple[str, ...] = ()
    exclude_groups: tuple[str, ...] = ()
    include_roles: tuple[str, ...] = ()
    exclude_roles: tuple[str, ...] = ()
    user_risk_levels: tuple[str, ...] = ()
    sign_in_risk_levels: tuple[str, ...] = ()

    @property
    def counts(self) -> bool:
        """Enabled or report-only: both evaluate every sign-in in scope (docs/entitlements.md);
        a disabled policy reaches nobody."""
        return self.state in (ENABLED, REPORT_ONLY)

    @property
    def risk_based(self) -> bool:
        return bool(self.user_risk_levels or self.sign_in_risk_levels)

    @classmethod
    def from_graph(cls, raw: object) -> AccessPolicy:
        conditions = raw.get("conditions") if isinstance(raw, dict) else None
        users = conditions.get("users") if isinstance(conditions, dict) else None
        users = users if isinstance(users, dict) else {}
        return cls(
            id=_text(raw, "id"),
            display_name=_text(raw, "displayName", False),
            state=_text(raw, "state"),
            include_users=_strs(users, "includeUsers"),
            exclude_users=_strs(users, "excludeUsers"),
            include_groups=_strs(users, "includeGroups"),
            exclude_groups=_strs(users, "excludeGroups"),
            include_roles=_strs(users, "includeRoles"),
            exclude_roles=_strs(users, "excludeRoles"),
            user_risk_levels=_strs(conditions, "userRiskLevels"),
            sign_in_risk_levels=_strs(conditions, "signInRiskLevels"),
        )

    def to_graph(self) -> CaPolicyGraph:
        """The fields of Microsoft's conditionalAccessPolicy resource the auditor reads."""
        return {
            "@odata.type": "#microsoft.graph.conditionalAccessPolicy",
            "id": self.id,
            "displayName": self.display_name,
            "state": self.state,
            "conditions": {
                "@odata.type": "#microsoft.graph.conditionalAccessConditionSet",
                "userRiskLevels": list(self.user_risk_levels),
                "signInRiskLevels": list(self.sign_in_risk_levels),
                "users": {
                    "@odata.type": "#microsoft.graph.conditionalAccessUsers",
                    "includeUsers": list(self.include_users),
                    "excludeUsers": list(self.exclude_users),
                    "includeGroups": list(self.include_groups),
                    "excludeGroups": list(self.exclude_groups),
                    "includeRoles": list(self.include_roles),
                    "excludeRoles": list(self.exclude_roles),
                },
            },
        }


@dataclass(frozen=True)
class RoleGrant:
    """A directory role given to a principal: an active assignment (unifiedRoleAssignment) or an
    eligibility (unifiedRoleEligibilityScheduleInstance)."""

    id: str
    role_id: str  # roleDefinitionId: a built-in role's template id
    principal_id: str
    directory_scope_id: str = TENANT_SCOPE
    end_date_time: str | None = None  # a schedule instance's end: None for a permanent one

    @property
    def time_bound(self) -> bool:
        return self.end_date_time is not None

    @classmethod
    def from_graph(cls, raw: object) -> RoleGrant:
        return cls(
            id=_text(raw, "id"),
            role_id=_text(raw, "roleDefinitionId"),
            principal_id=_text(raw, "principalId"),
            directory_scope_id=_text(raw, "directoryScopeId", False) or TENANT_SCOPE,
            end_date_time=_text(raw, "endDateTime", False) or None,
        )

    def to_graph(self, kind: str) -> RoleGrantGraph:
        """`kind`: unifiedRoleAssignment, unifiedRoleEligibilityScheduleInstance or
        unifiedRoleAssignmentScheduleInstance."""
        doc: RoleGrantGraph = {
            "@odata.type": f"#microsoft.graph.{kind}",
            "id": self.id,
            "roleDefinitionId": self.role_id,
            "principalId": self.principal_id,
            "directoryScopeId": self.directory_scope_id,
        }
        if kind == "unifiedRoleEligibilityScheduleInstance":
            doc["appScopeId"] = None
            doc["memberType"] = "Direct"
            doc["roleEligibilityScheduleId"] = self.id
            doc["startDateTime"] = None
            doc["endDateTime"] = self.end_date_time
        if kind == "unifiedRoleAssignmentScheduleInstance":
            doc["appScopeId"] = None
            doc["assignmentType"] = "Assigned"
            doc["memberType"] = "Direct"
            doc["roleAssignmentOriginId"] = self.id
            doc["roleAssignmentScheduleId"] = self.id
            doc["startDateTime"] = None
            doc["endDateTime"] = self.end_date_time
        return doc


@dataclass(frozen=True)
class ScopeGroup:
    """A group a feature names or a dynamic-membership group, with its transitive user members."""

    id: str
    display_name: str
    dynamic: bool
    members: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, raw: object) -> ScopeGroup:
        return cls(
            id=_text(raw, "id"),
            display_name=_text(raw, "displayName", False),
            dynamic="DynamicMembership" in _strs(raw, "groupTypes"),
            members=_strs(raw, "members"),
        )

    def to_json(self) -> ScopeGroupJson:
        return {
            "id": self.id,
            "displayName": self.display_name,
            "groupTypes": ["DynamicMembership"] if self.dynamic else [],
            "members": list(self.members),
        }


class _RoleFields(TypedDict):
    """AccessScope's Conditional Access, role and group fields, as AccessScope.from_json reads them."""

    policies: tuple[AccessPolicy, ...] | None
    eligible: tuple[RoleGrant, ...] | None
    assigned: tuple[RoleGrant, ...] | None
    scheduled: tuple[RoleGrant, ...] | None
    groups: tuple[ScopeGroup, ...]
    dynamic_read: bool
    hidden: tuple[str, ...]


@dataclass(frozen=True)
class AccessScope:
    """What was read; None in a field means that read was not made or was refused (a Gap says
    which and why): never an empty answer."""

    policies: tuple[AccessPolicy, ...] | None = None
    eligible: tuple[RoleGrant, ...] | None = None
    assigned: tuple[RoleGrant, ...] | None = None
    scheduled: tuple[RoleGrant, ...] | None = None  # active assignment schedule instances (PIM)
    groups: tuple[ScopeGroup, ...] = ()
    dynamic_read: bool = False  # the dynamic-membership groups were listed
    hidden: tuple[str, ...] = ()  # ids of named groups whose members Graph refused (a Gap each)
    # Intune and ID Governance (auditor.data.feature_records), read only for the features a policy names
    devices: tuple[ManagedDevice, ...] | None = None
    reviews: tuple[AccessReview, ...] | None = None
    packages: tuple[PackageAssignment, ...] | None = None
    workflows: tuple[Workflow, ...] | None = None
    group_grants: tuple[GroupGrant, ...] | None = None  # PIM for Groups: eligible and active instances
    # Defender for Office 365's rules, from the Exchange export (auditor.data.protection_rules); None: not read
    protection_rules: tuple[ProtectionRule, ...] | None = None

    def group(self, group_id: str) -> ScopeGroup | None:
        key = group_id.lower()
        return next((g for g in self.groups if g.id.lower() == key), None)

    def to_json(self) -> AccessScopeJson:
        out: AccessScopeJson = {"dynamicGroupsRead": self.dynamic_read, "groups": [g.to_json() for g in self.groups]}
        if self.hidden:
            out["membersRefused"] = list(self.hidden)
        if self.policies is not None:
            out["conditionalAccessPolicies"] = [p.to_graph() for p in self.policies]
        if self.eligible is not None:
            out["roleEligibilityScheduleInstances"] = [
                g.to_graph("unifiedRoleEligibilityScheduleInstance") for g in self.eligible
            ]
        if self.assigned is not None:
            out["roleAssignments"] = [g.to_graph("unifiedRoleAssignment") for g in self.assigned]
        if self.scheduled is not None:
            out["roleAssignmentScheduleInstances"] = [
                g.to_graph("unifiedRoleAssignmentScheduleInstance") for g in self.scheduled
            ]
        if self.devices is not None:
            out["managedDevices"] = [d.to_graph() for d in self.devices]
        if self.reviews is not None:
            out["accessReviewDefinitions"] = [r.to_graph() for r in self.reviews]
        if self.packages is not None:
            out["accessPackageAssignments"] = [a.to_graph() for a in self.packages]
        if self.workflows is not None:
            out["lifecycleWorkflows"] = [w.to_json() for w in self.workflows]
        if self.group_grants is not None:
            out["groupEligibilityScheduleInstances"] = [g.to_graph() for g in self.group_grants if g.eligible]
            out["groupAssignmentScheduleInstances"] = [g.to_graph() for g in self.group_grants if not g.eligible]
        if self.protection_rules is not None:
            out["protectionRules"] = [r.to_json() for r in self.protection_rules]
        return out

    @classmethod
    def from_json(cls, raw: object) -> AccessScope:
        if not isinstance(raw, dict):
            raise BadScope("expected an object")

        def listed(key: str) -> list[Any] | None:
            value = raw.get(key)
            if value is None:
                return None
            if not isinstance(value, list):
                raise BadScope(f"{key}: expected a list")
            return value

        devices, reviews, packages, workflows, group_eligible, group_assigned, rules = (
            listed(k)
            for k in (
                "managedDevices",
                "accessReviewDefinitions",
                "accessPackageAssignments",
                "lifecycleWorkflows",
                "groupEligibilityScheduleInstances",
                "groupAssignmentScheduleInstances",
                PROTECTION_RULES,
            )
        )
        try:
            protection = None if rules is None else tuple(ProtectionRule.of(r) for r in rules)
        except ValueError as exc:
            raise BadScope(f"{PROTECTION_RULES}: {exc}") from None
        try:
            return cls(
                devices=None if devices is None else tuple(ManagedDevice.from_graph(d) for d in devices),
                reviews=None if reviews is None else tuple(AccessReview.from_graph(r) for r in reviews),
                packages=None if packages is None else tuple(PackageAssignment.from_graph(a) for a in packages),
                workflows=None if workflows is None else tuple(Workflow.from_graph(w) for w in workflows),
                protection_rules=protection,
                group_grants=None
                if group_eligible is None and group_assigned is None
                else (
                    *(GroupGrant.from_graph(g, True) for g in group_eligible or ()),
                    *(GroupGrant.from_graph(g, False) for g in group_assigned or ()),
                ),
                **cls._roles(raw, listed),
            )
        except BadRecord as exc:
            raise BadScope(str(exc)) from None

    @staticmethod
    def _roles(raw: Mapping[str, object], listed: Callable[[str], list[Any] | None]) -> _RoleFields:
        """The Conditional Access, role and group fields of from_json."""
        policies, eligible, assigned, scheduled = (
            listed(k)
            for k in (
                "conditionalAccessPolicies",
                "roleEligibilityScheduleInstances",
                "roleAssignments",
                "roleAssignmentScheduleInstances",
            )
        )
        return _RoleFields(
            policies=None if policies is None else tuple(AccessPolicy.from_graph(p) for p in policies),
            eligible=None if eligible is None else tuple(RoleGrant.from_graph(g) for g in eligible),
            assigned=None if assigned is None else tuple(RoleGrant.from_graph(g) for g in assigned),
            scheduled=None if scheduled is None else tuple(RoleGrant.from_graph(g) for g in scheduled),
            groups=tuple(ScopeGroup.from_json(g) for g in listed("groups") or ()),
            dynamic_read=bool(raw.get("dynamicGroupsRead")),
            hidden=_strs(raw, "membersRefused"),
        )
