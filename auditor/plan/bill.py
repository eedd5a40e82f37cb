"""The plan's `bill`: which seats leave the bill, from which subscription, and when.

Per product (report.json `skus`, `subscriptions`, `spare_seats`):

    purchased       the seats of its Enabled subscriptions (trials included: they can be assigned)
    assigned_after  the seats the plan leaves assigned (the report's consumed seats when the plan
                    does not touch the product)
    spare           the policy's spare_seats.min, else 0
    surplus         purchased - assigned_after - spare, at least 0

The surplus is spread over the product's subscriptions, the one whose seats stop costing first
(windows.opening: saving_from, then its last day, then the id) taking what it can: never more than
its own seats, and in a seat addition's 7-day window no more than the seats added then. What no
window takes now is `unscheduled`: the next plan schedules it. Each subscription gets one action
(windows.commerce_action). Moves that wait for a seat of a product first take the seats the plan
frees of it (`kept_for_moves`, out of the surplus); for the rest, and the spare minimum, one `buy`.
docs/bill.md has the rules.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypedDict

import msgspec

from auditor import i18n
from auditor.billing.current_prices import BILLING_FILE
from auditor.billing.file import BillingFile, BillingRow, Term
from auditor.billing.windows import (
    EST_UPLIFT,
    EST_UPLIFT_NO_MONTHLY_TERM,
    MONTHLY_BILLING_UPLIFT,
    Action,
    CommerceAction,
    Confidence,
    Opening,
    Owner,
    Reason,
    Window,
    commerce_action,
    opening,
)
from auditor.common import shapes
from auditor.common.numbers import english_count
from auditor.common.timestamps import timestamp_or_none
from auditor.data.copilot_credits_data import COPILOT_CREDITS, CREDITS_PATH, USER_CREDITS_PERMISSION, CopilotCredits
from auditor.data.model import Gap, Locale, Subscription
from auditor.distributor.distributor_changes import with_distributor
from auditor.evaluation.records import record
from auditor.formats.bill_model import Bill, BillAction, BillProduct, SeatFigures, SubscriptionIds
from auditor.formats.bill_model import CopilotCredits as CreditsJson
from auditor.formats.plan_records import ChangePlan
from auditor.formats.report_model import ReportDocument, ReportFinding, SeatRow
from auditor.formats.report_parts import ReportSubscription
from auditor.plan.bill_texts import reason_text
from auditor.plan.commerce import commerce_changes
from auditor.plan.cost import currency_of
from auditor.rules.entitlements.entitlement import EntitlementShort, EntitlementShortDetails
from auditor.rules.hygiene.upkeep import SubscriptionExpiringDetails
from auditor.rules.seats import SpareSeatsOverLimit, SpareSeatsUnderMinimum

from .bill_purchases import Purchase, purchases
from .entitled_products import assigned_products, mixed
from .psa_quantities import with_psa

URGENT_DAYS = 3  # a 7-day window closing within this many days leads the report and the notification
NEEDED_ENDS = "needed_ends"  # an action's warning: a subscription the plan needs ends soon with auto-renew off
YEAR = timedelta(days=365)


class CommerceFacts(TypedDict):
    """What report.json keeps for the bill (its keys of the same names)."""

    subscriptions: list[ReportSubscription]
    spare_seats: dict[str, int]


def commerce_facts(subscriptions: Sequence[Subscription], spare_seats: Mapping[str, int]) -> CommerceFacts:
    """What report.json keeps for the bill: the subscriptions as Graph gave them, and the policy's
    spare_seats.min per product (part number)."""
    ordered = sorted(subscriptions, key=lambda s: (s.sku_part_number, s.id))
    return {
        "subscriptions": [ReportSubscription.of(s) for s in ordered],
        "spare_seats": {k: spare_seats[k] for k in sorted(spare_seats)},
    }


def assigned_after(plan: ChangePlan | None) -> dict[str, int]:
    """The seats each product the plan touches keeps assigned after it."""
    return {line.sku: line.after for line in plan.seats} if plan is not None else {}


def report_bill(
    document: ReportDocument,
    plan: ChangePlan | None,
    billing: BillingFile | None,
    today: date,
    *,
    credits: CreditsJson | None = None,
    gaps: Sequence[str] = (),
) -> Bill:
    """The bill of the report's own plan (audit --billing); `credits`: its `copilot_credits`
    (copilot_credits below), shown beside the Copilot seats; `gaps`: the billing sources that could
    not be read."""
    bill = build_bill(document, assigned_after(plan), billing, today, purchases=purchases(document, plan))
    if credits:
        bill = msgspec.structs.replace(bill, copilot_credits=credits)
    return msgspec.structs.replace(bill, gaps=list(gaps)) if gaps else bill


def with_bill(
    plan: ChangePlan, document: ReportDocument, billing: BillingFile | None, say: Callable[[str], None]
) -> ChangePlan:
    """`plan` with its bill, for a report that lists its subscriptions (an older one has no bill)."""
    if document.subscriptions is msgspec.UNSET:
        if billing is not None:
            say("warning: report.json lists no subscriptions (audit again with this version): no bill")
        return plan
    subs = subscriptions_of(document)
    if billing is not None:
        billing = billing.matched_only(subs)
        if billing.left_out:
            say(
                f"warning: {billing.path}: {english_count(billing.left_out, 'row names', 'rows name')} no "
                f"subscription of the report, the first on line {billing.first_left_out}; they are not used"
            )
    when = timestamp_or_none(document.as_of or document.generated_at)
    today = when.date() if when is not None else date.today()
    bill = build_bill(document, assigned_after(plan), billing, today, purchases=purchases(document, plan))
    carried = document.bill.copilot_credits if isinstance(document.bill, Bill) else msgspec.UNSET
    if carried:  # read by the audit: the plan's bill shows it beside the same seats
        bill = msgspec.structs.replace(bill, copilot_credits=carried)
    return msgspec.structs.replace(plan, bill=with_psa(with_distributor(bill, document, today), document))


def copilot_credits(credits: CopilotCredits | None, gaps: Sequence[Gap]) -> CreditsJson | None:
    """The bill's `copilot_credits`: the tenant's Copilot Credits balance per billing method, as
    Graph's beta getTenantCreditBalance gave it (auditor.data.copilot_credits_data), or the gap that
    says why it was not read; None when it was not asked (no Copilot product, no bill wanted).

    `beta`: always true (Microsoft documents the API on beta only); `per_user`: the per-user
    records need a delegated permission (`delegated_only`, the permission named), so the audit,
    which signs in as an application, reads none."""
    gap = next((g for g in gaps if g.dataset == COPILOT_CREDITS), None)
    if credits is None and gap is None:
        return None
    return shapes.convert(
        {
            "beta": True,
            "request": f"GET /beta{CREDITS_PATH}",
            "balances": [b.to_json() for b in credits.balances] if credits is not None else None,
            "per_user": {"read": False, "reason": "delegated_only", "permission": USER_CREDITS_PERMISSION},
            **({"gap": gap.reason} if gap is not None else {}),
        },
        CreditsJson,
    )


# the findings that give a product's seats as an order (a new total, seats to buy): their figures are the bill's
SEAT_RULES = (SpareSeatsOverLimit.id, SpareSeatsUnderMinimum.id, EntitlementShort.id)
DROPS = tuple(a.value for a in Action if a is not Action.BUY)  # `none` with seats: they leave on their own


def product_figures(bill: Bill, part: str) -> SeatFigures | None:
    """The bill of one product as a seat finding says it (details.bill): `purchased`, `after` (assigned
    after the plan), `spare`, `drop` (the seats its actions remove), `buy`, `to` (purchased − drop +
    buy: the seats it pays for once every action is taken), `from` (the last day a removal takes
    effect; null when one's day is not known), `drop_monthly` (what the removals save a month) and
    `buy_monthly` (what the purchase costs a month; each null when an action has no price); None
    when the bill neither holds nor buys it."""
    product = next((p for p in bill.products if p.sku == part), None)
    actions = [a for a in bill.actions if a.sku == part and a.seats]
    drops = [a for a in actions if a.action in DROPS]
    buys = [a for a in actions if a.action == Action.BUY.value]
    buy = sum(a.seats for a in buys)
    if product is None and not buy:
        return None
    drop = sum(a.seats for a in drops)
    days = [a.saving_from or "" for a in drops]
    known = all(days) and all(a.window != Window.UNKNOWN.value for a in drops)
    purchased = product.purchased if product is not None else 0
    return {
        "purchased": purchased,
        "after": product.assigned_after if product is not None else 0,
        "spare": product.spare if product is not None else 0,
        "drop": drop,
        "buy": buy,
        "to": purchased - drop + buy,
        "from": max(days) if days and known else None,
        "drop_monthly": _saving(drops),
        "buy_monthly": None if (saving := _saving(buys)) is None else -saving + 0.0,
    }


def _saving(actions: Sequence[BillAction]) -> float | None:
    """What `actions` take off the bill a month together (a purchase counts negative); None when
    one of them has no price."""
    if any(not a.priced for a in actions):
        return None
    return round(sum(a.monthly_saving for a in actions), 2)


def _with_details(finding: ReportFinding, details: dict[str, object], **more: float | None) -> ReportFinding:
    """`finding` with other details: a new one."""
    return msgspec.structs.replace(finding, details=details, **more)


def name_seat_figures(document: ReportDocument) -> ReportDocument:
    """`document` with each finding that orders a product's seats (SEAT_RULES) carrying the bill's
    figures for the product (details.bill: product_figures), so its message, summary and steps give
    the plan's figure and say in one sentence why it differs from today's counts; its `monthly_cost`
    becomes the bill's amount for the seats it orders (spare-seats-over-limit: what the removals
    save; the others: what the purchase costs; null for none). An entitlement-short finding whose
    count the bill buys as it is needs no such sentence, and keeps its own amount. The findings it
    changes are new ones: the document given is left as it is."""
    bill = document.bill_or_none
    if bill is None:
        return document
    assigned = assigned_products(document)
    findings = []
    for f in document.findings:
        if f.rule not in SEAT_RULES or f.waived:
            findings.append(f)
            continue
        # an entitlement-short finding's own details, by the rule's record (the spare-seat rules' name no product)
        count = record(f, EntitlementShortDetails)
        entitle = count.entitle_with if count is not None else None
        part = (entitle["sku"] if entitle is not None else "") or next(iter(f.skus), "")
        figures = product_figures(bill, part)
        # the users of a count whom another product entitles more cheaply get that one: the bill buys fewer, or more
        other = count is not None and mixed(assigned, frozenset(count.features), part)
        short = count.short or 0 if count is not None else 0
        same = figures is not None and (figures["buy"] == short or (figures["buy"] < short and not other))
        if figures is None or (f.rule == EntitlementShort.id and same):
            # no bill of it, or it buys the count the finding gives (or the plan's changes cover some)
            findings.append(f)
            continue
        if f.rule == EntitlementShort.id:
            figures["why"] = "mixed" if other else "short"
        # its amount is the bill's for the seats it orders: what the removals save, or what the purchase costs
        amount = figures["drop_monthly"] if f.rule == SpareSeatsOverLimit.id else figures["buy_monthly"]
        findings.append(_with_details(f, {**f.details, "bill": figures}, monthly_cost=amount or None))
    return msgspec.structs.replace(document, findings=findings)


def name_reductions(document: ReportDocument) -> ReportDocument:
    """`document` with each subscription-expiring finding of a subscription with a known term naming
    the bill's action for it (details.reduction: window, by, seats), so its message says what the
    renewal lets the plan drop; and each seat finding naming the bill's figures for its product
    (name_seat_figures). A new document: the one given is left as it is."""
    document = name_seat_figures(document)
    bill = document.bill_or_none
    ids = {s.id: s.commerce_subscription_id or s.id for s in document.subscriptions or []}
    actions = {str(a.subscription): a for a in (bill.actions if bill is not None else [])}
    findings = []
    for f in document.findings:
        expiring = record(f, SubscriptionExpiringDetails)
        if expiring is None or not expiring.term:
            findings.append(f)
            continue
        subject = f.subject.id
        action = actions.get(ids.get(subject, subject))
        if action is not None and action.seats:
            reduction = {"window": action.window, "by": action.by, "seats": action.seats}
            f = _with_details(f, {**f.details, "reduction": reduction})
        findings.append(f)
    return msgspec.structs.replace(document, findings=findings)


def subscriptions_of(document: ReportDocument) -> list[Subscription]:
    """The report's subscriptions (report.json `subscriptions`, as Graph wrote them)."""
    return [s.subscription() for s in document.subscriptions or []]


