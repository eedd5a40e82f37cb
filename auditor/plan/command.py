"""`license-auditor plan --report-dir DIR [--rules ID ...] [--min-severity S] [--findings ID ...]
[--output-dir DIR] [--exchange-export FILE]`: report.json -> plan.json, plan.md, batch-001.json ... (auditor.plan)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import msgspec
from msgspec import UNSET

from auditor import wording
from auditor.billing.arguments import BillingSource
from auditor.billing.file import BillingFile, read_billing
from auditor.common.errors import EXIT_OK, UsageError, clean_message
from auditor.common.outputs import output_dir, output_lock
from auditor.common.timestamps import now_or_pinned, timestamp_or_none
from auditor.data.exchange_export import read_exchange_export
from auditor.data.model import Cloud, Locale
from auditor.formats import plan_json
from auditor.formats.report_model import ReportDocument
from auditor.graph.clouds import ENDPOINTS
from auditor.plan.actions import Remediation
from auditor.plan.arguments import PlanOptions
from auditor.plan.bill import subscriptions_of, with_bill
from auditor.plan.compile import ChangePlan, compile_plan
from auditor.plan.holds import attach
from auditor.plan.money import money, opening
from auditor.plan.read import load_report
from auditor.plan.summary import summary
from auditor.plan.write import PLAN_FILE, json_text, plan_document, write_plan

REPORT = "report.json"


def _say(text: str) -> None:
    print(clean_message(text), file=sys.stderr)


def _now() -> str:
    """created_at; SOURCE_DATE_EPOCH pins it, as it pins a report's generated_at."""
    return now_or_pinned().isoformat().replace("+00:00", "Z")


def _graph_root(cloud: str) -> str | None:
    try:
        endpoints = ENDPOINTS.get(Cloud(cloud))
    except ValueError:
        return None
    return endpoints.graph_v1 if endpoints else None


def _check_filters(options: PlanOptions, document: ReportDocument, path: Path) -> None:
    if options.rules:
        unknown = [r for r in options.rules if r not in wording.ALL_RULE_IDS]
        if unknown:
            raise UsageError(f"--rules: unknown rule {unknown[0]!r} (see docs/rules.md for the rule ids)")
    if options.findings:
        ids = {f.id for f in document.findings}
        missing = [fid for fid in options.findings if fid not in ids]
        if missing:
            raise UsageError(f"--findings: {path} has no finding {missing[0]!r}")


def _output_dir(options: PlanOptions, report_dir: Path) -> Path:
    return output_dir(Path(options.output_dir) if options.output_dir else report_dir)


def _check_size(plan: ChangePlan, out: Path, created_at: str) -> None:
    """Refuse (exit 2, nothing written) a plan.json larger than `apply` reads (plan_json.MAX_PLAN_BYTES):
    a plan that could be reviewed and approved but never applied is no plan."""
    # measured as write_plan writes it: indented JSON, UTF-8
    text = json_text(plan_document(plan, created_at=created_at))
    size = len(text.encode("utf-8", errors="replace"))
    limit = plan_json.MAX_PLAN_BYTES
    if size > limit:
        raise UsageError(
            f"{out / PLAN_FILE} would be {size} bytes, more than `apply` reads ({limit} bytes); nothing "
            f"was written — plan fewer findings at a time (--rules, --min-severity, --findings)"
        )


def _commerce(
    options: PlanOptions, document: ReportDocument, billing: BillingFile | None, say: Callable[[str], None]
) -> BillingFile | None:
    """The billing APIs when asked for (--billing-source or an endpoint), then the file over them;
    else the facts the audit read (report.json's billing_facts), a --billing file's rows over them."""
    if document.subscriptions is UNSET:
        return billing
    # the billing clients (azure-mgmt-billing, httpx) load only for a plan that reads them
    from auditor.billing.facts import merge
    from auditor.billing_cli import apis_asked, read_commerce

    choice = options.bill.source or BillingSource.AUTO
    if choice is BillingSource.NONE:
        return None
    if choice is BillingSource.FILE:
        return billing
    if not apis_asked(options.bill):
        if document.billing_facts is UNSET:
            return billing
        saved = BillingFile(f"{REPORT} (billing_facts)", tuple(document.billing_facts))
        # the file over the saved facts, fact by fact, as the audit lays it over the APIs' rows
        merged = merge(saved.rows, billing, subscriptions_of(document), saved.path)
        for warning in merged.warnings:
            say(warning)
        return merged.billing
    return read_commerce(
        options.bill, subscriptions_of(document), document.tenant.id, billing, os.environ, live=False, say=say
    ).billing


APPLY_MAX_AGE = timedelta(days=7)  # apply's default --max-age


