"""Read what the tenant's security features reach (auditor.data.access_records), for the entitlement rules.

Requests, once every user is in (a policy with an `entitlements:` section asks for them):
    GET /identity/conditionalAccess/policies                             Policy.Read.All
    GET /roleManagement/directory/roleEligibilityScheduleInstances       RoleEligibilitySchedule.Read.Directory
    GET /roleManagement/directory/roleAssignmentScheduleInstances        RoleAssignmentSchedule.Read.Directory
        (PIM's active assignments: one with an endDateTime is time-bound, and PIM's terms count it)
    GET /roleManagement/directory/roleAssignments                        RoleManagement.Read.Directory
        (only when a counted policy names directory roles: Conditional Access reaches the role's
        active members)
    GET /groups?$filter=groupTypes/any(c:c eq 'DynamicMembership')&$count=true&$select=id,displayName,groupTypes
                                                                         GroupMember.Read.All (eventual)
    GET /groups/{id}?$select=id,displayName,groupTypes, then
    GET /groups/{id}/transitiveMembers/microsoft.graph.user?$select=id   for every group a policy
        names, every group a role is given to and every dynamic group

Each of the first five answers a 403 (a permission, a license the tenant lacks, a cloud without the
API) with a Gap of its own dataset; the other reads still run, and the rules judge what was read. A
principal of a role that is no user and no group (404 on /groups/{id}) is a service principal:
no license is counted for it. A group whose members Graph refuses (403: a group with hidden
membership, say) is a Gap naming the group: what names it (a policy, a role, a dynamic group) is
not judged, the rest is.

Beside them, the reads of the Intune and ID Governance features the policies name (feature_reads.py), and
the members of the groups their access reviews name.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from auditor.common.errors import CollectionError
from auditor.data.access_records import (
    CONDITIONAL_ACCESS,
    DYNAMIC_GROUPS,
    HIDDEN_MEMBERS,
    PRIVILEGED_ACCESS,
    ROLE_ASSIGNMENTS,
    TIME_BOUND,
    AccessPolicy,
    AccessScope,
    BadScope,
    RoleGrant,
    ScopeGroup,
)
from auditor.data.feature_records import AccessReview
from auditor.data.model import Gap

from .client import GraphClient, GraphRequestError
from .collection import EVENTUAL, PAGE_SIZE
from .feature_reads import read_features

T = TypeVar("T")

POLICIES_PATH = "/identity/conditionalAccess/policies"
ELIGIBLE_PATH = "/roleManagement/directory/roleEligibilityScheduleInstances"
ASSIGNED_PATH = "/roleManagement/directory/roleAssignments"
SCHEDULED_PATH = "/roleManagement/directory/roleAssignmentScheduleInstances"
DYNAMIC_PATH = (
    "/groups?$filter=groupTypes/any(c:c eq 'DynamicMembership')&$count=true"
    f"&$select=id,displayName,groupTypes&$top={PAGE_SIZE}"
)

# The least-privileged application permission of each read (Microsoft Graph v1.0 reference pages,
# cited in docs/entitlements.md); the README's permission table says the same.
PERMISSIONS = {
    CONDITIONAL_ACCESS: "Policy.Read.All",
    PRIVILEGED_ACCESS: "RoleEligibilitySchedule.Read.Directory",
    ROLE_ASSIGNMENTS: "RoleManagement.Read.Directory",
    TIME_BOUND: "RoleAssignmentSchedule.Read.Directory",
    DYNAMIC_GROUPS: "GroupMember.Read.All",
    HIDDEN_MEMBERS: "GroupMember.Read.All",
}


def _refused(dataset: str, exc: GraphRequestError) -> Gap:
    return Gap(
        dataset,
        exc.request,
        f"Graph answered {exc.status} {exc.code}: {exc.graph_message}".strip()
        + f" (needs the application permission {PERMISSIONS[dataset]}, with admin consent, and a tenant "
        "and cloud that offer it)",
    )


class ScopeReads:
    """The reads of one collection's access scope; its refusals go to `gaps`."""

    def __init__(self, client: GraphClient, gaps: list[Gap], concurrency: int = 4) -> None:
        self.client = client
        self.gaps = gaps
        self.limit = asyncio.Semaphore(max(1, concurrency))

    async def listing(
        self, part: str, path: str, decode: Callable[[Any], T], headers: dict[str, str] | None = None
    ) -> tuple[T, ...] | None:
        """Every item of `path`, decoded; None (and a Gap) when Graph refuses it (403, or 400/404
        where the cloud or tenant does not offer the API)."""
        out: list[T] = []
        try:
            async for page in self.client.pages(path, headers=headers):
                for raw in page:
                    out.append(decode(raw))
        except GraphRequestError as exc:
            if exc.status not in (400, 403, 404):
                raise
            self.gaps.append(_refused(part, exc))
            return None
        except BadScope as exc:
            raise CollectionError(
                f"GET {path.split('?')[0]} returned an object Graph should not send: {exc}; "
                "report it with the request id"
            ) from None
        return tuple(out)

    async def group(self, group_id: str) -> ScopeGroup | str | None:
        """The group with its transitive user members; None when no group has that id (a service
        principal given a role, or a group deleted since the policy named it); the group's id when
        Graph refuses its members (403, a Gap naming it)."""
        async with self.limit:
            try:
                raw = await self.client.get(f"/groups/{group_id}?$select=id,displayName,groupTypes")
            except GraphRequestError as exc:
                if exc.status == 404:
                    return None
                raise
            path = f"/groups/{group_id}/transitiveMembers/microsoft.graph.user?$select=id&$top={PAGE_SIZE}&$count=true"
            try:
                members = [
                    m["id"]
                    async for page in self.client.pages(path, headers=EVENTUAL)
                    for m in page
                    if isinstance(m, dict) and isinstance(m.get("id"), str)
                ]
            except GraphRequestError as exc:
                if exc.status != 403:
                    raise
                gap = _refused(HIDDEN_MEMBERS, exc)
                name = raw.get("displayName") if isinstance(raw, dict) else None
                self.gaps.append(
                    Gap(gap.dataset, gap.request, f"the members of group {name or group_id}: {gap.reason}")
                )
                return group_id
        found = ScopeGroup.from_json({**raw, "members": members})
        return found


