"""What the partner was invoiced, beside each tenant's seats (docs/msp.md, "What Microsoft and Pax8
invoiced"): after the tenants of `audit --tenants` are audited, with `--invoice ID` Microsoft's billed
invoice reconciliation export is read once in the partner's tenant (the file's `partner:` block;
auditor.billing.invoices_microsoft), and with a distributor's `--<key>-invoice ID|latest` its invoice
items (the distributor's `invoices`, an InvoiceReader; auditor.vendors.arguments); then every audited tenant
gets OUTPUT_DIR/<key>/invoice.json:

    {"invoices": [{"source": "microsoft", "invoice_id": "G016907411", "gap": null,
                   "rows": [{"sku", "product", "assigned", "enabled", "invoiced", "amount", "currency",
                             "differences": [...]}, ...]}, ...]}

Microsoft's lines are the tenant's when their CustomerId is its tenant id, a distributor's when they
name the customer its entry's block names at that distributor (the block's `scope` field: Pax8's
company_id; its `products` map then names their SKUs). An invoice that cannot be read is each tenant's
`gap` (its rows give the tenant's seats and no invoiced figure, and name no difference): never an empty
invoice, which would read as "no differences". Read only: nothing is written to Microsoft or a
distributor. The per-customer part (auditor.billing.invoices.CustomerInvoice) is what
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
from typing import TYPE_CHECKING

import msgspec
from msgspec import UnsetType

from auditor.billing.psa_records import PsaSection
from auditor.common.errors import AuditorError, UsageError, clean_message
from auditor.common.outputs import write_text
from auditor.common.timestamps import timestamp_or_none
from auditor.formats.report_json import decode_report

from ..billing import invoices as bill
from ..billing import invoices_microsoft
from ..delivery.matrix import PartnerBlock, TenantJob, TenantsFile
from ..graph.auth import StaticTokenCredential
from ..graph.client import GraphClient
from ..i18n import english_count
from ..vendors.protocols import DistributorError
from ..vendors.registry import DISTRIBUTORS, NAMES
from .arguments import FleetOptions, InvoiceOptions
from .gdap import partner_credential
from .invoice_cells import FILE_NAME
from .rollup import Outcome

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential

LATEST = "latest"


@dataclass(frozen=True)
class Read:
    """One invoice read for the whole run: its lines, or why it could not be read (`gap`)."""

    source: str
    invoice_id: str
    lines: tuple[bill.InvoiceLine, ...] = ()
    gap: str | None = None
    note: str = ""  # a distributor's `latest`: which invoice, of which month, was read (InvoiceSession.latest)


def _say(text: str) -> None:
    print(clean_message(text), file=sys.stderr)


def read_microsoft(
    invoice_id: str, base_url: str, credential: TokenCredential, description: str, scope: str | None
) -> Read:
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


def _distributor(key: str, asked: str, options: InvoiceOptions, env: Mapping[str, str], today: date) -> Read:
    """The distributor `key`'s invoice `asked` (an id, or `latest`), read through its InvoiceReader."""
    vendor = DISTRIBUTORS[key]
    assert vendor.invoices is not None  # its --<key>-invoice: a distributor that invoices through its API
    try:
        with vendor.invoices(env, options.endpoints.get(key)) as invoices:
            note = ""
            if asked == LATEST:
                found, note = invoices.latest(today)
                if found is None:
                    return Read(key, asked, gap=note)
                asked = found
            elif asked.casefold() not in {i.casefold() for i, _ in invoices.invoice_ids()}:
                return Read(key, asked, gap=f"{vendor.name} lists no invoice {asked[:40]!r} of the partner")
            return Read(key, asked, tuple(invoices.invoice_lines(asked)), note=note)
    except (DistributorError, AuditorError) as exc:
        return Read(key, asked, gap=clean_message(str(exc))[:400])


def _whose(source: str) -> str:
    """ "Microsoft's", or the distributor's name's ("Pax8's")."""
    return "Microsoft's" if source == "microsoft" else f"{NAMES.get(source, source)}'s"


