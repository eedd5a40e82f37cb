"""What Microsoft invoiced a CSP partner that buys direct: Graph's billed invoice reconciliation export
(v1.0, PartnerBilling.Read.All, in the partner's own tenant; docs/msp.md quotes each page):

    POST /reports/partners/billing/reconciliation/billed/export   {invoiceId, attributeSet}: "202
                                        Accepted ... and a Location header that contains the URL to the
                                        long-running operation"
    GET  {Location}                     runningOperation (status running; Retry-After if given),
                                        failedOperation (status failed, its error), or
                                        exportSuccessOperation (status succeeded,
                                        resourceLocation@odata.navigationLink: the manifest)
    GET  /reports/partners/billing/manifests/{id}   the manifest: rootDirectory, sasToken, blobCount,
                                        blobs[].name, dataFormat compressedJSONLines
    GET  {rootDirectory}/{name}?{sasToken}   each blob: gzip, JSON lines, read without the Graph token

    read_export(client, invoice_id)     every line of the invoice (InvoiceLine), checked; InvoiceError
                                        naming the request or the line when it cannot be read whole

What is checked: the Location stays on the Graph endpoint; the operation is polled at most MAX_POLLS
times, each wait its Retry-After (at most MAX_WAIT seconds; POLL_SECONDS when none is given) on the
client's pacing clock; the manifest's blobCount is its blobs' number (at most MAX_BLOBS), its
dataFormat the documented one, its rootDirectory an https URL on Azure Blob Storage (or on the Graph
endpoint's own loopback host, a stand-in's); each blob is read up to MAX_BLOB_BYTES and decompressed
up to MAX_JSON_BYTES; each line is one JSON object, strict (no NaN, no key given twice: names are
compared without regard to case, as the attribute table spells them PascalCase and Partner Center's
older line items camelCase), and its values pass auditor.billing.invoices.line_values.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

import httpx

from auditor.billing.invoices import MAX_LINES, InvoiceError, InvoiceLine, line_values
from auditor.billing.untrusted import strict_value
from auditor.common.errors import CollectionError
from auditor.graph.client import GraphClient
from auditor.graph.hosts import LOOPBACK

EXPORT = "/reports/partners/billing/reconciliation/billed/export"
OPERATIONS = "/reports/partners/billing/operations/"
MANIFESTS = "/reports/partners/billing/manifests/"
PERMISSION = "PartnerBilling.Read.All"
ATTRIBUTE_SET = "full"  # "Choose full for a complete response or basic for a subset of attributes."
DATA_FORMATS = frozenset(("compressedjsonlines", "compressedjson"))  # the resource page's, and its example's
MAX_POLLS = 60  # our bound: an hour at Graph's usual minute a poll
POLL_SECONDS = 60.0  # when a running operation names no Retry-After (our choice)
MAX_WAIT = 600.0  # one Retry-After honoured up to this (our bound)
MAX_BLOBS = 1000  # our bound
MAX_BLOB_BYTES = 256 * 2**20  # one blob as sent (gzip)
MAX_JSON_BYTES = 2 * 2**30  # one blob decompressed
BLOB_HOST_SUFFIX = ".blob.core.windows.net"
_FIELDS = {  # the attribute (lower case) each value of a line is read from
    "customer": "customerid",
    "subscription": "subscriptionid",
    "product_id": "productid",
    "sku_name": "skuname",
    "product_name": "productname",
    "quantity": "quantity",
    "billable": "billablequantity",  # Quantity: "Units bought. Use BillableQuantity for reconciliation."
    "amount": "subtotal",
    "money": "currency",
}


def _lower_keys(doc: Mapping[str, object], where: str) -> dict[str, object]:
    """The line's attributes by their lower-case names, as the line gives them (line_values checks
    each): two names that differ only in case are refused (which one counts is never guessed)."""
    found: dict[str, object] = {}
    for key, value in doc.items():
        low = key.lower()
        if low in found:
            raise InvoiceError(f"{where}: the attribute {key[:40]!r} is given twice")
        found[low] = value
    return found


def parse_line(raw: bytes, where: str) -> InvoiceLine:
    """One JSON line of a blob as an InvoiceLine, every value checked."""
    try:
        doc = strict_value(raw)
    except ValueError as exc:
        raise InvoiceError(f"{where}: not a JSON line ({str(exc)[:80]})") from None
    if not isinstance(doc, dict):
        raise InvoiceError(f"{where}: a line is not a JSON object")
    values = _lower_keys(doc, where)
    got = {name: values.get(key) for name, key in _FIELDS.items()}
    return line_values(
        customer=got["customer"],
        subscription=got["subscription"],
        product_id=got["product_id"],
        product_name=got["sku_name"] or got["product_name"],
        quantity=got["billable"] if "billablequantity" in values else got["quantity"],
        amount=got["amount"],
        money=got["money"],
        where=where,
    )


def _lines(data: bytes, name: str) -> Iterator[InvoiceLine]:
    """The lines of one gzip blob, decompressed up to MAX_JSON_BYTES."""
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)  # gzip's header and trailer
    try:
        text = inflate.decompress(data, MAX_JSON_BYTES)
    except zlib.error:
        raise InvoiceError(f"blob {name}: not gzip as the manifest's dataFormat says") from None
    if inflate.unconsumed_tail:
        raise InvoiceError(f"blob {name}: more than {MAX_JSON_BYTES // 2**30} GiB of JSON lines")
    if not inflate.eof:
        raise InvoiceError(f"blob {name}: the gzip stream is cut short")
    for number, raw in enumerate(text.splitlines(), 1):
        if raw.strip():
            yield parse_line(raw, f"blob {name}, line {number}")


def _text(doc: Mapping[str, object], key: str, where: str) -> str:
    value = doc.get(key)
    if not isinstance(value, str) or not value or len(value) > 2000:
        raise InvoiceError(f"{where}: {key} is not given as Graph documents it")
    return value


def _same_origin(client: GraphClient, url: str, what: str) -> str:
    """`url` when it is on the Graph endpoint the client reads (a Location, a navigation link)."""
    mine, theirs = urlsplit(client.base_url), urlsplit(url)
    if (theirs.scheme, theirs.netloc.lower()) != (mine.scheme, mine.netloc.lower()):
        raise InvoiceError(f"{what}: {url[:80]!r} is not on the Graph endpoint")
    return url


def blob_url(client: GraphClient, root: str, name: str, sas: str) -> str:
    """{rootDirectory}/{name}?{sasToken}, when the root is on Azure Blob Storage (https), or on the Graph
    endpoint's own loopback host (a stand-in); a blob name is one path segment."""
    parts = urlsplit(root)
    host = (parts.hostname or "").lower()
    graph_host = (urlsplit(client.base_url).hostname or "").lower()
    stand_in = parts.scheme == "http" and host in LOOPBACK and host == graph_host
    if not (parts.scheme == "https" and host.endswith(BLOB_HOST_SUFFIX)) and not stand_in:
        raise InvoiceError(f"the manifest's rootDirectory {root[:80]!r} is not Azure Blob Storage")
    if not name or "/" in name or ".." in name or "?" in name or "#" in name:
        raise InvoiceError(f"the manifest names a blob {name[:60]!r} that is no file name")
    return f"{root.rstrip('/')}/{name}?{sas.lstrip('?')}"


