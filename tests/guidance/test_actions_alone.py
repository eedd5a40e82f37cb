"""The plan reads a finding's Graph calls alone (auditor.wording.actions): the calls of the whole
remediation, without their descriptions, for every rule, in every cloud. The rules with the most
findings build them without their texts (RuleGuidance.default_actions), so each variant of their
details is held to the whole remediation here."""

from __future__ import annotations

from typing import Any

import pytest

from auditor import wording
from auditor.data.model import Cloud, Locale
from auditor.formats.report_model import finding_of
from auditor.guidance.examples import E3, E5, USER
from auditor.rules.hygiene.accounts import DisabledUserLicensed, GuestLicensed, InactiveUserLicensed
from auditor.rules.hygiene.overlap import LicenseRedundant

EXO = "4b9405b0-7788-4568-add1-99614e613b69"  # Exchange Online (Plan 1)
GROUPS = {
    "assigned_by_group": {"SPE_E5": ["All Staff", "Sales"], "EXCHANGESTANDARD": ["Mail Users"]},
    "assigned_by_group_ids": {"SPE_E5": ["g-1", "g-2"], "EXCHANGESTANDARD": ["g-3"]},
    "group_kinds": {"g-2": {"kind": "dynamic", "rule": 'user.department -eq "Sales"'}},
    "sku_ids": {"SPE_E5": E5, "SPE_E3": E3, "EXCHANGESTANDARD": EXO},
}
REDUNDANT = {"covered_by": {"EXCHANGESTANDARD": "SPE_E3", "SPE_E5": "SPE_E3"}, "plans": {}}

# (rule, skus, details): each rule's own example, and the variants of the rules that build their
# calls without texts: direct and from groups, a group that also gives the covering product (not
# left), a copy held twice, data a removal would end, and details the report lost
CASES: dict[str, tuple[str, list[str], dict[str, Any]]] = {
    **{
        f"example/{rule_id}": (rule_id, rule.example_finding[1], rule.example_finding[2])
        for rule_id, rule in wording.by_id().items()
    },
    "redundant/groups": (
        LicenseRedundant.id,
        ["SPE_E5", "EXCHANGESTANDARD"],
        {**GROUPS, **REDUNDANT, "cover_by_group": {"SPE_E3": []}, "also_by_group": {}},
    ),
    "redundant/group-gives-cover": (
        LicenseRedundant.id,
        ["SPE_E5", "EXCHANGESTANDARD"],
        {**GROUPS, **REDUNDANT, "cover_by_group": {"SPE_E3": ["Sales", "Mail Users"]}, "also_by_group": {}},
    ),
    "redundant/twice": (
        LicenseRedundant.id,
        ["EXCHANGESTANDARD"],
        {
            **GROUPS,
            **REDUNDANT,
            "cover_by_group": {"SPE_E3": []},
            "also_by_group": {"EXCHANGESTANDARD": ["Mail Users"]},
        },
    ),
    "redundant/data-lost": (
        LicenseRedundant.id,
        ["EXCHANGESTANDARD"],
        {
            **REDUNDANT,
            "cover_by_group": {},
            "also_by_group": {},
            "assigned_by_group": {"EXCHANGESTANDARD": []},
            "sku_ids": GROUPS["sku_ids"],
            "data_lost": {"EXCHANGESTANDARD": ["Exchange Online (Plan 1)"]},
        },
    ),
    "redundant/details-lost": (LicenseRedundant.id, ["SPE_E5"], {"sku_ids": {"SPE_E5": E5}}),
    "disabled/groups": (DisabledUserLicensed.id, ["SPE_E5", "EXCHANGESTANDARD"], GROUPS),
    "disabled/plans-unknown": (
        DisabledUserLicensed.id,
        ["SPE_E5"],
        {"assigned_by_group": {"SPE_E5": []}, "sku_ids": {"SPE_E5": E5}, "plans_unknown": ["SPE_E5"]},
    ),
    "disabled/no-products": (DisabledUserLicensed.id, [], {}),
    "inactive/groups": (InactiveUserLicensed.id, ["SPE_E5", "EXCHANGESTANDARD"], {**GROUPS, "days": 90}),
    "guest/direct": (GuestLicensed.id, ["SPE_E5"], {"assigned_by_group": {"SPE_E5": []}, "sku_ids": {"SPE_E5": E5}}),
}


@pytest.mark.parametrize("cloud", list(Cloud), ids=lambda c: c.value)
@pytest.mark.parametrize("case", sorted(CASES))
def test_the_calls_alone_are_the_whole_remediations(case: str, cloud: Cloud) -> None:
    rule, skus, details = CASES[case]
    found = finding_of(USER, skus, details)
    whole = wording.remediation(rule, found, cloud=cloud, locale=Locale.DA)
    assert wording.actions(rule, found, cloud=cloud, locale=Locale.DA) == {
        "actions": [{**a, "description": ""} for a in whole["actions"]]
    }


def _calls(case: str) -> list[dict[str, Any]]:
    rule, skus, details = CASES[case]
    found: list[dict[str, Any]] = wording.actions(
        rule, finding_of(USER, skus, details), cloud=Cloud.WORLDWIDE, locale=Locale.EN
    )["actions"]
    return found


def test_the_variants_have_calls_to_compare() -> None:
    """Each variant of the rules above gives the calls it should (so the comparison above holds of something)."""
    assert {a["group"] for a in _calls("redundant/groups") if a["kind"] == "remove_member"} == {"g-1", "g-2", "g-3"}
    # the groups that also give the covering product are not left
    assert {a["group"] for a in _calls("redundant/group-gives-cover") if a["kind"] == "remove_member"} == {"g-1"}
    assert [a["ready"] for a in _calls("redundant/data-lost")] == [False]
    assert {a["kind"] for a in _calls("disabled/groups")} == {"remove_member"}
    assert all({"account_enabled": False} in a["precondition"] for a in _calls("disabled/groups"))
    assert all({"no_sign_in_within_days": 90} in a["precondition"] for a in _calls("inactive/groups"))
    assert _calls("disabled/no-products") == []
