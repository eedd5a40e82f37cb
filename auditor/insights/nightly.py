"""What `audit` does beyond today's report, in the order it runs:

    Nightly(options, policies, baseline)   check the flags and read the history (before collecting)
    .check_outputs()                    the history file can take this run's record (before collecting)
    .attributes, .audits_since          what the collection reads besides (cost allocation, causes)
    .observe(snapshot, result)          keep what the extras need of the tenant (before it is freed)
    .enrich(document)                   the document with its causes, trends, renewals, cost allocation
    .write(document, out_dir)           cost-allocation.csv, renewal-*.ics
    .remember(document)                 append the history record (once the reports are in place)
    .deliver(document, code, redact)    post to the chat webhook, redacted with --redact (a failure: exit 4)

and the `history` command.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import msgspec
from msgspec import UNSET

from auditor.common.errors import EXIT_COLLECTION, EXIT_DELIVERY, EXIT_OK, DeliveryError, UsageError, clean_message
from auditor.common.outputs import write_text
from auditor.common.timestamps import timestamp_or_none
from auditor.data.attributes import STANDARD
from auditor.data.audit_entries import DirectoryAudits
from auditor.data.model import AuditResult, Locale, TenantSnapshot
from auditor.delivery.content import run_url_from_env
from auditor.formats.report_model import CostAllocation, ReportDocument
from auditor.plan.actions import Remediation
from auditor.plan.compile import ChangePlan
from auditor.policy.objects import PolicySet
from auditor.report.redaction import redact_document, redaction_key

from . import allocation, calendar, causes, forecast, history, notify, trends
from .arguments import HistoryOptions, NightlyOptions

OUTPUT_GLOBS = ("renewal-*.ics", "bill-*.ics", allocation.CSV_NAME)


def _say(text: str) -> None:
    print(clean_message(text), file=sys.stderr)


def extra_outputs(directory: Path) -> tuple[str, ...]:
    """The files a previous run wrote besides the reports (moved to previous/ with them)."""
    names: set[str] = set()
    for pattern in OUTPUT_GLOBS:
        names.update(p.name for p in directory.glob(pattern))
    return tuple(sorted(names))


def allocation_attributes(policies: PolicySet) -> tuple[str, ...]:
    """The user attribute paths to read: none unless a policy has `cost_allocation:`."""
    wanted = [p.cost_allocation for p in policies.policies if p.cost_allocation is not None]
    if not wanted:
        return ()
    chosen = [c.attribute for c in wanted if c.attribute]
    return tuple(dict.fromkeys([*STANDARD, *chosen]))


class Nightly:
    def __init__(
        self,
        options: NightlyOptions,
        policies: PolicySet,
        baseline: ReportDocument | None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        env = os.environ if environ is None else environ
        self.history_path = Path(options.history) if options.history else None
        self.record: history.Record | None = None  # this run's history record, once enrich() has built it
        self.records: list[history.Record] = []
        self.warnings: list[str] = []
        if self.history_path is not None:
            self.records, problems = history.read_history(self.history_path)
            self.warnings += [f"history {line}" for line in history.problem_lines(problems, self.history_path)]
        self.causes = options.causes
        if self.causes and baseline is None:
            raise UsageError("--causes names the changes since the baseline: give --baseline REPORT_JSON too")
        self.baseline_read = None
        if baseline is not None:
            self.baseline_read = baseline.collected_at or baseline.generated_at or None
        self.audits_since = timestamp_or_none(self.baseline_read) if self.causes else None
        if self.causes and self.audits_since is None:
            raise UsageError("--causes: the baseline report has no collected_at time to start from")
        fmt = options.notify_format
        self.notify_url = notify.webhook_url(options.notify_webhook, env)
        if fmt and self.notify_url is None:
            raise UsageError(f"--notify-format {fmt}: give --notify-webhook URL or set {notify.ENV}")
        self.notify_format = fmt or "teams"
        self.run_url = _run_url(env)
        self.attributes = allocation_attributes(policies)
        self.minimums: dict[str, int] = {}
        self._catalog = [
            (e.sku, e.spare_seats.min)
            for p in policies.policies
            for e in p.catalog or ()
            if e.spare_seats and e.spare_seats.min is not None
        ]
        self.subscriptions: list[forecast.SubscriptionFacts] = []
        self.allocation: CostAllocation | None = None
        self.audits: DirectoryAudits | None = None
        self.collected_at: str | None = None
        self.as_of: datetime | None = None

    def check_outputs(self) -> None:
        """Before collecting, once the output directory exists (the history file may live in it):
        a history file this run could not append to stops it now (exit 2), not after the reports."""
        if self.history_path is not None:
            history.check_appendable(self.history_path)

    # --- before the snapshot is freed ---------------------------------------------------------

    def observe(self, snapshot: TenantSnapshot, result: AuditResult) -> None:
        by_ref = {s.sku_id.lower(): s.sku_part_number for s in snapshot.skus}
        by_ref.update({s.sku_part_number.lower(): s.sku_part_number for s in snapshot.skus})
        for ref, minimum in self._catalog:
            part = by_ref.get(ref.lower())
            if part is not None and minimum is not None:
                self.minimums.setdefault(part, minimum)
        parts = {s.sku_id.lower(): s.sku_part_number for s in snapshot.skus}
        self.subscriptions = [
            forecast.SubscriptionFacts(
                s.id,
                s.sku_id,
                s.sku_part_number or parts.get(s.sku_id.lower(), s.sku_id),
                s.status,
                s.is_trial,
                s.total_licenses,
                s.next_lifecycle_date_time,
            )
            for s in snapshot.subscriptions
        ]
        if self.attributes:
            self.allocation = allocation.allocate(snapshot, result, self.attributes)
            missing = [a for a in self.attributes if a not in snapshot.user_attributes]
            if missing:
                self.warnings.append(
                    f"cost allocation: the tenant data holds no {', '.join(missing)} (read from "
                    "Graph with this policy, or use a snapshot collected with it)"
                )
        audits = snapshot.directory_audits
        if audits is not None:
            audits = audits if isinstance(audits, DirectoryAudits) else None
        self.audits = audits
        if self.causes and self.audits is None and not any(g.dataset == "directoryAudits" for g in snapshot.gaps):
            self.warnings.append(
                "--causes: the tenant data holds no directory audit entries (collect with --graph "
                "--causes, or audit a snapshot saved by such a run)"
            )
        self.collected_at = snapshot.collected_at
        self.as_of = result.as_of

    # --- the document ---------------------------------------------------------------------------

    def enrich(
        self, document: ReportDocument, plan: ChangePlan | None = None, remediation: Remediation | None = None
    ) -> ReportDocument:
        """`document` with its causes, trends, renewals, cost allocation and the extras' warnings: a new
        document, the one given is left as it is.
        `plan`: the document's plan with the default filters (auditor.plan.summary.header_plan), when
        the caller has compiled it; else the forecast compiles it. `remediation`: for a document whose
        findings carry none yet (auditor.report.document.FindingRemediation)."""
        warnings = list(document.warnings)
        more: list[str] = list(self.warnings)
        if self.causes:
            document = causes.explain(document, self.audits, self.baseline_read, self.collected_at, more)
        tenant = document.tenant.id
        mine: list[history.Record] = []
        if self.records:
            mine = history.of_tenant(self.records, tenant)
        trends_ = document.trends
        if self.history_path is not None:
            others = len(self.records) - len(mine)
            if others:
                more.append(f"history {self.history_path}: {others} record(s) of other tenants left out")
            self.record = history.record_of(document)  # this run's record: drawn now, appended after the reports
            trends_ = trends.trends([*mine, self.record])
        renewals = document.renewals
        if self.as_of is not None and self.subscriptions:
            renewals = (
                forecast.renewals(
                    document, self.subscriptions, mine, self.minimums, self.as_of, plan=plan, remediation=remediation
                )
                or renewals
            )
        return msgspec.structs.replace(
            document,
            trends=trends_,
            renewals=renewals,
            cost_allocation=document.cost_allocation if self.allocation is None else self.allocation,
            warnings=warnings + [w for w in more if w not in warnings],
        )

    # --- after the reports --------------------------------------------------------------------

    def write(self, document: ReportDocument, out_dir: Path, *, locale: Locale, with_csv: bool) -> list[Path]:
        written: list[Path] = []
        try:
            if self.allocation is not None and with_csv:
                path = out_dir / allocation.CSV_NAME
                write_text(path, allocation.csv_text(self.allocation), encoding="utf-8-sig")
                written.append(path)
            stamp = timestamp_or_none(document.generated_at or None) or datetime.now(UTC)
            tenant = document.tenant.name or document.tenant.id
            taken: set[str] = set()  # the calendar files' names so far: two entries never share one
            for renewal in document.renewals or []:
                path = out_dir / calendar.file_name(renewal, taken)
                write_text(
                    path, calendar.event(renewal, locale=locale, stamp=stamp, tenant=tenant, run_url=self.run_url)
                )
                written.append(path)
            bill = document.bill if document.bill is not UNSET else None
            for action in bill.actions if bill is not None else []:  # audit --billing: each `by` date
                if action.by and action.seats and action.action != "none":
                    path = out_dir / calendar.bill_file_name(action, taken)
                    write_text(
                        path,
                        calendar.bill_event(action, locale=locale, stamp=stamp, tenant=tenant, run_url=self.run_url),
                    )
                    written.append(path)
        except OSError as exc:
            raise UsageError(f"{out_dir}: cannot write: {exc.strerror or exc}") from None
        return written

    def remember(self, document: ReportDocument) -> list[Path]:
        """Append this run's record to the history file, if one is set (once its reports are in place:
        the next night compares with a run whose report is there); the file, or nothing."""
        if self.history_path is None:
            return []
        history.append_record(self.history_path, self.record or history.record_of(document))
        return [self.history_path]

    def deliver(self, document: ReportDocument, code: int, redact: bool) -> int:
        """Post the summary to the webhook, if one is set (redacted first with --redact)."""
        if self.notify_url is None:
            return code
        try:
            notify.notify(redact_for_others(document, redact), self.notify_url, self.notify_format, self.run_url)
        except DeliveryError as exc:
            _say(f"license-auditor: error: {exc}")
            return code if code == EXIT_COLLECTION else EXIT_DELIVERY
        _say(f"posted the summary to the {self.notify_format} webhook")
        return code


def redact_for_others(document: ReportDocument, redact: bool) -> ReportDocument:
    """The document as readers outside the admin team see it (--redact: people pseudonymised)."""
    if not redact:
        return document
    return redact_document(document, redaction_key(os.environ, document.tenant.id))


def _run_url(env: Mapping[str, str]) -> str | None:
    if not env.get("GITHUB_RUN_ID"):
        return None  # not in a GitHub Actions run: no need to load the e-mail builder to say so

    return run_url_from_env(env)


# --- the `history` command ---------------------------------------------------------------------


def cmd_history(options: HistoryOptions) -> int:
    """`history FILE`: the records `audit --history FILE` appended, as a table."""
    path = Path(options.file)
    if not path.exists():
        raise UsageError(f"{path}: no such history file")
    records, problems = history.read_history(path)
    for line in history.problem_lines(problems, path):
        _say(f"warning: {line}")
    if options.tenant:
        records = history.of_tenant(records, options.tenant)
    if options.last is not None:
        if options.last < 1:
            raise UsageError("--last: give a number of records, 1 or more")
        records = records[-options.last :]
    if not records:
        _say(f"{path}: no records")
        return EXIT_OK
    tenants = sorted({r.tenant for r in records})
    if len(tenants) > 1:
        _say(f"note: {path} holds records of {len(tenants)} tenants; --tenant ID shows one")
    sys.stdout.write(clean_message(history.table(records)))
    if options.products:
        sys.stdout.write("\n" + clean_message(history.products_table(records)))
    return EXIT_OK
