"""A selector on an attribute the snapshot never read (issue 84, point 7): the rule is not evaluated
and the audit is incomplete, named, rather than "0 findings, complete"."""

from __future__ import annotations

import json
from pathlib import Path

from auditor.cli import main
from auditor.rules.assignments.selection import SkuForbidden
from auditor.rules.hygiene.upkeep import UsageLocationMissing

SAMPLE = Path(__file__).resolve().parents[2] / "auditor_dev" / "sample" / "sample-tenant.json"

POLICY = """\
apiVersion: license-auditor/v1
kind: LicensePolicy
metadata: {name: contractors, owner: it@contoso.example}
assignments:
  - name: contractors-no-e5
    match: {attributes: {employeeType: [Contractor]}}
    forbidden: [SPE_E5]
hygiene:
  usage_location: {severity: low}
"""


def _audit(tmp_path: Path, policy_text: str) -> tuple[int, dict[str, object]]:
    policy = tmp_path / "policy.yaml"
    policy.write_text(policy_text, encoding="utf-8")
    out = tmp_path / "reports"
    args = ["audit", "--snapshot", str(SAMPLE), "--as-of", "2026-11-01T06:00:00Z", "--policies", str(policy)]
    code = main([*args, "--format", "json", "--output-dir", str(out)])
    return code, json.loads((out / "report.json").read_text(encoding="utf-8"))


def test_a_selector_on_an_unread_attribute_leaves_its_rule_not_evaluated(tmp_path: Path) -> None:
    code, report = _audit(tmp_path, POLICY)
    [skipped] = report["not_evaluated"]  # type: ignore[misc]
    assert skipped["rule"] == SkuForbidden.id
    assert "employeeType" in skipped["reason"]
    assert report["complete"] is False
    assert code == 3  # incomplete, as for any rule that cannot be judged
    # the rule that names no such attribute is judged as before
    assert any(f["rule"] == UsageLocationMissing.id for f in report["findings"])  # type: ignore[attr-defined]


def test_a_selector_on_department_is_judged_it_is_read_with_every_user(tmp_path: Path) -> None:
    code, report = _audit(tmp_path, POLICY.replace("attributes: {employeeType: [Contractor]}", "departments: [Sales]"))
    assert report["not_evaluated"] == []
    assert code == 1  # the sample breaks the rules, and every rule was judged
    assert report["complete"] is True
