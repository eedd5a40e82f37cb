"""The plan's purchases at the distributor (plan.json `bill.distributor`, `kind: increase`; docs/distributors.md,
"Purchases"): where the bill buys seats of a product the tenant buys through its distributor, the
subscription's quantity goes up by what the bill buys, on the subscription the seats belong
to; `apply --distributor --yes` makes it, journaled, and `undo --distributor` takes it off again inside the
window Microsoft gives a quantity added (auditor.apply.distributor_purchase_undo).

    bought(bill)                         the seats the bill buys per product (its `buy` actions: the moves
                                         and entitlements that wait for seats, the spare seats under the
                                         policy's minimum after the plan, a group's CountViolation on a
                                         product with no free seat: auditor.plan.bill)
    purchases(section, bill, today)      (the purchases, the purchases not written and why)

The subscription is the one the reductions would choose (auditor.distributor.distributor_changes): where
the distributor's subscriptions name their Microsoft subscription, a billed one that names the tenant's and
that no other names (the monthly ones first: a seat added to an annual commitment is bought to its end);
else the product's one subscription matched by its Microsoft SKU. Anything else is named, not written: the
seats are bought in the distributor's portal. The money: the seats at the MSP's cost (where the distributor
gives none, the bill's own price a seat) as `monthly_saving`, negative, and at the customer's price as
`monthly_price`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import msgspec

from auditor.billing.distributor_join import named_twice
from auditor.billing.distributor_records import DistributorSection, ProductRow, SubscriptionLine, customer_of
from auditor.data.model import Locale
from auditor.formats.bill_model import Bill, CommerceChange, NotPlanned
from auditor.vendors.protocols import Distributor
from auditor.vendors.registry import DISTRIBUTORS, NAMES
from auditor.vendors.terms import committed

from .. import i18n
from .distributor_requests import INCREASE

BUY = "buy"  # a bill action that buys seats (auditor.billing.windows.Action.BUY)
NOT_WRITTEN = "buy_not_written"  # NotPlanned.why: no one subscription at the distributor takes the purchase
NOW = "any_time"
UNDO_HOURS = 168  # Microsoft's window for decreasing a quantity added: seven days (docs/msp.md)


def bought(bill: Bill) -> dict[str, tuple[int, float | None]]:
    """The seats the bill buys per product (part number, upper case), and what they cost a month
    (None when one of its purchases has no price)."""
    out: dict[str, tuple[int, float | None]] = {}
    for a in bill.actions:
        if a.action != BUY or a.seats <= 0:
            continue
        part = a.sku.upper()
        seats, cost = out.get(part, (0, 0.0))
        each = None if not a.priced or cost is None else cost - a.monthly_saving
        out[part] = (seats + a.seats, each)
    return out


def scope_of(section: DistributorSection) -> tuple[Distributor, str] | None:
    """The section's distributor and its customer there (its block's, under the distributor's `scope`), None when
    either is unknown."""
    vendor = DISTRIBUTORS.get(section.distributor)
    if vendor is None:
        return None
    scope = customer_of(section.block, vendor.scope) if isinstance(section.block, dict) else None
    return (vendor, scope) if scope else None


def _tied(vendor: Distributor, product: ProductRow) -> list[SubscriptionLine]:
    """The product's subscriptions a purchase may be written on, at a distributor whose subscriptions name
    their Microsoft subscription: named by the join, none shared, the uncommitted (monthly) ones first."""
    twice = named_twice((s.id, s.microsoft_subscription) for s in product.subscriptions)
    shared = {i for ids in twice.values() for i in ids}
    tied = [s for s in product.subscriptions if s.microsoft_subscription and s.id not in shared]
    return sorted(tied, key=lambda s: (committed(vendor, s.commitment_term, s.billing_term), s.id))


def _purchase(
    source: str,
    scope: str,
    product: ProductRow,
    sub: SubscriptionLine,
    seats: int,
    bill_cost: float | None,
    today: date,
) -> CommerceChange:
    to = sub.quantity + seats
    cost = round(seats * sub.partner_cost, 2) if sub.partner_cost is not None else bill_cost
    price = round(seats * sub.price, 2) if sub.price is not None else None
    request = DISTRIBUTORS[source].api.quantity(scope, sub.id, to)
    return CommerceChange(
        n=0,
        kind=INCREASE,
        source=source,
        scope=scope,
        api_id=sub.id,
        subscription=sub.microsoft_subscription,
        sku=product.sku.upper(),
        sku_id=None,
        from_=sub.quantity,
        to=to,
        seats=seats,
        window=NOW,
        not_before=None,
        by=None,
        monthly_saving=-cost + 0.0 if cost is not None else 0.0,
        monthly_price=price if price is not None else msgspec.UNSET,
        saving_from=today.isoformat(),
        request=request,
    )


def purchases(
    section: DistributorSection | None, bill: Bill, sku_ids: Mapping[str, str], today: date
) -> tuple[list[CommerceChange], list[NotPlanned]]:
    """The purchases at the tenant's distributor for what the bill buys (unnumbered), and the ones that
    cannot be written; none without a distributor section, or when its reading failed."""
    if section is None or section.error:
        return [], []
    found, wanted = scope_of(section), bought(bill)
    if found is None or not wanted:
        return [], []
    vendor, scope = found
    out: list[CommerceChange] = []
    skipped: list[NotPlanned] = []
    source = vendor.key
    for product in section.products or []:
        part = product.sku.upper()
        if part not in wanted:
            continue
        seats, cost = wanted[part]
        if vendor.ties:  # its subscriptions name the tenant's: the join's
            subs = _tied(vendor, product)
        else:  # the product's one subscription, matched by its Microsoft SKU
            one = product.matched_by in ("sku", "subscription") and len(product.subscriptions) == 1
            subs = list(product.subscriptions) if one else []
        if not subs:
            ids = sorted(s.id for s in product.subscriptions)
            skipped.append(
                NotPlanned(why=NOT_WRITTEN, distributor=source, sku=part, sku_id=sku_ids.get(part), subscriptions=ids)
            )
            continue
        change = _purchase(source, scope, product, subs[0], seats, cost, today)
        out.append(msgspec.structs.replace(change, sku_id=sku_ids.get(part)))
    return out, skipped


def purchase_texts(c: CommerceChange, product: str, currency: str | None, locale: Locale) -> tuple[str, str]:
    """plan.md's words for one purchase: what it buys and at what money, and when it can be made."""
    t = i18n.translations(locale)
    price = c.monthly_price if isinstance(c.monthly_price, int | float) else None
    cost = i18n.format_money(-c.monthly_saving, currency, locale)
    if price is not None:
        money = t.pgettext(
            "plan_distributor_buy_money",
            "{cost} a month at your price from the distributor, {price} a month at the customer's price",
            cost=cost,
            price=i18n.format_money(price, currency, locale),
        )
    elif (vendor := DISTRIBUTORS.get(c.source)) is not None and not vendor.gives_price:  # the bill's own price
        money = t.pgettext(
            "plan_distributor_buy_bill_price",
            "{cost} a month at the price in the report's bill; {distributor}'s API gives no price",
            cost=cost,
            distributor=vendor.name,
        )
    else:
        money = t.pgettext("plan_distributor_buy_cost", "{cost} a month at your price from the distributor", cost=cost)
    what = t.npgettext(
        "plan_distributor_buy",
        "Buy {seats} more license of {product} at the distributor, from {before} to {after} ({money})",
        "Buy {seats} more licenses of {product} at the distributor, from {before} to {after} ({money})",
        c.seats,
        seats=i18n.format_number(c.seats, locale),
        product=product,
        before=i18n.format_number(c.from_ or 0, locale),
        after=i18n.format_number(c.to or 0, locale),
        money=money,
    )
    when = t.pgettext(
        "plan_distributor_buy_now",
        "Can be made now; undo can take the licenses off again within 7 days of the purchase.",
    )
    return what, when


def not_written(skip: NotPlanned, product: str, locale: Locale) -> str:
    """plan.md's sentence for a purchase not written (NotPlanned `buy_not_written`)."""
    t = i18n.translations(locale)
    name = NAMES.get(skip.distributor, skip.distributor)
    return t.pgettext(
        "distributor_not_planned_buy",
        "{product}: the plan buys licenses of it, but not exactly one {distributor} subscription of it names this "
        "tenant's Microsoft subscription, so the plan does not make the purchase; buy them in the {distributor} "
        "portal.",
        product=product,
        distributor=name,
    )


def purchases_title(bill: Bill | None, locale: Locale) -> str:
    """plan.md's heading over the distributor's changes when some of them buy seats ("": the reductions' own)."""
    if bill is None or not any(c.kind == INCREASE for c in bill.distributor or []):
        return ""
    return i18n.translations(locale).pgettext(
        "plan_distributor_title_buys", "Changes at the distributor (apply --distributor, approved separately)"
    )
