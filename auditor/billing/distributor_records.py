"""The records of the distributor's reconciliation (auditor.billing.distributor_seats.reconcile), as
report.json's `distributor` and distributor.json carry them: msgspec Structs, written in their
fields' order (a field left UNSET not at all), so the encoding stays byte for byte; report.json's
reader decodes the section into them (a value of the wrong type is refused with its place), and mypy
checks every name written or read.

    DistributorSection  {schema, distributor, <its scope>, mailed_to_customer,
                        error | products, findings, warnings, totals}; section_type(scope) the
                        section of a distributor naming its customer by `scope` (company_id at Pax8)
    ProductRow          one product: the seats the distributor bills beside the tenant's, its money
    SubscriptionLine    one of the product's subscriptions at the distributor
    Finding             BilledMore / BilledFewer (SeatsFinding), UnusedFinding, TermEndFinding,
                        AmbiguousFinding, AmbiguousProductFinding (a gap): tagged by their `kind`,
                        which each writes first
    Total               the customer's month in one currency: cost, billed, margin
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import NotRequired, Required, TypedDict, cast

from msgspec import UNSET, Struct, UnsetType, defstruct, field, structs

__all__ = [
    "AmbiguousFinding",
    "AmbiguousProductFinding",
    "BilledFewer",
    "BilledMore",
    "Block",
    "DistributorSection",
    "DistributorSubscription",
    "Finding",
    "Month",
    "Payload",
    "ProductMonth",
    "ProductRow",
    "RollupFigures",
    "SeatsFinding",
    "Seller",
    "SubscriptionLine",
    "TermEndFinding",
    "Total",
    "UnusedFinding",
    "customer_of",
    "keyed",
    "products_of",
    "section_type",
]


class SubscriptionLine(Struct, frozen=True, kw_only=True):
    id: str
    billing_term: str | None
    commitment_term: str | None  # read by plan's distributor changes
    quantity: int
    price: float | None
    partner_cost: float | None
    term_end: str | None
    microsoft_subscription: str | None
    renews: str | None = None  # a day its monthly term renews on (DistributorSubscription.renews)


class ProductRow(Struct, frozen=True, kw_only=True):
    sku: str
    name: str
    # the distributor's products of the row (their ids); its name in distributor.json kept from the first distributor
    products: list[str] = field(name="pax8_products")
    matched_by: str  # subscription, sku, map or name: the weakest of its subscriptions
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


class _Kind(Struct, frozen=True, kw_only=True, tag_field="kind"):
    """A finding of the reconciliation: its `kind` is its tag (written first), `sku` the product."""

    @property
    def kind(self) -> str:
        return str(self.__struct_config__.tag)


class SeatsFinding(_Kind, frozen=True, kw_only=True):
    """The distributor bills more (BilledMore) or fewer (BilledFewer) seats than are enabled."""

    sku: str
    billed: int
    enabled: int
    seats: int


class BilledMore(SeatsFinding, frozen=True, kw_only=True, tag="billed_more"):
    pass


class BilledFewer(SeatsFinding, frozen=True, kw_only=True, tag="billed_fewer"):
    pass


class UnusedFinding(_Kind, frozen=True, kw_only=True, tag="billed_unused"):
    sku: str
    seats: int
    monthly: float | None
    currency: str | None
    cost_monthly: float | None


class TermEndFinding(_Kind, frozen=True, kw_only=True, tag="term_end"):
    sku: str
    date: str


class AmbiguousFinding(_Kind, frozen=True, kw_only=True, tag="ambiguous"):
    """Two or more of the product's subscriptions at the distributor that cannot be told apart: they
    name no Microsoft subscription, or all name one (`microsoft_subscription`, the tenant's id of it)."""

    sku: str
    subscriptions: list[str]
    microsoft_subscription: str | UnsetType = UNSET


class AmbiguousProductFinding(_Kind, frozen=True, kw_only=True, tag="ambiguous_product"):
    """A gap: the distributor's product (`sku`: its product id or SKU) names more than one
    Microsoft product (`products`: the tenant's part numbers, else Microsoft's SKU ids), so its
    `subscriptions` are matched to none and those products' seats are not compared (no row, no
    finding, nothing planned on them: auditor.billing.distributor_products)."""

    sku: str
    products: list[str]
    subscriptions: list[str]


Finding = BilledMore | BilledFewer | UnusedFinding | TermEndFinding | AmbiguousFinding | AmbiguousProductFinding


class Total(Struct, frozen=True, kw_only=True):
    currency: str
    cost_monthly: float
    billed_monthly: float
    margin_monthly: float


class DistributorSection(Struct, kw_only=True):
    """report.json's `distributor` and distributor.json (auditor.billing.distributor_seats.section): the
    customer at its distributor (`customer`, written under the distributor's own key, its block's `scope`:
    section_type; null where the entry names none), then the reading's error, or the reconciliation
    (reconcile gives it without the customer). Read back, the customer is its block's (customer_of)."""

    schema: int
    distributor: str
    customer: str | UnsetType | None = UNSET
    mailed_to_customer: bool | UnsetType = UNSET  # its rendered files leave out the MSP's cost and margin
    # the tenants entry's block it was read with (the customer and the product map): apply --distributor reads
    # the distributor again with it to compile the plan at the call; it selects the customer, the distributor's
    # own records (which Microsoft subscriptions its subscriptions name) decide what is changed
    block: Block | UnsetType = UNSET
    error: str | UnsetType = UNSET  # the reading failed: none of the four below
    products: list[ProductRow] | UnsetType = UNSET
    findings: list[Finding] | UnsetType = UNSET
    warnings: list[str] | UnsetType = UNSET
    totals: list[Total] | UnsetType = UNSET

    def shows_msp_cost(self) -> bool:
        """Whether the rendered files show the MSP's cost or margin at the distributor (what `email`
        does not send to a customer): they leave it out when mailed to the customer."""
        products: list[ProductRow] = self.products or []
        return self.mailed_to_customer is not True and (
            bool(self.totals) or any(p.cost_monthly is not None or p.margin_monthly is not None for p in products)
        )


class Month(TypedDict):
    """A month at the distributor in tenants.json (rollup_figures): the customer's in one currency
    (a Total's JSON), or one product's, with its `sku` first."""

    currency: str | None
    cost_monthly: float | None
    billed_monthly: float | None
    margin_monthly: float | None


class ProductMonth(TypedDict):
    sku: str
    currency: str | None
    cost_monthly: float | None
    billed_monthly: float | None
    margin_monthly: float | None


class RollupFigures(TypedDict):
    """tenants.json's `distributor` of a tenant (auditor.fleet.distributor_cells.rollup_figures): how
    many products the distributor bills otherwise, or why it was not read; then the months."""

    differences: int | None
    error: str | None
    totals: NotRequired[list[Month]]
    products: NotRequired[list[ProductMonth]]


# A tenants entry's block of its distributor (auditor.delivery.matrix checks it): the customer there, under
# the distributor's own key (its `scope`: Pax8's company_id, Sherweb's customer_id), and the entry's product
# map under "products" (the distributor's product id or SKU -> a part number)
Block = dict[str, str | dict[str, str]]


def customer_of(block: Block, scope: str) -> str | None:
    """The customer the block names at its distributor (its key `scope`), None when it names none."""
    customer = block.get(scope)
    return customer if isinstance(customer, str) and customer else None


def products_of(block: Block) -> dict[str, str]:
    """The block's product map: the distributor's product id or SKU -> a part number ({} when none)."""
    products = block.get("products")
    return products if isinstance(products, dict) else {}


@cache
def section_type(scope: str) -> type[DistributorSection]:
    """The section of a distributor naming its customer by `scope`: `customer` written under that key, in
    its place (the third), so report.json keeps each distributor's own name for its customer."""
    fields = [("customer", str | UnsetType | None, UNSET)]
    made = defstruct(
        f"DistributorSection_{scope}", fields, bases=(DistributorSection,), kw_only=True, rename={"customer": scope}
    )
    return cast(type[DistributorSection], made)


def keyed(section: DistributorSection, scope: str) -> DistributorSection:
    """The section with its customer under `scope` again, as it was written: one read back from report.json
    holds it in its block only (the base Struct knows no distributor's key)."""
    fields = structs.asdict(section)
    fields["customer"] = customer_of(section.block, scope) if isinstance(section.block, dict) else None
    return section_type(scope)(**fields)


@dataclass(frozen=True)
class DistributorSubscription:
    """A customer's subscription at its distributor, as each distributor's client decodes it at the border
    (auditor.vendors.<name>) and the reconciliation reads it: one typed row for all."""

    id: str
    company_id: str
    product_id: str
    product_name: str
    quantity: int
    status: str
    price: float | None
    currency: str | None
    billing_term: str
    start: str | None
    end: str | None
    commitment_term: str | None
    commitment_end: str | None
    # what the distributor bills the partner a seat (`price`: the customer's), where it gives it, and the
    # vendor's own ids: for Microsoft's products its subscription id and SKU id
    partner_cost: float | None = None
    vendor_subscription_id: str | None = None
    vendor_sku_id: str | None = None
    # the Microsoft SKU ids the distributor gives this subscription's product when it gives more than
    # one (one product id with two SKU ids, or a SKU listed twice in the customer's catalog):
    # then vendor_sku_id is None and the subscription is a gap, never matched to a product
    ambiguous_sku_ids: tuple[str, ...] = ()
    # a day its monthly term renews on (Pax8: its startDate), where the distributor gives one: a monthly
    # reduction outside Microsoft's seven days after a renewal waits for the next (auditor.vendors.terms)
    renews: str | None = None

    def __post_init__(self) -> None:  # given as a list (a stand-in's, a test's): kept as a tuple
        object.__setattr__(self, "ambiguous_sku_ids", tuple(self.ambiguous_sku_ids))


MAX_SEATS = 1_000_000  # a subscription's quantity above this is no seat count (our bound, not a distributor's)
MAX_PRICE = 1_000_000.0  # a seat's price above this is none either


@dataclass(frozen=True)
class Seller:
    """The distributor a reading is of, as the reconciliation names it (auditor.vendors.protocols.Distributor's
    own: auditor.vendors.distributor_sessions.seller): its key in the tenants file and report.json, its name in
    messages, its block's key naming the customer (`scope`), and the field of its subscriptions naming their
    Microsoft subscription, as a warning names it ("" when it gives none)."""

    key: str
    name: str
    scope: str
    ties: str = ""


class Payload(TypedDict, total=False):
    """One tenant's reading at its distributor, as `audit --tenants` hands it to the tenant's audit (in the
    process, never written): the distributor, its tenants entry's block, and its subscriptions (the records
    its client decoded at the border) or the reading's error in one line."""

    seller: Required[Seller]
    block: Required[Block]
    subscriptions: list[DistributorSubscription]
    error: str
    day: str  # the day its seats are counted as billed (the audit's as-of day, YYYY-MM-DD); absent: today
