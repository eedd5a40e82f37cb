"""Partner Center, Microsoft's commerce for a CSP partner (docs/bill.md, docs/msp.md, "One partner
credential for every customer"): a customer's subscriptions read for the bill, and `apply --commerce`'s
changes to them.

    client.py      the REST API's session (paced per customer, retried on 429, bounded strict JSON) and
                   its calls: the subscriptions, one re-read, its update, the product a renewal keeps

VENDOR is the PartnerCenterApi of auditor.vendors.protocols that auditor.vendors.registry names; the
client (httpx) loads only for a run that reads Partner Center.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential

    from auditor.billing.commerce_records import PartnerSession, PartnerSubscription, ProductTerm
    from auditor.billing.untrusted import JsonObject


class PartnerCenterApi:
    name: ClassVar[str] = "Partner Center"

    def open(self, credential: TokenCredential, endpoint: str | None) -> PartnerSession:
        """One session (a context manager) with the partner's credential; `endpoint`: a stand-in's."""
        from .client import PartnerCenter  # its client (httpx) loads for a run that reads Partner Center

        return PartnerCenter(credential, endpoint)

    def read_subscriptions(self, pc: PartnerSession, customer: str) -> list[PartnerSubscription]:
        from .client import read_subscriptions  # as above

        return read_subscriptions(pc, customer)

    def get_subscription(self, pc: PartnerSession, customer: str, sub_id: str) -> JsonObject:
        from .client import get_subscription  # as above

        return get_subscription(pc, customer, sub_id)

    def update_subscription(self, pc: PartnerSession, customer: str, subscription: JsonObject) -> JsonObject:
        from .client import update_subscription  # as above

        return update_subscription(pc, customer, subscription)

    def scheduled_product(self, pc: PartnerSession, customer: str, subscription: JsonObject) -> ProductTerm:
        from .client import scheduled_product  # as above

        return scheduled_product(pc, customer, subscription)


VENDOR = PartnerCenterApi()
