"""The tenant's Copilot Credits balance: Graph's beta function getTenantCreditBalance, read beside the
bill (auditor/graph/copilot_credits.py) and shown beside its Copilot seats (auditor/plan/bill.py).

Microsoft's pages (learn.microsoft.com/microsoft-365/copilot/extensibility/api/admin-settings/
cost-management/costmanagementroot-gettenantcreditbalance and resources/costmanagementbillingmethodbalance):
"Gets the tenant-wide Copilot credit balance snapshot, with one row per billing method." Each row
is a costManagementBillingMethodBalance:

- `billingMethod`: `prepaidCredits`, `payAsYouGo`, `notSpecified`, `unknownFutureValue` (an
  evolvable enumeration: a value not listed is kept as Graph says it);
- `consumedQuantity` (Double) "Credits consumed.";
- `purchasedQuantity` (Double) "Credits purchased. Omitted when there's no purchased pool, for
  example pay-as-you-go.";
- `remainingQuantity` (Double) "Credits still available, as calculated by the service, not the
  difference between purchasedQuantity and consumedQuantity. Omitted when there's no finite pool.";
- `unit` (costManagementUnit: `copilotCredit`, `unknownFutureValue`);
- `dataStatus` (costManagementDataStatus) with `lastModifiedDateTime`.

An omitted quantity stays None here and reads "none" in the report, never 0.

NOT VERIFIED: the name of the collection property on costManagementTenantCreditBalance that holds
the rows. The stored copy of Microsoft's pages has no page for that type (nor the method's response
example); `billingMethodBalances` is the name a public client of this API reads. The reader also
accepts a `value` array, and says "an answer Graph does not document" for anything else.

The snapshot keeps the rows in Graph's own shape (to_graph), so the emulator serves them as Graph does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NotRequired, TypedDict

COPILOT_CREDITS = "copilotCreditBalance"  # the snapshot file's key, its part in collectedParts and a gap's part
CREDITS_PATH = "/copilot/costManagement/getTenantCreditBalance"  # on Graph's /beta only
CREDITS_PERMISSION = "CopilotCostManagement.Read.All"  # Application: allowed (Microsoft's page)
USER_CREDITS_PERMISSION = "CopilotCostManagement-UserData.Read.All"  # delegated only
ROWS = "billingMethodBalances"  # NOT VERIFIED against Microsoft's pages (see above)
BILLING_METHODS = ("prepaidCredits", "payAsYouGo", "notSpecified", "unknownFutureValue")


class BadCredits(ValueError):
    """An answer that is not the resource Graph documents."""


def _quantity(value: object, key: str) -> float | None:
    """A Double of the answer (its field `key`), checked."""
    if value is None:
        return None
    # Double: a JSON number, or (OData's IEEE754Compatible form) a string holding one
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise BadCredits(f"{key}: expected a number, got {value!r}") from None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadCredits(f"{key}: expected a number, got {type(value).__name__}")
    return float(value)


def _text(value: object, key: str) -> str | None:
    """A string of the answer (its field `key`), checked."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadCredits(f"{key}: expected a string, got {type(value).__name__}")
    return value


class DataStatus(TypedDict):
    lastModifiedDateTime: str


class BalanceGraph(TypedDict):
    """A costManagementBillingMethodBalance as the snapshot keeps it (a field Graph omits, omitted)."""

    billingMethod: str
    consumedQuantity: NotRequired[float]
    purchasedQuantity: NotRequired[float]
    remainingQuantity: NotRequired[float]
    unit: NotRequired[str]
    dataStatus: NotRequired[DataStatus]


class CreditsGraph(TypedDict):
    billingMethodBalances: list[BalanceGraph]


class BalanceRow(TypedDict):
    """One row of report.json's `copilot_credits.balances`: null where Graph omitted it."""

    billing_method: str
    consumed: float | None
    purchased: float | None
    remaining: float | None
    unit: str | None
    last_modified: str | None


@dataclass(frozen=True)
class CreditBalance:
    """One costManagementBillingMethodBalance."""

    billing_method: str
    consumed: float | None
    purchased: float | None  # None: Graph omitted it (no purchased pool)
    remaining: float | None  # None: Graph omitted it (no finite pool)
    unit: str | None
    last_modified: str | None  # dataStatus.lastModifiedDateTime

    @staticmethod
    def from_graph(raw: object) -> CreditBalance:
        if not isinstance(raw, dict):
            raise BadCredits(f"a row: expected an object, got {type(raw).__name__}")
        method = _text(raw.get("billingMethod"), "billingMethod")
        if not method:
            raise BadCredits("billingMethod: missing")
        status = raw.get("dataStatus")
        if status is not None and not isinstance(status, dict):
            raise BadCredits(f"dataStatus: expected an object, got {type(status).__name__}")
        return CreditBalance(
            billing_method=method,
            consumed=_quantity(raw.get("consumedQuantity"), "consumedQuantity"),
            purchased=_quantity(raw.get("purchasedQuantity"), "purchasedQuantity"),
            remaining=_quantity(raw.get("remainingQuantity"), "remainingQuantity"),
            unit=_text(raw.get("unit"), "unit"),
            last_modified=_text(status.get("lastModifiedDateTime"), "lastModifiedDateTime") if status else None,
        )

    def to_graph(self) -> BalanceGraph:
        out: BalanceGraph = {"billingMethod": self.billing_method}
        # each omitted as Graph omits it
        if self.consumed is not None:
            out["consumedQuantity"] = self.consumed
        if self.purchased is not None:
            out["purchasedQuantity"] = self.purchased
        if self.remaining is not None:
            out["remainingQuantity"] = self.remaining
        if self.unit is not None:
            out["unit"] = self.unit
        if self.last_modified is not None:
            out["dataStatus"] = {"lastModifiedDateTime": self.last_modified}
        return out

    def to_json(self) -> BalanceRow:
        """report.json's row (the bill's `copilot_credits.balances`): null where Graph omitted it."""
        return {
            "billing_method": self.billing_method,
            "consumed": self.consumed,
            "purchased": self.purchased,
            "remaining": self.remaining,
            "unit": self.unit,
            "last_modified": self.last_modified,
        }


@dataclass(frozen=True)
class CopilotCredits:
    """The tenant-wide balance: one row per billing method (none: Graph answered no row)."""

    balances: tuple[CreditBalance, ...]

    @staticmethod
    def from_graph(raw: object) -> CopilotCredits:
        if not isinstance(raw, dict):
            raise BadCredits(f"expected an object, got {type(raw).__name__}")
        rows = raw.get(ROWS, raw.get("value"))
        if not isinstance(rows, list):
            raise BadCredits(f"{ROWS}: missing")
        return CopilotCredits(tuple(CreditBalance.from_graph(r) for r in rows))

    def to_graph(self) -> CreditsGraph:
        return {"billingMethodBalances": [b.to_graph() for b in self.balances]}  # ROWS
