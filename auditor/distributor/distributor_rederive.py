"""apply --distributor's re-derivation: a change is made only if re-deriving it at the call, from what the
distributor and the tenant say now, gives the plan's change (docs/msp.md, "Re-derived at the call").

    customers_of(plan)          the tenant's customer at its distributor, from the report the plan was
                                made from (report.json beside it)
    mapping_of(plan, keep=...)  what proves that customer the tenant's at the call (Mapping): the mapping
                                the MSP confirmed (auditor.vendors.mappings), the distributor's record of
                                the customer re-read through the change's session; never report.json's word
    Tenant                      what is re-read of the tenant at each change (Graph): its seats of a
                                product, its Microsoft subscriptions
    check(change, ...)          (Verdict, Now): why the change is not sent (refused: its re-derivation
                                is not the plan's, or the distributor answers the subscription as another
                                customer's, exit 3; scheduled; skipped: the world moved), and the
                                subscription as re-read
    rederived / moved           the two halves of that judgement, on the re-read subscription
"""

from __future__ import annotations

import codecs
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from auditor.billing.distributor_records import Block, DistributorSection, customer_of
from auditor.common.errors import CollectionError, UsageError
from auditor.formats.bill_model import CommerceChange
from auditor.formats.plan_json import PlanFile
from auditor.formats.report_json import decode_report
from auditor.formats.report_model import ReportDocument

from ..billing.distributor_join import Joins, TenantSubscription, guid
from ..billing.distributor_seats import reduction_short
from ..vendors.mappings import FILE as MAPPINGS_FILE
from ..vendors.mappings import Book
from ..vendors.protocols import DistributorSession, Foreign, Now, Unread
from ..vendors.registry import DISTRIBUTORS
from .distributor_changes import AT_TERM_END, NAMES, NOW
from .distributor_requests import CANCEL, INCREASE

# skuId -> (enabled seats, assigned) as Graph says them now (apply.commerce reads them for both APIs)
SeatsReader = Callable[[str], Awaitable[tuple[int, int] | None]]

TenantSubscriptions = Callable[[], Awaitable[Joins | None]]


class CustomerProof:
    """What proves, at the call, that a change's customer is the plan's tenant's (auditor.vendors.mappings): the
    mappings kept beside the report (the plan's folder, or the many-tenant run's above it), the tenant by its id
    (the one the credential signed in to) and the verified domain its audit found; each customer proven once a
    run, through the change's own session. A mapping seen the first time is kept only by a run that writes."""

    def __init__(self, book: Book, tenant: tuple[str, ...], *, keep: bool, since: str) -> None:
        self.book, self.tenant, self.keep, self.since = book, tenant, keep, since
        self.proven: dict[tuple[str, str], str | None] = {}

    def why_not(self, source: str, writer: DistributorSession, customer: str) -> str | None:
        key = (source, customer.casefold())
        if key not in self.proven:
            why = self.book.prove(source, writer, customer, self.tenant, keep=self.keep, since=self.since)
            self.proven[key] = why or self.book.save()  # a mapping kept the first time: written before any send
        return self.proven[key]


@dataclass(frozen=True)
class Tenant:
    """What the run re-reads of the plan's tenant at each change (Graph): its seats of a product
    (GET /subscribedSkus), and its Microsoft subscriptions (GET /directory/subscriptions: each by its
    id and its commerceSubscriptionId, with its skuId), which Pax8's vendorSubscriptionId names: the
    audit's own join (auditor.billing.distributor_join)."""

    seats: SeatsReader
    subscriptions: TenantSubscriptions
    mapping: CustomerProof | None = None  # what proves each change's customer the tenant's (apply; None: not asked)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def subscriptions_reader(client: Any) -> TenantSubscriptions:
    async def read() -> Joins | None:
        try:
            doc = await client.get("/directory/subscriptions")
        except CollectionError:
            return None
        if not isinstance(doc, dict) or not isinstance(doc.get("value"), list) or doc.get("@odata.nextLink"):
            return None  # not the whole listing: no subscription is taken as not the tenant's
        found: list[TenantSubscription] = []
        for sub in doc["value"]:
            got = sub if isinstance(sub, dict) else {}
            sku, own = _text(got.get("skuId")), _text(got.get("id"))
            if sku and own:
                part = (_text(got.get("skuPartNumber")) or "").upper()
                found.append(TenantSubscription(own, _text(got.get("commerceSubscriptionId")), part, sku.lower()))
        return Joins(found)

    return read


@dataclass(frozen=True)
class Verdict:
    """Why a change is not sent: `refused` when the change re-derived from the re-read is not the plan's
    (exit 3), `scheduled` when its day has not come; else skipped (the world moved since the plan)."""

    why: str
    refused: bool = False
    scheduled: bool = False


def _ties(source: str) -> bool:
    """Whether the distributor's subscriptions name their Microsoft subscription (its `ties`; a source not
    registered is held to it too)."""
    vendor = DISTRIBUTORS.get(source)
    return vendor is None or bool(vendor.ties)


