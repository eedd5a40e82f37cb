"""The records of the three-way table (auditor.billing.psa_table), as report.json's `psa` and psa.json carry
them: msgspec Structs written in their fields' order (a field left UNSET not at all); report.json's
reader decodes the section into them, and mypy checks every name written or read.

    PsaSection      {schema, psa, company_id, mailed_to_customer, error | on, products, findings, warnings}
    PsaProductRow   one product: assigned in the tenant, billed by the distributor (quantity, cost),
                    billed to the customer in the PSA (quantity less included, price, billable)
    PsaLine         one billing line as a PSA client reads it (auditor.vendors.psa_client)
    PsaLineRecord   one of the product's billing lines in the PSA (an addition, a contract service's units)
    PsaFinding      the five differences, each named for what it costs and whom, and the two gaps
                    (a product the map does not name, two agreements billing one product), tagged by `kind`
    PsaPayload      one tenant's reading in its PSA as `audit --tenants` hands it to the tenant's audit
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NotRequired, Required, TypedDict

from msgspec import UNSET, Struct, UnsetType

# the five differences (docs/msp.md, "The three-way table"), and who each costs
MSP_PAYS_UNBILLED = "msp_pays_unbilled"  # the distributor bills more seats than the PSA bills: the MSP's margin
CUSTOMER_BILLED_UNHELD = "customer_billed_unheld"  # the PSA bills more seats than are assigned: the customer's money
BILLED_BELOW_COST = "billed_below_cost"  # the PSA's price below what a seat costs the MSP: the MSP's margin
BILLED_NOT_HELD = "billed_not_held"  # the PSA bills a product the tenant does not hold: the customer's money
HELD_NOT_BILLED = "held_not_billed"  # the tenant holds seats the MSP pays for and no agreement bills: the MSP's
DIFFERENCES = (MSP_PAYS_UNBILLED, CUSTOMER_BILLED_UNHELD, BILLED_BELOW_COST, BILLED_NOT_HELD, HELD_NOT_BILLED)
# the customer's own money: what a report mailed to the customer (and its license list) may show
CUSTOMERS = (CUSTOMER_BILLED_UNHELD, BILLED_NOT_HELD)


@dataclass(frozen=True)
class PsaLine:
    """One billing line of a customer's agreement, as every PSA's client decodes it at the border
    (auditor.vendors.<name>) and the three-way table reads it: one typed row for all."""

    agreement_id: str
    agreement: str  # the agreement's (contract's) name
    id: str  # the addition's (the contract service's) id
    product: str  # the PSA's product, as the tenants entry's products map names it
    quantity: int
    less_included: int  # seats the agreement includes at no charge (0 where the PSA has no such figure)
    unit_price: float | None  # what the customer is billed a seat
    unit_cost: float | None  # what the PSA records a seat costs the MSP
    billable: bool  # the customer is billed for it
    effective: str | None  # YYYY-MM-DD: billed from (None: from the agreement's start)
    cancelled: str | None  # YYYY-MM-DD: billed until (None: not cancelled)
    currency: str | None = None  # the agreement's ISO 4217 code, when the PSA gives it
    bill_customer: str = ""  # the PSA's own word for `billable`, where it has one
    cost_currency: str | None = None  # the currency of `unit_cost` when the PSA says (its internal one)
    doubt: str = ""  # why the line's price and cost are not read (its figures disagree): a named gap
    # a currency symbol several currencies write (Halo's "$"): the ISO codes it may be, `currency` None; the
    # table reads it as the distributor's one currency when that is among them, else its money is a gap
    currency_choices: tuple[str, ...] = ()

    @property
    def billed(self) -> int:
        """The seats the customer is billed for: the quantity less those included (never below 0)."""
        return max(0, self.quantity - self.less_included) if self.billable else 0

    def active(self, on: str) -> bool:
        """Whether the line bills on the day `on` (YYYY-MM-DD): in effect, not yet cancelled."""
        return (self.effective is None or self.effective <= on) and (self.cancelled is None or self.cancelled > on)


class PsaLineRecord(Struct, frozen=True, kw_only=True):
    agreement_id: str
    agreement: str
    id: str
    product: str
    quantity: int
    less_included: int
    billed: int
    unit_price: float | None
    unit_cost: float | None
    billable: bool
    effective: str | UnsetType | None = UNSET  # YYYY-MM-DD: the day its quantity bills from (Autotask's period)


class PsaProductRow(Struct, frozen=True, kw_only=True):
    sku: str
    name: str
    psa_products: list[str]
    # the tenant
    in_tenant: bool
    enabled: int
    assigned: int
    # the distributor (None: it bills none of it, or no distributor is read)
    distributor_billed: int | None
    partner_cost: float | None
    # the PSA
    psa_quantity: int
    psa_included: int
    psa_billed: int  # billed to the customer: the billable lines' quantity less included
    unit_price: float | None  # the one price of its billed lines (None: none, or two that differ)
    unit_cost: float | None  # the PSA's own record of a seat's cost
    billable: bool  # any of its lines bills the customer
    currency: str | None
    agreements: list[str]
    lines: list[PsaLineRecord]


class _Kind(Struct, frozen=True, kw_only=True, tag_field="kind"):
    @property
    def kind(self) -> str:
        return str(self.__struct_config__.tag)


class MspPaysUnbilled(_Kind, frozen=True, kw_only=True, tag=MSP_PAYS_UNBILLED):
    """The distributor bills `distributor_billed` seats, the PSA bills the customer `psa_billed`: the
    MSP pays for `seats` it does not bill, `cost_monthly` at partnerCost, `price_monthly` unbilled."""

    sku: str
    distributor_billed: int
    psa_billed: int
    seats: int
    cost_monthly: float | None
    price_monthly: float | None
    currency: str | None


class CustomerBilledUnheld(_Kind, frozen=True, kw_only=True, tag=CUSTOMER_BILLED_UNHELD):
    """The PSA bills the customer `psa_billed` seats, `assigned` are held: `seats` nobody holds, `monthly`."""

    sku: str
    psa_billed: int
    assigned: int
    seats: int
    monthly: float | None
    currency: str | None


class BilledBelowCost(_Kind, frozen=True, kw_only=True, tag=BILLED_BELOW_COST):
    """The PSA's unitPrice below what a seat costs the MSP (`cost_source`: distributor, else psa)."""

    sku: str
    unit_price: float
    cost: float
    cost_source: str
    seats: int
    loss_monthly: float
    currency: str | None


