"""The plan's reductions at the distributor (plan.json `bill.distributor`, docs/msp.md "Reductions at
the distributor"): for a tenant whose report.json has a Pax8 `distributor` section, the seats Pax8
bills above the seats the plan keeps become Pax8 quantity changes, `apply --distributor` makes them.

    distributor_changes(section, bill, sku_ids, today) -> (changes, skipped)

The seats the plan keeps of a product are the bill's: assigned after the plan plus the policy's
spare seats (BillProduct.assigned_after + spare; what Pax8 bills above them is the product's seats
to drop at the distributor, the bill's `surplus` where Pax8 bills what Microsoft has enabled). Each
change is Pax8's "Update Subscription", `PUT /v1/subscriptions/{id}` with the new `quantity`, on a
Pax8 subscription whose vendorSubscriptionId names the tenant's Microsoft subscription; a product's
Pax8 subscriptions that name none are never written (named in `skipped`): a wrong-product decrease
is worse than a skipped one. A subscription keeps at least one seat (fewer is a cancellation, which
stays with the MSP in Pax8's portal). A subscription under an annual (or longer) commitment is
reduced at the commitment's end (Pax8's commitmentTerm.endDate): the change's `not_before`, before
which apply does nothing; the monthly ones are reduced first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import msgspec

from auditor.data.model import Locale
from auditor.formats.bill_model import Bill, CommerceChange
from auditor.formats.report_model import ReportDocument

from .. import i18n
from ..reference import product_names
from ..render.text import clean

SOURCE = "pax8"
MONTHLY = "Monthly"  # Pax8's billingTerm and commitmentTerm.term of a month-to-month subscription
NOW, AT_TERM_END = "any_time", "renewal"  # the change's window: now, or at the commitment's end


def request_path(sub_id: str) -> str:
    """The path of Pax8's Update Subscription (relative to its API's root)."""
    return f"/v1/subscriptions/{sub_id}"


def request(sub_id: str, to: int) -> dict[str, Any]:
    """The request plan writes and apply holds a change to: only the quantity is sent."""
    return {"method": "PUT", "path": request_path(sub_id), "body": {"quantity": to}}


def _committed(sub: Mapping[str, Any]) -> bool:
    """Whether an annual (or longer) commitment forbids a reduction before its end."""
    term, billing = sub.get("commitment_term"), sub.get("billing_term")
    return (term is not None and term != MONTHLY) or (billing not in (None, MONTHLY))


def _order(sub: Mapping[str, Any]) -> tuple[bool, str]:
    return _committed(sub), str(sub.get("term_end") or "")


def _product_changes(
    product: Mapping[str, Any], keep: int, sku_id: str | None, company: str, today: date, skipped: list[str]
) -> list[dict[str, Any]]:
    part, billed = str(product.get("sku")), int(product.get("billed") or 0)
    drop = billed - keep
    if drop <= 0:
        return []
    subs = [s for s in product.get("subscriptions") or [] if isinstance(s, Mapping)]
    untied = [str(s.get("id")) for s in subs if not s.get("microsoft_subscription")]
    if untied:
        skipped.append(
            f"{part}: Pax8 subscription(s) {', '.join(sorted(untied))} name no Microsoft subscription "
            "(vendorSubscriptionId): not written; reduce them in Pax8's portal if they are the ones"
        )
    out: list[dict[str, Any]] = []
    for sub in sorted((s for s in subs if s.get("microsoft_subscription")), key=_order):
        quantity, sub_id = int(sub.get("quantity") or 0), str(sub.get("id"))
        take = min(drop, quantity - 1)
        if take <= 0:
            continue
        not_before, window = None, NOW
        if _committed(sub):
            end = str(sub.get("term_end") or "")[:10]
            if not end or end < today.isoformat():
                said = f"its commitment ended on {end}: read Pax8 again" if end else "Pax8 gives no commitment end"
                skipped.append(f"{part}: Pax8 subscription {sub_id}: {said}")
                continue
            not_before, window = end, AT_TERM_END
        cost = sub.get("partner_cost")
        saving = round(take * cost, 2) if isinstance(cost, int | float) else 0.0
        out.append(
            {
                "n": 0,
                "kind": "reduce",
                "source": SOURCE,
                "scope": company,
                "api_id": sub_id,
                "subscription": sub["microsoft_subscription"],
                "sku": part,
                "sku_id": sku_id,
                "from": quantity,
                "to": quantity - take,
                "seats": take,
                "window": window,
                "not_before": not_before,
                "by": None,
                "monthly_saving": saving,
                "saving_from": not_before or today.isoformat(),
                "request": request(sub_id, quantity - take),
            }
        )
        drop -= take
    if drop > 0 and out:
        skipped.append(f"{part}: {drop} more seat(s) would end a subscription: cancel it in Pax8's portal")
    return out


def distributor_changes(
    section: Mapping[str, Any] | None, bill: Bill, sku_ids: Mapping[str, str], today: date
) -> tuple[list[dict[str, Any]], list[str]]:
    """(the changes, numbered from 1, in plan.json's commerce change shape with source "pax8"; the
    reductions not planned and why) for report.json's `distributor` section; none without one, or
    when its reading failed. `sku_ids`: the tenant's part number -> skuId (apply re-reads its seats)."""
    if not isinstance(section, Mapping) or section.get("error") or section.get("distributor") != SOURCE:
        return [], []
    company = str(section.get("company_id") or "")
    keeps = keep_seats(bill.products)
    changes: list[dict[str, Any]] = []
    skipped: list[str] = []
    for product in section.get("products") or []:
        if not isinstance(product, Mapping) or not company:
            continue
        part = str(product.get("sku") or "").upper()
        if part not in keeps:
            if int(product.get("billed") or 0) > int(product.get("consumed") or 0):
                skipped.append(f"{part}: the plan has no seat figure for it (the tenant has no subscription of it)")
            continue
        changes += _product_changes(product, keeps[part], sku_ids.get(part), company, today, skipped)
    return [{**c, "n": n} for n, c in enumerate(changes, 1)], skipped


