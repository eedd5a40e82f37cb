"""What bounds a bill undo's buy-back (undo --distributor's put-back, undo --commerce's buy-back), read at
the call from the sources and never from a file beside the journal (docs/plan-and-apply.md, "What undo
reads at the call"):

- the seats the tenant assigns now, per product (Graph's GET /subscribedSkus, `consumedUnits`, and the
  seats it has, `prepaidUnits.enabled`), signed in
  to the tenant the operator names (--tenant-id, else AZURE_TENANT_ID; permissions.check_tenant);
- the tenant's Microsoft subscriptions (GET /directory/subscriptions), which a distributor's subscription
  names by its vendor subscription id: the audit's and apply's own join (distributor_join), by which undo
  re-reads the subscription (Pax8 may name a Microsoft subscription by its vendorSubscriptionId alone);
- the spare seats the operator's policy allows for the product (`catalog[].spare_seats`: the tightest of
  `max` and `max_percent`, never below `min`, as spare-seats-over-limit counts them; `max_percent` of
  the seats assigned now), read from the policy files the operator gives (`--policies`, as audit and
  apply take them; else the working folder's `policies/`, audit's default), never from a file the run
  wrote: a plan (or a plan copy beside a journal) names policy files of its own choosing. No policy
  given, or one that does not load: no spare seat.

A put-back leaves the product billed at most the seats assigned now plus that spare limit
(`cap`; `room`: what one subscription may have then): to put back the seats of users whose licenses
were removed, give the licenses back first (undo the plan's license changes), then the seats.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from auditor.common.errors import CollectionError, PolicyError
from auditor.common.numbers import is_int

from ..billing.distributor_join import Joins
from ..distributor.distributor_changes import NAMES
from ..distributor.distributor_rederive import CustomerProof, subscriptions_reader
from ..formats.plan_json import PlanFile
from ..graph.retries import GraphRequestError
from ..policy.objects import CatalogEntry, Policy
from ..policyset.load import load_policies
from ..vendors.protocols import DistributorSession
from . import permissions
from .arguments import WriteOptions
from .run import _client


@dataclass(frozen=True)
class Assigned:
    part: str  # skuPartNumber, as a policy's catalog may name the product
    consumed: int  # consumedUnits: the seats assigned now
    enabled: int | None = None  # prepaidUnits.enabled: the seats the tenant has now (None: not given)


@dataclass(frozen=True)
class TenantNow:
    """The tenant's seats as read at the call, and the operator's policies (operator_policies)."""

    assigned: Mapping[str, Assigned] = field(default_factory=dict)  # skuId (lower case) -> its seats
    policies: Sequence[Policy] = ()
    unread: str = ""  # why the tenant's seats could not be read: no put-back is made
    policy_note: str = ""  # why no policy allows a spare seat here (none given, or it does not load)
    # the tenant's Microsoft subscriptions, the join a re-read names its product by (empty: not read)
    joins: Joins = field(default_factory=lambda: Joins(()))
    # what proves a change's customer the tenant's (the kept mapping, auditor.vendors.mappings); None: not asked
    mapping: CustomerProof | None = None

    def unproven(self, source: str, writer: DistributorSession, customer: str) -> str | None:
        """Why the distributor's customer is not proven the tenant's by the kept mapping (read through `writer`,
        the undo's session there), else None: then nothing is sent for it."""
        if self.mapping is None:
            return None
        why = self.mapping.why_not(source, writer, customer)
        return f"{NAMES.get(source, source)} customer {customer} is not proven this tenant's: {why}" if why else None

    def spare(self, sku_id: str) -> int:
        """The most spare seats the operator's policy allows for the product (0: none, or no policy)."""
        seats = self.assigned.get(sku_id.lower())
        if seats is None:
            return 0
        limits = [
            _limit(entry, seats.consumed)
            for policy in self.policies
            for entry in policy.catalog or ()
            if entry.sku.lower() in (sku_id.lower(), seats.part.lower())
        ]
        return min(limits) if limits else 0

    def cap(self, sku_id: str | None) -> tuple[int, str] | str:
        """(the most seats of the product the distributor may bill after a put-back, how that is
        counted), or why it cannot be told."""
        if self.unread:
            return f"the tenant's seats could not be read ({self.unread})"
        seats = self.assigned.get((sku_id or "").lower())
        if sku_id is None or seats is None:
            return "which of the tenant's products it is cannot be told from the distributor and Graph now"
        spare = self.spare(sku_id)
        note = f" ({self.policy_note})" if self.policy_note and not spare else ""
        return seats.consumed + spare, f"{seats.consumed} assigned now, {spare} spare allowed by the policy{note}"

    def room(self, sku_id: str | None, quantity: int, billed: int | None = None) -> tuple[int, int, str] | str:
        """(the most seats a subscription of the product, `quantity` now, may have after a buy-back: the
        product's `cap` less its other seats billed; those seats billed, `billed` (a distributor's count of
        the product) or else the tenant's own (prepaidUnits.enabled); how the cap is counted), or why it
        cannot be told."""
        cap = self.cap(sku_id)
        if isinstance(cap, str):
            return cap
        most, counted = cap
        if billed is None:
            billed = self.assigned[(sku_id or "").lower()].enabled
            if billed is None:
                return "the tenant's seats of it (prepaidUnits.enabled) could not be read from Graph now"
        return most - (billed - quantity), billed, counted  # the product's other seats stay billed


def _limit(entry: CatalogEntry, consumed: int) -> int:
    """The spare seats one catalog entry allows, as spare-seats-over-limit counts them; its minimum
    alone when it sets no limit."""
    limits = entry.spare_seats
    if limits is None:
        return 0
    caps = [limits.max] if limits.max is not None else []
    if limits.max_percent is not None:
        caps.append(math.floor(consumed * limits.max_percent / 100))
    least = limits.min or 0
    return max(min(caps), least) if caps else least


DEFAULT_POLICIES = "policies"  # audit's default: the repository's policies/, reviewed in pull requests


def operator_policies(options: WriteOptions) -> tuple[list[Policy], str]:
    """The policies the operator gives undo (`--policies`, read as `options.policies` where the command takes
    it; else the working folder's policies/ when there is one), never a plan's; ([], why) when none is given
    or they do not load: then no spare seat is allowed."""
    given = tuple(options.policies)
    paths = [*given] or ([DEFAULT_POLICIES] if Path(DEFAULT_POLICIES).is_dir() else [])
    if not paths:
        return [], "no policy given (--policies, or policies/ in the working folder): no spare seat is allowed"
    try:
        found = load_policies(paths)
    except PolicyError as exc:
        return [], f"the policy files {', '.join(map(str, paths))} do not load ({str(exc).splitlines()[0]})"
    return list(found.policies), ""


async def _assigned(options: WriteOptions, plan: PlanFile) -> tuple[dict[str, Assigned], Joins]:
    """The tenant's seats per product, and its Microsoft subscriptions (none when they cannot be read
    whole: then a distributor's subscription is known by the product it names itself, if any)."""
    client = _client(options, plan.tenant_id, plan.cloud, f"the plan {plan.path.name}")
    try:
        await permissions.check_tenant(client, plan.tenant_id)
        doc = await client.get("/subscribedSkus?$select=skuId,skuPartNumber,consumedUnits,prepaidUnits")
        joins = await subscriptions_reader(client)() or Joins(())
    finally:
        await client.aclose()
    out: dict[str, Assigned] = {}
    for sku in (doc.get("value") or []) if isinstance(doc, dict) else []:
        if not isinstance(sku, dict):
            continue
        sku_id, part, used = sku.get("skuId"), sku.get("skuPartNumber"), sku.get("consumedUnits")
        prepaid = sku.get("prepaidUnits")
        enabled = prepaid.get("enabled") if isinstance(prepaid, dict) else None
        if isinstance(sku_id, str) and is_int(used):
            has = enabled if is_int(enabled) else None
            out[sku_id.lower()] = Assigned(part if isinstance(part, str) else "", used, has)
    return out, joins


def tenant_now(options: WriteOptions, plan: PlanFile) -> TenantNow:
    """The tenant's assigned seats (Graph, read now, in the plan's tenant) and the operator's policies."""
    policies, why = operator_policies(options)
    try:
        assigned, joins = asyncio.run(_assigned(options, plan))
    except (CollectionError, GraphRequestError) as exc:
        return TenantNow(unread=f"GET /subscribedSkus: {exc}")
    return TenantNow(assigned, policies, policy_note=why, joins=joins)
