"""What Intune and Microsoft Entra ID Governance reach, in the shapes of Microsoft's Graph v1.0 reference, served
from the snapshot's access scope (auditor.data.feature_records; none read: an empty collection):

- GET /deviceManagement/managedDevices: managedDevice collection (intune-devices-manageddevice-list), `$select`
  of its properties; DeviceManagementManagedDevices.Read.All or .ReadWrite.All;
- GET /identityGovernance/accessReviews/definitions: accessReviewScheduleDefinition collection
  (accessreviewset-list-definitions), paged by `$top` (100 by default) and `$skip` as the page describes;
  AccessReview.Read.All or .ReadWrite.All;
- GET /identityGovernance/entitlementManagement/assignments: accessPackageAssignment collection
  (entitlementmanagement-list-assignments), with `$expand=target,accessPackage` and `$filter=state eq
  'Delivered'` (the page's examples) or neither; EntitlementManagement.Read.All or .ReadWrite.All;
- GET /identityGovernance/lifecycleWorkflows/workflows and .../workflows/{id}/userProcessingResults
  (identitygovernance-lifecycleworkflowscontainer-list-workflows, identitygovernance-workflow-list-
  userprocessingresults); LifecycleWorkflows.Read.All or .ReadWrite.All (and, for the results, the
  least-privileged LifecycleWorkflows-Reports.Read.All); 404 for a workflow the tenant lacks.

- GET /identityGovernance/privilegedAccess/group/eligibilityScheduleInstances and .../assignmentScheduleInstances
  (privilegedaccessgroup-list-eligibilityscheduleinstances, -assignmentscheduleinstances): "This method requires
  the `$filter` (`eq`) query parameter to scope the request to a principalId or a groupId" (400 without it);
  PrivilegedEligibilitySchedule.Read.AzureADGroup or PrivilegedAssignmentSchedule.Read.AzureADGroup (or their
  ReadWrite).

Each answers 403 Authorization_RequestDenied without one of its permissions."""

from __future__ import annotations

import re
from typing import Any

from ..call import Answer, Call, Emulator
from ..errors import GraphError, bad
from ..query import DEFAULT_TOP, MAX_TOP, check_select, page, project, unsupported

DEVICE_ROLES = ("DeviceManagementManagedDevices.Read.All", "DeviceManagementManagedDevices.ReadWrite.All")
REVIEW_ROLES = ("AccessReview.Read.All", "AccessReview.ReadWrite.All")
PACKAGE_ROLES = ("EntitlementManagement.Read.All", "EntitlementManagement.ReadWrite.All")
WORKFLOW_ROLES = ("LifecycleWorkflows.Read.All", "LifecycleWorkflows.ReadWrite.All")
RESULT_ROLES = ("LifecycleWorkflows-Reports.Read.All", *WORKFLOW_ROLES)
GROUP_ELIGIBLE_ROLES = (
    "PrivilegedEligibilitySchedule.Read.AzureADGroup",
    "PrivilegedEligibilitySchedule.ReadWrite.AzureADGroup",
)
GROUP_ASSIGNED_ROLES = (
    "PrivilegedAssignmentSchedule.Read.AzureADGroup",
    "PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup",
)
# what the audit asks for when a policy names every feature
FEATURE_ROLES = (
    DEVICE_ROLES[0],
    REVIEW_ROLES[0],
    PACKAGE_ROLES[0],
    WORKFLOW_ROLES[0],
    GROUP_ELIGIBLE_ROLES[0],
    GROUP_ASSIGNED_ROLES[0],
)
_GROUP_FILTER = re.compile(r"(groupId|principalId) eq '([^']+)'")

DEVICE_PROPERTIES = frozenset(
    ("id", "userId", "userPrincipalName", "managementAgent", "operatingSystem", "enrolledDateTime")
)
PACKAGE_EXPAND = "target,accessPackage"
PACKAGE_FILTER = "state eq 'Delivered'"


