"""report.json's `money`: the one source of every amount a person reads first (docs/money.md).

    currency             the policy's currency
    spend_monthly        the paid seats at the policy's prices
    unused_monthly       the seats bought and not assigned, at their prices (the report's summary)
    reclaimable_monthly  the licenses of unused accounts and products (the report's summary)
    plan                 saves_monthly, adds_monthly, net_monthly = saves - adds: the plan's changes
                         at the seat prices
    bill                 next_12_months: what the plan takes off the bill over the next twelve
                         months, each reduction from its date (null without billing facts);
                         unknown_monthly: the part whose date is not known; leaves: per day and
                         product, what leaves the invoice a month (a purchase: negative);
                         lowers_monthly: the sum of `leaves`, what the bill goes down by a month
                         once every change is made (null without a bill); spend_after_monthly:
                         spend_monthly less lowers_monthly
    waiting_monthly      the reclaimable amount the plan does not make yet: it waits for a
                         declaration that the user's data is kept, or for a person
    waiting              declaration_monthly, person_monthly: waiting_monthly by whose decision
                         it waits for (waiting_line says it)

Every amount is rounded to cents, and null where it is not known. The opening of the digest, the
report and plan.md is formatted from this object only (opening()), so each amount reads the same
everywhere.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from msgspec import UNSET

from auditor import i18n
from auditor.data.model import Locale
from auditor.formats.bill_model import Bill
from auditor.formats.plan_records import ChangePlan
from auditor.formats.report_model import BillMoney, Leave, Money, PlanMoney, ReportDocument, Waiting
from auditor.plan.summary import reclaim_split

YEAR_DAYS = 365


def _amount(value: Any) -> float | None:
    return round(float(value), 2) if isinstance(value, int | float) and not isinstance(value, bool) else None


def spend(document: ReportDocument) -> float | None:
    """The paid seats (enabled, less trial units; free products left out) at the policy's prices;
    None when no paid product has a price."""
    total, priced = 0.0, False
    for sku in document.skus:
        if sku.free:
            continue
        price = _amount(sku.price_monthly)
        paid = max(sku.enabled - sku.trial, 0)
        if price is not None and paid:
            total += price * paid
            priced = True
    return round(total, 2) if priced else None


def plan_money(plan: ChangePlan | None) -> PlanMoney:
    """What the plan's changes save and add a month at the seat prices (a product without a price
    counts nothing: plan.unpriced names them)."""
    if plan is None or plan.net_monthly is None:
        return PlanMoney()
    prices = {line.sku: line.price for line in plan.seats}
    saves = adds = 0.0
    for change in plan.changes:
        for sku, delta in change.seats.items():
            price = prices.get(sku)
            if price is None:
                continue
            if delta < 0:
                saves -= delta * price
            else:
                adds += delta * price
    return PlanMoney(saves_monthly=round(saves, 2), adds_monthly=round(adds, 2), net_monthly=round(saves - adds, 2))


def bill_leaves(bill: Bill | None) -> list[Leave]:
    """What leaves the invoice a month, per day and product: the bill's actions with a saving,
    those of one product starting on one day summed (`monthly`, a purchase negative; `seats`);
    `from` is null where the day is not known (no billing facts); `uplift` names the premium over
    the catalog price its amount holds, when all its actions hold the same. Sorted by day, unknown
    last."""
    if bill is None:
        return []
    steps: dict[tuple[str | None, str], dict[str, Any]] = {}
    for action in bill.actions:
        saving = action.monthly_saving
        if not saving:
            continue
        start = action.saving_from
        day = start[:10] if start is not None and action.window != "unknown" else None
        step = steps.setdefault((day, action.sku), {"seats": 0, "monthly": 0.0, "uplifts": set()})
        step["seats"] += action.seats
        step["monthly"] += saving
        step["uplifts"].add(action.uplift or None)
    return [
        Leave(
            from_=day,
            sku=sku,
            seats=step["seats"],
            monthly=round(step["monthly"], 2),
            uplift=next(iter(step["uplifts"])) if len(step["uplifts"]) == 1 and None not in step["uplifts"] else UNSET,
        )
        for (day, sku), step in sorted(steps.items(), key=lambda kv: (kv[0][0] is None, kv[0][0] or "", kv[0][1]))
    ]


def bill_money(bill: Bill | None, spend: float | None = None) -> BillMoney:
    """Over the next twelve months from the bill's day, what its reductions take off the bill, each
    from the day its saving starts (a purchase counts as a negative saving); the monthly part
    whose day is not known (no billing facts for the subscription); what leaves the invoice per
    day and product (bill_leaves); and `spend` a month less all of it, once every change is made."""
    leaves = bill_leaves(bill)
    if bill is None or not bill.actions:
        return BillMoney(leaves=leaves)
    today = date.fromisoformat(bill.as_of or date.today().isoformat())
    end = today + timedelta(days=YEAR_DAYS)
    year = unknown = 0.0
    for step in leaves:
        if step.from_ is None:
            unknown += step.monthly
            continue
        first = max(date.fromisoformat(step.from_), today)
        if first < end:
            year += step.monthly * 12 * (end - first).days / YEAR_DAYS
    lowers = round(sum(step.monthly for step in leaves), 2) + 0.0
    return BillMoney(
        next_12_months=round(year, 2),
        unknown_monthly=round(unknown, 2),
        leaves=leaves,
        lowers_monthly=lowers,
        spend_after_monthly=round(spend - lowers, 2) if spend is not None else None,
    )


def money(document: ReportDocument, plan: ChangePlan | None) -> Money:
    """The `money` object of report.json (see the module docstring)."""
    summary = document.summary
    unused, reclaimable = summary.unused_monthly_cost, summary.reclaimable_monthly_cost
    reclaimable_monthly = round(reclaimable.amount, 2) if reclaimable is not None else None
    spend_ = spend(document)
    # what of the reclaimable amount the plan does not make yet: it waits for a declaration or a person
    waiting = waiting_monthly = None
    if plan is not None and reclaimable_monthly:
        split = reclaim_split(document, plan)
        waiting_monthly = round(split.declaration + split.person, 2)
        # whose decision: the policy's (a data_kept declaration), or an admin's on a finding
        waiting = Waiting(declaration_monthly=split.declaration, person_monthly=split.person)
    return Money(
        currency=summary.currency or (plan.currency if plan else None),
        spend_monthly=spend_,
        unused_monthly=round(unused.amount, 2) if unused is not None else None,
        reclaimable_monthly=reclaimable_monthly,
        plan=plan_money(plan),
        bill=bill_money(document.bill_or_none, spend_),
        waiting=waiting,
        waiting_monthly=waiting_monthly,
    )


def waiting_line(money_: Money, locale: Locale) -> str:
    """What the opening's "… more a month waits for a decision" is made of, and whose decision it
    is; "" when nothing waits."""
    split, waiting = money_.waiting, money_.waiting_monthly
    if not waiting or split is None:
        return ""
    t = i18n.translations(locale)
    currency = money_.currency
    declaration, person = split.declaration_monthly, split.person_monthly
    if not declaration or not person:
        return (
            t.pgettext(
                "money_waiting_person",
                "The {amount} that waits for a decision depends on the findings marked “needs an admin's decision”.",
                amount=i18n.format_money(waiting, currency, locale),
            )
            if not declaration
            else t.pgettext(
                "money_waiting_declaration",
                "The {amount} that waits for a decision depends on the policy declaring that the users' "
                "data is kept (data_kept).",
                amount=i18n.format_money(waiting, currency, locale),
            )
        )
    return t.pgettext(
        "money_waiting_split",
        "Of the {amount} that waits for a decision, {declaration} depends on the policy declaring that "
        "the users' data is kept (data_kept), and {person} on the findings marked "
        "“needs an admin's decision”.",
        amount=i18n.format_money(waiting, currency, locale),
        declaration=i18n.format_money(declaration, currency, locale),
        person=i18n.format_money(person, currency, locale),
    )


def opening(money_: Money, locale: Locale) -> list[str]:
    """The one or two sentences every report opens with, at most four amounts, each from `money_`:
    what the licenses cost, what the plan takes off the bill a month (the bill's lowers_monthly,
    which "Your bill" shows as today's spend less the spend after; the plan's own net only where
    there is no bill) and over twelve months when the bill's dates are known, and what more waits
    for a decision."""
    t = i18n.translations(locale)
    currency = money_.currency

    def amount(value: float) -> str:
        return i18n.format_money(value, currency, locale)

    spend_ = money_.spend_monthly
    first = (
        t.pgettext("money_spend", "Licenses cost {amount} a month.", amount=amount(spend_))
        if spend_ is not None
        else t.pgettext("money_spend_unknown", "What the licenses cost is not known: the policy sets no prices.")
    )
    lowers = money_.bill.lowers_monthly
    year = money_.bill.next_12_months or 0.0  # null without a bill
    net = money_.plan.net_monthly
    change = lowers if lowers is not None else net  # what the bill goes down by: the plan's net without a bill
    unknown = bool(money_.bill.unknown_monthly)  # some reduction's day is not known
    waiting = money_.waiting_monthly
    parts: list[str] = []
    if change is None or round(change, 2) == 0:
        pass
    elif change < 0:
        parts.append(
            t.pgettext("money_plan_raises", "This plan raises the bill by {amount} a month", amount=amount(-change))
        )
    elif lowers is None:
        parts.append(
            t.pgettext(
                "money_plan_freed",
                "This plan frees licenses worth {amount} a month (they leave "
                "the bill when the subscriptions are reduced)",
                amount=amount(change),
            )
        )
    elif year > 0 and not unknown:
        parts.append(
            t.pgettext(
                "money_plan_bill",
                "This plan lowers the bill by {amount} a month ({year} over the next 12 months)",
                amount=amount(change),
                year=amount(year),
            )
        )
    elif year > 0:
        parts.append(
            t.pgettext(
                "money_plan_bill_partly",
                "This plan lowers the bill by {amount} a month ({year} "
                "over the next 12 months from the reductions whose day is known)",
                amount=amount(change),
                year=amount(year),
            )
        )
    else:  # a purchase today, the reductions later or on days not known: no twelve-month figure
        parts.append(
            t.pgettext(
                "money_plan_bill_undated",
                "This plan lowers the bill by {amount} a month once the subscriptions are reduced",
                amount=amount(change),
            )
        )
    if waiting:
        parts.append(t.pgettext("money_waiting", "{amount} more a month waits for a decision", amount=amount(waiting)))
    if not parts:
        return [first]
    second = "; ".join(parts) + "."
    return [first, second[:1].upper() + second[1:] if second[:1].islower() else second]
