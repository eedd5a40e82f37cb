"""`apply PLAN --distributor`: the plan's reductions at the distributor (plan.json `bill.distributor`,
auditor.plan.distributor_changes), made at Pax8 with the care of a commerce change (auditor.apply.commerce).

For each change, in order:

0. the credential signs in to the plan's tenant (as apply --commerce checks);
1. a change scheduled at its commitment's end (`not_before`) does nothing before that day: it is
   named "scheduled", and re-checked by the run on or after it;
2. the Pax8 subscription is re-read (GET /v1/subscriptions/{id}): still the plan's company, its
   quantity the plan's `from`, a status Pax8 bills and writes (Active, Activated), not future-dated
   (Pax8's Update Subscription is "Currently NOT supported for subscriptions with a future date");
3. the tenant's seats are re-read (GET /subscribedSkus, apply --commerce's reader): the seats left
   after the change, and after the run's earlier changes to the product, must not be below the
   seats assigned then;
4. without --yes it says what it would do; with --yes the change is journaled "sending" (flushed)
   before the PUT goes out, then `done` (Pax8's answer has the new quantity), `failed` (a 4xx:
   nothing changed) or `unknown` (no answer, a 5xx, or another quantity).

`undo JOURNAL --distributor` puts each done reduction's quantity back, newest first, only while
the subscription still has the seats the reduction left and only after a yes.
"""

from __future__ import annotations

import asyncio
import codecs
import hashlib
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TextIO

import msgspec
from msgspec import Struct

from auditor.common.errors import EXIT_COLLECTION, EXIT_OK, CollectionError, UsageError
from auditor.formats.bill_model import CommerceChange
from auditor.formats.plan_json import PlanFile, Where, read_bounded

from ..billing.distributor_seats import credentials
from ..billing.pax8 import Pax8, Pax8Error
from ..plan.distributor_changes import request, shape_error
from . import permissions
from .commerce import CommerceJournal, SeatsReader, _seats_reader, seats_short
from .commerce_undo import _ask, _journal_lines
from .journal import JournalError
from .lock import hold

WRITABLE = ("Active", "Activated")  # the statuses Pax8 bills whose quantity apply changes


class _Bill(Struct, frozen=True):
    distributor: list[CommerceChange] | None = None


class _Plan(Struct, frozen=True):
    bill: _Bill | None = None


def distributor_of(data: bytes, where: str = "plan.json") -> list[CommerceChange]:
    """The plan's distributor changes, each held to the shape plan writes (a hand edit is refused)."""
    try:
        doc = msgspec.json.decode(data.removeprefix(codecs.BOM_UTF8), type=_Plan)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise UsageError(
            f"{where}: bill.distributor is not a list of distributor changes: {exc} (plan again)"
        ) from None
    changes = (doc.bill.distributor if doc.bill is not None else None) or []
    for c in changes:
        wrong = shape_error(msgspec.to_builtins(c))
        if wrong:
            raise UsageError(f"{where}: distributor change {c.n}: {wrong} (plan again)")
    return changes


def _said(c: CommerceChange) -> str:
    return f"D{c.n}. reduce {c.sku} at Pax8 (subscription {c.api_id}): {c.from_} -> {c.to} seats"


def _reread_differs(c: CommerceChange, sub: Any, today: date) -> str | None:
    """Why the re-read Pax8 subscription no longer takes the change (None: it does)."""
    if sub.status not in WRITABLE:
        return f"its status at Pax8 is {sub.status or 'not given'}"
    if sub.start and sub.start[:10] > today.isoformat():
        return f"it starts on {sub.start[:10]}: Pax8 does not update a subscription with a future date"
    if sub.quantity != c.from_:
        return f"it now has {sub.quantity} seats at Pax8, the plan counted {c.from_}"
    return None


async def _check(c: CommerceChange, pax8: Pax8, seats: SeatsReader, today: date, removed: int) -> str | None:
    if c.not_before and today.isoformat() < c.not_before:
        return f"scheduled for {c.not_before} (its commitment's end), re-checked when due"
    try:
        sub = pax8.subscription(c.scope, c.api_id)
    except Pax8Error as exc:
        return f"could not re-read the Pax8 subscription: {exc}"
    differs = _reread_differs(c, sub, today)
    if differs:
        return differs
    return await seats_short(c, seats, removed)


