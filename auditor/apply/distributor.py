"""`apply PLAN --distributor`: the plan's reductions at the distributor (plan.json `bill.distributor`,
auditor.plan.distributor_changes), made at Pax8 with the care of a commerce change (auditor.apply.commerce).

For each change, in order:

0. the credential signs in to the plan's tenant (as apply --commerce checks); the customer each change
   must name is read from the report the plan was made from (report.json beside it: customers_of);
1. a change scheduled at its commitment's end (`not_before`) does nothing before that day: it is
   named "scheduled", and re-checked by the run on or after it;
2. the subscription is re-read from the distributor (distributor_writers: Pax8's GET
   /v1/subscriptions/{id} and the company's listing; Sherweb's details and catalog), and the tenant's
   Microsoft subscriptions from Graph; the change is re-derived from them (`rederived`): its Microsoft
   subscription (Pax8's vendorSubscriptionId, one of the tenant's), its product (the skuId the
   distributor names) and its day (due_day, from the re-read commitment). One that differs from the
   plan's is refused: named on stderr, journaled `refused`, nothing sent, exit 3 (docs/msp.md,
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

`undo JOURNAL --distributor` puts each done reduction's quantity back, newest first, never more than
the plan's change (found by the SHA-256 its lines carry: plan.json, or the copy apply kept) and the
quantity read at the call, only while the subscription still has the seats the reduction left, and only
after a yes to the seats and their price; what it cannot put back is named on stderr (exit 3). A done
cancellation is named for a person (buy it again in Pax8's portal), never called.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import hashlib
import os
import sys
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TextIO

import msgspec
from msgspec import Struct

from auditor.common.errors import EXIT_COLLECTION, EXIT_OK, CollectionError, UsageError
from auditor.formats.bill_model import CommerceChange
from auditor.formats.plan_json import PlanFile, Where, read_bounded

from ..billing.distributor_seats import credentials, reduction_short, sherweb_credentials
from ..plan.distributor_changes import AT_TERM_END, NOW
from ..plan.distributor_requests import CANCEL, SHERWEB, pax8_cancel, pax8_update, shape_error, sherweb_amend
from . import permissions
from .commerce import CommerceJournal, SeatsReader, _seats_reader
from .commerce_undo import _ask, _journal_lines
from .distributor_writers import Now, Pax8Writer, SherwebWriter, Unread, Writer
from .journal import JournalError, keep_plan, kept_plan
from .lock import hold

NAMES = {"pax8": "Pax8", SHERWEB: "Sherweb"}


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
        doc = msgspec.json.decode(data.removeprefix(codecs.BOM_UTF8), type=_Plan)
    except (msgspec.ValidationError, msgspec.DecodeError):
        return {}
    products = (doc.bill.products if doc.bill is not None else None) or []
    return {p.sku.upper(): p.assigned_after for p in products}


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


TenantSubscriptions = Callable[[], Awaitable[dict[str, str] | None]]


@dataclass(frozen=True)
class Tenant:
    """What the run re-reads of the plan's tenant at each change (Graph): its seats of a product
    (GET /subscribedSkus), and its Microsoft subscriptions (GET /directory/subscriptions: id and
    commerceSubscriptionId, case-folded -> skuId), which Pax8's vendorSubscriptionId names."""

    seats: SeatsReader
    subscriptions: TenantSubscriptions


def _subscriptions_reader(client: Any) -> TenantSubscriptions:
    async def read() -> dict[str, str] | None:
        try:
            doc = await client.get("/directory/subscriptions")
        except CollectionError:
            return None
        if not isinstance(doc, dict) or not isinstance(doc.get("value"), list) or doc.get("@odata.nextLink"):
            return None  # not the whole listing: no subscription is taken as not the tenant's
        found: dict[str, str] = {}
        for sub in doc["value"]:
            sku = sub.get("skuId") if isinstance(sub, dict) else None
            if isinstance(sku, str) and sku:
                for key in (sub.get("id"), sub.get("commerceSubscriptionId")):
                    if isinstance(key, str) and key:
                        found[key.casefold()] = sku.lower()
        return found

    return read


