"""The MSP's sessions in its PSA (docs/msp.md, "What the customer is billed: the PSA"): the keys from the
environment, checked before any tenant is read, and each tenant's billing lines read through one session
per PSA, as `audit --tenants` hands them to each tenant's audit (read only). What the lines mean:
auditor.billing.psa_table."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from auditor.billing.psa_records import PsaBlock, PsaPayload
from auditor.billing.psa_table import failed, payload

if TYPE_CHECKING:
    from auditor.billing.psa_client import PsaClient

# a PSA registered from above (auditor.fleet.psa_reads): its keys checked, its session opened, from the environment
Checks = Mapping[str, Callable[[Mapping[str, str]], object]]
Opens = Mapping[str, Callable[[Mapping[str, str], str | None], "PsaClient"]]


def check_credentials(named: Iterable[str], env: Mapping[str, str], more: Checks | None = None) -> None:
    """The keys of each PSA the tenants entries name (`named`: connectwise, autotask), before any tenant
    is read: UsageError naming the variables missing."""
    names = set(named)
    if "connectwise" in names:
        from auditor.billing import connectwise  # its client (httpx): for a run that reads ConnectWise

        connectwise.credentials(env)
    if "autotask" in names:
        from auditor.billing import autotask  # likewise

        autotask.credentials(env)
    for name, check in (more or {}).items():
        if name in names:
            check(env)


def read(
    entries: Mapping[str, Mapping[str, Any]],
    *,
    endpoints: Mapping[str, str | None],
    env: Mapping[str, str],
    on: str,
    more: Opens | None = None,
) -> dict[str, PsaPayload]:
    """Each tenant's billing lines in its PSA as of the day `on` (`entries`: its key -> its entry's `psa`
    block, {connectwise: ...} or {autotask: ...}), or the reading's error (one line), through one
    session per PSA."""
    # the PSA clients (httpx) load for a run that reads a PSA
    from auditor.billing.autotask import Autotask
    from auditor.billing.autotask import credentials as autotask_keys
    from auditor.billing.connectwise import ConnectWise
    from auditor.billing.connectwise import credentials as connectwise_keys
    from auditor.billing.psa_client import PsaError

    given: dict[str, PsaPayload] = {}
    for name in ("connectwise", "autotask", *(more or {})):
        blocks: dict[str, PsaBlock] = {key: e[name] for key, e in entries.items() if name in e}
        if not blocks:
            continue
        client: PsaClient
        try:
            if name in (more or {}):
                client = (more or {})[name](env, endpoints.get(name))
            elif name == "connectwise":
                client = ConnectWise(connectwise_keys(env), endpoint=endpoints.get(name))
            else:
                client = Autotask(autotask_keys(env), endpoint=endpoints.get(name))
        except PsaError as exc:  # Autotask's zone could not be asked: every customer's gap
            given |= {key: failed(name, block, str(exc)) for key, block in blocks.items()}
            continue
        with client:
            for key, block in blocks.items():
                try:
                    given[key] = payload(name, block, on, client.lines(int(block["company_id"]), on))
                except PsaError as exc:
                    given[key] = failed(name, block, str(exc))
    return given
