"""What the partner was invoiced, beside each tenant's seats (docs/msp.md, "What Microsoft and Pax8
invoiced"): after the tenants of `audit --tenants` are audited, with `--invoice ID` Microsoft's billed
invoice reconciliation export is read once in the partner's tenant (the file's `partner:` block;
auditor.billing.invoices_microsoft), and with `--pax8-invoice ID|latest` Pax8's invoice items
(auditor.vendors.pax8.invoices); then every audited tenant gets OUTPUT_DIR/<key>/invoice.json:

    {"invoices": [{"source": "microsoft", "invoice_id": "G016907411", "gap": null,
                   "rows": [{"sku", "product", "assigned", "enabled", "invoiced", "amount", "currency",
                             "differences": [...]}, ...]}, ...]}

Microsoft's lines are the tenant's when their CustomerId is its tenant id, Pax8's when their companyId
is its entry's Pax8 company_id (its `products` map then names their SKUs). An invoice that cannot be
read is each tenant's `gap` (its rows give the tenant's seats and no invoiced figure, and name no
difference): never an empty invoice, which would read as "no differences". Read only: nothing is
written to Microsoft or Pax8. The per-customer part (auditor.billing.invoices.CustomerInvoice) is what
a three-way table takes as a fourth column (`invoices_for`).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import msgspec

from auditor.common import shapes
from auditor.common.errors import AuditorError, clean_message
from auditor.common.outputs import write_text
from auditor.common.timestamps import timestamp_or_none

from ..billing import invoices as bill
from ..billing import invoices_microsoft
from ..delivery.matrix import PartnerBlock, TenantJob, TenantsFile
from ..graph.auth import StaticTokenCredential
from ..graph.client import GraphClient
from ..i18n import english_count
from ..vendors.protocols import DistributorError
from ..vendors.registry import DISTRIBUTORS
from .arguments import FleetOptions, InvoiceOptions
from .gdap import partner_credential
from .invoice_cells import FILE_NAME
from .rollup import Outcome

LATEST = "latest"


@dataclass(frozen=True)
class Read:
    """One invoice read for the whole run: its lines, or why it could not be read (`gap`)."""

    source: str
    invoice_id: str
    lines: tuple[bill.InvoiceLine, ...] = ()
    gap: str | None = None
    note: str = ""  # Pax8's `latest`: which invoice, of which month, was read (a distributor InvoiceSession.latest)


def _say(text: str) -> None:
    print(clean_message(text), file=sys.stderr)


def read_microsoft(invoice_id: str, base_url: str, credential: Any, description: str, scope: str | None) -> Read:
    async def go() -> list[bill.InvoiceLine]:
        client = GraphClient(base_url=base_url, credential=credential, scope=scope, auth_description=description)
        try:
            return await invoices_microsoft.read_export(client, invoice_id)
        finally:
            await client.aclose()

    try:
        return Read("microsoft", invoice_id, tuple(asyncio.run(go())))
    except (bill.InvoiceError, AuditorError) as exc:
        return Read("microsoft", invoice_id, gap=clean_message(str(exc))[:400])


def _microsoft(options: InvoiceOptions, block: PartnerBlock | None, auth: str | None, env: Mapping[str, str]) -> Read:
    invoice = str(options.microsoft)
    if options.graph is not None:
        url, token = options.graph
        return read_microsoft(invoice, url, StaticTokenCredential(token), "the demo partner's token", None)
    if block is None:
        return Read(
            "microsoft", invoice, gap="the tenants file has no `partner:` block: the partner's tenant is not known"
        )
    signed = partner_credential(block, auth=auth, env=env)
    if isinstance(signed, str):
        return Read("microsoft", invoice, gap=signed)
    credential, description, scope, graph_v1 = signed
    return read_microsoft(invoice, graph_v1, credential, description, scope)


def _pax8(options: InvoiceOptions, env: Mapping[str, str], today: date) -> Read:
    asked = str(options.pax8)
    pax8 = DISTRIBUTORS["pax8"]
    assert pax8.invoices is not None  # Pax8 invoices the partner through its API
    try:
        with pax8.invoices(pax8.credentials(env), options.pax8_endpoint) as invoices:
            note = ""
            if asked == LATEST:
                found, note = invoices.latest(today)
                if found is None:
                    return Read("pax8", asked, gap=note)
                asked = found
            elif asked.casefold() not in {i.casefold() for i, _ in invoices.invoice_ids()}:
                return Read("pax8", asked, gap=f"Pax8 lists no invoice {asked[:40]!r} of the partner")
            return Read("pax8", asked, tuple(invoices.invoice_lines(asked)), note=note)
    except (DistributorError, AuditorError) as exc:
        return Read("pax8", asked, gap=clean_message(str(exc))[:400])


def read(
    options: InvoiceOptions,
    *,
    partner: PartnerBlock | None,
    auth: str | None,
    env: Mapping[str, str] = os.environ,
    today: date | None = None,
) -> list[Read]:
    """Each invoice the run asks for, read once for every customer (each its gap when it cannot be);
    `today`: the run's day (--as-of; the demo's moment), which month Pax8's `latest` is told by."""
    found = []
    if options.microsoft:
        found.append(_microsoft(options, partner, auth, env))
    if options.pax8:
        found.append(_pax8(options, env, today or datetime.now(UTC).date()))
    for invoice in found:
        name = "Microsoft's" if invoice.source == "microsoft" else "Pax8's"
        if invoice.gap:
            _say(f"license-auditor: {name} invoice {invoice.invoice_id} not read: {invoice.gap}")
        else:
            lines = english_count(len(invoice.lines), "line", "lines")
            said = f" ({invoice.note})" if invoice.note else ""
            _say(f"license-auditor: {name} invoice {invoice.invoice_id}{said}: {lines} read")
    return found


