"""`undo --distributor` of a purchase (`kind: increase`, auditor.distributor.purchases): the seats bought are
taken off again, back to the quantity before the purchase, only inside the window a quantity added can be
decreased: Microsoft's seven days (168 hours) from the seats' addition (docs/distributors.md, "Purchases").
Decided at the call from the sources, as a put-back is (auditor.apply.distributor_undo):

- the plan the journal names (by its SHA-256) must bear the line out, with the quantity read before the write;
- the subscription is re-read: it must still have the quantity the purchase left;
- when the seats were added: Pax8's own history of the subscription (its newest entry, the purchase: its
  updatedDate, and the quantity before it, the plan's `from`); Sherweb documents no history, so the journal's
  `done` line dates it (the tool's own record, written after Sherweb answered), and Sherweb's API refuses a
  decrease it does not allow at the call;
- the tenant's seats (Graph's GET /subscribedSkus): taking the seats off must leave the distributor billing at
  least the seats assigned now.

With --yes the seats come off (a reduction: nothing is bought, so nothing is asked), journaled write-ahead;
without it, a dry run. Anything else is named for a person (exit 3).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TextIO

import msgspec

from auditor.formats.bill_model import CommerceChange

from ..billing.distributor_join import Joins
from ..distributor.distributor_changes import NOW
from ..distributor.purchases import UNDO_HOURS
from ..vendors.protocols import Added, DistributorSession, Now, Unread
from ..vendors.registry import DISTRIBUTORS
from .distributor import send_journaled
from .distributor_bound import TenantNow
from .write_engine import BillJournal


def _take_off(change: CommerceChange) -> CommerceChange:
    """The undo of a done purchase: the subscription set from the seats it left back to the seats before it."""
    assert change.to is not None and change.from_ is not None
    return msgspec.structs.replace(
        change,
        kind="undo_increase",
        sku_id=None,
        from_=change.to,
        to=change.from_,
        seats=change.to - change.from_,
        monthly_saving=-change.monthly_saving + 0.0,  # what the purchase cost a month, saved again
        monthly_price=msgspec.UNSET,
        window=NOW,
        not_before=None,
        by=None,
        saving_from=None,
        request=DISTRIBUTORS[change.source].api.quantity(change.scope, change.api_id, change.from_),
    )


def added(change: CommerceChange, writer: DistributorSession, done_at: str) -> Added:
    """When the purchase's seats were added: the distributor's history (Pax8's: its newest entry the quantity
    re-read, the one before it the plan's `from`), else the journal's `done` line (a distributor that documents
    none: Sherweb)."""
    assert change.to is not None and change.from_ is not None
    recorded = writer.added(change.scope, change.api_id, change.from_, change.to)
    if recorded is not None:
        return recorded
    try:
        at = datetime.strptime(done_at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return Added(None, "", "the journal's line gives no time it was done")
    who = DISTRIBUTORS[change.source].name if change.source in DISTRIBUTORS else change.source
    return Added(at, f"the journal dates the purchase ({who} documents no history of a subscription)")


def reread_as_left(
    change: CommerceChange,
    writer: DistributorSession,
    today: date,
    said: str,
    left_by: str,
    out: TextIO,
    joins: Joins,
) -> Now | str:
    """The subscription re-read at the call when it still has the seats the journaled change (`left_by`: the
    reduction, the purchase) left it, writable; else what needs a person (said on `out` too). `joins`: the
    tenant's Microsoft subscriptions (TenantNow.joins), the audit's and apply's own join, so a subscription
    Pax8 names by its vendorSubscriptionId alone is known as the product it is."""
    try:
        sub = writer.now(change.scope, change.api_id, today, joins)
    except Unread as exc:
        return f"{said}: could not re-read it: {exc}"
    if sub.quantity != change.to or not sub.writable:
        why = f"it now has {sub.quantity} seats ({sub.status}), the {left_by} left {change.to}: changed since"
        print(f"      -> not undone: {why}", file=out)
        return f"{said}: not undone: {why}"
    return sub


@dataclass(frozen=True)
class Done:
    """The journal's `done` line of a purchase, as undo reads it: its number, when it was written, its plan."""

    n: int
    at: str
    plan: str | None


def take_back(
    line: Done,
    change: CommerceChange,
    writer: DistributorSession,
    out: TextIO,
    *,
    execute: bool,
    journal: BillJournal | None,
    today: date,
    tenant: TenantNow,
    now: datetime | None = None,
) -> str | None:
    """Take one done purchase's seats off again; what needs a person, else None."""
    said = f"D{line.n}. take the {change.seats} {change.sku} bought at {writer.name} off again"
    print(f"  {said} (subscription {change.api_id}: {change.to} -> {change.from_} seats)", file=out)
    sub = reread_as_left(change, writer, today, said, "purchase", out, tenant.joins)
    if isinstance(sub, str):
        return sub
    when = added(change, writer, line.at)
    if when.at is None:
        print(f"      -> not undone: {when.why}", file=out)
        return f"{said}: not undone: {when.why}"
    moment = now or datetime.now(UTC)
    if moment - when.at > timedelta(hours=UNDO_HOURS):
        why = (
            f"the seats were added on {when.at:%Y-%m-%d %H:%M} UTC ({when.said}), more than 7 days (168 hours) ago: "
            f"a quantity added can be decreased only within that window; they stay until the term's end"
        )
        print(f"      -> not undone: {why}", file=out)
        return f"{said}: not undone: {why}"
    counted = tenant.cap(sub.sku_id)
    if isinstance(counted, str):
        return f"{said}: not undone: {counted}"
    assigned = tenant.assigned.get((sub.sku_id or "").lower())
    left = sub.billed - change.seats
    if assigned is not None and left < assigned.consumed:
        why = f"{left} seats would be left at {writer.name}, below the {assigned.consumed} assigned now"
        print(f"      -> not undone: {why}", file=out)
        return f"{said}: not undone: {why}"
    if not execute:
        print(f"      -> would take them off ({when.said}, inside the 7 days)", file=out)
        return None
    assert journal is not None
    if not send_journaled(_take_off(change), writer, journal, out, line.plan, read=sub.quantity):
        return f"{said}: taking them off failed or its outcome is unknown"
    return None
