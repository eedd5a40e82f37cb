"""The month's use of Copilot Credits, from Microsoft's Copilot cost management usage reports (Graph beta),
read beside the balance (auditor/data/copilot_credits_data.py) and shown beside the Copilot seats.

Microsoft's pages (learn.microsoft.com/microsoft-365/copilot/extensibility/api/admin-settings/
cost-management/): "All reports are under /copilot/costManagement/usageReports. Every request requires a
time selector. Each quantity includes a unit, currently copilotCredit; reports don't return currency,
invoice, price, or settlement amounts." Two reports are readable app-only (Application:
CopilotCostManagement-Reports.Read.All, higher CopilotCostManagement.Read.All):

- GET /copilot/costManagement/usageReports/serviceUsageRecords?startDate={startDate}&endDate={endDate}:
  costManagementServiceUsageRecord, "One governed service's share of reported consumption of Copilot
  Credits for one completed UTC day, across the tenant. The row is keyed on serviceId and has no separate
  id": `consumedQuantity` (Double), `serviceId` (String, "such as cowork or workIQ"), `unit`
  (costManagementUnit). "The range must select exactly one completed UTC day. Current-day, future, and
  multi-day ranges are rejected"; "The collection is paged [...]: follow the @odata.nextLink property".
- GET /copilot/costManagement/usageReports/fundingUsageRecords?month={month}:
  costManagementFundingUsageRecord, "One funding class's share of reported consumption of Copilot
  Credits for a calendar month, including unbilled consumption. The row is keyed by the inherited id,
  whose value is the fundingClass member name": `consumedQuantity` (Double), `dataStatus`
  (costManagementUsageDataStatus; "latestSourceDateTime is the snapshot sync time. It doesn't indicate
  whether the covered month has closed"), `fundingClass` (costManagementFundingClass), `id`, `unit`.
  "The funding classes are a closed set, so the collection isn't paged."

The per-user records (userUsageRecords) and the spending policies (spendingPolicies, "Application | Not
supported.": CopilotCostManagement-Policy.Read.All is delegated only) need a signed-in admin; the audit
signs in as an application and reads neither.

NOT VERIFIED (the stored copy of Microsoft's pages ends before their query-parameter tables and
response examples): that one day is asked as startDate = endDate = that day (YYYY-MM-DD), that a month
is YYYY-MM, and the members of costManagementFundingClass (kept as Graph names them). The emulator
answers as this module asks (auditor_dev/emulator/copilot_credit_use.py).

The snapshot keeps the answers' rows in Graph's shape: per day the day's service rows, and the month's
funding rows; a report that was not read is null (its Gap says why), never an empty list.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import NotRequired, TypedDict

COPILOT_CREDIT_USE = "copilotCreditUse"  # the snapshot file's key, its part in collectedParts and its gaps' part
USAGE_REPORTS_PATH = "/copilot/costManagement/usageReports"  # on Graph's /beta only
SERVICES_PATH = f"{USAGE_REPORTS_PATH}/serviceUsageRecords"
FUNDING_PATH = f"{USAGE_REPORTS_PATH}/fundingUsageRecords"
REPORTS_PERMISSION = "CopilotCostManagement-Reports.Read.All"  # least privileged; Application: allowed
POLICY_PERMISSION = "CopilotCostManagement-Policy.Read.All"  # spending policies: delegated only
SPENDING_POLICIES_PATH = "/copilot/costManagement/spendingPolicies"


class BadCreditUse(ValueError):
    """An answer that is not the resource Graph documents."""


def _number(value: object, key: str) -> float:
    """A Double of a row (a JSON number, or OData's IEEE754Compatible string form), checked."""
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise BadCreditUse(f"{key}: expected a number, got {value!r}") from None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadCreditUse(f"{key}: expected a number, got {type(value).__name__}")
    return float(value)


def _name(value: object, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise BadCreditUse(f"{key}: expected a name, got {type(value).__name__}")
    return value.strip()[:100]


class ServiceRow(TypedDict):
    """A costManagementServiceUsageRecord as Graph gives it."""

    serviceId: str
    consumedQuantity: float
    unit: NotRequired[str]


class FundingRow(TypedDict):
    """A costManagementFundingUsageRecord as Graph gives it (dataStatus reduced to its sync time)."""

    id: NotRequired[str]
    fundingClass: str
    consumedQuantity: float
    unit: NotRequired[str]
    dataStatus: NotRequired[dict[str, str]]


def service_row(raw: object) -> ServiceRow:
    if not isinstance(raw, Mapping):
        raise BadCreditUse(f"a service row: expected an object, got {type(raw).__name__}")
    row: ServiceRow = {
        "serviceId": _name(raw.get("serviceId"), "serviceId"),
        "consumedQuantity": _number(raw.get("consumedQuantity"), "consumedQuantity"),
    }
    if isinstance(raw.get("unit"), str):
        row["unit"] = raw["unit"][:40]
    return row


def funding_row(raw: object) -> FundingRow:
    if not isinstance(raw, Mapping):
        raise BadCreditUse(f"a funding row: expected an object, got {type(raw).__name__}")
    row: FundingRow = {
        "fundingClass": _name(raw.get("fundingClass", raw.get("id")), "fundingClass"),
        "consumedQuantity": _number(raw.get("consumedQuantity"), "consumedQuantity"),
    }
    if isinstance(raw.get("unit"), str):
        row["unit"] = raw["unit"][:40]
    status = raw.get("dataStatus")
    synced = status.get("latestSourceDateTime") if isinstance(status, Mapping) else None
    if isinstance(synced, str):
        row["dataStatus"] = {"latestSourceDateTime": synced[:40]}
    return row


class CreditUseGraph(TypedDict):
    """What the snapshot keeps (its `copilotCreditUse`)."""

    month: str
    serviceUsageRecords: dict[str, list[ServiceRow]] | None  # day (YYYY-MM-DD) -> that day's rows
    fundingUsageRecords: list[FundingRow] | None


@dataclass(frozen=True)
class CopilotCreditUse:
    """The month's use: the services' rows per completed day read (None: not read), the funding rows
    of the month (None: not read)."""

    month: str  # YYYY-MM
    days: Mapping[str, tuple[ServiceRow, ...]] | None
    funding: tuple[FundingRow, ...] | None

    def by_service(self) -> dict[str, float]:
        """Credits per service over the days read, by service id (rounded to 2 decimals)."""
        out: dict[str, float] = {}
        for rows in (self.days or {}).values():
            for row in rows:
                out[row["serviceId"]] = out.get(row["serviceId"], 0.0) + row["consumedQuantity"]
        return {k: round(v, 2) for k, v in sorted(out.items())}

    def to_graph(self) -> CreditUseGraph:
        days = {d: list(rows) for d, rows in sorted(self.days.items())} if self.days is not None else None
        funding = list(self.funding) if self.funding is not None else None
        return {"month": self.month, "serviceUsageRecords": days, "fundingUsageRecords": funding}

    @staticmethod
    def from_graph(raw: object) -> CopilotCreditUse:
        if not isinstance(raw, Mapping) or not isinstance(raw.get("month"), str):
            raise BadCreditUse("expected an object with its month")
        days, funding = raw.get("serviceUsageRecords"), raw.get("fundingUsageRecords")
        if days is not None and not isinstance(days, Mapping):
            raise BadCreditUse("serviceUsageRecords: expected an object of days")
        if funding is not None and not isinstance(funding, list):
            raise BadCreditUse("fundingUsageRecords: expected a list")
        return CopilotCreditUse(
            month=raw["month"][:7],
            days={str(d)[:10]: tuple(service_row(r) for r in rows or ()) for d, rows in days.items()}
            if days is not None
            else None,
            funding=tuple(funding_row(r) for r in funding) if funding is not None else None,
        )
