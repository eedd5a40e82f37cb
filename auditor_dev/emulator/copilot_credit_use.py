"""GET /beta/copilot/costManagement/usageReports/{serviceUsageRecords,fundingUsageRecords}, served from the
snapshot's `copilotCreditUse` (auditor.data.copilot_credit_use_data) in the shapes of Microsoft's beta reference
(learn.microsoft.com/microsoft-365/copilot/extensibility/api/admin-settings/cost-management/
costmanagementserviceusagerecord-list and costmanagementfundingusagerecord-list):

- serviceUsageRecords?startDate=D&endDate=D: 200, the day's costManagementServiceUsageRecord rows
  (`serviceId`, `consumedQuantity`, `unit`: "The row is keyed on serviceId and has no separate id"),
  paged: "follow the @odata.nextLink property for subsequent pages rather than using $skip" (PAGE rows a
  page here); "Current-day, future, and multi-day ranges are rejected": 400 for a range that is not one
  day before the collection's day, or a missing selector ("Every usage report requires a time selector");
- fundingUsageRecords?month=YYYY-MM: 200, the month's costManagementFundingUsageRecord rows (`id`, which
  "Equals the fundingClass member name", `fundingClass`, `consumedQuantity`, `unit`, `dataStatus`),
  unpaged ("The funding classes are a closed set, so the collection isn't paged");
- GET /copilot/costManagement/usageReports itself: 404 ("The root itself isn't readable");
- 403 Authorization_RequestDenied unless the token holds CopilotCostManagement-Reports.Read.All or
  CopilotCostManagement.Read.All (the pages' least and higher privileged application permissions);
- on /v1.0: 400 "Resource not found for the segment 'costManagement'": beta only.

NOT VERIFIED against Microsoft's pages (auditor.data.copilot_credit_use_data says why): one day asked as
startDate = endDate, the month as YYYY-MM, the answer's @odata.context. A snapshot without the part
answers no rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from auditor.data.copilot_credit_use_data import REPORTS_PERMISSION
from auditor.data.copilot_credits_data import CREDITS_PERMISSION
from auditor.data.model import TenantSnapshot

from .errors import GraphError

USE_ROLES = (REPORTS_PERMISSION, CREDITS_PERMISSION)
ROOT_SEGMENTS = ["copilot", "costManagement", "usageReports"]
SERVICES, FUNDING = "serviceUsageRecords", "fundingUsageRecords"
PAGE = 1  # rows a page of serviceUsageRecords: small, so that a client must follow @odata.nextLink
CONTEXT = "https://graph.microsoft.com/beta/$metadata#copilot/costManagement/usageReports/"
_DAY, _MONTH = re.compile(r"\d{4}-\d{2}-\d{2}"), re.compile(r"\d{4}-\d{2}")


def _bad(message: str) -> GraphError:
    return GraphError(400, "BadRequest", message)


def credit_use(
    snapshot: TenantSnapshot, report: str, query: Mapping[str, str], roles: Iterable[str] | None, link: str
) -> dict[str, Any]:
    """The answer's document for `report` (SERVICES or FUNDING), or GraphError as Graph refuses it.
    `roles`: the token's application permissions (None: not checked); `link`: the report's own URL,
    for @odata.nextLink (its `$skiptoken` is the emulator's page number)."""
    if roles is not None and not set(roles).intersection(USE_ROLES):
        raise GraphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
    use = snapshot.copilot_credit_use
    if report == FUNDING:
        month = query.get("month", "")
        if not _MONTH.fullmatch(month):
            raise _bad("The query parameter 'month' is required (a calendar month).")
        rows = list(use.funding or ()) if use is not None and use.month == month else []
        return {"@odata.context": CONTEXT + FUNDING, "value": [{"id": r["fundingClass"], **r} for r in rows]}
    start, end = query.get("startDate", ""), query.get("endDate", "")
    if not (_DAY.fullmatch(start) and _DAY.fullmatch(end)):
        raise _bad("The query parameters 'startDate' and 'endDate' are required.")
    collected = snapshot.collected_at[:10]
    if start != end or start >= collected or date.fromisoformat(start) > date.fromisoformat(collected):
        raise _bad("The range must select exactly one completed UTC day.")
    day = list((use.days or {}).get(start, ()) if use is not None else ())
    try:
        skip = int(query.get("$skiptoken", "0") or 0)
    except ValueError:
        raise _bad("The $skiptoken is not one this service issued.") from None
    page = day[skip : skip + PAGE]
    doc: dict[str, Any] = {"@odata.context": CONTEXT + SERVICES, "value": page}
    if skip + PAGE < len(day):
        doc["@odata.nextLink"] = f"{link}?startDate={start}&endDate={end}&$skiptoken={skip + PAGE}"
    return doc