class _SeatRow(msgspec.Struct, frozen=True):
    """A row of report.json's seat table (`skus`) by the fields the invoices read."""

    sku: str | None = None
    sku_id: str | None = None
    consumed: int | None = None
    enabled: int | None = None


class _ThreeWayRow(msgspec.Struct, frozen=True):
    """A product of report.json's `psa` table: the distributor's seats and the PSA's billed."""

    sku: str | None = None
    distributor_billed: int | None = None
    psa_billed: int | None = None


class _PsaTable(msgspec.Struct, frozen=True):
    error: str | None = None
    products: list[_ThreeWayRow] | None = None


class _SeatsReport(msgspec.Struct, frozen=True):
    """The parts of report.json the invoices are set beside (the rest is not decoded)."""

    skus: list[_SeatRow] = []
    psa: _PsaTable | None = None


def _three_way(section: _PsaTable | None) -> dict[str, tuple[int | None, int | None]]:
    """The report's three-way table by part number (its `psa` section, when read): the distributor's
    seats and the PSA's billed to the customer, the invoice's fourth column beside them."""
    if section is None or section.error or section.products is None:
        return {}
    return {row.sku: (row.distributor_billed, row.psa_billed) for row in section.products if row.sku is not None}


def _tenant_products(folder: Path) -> tuple[list[bill.TenantProduct], dict[str, tuple[int | None, int | None]]]:
    """The tenant's products from its report.json's seat table (`skus`), and its three-way table."""
    try:
        doc = shapes.decode((folder / "report.json").read_bytes(), _SeatsReport)
    except msgspec.DecodeError as exc:  # the gap names a report not as the audit writes it: a ValueError
        raise ValueError(str(exc)) from None
    products = [
        bill.TenantProduct(row.sku, row.sku_id, row.consumed or 0, row.enabled or 0)
        for row in doc.skus
        if row.sku is not None and row.sku_id is not None
    ]
    return products, _three_way(doc.psa)


def _pax8_entry(job: TenantJob) -> tuple[str, dict[str, str]] | None:
    entry = json.loads(job.distributor) if job.distributor else {}
    pax8 = entry.get("pax8") if isinstance(entry, dict) else None
    if not isinstance(pax8, dict):
        return None
    return str(pax8.get("company_id", "")), dict(pax8.get("products") or {})


def invoices_for(
    job: TenantJob, reads: Sequence[Read], tenant: Sequence[bill.TenantProduct]
) -> list[bill.CustomerInvoice]:
    """The customer's part of each invoice read (a three-way table's fourth column): Microsoft's by the
    tenant id, Pax8's by the entry's company_id and products map (an entry with no Pax8 company: none)."""
    parts = []
    for invoice in reads:
        if invoice.source == "microsoft":
            customer, products = job.tenant_id, dict[str, str]()
        else:
            pax8 = _pax8_entry(job)
            if pax8 is None:
                continue
            customer, products = pax8
        if invoice.gap:
            parts.append(bill.CustomerInvoice(invoice.source, invoice.invoice_id, customer.lower(), gap=invoice.gap))
            continue
        parts.append(bill.invoiced(invoice.source, invoice.invoice_id, customer, invoice.lines, tenant, products))
    return parts


