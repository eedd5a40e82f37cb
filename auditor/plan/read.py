"""Reading the report.json a plan is compiled from: every problem is a UsageError naming the file.

The plan reads every finding (a change may rest on findings other than its own: auditor.plan.compile), but
of a finding's remediation only its calls (`actions`), and its details are the same few product and plan
ids over and over. So the file is decoded as a PlanReport: each finding's remediation with its `actions`
alone (its sentences, steps and links skipped by the decoder, never held) and the strings of its details
and actions shared (one object for each text, however many findings repeat it). At 20,000 users that is
17 MiB of objects where the whole document is 37 MiB: the part of apply's peak its fresh compile adds
(auditor.pipeline.recompile, docs/performance.md).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TypedDict, TypeVar, cast

from msgspec import UNSET

from auditor.common.errors import UsageError
from auditor.data.remediation_json import ActionJson
from auditor.formats.report_json import decode_report
from auditor.formats.report_model import ReportDocument, ReportFinding
from auditor.plan.actions import call_problem, decode_action, report_actions

J = TypeVar("J")


class PlanRemediation(TypedDict, total=False):
    """A finding's remediation as the plan decodes it: its calls, which are all it reads of it
    (auditor.plan.actions.report_actions). A RemediationJson, whose every key is optional."""

    actions: list[ActionJson]


class PlanReportFinding(ReportFinding, kw_only=True):
    """One of report.json's findings as the plan decodes it (module docstring)."""

    # the decoder's type for the field: RemediationJson's `actions` alone (a RemediationJson all the same)
    remediation: PlanRemediation | None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        self.details = shared(self.details)
        if self.remediation is not None:
            self.remediation = shared(self.remediation)
        super().__post_init__()


class PlanReport(ReportDocument):
    """report.json as the plan decodes it: a ReportDocument of PlanReportFindings."""

    findings: list[PlanReportFinding]  # type: ignore[assignment]  # a list of ReportFindings to every reader


def shared(value: J) -> J:
    """A decoded JSON value with each of its strings the one shared object of that text (sys.intern), in new
    dicts and lists: equal, and encoded the same."""
    return cast(J, _shared(value))


def _shared(value: object) -> object:
    if type(value) is str:  # exactly str: sys.intern takes no subclass, and the decoder makes none
        return sys.intern(value)
    if isinstance(value, dict):
        return {sys.intern(k): _shared(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shared(v) for v in value]
    return value


def load_report(path: Path) -> ReportDocument:
    """report.json at `path` (version 5, the one auditor.formats.report_json reads),
    checked enough to plan from (docs/report-format.md)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"{path}: report not found (run `license-auditor audit` into that directory first)") from None
    except IsADirectoryError:
        raise UsageError(f"{path}: is a directory, not a report.json") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the report: {exc.strerror or exc}") from None
    document = decode_report(data, str(path), PlanReport)
    del data  # the file's bytes go before the plan is compiled
    check_report(document, str(path))
    return document


def check_report(document: ReportDocument, name: str) -> None:
    """What planning needs beyond what every reader checks: one tenant, and calls apply would make."""
    if document.tenants is not UNSET:
        raise UsageError(f"{name}: a merged report of several tenants; plan each tenant's own report.json")
    # each action's shape is report.json's type (ActionJson): decode_report refused a badly shaped one,
    # naming the finding and the action; what is left is whether each ready call is one apply makes
    for f in document.findings:
        for i, action in enumerate(report_actions(f)):
            problem = call_problem(decode_action(action))
            if problem is not None:
                raise UsageError(f"{name}: finding {f.id!r}: remediation.actions[{i}]: {problem}")
