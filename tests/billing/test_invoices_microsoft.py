"""What Microsoft invoiced the partner: Graph's billed reconciliation export read through the real SDK
adapter (GraphClient) from the loopback stand-in, polled on a virtual clock, its blobs read with the
SAS token; every refusal and every answer out of shape is a named InvoiceError, never an empty invoice."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import Iterator
from typing import Any

import pytest

from auditor.billing.invoices import InvoiceError, InvoiceLine
from auditor.billing.invoices_microsoft import blob_url, read_export
from auditor.graph.auth import StaticTokenCredential
from auditor.graph.client import GraphClient
from auditor.graph.pacing import Pacing
from auditor_dev.commerce.partner_billing import PartnerBillingStandIn, billed_line
from auditor_dev.emulator import VirtualTime

PARTNER = "5d8c2f0e-3a47-4b1f-9e62-0c7d4a91b3f8"
CONTOSO = "00000000-0000-0000-0000-000000000001"
INVOICE = "G016907411"


def _lines() -> list[dict[str, Any]]:
    common = {"partner": PARTNER, "customer": CONTOSO, "customer_name": "Contoso", "invoice": INVOICE}
    return [
        billed_line(
            **common,
            subscription="sub-e3",
            product_id="CFQ7TTC0LFLZ",
            sku_name="Microsoft 365 E3",
            quantity=210,
            unit_price=33.75,
        ),
        billed_line(
            **common,
            subscription="sub-e3",
            product_id="CFQ7TTC0LFLZ",
            sku_name="Microsoft 365 E3",
            quantity=200,
            unit_price=33.75,
            charge_type="new",
        ),
        billed_line(
            **common,
            subscription="sub-bi",
            product_id="CFQ7TTC0L3PB",
            sku_name="Power BI Pro",
            quantity=12,
            unit_price=12.1,
        ),
    ]


@pytest.fixture
def stand_in() -> Iterator[PartnerBillingStandIn]:
    with PartnerBillingStandIn(PARTNER, {INVOICE: _lines()}, running_polls=2, retry_after=30, lines_per_blob=2) as s:
        yield s


def _read(s: PartnerBillingStandIn, invoice: str = INVOICE, clock: VirtualTime | None = None) -> list[InvoiceLine]:
    async def go() -> list[InvoiceLine]:
        client = GraphClient(
            base_url=s.graph_url,
            credential=StaticTokenCredential(str(s.token)),
            pacing=Pacing(timer=clock or VirtualTime()),
        )
        try:
            return await read_export(client, invoice)
        finally:
            await client.aclose()

    return asyncio.run(go())


def test_the_export_is_polled_and_every_blob_read(stand_in: PartnerBillingStandIn) -> None:
    clock = VirtualTime()
    lines = _read(stand_in, clock=clock)
    assert [(x.subscription, x.quantity, x.amount, x.currency) for x in lines] == [
        ("sub-e3", 210, 7087.5, "EUR"),
        ("sub-e3", 200, 6750.0, "EUR"),
        ("sub-bi", 12, 145.2, "EUR"),
    ]
    assert lines[0].customer == CONTOSO and lines[0].product_name == "Microsoft 365 E3"
    assert stand_in.blob_reads == 2  # two blobs of two lines and one
    assert clock.skipped >= 60  # two running polls, each waited its Retry-After of 30 s on the virtual clock
    posted = [r for r in stand_in.requests if r.method == "POST"]
    assert posted[0].body == {"invoiceId": INVOICE, "attributeSet": "full"}
    blobs = [r for r in stand_in.requests if r.path.startswith("/blob/")]
    assert blobs and all("authorization" not in r.headers for r in blobs)  # the Graph token never goes to storage


def test_a_running_answer_without_retry_after_waits_the_clients_own_pause() -> None:
    from auditor.billing.invoices_microsoft import POLL_SECONDS

    clock = VirtualTime()  # the pacing's clock: the default pause is skipped, not slept
    with PartnerBillingStandIn(PARTNER, {INVOICE: _lines()}, running_polls=2, retry_after=None) as s:
        lines = _read(s, clock=clock)
        polls = [r for r in s.requests if "/operations/" in r.path]
    assert len(lines) == 3 and len(polls) == 3  # two running answers, then the manifest's
    assert 2 * POLL_SECONDS <= clock.skipped < 2 * POLL_SECONDS + 30  # POLL_SECONDS each, no Retry-After


def test_an_invoice_graph_holds_no_data_for_is_a_named_gap(stand_in: PartnerBillingStandIn) -> None:
    with pytest.raises(InvoiceError, match="export of the invoice failed: 5000: No data available"):
        _read(stand_in, "G000000000")


def test_a_token_without_partner_billing_is_refused() -> None:
    with (
        PartnerBillingStandIn(PARTNER, {INVOICE: _lines()}, permitted=False) as s,
        pytest.raises(InvoiceError, match="403"),
    ):
        _read(s)


@pytest.mark.parametrize(
    ("tamper", "said"),
    [
        ({"blobCount": 5}, "blobCount 5 for 2 blobs"),
        ({"dataFormat": "csv"}, "is not compressedJSONLines"),
        ({"rootDirectory": "https://evil.example.com/x"}, "is not Azure Blob Storage"),
        ({"sasToken": "sig=wrong"}, "HTTP 403 from the storage"),
        ({"blobs": [{"name": "../x"}, {"name": "y"}]}, "no file name"),
    ],
)
def test_a_manifest_out_of_shape_is_refused(stand_in: PartnerBillingStandIn, tamper: dict[str, Any], said: str) -> None:
    stand_in.tamper = tamper
    with pytest.raises(InvoiceError, match=said):
        _read(stand_in)


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"BillableQuantity": 2.5}, "the quantity '2.5'"),
        ({"Subtotal": "NaN"}, "the amount"),
        ({"Currency": "euro"}, "the currency"),
        ({"CustomerId": None}, "the customer"),
        ({"quantity": 3}, "given twice"),
    ],
)
def test_a_line_out_of_shape_is_refused(change: dict[str, Any], said: str) -> None:
    bad = _lines()
    bad[2].update(change)
    with PartnerBillingStandIn(PARTNER, {INVOICE: bad}, running_polls=0) as s, pytest.raises(InvoiceError, match=said):
        _read(s)


def test_the_seats_are_the_billable_quantity_else_the_quantity() -> None:
    """Microsoft's reconciliation file: Quantity is "Units bought. Use BillableQuantity for reconciliation."."""
    lines = _lines()
    lines[2]["BillableQuantity"] = 11  # bought 12, billed for 11
    del lines[0]["BillableQuantity"]  # a line without it is read by its Quantity
    with PartnerBillingStandIn(PARTNER, {INVOICE: lines}, running_polls=0) as s:
        got = sorted(line.quantity for line in _read(s))
    assert got == [11, 200, 210]


def test_a_blob_that_is_not_gzip_is_refused(monkeypatch: pytest.MonkeyPatch, stand_in: PartnerBillingStandIn) -> None:
    monkeypatch.setattr(gzip, "compress", lambda data, mtime=0: data)  # the stand-in sends the JSON lines plain
    with pytest.raises(InvoiceError, match="not gzip"):
        _read(stand_in)


def test_a_blob_root_elsewhere_than_storage_is_never_read() -> None:
    client = GraphClient(base_url="https://graph.microsoft.com/v1.0", credential=StaticTokenCredential("t"))
    ok = blob_url(
        client, "https://adlsrecon.blob.core.windows.net/billed/v1/PartnerTenantId=x", "part-0.json.gz", "sig=1"
    )
    assert ok == "https://adlsrecon.blob.core.windows.net/billed/v1/PartnerTenantId=x/part-0.json.gz?sig=1"
    for root in (
        "http://adlsrecon.blob.core.windows.net/x",
        "http://127.0.0.1:9/blob",
        "https://blob.core.windows.net.evil.com/x",
    ):
        with pytest.raises(InvoiceError, match="not Azure Blob Storage"):
            blob_url(client, root, "part-0.json.gz", "sig=1")
    asyncio.run(client.aclose())
