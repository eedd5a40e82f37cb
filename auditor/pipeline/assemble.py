"""The fourth stage: report.json's document and the plan it states (auditor/pipeline/__init__.py).

The document is built once from the evaluation and the parts known before it (AuditParts); what
depends on the document itself (the distributor's and the PSA's tables of its seats, the Exchange
export's facts on its findings, the changes since the baseline, the bill of its plan, the money, the
nightly extras, whether the run speaks) is added after it in that order, each part a new document
(msgspec.structs.replace), none of them set on the one before."""

from __future__ import annotations

from dataclasses import replace

from msgspec.structs import replace as with_parts

from auditor import wording
from auditor.billing.distributor_records import Payload
from auditor.billing.distributor_seats import section as distributor_section
from auditor.billing.file import BillingFile
from auditor.billing.psa_records import PsaSection
from auditor.billing.psa_table import section as psa_section
from auditor.common.timestamps import now_or_pinned
from auditor.formats.report_model import ReportDocument
from auditor.insights.notify_when import decide
from auditor.pipeline.arguments import AuditOptions
from auditor.plan.bill import name_reductions, report_bill
from auditor.plan.compile import ChangePlan
from auditor.plan.holds import attach as attach_export
from auditor.plan.money import money
from auditor.plan.summary import header_plan, header_plan_of
from auditor.policy.objects import PolicySet
from auditor.report.baseline import compare
from auditor.report.document import AuditParts, FindingRemediation, build_document
from auditor.vendors.registry import NAMES

from .exit_codes import exit_code
from .prepare import say
from .values import Documented, Evaluated


def document(evaluated: Evaluated) -> Documented:
    """report.json's document of the evaluation, the plan it states and the run's exit code; the
    evaluation's findings are freed once the document holds them."""
    prepared = evaluated.prepared
    options, policies, baseline = prepared.options, prepared.policies, prepared.baseline
    result = evaluated.result.take()
    # the findings' remediation is worked out where it is needed and written finding by finding
    # (report.json, findings.csv), never held for all of them at once
    locale, cloud = evaluated.locale, evaluated.cloud
    remediation = FindingRemediation.of(
        result, wording.remediation, cloud=cloud, locale=locale, actions=wording.actions
    )
    parts = AuditParts(
        domain=options.checked_domain,
        subscriptions=evaluated.commerce["subscriptions"],
        spare_seats=evaluated.commerce["spare_seats"],
        config_problems=list(evaluated.problems),
        policy_files=[policy.file for policy in policies.policies],
        policy_sha256={policy.file: policy.sha256 for policy in policies.policies},
    )
    report = build_document(result, generated_at=now_or_pinned(), locale=locale, cloud=cloud, parts=parts)
    code = exit_code(result, options.fail_on, options.allow_gaps)
    result = replace(result, findings=())  # they live on in the document; the evaluation's copies go
    report = _with_distributor(
        report, options, evaluated.collected.seats, mailed=prepared.email is not None, policies=policies
    )
    if prepared.exchange is not None and options.exchange_export:
        report = attach_export(report, prepared.exchange, options.exchange_export)
    if baseline is not None:
        report = compare(baseline, report)
    # the plan the money story and the headers sum up, compiled once for them and the renewal forecast
    plan = header_plan(report, remediation.actions)
    report, plan = _with_bill(report, plan, evaluated, remediation)
    # every amount a person reads first, in one place (auditor.plan.money, docs/money.md)
    report = with_parts(report, money=money(report, plan))
    report = prepared.nightly.enrich(report, plan, remediation.actions)
    # whether tonight's run speaks (e-mail, webhook), and why (auditor.insights.notify_when)
    # "changed" needs something to compare with: a baseline, or a history with earlier runs
    when = options.notify_when or ("changed" if baseline is not None or prepared.nightly.records else "always")
    notify = decide(
        report, baseline, when=when, today=prepared.as_of.date(), weekday=options.notify_weekday, locale=locale
    )
    report = with_parts(report, notify=notify)
    prepared.timings.mark("document")
    return Documented(prepared, evaluated, result, report, plan, remediation, notify, when, code)


def _with_distributor(
    report: ReportDocument, options: AuditOptions, seats: Payload | None, *, mailed: bool, policies: PolicySet
) -> ReportDocument:
    """report.json's `distributor` (the distributor's seats) and `psa` (the three-way table with the PSA), the
    MSP's cost, margin and own differences left out of what the audit e-mails (`mailed`: to the tenant's)."""
    if seats:
        section = distributor_section(seats, report, mailed=mailed)
        report = with_parts(report, distributor=section)
        if options.distributor_seats is None:  # a one-tenant audit says what audit --tenants says per tenant
            for warning in section.warnings or []:
                say(f"license-auditor: distributor: {warning}")
    if options.psa_billed:  # beside the distributor's seats (auditor.billing.psa_table)
        given = options.psa_billed
        psa = psa_section(given, report, report.distributor or None, mailed=mailed, name=NAMES.get(given["psa"]))
        report = with_parts(report, psa=_with_rules(psa, report, policies))
    return report


def _with_rules(psa: PsaSection, report: ReportDocument, policies: PolicySet) -> PsaSection:
    """The table with the policies' `psa_quantity:` rule of each of its products (the first policy's that gives
    one): what the plan sets the PSA's quantity to, and apply's fresh compile under the operator's policy."""
    sku_ids = {s.sku.upper(): s.sku_id for s in report.skus if s.sku}
    rules: dict[str, str] = {}
    for row in psa.products or []:
        sku_id = sku_ids.get(row.sku.upper())
        rule = next(
            (r for p in policies.policies if p.psa_quantity and (r := p.psa_quantity.rule(row.sku, sku_id))), None
        )
        if rule:
            rules[row.sku.upper()] = rule
    if rules:
        psa.quantity_rules = rules
    return psa


def _with_bill(
    report: ReportDocument, plan: ChangePlan | None, evaluated: Evaluated, remediation: FindingRemediation
) -> tuple[ReportDocument, ChangePlan | None]:
    """The bill (audit --billing, or the billing APIs) of the plan, and the plan with the bill's figures."""
    billing, gaps = evaluated.collected.billing, evaluated.collected.billing_gaps
    if billing is None and gaps:  # no source could be read: a bill of unknowns that says why
        billing = BillingFile("(no billing source could be read)", ())
    if billing is None:
        return report, plan
    # the sources that could not be read (`gaps`): their facts are unknown in `sources`
    bill = report_bill(report, plan, billing, evaluated.prepared.as_of.date(), credits=evaluated.credits, gaps=gaps)
    # and the report's warnings say so where a person reads
    said = (f"the bill's commerce facts: {gap}; those facts are unknown in the bill" for gap in gaps)
    # the facts beside the bill, so that `plan` builds the same bill without reading the APIs again
    report = with_parts(report, warnings=[*report.warnings, *said] if gaps else report.warnings)
    billed = with_parts(report, billing_facts=list(billing.rows), bill=bill)
    named = name_reductions(billed)
    # the bill's figures decide what a seat finding's change waits for (seats_needed where the
    # plan's changes need the spare seats): the report states the plan `plan` compiles from report.json,
    # the plan compiled once, its entries of the findings the bill named its figures on weighed again
    return named, header_plan_of(plan, billed, named, remediation.actions)
