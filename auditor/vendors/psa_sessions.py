"""The MSP's sessions in its PSA (docs/msp.md, "What the customer is billed: the PSA"): the keys from the
environment, checked before any tenant is read, and each tenant's billing lines read through one session
per PSA, as `audit --tenants` hands them to each tenant's audit (read only). What the lines mean:
auditor.billing.psa_table."""

from __future__ import annotations

from collections.abc import Mapping

from auditor.billing.psa_records import PsaBlock, PsaPayload
from auditor.billing.psa_table import failed, payload
from auditor.vendors.mappings import Proof
from auditor.vendors.protocols import PsaError, named_blocks
from auditor.vendors.registry import PSAS


def read(
    entries: Mapping[str, Mapping[str, PsaBlock]],
    *,
    endpoints: Mapping[str, str | None],
    env: Mapping[str, str],
    on: str,
    proof: Proof | None = None,
) -> dict[str, PsaPayload]:
    """Each tenant's billing lines in its PSA as of the day `on` (`entries`: its key -> its entry's `psa`
    block, {connectwise: ...} or {autotask: ...}), or the reading's error (one line), through one
    session per PSA. With `proof`, a company not proven the tenant's is that tenant's error."""
    given: dict[str, PsaPayload] = {}
    for name, psa, blocks in named_blocks(PSAS, entries):
        try:
            client = psa.session(env, endpoints.get(name))
        except PsaError as exc:  # Autotask's zone could not be asked: every customer's gap
            given |= {key: failed(name, block, str(exc)) for key, block in blocks.items()}
            continue
        with client:
            for key, block in blocks.items():
                why = proof.why_not(name, client, str(block["company_id"]), key) if proof else None
                if why:  # the company is not proven the tenant's (auditor.vendors.mappings): its lines are not read
                    given[key] = failed(name, block, why)
                    continue
                try:
                    given[key] = payload(name, block, on, client.lines(int(block["company_id"]), on))
                except PsaError as exc:
                    given[key] = failed(name, block, str(exc))
    return given