def _put(c: CommerceChange | Mapping[str, Any], pax8: Pax8, journal: CommerceJournal, out: TextIO) -> bool:
    """Send one journaled change (a plan's, or an undo's); whether it is done (else journaled failed/unknown)."""
    fields = msgspec.to_builtins(c) if isinstance(c, CommerceChange) else c
    try:
        answer = pax8.update_quantity(fields["scope"], fields["api_id"], fields["to"])
    except Pax8Error as exc:
        refused = exc.status is not None and 400 <= exc.status < 500
        journal.write(fields, "failed" if refused else "unknown", str(exc), exc.status)
        print(f"      -> {'FAILED' if refused else 'OUTCOME UNKNOWN'}: {exc}", file=out)
        return False
    if answer.quantity != fields["to"]:
        said = f"the answer says {answer.quantity} seats, the request asked for {fields['to']}"
        journal.write(fields, "unknown", said)
        print(f"      -> OUTCOME UNKNOWN: {said}", file=out)
        return False
    journal.write(fields, "done")
    print("      -> done", file=out)
    return True


async def run_distributor(
    changes: Sequence[CommerceChange],
    pax8: Pax8,
    seats: SeatsReader,
    *,
    execute: bool,
    journal: CommerceJournal | None,
    today: date,
    out: TextIO,
) -> int:
    """Make (or, without `execute`, check and show) each distributor change; the number that failed
    or whose outcome is unknown (a scheduled one not yet due is neither)."""
    failed = 0
    removed: dict[str, int] = {}
    mode = "making them" if execute else "dry run, nothing is changed (--yes --distributor makes them)"
    print(f"distributor changes: {len(changes)} ({mode})", file=out)
    for c in changes:
        print(f"  {_said(c)}, saves {c.monthly_saving:.2f} a month from {c.saving_from}", file=out)
        print(f"      {c.request.method} {c.request.path} {{'quantity': {c.to}}}", file=out)
        sku = (c.sku_id or "").lower()
        why = await _check(c, pax8, seats, today, removed.get(sku, 0))
        if why:
            scheduled = why.startswith("scheduled")
            print(f"      -> {why if scheduled else ('skipped: ' if execute else 'would skip: ') + why}", file=out)
            if journal is not None:
                journal.write(c, "scheduled" if scheduled else "skipped", f"not sent: {why}")
            continue
        if not execute:
            removed[sku] = removed.get(sku, 0) + c.seats
            print("      -> would apply", file=out)
            continue
        assert journal is not None
        try:
            journal.write(c, "sending")  # write-ahead: on disk before the request goes out
        except JournalError as exc:
            raise JournalError(f"{exc}; distributor change D{c.n} ({_said(c)}) was not sent") from None
        try:
            made = _put(c, pax8, journal, out)
        except JournalError as exc:  # the PUT went out: its outcome has no line
            raise JournalError(
                f"{exc}; distributor change D{c.n} was sent and its journal line says only 'sending': "
                f"check subscription {c.api_id} in Pax8's portal before anything else"
            ) from None
        failed += not made
        removed[sku] = removed.get(sku, 0) + c.seats  # made, or it may have been
    return failed


