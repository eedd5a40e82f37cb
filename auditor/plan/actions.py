"""A report's findings and their `remediation.actions`, read once into typed Structs for the plan.

`read_findings(document)` gives each finding the plan may look at as a `PlanFinding`: its id,
rule, severity, subject, waiver state, the finding itself and its actions as `Action`s. An action's
shape (its kind one of ActionKind, `ready` given, whole numbers of seats, objects as preconditions,
text as description) is report.json's own type (auditor.data.remediation_json.ActionJson): the file's
decoder refuses a badly shaped action, naming the finding and the action, before the plan reads it.
Whether a ready action's call is one apply would make (`call_problem`, the parser apply uses for
plan.json) is asked only of findings whose actions are all ready (`not_plannable`): the report
header's plan does not parse the calls of findings that wait for a person.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, cast

import msgspec

from auditor.data.model import Severity
from auditor.data.remediation_json import ActionJson, ActionKind, RemediationJson
from auditor.formats.change_model import Precondition
from auditor.formats.plan_json import PlanFileError, Where, parse_change
from auditor.formats.plan_records import MALFORMED, NO_ACTION, NOT_READY
from auditor.formats.report_model import ReportDocument, ReportFinding
from auditor.guidance.details import waiver_label
from auditor.plan.leaver_facts import LeaverFacts, leaver_facts
from auditor.reference import product_names

# a finding (as report.json holds it) -> its remediation object
Remediation = Callable[[ReportFinding], RemediationJson]


class Action(msgspec.Struct, frozen=True):
    """One report action (docs/report-format.md) of a well-formed shape. A ready one's call is
    checked with `call_problem` before it is planned; until then `user`, `group`, `method`,
    `path` and `body` are as the report gives them."""

    kind: ActionKind
    ready: bool
    blocked: str | None  # the action's own reason when it is not ready
    description: str
    # the call as the report gives it: typed once apply's parser has read it (call_problem, parse_change)
    user: Any
    group: Any
    method: Any
    path: Any
    body: Any
    seats: dict[str, int]  # non-zero consumed-unit changes per product (part number)
    precondition: tuple[Precondition, ...]  # as the report gives them; call_problem checks a ready one's

    @property
    def runs(self) -> bool:
        """A call apply can make without a person: ready and not a lookup."""
        return self.ready and self.kind != "lookup"

    def as_call(self) -> dict[str, object]:
        """The action as plan.json would hold it, unchecked: the JSON object apply's parser reads (parse_change
        makes the Change of it, or says what is wrong); `ready` and `blocked` for the parser to refuse one not ready."""
        return {
            "n": 1,
            "kind": self.kind,
            "ready": self.ready,
            "blocked": self.blocked,
            "user": self.user,
            "group": self.group,
            "method": self.method,
            "path": self.path,
            "body": self.body,
            "description": self.description,
            "precondition": [p.copy() for p in self.precondition],
            "seats": dict(self.seats),
        }


class PlanFinding(msgspec.Struct, frozen=True):
    """A finding as the plan reads it: the report's finding (`source`, its subject, products and details
    as the document holds them, never decoded again) with what the plan works out of it once."""

    id: str
    rule: str
    rank: int  # the severity's rank (0: unknown)
    subject: str  # the subject's name, UPN, part number or id, for a reader
    waived: bool
    waiver: dict[str, str] | None  # the waiver an open finding keeps (expired < 14 days ago): owner, expires
    actions: tuple[Action, ...]
    # what the plan reads of a leaver's finding (and any finding's data_kinds), decoded once here
    facts: LeaverFacts
    source: ReportFinding  # as the report gives it
    # the description of the first badly shaped action ("" when it has none); report.json's decoder refuses
    # one now (ActionJson), so a finding read from a report holds None
    malformed: str | None = None

    @property
    def details(self) -> Mapping[str, object]:
        """The finding's details as report.json holds them (the report's finding's own)."""
        return self.source.details


def call_problem(action: Action) -> str | None:
    """What is wrong with the call of a ready action, or None (also for one not ready)."""
    if not action.runs:
        return None
    # A ready call is checked exactly as apply will check it in plan.json (the same parser), so
    # the plan never holds a change apply would refuse.
    try:
        parse_change(action.as_call(), _InAction(), "")
    except PlanFileError as exc:
        return str(exc)
    return None


