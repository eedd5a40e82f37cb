"""Microsoft 365 E7 (issue 73): Microsoft's product table lists it with the service plans of Microsoft
365 Copilot and Agent 365, so `license-redundant` finds either held beside E7 by the plans alone; E5
is not covered in full (the table lists four E5 plans E7 does not carry), so E5 beside E7 is left to
a person (docs/account-kinds.md)."""

from __future__ import annotations

import csv
from typing import Any

import pytest

from auditor.reference import DATA_FILE
from auditor.rules.hygiene.overlap import LicenseRedundant

from .factory import audit, tenant, user

E7, E5, COPILOT, AGENT_365 = "MICROSOFT_365_E7", "SPE_E5", "Microsoft_365_Copilot", "AGENT_365"
POLICY = """catalog:
  - {sku: MICROSOFT_365_E7, price: {monthly: 99.00, currency: EUR}}
  - {sku: SPE_E5, price: {monthly: 54.75, currency: EUR}}
  - {sku: Microsoft_365_Copilot, price: {monthly: 28.10, currency: EUR}}
  - {sku: AGENT_365, price: {monthly: 15.00, currency: EUR}}
hygiene:
  redundant_products: {}
"""


def _table() -> dict[str, tuple[str, list[tuple[str, str]]]]:
    """part -> (skuId, [(plan id, plan name)]) from Microsoft's product table as the package ships it."""
    from importlib import resources

    text = resources.files("auditor.reference").joinpath(DATA_FILE).read_text("utf-8-sig")
    out: dict[str, tuple[str, list[tuple[str, str]]]] = {}
    for row in csv.DictReader(text.splitlines()):
        part = row["String_Id"].strip()
        if part in (E7, E5, COPILOT, AGENT_365):
            out.setdefault(part, (row["GUID"].strip(), []))[1].append(
                (row["Service_Plan_Id"].strip(), row["Service_Plan_Name"].strip())
            )
    return out


def _product(part: str, table: dict[str, tuple[str, list[tuple[str, str]]]]) -> dict[str, Any]:
    sku_id, plans = table[part]
    return {
        "skuId": sku_id,
        "skuPartNumber": part,
        "consumedUnits": 1,
        "prepaidUnits": {"enabled": 10, "suspended": 0, "warning": 0, "lockedOut": 0},
        "servicePlans": [
            {"servicePlanId": p, "servicePlanName": n, "provisioningStatus": "Success", "appliesTo": "User"}
            for p, n in plans
        ],
    }


@pytest.mark.parametrize(("beside", "redundant"), [(COPILOT, True), (AGENT_365, True), (E5, False)])
def test_a_product_e7_covers_by_its_service_plans_is_redundant(tmp_path: Any, beside: str, redundant: bool) -> None:
    table = _table()
    assert set(table) == {E7, E5, COPILOT, AGENT_365}  # all four are in Microsoft's table
    holder = user("ana")
    holder["assignedLicenses"] = [{"skuId": table[p][0], "disabledPlans": []} for p in (E7, beside)]
    holder["licenseAssignmentStates"] = [
        {"skuId": table[p][0], "assignedByGroup": None, "state": "Active", "error": "None", "disabledPlans": []}
        for p in (E7, beside)
    ]
    skus = [_product(E7, table), _product(beside, table)]
    result = audit(tmp_path, POLICY, tenant([holder], skus=skus))
    found = [f for f in result.findings if f.rule == LicenseRedundant.id]
    if redundant:
        [f] = found
        assert f.skus == (beside,) and dict(f.details)["covered_by"] == {beside: E7}
    else:
        assert found == []


def test_the_e5_plans_e7_lacks_are_the_retired_ones_docs_name() -> None:
    """Where E5 beside E7 is judged (docs/account-kinds.md), the four E5 plans E7 lacks are said to be
    retired services: three of them the table itself names retired on some row (issue 89)."""
    from importlib import resources
    from pathlib import Path

    table = _table()
    lacks = {name for _, name in table[E5][1]} - {name for _, name in table[E7][1]}
    assert lacks == {"Bing_Chat_Enterprise", "COMMUNICATIONS_COMPLIANCE", "KAIZALA_STANDALONE", "DATA_INVESTIGATIONS"}
    text = resources.files("auditor.reference").joinpath(DATA_FILE).read_text("utf-8-sig")
    retired = {
        row["Service_Plan_Name"].strip()
        for row in csv.DictReader(text.splitlines())
        if row["Service_Plans_Included_Friendly_Names"].strip().lower().startswith("retired")
    }
    assert lacks - retired == {"KAIZALA_STANDALONE"}
    doc = " ".join((Path(__file__).parents[2] / "docs" / "account-kinds.md").read_text("utf-8").split())
    assert "Those four are retired services" in doc and "Kaizala Pro, the fourth, was retired on 31 August 2023" in doc
