"""What Pax8 invoiced the partner (docs/msp.md, "What Microsoft and Pax8 invoiced"), read with the Pax8
session the distributor's seats are read with (auditor.vendors.pax8.client.Pax8: its token, bounded reads and
strict JSON):

    GET /v1/invoices                       the partner's invoices, paged (page from 0, size 200: "The
                                           maximum page size is 200"): each invoice's id and date
    GET /v1/invoices/{invoiceId}/items     the invoice's items, paged alike: each item's companyId,
                                           subscriptionId, productId, productName, quantity, costTotal
                                           (what the partner pays for the line) and currencyCode

    invoice_ids(pax8)                      every invoice of the partner: (id, invoiceDate), newest first
    listed_invoices(pax8)                  the same with each invoice's companyId (Listed)
    latest(listed, today)                  the partner's own newest invoice (no companyId), and which month
    invoice_lines(pax8, invoice_id)        every item of one invoice as an InvoiceLine, checked

A listing is read as the subscriptions' is, by one reader (Pax8.listing: its pages checked against their
totals, at most MAX_INVOICES invoices, MAX_ITEMS items of an invoice), each invoice and item decoded by the
fields read (auditor.common.shapes); an item's values pass auditor.billing.invoices.line_values (a whole
quantity, a finite amount, a currency of three capitals). Anything else is a Pax8Error naming the request:
that invoice's gap.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import msgspec

from auditor.billing.invoices import InvoiceError, InvoiceLine, identifier, line_values
from auditor.billing.untrusted import iso_date
from auditor.common import shapes
from auditor.vendors.pax8.client import Pax8, Pax8Error

MAX_ITEMS = 200_000  # one invoice's items (1,000 pages): our bound
MAX_INVOICES = 2_000  # the partner's invoices listed (our bound: a monthly invoice for 160 years)


class _Invoice(msgspec.Struct, frozen=True, rename="camel"):
    """One invoice of Pax8's listing, by the fields read (others are dropped); each value is still
    untrusted and checked as listed_invoices reads it."""

    id: object = None
    invoice_date: object = None
    company_id: object = None


class _Item(msgspec.Struct, frozen=True, rename="camel"):
    """One item of an invoice, by the fields read; each value is still untrusted (line_values checks it)."""

    id: object = None
    company_id: object = None
    subscription_id: object = None
    product_id: object = None
    product_name: object = None
    quantity: object = None
    cost_total: object = None
    currency_code: object = None


@dataclass(frozen=True)
class Listed:
    """One of the invoices Pax8 lists: its id, its invoiceDate, and its companyId ("The company id"), None
    for an invoice that names no company (the partner's own: `latest` reads only those)."""

    id: str
    date: str
    company: str | None = None


def listed_invoices(pax8: Pax8) -> list[Listed]:
    """Each of the invoices Pax8 lists (id, invoiceDate, companyId), the newest first; a Pax8Error when the
    listing is not read whole or an invoice gives no id or date, or a companyId that is not text."""
    listed = []
    for raw in pax8.listing("/invoices", "invoices", MAX_INVOICES):
        invoice = shapes.convert(raw, _Invoice) if isinstance(raw, Mapping) else _Invoice()
        ident, when, company = invoice.id, iso_date(invoice.invoice_date), invoice.company_id
        try:
            own = identifier(ident, "an invoice's id", "GET /invoices")
        except InvoiceError as exc:
            raise Pax8Error(str(exc)) from None
        if when is None:
            raise Pax8Error(f"GET /invoices: invoice {str(ident)[:40]!r} gives no invoiceDate")
        if company is not None and not isinstance(company, str):
            raise Pax8Error(f"GET /invoices: invoice {own[:40]!r} gives a companyId that is no id")
        listed.append(Listed(own, when, company or None))
    if len({i.id.casefold() for i in listed}) != len(listed):
        raise Pax8Error("GET /invoices: an invoice is listed twice")
    return sorted(listed, key=lambda i: (i.date, i.id), reverse=True)


def invoice_ids(pax8: Pax8) -> list[tuple[str, str]]:
    """(id, invoiceDate) of each of the partner's invoices, the newest first (listed_invoices)."""
    return [(i.id, i.date) for i in listed_invoices(pax8)]


FINAL_DAY = 5  # "the final invoice generated on the 5th of the month" (Pax8's findPartnerDraftInvoiceItems)


def latest(listed: list[Listed], today: date) -> tuple[Listed | None, str]:
    """The partner's newest invoice (one with no companyId: an invoice carrying a companyId is one company's,
    Pax8's schema lets the list be filtered by it), and the sentence saying which month it is: read before
    the 5th of a month, the month's final invoice is not generated yet, so `latest` is last month's."""
    own = [i for i in listed if i.company is None]
    if not own:
        others = len(listed)
        return None, (
            f"Pax8 lists {others} invoice(s), each one company's (a companyId): no invoice of the partner's own; "
            "name it by its id (--pax8-invoice ID)"
            if others
            else "Pax8 lists no invoice of the partner"
        )
    found = own[0]
    month = date.fromisoformat(found.date[:10]).strftime("%B %Y")
    said = f"invoiced on {found.date[:10]}, {month}'s invoice"
    if today.day < FINAL_DAY and found.date[:7] < today.isoformat()[:7]:
        said += (
            f"; read on {today.isoformat()}, before the {FINAL_DAY}th, when Pax8 generates the month's final "
            "invoice: last month's"
        )
    return found, said


def invoice_lines(pax8: Pax8, invoice_id: str) -> list[InvoiceLine]:
    """Every item of one invoice as an InvoiceLine (an item charged to no subscription is keyed by its
    own id); a Pax8Error naming the request or the item otherwise."""
    try:
        path = f"/invoices/{identifier(invoice_id, 'the invoice id', 'GET /invoices')}/items"
    except InvoiceError as exc:
        raise Pax8Error(str(exc)) from None
    lines = []
    for n, raw in enumerate(pax8.listing(path, "items", MAX_ITEMS)):
        if not isinstance(raw, Mapping):
            raise Pax8Error(f"GET {path}: item {n} is not an object")
        item = shapes.convert(raw, _Item)
        try:
            lines.append(
                line_values(
                    customer=item.company_id,
                    subscription=item.subscription_id or item.id,
                    product_id=item.product_id,
                    product_name=item.product_name,
                    quantity=item.quantity,
                    amount=item.cost_total,
                    money=item.currency_code,
                    where=f"GET {path}, item {n}",
                )
            )
        except InvoiceError as exc:
            raise Pax8Error(str(exc)) from None
    return lines


class Pax8Invoices:
    """Pax8's invoices through one session (auditor.vendors.protocols.InvoiceSession)."""

    def __init__(self, pax8: Pax8) -> None:
        self.pax8 = pax8

    def invoice_ids(self) -> list[tuple[str, str]]:
        return invoice_ids(self.pax8)

    def latest(self, today: date) -> tuple[str | None, str]:
        found, said = latest(listed_invoices(self.pax8), today)
        return (found.id if found is not None else None), said

    def invoice_lines(self, invoice_id: str) -> list[InvoiceLine]:
        return invoice_lines(self.pax8, invoice_id)
