"""Reading the report.json a plan is compiled from: every problem is a UsageError naming the file."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from auditor.errors import UsageError
from auditor.plan.compile import action_problem
from auditor.remediations import Reader, check_table, expand

# 1: no per-finding actions (nothing to plan); 2: remediation.actions; 3: the same, each
# remediation text stored once in `remediations` (auditor.remediations)
REPORT_VERSIONS = (1, 2, 3, 4)


def load_report(path: Path) -> dict[str, Any]:
    """report.json at `path`, checked enough to plan from (docs/report-format.md)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path}: report not found (run `license-auditor audit` into that directory first)") from None
    except IsADirectoryError:
        raise UsageError(f"{path}: is a directory, not a report.json") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read the report: {exc}") from None
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path}:{exc.lineno}:{exc.colno}: the report is not valid JSON: {exc.msg}") from None
    check_report(document, str(path))
    problem = expand(document)
    if problem is not None:
        raise UsageError(f"{path}: {problem}")
    return dict(document)


def check_report(document: Any, name: str) -> None:
    if not isinstance(document, Mapping):
        raise UsageError(f"{name}: not a license-auditor report.json (expected a JSON object)")
    version = document.get("schema_version")
    if isinstance(version, bool) or version not in REPORT_VERSIONS:
        raise UsageError(f"{name}: unsupported report schema_version {version!r} "
                         f"(expected {' or '.join(map(str, REPORT_VERSIONS))})")
    if "tenants" in document:
        raise UsageError(f"{name}: a merged report of several tenants; plan each tenant's own report.json")
    if not isinstance(document.get("tenant"), Mapping):
        raise UsageError(f"{name}: not a license-auditor report.json (tenant must be an object)")
    skus = document.get("skus")
    if not isinstance(skus, list) or not all(isinstance(r, Mapping) for r in skus):
        raise UsageError(f"{name}: not a license-auditor report.json (skus, the seat table, must be a list of objects)")
    findings = document.get("findings")
    if not isinstance(findings, list) or not all(
        isinstance(f, Mapping) and isinstance(f.get("id"), str) for f in findings
    ):
        raise UsageError(f"{name}: not a license-auditor report.json (findings must be a list of objects with an id)")
    problem = check_table(document)
    if problem is not None:
        raise UsageError(f"{name}: {problem}")
    reader = Reader(document)
    for f in findings:
        remediation = reader.of(f)
        if remediation is None:
            continue
        if not isinstance(remediation, Mapping):
            raise UsageError(f"{name}: finding {f['id']!r}: remediation must be an object")
        # schema 3: the calls as the finding's template gives them, with the finding's user filled in
        actions = remediation.get("actions")
        if actions is None:
            continue
        if not isinstance(actions, list):
            raise UsageError(f"{name}: finding {f['id']!r}: remediation.actions must be a list")
        for i, action in enumerate(actions):
            problem = action_problem(action)
            if problem is not None:
                raise UsageError(f"{name}: finding {f['id']!r}: remediation.actions[{i}]: {problem}")
