"""The words of a remediation's calls say what holds for this user: a usage location is asked for
only from a user who has none, and "after the cause is fixed" only where a cause is left to fix."""

from __future__ import annotations

from typing import Any

from auditor import wording
from auditor.data.model import Cloud, Finding, Locale
from auditor.formats.report_model import finding_of
from auditor.rules.assignments import SkuRequiredMissing
from auditor.rules.hygiene.assignment_errors import LicenseAssignmentError

from .factory import E3, E5, audit, sku, tenant, user

REQUIRED = "assignments:\n  - name: staff\n    match: {all: true}\n    required_any: [SPE_F1]\n"
ERRORS = "hygiene:\n  assignment_errors: {}\n"
NEEDS_LOCATION = "the user needs a usage location first"
AFTER_CAUSE = "After the cause is fixed"


def _actions(f: Finding) -> list[dict[str, Any]]:
    r = wording.remediation(
        f.rule,
        finding_of(f.subject, list(f.skus), dict(f.details)),
        cloud=Cloud.WORLDWIDE,
        locale=Locale.EN,
    )
    return list(r["actions"])


def test_a_usage_location_is_asked_for_only_from_a_user_who_has_none(tmp_path: Any) -> None:
    doc = tenant([user("ann"), user("bob", usageLocation=None)])
    found = {f.subject.upn: f for f in audit(tmp_path, REQUIRED, doc).findings if f.rule == SkuRequiredMissing.id}
    (ann,) = _actions(found["ann@contoso.example"])
    assert NEEDS_LOCATION not in ann["description"]
    assert ann["description"] == "Assigns SPE_F1 to Ann (ann@contoso.example)."
    assert ann["ready"]
    (bob,) = _actions(found["bob@contoso.example"])
    assert NEEDS_LOCATION in bob["description"]
    # Graph refuses a license for a user without a usage location: the call waits for the country
    assert not bob["ready"] and bob["blocked"] == "choose_value"


def _error(tmp_path: Any, error: str, e5_free: int) -> dict[str, Any]:
    u = user("ann", "SPE_E3", "SPE_E5")
    u["licenseAssignmentStates"] = [
        {"skuId": E3, "assignedByGroup": None, "state": "Active", "error": "None"},
        {"skuId": E5, "assignedByGroup": None, "state": "Error", "error": error},
    ]
    doc = tenant([u], skus=[sku("SPE_E3", 10, 1), sku("SPE_E5", 10, 10 - e5_free), sku("SPE_F1")])
    (f,) = [f for f in audit(tmp_path, ERRORS, doc).findings if f.rule == LicenseAssignmentError.id]
    (action,) = _actions(f)
    assert action["kind"] == "reprocess"
    return action


def test_a_count_violation_with_a_seat_free_now_has_no_cause_left_to_fix(tmp_path: Any) -> None:
    action = _error(tmp_path, "CountViolation", e5_free=3)
    assert AFTER_CAUSE not in action["description"]
    assert action["description"].startswith("Makes Microsoft Entra ID apply the licenses of Ann")


def test_after_the_cause_is_fixed_where_a_cause_is_left(tmp_path: Any) -> None:
    assert _error(tmp_path, "CountViolation", e5_free=0)["description"].startswith(AFTER_CAUSE)  # no seat: buy one
    assert _error(tmp_path, "MutuallyExclusiveViolation", e5_free=3)["description"].startswith(AFTER_CAUSE)
