"""The plan, the redaction and the Copilot history read a rule's own details through the rule's record
(auditor.guidance.details.decoded): the keys they read (covered_by, waits_for_seats, move_to, entitle_with,
the Copilot candidate) are typed there, an absent one takes the record's default (an older report) and a
value of the wrong type is refused with its place (FindingFactsError, exit 2), where a raw dict read took
it for absent or for something else."""

from __future__ import annotations

from typing import Any

import pytest

from auditor.data.copilot_use import CopilotSeat
from auditor.data.finding_facts import FindingFactsError
from auditor.insights.copilot_points import points_of
from auditor.plan.actions import PlanFinding
from auditor.plan.bill_purchases import Purchase, purchases
from auditor.plan.covers import kept_unknown
from auditor.plan.describe import user_name
from auditor.report.redaction import redact_document
from auditor.rules.entitlements.entitlement import EntitlementMissing
from auditor.rules.hygiene.overlap import LicenseRedundant
from auditor.rules.moves.subscription_move import SubscriptionMove
from auditor.rules.usage.copilot_seats import CopilotSeatIdle

from .builders import finding, report, uid

E5 = {"sku": "SPE_E5", "name": "Microsoft 365 E5", "monthly": 57, "free_seats": 0}
CANDIDATE = {"disposition": "reassign", "candidate": "kim@contoso.example", "candidate_id": uid(9)}


def _planned(rule: str, details: dict[str, Any]) -> PlanFinding:
    source = finding("f1", rule, uid(1), None, details=details)
    return PlanFinding("f1", rule, 3, "", False, None, (), {}, source)  # type: ignore[arg-type]


def test_a_redundancy_s_kept_product_is_read_typed() -> None:
    details = {"sku_ids": {"SPE_E3": "e3"}, "covered_by": {"SPE_E3": "SPE_E5"}}
    assert kept_unknown(_planned(LicenseRedundant.id, details)) == ["SPE_E5"]
    assert kept_unknown(_planned(LicenseRedundant.id, {**details, "cover_ids": {"SPE_E5": "e5"}})) == []
    # a list where the record holds one product: a raw read took it for the products kept; now refused
    with pytest.raises(FindingFactsError, match=r"details\.covered_by\[\.\.\.\]"):
        kept_unknown(_planned(LicenseRedundant.id, {"covered_by": {"SPE_E3": ["SPE_E5"]}}))


def test_the_bill_buys_what_moves_and_entitlements_wait_for_read_typed() -> None:
    waits = [
        finding("m1", SubscriptionMove.id, uid(1), None, details={"waits_for_seats": True, "move_to": "SPE_E5"}),
        finding("m2", SubscriptionMove.id, uid(2), None, details={"move_to": "SPE_E5"}),  # an older report: no wait
        finding("e1", EntitlementMissing.id, uid(3), None, details={"waits_for_seats": True, "entitle_with": E5}),
    ]
    assert purchases(report(waits, [])) == [Purchase("SPE_E5", 2, 57.0)]
    wrong = finding("m3", SubscriptionMove.id, uid(4), None, details={"waits_for_seats": "yes", "move_to": "SPE_E5"})
    with pytest.raises(FindingFactsError, match=r"details\.waits_for_seats"):
        purchases(report([wrong], []))


def test_an_idle_seat_s_candidate_is_named_and_redacted_read_typed() -> None:
    idle = finding("c1", CopilotSeatIdle.id, uid(1), None, details={**CANDIDATE, "candidate_name": "Kim"})
    assert user_name([idle], uid(9).upper()) == "Kim (kim@contoso.example)"
    # an older report without the candidate's name: the UPN alone
    assert user_name([finding("c2", CopilotSeatIdle.id, uid(1), None, details=CANDIDATE)], uid(9)) == (
        "kim@contoso.example"
    )
    document = redact_document(report([idle], []), b"key")
    details = document.findings[0].details
    assert "kim" not in str(details).lower() and str(details["candidate"]).endswith("@redacted.invalid")
    assert "candidate_groups" not in details  # a key the finding does not write stays unwritten
    wrong = finding("c3", CopilotSeatIdle.id, uid(1), None, details={**CANDIDATE, "candidate_id": 7})
    with pytest.raises(FindingFactsError, match=r"details\.candidate_id"):
        user_name([wrong], uid(9))


def test_the_copilot_history_reads_the_idle_finding_typed() -> None:
    idle = finding("c1", CopilotSeatIdle.id, uid(1), None, skus=["Microsoft_365_Copilot"], details=CANDIDATE)
    document = report([idle], [])
    document.copilot_seats = [CopilotSeat(user_id=uid(1), upn="u@contoso.example", name="U", sku=idle.skus[0])]
    [point] = points_of(document)
    assert (point.idle, point.fix, point.to, point.price) == (True, "reassign", "kim@contoso.example", None)
