"""`apply --commerce`: the plan's commerce changes (plan.json `bill.commerce`), made through the API
that sold each subscription, with the care of a license change.

For each change, in order:

0. the credential signs in to the plan's tenant (as the license changes' run checks);
1. its deadline (`by`) must not have passed;
2. the subscription is re-read from its API: its product must still be the plan's, the seat count
   the plan's `from`, its status active and its window open (billing account:
   `systemOverrides.cancellation` Allowed, or, where it is not given, as Microsoft's 2024-04-01
   examples show, `cancellationAllowedEndDate` not past; Partner Center: enough refundable seats,
   or auto-renew on for a reduction scheduled for the renewal);
3. the tenant's seats are re-read (GET /subscribedSkus): what is left after the change, and after
   the run's earlier changes to the same product, must not be below the seats assigned then;
4. without --yes it says what it would do, with the money and the deadline; with --yes the change
   is journaled as "sending" (flushed to disk, with the plan's SHA-256 and the seats re-read: what
   `undo` binds a buy-back to) before the request goes out, then its outcome:
   `done` when the answer shows what was asked, `failed` when the API refused it (a 4xx: nothing
   changed), `unknown` when the answer does not settle it (no answer, a 5xx, or an answer other
   than the request). An unknown outcome is named by `undo`, which exits 3.

A cancellation is the documented operation of the account's agreement type, followed to its end
(auditor.billing.arm.cancel_subscription), and cannot be undone. `undo --commerce`
(auditor.apply.commerce_undo) buys seats back only when the person at the keyboard says yes to
the price it names.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Awaitable, Callable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any, TextIO

import msgspec

from auditor.billing.commerce_records import PartnerSession
from auditor.common.errors import CollectionError
from auditor.formats.bill_model import CommerceChange, CommerceLine, NextTerm, Quantity, RequestBody
from auditor.formats.plan_json import PlanFile

from ..billing import arm
from ..billing.arm import MCA, MPA, BillingSourceError
from ..billing.untrusted import JsonObject
from ..billing_cli import access
from ..plan.commerce import request_body
from ..vendors.commerce_sources import Access
from ..vendors.registry import PARTNER_CENTER
from .arguments import WriteOptions
from .commerce_plan import commerce_of
from .commerce_reread import BILLING_ACCOUNT, Reread, reread
from .fresh import FreshPlan
from .write_engine import BillEntry, BillJournal, Held, Ready, Sent, apply_bill, in_bill, run_changes

SeatsReader = Callable[[str], Awaitable[tuple[int, int] | None]]  # skuId -> (enabled seats, assigned) now


class Commerce:
    """The two APIs' clients for one run (opened on first use)."""

    def __init__(self, access: Access) -> None:
        self.access = access
        self._arm: Any = None
        self._arm_cm: Any = None
        self._pc: PartnerSession | None = None

    def arm(self) -> Any:
        if self._arm is None:
            if self.access.billing_credential is None:
                raise BillingSourceError("no credential for the billing account (AUDITOR_BILLING_TOKEN)")
            self._arm_cm = arm.client(
                self.access.billing_credential, self.access.billing_endpoint, self.access.billing_audience
            )
            self._arm = self._arm_cm.__enter__()
        return self._arm

    def pc(self) -> PartnerSession:
        if self._pc is None:
            if self.access.partner_credential is None:
                raise BillingSourceError("no credential for Partner Center (AUDITOR_PARTNER_CENTER_TOKEN)")
            self._pc = PARTNER_CENTER.open(self.access.partner_credential, self.access.partner_endpoint)
        return self._pc

    def close(self) -> None:
        if self._arm_cm is not None:
            self._arm_cm.__exit__(None, None, None)
        if self._pc is not None:
            self._pc.close()

    def read(self, change: CommerceChange | CommerceLine) -> Reread:
        """The subscription the change is about, read from its API (a plan's change, or a journal's line)."""
        if change.source == BILLING_ACCOUNT:
            return reread(change.source, arm.get_subscription(self.arm(), change.scope, change.api_id))
        return reread(change.source, PARTNER_CENTER.get_subscription(self.pc(), change.scope, change.api_id))

    def body(self, change: CommerceChange, current: Reread) -> RequestBody | None:
        """The body to send (a read, before anything is sent): a reduction for the renewal takes its
        product from the transition eligibilities of type `scheduled` got now."""
        if change.source == BILLING_ACCOUNT and change.kind == "cancel":
            agreement = change.agreement or MCA
            if agreement not in (MCA, MPA):
                raise BillingSourceError(f"a {agreement} account's subscription is not cancelled through its API")
        if change.to is None:  # commerce_of refused it already: never a body without its seats
            raise BillingSourceError(f"commerce change {change.n} names no seat count to reduce to")
        if change.kind != "schedule_reduction":  # rebuilt from `to`: never a key of the plan file's own
            return request_body(change.source, change.kind, change.to)
        product = PARTNER_CENTER.scheduled_product(self.pc(), change.scope, current.document)
        return RequestBody(scheduledNextTermInstructions=NextTerm(product=product, quantity=change.to))

    def send(self, change: CommerceChange | CommerceLine, current: Reread, body: RequestBody | None) -> Reread:
        """Send the change (a plan's, or undo's buy-back) and follow it to its end; the subscription
        as the API answers it."""
        if change.source == BILLING_ACCOUNT:
            if change.kind == "cancel":  # a long-running operation with no body at its end: re-read
                arm.cancel_subscription(self.arm(), change.scope, change.api_id, change.agreement or MCA)
                return self.read(change)
            if body is None or not isinstance(body.properties, Quantity):
                raise BillingSourceError(
                    f"commerce change {change.n}: a billing subscription's change names its quantity"
                )
            answer = arm.update_subscription(
                self.arm(), change.scope, change.api_id, {"quantity": body.properties.quantity}
            )
            return reread(change.source, answer)
        changed: JsonObject = msgspec.to_builtins(body) if body is not None else {}
        return reread(
            change.source, PARTNER_CENTER.update_subscription(self.pc(), change.scope, current.document | changed)
        )


