"""The distributor's figures of the roll-up (docs/msp.md, "The distributor's seats"): each tenant's
`distributor` of tenants.json, read from its distributor.json, and its cell of tenants.md and
digest.html: the products billed otherwise than Microsoft counts them, then the customer's month at
the distributor (cost, billed, margin: the distributor's cost and price) and each product's."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from auditor.common.outputs import DISTRIBUTOR_FILE
from auditor.data.model import Locale

from ..billing.distributor_records import DistributorSection, Month, ProductMonth, RollupFigures
from ..billing.distributor_seats import billed_otherwise
from ..i18n import Translations
from ..report.view.context import product_label
from .rollup_model import TenantRow
from .vendor_cells import ERROR_SHOWN, cell, counted, figures
from .vendor_cells import money as amount


def distributor_figures(folder: Path) -> RollupFigures | None:
    """The tenant's reconciliation with its distributor (auditor.fleet.vendor_reads): the products
    whose billed seats differ from Microsoft's (more, fewer or unused), or why it was not read; the
    customer's month at the distributor and each product's."""
    return figures(folder, DISTRIBUTOR_FILE, DistributorSection, rollup_figures)


def rollup_figures(doc: DistributorSection) -> RollupFigures:
    """tenants.json's `distributor` of a tenant, from its distributor.json: the products billed
    otherwise than Microsoft counts them, or why it was not read; the customer's month (cost, billed,
    margin per currency) and each product's."""
    if doc.error:
        return {"differences": None, "error": doc.error[:ERROR_SHOWN]}
    return {
        "differences": billed_otherwise(doc.findings or []),
        "error": None,
        "totals": [
            {
                "currency": t.currency,
                "cost_monthly": t.cost_monthly,
                "billed_monthly": t.billed_monthly,
                "margin_monthly": t.margin_monthly,
            }
            for t in doc.totals or []
        ],
        "products": [
            {
                "sku": p.sku,
                "currency": p.currency,
                "cost_monthly": p.cost_monthly,
                "billed_monthly": p.billed_monthly,
                "margin_monthly": p.margin_monthly,
            }
            for p in doc.products or []
        ],
    }


def distributor_cell(row: TenantRow, t: Translations, locale: Locale) -> str:
    """ "3 · cost €7,229.10, billed €8,026.50, margin €797.40; Microsoft 365 E3: cost …": how many
    products the distributor bills otherwise, the customer's month (per currency), then each product's
    with both prices; "–" without a distributor."""
    return cell(
        row.get("distributor"),
        t.pgettext("rollup_distributor_unread", "not read"),
        lambda found: _said(found, t, locale),
    )


def _said(found: RollupFigures, t: Translations, locale: Locale) -> str:
    totals = [m for m in found.get("totals") or [] if isinstance(m, Mapping)]
    products = [
        p for p in found.get("products") or [] if isinstance(p, Mapping) and p.get("margin_monthly") is not None
    ]

    def said(month: Month | ProductMonth) -> str:
        money = {
            "cost": amount(month.get("cost_monthly"), month.get("currency"), locale),
            "billed": amount(month.get("billed_monthly"), month.get("currency"), locale),
            "margin": amount(month.get("margin_monthly"), month.get("currency"), locale),
        }
        return t.pgettext("rollup_distributor_money", "cost {cost}, billed {billed}, margin {margin}", **money)

    head = counted(found.get("differences"), locale, *map(said, totals))
    return "; ".join([head, *(f"{product_label(p.get('sku'))}: {said(p)}" for p in products)])
