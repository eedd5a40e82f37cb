"""report.json, typed: the document is a ReportDocument, its `summary`, `money`, `findings`,
`tool`, `tenant`, `gaps`, `not_evaluated`, seat rows (`skus`) and a merged report's `tenants` are
Structs of their own (docs/report-format.md).

The audit builds the document (auditor.report.document.build_document; `merge`:
auditor.merge.document.build_merged_document) and sets the keys after `skus` as it works them out
(auditor.commands, `--baseline`, the nightly extras); report.json is its encoding
(auditor.report.write: its fields not UNSET, in the order below, each part `msgspec.to_builtins`);
the reader (auditor.formats.report_json.decode_report) decodes the file into the same Struct. So a
reader says `document.summary.unwaived`, and mypy checks the name; a report.json that lacks a
field, or holds one of the wrong type, is refused with the field's place.

A finding's `details` stay one mapping, as report.json writes them; the one decoder splits them into
their typed holding and fix (auditor.data.finding_facts.split: `ReportFinding.holding`, `.fix`), the
rule's own fields by the rule's record where its texts read them (auditor.guidance.details).
Its `waiver`, `tenant`, `cause` and `state`, and the document's `subscriptions`, are
auditor.formats.report_parts' Structs; `billing_facts` the billing file's rows
(auditor.billing.file.BillingRow); `distributor` the reconciliation's Structs
(auditor.billing.distributor_records.DistributorSection); `psa` the three-way table's
(auditor.billing.psa_records.PsaSection); the bill auditor.formats.bill_model's `Bill`. Every reader
reads the attributes: none reads the document or a
part of it by key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import msgspec
from msgspec import UNSET, Struct, UnsetType

from auditor.billing.distributor_records import DistributorSection
from auditor.billing.file import BillingRow
from auditor.billing.psa_records import PsaSection
from auditor.data.copilot_use import CopilotSeat
from auditor.data.finding_facts import Fix, Holding, Subject, checked, split, subject_of
from auditor.data.license_insight_data import InsightComparison
from auditor.data.model import AccountKindRow
from auditor.data.remediation_json import RemediationJson
from auditor.formats.bill_model import Bill
from auditor.formats.report_parts import (
    FindingCause,
    FindingPlanState,
    FindingTenant,
    FindingWaiver,
    ReportSubscription,
)

__all__ = [
    "Amount",
    "BillMoney",
    "CloudName",
    "Gap",
    "Leave",
    "MergedTenant",
    "Money",
    "NotEvaluated",
    "PlanMoney",
    "ReportDocument",
    "ReportFinding",
    "SeatRow",
    "Summary",
    "Tenant",
    "Tool",
    "Users",
    "Waiting",
    "builtins",
    "finding_of",
]


class Amount(Struct, frozen=True, kw_only=True):
    """An amount a month in one currency, rounded to cents."""

    amount: float
    currency: str


class Users(Struct, frozen=True, kw_only=True):
    total: int
    licensed: int


class Summary(Struct, frozen=True, kw_only=True):
    """report.json's `summary`: the counts of the findings and the two amounts of the seat table."""

    total: int
    unwaived: int
    waived: int
    by_severity: dict[str, int]  # unwaived only, every severity, the most severe first
    by_rule: dict[str, int]  # unwaived only, sorted by rule
    unused_monthly_cost: Amount | None  # spare paid seats x price; null without prices
    reclaimable_monthly_cost: Amount | None  # one amount per user: the largest of its findings
    users: Users

    @property
    def currency(self) -> str | None:
        """The currency of its amounts; None where the policy sets no prices."""
        cost = self.unused_monthly_cost or self.reclaimable_monthly_cost
        return cost.currency if cost is not None else None


class PlanMoney(Struct, frozen=True, kw_only=True):
    """What the plan's changes save and add a month at the seat prices (null without a plan)."""

    saves_monthly: float | None = None
    adds_monthly: float | None = None
    net_monthly: float | None = None


