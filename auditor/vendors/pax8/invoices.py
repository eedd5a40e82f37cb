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

A listing's pages are checked as the subscriptions' are (totalElements and totalPages agree, no page
past the last holds anything, the pages hold totalElements items, at most MAX_ITEMS); an item's values
pass auditor.billing.invoices.line_values (a whole quantity, a finite amount, a currency of three
capitals). Anything else is a Pax8Error naming the request: that invoice's gap.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeGuard

from auditor.billing.invoices import InvoiceError, InvoiceLine, identifier, line_values
from auditor.billing.untrusted import iso_date
from auditor.vendors.pax8.client import PAGE_SIZE, Pax8, Pax8Error

MAX_ITEMS = 200_000  # one invoice's items (1,000 pages): our bound
MAX_INVOICES = 2_000  # the partner's invoices listed (our bound: a monthly invoice for 160 years)


def _pages(pax8: Pax8, path: str, cap: int) -> list[Any]:
    """Every element of a paged listing, its pages checked against its totals."""
    found: list[Any] = []
    total, pages, number = None, 1, 0
    while number < pages:
        data = pax8.call("GET", path, path, params={"page": number, "size": PAGE_SIZE})
        doc = pax8.decode(data, f"GET {path}")
        content = doc.get("content") if isinstance(doc, dict) else None
        page = doc.get("page") if isinstance(doc, dict) else None
        elements = page.get("totalElements") if isinstance(page, dict) else None
        pages_now = page.get("totalPages") if isinstance(page, dict) else None
        if not isinstance(content, list) or not _whole(elements) or not _whole(pages_now):
            raise Pax8Error(f"GET {path}: the answer has no content list, totalElements and totalPages")
        if elements > cap:
            raise Pax8Error(f"GET {path}: {elements} listed, more than {cap}")
        if pages_now != math.ceil(elements / PAGE_SIZE) or len(content) > PAGE_SIZE:
            raise Pax8Error(f"GET {path}: page {number} of {pages_now} does not page {elements} by {PAGE_SIZE}")
        if total is not None and elements != total:
            raise Pax8Error(f"GET {path}: the listing changed while it was read ({total}, then {elements})")
        if number + 1 < pages_now and not content:
            raise Pax8Error(f"GET {path}: page {number} of {pages_now} is empty")
        total, pages = elements, pages_now
        found += content
        number += 1
    if len(found) != total:
        raise Pax8Error(f"GET {path}: Pax8 counts {total}, its pages held {len(found)}")
    return found


def _whole(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


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
    for raw in _pages(pax8, "/invoices", MAX_INVOICES):
        ident = raw.get("id") if isinstance(raw, Mapping) else None
        when = iso_date(raw.get("invoiceDate")) if isinstance(raw, Mapping) else None
        company = raw.get("companyId") if isinstance(raw, Mapping) else None
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
    for n, raw in enumerate(_pages(pax8, path, MAX_ITEMS)):
        if not isinstance(raw, Mapping):
            raise Pax8Error(f"GET {path}: item {n} is not an object")
        try:
            lines.append(
                line_values(
                    customer=raw.get("companyId"),
                    subscription=raw.get("subscriptionId") or raw.get("id"),
                    product_id=raw.get("productId"),
                    product_name=raw.get("productName"),
                    quantity=raw.get("quantity"),
                    amount=raw.get("costTotal"),
                    money=raw.get("currencyCode"),
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
