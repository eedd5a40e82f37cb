"""GET /beta/copilot/costManagement/getTenantCreditBalance, served from the snapshot's
`copilotCreditBalance` (auditor.data.copilot_credits_data) in the shape of Microsoft's beta reference
(learn.microsoft.com/microsoft-365/copilot/extensibility/api/admin-settings/cost-management/
costmanagementroot-gettenantcreditbalance):

- 200 with one row per billing method (costManagementBillingMethodBalance); a snapshot without a
  balance answers no row;
- 403 Authorization_RequestDenied unless the token holds CopilotCostManagement.Read.All (the only
  permission the page lists, for delegated and application callers), as the emulator's other routes
  refuse;
- on /v1.0: 400 "Resource not found for the segment 'costManagement'": the API is beta only.

NOT VERIFIED against Microsoft's pages: the name of the rows' collection property (ROWS) and the
answer's @odata.context (auditor.data.copilot_credits_data says why).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from auditor.data.copilot_credits_data import CREDITS_PERMISSION, ROWS
from auditor.data.model import TenantSnapshot

from .errors import GraphError

CREDITS_ROLES = (CREDITS_PERMISSION,)
CREDITS_SEGMENTS = ["copilot", "costManagement", "getTenantCreditBalance"]
CONTEXT = "https://graph.microsoft.com/beta/$metadata#microsoft.graph.costManagementTenantCreditBalance"


def copilot_credits(snapshot: TenantSnapshot, roles: Iterable[str] | None) -> dict[str, Any]:
    """The answer's document, or GraphError as Graph refuses it. `roles`: the token's application
    permissions (None: not checked, an opaque token)."""
    if roles is not None and not set(roles).intersection(CREDITS_ROLES):
        raise GraphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
    rows = snapshot.copilot_credits.to_graph()["billingMethodBalances"] if snapshot.copilot_credits is not None else []
    return {"@odata.context": CONTEXT, ROWS: rows}
