"""What the plan will do about each finding, for the report and the digest: one truth about "ready".

The plan (auditor.plan.compile_plan) cross-checks the findings against each other before it marks
a change ready: a product about to be removed is not moved to a group, a product a group is about to
give is not added directly, a leaver's smaller products wait for the leaver finding. A finding's own
actions cannot know that, so the report shows each finding's state as the plan has it, in the plan's
own words for why it waits (auditor.plan.write.skip_reason).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from auditor import i18n
from auditor.data.model import Locale
from auditor.plan.compile import WAIVED, ChangePlan, compile_plan, has_actions
from auditor.plan.reasons import skip_reason
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
    plan: ChangePlan | None, locale: Locale, shown: Mapping[str, Any] | None = None
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
        key = IN_PART if s.in_part else DECLARATION if s.reason in DECLARATION_REASONS else PERSON
        states[s.finding] = FindingState(key, _label(t, key), clean(skip_reason(t, s), 600))
    return states


def _waiver_owners(shown: Mapping[str, Any] | None) -> dict[str, str] | None:
    if shown is None:
        return None
    owners = {}
    for f in shown.get("findings") or []:
        waiver = f.get("waiver") if isinstance(f, Mapping) else None
        if isinstance(waiver, Mapping):
            owners[str(f.get("id", ""))] = str(waiver.get("owner") or "")
    return owners


def document_states(
    document: Mapping[str, Any], plan: ChangePlan | None, locale: Locale, shown: Mapping[str, Any] | None = None
) -> dict[str, FindingState] | None:
    """Each finding's state: from `plan` (the document's, auditor.plan.summary.header_plan), from each
    tenant's own plan for a merged report, or None for a report without actions (the findings' own
    actions say then). Always planned from the real `document`, as `plan` would plan it; `shown`:
    its pseudonymised copy (--redact), whose waiver owners the reasons name."""
    if "tenants" in document:
        return merged_states(document, locale, shown)
    return None if plan is None else plan_states(plan, locale, shown)


def merged_states(
    document: Mapping[str, Any], locale: Locale, shown: Mapping[str, Any] | None = None
) -> dict[str, FindingState]:
    """Finding id -> state for a merged report: each tenant's findings planned as that tenant's own
    plan would (its seat table, its findings); the findings across tenants, which no one tenant's
    plan holds, are left out."""
    states: dict[str, FindingState] = {}
    findings = [f for f in document.get("findings") or [] if isinstance(f, Mapping)]
    for tenant in document.get("tenants") or []:
        if not isinstance(tenant, Mapping):
            continue
        own = [
            f for f in findings if isinstance(f.get("tenant"), Mapping) and f["tenant"].get("id") == tenant.get("id")
        ]
        part = {
            "schema_version": document.get("schema_version"),
            "tenant": {"id": tenant.get("id"), "name": tenant.get("name"), "cloud": tenant.get("cloud")},
            "as_of": tenant.get("as_of"),
            "generated_at": document.get("generated_at"),
            "locale": document.get("locale"),
            "summary": tenant.get("summary"),
            "skus": tenant.get("skus"),
            "findings": own,
        }
        if own and has_actions(part):
            states.update(plan_states(compile_plan(part, describe_changes=False), locale, shown))
    return states


def actions_state(remediation: Mapping[str, Any], locale: Locale) -> FindingState | None:
    """The state a finding's own actions give, where no plan was compiled (a merged report): ready
    when every action is, else an admin's decision; None when it has no actions."""
    actions = [a for a in remediation.get("actions") or () if isinstance(a, Mapping)]
    if not actions:
        return None
    t = i18n.translations(locale)
    key = READY if all(a.get("ready") is True for a in actions) else PERSON
    return FindingState(key, _label(t, key), "")
