"""`apply --commerce`: the plan's commerce changes (plan.json `bill.commerce`), made through the API
that sold each subscription, with the care of a license change.

For each change, in order:

1. its deadline (`by`) must not have passed;
2. the subscription is re-read from its API: the seat count must still be the plan's `from`, its
   status active and its window open (billing account: `systemOverrides.cancellation` Allowed until
   `cancellationAllowedEndDate`; Partner Center: enough refundable seats, or auto-renew on for a
   reduction scheduled for the renewal);
3. the tenant's seats are re-read (GET /subscribedSkus): what is left after the change must not be
   below the seats assigned at that moment;
4. without --yes it says what it would do, with the money and the deadline; with --yes the change
   is journaled as "sending" (flushed to disk) before the request goes out, then its outcome.

Never a delete. `undo_commerce` buys seats back only when the person at the keyboard says yes to
the price it names.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TextIO

from azure.core.exceptions import AzureError

from ..billing import arm, partner_center
from ..billing.arm import BillingSourceError
from ..billing.options import access
from ..billing.sources import Access
from ..errors import EXIT_OK, CollectionError, UsageError

SeatsReader = Callable[[str], Awaitable[tuple[int, int] | None]]  # skuId -> (enabled seats, assigned) now


def commerce_of(plan_doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The plan's commerce changes (none when the plan's bill has none)."""
    changes = ((plan_doc.get("bill") or {}).get("commerce")) or []
    if not isinstance(changes, list) or not all(
        isinstance(c, dict) and isinstance(c.get("request"), dict) for c in changes
    ):
        raise UsageError("plan.json: bill.commerce is not a list of commerce changes (plan again)")
    for c in changes:
        if str(c["request"].get("method")).upper() == "DELETE":
            raise UsageError(f"plan.json: commerce change {c.get('n')} is a DELETE; commerce changes never delete")
    return changes


class CommerceJournal:
    """One JSON line per step, flushed and fsynced before the next (write-ahead)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle = open(path, "a", encoding="utf-8")  # noqa: SIM115 - closed by close()

    def write(self, change: Mapping[str, Any], outcome: str, note: str = "", status: int | None = None) -> None:
        line = {
            "at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "n": change["n"],
            "kind": change["kind"],
            "source": change["source"],
            "scope": change["scope"],
            "api_id": change["api_id"],
            "subscription": change["subscription"],
            "sku": change["sku"],
            "from": change["from"],
            "to": change["to"],
            "monthly_saving": change.get("monthly_saving"),
            "window": change.get("window"),
            "by": change.get("by"),
            "request": change["request"],
            "outcome": outcome,
            "status": status,
            "note": note[:600],
        }
        self._handle.write(json.dumps(line, ensure_ascii=False) + "\n")
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def close(self) -> None:
        self._handle.close()


class Commerce:
    """The two APIs' clients for one run (opened on first use)."""

    def __init__(self, access: Access) -> None:
        self.access = access
        self._arm: Any = None
        self._arm_cm: Any = None
        self._pc: partner_center.PartnerCenter | None = None

    def arm(self) -> Any:
        if self._arm is None:
            if self.access.billing_credential is None:
                raise BillingSourceError("no credential for the billing account (AUDITOR_BILLING_TOKEN)")
            self._arm_cm = arm.client(
                self.access.billing_credential, self.access.billing_endpoint, self.access.billing_audience
            )
            self._arm = self._arm_cm.__enter__()
        return self._arm

    def pc(self) -> partner_center.PartnerCenter:
        if self._pc is None:
            if self.access.partner_credential is None:
                raise BillingSourceError("no credential for Partner Center (AUDITOR_PARTNER_CENTER_TOKEN)")
            self._pc = partner_center.PartnerCenter(self.access.partner_credential, self.access.partner_endpoint)
        return self._pc

    def close(self) -> None:
        if self._arm_cm is not None:
            self._arm_cm.__exit__(None, None, None)
        if self._pc is not None:
            self._pc.close()

    def read(self, change: Mapping[str, Any]) -> dict[str, Any]:
        if change["source"] == "billing-account":
            return arm.get_subscription(self.arm(), change["scope"], change["api_id"])
        return partner_center.get_subscription(self.pc(), change["scope"], change["api_id"])

    def write(self, change: Mapping[str, Any], current: dict[str, Any]) -> None:
        kind, body = change["kind"], change["request"]["body"]
        if change["source"] == "billing-account":
            if kind == "cancel":
                c = self.arm()
                try:
                    c.billing_subscriptions.begin_cancel(
                        change["scope"], change["api_id"], body, polling_interval=0, **arm.options(c)
                    ).result()
                except AzureError as exc:
                    raise BillingSourceError(f"cancel {change['api_id']}: {arm.message(exc)}") from None
            else:
                arm.update_subscription(self.arm(), change["scope"], change["api_id"], body["properties"])
            return
        if kind == "schedule_reduction":  # the next term's product as re-read: availability ids are reissued
            product = _next_term(current)
            assert product is not None  # _check refused the change otherwise
            body = {"scheduledNextTermInstructions": {"product": product, "quantity": change["to"]}}
        partner_center.update_subscription(self.pc(), change["scope"], current | body)