async def _operation(client: GraphClient, location: str) -> str:
    """The manifest's URL once the operation succeeded; InvoiceError when it failed or ran too long."""
    for _ in range(MAX_POLLS):
        response = await client.fetch(location)
        try:
            doc = json.loads(response.content)
        except ValueError:
            raise InvoiceError("GET the export's operation: the answer is not JSON") from None
        status = str(doc.get("status", "")).lower() if isinstance(doc, dict) else ""
        if status == "succeeded":
            link = doc.get("resourceLocation@odata.navigationLink")
            if not isinstance(link, str):
                raise InvoiceError("the export succeeded without resourceLocation@odata.navigationLink")
            return _same_origin(client, link, "the export's manifest")
        if status == "failed":
            error = doc.get("error") if isinstance(doc.get("error"), dict) else {}
            said = f"{error.get('code', '')}: {error.get('message', '')}".strip(": ")[:200]
            raise InvoiceError(f"Graph's export of the invoice failed{': ' + said if said else ''}")
        if status not in ("running", "notstarted"):
            raise InvoiceError(f"the export's operation has a status {status[:20]!r} Graph does not document")
        wait = _retry_after(response.headers.get("Retry-After"))
        await client.sleep(POLL_SECONDS if wait is None else min(wait, MAX_WAIT))
    raise InvoiceError(f"the export was still running after {MAX_POLLS} polls")


