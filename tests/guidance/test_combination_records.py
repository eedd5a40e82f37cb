"""The combination rules' details are records (auditor.rules.assignments.combination): report.json gets what
their TypedDicts wrote (the default removal, the storage evidence and the licensing group only when there
are any; what DataLoss.of says as it says it), and a report without the optional keys (an older one) decodes
with each record's defaults and reads as before."""

from __future__ import annotations

from auditor.data.finding import own_json
from auditor.data.model import Cloud, Locale
from auditor.formats.report_model import finding_of
from auditor.guidance.examples import E3, E5, EMS, USER
from auditor.rules.assignments.combination import (
    AssignmentNotGroupBased,
    AssignmentNotGroupBasedDetails,
    SkuCombinationForbidden,
    SkuCombinationForbiddenDetails,
)
from auditor.wording import message, remediation


def test_the_combination_records_write_what_their_typed_dicts_wrote() -> None:
    undecided = SkuCombinationForbiddenDetails(combination=["EMS", "SPE_E5"], data_kinds={})
    assert own_json(undecided) == {"combination": ["EMS", "SPE_E5"], "data_kinds": {}}
    declared = SkuCombinationForbiddenDetails(
        combination=["SPE_E3", "SPE_E5"], declared=True, keep=["SPE_E5"], remove=["SPE_E3"], data_lost={}
    )
    assert own_json(declared) == {
        "combination": ["SPE_E3", "SPE_E5"],
        "data_lost": {},
        "declared": True,
        "keep": ["SPE_E5"],
        "remove": ["SPE_E3"],
    }
    twice = AssignmentNotGroupBasedDetails(also_by_group={"SPE_E3": ["All"]}, plans_lost={})
    assert own_json(twice) == {"also_by_group": {"SPE_E3": ["All"]}, "plans_lost": {}}
    assert own_json(AssignmentNotGroupBasedDetails()) == {}


def test_an_older_reports_combination_details_decode_with_the_records_defaults() -> None:
    """Without `combination`, `remove` or `keep`: the finding's products are the combination, and no removal
    is pre-filled (one alternative per product)."""
    holding = {"assigned_by_group": {"SPE_E5": [], "EMS": []}, "sku_ids": {"SPE_E5": E5, "EMS": EMS}}
    found = finding_of(USER, ["SPE_E5", "EMS"], holding)
    assert "EMS" in message(SkuCombinationForbidden.id, found, locale=Locale.EN)
    fix = remediation(SkuCombinationForbidden.id, found, cloud=Cloud.WORLDWIDE, locale=Locale.EN)
    assert not fix["actions"] and len(fix["alternatives"]) == 2
    direct = finding_of(USER, ["SPE_E3"], {"assigned_by_group": {"SPE_E3": []}, "sku_ids": {"SPE_E3": E3}})
    moved = remediation(AssignmentNotGroupBased.id, direct, cloud=Cloud.WORLDWIDE, locale=Locale.EN)
    assert [a["ready"] for a in moved["actions"]] == [False]  # no group known: a person adds the user first


def test_a_declared_keep_and_a_licensing_group_are_read_from_the_records() -> None:
    holding = {"assigned_by_group": {"SPE_E5": [], "SPE_E3": []}, "sku_ids": {"SPE_E5": E5, "SPE_E3": E3}}
    declared = {"combination": ["SPE_E3", "SPE_E5"], "declared": True, "keep": ["SPE_E5"], "remove": ["SPE_E3"]}
    fix = remediation(
        SkuCombinationForbidden.id,
        finding_of(USER, ["SPE_E3", "SPE_E5"], {**declared, **holding}),
        cloud=Cloud.WORLDWIDE,
        locale=Locale.EN,
    )
    assert not fix.get("alternatives") and [a["body"]["removeLicenses"] for a in fix["actions"]] == [[E3]]
    group = {
        "SPE_E3": {"ref": "E3 users", "file": "p.yaml", "line": 3, "id": "g-1", "name": "E3 users", "kind": "assigned"}
    }
    joined = remediation(
        AssignmentNotGroupBased.id,
        finding_of(USER, ["SPE_E3"], {"licensing_group": group, **holding}),
        cloud=Cloud.WORLDWIDE,
        locale=Locale.EN,
    )
    assert joined["actions"][0]["ready"] and "g-1" in str(joined["actions"][0]), joined["actions"]
