"""migration.json: the plan as the issue's contract gives it (schema_version 1; docs/migration.md).

Dates are ISO (YYYY-MM-DD); sentences (blockers, notes, unknowns) are in the run's language,
each with its code, which is the stable key."""

from __future__ import annotations

from datetime import date
from functools import cache

from msgspec import Struct

from auditor.data.model import Locale
from auditor.formats.bill_model import BillAction

from .facts import BY_ID
from .records import ADDON_NAME, MigrationPlan, Reason, Removal, UserPlan
from .texts import say

SCHEMA_VERSION = 1


class ReasonJson(Struct, frozen=True, kw_only=True):
    """A blocker, a note: its code (the stable key) and its sentence in the run's language."""

    code: str
    text: str


class RemovalJson(Struct, frozen=True, kw_only=True):
    """A source product to remove: directly, or through the groups that give it (display names)."""

    sku: str
    direct: bool
    groups: tuple[str, ...]


class UserJson(Struct, frozen=True, kw_only=True):
    """One user's move (docs/migration.md)."""

    source: str
    target: str
    batch: str
    complete_by: str | None
    source_products: tuple[str, ...]
    products: tuple[str, ...]
    addon: bool
    shared_mailbox: bool
    blockers: tuple[ReasonJson, ...]
    notes: tuple[ReasonJson, ...]
    target_license_from: str | None
    target_license_by: str | None
    source_remove_after: str | None
    source_removals: tuple[RemovalJson, ...]


class TenantJson(Struct, frozen=True, kw_only=True):
    tenant: str
    name: str
    cloud: str


class SummaryJson(Struct, frozen=True, kw_only=True):
    users: int
    moving: int
    blocked: int


class PurchaseJson(Struct, frozen=True, kw_only=True):
    """Licenses to buy in the target before the first user of a product moves."""

    sku: str
    needed: int
    free_in_target: int
    buy: int
    buy_by: str | None
    new_subscription: bool


class AddonJson(Struct, frozen=True, kw_only=True):
    """The cross-tenant add-on each moving user needs (ADDON_NAME)."""

    sku: str | None
    product: str
    count: int
    free: int
    buy: int
    assign_on: str
    buy_by: str | None


class OverlapProductJson(Struct, frozen=True, kw_only=True, rename={"from_": "from"}):
    sku: str
    seats: int
    from_: str | None
    until: str | None
    days: int | None
    amount: float | None
    currency: str | None
    confidence: str


class OverlapJson(Struct, frozen=True, kw_only=True):
    """What paying for the same people in both tenants costs while they overlap."""

    seats: int
    days: int | None
    amount: float | None
    currency: str | None
    confidence: str
    products: list[OverlapProductJson] = []


class FactJson(Struct, frozen=True, kw_only=True):
    id: str
    source: str


class MigrationDocument(Struct, kw_only=True):
    """migration.json, whole, in the order `migrate` writes it; `audit --migration` decodes it at its border
    (auditor.migration.headline.read_migration). Lists an older file may lack default to empty."""

    schema_version: int
    generated_at: str
    as_of: str
    locale: str
    cutover: str
    source: TenantJson
    target: TenantJson
    summary: SummaryJson
    purchases: list[PurchaseJson] = []
    addons: list[AddonJson] = []
    users: list[UserJson] = []
    source_actions: list[BillAction] = []
    overlap: OverlapJson | None = None
    unknowns: list[str] = []
    unknown_codes: list[str] = []
    facts: list[FactJson] = []


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


@cache  # users share their reasons and removals: each is written once, and the document holds it once
def _reasons(reasons: tuple[Reason, ...], locale: Locale) -> tuple[ReasonJson, ...]:
    return tuple(ReasonJson(code=r.code, text=say(r, locale)) for r in reasons)


@cache
def _removals(removals: tuple[Removal, ...]) -> tuple[RemovalJson, ...]:
    return tuple(RemovalJson(sku=r.sku, direct=r.direct, groups=r.groups) for r in removals)


def user_json(u: UserPlan, locale: Locale) -> UserJson:
    return UserJson(
        source=u.source,
        target=u.target,
        batch=u.batch,
        complete_by=_day(u.complete_by),
        source_products=u.source_products,
        products=u.products,
        addon=u.addon,
        shared_mailbox=u.shared,
        blockers=_reasons(u.blockers, locale),
        notes=_reasons(u.notes, locale),
        target_license_from=_day(u.target_license_from),
        target_license_by=_day(u.target_license_by),
        source_remove_after=_day(u.source_remove_after),
        source_removals=_removals(u.removals),
    )


def build_document(plan: MigrationPlan, locale: Locale, generated_at: str) -> MigrationDocument:
    blocked = plan.blocked
    return MigrationDocument(
        schema_version=SCHEMA_VERSION,
        generated_at=generated_at,
        as_of=plan.as_of,
        locale=locale.value,
        cutover=plan.cutover.isoformat(),
        source=TenantJson(tenant=plan.source.id, name=plan.source.name, cloud=plan.source.cloud),
        target=TenantJson(tenant=plan.target.id, name=plan.target.name, cloud=plan.target.cloud),
        summary=SummaryJson(users=len(plan.users), moving=len(plan.users) - blocked, blocked=blocked),
        purchases=[
            PurchaseJson(
                sku=p.sku,
                needed=p.needed,
                free_in_target=p.free_in_target,
                buy=p.buy,
                buy_by=_day(p.buy_by),
                new_subscription=p.new_subscription,
            )
            for p in plan.purchases
        ],
        addons=[
            AddonJson(
                sku=a.sku,
                product=ADDON_NAME,
                count=a.count,
                free=a.free,
                buy=max(0, a.count - a.free),
                assign_on=a.assign_on,
                buy_by=_day(a.buy_by),
            )
            for a in plan.addons
        ],
        users=[user_json(u, locale) for u in plan.users],
        source_actions=list(plan.source_actions),
        overlap=OverlapJson(
            seats=plan.overlap.seats,
            days=plan.overlap.days,
            amount=plan.overlap.amount,
            currency=plan.overlap.currency,
            confidence=plan.overlap.confidence,
            products=[
                OverlapProductJson(
                    sku=o.sku,
                    seats=o.seats,
                    from_=_day(o.start),
                    until=_day(o.until),
                    days=o.days,
                    amount=o.amount,
                    currency=o.price[1] if o.price else None,
                    confidence="documented" if o.amount is not None else "unknown",
                )
                for o in plan.overlap.products
            ],
        ),
        unknowns=[say(r, locale) for r in plan.unknowns],
        unknown_codes=[r.code for r in plan.unknowns],
        facts=[FactJson(**BY_ID[f].to_json()) for f in plan.facts],
    )
