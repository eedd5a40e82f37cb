"""The plan's records: the change set `compile_plan` returns (a `ChangePlan`) and its parts (a
change itself is auditor.formats.change_model's `Change`, which apply reads back).

msgspec Structs rather than dataclasses (the same fields, equality and repr): defining one costs a
few hundredths of a millisecond where a dataclass costs about one, which every audit's start-up
pays.
"""

from __future__ import annotations

from typing import NotRequired, TypedDict

import msgspec

from auditor.common.json_value import JsonObject
from auditor.data.remediation_json import ACTION_KINDS
from auditor.formats.bill_model import Bill
from auditor.formats.change_model import Body
from auditor.formats.change_model import Change as Change  # re-exported: the plan's readers import it from here
from auditor.formats.report_model import Money

KINDS = ACTION_KINDS  # a report action's kinds (one home: auditor.data.remediation_json.ActionKind)
METHODS = {
    "assign_license": "POST",
    "add_member": "POST",
    "remove_member": "DELETE",
    "reprocess": "POST",
    "set_usage_location": "PATCH",
    "lookup": "GET",
}
DEFAULT_GRAPH_ROOT = "https://graph.microsoft.com/v1.0"
COUNT_VIOLATION = "no free seat: CountViolation"
NOT_SUBSCRIBED = "the tenant has no subscription for this product: CountViolation"

# Skipped reasons besides the actions' own `blocked` values.
NO_ACTION = "no_action"  # the finding has no action to run (a person decides what to do)
NOT_READY = "not_ready"  # an action is not ready and says no more
MALFORMED = "malformed"  # an action does not have the shape docs/report-format.md gives
CONTRADICTION = "contradiction"  # another finding asks for the opposite
DATA_TOGETHER = "data_together"  # with another finding's removals, the user's mailbox or files would end
STOPPED = "stopped"  # the plan stops before this finding's changes (no free seat)
WAIVED = "waived"  # named with --findings, but waived
WAIVER_LAPSED = "waiver_recently_expired"  # open again since its waiver expired (< 14 days): its owner decides

# --- plan.json's records (each Struct's to_json): keys written only when they apply --------


SkippedRecord = TypedDict(
    "SkippedRecord",
    {
        "finding": str,
        "rule": str,
        "reason": str,
        "subject": str,
        "description": str,
        "with": NotRequired[list[str]],
        "data": NotRequired[list[str]],
        "waiver": NotRequired[dict[str, str]],
        "not_before": NotRequired[str],
        "in_part": NotRequired[bool],
        "storage": NotRequired[JsonObject],  # the finding's details.storage, as the report gives it
        "used_on": NotRequired[str],
    },
)


class SeatRecord(TypedDict):
    usable: int | None
    consumed: int | None
    after: int


class FiltersRecord(TypedDict):
    rules: list[str] | None
    min_severity: str | None
    findings: list[str] | None


class MailboxRecord(TypedDict):
    upn: str
    subject: str
    finding: str
    rule: str
    why: str
    change: NotRequired[int]
    synced: NotRequired[bool]
    size_bytes: NotRequired[int]
    archive: NotRequired[bool]


class PlanRecord(TypedDict):
    """plan.json (auditor.plan.write.plan_document; docs/plan-and-apply.md)."""

    plan_version: int
    tenant_id: str
    tenant_name: str
    cloud: str
    report_generated_at: str
    report_collected_at: str | None
    created_at: str
    policy_files: list[str]
    policy_sha256: dict[str, str]
    filters: FiltersRecord
    currency: str | None
    net_monthly: float | None
    unpriced: list[str]
    changes: list[dict[str, object]]  # each a Change.to_json()
    seats: dict[str, SeatRecord]
    stopped: Stopped | None  # encoded as JSON by msgspec, as `bill` (its fields, in their order)
    skipped: list[SkippedRecord]
    exchange_steps: NotRequired[list[MailboxRecord]]
    bill: NotRequired[Bill]  # encoded as JSON by msgspec (plan.write: json.dumps(default=msgspec.to_builtins))


class BatchRequest(TypedDict):
    """One request of a Graph `$batch` body."""

    id: str
    method: str
    url: str
    headers: NotRequired[dict[str, str]]
    body: NotRequired[Body]
    dependsOn: NotRequired[list[str]]


class BatchBody(TypedDict):
    requests: list[BatchRequest]


# --- the plan -------------------------------------------------------------------------------