def _price(row: SeatRow | None) -> float | None:
    """A seat's price a month: the seat table's (0 for a free product); None when it gives none."""
    if row is None or row.price_monthly is None:
        return None
    return 0.0 if row.free else row.price_monthly


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


# the facts each window stands on (docs/bill.md): confidence is documented only when each has a source
NEEDS: dict[Window, tuple[str, ...]] = {
    Window.WITHIN_7_DAYS: ("channel", "term_start"),
    Window.RENEWAL: ("channel", "renewal", "auto_renew"),
    Window.EST: ("channel", "renewal", "auto_renew"),
    Window.ANY_TIME: ("channel",),
    Window.ANNIVERSARY: ("channel", "renewal"),
    Window.UNKNOWN: ("channel", "renewal"),
}
FACTS = (
    "channel",
    "term",
    "term_start",
    "renewal",
    "auto_renew",
    "cancel_at_end_of_term",
    "billing_frequency",
    "seats_added",
    "price",
    "monthly_term",
)


def fact_sources(sub: Subscription, row: BillingRow | None) -> dict[str, str]:
    """Where each commerce fact of `sub` came from: graph, billing-account, partner-center, file or unknown."""
    graph = {"renewal": bool(sub.next_lifecycle_date_time), "term_start": bool(sub.created_date_time)}
    out: dict[str, str] = {}
    for fact in FACTS:
        given = row.source(fact) if row is not None else None
        out[fact] = given or ("graph" if graph.get(fact) else "unknown")
    return out


