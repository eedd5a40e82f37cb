"""The distributor's seats beside the tenant's (report.json's `distributor`, audit --tenants with a
tenants entry's `distributor:` block; docs/msp.md): a line per finding, under the seats table
of report.html and report.md and in the digest, with the figures report.json and distributor.json hold."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from auditor import i18n
from auditor.billing.distributor_records import (
    AmbiguousFinding,
    AmbiguousProductFinding,
    BilledFewer,
    BilledMore,
    DistributorSection,
    Finding,
    ProductRow,
    TermEndFinding,
    Total,
    UnusedFinding,
)
from auditor.render.text import clean
from auditor.report.view.context import NAME_LIMIT
from auditor.report.view.vendor_rows import LineContext, opening, title


def distributor_title(ctx: LineContext, section: DistributorSection | None) -> str:
    """The block's heading ("Seats at the distributor (<its name>)"); "" without a distributor."""
    return title(
        None if section is None else section.distributor,
        lambda name: ctx.t.pgettext("distributor_title", "Seats at the distributor ({distributor})", distributor=name),
    )


def _day_after(value: str) -> str:
    """The ISO day after `value`; a value that is no date stays as it is (shown, not hidden)."""
    try:
        return (date.fromisoformat(value[:10]) + timedelta(days=1)).isoformat()
    except ValueError:
        return value


def _line(ctx: LineContext, f: Finding, product: str, msp: bool) -> str:
    if isinstance(f, BilledMore):
        n = f.seats
        return ctx.t.npgettext(
            "distributor_billed_more",
            "{product}: the distributor bills {billed} seats, {enabled} are enabled in the tenant: {n} seat more "
            "than Microsoft counts.",
            "{product}: the distributor bills {billed} seats, {enabled} are enabled in the tenant: {n} seats more "
            "than Microsoft counts.",
            n,
            product=product,
            billed=ctx.num(f.billed),
            enabled=ctx.num(f.enabled),
        )
    if isinstance(f, BilledFewer):
        n = f.seats
        return ctx.t.npgettext(
            "distributor_billed_fewer",
            "{product}: the distributor bills {billed} seats, {enabled} are enabled in the tenant: {n} seat fewer "
            "(bought elsewhere, or not billed yet).",
            "{product}: the distributor bills {billed} seats, {enabled} are enabled in the tenant: {n} seats fewer "
            "(bought elsewhere, or not billed yet).",
            n,
            product=product,
            billed=ctx.num(f.billed),
            enabled=ctx.num(f.enabled),
        )
    if isinstance(f, UnusedFinding):
        n = f.seats
        if f.cost_monthly is not None and msp:
            return ctx.t.npgettext(
                "distributor_unused_cost",
                "{product}: {n} seat the distributor bills is assigned to nobody: {cost} a month at your price "
                "from the distributor ({amount} at the customer's price).",
                "{product}: {n} seats the distributor bills are assigned to nobody: {cost} a month at your price "
                "from the distributor ({amount} at the customer's price).",
                n,
                product=product,
                cost=ctx.money(f.cost_monthly, f.currency),
                amount=ctx.money(f.monthly, f.currency),
            )
        if f.monthly is None:
            return ctx.t.npgettext(
                "distributor_unused_unpriced",
                "{product}: {n} seat the distributor bills is assigned to nobody.",
                "{product}: {n} seats the distributor bills are assigned to nobody.",
                n,
                product=product,
            )
        return ctx.t.npgettext(
            "distributor_unused",
            "{product}: {n} seat the distributor bills is assigned to nobody: {amount} per month at the "
            "distributor's price.",
            "{product}: {n} seats the distributor bills are assigned to nobody: {amount} per month at the "
            "distributor's price.",
            n,
            product=product,
            amount=ctx.money(f.monthly, f.currency),
        )
    if isinstance(f, AmbiguousFinding) and isinstance(f.microsoft_subscription, str):
        ids = [clean(i, NAME_LIMIT) for i in f.subscriptions]
        return ctx.t.npgettext(
            "distributor_ambiguous_tied",
            "{product}: {n} subscription at the distributor names one Microsoft subscription ({subscription}): "
            "{subscriptions}; which is the one is not guessed, nothing is reduced on it, and the bill takes no "
            "date from it.",
            "{product}: {n} subscriptions at the distributor name one Microsoft subscription ({subscription}): "
            "{subscriptions}; which is the one is not guessed, nothing is reduced on them, and the bill takes no "
            "date from them.",
            len(ids),
            product=product,
            subscription=clean(f.microsoft_subscription, NAME_LIMIT),
            subscriptions=i18n.format_list(ids, ctx.locale),
        )
    if isinstance(f, AmbiguousFinding):
        ids = [clean(i, NAME_LIMIT) for i in f.subscriptions]
        return ctx.t.npgettext(
            "distributor_ambiguous",
            "{product}: {n} subscription at the distributor names no Microsoft subscription ({subscriptions}): "
            "which is which is not guessed, and the bill takes no date from it.",
            "{product}: {n} subscriptions at the distributor name no Microsoft subscription ({subscriptions}): "
            "which is which is not guessed, and the bill takes no date from them.",
            len(ids),
            product=product,
            subscriptions=i18n.format_list(ids, ctx.locale),
        )
    if isinstance(f, AmbiguousProductFinding):
        named = [clean(ctx.product_name(p), NAME_LIMIT) for p in f.products]
        ids = [clean(i, NAME_LIMIT) for i in f.subscriptions]
        return ctx.t.npgettext(
            "distributor_ambiguous_product",
            "{product}: the distributor's product names more than one Microsoft product ({products}): its "
            "subscription ({subscriptions}) is not matched, and the seats of those products are not compared.",
            "{product}: the distributor's product names more than one Microsoft product ({products}): its "
            "subscriptions ({subscriptions}) are not matched, and the seats of those products are not compared.",
            len(ids),
            product=product,
            products=i18n.format_list(named, ctx.locale),
            subscriptions=i18n.format_list(ids, ctx.locale),
        )
    if isinstance(f, TermEndFinding):
        # endDate is the term's last day: a lower count takes effect from the next, the renewal the bill's
        # "From" gives (native review 7, E2: one date, not Mar 17 here and Mar 18 in the bill)
        return ctx.t.pgettext(
            "distributor_term_end",
            "{product}: the commitment term at the distributor ends on {date}; a lower seat count can take effect "
            "from {start}.",
            product=product,
            date=i18n.format_date(f.date, ctx.locale),
            start=i18n.format_date(_day_after(f.date), ctx.locale),
        )
    return ""


