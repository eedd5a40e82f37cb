"""The three-way table (report.json's `psa`, audit --tenants with a tenants entry's `psa:` block;
docs/msp.md, "The three-way table"): a line per difference, each naming what it costs and whom, under the
seats table of report.html and report.md and in the digest, with the figures report.json and psa.json
hold. Mailed to the customer (`mailed_to_customer`), only the customer's own money is shown, and a PSA
that could not be read is not mentioned: that gap is the MSP's (psa.json, its stderr, the roll-up)."""

from __future__ import annotations

from auditor import i18n
from auditor.billing.psa_records import (
    BilledBelowCost,
    BilledNotHeld,
    CustomerBilledUnheld,
    HeldNotBilled,
    MspPaysUnbilled,
    PsaFinding,
    PsaSection,
    TwoAgreements,
    UnmappedProduct,
)
from auditor.render.text import clean
from auditor.report.view.context import NAME_LIMIT
from auditor.report.view.vendor_rows import LineContext, opening, title


def psa_title(ctx: LineContext, section: PsaSection | None) -> str:
    """The block's heading ("What the customer is billed (<the PSA's name>)"); "" without a PSA."""
    return title(
        None if section is None else section.psa,
        lambda name: ctx.t.pgettext("psa_title", "What the customer is billed ({psa})", psa=name),
    )


def _seats(ctx: LineContext, f: MspPaysUnbilled | CustomerBilledUnheld, product: str) -> str:
    if isinstance(f, MspPaysUnbilled):
        return ctx.t.npgettext(
            "psa_msp_pays_unbilled",
            "{product}: the distributor bills {distributor} seats and the customer is billed for {billed}: you "
            "pay for {n} seat you do not bill, {cost} a month at your price from the distributor ({price} at the "
            "customer's price).",
            "{product}: the distributor bills {distributor} seats and the customer is billed for {billed}: you "
            "pay for {n} seats you do not bill, {cost} a month at your price from the distributor ({price} at the "
            "customer's price).",
            f.seats,
            product=product,
            distributor=ctx.num(f.distributor_billed),
            billed=ctx.num(f.psa_billed),
            cost=ctx.money(f.cost_monthly, f.currency),
            price=ctx.money(f.price_monthly, f.currency),
        )
    return ctx.t.npgettext(
        "psa_customer_billed_unheld",
        "{product}: the customer is billed for {billed} seats, {assigned} assigned: the customer pays {amount} a "
        "month for {n} seat nobody holds.",
        "{product}: the customer is billed for {billed} seats, {assigned} assigned: the customer pays {amount} a "
        "month for {n} seats nobody holds.",
        f.seats,
        product=product,
        billed=ctx.num(f.psa_billed),
        assigned=ctx.num(f.assigned),
        amount=ctx.money(f.monthly, f.currency),
    )


def _held(ctx: LineContext, f: HeldNotBilled, product: str) -> str:
    if f.cost_monthly is not None:
        return ctx.t.npgettext(
            "psa_held_not_billed_cost",
            "{product}: {n} seat is assigned in the tenant and no agreement bills the customer for it; the "
            "distributor bills you {cost} a month for the product.",
            "{product}: {n} seats are assigned in the tenant and no agreement bills the customer for them; the "
            "distributor bills you {cost} a month for the product.",
            f.assigned,
            product=product,
            cost=ctx.money(f.cost_monthly, f.currency),
        )
    return ctx.t.npgettext(
        "psa_held_not_billed",
        "{product}: {n} seat is assigned in the tenant and no agreement bills the customer for it.",
        "{product}: {n} seats are assigned in the tenant and no agreement bills the customer for them.",
        f.assigned,
        product=product,
    )


