"""The bill's actions an API can perform, as commerce changes (plan.json `bill.commerce`).

    commerce_changes(actions) -> list of changes, numbered from 1
    commerce_rows(bill, currency, locale) -> plan.md's lines for them: each change, its request,
                                             its money and deadline, and whether undo can take it back

Only what the API that sold the subscription can do, inside its window:

    billing-account  reduce within a 7-day window   PATCH billingSubscriptions/{name} {"properties": {"quantity"}}
                     cancel within a 7-day window   DELETE billingSubscriptions/{name} ("Cancels a
                                                    billing subscription. This operation is supported
                                                    only for billing accounts of type Microsoft Partner
                                                    Agreement or Microsoft Customer Agreement"), for
                                                    either agreement; never POST .../cancel, which
                                                    "Cancels a usage-based subscription"; a long-running
                                                    operation (apply follows it to its end)
    partner-center   reduce within a 7-day window   PATCH customers/{c}/subscriptions/{id} (quantity)
                     reduce at the renewal          PATCH the same, scheduledNextTermInstructions
                                                    {product: productId, skuId, availabilityId,
                                                    billingCycle, termDuration; quantity} (needs
                                                    auto-renew on; a mid-term change erases it)

The DELETE is Resource Manager's verb for cancelling a billing subscription, inside its
cancellation window (prorated refund); it is not deleting a subscription in the Microsoft 365
admin center, which no plan does. `cancel_at_end_of_term` has no field in either API's stored
specification, and a subscription in its Extended Service Term cannot be reduced: both stay with the admin. `apply
--commerce` re-reads each subscription and the seats assigned before it changes anything
(auditor.apply.commerce).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from auditor.billing.commerce_records import ProductTerm, next_term_product
from auditor.data.model import Locale
from auditor.formats.bill_model import (
    Bill,
    BillAction,
    CommerceChange,
    CommerceRequest,
    NextTerm,
    Quantity,
    RequestBody,
    SubscriptionIds,
)

from .. import i18n
from ..reference import product_names
from ..render.text import clean

API_VERSION = "2024-04-01"
MCA = "MicrosoftCustomerAgreement"
MPA = "MicrosoftPartnerAgreement"


def _arm_path(account: str, name: str, tail: str = "") -> str:
    return (
        f"/providers/Microsoft.Billing/billingAccounts/{account}/billingSubscriptions/{name}{tail}"
        f"?api-version={API_VERSION}"
    )


def request_line(source: object, kind: object, scope: str, sub_id: str, agreement: object) -> tuple[str, str] | None:
    """The method and path of a commerce change of `kind` on the subscription `sub_id` of `scope`
    (the billing account, or the Partner Center customer); None for a change no API makes so. apply
    holds a plan's request to it, so a hand-edited path or method is refused."""
    if source == "billing-account":
        if kind == "reduce":
            return "PATCH", _arm_path(scope, sub_id)
        if kind == "cancel" and (agreement or MCA) in (MCA, MPA):
            return "DELETE", _arm_path(scope, sub_id)
    if source == "partner-center" and kind in ("reduce", "schedule_reduction"):
        return "PATCH", f"/v1/customers/{scope}/subscriptions/{sub_id}"
    return None


def request_body(source: object, kind: object, to: int, product: ProductTerm | None = None) -> RequestBody | None:
    """The body of a change of `kind` to `to` seats, as plan writes it (`product`: a scheduled
    reduction's scheduledNextTermInstructions.product). apply sends this body, rebuilt from the
    change's `to`, and refuses a plan whose body is another (a hand edit: docs/plan-and-apply.md)."""
    if kind == "cancel":
        return None
    if kind == "schedule_reduction":
        if product is None:
            raise ValueError("a scheduled reduction names the product its renewal keeps")
        return RequestBody(scheduledNextTermInstructions=NextTerm(product=product, quantity=to))
    return RequestBody(properties=Quantity(to)) if source == "billing-account" else RequestBody(quantity=to)


def _request(action: BillAction) -> tuple[str, CommerceRequest] | None:
    """(kind, request) for an action an API can perform, else None."""
    api = action.api
    if not api:
        return None
    source, sub_id, scope = api.source, api.id, api.scope
    window, verb, to = action.window, action.action, action.to
    if not (sub_id and scope and action.seats) or not isinstance(to, int) or action.join == "uncertain":
        return None  # nothing to drop, or a join by product and quantity: a person checks it first
    if source == "billing-account" and window == "within_7_days":
        if verb == "reduce":
            return "reduce", CommerceRequest(
                method="PATCH", path=_arm_path(scope, sub_id), body=request_body(source, verb, to)
            )
        # facts saved before the agreement was kept came from accounts taken as Customer Agreements.
        # DELETE billingSubscriptions/{name} "Cancels a billing subscription" of a Customer or a
        # Partner Agreement account; POST .../cancel "Cancels a usage-based subscription" only, never
        # a seat-based Microsoft 365 one (Microsoft.Billing 2024-04-01, docs/bill.md)
        agreement = api.agreement or MCA
        if verb == "cancel" and agreement in (MCA, MPA):
            return "cancel", CommerceRequest(
                method="DELETE", path=_arm_path(scope, sub_id), body=request_body(source, verb, 0)
            )
    if source == "partner-center" and verb in ("reduce", "contact_partner") and to > 0:
        path = f"/v1/customers/{scope}/subscriptions/{sub_id}"
        if window == "within_7_days":
            return "reduce", CommerceRequest(method="PATCH", path=path, body=request_body(source, "reduce", to))
        product = next_term_product(api.offer or None, api.billing_cycle or None, api.term or None)
        if window == "renewal" and action.sources.get("auto_renew") == "partner-center" and product:
            # the renewal keeps the offer and term, with fewer seats (apply takes the product as re-read)
            kind = "schedule_reduction"
            return kind, CommerceRequest(method="PATCH", path=path, body=request_body(source, kind, to, product))
    return None


