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
from auditor.plan.crosscheck import LEAVER_RULES
from auditor.rules.hygiene.accounts import DisabledUserLicensed, InactiveUserLicensed
from auditor.rules.seats import SpareSeatsOverLimit
from auditor.snapshot import load_snapshot
from auditor_dev.emulator import DEMO_ROLES, GraphEmulator, app_token

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "auditor_dev" / "sample" / "sample-tenant.json"
EXAMPLE = ROOT / "examples" / "contoso-policy.yaml"
KEPT = "    data_kept: {mailbox: retention, files: retention, accepted_by: cio@contoso.example, expires: 2027-06-30}\n"
WRITE = ("LicenseAssignment.ReadWrite.All", "GroupMember.ReadWrite.All", "User.ReadWrite.All")


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


class _Pinned(datetime):
    @classmethod
    def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
        return datetime(2026, 11, 1, 6, 0, tzinfo=UTC)


@pytest.fixture(params=["declared", "plain"])
def flow(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The example policy as it is (the leavers' data declared kept), and
    without its data_kept declarations (their data-free products go, the rest waits)."""
    policy = EXAMPLE.read_text(encoding="utf-8")
    assert policy.count(KEPT) == 1
    if request.param == "plain":
        policy = policy.replace(KEPT, "")
    (tmp_path / "policy.yaml").write_text(policy, encoding="utf-8")
    policies = ["--policies", str(tmp_path / "policy.yaml"), "--as-of", "2026-11-01T06:00:00Z"]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1793512800")
    # apply's clock, half an hour after the plan's created_at (SOURCE_DATE_EPOCH): the plan is fresh
    monkeypatch.setattr("auditor.apply.run.clock", lambda: datetime(2026, 11, 1, 6, 30, tzinfo=UTC))
    # the collector's clock at the audit's: the directory audit log is read up to --as-of, so its
    # span (30 days) is evidence for grace_days at that time
    monkeypatch.setattr("auditor.graph.collector.datetime", _Pinned)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    snapshot = load_snapshot(SAMPLE)
    token = app_token(snapshot.tenant_id, roles=(*DEMO_ROLES, *WRITE))
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    monkeypatch.setenv("AZURE_TENANT_ID", snapshot.tenant_id)  # apply changes the tenant the operator names
    codes: dict[str, int] = {}
    with GraphEmulator(snapshot, token=token) as graph:
        conn = ["--graph-endpoint", graph.url, "--auth", "token"]
        codes["audit"] = main(["audit", *policies, "--output-dir", str(tmp_path / "before"), "--format", "json", *conn])
        codes["plan"] = main(["plan", "--report-dir", str(tmp_path / "before")])
        mine = ["--policies", str(tmp_path / "policy.yaml")]  # the operator's policy, as audit was given it
        codes["dry-run"] = main(["apply", str(tmp_path / "before" / "plan.json"), *mine, *conn])
        writes_after_dry_run = len(graph.writes())
        codes["apply"] = main(
            [
                "apply",
                str(tmp_path / "before" / "plan.json"),
                "--yes",
                "--journal",
                str(tmp_path / "journal.jsonl"),
                *mine,
                *conn,
            ]
        )
        codes["again"] = main(["audit", *policies, "--output-dir", str(tmp_path / "after"), "--format", "json", *conn])
        codes["replan"] = main(["plan", "--report-dir", str(tmp_path / "after")])
        writes = len(graph.writes())
    return {
        "codes": codes,
        "dir": tmp_path,
        "writes_after_dry_run": writes_after_dry_run,
        "writes": writes,
        "declared": request.param == "declared",
    }


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
    # without a declaration, a leaver's data-free products go while the product with the mailbox
    # waits: planned in part; with it, every leaver's removal is ready once grace_days have passed.
    # The example declares nothing kept for inactive (still enabled) accounts: planned in part either way
    rules = {s["finding"]: s["rule"] for s in plan["skipped"]}
    in_part = {s["finding"] for s in plan["skipped"] if s.get("in_part")}
    assert in_part <= applied
    assert {rules[fid] for fid in in_part} == (
        {InactiveUserLicensed.id} if flow["declared"] else {InactiveUserLicensed.id, DisabledUserLicensed.id}
    )
    # (a leaver licensed through a dynamic or synced group waits either way: no call changes those)
    leavers = {
        s["finding"]: s["reason"]
        for s in plan["skipped"]
        if s["rule"] == DisabledUserLicensed.id and s["reason"] not in ("group_dynamic", "group_synced")
    }
    assert set(leavers.values()) == ({"grace_period"} if flow["declared"] else {"grace_period", "data_lost"})
    assert all(rule in LEAVER_RULES for rule in (InactiveUserLicensed.id, DisabledUserLicensed.id))
    assert any(c.get("data_kept") for c in changes) == flow["declared"]
    assert applied <= before
    back = {
        f["id"]: (f["rule"], f["subject"].get("upn"))
        for f in after_report["findings"]
        if f["id"] in (applied - in_part)
    }
    assert back == {}  # every finding the plan fixed whole is gone
    # one planned in part comes back for the same user with only the products that waited
    subjects = {f["id"]: f["subject"]["id"] for f in _json(out / "before" / "report.json")["findings"]}
    new = [f for f in after_report["findings"] if f["id"] not in before]
    assert {f["subject"]["id"] for f in new if f["subject"]["type"] == "user"} <= {subjects[fid] for fid in in_part}
    # the seats the plan frees may now be more than the policy's spare-seat limit: reduce the subscription
    assert {f["rule"] for f in new if f["subject"]["type"] != "user"} <= {SpareSeatsOverLimit.id}
    assert len(after) < len(before)

    # the seats are what the plan simulated
    consumed = {row["sku"]: row["consumed"] for row in after_report["skus"]}
    assert plan["seats"], "the plan changes seats"
    for sku, row in plan["seats"].items():
        assert consumed[sku] == row["after"], sku

    # nothing is left that a plan could change but what waited for a group's copy (group_gives): the
    # group has given the product now, and what is left of that finding (removing E3) is ready
    waited = {s["finding"] for s in plan["skipped"] if s["reason"] == "group_gives"}
    again = _json(out / "after" / "plan.json")["changes"]
    assert waited and {fid for c in again for fid in c["findings"]} <= waited
    assert all(c["kind"] == "assign_license" and not c["body"]["addLicenses"] for c in again)
