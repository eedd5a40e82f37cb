"""Pax8, a distributor (docs/msp.md, "The distributor's seats"): the MSP's seats bought there, read
beside the tenant's, reduced by `apply --distributor` and put back by `undo --distributor`.

    client.py      the partner API's client: the subscriptions, their decoding at the border, the
                   writes' calls (Update Subscription, Cancel Subscription) and the history
    requests.py    the requests plan writes and apply sends (PUT of a quantity, DELETE with cancelDate)
    writes.py      the session apply and undo write through (auditor.vendors.protocols.DistributorSession)
    invoices.py    what Pax8 invoiced the partner (`audit --tenants --pax8-invoice`)

VENDOR is the Distributor of auditor.vendors.protocols that auditor.vendors.registry names; the client
(httpx) loads only for a run that reads or writes Pax8.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, ClassVar

from auditor.common.errors import UsageError
from auditor.formats.bill_model import Body, CommerceChange, CommerceRequest
from auditor.vendors.protocols import CANCEL, INCREASE, REDUCE, DistributorSession, Flags, InvoiceSession, guid_id
from auditor.vendors.terms import MONTHLY

from . import requests

if TYPE_CHECKING:
    from auditor.vendors.protocols import InvoiceReader


@contextmanager
def _invoices(keys: tuple[str, str], endpoint: str | None) -> Iterator[InvoiceSession]:
    from .client import Pax8  # the Pax8 client (httpx) loads for a run that reads Pax8's invoices
    from .invoices import Pax8Invoices

    with Pax8(*keys, endpoint=endpoint) as pax8:
        yield Pax8Invoices(pax8)


class Pax8Distributor:
    key: ClassVar[str] = "pax8"
    name: ClassVar[str] = "Pax8"
    scope: ClassVar[str] = "company_id"  # the tenants entry's block names the customer by its Pax8 company
    customer: ClassVar[str] = "GUID"  # its id, as messages name it
    product: ClassVar[str] = "Pax8 product id (a GUID)"  # what its products map's keys are
    product_pattern: ClassVar[re.Pattern[str]] = re.compile(
        r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z"
    )
    ties: ClassVar[str] = "vendorSubscriptionId"  # its subscriptions name their Microsoft subscription by it
    kinds: ClassVar[tuple[str, ...]] = (REDUCE, CANCEL, INCREASE)
    gives_price: ClassVar[bool] = True  # a subscription's price and partnerCost
    commits_by_term_only: ClassVar[bool] = False  # an annual billing term commits a subscription too
    renews_next_day: ClassVar[bool] = False  # a reduction can be made on its commitment's endDate
    monthly: ClassVar[str] = MONTHLY
    body: ClassVar[type[Body]] = requests.Update  # its requests' body (plan.json's `request.body`)
    flags: ClassVar[Flags] = Flags(
        endpoint="--pax8-endpoint",
        audit="read Pax8 at URL (a stand-in)",
        write="Pax8's URL (--distributor: a stand-in)",
        sends="Pax8: PUT /subscriptions/{id} with the new quantity, or DELETE /subscriptions/{id}?cancelDate=... "
        "when every seat goes; PAX8_CLIENT_ID, PAX8_CLIENT_SECRET",
        invoice="--pax8-invoice",
        invoice_help="read Pax8's invoice ID (or the latest) beside the seats of each tenant with a Pax8 company "
        "(docs/msp.md)",
    )

    def __init__(self) -> None:
        self.invoices: InvoiceReader | None = _invoices

    def customer_id(self, text: object) -> str | None:
        return guid_id(text)

    def credentials(self, env: Mapping[str, str]) -> tuple[str, str]:
        """The MSP's Pax8 client id and secret; UsageError (before any tenant is audited) when missing."""
        from .client import CLIENT_ID_ENV, CLIENT_SECRET_ENV  # the Pax8 client (httpx): when read

        client_id, secret = env.get(CLIENT_ID_ENV, "").strip(), env.get(CLIENT_SECRET_ENV, "")
        if not client_id or not secret:
            raise UsageError(
                f"the tenants file names a Pax8 company (distributor: pax8): set {CLIENT_ID_ENV} and "
                f"{CLIENT_SECRET_ENV} to the MSP's Pax8 API client credentials (docs/msp.md)"
            )
        return client_id, secret

    @contextmanager
    def session(self, keys: tuple[str, str], endpoint: str | None) -> Iterator[DistributorSession]:
        from .client import Pax8  # the Pax8 client (httpx) loads for a run that reads or writes Pax8
        from .writes import Pax8Writer

        with Pax8(*keys, endpoint=endpoint) as pax8:
            yield Pax8Writer(pax8)

    def reduce(self, customer: str, sub_id: str, to: int) -> CommerceRequest:
        del customer  # Pax8's subscription is named by its id alone
        return requests.update(sub_id, to)

    def cancel(self, sub_id: str, on: str) -> CommerceRequest | None:
        return requests.cancel(sub_id, on)

    def put_back(self, customer: str, sub_id: str, to: int) -> CommerceRequest:
        del customer
        return requests.update(sub_id, to)

    def increase(self, customer: str, sub_id: str, to: int) -> CommerceRequest:
        del customer
        return requests.update(sub_id, to)

    def wrong_request(self, c: CommerceChange) -> str | None:
        return requests.wrong_request(c)


VENDOR = Pax8Distributor()
