"""The PSA's figures of the roll-up (docs/msp.md, "The three-way table"): each tenant's `psa` of
tenants.json, read from its psa.json, and its cell of tenants.md and digest.html: the products the PSA
bills otherwise than the tenant holds and the distributor bills, then what those differences cost the
MSP a month and what they bill the customer for seats nobody holds. The roll-up goes to the MSP only
(`rollup --email-to`, never a customer): it shows both."""

from __future__ import annotations

from pathlib import Path

from auditor.common.outputs import PSA_FILE
from auditor.data.model import Locale

from ..billing.psa_records import (
    BilledBelowCost,
    BilledNotHeld,
    CustomerBilledUnheld,
    HeldNotBilled,
    MspPaysUnbilled,
    PsaRollup,
    PsaSection,
)
from ..billing.psa_table import differences
from ..i18n import Translations
from .rollup_model import TenantRow
from .vendor_cells import ERROR_SHOWN, cell, counted, figures
from .vendor_cells import money as amount


def psa_figures(folder: Path) -> PsaRollup | None:
    """The tenant's three-way table (auditor.fleet.vendor_reads), or why it was not read; None without one."""
    return figures(folder, PSA_FILE, PsaSection, rollup_figures)


def rollup_figures(doc: PsaSection) -> PsaRollup:
    """tenants.json's `psa` of a tenant: the products with a difference, the count of each kind and of the
    gaps, what the differences cost the MSP a month and bill the customer (in the table's one currency;
    None when its products are in several, or none is priced)."""
    if doc.error:
        return {"psa": doc.psa, "differences": None, "error": doc.error[:ERROR_SHOWN]}
    found = doc.findings or []
    kinds: dict[str, int] = {}
    msp: list[float | None] = []
    customer: list[float | None] = []
    for f in found:
        kinds[f.kind] = kinds.get(f.kind, 0) + 1
        if isinstance(f, MspPaysUnbilled | HeldNotBilled):
            msp.append(f.cost_monthly)
        elif isinstance(f, BilledBelowCost):
            msp.append(f.loss_monthly)
        elif isinstance(f, CustomerBilledUnheld | BilledNotHeld):
            customer.append(f.monthly)
    currencies = {p.currency for p in doc.products or [] if p.currency}
    one = len(currencies) <= 1
    return {
        "psa": doc.psa,
        "differences": differences(found),
        "error": None,
        "kinds": dict(sorted(kinds.items())),
        "msp_monthly": round(sum(m for m in msp if m is not None), 2)
        if one and any(m is not None for m in msp)
        else None,
        "customer_monthly": round(sum(c for c in customer if c is not None), 2)
        if one and any(c is not None for c in customer)
        else None,
        "currency": next(iter(currencies)) if len(currencies) == 1 else None,
    }


def psa_cell(row: TenantRow, t: Translations, locale: Locale) -> str:
    """ "5 · you lose €331.60 a month (seats you pay for and do not bill, or bill below cost); the customer
    pays €403.80 a month for seats nobody holds": how many products the PSA bills otherwise, then the
    money, each amount with what it is (msp_monthly: the MSP's loss; customer_monthly: what the customer
    pays for unassigned seats); "–" without a PSA."""
    return cell(row.get("psa"), t.pgettext("rollup_psa_unread", "not read"), lambda found: _said(found, t, locale))


def _said(found: PsaRollup, t: Translations, locale: Locale) -> str:
    money = {
        "msp": amount(found.get("msp_monthly"), found.get("currency"), locale, priced_in=False),
        "customer": amount(found.get("customer_monthly"), found.get("currency"), locale, priced_in=False),
    }
    said = t.pgettext(
        "rollup_psa_money",
        "you lose {msp} a month (seats you pay for and do not bill, or bill below cost); the customer pays "
        "{customer} a month for seats nobody holds",
        **money,
    )
    return counted(found.get("differences"), locale, said)
