"""A loopback stand-in of Graph's partner billing export (v1.0, learn.microsoft.com/graph/api/
partners-billing-billedreconciliation-export, partners-billing-operation-get, partners-billing-manifest-get)
and of the Azure Blob Storage folder its manifest names:

    POST /v1.0/reports/partners/billing/reconciliation/billed/export   {invoiceId, attributeSet}: 202
            with `Location: …/v1.0/reports/partners/billing/operations/{id}` and no body; no invoiceId,
            an attributeSet other than full or basic, or another key: 400 BadRequest
    GET  /v1.0/reports/partners/billing/operations/{id}   runningOperation (status running, with
            Retry-After: `retry_after` seconds; None: without one, as no Microsoft page promises the
            header) for the first `running_polls` polls, then exportSuccessOperation
            (resourceLocation@odata.navigationLink: the manifest), or failedOperation ("No data
            available", code 5000, the page's example) for an invoice it does not hold; 404 otherwise
    GET  /v1.0/reports/partners/billing/manifests/{id}   the manifest: schemaVersion, dataFormat
            compressedJSONLines, partnerTenantId, rootDirectory (this server's /blob/… folder),
            sasToken, partitionType, blobCount, blobs [{name, partitionValue}]
    GET  /blob/{partner}/{invoice}/{name}?{sasToken}     the blob: the invoice's lines, JSON lines in
            gzip; without the SAS token (or with another): 403 AuthenticationFailed, as the storage
            answers; a Graph bearer token is not the storage's key and is not asked for

Every Graph request needs the stand-in's bearer token (401 InvalidAuthenticationToken), and a token
without PartnerBilling.Read.All (`permitted=False`) is refused 403 Authorization_RequestDenied. Each
line carries the attributes the billed invoice reconciliation page lists, PascalCase (`billed_line` builds one).
"""

from __future__ import annotations

import gzip
import json
import secrets
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from auditor_dev.commerce.server import Asked, Reply, StandIn

PREFIX = "/v1.0/reports/partners/billing"
EXPORT = f"{PREFIX}/reconciliation/billed/export"
ATTRIBUTE_SETS = ("full", "basic")


def _graph_error(status: int, code: str, message: str) -> Reply:
    return Reply(status, {"error": {"code": code, "message": message}})


def billed_line(
    *,
    partner: str,
    customer: str,
    customer_name: str,
    invoice: str,
    subscription: str,
    product_id: str,
    sku_name: str,
    quantity: int,
    unit_price: float,
    currency: str = "EUR",
    charge_type: str = "cycleCharge",
) -> dict[str, Any]:
    """One billed invoice reconciliation line, PascalCase as the attribute table spells them."""
    subtotal = round(quantity * unit_price, 2)
    return {
        "PartnerId": partner,
        "CustomerId": customer,
        "CustomerName": customer_name,
        "CustomerDomainName": f"{customer_name.lower().replace(' ', '')}.onmicrosoft.com",
        "InvoiceNumber": invoice,
        "ProductId": product_id,
        "SkuId": "0001",
        "AvailabilityId": "CFQ7TTC0K5DJ",
        "SkuName": sku_name,
        "ProductName": sku_name,
        "ChargeType": charge_type,
        "UnitPrice": unit_price,
        "Quantity": quantity,
        "Subtotal": subtotal,
        "TaxTotal": 0,
        "TotalForCustomer": subtotal,
        "Currency": currency,
        "SubscriptionId": subscription,
        "TermAndBillingCycle": "One-Year commitment for monthly/yearly billing",
        "EffectiveUnitPrice": unit_price,
        "BillableQuantity": quantity,
        "BillingFrequency": "Monthly",
    }


