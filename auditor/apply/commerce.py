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
   is journaled as "sending" (flushed to disk) before the request goes out, then its outcome:
   `done` when the answer shows what was asked, `failed` when the API refused it (a 4xx: nothing
   changed), `unknown` when the answer does not settle it (no answer, a 5xx, or an answer other
   than the request). An unknown outcome is named by `undo`, which exits 3.

A cancellation is the documented operation of the account's agreement type, followed to its end
(auditor.billing.arm.cancel_subscription), and cannot be undone. `undo --commerce`
(auditor.apply.commerce_undo) buys seats back only when the person at the keyboard says yes to
the price it names.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TextIO

import msgspec

from auditor.billing.commerce_records import PartnerSession
from auditor.common.errors import EXIT_OK, CollectionError
from auditor.formats.bill_model import CommerceChange, CommerceLine, NextTerm, Quantity, RequestBody
from auditor.formats.plan_json import PlanFile

from ..billing import arm
from ..billing.arm import MCA, MPA, BillingSourceError
from ..billing.untrusted import JsonObject
from ..billing_cli import access
from ..plan.commerce import request_body
from ..vendors.commerce_sources import Access
from ..vendors.registry import PARTNER_CENTER
from . import permissions
from .arguments import WriteOptions
from .commerce_plan import commerce_of
from .commerce_reread import BILLING_ACCOUNT, Reread, reread
from .fresh import FreshPlan, agreed_bill
from .journal import JournalError, LineFile, read_again

SeatsReader = Callable[[str], Awaitable[tuple[int, int] | None]]  # skuId -> (enabled seats, assigned) now


