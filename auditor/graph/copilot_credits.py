"""The tenant's Copilot Credits balance (auditor.data.copilot_credits_data), read for the bill when the
tenant holds a Copilot product:

    GET /beta/copilot/costManagement/getTenantCreditBalance          CopilotCostManagement.Read.All

Microsoft documents it on beta only ("APIs under the /beta version are subject to change. Use of
these APIs in production applications is not supported."), with the permission
CopilotCostManagement.Read.All for delegated and application callers alike. An endpoint without a
/beta beside it (not ending in /v1.0) is not asked, and says so as a gap.

The per-user records (GET /copilot/costManagement/userBalances/{userId}) are not read: Microsoft's
page lists "Application | Not supported." for them (the delegated permission
CopilotCostManagement-UserData.Read.All only), and the audit signs in as an application.

Any error answer (a 403 without the permission, a 404 or 400 where the API is not offered, an answer
that is not the documented resource) is a Gap in the part `copilotCreditBalance`, which names the
request and why: never a balance of zero. Throttling and the network are handled as for every
other read.
"""

from __future__ import annotations

from collections.abc import Sequence

from auditor.common.errors import AuthError, CollectionError, Stopped
from auditor.data.copilot_credits_data import (
    COPILOT_CREDITS,
    CREDITS_PATH,
    CREDITS_PERMISSION,
    BadCredits,
    CopilotCredits,
)
from auditor.data.model import Gap, Sku
from auditor.reference import product_names

from .client import GraphClient, GraphRequestError
from .clouds import beta_base

REQUEST = f"GET /beta{CREDITS_PATH}"


def _why(exc: GraphRequestError) -> str:
    if exc.status in (401, 403):
        return f"needs the Microsoft Graph application permission {CREDITS_PERMISSION}, with admin consent (a beta API)"
    return "a beta API, which Microsoft may change or withdraw, or does not offer in this cloud"


async def read_copilot_credits(client: GraphClient, gaps: list[Gap]) -> CopilotCredits | None:
    """The balance, or None with a Gap in `gaps` saying why it was not read."""
    beta = beta_base(client.base_url)
    if beta is None:
        gaps.append(Gap(COPILOT_CREDITS, REQUEST, "the Graph endpoint has no /beta beside it; the API is beta only"))
        return None
    try:
        raw = await client.get(beta + CREDITS_PATH)
    except GraphRequestError as exc:  # an error answer retrying will not fix
        said = f": {exc.graph_message.strip()}" if exc.graph_message.strip() else ""
        gaps.append(Gap(COPILOT_CREDITS, REQUEST, f"answered {exc.status} {exc.code}{said} ({_why(exc)})"))
        return None
    except (AuthError, Stopped):
        raise
    except CollectionError as exc:  # an answer that is not JSON: the balance's gap, not the audit's end
        gaps.append(Gap(COPILOT_CREDITS, REQUEST, f"answered what Graph does not document ({exc})"))
        return None
    try:
        return CopilotCredits.from_graph(raw)
    except BadCredits as exc:
        gaps.append(Gap(COPILOT_CREDITS, REQUEST, f"answered what Graph does not document ({exc})"))
        return None


# the service plans of Microsoft 365 Copilot in Microsoft's product table (M365_COPILOT_APPS,
# M365_COPILOT_BUSINESS_CHAT, M365_COPILOT_TEAMS, ...): Microsoft_365_Copilot, its EDU variant and
# Microsoft 365 E7 carry them, whatever the product is called
COPILOT_PLANS = "M365_COPILOT"


def holds_copilot(skus: Sequence[Sku]) -> bool:
    """Whether the tenant holds a product that carries Copilot's service plans (Microsoft 365 Copilot,
    Microsoft 365 E7, ...), whose credits the bill shows beside its seats: by the plans subscribedSkus
    lists, else by those Microsoft's product table lists for the product, never by its name."""
    table = product_names()
    for sku in skus:
        names = [p.service_plan_name for p in sku.service_plans] or [n for _, n in table.plans_of(sku.sku_id)]
        if any(n.upper().startswith(COPILOT_PLANS) for n in names):
            return True
    return False
