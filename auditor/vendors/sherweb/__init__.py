"""Sherweb, a distributor (docs/msp.md, "The distributor's seats"): the MSP's seats bought there, read
beside the tenant's and reduced by `apply --distributor`, as Pax8's are.

    client.py      the Partner API's client: the customer's subscriptions and catalog, decoded at the
                   border into the rows Pax8's are, the amendment and its status
    requests.py    the amendment plan writes and apply sends (CreateSubscriptionsAmendment)
    writes.py      the session apply and undo write through (auditor.vendors.protocols.DistributorSession)

VENDOR is the Distributor of auditor.vendors.protocols that auditor.vendors.registry names; the client
(httpx) loads only for a run that reads or writes Sherweb.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, ClassVar

from auditor.common.errors import UsageError
from auditor.formats.bill_model import Body, CommerceChange, CommerceRequest
from auditor.vendors.protocols import INCREASE, REDUCE, DistributorSession, Flags, guid_id
from auditor.vendors.terms import MONTHLY

from . import requests

if TYPE_CHECKING:
    from auditor.vendors.protocols import InvoiceReader


class SherwebDistributor:
    key: ClassVar[str] = "sherweb"
    name: ClassVar[str] = "Sherweb"
    scope: ClassVar[str] = "customer_id"  # the tenants entry's block names the customer by its Sherweb id
    customer: ClassVar[str] = "GUID"  # its id, as messages name it
    product: ClassVar[str] = "Sherweb SKU"  # its products map's keys: its own SKU, such as MS-0A-O365-BUSINESS
    product_pattern: ClassVar[re.Pattern[str]] = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._:/-]{0,99}\Z")
    ties: ClassVar[str] = ""  # its subscriptions name no Microsoft subscription
    kinds: ClassVar[tuple[str, ...]] = (REDUCE, INCREASE)  # no cancellation: a reduction keeps one seat
    gives_price: ClassVar[bool] = False  # its API gives no price
    commits_by_term_only: ClassVar[bool] = True  # Sherweb's CommitmentTermType: Monthly, Annual, ...
    renews_next_day: ClassVar[bool] = True  # "The first day of the next commitment term"
    monthly: ClassVar[str] = MONTHLY
    body: ClassVar[type[Body]] = requests.Amendments  # its requests' body (plan.json's `request.body`)
    flags: ClassVar[Flags] = Flags(
        endpoint="--sherweb-endpoint",
        audit="read Sherweb at URL (a stand-in)",
        write="Sherweb's URL (--distributor: a stand-in)",
        sends="Sherweb: an amendment to the new quantity; SHERWEB_CLIENT_ID, SHERWEB_CLIENT_SECRET, "
        "SHERWEB_SUBSCRIPTION_KEY",
    )

    def __init__(self) -> None:
        self.invoices: InvoiceReader | None = None  # Sherweb's invoices are not read

    def customer_id(self, text: object) -> str | None:
        return guid_id(text)

    def credentials(self, env: Mapping[str, str]) -> tuple[str, str, str]:
        """The MSP's Sherweb client id, secret and APIM subscription key; UsageError when one is missing."""
        from . import client  # its client (httpx) loads for a run that reads Sherweb

        names = (client.CLIENT_ID_ENV, client.CLIENT_SECRET_ENV, client.SUBSCRIPTION_KEY_ENV)
        client_id, secret, key = (env.get(n, "").strip() for n in names)
        if not client_id or not secret or not key:
            raise UsageError(
                f"the tenants file names a Sherweb customer (distributor: sherweb): set {', '.join(names[:2])} and "
                f"{names[2]} to the MSP's Sherweb API credentials (docs/msp.md)"
            )
        return client_id, secret, key

    @contextmanager
    def session(self, keys: tuple[str, str, str], endpoint: str | None) -> Iterator[DistributorSession]:
        from .client import Sherweb  # the client (httpx): for a run that reads or writes Sherweb
        from .writes import SherwebWriter

        with Sherweb(*keys, endpoint=endpoint) as sherweb:
            yield SherwebWriter(sherweb)

    def reduce(self, customer: str, sub_id: str, to: int) -> CommerceRequest:
        return requests.amend(customer, sub_id, to)

    def cancel(self, sub_id: str, on: str) -> CommerceRequest | None:
        del sub_id, on  # Sherweb's API cancels nothing: a change keeps at least one seat
        return None

    def put_back(self, customer: str, sub_id: str, to: int) -> CommerceRequest:
        return requests.amend(customer, sub_id, to)

    def increase(self, customer: str, sub_id: str, to: int) -> CommerceRequest:
        return requests.amend(customer, sub_id, to)

    def wrong_request(self, c: CommerceChange) -> str | None:
        return requests.wrong_request(c)


VENDOR = SherwebDistributor()
