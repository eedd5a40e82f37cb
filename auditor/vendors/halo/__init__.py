"""HaloPSA (docs/msp.md, "HaloPSA"): the MSP's PSA, as ConnectWise Manage and Autotask are.

client.py       the REST API with OAuth2 client credentials (HALO_URL, HALO_CLIENT_ID,
                HALO_CLIENT_SECRET, HALO_TENANT, HALO_CURRENCY) at the authorisation server api/authinfo
                names: a bearer token asked for once and again once on a 401, listings paged with
                pageinate/page_size/page_no, and what the three-way table reads: a client's recurring
                invoices and their lines (--halo-endpoint: another address, a stand-in)
currency.py     an invoice's currency symbol read as its ISO 4217 code
records.py      Halo's records by the fields read and written (msgspec Structs at the border)
tickets.py      a finding's ticket (POST /api/Tickets), found again by its key among the client's
                open tickets (listed once a run), a note as an action (POST /api/Actions) with the
                outcome HALO_NOTE_OUTCOME names (default 7), the affected user's contact

VENDOR is the PSA of auditor.vendors.protocols that auditor.vendors.registry names; the client (httpx)
loads only for a run that reads Halo.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar

from auditor.billing.psa_block import CODE
from auditor.billing.psa_records import PsaLineRecord
from auditor.formats.bill_model import CommerceRequest, HaloLineQuantity, RequestBody
from auditor.vendors.protocols import Flags

if TYPE_CHECKING:
    from .client import Credentials, Halo
    from .tickets import HaloDesk


class HaloPsa:
    key: ClassVar[str] = "halo"
    name: ClassVar[str] = "Halo"
    product: ClassVar[str] = "Halo item code"  # the products map's keys: an item's code
    product_pattern: ClassVar[re.Pattern[str]] = CODE
    where_key: ClassVar[str] = "team"  # the tenants block's key naming where its tickets go
    flags: ClassVar[Flags] = Flags(
        endpoint="--halo-endpoint",
        audit="read HaloPSA at URL (a stand-in, or another address of the instance; default: HALO_URL)",
        write="HaloPSA at URL (a stand-in, or another address of the instance; default: HALO_URL)",
    )

    def credentials(self, env: Mapping[str, str]) -> Credentials:
        from .client import credentials  # its client (httpx): for a run that reads Halo

        return credentials(env)

    def session(self, env: Mapping[str, str], endpoint: str | None) -> Halo:
        from .client import Halo  # its client (httpx): for a run that reads Halo

        return Halo(self.credentials(env), endpoint=endpoint)

    def desk(self, env: Mapping[str, str], endpoint: str | None) -> HaloDesk:
        from .tickets import HaloDesk  # its client (httpx): for a run that files tickets in Halo

        return HaloDesk(self.session(env, endpoint), self.credentials(env).outcome)

    def quantity_request(self, line: PsaLineRecord, to: int) -> CommerceRequest:
        """The recurring invoice with the line's new `qty_order`: Halo's POST /api/RecurringInvoice takes an
        array of invoices and updates the one whose `id` it names (homotechsual/HaloAPI's
        Set-HaloRecurringInvoice posts the invoice with its id to recurringinvoice; its lines by their `id`)."""
        body = RequestBody(id=int(line.agreement_id), lines=[HaloLineQuantity(int(line.id), to)])
        return CommerceRequest(method="POST", path="/RecurringInvoice", body=body)


VENDOR = HaloPsa()