def managed_devices(em: Emulator, call: Call) -> Answer:
    em.require(DEVICE_ROLES)
    check_select(call.query.select, DEVICE_PROPERTIES, "managedDevice")
    scope = em.tenant.snapshot.access_scope
    items = [
        {"@odata.type": "#microsoft.graph.managedDevice"}
        | project(dict(d.to_graph()), call.query.select, DEVICE_PROPERTIES, "managedDevice")
        for d in (scope.devices or () if scope else ())
    ]
    return page(em.url, call.path, call.query, items, call.eventual, MAX_TOP)


def review_definitions(em: Emulator, call: Call) -> Answer:
    """$top and $skip, no next link: the page asks the caller to page with them."""
    em.require(REVIEW_ROLES)
    raw = dict(call.query.raw)
    try:
        skip = int(raw.get("$skip", "0"))
    except ValueError:
        raise bad(f"Invalid value '{raw.get('$skip')}' for $skip.") from None
    top = call.query.top if call.query.top is not None else DEFAULT_TOP
    scope = em.tenant.snapshot.access_scope
    items = [r.to_graph() for r in (scope.reviews or () if scope else ())]
    return 200, {
        "@odata.context": "$metadata#identityGovernance/accessReviews/definitions",
        "value": items[skip : skip + top],
    }


def package_assignments(em: Emulator, call: Call) -> Answer:
    em.require(PACKAGE_ROLES)
    raw = dict(call.query.raw)
    expand = raw.get("$expand")
    if expand is not None and expand != PACKAGE_EXPAND:
        raise unsupported(f"The emulator expands only {PACKAGE_EXPAND}.")
    if call.query.filter is not None and call.query.filter.lower() != PACKAGE_FILTER.lower():
        raise unsupported("Unsupported query.")
    scope = em.tenant.snapshot.access_scope
    found = scope.packages or () if scope else ()
    if call.query.filter is not None:  # Graph compares the state's name without regard to case
        found = tuple(a for a in found if a.state.lower() == "delivered")
    items: list[dict[str, Any]] = []
    for grant in found:
        doc: dict[str, Any] = dict(grant.to_graph())
        if expand is None:
            doc = {k: v for k, v in doc.items() if k not in ("target", "accessPackage")}
        items.append(doc)
    return page(em.url, call.path, call.query, items, call.eventual, MAX_TOP)


def workflows(em: Emulator, call: Call) -> Answer:
    em.require(WORKFLOW_ROLES)
    scope = em.tenant.snapshot.access_scope
    items = [w.to_graph() for w in (scope.workflows or () if scope else ())]
    return page(em.url, call.path, call.query, items, call.eventual, MAX_TOP)


def processing_results(em: Emulator, call: Call) -> Answer:
    em.require(RESULT_ROLES)
    scope = em.tenant.snapshot.access_scope
    wid = call.params["workflow"]
    found = next((w for w in (scope.workflows or () if scope else ()) if w.id == wid), None)
    if found is None:
        raise GraphError(404, "ResourceNotFound", f"Workflow '{wid}' was not found.")
    return page(em.url, call.path, call.query, found.results(), call.eventual, MAX_TOP)


def _group_instances(em: Emulator, call: Call, eligible: bool) -> Answer:
    em.require(GROUP_ELIGIBLE_ROLES if eligible else GROUP_ASSIGNED_ROLES)
    found = _GROUP_FILTER.fullmatch((call.query.filter or "").strip())
    if found is None:
        raise bad("The request requires a filter on groupId or principalId with the eq operator.")
    key, value = found.group(1), found.group(2).lower()
    scope = em.tenant.snapshot.access_scope
    items = [
        g.to_graph()
        for g in (scope.group_grants or () if scope else ())
        if g.eligible is eligible and (g.group_id if key == "groupId" else g.principal_id).lower() == value
    ]
    return page(em.url, call.path, call.query, items, call.eventual, MAX_TOP)


def group_eligibility_instances(em: Emulator, call: Call) -> Answer:
    return _group_instances(em, call, True)


def group_assignment_instances(em: Emulator, call: Call) -> Answer:
    return _group_instances(em, call, False)