class PartnerBillingStandIn(StandIn):
    """A partner tenant's billed invoices: `invoices` maps an invoice id to its lines (dicts)."""

    def __init__(
        self,
        partner_tenant: str,
        invoices: Mapping[str, Sequence[Mapping[str, Any]]],
        *,
        token: str = "partner-billing-token",
        permitted: bool = True,
        running_polls: int = 1,
        retry_after: int | None = 5,
        lines_per_blob: int = 1000,
    ) -> None:
        super().__init__(token)
        self.partner = partner_tenant
        self.invoices = {k: [dict(x) for x in v] for k, v in invoices.items()}
        self.permitted = permitted
        self.running_polls, self.poll_seconds, self.lines_per_blob = running_polls, retry_after, lines_per_blob
        self.sas = f"sv=2021-08-06&sr=d&sp=rl&sig={secrets.token_hex(16)}"
        self.operations: dict[str, dict[str, Any]] = {}
        self.blob_reads = 0
        self.tamper: dict[str, Any] = {}  # a test's changes to the next manifest (its keys replaced)

    @property
    def graph_url(self) -> str:
        return f"{self.url}/v1.0"

    def unauthorized(self, asked: Asked) -> Reply | None:
        if asked.path.startswith("/blob/"):
            return None  # the storage reads its SAS token, not Graph's
        return _graph_error(401, "InvalidAuthenticationToken", "Access token is empty or invalid.")

    def route(self, asked: Asked) -> Reply:
        if asked.path.startswith("/blob/"):
            return self._blob(asked)
        if not self.permitted:
            return _graph_error(
                403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation."
            )
        if asked.path == EXPORT:
            return self._export(asked) if asked.method == "POST" else _graph_error(405, "BadRequest", "Not allowed.")
        kind, _, ident = asked.path.removeprefix(PREFIX + "/").partition("/")
        if asked.method != "GET" or not asked.path.startswith(PREFIX) or "/" in ident:
            return _graph_error(400, "BadRequest", f"Resource not found for the segment '{asked.path[-40:]}'.")
        if kind == "operations" and ident in self.operations:
            return self._operation(ident)
        if kind == "manifests" and ident in self.operations:
            return Reply(200, self._manifest(ident))
        return _graph_error(404, "NotFound", f"The resource '{ident[:40]}' was not found.")

    def _export(self, asked: Asked) -> Reply:
        body = asked.body
        if not isinstance(body, dict) or set(body) - {"invoiceId", "attributeSet"}:
            return _graph_error(400, "BadRequest", "The request body is not the action's parameters.")
        invoice, attributes = body.get("invoiceId"), body.get("attributeSet", "full")
        if not isinstance(invoice, str) or not invoice:
            return _graph_error(400, "BadRequest", "invoiceId is required.")
        if attributes not in ATTRIBUTE_SETS:
            return _graph_error(400, "BadRequest", f"'{str(attributes)[:20]}' is not a valid attributeSet.")
        ident = str(uuid.uuid4())
        self.operations[ident] = {"invoice": invoice, "polls": 0}
        return Reply(202, None, {"Location": f"{self.url}{PREFIX}/operations/{ident}"})

    def _operation(self, ident: str) -> Reply:
        op = self.operations[ident]
        op["polls"] += 1
        base = {"id": ident, "createdDateTime": "2026-11-05T08:12:53", "lastActionDateTime": "2026-11-05T08:37:48Z"}
        if op["polls"] <= self.running_polls:
            running = {"@odata.type": "#microsoft.graph.partners.billing.runningOperation", "status": "running"}
            waited = {} if self.poll_seconds is None else {"Retry-After": str(self.poll_seconds)}
            return Reply(200, base | running, waited)
        if op["invoice"] not in self.invoices:
            failed = {"@odata.type": "#microsoft.graph.partners.billing.failedOperation", "status": "failed"}
            return Reply(200, base | failed | {"error": {"message": "No data available", "code": "5000"}})
        link = f"{self.graph_url}/reports/partners/billing/manifests/{ident}"
        done = {"@odata.type": "#microsoft.graph.partners.billing.exportSuccessOperation", "status": "succeeded"}
        return Reply(200, base | done | {"resourceLocation@odata.navigationLink": link})

    def _chunks(self, invoice: str) -> list[list[dict[str, Any]]]:
        lines = self.invoices[invoice]
        size = max(1, self.lines_per_blob)
        return [lines[i : i + size] for i in range(0, len(lines), size)] or [[]]

    def _manifest(self, ident: str) -> dict[str, Any]:
        invoice = self.operations[ident]["invoice"]
        names = [
            f"part-{i:05d}-{uuid.uuid5(uuid.NAMESPACE_URL, invoice)}.c000.json.gz"
            for i in range(len(self._chunks(invoice)))
        ]
        doc = {
            "id": ident,
            "schemaVersion": "1",
            "dataFormat": "compressedJSONLines",
            "createdDateTime": "2026-11-05T06:34:34.87Z",
            "eTag": secrets.token_hex(8),
            "partnerTenantId": self.partner,
            "rootDirectory": f"{self.url}/blob/{self.partner}/{invoice}",
            "sasToken": self.sas,
            "partitionType": "Default",
            "blobCount": len(names),
            "blobs": [{"name": n, "partitionValue": "default"} for n in names],
        }
        doc.update(self.tamper)
        return doc

    def _blob(self, asked: Asked) -> Reply:
        parts = asked.path.split("/")  # '', 'blob', partner, invoice, name
        given = "&".join(f"{k}={v}" for k, v in asked.query.items())
        if asked.method != "GET" or len(parts) != 5 or given != self.sas:
            return Reply(403, b'<?xml version="1.0"?><Error><Code>AuthenticationFailed</Code></Error>')
        _, _, partner, invoice, name = parts
        if partner != self.partner or invoice not in self.invoices:
            return Reply(404, b'<?xml version="1.0"?><Error><Code>BlobNotFound</Code></Error>')
        for i, chunk in enumerate(self._chunks(invoice)):
            if name.startswith(f"part-{i:05d}-"):
                self.blob_reads += 1
                data = "".join(json.dumps(x) + "\n" for x in chunk).encode("utf-8")
                return Reply(200, gzip.compress(data, mtime=0), {"x-ms-blob-type": "BlockBlob"})
        return Reply(404, b'<?xml version="1.0"?><Error><Code>BlobNotFound</Code></Error>')
