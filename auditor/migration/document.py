"""migration.json: the plan as the issue's contract gives it (schema_version 1; docs/migration.md).

Dates are ISO (YYYY-MM-DD); sentences (blockers, notes, unknowns) are in the run's language,
each with its code, which is the stable key."""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any

from auditor.data.model import Locale

from .facts import BY_ID
from .records import ADDON_NAME, MigrationPlan, Reason, Removal, UserPlan
from .texts import say

SCHEMA_VERSION = 1


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


@cache  # users share their reasons and removals: each is written once, and the document holds it once
def _reasons(reasons: tuple[Reason, ...], locale: Locale) -> tuple[dict[str, Any], ...]:
    return tuple({"code": r.code, "text": say(r, locale)} for r in reasons)


@cache
def _removals(removals: tuple[Removal, ...]) -> tuple[dict[str, Any], ...]:
    return tuple({"sku": r.sku, "direct": r.direct, "groups": r.groups} for r in removals)


def user_json(u: UserPlan, locale: Locale) -> dict[str, Any]:
    return {
        "source": u.source,
        "target": u.target,
        "batch": u.batch,
        "complete_by": _day(u.complete_by),
        "source_products": u.source_products,
        "products": u.products,
        "addon": u.addon,
        "shared_mailbox": u.shared,
        "blockers": _reasons(u.blockers, locale),
        "notes": _reasons(u.notes, locale),
        "target_license_from": _day(u.target_license_from),
        "target_license_by": _day(u.target_license_by),
        "source_remove_after": _day(u.source_remove_after),
        "source_removals": _removals(u.removals),
    }


def build_document(plan: MigrationPlan, locale: Locale, generated_at: str) -> dict[str, Any]:
    blocked = plan.blocked
    return {
        "schema_version": SCHEMA_VERSION,
        "generated_at": generated_at,
        "as_of": plan.as_of,
        "locale": locale.value,
        "cutover": plan.cutover.isoformat(),
        "source": {"tenant": plan.source.id, "name": plan.source.name, "cloud": plan.source.cloud},
        "target": {"tenant": plan.target.id, "name": plan.target.name, "cloud": plan.target.cloud},
        "summary": {"users": len(plan.users), "moving": len(plan.users) - blocked, "blocked": blocked},
        "purchases": [
            {
                "sku": p.sku,
                "needed": p.needed,
                "free_in_target": p.free_in_target,
                "buy": p.buy,
                "buy_by": _day(p.buy_by),
                "new_subscription": p.new_subscription,
            }
            for p in plan.purchases
        ],
        "addons": [
            {
                "sku": a.sku,
                "product": ADDON_NAME,
                "count": a.count,
                "free": a.free,
                "buy": max(0, a.count - a.free),
                "assign_on": a.assign_on,
                "buy_by": _day(a.buy_by),
            }
            for a in plan.addons
        ],
        "users": [user_json(u, locale) for u in plan.users],
        "source_actions": list(plan.source_actions),
        "overlap": {
            "seats": plan.overlap.seats,
            "days": plan.overlap.days,
            "amount": plan.overlap.amount,
            "currency": plan.overlap.currency,
            "confidence": plan.overlap.confidence,
            "products": [
                {
                    "sku": o.sku,
                    "seats": o.seats,
                    "from": _day(o.start),
                    "until": _day(o.until),
                    "days": o.days,
                    "amount": o.amount,
                    "currency": o.price[1] if o.price else None,
                    "confidence": "documented" if o.amount is not None else "unknown",
                }
                for o in plan.overlap.products
            ],
        },
        "unknowns": [say(r, locale) for r in plan.unknowns],
        "unknown_codes": [r.code for r in plan.unknowns],
        "facts": [BY_ID[f].to_json() for f in plan.facts],
    }
