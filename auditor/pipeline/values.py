"""The typed values the audit's stages hand each other (auditor/pipeline/__init__.py draws the stages).

Each is frozen, holds what was read before the tenant (`prepared`) and the stage's value before it. The two
that hold most of the memory, the tenant's snapshot and the evaluation's findings, are handed on in
a `Handover`: the stage that reads them last takes them, so they are freed where it ends, as a
million users need (docs/performance.md), and not kept alive by the value that carried them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Generic, TypeVar

from auditor.billing.distributor_records import Payload
from auditor.billing.file import BillingFile
from auditor.common.phase_timings import PhaseTimings
from auditor.data.exchange_export import MailboxExport
from auditor.data.model import AuditResult, Cloud, Locale, TenantSnapshot
from auditor.data.protection_rules import ProtectionRule
from auditor.delivery.options import EmailOptions
from auditor.formats.bill_model import CopilotCredits as CreditsJson
from auditor.formats.report_model import ConfigProblem, Notify, ReportDocument
from auditor.insights.nightly import Nightly
from auditor.migration.document import MigrationDocument
from auditor.pipeline.arguments import AuditOptions
from auditor.plan.bill import CommerceFacts
from auditor.plan.compile import ChangePlan
from auditor.policy.objects import PolicySet
from auditor.report.document import FindingRemediation

T = TypeVar("T")


class Handover(Generic[T]):
    """A value one stage hands a later one, taken once: `take()` returns it and keeps no reference."""

    __slots__ = ("_taken", "_value")

    def __init__(self, value: T) -> None:
        self._value: T | None = value
        self._taken = False

    def take(self) -> T:
        if self._taken:
            raise RuntimeError("handed on already")
        value, self._value, self._taken = self._value, None, True
        return value  # type: ignore[return-value]  # a T until taken


@dataclass(frozen=True)
class Prepared:
    """What is read and checked before the tenant: a bad flag or file stops the run (exit 2) before
    anything is read, moved or written."""

    options: AuditOptions  # never changed
    timings: PhaseTimings
    as_of: datetime
    policies: PolicySet
    out_dir: Path
    kept_sign_ins: Path | None  # the nightly's last full read of the sign-in activity (auditor.graph.kept_sign_ins)
    baseline: ReportDocument | None
    billing: BillingFile | None  # --billing FILE
    exchange: dict[str, MailboxExport] | None  # --exchange-export
    protection: tuple[ProtectionRule, ...] | None  # the protection-rules.csv beside it
    migration: MigrationDocument | None
    nightly: Nightly  # history, causes, cost allocation, chat (auditor.insights)
    given: Handover[TenantSnapshot | None]  # --snapshot FILE, read before the folder is touched
    email: EmailOptions | None  # signed in to Graph as the tenant is read
    alone: bool  # one tenant in the process (audit --tenants gives each its own environment)


@dataclass(frozen=True)
class Collected:
    prepared: Prepared
    snapshot: Handover[TenantSnapshot]
    seats: Payload | None  # the tenant's seats at its distributor (read only)
    billing: BillingFile | None  # the bill's commerce facts, this tenant's subscriptions' rows only
    billing_gaps: tuple[str, ...]  # the billing sources that could not be read


@dataclass(frozen=True)
class Evaluated:
    prepared: Prepared
    collected: Collected  # its snapshot taken: the users are freed
    result: Handover[AuditResult]  # its findings go into the document, and nowhere else
    problems: tuple[ConfigProblem, ...]  # what the policies and the billing file say in vain
    commerce: CommerceFacts  # report.json's subscriptions and spare seats, the bill's input
    listed: tuple[Path, ...]  # the license list and the feature map, written while the users were here
    credits: CreditsJson | None  # the bill's Copilot credits
    locale: Locale
    cloud: Cloud


@dataclass(frozen=True)
class Documented:
    prepared: Prepared
    evaluated: Evaluated
    result: AuditResult  # without its findings: they live on in the document
    document: ReportDocument
    plan: ChangePlan | None  # the plan the document states (its header, the money, the renewals)
    remediation: FindingRemediation  # worked out finding by finding as the files are written
    notify: Notify
    when: str  # --notify-when, or what it defaults to
    code: int  # the exit code of the findings and the data's gaps


@dataclass(frozen=True)
class Rendered:
    prepared: Prepared
    documented: Documented
    written: tuple[Path, ...]
