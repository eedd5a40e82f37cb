"""A finding's `remediation` as report.json holds it (docs/report-format.md), typed: written by
auditor.wording from the rule's guidance, decoded with the rest of the file (ReportFinding), read by
the renderers, the plan and the forecasts. Every key is optional to a reader (a merged report
carries the remediation another run wrote); the writer writes each."""

from __future__ import annotations

from typing import Any, TypedDict

__all__ = ["ActionJson", "AlternativeJson", "LinkJson", "RemediationJson"]


class ActionJson(TypedDict, total=False):
    """One Microsoft Graph call (auditor.guidance.remediation.Action.json), in report.json's order."""

    kind: str
    method: str
    path: str
    body: dict[str, Any] | None  # the request's JSON body, as Graph takes it
    description: str
    user: str | None
    group: str | None
    precondition: list[dict[str, Any]]  # what must hold when the call runs (auditor.plan.preconditions)
    seats: dict[str, int]  # part number -> change of consumed units
    ready: bool
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
