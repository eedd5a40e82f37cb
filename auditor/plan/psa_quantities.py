"""The quantities written back into the PSA (plan.json `bill.psa`, `apply PLAN --psa`; docs/msp.md, "Writing the
quantity back into the PSA"): for a tenant whose report.json has the three-way table (`psa`) and whose policy
gives a product a `psa_quantity:` rule, the customer's one billing line of that product set to the rule's
figure, as the report's table read it:

    assigned     the seats assigned after the plan's license changes (the bill's `assigned_after`)
    distributor  the seats the distributor bills (none read: no change)
    larger       the larger of the two

The line's quantity is the figure plus what it includes at no charge (`less_included`). A product with no
rule has no psa change; one with a rule billed on two lines or more, or on no billable line, has none either,
and is named with its lines under "not planned" (bill.psa_not_planned). Each change is one request of the
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
from auditor.formats.bill_model import Bill, CommerceChange, PsaNotPlanned
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


def not_planned(section: PsaSection, sku_ids: Mapping[str, str]) -> list[PsaNotPlanned]:
    """The products of `section` whose rule has no one billable line to set, with the lines that bill them."""
    rules = section.quantity_rules or {}
    if section.psa not in PSAS or section.error or section.company_id is None or not rules:
        return []
    return [
        PsaNotPlanned(
            psa=section.psa,
            sku=row.sku.upper(),
            sku_id=sku_ids.get(row.sku.upper()),
            lines=[x.id for x in row.lines if x.billable],
        )
        for row in section.products or []
        if row.sku.upper() in rules and _line(row) is None
    ]


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
        if rule is None or line is None:  # none, or two lines: not_planned names it
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
    changes, skipped = psa_changes(section, after, sku_ids), not_planned(section, sku_ids)
    return (
        msgspec.structs.replace(bill, psa=changes or msgspec.UNSET, psa_not_planned=skipped or msgspec.UNSET)
        if changes or skipped
        else bill
    )


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


def psa_skipped(bill: Bill | None, locale: Locale) -> tuple[str, ...]:
    """plan.md's lines for the products the policy gives a psa_quantity rule that no psa change sets, each
    with its reason, in `locale`."""
    t = i18n.translations(locale)
    out = []
    skipped = bill.psa_not_planned if bill is not None and isinstance(bill.psa_not_planned, list) else []
    for s in skipped:
        product = product_names().product(s.sku_id, s.sku) or s.sku
        psa = NAMES.get(s.psa, s.psa)
        if s.lines:
            said = t.pgettext(
                "plan_psa_two_lines",
                "{product} in {psa}: not planned: it is billed on {n} lines ({lines}); which one to change is not "
                "guessed: set the quantity by hand, or bill it on one line",
                product=product,
                psa=psa,
                n=len(s.lines),
                lines=", ".join(s.lines),
            )
        else:
            said = t.pgettext(
                "plan_psa_no_line",
                "{product} in {psa}: not planned: no billable line bills it; add one by hand if the customer is to "
                "be billed for it",
                product=product,
                psa=psa,
            )
        out.append(clean(said, 600))
    return tuple(out)
