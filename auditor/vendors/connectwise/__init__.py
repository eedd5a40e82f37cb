"""ConnectWise Manage (ConnectWise PSA), where an MSP bills its customers (docs/msp.md, "What the
customer is billed: the PSA", "Findings as tickets").

    client.py      the REST API's client: the company, its active agreements and their additions as
                   billed lines (decoded at the border), paged as ConnectWise pages
    tickets.py     its service tickets and their notes, as `tickets` files a finding (its TicketDesk)

VENDOR is the PSA of auditor.vendors.protocols that auditor.vendors.registry names; the client (httpx)
loads only for a run that reads ConnectWise.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from .client import ConnectWise, Credentials
    from .tickets import ConnectWiseDesk


class ConnectWisePsa:
    key: ClassVar[str] = "connectwise"
    name: ClassVar[str] = "ConnectWise"

    def credentials(self, env: Mapping[str, str]) -> Credentials:
        from .client import credentials  # its client (httpx): for a run that reads ConnectWise

        return credentials(env)

    def session(self, keys: Credentials, endpoint: str | None) -> ConnectWise:
        from .client import ConnectWise  # its client (httpx): for a run that reads ConnectWise

        return ConnectWise(keys, endpoint=endpoint)

    def desk(self, keys: Credentials, endpoint: str | None) -> ConnectWiseDesk:
        from .tickets import ConnectWiseDesk  # its client (httpx): for a run that files tickets in ConnectWise

        return ConnectWiseDesk(self.session(keys, endpoint))


VENDOR = ConnectWisePsa()