def apply_distributor_changes(
    plan: PlanFile, make_client: Callable[[], Any], today: date, *, yes: bool, endpoint: str | None
) -> int:
    """`apply PLAN --distributor [--yes]`: the plan's distributor changes, once the credential is
    shown to sign in to the plan's tenant; exit 3 when one failed or its outcome is unknown."""
    where = Where(plan.path)
    data = read_bounded(plan.path, where, "a plan")
    if hashlib.sha256(data).hexdigest() != plan.sha256:
        raise where.error("", "the plan changed since apply read it: nothing is sent from it; run apply again")
    changes = distributor_of(data, str(plan.path))
    if not changes:
        print("distributor changes: none in the plan (no seats the distributor bills above the plan's)")
        return EXIT_OK
    client_id, secret = credentials(os.environ)
    client = make_client()
    journal: list[CommerceJournal] = []

    async def run() -> int:
        try:
            await permissions.check_tenant(client, plan.tenant_id)
            if yes:
                name = datetime.now(UTC).strftime("distributor-journal-%Y%m%dT%H%M%SZ.jsonl")
                journal.append(CommerceJournal(plan.path.resolve().parent / name))
            with Pax8(client_id, secret, endpoint=endpoint) as pax8:
                return await run_distributor(
                    changes,
                    pax8,
                    _seats_reader(client),
                    execute=yes,
                    journal=journal[0] if journal else None,
                    today=today,
                    out=sys.stdout,
                )
        finally:
            for j in journal:
                j.close()
            await client.aclose()

    failed = asyncio.run(run())
    if failed:
        raise CollectionError(
            f"{failed} distributor change(s) failed or have an unknown outcome; the journal "
            f"{journal[0].path if journal else ''} says which"
        )
    return EXIT_OK


def undo_distributor(
    lines: Sequence[Mapping[str, Any]],
    pax8: Pax8,
    ask: Callable[[str], bool | None],
    *,
    execute: bool,
    journal: CommerceJournal | None,
    out: TextIO,
) -> list[str]:
    """Put back the quantity of each reduction the journal's lines record as done, newest first,
    each after a yes; what needs a person (a change left sending or unknown, a failed put-back)."""
    problems: list[str] = []
    last: dict[tuple[Any, Any], str] = {}
    for line in lines:
        last[(line.get("n"), line.get("api_id"))] = str(line.get("outcome"))
    for (n, sub_id), outcome in last.items():
        if outcome in ("sending", "unknown"):
            problems.append(f"D{n} (Pax8 subscription {sub_id}): its outcome is {outcome}: check it in Pax8's portal")
    done = [ln for ln in lines if ln.get("outcome") == "done" and ln.get("source") == "pax8"]
    for line in reversed(done):
        back = {**line, "kind": "undo_reduce", "from": line["to"], "to": line["from"]}
        back["request"] = request(str(line["api_id"]), int(line["from"]))
        said = f"D{line['n']}. put {line['sku']} back from {line['to']} to {line['from']} seats at Pax8"
        print(f"  {said} (subscription {line['api_id']})", file=out)
        try:
            sub = pax8.subscription(str(line["scope"]), str(line["api_id"]))
        except Pax8Error as exc:
            problems.append(f"{said}: could not re-read it: {exc}")
            continue
        if sub.quantity != line["to"] or sub.status not in WRITABLE:
            print(f"      -> not undone: it now has {sub.quantity} seats ({sub.status}), changed since", file=out)
            continue
        if not execute:
            print("      -> would ask, then put them back", file=out)
            continue
        saving = line.get("monthly_saving")
        price = f" (they cost {saving:.2f} a month again)" if isinstance(saving, int | float) and saving else ""
        if not ask(f"{said}{price}?"):
            print("      -> not undone: no yes", file=out)
            continue
        assert journal is not None
        journal.write(back, "sending")
        if not _put(back, pax8, journal, out):
            problems.append(f"{said}: the put-back failed or its outcome is unknown")
    return problems


def undo_distributor_changes(journal_path: Path, *, yes: bool, endpoint: str | None) -> int:
    """`undo DISTRIBUTOR_JOURNAL --distributor [--yes]`: exit 3 when something needs a person."""
    if not journal_path.is_file():
        raise UsageError(f"{journal_path}: no such distributor journal")
    client_id, secret = credentials(os.environ)
    problems: list[str] = []
    with hold(journal_path, "the distributor journal"):
        lines = _journal_lines(journal_path, problems)
        name = datetime.now(UTC).strftime("distributor-undo-%Y%m%dT%H%M%SZ.jsonl")
        journal = CommerceJournal(journal_path.resolve().parent / name) if yes else None
        try:
            with Pax8(client_id, secret, endpoint=endpoint) as pax8:
                problems += undo_distributor(lines, pax8, _ask, execute=yes, journal=journal, out=sys.stdout)
        finally:
            if journal is not None:
                journal.close()
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)
    return EXIT_COLLECTION if problems else EXIT_OK
