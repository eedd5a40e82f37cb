"""ConnectWise Manage (ConnectWise PSA), where an MSP bills its customers (docs/msp.md, "What the
customer is billed: the PSA", "Findings as tickets").

    client.py      the REST API's client: the company, its active agreements and their additions as
                   billed lines (decoded at the border), paged as ConnectWise pages
    tickets.py     its service tickets and their notes, as `tickets` files a finding (its TicketDesk)

VENDOR is the PSA of auditor.vendors.protocols that auditor.vendors.registry names; the client (httpx)
loads only for a run that reads ConnectWise.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar

from auditor.billing.psa_block import CODE
from auditor.billing.psa_records import PsaLineRecord
from auditor.formats.bill_model import CommerceRequest, RequestBody
from auditor.vendors.protocols import Flags

if TYPE_CHECKING:
    from .client import ConnectWise, Credentials
    from .tickets import ConnectWiseDesk


class ConnectWisePsa:
    key: ClassVar[str] = "connectwise"
    name: ClassVar[str] = "ConnectWise"
    product: ClassVar[str] = "ConnectWise product identifier"  # the products map's keys: product.identifier
    product_pattern: ClassVar[re.Pattern[str]] = CODE
    where_key: ClassVar[str] = "board"  # the tenants block's key naming where its tickets go
    flags: ClassVar[Flags] = Flags(
        endpoint="--connectwise-endpoint",
        audit="read ConnectWise Manage at URL (another region's site, or a stand-in; default: "
        "api-na.myconnectwise.net)",
        write="ConnectWise Manage at URL (another region's site, or a stand-in)",
    )

    def credentials(self, env: Mapping[str, str]) -> Credentials:
        from .client import credentials  # its client (httpx): for a run that reads ConnectWise

        return credentials(env)

    def session(self, env: Mapping[str, str], endpoint: str | None) -> ConnectWise:
        from .client import ConnectWise  # its client (httpx): for a run that reads ConnectWise

        return ConnectWise(self.credentials(env), endpoint=endpoint)

    def desk(self, env: Mapping[str, str], endpoint: str | None) -> ConnectWiseDesk:
        from .tickets import ConnectWiseDesk  # its client (httpx): for a run that files tickets in ConnectWise

        return ConnectWiseDesk(self.session(env, endpoint))

    def quantity_request(self, line: PsaLineRecord, to: int) -> CommerceRequest:
        """The addition's `quantity` (PATCH /finance/agreements/{parentId}/additions/{id}, a JSON Patch
        `replace` of `quantity`: ConnectWiseManageAPI's Update-CWMAgreementAddition), to 0 too; its
        effectiveDate and cancelledDate are left as they are. ConnectWise's published Addition types both
        `string`, `format: date-time`, without `nullable` (quantity is `nullable: true`), and describes
        neither: effectiveDate is the addition's one day it bills from, not a change's, so no change moves it;
        and a cancelledDate set at 0 could not be cleared again by a PATCH of the published contract (null is
        not its type; `remove` is not documented), so undo could not set it back: an addition at 0 stays, read
        and billing nothing (tests/billing/test_connectwise_write.py)."""
        path = f"/finance/agreements/{int(line.agreement_id)}/additions/{int(line.id)}"
        return CommerceRequest(method="PATCH", path=path, body=RequestBody(quantity=to))


VENDOR = ConnectWisePsa()
