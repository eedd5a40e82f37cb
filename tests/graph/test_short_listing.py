"""A listing cut short (no @odata.nextLink where more users exist, an empty `value`, a group's
members short of their @odata.count) is a named gap: the audit of the sample tenant on the Graph
emulator is incomplete (exit 3, `complete: false`), and the findings it could not see are never
shown as resolved against the full run before it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from emulator_faults import Fault, FaultKind

from auditor.cli import main
from auditor.snapshot import load_snapshot
from auditor_dev.emulator import DEMO_ROLES, GraphEmulator, app_token

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "auditor_dev" / "sample" / "sample-tenant.json"
EXAMPLE = ROOT / "examples" / "contoso-policy.yaml"
USERS = r"^GET /v1\.0/users\?\$select=(?!.*signInActivity)"  # the users listing (not $count, one user, sign-ins)
FRONTLINE = "d23f0824-128b-4f33-8c5c-7fd0a6a3a450"  # Frontline Workers, whose members the example policy reads


def _audit(tmp_path: Path, name: str, faults: list[Fault], *extra: str) -> tuple[int, dict[str, Any]]:
    snapshot = load_snapshot(SAMPLE)
    token = (tmp_path / "token").read_text(encoding="utf-8")
    out = tmp_path / name
    with GraphEmulator(snapshot, token=token, responders=faults) as graph:
        code = main(
            [
                "audit",
                "--policies",
                str(EXAMPLE),
                "--as-of",
                "2026-11-01T06:00:00Z",
                "--output-dir",
                str(out),
                "--format",
                "json",
                "--graph-endpoint",
                graph.url,
                "--auth",
                "token",
                *extra,
            ]
        )
    return code, json.loads((out / "report.json").read_text(encoding="utf-8"))


@pytest.fixture
def full(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    token = app_token(load_snapshot(SAMPLE).tenant_id, roles=DEMO_ROLES)
    (tmp_path / "token").write_text(token, encoding="utf-8")
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    code, report = _audit(tmp_path, "full", [])
    assert code == 1 and report["complete"] is True and not report.get("gaps")
    return report


@pytest.mark.parametrize("keep", [100, 0])
def test_a_users_listing_cut_short_is_a_gap_and_resolves_nothing(
    tmp_path: Path, full: dict[str, Any], keep: int
) -> None:
    fault = Fault(FaultKind.SHORT, USERS, count=None, keep=keep)
    code, report = _audit(tmp_path, "short", [fault], "--baseline", str(tmp_path / "full" / "report.json"))
    assert fault.hits == 2  # read once more before it is called a gap
    assert code == 3
    assert report["complete"] is False
    [gap] = [g for g in report["gaps"] if g["part"] == "users"]
    assert f"read {keep:,} users while GET /users/$count reported 265" in gap["reason"]
    assert report["changes"]["resolved"] == []


def test_a_group_s_members_short_of_their_count_are_a_gap(tmp_path: Path, full: dict[str, Any]) -> None:
    members = rf"^GET /v1\.0/groups/{FRONTLINE}/(transitiveMembers|members)/microsoft\.graph\.user\?"
    fault = Fault(FaultKind.SHORT, members, count=None, keep=0)
    code, report = _audit(tmp_path, "short", [fault], "--baseline", str(tmp_path / "full" / "report.json"))
    assert fault.hits >= 1
    assert code == 3 and report["complete"] is False
    gaps = [g for g in report["gaps"] if g["part"] == "groups"]
    assert gaps and all(g["request"].startswith(f"GET /groups/{FRONTLINE}/") for g in gaps)
    assert all("listed 0 members while its count was" in g["reason"] for g in gaps)
    assert report["changes"]["resolved"] == []


def test_the_licensing_groups_short_of_their_count_are_a_gap(tmp_path: Path, full: dict[str, Any]) -> None:
    fault = Fault(FaultKind.SHORT, r"^GET /v1\.0/groups\?\$filter=assignedLicenses", count=None, keep=1)
    code, report = _audit(tmp_path, "short", [fault], "--baseline", str(tmp_path / "full" / "report.json"))
    assert fault.hits == 1
    assert code == 3 and report["complete"] is False
    [gap] = [g for g in report["gaps"] if g["part"] == "groups"]
    assert gap["reason"].startswith("listed 1 licensing groups while its @odata.count was")
    assert report["changes"]["resolved"] == []
