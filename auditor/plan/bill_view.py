"""The "Your bill" section of plan.md, report.md and report.html: the bill (auditor.plan.bill)
as rows of text in the reader's language. The templates only place them (_bill.md.j2, the HTML's
bill block)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import date

from auditor import i18n
from auditor.data.model import Locale
from auditor.formats.bill_model import Bill, BillAction
from auditor.formats.report_model import Leave, Money, ReportDocument
from auditor.plan.bill import URGENT_DAYS, ending, locking, urgent
from auditor.plan.credits_view import credit_lines
from auditor.plan.money import bill_money, waiting_line
from auditor.reference import product_names

DIGEST_BILL_LINES = 4  # the digest's days of "Your bill"; the report lists them all
OPEN_WINDOW_DAYS = 7  # a 7-day window still open closes within this many days: the digest names every one


@dataclass(frozen=True)
class BillRow:
    product: str  # by its name; the subscription's id is in report.json and plan.json, not where people read
    action: str
    seats: str
    window: str
    by: str
    saving: str
    saving_from: str
    reason: str
    note: str = ""  # the number of the note below the table that says its reason, shared with other rows


@dataclass(frozen=True)
class ProductRow:
    product: str
    purchased: str
    assigned_after: str
    spare: str
    surplus: str


@dataclass(frozen=True)
class BillView:
    title: str
    totals: str
    spend: str  # today and after the plan's changes, a month ("" when the policy sets no prices)
    reaches: str  # what of the saving reaches the bill, and when (beside the report's reclaimable amount)
    waits: str  # what of the money story's "waits for a decision" waits for whom ("" when nothing waits)
    sources: str  # what each billing source gave (auditor.vendors.commerce_sources: --billing-source)
    unscheduled: tuple[str, ...]  # per product, the surplus seats no window takes now, and why
    urgent: tuple[str, ...]
    products: tuple[ProductRow, ...]
    rows: tuple[BillRow, ...]
    headers: tuple[str, ...]
    product_headers: tuple[str, ...]
    # the tenant's Copilot Credits balance beside the Copilot seats, marked beta (bill.copilot_credits)
    credits: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # a reason several rows share, said once under the table (numbered from 1)


def _shared_reasons(rows: tuple[BillRow, ...]) -> tuple[tuple[BillRow, ...], tuple[str, ...]]:
    """The rows with each reason that several of them share said once, as a numbered note (the report
    says a repeated thing once: "No billing row: ..." of three products is one note, not three cells)."""
    counts = Counter(r.reason for r in rows if r.reason)
    notes = tuple(reason for reason, n in counts.items() if n > 1)
    number = {reason: str(i) for i, reason in enumerate(notes, 1)}
    return tuple(replace(r, reason="", note=number[r.reason]) if r.reason in number else r for r in rows), notes


def action_label(t: i18n.Translations, action: str) -> str:
    labels = {
        "reduce": t.pgettext("bill_action_reduce", "Reduce"),
        "cancel": t.pgettext("bill_action_cancel", "Cancel"),
        "cancel_at_end_of_term": t.pgettext("bill_action_cancel_at_end", "Cancel at end of term"),
        "contact_partner": t.pgettext("bill_action_partner", "Contact your partner"),
        "contact_vlsc": t.pgettext("bill_action_vlsc", "Contact the VLSC"),
        "buy": t.pgettext("bill_action_buy", "Buy"),
        "none": t.pgettext("bill_action_none", "Nothing to do"),
    }
    return labels.get(action, action)


def window_label(t: i18n.Translations, window: str) -> str:
    labels = {
        "within_7_days": t.pgettext("bill_window_7_days", "within 7 days"),
        "renewal": t.pgettext("bill_window_renewal", "at the renewal"),
        "any_time": t.pgettext("bill_window_any_time", "at any time"),
        "est": t.pgettext("bill_window_est", "any time (Extended Service Term)"),
        "anniversary": t.pgettext("bill_window_anniversary", "at the anniversary"),
        "unknown": t.pgettext("bill_window_unknown", "not known"),
    }
    return labels.get(window, window)


def _text(value: object, limit: int = 300) -> str:
    """Untrusted text on one line, cut at `limit` (the templates escape it for Markdown and HTML)."""
    text = "" if value is None else str(value)
    return " ".join(text.split())[:limit]


def product_name(part: str) -> str:
    """What a person reads for a product (its part number): its name in Microsoft's product table
    (never a name a report file could have changed), the part number only when the table does not know it."""
    return _text(product_names().product(None, part) or part, 100)


def _urgent_sentence(t: i18n.Translations, kind: str, n: int, **values: object) -> str:
    """The sentence of an action whose 7-day window is about to shut: one whole sentence per action,
    so that each language words it its own way ("Ask your partner to reduce X", not "Contact your
    partner X")."""
    if kind == "reduce":
        return t.npgettext(
            "bill_urgent_reduce",
            "Reduce {product} by {by}: {n} seat, {amount} per month; after that day the 7-day window is shut.",
            "Reduce {product} by {by}: {n} seats, {amount} per month; after that day the 7-day window is shut.",
            n,
            **values,
        )
    if kind == "cancel":
        return t.npgettext(
            "bill_urgent_cancel",
            "Cancel {product} by {by}: {n} seat, {amount} per month; after that day the 7-day window is shut.",
            "Cancel {product} by {by}: {n} seats, {amount} per month; after that day the 7-day window is shut.",
            n,
            **values,
        )
    if kind == "contact_partner":
        return t.npgettext(
            "bill_urgent_partner",
            "Ask your partner to reduce {product} by {by}: {n} seat, {amount} "
            "per month; after that day the 7-day window is shut.",
            "Ask your partner to reduce "
            "{product} by {by}: {n} seats, {amount} per month; after that day the 7-day window is shut.",
            n,
            **values,
        )
    return t.npgettext(
        "bill_urgent_named",
        "{action} {product} by {by}: {n} seat, {amount} per month; after that day the 7-day window is shut.",
        "{action} {product} by {by}: {n} seats, {amount} per month; after that day the 7-day window is shut.",
        n,
        **values,
    )


def amount_text(t: i18n.Translations, action: BillAction, currency: str | None) -> str:
    """An action's amount a month, or that it is not known (the product has no price: never 0.00)."""
    if not action.priced:
        return t.pgettext("bill_amount_unknown", "an amount not known (no price)")
    return i18n.format_money(action.monthly_saving, currency, t.locale)


def uplift_text(t: i18n.Translations, uplift: object) -> str:
    """The premium an amount holds over the policy's catalog price, said beside it ("" for none)."""
    texts = {
        "monthly_billing": lambda: t.pgettext(
            "bill_uplift_monthly_billing", "annual term billed monthly: the catalog price plus about 5%"
        ),
        "est": lambda: t.pgettext("bill_uplift_est", "Extended Service Term: the catalog price plus about 3 %"),
        "est_no_monthly_term": lambda: t.pgettext(
            "bill_uplift_est_no_monthly_term",
            "Extended Service Term of a product without a monthly term: the catalog price plus about 23 %",
        ),
    }
    text = texts.get(str(uplift))
    return text() if text is not None else ""


def urgent_line(t: i18n.Translations, action: BillAction, currency: str | None) -> str:
    """One action whose 7-day window closes within URGENT_DAYS days, as a sentence: the product by its
    name (the subscription's id is in the bill's table and report.json)."""
    locale = t.locale
    kind = action.action
    return _urgent_sentence(
        t,
        kind,
        action.seats,
        action=action_label(t, kind),
        product=product_name(action.sku),
        by=i18n.format_date(str(action.by), locale),
        amount=amount_text(t, action, currency),
    )


def locking_line(t: i18n.Translations, action: BillAction, currency: str | None) -> str:
    """A reduction scheduled for a renewal whose lock (about 24 hours before it) comes within
    URGENT_DAYS days, as a sentence: after `by` the seats stay for another term. Through a partner
    the admin asks the partner, in time for the partner to schedule it before the lock."""
    locale = t.locale
    seats = action.seats
    values = {
        "product": product_name(action.sku),
        "by": i18n.format_date(str(action.by), locale),
        "amount": amount_text(t, action, currency),
    }
    if action.action == "contact_partner":
        return t.npgettext(
            "bill_locking_partner",
            "Ask your partner to reduce {product} for its renewal by {by}: {n} seat, {amount} "
            "per month; the subscription locks about 24 hours before it renews, so ask in time for your partner to "
            "schedule it before then, or the seats stay for another term.",
            "Ask your partner to reduce {product} for its renewal by {by}: {n} seats, {amount} per month; the "
            "subscription locks about 24 hours before it renews, so ask in time for your partner to schedule it "
            "before then, or the seats stay for another term.",
            seats,
            **values,
        )
    return t.npgettext(
        "bill_locking",
        "Reduce {product} for its renewal by {by}: {n} seat, {amount} per month; the subscription "
        "locks about 24 hours before it renews, and then the seats stay for another term.",
        "Reduce {product} for its renewal by {by}: {n} seats, {amount} per month; the subscription locks about "
        "24 hours before it renews, and then the seats stay for another term.",
        seats,
        **values,
    )


def _closing_lines(
    t: i18n.Translations, bill: Bill, today: date, currency: str | None, window_days: int = URGENT_DAYS
) -> list[str]:
    """The 7-day windows that shut within `window_days` days, then the renewals that lock within
    URGENT_DAYS days, then the subscriptions the plan needs that end soon with auto-renew off (their
    reason says the date, the seats and what to do, in the product's name)."""
    return [
        *(urgent_line(t, a, currency) for a in urgent(bill.actions, today, window_days)),
        *(locking_line(t, a, currency) for a in locking(bill.actions, today, URGENT_DAYS)),
        *(f"{product_name(a.sku)}: {_text(a.reason, 600)}" for a in ending(bill.actions)),
    ]


def document_currency(document: ReportDocument) -> str | None:
    """The report's currency (its summary's money, else the first priced product's)."""
    summary = document.summary
    for money in (summary.reclaimable_monthly_cost, summary.unused_monthly_cost):
        if money is not None and money.currency:
            return money.currency
    return next((r.currency for r in document.skus if r.currency), None)


def reaches_line(t: i18n.Translations, bill: Bill, currency: str | None) -> str:
    """What of the saving reaches the bill: now, by the last documented date within a year, and on
    dates not known (no billing row)."""
    locale = t.locale
    today = bill.as_of
    now = later = unknown = 0.0
    last = ""
    for a in bill.actions:
        saving = a.monthly_saving
        if saving <= 0:
            continue
        when = a.saving_from or ""
        if a.confidence != "documented" or not when:
            unknown += saving
        elif when <= today:
            now += saving
        else:
            later += saving
            last = max(last, when)
    return t.pgettext(
        "bill_reaches",
        "Reaches the bill: {now} per month now, {later} more by {last}, and {unknown} on dates not "
        "known (no billing row).",
        now=i18n.format_money(now, currency, locale),
        later=i18n.format_money(later, currency, locale),
        last=i18n.format_date(last, locale) if last else "–",
        unknown=i18n.format_money(unknown, currency, locale),
    )


def urgent_lines(document: ReportDocument, locale: Locale, *, window_days: int = URGENT_DAYS) -> list[str]:
    """The report's (audit --billing) actions whose 7-day window closes within `window_days` days, or
    whose renewal locks within URGENT_DAYS days, as sentences for the notification and the e-mail."""
    bill = document.bill_or_none
    if bill is None or not bill.as_of:
        return []
    today, currency = date.fromisoformat(bill.as_of), document_currency(document)
    return _closing_lines(i18n.translations(locale), bill, today, currency, window_days)


def _leave_line(t: i18n.Translations, step: Leave, currency: str | None) -> str:
    """_day_line, and the premium over the catalog price its amount holds, beside it."""
    note = uplift_text(t, step.uplift or None)
    return f"{_day_line(t, step, currency)}; {note}" if note else _day_line(t, step, currency)


def _day_line(t: i18n.Translations, step: Leave, currency: str | None) -> str:
    """One day of money.bill.leaves as a line: "From Dec 1, 2026: −€67.50 a month (Microsoft 365
    E3, 2 seats)"; a purchase adds to the invoice, a day not known says so."""
    locale = t.locale
    monthly, seats, day = step.monthly, step.seats, step.from_
    values = {"amount": i18n.format_money(abs(monthly), currency, locale), "product": product_name(step.sku)}
    if monthly < 0:
        return t.npgettext(
            "bill_joins",
            "From {date}: +{amount} a month ({product}, {n} seat bought)",
            "From {date}: +{amount} a month ({product}, {n} seats bought)",
            seats,
            date=i18n.format_date(str(day), locale) if day else "–",
            **values,
        )
    if not day:
        return t.npgettext(
            "bill_leaves_unknown",
            "On a date not known: −{amount} a month ({product}, {n} seat)",
            "On a date not known: −{amount} a month ({product}, {n} seats)",
            seats,
            **values,
        )
    return t.npgettext(
        "bill_leaves",
        "From {date}: −{amount} a month ({product}, {n} seat)",
        "From {date}: −{amount} a month ({product}, {n} seats)",
        seats,
        date=i18n.format_date(str(day), locale),
        **values,
    )


def _month_lines(
    t: i18n.Translations,
    bill: Bill,
    money_: Money | None,
    currency: str | None,
    *,
    digest: bool = False,
) -> tuple[str, list[str]]:
    """The spend today and after the plan's changes ("" without prices), and what leaves the
    invoice day by day: report.json's money.bill (auditor.plan.money.bill_money) of `bill`."""
    spend = money_.spend_monthly if money_ is not None else None
    figures = bill_money(bill, spend)
    after = figures.spend_after_monthly
    days = [_leave_line(t, step, currency) for step in figures.leaves]
    if spend is None or after is None:
        return "", days
    amounts = {
        "today": i18n.format_money(spend, currency, t.locale),
        "after": i18n.format_money(after, currency, t.locale),
    }
    sentence = t.pgettext(
        "bill_spend", "Today the licenses cost {today} a month; after the plan's changes, {after} a month.", **amounts
    )
    if digest:  # under the digest's own "Your bill" heading: the report says why it differs from the plan's
        return sentence, days
    return " ".join([sentence, *_not_the_plans(t, money_, figures.lowers_monthly, currency)]), days


def _not_the_plans(t: i18n.Translations, money_: Money | None, lowers: float | None, currency: str | None) -> list[str]:
    """Why the bill goes down by another amount than the plan's changes free, in words (docs/money.md);
    nothing when the two agree."""
    net = money_.plan.net_monthly if money_ is not None else None
    if net is None or lowers is None or round(net - lowers, 2) == 0:
        return []
    amount = i18n.format_money(abs(net), currency, t.locale)
    plan = (
        t.pgettext("bill_plan_frees", "The plan's changes free licenses worth {amount} a month.", amount=amount)
        if net >= 0
        else t.pgettext(
            "bill_plan_takes", "The plan's changes take licenses worth {amount} a month more.", amount=amount
        )
    )
    return [
        plan,
        t.pgettext(
            "bill_not_the_plans",
            "The bill changes by a different amount than the licenses freed: the tables below show why, per product.",
        ),
    ]


def digest_lines(document: ReportDocument, locale: Locale) -> list[str]:
    """The bill's lines for the e-mail digest (audit with billing facts), under its own heading:
    each 7-day window still open (a partner's among them: the e-mail may be read days later) and each
    renewal about to lock, then the bill a month after the
    plan's changes, and the days on which money leaves or joins it, the largest amounts first
    (DIGEST_BILL_LINES of them, then how many more); none without a bill."""
    bill = document.bill_or_none
    if bill is None or not bill.actions:
        return []
    t = i18n.translations(locale)
    currency = document_currency(document)
    money_ = document.money
    if not isinstance(money_, Money):  # a report without a money story to open with (a merged one)
        return [reaches_line(t, bill, currency), *urgent_lines(document, locale, window_days=OPEN_WINDOW_DAYS)]
    sentence, _ = _month_lines(t, bill, money_, currency, digest=True)
    steps = bill_money(bill, money_.spend_monthly).leaves
    # the largest lines first: a purchase as much as a reduction (its amount, whatever its sign)
    days = [_leave_line(t, step, currency) for step in sorted(steps, key=lambda s: -abs(s.monthly))]
    more = len(days) - DIGEST_BILL_LINES
    tail = (
        [
            t.npgettext(
                "bill_more_days",
                "…and {n} more date: see Your bill in the report.",
                "…and {n} more dates: see Your bill in the report.",
                more,
            )
        ]
        if more > 0
        else []
    )
    head = [sentence] if sentence else []
    return [*urgent_lines(document, locale, window_days=OPEN_WINDOW_DAYS), *head, *days[:DIGEST_BILL_LINES], *tail]


def sources_line(t: i18n.Translations, bill: Bill) -> str:
    """What each billing source gave the bill: the subscriptions whose channel came from the billing
    account, Partner Center and the billing file, and how many have no billing facts (their
    windows and days are not known), so that two runs with another --billing-source can be told
    apart; "" without subscriptions."""
    counts: dict[str, int] = {}
    for a in bill.actions:
        if a.subscription:
            source = str(a.sources.get("channel") or "unknown")
            counts[source] = counts.get(source, 0) + 1
    if not counts:
        return ""
    labels = {
        "billing-account": t.pgettext("bill_source_billing_account", "the billing account"),
        "partner-center": t.pgettext("bill_source_partner_center", "Partner Center"),
        "file": t.pgettext("bill_source_file", "the billing file"),
        "distributor": t.pgettext("bill_source_distributor", "the distributor"),
    }
    given = [f"{labels.get(k, k)}: {i18n.format_number(n, t.locale)}" for k, n in sorted(counts.items()) if k in labels]
    unknown = counts.get("unknown", 0)
    line = t.npgettext(
        "bill_sources",
        "Subscriptions with billing facts, by source: {given}; without: {n}.",  # their rows say what is not known
        "Subscriptions with billing facts, by source: {given}; without: {n}.",
        unknown,
        given=i18n.format_list(given, t.locale) if given else "–",
    )
    return " ".join([line, *_distributor_dates(t, bill)])


def _distributor_dates(t: i18n.Translations, bill: Bill) -> list[str]:
    """The sentence naming the products whose renewal is the distributor's commitment term end
    (no billing account or Partner Center date for them: docs/bill.md, "The distributor's dates")."""
    named = sorted(
        {product_name(a.sku) for a in bill.actions if a.subscription and a.sources.get("renewal") == "distributor"}
    )
    if not named:
        return []
    return [
        t.pgettext(
            "bill_distributor_dates",
            "The renewal of {products} is the end of the distributor's commitment term: neither the billing "
            "account nor Partner Center gives it.",
            products=i18n.format_list(named, t.locale),
        )
    ]


def unscheduled_lines(t: i18n.Translations, bill: Bill) -> list[str]:
    """Each product whose surplus no window takes now (bill.products[].unscheduled), and why: its
    Extended Service Term fixes its seats, or no 7-day window is open for them (the next plan
    schedules them)."""
    out = []
    for p in bill.products:
        n = p.unscheduled or 0
        if n <= 0:
            continue
        windows = {a.window for a in bill.actions if a.sku == p.sku}
        values = {"product": product_name(p.sku)}
        if "est" in windows:
            out.append(
                t.npgettext(
                    "bill_unscheduled_est",
                    "{product}: {n} more seat is not scheduled: an Extended Service Term fixes the seats, so "
                    "renew it to a new term with fewer seats, or cancel it.",
                    "{product}: {n} more seats are not scheduled: an Extended Service Term fixes the seats, so "
                    "renew it to a new term with fewer seats, or cancel it.",
                    n,
                    **values,
                )
            )
            continue
        out.append(
            t.npgettext(
                "bill_unscheduled",
                "{product}: {n} more seat is not scheduled: no window to remove it is open today (only within "
                "7 days of a purchase, renewal or seat addition, and only the seats added then); the next plan "
                "schedules it.",
                "{product}: {n} more seats are not scheduled: no window to remove them is open today (only "
                "within 7 days of a purchase, renewal or seat addition, and only the seats added then); the next "
                "plan schedules them.",
                n,
                **values,
            )
        )
    return out


def _saving_cell(t: i18n.Translations, action: BillAction, currency: str | None) -> str:
    """The table's amount a month, and the premium over the catalog price it holds beside it ("€59.01
    (annual term billed monthly: the catalog price plus about 5%)"); not known without a price."""
    if not action.priced:
        return t.pgettext("bill_not_known", "not known")
    amount = i18n.format_money(action.monthly_saving, currency, t.locale)
    note = uplift_text(t, action.uplift or None)
    return f"{amount} ({note})" if note else amount


def _seats_cell(action: BillAction, locale: Locale) -> str:
    """The seats of a row; a reduction at the renewal also names the total it leaves ("4 (→ 200)"), which
    its reason, said once for the rows that share it, does not."""
    seats = i18n.format_number(action.seats, locale)
    if action.action == "reduce" and action.window == "renewal" and action.to is not None:
        return f"{seats} (→ {i18n.format_number(action.to, locale)})"
    return seats


def bill_view(bill: Bill | None, currency: str | None, locale: Locale, money_: Money | None = None) -> BillView | None:
    """The section's rows; None without a bill. `money_` is report.json's `money` (its spend)."""
    if bill is None:
        return None
    today = date.fromisoformat(bill.as_of or date.today().isoformat())
    t = i18n.translations(locale)

    def day(value: object) -> str:
        return i18n.format_date(value, locale) if isinstance(value, str) and value else "–"

    def money(value: object) -> str:
        return i18n.format_money(float(value), currency, locale) if isinstance(value, int | float) else "–"

    rows = tuple(
        BillRow(
            product=product_name(a.sku),
            action=action_label(t, a.action),
            seats=_seats_cell(a, locale),
            window=window_label(t, a.window),
            by=day(a.by) if a.action != "none" else "–",  # nothing to do has no deadline (native review 7, E12)
            saving=_saving_cell(t, a, currency),
            # a window not known: the day the seats leave is not known either (money.bill.leaves' null)
            saving_from=day(a.saving_from) if a.window != "unknown" else t.pgettext("bill_not_known", "not known"),
            reason=_text(a.reason, 600),
        )
        for a in bill.actions
        if a.action != "none" or a.seats
    )
    rows, notes = _shared_reasons(rows)
    products = tuple(
        ProductRow(
            product_name(p.sku),
            *(i18n.format_number(n, locale) for n in (p.purchased, p.assigned_after, p.spare, p.surplus)),
        )
        for p in bill.products
    )
    totals = t.pgettext(
        "bill_totals",
        "Leaves the bill now: {now} per month. Within a year: {year} per month. The rest of the "
        "plan's saving stays on the bill until the subscriptions are reduced.",
        now=money(bill.monthly_saving_now or 0.0),
        year=money(bill.monthly_saving_within_year or 0.0),
    )
    # what leaves the invoice on which day is the table's (From, Saves per month): said once, there
    spend, _ = _month_lines(t, bill, money_, currency)
    return BillView(
        title=t.pgettext("bill_title", "Your bill"),
        totals=totals,
        spend=spend,
        reaches=reaches_line(t, bill, currency),
        waits=waiting_line(money_, locale) if money_ is not None else "",
        sources=sources_line(t, bill),
        unscheduled=tuple(unscheduled_lines(t, bill)),
        urgent=tuple(_closing_lines(t, bill, today, currency)),
        products=products,
        credits=tuple(credit_lines(t, bill)),
        rows=rows,
        notes=notes,
        headers=(
            t.pgettext("product", "Product"),
            t.pgettext("bill_action", "Action"),
            t.pgettext("bill_seats", "Seats"),
            t.pgettext("bill_window", "Window"),
            t.pgettext("bill_by", "Do it by"),
            t.pgettext("bill_saving", "Saves per month"),
            t.pgettext("bill_saving_from", "From"),
            t.pgettext("bill_reason", "Why"),
        ),
        product_headers=(
            t.pgettext("product", "Product"),
            t.pgettext("bill_purchased", "Purchased"),
            t.pgettext("bill_assigned_after", "Assigned after the plan"),
            t.pgettext("bill_spare", "Spare to keep"),
            t.pgettext("bill_surplus", "Surplus"),
        ),
    )
