"""GET /tenantRelationships/delegatedAdminRelationships, in the shape of Microsoft's pages
(learn.microsoft.com/graph/api/tenantrelationship-list-delegatedadminrelationships and
learn.microsoft.com/graph/api/resources/delegatedadminrelationship, v1.0):

- the partner tenant's granular delegated admin (GDAP) relationships the emulator was given
  (GraphEmulator(..., relationships=[...]), documents built by `relationship` below), each with its
  `@odata.type`, `@odata.etag`, `id`, `displayName`, `duration`, `customer` (`tenantId`,
  `displayName`), `accessDetails`, `status`, `autoExtendDuration` and its times;
- at most 300 a page ("`$top` supports up to 300 objects."; a larger `$top` is a 400 here),
  `@odata.nextLink` while relationships remain; without `$top`, 100 a page (NOT VERIFIED: the page
  does not say Graph's default page size, nor what it answers to a `$top` over 300);
- 403 Authorization_RequestDenied unless the token holds DelegatedAdminRelationship.Read.All or
  DelegatedAdminRelationship.ReadWrite.All (the permissions the page lists for an application).
"""

from __future__ import annotations

import base64
import uuid
from datetime import datetime, timedelta
from typing import Any

from ..call import Answer, Call, Emulator
from ..errors import GraphError, bad
from ..query import page

RELATIONSHIP_ROLES = ("DelegatedAdminRelationship.Read.All", "DelegatedAdminRelationship.ReadWrite.All")
MAX_RELATIONSHIPS_TOP = 300
_TYPE = "#microsoft.graph.delegatedAdminRelationship"
# Directory Readers and Global Reader: the roles an auditor's relationship asks for
_ROLES = ("88d8e3e3-8f55-4a1e-953a-9b9898b8876b", "f2ef992c-3afb-46b9-b7cf-a126ee74c451")


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f0Z")


def relationship(
    *,
    customer_tenant_id: str,
    customer_name: str,
    display_name: str,
    status: str,
    ends: datetime,
    auto_extend: str = "PT0S",
    days: int = 730,
) -> dict[str, Any]:
    """One relationship as Graph lists it: activated `days` before `ends` (endDateTime = activatedDateTime
    + duration, as the resource page says), its id a GUID followed by the customer's tenant id, as
    Microsoft's example shows it."""
    activated = ends - timedelta(days=days)
    own = uuid.uuid5(uuid.NAMESPACE_URL, f"gdap:{customer_tenant_id}:{display_name}")
    etag = base64.b64encode(f'"{uuid.uuid5(own, "etag")}"'.encode()).decode()
    return {
        "@odata.type": _TYPE,
        "@odata.etag": f'W/"{etag}"',
        "id": f"{own}-{customer_tenant_id}",
        "displayName": display_name,
        "duration": f"P{days}D",
        "customer": {"tenantId": customer_tenant_id, "displayName": customer_name},
        "accessDetails": {"unifiedRoles": [{"roleDefinitionId": r} for r in _ROLES]},
        "status": status,
        "autoExtendDuration": auto_extend,
        "createdDateTime": _stamp(activated - timedelta(minutes=2)),
        "lastModifiedDateTime": _stamp(activated),
        "activatedDateTime": _stamp(activated),
        "endDateTime": _stamp(ends),
    }


def list_relationships(em: Emulator, call: Call) -> Answer:
    em.require(RELATIONSHIP_ROLES)
    query = call.query
    if query.top is not None and query.top > MAX_RELATIONSHIPS_TOP:
        raise bad(f"Invalid page size specified: '{query.top}'. Must be between 1 and {MAX_RELATIONSHIPS_TOP}.")
    if query.filter is not None or query.select is not None:
        raise GraphError(400, "Request_UnsupportedQuery", "The emulator reads the whole relationships.")
    return page(em.url, call.path, query, list(em.relationships), call.eventual, MAX_RELATIONSHIPS_TOP)
