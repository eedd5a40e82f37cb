"""The exit code of a run's findings and gaps (--fail-on, --allow-gaps): an audit's, of its evaluation,
and a merge's, of its report document (auditor.commands)."""

from __future__ import annotations

from collections.abc import Iterable

from auditor.common.errors import EXIT_COLLECTION, EXIT_FINDINGS, EXIT_OK
from auditor.data.model import AuditResult, Severity
from auditor.formats.report_model import ReportDocument


def exit_code(result: AuditResult, fail_on: str, allow_gaps: bool) -> int:
    """The exit code of an audit's findings and gaps (--fail-on, --allow-gaps)."""
    alerting = (f.severity for f in result.findings if not f.waived and f.alert)
    return _exit_code(result.complete, alerting, fail_on, allow_gaps)


def document_exit_code(document: ReportDocument, fail_on: str, allow_gaps: bool) -> int:
    """exit_code() for a report document (used by merge, whose findings exist only as JSON)."""
    alerting = (Severity.parse(f.severity) for f in document.findings if not f.waived and f.alerts)
    return _exit_code(document.complete, alerting, fail_on, allow_gaps)


def _exit_code(complete: bool, alerting: Iterable[Severity], fail_on: str, allow_gaps: bool) -> int:
    """3 for incomplete data (unless allowed), else 1 if an unwaived finding that alerts reaches --fail-on."""
    if not complete and not allow_gaps:
        return EXIT_COLLECTION
    if fail_on == "never":
        return EXIT_OK
    threshold = Severity.parse(fail_on)
    return EXIT_FINDINGS if any(severity >= threshold for severity in alerting) else EXIT_OK