def read(
    options: InvoiceOptions,
    *,
    partner: PartnerBlock | None,
    auth: str | None,
    env: Mapping[str, str] = os.environ,
    today: date | None = None,
) -> list[Read]:
    """Each invoice the run asks for, read once for every customer (each its gap when it cannot be);
    `today`: the run's day (--as-of; the demo's moment), which month a distributor's `latest` is told by."""
    found = []
    if options.microsoft:
        found.append(_microsoft(options, partner, auth, env))
    for key, asked in options.distributors.items():
        found.append(_distributor(key, asked, options, env, today or datetime.now(UTC).date()))
    for invoice in found:
        name = _whose(invoice.source)
        if invoice.gap:
            _say(f"license-auditor: {name} invoice {invoice.invoice_id} not read: {invoice.gap}")
        else:
            lines = english_count(len(invoice.lines), "line", "lines")
            said = f" ({invoice.note})" if invoice.note else ""
            _say(f"license-auditor: {name} invoice {invoice.invoice_id}{said}: {lines} read")
    return found


def _three_way(section: PsaSection | UnsetType) -> dict[str, tuple[int | None, int | None]]:
    """The report's three-way table by part number (its `psa` section, when read): the distributor's
    seats and the PSA's billed to the customer, the invoice's fourth column beside them."""
    if not isinstance(section, PsaSection) or section.error or not isinstance(section.products, list):
        return {}
    return {row.sku: (row.distributor_billed, row.psa_billed) for row in section.products}


def _tenant_products(folder: Path) -> tuple[list[bill.TenantProduct], dict[str, tuple[int | None, int | None]]]:
    """The tenant's products from its report.json's seat table (`skus`), and its three-way table."""
    path = folder / "report.json"
    try:  # the whole document, by report.json's one reader: a view of a few fields of our own would drift from it
        doc = decode_report(path.read_bytes(), str(path))
    except UsageError as exc:  # the gap names a report not as the audit writes it: a ValueError
        raise ValueError(str(exc)) from None
    products = [bill.TenantProduct(row.sku, row.sku_id, row.consumed, row.enabled) for row in doc.skus]
    return products, _three_way(doc.psa)


def _at_distributor(job: TenantJob, key: str) -> tuple[str, dict[str, str]] | None:
    """The customer the tenants entry's block names at the distributor `key` (its `scope` field), and the
    block's products map; None: the entry names no customer there."""
    entry = json.loads(job.distributor) if job.distributor else {}
    block = entry.get(key) if isinstance(entry, dict) else None
    if not isinstance(block, dict):
        return None
    return str(block.get(DISTRIBUTORS[key].scope, "")), dict(block.get("products") or {})


def invoices_for(
    job: TenantJob, reads: Sequence[Read], tenant: Sequence[bill.TenantProduct]
) -> list[bill.CustomerInvoice]:
    """The customer's part of each invoice read (a three-way table's fourth column): Microsoft's by the
    tenant id, a distributor's by the customer and products map of the entry's block there (an entry
    naming no customer at that distributor: none)."""
    parts = []
    for invoice in reads:
        if invoice.source == "microsoft":
            customer, products = job.tenant_id, dict[str, str]()
        else:
            named = _at_distributor(job, invoice.source)
            if named is None:
                continue
            customer, products = named
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
    who = _whose(part.source)
    if part.gap:
        return f"{who} invoice {part.invoice_id}: not compared: {part.gap}"
    if not part.lines:
        return f"{who} invoice {part.invoice_id}: none of its lines is this customer's"
    differ = sum(1 for r in rows if r.kinds)
    count = english_count(len(part.products), "product", "products")
    return f"{who} invoice {part.invoice_id}: {count} invoiced, {differ} differently from the seats the tenant holds"


def for_demo(given: InvoiceOptions, graph: tuple[str, str], endpoints: Mapping[str, str]) -> InvoiceOptions:
    """`audit --demo --tenants`'s invoices, read from its stand-ins (`endpoints`, by distributor): --invoice
    and each --<key>-invoice as given (an invoice the stand-ins do not hold is each customer's gap, as a
    real one would be), else the sample MSP's (auditor.demo's SAMPLE_INVOICE from Microsoft, the latest of
    each distributor whose stand-in invoices the partner, auditor.demo's INVOICING)."""
    from .. import demo  # the sample tenants and their stand-ins: only the demo loads them

    asked = dict.fromkeys(demo.INVOICING, LATEST) | dict(given.distributors)
    return InvoiceOptions(given.microsoft or demo.SAMPLE_INVOICE, asked, graph, dict(endpoints))


def check(options: InvoiceOptions, env: Mapping[str, str]) -> None:
    """Each distributor's keys when its --<key>-invoice is given, before any tenant is audited (UsageError:
    exit 2)."""
    for key in options.distributors:
        DISTRIBUTORS[key].api.credentials(env)


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