def _next_term(current: Mapping[str, Any]) -> dict[str, str] | None:
    """scheduledNextTermInstructions.product of a Partner Center subscription as re-read."""
    return partner_center.next_term_product(
        current.get("offerId"), current.get("billingCycle"), current.get("termDuration")
    )


def _arm_window_shut(props: Mapping[str, Any], today: date) -> str | None:
    """Why a billing subscription's properties, as re-read, say its cancellation window is shut."""
    overrides = props.get("systemOverrides") or {}
    until = str(overrides.get("cancellationAllowedEndDate") or "")[:10]
    if overrides.get("cancellation") != "Allowed" or (until and until < today.isoformat()):
        allowed = overrides.get("cancellation") or "not given"
        return f"its cancellation window is shut ({allowed}, until {until or '?'})"
    return None


def _window_open(change: Mapping[str, Any], current: Mapping[str, Any], today: date) -> str | None:
    """Why the subscription as re-read no longer allows the change (None: it does)."""
    if change["source"] == "billing-account":
        props = current.get("properties") or {}
        quantity, status = props.get("quantity"), str(props.get("status") or "")
        shut = _arm_window_shut(props, today)
        if shut:
            return shut
    else:
        quantity, status = current.get("quantity"), str(current.get("status") or "")
        if change["kind"] == "reduce":
            refundable = int((current.get("refundableQuantity") or {}).get("totalQuantity") or 0)
            if refundable < change["seats"]:
                return f"only {refundable} of its seats can still be removed"
        elif not current.get("autoRenewEnabled"):
            return "auto-renew is off: a reduction for the renewal needs it on"
        elif _next_term(current) is None:
            return (
                f"its offerId {current.get('offerId')!r}, billingCycle and termDuration do not name the "
                "next term's product (productId:skuId:availabilityId)"
            )
    if status.lower() not in ("active", "enabled"):
        return f"its status is {status or 'not given'}"
    if quantity != change["from"]:
        return f"it now has {quantity} seats, the plan counted {change['from']}"
    return None


def _money(change: Mapping[str, Any]) -> str:
    saving = change.get("monthly_saving")
    when = change.get("saving_from") or "?"
    return f"saves {saving:.2f} a month from {when}" if isinstance(saving, int | float) else "saving not known"


async def run_commerce(
    changes: Sequence[Mapping[str, Any]],
    commerce: Commerce,
    seats: SeatsReader,
    *,
    execute: bool,
    journal: CommerceJournal | None,
    today: date,
    out: TextIO,
) -> int:
    """Make (or, without `execute`, check and show) each commerce change; the number that failed."""
    failed = 0
    mode = "making them" if execute else "dry run, nothing is changed (--yes --commerce makes them)"
    print(f"commerce changes: {len(changes)} ({mode})", file=out)
    for change in changes:
        print(
            f"  C{change['n']}. {change['kind'].replace('_', ' ')} {change['sku']} ({change['subscription']}): "
            f"{change['from']} -> {change['to']} seats, {_money(change)}; by {change['by']}",
            file=out,
        )
        print(f"      {change['request']['method']} {change['request']['path']}", file=out)
        reason = await _check(change, commerce, seats, today)
        if isinstance(reason, str):
            print(f"      -> {'skipped' if execute else 'would skip'}: {reason}", file=out)
            if journal is not None:
                journal.write(change, "skipped" if execute else "dry-run", f"not sent: {reason}")
            continue
        if not execute:
            print("      -> would apply", file=out)
            if journal is not None:
                journal.write(change, "dry-run", "would apply")
            continue
        assert journal is not None
        journal.write(change, "sending")  # write-ahead: on disk before the request goes out
        try:
            commerce.write(change, reason)
        except BillingSourceError as exc:
            journal.write(change, "failed", str(exc))
            print(f"      -> FAILED: {exc}", file=out)
            failed += 1
            continue
        journal.write(change, "done")
        print("      -> done", file=out)
    return failed


