"""The plan's reductions at the distributor (plan.json `bill.distributor`, docs/msp.md "Reductions at
the distributor"): for a tenant whose report.json has a `distributor` section, the seats its distributor
bills above the seats the plan keeps become that distributor's requests (each writes its own: the
Distributor of auditor.vendors.registry), `apply --distributor` makes them.

    distributor_changes(section, bill, sku_ids, today) -> (changes, skipped)

The seats the plan keeps of a product are the bill's: assigned after the plan plus the policy's
spare seats (BillProduct.assigned_after + spare; what the distributor bills above them is the product's
seats to drop there, the bill's `surplus` where it bills what Microsoft has enabled). How the subscription
is chosen follows what the distributor gives:

- its subscriptions name their Microsoft subscription (its `ties`): each change is on one that names the
  tenant's, a reduction, or a cancellation when it takes the whole quantity (where it cancels through its
  API). One naming none, or two naming one (which is the tenant's is not guessed:
  auditor.billing.distributor_join), are never written (named in `skipped`): a wrong-product decrease is
  worse than a skipped one; the monthly ones are reduced first;
- they name none: the product's one subscription matched by its Microsoft SKU, reduced to at least one
  seat where the distributor cancels nothing; anything else is named, not planned.

A subscription under an annual (or longer) commitment is reduced at the first day its commitment lets it
(auditor.vendors.terms.due_day): the change's `not_before`, before which apply does nothing.

report.json's `distributor` section is read as report.json's reader decoded it
(auditor.billing.distributor_records.DistributorSection, the Structs distributor_seats writes).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import msgspec

from auditor.billing.distributor_join import named_twice
from auditor.billing.distributor_records import DistributorSection, ProductRow, SubscriptionLine
from auditor.billing.distributor_seats import seats_left
from auditor.data.model import Locale
from auditor.formats.bill_model import Bill, BillProduct, CommerceChange, NotPlanned
from auditor.formats.report_model import ReportDocument

from .. import i18n
from ..reference import product_names
from ..render.text import clean
from ..vendors import terms
from ..vendors.protocols import Distributor
from ..vendors.registry import DISTRIBUTORS
from .distributor_requests import CANCEL, INCREASE, REDUCE
from .not_planned import NAMES as NAMES  # the distributors by name (apply says them too)
from .not_planned import line, said
from .purchases import NOT_WRITTEN, bought, not_written, purchase_texts, purchases, scope_of

NOW, AT_TERM_END = "any_time", "renewal"  # the change's window: now, or at the commitment's end


def due_day(
    source: str,
    term: str | None,
    billing: str | None,
    term_end: str | None,
    today: date,
    *,
    ended: bool = False,
    renews: str | None = None,
) -> tuple[str | None, str | None]:
    """The first day a reduction of the distributor `source`'s subscription may be made (None: now; a day
    before today is now too: a monthly term's window opened then; today stays the day, as a commitment's
    end does, for the fresh compile to agree with the plan that scheduled it), or why none can be planned
    (auditor.vendors.terms.due_day)."""
    when, stale = terms.due_day(DISTRIBUTORS[source], term, billing, term_end, today, ended=ended, renews=renews)
    return (when if when and when >= today.isoformat() else None), stale


def _change(
    sub: SubscriptionLine,
    part: str,
    sku_id: str | None,
    company: str,
    take: int,
    when: str | None,
    today: date,
    source: str,
) -> CommerceChange:
    """The change taking `take` seats of `sub` (all of them: a cancellation), made on `when` or after
    (None: now)."""
    cancel = take == sub.quantity
    to = sub.quantity - take
    vendor = DISTRIBUTORS[source]
    request = (vendor.api.cancel(sub.id, when or today.isoformat()) if cancel else None) or vendor.api.quantity(
        company, sub.id, to
    )
    day = when or today.isoformat()
    cost = sub.partner_cost
    return CommerceChange(
        n=0,
        kind=CANCEL if cancel else REDUCE,
        source=source,
        scope=company,
        api_id=sub.id,
        subscription=sub.microsoft_subscription,
        sku=part,
        sku_id=sku_id,
        from_=sub.quantity,
        to=sub.quantity - take,
        seats=take,
        window=AT_TERM_END if when else NOW,
        not_before=when,
        by=None,
        monthly_saving=round(take * cost, 2) if cost is not None else 0.0,
        saving_from=day,
        request=request,
    )


def _stale(source: str, part: str, sku_id: str | None, sub: SubscriptionLine) -> NotPlanned:
    """A committed subscription whose reading gives no day for its reduction (due_day's `stale`)."""
    end = (sub.term_end or "")[:10]
    if end:
        return NotPlanned(
            why="commitment_ended", distributor=source, sku=part, sku_id=sku_id, subscriptions=[sub.id], ended=end
        )
    return NotPlanned(why="no_commitment_end", distributor=source, sku=part, sku_id=sku_id, subscriptions=[sub.id])


def _named_changes(
    vendor: Distributor,
    product: ProductRow,
    keep: int,
    sku_id: str | None,
    company: str,
    today: date,
    skipped: list[NotPlanned],
) -> list[CommerceChange]:
    """A distributor whose subscriptions name their Microsoft subscription (its `ties`): the reductions of
    the product's subscriptions that name the tenant's, those without a commitment first, a whole
    subscription's quantity a cancellation; one naming none, or two naming one, is named, not planned."""
    part, drop, source = product.sku, product.billed - keep, vendor.key
    if drop <= 0:
        return []
    untied = sorted(s.id for s in product.subscriptions if not s.microsoft_subscription)
    if untied:
        skipped.append(NotPlanned(why="unnamed", distributor=source, sku=part, sku_id=sku_id, subscriptions=untied))
    twice = named_twice((s.id, s.microsoft_subscription) for s in product.subscriptions)
    for microsoft, ids in twice.items():
        skipped.append(
            NotPlanned(
                why="named_twice",
                distributor=source,
                sku=part,
                sku_id=sku_id,
                subscriptions=list(ids),
                microsoft=microsoft,
            )
        )
    shared = {i for ids in twice.values() for i in ids}
    out: list[CommerceChange] = []
    tied = (s for s in product.subscriptions if s.microsoft_subscription and s.id not in shared)
    ordered = sorted(tied, key=lambda s: (terms.committed(vendor, s.commitment_term, s.billing_term), s.term_end or ""))
    for sub in ordered:
        take = min(drop, sub.quantity)  # all of them: a cancellation
        if take <= 0:
            continue
        when, stale = due_day(source, sub.commitment_term, sub.billing_term, sub.term_end, today, renews=sub.renews)
        if stale:
            skipped.append(_stale(source, part, sku_id, sub))
            continue
        out.append(_change(sub, part, sku_id, company, take, when, today, source))
        drop -= take
    return out


def _one_changes(
    vendor: Distributor,
    product: ProductRow,
    keep: int,
    sku_id: str | None,
    customer: str,
    today: date,
    skipped: list[NotPlanned],
) -> list[CommerceChange]:
    """A distributor whose subscriptions name no Microsoft subscription: a reduction (a new quantity, at least
    one seat where it cancels nothing) of the product's one subscription matched by its Microsoft SKU;
    anything else is named, not planned."""
    part, drop, source = product.sku, product.billed - keep, vendor.key
    if drop <= 0:
        return []
    subs = product.subscriptions
    if product.matched_by not in ("sku", "subscription") or len(subs) != 1:
        skipped.append(
            NotPlanned(
                why="not_one",
                distributor=source,
                sku=part,
                sku_id=sku_id,
                count=len(subs),
                matched_by=product.matched_by,
            )
        )
        return []
    (sub,) = subs
    take = min(drop, sub.quantity if CANCEL in vendor.kinds else sub.quantity - 1)
    if take < drop:
        skipped.append(
            NotPlanned(why="every_seat", distributor=source, sku=part, sku_id=sku_id, subscriptions=[sub.id])
        )
    if take <= 0:
        return []
    when, stale = due_day(source, sub.commitment_term, sub.billing_term, sub.term_end, today, renews=sub.renews)
    if stale:
        skipped.append(_stale(source, part, sku_id, sub))
        return []
    return [_change(sub, part, sku_id, customer, take, when, today, source)]


def distributor_changes(
    section: DistributorSection | None, bill: Bill, sku_ids: Mapping[str, str], today: date
) -> tuple[list[CommerceChange], list[NotPlanned]]:
    """(the changes, numbered from 1, in plan.json's commerce change shape with the distributor's key as
    `source`; the reductions not planned and why) for report.json's `distributor` section; none without
    one, or when its reading failed. `sku_ids`: the tenant's part number -> skuId (apply re-reads its
    seats)."""
    found = scope_of(section) if section is not None and not section.error else None
    if section is None or found is None:
        return [], []
    vendor, scope = found
    keeps = keep_seats(bill.products)
    buying = bought(bill)  # a product the bill buys seats of has no reduction (distributor.purchases)
    after = {p.sku.upper(): p.assigned_after for p in bill.products}
    changes: list[CommerceChange] = []
    skipped: list[NotPlanned] = []
    for product in section.products or []:
        part = product.sku.upper()
        sku_id = sku_ids.get(part)
        if part not in keeps:
            if product.billed > product.consumed:
                skipped.append(NotPlanned(why="no_subscription", distributor=vendor.key, sku=part, sku_id=sku_id))
            continue
        if part in buying:
            continue
        drop = product.billed - keeps[part]
        left = seats_left(product.enabled, product.billed, drop)
        if drop > 0 and left < after[part]:  # the count apply --distributor makes again at the call, on its re-read
            skipped.append(
                NotPlanned(
                    why="seats_short",
                    distributor=vendor.key,
                    sku=part,
                    sku_id=sku_id,
                    left=left,
                    assigned=after[part],
                )
            )
            continue
        plan_product = _named_changes if vendor.ties else _one_changes
        changes += plan_product(vendor, product, keeps[part], sku_ids.get(part), scope, today, skipped)
    return [msgspec.structs.replace(c, n=n) for n, c in enumerate(changes, 1)], skipped


def keep_seats(products: Sequence[BillProduct]) -> dict[str, int]:
    """The seats the plan keeps per product (the bill's products): for a reader of a plan's bill."""
    return {p.sku.upper(): p.assigned_after + p.spare for p in products}


def with_distributor(bill: Bill, document: ReportDocument, today: date) -> Bill:
    """The bill with the distributor's reductions (apply --distributor) where report.json has a
    distributor section whose seats exceed the plan's (auditor.distributor.distributor_changes)."""
    section = document.distributor or None
    sku_ids = {s.sku.upper(): s.sku_id for s in document.skus if s.sku and s.sku_id}
    changes, skipped = distributor_changes(section, bill, sku_ids, today)
    bought_there, not_bought = purchases(section, bill, sku_ids, today)
    changes = [msgspec.structs.replace(c, n=n) for n, c in enumerate([*changes, *bought_there], 1)]
    skipped += not_bought
    if not changes and not skipped:
        return bill
    return msgspec.structs.replace(
        bill,
        distributor=changes or msgspec.UNSET,
        distributor_skipped=[line(s) for s in skipped] or msgspec.UNSET,
        distributor_not_planned=skipped or msgspec.UNSET,
    )


@dataclass(frozen=True)
class DistributorRow:
    """One distributor change as plan.md shows it to the reviewer who approves apply --distributor."""

    n: int
    what: str
    request: str
    when: str


def distributor_lead(bill: Bill | None, locale: Locale) -> str:
    """The sentence under plan.md's distributor heading, naming the distributor its changes go to
    (native review 7 found one distributor's changes labelled with another's name)."""
    t = i18n.translations(locale)
    names = sorted({NAMES.get(c.source, c.source) for c in (bill.distributor or [] if bill is not None else [])})
    if any(c.kind == INCREASE for c in (bill.distributor or [] if bill is not None else [])):
        return t.pgettext(
            "plan_distributor_lead_buys",
            "Each change sets a subscription's quantity at the distributor, down where the plan frees licenses and "
            "up where it buys them; apply checks the subscription and the licenses again before it sends it.",
        )
    if len(names) == 1:
        return t.pgettext(
            "plan_distributor_lead",
            "Each change lowers a subscription's quantity at the distributor ({distributor}); apply checks the "
            "subscription and the licenses assigned again before it sends it.",
            distributor=names[0],
        )
    return t.pgettext(
        "plan_distributor_lead_any",
        "Each change lowers a subscription's quantity at the distributor; apply checks the subscription and the "
        "licenses assigned again before it sends it.",
    )


def distributor_rows(
    bill: Bill | None, locale: Locale, currency: str | None = None
) -> tuple[tuple[DistributorRow, ...], str]:
    """plan.md's lines for the bill's distributor changes, and the lines that say which reductions are
    not planned and why, in the words plan.json records them ("" when none); `currency`: the report's,
    for a purchase's money."""
    t = i18n.translations(locale)
    changes = list(bill.distributor or []) if bill is not None else []
    rows = []
    for c in changes:
        product = product_names().product(c.sku_id, c.sku) or c.sku
        if c.kind == INCREASE:
            what, when = purchase_texts(c, product, currency, locale)
            body = "" if c.request.body is None else f" {msgspec.json.encode(c.request.body).decode()}"
            sent = f"{c.request.method} {c.request.path}{body}"
            rows.append(DistributorRow(c.n, clean(what, 600), clean(sent, 600), when))
            continue
        if c.kind == CANCEL:
            what = t.pgettext(
                "plan_distributor_cancel",
                "Cancel {product} at the distributor ({before} licenses)",
                product=product,
                before=c.from_,
            )
        else:
            what = t.pgettext(
                "plan_distributor_reduce",
                "Reduce {product} at the distributor from {before} to {after} licenses",
                product=product,
                before=c.from_,
                after=c.to,
            )
        if c.not_before:
            when = t.pgettext(
                "plan_distributor_scheduled",
                "Scheduled for {date}, the end of its commitment: apply sends nothing before that day.",
                date=i18n.format_date(c.not_before, locale),
            )
        elif c.kind == CANCEL:
            when = t.pgettext(
                "plan_distributor_cancel_now",
                "Can be made now; undo cannot bring a cancelled subscription back: it is bought again at the "
                "distributor.",
            )
        else:
            when = t.pgettext("plan_distributor_now", "Can be made now; undo can put the licenses back.")
        body = "" if c.request.body is None else f" {msgspec.json.encode(c.request.body).decode()}"
        sent = f"{c.request.method} {c.request.path}{body}"
        rows.append(DistributorRow(c.n, clean(what, 600), clean(sent, 600), when))
    reasons = list(bill.distributor_skipped or []) if bill is not None else []
    if not reasons:
        return tuple(rows), ""
    said = t.npgettext(
        "plan_distributor_skipped",
        "{count} reduction at the distributor is not planned, for this reason:",
        "{count} reductions at the distributor are not planned, for these reasons:",
        len(reasons),
        count=len(reasons),
    )
    return tuple(rows), said


def distributor_reasons(bill: Bill | None, locale: Locale) -> tuple[str, ...]:
    """Why each reduction at the distributor is not planned, in `locale` (auditor.distributor.not_planned):
    the product by its name, the subscription, and what to do instead; plan.md lists them under the
    count. A plan.json written without their facts (`distributor_not_planned`) gives its English lines."""
    if bill is None:
        return ()
    facts = bill.distributor_not_planned or []
    if facts:
        return tuple(
            clean(
                not_written(skip, product_names().product(skip.sku_id, skip.sku) or skip.sku, locale)
                if skip.why == NOT_WRITTEN
                else said(skip, locale),
                600,
            )
            for skip in facts
        )
    return tuple(clean(r, 600) for r in bill.distributor_skipped or [])
