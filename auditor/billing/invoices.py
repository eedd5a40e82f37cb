"""What the partner was invoiced, per customer and product, beside the tenant's seats (docs/msp.md,
"What Microsoft and Pax8 invoiced"): the typed part both invoice readers hand on, and the comparison.

    InvoiceLine             one charge line of an invoice, its values checked (line_values): the
                            customer, the subscription, the product as the invoice names it, a whole
                            quantity and an amount in a currency
    CustomerInvoice         one customer's lines of one invoice, or why the invoice could not be read
                            (`gap`: named, never an empty invoice that reads as "no differences")
    InvoicedProduct         one product of it, matched to a tenant product (`sku`, `matched_by`), the
                            invoiced quantity and amount: the column a three-way table (tenant,
                            distributor, PSA) takes as its fourth (`for_sku`)
    invoiced(invoice, ...)  the customer's lines grouped into InvoicedProducts, each matched to one of
                            the tenant's products: by the tenants entry's map, else by its name
    compare(invoice, seats) per tenant product: assigned, enabled, invoiced quantity and amount, and
                            the difference named (InvoiceRow)

The quantity of a product is, per subscription, the largest quantity the invoice charges it for (a
subscription charged twice in a period, a new purchase then a cycle charge, is one subscription's
seats, not their sum), summed over the product's subscriptions; its amount is the sum of every line's
amount, credits (negative amounts) included. Both are our reading of the lines, said in docs/msp.md.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import msgspec

from auditor.common.currency import is_currency
from auditor.reference import product_names

MAX_QUANTITY = 1_000_000  # one line's seats: more is no seat count (our bound)
MAX_AMOUNT = 100_000_000.0  # one line's amount, either sign (our bound)
MAX_LINES = 2_000_000  # one invoice's lines read in all (our bound: a partner's month of a few thousand customers)
_ID = re.compile(r"[0-9A-Za-z][0-9A-Za-z._:/-]{0,99}\Z")
MATCHES = ("map", "name", "none")


class InvoiceError(Exception):
    """An invoice could not be read whole: a gap, in one line naming the request or the line."""


@dataclass(frozen=True)
class InvoiceLine:
    customer: str  # the customer's tenant id (Microsoft) or its id at the distributor, lower case
    subscription: str
    product_id: str  # the invoice's own product id (Partner Center's ProductId, the distributor's)
    product_name: str  # the invoice's product name (SkuName or ProductName, the distributor's)
    quantity: int
    amount: float
    currency: str


@dataclass(frozen=True)
class InvoicedProduct:
    """One product of a customer's invoice: `sku` the tenant product it is (its part number), None when
    not matched (`matched_by` none: its lines are shown, compared with nothing)."""

    product_id: str
    product_name: str
    sku: str | None
    matched_by: str  # one of MATCHES
    quantity: int
    amount: float
    currency: str
    subscriptions: tuple[str, ...]


@dataclass(frozen=True)
class CustomerInvoice:
    """One customer's part of one invoice (`source`: microsoft or a distributor's key), or its gap."""

    source: str
    invoice_id: str
    customer: str
    products: tuple[InvoicedProduct, ...] = ()
    gap: str | None = None
    lines: int = 0  # the invoice's lines that are this customer's (0: the invoice bills it nothing)

    def for_sku(self, part_number: str) -> InvoicedProduct | None:
        """The invoiced product matched to `part_number` (a three-way table's fourth column); None
        when the invoice bills it nothing, or when the invoice could not be read (then `gap`)."""
        key = part_number.upper()
        return next((p for p in self.products if p.sku is not None and p.sku.upper() == key), None)


def _refuse(where: str, what: str, value: object) -> InvoiceError:
    return InvoiceError(f"{where}: {what} {str(value)[:40]!r} is not one the invoice sends")


def text(value: object, what: str, where: str, *, required: bool = False, most: int = 400) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value) or len(value) > most:
        raise _refuse(where, what, value)
    return value


def identifier(value: object, what: str, where: str) -> str:
    if not isinstance(value, str) or not _ID.match(value):
        raise _refuse(where, what, value)
    return value


def number(value: object, what: str, where: str, *, whole: bool, most: float) -> float:
    """A finite number from -most to most (a whole one with `whole`); a number given as text ("25", as
    Partner Center's line items write theirs) is read as the number it spells; else refused."""
    if isinstance(value, str) and re.fullmatch(r"-?\d{1,12}(\.\d{1,12})?", value):
        value = float(value)
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not -most <= value <= most
        or (whole and value != int(value))
    ):
        raise _refuse(where, what, value)
    return float(value)


def currency(value: object, where: str) -> str:
    if not is_currency(value):
        raise _refuse(where, "the currency", value)
    return value


def line_values(
    *,
    customer: object,
    subscription: object,
    product_id: object,
    product_name: object,
    quantity: object,
    amount: object,
    money: object,
    where: str,
) -> InvoiceLine:
    """One line, every value checked (the invoice is untrusted): ids of letters, digits and `.-_:/`, a
    whole quantity and a finite amount within our bounds, a currency of three capital letters."""
    return InvoiceLine(
        customer=identifier(customer, "the customer", where).lower(),
        subscription=identifier(subscription, "the subscription", where),
        product_id=text(product_id, "the product id", where, most=100),
        product_name=text(product_name, "the product name", where),
        quantity=int(number(quantity, "the quantity", where, whole=True, most=MAX_QUANTITY)),
        amount=number(amount, "the amount", where, whole=False, most=MAX_AMOUNT),
        currency=currency(money, where),
    )


@dataclass(frozen=True)
class TenantProduct:
    """One of the tenant's products as its report.json's seat table gives it (`skus`)."""

    sku: str  # part number
    sku_id: str
    assigned: int
    enabled: int


def _names(products: Sequence[TenantProduct]) -> dict[str, list[str]]:
    """Each product's display name (Microsoft's product table, else its part number), lower case -> parts."""
    table = product_names()
    names: dict[str, list[str]] = {}
    for product in products:
        for name in {table.product(product.sku_id, product.sku) or product.sku, product.sku}:
            names.setdefault(name.casefold(), []).append(product.sku)
    return names


def _match(line: InvoiceLine, products: Mapping[str, str], names: Mapping[str, list[str]]) -> tuple[str | None, str]:
    """(part number, how) of the tenant product a line is: the entry's map by the invoice's product id,
    else the one tenant product whose name is the line's; else (None, none): never guessed among two."""
    mapped = products.get(line.product_id.casefold())
    if mapped:
        return mapped, "map"
    named = names.get(line.product_name.casefold(), [])
    if len(set(named)) == 1:
        return named[0], "name"
    return None, "none"


def invoiced(
    source: str,
    invoice_id: str,
    customer: str,
    lines: Iterable[InvoiceLine],
    tenant: Sequence[TenantProduct],
    products: Mapping[str, str] | None = None,
) -> CustomerInvoice:
    """The customer's lines grouped by the tenant product each is (or by the invoice's own product when
    none): per subscription its largest quantity, summed; every amount summed. A product invoiced in two
    currencies is the customer's gap: which figure is the invoice's is not guessed."""
    mapping = {k.casefold(): v for k, v in (products or {}).items()}
    names = _names(tenant)
    groups: dict[tuple[str, str], list[tuple[InvoiceLine, str | None, str]]] = {}
    count = 0
    for line in lines:
        if line.customer != customer.lower():
            continue
        count += 1
        sku, how = _match(line, mapping, names)
        key = ("sku", sku.upper()) if sku else ("product", (line.product_id or line.product_name).casefold())
        groups.setdefault(key, []).append((line, sku, how))
    found = []
    for key in sorted(groups):
        group = groups[key]
        currencies = {line.currency for line, _, _ in group}
        first, sku, _ = group[0]
        if len(currencies) > 1:
            shown = sku or first.product_name or first.product_id
            gap = f"{shown} is invoiced in {' and '.join(sorted(currencies))}: its amount is not summed"
            return CustomerInvoice(source, invoice_id, customer.lower(), gap=gap)
        most: dict[str, int] = {}
        for line, _, _ in group:
            most[line.subscription] = max(most.get(line.subscription, 0), line.quantity)
        how = min((h for _, _, h in group), key=MATCHES.index)  # a product is matched as its weakest line
        found.append(
            InvoicedProduct(
                product_id=first.product_id,
                product_name=first.product_name,
                sku=sku,
                matched_by=how if sku else "none",
                quantity=sum(most.values()),
                amount=round(sum(line.amount for line, _, _ in group), 2),
                currency=first.currency,
                subscriptions=tuple(sorted(most)),
            )
        )
    return CustomerInvoice(source, invoice_id, customer.lower(), tuple(found), lines=count)


class InvoiceRow(msgspec.Struct, frozen=True, kw_only=True):
    """One row of a tenant's invoice table: the tenant's seats beside the invoice's (None: not invoiced,
    or not read: the invoice's gap says which). invoice.json's row, written and read as it is."""

    sku: str | None
    product: str
    assigned: int | None
    enabled: int | None
    # the three-way table's other columns, when the tenant's report has them (None: not read, or none)
    distributor_billed: int | None = None
    psa_billed: int | None = None
    invoiced: int | None
    amount: float | None
    currency: str | None
    kinds: tuple[str, ...] = msgspec.field(default=(), name="differences")


class InvoiceSection(msgspec.Struct, frozen=True, kw_only=True):
    """One invoice of a tenant's invoice.json (auditor.fleet.invoice_reads): its rows, or its gap."""

    source: str  # microsoft, or the distributor's key (auditor.fleet.invoice_cells.SOURCES)
    invoice_id: str
    gap: str | None
    rows: list[InvoiceRow]


class InvoiceFile(msgspec.Struct, frozen=True, kw_only=True):
    """A tenant's invoice.json: each invoice the run read that concerns it."""

    invoices: list[InvoiceSection]


# the differences a row names, in the order a reader meets them. A product the tenant holds that the
# invoice bills nothing of is no difference: the customer may buy it elsewhere (its row shows no figure)
KINDS = (
    "invoiced_more",
    "invoiced_unassigned",
    "invoiced_fewer",
    "invoiced_not_billed",
    "not_in_tenant",
    "not_matched",
)


def _kinds(product: TenantProduct | None, bill: InvoicedProduct | None) -> tuple[str, ...]:
    if bill is None:
        return ()
    if bill.sku is None:
        return ("not_matched",)
    if product is None:
        return ("not_in_tenant",)
    kinds = []
    if bill.quantity > product.enabled:
        kinds.append("invoiced_more")
    if bill.quantity > product.assigned:
        kinds.append("invoiced_unassigned")
    if bill.quantity < product.enabled:
        kinds.append("invoiced_fewer")
    return tuple(kinds)


def compare(
    invoice: CustomerInvoice,
    tenant: Sequence[TenantProduct],
    billed: Mapping[str, tuple[int | None, int | None]] | None = None,
) -> list[InvoiceRow]:
    """The tenant's products beside the invoice's, one row each (the invoice's unmatched products last).
    An invoice with a gap compares nothing: the rows say the tenant's seats and no invoiced figure, and
    name no difference (the gap names why). `billed`: the three-way table's columns by part number (the
    distributor's seats, the PSA's billed to the customer): invoiced above the PSA's is
    invoiced_not_billed, seats the MSP is invoiced for and does not bill."""
    table = product_names()
    others = {k.upper(): v for k, v in (billed or {}).items()}
    rows = []
    for product in sorted(tenant, key=lambda p: p.sku):
        bill = None if invoice.gap else invoice.for_sku(product.sku)
        name = table.product(product.sku_id, product.sku) or product.sku
        distributor, psa = others.get(product.sku.upper(), (None, None))
        kinds = () if invoice.gap else _kinds(product, bill)
        if bill is not None and psa is not None and bill.quantity > psa:
            kinds = (*kinds, "invoiced_not_billed")
        rows.append(
            InvoiceRow(
                sku=product.sku,
                product=name,
                assigned=product.assigned,
                enabled=product.enabled,
                invoiced=bill.quantity if bill else None,
                amount=bill.amount if bill else None,
                currency=bill.currency if bill else None,
                kinds=kinds,
                distributor_billed=distributor,
                psa_billed=psa,
            )
        )
    held = {p.sku.upper() for p in tenant}
    for bill in invoice.products:
        if bill.sku is not None and bill.sku.upper() in held:
            continue
        rows.append(
            InvoiceRow(
                sku=bill.sku,
                product=(table.product(None, bill.sku) if bill.sku else None) or bill.product_name or bill.product_id,
                assigned=None,
                enabled=None,
                invoiced=bill.quantity,
                amount=bill.amount,
                currency=bill.currency,
                kinds=_kinds(None, bill),
            )
        )
    return rows