async def _check(
    change: Mapping[str, Any], commerce: Commerce, seats: SeatsReader, today: date
) -> str | dict[str, Any]:
    """The subscription as re-read when the change may be made, else why not."""
    if str(change.get("by") or "") < today.isoformat():
        return f"its window closed on {change.get('by')}"
    try:
        current = commerce.read(change)
    except BillingSourceError as exc:
        return f"could not re-read the subscription: {exc}"
    why = _window_open(change, current, today)
    if why:
        return why
    counted = await seats(str(change.get("sku_id") or ""))
    if counted is None:
        return "could not re-read the seats assigned (GET /subscribedSkus)"
    enabled, assigned = counted
    if enabled - change["seats"] < assigned:
        return f"{enabled - change['seats']} seats would be left, below the {assigned} assigned now"
    return current


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


def apply_from_args(args: argparse.Namespace, plan_path: Path, make_client: Callable[[], Any], today: date) -> int:
    """`apply PLAN --commerce [--yes]`: the plan's commerce changes; exit 3 when one failed."""
    changes = commerce_of(json.loads(plan_path.read_text("utf-8")))
    if not changes:
        print("commerce changes: none in the plan (its bill has no change an API can make)", file=sys.stdout)
        return EXIT_OK
    journal = (
        CommerceJournal(
            plan_path.resolve().parent / datetime.now(UTC).strftime("commerce-journal-%Y%m%dT%H%M%SZ.jsonl")
        )
        if args.yes
        else None
    )
    client = make_client()
    with access(args, os.environ, True) as reach:
        commerce = Commerce(reach)

        async def go() -> int:
            try:
                return await run_commerce(
                    changes,
                    commerce,
                    _seats_reader(client),
                    execute=args.yes,
                    journal=journal,
                    today=today,
                    out=sys.stdout,
                )
            finally:
                await client.aclose()

        try:
            failed = asyncio.run(go())
        finally:
            commerce.close()
            if journal is not None:
                journal.close()
    if failed:
        raise CollectionError(
            f"{failed} commerce change(s) failed; the journal {journal.path if journal else ''} says which"
        )
    return EXIT_OK


def _undo_blocked(line: Mapping[str, Any], current: Mapping[str, Any], today: date) -> str | None:
    """Why the subscription as re-read may not get the seats back through the undo (None: it may).
    Only inside the window of the reduction: after it, seats bought are a new commitment for the rest
    of the term, which the admin decides in the admin center or with the partner, not an undo."""
    by = str(line.get("by") or "")
    if not by:
        return "the journal does not say until when its window was open (journaled before 'by' was kept)"
    if by < today.isoformat():
        return (
            f"its window closed on {by}: seats bought now are a new purchase for the rest of the term; "
            "buy them in the admin center (or through the partner) if they are needed"
        )
    props = (current.get("properties") or {}) if line["source"] == "billing-account" else current
    shut = _arm_window_shut(props, today) if line["source"] == "billing-account" else None
    if shut:
        return shut
    status = str(props.get("status") or "")
    if status.lower() not in ("active", "enabled"):
        return f"its status is {status or 'not given'}"
    if line["kind"] == "schedule_reduction":
        if not props.get("autoRenewEnabled"):
            return "auto-renew is off: there is no scheduled renewal to take back"
        if not props.get("scheduledNextTermInstructions"):
            return "nothing is scheduled for its renewal any more (a mid-term change erases it)"
        return None
    if props.get("quantity") != line["to"]:
        return f"it now has {props.get('quantity')} seats, the reduction left {line['to']}: changed since"
    return None


def _price_of(line: Mapping[str, Any], seats: int) -> str:
    """`seats` x the monthly price per seat the plan used (its bill: the billing facts, else the policy)."""
    saving = line.get("monthly_saving")
    if not isinstance(saving, int | float) or not seats:
        return "at a price not known"
    return f"{seats} x {saving / seats:.2f} = {saving:.2f} a month"


