"""A finding's own record is read back from report.json in one way (issue 119): by the record its rule
declares, found by the rule's id (auditor.evaluation.records), never by a record a reader picks by hand.
`record(finding, Kind)` gives the finding's record when its rule's record is a Kind (a base record takes its
rules'), else None; an absent field takes its default, a value of the wrong type is refused with its place."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from auditor import wording
from auditor.cross_tenant.rules import MERGE_RULES, CrossTenantDuplicate, CrossTenantDuplicateDetails
from auditor.data.finding import Own, is_record
from auditor.data.finding_facts import FindingFactsError
from auditor.evaluation.records import RECORDS, declared, own, record, record_type
from auditor.formats.report_model import finding_of
from auditor.rules import RULES
from auditor.rules.hygiene.overlap import LicenseRedundant, LicenseRedundantDetails
from auditor.rules.seats import SpareSeatsOverLimit
from auditor.rules.seats.catalog import SeatCounts, SpareSeatsOverLimitDetails
from auditor.rules.usage.copilot_seats import CopilotSeatIdle, CopilotSeatIdleDetails

ROOT = Path(__file__).resolve().parents[2]
# the modules that decode a finding's details by a record: the one decoder, and the texts' (RuleDetails.own,
# given the record the decoder finds) beside the function itself
DECODERS = {
    "auditor/evaluation/records.py": "the one decoder: the rule's record, found by the rule's id",
    "auditor/guidance/details.py": "`decoded` itself, and RuleDetails.own by the record auditor.wording gives",
}
USER = {"type": "user", "id": "u1", "upn": "ann@contoso.example"}


def _callers(source: str) -> bool:
    """Whether the module's source calls `decoded(...)` (by name or as an attribute)."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name == "decoded":
                return True
    return False


def test_no_module_but_the_decoder_picks_a_findings_record_by_hand() -> None:
    found = sorted(
        str(path.relative_to(ROOT))
        for path in (ROOT / "auditor").rglob("*.py")
        if _callers(path.read_text(encoding="utf-8"))
    )
    assert found == sorted(DECODERS), "decode a finding's details with auditor.evaluation.records.record"


def test_the_hand_picked_check_can_fail() -> None:
    assert _callers("x = decoded(f.details, CopilotSeatIdleDetails) if f.rule == CopilotSeatIdle.id else None")
    assert _callers("x = details.decoded(f.details, Kind)")
    assert not _callers("x = record(f, CopilotSeatIdleDetails)")


def test_every_rule_declares_its_record_and_its_texts_the_same() -> None:
    """Each rule's record is the one its class declares (Rule[XDetails], MergeRule[XDetails]), and its texts
    declare the same one (RuleGuidance[XDetails]): what mypy checks the texts by is what they decode by."""
    rules = (*RULES, *MERGE_RULES)
    assert set(RECORDS) == {r.id for r in rules}
    assert all(is_record(kind) and kind is not Own for kind in RECORDS.values())
    texts = wording.by_id()
    assert set(texts) == set(RECORDS)
    assert {rule_id: declared(guidance) for rule_id, guidance in texts.items()} == dict(RECORDS)
    assert record_type(CopilotSeatIdle.id) is CopilotSeatIdleDetails
    assert record_type(CrossTenantDuplicate.id) is CrossTenantDuplicateDetails
    assert record_type("no-such-rule") is Own


def test_the_record_is_picked_by_the_findings_rule() -> None:
    seat = finding_of(USER, ["Microsoft_365_Copilot"], {"candidate": "bob@contoso.example"}, rule=CopilotSeatIdle.id)
    found = record(seat, CopilotSeatIdleDetails)
    assert isinstance(found, CopilotSeatIdleDetails) and found.candidate == "bob@contoso.example"
    assert record(seat, CopilotSeatIdleDetails) is found  # decoded once
    assert record(seat, LicenseRedundantDetails) is None  # another rule's record
    # the same details under another rule are not the idle seat's
    other = finding_of(USER, ["SPE_E3"], seat.details, rule=LicenseRedundant.id)
    assert record(other, CopilotSeatIdleDetails) is None
    assert type(own(other)) is LicenseRedundantDetails
    # a finding of a rule this version does not know has the empty record
    assert record(finding_of(USER, [], {"candidate": 3}, rule="no-such-rule"), CopilotSeatIdleDetails) is None


def test_a_base_record_takes_its_rules_records() -> None:
    seats = finding_of(
        {"type": "sku", "id": "s1", "sku": "SPE_E3"}, ["SPE_E3"], {"unused": 4}, rule=SpareSeatsOverLimit.id
    )
    counts = record(seats, SeatCounts)
    assert isinstance(counts, SpareSeatsOverLimitDetails) and counts.unused == 4 and counts.limit is None


def test_an_absent_field_takes_its_default_and_a_wrong_one_is_named() -> None:
    empty = record(finding_of(USER, ["Microsoft_365_Copilot"], {}, rule=CopilotSeatIdle.id), CopilotSeatIdleDetails)
    assert empty == CopilotSeatIdleDetails()
    wrong = finding_of(USER, ["Microsoft_365_Copilot"], {"candidate": 3}, rule=CopilotSeatIdle.id)
    with pytest.raises(FindingFactsError, match=re.escape("`details.candidate`")):
        record(wrong, CopilotSeatIdleDetails)
    # another rule's reader does not decode it at all
    assert record(wrong, LicenseRedundantDetails) is None
