"""AuditResult -> the report document (report.json), the typed ReportDocument. Every renderer reads it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from msgspec import UNSET, UnsetType

from auditor.common import shapes
from auditor.data.model import AuditResult, Cloud, Finding, Locale, Severity
from auditor.data.remediation_json import RemediationJson

from .. import __version__
from ..formats.report_json import SCHEMA_VERSION, named_products
from ..formats.report_model import (
    Amount,
    ConfigProblem,
    Gap,
    NotEvaluated,
    ReportDocument,
    ReportFinding,
    SeatRow,
    Summary,
    Tenant,
    Tool,
    Users,
)
from ..formats.report_parts import FindingWaiver, ReportSubscription
from ..rules import RULES

__all__ = [
    "SCHEMA_VERSION",
    "AuditParts",
    "FindingRemediation",
    "Remediate",
    "build_document",
    "finding_json",
    "iso",
    "summary_json",
]


class Remediate(Protocol):
    """A finding's remediation object, from the finding as report.json holds it (auditor.wording.remediation,
    or .actions)."""

    def __call__(
        self, rule: str, finding: ReportFinding, *, cloud: Cloud, locale: Locale, names: Mapping[str, str] | None = None
    ) -> RemediationJson: ...


def iso(dt: datetime) -> str:
    return dt.isoformat().replace("+00:00", "Z")


def _money(amount: float | None, currency: str | None) -> Amount | None:
    if currency is None:
        return None
    return Amount(amount=round(amount or 0.0, 2), currency=currency)


def finding_json(
    f: Finding, remediation: RemediationJson | None, details: dict[str, object] | None = None
) -> ReportFinding:
    """The finding as report.json holds it, whole (docs/report-format.md). `details`: its details, when
    the caller has them already (build_document's, shared by equal findings)."""
    return ReportFinding(
        id=f.id,
        rule=f.rule,
        severity=f.severity.label,  # type: ignore[arg-type]  # a Severity's label is one of SeverityName
        policy=f.policy,
        subject=f.subject,
        skus=list(f.skus),
        message=f.message,
        details=f.details if details is None else details,
        monthly_cost=f.monthly_cost,
        waived=f.waived,
        waiver=None if f.waiver is None else shapes.convert(f.waiver, FindingWaiver),
        alert=UNSET if f.alert else False,
        remediation=remediation,
    )


def summary_json(
    findings: Sequence[ReportFinding],
    currency: str | None,
    unused_cost: float | None,
    users_total: int,
    users_licensed: int,
) -> Summary:
    """report.json's `summary` of the findings as report.json holds them."""
    active = [f for f in findings if not f.waived]
    by_sev: Counter[str] = Counter(f.severity for f in active)
    reclaim: dict[str, float] = {}
    reclaimable = {r.id for r in RULES if r.reclaimable}
    for f in active:
        if f.rule in reclaimable and f.monthly_cost:
            # one amount per user: the largest finding (all of an inactive user's licenses) covers
            # a smaller one (the unused product among them), so they are not added up
            key = f.subject.id
            reclaim[key] = max(reclaim.get(key, 0.0), f.monthly_cost)
    return Summary(
        total=len(findings),
        unwaived=len(active),
        waived=len(findings) - len(active),
        by_severity={s.label: by_sev.get(s.label, 0) for s in sorted(Severity, reverse=True)},
        by_rule=dict(sorted(Counter(f.rule for f in active).items())),
        unused_monthly_cost=_money(unused_cost, currency),
        reclaimable_monthly_cost=_money(sum(reclaim.values()), currency),
        users=Users(total=users_total, licensed=users_licensed),
    )


class FindingRemediation:
    """A finding's remediation, worked out from the finding as report.json holds it (rule, subject,
    products, details) in one cloud and locale: what build_document would have put in it.

    An audit builds its document without the remediation (`remediate=None`: each finding's is
    None) and hands this to the plan, which reads only the actions, and to the writer of
    report.json and findings.csv, which works each one out as it writes the finding and drops it.
    Held for every finding at once, the remediation is most of the audit's memory at a million
    users (docs/performance.md, "What the code's shapes save")."""

    def __init__(
        self,
        remediate: Remediate,
        *,
        cloud: Cloud,
        locale: Locale,
        names: Mapping[str, str],
        actions: Remediate | None = None,
    ) -> None:
        self.remediate = remediate
        self.cloud = cloud
        self.locale = locale
        self.names = names
        self.work_out_actions = actions  # the remediation's actions alone, without texts

    @classmethod
    def of(
        cls,
        result: AuditResult,
        remediate: Remediate,
        *,
        cloud: Cloud | None = None,
        locale: Locale = Locale.EN,
        actions: Remediate | None = None,
    ) -> FindingRemediation:
        return cls(remediate, cloud=cloud or result.cloud, locale=locale, names=_product_names(result), actions=actions)

    def __call__(self, finding: ReportFinding) -> RemediationJson:
        return self._ask(self.remediate, finding)

    def actions(self, finding: ReportFinding) -> RemediationJson:
        """{"actions": [...]} as the finding's remediation has them, but with empty descriptions
        (when `actions` was given; else the whole remediation): what the report header's plan reads."""
        return self._ask(self.work_out_actions or self.remediate, finding)

    def _ask(self, remediate: Remediate, finding: ReportFinding) -> RemediationJson:
        return remediate(finding.rule, finding, cloud=self.cloud, locale=self.locale, names=self.names)


@dataclass(frozen=True)
class AuditParts:
    """What an audit's document holds beside the evaluation, known before the document is built
    (auditor.pipeline): the tenant's checked domain, the bill's input (its subscriptions and spare
    seats), what the configuration says in vain, the policy files read and their SHA-256."""

    domain: str | UnsetType = UNSET
    subscriptions: list[ReportSubscription] | UnsetType = UNSET
    spare_seats: dict[str, int] | UnsetType = UNSET
    config_problems: list[ConfigProblem] | UnsetType = UNSET
    policy_files: list[str] | UnsetType = UNSET
    policy_sha256: dict[str, str] | UnsetType = UNSET


def _product_names(result: AuditResult) -> dict[str, str]:
    return named_products((r.sku, r.name) for r in result.seats)


def build_document(
    result: AuditResult,
    *,
    generated_at: datetime,
    locale: Locale = Locale.EN,
    cloud: Cloud | None = None,
    remediate: Remediate | None = None,
    parts: AuditParts = AuditParts(),
) -> ReportDocument:
    """report.json's document of `result`, with an audit's `parts` beside it (none for a merge's)."""
    cloud = cloud or result.cloud
    findings: list[ReportFinding] = []
    names = _product_names(result)
    # Findings whose details are equal share one dict, as their Finding shares the parts (the engine's
    # SharedValues: one rule's record, holding and added part for equal ones): one dict each was most
    # of what the document phase adds at a million users (docs/performance.md). The parts' identities
    # are the key, alive in `result` while this runs; a
    # reader that changes a finding's details replaces the dict instead (report.redaction, plan.holds).
    # The holding and the fix are split from the shared details as report.json will hold them (a rule's
    # own `sku_ids` over its holding's), once per shared details (auditor.data.finding_facts.split).
    shared: dict[tuple[int, int, int], dict[str, object]] = {}
    for f in result.findings:
        key = (id(f.own), id(f.holding), id(f.added))
        details = shared.get(key)
        if details is None:
            details = shared[key] = f.details
        finding = finding_json(f, None, details)
        if remediate is not None:
            finding.remediation = remediate(f.rule, finding, cloud=cloud, locale=locale, names=names)
        findings.append(finding)
    unused_cost = sum(r.unused_monthly_cost or 0.0 for r in result.seats)
    return ReportDocument(
        schema_version=SCHEMA_VERSION,
        tool=Tool(name="license-auditor", version=__version__),
        tenant=Tenant(id=result.tenant_id, name=result.tenant_name, cloud=cloud.value, domain=parts.domain),
        generated_at=iso(generated_at),
        as_of=iso(result.as_of),
        collected_at=result.collected_at,
        # when the sign-in activity behind the inactivity findings was read in full (kept_sign_ins)
        sign_ins_read_at=result.sign_ins_read_at if result.sign_ins_read_at is not None else UNSET,
        policies=list(result.policies),
        policy_files=parts.policy_files,
        policy_sha256=parts.policy_sha256,
        locale=locale.value,
        complete=result.complete,
        gaps=[Gap(part=g.dataset, request=g.request, reason=g.reason) for g in result.gaps],
        not_evaluated=[
            NotEvaluated(
                rule=n.rule,
                policy=n.policy,
                reason=n.reason,
                only={n.only[0]: list(n.only[1])} if n.only is not None else UNSET,
            )
            for n in result.not_evaluated
        ],
        warnings=list(result.warnings),
        summary=summary_json(findings, result.currency, unused_cost, result.users_total, result.users_licensed),
        skus=[
            SeatRow(
                sku=r.sku,
                sku_id=r.sku_id,
                enabled=r.enabled,
                suspended=r.suspended,
                warning=r.warning,
                locked_out=r.locked_out,
                consumed=r.consumed,
                unused=r.unused,
                capability_status=r.capability_status,
                free=r.free,
                price_monthly=r.price_monthly,
                currency=r.currency,
                unused_monthly_cost=r.unused_monthly_cost,
                trial=r.trial,
                name=r.name,
                policy_price_monthly=r.policy_price_monthly if r.policy_price_monthly is not None else UNSET,
                price_source=r.price_source or UNSET,
            )
            for r in result.seats
        ],
        # Microsoft's own counts beside the auditor's (docs/report-format.md), when they were read
        license_insight=result.license_insight if result.license_insight is not None else UNSET,
        # the accounts that are not people holding licenses, per kind (docs/account-kinds.md)
        account_kinds=list(result.account_kinds) if result.account_kinds else UNSET,
        # every judged Copilot seat and its last use: the night's line of the seats' history (docs/copilot.md)
        copilot_seats=list(result.copilot_seats) if result.copilot_seats else UNSET,
        subscriptions=parts.subscriptions,
        spare_seats=parts.spare_seats,
        config_problems=parts.config_problems,
        findings=findings,
    )
