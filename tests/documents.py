"""report.json documents for tests: `report_document(**fields)` is the typed ReportDocument a
reader takes (auditor/formats/report_model.py), its required fields filled in where a test does not
care (a complete report of an empty tenant, version 5), the fields given converted as the reader
converts report.json's values (a finding's dict becomes a ReportFinding, a seat row's a SeatRow)."""

from __future__ import annotations

from typing import Any

import msgspec

from auditor.formats.report_json import SCHEMA_VERSION
from auditor.formats.report_model import Amount, ReportDocument, Summary, Users

TENANT = {"id": "72f988bf-0000-0000-0000-000000000000", "name": "Contoso", "cloud": "worldwide"}


def empty_summary(currency: str | None = "EUR", *, total: int = 0, unwaived: int = 0) -> Summary:
    """A summary of `total` findings, `unwaived` of them open, with no amounts but zero ones."""
    zero = None if currency is None else Amount(amount=0.0, currency=currency)
    return Summary(
        total=total,
        unwaived=unwaived,
        waived=total - unwaived,
        by_severity={},
        by_rule={},
        unused_monthly_cost=zero,
        reclaimable_monthly_cost=zero,
        users=Users(total=0, licensed=0),
    )


def report_document(**fields: Any) -> ReportDocument:
    """A ReportDocument of `fields`; `schema_version`, `tenant`, `complete`, `summary` (counting
    the findings given) and `findings` default to a complete report of an empty tenant."""
    findings = fields.get("findings") or []
    unwaived = sum(1 for f in findings if not (f.waived if isinstance(f, msgspec.Struct) else f.get("waived")))
    values = {
        "schema_version": SCHEMA_VERSION,
        "tenant": dict(TENANT),
        "complete": True,
        "summary": empty_summary(total=len(findings), unwaived=unwaived),
        "findings": [],
    } | fields
    return msgspec.convert(values, ReportDocument)


def distributor_product(sku: str, **fields: Any) -> dict[str, Any]:
    """One product of report.json's `distributor` section as JSON (auditor.billing.distributor_records
    .ProductRow): `fields` over a product of the tenant, matched by the map, with no seats nor prices."""
    money = dict.fromkeys(("price", "partner_cost", "currency", "cost_monthly", "billed_monthly", "margin_monthly"))
    row = {"sku": sku, "name": sku, "pax8_products": [], "matched_by": "map", "billed": 0, "enabled": 0}
    row |= {"consumed": 0, **money, "billing_terms": [], "term_end": None, "in_tenant": True, "subscriptions": []}
    return row | fields
