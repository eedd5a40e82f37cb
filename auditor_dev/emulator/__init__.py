"""A loopback Microsoft Graph that serves a TenantSnapshot: used by `audit --demo` and the tests.

with GraphEmulator(snapshot, token=token, responders=[...]) as graph:
    ... graph.url ...          # http://127.0.0.1:PORT/v1.0
    graph.requests             # every request, in order (method, path, query, status, fault label)
    graph.sent_mail            # messages POSTed to /users/{id|upn}/sendMail
    graph.requests_to(r"/users/.*/mailboxSettings/userPurpose")  # inner $batch requests have .batch True
    graph.writes()             # the license and membership writes, with their JSON bodies
    graph.snapshot()           # the tenant as it stands after the writes

GraphEmulator(..., unknown_segments=AGENT_ID): a cloud whose Graph has no Microsoft Entra Agent ID (PLACES: no
places listing): the casts are answered 400 BadRequest "Resource not found for the segment '…'.", as Graph
answers a segment it does not know.

GraphEmulator(..., relationships=[relationship(...), ...]): a partner tenant's GDAP relationships
(resources/relationships.py). GraphEmulator(..., roles=[...], mutually_exclusive=[(plan_or_sku, plan_or_sku), ...]): the
application permissions writes are checked against (default: the token's `roles` claim) and the
products or service plans that exclude each other (see tenant.py for the license rules).

Responders (hooks.py) answer requests instead of the emulator: the tests' fault catalogue is one
(tests/graph/emulator_faults.py). Listings serve pre-encoded user lists: the benchmark's
prerendering is one (benchmarks/prerender.py). Neither ships in the package.

VirtualTime (virtual_time.py) is a clock whose waits cost no wall time: given to the budgets
(`Budgets(clock=time.now)`) and to the collector's pacing (`Pacing(timer=time)`), a test of Graph's
windows runs in the time of its requests.
"""

from __future__ import annotations

import base64
import json
import time

from .budgets import Budgets
from .hooks import Answer, Drop, EncodedItems, Listings, Proceed, Reply, Request, Responder
from .reports import ReportOptions
from .resources.access import ACCESS_ROLES
from .resources.agents import AGENT_ID
from .resources.features import FEATURE_ROLES
from .resources.places import PLACES
from .resources.relationships import RELATIONSHIP_ROLES, relationship
from .server import GraphEmulator, LoggedRequest, SentMail, error_document
from .tenant import ASSIGN_LICENSE_ROLES, GROUP_MEMBER_ROLES, REPROCESS_ROLES
from .virtual_time import VirtualTime

__all__ = [
    "AGENT_ID",
    "ASSIGN_LICENSE_ROLES",
    "DEMO_ROLES",
    "GROUP_MEMBER_ROLES",
    "PLACES",
    "RELATIONSHIP_ROLES",
    "REPROCESS_ROLES",
    "WRITE_ROLES",
    "Answer",
    "Budgets",
    "Drop",
    "EncodedItems",
    "GraphEmulator",
    "Listings",
    "LoggedRequest",
    "Proceed",
    "Reply",
    "ReportOptions",
    "Request",
    "Responder",
    "SentMail",
    "VirtualTime",
    "app_token",
    "error_document",
    "relationship",
]

# The least privileged application permissions for the writes the emulator accepts:
# assignLicense, group member add/remove by $ref, and reprocessLicenseAssignment.
WRITE_ROLES = ("LicenseAssignment.ReadWrite.All", "GroupMember.ReadWrite.All", "User.ReadWrite.All")

DEMO_ROLES = (
    "User.Read.All",
    "Organization.Read.All",
    "GroupMember.Read.All",
    "AuditLog.Read.All",
    "MailboxSettings.Read",
    "Reports.Read.All",
    "ReportSettings.Read.All",
    "CopilotCostManagement.Read.All",  # the Copilot Credits balance beside the bill (beta)
    "AgentIdentity.Read.All",  # the agent identities (auditor/graph/agent_users.py)
    "Place.Read.All",  # the rooms of the places listing (auditor/graph/places.py)
    "AuditLogsQuery.Read.All",  # the audit log's Copilot interactions (auditor/graph/copilot_audit.py)
    *ACCESS_ROLES,
    *FEATURE_ROLES,  # Intune and ID Governance (auditor/graph/feature_reads.py)
)


DEMO_APP = "00000000-0000-0000-0000-00000000e301"  # the demo app's id (appid) in app_token's tokens


def app_token(tenant_id: str, roles: tuple[str, ...] = DEMO_ROLES, lifetime: int = 3600, app_id: str = DEMO_APP) -> str:
    """An unsigned app-only JWT shaped like an Entra ID token (of the app `app_id`); only the emulator accepts it."""

    def part(doc: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(doc).encode()).decode().rstrip("=")

    now = int(time.time())
    claims = {
        "aud": "https://graph.microsoft.com",
        "iss": f"https://sts.windows.net/{tenant_id}/",
        "tid": tenant_id,
        "idtyp": "app",
        "appid": app_id,
        "roles": list(roles),
        "iat": now,
        "nbf": now,
        "exp": now + lifetime,
    }
    return f"{part({'typ': 'JWT', 'alg': 'none'})}.{part(claims)}.emulator"