def rederived(c: CommerceChange, now: Now, tenant: Joins, today: date) -> str | None:
    """Why the change re-derived from the subscription as re-read (`now`) is not the plan's, else None:
    its Microsoft subscription, where the distributor names one (`ties`: the tenant's that Pax8's
    vendorSubscriptionId names, by the audit's own join, and no other of the customer's billed
    subscriptions there naming it), its product (the skuId the distributor names), and its kind and day
    (due_day, from the re-read commitment). The plan approves an intent; none of these facts is taken
    from it."""
    at = NAMES.get(c.source, c.source)
    if _ties(c.source):
        named = now.microsoft or ""
        tied = tenant.named(named)
        if tied is None:
            what = f"Microsoft subscription {named}" if named else "no Microsoft subscription"
            return f"{at} names {what} for it now, not one of this tenant's"
        if guid(tied.id) != guid(c.subscription):
            return f"{at} names Microsoft subscription {tied.id} for it now, the plan's change {c.subscription}"
        if now.twins:
            named_all = f"{', '.join(now.twins[:-1])} and {now.twins[-1]}"
            return (
                f"{at} subscriptions {named_all} name one Microsoft subscription, {tied.id}, now: which is "
                "the one is not guessed"
            )
    if now.sku_id is None:
        return f"{at} names no one Microsoft product for it now ({now.product})"
    if now.sku_id != (c.sku_id or "").lower():
        return f"it is Microsoft product {now.sku_id} at {at} now, the plan's change names {c.sku_id}"
    if c.kind == INCREASE:
        return None  # a purchase is made now, whatever the commitment: seats can be added at any time
    if now.stale:
        return None  # no day can be derived: skipped (moved), not refused
    due, window = now.due, (AT_TERM_END if now.due else NOW)
    if due and due <= today.isoformat() and c.not_before is None and c.window == NOW:
        due, window = None, NOW  # the plan's "now": the window (a monthly renewal's seven days) opened on `due`
    if due != c.not_before or window != c.window:
        return f"its commitment at {at} makes it due {due or 'now'}, the plan's change {c.not_before or 'now'}"
    if c.kind == CANCEL and due is None and (c.saving_from or "") > today.isoformat():
        return f"its cancelDate {c.saving_from} is later than the day the re-read allows ({today.isoformat()})"
    return None


def moved(c: CommerceChange, now: Now) -> str | None:
    """Why the subscription as re-read no longer takes the plan's change (the world moved since the
    plan: nothing is sent, and it is no error), else None."""
    at = NAMES.get(c.source, c.source)
    if now.stale and c.kind != INCREASE:
        return now.stale
    if not now.writable:
        return f"its status at {at} is {now.status or 'not given'}"
    if now.future:
        return f"it starts on {now.future}: {at} does not update a subscription with a future date"
    if now.quantity != c.from_:
        return f"it now has {now.quantity} seats at {at}, the plan counted {c.from_}"
    if c.kind != CANCEL and (c.to or 0) < now.least:
        said = f" ({now.least_said})" if now.least_said else ""
        return f"{at} takes no fewer than {now.least} seats today{said}: plan again when its term renews"
    return None


def _not_theirs(c: CommerceChange, writer: DistributorSession, tenant: Tenant, customer: str | None) -> str | None:
    """Why the change's customer is not the tenant's: not the one its report names, or (asked) not proven the
    tenant's by the distributor's own record (auditor.vendors.mappings); else None."""
    at = NAMES.get(c.source, c.source)
    if not customer or c.scope.casefold() != customer.casefold():
        said = f"customer {customer}" if customer else "no customer there"
        return f"it names {at} customer {c.scope}; this tenant's report names {said}"
    unproven = tenant.mapping.why_not(c.source, writer, c.scope) if tenant.mapping is not None else None
    return f"{at} customer {c.scope} is not proven this tenant's: {unproven}" if unproven else None


async def check(
    c: CommerceChange,
    writer: DistributorSession,
    tenant: Tenant,
    today: date,
    removed: Mapping[str, int],
    customer: str | None,
    hint: Mapping[str, int],
) -> tuple[Verdict | None, Now | None]:
    """(why the change is not sent, else None; the subscription as re-read). `hint`: the seats the plan
    counts assigned after its license changes, per product, named when the seats assigned now are more."""
    at = NAMES.get(c.source, c.source)
    theirs = _not_theirs(c, writer, tenant, customer)
    if theirs:
        return Verdict(theirs, refused=True), None
    if c.not_before and today.isoformat() < c.not_before:
        due = f"scheduled for {c.not_before} (its commitment's end), re-checked when due"
        return Verdict(due, scheduled=True), None
    # the tenant's own subscriptions, where the distributor names them (else nothing to join them with)
    subscriptions = await tenant.subscriptions() if _ties(c.source) else Joins(())
    if subscriptions is None:
        return Verdict("could not re-read the tenant's subscriptions (GET /directory/subscriptions)"), None
    try:
        now = writer.now(c.scope, c.api_id, today, subscriptions)
    except Foreign as exc:
        return Verdict(f"{at} subscription {c.api_id} is not customer {c.scope}'s: {exc}", refused=True), None
    except Unread as exc:
        return Verdict(f"could not re-read the {at} subscription: {exc}"), None
    wrong = rederived(c, now, subscriptions, today)
    if wrong:
        return Verdict(wrong, refused=True), now
    why = moved(c, now)
    if why:
        return Verdict(why), now
    if c.kind == INCREASE:  # seats bought leave nobody short; what to buy is the fresh compile's (apply.fresh)
        return None, now
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