def answer_differs(change: CommerceChange | CommerceLine, answer: Reread) -> str | None:
    """Why the API's answer does not show what the change (a plan's, or a journal's line) asked
    (None: it does)."""
    if change.source == BILLING_ACCOUNT and change.kind == "cancel":
        status = answer.status
        return None if status.lower() in ("cancelled", "deleted") else f"re-read, its status is {status or '?'}"
    if change.kind == "undo_schedule_reduction":
        return "the answer still schedules its renewal" if answer.scheduled else None
    if change.kind == "schedule_reduction":
        got, said = answer.scheduled_quantity, answer.said_scheduled
    else:
        got, said = answer.quantity, answer.said_quantity
    return None if got == change.to else f"the answer says {said} seats, the request asked for {change.to}"


def arm_window_shut(sub: Reread, today: date) -> str | None:
    """Why a billing subscription, as re-read, says its cancellation window is shut.
    `systemOverrides.cancellation` decides when given; Microsoft's 2024-04-01 Get and Update
    examples carry only `cancellationAllowedEndDate`, so without it the date decides."""
    until, given = sub.cancellable_until, sub.cancellation
    if given is None:
        if not until or until < today.isoformat():
            return f"its cancellation window is shut (no cancellation given, cancellationAllowedEndDate {until or '?'})"
        return None
    if given != "Allowed" or (until and until < today.isoformat()):
        return f"its cancellation window is shut ({given}, until {until or '?'})"
    return None


def _window_note(change: CommerceChange, current: Reread) -> str:
    """What the window rests on when the billing account does not say `cancellation`."""
    if change.source != BILLING_ACCOUNT or current.cancellation is not None:
        return ""
    return (
        "systemOverrides gives no cancellation: its window is taken from cancellationAllowedEndDate "
        f"{current.cancellable_until or '?'}"
    )


def _product_differs(change: CommerceChange, current: Reread) -> str | None:
    """Why the re-read subscription is not the plan's product (None: it is, or the plan did not say)."""
    planned = change.product
    if not planned:
        return None
    now = current.product
    return None if now.lower() == planned.lower() else f"its product is now {now}, the plan's is {planned}"


def _window_open(change: CommerceChange, current: Reread, today: date) -> str | None:
    """Why the subscription as re-read no longer allows the change (None: it does)."""
    differs = _product_differs(change, current)
    if differs:
        return differs
    if change.source == BILLING_ACCOUNT:
        shut = arm_window_shut(current, today)
        if shut:
            return shut
    elif change.kind == "reduce":
        if current.refundable < change.seats:
            return f"only {current.refundable} of its seats can still be removed"
    elif not current.auto_renew:
        return "auto-renew is off: a reduction for the renewal needs it on"
    elif current.next_term is None:
        return (
            f"its offerId {current.offer_id!r}, billingCycle and termDuration do not name the "
            "next term's product (productId:skuId:availabilityId)"
        )
    status = current.status
    if status.lower() not in ("active", "enabled"):
        return f"its status is {status or 'not given'}"
    if current.quantity != change.from_:
        return f"it now has {current.said_quantity} seats, the plan counted {change.from_}"
    return None


