"""What the bill buys for the entitlement rules' users (auditor.plan.bill.name_seat_figures): each
entitlement-missing finding's product, so an entitlement-short finding can say why the bill buys another number
of its product (docs/bill.md, "One answer per product")."""

from __future__ import annotations

from auditor.evaluation.records import record
from auditor.formats.report_model import ReportDocument
from auditor.rules.entitlements.entitlement import EntitlementMissingDetails


def assigned_products(document: ReportDocument) -> list[tuple[frozenset[str], str]]:
    """(features, the product to assign) of each entitlement-missing finding: what the bill buys for its users
    (its details read by the rule's record: a value of the wrong type refused with its place)."""
    out: list[tuple[frozenset[str], str]] = []
    for f in document.findings:
        missing = None if f.waived else record(f, EntitlementMissingDetails)
        if missing is not None and missing.entitle_with is not None:
            out.append((frozenset(missing.features), missing.entitle_with["sku"]))
    return out


def mixed(assigned: list[tuple[frozenset[str], str]], features: frozenset[str], part: str) -> bool:
    """Whether the bill's purchase of `part` is not only the count's: some of its users get another, cheaper
    product (PIM's users ID Governance beside P2), or users of other features get this one."""
    return any((found & features and sku != part) or (sku == part and not found <= features) for found, sku in assigned)
