"""The sample MSP's PSAs (`audit --demo --tenants`): Contoso's agreements in ConnectWise, Fabrikam's
contract in Autotask and Northwind's recurring invoice in Halo, each served by its stand-in on 127.0.0.1,
with keys made up each run."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from auditor_dev.commerce import autotask, connectwise, halo


@dataclass(frozen=True)
class SamplePsa:
    connectwise_url: str
    autotask_url: str
    env: dict[str, str]  # the keys each PSA's client reads, by their environment variables
    blocks: dict[str, tuple[int, dict[str, str]]]  # each PSA's tenants block: its company id, its products map
    halo_url: str = ""
    # what the writes of apply --psa left (ConnectWise's additions, Autotask's units and adjustments, Halo's
    # recurring invoices): `sample_psa(state)` serves it again
    current: Callable[[], dict[str, Any]] = field(default=lambda: {})


@contextmanager
def sample_psa(state: Mapping[str, Any] | None = None) -> Iterator[SamplePsa]:
    """The sample MSP's three PSAs, as shipped or as `state` (a SamplePsa's `current()`) kept them."""
    private, secret, halo_secret = secrets.token_urlsafe(16), secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    clients, invoices, users = halo.sample_halo()
    companies, agreements, additions = connectwise.sample_connectwise()
    at = autotask.sample_autotask()
    if state:
        invoices = state["halo_invoices"]
        additions = {int(k): v for k, v in state["connectwise_additions"].items()}
        at = autotask.SampleAutotask(at.companies, at.contracts, at.services, state["autotask_units"], at.currencies)
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
        at_server.adjustments = list((state or {}).get("autotask_adjustments", []))

        def current() -> dict[str, Any]:
            return {
                "connectwise_additions": {str(k): v for k, v in cw.additions.items()},
                "autotask_units": at_server.entities["ContractServiceUnits"],
                "autotask_adjustments": at_server.adjustments,
                "halo_invoices": halo_server.invoices,
            }

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
            halo_server.url,
            current,
        )
