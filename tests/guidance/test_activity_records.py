"""The usage rules' details are records (auditor.rules.usage.activity): report.json gets what their
TypedDicts wrote (rightsize's replacement keys only when the user lacks the smaller product), and a report
without the optional keys (an older one) decodes with each record's defaults and reads as before."""

from __future__ import annotations

from auditor.data.finding import own_json
from auditor.data.model import Cloud, Locale
from auditor.formats.report_model import finding_of
from auditor.guidance.examples import E5, USER
from auditor.rules.usage.activity import ProductUnused, ProductUnusedDetails, Rightsize, RightsizeDetails
from auditor.wording import message, remediation


def test_the_usage_records_write_what_their_typed_dicts_wrote() -> None:
    unused = ProductUnusedDetails(days=30, workloads=["copilot"], last_activity=None, report_date=None)
    assert list(own_json(unused)) == ["days", "last_activity", "report_date", "workloads"]
    held = RightsizeDetails(days=90, workloads=[], unmeasured=["power_bi"], rightsize_to="SPE_E3", allowed=["SPE_E3"])
    assert own_json(held) == {
        "allowed": ["SPE_E3"],
        "days": 90,
        "last_activity": None,
        "report_date": None,
        "rightsize_to": "SPE_E3",
        "unmeasured": ["power_bi"],
        "workloads": [],
    }
    group = {"id": "g-1", "name": "E3 users", "gives": ["SPE_E3"]}
    lacking = RightsizeDetails(days=90, replace_with="SPE_E3", replace_with_id="e3-id", replace_group=group)
    written = own_json(lacking)
    assert written["replace_group"] == group and "licensing_group" not in written
    assert written["replace_with"] == "SPE_E3" and written["replace_with_id"] == "e3-id"


def test_an_older_reports_usage_details_decode_with_the_records_defaults() -> None:
    """Without `days`, `workloads` or the replacement keys: "unknown" days, and rightsize's fix (the larger
    product's removal, no replacement to give) waits on the unmeasured workload it names."""
    holding = {"assigned_by_group": {"SPE_E5": []}, "sku_ids": {"SPE_E5": E5}}
    said = message(
        ProductUnused.id, finding_of(USER, ["SPE_E5"], {"last_activity": "2026-01-02", **holding}), locale=Locale.EN
    )
    assert "unknown days" in said and "Jan 2, 2026" in said
    found = finding_of(USER, ["SPE_E5"], {"unmeasured": ["power_bi"], **holding})
    assert "unknown" in message(Rightsize.id, found, locale=Locale.EN)
    fix = remediation(Rightsize.id, found, cloud=Cloud.WORLDWIDE, locale=Locale.EN)
    assert fix["actions"] and all(a["ready"] is False for a in fix["actions"])


def test_rightsize_hands_its_replacement_to_sku_not_allowed_read_by_its_own_details() -> None:
    """With `replace_with`, the fix is sku-not-allowed's replacement: one call adding the smaller product."""
    details = {
        "days": 90,
        "workloads": ["exchange"],
        "rightsize_to": "SPE_E3",
        "allowed": ["SPE_E3"],
        "replace_with": "SPE_E3",
        "replace_with_id": "e3-id",
        "sku_ids": {"SPE_E5": E5},
        "assigned_by_group": {"SPE_E5": []},
    }
    fix = remediation(Rightsize.id, finding_of(USER, ["SPE_E5"], details), cloud=Cloud.WORLDWIDE, locale=Locale.EN)
    assert any("e3-id" in str(a.get("body")) for a in fix["actions"]), fix["actions"]
