"""The selection rules' details are records (auditor.rules.assignments.selection): report.json gets what their
TypedDicts wrote (the replacement, its group and `no_usage_location` only when there are any; GroupIndex's
memberships as it wrote them), and a report without the optional keys (an older one) decodes with each
record's defaults and reads as before. Rightsize and subscription-move hand sku-not-allowed their own
records (SkuNotAllowed.replacement), not a second decoding of the finding."""

from __future__ import annotations

from auditor.data.finding import own_json
from auditor.data.model import Cloud, Locale
from auditor.formats.report_model import finding_of
from auditor.guidance.cloud_variants import variant
from auditor.guidance.details import RuleDetails
from auditor.guidance.examples import E3, E5, F3, USER
from auditor.guidance.library import ValueFormatter
from auditor.rules.assignments.selection import (
    SkuForbiddenDetails,
    SkuNotAllowed,
    SkuNotAllowedDetails,
    SkuRequiredMissing,
    SkuRequiredMissingDetails,
)
from auditor.rules.assignments.selection_texts import SkuNotAllowed as Texts
from auditor.rules.usage.activity import RightsizeDetails
from auditor.wording import message, remediation


def test_the_selection_records_write_what_their_typed_dicts_wrote() -> None:
    assert own_json(SkuNotAllowedDetails(allowed=["SPE_F3"])) == {"allowed": ["SPE_F3"]}
    group = {"id": "g-1", "name": "F3 users", "gives": ["SPE_F3"], "required": True}
    replaced = SkuNotAllowedDetails(
        allowed=["SPE_F3"], replace_with="SPE_F3", replace_with_id=F3, replace_group=group, no_usage_location=True
    )
    assert own_json(replaced) == {
        "allowed": ["SPE_F3"],
        "no_usage_location": True,
        "replace_group": group,
        "replace_with": "SPE_F3",
        "replace_with_id": F3,
    }
    assert own_json(SkuForbiddenDetails(forbidden=["SPE_E5"])) == {"forbidden": ["SPE_E5"]}
    missing = SkuRequiredMissingDetails(required_any=["SPE_F3"], sku_ids={})
    assert own_json(missing) == {"required_any": ["SPE_F3"], "sku_ids": {}}
    member = SkuRequiredMissingDetails(
        required_any=["SPE_F3"], sku_ids={"SPE_F3": F3}, group_membership=[], group_kinds={}
    )
    assert own_json(member)["group_membership"] == [] and own_json(member)["group_kinds"] == {}


def test_an_older_reports_selection_details_decode_with_the_records_defaults() -> None:
    """Without `allowed` or a replacement: the fix removes the product and names no replacement; without
    `required_any`: the finding's products are the ones to assign, and nothing waits for a usage location."""
    holding = {"assigned_by_group": {"SPE_E5": []}, "sku_ids": {"SPE_E5": E5}}
    found = finding_of(USER, ["SPE_E5"], holding)
    assert "SPE_E5" in message(SkuNotAllowed.id, found, locale=Locale.EN)
    fix = remediation(SkuNotAllowed.id, found, cloud=Cloud.WORLDWIDE, locale=Locale.EN)
    assert all(not (a.get("body") or {}).get("addLicenses") for a in fix["actions"]), fix["actions"]
    required = remediation(SkuRequiredMissing.id, found, cloud=Cloud.WORLDWIDE, locale=Locale.EN)
    assert [a["body"]["addLicenses"] for a in required["actions"]] == [[{"skuId": E5, "disabledPlans": []}]]
    assert required["actions"][0]["ready"], required["actions"]


def test_a_replacement_without_a_usage_location_waits_and_a_licensing_group_is_joined() -> None:
    holding = {"assigned_by_group": {"SPE_E5": []}, "sku_ids": {"SPE_E5": E5}}
    details = {"allowed": ["SPE_F3"], "replace_with": "SPE_F3", "replace_with_id": F3, "no_usage_location": True}
    fix = remediation(
        SkuNotAllowed.id,
        finding_of(USER, ["SPE_E5"], {**details, **holding}),
        cloud=Cloud.WORLDWIDE,
        locale=Locale.EN,
    )
    adds = [a for a in fix["actions"] if (a.get("body") or {}).get("addLicenses")]
    assert adds and all(a["blocked"] == "choose_value" for a in adds), fix["actions"]
    group = {
        "SPE_F3": {"ref": "F3 users", "file": "p.yaml", "line": 3, "id": "g-f3", "name": "F3 users", "kind": "assigned"}
    }
    joined = remediation(
        SkuNotAllowed.id,
        finding_of(USER, ["SPE_E5"], {**details, "no_usage_location": False, "licensing_group": group, **holding}),
        cloud=Cloud.WORLDWIDE,
        locale=Locale.EN,
    )
    assert joined["actions"][0]["kind"] == "add_member" and "g-f3" in joined["actions"][0]["path"]


def test_sku_not_allowed_replaces_by_the_record_it_is_handed() -> None:
    """The replacement reads the record it is given, not the finding's details again: rightsize's record
    (built in memory) over a finding whose details name no replacement gives its product to the call (its
    skuId is the finding's: Details.sku_id, none here)."""
    own = RightsizeDetails(
        days=90, workloads=["exchange"], allowed=["SPE_E3"], replace_with="SPE_E3", replace_with_id=E3
    )
    found = RuleDetails[RightsizeDetails](finding_of(USER, ["SPE_E5"], {"assigned_by_group": {"SPE_E5": []}}))
    fix = Texts.replacement(found, own, variant(Cloud.WORLDWIDE), ValueFormatter(Locale.EN))
    assert [a.body for a in fix.actions] == [
        {"addLicenses": [{"skuId": "<skuId of SPE_E3>", "disabledPlans": []}], "removeLicenses": ["<skuId of SPE_E5>"]}
    ]
