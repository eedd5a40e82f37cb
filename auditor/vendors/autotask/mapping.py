"""Autotask's record of the company a tenants entry's `psa.autotask.company_id` names: the company
(GET /Companies/{id}) and its companyName there, as the mapping the MSP confirmed keeps it
(auditor.vendors.mappings). Read through the run's Autotask session: the audit's or `tickets`' desk's."""

from __future__ import annotations

from auditor.common.numbers import whole_number
from auditor.vendors.protocols import PsaError, Record


def record(session: object, customer: str) -> Record:
    """The company `customer` (its id) as Autotask holds it; a PsaError when it has none."""
    from .client import Autotask  # its client (httpx): for a run that reads Autotask

    if not isinstance(session, Autotask) or whole_number(customer) is None:
        raise PsaError(f"Autotask company {customer[:20]!r}: not an Autotask company id this session reads")
    return Record(customer, session.company(int(customer)))