@dataclass(frozen=True)
class Verdict:
    """Why a change is not sent: `refused` when the change re-derived from the re-read is not the plan's
    (exit 3), `scheduled` when its day has not come; else skipped (the world moved since the plan)."""

    why: str
    refused: bool = False
    scheduled: bool = False


def rederived(c: CommerceChange, now: Now, tenant: Mapping[str, str], today: date) -> str | None:
    """Why the change re-derived from the subscription as re-read (`now`) is not the plan's, else None:
    its Microsoft subscription (Pax8's vendorSubscriptionId, one of the tenant's), its product (the
    skuId the distributor names), and its kind and day (due_day, from the re-read commitment). The plan
    approves an intent; none of these facts is taken from it."""
    at = NAMES.get(c.source, c.source)
    if c.source != SHERWEB:
        named = now.microsoft or ""
        if named.casefold() not in tenant:
            what = f"Microsoft subscription {named}" if named else "no Microsoft subscription"
            return f"{at} names {what} for it now, not one of this tenant's"
        if named.casefold() != (c.subscription or "").casefold():
            return f"{at} names Microsoft subscription {named} for it now, the plan's change {c.subscription}"
    if now.sku_id is None:
        return f"{at} names no one Microsoft product for it now ({now.product})"
    if now.sku_id != (c.sku_id or "").lower():
        return f"it is Microsoft product {now.sku_id} at {at} now, the plan's change names {c.sku_id}"
    if now.stale:
        return None  # no day can be derived: skipped (moved), not refused
    due, window = now.due, (AT_TERM_END if now.due else NOW)
    if due != c.not_before or window != c.window:
        return f"its commitment at {at} makes it due {due or 'now'}, the plan's change {c.not_before or 'now'}"
    if c.kind == CANCEL and due is None and (c.saving_from or "") > today.isoformat():
        return f"its cancelDate {c.saving_from} is later than the day the re-read allows ({today.isoformat()})"
    return None


def moved(c: CommerceChange, now: Now) -> str | None:
    """Why the subscription as re-read no longer takes the plan's change (the world moved since the
    plan: nothing is sent, and it is no error), else None."""
    at = NAMES.get(c.source, c.source)
    if now.stale:
        return now.stale
    if not now.writable:
        return f"its status at {at} is {now.status or 'not given'}"
    if now.future:
        return f"it starts on {now.future}: Pax8 does not update a subscription with a future date"
    if now.quantity != c.from_:
        return f"it now has {now.quantity} seats at {at}, the plan counted {c.from_}"
    if c.kind != CANCEL and (c.to or 0) < now.least:
        return (
            f"Sherweb takes no fewer than {now.least} seats today (its committedMinimalQuantities): "
            "plan again when its term renews"
        )
    return None


