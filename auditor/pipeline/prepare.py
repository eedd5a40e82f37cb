"""The first stage: what the audit reads and checks before the tenant (auditor/pipeline/__init__.py).
A bad flag or file stops the run here (exit 2), before the output folder is touched. The clock's and
the policies' readers serve `merge` and `collect` too (auditor.commands)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from auditor import STARTED, demo
from auditor.billing.file import read_billing
from auditor.common.cycles import collection_paused
from auditor.common.errors import StopSignal, UsageError, clean_message
from auditor.common.phase_timings import PhaseTimings
from auditor.common.timestamps import OutOfRange, parse_timestamp
from auditor.data.model import TenantSnapshot
from auditor.formats.report_model import ReportDocument
from auditor.graph.arguments import GraphSource
from auditor.insights.nightly import Nightly
from auditor.migration.headline import read_migration
from auditor.pipeline.arguments import AuditOptions
from auditor.policy.objects import PolicySet
from auditor.policyset.load import load_policies
from auditor.policyset.protection_export import read_export
from auditor.report.baseline import LAST_RUN, last_report, load_baseline
from auditor.snapshot import check_readable, load_snapshot

from .values import Handover, Prepared

if TYPE_CHECKING:
    from kiota_abstractions.request_adapter import RequestAdapter


def say(text: str) -> None:
    """Every line the CLI prints goes through clean_message (tokens masked, no control characters,
    no GitHub workflow commands), whatever a server or a tenant put into it."""
    print(clean_message(text), file=sys.stderr)


def check_stop(stop: StopSignal | None) -> None:
    """Raise Stopped when the run that started this audit has ended it (auditor.common.errors.StopSignal)."""
    if stop is not None:
        stop.check()


def as_of_flag(text: str | None) -> datetime:
    """--as-of: the audit's clock (now without it)."""
    if text is None:
        return datetime.now(UTC).replace(microsecond=0)
    try:
        value = parse_timestamp(text)
    except OutOfRange:
        raise UsageError(f"--as-of: {text!r} is outside the years 1970-2200") from None
    except ValueError:
        raise UsageError(
            f"--as-of: {text!r} is not an ISO-8601 date or date-time (e.g. 2026-11-22T00:00:00Z)"
        ) from None
    if not 1970 <= value.year <= 2200:
        raise UsageError(f"--as-of: {text!r} is outside the years 1970-2200")
    return value.astimezone(UTC)


def policy_set(given: Sequence[str] | None, on_the_demo: bool = False) -> PolicySet:
    """--policies (`given`); without it policies/, or on the demo tenant the demo's example policy."""
    if not given and on_the_demo:
        with demo.example_policy() as path:
            return load_policies([path])
    paths = list(given or ["policies"])
    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        raise UsageError(
            f"--policies: {missing[0]} does not exist. Write a first policy for your tenant with "
            "`license-auditor init` (it reads the tenant as audit does: --graph, --snapshot or --demo), "
            "or read the repository's examples/contoso-policy.yaml (`license-auditor audit --demo` "
            "runs it on a sample tenant)"
        )
    return load_policies(paths)


def mail_adapter(source: GraphSource) -> Callable[[], RequestAdapter]:
    """Signs in to Graph for sendMail like the audit does; the Graph SDK loads only when a message
    goes through Graph."""

    def build() -> RequestAdapter:
        from auditor.graph_cli import mail_adapter_factory  # the Graph SDK (see the docstring)

        return mail_adapter_factory(source)()

    return build


def prepare(options: AuditOptions) -> Prepared:
    """Everything the audit reads before the tenant, checked (a usage error moves nothing)."""
    options.check_sources()
    if options.snapshot and not options.reads_graph:  # the tenant's file first: read in full after the rest
        check_readable(options.snapshot)
    timings = PhaseTimings(STARTED, say)
    # sendMail signs in as the tenant is read (a tenant of audit --tenants: as that tenant)
    email = replace(options.email, graph_adapter_factory=mail_adapter(options.source)) if options.email else None
    # The demo tenant is a frozen moment: judge it at the time it was generated, so it reads the same any day.
    demo_now = options.source.demo and not options.as_of
    as_of = demo.CLOCK.replace(tzinfo=UTC) if demo_now else as_of_flag(options.as_of)
    policies = policy_set(options.policies, options.source.demo)
    baseline, causes = _baseline(options)
    billing = read_billing(options.billing_file) if options.billing_file else None  # a bad file: exit 2, first
    # read before the tenant: a bad export (or the protection-rules.csv beside it) stops the run (exit 2) first
    exchange, protection = read_export(options.exchange_export, options.source.demo or options.demo_exchange)
    return Prepared(
        options=options,
        timings=timings,
        as_of=as_of,
        policies=policies,
        out_dir=Path(options.output_dir),
        # the nightly (`--baseline previous`, one folder from night to night) keeps its last full read of
        # the sign-in activity beside its reports (auditor.graph.kept_sign_ins)
        kept_sign_ins=Path(options.output_dir) if options.baseline == LAST_RUN else options.source.kept_sign_ins,
        baseline=baseline,
        billing=billing,
        exchange=exchange,
        protection=protection,
        migration=read_migration(options.migration) if options.migration else None,  # likewise
        nightly=Nightly(replace(options.nightly, causes=causes), policies, baseline),
        given=Handover(_given_snapshot(options)),
        email=email,
        alone=options.environment is None,  # the fleet gives each its own environment
    )


def _baseline(options: AuditOptions) -> tuple[ReportDocument | None, bool]:
    """--baseline FILE, or `previous`: the last report of --output-dir (none on a first run: said, not
    refused); and whether causes are read (--causes: the changes since the baseline)."""
    if not options.baseline:
        return None, options.nightly.causes
    if options.baseline != LAST_RUN:
        name, baseline = options.baseline, load_baseline(Path(options.baseline))
    elif (path := last_report(Path(options.output_dir))) is None:
        say(f"--baseline previous: {options.output_dir} holds no earlier report; this first run has no baseline")
        return None, False
    else:
        name, baseline = str(path), load_baseline(path)  # named as the file in what the run says about it
    if not baseline.complete:
        # a night whose data was partial is no baseline: the findings of the rules it could not
        # evaluate would all read as new, and their first_seen would start over
        say(
            f"warning: --baseline {name} is an incomplete report (complete: false); this run is not "
            "compared with it (nor are causes read) — give the last complete report as the baseline"
        )
        return None, False
    return baseline, options.nightly.causes


def _given_snapshot(options: AuditOptions) -> TenantSnapshot | None:
    """--snapshot FILE, read and validated before the output folder is touched: a file that cannot be
    read, is no JSON or no snapshot stops the run (exit 2) as the other usage errors do, and the last
    good reports stay where they are, not in previous/ (README)."""
    if not options.snapshot or options.reads_graph:
        return None
    # read with the cycle collector paused, as the run reads its tenant (an audit among many: running)
    with collection_paused() if options.environment is None else contextlib.nullcontext():
        return load_snapshot(options.snapshot)
