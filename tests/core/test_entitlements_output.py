"""The entitlement rules' data beyond the rules: the access scope survives a snapshot file, a
policy's name from the tenant is escaped in the report, and the plan's bill buys the seats a
waiting entitlement-missing fix needs."""

from __future__ import annotations

import io
import json
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent / "graph"))

from documents import empty_summary, report_document
from test_entitlements import POLICY, document

from auditor.cli import main
from auditor.plan.bill import build_bill, purchases
from auditor.rules.entitlements.entitlement import EntitlementMissing
from auditor.snapshot import load_snapshot, snapshot_from_json, write_snapshot


def test_the_access_scope_survives_a_snapshot_file(tmp_path: Path) -> None:
    snapshot = snapshot_from_json(document())
    out = io.StringIO()
    write_snapshot(snapshot, out)
    path = tmp_path / "s.json"
    path.write_text(out.getvalue())
    again = load_snapshot(path)
    assert again.access_scope == snapshot.access_scope and again.access_scope is not None
    assert [p.state for p in again.access_scope.policies or ()] == [
        "enabled",
        "enabled",
        "disabled",
        "enabledForReportingButNotEnforced",
    ]


def test_a_policy_name_from_the_tenant_is_escaped(tmp_path: Path) -> None:
    doc = document()
    doc["accessScope"]["conditionalAccessPolicies"][0]["displayName"] = "<img src=x onerror=alert(1)>"
    (tmp_path / "s.json").write_text(json.dumps(doc))
    (tmp_path / "p.yaml").write_text(POLICY)
    main(
        [
            "audit",
            "--snapshot",
            str(tmp_path / "s.json"),
            "--policies",
            str(tmp_path / "p.yaml"),
            "--output-dir",
            str(tmp_path / "out"),
            "--format",
            "html,json",
            "--as-of",
            "2026-11-01T00:00:00Z",
        ]
    )
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    vias = [f["details"]["via"] for f in report["findings"] if f["rule"] == EntitlementMissing.id]
    assert any("<img src=x onerror=alert(1)>" in v.get("conditional_access", []) for v in vias)
    for name in ("report.html", "digest.html"):
        assert "<img src=x" not in (tmp_path / "out" / name).read_text()


def test_the_bill_buys_what_a_waiting_entitlement_needs() -> None:
    base = {
        "id": "f",
        "severity": "high",
        "policy": None,
        "subject": {"type": "user", "id": "u"},
        "skus": [],
        "message": "",
        "monthly_cost": None,
        "waiver": None,
        "remediation": None,
    }
    waiting = base | {
        "rule": EntitlementMissing.id,
        "waived": False,
        "details": {
            "waits_for_seats": True,
            "entitle_with": {"sku": "AAD_PREMIUM_P2", "name": "P2", "monthly": 9.0, "free_seats": 0},
        },
    }
    ready = base | {
        "rule": EntitlementMissing.id,
        "waived": False,
        "details": {
            "waits_for_seats": False,
            "entitle_with": {"sku": "AAD_PREMIUM", "name": "P1", "monthly": 6.0, "free_seats": 3},
        },
    }
    bought = purchases(report_document(findings=[waiting, waiting, ready]))
    assert [(p.sku, p.seats, p.monthly) for p in bought] == [("AAD_PREMIUM_P2", 2, 9.0)]
    # a product the tenant does not subscribe to yet is bought at the finding's price, not at nothing
    # no currency: the document has no seat rows, and its summary names none
    doc = report_document(
        findings=[waiting, waiting], subscriptions=[], summary=empty_summary(None, total=2, unwaived=2)
    )
    bill = build_bill(doc, {}, None, date(2026, 11, 1), purchases=bought)
    (buy,) = [a for a in bill.actions if a.action == "buy"]
    assert (buy.sku, buy.seats, buy.monthly_saving) == ("AAD_PREMIUM_P2", 2, -18.0)