class Skipped(msgspec.Struct, frozen=True):
    finding: str
    rule: str
    reason: str
    subject: str  # the subject's name, UPN or id, for a reader
    description: str = ""  # the action that needs a person, when there is one
    others: tuple[str, ...] = ()  # contradiction, data_together: the other findings
    other_rules: tuple[str, ...] = ()  # the rule of each of `others`, which the words for people name them by
    data: tuple[str, ...] = ()  # data_together: the kinds of data that would end (mailbox, archive, files)
    waiver: dict[str, str] | None = None  # waiver_recently_expired: the waiver's owner and expires
    not_before: str = ""  # grace_period: the first day the removal may run (YYYY-MM-DD)
    in_part: bool = False  # the finding's data-free removals are planned; this part waits
    # mailbox_too_large, onedrive_too_large, archive, storage_unknown: the finding's details.storage
    # (sizes, limits and the plans that set them; auditor/impact/storage_fit.py)
    storage: JsonObject | None = None
    used_on: str = ""  # mailbox_used: the last day the usage reports saw Exchange or OneDrive used (YYYY-MM-DD)

    def to_json(self) -> SkippedRecord:
        out: SkippedRecord = {
            "finding": self.finding,
            "rule": self.rule,
            "reason": self.reason,
            "subject": self.subject,
            "description": self.description,
        }
        if self.others:
            out["with"] = list(self.others)
        if self.data:
            out["data"] = list(self.data)
        if self.waiver:
            out["waiver"] = dict(self.waiver)
        if self.not_before:
            out["not_before"] = self.not_before
        if self.in_part:
            out["in_part"] = True
        if self.storage:
            out["storage"] = dict(self.storage)
        if self.used_on:
            out["used_on"] = self.used_on
        return out


class Stopped(msgspec.Struct, frozen=True):
    n: int  # the number the change would have had
    sku: str
    usable: int
    needed: int  # consumed seats the change would need
    reason: str
    description: str
    method: str
    path: str


class SeatLine(msgspec.Struct, frozen=True):
    sku: str
    name: str
    usable: int | None  # None: not in the report's seat table
    consumed: int | None
    after: int
    price: float | None  # monthly, in the plan's currency; 0 for a free product

    def to_json(self) -> SeatRecord:
        return {"usable": self.usable, "consumed": self.consumed, "after": self.after}


class Filters(msgspec.Struct, frozen=True):
    rules: tuple[str, ...] | None = None
    min_severity: str | None = None
    findings: tuple[str, ...] | None = None

    def to_json(self) -> FiltersRecord:
        return {
            "rules": None if self.rules is None else list(self.rules),
            "min_severity": self.min_severity,
            "findings": None if self.findings is None else list(self.findings),
        }


# MailboxStep.why (auditor.plan.exchange): the removal waits for the mailbox, or a converted_to_shared
# declaration made it ready
WAITS, DECLARED = "waits", "declared"


class MailboxStep(msgspec.Struct, frozen=True):
    upn: str
    subject: str  # the user's name, for a reader
    finding: str
    rule: str
    why: str  # WAITS | DECLARED
    change: int = 0  # DECLARED: the change that must run after the conversion
    object_id: str = ""  # the user's Entra object id: Exchange's ExternalDirectoryObjectId must match it
    synced: bool = False  # the Exchange export shows the user synced from Active Directory (hybrid)
    exchange_guid: str = ""  # the mailbox's ExchangeGuid, from the Exchange export
    size_bytes: int | None = None  # the mailbox's size by the mailbox usage report
    archive: bool = False  # the usage report or the export shows an archive

    def to_json(self) -> MailboxRecord:
        out: MailboxRecord = {
            "upn": self.upn,
            "subject": self.subject,
            "finding": self.finding,
            "rule": self.rule,
            "why": self.why,
        }
        if self.change:
            out["change"] = self.change
        if self.synced:
            out["synced"] = True
        if self.size_bytes is not None:
            out["size_bytes"] = self.size_bytes
        if self.archive:
            out["archive"] = True
        return out


class ChangePlan(msgspec.Struct, frozen=True):
    tenant_id: str
    tenant_name: str
    cloud: str
    locale: str
    report_generated_at: str
    currency: str | None
    net_monthly: float | None  # None: no product of the plan has a price
    unpriced: tuple[str, ...]  # products whose seats change but which have no price
    changes: tuple[Change, ...]
    seats: tuple[SeatLine, ...]  # the products the changes touch
    stopped: Stopped | None
    skipped: tuple[Skipped, ...]
    filters: Filters = msgspec.field(default_factory=Filters)
    exchange: tuple[MailboxStep, ...] = ()  # mailboxes to convert to shared first (exchange-steps.ps1)
    bill: Bill | None = None  # which seats leave the bill, and when (auditor.plan.bill)
    report_collected_at: str = ""  # when the tenant data was read (report.json's collected_at)
    policy_files: tuple[str, ...] = ()  # the policy files the report was audited with (report.json's)
    policy_sha256: tuple[tuple[str, str], ...] = ()  # (file, SHA-256 of its bytes then): report.json's
    money: Money | None = None  # the report's `money` (auditor.plan.money): plan.md opens with it

    @property
    def need_a_person(self) -> int:
        """Findings in scope that the plan does not fix (a waived finding named on purpose is not one)."""
        return len({s.finding for s in self.skipped if s.reason != WAIVED})