def _section(report: ReportDocument) -> DistributorSection | None:
    """The report's distributor section, None when its audit read no distributor."""
    return report.distributor if isinstance(report.distributor, DistributorSection) else None


def entry_of(plan: PlanFile) -> dict[str, Block]:
    """The tenants entry's distributor block the audit read the tenant's distributor with ({"pax8": block}),
    from the report the plan was made from (as customers_of reads it); {} when it names none (a report
    written before it was kept: audit again). It selects the customer; apply reads the distributor again with
    it, and the distributor's own records decide what the fresh compile changes."""
    found = _section(_report_of(plan))
    block = found.block if found is not None and isinstance(found.block, dict) else None
    return {found.distributor: block} if found is not None and block else {}


def customers_of(plan: PlanFile) -> dict[str, str]:
    """The tenant's customer at its distributor ({"pax8": company id}: its block's, under the distributor's
    `scope`, the report's field of that name), as the report the plan was made from names it
    (the tenants file's entry, read by the audit): report.json beside the plan, its tenant and collected_at
    the plan's. A change that names another customer is refused. UsageError (exit 2, nothing read or sent)
    when that report is not there."""
    found = _section(_report_of(plan))
    vendor = DISTRIBUTORS.get(found.distributor) if found is not None else None
    block = found.block if found is not None and isinstance(found.block, dict) else None
    customer = customer_of(block, vendor.scope) if vendor is not None and block is not None else None
    return {found.distributor: customer} if found is not None and customer else {}


def mapping_of(plan: PlanFile, *, keep: bool, since: str, undo: bool = False) -> CustomerProof:
    """What proves each change's customer the plan's tenant's at the call: the mappings kept in the plan's folder
    (a one-tenant audit's) or in the folder above it (`audit --tenants`' OUTPUT_DIR), the tenant by the plan's id
    and the verified domain its report names; `keep`: a run that writes keeps a mapping seen the first time.
    `undo`: for an undo, which may come after later audits into the folder: the domain from the report beside
    the plan when it is the tenant's, whenever it was read (else the tenant by its id alone); no mappings file
    in either folder (a journal moved, or written elsewhere, with its plan copy) proves no customer: an undo
    never keeps a mapping away from the report folder it was confirmed in."""
    folder = plan.path.resolve().parent
    where = next((f for f in (folder, folder.parent) if (f / MAPPINGS_FILE).exists()), None)
    domain = _domain_beside(plan) if undo else _domain(_report_of(plan))
    if where is None and undo:
        missing = (
            f"no {MAPPINGS_FILE} beside {folder / plan.path.name} or in the folder above it (undo in the report folder)"
        )
        book = Book(folder / MAPPINGS_FILE, unreadable=missing)
    else:
        book = Book.load(where or folder)
    return CustomerProof(book, (plan.tenant_id, *([domain] if domain else [])), keep=keep, since=since)


def _domain(report: ReportDocument) -> str | None:
    """The verified domain the report's audit found for its tenant (None: none was given as a domain)."""
    return report.tenant.domain if isinstance(report.tenant.domain, str) else None


def _domain_beside(plan: PlanFile) -> str | None:
    """The verified domain the report beside the plan names, when it is a report of the plan's tenant."""
    path = plan.path.resolve().parent / "report.json"
    try:
        doc = decode_report(path.read_bytes().removeprefix(codecs.BOM_UTF8), str(path))
    except (OSError, UsageError):
        return None
    return _domain(doc) if doc.tenant.id.lower() == plan.tenant_id else None


def _report_of(plan: PlanFile) -> ReportDocument:
    """report.json beside the plan, its tenant and collected_at the plan's; UsageError (exit 2) otherwise."""
    path = plan.path.resolve().parent / "report.json"
    again = "audit and plan again into one folder, then apply"
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(
            f"{path}: the report the plan was made from cannot be read ({exc.strerror or exc}): the customer at "
            f"the distributor cannot be checked; {again}"
        ) from None
    try:
        doc = decode_report(data.removeprefix(codecs.BOM_UTF8), str(path))
    except UsageError as exc:  # it names the file and what is wrong in it
        raise UsageError(f"{exc}; apply --distributor cannot read it: {again}") from None
    stamp = plan.report_collected_at
    collected = doc.collected_at if isinstance(doc.collected_at, str) else None
    if doc.tenant.id.lower() != plan.tenant_id or (stamp and collected != stamp):
        raise UsageError(
            f"{path}: not the report the plan was made from (tenant {doc.tenant.id}, read {collected}; "
            f"the plan's: {plan.tenant_id}, {stamp}); {again}"
        )
    return doc