class Leave(Struct, frozen=True, kw_only=True, rename={"from_": "from"}):
    """What leaves the invoice a month from one day (null: not known), for one product."""

    from_: str | None
    sku: str
    seats: int
    monthly: float
    uplift: str | UnsetType = UNSET  # the premium over the catalog price its amount holds


class BillMoney(Struct, frozen=True, kw_only=True):
    """What the plan takes off the bill (every amount null without a bill)."""

    next_12_months: float | None = None
    unknown_monthly: float | None = None
    leaves: list[Leave] = []
    lowers_monthly: float | None = None
    spend_after_monthly: float | None = None


class Waiting(Struct, frozen=True, kw_only=True):
    """The reclaimable amount the plan does not make yet, by whose decision it waits for."""

    declaration_monthly: float
    person_monthly: float


class Money(Struct, frozen=True, kw_only=True):
    """report.json's `money`: every amount a person reads first (auditor.plan.money, docs/money.md)."""

    currency: str | None
    spend_monthly: float | None
    unused_monthly: float | None
    reclaimable_monthly: float | None
    plan: PlanMoney
    bill: BillMoney
    waiting: Waiting | None = None
    waiting_monthly: float | None = None


SeverityName = Literal["critical", "high", "medium", "low"]
Change = Literal["new", "persisting", "resolved", "unverified"]


class ReportFinding(Struct, kw_only=True):
    """One of report.json's `findings`, whole: the fields in the order report.json writes them.
    The audit writes every field up to `remediation` but `alert` (false only: the catalog keeps
    its products out of alerts); the ones after it are set by what reads the report further."""

    id: str
    rule: str
    severity: SeverityName
    policy: str | None
    subject: Subject  # the finding's own (auditor.data.finding.Subject): type, id, and upn, sku, display_name, kind
    skus: list[str]
    message: str
    details: dict[str, object]  # the rule's own (its record), the holding and the fix, as one object (split)
    monthly_cost: float | None
    waived: bool
    waiver: FindingWaiver | None
    alert: bool | UnsetType = UNSET
    remediation: RemediationJson | None  # null: worked out as report.json is written (FindingRemediation)
    tenant: FindingTenant | UnsetType | None = UNSET  # a merged report: where it was found (null: cross-tenant)
    change: Change | UnsetType = UNSET  # --baseline
    first_seen: str | UnsetType | None = UNSET  # --baseline
    trend: Literal["better", "worse"] | UnsetType = UNSET  # --baseline: the same problem, fewer or more products
    cause: FindingCause | UnsetType | None = UNSET  # --baseline --causes
    state: FindingPlanState | UnsetType = UNSET  # the finding's state in the plan (auditor.report.view.states)

    def __post_init__(self) -> None:
        # its holding and fix split from its details here, as the file is read (or the document built):
        # a value of the wrong type is refused here, with its place, and every reader after takes them split
        split(self.details)

    @property
    def holding(self) -> Holding:
        """How the user holds the finding's products (auditor.data.finding.Holding), as its details carry it."""
        return split(self.details)[0]

    @property
    def fix(self) -> Fix:
        """What the finding's fix rests on beyond the rule's own facts (auditor.data.finding_facts.Fix)."""
        return split(self.details)[1]

    @property
    def alerts(self) -> bool:
        """False: the catalog keeps the finding's products out of alerts."""
        return self.alert is not False


def finding_of(
    subject: Subject | Mapping[str, object],
    skus: Sequence[str],
    details: Mapping[str, object] | None = None,
    *,
    rule: str = "",
) -> ReportFinding:
    """A finding made by hand, as report.json would hold it, for its texts to read (a test's, the account a
    cross-tenant fix acts on): its subject (a mapping decoded by subject_of), products and details checked as
    report.json's are (FindingFactsError, with the place), the rest empty."""
    return ReportFinding(
        id="",
        rule=rule,
        severity="low",
        policy=None,
        subject=subject if isinstance(subject, Subject) else subject_of(subject),
        skus=checked(skus, list[str], "skus"),
        message="",
        details=dict(details or {}),
        monthly_cost=None,
        waived=False,
        waiver=None,
        remediation=None,
    )


