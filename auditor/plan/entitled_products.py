"""What the bill buys for the entitlement rules' users (auditor.plan.bill.name_seat_figures): each
entitlement-missing finding's product, so an entitlement-short finding can say why the bill buys another number
of its product (docs/bill.md, "One answer per product")."""

from __future__ import annotations

from collections.abc import Mapping

from auditor.formats.report_model import ReportDocument
from auditor.rules.entitlements.entitlement import EntitlementMissing


def assigned_products(document: ReportDocument) -> list[tuple[frozenset[str], str]]:
    """(features, the product to assign) of each entitlement-missing finding: what the bill buys for its users."""
    out: list[tuple[frozenset[str], str]] = []
    for f in document.findings:
        entitle = f.details.get("entitle_with") if f.rule == EntitlementMissing.id and not f.waived else None
        if isinstance(entitle, Mapping):
            out.append((strs(f.details.get("features")), str(entitle.get("sku"))))
    return out


def strs(value: object) -> frozenset[str]:
    """A finding's list of names (its `features`) as a set; none for anything else."""
    return frozenset(map(str, value)) if isinstance(value, list | tuple) else frozenset()


def mixed(assigned: list[tuple[frozenset[str], str]], features: frozenset[str], part: str) -> bool:
    """Whether the bill's purchase of `part` is not only the count's: some of its users get another, cheaper
    product (PIM's users ID Governance beside P2), or users of other features get this one."""
    return any((found & features and sku != part) or (sku == part and not found <= features) for found, sku in assigned)
