"""`apply PLAN --distributor`: the plan's reductions at the distributor (plan.json `bill.distributor`,
auditor.distributor.distributor_changes), made at Pax8 with the care of a commerce change (auditor.apply.commerce).

For each change, in order:

0. the credential signs in to the plan's tenant (as apply --commerce checks); the customer each change
   must name is read from the report the plan was made from (report.json beside it:
   distributor_rederive.customers_of);
1. a change scheduled at its commitment's end (`not_before`) does nothing before that day: it is
   named "scheduled", and re-checked by the run on or after it;
2. the subscription is re-read from the distributor (its session, auditor.vendors.<name>.writes: Pax8's
   GET /v1/subscriptions/{id} and the company's listing; Sherweb's details and catalog), and the tenant's
   Microsoft subscriptions from Graph; the change is re-derived from them (distributor_rederive): its
   Microsoft subscription (the tenant's that Pax8's vendorSubscriptionId names, by the audit's own join,
   billing.distributor_join, and that no other billed Pax8 subscription names), its product (the skuId
   the distributor names) and its day (due_day, from the re-read commitment). One that differs from the
   plan's, or a subscription Pax8 answers as another company's, is refused: named on stderr, journaled
   `refused`, nothing sent, exit 3 (docs/msp.md,
   "Re-derived at the call"). One the world moved (`moved`: a status Pax8 does not write, a future
   start, a quantity other than the plan's `from`, Sherweb's committed minimum) is skipped;
3. the tenant's seats of the product the re-read names are re-read (GET /subscribedSkus): the seats
   left (billing.distributor_seats.reduction_short, the count `plan` made), after the run's earlier
   changes to the product, must not be below the seats assigned then;
4. without --yes it says what it would do; with --yes the change is journaled "sending" (flushed), with
   the plan's SHA-256 and the quantity re-read, before the request goes out, then `done` (the answer
   has the new quantity, or the cancellation), `failed` (a 4xx: nothing changed) or `unknown` (no
   answer, a 5xx, another answer).

A reduction is Pax8's `PUT /v1/subscriptions/{id}` {quantity}; a cancellation (the whole quantity)
its `DELETE /v1/subscriptions/{id}?cancelDate=…`, the cancelDate the plan's day (or its commitment's
end), or the day of the call when that is later (the journal keeps the request as sent).

`undo JOURNAL --distributor` (auditor.apply.distributor_undo) puts each done reduction's quantity back,
never more than the plan's change and the quantity read at the call, after a yes; a done cancellation is
named for a person (buy it again in Pax8's portal), never called.
"""

from __future__ import annotations

import codecs
import contextlib
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any, TextIO

import msgspec
from msgspec import Struct

from auditor.common import shapes
from auditor.common.errors import UsageError
from auditor.formats.bill_model import CommerceChange
from auditor.formats.plan_json import PlanFile

from ..distributor.distributor_changes import NAMES
from ..distributor.distributor_rederive import Tenant, check, customers_of, mapping_of, subscriptions_reader
from ..distributor.distributor_requests import CANCEL, INCREASE, shape_error
from ..vendors.opened import sessions_for
from ..vendors.protocols import DistributorSession
from ..vendors.registry import BODIES, DISTRIBUTOR_APIS, DISTRIBUTORS
from .agree import Refusal
from .commerce import _seats_reader
from .fresh import FreshPlan
from .write_engine import BillEntry, BillJournal, Held, Ready, Sent, apply_bill, in_bill, journaled, run_changes

PREFIX = "distributor-journal"  # the default journal's name: distributor-journal-<UTC time>.jsonl


class _Product(Struct, frozen=True):
    sku: str
    assigned_after: int


class _Bill(Struct, frozen=True):
    distributor: list[CommerceChange] | None = None
    products: list[_Product] | None = None


class _Plan(Struct, frozen=True):
    bill: _Bill | None = None


def assigned_after(data: bytes) -> dict[str, int]:
    """The seats the plan counts assigned after its license changes, per product (its bill): only for
    the words of a refusal (apply makes no decision on them)."""
    try:
        doc = shapes.decode(data.removeprefix(codecs.BOM_UTF8), _Plan)
    except (msgspec.ValidationError, msgspec.DecodeError):
        return {}
    products = (doc.bill.products if doc.bill is not None else None) or []
    return {p.sku.upper(): p.assigned_after for p in products}