def _below_cost(ctx: LineContext, f: BilledBelowCost, product: str) -> str:
    """The seat's cost is the distributor's partnerCost, else the PSA's own unit cost (cost_source)."""
    money = {
        "product": product,
        "price": ctx.money(f.unit_price, f.currency),
        "cost": ctx.money(f.cost, f.currency),
        "loss": ctx.money(f.loss_monthly, f.currency),
    }
    if f.cost_source == "distributor":
        return ctx.t.npgettext(
            "psa_billed_below_cost",
            "{product}: the customer is billed {price} a seat, below the {cost} the distributor bills you: "
            "{loss} a month lost on {n} seat.",
            "{product}: the customer is billed {price} a seat, below the {cost} the distributor bills you: "
            "{loss} a month lost on {n} seats.",
            f.seats,
            **money,
        )
    return ctx.t.npgettext(
        "psa_billed_below_cost_psa",
        "{product}: the customer is billed {price} a seat, below the seat's cost of {cost} in the PSA: {loss} a "
        "month lost on {n} seat.",
        "{product}: the customer is billed {price} a seat, below the seat's cost of {cost} in the PSA: {loss} a "
        "month lost on {n} seats.",
        f.seats,
        **money,
    )


def _line(ctx: LineContext, f: PsaFinding, product: str) -> str:
    if isinstance(f, MspPaysUnbilled | CustomerBilledUnheld):
        return _seats(ctx, f, product)
    if isinstance(f, HeldNotBilled):
        return _held(ctx, f, product)
    if isinstance(f, BilledBelowCost):
        return _below_cost(ctx, f, product)
    if isinstance(f, BilledNotHeld):
        return ctx.t.npgettext(
            "psa_billed_not_held",
            "{product}: the customer is billed for {n} seat of a product the tenant does not hold: {amount} a month.",
            "{product}: the customer is billed for {n} seats of a product the tenant does not hold: {amount} a month.",
            f.psa_billed,
            product=product,
            amount=ctx.money(f.monthly, f.currency),
        )
    if isinstance(f, UnmappedProduct):
        return ctx.t.npgettext(
            "psa_unmapped_product",
            "The PSA's product {product} is named in no entry of the tenants file's psa products: its {n} billed "
            "seat is not compared.",
            "The PSA's product {product} is named in no entry of the tenants file's psa products: its {n} billed "
            "seats are not compared.",
            f.psa_billed,
            product=clean(f.product, NAME_LIMIT),
        )
    if isinstance(f, TwoAgreements):
        return ctx.t.pgettext(
            "psa_two_agreements",
            "{product}: more than one agreement bills it ({agreements}): which one is meant is not guessed, and "
            "the product is not compared.",
            product=product,
            agreements=i18n.format_list([clean(a, NAME_LIMIT) for a in f.agreements], ctx.locale),
        )
    return ""


def psa_lines(ctx: LineContext, section: PsaSection | None) -> tuple[str, ...]:
    """A line per difference and gap of the table (mailed to the customer: its own money's only); the
    reading's error in one line (mailed to the customer: none, the gap is the MSP's); () without a PSA."""
    opened = opening(
        section,
        lambda error: ctx.t.pgettext(
            "psa_error", "What the customer is billed could not be read from the PSA: {error}", error=error
        ),
    )
    if opened is not None or section is None:  # (None: opening gave ())
        return opened or ()
    # a product the tenant does not hold has no name of the tenant's: Microsoft's product table names it
    names = {
        p.sku: clean(p.name if p.name and p.name != p.sku else ctx.product_name(p.sku), NAME_LIMIT)
        for p in section.products or []
    }
    lines = [
        _line(ctx, f, names.get(getattr(f, "sku", "")) or clean(ctx.product_name(getattr(f, "sku", "")), NAME_LIMIT))
        for f in section.shown()
    ]
    if not lines and not section.findings:  # mailed to the customer, the MSP's own are left out, not "none"
        lines.append(
            ctx.t.pgettext(
                "psa_same", "The customer is billed for the seats the tenant holds and the distributor bills."
            )
        )
    return tuple(line for line in lines if line)