def undo_commerce(
    journal_path: Path,
    commerce: Commerce,
    ask: Callable[[str], bool],
    *,
    execute: bool,
    out: TextIO,
    today: date,
    undo_journal: CommerceJournal | None = None,
) -> int:
    """Buy back the seats of each reduction the journal records as done, newest first: only inside
    the reduction's window (the subscription re-read: still the seats the reduction left, active),
    only when `ask` says yes to the price named, each journaled before it is sent (`undo_journal`);
    a cancellation cannot be undone through the API. The number bought back."""
    lines = [json.loads(t) for t in journal_path.read_text("utf-8").splitlines() if t.strip()]
    done = [ln for ln in lines if ln.get("outcome") == "done"]
    note: Callable[..., None] = undo_journal.write if undo_journal is not None else (lambda *_: None)
    undone = 0
    for line in reversed(done):
        seats = int(line["from"]) - int(line["to"])
        if line["kind"] == "cancel":
            print(
                f"  C{line['n']}: {line['sku']} was cancelled: buy a new subscription if it is needed again", file=out
            )
            continue
        change = dict(line) | {
            "kind": f"undo_{line['kind']}",
            "from": line["to"],
            "to": line["from"],
            "request": _back(line),
        }
        try:
            current = commerce.read(line)
        except BillingSourceError as exc:
            why: str | None = f"could not re-read the subscription: {exc}"
        else:
            why = _undo_blocked(line, current, today)
        if why:
            print(f"  C{line['n']}: not bought back: {why}", file=out)
            note(change, "skipped", f"not sent: {why}")
            continue
        question = f"Buy back {seats} seats of {line['sku']} ({line['subscription']}), {_price_of(line, seats)}?"
        if not execute:
            print(f"  C{line['n']}: with --yes, would ask: {question}", file=out)
            continue
        if not ask(question):
            print(f"  C{line['n']}: not bought back", file=out)
            note(change, "declined", "no yes to the price")
            continue
        note(change, "sending")  # write-ahead: on disk before the request goes out
        try:
            commerce.write(change, current)
        except BillingSourceError as exc:
            note(change, "failed", str(exc))
            print(f"  C{line['n']}: FAILED: {exc}", file=out)
            continue
        note(change, "done")
        print(f"  C{line['n']}: bought back {seats} seats ({_price_of(line, seats)})", file=out)
        undone += 1
    return undone


def _ask(question: str) -> bool:
    """A yes from the person at the keyboard (no terminal: no)."""
    if not sys.stdin.isatty():
        print(f"{question} (not asked: no terminal; nothing bought)", file=sys.stdout)
        return False
    return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")


def undo_from_args(
    args: argparse.Namespace, journal_path: Path, today: date, ask: Callable[[str], bool] | None = None
) -> int:
    """`undo COMMERCE_JOURNAL --commerce [--yes]`: buy back what the journal's reductions removed,
    each only inside its window and after a yes to its price; with --yes journaled write-ahead in
    commerce-undo-<UTC time>.jsonl beside the journal."""
    if not journal_path.is_file():
        raise UsageError(f"{journal_path}: no such commerce journal")
    undo_journal = (
        CommerceJournal(
            journal_path.resolve().parent / datetime.now(UTC).strftime("commerce-undo-%Y%m%dT%H%M%SZ.jsonl")
        )
        if args.yes
        else None
    )
    with access(args, os.environ, True) as reach:
        commerce = Commerce(reach)
        try:
            undo_commerce(
                journal_path,
                commerce,
                ask or _ask,
                execute=args.yes,
                out=sys.stdout,
                today=today,
                undo_journal=undo_journal,
            )
        finally:
            commerce.close()
            if undo_journal is not None:
                undo_journal.close()
    return EXIT_OK


def _back(line: Mapping[str, Any]) -> dict[str, Any]:
    """The request that puts the seat count back to `from`."""
    if line["source"] == "billing-account":
        return {"method": "PATCH", "path": line["request"]["path"], "body": {"properties": {"quantity": line["from"]}}}
    if line["kind"] == "schedule_reduction":
        return {"method": "PATCH", "path": line["request"]["path"], "body": {"scheduledNextTermInstructions": None}}
    return {"method": "PATCH", "path": line["request"]["path"], "body": {"quantity": line["from"]}}
