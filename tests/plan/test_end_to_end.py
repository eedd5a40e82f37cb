"""audit -> plan -> apply -> audit against the Graph emulator serving the sample tenant, through the
real CLI and msgraph-sdk: every applied finding is gone, the seats are what the plan simulated, and
planning again finds nothing left to change."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from auditor.cli import main
from auditor.emulator import DEMO_ROLES, GraphEmulator, app_token
from auditor.snapshot import load_snapshot

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "auditor" / "sample" / "sample-tenant.json"
POLICIES = ["--policies", str(ROOT / "policies" / "example.yaml"), "--as-of", "2026-11-01T06:00:00Z"]
WRITE = ("LicenseAssignment.ReadWrite.All", "GroupMember.ReadWrite.All", "User.ReadWrite.All")


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture()
def flow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1793512800")
    # apply's clock, half an hour after the plan's created_at (SOURCE_DATE_EPOCH): the plan is fresh
    monkeypatch.setattr("auditor.apply.run.clock", lambda: datetime(2026, 11, 1, 6, 30, tzinfo=UTC))
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    snapshot = load_snapshot(SAMPLE)
    token = app_token(snapshot.tenant_id, roles=(*DEMO_ROLES, *WRITE))
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    monkeypatch.setenv("AZURE_TENANT_ID", snapshot.tenant_id)  # apply changes the tenant the operator names
    codes: dict[str, int] = {}
    with GraphEmulator(snapshot, token=token) as graph:
        conn = ["--graph-endpoint", graph.url, "--auth", "token"]
        codes["audit"] = main(["audit", *POLICIES, "--output-dir", str(tmp_path / "before"), "--format", "json",
                               *conn])
        codes["plan"] = main(["plan", "--report-dir", str(tmp_path / "before")])
        codes["dry-run"] = main(["apply", str(tmp_path / "before" / "plan.json"), *conn])
        writes_after_dry_run = len(graph.writes())
        codes["apply"] = main(["apply", str(tmp_path / "before" / "plan.json"), "--yes",
                               "--journal", str(tmp_path / "journal.jsonl"), *conn])
        codes["again"] = main(["audit", *POLICIES, "--output-dir", str(tmp_path / "after"), "--format", "json",
                               *conn])
        codes["replan"] = main(["plan", "--report-dir", str(tmp_path / "after")])
        writes = len(graph.writes())
    return {"codes": codes, "dir": tmp_path, "writes_after_dry_run": writes_after_dry_run, "writes": writes}


def test_audit_plan_apply_audit(flow: dict[str, Any]) -> None:
    out: Path = flow["dir"]
    assert flow["codes"] == {"audit": 1, "plan": 0, "dry-run": 0, "apply": 0, "again": 1, "replan": 0}
    plan = _json(out / "before" / "plan.json")
    changes = plan["changes"]
    assert len(changes) >= 5 and plan["stopped"] is None
    assert flow["writes_after_dry_run"] == 0  # a dry run changes nothing
    assert flow["writes"] == len(changes)

    journal = [json.loads(line) for line in (out / "journal.jsonl").read_text().splitlines()]
    assert [line["outcome"] for line in journal] == ["sending", "done"] * len(changes)  # written ahead, then done

    before = {f["id"] for f in _json(out / "before" / "report.json")["findings"]}
    after_report = _json(out / "after" / "report.json")
    after = {f["id"] for f in after_report["findings"]}
    applied = {fid for change in changes for fid in change["findings"]}
    # a leaver's data-free products go while the product with the mailbox waits: planned in part
    in_part = {s["finding"] for s in plan["skipped"] if s.get("in_part")}
    assert in_part and in_part <= applied
    assert applied <= before
    assert not (applied - in_part) & after  # every finding the plan fixed whole is gone
    # one planned in part comes back for the same user with only the products that waited
    subjects = {f["id"]: f["subject"]["id"] for f in _json(out / "before" / "report.json")["findings"]}
    new = [f for f in after_report["findings"] if f["id"] not in before]
    assert {f["subject"]["id"] for f in new} <= {subjects[fid] for fid in in_part}
    assert len(after) < len(before)

    # the seats are what the plan simulated
    consumed = {row["sku"]: row["consumed"] for row in after_report["skus"]}
    assert plan["seats"], "the plan changes seats"
    for sku, row in plan["seats"].items():
        assert consumed[sku] == row["after"], sku

    # nothing is left that a plan could change
    assert _json(out / "after" / "plan.json")["changes"] == []
