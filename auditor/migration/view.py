"""The view model of migration.md and migration.html: every value formatted for the locale, so the
templates hold no logic (auditor/render/templates/migration.*.j2)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import TypedDict

from auditor.data.model import Locale

from ..i18n import (
    Translations,
    cloud_name,
    format_date,
    format_datetime,
    format_list,
    format_money,
    format_number,
    translations,
)
from ..plan.bill_view import action_label, window_label
from ..reference import product_names
from ..render.environment import MdSafe
from ..render.text import md_escape
from .facts import BY_ID
from .records import ADDON_NAME, GRACE_DAYS, AddOn, MigrationPlan, Overlap
from .texts import say

SHOWN_USERS = 200  # blocked users listed in the Markdown and HTML; migration-users.csv has every user


class PurchaseRow(TypedDict):
    sku: str
    needed: str
    free: str
    buy: str
    buy_by: str
    new: str


class BatchRow(TypedDict):
    batch: str
    users: str
    complete_by: str
    license_by: str


class BlockedRow(TypedDict):
    source: str
    target: str
    blockers: str


class RemovalRow(TypedDict):
    sku: str
    direct: str
    groups: str
    after: str


class ActionRow(TypedDict):
    subscription: str | None
    sku: str
    action: str
    seats: str
    by: str
    window: str
    owner: str
    reason: str


OverlapRow = TypedDict("OverlapRow", {"sku": str, "seats": str, "from": str, "until": str, "amount": str})


class FactRow(TypedDict):
    text: str
    source: str
    md: MdSafe


class MigrationView(TypedDict):
    """What the templates print (`v`), every value text formatted for the locale."""

    lang: str
    source: str
    target: str
    cutover: str
    generated: str
    summary: str
    purchases: list[PurchaseRow]
    addons: list[str]
    timing: str
    batches: list[BatchRow]
    blocked: list[BlockedRow]
    blocked_more: str
    removals: list[RemovalRow]
    actions: list[ActionRow]
    cancel: str
    overlap: str
    overlap_rows: list[OverlapRow]
    unknowns: list[str]
    facts: list[FactRow]


@dataclass
class _Removal:
    """What leaves the source tenant of one product: direct assignments, the groups, and the earliest date."""

    after: date
    direct: int = 0
    groups: set[str] = field(default_factory=set)


def build_view(plan: MigrationPlan, locale: Locale, generated_at: str) -> MigrationView:
    t = translations(locale)

    def day(value: date | None) -> str:
        return format_date(value, locale) if value is not None else "–"

    yes, no = t.pgettext("migration_yes", "yes"), t.pgettext("migration_no", "no")
    blocked = [u for u in plan.users if u.blocked]
    moving = len(plan.users) - len(blocked)
    batches: dict[tuple[str, date], int] = defaultdict(int)
    for u in plan.users:
        if not u.blocked:
            batches[(u.batch, u.complete_by)] += 1
    removals: dict[str, _Removal] = {}
    for u in plan.users:
        for r in u.removals:
            row = removals.setdefault(r.sku, _Removal(u.complete_by))
            row.direct += r.direct
            row.groups.update(r.groups)
            row.after = min(row.after, u.complete_by)
    overlap = plan.overlap
    if overlap.amount is not None and overlap.currency is not None:
        overlap_text = t.pgettext(
            "migration_overlap",
            "{seats} seats are paid in both tenants for up to {days} days: {amount}.",
            seats=format_number(overlap.seats, locale),
            days=format_number(overlap.days or 0, locale),
            amount=format_money(overlap.amount, overlap.currency, locale),
        )
    elif known := [o.amount for o in overlap.products if o.amount is not None and o.price is not None]:
        overlap_text = t.pgettext(
            "migration_overlap_least",
            "{seats} seats are paid in both tenants until the source tenant's reduction takes effect: at least "
            "{amount}, the total of the products below whose date and price are known.",
            seats=format_number(overlap.seats, locale),
            amount=format_money(round(sum(known), 2), _currency(overlap), locale),
        )
    else:
        overlap_text = t.pgettext(
            "migration_overlap_unknown",
            "{seats} seats are paid in both tenants until the source tenant's "
            "reduction takes effect; the amount is not known (no date or no price).",
            seats=format_number(overlap.seats, locale),
        )
    return {
        "lang": locale.value,
        "source": f"{plan.source.name} ({plan.source.id}, {cloud_name(t, plan.source.cloud)})",
        "target": f"{plan.target.name} ({plan.target.id}, {cloud_name(t, plan.target.cloud)})",
        "cutover": day(plan.cutover),
        "generated": format_datetime(generated_at, locale),
        "summary": t.npgettext("migration_summary", "{n} user moves", "{n} users move", moving)
        + "; "
        + t.npgettext("migration_summary_blocked", "{n} is blocked", "{n} are blocked", len(blocked)),
        "purchases": [
            {
                "sku": _product(p.sku),
                "needed": format_number(p.needed, locale),
                "free": format_number(p.free_in_target, locale),
                "buy": format_number(p.buy, locale),
                "buy_by": day(p.buy_by),
                "new": yes if p.new_subscription else no,
            }
            for p in plan.purchases
        ],
        "addons": [_addon(t, a, locale) for a in plan.addons],
        "timing": t.pgettext(
            "migration_timing",
            "Assign the target tenant's licenses only after each user's move has completed "
            "(an Exchange license assigned earlier makes an empty mailbox and the move fails), and within "
            "{days} days of it.",
            days=format_number(GRACE_DAYS, locale),
        ),
        "batches": [
            {
                "batch": batch or "–",
                "users": format_number(n, locale),
                "complete_by": day(when),
                "license_by": day(date.fromordinal(when.toordinal() + GRACE_DAYS)),
            }
            for (batch, when), n in sorted(batches.items(), key=lambda kv: (kv[0][1], kv[0][0]))
        ],
        "blocked": [
            {"source": u.source, "target": u.target, "blockers": " ".join(say(b, locale) for b in u.blockers)}
            for u in blocked[:SHOWN_USERS]
        ],
        "blocked_more": t.npgettext(
            "migration_more",
            "{n} more in migration-users.csv",
            "{n} more in migration-users.csv",
            len(blocked) - SHOWN_USERS,
        )
        if len(blocked) > SHOWN_USERS
        else "",
        "removals": [
            {
                "sku": _product(sku),
                "direct": format_number(row.direct, locale),
                "groups": format_list(sorted(row.groups), locale) if row.groups else "–",
                "after": day(row.after),
            }
            for sku, row in sorted(removals.items())
        ],
        "actions": [
            {
                "subscription": a.subscription,
                "sku": _product(a.sku),
                "action": action_label(t, a.action),
                "seats": format_number(a.seats, locale),
                "by": day(date.fromisoformat(a.by)) if a.by else "–",
                "window": window_label(t, a.window),
                "owner": _owner(t, a.owner),
                "reason": a.reason or "",
            }
            for a in plan.source_actions
        ],
        "cancel": t.pgettext(
            "migration_cancel",
            "Every assigned seat of a product leaves: its subscription is cancelled, never "
            "deleted (deleting removes SharePoint and OneDrive data at once). A cancelled subscription is expired "
            "for 30 days, then disabled for 90 days, then deleted: its data is gone at the latest 180 days after.",
        )
        if any(a.lifecycle_days for a in plan.source_actions)
        else "",
        "overlap": overlap_text,
        "overlap_rows": [
            {
                "sku": _product(o.sku),
                "seats": format_number(o.seats, locale),
                "from": day(o.start),
                "until": day(o.until),
                "amount": format_money(o.amount, o.price[1], locale) if o.amount is not None and o.price else "–",
            }
            for o in overlap.products
        ],
        "unknowns": [say(r, locale) for r in plan.unknowns],
        # each page once, named by its address (the facts' ids are the plan's own keys, not words)
        "facts": [
            {"text": _address(page), "source": page, "md": MdSafe(f"[{md_escape(_address(page))}]({page})")}
            for page in dict.fromkeys(BY_ID[f].source for f in plan.facts)
        ],
    }


def _product(sku: str) -> str:
    """A product as the report names it: its name in Microsoft's product table, else its part number."""
    return product_names().product(None, sku) or sku