def distributor_of(data: bytes, where: str = "plan.json") -> list[CommerceChange]:
    """The plan's distributor changes, each held to the shape plan writes (a hand edit is refused)."""
    try:
        doc = shapes.decode(data.removeprefix(codecs.BOM_UTF8), _Plan)
        changes = BODIES.changes(doc.bill.distributor if doc.bill is not None else None, "$.bill.distributor")
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise UsageError(
            f"{where}: bill.distributor is not a list of distributor changes: {exc} (plan again)"
        ) from None
    for c in changes:
        wrong = shape_error(c)
        if wrong:
            raise UsageError(f"{where}: distributor change {c.n}: {wrong} (plan again)")
    return changes


def _said(c: CommerceChange) -> str:
    at = NAMES.get(c.source, c.source)
    if c.kind == CANCEL:
        return f"D{c.n}. cancel {c.sku} at {at} (subscription {c.api_id}, {c.from_} seats)"
    if c.kind == INCREASE:
        return f"D{c.n}. buy {c.seats} {c.sku} at {at} (subscription {c.api_id}): {c.from_} -> {c.to} seats"
    return f"D{c.n}. reduce {c.sku} at {at} (subscription {c.api_id}): {c.from_} -> {c.to} seats"


def outgoing(c: CommerceChange, today: date) -> CommerceChange:
    """The change as it is sent today: a cancellation's cancelDate is never before the day of the call
    (the plan's day, or its commitment's end, when that is later)."""
    if c.kind != CANCEL:
        return c
    on = max(date.fromisoformat(c.saving_from or today.isoformat()), today).isoformat()
    request = DISTRIBUTORS[c.source].api.cancel(c.api_id, on)
    assert request is not None  # shape_error: a cancellation is only of a distributor that takes one
    return msgspec.structs.replace(c, request=request)


def _sent(answer: Sent | Any) -> Sent:
    """A distributor session's answer (DistributorSession.send) as the engine reads it."""
    return Sent(answer.outcome, answer.note, answer.status)


def _not_sent(c: CommerceChange) -> str:
    return f"distributor change D{c.n} ({_said(c)}) was not sent"


def _lost(c: CommerceChange, writer: DistributorSession) -> str:
    return (
        f"distributor change D{c.n} was sent and its journal line says only 'sending': "
        f"check subscription {c.api_id} in {writer.name}'s portal before anything else"
    )


def send_journaled(
    c: CommerceChange, writer: DistributorSession, journal: BillJournal, out: TextIO, plan: str | None, *, read: int
) -> bool:
    """An undo's put-back or take-off (`c`), sent through the engine's one write-ahead path (write_engine.journaled,
    with the quantity `read` at the call); whether it is done (else journaled failed/unknown)."""
    sent = journaled(
        journal,
        c,
        lambda: _sent(writer.send(c)),
        plan=plan,
        read=read,
        not_sent=lambda: _not_sent(c),
        lost=lambda _: _lost(c, writer),
    )
    print(f"      -> {sent.said}", file=out)
    return sent.outcome == "done"


class _Kind:
    """apply --distributor as a write kind of the engine (write_engine.run_changes): its changes are the fresh
    compile's bill `distributor` (write_engine.selected: the engine refuses the others); a change is shown as
    sent today (`outgoing`), re-read from the distributor and the tenant and re-derived
    (distributor_rederive.check); the seats each takes count for the run's later changes of the product."""

    flag = "distributor"
    where = in_bill("distributor")  # its changes in the plan and in the fresh compile

    def __init__(
        self,
        writers: Mapping[str, DistributorSession],
        tenant: Tenant,
        today: date,
        out: TextIO,
        customers: Mapping[str, str],
        plan: str | None,
        after: Mapping[str, int],
    ) -> None:
        self.writers, self.tenant, self.today, self.out, self.customers = writers, tenant, today, out, customers
        self.plan, self.assigned_after = plan, after
        self.removed: dict[str, int] = {}

    def show(self, planned: CommerceChange) -> CommerceChange:
        c = outgoing(planned, self.today)
        money = (
            f"costs {-c.monthly_saving:.2f} a month" if c.kind == INCREASE else f"saves {c.monthly_saving:.2f} a month"
        )
        print(f"  {_said(c)}, {money} from {c.saving_from}", file=self.out)
        body = "" if c.request.body is None else f" {msgspec.to_builtins(c.request.body)}"
        print(f"      {c.request.method} {c.request.path}{body}", file=self.out)
        return c

    def said(self, change: CommerceChange) -> str:
        return _said(change)

    async def check(self, c: CommerceChange, execute: bool) -> Held | Ready:
        writer = self.writers[c.source]
        customer = self.customers.get(c.source)
        verdict, now = await check(c, writer, self.tenant, self.today, self.removed, customer, self.assigned_after)
        if verdict is not None:
            if verdict.refused:
                named = f"{_said(c)}: refused, nothing sent: {verdict.why}"
                return Held(
                    c, f"REFUSED: {verdict.why}", "refused", f"not sent: {verdict.why}", counts=True, named=named
                )
            if verdict.scheduled:
                return Held(c, verdict.why, "scheduled", f"not sent: {verdict.why}")
            skipped = "skipped: " if execute else "would skip: "
            return Held(c, skipped + verdict.why, "skipped", f"not sent: {verdict.why}")
        assert now is not None and now.sku_id is not None
        sku = now.sku_id
        taken = -c.seats if c.kind == INCREASE else c.seats  # a purchase adds the seats a later reduction counts

        def after(_: Sent | None) -> None:  # made, or it may have been
            self.removed[sku] = self.removed.get(sku, 0) + taken

        return Ready(c, lambda: _sent(writer.send(c)), read=now.quantity, after=after)

    def not_sent(self, change: CommerceChange) -> str:
        return _not_sent(change)

    def lost(self, change: CommerceChange, sent: Sent) -> str:
        return _lost(change, self.writers[change.source])


