"""The assignment-error rules' details are records (auditor.rules.hygiene.assignment_errors): report.json
gets what their TypedDicts wrote (`free_seats` only for a CountViolation, 0 too; a null error as written),
and a report without the optional keys (an older one) decodes with each record's defaults and reads as before."""

from __future__ import annotations

from auditor.data.finding import own_json
from auditor.data.model import Cloud, Locale
from auditor.formats.report_model import finding_of
from auditor.guidance.examples import E5, USER
from auditor.rules.hygiene.assignment_errors import (
    GroupLicenseErrors,
    GroupLicenseErrorsDetails,
    LicenseAssignmentError,
    LicenseAssignmentErrorDetails,
)
from auditor.wording import message, remediation

HELD = {"assigned_by_group": {"SPE_E5": []}, "sku_ids": {"SPE_E5": E5}}
GROUP = {"type": "group", "id": "g-1", "display_name": "All Staff"}


def test_the_assignment_error_records_write_what_their_typed_dicts_wrote() -> None:
    assert own_json(LicenseAssignmentErrorDetails(error=None, state="Error")) == {"error": None, "state": "Error"}
    counted = LicenseAssignmentErrorDetails(error="CountViolation", state="Error", free_seats=0)
    assert own_json(counted) == {"error": "CountViolation", "free_seats": 0, "state": "Error"}
    group = GroupLicenseErrorsDetails(group="All Staff", group_id="g-1", members_with_errors=0, errors={})
    assert own_json(group) == {"errors": {}, "group": "All Staff", "group_id": "g-1", "members_with_errors": 0}


def test_an_older_reports_assignment_error_details_decode_with_the_records_defaults() -> None:
    """Without `state`, `error` or `free_seats`: the plain message with an unknown error, and a reprocess
    that does not wait for a cause to be fixed first (no partial state); a CountViolation without
    `free_seats` asks for the cause first."""
    bare = finding_of(USER, ["SPE_E5"], HELD)
    assert message(LicenseAssignmentError.id, bare, locale=Locale.EN).endswith("failed: unknown.")
    fix = remediation(LicenseAssignmentError.id, bare, cloud=Cloud.WORLDWIDE, locale=Locale.EN)
    assert [a["ready"] for a in fix["actions"]] == [True]
    counted = finding_of(USER, ["SPE_E5"], {"error": "CountViolation", **HELD})
    fix = remediation(LicenseAssignmentError.id, counted, cloud=Cloud.WORLDWIDE, locale=Locale.EN)
    freed = finding_of(USER, ["SPE_E5"], {"error": "CountViolation", "free_seats": 2, **HELD})
    fix_now = remediation(LicenseAssignmentError.id, freed, cloud=Cloud.WORLDWIDE, locale=Locale.EN)
    assert fix["actions"][0]["description"] != fix_now["actions"][0]["description"]


def test_an_older_reports_group_error_details_decode_with_the_records_defaults() -> None:
    """Without any of its keys: the group named by the finding's subject, the uncounted message and
    summary, no cause lines, the group's id from the subject in the lookup."""
    older = finding_of(GROUP, ["SPE_E5"], {})
    said = message(GroupLicenseErrors.id, older, locale=Locale.EN)
    assert said.startswith("Microsoft Entra ID reports members of the group All Staff whose licenses")
    fix = remediation(GroupLicenseErrors.id, older, cloud=Cloud.WORLDWIDE, locale=Locale.EN)
    assert "/groups/g-1/membersWithLicenseErrors" in fix["actions"][0]["path"]
    assert not any("affected" in step for step in fix["steps"])
