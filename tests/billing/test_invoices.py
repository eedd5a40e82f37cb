"""What the partner was invoiced beside the tenant's seats: lines grouped per product (a subscription's
largest quantity, summed; every amount summed), matched by the tenants entry's map or by one product's
name, never guessed; Pax8's invoices read from the stand-in, paged and checked; an invoice that cannot
be read is a gap whose rows name no difference."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from auditor.billing.invoices import CustomerInvoice, InvoiceLine, TenantProduct, compare, invoiced
from auditor.vendors.pax8.client import Pax8, Pax8Error
from auditor.vendors.pax8.invoices import Listed, invoice_ids, invoice_lines, latest
from auditor_dev.commerce.pax8 import SAMPLE_COMPANY, SAMPLE_INVOICE, Pax8StandIn, sample_pax8, sample_pax8_invoice

CUSTOMER = "00000000-0000-0000-0000-000000000001"
TENANT = [
    TenantProduct("SPE_E3", "05e9a617-0261-4cee-bb44-138d3ef5d965", assigned=203, enabled=204),
    TenantProduct("POWER_BI_PRO", "f8a1db68-be16-40ed-86d5-cb42ce701560", assigned=31, enabled=34),
    TenantProduct("EXCHANGESTANDARD", "4b9405b0-7788-4568-add1-99614e613b69", assigned=2, enabled=4),
]


def _line(sub: str, product: str, quantity: int, amount: float, *, money: str = "EUR", pid: str = "") -> InvoiceLine:
    return InvoiceLine(CUSTOMER, sub, pid, product, quantity, amount, money)


def test_a_subscription_charged_twice_is_its_largest_quantity_and_every_amount() -> None:
    lines = [
        _line("s1", "Microsoft 365 E3", 200, 6750.0),
        _line("s1", "Microsoft 365 E3", 210, 337.5),  # a proration after 10 seats were added
        _line("s2", "Microsoft 365 E3", 5, 168.75),
        _line("s3", "Power BI Pro", 30, 363.0),
        InvoiceLine("another-customer", "s9", "", "Power BI Pro", 99, 1.0, "EUR"),
    ]
    invoice = invoiced("microsoft", "G1", CUSTOMER, lines, TENANT)
    e3 = invoice.for_sku("spe_e3")
    assert e3 is not None and (e3.quantity, e3.amount, e3.matched_by) == (215, 7256.25, "name")
    assert e3.subscriptions == ("s1", "s2")
    assert invoice.lines == 4  # the other customer's line is not this one's
    rows = {r.sku: r for r in compare(invoice, TENANT)}
    assert rows["SPE_E3"].kinds == ("invoiced_more", "invoiced_unassigned")
    assert rows["POWER_BI_PRO"].kinds == ("invoiced_fewer",)
    assert rows["EXCHANGESTANDARD"].invoiced is None and rows["EXCHANGESTANDARD"].kinds == ()


def test_the_map_names_a_product_and_a_name_two_products_share_is_not_guessed() -> None:
    twins = [*TENANT, TenantProduct("SPE_E3_USGOV", "x", 0, 0)]
    lines = [_line("s1", "Something", 3, 30.0, pid="PAX-E3"), _line("s2", "Unknown thing", 2, 4.0, pid="P9")]
    invoice = invoiced("pax8", "I1", CUSTOMER, lines, twins, {"pax-e3": "SPE_E3"})
    assert [(p.sku, p.matched_by) for p in invoice.products] == [(None, "none"), ("SPE_E3", "map")]
    rows = compare(invoice, twins)
    assert rows[-1].sku is None and rows[-1].kinds == ("not_matched",) and rows[-1].product == "Unknown thing"
    mapped_away = invoiced("pax8", "I1", CUSTOMER, [_line("s1", "x", 1, 1.0, pid="P")], TENANT, {"P": "VISIOCLIENT"})
    assert compare(mapped_away, TENANT)[-1].kinds == ("not_in_tenant",)


def test_a_product_invoiced_in_two_currencies_is_the_customers_gap() -> None:
    lines = [_line("s1", "Power BI Pro", 3, 30.0), _line("s2", "Power BI Pro", 2, 20.0, money="USD")]
    invoice = invoiced("microsoft", "G1", CUSTOMER, lines, TENANT)
    assert invoice.gap == "POWER_BI_PRO is invoiced in EUR and USD: its amount is not summed"
    assert invoice.for_sku("POWER_BI_PRO") is None


def test_an_invoice_not_read_names_no_difference() -> None:
    gap = CustomerInvoice("microsoft", "G1", CUSTOMER, gap="HTTP 403")
    rows = compare(gap, TENANT)
    assert [r.sku for r in rows] == ["EXCHANGESTANDARD", "POWER_BI_PRO", "SPE_E3"]
    assert all(r.invoiced is None and r.kinds == () for r in rows)  # not "no differences": the gap says why


@pytest.fixture
def pax8() -> Iterator[tuple[Pax8StandIn, Pax8]]:
    companies, subscriptions, _ = sample_pax8("")
    invoices, items = sample_pax8_invoice()
    older = dict(invoices[0], id="7c1d2e3f-4a5b-4c6d-8e7f-900000000010", invoiceDate="2026-10-04")
    secret = secrets.token_urlsafe(8)
    stand_in = Pax8StandIn(
        client_id="c",
        client_secret=secret,
        companies=companies,
        subscriptions=subscriptions,
        invoices=[older, *invoices],
        invoice_items=items,
    )
    with stand_in, Pax8("c", secret, endpoint=stand_in.url) as client:
        yield stand_in, client


def test_pax8s_invoices_newest_first_and_their_items(pax8: tuple[Pax8StandIn, Pax8]) -> None:
    _, client = pax8
    assert [i for i, _ in invoice_ids(client)] == [SAMPLE_INVOICE, "7c1d2e3f-4a5b-4c6d-8e7f-900000000010"]
    lines = invoice_lines(client, SAMPLE_INVOICE)
    first = lines[0]
    assert (first.customer, first.product_name, first.quantity, first.amount) == (
        SAMPLE_COMPANY,
        "Microsoft 365 E3",
        210,
        6384.0,  # costTotal: 210 seats at the partner's 30.40
    )
    invoice = invoiced(
        "pax8", SAMPLE_INVOICE, SAMPLE_COMPANY, lines, TENANT, {"a1e3e3e3-0000-4000-8000-0000000000e3": "SPE_E3"}
    )
    assert invoice.for_sku("SPE_E3") is not None and invoice.for_sku("SPE_E3").matched_by == "map"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"quantity": 2.5}, "the quantity"),
        ({"costTotal": 1e300}, "the amount"),
        pytest.param(
            {"currencyCode": None}, "the currency", marks=pytest.mark.off_contract("a string in Pax8's schema")
        ),
        ({"companyId": "../x"}, "the customer"),
    ],
)
def test_an_item_out_of_shape_is_the_invoices_gap(
    pax8: tuple[Pax8StandIn, Pax8], change: dict[str, Any], said: str
) -> None:
    stand_in, client = pax8
    stand_in.invoice_items[SAMPLE_INVOICE][1].update(change)
    with pytest.raises(Pax8Error, match=f"GET /invoices/{SAMPLE_INVOICE}/items, item 1: {said}"):
        invoice_lines(client, SAMPLE_INVOICE)


@pytest.mark.parametrize(
    ("page", "said"),
    [
        ({"number": 1}, "GET /invoices: page 1 of 1 does not page 2 by 200"),  # not checked before issue 106
        ({"totalElements": 3}, "GET /invoices: Pax8 counts 3 invoices, its pages held 2"),
        ({"totalElements": 2001, "totalPages": 11}, "GET /invoices: 2001 invoices, more than 2000"),
        ({"totalPages": "1"}, "GET /invoices: the answer's page gives no totalElements and totalPages"),
    ],
    ids=["another-page", "fewer", "too-many", "no-total-pages"],
)
def test_the_invoices_pages_are_checked_as_the_subscriptions_are(
    pax8: tuple[Pax8StandIn, Pax8], monkeypatch: pytest.MonkeyPatch, page: dict[str, Any], said: str
) -> None:
    """One reader reads every listing of Pax8's (Pax8.listing, issue 106): the invoices' pages are held
    to each check the subscriptions' are, the page's number among them."""
    stand_in, client = pax8
    paged = stand_in._paged

    def rewritten(asked: Any, rows: Any) -> Any:
        reply = paged(asked, rows)
        reply.body["page"] |= page
        return reply

    monkeypatch.setattr(stand_in, "_paged", rewritten)
    with pytest.raises(Pax8Error, match=rf"\A{re.escape(said)}\Z"):
        invoice_ids(client)


def test_an_unknown_invoice_is_refused(pax8: tuple[Pax8StandIn, Pax8]) -> None:
    with pytest.raises(Pax8Error, match=r"HTTP 404\Z"):
        invoice_lines(pax8[1], "7c1d2e3f-0000-0000-0000-000000000000")


def test_latest_is_the_partners_own_invoice_and_says_which_month() -> None:
    """Issue 108, item 6: an invoice with a companyId is one company's (Pax8's schema: "The company id", and
    the list "Return only invoices matching this companyId value"): `latest` skips it; read before the 5th,
    when Pax8 generates the month's final invoice, it is last month's, and the run says so."""
    listed = [
        Listed("c-nov", "2026-11-03", "6f1b0c2e-4d5a-4c1e-9b7a-2c3d4e5f6a7b"),  # one company's, newer
        Listed("p-oct", "2026-10-05"),
        Listed("p-sep", "2026-09-05"),
    ]
    found, said = latest(listed, date(2026, 11, 3))
    assert found is not None and found.id == "p-oct"
    assert "October 2026's invoice" in said and "before the 5th" in said and "last month's" in said
    found, said = latest(listed, date(2026, 10, 20))
    assert found is not None and found.id == "p-oct" and "before the 5th" not in said
    found, said = latest(listed[:1], date(2026, 11, 3))
    assert found is None and "each one company's" in said
