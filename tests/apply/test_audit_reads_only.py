"""`audit` never writes: against the emulator, every request it sends is a GET, or a JSON batch of GETs."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.cli import main
from auditor.snapshot import load_snapshot
from auditor_dev.emulator import GraphEmulator, app_token

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "auditor_dev" / "sample" / "sample-tenant.json"
EXAMPLE = ROOT / "examples" / "contoso-policy.yaml"


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
                str(EXAMPLE),
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
    writes = [
        f"{r.method} {r.path}"
        for r in requests
        if r.method != "GET" and not (r.method == "POST" and r.path == "/$batch" and not r.batch)
    ]
    assert writes == []
