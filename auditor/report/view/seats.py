"""The seats part of the report view: one row per product, with its seats, price and state."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

import msgspec

from auditor import i18n
from auditor.billing.current_prices import BILLING_FILE
from auditor.formats import report_model
from auditor.i18n.formatting import MINUS
from auditor.render.text import clean
from auditor.report.view.context import NAME_LIMIT, RenderContext
from auditor.vendors.registry import NAMES

SEAT_CAP = 200  # products shown; report.json has them all


class SeatRow(msgspec.Struct, frozen=True):
    """A product's row in the report's seat table (the plan's own table is auditor.formats.plan_records)."""

    sku: str
    status: str
    enabled: str
    consumed: str
    unused: str
    usage_text: str
    used_pct: int
    free_pct: int
    over: bool
    price: str
    unused_cost: str
    warning: str  # in the grace period before suspension (still usable)
    suspended: str
    locked_out: str
    price_moved: str = ""  # the price cell where the policy's price is older than the one read at the run


def build_seats(ctx: RenderContext, skus: Sequence[report_model.SeatRow]) -> tuple[tuple[SeatRow, ...], str]:
    """The rows of at most SEAT_CAP products, and the line saying how many more report.json lists."""
    rows = []
    shown = skus[:SEAT_CAP]
    named = Counter(_product_name(sku) for sku in shown)
    for sku in shown:
        enabled = sku.usable
        consumed = sku.consumed
        used_pct = 100 if consumed > enabled or (enabled == 0 and consumed > 0) else 0
        if enabled > 0 and consumed <= enabled:
            used_pct = round(consumed * 100 / enabled)
        price = sku.price_monthly
        moved = ""
        if sku.free:
            price_text = unused_text = ctx.t.pgettext("seats_free", "Free")
        else:
            moved = moved_price(ctx, sku)
            price_text = moved or ctx.money(price, sku.currency)
            unused_text = ctx.money(sku.unused_monthly_cost, sku.currency)
        rows.append(
            SeatRow(
                sku=clean(_product_label(sku, named), NAME_LIMIT),
                status=clean(subscription_state(ctx.t, str(sku.capability_status or "")), 80),
                enabled=ctx.num(sku.enabled),
                consumed=ctx.num(consumed),
                unused=ctx.num(sku.unused).replace("-", MINUS),  # "−3" as the amounts write it (native review 7)
                usage_text=usage_text(ctx.t, ctx.num, consumed, enabled),
                used_pct=used_pct,
                free_pct=100 - used_pct,
                over=consumed > enabled,
                price=price_text,
                unused_cost=unused_text,
                # the lifecycle columns (shown when some product has such seats) leave a product with none
                # blank: the exception stands out, and no column of zeros is read out (the 6,000 words)
                warning=ctx.num(sku.warning) if sku.warning else "",
                suspended=ctx.num(sku.suspended) if sku.suspended else "",
                locked_out=ctx.num(sku.locked_out) if sku.locked_out else "",
                price_moved=moved,
            )
        )
    more = len(skus) - len(rows)
    if more <= 0:
        return tuple(rows), ""
    return tuple(rows), ctx.t.npgettext(
        "seats_more", "{n} more product is listed in report.json.", "{n} more products are listed in report.json.", more
    )


def moved_price(ctx: RenderContext, sku: report_model.SeatRow) -> str:
    """The price cell of a product whose policy price is older than the one read at the run
    (auditor.billing.current_prices): the price used, its source, and the policy's; "" for any other."""
    policy, source = sku.policy_price_monthly, sku.price_source
    if not isinstance(policy, int | float) or not isinstance(source, str) or not source:
        return ""
    t = ctx.t
    if source == BILLING_FILE:
        named = t.pgettext("price_source_billing_file", "the billing file's price")
    else:
        named = t.pgettext("price_source_distributor", "{distributor}'s price", distributor=NAMES.get(source, source))
    return t.pgettext(
        "seats_price_moved",
        "{price}, {source} (the policy's {policy} is older)",
        price=ctx.money(sku.price_monthly, sku.currency),
        source=named,
        policy=ctx.money(policy, sku.currency),
    )


def usage_text(t: i18n.Translations, num: Callable[[int], str], used: int, usable: int) -> str:
    """The seats in use of the usable ones ("9 of 10"), as a bar's or a trend's caption; more in use than
    can be assigned is said so, never "9 of 6" (native review 7, E1)."""
    if used > usable:
        return t.npgettext(
            "seats_usage_over",
            "{used} in use, more than the {n} that can be assigned",
            "{used} in use, more than the {n} that can be assigned",
            usable,
            used=num(used),
        )
    return t.pgettext("seats_usage_of", "{used} of {total}", used=num(used), total=num(usable))


def has_lifecycle_seats(skus: Sequence[report_model.SeatRow]) -> bool:
    """Whether some product has seats in grace, suspended or locked out (the table then shows those columns)."""
    return any(s.warning or s.suspended or s.locked_out for s in skus)


def subscription_state(t: i18n.Translations, value: str) -> str:
    """A product's subscription state as the Microsoft 365 admin center names it, with Graph's
    capabilityStatus beside it where it is not simply active: "Active", "Expired (Warning)",
    "Disabled (Suspended)". The wording names the states alike (word.state.* in its catalogs)."""
    names = {
        "enabled": t.pgettext("state_enabled", "Active"),
        "warning": t.pgettext("state_warning", "Expired"),
        "suspended": t.pgettext("state_suspended", "Disabled"),
        "lockedout": t.pgettext("state_lockedout", "Disabled"),
        "deleted": t.pgettext("state_deleted", "Deleted"),
    }
    name = names.get(value.lower())
    if name is None:
        return value  # a value Graph may add later: shown as Graph gives it
    # Graph's value in the report's words, as the seats table's columns say them ("Suspended")
    beside = {
        "warning": t.pgettext("state_value_warning", "Warning"),
        "suspended": t.pgettext("state_value_suspended", "Suspended"),
        "lockedout": t.pgettext("state_value_lockedout", "LockedOut"),
    }.get(value.lower(), value)
    return name if value.lower() == "enabled" else f"{name} ({beside})"


def _product_name(sku: report_model.SeatRow) -> str:
    return str(sku.name or sku.sku or "")


def _product_label(sku: report_model.SeatRow, named: Counter[str]) -> str:
    """The product as people know it (report.json and findings.csv keep the part number); the part
    number beside the name only when two rows of the table share that name."""
    part, name = str(sku.sku or ""), _product_name(sku)
    return f"{name} ({part})" if named[name] > 1 and name != part else name


def in_use_line(t: i18n.Translations, num: Callable[[int], str], product: str, sku: report_model.SeatRow) -> str:
    """A product's line of the closing summary ("Microsoft 365 E3: 203 of 204 in use"), in the report, the
    digest and the customer's license list alike. When more are assigned than can be assigned (Visio Plan 2
    in the demo: 9 assigned, 6 in their grace period, 5 suspended), the line says why instead of "9 of 6":
    the subscription has expired (its seats are in the grace period), or simply more than can be assigned."""
    used, usable = sku.consumed, sku.usable
    if used <= usable:
        return t.pgettext(
            "in_use_line", "{product}: {used} of {total} in use", product=product, used=num(used), total=num(usable)
        )
    if sku.warning and sku.suspended:
        # the suspended seats are a count of their own: "1 avstängd", "5 avstängda" (native review 7, sv)
        suspended = t.npgettext("in_use_suspended", "{n} suspended", "{n} suspended", sku.suspended)
        return t.npgettext(
            "in_use_expired_suspended",
            "{product}: {used} in use; the subscription has expired ({n} license in the grace period, {suspended})",
            "{product}: {used} in use; the subscription has expired ({n} licenses in the grace period, {suspended})",
            sku.warning,
            product=product,
            used=num(used),
            suspended=suspended,
        )
    if sku.warning:
        return t.npgettext(
            "in_use_expired",
            "{product}: {used} in use; the subscription has expired ({n} license in the grace period)",
            "{product}: {used} in use; the subscription has expired ({n} licenses in the grace period)",
            sku.warning,
            product=product,
            used=num(used),
        )
    return t.npgettext(
        "in_use_over",
        "{product}: {used} in use, more than the {n} license that can be assigned",
        "{product}: {used} in use, more than the {n} licenses that can be assigned",
        usable,
        product=product,
        used=num(used),
    )


def in_use_lines(ctx: RenderContext, skus: Sequence[report_model.SeatRow]) -> tuple[str, ...]:
    """The summary the report and the digest end with, a line per product the tenant has seats of or
    assigns ("Microsoft 365 Business Premium: 9 of 10 in use"): in use is Graph's consumedUnits, of
    the usable seats, as the seat table counts them: prepaidUnits.enabled plus the seats in their grace
    period (prepaidUnits.warning), which stay usable until the subscription is disabled. The lines' uses
    add up to the tenant's consumedUnits."""
    shown = [s for s in skus[:SEAT_CAP] if s.consumed or s.usable]
    named = Counter(_product_name(sku) for sku in shown)
    return tuple(in_use_line(ctx.t, ctx.num, clean(_product_label(sku, named), NAME_LIMIT), sku) for sku in shown)
