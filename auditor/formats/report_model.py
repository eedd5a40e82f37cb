"""The typed parts of report.json: its `summary` and its `money` (docs/report-format.md).

The audit builds them as these Structs (auditor.report.document.summary_json,
auditor.plan.money.money), the report document holds them as they are, report.json is their
encoding (auditor.report.write: `msgspec.to_builtins`, the fields in the order below), and the
reader (auditor.formats.report_json.decode_typed) decodes them back into the same Structs. So a
reader says `document["summary"].unwaived`, and mypy checks the name; a report.json whose summary
lacks a field, or holds one of the wrong type, is refused with the field's place.

The rest of the document is still plain JSON values, to be typed the same way part by part
(issue 78).
"""

from __future__ import annotations

from typing import Any

import msgspec
from msgspec import UNSET, Struct, UnsetType

__all__ = [
    "Amount",
    "BillMoney",
    "Leave",
    "Money",
    "PlanMoney",
    "Summary",
    "Users",
    "Waiting",
    "builtins",
]


class Amount(Struct, frozen=True, kw_only=True):
    """An amount a month in one currency, rounded to cents."""

    amount: float
    currency: str


class Users(Struct, frozen=True, kw_only=True):
    total: int
    licensed: int


class Summary(Struct, frozen=True, kw_only=True):
    """report.json's `summary`: the counts of the findings and the two amounts of the seat table."""

    total: int
    unwaived: int
    waived: int
    by_severity: dict[str, int]  # unwaived only, every severity, the most severe first
    by_rule: dict[str, int]  # unwaived only, sorted by rule
    unused_monthly_cost: Amount | None  # spare paid seats x price; null without prices
    reclaimable_monthly_cost: Amount | None  # one amount per user: the largest of its findings
    users: Users

    @property
    def currency(self) -> str | None:
        """The currency of its amounts; None where the policy sets no prices."""
        cost = self.unused_monthly_cost or self.reclaimable_monthly_cost
        return cost.currency if cost is not None else None


class PlanMoney(Struct, frozen=True, kw_only=True):
    """What the plan's changes save and add a month at the seat prices (null without a plan)."""

    saves_monthly: float | None = None
    adds_monthly: float | None = None
    net_monthly: float | None = None


class Leave(Struct, frozen=True, kw_only=True, rename={"from_": "from"}):
    """What leaves the invoice a month from one day (null: not known), for one product."""

    from_: str | None
    sku: str
    seats: int
    monthly: float
    uplift: str | UnsetType = UNSET  # the premium over the catalog price its amount holds


class BillMoney(Struct, frozen=True, kw_only=True):
    """What the plan takes off the bill (every amount null without a bill)."""

    next_12_months: float | None = None
    unknown_monthly: float | None = None
    leaves: list[Leave] = []
    lowers_monthly: float | None = None
    spend_after_monthly: float | None = None


class Waiting(Struct, frozen=True, kw_only=True):
    """The reclaimable amount the plan does not make yet, by whose decision it waits for."""

    declaration_monthly: float
    person_monthly: float


class Money(Struct, frozen=True, kw_only=True):
    """report.json's `money`: every amount a person reads first (auditor.plan.money, docs/money.md)."""

    currency: str | None
    spend_monthly: float | None
    unused_monthly: float | None
    reclaimable_monthly: float | None
    plan: PlanMoney
    bill: BillMoney
    waiting: Waiting | None = None
    waiting_monthly: float | None = None


def builtins(value: Any) -> Any:
    """The JSON values of one of the Structs above: the `default` of report.json's encoders
    (orjson's, json's), which meet them inside the document. TypeError for anything else."""
    if isinstance(value, Struct):
        return msgspec.to_builtins(value)
    raise TypeError(f"not a report.json value: {type(value).__name__}")
