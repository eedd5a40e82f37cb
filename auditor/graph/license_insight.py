"""Microsoft's own counts of P1/P2 licenses and feature users (auditor.data.license_insight_data), read beside
the access scope when a policy has an `entitlements:` section:

    GET /beta/reports/azureADPremiumLicenseInsight                       Reports.Read.All

Microsoft documents it on beta only and for the global service only
(learn.microsoft.com/graph/api/azureadpremiumlicenseinsight-get?view=graph-rest-beta): in the US
Government and China clouds it is not asked at all, and an endpoint that does not end in /v1.0
(no /beta beside it) is not asked either. A tenant without a P1 or P2 license answers 403
`missingLicense`; a token without the permission 403 as well.

Optional context: the entitlement rules count without it. An error answer (a 403, a 400, any status
retrying does not fix) or an answer that is not the documented resource is a note among the
report's warnings, never a gap: the report is as complete without it as with it. Throttling and
the network are handled as for every other read.
"""

from __future__ import annotations

from auditor.common.errors import AuthError, CollectionError, Stopped
from auditor.data.enums import Cloud
from auditor.data.license_insight_data import INSIGHT_PATH, BadInsight, LicenseInsight

from .client import GraphClient, GraphRequestError
from .clouds import beta_base

PERMISSION = "Reports.Read.All"
REQUEST = f"GET /beta{INSIGHT_PATH}"
_WITHOUT = "the report shows the auditor's counts alone"


def _why(exc: GraphRequestError) -> str:
    if exc.code == "missingLicense":
        return "the tenant needs a Microsoft Entra ID P1 or P2 license"
    if exc.status == 403:
        return f"needs the application permission {PERMISSION}, with admin consent"
    return "a beta report, which Microsoft may change or withdraw"


async def read_license_insight(client: GraphClient, notes: list[str]) -> LicenseInsight | None:
    """Microsoft's counts, or None: not asked (another cloud, no /beta beside the endpoint) or not
    read (a note in `notes` says why)."""
    if client.cloud is not Cloud.WORLDWIDE:
        return None
    beta = beta_base(client.base_url)
    if beta is None:
        return None
    try:
        raw = await client.get(beta + INSIGHT_PATH)
    except GraphRequestError as exc:  # an error answer retrying will not fix
        need = _why(exc)
        said = f": {exc.graph_message.strip()}" if exc.graph_message.strip() else ""
        notes.append(
            f"Microsoft's own license counts were not read: {REQUEST} answered {exc.status} {exc.code}"
            f"{said} ({need}); {_WITHOUT}"
        )
        return None
    except (AuthError, Stopped):
        raise
    except CollectionError as exc:  # an answer that is not JSON (a proxy's page, a cut answer): context lost, said
        notes.append(f"Microsoft's own license counts were not read: {exc}; {_WITHOUT}")
        return None
    try:
        return LicenseInsight.from_graph(raw)
    except BadInsight as exc:
        notes.append(
            f"Microsoft's own license counts were not read: {REQUEST} answered what Graph does not "
            f"document ({exc}); {_WITHOUT}"
        )
        return None
