"""Autotask (Datto Autotask PSA), where an MSP bills its customers (docs/msp.md, "What the customer is
billed: the PSA").

    client.py      the REST API's client: the company, its active recurring service contracts' units
                   as billed lines (decoded at the border), in the zone Autotask names for the user
    tickets.py     its tickets and their notes, as `tickets` files a finding (its TicketDesk)

VENDOR is the PSA of auditor.vendors.protocols that auditor.vendors.registry names; the client (httpx)
loads only for a run that reads Autotask.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar

import msgspec

from auditor.billing.psa_block import NUMBER_ID
from auditor.billing.psa_records import PsaLineRecord
from auditor.formats.bill_model import CommerceRequest, RequestBody
from auditor.vendors.protocols import Flags

if TYPE_CHECKING:
    from .client import Autotask, Credentials
    from .tickets import AutotaskDesk


class AutotaskPsa:
    key: ClassVar[str] = "autotask"
    name: ClassVar[str] = "Autotask"
    product: ClassVar[str] = "Autotask service id"  # the products map's keys: a Services id
    product_pattern: ClassVar[re.Pattern[str]] = NUMBER_ID
    where_key: ClassVar[str] = "queue"  # the tenants block's key naming where its tickets go
    flags: ClassVar[Flags] = Flags(
        endpoint="--autotask-endpoint",
        audit="read Autotask at URL (the zone's REST API, or a stand-in; default: the zone Autotask names for "
        "the user)",
        write="Autotask at URL (the zone's REST API, or a stand-in)",
    )

    def credentials(self, env: Mapping[str, str]) -> Credentials:
        from .client import credentials  # its client (httpx): for a run that reads Autotask

        return credentials(env)

    def session(self, env: Mapping[str, str], endpoint: str | None) -> Autotask:
        from .client import Autotask  # its client (httpx): for a run that reads Autotask

        return Autotask(self.credentials(env), endpoint=endpoint)

    def desk(self, env: Mapping[str, str], endpoint: str | None) -> AutotaskDesk:
        from .tickets import AutotaskDesk  # its client (httpx): for a run that files tickets in Autotask

        return AutotaskDesk(self.session(env, endpoint))

    def quantity_request(self, line: PsaLineRecord, to: int) -> CommerceRequest:
        """A ContractServiceAdjustment (POST /ContractServiceAdjustments; Autotask's swagger has no write of a
        contract service's units, only this append-only record): `unitChange` the seats added (negative:
        taken off) from `effectiveDate`, the first day of the period the line's units bill (so the period
        read is the one it changes: the same day for the plan and for apply's fresh compile in that period)."""
        effective = line.effective if isinstance(line.effective, str) else None
        body = RequestBody(
            contractID=int(line.agreement_id),
            contractServiceID=int(line.id),
            unitChange=to - line.quantity,
            effectiveDate=f"{effective}T00:00:00Z" if effective else msgspec.UNSET,
        )
        return CommerceRequest(method="POST", path="/ContractServiceAdjustments", body=body)


VENDOR = AutotaskPsa()