class BilledNotHeld(_Kind, frozen=True, kw_only=True, tag=BILLED_NOT_HELD):
    sku: str
    psa_products: list[str]
    psa_billed: int
    monthly: float | None
    currency: str | None


class HeldNotBilled(_Kind, frozen=True, kw_only=True, tag=HELD_NOT_BILLED):
    """The tenant holds `assigned` seats of a product the MSP resells (the distributor bills it, or the
    map names it) and no active agreement bills it; `cost_monthly` what the distributor bills for it."""

    sku: str
    assigned: int
    distributor_billed: int | None
    cost_monthly: float | None
    currency: str | None


class UnmappedProduct(_Kind, frozen=True, kw_only=True, tag="unmapped_product"):
    """A gap: the PSA bills `product`, which the tenants entry's map does not name: not compared."""

    product: str
    lines: list[str]
    psa_billed: int


class TwoAgreements(_Kind, frozen=True, kw_only=True, tag="two_agreements"):
    """A gap: two or more agreements bill the product: which one is meant is not guessed, not compared."""

    sku: str
    agreements: list[str]
    psa_billed: int


PsaFinding = (
    MspPaysUnbilled
    | CustomerBilledUnheld
    | BilledBelowCost
    | BilledNotHeld
    | HeldNotBilled
    | UnmappedProduct
    | TwoAgreements
)


class PsaSection(Struct, kw_only=True):
    """report.json's `psa` and psa.json (auditor.billing.psa_table.section): the customer in the PSA, then
    the reading's error, or the table as of the day `on`."""

    schema: int
    psa: str  # the PSA's key (auditor.vendors.registry)
    company_id: int | None
    mailed_to_customer: bool | UnsetType = UNSET  # its rendered files show only the customer's own money
    error: str | UnsetType = UNSET  # the reading failed: none of the four below
    on: str | UnsetType = UNSET  # the day the PSA's lines were read as billing (YYYY-MM-DD)
    products: list[PsaProductRow] | UnsetType = UNSET
    findings: list[PsaFinding] | UnsetType = UNSET
    warnings: list[str] | UnsetType = UNSET
    # the policy's `psa_quantity:` rule of each product of the table that has one (part number -> assigned,
    # distributor or larger): what plan's psa changes set the PSA's quantity to (auditor.plan.psa_quantities)
    quantity_rules: dict[str, str] | UnsetType = UNSET

    def shows_msp_cost(self) -> bool:
        """Whether the rendered files show what a seat costs the MSP and the MSP's own differences: not
        when mailed to the customer (only the customer's own money: CUSTOMERS)."""
        return self.mailed_to_customer is not True

    def shown(self) -> list[PsaFinding]:
        """The findings the rendered files show: every one, or, mailed to the customer, its own money's."""
        found: list[PsaFinding] = self.findings or []
        return found if self.shows_msp_cost() else [f for f in found if f.kind in CUSTOMERS]


class PsaBlock(TypedDict, total=False):
    """A tenants entry's `psa` block's inside (auditor.billing.psa_block checks it); besides these, the key
    its PSA names where its tickets go by (the PSA's `where_key`: read as `block.get(where_key)`)."""

    company_id: Required[int]
    products: dict[str, str]
    ticket: int  # an existing ticket its findings are added to as notes


class PsaPayload(TypedDict, total=False):
    """One tenant's reading in its PSA, as `audit --tenants` hands it to the tenant's audit (in the process,
    never written): its PSA, its tenants entry's block, the day read, and its lines (the records its client
    decoded at the border) or the reading's error in one line."""

    psa: Required[str]
    block: Required[PsaBlock]
    on: str
    lines: list[PsaLine]
    error: str


class PsaRollup(TypedDict):
    """tenants.json's `psa` of a tenant (auditor.fleet.psa_cells.rollup_figures): the products with a
    difference and the findings by kind (gaps too), or why it was not read; what the differences cost the
    MSP a month and bill the customer for seats nobody holds, in `currency`."""

    psa: str
    differences: int | None
    error: str | None
    kinds: NotRequired[dict[str, int]]
    msp_monthly: NotRequired[float | None]
    customer_monthly: NotRequired[float | None]
    currency: NotRequired[str | None]
