"""The third stage: the policies judged on the tenant, and what the policies and the billing file say
in vain (auditor/pipeline/__init__.py). What the later stages need of the tenant is drawn here, while
its users are in memory: they are freed when this stage ends."""

from __future__ import annotations

import os
from pathlib import Path

from auditor.billing.current_prices import current_prices
from auditor.common.errors import UsageError
from auditor.common.numbers import english_count
from auditor.common.staging import staging_dir
from auditor.data.model import Locale
from auditor.evaluation.engine import evaluate as judge
from auditor.plan.bill import commerce_facts, copilot_credits
from auditor.plan.credit_use import with_credit_use
from auditor.policyset.config_problems import config_problems, said
from auditor.report import feature_map_files, licensed_users

from .prepare import check_stop, say
from .values import Collected, Evaluated, Handover


def evaluate(collected: Collected) -> Evaluated:
    """The policies judged on the tenant at the audit's clock (auditor.evaluation.engine), `--strict`'s check of the
    configuration, and what the nightly, the bill and the license list need of the users before they go."""
    prepared = collected.prepared
    options, policies, timings = prepared.options, prepared.policies, prepared.timings
    snapshot = collected.snapshot.take()
    # the prices read at the run (the billing file's, the distributor's): newer than a policy's that differs
    currency = next((e.price.currency for p in policies.policies for e in p.catalog or () if e.price), None)
    current = current_prices(snapshot.skus, snapshot.subscriptions, collected.billing, collected.seats, currency)
    result = judge(policies, snapshot, prepared.as_of, collected.billing, current)
    # what the policies and the billing file say in vain
    problems = config_problems(policies, snapshot.skus, result.warnings, collected.billing, snapshot.subscriptions)
    if problems and options.strict:
        for p in problems:
            say(said(p))
        raise UsageError(
            f"--strict: {english_count(len(problems), 'configuration problem', 'configuration problems')}, listed above"
        )
    timings.mark("evaluate")
    locale = options.locale or policies.locale or Locale.EN
    cloud = options.source.cloud or snapshot.cloud
    prepared.nightly.observe(snapshot, result)
    commerce = commerce_facts(snapshot.subscriptions, prepared.nightly.minimums)
    check_stop(options.source.stop)  # ended from outside (audit --tenants' time limit): nothing is written
    # the license list beside findings.csv, row by row while the users are here; named as the tenants file names it
    listed: tuple[Path, ...] = ()
    if any(f.value == "csv" for f in options.formats):
        env = options.environment or os.environ
        listed = (
            licensed_users.write_for(
                snapshot,
                result.seats,
                staging_dir(prepared.out_dir),  # swapped in with the reports (auditor.common.staging)
                options.tenant_label,
                options.redact,
                env,
                result.declared_kinds,
                options.psa_billed,  # the list's psa_monthly
            ),
        )
    if result.feature_map:  # beside the reports, for the security team (auditor.report.feature_map_files)
        label = options.tenant_label or snapshot.tenant_name or snapshot.tenant_id
        if any(f.value == "csv" for f in options.formats):
            listed += (
                feature_map_files.write_csv(
                    staging_dir(prepared.out_dir) / feature_map_files.CSV_NAME, result.feature_map, locale
                ),
            )
        if any(f.value == "md" for f in options.formats):
            path = staging_dir(prepared.out_dir) / feature_map_files.MD_NAME
            listed += (feature_map_files.write_md(path, result.feature_map, label, locale),)
    # the bill's, beside its Copilot seats: the balance and the month's use
    credits = with_credit_use(
        copilot_credits(snapshot.copilot_credits, snapshot.gaps), snapshot.copilot_credit_use, snapshot.gaps
    )
    del snapshot  # the users need not outlive the evaluation: the report is built from `result`
    timings.mark("free")
    return Evaluated(prepared, collected, Handover(result), tuple(problems), commerce, listed, credits, locale, cloud)
