"""What the partner was invoiced, in the roll-up (docs/msp.md, "What Microsoft and Pax8 invoiced"): each
tenant's `invoices` of tenants.json, read from its invoice.json (auditor.fleet.invoice_reads), and its
cell of tenants.md and digest.html: per invoice, the products it bills otherwise than the tenant holds
them or the PSA bills them, then what it charges the MSP for seats nobody holds, for seats the MSP does
not bill the customer, and for products the tenant does not hold. An invoice that could not be read is
its gap, never "no differences". The roll-up goes to the MSP only (its run record says so: `email`
never sends it to a customer): the invoice is the MSP's cost.

A product's amount is shared evenly over its invoiced seats: the seats nobody holds are charged their
share (the invoiced seats above the assigned ones), as are those the PSA does not bill (above the PSA's
quantity); a product the tenant does not hold, or a line matched to none of its products, its whole
amount. Our reading of the lines, said in docs/msp.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from auditor.common.errors import clean_message
from auditor.common.outputs import INVOICE_FILE
from auditor.data.model import Locale

from ..billing.invoices import KINDS, InvoiceFile, InvoiceRow, InvoiceSection
from ..i18n import Translations, format_money, format_number
from ..vendors.registry import DISTRIBUTORS
from .rollup_model import InvoicedOtherwise, InvoiceFigures, TenantRow
from .vendor_cells import read_back

FILE_NAME = INVOICE_FILE  # each tenant's, in its folder (written by auditor.fleet.invoice_reads)
GAP_SHOWN = 300  # characters of an invoice's gap in tenants.json (invoice.json holds it whole)
NAME_SHOWN = 80  # characters of a product's name (an unmatched line's comes from the invoice)
NAMED = 5  # products a cell names; the rest are counted
# the invoices read: Microsoft's, and each distributor's that invoices the partner through its API (names,
# not translated)
SOURCES = {"microsoft": "Microsoft", **{key: d.name for key, d in DISTRIBUTORS.items() if d.invoices is not None}}


def invoice_figures(folder: Path) -> list[InvoiceFigures] | None:
    """The tenant's invoices of the run (its invoice.json), each summed up (`figures`); None without one."""
    doc = read_back(folder, FILE_NAME, InvoiceFile)  # None: no invoice read tonight
    return [figures(s) for s in doc.invoices if s.source in SOURCES] if doc is not None else None


def _plain(text: str, most: int) -> str:
    """An invoice's text (a product's name, a gap quoting a line) on one line, without the controls that
    make it read otherwise than it is (the digest is HTML: escaped, but a bidirectional override is not)."""
    return " ".join(clean_message(text).split())[:most]


def _share(row: InvoiceRow, seats: int) -> float | None:
    """The row's amount for `seats` of its invoiced seats (each seat an even share)."""
    if row.amount is None or not row.invoiced or seats <= 0:
        return None
    return row.amount * min(seats, row.invoiced) / row.invoiced


def _sum(values: Sequence[float | None], one: bool) -> float | None:
    found = [v for v in values if v is not None]
    return round(sum(found), 2) if one and found else None


def figures(section: InvoiceSection) -> InvoiceFigures:
    """tenants.json's figures of one invoice of a tenant: the products it bills otherwise (named), the
    count of each difference, and what it charges for them (in the invoice's one currency; None when its
    products are in several, or none is charged); its gap instead when it could not be read."""
    head: InvoiceFigures = {
        "source": section.source,
        "invoice_id": section.invoice_id[:100],
        "gap": _plain(section.gap, GAP_SHOWN) if section.gap is not None else None,
        "invoiced": None,
        "differences": None,
    }
    if section.gap is not None:
        return head
    differ = [r for r in section.rows if any(k in KINDS for k in r.kinds)]
    kinds: dict[str, int] = {}
    for row in differ:
        for kind in row.kinds:
            kinds[kind] = kinds.get(kind, 0) + 1
    currencies = {r.currency for r in section.rows if r.currency and r.invoiced is not None}
    one = len(currencies) <= 1

    def above(row: InvoiceRow, other: int | None, kind: str) -> float | None:
        """The row's amount for its invoiced seats above `other` (assigned, or billed by the PSA)."""
        if kind not in row.kinds or row.invoiced is None or other is None:
            return None
        return _share(row, row.invoiced - other)

    unheld = [above(r, r.assigned, "invoiced_unassigned") for r in differ]
    unbilled = [above(r, r.psa_billed, "invoiced_not_billed") for r in differ]
    return {
        **head,
        "invoiced": sum(1 for r in section.rows if r.invoiced is not None),
        "differences": len(differ),
        "kinds": dict(sorted(kinds.items())),
        "products": [_named(r) for r in differ],
        "unheld_amount": _sum(unheld, one),
        "unbilled_amount": _sum(unbilled, one),
        "not_held_amount": _sum([r.amount for r in differ if "not_in_tenant" in r.kinds], one),
        "unmatched_amount": _sum([r.amount for r in differ if "not_matched" in r.kinds], one),
        "currency": next(iter(currencies)) if len(currencies) == 1 else None,
    }