async def _check(
    c: CommerceChange,
    writer: Writer,
    tenant: Tenant,
    today: date,
    removed: Mapping[str, int],
    customer: str | None,
    hint: Mapping[str, int],
) -> tuple[Verdict | None, Now | None]:
    """(why the change is not sent, else None; the subscription as re-read). `hint`: the seats the plan
    counts assigned after its license changes, per product, named when the seats assigned now are more."""
    at = NAMES.get(c.source, c.source)
    if not customer or c.scope.casefold() != customer.casefold():
        said = f"customer {customer}" if customer else "no customer there"
        return Verdict(f"it names {at} customer {c.scope}; this tenant's report names {said}", refused=True), None
    if c.not_before and today.isoformat() < c.not_before:
        due = f"scheduled for {c.not_before} (its commitment's end), re-checked when due"
        return Verdict(due, scheduled=True), None
    subscriptions = await tenant.subscriptions() if c.source != SHERWEB else {}
    if subscriptions is None:
        return Verdict("could not re-read the tenant's subscriptions (GET /directory/subscriptions)"), None
    try:
        now = writer.now(c.scope, c.api_id, today, subscriptions)
    except Unread as exc:
        return Verdict(f"could not re-read the {at} subscription: {exc}"), None
    wrong = rederived(c, now, subscriptions, today)
    if wrong:
        return Verdict(wrong, refused=True), now
    why = moved(c, now)
    if why:
        return Verdict(why), now
    sku = now.sku_id or ""
    counted = await tenant.seats(sku)
    if counted is None:
        return Verdict("could not re-read the seats assigned (GET /subscribedSkus)"), now
    enabled, assigned = counted
    earlier = removed.get(sku, 0)
    short = reduction_short(enabled, now.billed + earlier, earlier + c.seats, assigned)
    if short:
        after = f" (after the {earlier} this run's earlier changes remove)" if earlier else ""
        planned = hint.get(c.sku.upper())
        first = (
            f"; the plan counts {planned} after its license changes: make them first (apply PLAN --yes)"
            if planned is not None and planned < assigned
            else ""
        )
        return Verdict(f"{short} now{after}{first}"), now
    return None, now


def _put(c: CommerceChange, writer: Writer, journal: CommerceJournal, out: TextIO, plan: str | None = None) -> bool:
    """Send one journaled change (a plan's as `outgoing` makes it, or an undo's); whether it is done
    (else journaled failed/unknown)."""
    sent = writer.send(c)
    journal.write(c, sent.outcome, sent.note, sent.status, plan=plan)
    shown = {"done": "done", "failed": "FAILED", "unknown": "OUTCOME UNKNOWN"}[sent.outcome]
    print(f"      -> {shown}{': ' + sent.note if sent.note and sent.outcome != 'done' else ''}", file=out)
    return sent.outcome == "done"


async def run_distributor(
    changes: Sequence[CommerceChange],
    writers: Mapping[str, Writer],
    tenant: Tenant,
    *,
    execute: bool,
    journal: CommerceJournal | None,
    today: date,
    out: TextIO,
    customers: Mapping[str, str],
    plan: str | None = None,
    refusals: list[str] | None = None,
    after: Mapping[str, int] | None = None,
) -> int:
    """Make (or, without `execute`, check and show) each distributor change; the number refused, failed
    or whose outcome is unknown (a scheduled one not yet due, or one skipped, is neither). `customers`:
    the tenant's customer at each distributor (its report); `plan`: the plan's SHA-256, journaled with
    each line; `refusals`: each refused change named, for stderr."""
    failed = 0
    removed: dict[str, int] = {}
    mode = "making them" if execute else "dry run, nothing is changed (--yes --distributor makes them)"
    print(f"distributor changes: {len(changes)} ({mode})", file=out)
    for planned in changes:
        c = outgoing(planned, today)
        print(f"  {_said(c)}, saves {c.monthly_saving:.2f} a month from {c.saving_from}", file=out)
        body = "" if c.request.body is None else f" {c.request.body}"
        print(f"      {c.request.method} {c.request.path}{body}", file=out)
        writer = writers[c.source]
        verdict, now = await _check(c, writer, tenant, today, removed, customers.get(c.source), after or {})
        if verdict is not None:
            if verdict.refused:
                shown, outcome = f"REFUSED: {verdict.why}", "refused"
                failed += 1
                if refusals is not None:
                    refusals.append(f"{_said(c)}: refused, nothing sent: {verdict.why}")
            elif verdict.scheduled:
                shown, outcome = verdict.why, "scheduled"
            else:
                shown, outcome = ("skipped: " if execute else "would skip: ") + verdict.why, "skipped"
            print(f"      -> {shown}", file=out)
            if journal is not None:
                journal.write(c, outcome, f"not sent: {verdict.why}", plan=plan)
            continue
        assert now is not None and now.sku_id is not None
        if not execute:
            removed[now.sku_id] = removed.get(now.sku_id, 0) + c.seats
            print("      -> would apply", file=out)
            continue
        assert journal is not None
        try:  # write-ahead: on disk before the request goes out, with the quantity read at the call
            journal.write(c, "sending", plan=plan, read=now.quantity)
        except JournalError as exc:
            raise JournalError(f"{exc}; distributor change D{c.n} ({_said(c)}) was not sent") from None
        try:
            made = _put(c, writer, journal, out, plan)
        except JournalError as exc:  # the PUT went out: its outcome has no line
            raise JournalError(
                f"{exc}; distributor change D{c.n} was sent and its journal line says only 'sending': "
                f"check subscription {c.api_id} in {writer.name}'s portal before anything else"
            ) from None
        failed += not made
        removed[now.sku_id] = removed.get(now.sku_id, 0) + c.seats  # made, or it may have been
    return failed


