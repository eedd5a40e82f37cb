"""A product the policy prices by its part number, which the tenant does not subscribe to, is a
candidate for the entitlement rules' cheapest fix: Microsoft's product table the auditor ships
resolves the part number to its skuId. A priced product it cannot resolve is a configuration
problem, never a silent gap."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditor.cli import main
from auditor.reference import product_names
from auditor.rules.entitlements.entitlement import EntitlementMissing

from .factory import sample_audit_argv

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "examples" / "contoso-policy.yaml"
P2 = "84a661c4-e949-4bd2-a560-ed7766fcaf2b"


def _audit(tmp_path: Path, sku: str) -> dict[str, Any]:
    text = EXAMPLE.read_text("utf-8")
    assert f"sku: {P2}" in text  # the example prices Entra ID P2 by its skuId
    (tmp_path / "policy.yaml").write_text(text.replace(f"sku: {P2}", f"sku: {sku}"), "utf-8")
    argv = sample_audit_argv(tmp_path)
    argv[argv.index("--policies") + 1] = str(tmp_path / "policy.yaml")
    code = main(argv)
    assert code == 0
    return json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))


def test_the_product_table_resolves_a_part_number() -> None:
    assert product_names().sku_id("aad_premium_p2") == P2
    assert product_names().sku_id("AAD_PREMIUM_P3") is None


@pytest.mark.parametrize("sku", [P2, "AAD_PREMIUM_P2"])
def test_a_priced_product_the_tenant_lacks_is_a_candidate_by_part_number_too(tmp_path: Path, sku: str) -> None:
    report = _audit(tmp_path, sku)
    fixes = {
        (f["details"]["entitle_with"] or {}).get("sku")
        for f in report["findings"]
        if f["rule"] == EntitlementMissing.id and "risk_based_access" in f["details"]["features"]
    }
    # P2 at €8.40, not Microsoft 365 E5 at €54.75 (PIM alone: ID Governance, cheaper still, for staff holding P1)
    assert fixes == {"AAD_PREMIUM_P2"}
    assert not [p for p in report["config_problems"] if p.get("product") == sku]


def test_a_priced_product_no_table_knows_is_a_configuration_problem(tmp_path: Path) -> None:
    report = _audit(tmp_path, "AAD_PREMIUM_P3")
    (problem,) = [p for p in report["config_problems"] if p.get("product") == "AAD_PREMIUM_P3"]
    assert problem["code"] == "unknown_product" and problem["line"] is not None
    assert problem["file"].endswith("policy.yaml")