def _retry_after(value: str | None) -> float | None:
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        return None
    return seconds if seconds is not None and 0 <= seconds < float("inf") else None


async def _blob(client: GraphClient, url: str, name: str) -> bytes:
    """One blob's bytes, at most MAX_BLOB_BYTES, read without the Graph token (the SAS is its key)."""
    try:
        async with client.http.stream("GET", url) as answer:
            if answer.status_code != 200:
                raise InvoiceError(f"blob {name}: HTTP {answer.status_code} from the storage (the SAS token refused?)")
            data = bytearray()
            async for chunk in answer.aiter_raw():
                data += chunk
                if len(data) > MAX_BLOB_BYTES:
                    raise InvoiceError(f"blob {name}: over {MAX_BLOB_BYTES // 2**20} MiB")
            return bytes(data)
    except httpx.HTTPError as exc:
        raise InvoiceError(f"blob {name}: the storage could not be reached: {type(exc).__name__}") from None


def _manifest(doc: Any) -> tuple[str, str, list[str]]:
    """(rootDirectory, sasToken, blob names) of a manifest, checked."""
    where = "the export's manifest"
    if not isinstance(doc, dict):
        raise InvoiceError(f"{where} is not an object")
    fmt = _text(doc, "dataFormat", where)
    if fmt.lower() not in DATA_FORMATS:
        raise InvoiceError(f"{where}: dataFormat {fmt[:40]!r} is not compressedJSONLines")
    blobs, count = doc.get("blobs"), doc.get("blobCount")
    if not isinstance(blobs, list) or isinstance(count, bool) or not isinstance(count, int):
        raise InvoiceError(f"{where}: blobs and blobCount are not given as Graph documents them")
    if count != len(blobs) or count > MAX_BLOBS:
        raise InvoiceError(f"{where}: blobCount {count} for {len(blobs)} blobs (at most {MAX_BLOBS})")
    names = [_text(b, "name", where) if isinstance(b, dict) else "" for b in blobs]
    if len({n.lower() for n in names}) != len(names):
        raise InvoiceError(f"{where}: a blob is named twice")
    return _text(doc, "rootDirectory", where), _text(doc, "sasToken", where), names


async def read_export(client: GraphClient, invoice_id: str) -> list[InvoiceLine]:
    """Every line of the invoice, exported, polled, and read blob by blob; InvoiceError (or the client's
    CollectionError, turned into one) when the invoice cannot be read whole."""
    body = {"invoiceId": invoice_id, "attributeSet": ATTRIBUTE_SET}
    try:
        answer = await client.submit(EXPORT, body)
        location = answer.headers.get("Location")
        if answer.status_code != 202 or not location:
            raise InvoiceError(f"POST {EXPORT}: HTTP {answer.status_code} without the operation's Location")
        manifest_url = await _operation(client, _same_origin(client, location, "the export's Location"))
        root, sas, names = _manifest(await client.get(manifest_url))
        lines: list[InvoiceLine] = []
        for name in names:
            lines += _lines(await _blob(client, blob_url(client, root, name, sas), name), name)
            if len(lines) > MAX_LINES:
                raise InvoiceError(f"the invoice has more than {MAX_LINES} lines")
        return lines
    except CollectionError as exc:
        raise InvoiceError(str(exc)) from None


def gzip_lines(docs: Sequence[Mapping[str, object]]) -> bytes:
    """JSON lines, gzip-compressed: a blob as the export writes one (stand-ins and tests)."""
    return gzip.compress("".join(json.dumps(d) + "\n" for d in docs).encode("utf-8"), mtime=0)
