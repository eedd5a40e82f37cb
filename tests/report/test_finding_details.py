"""A finding's details carry their typed holding and fix (auditor.data.finding_facts.FindingDetails):
decoded once, as report.json is read (or the document built), and written back as the one object
report.json holds, byte for byte."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from auditor.data.finding_facts import FindingDetails, FindingFactsError, GroupRef
from auditor.formats.report_model import ReportFinding
from auditor.rules.hygiene.accounts import InactiveUserLicensed

G1, G2 = "9a8b0000-0000-0000-0000-0000000000e3", "9a8b0000-0000-0000-0000-0000000000e4"
DETAILS: dict[str, Any] = {
    "assigned_by_group": {"SPE_E3": ["Staff", "Sales"]},
    "assigned_by_group_ids": {
        "SPE_E3": ["9a8b0000-0000-0000-0000-0000000000e3", "9a8b0000-0000-0000-0000-0000000000e4"]
    },
    "assignment": None,
    "data_lost": {"SPE_E3": ["Exchange Online (Plan 2)"]},
    "last_sign_in": "2026-08-01",  # the rule's own
    "replace_group": {"id": "9a8b0000-0000-0000-0000-0000000000e5", "name": "Frontline"},
    "sku_ids": {"SPE_E3": "05e9a617-0261-4cee-bb44-138d3ef5d965"},
}


def _finding(details: dict[str, Any]) -> ReportFinding:
    doc = {
        "id": "f1",
        "rule": InactiveUserLicensed.id,
        "severity": "medium",
        "policy": "contoso/hygiene",
        "subject": {"type": "user", "id": "0f1e0000-0000-0000-0000-000000000001"},
        "skus": ["SPE_E3"],
        "message": "",
        "details": details,
        "monthly_cost": None,
        "waived": False,
        "waiver": None,
        "remediation": None,
    }
    return msgspec.json.decode(msgspec.json.encode(doc), type=ReportFinding)


def test_a_read_finding_carries_its_holding_and_fix_typed_and_writes_its_details_as_read() -> None:
    found = _finding(DETAILS)
    assert isinstance(found.details, FindingDetails)
    assert found.holding.assigned_by_group == {"SPE_E3": ["Staff", "Sales"]}
    assert found.holding.sku_ids == {"SPE_E3": "05e9a617-0261-4cee-bb44-138d3ef5d965"}
    assert found.fix.data_lost == {"SPE_E3": ["Exchange Online (Plan 2)"]}
    assert found.fix.replace_group == GroupRef(id="9a8b0000-0000-0000-0000-0000000000e5", name="Frontline")
    # decoded once: every reader after the decoder takes the very same parts
    assert found.holding is found.parts().holding and found.fix is found.parts().fix
    assert msgspec.json.encode(found.details) == msgspec.json.encode(DETAILS)
    assert msgspec.json.encode(found) == msgspec.json.encode(_finding(DETAILS))


def test_new_details_carry_their_own_parts() -> None:
    found = _finding(DETAILS)
    moved = msgspec.structs.replace(found, details={**found.details, "sku_ids": {"SPE_E3": "other"}})
    assert isinstance(moved.details, FindingDetails) and moved.holding.sku_ids == {"SPE_E3": "other"}
    assert found.holding.sku_ids == {"SPE_E3": "05e9a617-0261-4cee-bb44-138d3ef5d965"}
    assert FindingDetails.of(found.details) is found.details


def test_a_holding_of_the_wrong_type_is_refused_as_the_finding_is_read() -> None:
    with pytest.raises(msgspec.ValidationError, match=r"a finding's details: Expected `object`, got `str`"):
        _finding({**DETAILS, "sku_ids": "SPE_E3"})
    with pytest.raises(FindingFactsError, match=r"`details.data_lost`"):
        _ = FindingDetails({"data_lost": ["SPE_E3"]}).fix
