"""What the plan will do about each finding, for the report and the digest: one truth about "ready".

The plan (auditor.plan.compile_plan) cross-checks the findings against each other before it marks
a change ready: a product about to be removed is not moved to a group, a product a group is about to
give is not added directly, a leaver's smaller products wait for the leaver finding. A finding's own
actions cannot know that, so the report shows each finding's state as the plan has it, in the plan's
own words for why it waits (auditor.plan.write.skip_reason).
"""

from __future__ import annotations

import msgspec
from msgspec import UNSET

from auditor import i18n
from auditor.data.model import Locale
from auditor.data.remediation_json import RemediationJson
from auditor.formats.plan_records import Change, Skipped
from auditor.formats.report_model import ReportDocument, Tenant
from auditor.formats.report_parts import FindingPlanState, FindingTenant
from auditor.plan.compile import WAIVED, ChangePlan, compile_plan
from auditor.plan.reasons import said_by_the_fix, skip_reason
from auditor.plan.summary import DECLARATION_REASONS
from auditor.render.text import clean

READY = "ready"
IN_PART = "in_part"  # the data-free removals are planned, the rest waits
DECLARATION = "declaration"  # waits for a declaration that the user's data is kept (the policy's data_kept)
PERSON = "person"  # needs an admin's decision or check


class FindingState(msgspec.Struct, frozen=True):
    key: str  # READY, IN_PART, DECLARATION or PERSON
    label: str  # "ready", "waits until the data is kept", "needs an admin's decision"
    reason: str  # why it waits, in the plan's words; empty when ready
    fix_says: bool = False  # the fix shown above its row says why in full (reasons.said_by_the_fix)

    @property
    def ready(self) -> bool:
        return self.key == READY


def _label(t: i18n.Translations, key: str) -> str:
    labels = {
        READY: t.pgettext("state_ready", "ready"),
        IN_PART: t.pgettext("state_in_part", "ready in part"),
        DECLARATION: t.pgettext("state_declaration", "waits until the data is kept"),
        PERSON: t.pgettext("state_person", "needs an admin's decision"),
    }
    return labels[key]


def plan_states(
    plan: ChangePlan | None, locale: Locale, shown: ReportDocument | None = None
) -> dict[str, FindingState]:
    """Finding id -> its state in `plan`; findings the plan does not name (waived, or no plan for a
    merged report) are left out. `shown`: the pseudonymised document (--redact) whose waiver owners
    the reasons name instead of the real ones."""
    if plan is None:
        return {}
    owners = _waiver_owners(shown)
    t = i18n.translations(locale)
    states: dict[str, FindingState] = {}
    for change in plan.changes:
        for finding in change.findings:
            states[finding] = FindingState(READY, _label(t, READY), "")
    for s in plan.skipped:
        if s.reason == WAIVED:
            continue
        if owners is not None and s.waiver:
            s = msgspec.structs.replace(s, waiver={**s.waiver, "owner": owners.get(s.finding, "")})
        key = _waiting_key(s)
        states[s.finding] = FindingState(key, _label(t, key), clean(skip_reason(t, s), 600), said_by_the_fix(s))
    return states


def _waiting_key(s: Skipped) -> str:
    return IN_PART if s.in_part else DECLARATION if s.reason in DECLARATION_REASONS else PERSON


class PlanTruth(msgspec.Struct, frozen=True):
    """A finding as the plan has it, for the files that carry no words (report.json, findings.csv):
    its state, the plan's code for why it waits (a skipped reason, "" when ready) and the plan's
    changes that serve it, in the order they run (none when it waits whole)."""

    state: str  # READY, IN_PART, DECLARATION or PERSON
    waits_for: str = ""
    calls: tuple[Change, ...] = ()

    def json(self) -> FindingPlanState:
        """The finding's `state` object in report.json."""
        return FindingPlanState(key=self.state, waits_for=self.waits_for or UNSET)


def plan_truth(plan: ChangePlan | None) -> dict[str, PlanTruth]:
    """Finding id -> its PlanTruth in `plan` (the same states plan_states gives, by code); the
    findings the plan does not name (waived) are left out."""
    if plan is None:
        return {}
    calls: dict[str, list[Change]] = {}
    for change in plan.changes:
        for finding in change.findings:
            calls.setdefault(finding, []).append(change)
    truth = {finding: PlanTruth(READY, "", tuple(changes)) for finding, changes in calls.items()}
    for s in plan.skipped:
        if s.reason != WAIVED:
            truth[s.finding] = PlanTruth(_waiting_key(s), s.reason, tuple(calls.get(s.finding, ())))
    return truth


def document_truth(document: ReportDocument, plan: ChangePlan | None) -> dict[str, PlanTruth] | None:
    """Each finding's PlanTruth: from `plan` (the document's, auditor.plan.summary.header_plan), from
    each tenant's own plan for a merged report; None for a report without actions."""
    if document.tenants is not UNSET:
        return {k: v for p in _tenant_plans(document) for k, v in plan_truth(p).items()}
    return None if plan is None else plan_truth(plan)


def _waiver_owners(shown: ReportDocument | None) -> dict[str, str] | None:
    if shown is None:
        return None
    return {f.id: f.waiver.owner for f in shown.findings if f.waiver is not None}


def document_states(
    document: ReportDocument, plan: ChangePlan | None, locale: Locale, shown: ReportDocument | None = None
) -> dict[str, FindingState] | None:
    """Each finding's state: from `plan` (the document's, auditor.plan.summary.header_plan), from each
    tenant's own plan for a merged report, or None for a report without actions (the findings' own
    actions say then). Always planned from the real `document`, as `plan` would plan it; `shown`:
    its pseudonymised copy (--redact), whose waiver owners the reasons name."""
    if document.tenants is not UNSET:
        return merged_states(document, locale, shown)
    return None if plan is None else plan_states(plan, locale, shown)


def merged_states(
    document: ReportDocument, locale: Locale, shown: ReportDocument | None = None
) -> dict[str, FindingState]:
    """Finding id -> state for a merged report: each tenant's findings planned as that tenant's own
    plan would (its seat table, its findings); the findings across tenants, which no one tenant's
    plan holds, are left out."""
    states: dict[str, FindingState] = {}
    for plan in _tenant_plans(document):
        states.update(plan_states(plan, locale, shown))
    return states


def _tenant_plans(document: ReportDocument) -> list[ChangePlan]:
    """A merged report's plans, one per tenant with actions, each as that tenant's own plan would be."""
    plans = []
    tenants = document.tenants if document.tenants is not UNSET else []
    for tenant in tenants:
        own = [f for f in document.findings if isinstance(f.tenant, FindingTenant) and f.tenant.id == tenant.id]
        part = ReportDocument(
            schema_version=document.schema_version,
            tenant=Tenant(id=tenant.id, name=tenant.name, cloud=tenant.cloud),
            as_of=tenant.as_of,
            generated_at=document.generated_at,
            locale=document.locale,
            complete=tenant.complete,
            summary=tenant.summary,
            skus=tenant.skus,
            findings=own,
        )
        if own:
            plans.append(compile_plan(part, describe_changes=False))
    return plans


def actions_state(remediation: RemediationJson, locale: Locale) -> FindingState | None:
    """The state a finding's own actions give, where no plan was compiled (a merged report): ready
    when every action is, else an admin's decision; None when it has no actions."""
    actions = remediation.get("actions") or ()
    if not actions:
        return None
    t = i18n.translations(locale)
    key = READY if all(a.get("ready") is True for a in actions) else PERSON
    return FindingState(key, _label(t, key), "")
