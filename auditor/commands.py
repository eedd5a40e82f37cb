"""The commands behind the command line (auditor/cli.py parses; these run): audit, merge, collect,
schema, email (the policy files' init and validate: auditor/policy_commands.py). Imported only once a
command runs, so `--help` loads none of it."""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from auditor.common.cycles import collection_paused
from auditor.common.errors import (
    EXIT_COLLECTION,
    EXIT_DELIVERY,
    EXIT_FINDINGS,
    EXIT_OK,
    DeliveryError,
    StopSignal,
    UsageError,
    clean_message,
)
from auditor.common.heap import give_back, map_large_blocks
from auditor.common.outputs import PREVIOUS, output_lock, rotate_previous
from auditor.common.phase_timings import PhaseTimings
from auditor.common.run_record import RECORD, RunKind, claim, record
from auditor.common.timestamps import OutOfRange, now_or_pinned, parse_timestamp
from auditor.data.model import AuditResult, Locale, Severity, TenantSnapshot
from auditor.formats.report_model import ReportDocument
from auditor.policyset.config_problems import (
    config_problems,
    not_said_again,
    said,
)
from auditor.policyset.load import load_policies
from auditor.policyset.protection_export import read_export, with_protection_rules
from auditor.policyset.schema import schema_text

from . import STARTED, demo, wording
from .arguments import AuditOptions
from .billing.arguments import with_bill_reads
from .billing.distributor_records import Payload
from .billing.distributor_seats import section as distributor_section
from .billing.file import BillingFile, read_billing
from .billing.psa_table import section as psa_section
from .delivery.arguments import run_email_command
from .delivery.options import EmailOptions
from .delivery.send import send_report
from .engine import evaluate
from .graph.arguments import CollectCommandOptions, GraphSource, save_evidence
from .insights.nightly import Nightly, extra_outputs
from .insights.notify_when import decide
from .merge.arguments import MergeOptions
from .merge.document import build_merged_document
from .merge.run import merge
from .migration.headline import migration_lines, read_migration
from .plan.bill import commerce_facts, copilot_credits, name_reductions, report_bill
from .plan.exchange import EXCHANGE_FILE
from .plan.holds import attach as attach_export
from .plan.money import money
from .plan.summary import header_plan
from .plan.write import BATCH_NAME, PLAN_FILE, PLAN_MD
from .policy.objects import PolicySet
from .report import licensed_users
from .report.baseline import LAST_RUN, compare, last_report, load_baseline
from .report.chunks import available_workers
from .report.document import FindingRemediation, build_document
from .report.write import DIGEST_FILES, FILE_NAMES, RenderOptions, render
from .rules.requests import requests_of, sign_in_judges
from .snapshot import load_snapshot

if TYPE_CHECKING:
    from kiota_abstractions.request_adapter import RequestAdapter


# run.json last: the record of which run wrote the others (auditor.common.run_record), moved aside with them
REPORT_FILES = (*FILE_NAMES.values(), *DIGEST_FILES, licensed_users.FILE_NAME, RECORD)


def _as_of(text: str | None) -> datetime:
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


def _safe(text: str) -> str:
    """Tenant text for one log line: clean_message, and no line breaks."""
    return clean_message(text).replace("\n", " ")


def _say(text: str) -> None:
    """Every line the CLI prints goes through clean_message (tokens masked, no control characters,
    no GitHub workflow commands), whatever a server or a tenant put into it."""
    print(clean_message(text), file=sys.stderr)


def _plan_files(directory: Path) -> tuple[str, ...]:
    """The files `plan` wrote from the folder's report (plan.json, plan.md, its batches and
    exchange-steps.ps1): a plan of that report, so they go into previous/ with it."""
    names = [PLAN_FILE, PLAN_MD, EXCHANGE_FILE, *(p.name for p in directory.glob("batch-*.json"))]
    return tuple(n for n in names if BATCH_NAME.match(n) or n in (PLAN_FILE, PLAN_MD, EXCHANGE_FILE))