def _money(change: CommerceChange) -> str:
    return f"saves {change.monthly_saving:.2f} a month from {change.saving_from or '?'}"


def refused(exc: BillingSourceError) -> bool:
    """The API refused the request (a 4xx answer): nothing was changed."""
    return exc.status is not None and 400 <= exc.status < 500


class _Kind:
    """apply --commerce as a write kind of the engine (write_engine.run_changes): its changes are the fresh
    compile's bill `commerce` (write_engine.selected: the engine refuses the others); a change is shown with its
    money and deadline, re-read from its API and the tenant's seats (`_check`), and sent through the API that
    sold it; the seats each change takes (or may have taken) count for the run's later changes of the product."""

    flag = "commerce"
    where = in_bill("commerce")  # its changes in the plan and in the fresh compile

    def __init__(self, commerce: Commerce, seats: SeatsReader, today: date, out: TextIO, plan: str | None) -> None:
        self.commerce, self.seats, self.today, self.out = commerce, seats, today, out
        self.plan = plan  # the plan's SHA-256, journaled with each line (what undo binds a buy-back to)
        self.removed: dict[str, int] = {}  # skuId -> seats the run's earlier changes took (or may have taken)

    def show(self, change: CommerceChange) -> CommerceChange:
        print(
            f"  C{change.n}. {change.kind.replace('_', ' ')} {change.sku} ({change.subscription}): "
            f"{change.from_} -> {change.to} seats, {_money(change)}; by {change.by}",
            file=self.out,
        )
        print(f"      {change.request.method} {change.request.path}", file=self.out)
        return change

    def said(self, change: CommerceChange) -> str:
        return f"commerce change C{change.n} ({_said(change)})"

    async def check(self, change: CommerceChange, execute: bool) -> Held | Ready:
        sku = (change.sku_id or "").lower()
        ready = await _check(change, self.commerce, self.seats, self.today, self.removed.get(sku, 0))
        if isinstance(ready, str):
            skipped = "skipped" if execute else "would skip"
            return Held(change, f"{skipped}: {ready}", "skipped" if execute else "dry-run", f"not sent: {ready}")
        current, body, note = ready

        def after(sent: Sent | None) -> None:  # made, or it may have been: the later changes of the product count it
            if sent is None or sent.outcome != "failed":
                self.removed[sku] = self.removed.get(sku, 0) + change.seats

        def send() -> Sent:
            return _answer(self.commerce, change, current, body)

        return Ready(change, send, note, read=current.quantity, after=after)

    def not_sent(self, change: CommerceChange) -> str:
        return f"commerce change C{change.n} ({_said(change)}) was not sent"

    def lost(self, change: CommerceChange, sent: Sent) -> str:
        said = {"failed": "was refused by the API (nothing changed)", "unknown": "has an unknown outcome"}
        return (
            f"commerce change C{change.n} ({_said(change)}) {said.get(sent.outcome, 'was MADE')}, and its journal "
            "line says only 'sending': check the subscription in the admin center (or Partner Center) before "
            "anything else"
        )


async def run_commerce(
    changes: Sequence[CommerceChange],
    commerce: Commerce,
    seats: SeatsReader,
    *,
    execute: bool,
    journal: BillJournal | None,
    today: date,
    out: TextIO,
    plan: str | None = None,
) -> int:
    """Make (or, without `execute`, check and show) each commerce change; the number that failed
    or whose outcome is unknown. `plan`: the plan's SHA-256, journaled with each line."""
    kind = _Kind(commerce, seats, today, out, plan)
    return await run_changes(changes, kind, execute=execute, journal=journal, out=out)


def _said(change: CommerceChange) -> str:
    return f"{change.kind.replace('_', ' ')} {change.sku}, subscription {change.subscription}"


def _answer(commerce: Commerce, change: CommerceChange, current: Reread, body: RequestBody | None) -> Sent:
    """Send one change and read what the API answered: `failed` when it refused it (a 4xx: nothing changed),
    `unknown` when the answer does not settle it (none, a 5xx, or other than the request), else `done`."""
    try:
        answer = commerce.send(change, current, body)
    except BillingSourceError as exc:
        if refused(exc):
            return Sent("failed", str(exc), exc.status)
        said = f"no answer that settles it: {exc}"
        return Sent("unknown", said, exc.status, shown=f"OUTCOME UNKNOWN (no answer that settles it): {exc}")
    differs = answer_differs(change, answer)
    return Sent("unknown", differs) if differs else Sent("done")


