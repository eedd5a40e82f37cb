"""`audit` never writes: against the emulator, every request it sends is a GET, a JSON batch of GETs, or
the audit log query the Copilot candidates ask for (the example policy with its `audit_log: beside` on): a search of the
log that Microsoft grants with a read permission, AuditLogsQuery.Read.All
(https://learn.microsoft.com/graph/api/security-auditcoreroot-post-auditlogqueries)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from auditor.cli import main
from auditor.data.copilot_chat_use import AUDIT_QUERIES_PATH
from auditor.graph.copilot_audit import query_body
from auditor.snapshot import load_snapshot
from auditor_dev.emulator import GraphEmulator, app_token
from tests.plan.test_copilot_audit_log import audit_log_on

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "auditor_dev" / "sample" / "sample-tenant.json"
AS_OF = datetime(2026, 11, 1, 6, tzinfo=UTC)


def test_audit_sends_no_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sample = load_snapshot(SAMPLE)
    token = app_token(sample.tenant_id)
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    with GraphEmulator(sample, token=token) as graph:
        code = main(
            [
                "audit",
                "--policies",
                audit_log_on(tmp_path),
                "--output-dir",
                str(tmp_path / "out"),
                "--format",
                "json",
                "--as-of",
                "2026-11-01T06:00:00Z",
                "--graph-endpoint",
                graph.url,
            ]
        )
        requests = list(graph.requests)
    assert code == 1 and (tmp_path / "out" / "report.json").exists()
    batches = [r for r in requests if r.method == "POST" and r.path == "/$batch" and not r.batch]
    inner = [r for r in requests if r.batch]
    # the audit did use a batch (a POST), so the check below looks at one
    assert batches and inner
    # the one query of the audit log: the Copilot interactions of the policy's 30 days before --as-of, nothing else
    (query,) = [r for r in requests if r.method == "POST" and r.path == AUDIT_QUERIES_PATH and not r.batch]
    assert query.body == query_body(AS_OF - timedelta(days=30), AS_OF)
    writes = [
        f"{r.method} {r.path}"
        for r in requests
        if r.method != "GET" and not (r.method == "POST" and r.path == "/$batch" and not r.batch) and r is not query
    ]
    assert writes == []
