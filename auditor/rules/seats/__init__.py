"""Rules over the `catalog:` and the seat lifecycle of each product.

catalog: approved products and spare-seat limits; lifecycle: seats in grace or suspended. The order
below is the registry's (the schema and the reports list the rules in it).
"""

from __future__ import annotations

from typing import Any

from ...policy.objects import CatalogEntry, Price
from ...policy.yamlsource import PolicyNode
from .catalog import CatalogRule, SkuNotApproved, SpareSeatsOverLimit, SpareSeatsUnderMinimum, sku_subject
from .lifecycle import LicenseSuspended, LifecycleRule, SeatsInGrace


def parse_catalog(node: PolicyNode) -> tuple[CatalogEntry, ...] | None:
    """The `catalog:` section (None when the policy has none: sku-not-approved stays off).
    Each product is listed once."""
    if node.data is None:
        return None
    entries = []
    seen: dict[str, str] = {}  # sku (lower) -> the entry that last listed it
    for entry in node.entries():
        sku = entry.at("sku")
        if sku.data.lower() in seen:
            sku.report(f"{sku.name}: {sku.data} is already listed at {seen[sku.data.lower()]}")
        seen[sku.data.lower()] = entry.name
        entries.append(_catalog_entry(entry))
    return tuple(entries)


def _catalog_entry(entry: PolicyNode) -> CatalogEntry:
    raw = entry.data
    price = raw.get("price")
    if raw.get("free") and price and price["monthly"] > 0:
        entry.at("price").report(f"{entry.name}: a free product cannot have a price")
    return CatalogEntry(
        sku=raw["sku"],
        spare_seats=SpareSeatsOverLimit.parse(entry.at("spare_seats")),
        price=Price(float(price["monthly"]), price["currency"]) if price else None,
        free=bool(raw.get("free", False)),
        line=entry.line,
        name=raw.get("name") or None,
        licensing_group=raw.get("licensing_group"),
        licensing_group_line=entry.at("licensing_group").line if raw.get("licensing_group") else 0,
        alert=bool(raw.get("alert", True)),
    )


# the folder's rules, in the registry's order (auditor.rules.RULES takes them): a new rule is a line here
RULES: tuple[CatalogRule[Any], ...] = (
    SpareSeatsOverLimit(),
    SpareSeatsUnderMinimum(),
    SkuNotApproved(),
    SeatsInGrace(),
    LicenseSuspended(),
)


__all__ = [
    "CatalogRule",
    "LicenseSuspended",
    "LifecycleRule",
    "SeatsInGrace",
    "SkuNotApproved",
    "SpareSeatsOverLimit",
    "SpareSeatsUnderMinimum",
    "parse_catalog",
    "sku_subject",
]
