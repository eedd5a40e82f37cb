"""The overlap rules' details are records (auditor.rules.hygiene.overlap): report.json gets what their
TypedDicts wrote (every key, an empty `also_by_group` too; the check's declarations only when set), and a
report without the keys (an older one) decodes with each record's defaults and reads as before."""

from __future__ import annotations

import msgspec

from auditor.data.finding import own_json
from auditor.data.model import Cloud, Locale
from auditor.formats.report_model import finding_of
from auditor.guidance.examples import E5, USER
from auditor.rules.hygiene.overlap import (
    LicenseAssignedTwice,
    LicenseAssignedTwiceDetails,
    LicenseRedundant,
    LicenseRedundantDetails,
)
from auditor.wording import message, remediation

EXO = "4b9405b0-exo"


def test_the_overlap_records_write_what_their_typed_dicts_wrote() -> None:
    twice = LicenseAssignedTwiceDetails(also_by_group={"SPE_E5": ["All Staff"]}, plans_lost={})
    assert own_json(twice) == {"also_by_group": {"SPE_E5": ["All Staff"]}, "plans_lost": {}}
    assert own_json(msgspec.structs.replace(twice, grace_days=7))["grace_days"] == 7
    redundant = LicenseRedundantDetails(
        covered_by={"EXCHANGESTANDARD": "SPE_E5"},
        cover_by_group={"SPE_E5": []},
        plans={"EXCHANGESTANDARD": ["Exchange Online (Plan 1)"]},
        cover_plans={"SPE_E5": ["efb87545"]},
        cover_ids={"SPE_E5": E5},
        data_kinds={"SPE_E5": ["mailbox"]},
    )
    assert list(own_json(redundant)) == [
        "also_by_group",  # written empty: no redundant product is held twice
        "cover_by_group",
        "cover_ids",
        "cover_plans",
        "covered_by",
        "data_kinds",
        "plans",
    ]
    assert own_json(redundant)["also_by_group"] == {}


def test_an_older_reports_overlap_details_decode_with_the_records_defaults() -> None:
    """Without `also_by_group`: the generic removal; without `covered_by`: the message for several
    covering products and the generic removal of the product; with it alone: the covering product named."""
    held = {"assigned_by_group": {"EXCHANGESTANDARD": []}, "sku_ids": {"EXCHANGESTANDARD": EXO, "SPE_E5": E5}}
    bare = finding_of(USER, ["EXCHANGESTANDARD"], held)
    fix = remediation(LicenseAssignedTwice.id, bare, cloud=Cloud.WORLDWIDE, locale=Locale.EN)
    assert [a["body"]["removeLicenses"] for a in fix["actions"]] == [[EXO]]
    said = message(LicenseRedundant.id, bare, locale=Locale.EN)
    assert said == message(LicenseRedundant.id, finding_of(USER, ["EXCHANGESTANDARD"], {}), locale=Locale.EN)
    assert "SPE_E5" not in said
    fix = remediation(LicenseRedundant.id, bare, cloud=Cloud.WORLDWIDE, locale=Locale.EN)
    assert [a["body"]["removeLicenses"] for a in fix["actions"]] == [[EXO]]
    covered = finding_of(USER, ["EXCHANGESTANDARD"], {"covered_by": {"EXCHANGESTANDARD": "SPE_E5"}, **held})
    assert "SPE_E5" in message(LicenseRedundant.id, covered, locale=Locale.EN)
    fix = remediation(LicenseRedundant.id, covered, cloud=Cloud.WORLDWIDE, locale=Locale.EN)
    assert [a["body"]["removeLicenses"] for a in fix["actions"]] == [[EXO]]
    assert "SPE_E5" in str(fix["steps"][0])