def _named(row: InvoiceRow) -> InvoicedOtherwise:
    return {
        "sku": row.sku,
        "product": _plain(row.product, NAME_SHOWN),
        "differences": [k for k in row.kinds if k in KINDS],
        "invoiced": row.invoiced,
        "assigned": row.assigned,
        "psa_billed": row.psa_billed,
        "amount": row.amount,
        "currency": row.currency,
    }


def invoice_cell(row: TenantRow, t: Translations, locale: Locale) -> str:
    """ "Pax8: 4 (Microsoft 365 E3, …) · invoiced to you: €459.30 for seats nobody holds, …": per invoice,
    how many products it bills otherwise and which, then what it charges for them; "not read" and its
    gap when it could not be read; "–" without an invoice read."""
    found = row.get("invoices")
    if not isinstance(found, list) or not found:
        return "–"
    return "; ".join(f"{SOURCES.get(str(i.get('source')), '?')}: {_said(i, t, locale)}" for i in found)


def _said(invoice: Mapping[str, object], t: Translations, locale: Locale) -> str:
    if invoice.get("gap") is not None or not isinstance(invoice.get("differences"), int):
        gap = str(invoice.get("gap") or "")
        return t.pgettext("rollup_invoice_unread", "not read, not compared: {gap}", gap=gap)
    if not invoice.get("invoiced"):
        return t.pgettext("rollup_invoice_no_line", "no line of the invoice is this customer's")
    listed = invoice.get("products")
    products = [p for p in listed if isinstance(p, Mapping)] if isinstance(listed, list) else []
    names = [str(p.get("product")) for p in products[:NAMED]]
    if len(products) > NAMED:
        more = len(products) - NAMED
        names.append(t.npgettext("rollup_invoice_more", "{n} more", "{n} more", more))
    cell = format_number(len(products), locale) + (f" ({', '.join(names)})" if names else "")
    currency = invoice.get("currency")

    def money(key: str) -> str | None:
        value = invoice.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool) and value and isinstance(currency, str):
            return format_money(value, currency, locale)
        return None

    parts = []
    if amount := money("unheld_amount"):
        parts.append(t.pgettext("rollup_invoice_unheld", "{amount} for seats nobody holds", amount=amount))
    if amount := money("unbilled_amount"):
        parts.append(
            t.pgettext("rollup_invoice_unbilled", "{amount} for seats you do not bill the customer", amount=amount)
        )
    if amount := money("not_held_amount"):
        parts.append(
            t.pgettext("rollup_invoice_not_held", "{amount} for products the tenant does not hold", amount=amount)
        )
    if amount := money("unmatched_amount"):
        parts.append(
            t.pgettext(
                "rollup_invoice_unmatched",
                "{amount} for products that match none of the tenant's products",
                amount=amount,
            )
        )
    if parts:
        cell += " · " + t.pgettext("rollup_invoice_money", "invoiced to you: {amounts}", amounts=", ".join(parts))
    return cell


def row_ok(value: object) -> bool:
    """tenants.json's `invoices` of a row as invoice_figures writes it (a joined shard's is checked)."""
    if value is None:
        return True
    return isinstance(value, list) and all(
        isinstance(i, dict)
        and i.get("source") in SOURCES
        and isinstance(i.get("invoice_id"), str)
        and (i.get("gap") is None or isinstance(i["gap"], str))
        and (i.get("differences") is None or type(i["differences"]) is int)
        and (i.get("gap") is None or i.get("differences") is None)  # a gap is never "no differences"
        and isinstance(i.get("products", []), list)
        for i in value
    )
