"""A finding's `remediation` as report.json holds it (docs/report-format.md), typed: written by
auditor.wording from the rule's guidance, decoded with the rest of the file (ReportFinding), read by
the renderers, the plan and the forecasts. Every key is optional to a reader (a merged report
carries the remediation another run wrote); the writer writes each. An action's `kind` and `ready` are
required and its kind one of ActionKind: report.json's decoder refuses an action without them, naming
the finding and the action (`$.findings[i].remediation.actions[j].kind`), before any reader meets it.

A call's `body` and each of its `precondition` items are JSON objects as Graph and apply take them
(`dict[str, object]`: a reader narrows each value it reads): the plan checks them key by key with
apply's own parser (auditor.formats.plan_json.parse_change), which must see every key the report
holds, an unknown one too, to refuse it."""

from __future__ import annotations

from typing import Literal, Required, TypedDict

__all__ = ["ACTION_KINDS", "ActionJson", "ActionKind", "AlternativeJson", "LinkJson", "RemediationJson"]

# What a call does (auditor.guidance.remediation's kinds); a lookup is a person's step, no call
ActionKind = Literal["assign_license", "add_member", "remove_member", "reprocess", "set_usage_location", "lookup"]
ACTION_KINDS: tuple[ActionKind, ...] = ActionKind.__args__  # type: ignore[attr-defined]


class ActionJson(TypedDict, total=False):
    """One Microsoft Graph call (auditor.guidance.remediation.Action.json), in report.json's order."""

    kind: Required[ActionKind]
    method: str
    path: str
    body: dict[str, object] | None  # the request's JSON body, as Graph takes it
    description: str
    user: str | None
    group: str | None
    precondition: list[
        dict[str, object]
    ]  # what must hold when the call runs (auditor.formats.change_model.Precondition)
    seats: dict[str, int]  # part number -> change of consumed units
    ready: Required[bool]
    blocked: str | None
    tenant: str  # a merged report's: the tenant to run it in


class AlternativeJson(TypedDict, total=False):
    label: str
    actions: list[ActionJson]


class LinkJson(TypedDict, total=False):
    title: str
    url: str


class RemediationJson(TypedDict, total=False):
    """How to fix the finding: the sentence, the steps, the calls and their alternatives, the role
    that may make them, what to do next and the pages behind them. A plan that describes no change
    reads `actions` alone (auditor.wording.actions)."""

    summary: str
    steps: list[str]
    actions: list[ActionJson]
    alternatives: list[AlternativeJson]
    role: str
    next_steps: list[str]
    links: list[LinkJson]