def unit_price(
    row: BillingRow | None, catalog: float | None, window: Window, currency: str | None = None
) -> float | None:
    """The price of one seat per month as billed: the row's own price (unless it is in another
    currency than the catalog's `currency`: amounts in two currencies are never added), else the
    catalog's with the EST uplift in an Extended Service Term (about 3 %; about 23 % where the
    facts say the product has no monthly term: `monthly_term` false), or the monthly-billing uplift
    for an annual or triennial term billed monthly. The catalog's price is taken to be a seat's
    monthly price on the product's monthly term where it has one, else on its annual term
    (docs/bill.md)."""
    return priced(row, catalog, window, currency)[0]


def priced(
    row: BillingRow | None, catalog: float | None, window: Window, currency: str | None = None
) -> tuple[float | None, str | None]:
    """unit_price, and which premium it adds to the catalog's price (the action's `uplift`, named
    beside its amount): `monthly_billing` (+5 %), `est` (+3 %), `est_no_monthly_term` (+23 %); None
    for the invoice's or the catalog's own price."""
    if row is not None and row.unit_price is not None and not (row.currency and currency and row.currency != currency):
        return row.unit_price, None
    if catalog is None or row is None:
        return catalog, None
    if window is Window.EST:
        if row.monthly_term is False:
            return catalog * (1 + EST_UPLIFT_NO_MONTHLY_TERM), "est_no_monthly_term"
        return catalog * (1 + EST_UPLIFT), "est"
    if row.billing_frequency is Term.MONTH and row.term in (Term.YEAR, Term.THREE_YEARS):
        return catalog * (1 + MONTHLY_BILLING_UPLIFT), "monthly_billing"
    return catalog, None


