"""A reduction at the distributor that the plan does not make, and why (plan.json's `bill.distributor_skipped`
and `distributor_not_planned`, auditor.formats.bill_model.NotPlanned), in two forms:

    line(skip)                      the English line plan.json records (`distributor_skipped`), for a reader
                                    of the file and for the log: part numbers and the distributor's ids
    said(skip, locale)              the sentence plan.md shows, in the report's language: the product by
                                    its name, what is not done and what the admin does instead
"""

from __future__ import annotations

from auditor.data.model import Locale
from auditor.formats.bill_model import NotPlanned

from .. import i18n
from ..reference import product_names
from ..vendors.registry import NAMES

__all__ = ["NAMES", "line", "said"]


def line(skip: NotPlanned) -> str:
    """The English line of plan.json's `distributor_skipped` (as it has always read)."""
    part, name, ids = skip.sku, NAMES.get(skip.distributor, skip.distributor), ", ".join(skip.subscriptions)
    match skip.why:
        case "no_subscription":
            return f"{part}: the plan has no seat figure for it (the tenant has no subscription of it)"
        case "seats_short":
            left = f"{skip.left} seats would be left, below the {skip.assigned} assigned"
            return f"{part}: {left} after the plan: not planned"
        case "unnamed":
            one = len(skip.subscriptions) == 1  # English's two forms, never "subscription(s)" (issue 99, point 6)
            said = (
                ("subscription", "names", "it", "it is the one")
                if one
                else ("subscriptions", "name", "them", "they are the ones")
            )
            return (
                f"{part}: {name} {said[0]} {ids} {said[1]} no Microsoft subscription "
                f"(vendorSubscriptionId): not written; reduce {said[2]} in {name}'s portal if {said[3]}"
            )
        case "named_twice":
            return (
                f"{part}: {name} subscriptions {ids} name one Microsoft subscription, {skip.microsoft} "
                f"(vendorSubscriptionId): not written; reduce the one that is the tenant's in {name}'s portal"
            )
        case "commitment_ended":
            return f"{part}: {name} subscription {ids}: its commitment ended on {skip.ended}: read {name} again"
        case "no_commitment_end":
            return f"{part}: {name} subscription {ids}: {name} gives no commitment end"
        case "not_one":
            how = f"{skip.count} {name} subscriptions" if skip.count != 1 else f"matched by {skip.matched_by}"
            return (
                f"{part}: {how}, not one matched by the catalog's microsoftSkuId: not written; reduce it in "
                f"{name}'s portal"
            )
        case "every_seat":
            return f"{part}: {name} subscription {ids}: every seat would go: cancel it in {name}'s portal"
        case "buy_not_written":
            return (
                f"{part}: the plan buys seats of it, but no single {name} subscription of it ({ids or 'none'}) "
                f"names the tenant's: the purchase is not written; buy them in {name}'s portal"
            )
    return f"{part}: {skip.why}"


def said(skip: NotPlanned, locale: Locale) -> str:
    """The sentence plan.md shows for `skip`, in `locale`: the product by its name (Microsoft's table,
    else its part number), the distributor's subscription by its id."""
    t = i18n.translations(locale)
    values = {
        "product": product_names().product(skip.sku_id, skip.sku) or skip.sku,
        "distributor": NAMES.get(skip.distributor, skip.distributor),
        "subscriptions": ", ".join(skip.subscriptions),
    }
    n = len(skip.subscriptions)
    match skip.why:
        case "no_subscription":
            return t.pgettext(
                "distributor_not_planned_no_subscription",
                "{product}: the tenant has no subscription of it, so the plan has no license count to reduce "
                "it to; the plan makes no change.",
                **values,
            )
        case "seats_short":
            return t.npgettext(
                "distributor_not_planned_seats_short",
                "{product}: the reduction would leave {left} license, fewer than the {assigned} assigned after "
                "the plan; the plan makes no change.",
                "{product}: the reduction would leave {left} licenses, fewer than the {assigned} assigned after "
                "the plan; the plan makes no change.",
                skip.left or 0,
                left=i18n.format_number(skip.left or 0, locale),
                assigned=i18n.format_number(skip.assigned or 0, locale),
                **values,
            )
        case "unnamed":
            return t.npgettext(
                "distributor_not_planned_unnamed",
                "{product}: the {distributor} subscription {subscriptions} names no Microsoft subscription, so "
                "the plan does not make the change; if it is this tenant's {product} subscription, reduce it in the "
                "{distributor} portal.",
                "{product}: the {distributor} subscriptions {subscriptions} name no Microsoft subscription, so "
                "the plan does not make the change; reduce the one that is this tenant's {product} subscription in the "
                "{distributor} portal.",
                n,
                **values,
            )
        case "named_twice":
            return t.pgettext(
                "distributor_not_planned_named_twice",
                "{product}: the {distributor} subscriptions {subscriptions} name the same Microsoft subscription "
                "({microsoft}), so the plan does not make the change; reduce the one that is this tenant's in the "
                "{distributor} portal.",
                microsoft=skip.microsoft or "",
                **values,
            )
        case "commitment_ended":
            return t.pgettext(
                "distributor_not_planned_commitment_ended",
                "{product}: the commitment of the {distributor} subscription {subscriptions} ended on {date}, "
                "so what the audit read of {distributor} is out of date; run the audit again.",
                date=i18n.format_date(skip.ended or "", locale),
                **values,
            )
        case "no_commitment_end":
            return t.pgettext(
                "distributor_not_planned_no_commitment_end",
                "{product}: {distributor} gives no end for the commitment of the subscription {subscriptions}, "
                "so the day of the change is not known; the plan makes no change.",
                **values,
            )
        case "not_one":
            return t.pgettext(
                "distributor_not_planned_not_one",
                "{product}: not exactly one {distributor} subscription matches it by Microsoft's product id, so the "
                "plan does not make the change; reduce it in the {distributor} portal.",
                **values,
            )
        case "every_seat":
            return t.pgettext(
                "distributor_not_planned_every_seat",
                "{product}: the reduction would take every license of the {distributor} subscription "
                "{subscriptions}, and a change keeps at least one; to remove the last one, cancel the "
                "subscription in the {distributor} portal.",
                **values,
            )
    return line(skip)
