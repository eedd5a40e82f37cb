"""The records inside a rule's own details (a licensing group entry, a group membership, the
accounts of a cross-tenant finding, a tenant's seats) are decoded by their TypedDicts: the shape the
rule writes reads, a value of the wrong type is refused with its place."""

from __future__ import annotations

import re
from typing import Any

import pytest

from auditor.cross_tenant.rules import CrossTenantDuplicate, SeatsRebalanceAcrossTenants
from auditor.data.finding import own_json
from auditor.data.finding_facts import FindingFactsError
from auditor.data.model import Cloud, Locale
from auditor.formats.report_model import finding_of
from auditor.guidance.examples import USER
from auditor.rules.assignments import AssignmentNotGroupBased, SkuCombinationForbidden, SkuRequiredMissing
from auditor.rules.waivers.waiver_expired import WaiverExpired, WaiverExpiredDetails
from auditor.wording import message, remediation


@pytest.mark.parametrize(
    ("rule", "details", "place"),
    [
        (AssignmentNotGroupBased.id, {"licensing_group": {"SPE_E5": {"line": "12"}}}, "licensing_group[...].line"),
        (SkuRequiredMissing.id, {"group_membership": {"id": "g-1"}}, "group_membership"),
        (SkuRequiredMissing.id, {"group_membership": [{"gives": "SPE_E5"}]}, "group_membership[0].gives"),
        (SkuCombinationForbidden.id, {"storage_by": {"SPE_E5": {"wait": 3}}}, "storage_by[...].wait"),
        (CrossTenantDuplicate.id, {"tenants": [{"user_id": 7}]}, "tenants[0].user_id"),
        (SeatsRebalanceAcrossTenants.id, {"surplus": [{"unused": "12"}]}, "surplus[0].unused"),
    ],
)
def test_a_rule_records_wrong_type_is_refused_with_its_place(rule: str, details: dict[str, Any], place: str) -> None:
    with pytest.raises(FindingFactsError, match=re.escape(f"`details.{place}`")):
        remediation(rule, finding_of(USER, ["SPE_E5"], details), cloud=Cloud.WORLDWIDE, locale=Locale.EN)


def test_a_group_membership_reads_as_the_rule_writes_it() -> None:
    """GroupIndex.not_applied writes a list of groups: the fix joins the group the user is in only
    through a nested one (its TypedDict once said a dict, which refused every such finding)."""
    details = {
        "required_any": ["SPE_E5"],
        "group_membership": [{"id": "g-1", "name": "Sales", "gives": ["SPE_E5"], "via": "nested"}],
        "group_kinds": {},
    }
    r = remediation(SkuRequiredMissing.id, finding_of(USER, [], details), cloud=Cloud.WORLDWIDE, locale=Locale.EN)
    assert [(a["path"], a["ready"]) for a in r["actions"]] == [("/groups/g-1/members/$ref", True)]


def test_a_rule_record_is_written_as_its_typed_dict_was_and_read_with_its_defaults() -> None:
    """A rule whose details are a record (auditor.data.finding.Own): report.json gets every field,
    null too, its keys sorted (what the TypedDict wrote); a report that lacks them (an older one)
    reads each absent field as its default, decoded once, and the texts say "unknown"."""
    written = own_json(WaiverExpiredDetails(waiver_rule="r", waiver_subject="s", expires="2026-01-02", owner=None))
    assert list(written.items()) == [
        ("expires", "2026-01-02"),
        ("owner", None),
        ("reason", None),
        ("waiver_rule", "r"),
        ("waiver_subject", "s"),
    ]
    subject = {"type": "waiver", "id": "r:s"}
    said = message(WaiverExpired.id, finding_of(subject, [], {"waiver_subject": "ann"}), locale=Locale.EN)
    assert said == "The waiver for “unknown” on ann (owner: unknown) expired on unknown."
