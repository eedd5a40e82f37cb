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
from auditor.plan.bill import name_reductions, name_seat_figures
from auditor.plan.bill_purchases import Purchase, purchases
from auditor.plan.compile import compile_plan
from auditor.plan.covers import kept_unknown
from auditor.plan.describe import group_name, user_name
from auditor.plan.entitled_products import assigned_products
from auditor.report.redaction import redact_document
from auditor.rules.entitlements.entitlement import EntitlementMissing, EntitlementShort
from auditor.rules.hygiene.accounts import SharedMailboxLicensed
from auditor.rules.hygiene.overlap import LicenseRedundant
from auditor.rules.hygiene.upkeep import SubscriptionExpiring
from auditor.rules.moves.subscription_move import SubscriptionMove
from auditor.rules.usage.copilot_seats import CopilotSeatIdle
from tests.billing.bills import bill_json
from tests.documents import report_document

from .builders import G_E5, REQUIRED, assign, finding, report, seat, uid

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


PRODUCT = {"sku": "AAD_PREMIUM_P2", "name": "Microsoft Entra ID P2", "monthly": 8.4, "free_seats": 0}


def test_the_bill_reads_an_entitlement_s_product_and_features_typed() -> None:
    missing = finding("e1", EntitlementMissing.id, uid(1), None, details={"features": ["pim"], "entitle_with": PRODUCT})
    assert assigned_products(report([missing], [])) == [(frozenset({"pim"}), "AAD_PREMIUM_P2")]
    # one feature where the record holds a list: a raw read took it for no features at all; now refused
    wrong = finding("e2", EntitlementMissing.id, uid(2), None, details={"features": "pim", "entitle_with": PRODUCT})
    with pytest.raises(FindingFactsError, match=r"details\.features"):
        assigned_products(report([wrong], []))
    # a count in words: a raw read took it for none short (0), and the bill's figure for the finding's own
    short = finding("s1", EntitlementShort.id, "", None, details={"short": "3", "entitle_with": PRODUCT})
    document = report_document(bill=bill_json(products=[]), findings=[short])
    with pytest.raises(FindingFactsError, match=r"details\.short"):
        name_seat_figures(document)


def test_a_reduction_is_named_for_a_term_read_typed() -> None:
    expiring = finding("x1", SubscriptionExpiring.id, "", None, details={"term": 12})  # a number, not P1M/P1Y/P3Y
    with pytest.raises(FindingFactsError, match=r"details\.term"):
        name_reductions(report([expiring], []))


def test_a_shared_mailbox_that_keeps_its_license_is_read_typed() -> None:
    action = assign(uid(1), remove=["SPE_E5"])
    keeps = finding("m1", SharedMailboxLicensed.id, uid(1), [action], details={"keeps_license": "archive"})
    assert compile_plan(report([keeps], [seat("SPE_E5", 5, 5)])).changes == ()
    # a flag where the record holds why: a raw read took any true value for a reason to keep it
    wrong = finding("m2", SharedMailboxLicensed.id, uid(1), [action], details={"keeps_license": True})
    with pytest.raises(FindingFactsError, match=r"details\.keeps_license"):
        compile_plan(report([wrong], [seat("SPE_E5", 5, 5)]))


def test_a_group_the_user_is_in_is_named_read_typed() -> None:
    joins = [{"id": G_E5.upper(), "name": "E5 users", "gives": ["SPE_E5"], "via": "direct"}]
    member = finding("r1", REQUIRED, uid(1), None, details={"group_membership": joins})
    assert group_name([member], G_E5) == "E5 users"
    # a name that is no text: a raw read skipped the entry and named no group; now refused
    wrong = finding("r2", REQUIRED, uid(1), None, details={"group_membership": [{**joins[0], "name": 5}]})
    with pytest.raises(FindingFactsError, match=r"details\.group_membership\[0\]\.name"):
        group_name([wrong], G_E5)
