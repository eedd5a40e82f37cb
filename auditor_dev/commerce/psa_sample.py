"""The sample MSP's PSAs (`audit --demo --tenants`): Contoso's agreements in ConnectWise, Fabrikam's
contract in Autotask and Northwind's recurring invoice in Halo, each served by its stand-in on 127.0.0.1,
with keys made up each run."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from auditor_dev.commerce import autotask, connectwise, halo


@dataclass(frozen=True)
class SamplePsa:
    connectwise_url: str
    autotask_url: str
    env: dict[str, str]  # the keys each PSA's client reads, by their environment variables
    blocks: dict[str, tuple[int, dict[str, str]]]  # each PSA's tenants block: its company id, its products map


@contextmanager
def sample_psa() -> Iterator[SamplePsa]:
    private, secret, halo_secret = secrets.token_urlsafe(16), secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    clients, invoices, users = halo.sample_halo()
    companies, agreements, additions = connectwise.sample_connectwise()
    at = autotask.sample_autotask()
    with (
        connectwise.ConnectWiseStandIn(
            company_id=connectwise.SAMPLE_MSP,
            public_key=connectwise.SAMPLE_PUBLIC_KEY,
            private_key=private,
            client_id=connectwise.SAMPLE_CLIENT_ID,
            companies=companies,
            agreements=agreements,
            additions=additions,
        ) as cw,
        autotask.AutotaskStandIn(
            integration_code=autotask.SAMPLE_INTEGRATION_CODE,
            username=autotask.SAMPLE_USERNAME,
            secret=secret,
            companies=at.companies,
            contracts=at.contracts,
            services=at.services,
            units=at.units,
            currencies=at.currencies,
        ) as at_server,
        halo.HaloStandIn(
            client_id=halo.SAMPLE_CLIENT_ID, secret=halo_secret, clients=clients, invoices=invoices, users=users
        ) as halo_server,
    ):
        yield SamplePsa(
            cw.url,
            at_server.url,
            {
                "CW_COMPANY_ID": connectwise.SAMPLE_MSP,
                "CW_PUBLIC_KEY": connectwise.SAMPLE_PUBLIC_KEY,
                "CW_PRIVATE_KEY": private,
                "CW_CLIENT_ID": connectwise.SAMPLE_CLIENT_ID,
                "AUTOTASK_INTEGRATION_CODE": autotask.SAMPLE_INTEGRATION_CODE,
                "AUTOTASK_USERNAME": autotask.SAMPLE_USERNAME,
                "AUTOTASK_SECRET": secret,
                "HALO_URL": halo_server.url,
                "HALO_CLIENT_ID": halo.SAMPLE_CLIENT_ID,
                "HALO_CLIENT_SECRET": halo_secret,
            },
            {
                "connectwise": (connectwise.SAMPLE_COMPANY, dict(connectwise.SAMPLE_PRODUCTS)),
                "autotask": (autotask.SAMPLE_COMPANY, dict(autotask.SAMPLE_PRODUCTS)),
                "halo": (halo.SAMPLE_CLIENT, dict(halo.SAMPLE_PRODUCTS)),
            },
        )