def run(outcomes: Sequence[Outcome], root: Path, reads: Sequence[Read]) -> list[Path]:
    """invoice.json of every audited tenant an invoice read concerns, and a line each on stderr. An
    earlier night's is removed first, in a run that reads no invoice too (the roll-up reads the file: an
    invoice compared with another night's seats never reads as tonight's); a tenant whose seats cannot
    be read gets each invoice's gap, never no file (which would read as no invoice)."""
    written: list[Path] = []
    for outcome in outcomes:
        folder = root / outcome.job.key
        if folder.is_symlink():
            continue
        path = folder / FILE_NAME
        path.unlink(missing_ok=True)
        if outcome.status == "failed" or not reads:
            continue
        try:
            tenant, billed = _tenant_products(folder)
            parts = invoices_for(outcome.job, reads, tenant)
        except (OSError, ValueError, TypeError, AttributeError) as exc:  # a report.json not as the audit writes it
            gap = f"the tenant's seats not read from its report.json ({type(exc).__name__})"
            tenant, billed = [], {}
            parts = [p if p.gap else replace(p, products=(), gap=gap) for p in invoices_for(outcome.job, reads, [])]
        sections = []
        for part in parts:
            rows = bill.compare(part, tenant, billed)
            sections.append(
                bill.InvoiceSection(source=part.source, invoice_id=part.invoice_id, gap=part.gap, rows=rows)
            )
            _say(f"  {outcome.job.key}: {_line(part, rows)}")
        if sections:
            doc = msgspec.to_builtins(bill.InvoiceFile(invoices=sections))
            write_text(path, json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
            written.append(path)
    return written


def _line(part: bill.CustomerInvoice, rows: Sequence[bill.InvoiceRow]) -> str:
    who = "Microsoft's" if part.source == "microsoft" else "Pax8's"
    if part.gap:
        return f"{who} invoice {part.invoice_id}: not compared: {part.gap}"
    if not part.lines:
        return f"{who} invoice {part.invoice_id}: none of its lines is this customer's"
    differ = sum(1 for r in rows if r.kinds)
    count = english_count(len(part.products), "product", "products")
    return f"{who} invoice {part.invoice_id}: {count} invoiced, {differ} otherwise than the tenant holds them"


def for_demo(given: InvoiceOptions, graph: tuple[str, str], pax8_endpoint: str) -> InvoiceOptions:
    """`audit --demo --tenants`'s invoices, read from its stand-ins: --invoice and --pax8-invoice as given
    (an invoice the stand-ins do not hold is each customer's gap, as a real one would be), else the sample
    MSP's (auditor.demo's SAMPLE_INVOICE from Microsoft, its latest from Pax8)."""
    from .. import demo  # the sample tenants and their stand-ins: only the demo loads them

    return InvoiceOptions(given.microsoft or demo.SAMPLE_INVOICE, given.pax8 or LATEST, graph, pax8_endpoint)


def check(options: InvoiceOptions, env: Mapping[str, str]) -> None:
    """Pax8's keys when --pax8-invoice is given, before any tenant is audited (UsageError: exit 2)."""
    if options.pax8:
        DISTRIBUTORS["pax8"].credentials(env)


def beside(options: FleetOptions, tenants: TenantsFile | None, outcomes: Sequence[Outcome], root: Path) -> list[Path]:
    """The run's invoices read (`read`) and set beside each audited tenant's seats (`run`)."""
    partner = tenants.partner if tenants is not None else None
    auth = options.audit.source.auth.value
    as_of = timestamp_or_none(options.audit.as_of) if options.audit.as_of else None
    env = options.distributor_env or os.environ
    reads = read(options.invoices, partner=partner, auth=auth, env=env, today=as_of.date() if as_of else None)
    return run(outcomes, root, reads)


Reader = Callable[[], list[Read]]

__all__ = ["FILE_NAME", "InvoiceOptions", "Read", "Reader", "beside", "check", "invoices_for", "read", "run"]