def _action_json(
    sub: Subscription,
    part: str,
    a: CommerceAction,
    price: tuple[float | None, str | None],
    t: i18n.Translations,
    row: BillingRow | None = None,
) -> BillAction:
    each, uplift = price
    saving = round(a.seats * each, 2) if each is not None and a.seats and not sub.is_trial else 0.0
    sources = fact_sources(sub, row)
    confidence = a.confidence
    if any(sources[f] == "unknown" for f in NEEDS.get(a.window, ())) and a.window is not Window.UNKNOWN:
        confidence = Confidence.UNKNOWN
    unset = msgspec.UNSET
    return BillAction(
        subscription=sub.commerce_subscription_id or sub.id,
        sku=part,
        action=a.action.value,
        seats=a.seats,
        from_=a.from_seats,
        to=a.to_seats,
        not_before=_iso(a.not_before),
        by=_iso(a.by),
        window=a.window.value,
        owner=a.owner.value,
        monthly_saving=saving,
        saving_from=_iso(a.saving_from),
        confidence=confidence.value,
        reason=reason_text(t, a.reason),
        sources=sources,
        # the premium over the catalog's price, named beside the amount
        uplift=uplift if uplift is not None and saving else unset,
        # no price: the texts say the amount is not known
        unpriced=True if each is None and a.seats and not sub.is_trial else unset,
        # the plan needs its seats, and its term ends with auto-renew off
        warning=NEEDED_ENDS if a.reason.key.startswith("needed_") else unset,
        billing_frequency=(row.billing_frequency.value if row.billing_frequency else None) if row else unset,
        cancel_at_end_of_term=row.cancel_at_end_of_term if row else unset,
        channel=row.channel.value if row else unset,
        join="uncertain" if row is not None and row.uncertain else unset,
        api=SubscriptionIds(**dict(row.api), sku_id=sub.sku_id) if row is not None and row.api else unset,
    )


