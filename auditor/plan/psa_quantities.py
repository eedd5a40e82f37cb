"""The quantities written back into the PSA (plan.json `bill.psa`, `apply PLAN --psa`; docs/msp.md, "Writing the
quantity back into the PSA"): for a tenant whose report.json has the three-way table (`psa`) and whose policy
gives a product a `psa_quantity:` rule, the customer's one billing line of that product set to the rule's
figure, as the report's table read it:

    assigned     the seats assigned after the plan's license changes (the bill's `assigned_after`)
    distributor  the seats the distributor bills (none read: no change)
    larger       the larger of the two

The line's quantity is the figure plus what it includes at no charge (`less_included`). A product billed on
two lines or more, on no billable line, or with no rule, has no psa change. Each change is one request of the
PSA's own (auditor.vendors.<psa>: quantity_request); `monthly_saving` is what the customer is billed less a
month (negative: more). apply compiles the plan again at the call and sends a change only when that compile
holds it equal in every field, its `rule` among them (auditor.apply.psa).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import msgspec

from auditor import i18n
from auditor.billing.psa_records import PsaLineRecord, PsaProductRow, PsaSection
from auditor.data.model import Locale
from auditor.formats.bill_model import Bill, CommerceChange
from auditor.formats.report_model import ReportDocument
from auditor.reference import product_names
from auditor.render.text import clean
from auditor.vendors.registry import NAMES, PSAS

SET_QUANTITY = "set_quantity"  # a psa change's kind: the line's quantity set to the rule's figure
NOW = "any_time"


def figure(rule: str, assigned: int, distributor: int | None) -> int | None:
    """The seats the rule bills: assigned, the distributor's, or the larger; None when the distributor's
    figure is needed and not read."""
    if rule == "assigned":
        return assigned
    if distributor is None:
        return None
    return distributor if rule == "distributor" else max(assigned, distributor)


def _line(row: PsaProductRow) -> PsaLineRecord | None:
    """The product's one billable line (None: none, or two or more: which one to change is not guessed)."""
    billed = [x for x in row.lines if x.billable]
    return billed[0] if len(billed) == 1 else None


def psa_changes(section: PsaSection, after: Mapping[str, int], sku_ids: Mapping[str, str]) -> list[CommerceChange]:
    """The psa changes of the three-way table `section` under its rules, numbered from 1; `after`: the seats
    assigned after the plan, per part number (the bill's products); `sku_ids`: part number -> skuId."""
    vendor = PSAS.get(section.psa)
    rules = section.quantity_rules or {}
    if vendor is None or section.error or section.company_id is None or not rules:
        return []
    changes: list[CommerceChange] = []
    for row in section.products or []:
        part = row.sku.upper()
        rule, line = rules.get(part), _line(row)
        if rule is None or line is None:
            continue
        wanted = figure(rule, after.get(part, row.assigned), row.distributor_billed)
        if wanted is None:
            continue
        to = wanted + line.less_included
        if to == line.quantity:
            continue
        each = line.unit_price
        changes.append(
            CommerceChange(
                n=len(changes) + 1,
                kind=SET_QUANTITY,
                source=section.psa,
                scope=str(section.company_id),
                api_id=line.id,
                subscription=line.agreement_id,
                sku=part,
                sku_id=sku_ids.get(part),
                from_=line.quantity,
                to=to,
                seats=abs(to - line.quantity),
                window=NOW,
                not_before=None,
                by=None,
                monthly_saving=round((line.quantity - to) * each, 2) + 0.0 if each is not None else 0.0,
                saving_from=None,
                request=vendor.quantity_request(line, to),
                rule=rule,
            )
        )
    return changes


def with_psa(bill: Bill, document: ReportDocument) -> Bill:
    """The bill with the quantities to write back into the PSA (apply --psa), where report.json's three-way table
    has products the policy gives a rule and whose line differs from it."""
    section = document.psa or None
    if section is None:
        return bill
    after = {p.sku.upper(): p.assigned_after for p in bill.products}
    sku_ids = {s.sku.upper(): s.sku_id for s in document.skus if s.sku and s.sku_id}
    changes = psa_changes(section, after, sku_ids)
    return msgspec.structs.replace(bill, psa=changes) if changes else bill


@dataclass(frozen=True)
class PsaRow:
    """One psa change as plan.md shows it to the reviewer who approves apply --psa."""

    n: int
    what: str
    request: str


def psa_rows(bill: Bill | None, locale: Locale) -> tuple[PsaRow, ...]:
    """plan.md's lines for the bill's psa changes, in `locale`."""
    t = i18n.translations(locale)
    rows = []
    for c in (bill.psa or []) if bill is not None else []:
        product = product_names().product(c.sku_id, c.sku) or c.sku
        rule = {
            "assigned": t.pgettext("plan_psa_rule_assigned", "the licenses assigned"),
            "distributor": t.pgettext("plan_psa_rule_distributor", "what the distributor bills"),
        }.get(
            str(c.rule),
            t.pgettext("plan_psa_rule_larger", "the larger of the licenses assigned and what the distributor bills"),
        )
        what = t.pgettext(
            "plan_psa_set",
            "Set {product} in {psa} (agreement {agreement}) from {before} to {after}: {rule}",
            product=product,
            psa=NAMES.get(c.source, c.source),
            agreement=c.subscription or "",
            before=c.from_,
            after=c.to,
            rule=rule,
        )
        body = "" if c.request.body is None else f" {msgspec.json.encode(c.request.body).decode()}"
        rows.append(PsaRow(c.n, clean(what, 600), clean(f"{c.request.method} {c.request.path}{body}", 600)))
    return tuple(rows)
