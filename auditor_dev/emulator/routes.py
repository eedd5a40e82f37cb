"""The emulator's route table: which handler answers which method and path.

A pattern is the path's segments after /v1.0; `{name}` takes one segment into `Call.params`
(URL-decoded). Routes are tried in order and the first match wins, so a fixed segment
(`users/$count`) comes before a placeholder that would also take it (`users/{user}`). A path
that some route knows under another method is Graph's 405; a write to a path no route knows is
a 405 too, and a read of one is Graph's 400 "Resource not found for the segment".

A segment the emulator is told this cloud's Graph does not know (GraphEmulator(unknown_segments=...):
a cloud without Microsoft Entra Agent ID, or without the places listing) is answered the same way,
before any route: Graph parses the path first, and names the first segment it does not know.

To serve a new resource: write its handler in resources/ and add its line here.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

from .call import Answer, Call, Emulator, Handler
from .errors import GraphError
from .query import Query
from .resources import (
    access,
    agents,
    audit_queries,
    batch,
    directory,
    features,
    groups,
    mail,
    places,
    relationships,
    users,
    writes,
)


@dataclass(frozen=True)
class Route:
    method: str
    pattern: tuple[str, ...]
    handler: Handler

    def match(self, segments: list[str]) -> dict[str, str] | None:
        if len(segments) != len(self.pattern):
            return None
        params: dict[str, str] = {}
        for want, got in zip(self.pattern, segments, strict=True):
            if want.startswith("{"):
                params[want[1:-1]] = got
            elif want != got:
                return None
        return params


def _route(method: str, path: str, handler: Handler) -> Route:
    return Route(method, tuple(path.split("/")), handler)


ROUTES: tuple[Route, ...] = (
    _route("GET", "organization", directory.organization),
    _route("GET", "subscribedSkus", directory.subscribed_skus),
    _route("GET", "directory/subscriptions", directory.subscriptions),
    _route("GET", "auditLogs/directoryAudits", directory.directory_audits),
    _route("POST", "security/auditLog/queries", audit_queries.create_query),
    _route("GET", "security/auditLog/queries/{query}", audit_queries.get_query),
    _route("GET", "security/auditLog/queries/{query}/records", audit_queries.list_records),
    _route("GET", "identity/conditionalAccess/policies", access.policies),
    _route("GET", "roleManagement/directory/roleEligibilityScheduleInstances", access.eligibility_instances),
    _route("GET", "roleManagement/directory/roleAssignments", access.role_assignments),
    _route("GET", "roleManagement/directory/roleAssignmentScheduleInstances", access.assignment_instances),
    _route("GET", "deviceManagement/managedDevices", features.managed_devices),
    _route("GET", "identityGovernance/accessReviews/definitions", features.review_definitions),
    _route("GET", "identityGovernance/entitlementManagement/assignments", features.package_assignments),
    _route("GET", "identityGovernance/lifecycleWorkflows/workflows", features.workflows),
    _route(
        "GET",
        "identityGovernance/lifecycleWorkflows/workflows/{workflow}/userProcessingResults",
        features.processing_results,
    ),
    _route(
        "GET",
        "identityGovernance/privilegedAccess/group/eligibilityScheduleInstances",
        features.group_eligibility_instances,
    ),
    _route(
        "GET",
        "identityGovernance/privilegedAccess/group/assignmentScheduleInstances",
        features.group_assignment_instances,
    ),
    _route("GET", "places/microsoft.graph.room", places.list_rooms),
    _route("GET", "tenantRelationships/delegatedAdminRelationships", relationships.list_relationships),
    _route("GET", "users", users.list_users),
    _route("GET", "users/$count", users.count_users),
    _route("GET", "users/microsoft.graph.agentUser", agents.list_agent_users),
    _route("GET", "users/microsoft.graph.agentUser/{user}", agents.get_agent_user),
    _route("GET", "servicePrincipals/microsoft.graph.agentIdentity", agents.list_agent_identities),
    _route("GET", "servicePrincipals/microsoft.graph.agentIdentity/{principal}", agents.get_agent_identity),
    _route("GET", "servicePrincipals/{principal}", agents.get_agent_identity),
    _route("GET", "users/{user}", users.get_user),
    _route("PATCH", "users/{user}", writes.update_user),
    _route("GET", "users/{user}/memberOf", users.member_of),
    _route("GET", "users/{user}/memberOf/{cast}", users.member_of),
    _route("GET", "users/{user}/transitiveMemberOf", users.transitive_member_of),
    _route("GET", "users/{user}/mailboxSettings/userPurpose", users.user_purpose),
    _route("POST", "users/{user}/sendMail", mail.send_mail),
    _route("POST", "users/{user}/assignLicense", writes.assign_license),
    _route("POST", "users/{user}/reprocessLicenseAssignment", writes.reprocess),
    _route("GET", "groups", groups.list_groups),
    _route("GET", "groups/{group}", groups.get_group),
    _route("GET", "groups/{group}/members", groups.members),
    _route("GET", "groups/{group}/appRoleAssignments", groups.app_role_assignments),
    _route("GET", "groups/{group}/members/{cast}/$count", groups.count_direct_members),
    _route("GET", "groups/{group}/members/{cast}", groups.members),
    _route("GET", "groups/{group}/transitiveMembers", groups.transitive_members),
    _route("GET", "groups/{group}/transitiveMembers/{cast}/$count", groups.count_transitive_members),
    _route("GET", "groups/{group}/transitiveMembers/{cast}", groups.transitive_members),
    _route("POST", "groups/{group}/members/$ref", writes.add_member),
    _route("DELETE", "groups/{group}/members/{member}/$ref", writes.remove_member),
    _route("POST", "$batch", batch.batch),
)

_NOT_ALLOWED = "Specified HTTP method is not allowed for the request target."


def dispatch(emulator: Emulator, method: str, path: str, query: Query, headers: dict[str, str], body: bytes) -> Answer:
    """Return (status, document) for an authorised request, from the first route that matches."""
    segments = [unquote(s) for s in path.strip("/").split("/") if s]
    unknown = next((s for s in segments if s in emulator.unknown_segments), None)
    if unknown is not None:
        raise GraphError(400, "BadRequest", f"Resource not found for the segment '{unknown}'.")
    known_path = False
    for route in ROUTES:
        params = route.match(segments)
        if params is None:
            continue
        if route.method == method:
            return route.handler(emulator, Call(method, path, params, query, headers, body))
        known_path = True
    if known_path or method != "GET":
        raise GraphError(405, "Request_BadRequest", _NOT_ALLOWED)
    raise GraphError(400, "BadRequest", f"Resource not found for the segment '{segments[-1] if segments else ''}'.")
