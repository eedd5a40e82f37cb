"""The records of the distributor's reconciliation (auditor.billing.distributor_seats.reconcile), as
report.json's `distributor` and distributor.json carry them: TypedDicts, so each keeps its exact keys
in their order (the encoding stays byte for byte) and mypy checks every key written or read.

    Reconciliation      {schema, distributor, products, findings, warnings, totals}
    ProductRow          one product: the seats the distributor bills beside the tenant's, its money
    SubscriptionLine    one of the product's subscriptions at the distributor
    Finding             billed_more / billed_fewer (SeatsFinding), billed_unused, term_end, ambiguous
    Total               the customer's month in one currency: cost, billed, margin
"""

from __future__ import annotations

from typing import Any, Literal, Required, TypedDict


class SubscriptionLine(TypedDict):
    id: str
    billing_term: str | None
    commitment_term: str | None  # Pax8's commitmentTerm.term: plan's distributor changes
    quantity: int
    price: float | None
    partner_cost: float | None
    term_end: str | None
    microsoft_subscription: str | None


class ProductRow(TypedDict):
    sku: str
    name: str
    pax8_products: list[str]
    matched_by: str
    billed: int
    enabled: int
    consumed: int
    price: float | None
    partner_cost: float | None
    currency: str | None
    cost_monthly: float | None
    billed_monthly: float | None
    margin_monthly: float | None
    billing_terms: list[str]
    term_end: str | None
    in_tenant: bool
    subscriptions: list[SubscriptionLine]


class SeatsFinding(TypedDict):
    kind: Literal["billed_more", "billed_fewer"]
    sku: str
    billed: int
    enabled: int
    seats: int


class UnusedFinding(TypedDict):
    kind: Literal["billed_unused"]
    sku: str
    seats: int
    monthly: float | None
    currency: str | None
    cost_monthly: float | None


class TermEndFinding(TypedDict):
    kind: Literal["term_end"]
    sku: str
    date: str


class AmbiguousFinding(TypedDict):
    kind: Literal["ambiguous"]
    sku: str
    subscriptions: list[str]


Finding = SeatsFinding | UnusedFinding | TermEndFinding | AmbiguousFinding


class Total(TypedDict):
    currency: str
    cost_monthly: float
    billed_monthly: float
    margin_monthly: float


class Reconciliation(TypedDict):
    schema: int
    distributor: str
    products: list[ProductRow]
    findings: list[Finding]
    warnings: list[str]
    totals: list[Total]


class Block(TypedDict, total=False):
    """A tenants entry's block of its distributor (auditor.delivery.matrix checks it): the customer
    there (Pax8's company_id or Sherweb's customer_id) and the entry's product map."""

    company_id: str
    customer_id: str
    products: dict[str, str]  # the distributor's product id (Pax8) or SKU (Sherweb) -> a part number


class Payload(TypedDict, total=False):
    """One tenant's reading at its distributor, as `audit --tenants` hands it to the tenant's audit
    (plain JSON values): its tenants entry's block, and its subscriptions (Pax8Subscription's fields)
    or the reading's error in one line; `distributor` only when it is not Pax8."""

    block: Required[Block]
    subscriptions: list[dict[str, Any]]
    error: str
    distributor: str
