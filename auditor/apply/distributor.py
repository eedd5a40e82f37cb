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
   before the request goes out, then `done` (Pax8's answer has the new quantity, or the
   cancellation), `failed` (a 4xx: nothing changed) or `unknown` (no answer, a 5xx, another answer).

A reduction is Pax8's `PUT /v1/subscriptions/{id}` {quantity}; a cancellation (the whole quantity)
its `DELETE /v1/subscriptions/{id}?cancelDate=…`, the cancelDate the plan's day (or its commitment's
end), or the day of the call when that is later (the journal keeps the request as sent).

`undo JOURNAL --distributor` puts each done reduction's quantity back, newest first, only while
the subscription still has the seats the reduction left and only after a yes; a done cancellation
is named for a person (buy it again in Pax8's portal), never called.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import hashlib
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TextIO

import msgspec
from msgspec import Struct

from auditor.common.errors import EXIT_COLLECTION, EXIT_OK, CollectionError, UsageError
from auditor.formats.bill_model import CommerceChange
from auditor.formats.plan_json import PlanFile, Where, read_bounded

from ..billing.distributor_seats import credentials, sherweb_credentials
from ..plan.distributor_requests import CANCEL, SHERWEB, pax8_cancel, pax8_update, shape_error, sherweb_amend
from . import permissions
from .commerce import CommerceJournal, SeatsReader, _seats_reader, seats_short
from .commerce_undo import _ask, _journal_lines
from .distributor_writers import Pax8Writer, SherwebWriter, Unread, Writer
from .journal import JournalError
from .lock import hold

NAMES = {"pax8": "Pax8", SHERWEB: "Sherweb"}


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
        wrong = shape_error(c)
        if wrong:
            raise UsageError(f"{where}: distributor change {c.n}: {wrong} (plan again)")
    return changes


def _said(c: CommerceChange) -> str:
    at = NAMES.get(c.source, c.source)
    if c.kind == CANCEL:
        return f"D{c.n}. cancel {c.sku} at {at} (subscription {c.api_id}, {c.from_} seats)"
    return f"D{c.n}. reduce {c.sku} at {at} (subscription {c.api_id}): {c.from_} -> {c.to} seats"


def outgoing(c: CommerceChange, today: date) -> CommerceChange:
    """The change as it is sent today: a cancellation's cancelDate is never before the day of the call
    (the plan's day, or its commitment's end, when that is later)."""
    if c.kind != CANCEL:
        return c
    on = max(date.fromisoformat(c.saving_from or today.isoformat()), today).isoformat()
    return msgspec.structs.replace(c, request=pax8_cancel(c.api_id, on))


async def _check(c: CommerceChange, writer: Writer, seats: SeatsReader, today: date, removed: int) -> str | None:
    if c.not_before and today.isoformat() < c.not_before:
        return f"scheduled for {c.not_before} (its commitment's end), re-checked when due"
    return writer.differs(c, today) or await seats_short(c, seats, removed)


def _put(c: CommerceChange, writer: Writer, journal: CommerceJournal, out: TextIO) -> bool:
    """Send one journaled change (a plan's as `outgoing` makes it, or an undo's); whether it is done
    (else journaled failed/unknown)."""
    sent = writer.send(c)
    journal.write(c, sent.outcome, sent.note, sent.status)
    shown = {"done": "done", "failed": "FAILED", "unknown": "OUTCOME UNKNOWN"}[sent.outcome]
    print(f"      -> {shown}{': ' + sent.note if sent.note and sent.outcome != 'done' else ''}", file=out)
    return sent.outcome == "done"


async def run_distributor(
    changes: Sequence[CommerceChange],
    writers: Mapping[str, Writer],
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
    for planned in changes:
        c = outgoing(planned, today)
        print(f"  {_said(c)}, saves {c.monthly_saving:.2f} a month from {c.saving_from}", file=out)
        body = "" if c.request.body is None else f" {c.request.body}"
        print(f"      {c.request.method} {c.request.path}{body}", file=out)
        sku = (c.sku_id or "").lower()
        writer = writers[c.source]
        why = await _check(c, writer, seats, today, removed.get(sku, 0))
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
            made = _put(c, writer, journal, out)
        except JournalError as exc:  # the PUT went out: its outcome has no line
            raise JournalError(
                f"{exc}; distributor change D{c.n} was sent and its journal line says only 'sending': "
                f"check subscription {c.api_id} in {writer.name}'s portal before anything else"
            ) from None
        failed += not made
        removed[sku] = removed.get(sku, 0) + c.seats  # made, or it may have been
    return failed


@contextlib.contextmanager
def writers_for(sources: set[str], endpoints: Mapping[str, str | None]) -> Iterator[dict[str, Writer]]:
    """A writer for each distributor `sources` names, each with the MSP's credentials for it (a missing
    one is a UsageError before anything is read), their sessions closed after."""
    from ..billing.pax8 import Pax8  # the distributors' clients (httpx) load for a run that writes
    from ..billing.sherweb import Sherweb

    pax8_keys = credentials(os.environ) if "pax8" in sources else None
    sherweb_keys = sherweb_credentials(os.environ) if SHERWEB in sources else None
    with contextlib.ExitStack() as stack:
        writers: dict[str, Writer] = {}
        if pax8_keys is not None:
            writers["pax8"] = Pax8Writer(stack.enter_context(Pax8(*pax8_keys, endpoint=endpoints.get("pax8"))))
        if sherweb_keys is not None:
            sherweb = stack.enter_context(Sherweb(*sherweb_keys, endpoint=endpoints.get(SHERWEB)))
            writers[SHERWEB] = SherwebWriter(sherweb)
        yield writers


def apply_distributor_changes(
    plan: PlanFile, make_client: Callable[[], Any], today: date, *, yes: bool, endpoints: Mapping[str, str | None]
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
    sources = {c.source for c in changes}
    with writers_for(sources, endpoints):  # the credentials, checked before the tenant is signed in to
        pass
    client = make_client()
    journal: list[CommerceJournal] = []

    async def run() -> int:
        try:
            await permissions.check_tenant(client, plan.tenant_id)
            if yes:
                name = datetime.now(UTC).strftime("distributor-journal-%Y%m%dT%H%M%SZ.jsonl")
                journal.append(CommerceJournal(plan.path.resolve().parent / name))
            with writers_for(sources, endpoints) as writers:
                return await run_distributor(
                    changes,
                    writers,
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


class JournalLine(Struct, frozen=True, kw_only=True, rename={"from_": "from"}):
    """One line of a distributor journal, as undo reads it (decoded at this border)."""

    n: int
    kind: str
    source: str
    scope: str
    api_id: str
    subscription: str | None = None
    sku: str
    from_: int
    to: int
    outcome: str
    monthly_saving: float | None = None


def journal_lines(raw: Sequence[Mapping[str, Any]], problems: list[str]) -> list[JournalLine]:
    """The journal's lines decoded; one out of shape is named in `problems` (its change not known)."""
    lines = []
    for number, line in enumerate(raw, 1):
        try:
            lines.append(msgspec.convert(line, JournalLine))
        except msgspec.ValidationError as exc:
            problems.append(
                f"line {number} of the journal is not a distributor change ({exc}): its change is not known"
            )
    return lines


def _put_back(line: JournalLine) -> CommerceChange:
    """The undo of a done reduction: the quantity it took put back."""
    return CommerceChange(
        n=line.n,
        kind="undo_reduce",
        source=line.source,
        scope=line.scope,
        api_id=line.api_id,
        subscription=line.subscription,
        sku=line.sku,
        sku_id=None,
        from_=line.to,
        to=line.from_,
        seats=line.from_ - line.to,
        window="any_time",
        not_before=None,
        by=None,
        monthly_saving=line.monthly_saving or 0.0,
        saving_from=None,
        request=sherweb_amend(line.scope, line.api_id, line.from_)
        if line.source == SHERWEB
        else pax8_update(line.api_id, line.from_),
    )


def undo_distributor(
    lines: Sequence[JournalLine],
    writers: Mapping[str, Writer],
    ask: Callable[[str], bool | None],
    *,
    execute: bool,
    journal: CommerceJournal | None,
    out: TextIO,
) -> list[str]:
    """Put back the quantity of each reduction the journal's lines record as done, newest first,
    each after a yes; what needs a person (a change left sending or unknown, a cancellation made, a
    failed put-back)."""
    problems: list[str] = []
    last: dict[tuple[int, str], JournalLine] = {}
    for line in lines:
        last[(line.n, line.api_id)] = line
    for (n, sub_id), line in last.items():
        if line.outcome in ("sending", "unknown"):
            at = NAMES.get(line.source, line.source)
            problems.append(
                f"D{n} ({at} subscription {sub_id}): its outcome is {line.outcome}: check it in {at}'s portal"
            )
    done = [ln for ln in lines if ln.outcome == "done" and ln.source in NAMES]
    for line in reversed(done):
        if line.kind == CANCEL:  # Pax8 documents no way back from a cancellation: a person buys it again
            said = (
                f"D{line.n}. the cancellation of {line.sku} at Pax8 (subscription {line.api_id}, {line.from_} seats) "
                "cannot be undone by this tool: buy the product again in Pax8's portal (or ask Pax8 to "
                "reactivate the subscription) and assign its seats"
            )
            print(f"  {said}", file=out)
            problems.append(said)
            continue
        back, writer = _put_back(line), writers[line.source]
        said = f"D{line.n}. put {line.sku} back from {line.to} to {line.from_} seats at {writer.name}"
        print(f"  {said} (subscription {line.api_id})", file=out)
        try:
            sub = writer.now(line.scope, line.api_id)
        except Unread as exc:
            problems.append(f"{said}: could not re-read it: {exc}")
            continue
        if sub.quantity != line.to or not sub.writable:
            print(f"      -> not undone: it now has {sub.quantity} seats ({sub.status}), changed since", file=out)
            continue
        if not execute:
            print("      -> would ask, then put them back", file=out)
            continue
        saving = line.monthly_saving
        price = f" (they cost {saving:.2f} a month again)" if saving else ""
        if not ask(f"{said}{price}?"):
            print("      -> not undone: no yes", file=out)
            continue
        assert journal is not None
        journal.write(back, "sending")
        if not _put(back, writer, journal, out):
            problems.append(f"{said}: the put-back failed or its outcome is unknown")
    return problems


def undo_distributor_changes(journal_path: Path, *, yes: bool, endpoints: Mapping[str, str | None]) -> int:
    """`undo DISTRIBUTOR_JOURNAL --distributor [--yes]`: exit 3 when something needs a person."""
    if not journal_path.is_file():
        raise UsageError(f"{journal_path}: no such distributor journal")
    problems: list[str] = []
    with hold(journal_path, "the distributor journal"):
        lines = journal_lines(_journal_lines(journal_path, problems), problems)
        sources = {ln.source for ln in lines if ln.outcome == "done" and ln.kind != CANCEL} & set(NAMES)
        name = datetime.now(UTC).strftime("distributor-undo-%Y%m%dT%H%M%SZ.jsonl")
        journal = CommerceJournal(journal_path.resolve().parent / name) if yes else None
        try:
            with writers_for(sources, endpoints) as writers:
                problems += undo_distributor(lines, writers, _ask, execute=yes, journal=journal, out=sys.stdout)
        finally:
            if journal is not None:
                journal.close()
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)
    return EXIT_COLLECTION if problems else EXIT_OK