class CommerceJournal:
    """One JSON line per step, durable before the next (write-ahead), with the licence journal's
    guarantees (journal.LineFile): created exclusively, 0600, locked, the directory fsync'ed, and
    whole lines only; a line the disk cannot take is JournalError (exit 3)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file = LineFile(path, "the commerce journal", "the commerce journal")

    def write(
        self,
        change: CommerceChange | CommerceLine | Mapping[str, object],
        outcome: str,
        note: str = "",
        status: int | None = None,
        *,
        plan: str | None = None,
        read: int | None = None,
    ) -> None:
        """One line: the change as plan.json has it (an undo's change as undo makes it), its outcome;
        apply --distributor's lines also the plan's SHA-256 and the quantity re-read before the write.
        A mapping (apply --distributor's change as JSON) is read as a line first."""
        if not isinstance(change, CommerceChange | CommerceLine):
            change = msgspec.convert(change, CommerceLine)
        line = CommerceLine(
            at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            n=change.n,
            kind=change.kind,
            source=change.source,
            scope=change.scope,
            api_id=change.api_id,
            agreement=change.agreement,
            subscription=change.subscription,
            sku=change.sku,
            from_=change.from_,
            to=change.to,
            monthly_saving=change.monthly_saving,
            window=change.window,
            by=change.by,
            request=change.request,
            outcome=outcome,
            status=status,
            note=note[:600],
            plan=msgspec.UNSET if plan is None else plan,
            read=msgspec.UNSET if read is None else read,
        )
        self._file.append(line)

    def close(self) -> None:
        self._file.close()


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


async def run_commerce(
    changes: Sequence[CommerceChange],
    commerce: Commerce,
    seats: SeatsReader,
    *,
    execute: bool,
    journal: CommerceJournal | None,
    today: date,
    out: TextIO,
) -> int:
    """Make (or, without `execute`, check and show) each commerce change; the number that failed
    or whose outcome is unknown."""
    failed = 0
    removed: dict[str, int] = {}  # skuId -> seats the run's earlier changes took (or may have taken)
    mode = "making them" if execute else "dry run, nothing is changed (--yes --commerce makes them)"
    print(f"commerce changes: {len(changes)} ({mode})", file=out)
    for change in changes:
        print(
            f"  C{change.n}. {change.kind.replace('_', ' ')} {change.sku} ({change.subscription}): "
            f"{change.from_} -> {change.to} seats, {_money(change)}; by {change.by}",
            file=out,
        )
        print(f"      {change.request.method} {change.request.path}", file=out)
        sku = (change.sku_id or "").lower()
        ready = await _check(change, commerce, seats, today, removed.get(sku, 0))
        if isinstance(ready, str):
            print(f"      -> {'skipped' if execute else 'would skip'}: {ready}", file=out)
            if journal is not None:
                journal.write(change, "skipped" if execute else "dry-run", f"not sent: {ready}")
            continue
        current, body, note = ready
        if note:
            print(f"      ({note})", file=out)
        if not execute:
            removed[sku] = removed.get(sku, 0) + change.seats  # the dry run counts as the run would
            print("      -> would apply", file=out)
            if journal is not None:
                journal.write(change, "dry-run", "would apply")
            continue
        assert journal is not None
        try:
            journal.write(change, "sending", note)  # write-ahead: on disk before the request goes out
        except JournalError as exc:
            raise JournalError(f"{exc}; commerce change C{change.n} ({_said(change)}) was not sent") from None
        lost, sent = _send(change, commerce, current, body, journal, out)
        failed += lost
        if sent:  # made, or it may have been: the run's later changes of the product count it
            removed[sku] = removed.get(sku, 0) + change.seats
    return failed


def _said(change: CommerceChange) -> str:
    return f"{change.kind.replace('_', ' ')} {change.sku}, subscription {change.subscription}"


def _send(
    change: CommerceChange,
    commerce: Commerce,
    current: Reread,
    body: RequestBody | None,
    journal: CommerceJournal,
    out: TextIO,
) -> tuple[int, bool]:
    """Send one change and journal its outcome: (1 when it failed or its outcome is unknown, else 0;
    whether it was or may have been made). A
    journal that cannot take the outcome (a full disk) stops the run (JournalError, exit 3) naming
    the change and what the API answered: the change may stand with no line to say so."""
    try:
        answer = commerce.send(change, current, body)
    except BillingSourceError as exc:
        if refused(exc):
            _outcome(journal, change, "failed", str(exc), exc.status, "was refused by the API (nothing changed)")
            print(f"      -> FAILED: {exc}", file=out)
            return 1, False
        _outcome(journal, change, "unknown", f"no answer that settles it: {exc}", exc.status, "has an unknown outcome")
        print(f"      -> OUTCOME UNKNOWN (no answer that settles it): {exc}", file=out)
        return 1, True
    differs = answer_differs(change, answer)
    if differs:
        _outcome(journal, change, "unknown", differs, None, "has an unknown outcome")
        print(f"      -> OUTCOME UNKNOWN: {differs}", file=out)
        return 1, True
    _outcome(journal, change, "done", "", None, "was MADE")
    print("      -> done", file=out)
    return 0, True


def _outcome(
    journal: CommerceJournal, change: CommerceChange, outcome: str, note: str, status: int | None, said: str
) -> None:
    try:
        journal.write(change, outcome, note, status)
    except JournalError as exc:
        raise JournalError(
            f"{exc}; commerce change C{change.n} ({_said(change)}) {said}, and its journal line says only "
            "'sending': check the subscription in the admin center (or Partner Center) before anything else"
        ) from None


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


def plan_commerce(plan: PlanFile) -> tuple[bytes, list[CommerceChange]]:
    """The commerce changes of the plan apply read and checked (load_plan): plan.json is read again
    for its bill, and its bytes must be the ones load_plan hashed, else the plan changed since apply
    read it (UsageError, exit 2: nothing is sent from a plan apply did not check)."""
    data = read_again(plan)
    return data, commerce_of(data, str(plan.path))


def apply_commerce_changes(
    options: WriteOptions,
    plan: PlanFile,
    make_client: Callable[[], Any],
    today: date,
    fresh: Callable[[], FreshPlan],
) -> int:
    """`apply PLAN --commerce [--yes]`: the commerce changes of the plan apply read (load_plan) that
    `fresh` (the plan compiled again from the tenant and its bill as they are now) makes the same, once the
    credential is shown to sign in to the plan's tenant; exit 3 when one is refused, failed or its
    outcome is unknown. One event loop for the whole command: the Graph client's connections
    belong to the loop that opened them."""
    data, changes = plan_commerce(plan)
    if not changes:
        print("commerce changes: none in the plan (its bill has no change an API can make)", file=sys.stdout)
        return EXIT_OK
    changes, disagreed = agreed_bill(data, "commerce", changes, fresh(), today)
    for n, refusal in disagreed.items():
        print(
            f"license-auditor: commerce change C{n} ({refusal.field}): refused, nothing sent: {refusal.why}",
            file=sys.stderr,
        )
    changes = [c for c in changes if c.n not in disagreed]
    if not changes:
        raise CollectionError(f"{len(disagreed)} commerce change(s) refused, nothing sent (each named above)")
    client = make_client()
    journal: list[CommerceJournal] = []

    async def run() -> int:
        try:
            # before any journal or billing request: another tenant's token stops here
            await permissions.check_tenant(client, plan.tenant_id)
            if options.yes:
                name = datetime.now(UTC).strftime("commerce-journal-%Y%m%dT%H%M%SZ.jsonl")
                journal.append(CommerceJournal(plan.path.resolve().parent / name))
            with access(options.billing, os.environ, True) as reach:
                commerce = Commerce(reach)
                try:
                    return await run_commerce(
                        changes,
                        commerce,
                        _seats_reader(client),
                        execute=options.yes,
                        journal=journal[0] if journal else None,
                        today=today,
                        out=sys.stdout,
                    )
                finally:
                    commerce.close()
        finally:
            for j in journal:
                j.close()
            await client.aclose()

    failed = asyncio.run(run())
    if disagreed:
        raise CollectionError(
            f"{len(disagreed)} commerce change(s) refused, nothing sent for them (each named above)"
            + (f", and {failed} failed or have an unknown outcome" if failed else "")
        )
    if failed:
        raise CollectionError(
            f"{failed} commerce change(s) failed or have an unknown outcome; the journal "
            f"{journal[0].path if journal else ''} says which (undo --commerce names them)"
        )
    return EXIT_OK