def _buy_sources(row: SeatRow | None, planned: bool, seats: int, spare: int, price: float | None) -> dict[str, str]:
    """Where each fact of a buy came from, named as a subscription's are (fact -> source): the seats
    bought (`purchased`: Graph's subscriptions), those assigned after the plan (`plan` where its
    changes touch the product, else Graph's consumed seats), the changes that wait for a seat
    (`findings`), the spare minimum (`policy`) and the price (the billing file's or the distributor's
    where one was read at the run, else the policy's; `unknown` without one)."""
    out = {"purchased": "graph", "assigned_after": "plan" if planned else "graph"}
    if seats > spare:
        out["waiting"] = "findings"
    if spare:
        out["spare"] = "policy"
    given = row.price_source if row is not None and isinstance(row.price_source, str) else None
    out["price"] = (
        "unknown" if price is None else "file" if given == BILLING_FILE else "distributor" if given else "policy"
    )
    return out


def _cap(o: Opening, total: int, wanted: int) -> int:
    """The seats a window takes of `wanted`: in an EST the seats are fixed, so all or none."""
    if o.window is Window.EST:
        return total if wanted >= total else 0
    return min(wanted, total, o.cap)


@dataclass(frozen=True)
class BillSource:
    """What a bill is built from: the seat table, the subscriptions (report.json keeps them as
    Graph gave them), the policy's spare_seats.min per product (part number), its one currency
    (also for a product it gives no price: a billing row's price in another currency is never added
    into its totals) and the language of the reasons. `of(document)`: a report's; the migration
    names its own."""

    locale: Locale
    seats: Sequence[SeatRow]
    subscriptions: Sequence[Subscription]
    spare_seats: Mapping[str, int]
    currency: str | None

    @classmethod
    def of(cls, document: ReportDocument) -> BillSource:
        spare = document.spare_seats if document.spare_seats is not msgspec.UNSET else {}
        return cls(
            locale=Locale(document.locale or "en"),
            seats=document.skus,
            subscriptions=subscriptions_of(document),
            spare_seats=spare,
            currency=currency_of(document),
        )