async def read_access_scope(
    client: GraphClient,
    gaps: list[Gap],
    user_ids: Iterable[str],
    concurrency: int = 4,
    features: frozenset[str] = frozenset(),
) -> AccessScope:
    """Read the access scope (module docstring). `user_ids`: the ids of the tenant's users (read
    once, after the role grants), so a role's principal that is a user is not asked for as a group.
    `features`: the reads of Intune and ID Governance the policies' features need (feature_reads.py)."""
    reads = ScopeReads(client, gaps, concurrency)
    policies, eligible, scheduled, dynamic, extra = await asyncio.gather(
        reads.listing(CONDITIONAL_ACCESS, POLICIES_PATH, AccessPolicy.from_graph),
        reads.listing(PRIVILEGED_ACCESS, ELIGIBLE_PATH, RoleGrant.from_graph),
        reads.listing(TIME_BOUND, SCHEDULED_PATH, RoleGrant.from_graph),
        reads.listing(DYNAMIC_GROUPS, DYNAMIC_PATH, lambda raw: raw, EVENTUAL),
        read_features(client, gaps, features, concurrency),
    )
    reviews: tuple[AccessReview, ...] = extra["reviews"] or ()
    counted = [p for p in policies or () if p.counts]
    assigned = None
    if any(p.include_roles or p.exclude_roles for p in counted):
        assigned = await reads.listing(ROLE_ASSIGNMENTS, ASSIGNED_PATH, RoleGrant.from_graph)
    time_bound = [g for g in scheduled or () if g.time_bound]
    wanted = _group_ids(counted, [*(eligible or ()), *(assigned or ()), *time_bound], dynamic or (), user_ids)
    # the groups an access review still running reviews, or whose members review,
    named = [g for r in reviews if r.counts for g in (*r.reviewed.groups, *r.reviewing.groups)]
    # and the groups of PIM for Groups' counted grants, so the report names them
    named += [g.group_id for g in extra["grants"] or () if g.counts]
    wanted = sorted({g.lower(): g for g in (*wanted, *named)}.values(), key=str.lower)
    found = await asyncio.gather(*(reads.group(g) for g in wanted))
    return AccessScope(
        devices=extra["devices"],
        reviews=extra["reviews"],
        packages=extra["packages"],
        workflows=extra["workflows"],
        group_grants=extra["grants"],
        policies=policies,
        eligible=eligible,
        assigned=assigned,
        scheduled=scheduled,
        groups=tuple(g for g in found if isinstance(g, ScopeGroup)),
        dynamic_read=dynamic is not None,
        hidden=tuple(g for g in found if isinstance(g, str)),
    )


def _group_ids(
    policies: Sequence[AccessPolicy], grants: Sequence[RoleGrant], dynamic: Sequence[Any], user_ids: Iterable[str]
) -> list[str]:
    """The groups whose members are needed, each once, in a stable order."""
    ids: dict[str, str] = {}
    for p in policies:
        for g in (*p.include_groups, *p.exclude_groups):
            ids.setdefault(g.lower(), g)
    # Only the principals that are users are kept, not a set of every user's id (a million of
    # them, lower-cased, were 120 MB at the end of a collection).
    principals = {grant.principal_id.lower() for grant in grants}
    users = {uid for uid in map(str.lower, user_ids) if uid in principals} if principals else set()
    for grant in grants:
        if grant.principal_id.lower() not in users:
            ids.setdefault(grant.principal_id.lower(), grant.principal_id)
    for raw in dynamic:
        gid = raw.get("id") if isinstance(raw, dict) else None
        if isinstance(gid, str):
            ids.setdefault(gid.lower(), gid)
    return sorted(ids.values(), key=str.lower)