def _currency(overlap: Overlap) -> str | None:
    return overlap.currency or next((o.price[1] for o in overlap.products if o.price is not None), None)


def _address(page: str) -> str:
    """A page's address as a link's text: without the scheme ("learn.microsoft.com/…/buy-licenses")."""
    return page.split("://", 1)[-1]


def _addon(t: Translations, addon: AddOn, locale: Locale) -> str:
    """Rule 2's sentence: the add-on, how many, where it is assigned, when it is bought."""
    values = {
        "product": (product_names().product(None, addon.sku) if addon.sku else None) or ADDON_NAME,
        "count": format_number(addon.count, locale),
        "buy": format_number(max(0, addon.count - addon.free), locale),
        "date": format_date(addon.buy_by, locale),
    }
    if addon.assign_on == "source":
        return t.pgettext(
            "migration_addon_source",
            "Add-on {product}: {count} licenses ({buy} to buy), assigned "
            "to the users in the source tenant, bought by {date}.",
            **values,
        )
    return t.pgettext(
        "migration_addon_target",
        "Add-on {product}: {count} licenses ({buy} to buy), assigned to "
        "the users in the target tenant, bought by {date}.",
        **values,
    )


def _owner(t: Translations, code: str) -> str:
    """Who acts on a source subscription (the bill's owner codes, auditor.billing.windows.Owner)."""
    words = {
        "self": t.pgettext("migration_owner_self", "you"),
        "partner": t.pgettext("migration_owner_partner", "the partner"),
        "vlsc": t.pgettext("migration_owner_vlsc", "the VLSC"),
    }
    return words.get(code, code)