def _prepare_output_dir(path: Path, extra: tuple[str, ...] = ()) -> None:
    """Fail before collecting if reports cannot be written, and move the last run's reports aside.

    A run that fails must not leave yesterday's report.html in place to be read (or e-mailed)
    as today's; the previous files go to DIR/previous/, so nothing is lost, the plan made from
    them too (a plan beside the new report would be another report's; one left in previous/ by an
    older run is removed, so previous/ never pairs a report with an older plan). Called with the
    directory's lock held (see _locked_output_dir)."""
    try:
        kept = path / PREVIOUS
        if any(os.path.lexists(path / name) for name in REPORT_FILES) and kept.is_dir() and not kept.is_symlink():
            for name in _plan_files(kept):
                if (kept / name).is_file() and not (kept / name).is_symlink():
                    (kept / name).unlink()
        rotate_previous(path, REPORT_FILES + extra + _plan_files(path))
    except OSError as exc:
        raise UsageError(f"--output-dir: cannot write to {path}: {exc.strerror or exc}") from None
    if not os.access(path, os.W_OK):
        raise UsageError(f"--output-dir: cannot write to {path}: permission denied")


@contextlib.contextmanager
def _locked_output_dir(path: Path) -> Iterator[None]:
    """Create DIR if needed and hold its lock for the whole run (a second run into it exits 2)."""
    if path.exists() and not path.is_dir():
        raise UsageError(f"--output-dir: {path} exists and is not a directory")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--output-dir: cannot write to {path}: {exc.strerror or exc}") from None
    with output_lock(path):
        yield


def _policies(given: Sequence[str] | None, on_the_demo: bool = False) -> PolicySet:
    """--policies (`given`); without it policies/, or on the demo tenant the demo's example policy."""
    if not given and on_the_demo:
        return _demo_policies()
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


def _demo_policies() -> PolicySet:
    with demo.example_policy() as path:
        return load_policies([path])


def _snapshot(
    options: AuditOptions,
    policies: PolicySet,
    as_of: datetime | None = None,
    nightly: Nightly | None = None,
    kept_sign_ins: Path | None = None,
    given: TenantSnapshot | None = None,
) -> TenantSnapshot:
    """The tenant, read from Graph or --snapshot; `kept_sign_ins`: the nightly's folder of the last
    full read of the sign-in activity (auditor.graph.kept_sign_ins)."""
    source = options.graph_source()
    if source is not None:
        from auditor.graph_cli import read_tenant  # the Graph SDK loads here, and only here

        return read_tenant(
            replace(source, kept_sign_ins=kept_sign_ins),
            group_refs=policies.group_refs,
            requests=with_bill_reads(options.bill, requests_of(policies)),
            as_of=as_of,
            attributes=nightly.attributes if nightly else (),
            audits_since=nightly.audits_since if nightly else None,
            env=options.environment,
            sign_in_judges=sign_in_judges(policies),
        )
    if options.snapshot:
        snapshot = given if given is not None else load_snapshot(options.snapshot)
        save_evidence(options.source.save_snapshot, snapshot)  # asked for, so never ignored
        return snapshot
    raise UsageError("no tenant data: give --snapshot FILE, --graph (live tenant) or --demo")


def exit_code(result: AuditResult, fail_on: str, allow_gaps: bool) -> int:
    if not result.complete and not allow_gaps:
        return EXIT_COLLECTION
    if fail_on == "never":
        return EXIT_OK
    threshold = Severity.parse(fail_on)
    failing = any(not f.waived and f.alert and f.severity >= threshold for f in result.findings)
    return EXIT_FINDINGS if failing else EXIT_OK


def _mail_adapter(source: GraphSource) -> Callable[[], RequestAdapter]:
    """Signs in to Graph for sendMail like the audit does; the Graph SDK loads only when a message
    goes through Graph."""

    def build() -> RequestAdapter:
        from auditor.graph_cli import mail_adapter_factory  # the Graph SDK (see the docstring)

        return mail_adapter_factory(source)()

    return build


def _check_stop(stop: StopSignal | None) -> None:
    """Raise Stopped when the run that started this audit has ended it (auditor.common.errors.StopSignal)."""
    if stop is not None:
        stop.check()


def _deliver(options: EmailOptions, out_dir: Path, code: int) -> int:

    try:
        said = send_report(out_dir, options)
    except DeliveryError as exc:
        _say(f"license-auditor: error: {exc}")
        # Incomplete data (3) says more about the report than a failed e-mail does.
        return code if code == EXIT_COLLECTION else EXIT_DELIVERY
    _say(said)
    return code


def _billing(path: str | None) -> BillingFile | None:
    if not path:
        return None
    return read_billing(path)


