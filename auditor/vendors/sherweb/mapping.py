"""Sherweb's record of the customer a tenants entry's `distributor.sherweb.customer_id` names, as the
mapping the MSP confirmed keeps it (auditor.vendors.mappings).

Sherweb's subscriptions name no Microsoft subscription (its `ties` is none), so nothing in them binds the
customer to the tenant the way Pax8's vendorSubscriptionId does; and Sherweb's published Service Provider
API (github.com/sherweb/Public-Apis, Sherweb.Apis.ServiceProvider.OpenAPI.json, 1.0.0-beta08) gives a
customer no Microsoft tenant id or domain. What it gives is GetCustomers (GET /customers: {items: [...]},
each Customer with its `id`, `displayName`, `path` and `suspendedOn`): the customer is held by its id and
the displayName Sherweb keeps for it, the first time confirmed, every later time compared.
"""

from __future__ import annotations

from collections.abc import Mapping

import msgspec

from auditor.common import shapes
from auditor.vendors.protocols import DistributorError, Record

MAX_CUSTOMERS = 20_000  # a service provider's customers: past this the listing is not believed


class _Customer(msgspec.Struct, frozen=True, rename="camel"):
    """Sherweb's Customer, by the fields read; each value untrusted, checked as it is read."""

    id: object = None
    display_name: object = None


class _Customers(msgspec.Struct, frozen=True):
    items: object = None


def record(session: object, customer: str) -> Record:
    """The customer `customer` (its Sherweb id) as Sherweb lists it (GET /customers); a SherwebError when
    Sherweb lists no such customer, or lists it twice."""
    from .client import Sherweb, SherwebError  # its client (httpx): for a run that reads Sherweb
    from .writes import SherwebWriter

    sherweb = session.sherweb if isinstance(session, SherwebWriter) else session
    if not isinstance(sherweb, Sherweb):
        raise DistributorError(f"Sherweb customer {customer[:40]!r}: not a session at Sherweb")
    where = "GET customers"
    doc = sherweb.decode(sherweb.call("GET", "/customers", where), where, _Customers) or _Customers()
    items = doc.items
    if not isinstance(items, list) or len(items) > MAX_CUSTOMERS or not all(isinstance(i, Mapping) for i in items):
        raise SherwebError(f"{where}: the answer has no list of at most {MAX_CUSTOMERS} customers")
    listed = [shapes.convert(i, _Customer) for i in items]
    found = [c for c in listed if isinstance(c.id, str) and c.id.casefold() == customer.casefold()]
    if not found:
        raise SherwebError(f"Sherweb lists no customer {customer[:40]}: check the tenants entry's distributor", 404)
    if len(found) > 1:
        raise SherwebError(f"{where}: customer {customer[:40]} is listed {len(found)} times")
    from auditor.vendors.client import Fields  # its module loads httpx: read with a record, never at --help

    name = Fields(SherwebError, "Sherweb", where).text(found[0].display_name, "a displayName", required=True)
    return Record(customer, name)