def build_bill(
    source: ReportDocument | BillSource,
    assigned_after: Mapping[str, int],
    billing: BillingFile | None,
    today: date,
    *,
    purchases: Sequence[Purchase] = (),
    locale: Locale | None = None,
) -> Bill:
    """The `bill` of plan.json (docs/bill.md) of a report (or of the seats a BillSource names), in
    its language unless `locale` is given."""
    if isinstance(source, ReportDocument):
        source = BillSource.of(source)
    t = i18n.translations(locale or source.locale)
    rows = {r.sku: r for r in source.seats if r.sku}
    currency = source.currency
    parts = {r.sku_id.lower(): part for part, r in rows.items()}
    spare_min = dict(source.spare_seats)
    by_part: dict[str, list[Subscription]] = {}
    for sub in source.subscriptions:
        part = sub.sku_part_number or parts.get(sub.sku_id.lower(), sub.sku_id)
        by_part.setdefault(part, []).append(sub)
    products: list[BillProduct] = []
    actions: list[BillAction] = []
    wanted = {need.sku: need.seats for need in purchases if need.seats > 0}  # moves that wait for a seat
    spare_short: dict[str, int] = {}  # the spare seats under the policy's minimum after the plan: bought
    # the price of a product bought new: the tenant's own (its products table), else the finding's
    buy_price = {need.sku: need.monthly for need in purchases if need.monthly is not None}
    for part in sorted(by_part):
        if part in rows and rows[part].free:
            continue  # a free product costs nothing: no bill
        subs = sorted(by_part[part], key=lambda s: s.commerce_subscription_id or s.id)
        enabled = [s for s in subs if s.status.lower() == "enabled"]
        purchased = sum(s.total_licenses for s in enabled)
        after = assigned_after.get(part, rows[part].consumed if part in rows else 0)
        spare = spare_min.get(part, 0)
        surplus = max(0, purchased - after - spare)
        if short := min(spare, max(0, after + spare - purchased)):
            wanted[part], spare_short[part] = wanted.get(part, 0) + short, short
        # seats the plan frees go to the moves that wait for one before they leave the bill
        kept = min(surplus, wanted.get(part, 0))
        wanted[part] = wanted.get(part, 0) - kept
        surplus -= kept
        price = _price(rows.get(part))
        remaining = surplus
        taken: dict[str, int] = {}

        def first(s: Subscription) -> tuple[date, date, str]:
            o = opening(s, billing.row_for(s) if billing else None, today)
            return (o.saving_from or date.max, o.by or date.max, s.commerce_subscription_id or s.id)

        for sub in sorted(enabled, key=first):
            row = billing.row_for(sub) if billing else None
            o = opening(sub, row, today)
            take = _cap(o, sub.total_licenses, remaining)
            if o.window is Window.EST and remaining and not take:
                taken[sub.id] = min(remaining, sub.total_licenses)  # named (est_seats_fixed), not counted
                continue
            taken[sub.id], remaining = take, remaining - take
        for sub in subs:
            row = billing.row_for(sub) if billing else None
            a = commerce_action(sub, row, taken.get(sub.id, 0), today)
            actions.append(_action_json(sub, part, a, priced(row, price, a.window, currency), t, row))
        products.append(
            BillProduct(
                sku=part,
                purchased=purchased,
                assigned_after=after,
                spare=spare,
                surplus=surplus,
                kept_for_moves=kept or msgspec.UNSET,
                unscheduled=remaining or msgspec.UNSET,
            )
        )
    for part, seats in sorted(wanted.items()):
        if seats > 0:
            price = _price(rows.get(part))
            price = buy_price.get(part) if price is None else price
            spared: dict[str, object] = {"seats": seats, "spare": spare_min.get(part, 0)}
            reason = (
                Reason("buy_spare", spared) if seats <= spare_short.get(part, 0) else Reason("buy", {"seats": seats})
            )
            actions.append(
                BillAction(
                    subscription=None,
                    sku=part,
                    action=Action.BUY.value,
                    seats=seats,
                    from_=None,
                    to=None,
                    not_before=today.isoformat(),
                    by=None,
                    window=Window.ANY_TIME.value,
                    owner=Owner.SELF.value,
                    monthly_saving=-round(seats * price, 2) if price is not None else 0.0,
                    saving_from=today.isoformat(),
                    confidence=Confidence.DOCUMENTED.value,
                    reason=reason_text(t, reason),
                    sources=_buy_sources(
                        rows.get(part), part in assigned_after, seats, spare_short.get(part, 0), price
                    ),
                    unpriced=True if price is None else msgspec.UNSET,
                )
            )
    actions.sort(key=lambda a: (a.sku, a.subscription or ""))
    now = sum(a.monthly_saving for a in actions if a.saving_from and a.saving_from <= today.isoformat())
    year = (today + YEAR).isoformat()
    within = sum(a.monthly_saving for a in actions if a.saving_from and a.saving_from <= year)
    commerce = commerce_changes(actions)  # what an API can do of them (apply --commerce)
    return Bill(
        products=products,
        actions=actions,
        monthly_saving_now=round(now, 2),
        monthly_saving_within_year=round(within, 2),
        as_of=today.isoformat(),
        commerce=commerce or msgspec.UNSET,
    )


