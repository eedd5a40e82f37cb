"""Which of the tenant's Microsoft subscriptions a distributor's subscription names: the one join the
audit's reconciliation (distributor_seats, distributor_products), the plan's distributor changes and
`apply --distributor`'s re-derivation at the call (auditor.distributor) all ask (docs/msp.md, "Matching,
by the vendor's ids first").

    guid(value)                  a GUID in one spelling (lower case, no braces), None for anything else
    TenantSubscription           one of the tenant's Microsoft subscriptions (Graph's companySubscription)
    Joins(tenant).named(id)      the tenant's subscription a distributor's subscription names, by either of
                                 Graph's two ids of it
    named_twice(pairs)           the Microsoft subscriptions that two or more distributor subscriptions
                                 name: which of them is the tenant's is not guessed

Graph gives a companySubscription two ids, `id` ("The unique ID for this subscription.") and
`commerceSubscriptionId` ("The ID of this subscription in the commerce system. Alternate key."), and they
differ; a distributor that names the Microsoft subscription (its vendor subscription id) does not say
which of the two. Either names the subscription. Both are GUIDs, and a GUID is one value however it is
written: `{2E698E5F-…}` is `2e698e5f-…`. A vendor id that is no GUID names no Microsoft subscription.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable

from auditor.data.model import Subscription

_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def guid(value: object) -> str | None:
    """`value` as one spelling of its GUID (lower case, hyphenated, no braces), None when it is none:
    8-4-4-4-12 hexadecimal digits, in braces or not, in either case."""
    if not isinstance(value, str):
        return None
    text = value.lower()
    if text.startswith("{") and text.endswith("}"):
        text = text[1:-1]
    return text if _GUID.fullmatch(text) else None


@dataclasses.dataclass(frozen=True)
class TenantSubscription:
    """One of the tenant's Microsoft subscriptions (Graph's companySubscription), as a distributor's
    vendorSubscriptionId names it: its id (or its commerceSubscriptionId) and its product."""

    id: str
    commerce_id: str | None
    part: str
    sku_id: str

    @classmethod
    def of(cls, sub: Subscription) -> TenantSubscription:
        return cls(sub.id, sub.commerce_subscription_id, sub.sku_part_number.upper(), sub.sku_id)


class Joins:
    """The tenant's subscriptions by both of Graph's ids, each as guid() spells it."""

    def __init__(self, tenant: Iterable[TenantSubscription]) -> None:
        self.by_id: dict[str, TenantSubscription] = {}
        for t in tenant:
            for key in (t.id, t.commerce_id):
                if (g := guid(key)) is not None:
                    self.by_id[g] = t

    def named(self, vendor_id: str | None) -> TenantSubscription | None:
        """The tenant's subscription `vendor_id` (the distributor's vendor subscription id) names, else None."""
        g = guid(vendor_id)
        return self.by_id.get(g) if g is not None else None


def named_twice(pairs: Iterable[tuple[str, str | None]]) -> dict[str, list[str]]:
    """(the distributor's subscription id, the Microsoft subscription it names) pairs -> each Microsoft
    subscription (as guid() spells it) that two or more of them name, and their ids, sorted."""
    by_microsoft: dict[str, set[str]] = {}
    for own, microsoft in pairs:
        if (g := guid(microsoft)) is not None:
            by_microsoft.setdefault(g, set()).add(own)
    return {g: sorted(ids) for g, ids in sorted(by_microsoft.items()) if len(ids) > 1}
