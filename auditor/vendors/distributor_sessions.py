"""The MSP's sessions at its distributors (docs/msp.md): the credentials from the environment, checked
before any tenant is read, and each tenant's seats read through one session per distributor (one token),
as `audit --tenants` hands them to each tenant's audit and a one-tenant `audit --distributor` reads its
own (read only). What the seats read mean: auditor.billing.distributor_seats."""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

from auditor.billing.distributor_records import Block, Payload, Seller
from auditor.billing.distributor_seats import failed, payload
from auditor.vendors.mappings import Proof
from auditor.vendors.protocols import Distributor, DistributorError, named_blocks
from auditor.vendors.registry import DISTRIBUTORS


def seller(vendor: Distributor) -> Seller:
    """The distributor as its readings name it (the reconciliation's Seller)."""
    return Seller(vendor.key, vendor.name, vendor.scope, vendor.ties)


def read(
    vendor: Distributor,
    blocks: Mapping[str, Block],
    *,
    endpoint: str | None,
    env: Mapping[str, str],
    proof: Proof | None = None,
) -> dict[str, Payload]:
    """Each tenant's subscriptions at the distributor `vendor` (`blocks`: its key -> its tenants entry's
    block there), or the reading's error, through one session (one token): what `audit --tenants` hands
    each tenant's audit, and what a one-tenant `audit --distributor` reads for itself (read only). With
    `proof`, a customer whose mapping is not proven the tenant's (auditor.vendors.mappings) is read no
    further: that is its error."""
    given: dict[str, Payload] = {}
    named = seller(vendor)
    with vendor.api.session(env, endpoint) as session:
        for key, block in blocks.items():
            customer = cast(Mapping[str, str], block)[vendor.scope]
            why = proof.why_not(vendor.key, session, customer, key) if proof else None
            if why:
                given[key] = failed(named, block, why)
                continue
            try:
                given[key] = payload(named, block, session.subscriptions(customer))
            except DistributorError as exc:
                given[key] = failed(named, block, str(exc))
    return given


def read_any(
    entries: Mapping[str, Mapping[str, Block]],
    *,
    endpoints: Mapping[str, str | None],
    env: Mapping[str, str],
    proof: Proof | None = None,
) -> dict[str, Payload]:
    """Each tenant's seats at its distributor (`entries`: its key -> its entry's `distributor` block,
    {<name>: ...}), each distributor of the registry read through its own session."""
    given: dict[str, Payload] = {}
    for name, vendor, blocks in named_blocks(DISTRIBUTORS, entries):
        given |= read(vendor, blocks, endpoint=endpoints.get(name), env=env, proof=proof)
    return given
