"""Halo's record of the client a tenants entry's `psa.halo.company_id` names: the client (GET /Client/{id})
and its name there, as the mapping the MSP confirmed keeps it (auditor.vendors.mappings). Read through the
run's Halo session: the audit's or `tickets`' desk's."""

from __future__ import annotations

from auditor.common.numbers import whole_number
from auditor.vendors.protocols import PsaError, Record


def record(session: object, customer: str) -> Record:
    """The client `customer` (its id) as Halo holds it; a PsaError when it has none."""
    from .client import Halo  # its client (httpx): for a run that reads Halo

    if not isinstance(session, Halo) or whole_number(customer) is None:
        raise PsaError(f"Halo client {customer[:20]!r}: not a Halo client id this session reads")
    return Record(customer, session.client(int(customer)))