async def seats_short(change: CommerceChange, seats: SeatsReader, removed: int = 0) -> str | None:
    """Why the change would leave the tenant fewer seats than it has assigned at this moment (re-read:
    GET /subscribedSkus), after `removed` seats of the product the run's earlier changes took; None when
    the seats left cover them. apply --commerce asks it (apply --distributor asks
    billing.distributor_seats.reduction_short, which also drops what the distributor bills above Microsoft's)."""
    counted = await seats(change.sku_id or "")
    if counted is None:
        return "could not re-read the seats assigned (GET /subscribedSkus)"
    enabled, assigned = counted
    left = enabled - removed - change.seats
    if left < assigned:
        earlier = f" (after the {removed} this run's earlier changes remove)" if removed else ""
        return f"{left} seats would be left{earlier}, below the {assigned} assigned now"
    return None


async def _check(
    change: CommerceChange, commerce: Commerce, seats: SeatsReader, today: date, removed: int = 0
) -> str | tuple[Reread, RequestBody | None, str]:
    """(the subscription as re-read, the body to send, a note) when the change may be made, else
    why not. `removed`: the seats of the same product the run's earlier changes took."""
    if (change.by or "") < today.isoformat():
        return f"its window closed on {change.by}"
    try:
        current = commerce.read(change)
    except BillingSourceError as exc:
        return f"could not re-read the subscription: {exc}"
    why = _window_open(change, current, today)
    if why:
        return why
    short = await seats_short(change, seats, removed)
    if short:
        return short
    try:
        body = commerce.body(change, current)
    except BillingSourceError as exc:
        return f"could not build the request: {exc}"
    return current, body, _window_note(change, current)


def _seats_reader(client: Any) -> SeatsReader:
    """Re-read GET /subscribedSkus for one product: (its enabled seats, the seats assigned)."""

    async def read(sku_id: str) -> tuple[int, int] | None:
        try:
            doc = await client.get("/subscribedSkus?$select=skuId,prepaidUnits,consumedUnits")
        except CollectionError:
            return None
        for sku in (doc.get("value") or []) if isinstance(doc, dict) else []:
            if isinstance(sku, dict) and str(sku.get("skuId") or "").lower() == sku_id.lower():
                enabled = (sku.get("prepaidUnits") or {}).get("enabled")
                used = sku.get("consumedUnits")
                if isinstance(enabled, int) and isinstance(used, int):
                    return enabled, used
        return None

    return read


def apply_commerce_changes(
    options: WriteOptions,
    plan: PlanFile,
    make_client: Callable[[], Any],
    today: date,
    fresh: Callable[[], FreshPlan],
) -> int:
    """`apply PLAN --commerce [--yes]`: the commerce changes of the plan apply read (load_plan) that
    `fresh` (the plan compiled again from the tenant and its bill as they are now) makes the same, once the
    credential is shown to sign in to the plan's tenant (write_engine.apply_bill); exit 3 when one is refused,
    failed or its outcome is unknown. Its refusals are said before the run, never journaled (none left: exit 3
    before anything is signed in to); the billing clients open once the tenant is signed in to."""

    @contextlib.contextmanager
    def opened(changes: Sequence[CommerceChange], data: bytes, client: Any) -> Iterator[_Kind]:
        with access(options.billing, os.environ, True) as reach:
            commerce = Commerce(reach)
            try:
                yield _Kind(commerce, _seats_reader(client), today, sys.stdout, plan.sha256)
            finally:
                commerce.close()

    def failed(n: int, journal: Path | None) -> str:
        return (
            f"{n} commerce change(s) failed or have an unknown outcome; the journal "
            f"{journal or ''} says which (undo --commerce names them)"
        )

    entry = BillEntry(
        _Kind.flag,
        _Kind.where,
        "its bill has no change an API can make",
        "commerce-journal",
        commerce_of,
        opened,
        failed,
        ahead="C",  # the refused named on stderr before the run
        keeps_plan=True,  # what undo --commerce binds each buy-back to (commerce_undo)
    )
    return apply_bill(entry, plan, make_client, today, fresh, yes=options.yes, journal=options.journal)
