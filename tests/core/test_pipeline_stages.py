"""The audit's stages (auditor/pipeline/): each takes the last one's value and returns its own, and the
two values that hold most of the memory, the tenant's snapshot and the evaluation's findings, are freed
where the stage that reads them last ends, though the values that carried them are still held."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from auditor.cli import build_parser
from auditor.data.model import Finding, TenantSnapshot
from auditor.pipeline.arguments import AuditOptions
from auditor.pipeline.assemble import document
from auditor.pipeline.collect import collect
from auditor.pipeline.evaluate import evaluate
from auditor.pipeline.prepare import prepare
from auditor.pipeline.values import Handover

from .factory import sample_audit_argv


def _alive(kind: type) -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, kind))


def test_a_handover_is_taken_once() -> None:
    handed = Handover([1, 2])
    assert handed.take() == [1, 2]
    with pytest.raises(RuntimeError, match="handed on already"):
        handed.take()


def test_the_users_and_the_findings_go_where_their_last_stage_ends(tmp_path: Path) -> None:
    options = AuditOptions.of(build_parser().parse_args(sample_audit_argv(tmp_path)))
    prepared = prepare(options)
    collected = collect(prepared)
    assert _alive(TenantSnapshot) == 1
    evaluated = evaluate(collected)
    assert _alive(TenantSnapshot) == 0  # `collected` is still held: the snapshot was handed on, not kept
    assert _alive(Finding) > 0
    documented = document(evaluated)
    assert _alive(Finding) == 0  # they live on as the document's findings
    assert documented.result.findings == () and documented.document.findings
    assert documented.document.summary.total == len(documented.document.findings)
    with pytest.raises(RuntimeError):
        evaluated.result.take()