def shape_error(change: Mapping[str, Any]) -> str | None:
    """What is wrong with a plan's distributor change (a hand edit), else None: a reduction to at
    least one seat, and the request plan writes for it, nothing more."""
    frm, to, seats = change.get("from"), change.get("to"), change.get("seats")
    if change.get("source") != SOURCE or change.get("kind") != "reduce":
        return "it is not a Pax8 reduction"
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (frm, to, seats)):
        return "its from, to and seats must be whole numbers"
    assert isinstance(frm, int) and isinstance(to, int)
    if not 1 <= to < frm or seats != frm - to:
        return f"a reduction goes from {frm} down to at least one seat, {seats} fewer, not to {to}"
    if change.get("request") != request(str(change.get("api_id")), to):
        return f"its request is not PUT {request_path(str(change.get('api_id'))[:60])} {{'quantity': {to}}}"
    return None


def keep_seats(products: Sequence[Any]) -> dict[str, int]:
    """The seats the plan keeps per product (the bill's products): for a reader of a plan's bill."""
    return {p.sku.upper(): p.assigned_after + p.spare for p in products}


def with_distributor(bill: Bill, document: ReportDocument, today: date) -> Bill:
    """The bill with the distributor's reductions (apply --distributor) where report.json has a
    distributor section whose seats exceed the plan's (auditor.plan.distributor_changes)."""
    section = document.distributor if isinstance(document.distributor, Mapping) else None
    sku_ids = {s.sku.upper(): s.sku_id for s in document.skus if s.sku and s.sku_id}
    changes, skipped = distributor_changes(section, bill, sku_ids, today)
    if not changes and not skipped:
        return bill
    return msgspec.structs.replace(
        bill,
        distributor=msgspec.convert(changes, list[CommerceChange]) if changes else msgspec.UNSET,
        distributor_skipped=skipped or msgspec.UNSET,
    )


@dataclass(frozen=True)
class DistributorRow:
    """One distributor change as plan.md shows it to the reviewer who approves apply --distributor."""

    n: int
    what: str
    request: str
    when: str


def distributor_rows(bill: Bill | None, locale: Locale) -> tuple[tuple[DistributorRow, ...], str]:
    """plan.md's lines for the bill's distributor changes, and the line that counts the reductions
    not planned ("" when none)."""
    t = i18n.translations(locale)
    changes = list(bill.distributor or []) if bill is not None else []
    rows = []
    for c in changes:
        product = product_names().product(c.sku_id, c.sku) or c.sku
        what = t.pgettext(
            "plan_distributor_reduce",
            "Reduce {product} at the distributor from {before} to {after} licenses",
            product=product,
            before=c.from_,
            after=c.to,
        )
        when = (
            t.pgettext(
                "plan_distributor_scheduled",
                "Scheduled for {date}, the end of its commitment: apply sends nothing before that day.",
                date=i18n.format_date(c.not_before, locale),
            )
            if c.not_before
            else t.pgettext("plan_distributor_now", "Can be made now; undo can put the licenses back.")
        )
        sent = f"{c.request.method} {c.request.path} {msgspec.json.encode(c.request.body).decode()}"
        rows.append(DistributorRow(c.n, clean(what, 600), clean(sent, 600), when))
    skipped = len(bill.distributor_skipped or []) if bill is not None else 0
    said = (
        t.npgettext(
            "plan_distributor_skipped",
            "{count} reduction at the distributor is not planned: plan.json says why (distributor_skipped).",
            "{count} reductions at the distributor are not planned: plan.json says why (distributor_skipped).",
            skipped,
            count=skipped,
        )
        if skipped
        else ""
    )
    return tuple(rows), said