class _InAction(Where):
    """Messages about one report action: the field, without a file name."""

    def __init__(self) -> None:
        super().__init__(Path("report.json"))

    def error(self, field: str, message: str) -> PlanFileError:
        return PlanFileError(f"{field.lstrip('.')} {message}" if field else message)


def decode_action(raw: ActionJson) -> Action:
    """A report action (report.json's decoder has checked its shape) as an Action."""
    return Action(
        kind=raw["kind"],
        ready=raw["ready"],
        blocked=raw.get("blocked") or None,
        description=raw.get("description", ""),
        user=raw.get("user"),
        group=raw.get("group"),
        method=raw.get("method"),
        path=raw.get("path"),
        body=raw.get("body"),
        seats={k: v for k, v in (raw.get("seats") or {}).items() if v},
        precondition=tuple(cast(Precondition, dict(p)) for p in raw.get("precondition") or []),
    )


def not_plannable(finding: PlanFinding) -> tuple[str, str] | None:
    """(reason, the action's description) when the finding cannot be planned, else None.

    An action of the wrong shape makes the finding `malformed`; else an action that is not ready
    gives its reason; else a ready call that apply would refuse makes it `malformed`. The `plan`
    command has parsed every call when it read the report, so for it the order changes nothing;
    the report header's plan skips parsing the calls of findings that wait for a person."""
    if finding.malformed is not None:
        return MALFORMED, finding.malformed
    if not finding.actions:
        return NO_ACTION, ""
    for action in finding.actions:
        if not action.runs:
            reason = action.blocked or ("lookup" if action.kind == "lookup" else NOT_READY)
            return reason, action.description
    for action in finding.actions:
        if call_problem(action) is not None:
            return MALFORMED, action.description
    return None


def read_findings(document: ReportDocument, remediation: Remediation | None = None) -> Iterator[PlanFinding]:
    """The document's findings that have an id, in report order, each with its actions decoded.
    `remediation`: works out a finding's remediation where the document leaves it out (None), as
    an audit's document does until report.json is written (auditor.report.document.FindingRemediation)."""
    return plan_findings(document.findings, remediation)


def plan_findings(findings: Iterable[ReportFinding], remediation: Remediation | None = None) -> Iterator[PlanFinding]:
    """`findings` as the plan reads them (read_findings, for some of a document's findings)."""
    for f in findings:
        yield PlanFinding(
            id=f.id,
            rule=f.rule,
            rank=_rank(f.severity),
            subject=_subject_text(f),
            waived=f.waived,
            waiver=_lapsed_waiver(f),
            facts=leaver_facts(f),
            actions=tuple(decode_action(a) for a in report_actions(f, remediation)),
            source=f,
        )


def report_actions(finding: ReportFinding, work_out: Remediation | None = None) -> list[ActionJson]:
    """The finding's remediation's actions: the report's, else worked out by `work_out` (None: none)."""
    remediation = finding.remediation
    if remediation is None and work_out is not None:
        remediation = work_out(finding)
    return remediation.get("actions", []) if remediation is not None else []


def _subject_text(finding: ReportFinding) -> str:
    """The subject as a reader knows it: a user's name, a product's (or a subscription's) product name,
    a waiver's rule and subject; else the id."""
    subject = finding.subject
    sku = subject.sku
    if subject.type in ("sku", "subscription") and sku:
        return product_names().product(None, sku) or sku
    if subject.type == "waiver":
        return waiver_label(subject.id)
    for value in (subject.display_name, subject.upn, subject.sku, subject.id):
        if value:
            return value
    return ""


def _rank(severity: Any) -> int:
    try:
        return int(Severity.parse(str(severity)))
    except KeyError:
        return 0


def _lapsed_waiver(finding: ReportFinding) -> dict[str, str] | None:
    """{"owner", "expires"} of the waiver an open finding keeps (it expired less than 14 days ago,
    auditor.evaluation.engine): no change is made until its owner renews it or lets it go. None otherwise."""
    waiver = finding.waiver
    return None if waiver is None else {"owner": waiver.owner, "expires": waiver.expires}