class Causes(Struct, kw_only=True):
    """--baseline --causes: the directory audit entries read for the window between the two reads
    (auditor.insights.causes), and how many new findings they explain."""

    since: str | None
    until: str | None
    read: bool
    explained: int


class BaselineChanges(Struct, kw_only=True):
    """--baseline: what changed since the baseline report (auditor.report.baseline.compare), the
    counts and the earlier findings this run does not report (resolved, or not re-checked)."""

    baseline_generated_at: str | None = None
    baseline_as_of: str | None = None
    # defaults: a report.json written before a key was kept (compare writes every one)
    new: int = 0
    persisting: int = 0
    better: int = 0
    worse: int = 0
    resolved: list[ReportFinding] = []
    unverified: list[ReportFinding] = []
    causes: Causes | UnsetType = UNSET


class NotifyReason(Struct, frozen=True, kw_only=True):
    """One reason tonight's run speaks: its code (new, worse, gap, soon, weekly, …) and its sentence."""

    code: str
    text: str


class Notify(Struct, kw_only=True):
    """Whether tonight's run speaks (e-mail, webhook), and why (--notify-when; auditor.insights.notify_when)."""

    send: bool
    when: str
    reasons: list[NotifyReason] = []


class ConfigProblem(Struct, frozen=True, kw_only=True):
    """What the configuration says that the run could not understand (auditor.policyset.config_problems):
    where (`file`, `line`), its `code`, the facts of that code, what was not understood and what was
    done instead. Each code sets its own facts: unknown_product `product`, `suggestion`;
    billing_unmatched `rows`; billing_currency `subscription`, `currency`, `policy_currency`;
    licensing_group none."""

    file: str
    line: int | None
    code: str = ""  # "": a report.json written before problems had codes (said by `what` and `instead` alone)
    product: str | UnsetType = UNSET
    suggestion: str | UnsetType | None = UNSET
    rows: int | UnsetType = UNSET
    subscription: str | UnsetType = UNSET
    currency: str | UnsetType = UNSET
    policy_currency: str | UnsetType = UNSET
    what: str
    instead: str


class TrendRun(Struct, frozen=True, kw_only=True):
    """One run of the history in `trends` (auditor.insights.trends): its time, whether it was complete,
    its open findings (by severity) and its unused spend (null: another currency, or none)."""

    generated_at: str
    complete: bool
    open: int
    by_severity: dict[str, int]
    unused_monthly_cost: float | None


class TrendProduct(Struct, frozen=True, kw_only=True):
    """One product's seats over the runs of `trends`: one value per run, null where the tenant lacked it."""

    sku: str
    assigned: list[int | None]
    usable: list[int | None]


class TrendCopilotSeat(Struct, frozen=True, kw_only=True):
    """One Copilot seat over the runs of `trends` (auditor.insights.copilot_history): its state each night
    (retained, reactivated, lapsed, reassigned, reclaimed; null: not held, or not recorded) and what it cost
    while idle (null: no price known)."""

    sku: str
    user_id: str
    upn: str
    states: list[str | None]
    idle_cost: float | None


class Trends(Struct, frozen=True, kw_only=True):
    """report.json `trends`: the last runs of the history (this run last), for the reports' charts."""

    runs: list[TrendRun]
    currency: str | None
    products: list[TrendProduct]
    # each Copilot seat's history over the runs, when the records keep the seats (docs/copilot.md)
    copilot_seats: list[TrendCopilotSeat] | UnsetType = UNSET


class AllocationRow(Struct, frozen=True, kw_only=True):
    """One value of a cost-allocation dimension (auditor.insights.allocation; null: the attribute is not set)."""

    value: str | None
    users: int
    licensed_monthly: float
    unused_monthly: float
    reclaimable_monthly: float


class AllocationDimension(Struct, frozen=True, kw_only=True):
    """One dimension of the cost allocation (department, companyName, country, or a policy's attribute)."""

    key: str
    rows: list[AllocationRow]


