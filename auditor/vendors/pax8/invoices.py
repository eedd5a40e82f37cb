"""What Pax8 invoiced the partner (docs/msp.md, "What Microsoft and Pax8 invoiced"), read with the Pax8
session the distributor's seats are read with (auditor.vendors.pax8.client.Pax8: its token, bounded reads and
strict JSON):

    GET /v1/invoices                       the partner's invoices, paged (page from 0, size 200: "The
                                           maximum page size is 200"): each invoice's id and date
    GET /v1/invoices/{invoiceId}/items     the invoice's items, paged alike: each item's companyId,
                                           subscriptionId, productId, productName, quantity, costTotal
                                           (what the partner pays for the line) and currencyCode

    invoice_ids(pax8)                      every invoice of the partner: (id, invoiceDate), newest first
    invoice_lines(pax8, invoice_id)        every item of one invoice as an InvoiceLine, checked

A listing's pages are checked as the subscriptions' are (totalElements and totalPages agree, no page
past the last holds anything, the pages hold totalElements items, at most MAX_ITEMS); an item's values
pass auditor.billing.invoices.line_values (a whole quantity, a finite amount, a currency of three
capitals). Anything else is a Pax8Error naming the request: that invoice's gap.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
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
        doc = pax8.value(data, f"GET {path}")
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


def invoice_ids(pax8: Pax8) -> list[tuple[str, str]]:
    """(id, invoiceDate) of each of the partner's invoices, the newest first; a Pax8Error when the
    listing is not read whole or an invoice gives no id or date."""
    listed = []
    for raw in _pages(pax8, "/invoices", MAX_INVOICES):
        ident = raw.get("id") if isinstance(raw, Mapping) else None
        when = iso_date(raw.get("invoiceDate")) if isinstance(raw, Mapping) else None
        try:
            listed.append((identifier(ident, "an invoice's id", "GET /invoices"), when or ""))
        except InvoiceError as exc:
            raise Pax8Error(str(exc)) from None
        if when is None:
            raise Pax8Error(f"GET /invoices: invoice {str(ident)[:40]!r} gives no invoiceDate")
    if len({i.casefold() for i, _ in listed}) != len(listed):
        raise Pax8Error("GET /invoices: an invoice is listed twice")
    return sorted(listed, key=lambda pair: (pair[1], pair[0]), reverse=True)


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

    def invoice_lines(self, invoice_id: str) -> list[InvoiceLine]:
        return invoice_lines(self.pax8, invoice_id)
