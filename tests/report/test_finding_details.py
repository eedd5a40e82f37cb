"""A finding's details are one object in report.json, which the one encoder (auditor.data.finding.Finding.details)
flattens the rule's own record, its holding and its fix into, and the one decoder takes apart again: the holding
and the fix (auditor.data.finding_facts.split), the rule's own fields by the rule's record found by its id
(auditor.guidance.details.RuleDetails.own). Decoded once, as report.json is read (or the document built), filling
defaults for an older report, refusing a value of the wrong type with its place; written back byte for byte."""

from __future__ import annotations

import re
from typing import Any

import msgspec
import pytest

from auditor import wording
from auditor.data.finding_facts import FindingFactsError, GroupRef, split
from auditor.data.model import Locale
from auditor.evaluation.records import record_type
from auditor.formats.report_model import ReportFinding
from auditor.guidance.details import RuleDetails
from auditor.rules.hygiene.accounts import InactiveUserLicensed, InactiveUserLicensedDetails

G1, G2 = "9a8b0000-0000-0000-0000-0000000000e3", "9a8b0000-0000-0000-0000-0000000000e4"
DETAILS: dict[str, Any] = {
    "assigned_by_group": {"SPE_E3": ["Staff", "Sales"]},
    "assigned_by_group_ids": {
        "SPE_E3": ["9a8b0000-0000-0000-0000-0000000000e3", "9a8b0000-0000-0000-0000-0000000000e4"]
    },
    "assignment": None,
    "data_lost": {"SPE_E3": ["Exchange Online (Plan 2)"]},
    "days": 120,  # the rule's own
    "last_sign_in": "2026-08-01",
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


def _own(found: ReportFinding) -> InactiveUserLicensedDetails:
    """The rule's own fields, decoded by the rule's record as its texts find it: by the rule's id."""
    own: InactiveUserLicensedDetails = RuleDetails[Any](found, record_type(found.rule)).own
    return own


def test_a_read_finding_splits_into_its_record_holding_and_fix_and_writes_its_details_as_read() -> None:
    found = _finding(DETAILS)
    assert type(found.details) is dict  # report.json's object, as read
    assert found.holding.assigned_by_group == {"SPE_E3": ["Staff", "Sales"]}
    assert found.holding.sku_ids == {"SPE_E3": "05e9a617-0261-4cee-bb44-138d3ef5d965"}
    assert found.fix.data_lost == {"SPE_E3": ["Exchange Online (Plan 2)"]}
    assert found.fix.replace_group == GroupRef(id="9a8b0000-0000-0000-0000-0000000000e5", name="Frontline")
    assert (_own(found).days, _own(found).last_sign_in) == (120, "2026-08-01")
    # decoded once: every reader after the decoder takes the very same parts
    assert found.holding is found.holding and found.fix is split(found.details)[1]
    assert msgspec.json.encode(found.details) == msgspec.json.encode(DETAILS)
    assert msgspec.json.encode(found) == msgspec.json.encode(_finding(DETAILS))


def test_new_details_split_anew() -> None:
    found = _finding(DETAILS)
    moved = msgspec.structs.replace(found, details={**found.details, "sku_ids": {"SPE_E3": "other"}})
    assert moved.holding.sku_ids == {"SPE_E3": "other"}
    assert found.holding.sku_ids == {"SPE_E3": "05e9a617-0261-4cee-bb44-138d3ef5d965"}


def test_an_older_report_s_details_decode_with_every_absent_key_at_its_default() -> None:
    """A report.json written before the holding, the fix's facts or the rule's later fields were kept: the one
    decoder fills each default, and the texts read them without a fallback of their own."""
    found = _finding({"last_sign_in": None})
    holding, fix = split(found.details)
    assert (holding.assignment, holding.assigned_by_group, holding.sku_ids, holding.also_direct) == (None, {}, {}, [])
    assert fix.group_kinds is None  # not known: every group's kind reads unknown, never "may be changed"
    assert (fix.data_lost, fix.storage, fix.bill, fix.replace_group, fix.data_kept) == ({}, None, None, None, None)
    own = _own(found)
    assert (own.days, own.last_sign_in, own.mail_use, own.sign_ins_read_at, own.grace_days) == (None, None, {}, "", 0)
    assert own.mailbox_bytes is msgspec.UNSET and own.data_kept is None
    said = wording.message(found.rule, found, locale=Locale.EN)
    assert said and "None" not in said


@pytest.mark.parametrize(
    ("details", "place"),
    [
        ({**DETAILS, "data_lost": ["SPE_E3"]}, "details.data_lost"),  # the fix's
        ({**DETAILS, "assigned_by_group": "Staff"}, "details.assigned_by_group"),  # the holding's
    ],
)
def test_a_part_of_the_wrong_type_is_refused_with_its_place(details: dict[str, Any], place: str) -> None:
    with pytest.raises(FindingFactsError, match=re.escape(f"`{place}`")):
        split(details)
    with pytest.raises(msgspec.ValidationError, match=f"a finding's details: .*{re.escape(place)}"):
        _finding(details)  # as the file is read


def test_a_rule_s_own_field_of_the_wrong_type_is_refused_with_its_place() -> None:
    found = _finding({**DETAILS, "days": "many"})
    with pytest.raises(FindingFactsError, match=r"`details\.days`"):
        wording.message(found.rule, found, locale=Locale.EN)
