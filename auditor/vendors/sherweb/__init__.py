"""Sherweb, a distributor (docs/msp.md, "The distributor's seats"): the MSP's seats bought there, read
beside the tenant's and reduced by `apply --distributor`, as Pax8's are.

    client.py      the Partner API's client: the customer's subscriptions and catalog, decoded at the
                   border into the rows Pax8's are, the amendment and its status
    requests.py    the amendment plan writes and apply sends (CreateSubscriptionsAmendment)
    writes.py      the session apply and undo write through (auditor.vendors.protocols.DistributorSession)

VENDOR is the Distributor of auditor.vendors.protocols (its facts, and SherwebApi: its behaviour) that
auditor.vendors.registry names; the client
(httpx) loads only for a run that reads or writes Sherweb.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from auditor.common.errors import UsageError
from auditor.formats.bill_model import CommerceChange, CommerceRequest
from auditor.vendors.protocols import GUID, INCREASE, REDUCE, Distributor, DistributorSession, Flags
from auditor.vendors.terms import MONTHLY

from . import requests


class SherwebApi:
    """Sherweb's behaviour (auditor.vendors.protocols.DistributorApi)."""

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
    def session(self, env: Mapping[str, str], endpoint: str | None) -> Iterator[DistributorSession]:
        from .client import Sherweb  # the client (httpx): for a run that reads or writes Sherweb
        from .writes import SherwebWriter

        with Sherweb(*self.credentials(env), endpoint=endpoint) as sherweb:
            yield SherwebWriter(sherweb)

    def quantity(self, customer: str, sub_id: str, to: int) -> CommerceRequest:
        return requests.amend(customer, sub_id, to)

    def cancel(self, sub_id: str, on: str) -> CommerceRequest | None:
        del sub_id, on  # Sherweb's API cancels nothing: a change keeps at least one seat
        return None

    def wrong_request(self, c: CommerceChange) -> str | None:
        return requests.wrong_request(c)


VENDOR = Distributor(
    key="sherweb",
    name="Sherweb",
    scope="customer_id",  # the tenants entry's block names the customer by its Sherweb id
    customer="GUID",  # its id, as messages name it
    customer_pattern=GUID,
    customer_lower=True,
    product="Sherweb SKU",  # its products map's keys: its own SKU, such as MS-0A-O365-BUSINESS
    product_pattern=re.compile(r"^[0-9A-Za-z][0-9A-Za-z._:/-]{0,99}\Z"),
    ties="",  # its subscriptions name no Microsoft subscription
    kinds=(REDUCE, INCREASE),  # no cancellation: a reduction keeps one seat
    gives_price=False,  # its API gives no price
    commits_by_term_only=True,  # Sherweb's CommitmentTermType: Monthly, Annual, ...
    renews_next_day=True,  # "The first day of the next commitment term"
    monthly=MONTHLY,
    body=requests.Amendments,  # its requests' body (plan.json's `request.body`)
    flags=Flags(
        endpoint="--sherweb-endpoint",
        audit="read Sherweb at URL (a stand-in)",
        write="Sherweb's URL (--distributor: a stand-in)",
        sends="Sherweb: an amendment to the new quantity; SHERWEB_CLIENT_ID, SHERWEB_CLIENT_SECRET, "
        "SHERWEB_SUBSCRIPTION_KEY",
    ),
    api=SherwebApi(),
    invoices=None,  # Sherweb's invoices are not read
)
