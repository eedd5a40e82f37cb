"""tenants.json, the roll-up of many tenants (docs/msp.md): its rows and the document around them.

TypedDicts: tenants.json is read back when the roll-ups of several shards are joined
(auditor.fleet.rollup.join checks each row first) and its keys stay as they are written; the
GDAP blocks (auditor.fleet.gdap, typed below) and the distributor's figures (auditor.billing.distributor_seats)
are their modules' own JSON; the invoices' figures (auditor.fleet.invoice_cells) are below.
"""

from __future__ import annotations

from typing import NotRequired, TypedDict

from auditor.billing.distributor_records import RollupFigures
from auditor.billing.psa_records import PsaRollup

SEVERITIES = ("critical", "high", "medium", "low")  # a row's findings, counted by severity


class NextWindow(TypedDict):
    """The bill's next reduction whose 7-day window closes, and what it saves a month."""

    by: str
    monthly_saving: float


class LastMonth(TypedDict):
    """The tenant's seats and spend a month earlier, from its history."""

    as_of: str
    seats: int
    spend_monthly: float | None


class InvoicedOtherwise(TypedDict):
    """One product an invoice bills otherwise than the tenant holds it or the PSA bills it (invoice.json's row)."""

    sku: str | None  # None: the line matched no product of the tenant's
    product: str
    differences: list[str]  # auditor.billing.invoices.KINDS
    invoiced: int | None
    assigned: int | None
    psa_billed: int | None
    amount: float | None
    currency: str | None


class InvoiceFigures(TypedDict):
    """One invoice of a tenant in tenants.json's `invoices` (auditor.fleet.invoice_cells.invoice_figures):
    the products it bills otherwise and what it charges for them, or the invoice's gap (`differences`
    None: never "no differences")."""

    source: str  # microsoft, or the distributor whose invoice it is (auditor.fleet.invoice_cells.SOURCES)
    invoice_id: str
    gap: str | None
    invoiced: int | None  # the tenant's products the invoice bills (0: no line of it is the customer's)
    differences: int | None
    kinds: NotRequired[dict[str, int]]
    products: NotRequired[list[InvoicedOtherwise]]
    # the invoice's amount for them, each product's shared evenly over its invoiced seats (docs/msp.md)
    unheld_amount: NotRequired[float | None]  # seats invoiced above those assigned
    unbilled_amount: NotRequired[float | None]  # seats invoiced above those the PSA bills the customer
    not_held_amount: NotRequired[float | None]  # products the map names and the tenant does not hold
    unmatched_amount: NotRequired[float | None]  # lines matched to none of the tenant's products
    currency: NotRequired[str | None]


class GdapJudged(TypedDict, total=False):
    """A customer's GDAP relationships in one word (auditor.fleet.gdap.judge): `state` always, the
    relationship that says it and its dates as the state has them."""

    state: str  # auditor.fleet.gdap.STATES
    relationship: str
    ends: str | None  # ending and active: its endDateTime's day
    days: int | None  # ending: the days left
    auto_extend: str  # ending and active: autoExtendDuration
    ended: str | None  # ended: its endDateTime's day
    status: str  # ended: its status as Graph spells it


class TenantGdap(GdapJudged, total=False):
    """A tenant row's `gdap`: the judgement and whether Graph refused the tenant's reads (403)."""

    forbidden: bool


class GdapBlock(TypedDict, total=False):
    """tenants.json's `gdap` (auditor.fleet.gdap.attach): read, and when and how many; or why not."""

    read: bool
    kind: str | None  # not read: auditor.fleet.gdap.KINDS
    gap: str | None
    on: str  # read: the day judged
    relationships: int  # read: how many the listing holds


class CopilotRollup(TypedDict):
    """One tenant's Copilot seats: how many end the nights in each state, over how many nights, and what
    the idle ones cost (None: no price known)."""

    nights: int
    states: dict[str, int]
    idle_cost: float | None


class CreditRollup(TypedDict):
    """One tenant's Copilot Credits of the month (auditor.fleet.credit_cells): per service and per funding
    source, each None when its report was not read."""

    month: str  # YYYY-MM
    services: dict[str, float] | None
    funding: dict[str, float] | None


class TenantRow(TypedDict):
    """One tenant's row (auditor.fleet.rollup.tenant_row)."""

    key: str
    name: str
    tenant_id: str
    status: str  # ok | incomplete | failed
    exit_code: int
    findings: dict[str, int] | None  # by severity
    unused_monthly: float | None
    plan_monthly_saving: float | None
    currency: str | None
    next_window: NextWindow | None
    seats_short: list[str]
    seats: int | None
    spend_monthly: float | None
    last_month: LastMonth | None
    distributor: RollupFigures | None  # auditor.fleet.distributor_cells.rollup_figures
    psa: NotRequired[PsaRollup | None]  # auditor.fleet.psa_cells.rollup_figures
    invoices: NotRequired[list[InvoiceFigures] | None]  # auditor.fleet.invoice_cells.invoice_figures
    seconds: float
    requests: int | None
    reason: str | None
    gdap: NotRequired[TenantGdap | None]  # auditor.fleet.gdap.attach
    copilot: NotRequired[CopilotRollup | None]  # auditor.fleet.copilot_cells.copilot_figures
    copilot_credits: NotRequired[CreditRollup | None]  # auditor.fleet.credit_cells.credit_figures


class Rollup(TypedDict):
    """tenants.json: the rows, ranked; `missing` only when tenants of the file are in no shard."""

    schema_version: int
    generated_at: str
    shard: str | None
    tenants: list[TenantRow]
    missing: NotRequired[list[str]]
    gdap: NotRequired[GdapBlock]  # auditor.fleet.gdap.attach