class CostAllocation(Struct, frozen=True, kw_only=True):
    """report.json `cost_allocation`: license spend per dimension, and the unused seats nobody holds."""

    currency: str | None
    dimensions: list[AllocationDimension]
    unallocated_unused: float
    read: list[str]  # the dimensions whose values were read


class ExchangeExport(Struct, frozen=True, kw_only=True):
    """--exchange-export: the file the mailbox facts came from, by name, and how many mailboxes it listed."""

    file: str
    mailboxes: int


class RenewalForecast(Struct, frozen=True, kw_only=True):
    """One subscription renewing soon (auditor.insights.forecast.renewals): the seats to renew at, today's,
    the range, and the basis of the figure (assigned, the trend, what the findings and the plan free, the
    policy's spare seats, other subscriptions of the product), and the difference a month (null: unpriced)."""

    subscription_id: str
    sku: str
    sku_id: str
    name: str
    renews: str | None
    days_left: int
    seats_today: int
    seats: int
    low: int
    high: int
    assigned: int
    projected: float
    trend_per_30_days: float
    history_points: int
    freed_by_findings: int
    freed_by_plan: int
    buffer: int
    other_subscriptions: int
    monthly_difference: float | None
    currency: str | None


CloudName = Literal["worldwide", "usgov", "usgov-dod", "china", "germany"]


class Tool(Struct, kw_only=True):
    name: str
    version: str


class Tenant(Struct, kw_only=True):
    id: str
    name: str = ""
    cloud: CloudName = "worldwide"
    # the --tenant-id domain the audit found among the tenant's verified domains (absent: none was
    # given as a domain, or the tenant was not read from Graph); `lists` checks a domain against it
    domain: str | UnsetType = UNSET


class Gap(Struct, kw_only=True):
    """Tenant data that could not be read (auditor.data.model.Gap); a merged report's names its tenant."""

    part: str
    request: str
    reason: str
    tenant: str | UnsetType = UNSET  # a merged report: the tenant's id and name
    tenant_name: str | UnsetType = UNSET


class NotEvaluated(Struct, kw_only=True):
    """A rule a policy asks for that the data did not let the audit evaluate; with `only`, the rule was
    evaluated and only its judgements whose finding's `details` hold one of the values under the key were
    not (auditor.data.model.NotEvaluated.only): `{"mailbox_purpose": ["room"]}`."""

    rule: str
    policy: str
    reason: str
    only: dict[str, list[str]] | UnsetType = UNSET
    tenant: str | UnsetType = UNSET  # a merged report: the tenant's id and name
    tenant_name: str | UnsetType = UNSET


class SeatRow(Struct, kw_only=True):
    """A row of the seat table (`skus`)."""

    sku: str
    sku_id: str
    enabled: int = 0
    suspended: int = 0
    warning: int = 0
    locked_out: int = 0
    consumed: int = 0
    unused: int = 0
    capability_status: str | None = None
    free: bool = False
    price_monthly: float | None = None
    currency: str | None = None
    unused_monthly_cost: float | None = None
    trial: int = 0
    name: str | None = None
    # the policy's price, where a price read at the run (price_source: billing_file, pax8) is price_monthly
    policy_price_monthly: float | UnsetType = UNSET
    price_source: str | UnsetType = UNSET

    @property
    def usable(self) -> int:
        """The seats that can be assigned today: enabled plus those in their grace period (prepaidUnits.warning),
        which stay usable until the subscription is disabled; the seat table's "of" and `unused` count these."""
        return self.enabled + self.warning


class MergedTenant(Struct, kw_only=True):
    """A tenant of a merged report (`tenants`), with its own report's summary and seat table."""

    id: str
    name: str = ""
    cloud: CloudName = "worldwide"
    complete: bool
    collected_at: str | None = None
    as_of: str | None = None
    policies: list[str] = []
    summary: Summary
    skus: list[SeatRow] = []


