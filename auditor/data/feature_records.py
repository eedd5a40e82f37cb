"""What the Intune and Microsoft Entra ID Governance features reach, as read from Microsoft Graph (by
auditor/graph/feature_reads.py), for the entitlement rules: kept in the access scope
(auditor.data.access_records.AccessScope) in Graph's own JSON shapes, so the emulator serves them as Graph does.
docs/entitlements.md cites each page.

- managedDevice (`GET /deviceManagement/managedDevices`): `userId` (empty for a device without a user),
  `userPrincipalName`, `managementAgent`, `operatingSystem`, `enrolledDateTime`;
- accessReviewScheduleDefinition (`GET /identityGovernance/accessReviews/definitions`): `displayName`, `status`,
  `scope` (whose access is reviewed: a query such as `/groups/{id}/transitiveMembers`) and `reviewers` (each a
  query: `/users/{id}`, `/groups/{id}/transitiveMembers`, `./manager`, ...; none: the users review themselves);
- accessPackageAssignment (`GET /identityGovernance/entitlementManagement/assignments`): `state`, `target`
  (an accessPackageSubject: `objectId`, `subjectType`) and the expanded `accessPackage`'s `displayName`;
- a lifecycle workflow (`GET /identityGovernance/lifecycleWorkflows/workflows`) with the users it processed
  (`.../workflows/{id}/userProcessingResults`: each result's `subject.id`);
- privilegedAccessGroupEligibilityScheduleInstance and privilegedAccessGroupAssignmentScheduleInstance
  (`GET /identityGovernance/privilegedAccess/group/eligibilityScheduleInstances?$filter=groupId eq '{id}'`, and
  `assignmentScheduleInstances`): `groupId`, `principalId`, `accessId` (`member` or `owner`), `endDateTime`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NotRequired, TypedDict

MANAGED_DEVICES = "managedDevices"  # snapshot datasets (Gap.dataset) and collection requests of each read
ACCESS_REVIEWS = "accessReviews"
ACCESS_PACKAGES = "accessPackageAssignments"
WORKFLOWS = "lifecycleWorkflows"
GROUP_PIM = "pimForGroups"
FEATURE_READS = (MANAGED_DEVICES, ACCESS_REVIEWS, ACCESS_PACKAGES, WORKFLOWS, GROUP_PIM)

# managementAgentType members whose description names Intune (managementAgentType enum, Graph v1.0): "managed by
# Intune MDM", "by both Exchange server and Intune MDM", "Intune client managed", "EAS and Intune client dual
# managed". Exchange alone (eas), Configuration Manager (whose co-management Microsoft licenses with it), Jamf,
# Google's CloudDPC and unknown are not counted.
INTUNE_AGENTS = frozenset({"mdm", "easMdm", "intuneClient", "easIntuneClient"})
DELIVERED = "delivered"  # accessPackageAssignment.state: the access is given
COMPLETED = "Completed"  # accessReviewScheduleDefinition.status of a review that is over

_GROUP_QUERY = re.compile(
    r"^(?:/v1\.0|/beta)?/groups/([^/?]+)/(transitiveMembers|members)(?:/microsoft\.graph\.user)?$"
)
_USER_QUERY = re.compile(r"^(?:/v1\.0|/beta)?/users/([^/?]+)$")


class BadRecord(ValueError):
    """A record that is not what Graph documents."""


def _text(raw: object, key: str, required: bool = True) -> str:
    value = raw.get(key) if isinstance(raw, dict) else None
    if isinstance(value, str):
        return value
    if value is None and not required:
        return ""
    raise BadRecord(f"{key}: expected a string")


def _object(raw: object, key: str) -> Mapping[str, object]:
    value = raw.get(key) if isinstance(raw, dict) else None
    return value if isinstance(value, dict) else {}


# --- the records as the snapshot keeps them (Graph's shapes; the functional form where a key is `@odata.type`)

ManagedDeviceGraph = TypedDict(
    "ManagedDeviceGraph",
    {
        "@odata.type": str,
        "id": str,
        "userId": str | None,
        "userPrincipalName": str | None,
        "managementAgent": str,
        "operatingSystem": str,
        "enrolledDateTime": str,
    },
)
ReviewQueryGraph = TypedDict(
    "ReviewQueryGraph", {"@odata.type": str, "query": str, "queryType": str}
)  # accessReviewQueryScope
ReviewScopeGraph = TypedDict(  # principalResourceMembershipsScope
    "ReviewScopeGraph",
    {"@odata.type": str, "principalScopes": list[ReviewQueryGraph], "resourceScopes": list[ReviewQueryGraph]},
)


class ReviewerGraph(TypedDict):  # accessReviewReviewerScope
    query: str
    queryType: str
    queryRoot: None


AccessReviewGraph = TypedDict(
    "AccessReviewGraph",
    {
        "@odata.type": str,
        "id": str,
        "displayName": str,
        "status": str,
        "scope": ReviewQueryGraph | ReviewScopeGraph,
        "reviewers": list[ReviewerGraph],
    },
)
PackageSubjectGraph = TypedDict("PackageSubjectGraph", {"@odata.type": str, "objectId": str, "subjectType": str})
PackageGraph = TypedDict("PackageGraph", {"@odata.type": str, "displayName": str})
PackageAssignmentGraph = TypedDict(
    "PackageAssignmentGraph",
    {"@odata.type": str, "id": str, "state": str, "target": PackageSubjectGraph, "accessPackage": PackageGraph},
)


class ProcessedSubject(TypedDict):
    id: str


ProcessingResultGraph = TypedDict(
    "ProcessingResultGraph", {"@odata.type": str, "id": str, "processingStatus": str, "subject": ProcessedSubject}
)
WorkflowGraph = TypedDict(
    "WorkflowGraph",
    {
        "@odata.type": str,
        "id": str,
        "displayName": str,
        "category": str,
        "userProcessingResults": NotRequired[list[ProcessingResultGraph]],  # the snapshot's, beside the listing's
    },
)
GroupGrantGraph = TypedDict(  # the two PIM for Groups schedule instances
    "GroupGrantGraph",
    {
        "@odata.type": str,
        "id": str,
        "groupId": str,
        "principalId": str,
        "accessId": str,
        "memberType": str,
        "startDateTime": None,
        "endDateTime": str | None,
    },
)


@dataclass(frozen=True)
class ManagedDevice:
    """A device enrolled in Intune; `user_id` empty for a device without a user (a kiosk, a shared device)."""

    id: str
    user_id: str
    user_principal_name: str
    management_agent: str
    operating_system: str
    enrolled: str

    @property
    def intune(self) -> bool:
        return self.management_agent in INTUNE_AGENTS

    @classmethod
    def from_graph(cls, raw: object) -> ManagedDevice:
        return cls(
            id=_text(raw, "id", False),
            user_id=_text(raw, "userId", False),
            user_principal_name=_text(raw, "userPrincipalName", False),
            management_agent=_text(raw, "managementAgent", False),
            operating_system=_text(raw, "operatingSystem", False),
            enrolled=_text(raw, "enrolledDateTime", False),
        )

    def to_graph(self) -> ManagedDeviceGraph:
        return {
            "@odata.type": "#microsoft.graph.managedDevice",
            "id": self.id,
            "userId": self.user_id or None,
            "userPrincipalName": self.user_principal_name or None,
            "managementAgent": self.management_agent,
            "operatingSystem": self.operating_system,
            "enrolledDateTime": self.enrolled,
        }


@dataclass(frozen=True)
class Resolved:
    """Who a query names: users by id, the members of groups, and the queries the auditor cannot resolve
    (`./manager`, a group's owners, every group with guests): what a review reaches beyond the first two."""

    users: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    unresolved: tuple[str, ...] = ()


def resolve(queries: tuple[str, ...]) -> Resolved:
    users: list[str] = []
    groups: list[str] = []
    unresolved: list[str] = []
    for query in queries:
        path = query.split("?")[0]
        if found := _USER_QUERY.match(path):
            users.append(found.group(1))
        elif found := _GROUP_QUERY.match(path):
            groups.append(found.group(1))
        else:
            unresolved.append(query)
    return Resolved(tuple(users), tuple(groups), tuple(unresolved))


def _queries(raw: object) -> tuple[str, ...]:
    """The `query` of an access review scope or reviewer scope, or of each of its `principalScopes`."""
    if not isinstance(raw, dict):
        return ()
    inner = raw.get("principalScopes")
    if isinstance(inner, list):
        return tuple(q for item in inner for q in _queries(item))
    query = raw.get("query")
    return (query,) if isinstance(query, str) else ()


@dataclass(frozen=True)
class AccessReview:
    """An access review's series: whose access it reviews (`scope`) and who reviews (`reviewers`; none: the
    reviewed review themselves)."""

    id: str
    display_name: str
    status: str
    scope: tuple[str, ...]
    reviewers: tuple[str, ...]

    @property
    def counts(self) -> bool:
        return self.status != COMPLETED

    @property
    def reviewed(self) -> Resolved:
        return resolve(self.scope)

    @property
    def reviewing(self) -> Resolved:
        return resolve(self.reviewers)

    @classmethod
    def from_graph(cls, raw: object) -> AccessReview:
        reviewers = raw.get("reviewers") if isinstance(raw, dict) else None
        if reviewers is not None and not isinstance(reviewers, list):
            raise BadRecord("reviewers: expected a list")
        return cls(
            id=_text(raw, "id"),
            display_name=_text(raw, "displayName", False),
            status=_text(raw, "status", False),
            scope=_queries(_object(raw, "scope")),
            reviewers=tuple(q for r in reviewers or () for q in _queries(r)),
        )

    def to_graph(self) -> AccessReviewGraph:
        def scope(query: str) -> ReviewQueryGraph:
            return {
                "@odata.type": "#microsoft.graph.accessReviewQueryScope",
                "query": query,
                "queryType": "MicrosoftGraph",
            }

        doc: AccessReviewGraph = {
            "@odata.type": "#microsoft.graph.accessReviewScheduleDefinition",
            "id": self.id,
            "displayName": self.display_name,
            "status": self.status,
            "scope": scope(self.scope[0])
            if len(self.scope) == 1
            else {
                "@odata.type": "#microsoft.graph.principalResourceMembershipsScope",
                "principalScopes": [scope(q) for q in self.scope],
                "resourceScopes": [],
            },
            "reviewers": [{"query": q, "queryType": "MicrosoftGraph", "queryRoot": None} for q in self.reviewers],
        }
        return doc


@dataclass(frozen=True)
class PackageAssignment:
    """An access package given to a subject (`target.objectId`, a user's id for a user)."""

    id: str
    state: str
    object_id: str
    subject_type: str
    package: str

    @property
    def counts(self) -> bool:
        return self.state == DELIVERED and self.subject_type.lower() == "user"

    @classmethod
    def from_graph(cls, raw: object) -> PackageAssignment:
        target = _object(raw, "target")
        return cls(
            id=_text(raw, "id"),
            state=_text(raw, "state", False),
            object_id=_text(target, "objectId", False),
            subject_type=_text(target, "subjectType", False) or "user",
            package=_text(_object(raw, "accessPackage"), "displayName", False),
        )

    def to_graph(self) -> PackageAssignmentGraph:
        return {
            "@odata.type": "#microsoft.graph.accessPackageAssignment",
            "id": self.id,
            "state": self.state,
            "target": {
                "@odata.type": "#microsoft.graph.accessPackageSubject",
                "objectId": self.object_id,
                "subjectType": self.subject_type,
            },
            "accessPackage": {"@odata.type": "#microsoft.graph.accessPackage", "displayName": self.package},
        }


@dataclass(frozen=True)
class Workflow:
    """A lifecycle workflow and the users it processed (its userProcessingResults' subjects)."""

    id: str
    display_name: str
    category: str
    users: tuple[str, ...] = ()

    @classmethod
    def from_graph(cls, raw: object) -> Workflow:
        users = raw.get("userProcessingResults") if isinstance(raw, dict) else None
        return cls(
            id=_text(raw, "id"),
            display_name=_text(raw, "displayName", False),
            category=_text(raw, "category", False),
            users=tuple(_text(_object(r, "subject"), "id") for r in users or ()),
        )

    def to_graph(self) -> WorkflowGraph:
        """The workflow as its listing gives it (without the processed users)."""
        return {
            "@odata.type": "#microsoft.graph.identityGovernance.workflow",
            "id": self.id,
            "displayName": self.display_name,
            "category": self.category,
        }

    def results(self) -> list[ProcessingResultGraph]:
        """Its userProcessingResults, as Graph lists them."""
        return [
            {
                "@odata.type": "#microsoft.graph.identityGovernance.userProcessingResult",
                "id": f"{self.id[:8]}-{n}",
                "processingStatus": "completed",
                "subject": {"id": uid},
            }
            for n, uid in enumerate(self.users)
        ]

    def to_json(self) -> WorkflowGraph:
        out = self.to_graph()
        out["userProcessingResults"] = self.results()
        return out


ELIGIBLE_KIND = "privilegedAccessGroupEligibilityScheduleInstance"
ASSIGNED_KIND = "privilegedAccessGroupAssignmentScheduleInstance"


@dataclass(frozen=True)
class GroupGrant:
    """A membership or ownership of a group in PIM for Groups: eligible, or active (`eligible` False; counted when
    time-bound, `end` set, as PIM's terms count "eligible and/or time-bound" members and owners)."""

    id: str
    group_id: str
    principal_id: str
    access_id: str
    eligible: bool
    end: str | None = None

    @property
    def counts(self) -> bool:
        return self.eligible or self.end is not None

    @classmethod
    def from_graph(cls, raw: object, eligible: bool) -> GroupGrant:
        return cls(
            id=_text(raw, "id"),
            group_id=_text(raw, "groupId"),
            principal_id=_text(raw, "principalId"),
            access_id=_text(raw, "accessId", False),
            eligible=eligible,
            end=_text(raw, "endDateTime", False) or None,
        )

    def to_graph(self) -> GroupGrantGraph:
        return {
            "@odata.type": f"#microsoft.graph.{ELIGIBLE_KIND if self.eligible else ASSIGNED_KIND}",
            "id": self.id,
            "groupId": self.group_id,
            "principalId": self.principal_id,
            "accessId": self.access_id,
            "memberType": "direct",
            "startDateTime": None,
            "endDateTime": self.end,
        }
