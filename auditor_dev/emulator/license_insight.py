"""GET /beta/reports/azureADPremiumLicenseInsight, served from the snapshot's
`azureADPremiumLicenseInsight` (auditor.data.license_insight_data) in the shape of Microsoft's beta reference
(learn.microsoft.com/graph/api/azureadpremiumlicenseinsight-get?view=graph-rest-beta,
learn.microsoft.com/graph/api/resources/azureadpremiumlicenseinsight?view=graph-rest-beta):

- 200 with the resource (its @odata.context, an id, the counts and feature utilizations);
- 403 Authorization_RequestDenied unless the token holds Reports.Read.All (the only permission
  the page lists), as the emulator's other routes refuse;
- 403 missingLicense when the snapshot holds no counts: the page says a tenant without a
  Microsoft Entra ID P1 or P2 license gets exactly that (it documents the code, not the message);
- 400 "Resource not found for the segment" outside the global service, where the page says the
  API is not offered.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from auditor.data.model import Cloud, TenantSnapshot

from .errors import GraphError

INSIGHT_ROLES = ("Reports.Read.All",)
CONTEXT = "https://graph.microsoft.com/beta/$metadata#reports/azureADPremiumLicenseInsight/$entity"
MISSING_LICENSE = "The tenant does not have a Microsoft Entra ID P1 or P2 license."


def license_insight(snapshot: TenantSnapshot, roles: Iterable[str] | None) -> dict[str, Any]:
    """The answer's document, or GraphError as Graph refuses it. `roles`: the token's application
    permissions (None: not checked, an opaque token)."""
    if snapshot.cloud is not Cloud.WORLDWIDE:
        raise GraphError(400, "BadRequest", "Resource not found for the segment 'azureADPremiumLicenseInsight'.")
    if roles is not None and not set(roles).intersection(INSIGHT_ROLES):
        raise GraphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
    if snapshot.license_insight is None:
        raise GraphError(403, "missingLicense", MISSING_LICENSE)
    return {"@odata.context": CONTEXT, "id": snapshot.tenant_id, **snapshot.license_insight.to_graph()}