# What only the MSP can act on: the tenants file's products map (a subscription or product the reading could
# not match). Mailed to the customer, these lines are left out, as the MSP's cost and margin are.
_MSPS_OWN = (AmbiguousFinding, AmbiguousProductFinding)


def distributor_lines(ctx: LineContext, section: DistributorSection | None) -> tuple[str, ...]:
    """A line per reconciliation finding, product by product, then one for the products matched by
    their names only, then one for the MSP's month, the customer's and per product; mailed to the customer, only
    the lines about its seats (no matching to confirm in the tenants file, no cost or margin); the
    reading's error in one line (mailed to the customer: none, the gap is the MSP's: distributor.json,
    its stderr, the roll-up); () without a distributor."""
    opened = opening(
        section,
        lambda error: ctx.t.pgettext(
            "distributor_error", "The distributor's seats could not be read: {error}", error=error
        ),
    )
    if opened is not None or section is None:  # (None: opening gave ())
        return opened or ()
    products: list[ProductRow] = section.products or []
    names = {p.sku: clean(p.name or p.sku, NAME_LIMIT) for p in products}
    msp = section.mailed_to_customer is not True  # the MSP's cost and margin never go to the customer
    findings: list[Finding] = section.findings or []
    by_name = [p for p in products if p.matched_by == "name"]
    shown = findings if msp else [f for f in findings if not isinstance(f, _MSPS_OWN)]
    lines = [_line(ctx, f, names.get(f.sku) or clean(f.sku, NAME_LIMIT), msp) for f in shown]
    if by_name and msp:  # one line for them all (issue 110: the report within 6,000 words)
        lines.append(
            ctx.t.npgettext(
                "distributor_by_name",
                "Matched to the distributor's product by its name only: {products}; confirm it in the tenants file.",
                "Matched to the distributor's products by their names only: {products}; confirm them in the "
                "tenants file.",
                len(by_name),
                products=i18n.format_list([names[p.sku] for p in by_name], ctx.locale),
            )
        )
    if not findings and not by_name:  # mailed to the customer, the MSP's own are left out, not "the same"
        lines.append(ctx.t.pgettext("distributor_same", "The distributor bills the seats Microsoft counts."))
    if msp:  # then what the seats cost the MSP and bill the customer
        lines += _money_lines(ctx, products, names, section.totals or [])
    return tuple(line for line in lines if line)


def _money_lines(
    ctx: LineContext, products: Sequence[ProductRow], names: Mapping[str, str], totals: Sequence[Total]
) -> list[str]:
    """The MSP's month at the distributor in one line, as the roll-up's cell says it: the customer's, then
    per product with both prices, what its seats cost the MSP, what the customer is billed (the
    distributor's two prices) and the margin (issue 110: a line each made the report over 6,000 words)."""

    def said(cost: float | None, billed: float | None, margin: float | None, currency: str | None) -> str:
        money = {k: ctx.money(v, currency) for k, v in (("cost", cost), ("billed", billed), ("margin", margin))}
        return ctx.t.pgettext("rollup_distributor_money", "cost {cost}, billed {billed}, margin {margin}", **money)

    months = [
        ctx.t.pgettext(
            "distributor_margin_customer",
            "this customer: {money}",
            money=said(t.cost_monthly, t.billed_monthly, t.margin_monthly, t.currency),
        )
        for t in totals
    ]
    months += [
        f"{names[p.sku]}: {said(p.cost_monthly, p.billed_monthly, p.margin_monthly, p.currency)}"
        for p in products
        if p.cost_monthly is not None and p.billed_monthly is not None
    ]
    if not months:
        return []
    return [ctx.t.pgettext("distributor_margins", "Each month at the distributor, {months}.", months="; ".join(months))]
