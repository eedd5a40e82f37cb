"""The distributor's seats beside the tenant's (report.json's `distributor`, audit --tenants with a
tenants entry's `distributor: {pax8: ...}`; docs/msp.md): a line per finding, under the seats table
of report.html and report.md and in the digest, with the figures report.json and distributor.json hold."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from auditor import i18n
from auditor.render.text import clean
from auditor.report.view.context import NAME_LIMIT, TEXT_LIMIT, RenderContext

DISTRIBUTORS = {"pax8": "Pax8", "sherweb": "Sherweb"}  # the distributors read, by the name they go by


def distributor_title(ctx: RenderContext, section: Mapping[str, Any] | None) -> str:
    """The block's heading ("At the distributor, Pax8"); "" without a distributor."""
    if not isinstance(section, Mapping):
        return ""
    name = DISTRIBUTORS.get(str(section.get("distributor")), str(section.get("distributor") or ""))
    return ctx.t.pgettext("distributor_title", "Seats at the distributor ({distributor})", distributor=clean(name, 40))


def _line(ctx: RenderContext, f: Mapping[str, Any], product: str, msp: bool) -> str:
    kind, n = f.get("kind"), int(f.get("seats") or 0)
    if kind == "billed_more":
        return ctx.t.npgettext(
            "distributor_billed_more",
            "{product}: the distributor bills {billed} seats, {enabled} are enabled in the tenant: {n} seat more "
            "than Microsoft counts.",
            "{product}: the distributor bills {billed} seats, {enabled} are enabled in the tenant: {n} seats more "
            "than Microsoft counts.",
            n,
            product=product,
            billed=ctx.num(int(f.get("billed") or 0)),
            enabled=ctx.num(int(f.get("enabled") or 0)),
        )
    if kind == "billed_fewer":
        return ctx.t.npgettext(
            "distributor_billed_fewer",
            "{product}: the distributor bills {billed} seats, {enabled} are enabled in the tenant: {n} seat fewer "
            "(bought elsewhere, or not billed yet).",
            "{product}: the distributor bills {billed} seats, {enabled} are enabled in the tenant: {n} seats fewer "
            "(bought elsewhere, or not billed yet).",
            n,
            product=product,
            billed=ctx.num(int(f.get("billed") or 0)),
            enabled=ctx.num(int(f.get("enabled") or 0)),
        )
    if kind == "billed_unused":
        if f.get("cost_monthly") is not None and msp:
            return ctx.t.npgettext(
                "distributor_unused_cost",
                "{product}: {n} seat the distributor bills is assigned to nobody: it costs you {cost} per month at "
                "the distributor's cost ({amount} at the customer's price).",
                "{product}: {n} seats the distributor bills are assigned to nobody: they cost you {cost} per month "
                "at the distributor's cost ({amount} at the customer's price).",
                n,
                product=product,
                cost=ctx.money(f.get("cost_monthly"), f.get("currency")),
                amount=ctx.money(f.get("monthly"), f.get("currency")),
            )
        if f.get("monthly") is None:
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
            amount=ctx.money(f.get("monthly"), f.get("currency")),
        )
    if kind == "ambiguous":
        ids = [clean(str(i), NAME_LIMIT) for i in f.get("subscriptions") or []]
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
    if kind == "term_end":
        return ctx.t.pgettext(
            "distributor_term_end",
            "{product}: the commitment term at the distributor ends on {date}; that is the earliest day a lower "
            "seat count can take effect.",
            product=product,
            date=i18n.format_date(str(f.get("date")), ctx.locale),
        )
    return ""


def distributor_lines(ctx: RenderContext, section: Mapping[str, Any] | None) -> tuple[str, ...]:
    """A line per reconciliation finding, product by product, then each product matched by its
    name only, then (unless the report is mailed to the customer) the MSP's month per product and for
    the customer; the reading's error in one line; () without a distributor."""
    if not isinstance(section, Mapping):
        return ()
    if section.get("error"):
        return (
            ctx.t.pgettext(
                "distributor_error",
                "The distributor's seats could not be read: {error}",
                error=clean(str(section["error"]), TEXT_LIMIT),
            ),
        )
    products = section.get("products") or []
    names = {str(p.get("sku")): clean(str(p.get("name") or p.get("sku")), NAME_LIMIT) for p in products}
    msp = not section.get("mailed_to_customer")  # the MSP's cost and margin never go to the customer
    lines = [
        _line(ctx, f, names.get(str(f.get("sku"))) or clean(str(f.get("sku")), NAME_LIMIT), msp)
        for f in section.get("findings") or []
    ]
    lines += [
        ctx.t.pgettext(
            "distributor_by_name",
            "{product}: matched to the distributor's product by its name only: confirm it in the tenants file.",
            product=names[str(p.get("sku"))],
        )
        for p in products
        if p.get("matched_by") == "name"
    ]
    if not lines:
        lines.append(ctx.t.pgettext("distributor_same", "The distributor bills the seats Microsoft counts."))
    if msp:  # then what the seats cost the MSP and bill the customer
        lines += _money_lines(ctx, products, names, section.get("totals") or [])
    return tuple(line for line in lines if line)


def _money_lines(
    ctx: RenderContext, products: Sequence[Mapping[str, Any]], names: Mapping[str, str], totals: Sequence[Any]
) -> list[str]:
    """The MSP's month at the distributor: per product with both prices, what its seats cost (Pax8's
    partnerCost), what the customer is billed (Pax8's price) and the margin; then the customer's."""
    lines = [
        ctx.t.pgettext(
            "distributor_margin_product",
            "{product}: the seats at the distributor cost you {cost} a month and are billed {billed}: a margin of "
            "{margin}.",
            product=names[str(p.get("sku"))],
            cost=ctx.money(p.get("cost_monthly"), p.get("currency")),
            billed=ctx.money(p.get("billed_monthly"), p.get("currency")),
            margin=ctx.money(p.get("margin_monthly"), p.get("currency")),
        )
        for p in products
        if p.get("cost_monthly") is not None and p.get("billed_monthly") is not None
    ]
    lines += [
        ctx.t.pgettext(
            "distributor_margin_customer",
            "This customer at the distributor: the seats cost you {cost} a month and are billed {billed}: a margin "
            "of {margin}.",
            cost=ctx.money(t.get("cost_monthly"), t.get("currency")),
            billed=ctx.money(t.get("billed_monthly"), t.get("currency")),
            margin=ctx.money(t.get("margin_monthly"), t.get("currency")),
        )
        for t in totals
        if isinstance(t, Mapping)
    ]
    return lines