def _distributor_seats(options: AuditOptions, snapshot: TenantSnapshot | None) -> Payload | None:
    """The tenant's seats at its distributor: as audit --tenants gives them, or for a one-tenant audit
    with --distributor FILE read as that run reads them (auditor.billing.distributor_sessions.read), with
    the `distributor:` block of the tenant's entry in FILE (its tenant_id: --tenant-id as given, or the
    tenant's id). Without a snapshot: the checks made before the tenant is read (the file, Pax8's
    credentials: exit 2)."""
    if options.distributor_seats or not options.distributor:
        return options.distributor_seats
    from .billing import distributor_sessions as sessions
    from .delivery.matrix import load_tenants  # the tenants file's reader (YAML): for an audit that names one

    env = options.environment or os.environ
    jobs = load_tenants(Path(options.distributor))
    if snapshot is None:
        sessions.check_credentials([json.loads(job.distributor) for job in jobs if job.distributor], env)
        return None
    wanted = {t.lower() for t in (options.source.tenant_id, snapshot.tenant_id) if t}
    found = [job for job in jobs if job.tenant_id.lower() in wanted]
    if len(found) != 1 or not found[0].distributor:
        what = "names no distributor" if found and len(found) == 1 else "is not one entry of the file"
        raise UsageError(f"--distributor {options.distributor}: tenant {', '.join(sorted(wanted))} {what}")
    endpoints = {"pax8": options.pax8_endpoint, "sherweb": options.sherweb_endpoint}
    given = sessions.read_any({"": json.loads(found[0].distributor)}, endpoints=endpoints, env=env)[""]
    if given.get("error"):
        _say(f"license-auditor: distributor: not read: {given['error']}")
    return given


def _with_distributor(document: ReportDocument, options: AuditOptions, seats: Payload | None, *, mailed: bool) -> None:
    """report.json's `distributor` (the distributor's seats) and `psa` (the three-way table with the PSA), the
    MSP's cost, margin and own differences left out of what the audit e-mails (`mailed`: to the tenant's)."""
    if seats:
        document.distributor = section = distributor_section(seats, document, mailed=mailed)
        if options.distributor_seats is None:  # a one-tenant audit says what audit --tenants says per tenant
            for warning in section.warnings or []:
                _say(f"license-auditor: distributor: {warning}")
    if options.psa_billed:  # beside the distributor's seats (auditor.billing.psa_table)
        document.psa = psa_section(options.psa_billed, document, document.distributor or None, mailed=mailed)


def _commerce(
    options: AuditOptions, snapshot: TenantSnapshot, billing: BillingFile | None, seats: Payload | None
) -> tuple[BillingFile | None, tuple[str, ...]]:
    """The bill's commerce facts: the billing APIs the sources allow, then the file (docs/bill.md);
    and the sources that could not be read (the bill's `gaps`)."""
    # the billing clients (azure-mgmt-billing, httpx) load only for an audit that reads them
    from .billing.distributor_seats import with_terms
    from .billing_cli import read_commerce

    # a many-tenant run gives each tenant its own environment (its tenant id, the run's one client id)
    env = options.environment or os.environ
    got = read_commerce(
        options.bill, snapshot.subscriptions, snapshot.tenant_id, billing, env, live=options.reads_graph, say=_say
    )
    # the distributor's commitment term end where no API (nor the file) gives a renewal (audit --tenants)
    return with_terms(got.billing, snapshot.subscriptions, seats), got.gaps