async def run_distributor(
    changes: Sequence[CommerceChange],
    writers: Mapping[str, DistributorSession],
    tenant: Tenant,
    *,
    execute: bool,
    journal: BillJournal | None,
    today: date,
    out: TextIO,
    customers: Mapping[str, str],
    plan: str | None = None,
    refusals: list[str] | None = None,
    after: Mapping[str, int] | None = None,
    refused: Mapping[int, Refusal] | None = None,
) -> int:
    """Make (or, without `execute`, check and show) each distributor change; the number refused, failed
    or whose outcome is unknown (a scheduled one not yet due, or one skipped, is neither). `customers`:
    the tenant's customer at each distributor (its report); `plan`: the plan's SHA-256, journaled with
    each line; `refusals`: each refused change named, for stderr; `refused`: the changes the fresh compile does
    not hold as the plan says (write_engine.selected), refused by the engine before anything is read for them."""
    kind = _Kind(writers, tenant, today, out, customers, plan, after or {})
    return await run_changes(
        changes, kind, execute=execute, journal=journal, out=out, refused=refused, refusals=refusals
    )


def apply_distributor_changes(
    plan: PlanFile,
    make_client: Callable[[], Any],
    today: date,
    *,
    yes: bool,
    endpoints: Mapping[str, str | None],
    fresh: Callable[[], FreshPlan],
    journal_path: str | None = None,
) -> int:
    """`apply PLAN --distributor [--yes] [--journal FILE]`: the plan's distributor changes that `fresh` (the plan
    compiled again from the tenant and its distributor as they are now) makes the same, once the credential is
    shown to sign in to the plan's tenant; exit 3 when one is refused, failed or its outcome is unknown. With
    --yes the journal is `journal_path` (--journal), else distributor-journal-<UTC time>.jsonl beside the plan."""
    customers: dict[str, str] = {}

    def before(changes: Sequence[CommerceChange]) -> None:
        customers.update(customers_of(plan))  # before any credential is used: the customer each change must name
        # the credentials, before the tenant's sign-in
        with sessions_for(DISTRIBUTOR_APIS, {c.source for c in changes}, endpoints, os.environ):
            pass

    @contextlib.contextmanager
    def opened(changes: Sequence[CommerceChange], data: bytes, client: Any) -> Iterator[_Kind]:
        with sessions_for(DISTRIBUTOR_APIS, {c.source for c in changes}, endpoints, os.environ) as writers:
            # each change's customer proven the tenant's at the call (auditor.vendors.mappings)
            proof = mapping_of(plan, keep=yes, since=f"{today.isoformat()}T00:00:00Z")
            tenant = Tenant(_seats_reader(client), subscriptions_reader(client), proof)
            yield _Kind(writers, tenant, today, sys.stdout, customers, plan.sha256, assigned_after(data))

    def failed(n: int, journal: Path | None) -> str:
        return f"{n} distributor change(s) refused, failed or with an unknown outcome; " + (
            f"the journal {journal} says which" if journal else "the lines above say which"
        )

    entry = BillEntry(
        _Kind.flag,
        _Kind.where,
        "no seats the distributor bills above the plan's",
        PREFIX,
        distributor_of,
        opened,
        failed,
        before,
        ahead="",  # its refusals journaled in the run (`refused`), named on stderr after it
        keeps_plan=True,
    )
    return apply_bill(entry, plan, make_client, today, fresh, yes=yes, journal=journal_path)
