"""Read what Intune and Microsoft Entra ID Governance reach (auditor.data.feature_records), for the entitlement
rules: only the reads of the features a policy names (`entitlements: {features: [...]}`), beside the access
scope's own (access_scope.py).

    GET /deviceManagement/managedDevices?$select=userId,userPrincipalName,managementAgent,operatingSystem,
        enrolledDateTime                                                     DeviceManagementManagedDevices.Read.All
    GET /identityGovernance/accessReviews/definitions?$top=100&$skip=N       AccessReview.Read.All
        (paged by $top and $skip, as its page asks; a @odata.nextLink is followed too)
    GET /identityGovernance/entitlementManagement/assignments?$expand=target,accessPackage
        &$filter=state eq 'Delivered'                                        EntitlementManagement.Read.All
    GET /identityGovernance/lifecycleWorkflows/workflows, then
    GET /identityGovernance/lifecycleWorkflows/workflows/{id}/userProcessingResults   LifecycleWorkflows.Read.All
    GET /groups?$select=id,groupTypes,onPremisesSyncEnabled&$top=999 (the groups PIM for Groups can manage: neither
        dynamic nor synced from on-premises), then for each
    GET /identityGovernance/privilegedAccess/group/eligibilityScheduleInstances?$filter=groupId eq '{id}'
                                                                    PrivilegedEligibilitySchedule.Read.AzureADGroup
    GET /identityGovernance/privilegedAccess/group/assignmentScheduleInstances?$filter=groupId eq '{id}'
                                                                    PrivilegedAssignmentSchedule.Read.AzureADGroup

Each listing Graph refuses (403: the permission, a tenant without the license its API needs; 400 or 404: a cloud
without it) is a Gap of its own dataset naming the permission; the feature is then not judged, the others are.
"""

from __future__ import annotations

import asyncio
from typing import Any, TypedDict

from auditor.common.errors import CollectionError
from auditor.data.feature_records import (
    ACCESS_PACKAGES,
    ACCESS_REVIEWS,
    GROUP_PIM,
    MANAGED_DEVICES,
    WORKFLOWS,
    AccessReview,
    BadRecord,
    GroupGrant,
    ManagedDevice,
    PackageAssignment,
    Workflow,
)
from auditor.data.model import Gap

from .client import GraphClient, GraphRequestError

DEVICES_PATH = (
    "/deviceManagement/managedDevices?$select=userId,userPrincipalName,managementAgent,operatingSystem,enrolledDateTime"
)
REVIEWS_PATH = "/identityGovernance/accessReviews/definitions"
REVIEWS_PAGE = 100  # the API's default page size, and its example's $top
PACKAGES_PATH = (
    "/identityGovernance/entitlementManagement/assignments?$expand=target,accessPackage&$filter=state eq 'Delivered'"
)
WORKFLOWS_PATH = "/identityGovernance/lifecycleWorkflows/workflows"
GROUPS_PATH = "/groups?$select=id,groupTypes,onPremisesSyncEnabled&$top=999"
GROUP_PIM_PATH = "/identityGovernance/privilegedAccess/group/{kind}?$filter=groupId eq '{group}'"

# the application permission each read asks for (docs/entitlements.md quotes each page)
PERMISSIONS = {
    MANAGED_DEVICES: "DeviceManagementManagedDevices.Read.All",
    ACCESS_REVIEWS: "AccessReview.Read.All",
    ACCESS_PACKAGES: "EntitlementManagement.Read.All",
    WORKFLOWS: "LifecycleWorkflows.Read.All",
    GROUP_PIM: "PrivilegedEligibilitySchedule.Read.AzureADGroup and PrivilegedAssignmentSchedule.Read.AzureADGroup",
}


