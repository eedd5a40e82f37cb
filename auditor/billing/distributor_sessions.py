"""The MSP's sessions at its distributors (docs/msp.md): the credentials from the environment, checked
before any tenant is read, and each tenant's seats read through one session per distributor (one token),
as `audit --tenants` hands them to each tenant's audit and a one-tenant `audit --distributor` reads its
own (read only). What the seats read mean: auditor.billing.distributor_seats."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from auditor.billing.distributor_records import Block, Payload
from auditor.billing.distributor_seats import failed, payload
from auditor.common.errors import UsageError


def credentials(env: Mapping[str, str]) -> tuple[str, str]:
    """The MSP's Pax8 client id and secret; UsageError (before any tenant is audited) when missing."""
    from auditor.billing.pax8 import CLIENT_ID_ENV, CLIENT_SECRET_ENV  # the Pax8 client (httpx): when read

    client_id, secret = env.get(CLIENT_ID_ENV, "").strip(), env.get(CLIENT_SECRET_ENV, "")
    if not client_id or not secret:
        raise UsageError(
            f"the tenants file names a Pax8 company (distributor: pax8): set {CLIENT_ID_ENV} and "
            f"{CLIENT_SECRET_ENV} to the MSP's Pax8 API client credentials (docs/msp.md)"
        )
    return client_id, secret


def read(blocks: Mapping[str, Block], *, endpoint: str | None, env: Mapping[str, str]) -> dict[str, Payload]:
    """Each tenant's Pax8 subscriptions (`blocks`: its key -> its tenants entry's `pax8` block), or the
    reading's error, through one Pax8 session (one token): what `audit --tenants` hands each tenant's
    audit, and what a one-tenant `audit --distributor` reads for itself (read only)."""
    from auditor.billing.pax8 import Pax8, Pax8Error  # the Pax8 client (httpx) loads for a run that reads Pax8

    client_id, secret = credentials(env)
    given: dict[str, Payload] = {}
    with Pax8(client_id, secret, endpoint=endpoint) as pax8:
        for key, block in blocks.items():
            try:
                given[key] = payload(block, pax8.subscriptions(block["company_id"]))
            except Pax8Error as exc:
                given[key] = failed(block, str(exc))
    return given


def sherweb_credentials(env: Mapping[str, str]) -> tuple[str, str, str]:
    """The MSP's Sherweb client id, secret and APIM subscription key; UsageError when one is missing."""
    from auditor.billing import sherweb  # its client (httpx) loads for a run that reads Sherweb

    names = (sherweb.CLIENT_ID_ENV, sherweb.CLIENT_SECRET_ENV, sherweb.SUBSCRIPTION_KEY_ENV)
    client_id, secret, key = (env.get(n, "").strip() for n in names)
    if not client_id or not secret or not key:
        raise UsageError(
            f"the tenants file names a Sherweb customer (distributor: sherweb): set {', '.join(names[:2])} and "
            f"{names[2]} to the MSP's Sherweb API credentials (docs/msp.md)"
        )
    return client_id, secret, key


def read_sherweb(blocks: Mapping[str, Block], *, endpoint: str | None, env: Mapping[str, str]) -> dict[str, Payload]:
    """Each tenant's Sherweb subscriptions (`blocks`: its key -> its entry's `sherweb` block), or the
    reading's error, through one Sherweb session (one token), as the records Pax8's are (read only)."""
    from auditor.billing.sherweb import Sherweb, SherwebError  # the client (httpx): for a run that reads Sherweb

    given: dict[str, Payload] = {}
    with Sherweb(*sherweb_credentials(env), endpoint=endpoint) as sherweb:
        for key, block in blocks.items():
            try:
                given[key] = payload(block, sherweb.subscriptions(block["customer_id"]), distributor="sherweb")
            except SherwebError as exc:
                given[key] = failed(block, str(exc), distributor="sherweb")
    return given


def read_any(
    entries: Mapping[str, Mapping[str, Block]], *, endpoints: Mapping[str, str | None], env: Mapping[str, str]
) -> dict[str, Payload]:
    """Each tenant's seats at its distributor (`entries`: its key -> its entry's `distributor` block,
    {pax8: ...} or {sherweb: ...}), each distributor read through its own session."""
    pax8 = {key: e["pax8"] for key, e in entries.items() if "pax8" in e}
    sherweb = {key: e["sherweb"] for key, e in entries.items() if "sherweb" in e}
    given = read(pax8, endpoint=endpoints.get("pax8"), env=env) if pax8 else {}
    return given | (read_sherweb(sherweb, endpoint=endpoints.get("sherweb"), env=env) if sherweb else {})


def check_credentials(entries: Sequence[Iterable[str]], env: Mapping[str, str]) -> None:
    """The credentials of each distributor `entries` name (before any tenant is read): UsageError."""
    named = {name for entry in entries for name in entry}
    if "pax8" in named:
        credentials(env)
    if "sherweb" in named:
        sherweb_credentials(env)