def _product(api: SubscriptionIds) -> str | None:
    """The API's own product and SKU ids of the subscription ("productTypeId:skuId" for the billing
    account, "productId:skuId" of the offerId for Partner Center): apply compares the re-read
    subscription's with them. None when the API did not give them."""
    if api.source == "billing-account":
        ids = (api.product_id or None, api.catalog_sku or None)
        return f"{ids[0]}:{ids[1]}" if all(ids) else None
    parts = str(api.offer or "").split(":")
    return f"{parts[0]}:{parts[1]}" if len(parts) == 3 and all(parts) else None


def commerce_changes(actions: Sequence[BillAction]) -> list[CommerceChange]:
    """The commerce changes of the bill's `actions`, numbered from 1 in the bill's order, as plan.json
    writes them and `apply --commerce` reads them."""
    out: list[CommerceChange] = []
    for action in actions:
        made = _request(action)
        if made is None or not action.api:
            continue
        kind, request = made
        api = action.api
        out.append(
            CommerceChange(
                n=len(out) + 1,
                kind=kind,
                source=api.source,
                scope=api.scope,
                api_id=api.id,
                subscription=action.subscription,
                sku=action.sku,
                sku_id=api.sku_id or None,
                agreement=(api.agreement or MCA) if api.source == "billing-account" else None,
                product=_product(api),
                from_=action.from_,
                to=action.to,
                seats=action.seats,
                window=action.window,
                not_before=action.not_before,
                by=action.by,
                monthly_saving=action.monthly_saving,
                saving_from=action.saving_from,
                request=request,
            )
        )
    return out


@dataclass(frozen=True)
class CommerceRow:
    """One commerce change as plan.md shows it to the reviewer who approves the commerce job."""

    n: int
    what: str
    request: str
    money: str
    undo: str


_WHAT = {
    "reduce": lambda t, v: t.pgettext(
        "plan_commerce_reduce", "Reduce {product} from {before} to {after} licenses", **v
    ),
    "schedule_reduction": lambda t, v: t.pgettext(
        "plan_commerce_schedule",
        "Reduce {product} from {before} to {after} licenses at its renewal",
        **v,
    ),
    "cancel": lambda t, v: t.pgettext("plan_commerce_cancel", "Cancel {product}: {before} licenses", **v),
}


def commerce_rows(bill: Bill | None, currency: str | None, locale: Locale) -> tuple[CommerceRow, ...]:
    """plan.md's lines for the bill's commerce changes (none without them): what each does, the
    request `apply --commerce` sends, the money and the deadline, and what undo can do about it."""
    t = i18n.translations(locale)
    rows: list[CommerceRow] = []
    changes = list(bill.commerce or []) if bill is not None else []

    def name(c: CommerceChange) -> str:
        return product_names().product(c.sku_id, c.sku) or c.sku

    # a product by its name, as the report and the bill say it; its subscription's id (in the request
    # line below it anyway) only where two changes would otherwise read alike
    twins = {n for n in map(name, changes) if sum(name(c) == n for c in changes) > 1}
    for c in changes:
        what = _WHAT.get(c.kind)
        if what is None:
            continue
        product = name(c)
        if product in twins:
            product = f"{product} ({c.subscription})"
        values = {"product": product, "before": c.from_, "after": c.to}
        saving, by = c.monthly_saving, i18n.format_date(c.by or "?", locale)
        money = (
            t.pgettext(
                "plan_commerce_money",
                "Saves {amount} a month from {date}; by {deadline}",
                amount=i18n.format_money(saving, currency, locale),
                date=i18n.format_date(c.saving_from or "?", locale),
                deadline=by,
            )
            if saving
            else t.pgettext("plan_commerce_no_money", "Saving not known; by {deadline}", deadline=by)
        )
        undo = (
            t.pgettext(
                "plan_commerce_final", "A cancellation cannot be undone: the product would have to be bought again."
            )
            if c.kind == "cancel"
            else t.pgettext(
                "plan_commerce_undo", "Within the window, undo can buy the licenses back once you confirm the price."
            )
        )
        rows.append(
            CommerceRow(
                n=c.n,
                what=clean(what(t, values), 600),
                request=clean(f"{c.request.method} {c.request.path}", 600),
                money=money,
                undo=undo,
            )
        )
    return tuple(rows)