class ReportDocument(Struct, kw_only=True):
    """report.json, whole: the top-level keys in the order report.json writes them. The audit
    (auditor.report.document.build_document) and `merge` build it, `audit` sets the keys after
    `skus` as it works them out, the reader decodes it; a key left UNSET is not written."""

    schema_version: int
    tool: Tool | UnsetType = UNSET
    tenant: Tenant
    generated_at: str | UnsetType | None = UNSET
    as_of: str | UnsetType | None = UNSET
    collected_at: str | UnsetType | None = UNSET
    sign_ins_read_at: str | UnsetType = UNSET  # when the sign-in activity was read in full (absent: by this run)
    policies: list[str] = []
    # the policy files the audit read, as it was given them (plan.json carries them on: apply --demo's
    # "to audit it" names them); absent in a merge and in a report written before it was recorded
    policy_files: list[str] | UnsetType = UNSET
    # each policy file's SHA-256 as the audit read it (plan.json carries it on; apply refuses a plan
    # whose policy files hold other bytes now); absent as policy_files is
    policy_sha256: dict[str, str] | UnsetType = UNSET
    locale: str = "en"
    complete: bool
    gaps: list[Gap] = []
    not_evaluated: list[NotEvaluated] = []
    warnings: list[str] = []
    summary: Summary
    tenants: list[MergedTenant] | UnsetType = UNSET  # a merged report
    skus: list[SeatRow] = []
    license_insight: InsightComparison | UnsetType = UNSET  # Microsoft's own counts beside the auditor's
    account_kinds: list[AccountKindRow] | UnsetType = UNSET  # licensed accounts that are not people, per kind
    # every Copilot seat a copilot_seats entry judges and its holder's last use (each night's seat history)
    copilot_seats: list[CopilotSeat] | UnsetType = UNSET
    subscriptions: list[ReportSubscription] | UnsetType = UNSET  # the bill's input (docs/bill.md)
    spare_seats: dict[str, int] | UnsetType = UNSET
    distributor: DistributorSection | UnsetType = UNSET  # audit --tenants: the distributor's seats (docs/msp.md)
    psa: PsaSection | UnsetType = UNSET  # audit --tenants: the three-way table with the PSA (docs/msp.md)
    config_problems: list[ConfigProblem] | UnsetType = UNSET  # what the configuration says in vain
    exchange_export: ExchangeExport | UnsetType = UNSET  # --exchange-export
    changes: BaselineChanges | UnsetType = UNSET  # --baseline
    billing_facts: list[BillingRow] | UnsetType = UNSET  # the commerce facts the bill was built from
    bill: Bill | UnsetType = UNSET  # audit --billing (auditor.formats.bill_model)
    money: Money | UnsetType = UNSET  # every amount a person reads first (docs/money.md)
    trends: Trends | UnsetType = UNSET  # nightly extras (docs/nightly.md)
    renewals: list[RenewalForecast] | UnsetType = UNSET
    cost_allocation: CostAllocation | UnsetType = UNSET
    notify: Notify | UnsetType = UNSET  # whether tonight's run speaks, and why (--notify-when)
    findings: list[ReportFinding]

    @property
    def bill_or_none(self) -> Bill | None:
        """The bill, or None for a report without one (`audit` without --billing, an older report)."""
        return self.bill if isinstance(self.bill, Bill) else None

    def shows_msp_cost(self) -> bool:
        """Whether the rendered files show what the MSP's seats cost it, its margin or its own differences
        with its PSA (the distributor's and the PSA's sections not `mailed_to_customer`): never the customer's."""
        sections = (self.distributor, self.psa)
        return any(isinstance(s, DistributorSection | PsaSection) and s.shows_msp_cost() for s in sections)


def builtins(value: Any) -> Any:
    """The JSON values of one of the Structs above (or of a BillingRow, a dataclass, which orjson
    encodes itself): the `default` of report.json's encoders (orjson's, json's), which meet them
    inside the document. TypeError for anything else."""
    if isinstance(value, Struct | BillingRow):
        return msgspec.to_builtins(value)
    raise TypeError(f"not a report.json value: {type(value).__name__}")
