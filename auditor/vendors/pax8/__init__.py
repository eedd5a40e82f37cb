"""Pax8, a distributor (docs/msp.md, "The distributor's seats"): the MSP's seats bought there, read
beside the tenant's, reduced by `apply --distributor` and put back by `undo --distributor`.

    client.py      the partner API's client: the subscriptions, their decoding at the border, the
                   writes' calls (Update Subscription, Cancel Subscription) and the history
    requests.py    the requests plan writes and apply sends (PUT of a quantity, DELETE with cancelDate)
    writes.py      the session apply and undo write through (auditor.vendors.protocols.DistributorSession)
    invoices.py    what Pax8 invoiced the partner (`audit --tenants --pax8-invoice`)

VENDOR is the Distributor of auditor.vendors.protocols (its facts, and Pax8Api: its behaviour) that
auditor.vendors.registry names; the client
(httpx) loads only for a run that reads or writes Pax8.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from auditor.common.errors import UsageError
from auditor.formats.bill_model import CommerceChange, CommerceRequest
from auditor.vendors.protocols import (
    CANCEL,
    GUID,
    INCREASE,
    REDUCE,
    Distributor,
    DistributorSession,
    Flags,
    InvoiceSession,
)
from auditor.vendors.terms import MONTHLY

from . import requests


@contextmanager
def _invoices(env: Mapping[str, str], endpoint: str | None) -> Iterator[InvoiceSession]:
    from .client import Pax8  # the Pax8 client (httpx) loads for a run that reads Pax8's invoices
    from .invoices import Pax8Invoices

    with Pax8(*_keys(env), endpoint=endpoint) as pax8:
        yield Pax8Invoices(pax8)


def _keys(env: Mapping[str, str]) -> tuple[str, str]:
    """The MSP's Pax8 client id and secret; UsageError (before any tenant is audited) when missing."""
    from .client import CLIENT_ID_ENV, CLIENT_SECRET_ENV  # the Pax8 client (httpx): when read

    client_id, secret = env.get(CLIENT_ID_ENV, "").strip(), env.get(CLIENT_SECRET_ENV, "")
    if not client_id or not secret:
        raise UsageError(
            f"the tenants file names a Pax8 company (distributor: pax8): set {CLIENT_ID_ENV} and "
            f"{CLIENT_SECRET_ENV} to the MSP's Pax8 API client credentials (docs/msp.md)"
        )
    return client_id, secret


class Pax8Api:
    """Pax8's behaviour (auditor.vendors.protocols.DistributorApi)."""

    def credentials(self, env: Mapping[str, str]) -> tuple[str, str]:
        return _keys(env)

    @contextmanager
    def session(self, env: Mapping[str, str], endpoint: str | None) -> Iterator[DistributorSession]:
        from .client import Pax8  # the Pax8 client (httpx) loads for a run that reads or writes Pax8
        from .writes import Pax8Writer

        with Pax8(*_keys(env), endpoint=endpoint) as pax8:
            yield Pax8Writer(pax8)

    def quantity(self, customer: str, sub_id: str, to: int) -> CommerceRequest:
        del customer  # Pax8's subscription is named by its id alone
        return requests.update(sub_id, to)

    def cancel(self, sub_id: str, on: str) -> CommerceRequest | None:
        return requests.cancel(sub_id, on)

    def wrong_request(self, c: CommerceChange) -> str | None:
        return requests.wrong_request(c)


VENDOR = Distributor(
    key="pax8",
    name="Pax8",
    scope="company_id",  # the tenants entry's block names the customer by its Pax8 company
    customer="GUID",  # its id, as messages name it
    customer_pattern=GUID,
    customer_lower=True,
    product="Pax8 product id (a GUID)",  # what its products map's keys are
    product_pattern=GUID,
    ties="vendorSubscriptionId",  # its subscriptions name their Microsoft subscription by it
    kinds=(REDUCE, CANCEL, INCREASE),
    gives_price=True,  # a subscription's price and partnerCost
    commits_by_term_only=False,  # an annual billing term commits a subscription too
    renews_next_day=False,  # a reduction can be made on its commitment's endDate
    monthly=MONTHLY,
    body=requests.Update,  # its requests' body (plan.json's `request.body`)
    flags=Flags(
        endpoint="--pax8-endpoint",
        audit="read Pax8 at URL (a stand-in)",
        write="Pax8's URL (--distributor: a stand-in)",
        sends="Pax8: PUT /subscriptions/{id} with the new quantity, or DELETE /subscriptions/{id}?cancelDate=... "
        "when every seat goes; PAX8_CLIENT_ID, PAX8_CLIENT_SECRET",
        invoice="--pax8-invoice",
        invoice_help="read Pax8's invoice ID (or the latest) beside the seats of each tenant with a Pax8 company "
        "(docs/msp.md)",
    ),
    api=Pax8Api(),
    invoices=_invoices,
)
