"""Reading the report.json a plan is compiled from: every problem is a UsageError naming the file."""

from __future__ import annotations

from pathlib import Path

from msgspec import UNSET

from auditor.common.errors import UsageError
from auditor.formats.report_json import decode_report
from auditor.formats.report_model import ReportDocument
from auditor.plan.actions import call_problem, decode_action, report_actions


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
    document = decode_report(data, str(path))
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