class _Customer(Struct, frozen=True):
    distributor: str
    company_id: str | None = None
    customer_id: str | None = None


class _ReportTenant(Struct, frozen=True):
    id: str


class _Report(Struct, frozen=True):
    """The keys of report.json apply --distributor reads: the tenant, when it was read, its distributor."""

    tenant: _ReportTenant
    collected_at: str | None = None
    distributor: _Customer | None = None


def customers_of(plan: PlanFile) -> dict[str, str]:
    """The tenant's customer at its distributor ({"pax8": company id} or {"sherweb": customer id}), as
    the report the plan was made from names it (the tenants file's entry, read by the audit): report.json
    beside the plan, its tenant and collected_at the plan's. A change that names another customer is
    refused. UsageError (exit 2, nothing read or sent) when that report is not there."""
    path = plan.path.resolve().parent / "report.json"
    again = "audit and plan again into one folder, then apply"
    try:
        data = path.read_bytes()
        doc = msgspec.json.decode(data.removeprefix(codecs.BOM_UTF8), type=_Report)
    except OSError as exc:
        raise UsageError(
            f"{path}: the report the plan was made from cannot be read ({exc.strerror or exc}): the customer at "
            f"the distributor cannot be checked; {again}"
        ) from None
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise UsageError(f"{path}: not a report.json apply --distributor can read ({exc}); {again}") from None
    stamp = plan.report_collected_at
    if doc.tenant.id.lower() != plan.tenant_id or (stamp and doc.collected_at != stamp):
        raise UsageError(
            f"{path}: not the report the plan was made from (tenant {doc.tenant.id}, read {doc.collected_at}; "
            f"the plan's: {plan.tenant_id}, {stamp}); {again}"
        )
    found = doc.distributor
    customer = (found.customer_id if found.distributor == SHERWEB else found.company_id) if found else None
    return {found.distributor: customer} if found is not None and customer else {}


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
    customers = customers_of(plan)  # before any credential is used: the customer each change must name
    with writers_for(sources, endpoints):  # the credentials, checked before the tenant is signed in to
        pass
    client = make_client()
    journal: list[CommerceJournal] = []
    refusals: list[str] = []

    async def run() -> int:
        try:
            await permissions.check_tenant(client, plan.tenant_id)
            if yes:
                folder = plan.path.resolve().parent
                keep_plan(
                    plan.path, folder, plan.sha256
                )  # what undo bounds each put-back by, whatever plan.json becomes
                name = datetime.now(UTC).strftime("distributor-journal-%Y%m%dT%H%M%SZ.jsonl")
                journal.append(CommerceJournal(folder / name))
            with writers_for(sources, endpoints) as writers:
                return await run_distributor(
                    changes,
                    writers,
                    Tenant(_seats_reader(client), _subscriptions_reader(client)),
                    execute=yes,
                    journal=journal[0] if journal else None,
                    today=today,
                    out=sys.stdout,
                    customers=customers,
                    plan=plan.sha256,
                    refusals=refusals,
                    after=assigned_after(data),
                )
        finally:
            for j in journal:
                j.close()
            await client.aclose()

    failed = asyncio.run(run())
    for refusal in refusals:
        print(f"  {refusal}", file=sys.stderr)
    if failed:
        raise CollectionError(
            f"{failed} distributor change(s) refused, failed or with an unknown outcome; "
            + (f"the journal {journal[0].path} says which" if journal else "the lines above say which")
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
    plan: str | None = None  # the SHA-256 of the plan the change came from
    read: int | None = None  # the quantity read at the call, before the write (its `sending` line)


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


def _put_back(change: CommerceChange) -> CommerceChange:
    """The undo of a done reduction, as the plan it came from has it: its quantity put back."""
    assert change.from_ is not None and change.to is not None  # distributor_of held it to its shape
    return msgspec.structs.replace(
        change,
        kind="undo_reduce",
        sku_id=None,
        from_=change.to,
        to=change.from_,
        window=NOW,
        not_before=None,
        by=None,
        saving_from=None,
        request=sherweb_amend(change.scope, change.api_id, change.from_)
        if change.source == SHERWEB
        else pax8_update(change.api_id, change.from_),
    )


def plan_changes(folder: Path, sha256: str) -> list[CommerceChange] | None:
    """The distributor changes of the plan of that SHA-256, beside the journal (plan.json, or the copy
    apply kept: kept_plan); None when neither is that plan."""
    for path in (folder / "plan.json", kept_plan(folder, sha256)):
        try:
            data = path.read_bytes()
        except OSError:
            continue
        if hashlib.sha256(data).hexdigest() == sha256:
            try:
                return distributor_of(data, str(path))
            except UsageError:
                return None
    return None


def bound(line: JournalLine, sent: JournalLine | None, folder: Path) -> CommerceChange | str:
    """The plan's change a done line records, as the plan (bound by its SHA-256) and the quantity read
    at the call (the change's `sending` line) say it: what undo may put back at most. Why the line
    cannot be put back, when the journal names no plan, the plan is not beside it, or the line or the
    quantity read disagree with the plan's change (an edited journal)."""
    if not line.plan:
        return "the journal names no plan it came from: what it may put back is not known"
    changes = plan_changes(folder, line.plan)
    if changes is None:
        return f"the plan it came from (SHA-256 {line.plan[:16]}…) is not beside the journal"
    found = [c for c in changes if c.n == line.n]
    if len(found) != 1:
        return f"the plan it came from has no distributor change D{line.n}"
    (change,) = found
    said = (line.source, line.scope, line.api_id, line.kind, line.from_, line.to)
    planned = (change.source, change.scope, change.api_id, change.kind, change.from_, change.to)
    if said != planned:
        return (
            f"the journal says {line.api_id} {line.from_} -> {line.to}, the plan's change "
            f"{change.api_id} {change.from_} -> {change.to}"
        )
    if sent is None or sent.read != change.from_:
        read = "no quantity" if sent is None or sent.read is None else f"{sent.read} seats"
        return f"the journal records {read} read before the write, the plan's change {change.from_}"
    return change


def _price(change: CommerceChange) -> str:
    """The seats a put-back buys, at the price per seat the plan's saving was counted at."""
    seats, saving = change.seats, change.monthly_saving
    if not saving or not seats:
        return ""
    return f" ({seats} seats at {saving / seats:.2f}: they cost {saving:.2f} a month again)"


def _undo_one(
    line: JournalLine,
    sent: JournalLine | None,
    writer: Writer,
    ask: Callable[[str], bool | None],
    out: TextIO,
    *,
    execute: bool,
    journal: CommerceJournal | None,
    folder: Path,
    today: date,
) -> str | None:
    """Put back one done reduction (undo_distributor); what needs a person, else None."""
    change = bound(line, sent, folder)
    if isinstance(change, str):
        said = f"D{line.n}. {line.sku} at {writer.name} (subscription {line.api_id}): not put back: {change}"
        print(f"  {said}", file=out)
        return f"{said}; put the seats back in {writer.name}'s portal if they are needed"
    back = _put_back(change)
    said = f"D{line.n}. put {change.sku} back from {change.to} to {change.from_} seats at {writer.name}"
    print(f"  {said} (subscription {change.api_id})", file=out)
    try:
        sub = writer.now(change.scope, change.api_id, today, {})
    except Unread as exc:
        return f"{said}: could not re-read it: {exc}"
    if sub.quantity != change.to or not sub.writable:
        why = f"it now has {sub.quantity} seats ({sub.status}), the reduction left {change.to}: changed since"
        print(f"      -> not undone: {why}", file=out)
        return f"{said}: not undone: {why}"
    if not execute:
        print("      -> would ask, then put them back", file=out)
        return None
    yes = ask(f"{said}{_price(change)}?")
    if yes is None:  # nobody could be asked (no terminal): nothing bought, and the run says so (exit 3)
        print("      -> not undone: no terminal to ask at", file=out)
        return f"{said}: not undone: nobody was asked; run undo --distributor --yes at a terminal"
    if not yes:
        print("      -> not undone: no yes", file=out)
        return None
    assert journal is not None
    journal.write(back, "sending", plan=line.plan, read=sub.quantity)
    if not _put(back, writer, journal, out, line.plan):
        return f"{said}: the put-back failed or its outcome is unknown"
    return None


def undo_distributor(
    lines: Sequence[JournalLine],
    writers: Mapping[str, Writer],
    ask: Callable[[str], bool | None],
    *,
    execute: bool,
    journal: CommerceJournal | None,
    out: TextIO,
    folder: Path,
    today: date,
) -> list[str]:
    """Put back the quantity of each reduction the journal's lines record as done, newest first, at most
    what the plan's change took (bound), each after a yes; what needs a person (a change left sending or
    unknown, a cancellation made, a line the plan does not bear out, a quantity changed since, a failed
    put-back)."""
    problems: list[str] = []
    last: dict[tuple[int, str], JournalLine] = {}
    sending: dict[tuple[int, str], JournalLine] = {}
    for line in lines:
        last[(line.n, line.api_id)] = line
        if line.outcome == "sending":
            sending[(line.n, line.api_id)] = line
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
        sent = sending.get((line.n, line.api_id))
        problem = _undo_one(
            line, sent, writers[line.source], ask, out, execute=execute, journal=journal, folder=folder, today=today
        )
        if problem:
            problems.append(problem)
    return problems


def undo_distributor_changes(
    journal_path: Path, *, yes: bool, endpoints: Mapping[str, str | None], today: date | None = None
) -> int:
    """`undo DISTRIBUTOR_JOURNAL --distributor [--yes]`: exit 3 when something needs a person."""
    if not journal_path.is_file():
        raise UsageError(f"{journal_path}: no such distributor journal")
    problems: list[str] = []
    with hold(journal_path, "the distributor journal"):
        lines = journal_lines(_journal_lines(journal_path, problems), problems)
        sources = {ln.source for ln in lines if ln.outcome == "done" and ln.kind != CANCEL} & set(NAMES)
        name = datetime.now(UTC).strftime("distributor-undo-%Y%m%dT%H%M%SZ.jsonl")
        folder = journal_path.resolve().parent
        journal = CommerceJournal(folder / name) if yes else None
        try:
            with writers_for(sources, endpoints) as writers:
                problems += undo_distributor(
                    lines,
                    writers,
                    _ask,
                    execute=yes,
                    journal=journal,
                    out=sys.stdout,
                    folder=folder,
                    today=today or datetime.now(UTC).date(),
                )
        finally:
            if journal is not None:
                journal.close()
    if problems:
        print(f"{len(problems)} distributor change(s) need a person:", file=sys.stderr)
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)
    return EXIT_COLLECTION if problems else EXIT_OK
