"""ConnectWise's record of the company a tenants entry's `psa.connectwise.company_id` names: the company
(GET /company/companies/{id}) and its name there, as the mapping the MSP confirmed keeps it
(auditor.vendors.mappings). Read through the run's ConnectWise session: the audit's (its billed lines) or
`tickets`' desk's client."""

from __future__ import annotations

from auditor.common.numbers import whole_number
from auditor.vendors.protocols import PsaError, Record


def record(session: object, customer: str) -> Record:
    """The company `customer` (its id) as ConnectWise holds it; a PsaError when it has none."""
    from .client import ConnectWise  # its client (httpx): for a run that reads ConnectWise

    if not isinstance(session, ConnectWise) or whole_number(customer) is None:
        raise PsaError(f"ConnectWise company {customer[:20]!r}: not a ConnectWise company id this session reads")
    return Record(customer, session.company(int(customer)))