def _baseline(options: AuditOptions) -> tuple[ReportDocument | None, bool]:
    """--baseline FILE, or `previous`: the last report of --output-dir (none on a first run: said, not
    refused); and whether causes are read (--causes: the changes since the baseline)."""
    if not options.baseline:
        return None, options.nightly.causes
    if options.baseline != LAST_RUN:
        name, baseline = options.baseline, load_baseline(Path(options.baseline))
    elif (path := last_report(Path(options.output_dir))) is None:
        _say(f"--baseline previous: {options.output_dir} holds no earlier report; this first run has no baseline")
        return None, False
    else:
        name, baseline = str(path), load_baseline(path)  # named as the file in what the run says about it
    if not baseline.complete:
        # a night whose data was partial is no baseline: the findings of the rules it could not
        # evaluate would all read as new, and their first_seen would start over
        _say(
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


def cmd_audit(args: argparse.Namespace) -> int:
    """`audit` (one tenant): its flags made into AuditOptions, then the audit."""
    return run_audit(AuditOptions.of(args))


def run_audit(options: AuditOptions) -> int:
    """One tenant's audit with `options`, which it never changes; the exit code."""
    options.check_sources()  # a usage error moves nothing: before the output folder is touched
    timings = PhaseTimings(STARTED, _say)
    formats = options.formats
    # sendMail signs in as the tenant is read (a tenant of audit --tenants: as that tenant)
    email = replace(options.email, graph_adapter_factory=_mail_adapter(options.source)) if options.email else None
    # The demo tenant is a frozen moment: judge it at the time it was generated, so it reads the same any day.
    demo_now = options.source.demo and not options.as_of
    as_of = demo.CLOCK.replace(tzinfo=UTC) if demo_now else _as_of(options.as_of)
    policies = _policies(options.policies, options.source.demo)
    # the nightly (`--baseline previous`, one folder from night to night) keeps its last full read of
    # the sign-in activity beside its reports (auditor.graph.kept_sign_ins)
    kept_sign_ins = Path(options.output_dir) if options.baseline == LAST_RUN else None
    baseline, causes = _baseline(options)
    billing = _billing(options.billing_file)  # a bad billing file stops the run before any collection (exit 2)
    # read before the tenant: a bad export (or the protection-rules.csv beside it) stops the run (exit 2) first
    exchange, protection = read_export(options.exchange_export, options.source.demo or options.demo_exchange)
    migration = read_migration(options.migration) if options.migration else None  # likewise
    # history, causes, cost allocation, chat (auditor.insights)
    nightly = Nightly(replace(options.nightly, causes=causes), policies, baseline)
    given = _given_snapshot(options)
    _distributor_seats(options, None)  # its file and Pax8's credentials, before the tenant is read
    out_dir = Path(options.output_dir)
    with _locked_output_dir(out_dir), contextlib.ExitStack() as paused:
        claim(out_dir, RunKind.TENANT)  # a folder another kind of run owns is refused before anything moves
        nightly.check_outputs()  # a usage error (the history file) before anything is moved
        _prepare_output_dir(out_dir, extra_outputs(out_dir))
        timings.mark("policies")
        # the tenant is read, evaluated and reported from memory with the cycle collector paused
        # (auditor.common.cycles); an audit among many (auditor.fleet's) reads its tenant with it running:
        # their collections free the cycles those reads leave (docs/performance.md)
        alone = options.environment is None  # the fleet gives each its own environment
        if alone:
            paused.enter_context(collection_paused())
        map_large_blocks()  # a page's body unmapped when freed, not left resident in the C heap (auditor.common.heap)
        # the mailbox purposes are read for the accounts the rules could flag at the audit's clock
        snapshot = _snapshot(options, policies, as_of, nightly, kept_sign_ins, given)
        snapshot = with_protection_rules(snapshot, protection, policies)  # the export's, or a gap naming them
        del given  # one reference, so that `del snapshot` below frees the users
        seats = _distributor_seats(options, snapshot)  # the distributor's seats (read only)
        billing, billing_gaps = _commerce(options, snapshot, billing, seats)  # the billing APIs, then the file
        # only the rows of this tenant's subscriptions go on (the rest are counted: config_problems)
        billing = billing.matched_only(snapshot.subscriptions) if billing is not None else None
        if alone:
            gc.collect()  # the collection's few cycles (its requests' and tasks'), once
        give_back()  # what the collection freed in the C heap, which the evaluation's small objects cannot use
        if not alone:
            paused.enter_context(collection_paused())
        timings.mark("collect")
        result = evaluate(policies, snapshot, as_of, billing)
        # what the policies and the billing file say in vain
        problems = config_problems(policies, snapshot.skus, result.warnings, billing, snapshot.subscriptions)
        if problems and options.strict:
            for p in problems:
                _say(said(p))
            raise UsageError(f"--strict: {len(problems)} configuration problem(s), listed above")
        timings.mark("evaluate")
        locale = options.locale or policies.locale or Locale.EN
        cloud = options.source.cloud or snapshot.cloud
        nightly.observe(snapshot, result)

        commerce = commerce_facts(snapshot.subscriptions, nightly.minimums)
        _check_stop(options.source.stop)  # ended from outside (audit --tenants' time limit): nothing is written
        # the licence list beside findings.csv, row by row while the users are here; named as the tenants file names it
        label, env, redact = options.tenant_label, options.environment or os.environ, options.redact
        csv_too, psa = any(f.value == "csv" for f in formats), options.psa_billed  # psa: the list's psa_monthly
        listed = (
            [licensed_users.write_for(snapshot, result.seats, out_dir, label, redact, env, result.declared_kinds, psa)]
            if csv_too
            else []
        )
        credits = copilot_credits(snapshot.copilot_credits, snapshot.gaps)  # the bill's, beside its Copilot seats
        del snapshot  # the users need not outlive the evaluation: the report is built from `result`
        timings.mark("free")
        # the findings' remediation is worked out where it is needed and written finding by finding
        # (report.json, findings.csv), never held for all of them at once
        remediation = FindingRemediation.of(
            result, wording.remediation, cloud=cloud, locale=locale, actions=wording.actions
        )
        document = build_document(result, generated_at=now_or_pinned(), locale=locale, cloud=cloud)
        document.tenant.domain = options.checked_domain
        code = exit_code(result, options.fail_on, options.allow_gaps)
        result = replace(result, findings=())  # they live on in the document; the evaluation's copies go
        document.subscriptions, document.spare_seats = commerce["subscriptions"], commerce["spare_seats"]
        _with_distributor(document, options, seats, mailed=email is not None)
        document.config_problems = problems
        document.policy_files = [policy.file for policy in policies.policies]
        document.policy_sha256 = {policy.file: policy.sha256 for policy in policies.policies}
        if exchange is not None and options.exchange_export:
            attach_export(document, exchange, options.exchange_export)
        if baseline is not None:
            document = compare(baseline, document)
        # the plan the money story and the headers sum up, compiled once for them and the renewal forecast
        plan = header_plan(document, remediation.actions)
        if billing is None and billing_gaps:  # no source could be read: a bill of unknowns that says why
            billing = BillingFile("(no billing source could be read)", ())
        if billing is not None:
            # the sources that could not be read (`gaps`): their facts are unknown in `sources`
            bill = report_bill(document, plan, billing, as_of.date(), credits=credits, gaps=billing_gaps)
            if billing_gaps:  # and the report's warnings say so where a person reads
                document.warnings = [
                    *document.warnings,
                    *(f"the bill's commerce facts: {gap}; those facts are unknown in the bill" for gap in billing_gaps),
                ]
            # the facts beside the bill, so that `plan` builds the same bill without reading the APIs again
            document.billing_facts, document.bill = list(billing.rows), bill
            document = name_reductions(document)
            # the bill's figures decide what a seat finding's change waits for (seats_needed where the
            # plan's changes need the spare seats): the report states the plan `plan` compiles from report.json
            plan = header_plan(document, remediation.actions)
        # every amount a person reads first, in one place (auditor.plan.money, docs/money.md)
        document.money = money(document, plan)
        nightly.enrich(document, plan, remediation.actions)
        # whether tonight's run speaks (e-mail, webhook), and why (auditor.insights.notify_when)
        # "changed" needs something to compare with: a baseline, or a history with earlier runs
        when = options.notify_when or (
            "changed" if baseline is not None or getattr(nightly, "records", None) else "always"
        )
        document.notify = notify = decide(
            document, baseline, when=when, today=as_of.date(), weekday=options.notify_weekday, locale=locale
        )
        timings.mark("document")
        _check_stop(options.source.stop)  # ended from outside (audit --tenants' time limit): nothing is written
        headlines = migration_lines(migration, locale, as_of.date()) if migration is not None else ()
        written = render(
            document,
            out_dir,
            RenderOptions(
                formats=formats, locale=locale, cloud=cloud, redact=redact, workers=available_workers() if alone else 1
            ),
            plan=plan,
            remediation=remediation,
            headlines=headlines,
        )
        written += listed
        _check_stop(options.source.stop)  # nor its history, which the next night compares with
        written += nightly.write(document, out_dir, locale=locale, with_csv=any(f.value == "csv" for f in formats))
        _record_run(out_dir, RunKind.TENANT, [p for p in written if p != nightly.history_path], document)
        timings.mark("render")
        timings.report()
        paused.close()  # the collector runs again before anything is sent
        _print_outcome(result, document, written)
        if not notify.send:
            _say(f"nothing changed since the last run: no e-mail or webhook post (--notify-when {when})")
            return code
        _check_stop(options.source.stop)  # nor sent
        code = nightly.deliver(document, code, redact)
        return code if email is None else _deliver(email, out_dir, code)


def _record_run(out_dir: Path, kind: RunKind, written: Sequence[Path], document: ReportDocument) -> None:
    """run.json: the files this run wrote into `out_dir` (what `email` checks every part against)."""
    record(
        out_dir,
        kind,
        written,
        tenant=document.tenant.name or document.tenant.id or "",
        generated_at=str(document.generated_at or ""),
        msp_cost=document.shows_msp_cost(),  # the distributor's cost and margin, the PSA's differences
    )


def _print_outcome(result: AuditResult, document: ReportDocument, written: list[Path]) -> None:
    summary = document.summary
    sev = ", ".join(f"{n} {s}" for s, n in summary.by_severity.items() if n)
    _say(
        f"license-auditor: {_safe(result.tenant_name or result.tenant_id)}: {summary.unwaived} findings"
        f"{' (' + sev + ')' if sev else ''}, {summary.waived} waived"
    )
    for problem in document.config_problems or ():  # what the configuration says in vain, where it says it
        _say(f"warning: {_safe(said(problem))}")
    for w in not_said_again(document.warnings or result.warnings, document.config_problems or ()):
        _say(f"warning: {_safe(w)}")
    if not result.complete:
        names = ", ".join(sorted({n.rule for n in result.not_evaluated if n.only is None})) or "none"
        # a rule evaluated on the rest of the data, a gap hiding some of its judgements (NotEvaluated.only)
        partly = "".join(f"; {n.rule} judged in part: {n.reason}" for n in result.not_evaluated if n.only is not None)
        missing = "; ".join(g.dataset + ": " + g.reason for g in result.gaps) or "; ".join(
            sorted({n.reason for n in result.not_evaluated})
        )
        _say(f"INCOMPLETE: {_safe(missing)}; rules not evaluated: {names}{_safe(partly)}")
    for path in written:
        _say(f"wrote {path}")


def document_exit_code(document: ReportDocument, fail_on: str, allow_gaps: bool) -> int:
    """exit_code() for a report document (used by merge, whose findings exist only as JSON)."""
    if not document.complete and not allow_gaps:
        return EXIT_COLLECTION
    if fail_on == "never":
        return EXIT_OK
    threshold = Severity.parse(fail_on)
    failing = any(not f.waived and f.alerts and Severity.parse(f.severity) >= threshold for f in document.findings)
    return EXIT_FINDINGS if failing else EXIT_OK


def cmd_merge(options: MergeOptions) -> int:
    """`merge`: the tenants' outputs into one cross-tenant report, with `options`."""
    as_of = _as_of(options.as_of)
    policies = _policies(options.policies)
    result = merge(options.dirs, policies, as_of)
    locale = options.locale or policies.locale or Locale.EN
    document = build_merged_document(result, generated_at=now_or_pinned(), locale=locale, remediate=wording.remediation)
    out_dir = Path(options.output_dir)
    with _locked_output_dir(out_dir):
        claim(out_dir, RunKind.MERGE)  # a folder another kind of run owns is refused before anything is written
        (out_dir / RECORD).unlink(missing_ok=True)  # the last merge's record goes first: a failed write leaves none
        written = render(
            document, out_dir, RenderOptions(formats=options.formats, locale=locale, redact=options.redact)
        )
        _record_run(out_dir, RunKind.MERGE, written, document)
    cross = sum(1 for f in document.findings if f.tenant is None and not f.waived)
    _say(
        f"{result.name}: {len(result.tenants)} tenants, {result.identities} licensed identities, "
        f"{cross} cross-tenant findings, {document.summary.unwaived} findings in all"
    )
    for w in document.warnings:
        _say(f"warning: {w}")
    if not document.complete:
        partial = sorted({t.name or t.id for t in document.tenants or () if not t.complete})
        reasons = dict.fromkeys([g["reason"] for g in result.gaps] + [n["reason"] for n in result.not_evaluated])
        _say("INCOMPLETE: " + "; ".join([*(f"tenant {n} has incomplete data" for n in partial), *reasons]))
    for path in written:
        _say(f"wrote {path}")
    return document_exit_code(document, options.fail_on, options.allow_gaps)


def cmd_collect(options: CollectCommandOptions) -> int:
    """`collect`: the tenant from Graph into a snapshot file, reading what the policies need."""
    policies = _policies(options.policies, options.source.demo)
    from auditor.graph_cli import collect_command  # the Graph SDK: only `collect` and live audits load it

    return collect_command(
        options.source,
        options.output,
        allow_gaps=options.allow_gaps,
        group_refs=policies.group_refs,
        requests=requests_of(policies),
    )


def cmd_schema(args: argparse.Namespace) -> int:

    sys.stdout.write(schema_text())
    return EXIT_OK


def cmd_email(args: argparse.Namespace) -> int:
    """`email`: with --via graph it signs in like `audit` (--tenant-id, --auth, --cloud, --graph-endpoint)."""
    return run_email_command(args, graph_adapter_factory=_mail_adapter(GraphSource.of(args)))