def _check_report_age(plan: ChangePlan, created_at: str, max_age_hours: float | None, demo: bool = False) -> None:
    """The age of the tenant data the plan rests on (report.json's collected_at): with --max-age,
    older data is refused (exit 2); without it, a warning says that apply's default refuses it.
    `demo`: plan --demo, whose data is the sample's frozen moment: as old as that moment, never
    stale (apply --demo allows for it, and so does --max-age here), so no warning: auditing again
    would not help."""
    read = timestamp_or_none(plan.report_collected_at, require_zone=True)
    now = timestamp_or_none(created_at, require_zone=True)
    if read is None or now is None:
        return
    age = now - read
    if max_age_hours is not None and age > timedelta(hours=max_age_hours):
        raise UsageError(
            f"the report's tenant data was read {plan.report_collected_at}, {plan_json.span(age)} ago, "
            f"more than --max-age {plan_json.span(timedelta(hours=max_age_hours))}: audit again, then "
            "plan (or allow older data with --max-age)"
        )
    if max_age_hours is None and age > APPLY_MAX_AGE and not demo:
        _say(
            f"warning: the report's tenant data was read {plan.report_collected_at}, {plan_json.span(age)} ago: "
            f"apply refuses a plan resting on data older than its --max-age ({plan_json.span(APPLY_MAX_AGE)} by "
            "default); audit again, then plan"
        )


def compile_report(
    options: PlanOptions, path: Path, say: Callable[[str], None] = _say, *, check_filters: bool = True
) -> ChangePlan:
    """The plan of the report at `path` (report.json) under `options`' filters and bill sources: what
    `plan` writes, and what `apply` compiles again at the call from a fresh read of the tenant
    (auditor.pipeline.recompile), so that both ask one function. `check_filters`: a --findings id the
    report lacks is a usage error (apply's compile: the finding is gone, so are its changes)."""
    billing = read_billing(options.billing_file) if options.billing_file else None  # a bad cell first
    return compile_document(options, load_report(path), path, say, check_filters=check_filters, billing=billing)


def compile_document(
    options: PlanOptions,
    document: ReportDocument,
    path: Path,
    say: Callable[[str], None] = _say,
    *,
    check_filters: bool = True,
    billing: BillingFile | None = None,
    remediation: Remediation | None = None,
) -> ChangePlan:
    """compile_report of `document`, report.json at `path` read already (apply's fresh compile reads what it
    checks from it too: the report is decoded once); `billing`, the --billing file if compile_report read it;
    `remediation`, each finding's calls for a document that does not carry them (the audit's own, in memory:
    auditor.pipeline.recompile)."""
    if billing is None and options.billing_file:
        billing = read_billing(options.billing_file)
    if options.exchange_export:  # fresher than what the audit attached
        document = attach(document, read_exchange_export(options.exchange_export), options.exchange_export)
    if check_filters:
        _check_filters(options, document, path)
    plan = compile_plan(
        document,
        rules=options.rules,
        min_severity=options.min_severity,
        finding_ids=options.findings,
        graph_root=_graph_root(document.tenant.cloud),
        remediation=remediation,
    )
    facts = _commerce(options, document, billing, say)
    plan = with_bill(plan, document, facts, say)
    if document.money is not UNSET:  # plan.md opens with this plan's money story: its changes, its bill
        # the plan's bill where there are billing facts (the report's own had them too); else the report's
        bill = plan.bill if facts is not None and plan.bill is not None else document.bill_or_none
        priced = msgspec.structs.replace(document, bill=UNSET if bill is None else bill)
        plan = msgspec.structs.replace(plan, money=money(priced, plan))
    if not document.complete:
        say(f"warning: {path} is an incomplete report: findings of the rules it could not evaluate are not planned")
    return plan


def cmd_plan(options: PlanOptions) -> int:
    """`plan`: DIR/report.json's open findings (those the options select) into plan.json, plan.md, batches."""
    report_dir = Path(options.report_dir)
    if not report_dir.is_dir():
        raise UsageError(f"--report-dir: {report_dir} is not a directory")
    plan = compile_report(options, report_dir / REPORT)
    out = _output_dir(options, report_dir)
    created_at = _now()
    _check_report_age(plan, created_at, options.max_age, demo=options.demo)
    _check_size(plan, out, created_at)
    with output_lock(out):
        written = write_plan(plan, out, created_at=created_at)
    if plan.money is not None:  # the plan's size, then the money story plan.md opens with
        _say(f"plan: {summary(plan, Locale.EN, amounts=False)}")
        _say(" ".join(opening(plan.money, Locale.EN)))
    else:
        _say(f"plan: {summary(plan, Locale.EN)}")
    for file in written:
        _say(f"wrote {file}")
    return EXIT_OK
