"""Every optional part degrades alone (issue 84, point 4): the emulator answers as a cloud or Graph
version without it (404 on a cast, 400 "Resource not found for the segment", 501), and the sample
audited through the real collector with the example policy still writes its report, names what it
could not read, and finds the same as with the part, except for the rules that need it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditor.cli import main
from auditor.snapshot import load_snapshot
from auditor_dev.emulator import DEMO_ROLES, GraphEmulator, app_token
from tests.graph.emulator_faults import Fault, FaultKind

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "auditor_dev" / "sample" / "sample-tenant.json"
POLICY = ROOT / "examples" / "contoso-policy.yaml"
AS_OF = "2026-11-01T06:00:00Z"


def _segment(name: str) -> str:
    return f"Resource not found for the segment '{name}'."


def _audit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, responders: list[Any]) -> tuple[int, dict[str, Any], Any]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    tenant = load_snapshot(SAMPLE)
    token = app_token(tenant.tenant_id, DEMO_ROLES)
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    with GraphEmulator(tenant, token=token, responders=responders) as graph:
        args = ["audit", "--graph-endpoint", graph.url, "--tenant-id", tenant.tenant_id, "--auth", "token"]
        code = main([*args, "--policies", str(POLICY), "--as-of", AS_OF, "--format", "json"])
        asked = list(graph.requests)
    return code, json.loads((tmp_path / "reports" / "report.json").read_text("utf-8")), asked


@pytest.fixture(scope="module")
def whole(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    with pytest.MonkeyPatch.context() as patch:
        code, report, _ = _audit(tmp_path_factory.mktemp("whole"), patch, [])
    assert code == 1 and report["complete"] is True
    return report


CASES = [
    # (the fault, the part whose gap it makes, or None when the part is context only: a warning says so)
    pytest.param(
        Fault(
            FaultKind.REFUSED,
            r"microsoft\.graph\.agentUser",
            None,
            status=404,
            code="Request_ResourceNotFound",
            message="Resource 'microsoft.graph.agentUser' does not exist.",
        ),
        "agentUsers",
        id="agent-users-404",
    ),
    pytest.param(
        Fault(
            FaultKind.REFUSED,
            r"microsoft\.graph\.agentIdentity",
            None,
            status=400,
            code="BadRequest",
            message=_segment("microsoft.graph.agentIdentity"),
        ),
        "agentIdentities",
        id="agent-identities-400",
    ),
    pytest.param(
        Fault(
            FaultKind.REFUSED,
            r"^GET /v1\.0/places/",
            None,
            status=501,
            code="NotImplemented",
            message="This API is not available in this cloud.",
        ),
        "rooms",
        id="places-501",
    ),
    pytest.param(
        Fault(
            FaultKind.REFUSED,
            r"getOffice365ActiveUserDetail",
            None,
            status=501,
            code="NotImplemented",
            message="The report is not available.",
        ),
        "usageReports",
        id="usage-report-501",
    ),
    pytest.param(
        Fault(
            FaultKind.REFUSED,
            r"azureADPremiumLicenseInsight",
            None,
            status=400,
            code="BadRequest",
            message=_segment("azureADPremiumLicenseInsight"),
        ),
        None,
        id="license-insight-400",
    ),
]


@pytest.mark.parametrize(("fault", "part"), CASES)
def test_an_optional_part_a_cloud_lacks_is_a_named_gap_and_the_rest_is_the_same(
    fault: Fault, part: str | None, whole: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, report, _ = _audit(tmp_path, monkeypatch, [fault])
    assert fault.hits >= 1  # the emulator answered as a cloud without it
    skipped = {n["rule"] for n in report["not_evaluated"]}
    if part is None:  # context only: the report says it was not read, and nothing else changes
        assert report["complete"] is True and code == 1
        assert any("not read" in w for w in report["warnings"])
    else:
        assert code == 3 and report["complete"] is False
        assert [g["part"] for g in report["gaps"]] == [part]
    rules_left = {f["rule"] for f in report["findings"]} - skipped
    same = {(f["rule"], json.dumps(f["subject"], sort_keys=True)) for f in whole["findings"] if f["rule"] in rules_left}
    got = {(f["rule"], json.dumps(f["subject"], sort_keys=True)) for f in report["findings"] if f["rule"] in rules_left}
    assert got == same
    assert len(report["findings"]) > 50  # the report is the sample's, not an empty one