class FeatureReads:
    """The feature reads of one collection; each refusal goes to `gaps`."""

    def __init__(self, client: GraphClient, gaps: list[Gap], concurrency: int = 4) -> None:
        self.client = client
        self.gaps = gaps
        self.limit = asyncio.Semaphore(max(1, concurrency))

    def _refused(self, part: str, exc: GraphRequestError) -> None:
        if exc.status not in (400, 403, 404):
            raise exc
        self.gaps.append(
            Gap(
                part,
                exc.request,
                f"Graph answered {exc.status} {exc.code}: {exc.graph_message}".strip()
                + f" (needs the application permission {PERMISSIONS[part]}, with admin consent, and a tenant "
                "and cloud that offer it)",
            )
        )

    async def _all(self, path: str) -> list[Any]:
        async with self.limit:
            return [item for page in [p async for p in self.client.pages(path)] for item in page]

    async def devices(self) -> tuple[ManagedDevice, ...] | None:
        try:
            return tuple(ManagedDevice.from_graph(raw) for raw in await self._all(DEVICES_PATH))
        except GraphRequestError as exc:
            self._refused(MANAGED_DEVICES, exc)
            return None

    async def reviews(self) -> tuple[AccessReview, ...] | None:
        """Every definition, a page of REVIEWS_PAGE at a time by $skip (and by @odata.nextLink when Graph gives one)."""
        out: list[AccessReview] = []
        skip = 0
        try:
            while True:
                async with self.limit:
                    doc = await self.client.get(f"{REVIEWS_PATH}?$top={REVIEWS_PAGE}&$skip={skip}")
                items = doc.get("value") if isinstance(doc, dict) else None
                if not isinstance(items, list):
                    raise BadRecord("value: expected a list")
                out += [AccessReview.from_graph(raw) for raw in items]
                more = doc.get("@odata.nextLink")
                if isinstance(more, str):
                    out += [AccessReview.from_graph(raw) for raw in await self._all(more)]
                    break
                if len(items) < REVIEWS_PAGE:
                    break
                skip += REVIEWS_PAGE
        except GraphRequestError as exc:
            self._refused(ACCESS_REVIEWS, exc)
            return None
        for review in out:  # who a query names that is no user or group (./manager, owners): not read
            unresolved = (*review.reviewed.unresolved, *review.reviewing.unresolved) if review.counts else ()
            if unresolved:
                self.gaps.append(
                    Gap(
                        ACCESS_REVIEWS,
                        f"GET {REVIEWS_PATH}",
                        f'the access review "{review.display_name or review.id}" names {", ".join(unresolved)}: '
                        "whom these reach is not read, so they are not counted",
                    )
                )
        return tuple(out)

    async def packages(self) -> tuple[PackageAssignment, ...] | None:
        try:
            return tuple(PackageAssignment.from_graph(raw) for raw in await self._all(PACKAGES_PATH))
        except GraphRequestError as exc:
            self._refused(ACCESS_PACKAGES, exc)
            return None

    async def workflows(self) -> tuple[Workflow, ...] | None:
        """Every workflow, with the users it processed."""
        try:
            listed = await self._all(WORKFLOWS_PATH)

            async def processed(raw: Any) -> Workflow:
                wid = raw.get("id") if isinstance(raw, dict) else None
                if not isinstance(wid, str):
                    raise BadRecord("id: expected a string")
                results = await self._all(f"{WORKFLOWS_PATH}/{wid}/userProcessingResults")
                return Workflow.from_graph({**raw, "userProcessingResults": results})

            return tuple(await asyncio.gather(*(processed(raw) for raw in listed)))
        except GraphRequestError as exc:
            self._refused(WORKFLOWS, exc)
            return None

    async def group_grants(self) -> tuple[GroupGrant, ...] | None:
        """The eligible and active members and owners of every group PIM for Groups can manage, asked per group
        (the listings require a groupId or principalId filter)."""
        try:
            groups = [
                g["id"]
                for g in await self._all(GROUPS_PATH)
                if isinstance(g, dict)
                and isinstance(g.get("id"), str)
                and "DynamicMembership" not in (g.get("groupTypes") or ())
                and not g.get("onPremisesSyncEnabled")
            ]

            async def of(group: str, kind: str) -> list[GroupGrant]:
                path = GROUP_PIM_PATH.format(kind=kind, group=group)
                eligible = kind == "eligibilityScheduleInstances"
                return [GroupGrant.from_graph(raw, eligible) for raw in await self._all(path)]

            kinds = ("eligibilityScheduleInstances", "assignmentScheduleInstances")
            found = await asyncio.gather(*(of(g, k) for g in groups for k in kinds))
        except GraphRequestError as exc:
            self._refused(GROUP_PIM, exc)
            return None
        return tuple(g for part in found for g in part)


class FeatureFields(TypedDict):
    """What read_features read, as AccessScope's fields (`grants`: AccessScope.group_grants); None where a read
    was refused or not wanted."""

    devices: tuple[ManagedDevice, ...] | None
    reviews: tuple[AccessReview, ...] | None
    packages: tuple[PackageAssignment, ...] | None
    workflows: tuple[Workflow, ...] | None
    grants: tuple[GroupGrant, ...] | None


async def read_features(
    client: GraphClient, gaps: list[Gap], wanted: frozenset[str], concurrency: int = 4
) -> FeatureFields:
    """The reads of `wanted` (FEATURE_READS' datasets), as AccessScope's fields: `devices`, `reviews`, `packages`,
    `workflows`, `grants` (None where refused or not wanted)."""
    reads = FeatureReads(client, gaps, concurrency)

    async def nothing() -> None:
        return None

    try:
        devices, reviews, packages, workflows, grants = await asyncio.gather(
            reads.devices() if MANAGED_DEVICES in wanted else nothing(),
            reads.reviews() if ACCESS_REVIEWS in wanted else nothing(),
            reads.packages() if ACCESS_PACKAGES in wanted else nothing(),
            reads.workflows() if WORKFLOWS in wanted else nothing(),
            reads.group_grants() if GROUP_PIM in wanted else nothing(),
        )
    except BadRecord as exc:
        raise CollectionError(f"Graph sent a record it should not send: {exc}; report it with the request id") from None
    return {"devices": devices, "reviews": reviews, "packages": packages, "workflows": workflows, "grants": grants}