def urgent(actions: Sequence[BillAction], today: date, days: int = URGENT_DAYS) -> list[BillAction]:
    """The actions (a bill's) whose 7-day window closes within `days` days: money that is gone the day after."""
    return _closing(actions, today, days, Window.WITHIN_7_DAYS)


def locking(actions: Sequence[BillAction], today: date, days: int = URGENT_DAYS) -> list[BillAction]:
    """The reductions scheduled for a renewal that locks (about 24 hours before it; `by` is the last
    whole day before the lock) within `days` days: after that the seats stay for another term. Only
    the reductions: the admin's own (`reduce`) and a partner's (`contact_partner`: the admin asks the
    partner in time); a cancellation at the end of the term or no action does not lock seats in."""
    kinds = (Action.REDUCE.value, Action.CONTACT_PARTNER.value)
    return [a for a in _closing(actions, today, days, Window.RENEWAL) if a.action in kinds]


def ending(actions: Sequence[BillAction]) -> list[BillAction]:
    """The subscriptions the plan needs whose term ends soon with auto-renew off (the action's
    `warning`: auditor.billing.windows.NEEDED_ENDS_DAYS): their users lose the product, or the
    tenant pays an Extended Service Term's premium, unless someone acts by `by`. The soonest first."""
    return sorted((a for a in actions if a.warning == NEEDED_ENDS), key=lambda a: a.by or "")


def _closing(actions: Sequence[BillAction], today: date, days: int, window: Window) -> list[BillAction]:
    last = (today + timedelta(days=days)).isoformat()
    out = [
        a
        for a in actions
        if a.window == window.value and a.seats and a.by is not None and today.isoformat() <= a.by <= last
    ]
    return sorted(out, key=lambda a: a.by or "")  # the soonest first
