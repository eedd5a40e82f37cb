"""What the tenant's security features reach, in the shapes of Microsoft's Graph v1.0 reference:

- GET /identity/conditionalAccess/policies: conditionalAccessPolicy collection
  (learn.microsoft.com/graph/api/conditionalaccessroot-list-policies);
- GET /roleManagement/directory/roleEligibilityScheduleInstances: unifiedRoleEligibilityScheduleInstance
  collection (learn.microsoft.com/graph/api/rbacapplication-list-roleeligibilityscheduleinstances);
- GET /roleManagement/directory/roleAssignments: unifiedRoleAssignment collection
  (learn.microsoft.com/graph/api/rbacapplication-list-roleassignments);
- GET /roleManagement/directory/roleAssignmentScheduleInstances: unifiedRoleAssignmentScheduleInstance
  collection (learn.microsoft.com/graph/api/rbacapplication-list-roleassignmentscheduleinstances).

Each is served from the snapshot's access scope (auditor.data.access_records; none: an empty collection,
a tenant without any) and answers 403 Authorization_RequestDenied unless the token holds one of
the application permissions the page documents."""

from __future__ import annotations

from ..call import Answer, Call, Emulator
from ..query import MAX_TOP, page

# the least-privileged permission of each page first, then the higher ones it names
POLICY_ROLES = ("Policy.Read.All", "Policy.ReadWrite.ConditionalAccess")
ELIGIBLE_ROLES = (
    "RoleEligibilitySchedule.Read.Directory",
    "RoleEligibilitySchedule.ReadWrite.Directory",
    "RoleManagement.Read.All",
    "RoleManagement.Read.Directory",
    "RoleManagement.ReadWrite.Directory",
)
ASSIGNED_ROLES = (
    "RoleManagement.Read.Directory",
    "Directory.Read.All",
    "RoleManagement.Read.All",
    "RoleManagement.ReadWrite.Directory",
)
SCHEDULED_ROLES = (
    "RoleAssignmentSchedule.Read.Directory",
    "RoleAssignmentSchedule.ReadWrite.Directory",
    "RoleManagement.Read.All",
    "RoleManagement.Read.Directory",
    "RoleManagement.ReadWrite.Directory",
)
# what the audit asks for
ACCESS_ROLES = (POLICY_ROLES[0], ELIGIBLE_ROLES[0], ASSIGNED_ROLES[0], SCHEDULED_ROLES[0])


def policies(em: Emulator, call: Call) -> Answer:
    em.require(POLICY_ROLES)
    scope = em.tenant.snapshot.access_scope
    items = [p.to_graph() for p in (scope.policies or ())] if scope else []
    return page(em.url, call.path, call.query, items, call.eventual, MAX_TOP)


def eligibility_instances(em: Emulator, call: Call) -> Answer:
    em.require(ELIGIBLE_ROLES)
    scope = em.tenant.snapshot.access_scope
    items = [g.to_graph("unifiedRoleEligibilityScheduleInstance") for g in (scope.eligible or ())] if scope else []
    return page(em.url, call.path, call.query, items, call.eventual, MAX_TOP)


def role_assignments(em: Emulator, call: Call) -> Answer:
    em.require(ASSIGNED_ROLES)
    scope = em.tenant.snapshot.access_scope
    items = [g.to_graph("unifiedRoleAssignment") for g in (scope.assigned or ())] if scope else []
    return page(em.url, call.path, call.query, items, call.eventual, MAX_TOP)


def assignment_instances(em: Emulator, call: Call) -> Answer:
    em.require(SCHEDULED_ROLES)
    scope = em.tenant.snapshot.access_scope
    kind = "unifiedRoleAssignmentScheduleInstance"
    items = [g.to_graph(kind) for g in (scope.scheduled or ())] if scope else []
    return page(em.url, call.path, call.query, items, call.eventual, MAX_TOP)
