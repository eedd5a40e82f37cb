"""The many-tenant demo's Contoso policy (auditor_dev/sample/contoso-msp-policy.yaml) is the example policy
`audit --demo` runs with two lines more: three spare F3 seats, which the many-tenant demo buys at the sample's
Pax8 (issue 108), and the audit log's Copilot Chat users as seat candidates, the line the example leaves
commented out (it needs AuditLogsQuery.Read.All, a permission the example does not assume). The two files may
not drift apart, or the many-tenant Contoso would differ in more than these."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SPARE_F3 = "    spare_seats: {min: 3}"
AUDIT_LOG = "    audit_log: beside"


def _body(path: Path) -> list[str]:
    """The file's lines after its opening comments (what each file says of itself)."""
    lines = path.read_text("utf-8").splitlines()
    return lines[next(i for i, line in enumerate(lines) if not line.startswith("#")) :]


def test_contosos_many_tenant_policy_is_the_example_with_three_spare_f3_and_the_audit_log() -> None:
    example = _body(ROOT / "examples" / "contoso-policy.yaml")
    msp = _body(ROOT / "auditor_dev" / "sample" / "contoso-msp-policy.yaml")
    added = [line for line in msp if line.startswith(SPARE_F3)]
    assert len(added) == 1 and msp[msp.index(added[0]) - 1] == "  - sku: SPE_F1"
    # the example's commented-out line, turned on
    assert [line for line in example if line.strip() == "# audit_log: beside"] == ["    # audit_log: beside"]
    turned_on = [line if line != "    # audit_log: beside" else AUDIT_LOG for line in example]
    assert [line for line in msp if line not in added] == turned_on
