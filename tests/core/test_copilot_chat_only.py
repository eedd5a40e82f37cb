"""copilot-seat-chat-only (issue 118.5): a Microsoft 365 Copilot seat with its Graph-grounded chat plan
turned off gives only basic Copilot Chat (message center MC1405498); a full seat is no finding."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from auditor import wording
from auditor.data.finding import own_json
from auditor.data.model import Locale
from auditor.formats.report_model import finding_of
from auditor.rules.hygiene.copilot_chat_only import CopilotSeatChatOnly

from .factory import audit, fired, rem, sku, tenant, user

COPILOT_ID = "639dec6b-bb19-468b-871c-c5c441c4b0cb"  # Microsoft_365_Copilot in Microsoft's product table
GROUNDED = "3f30311c-6b1e-48a4-ab79-725b469da960"  # M365_COPILOT_BUSINESS_CHAT
APPS = "a62f8878-de10-42f3-b68f-6149a25ceb97"  # M365_COPILOT_APPS
POLICY = "hygiene:\n  copilot_chat_only: {}\n"


def _copilot(name: str, disabled: list[str], via: str | None = None) -> dict[str, Any]:
    """A user holding Microsoft 365 E3 and Microsoft 365 Copilot, the latter with `disabled` plans off."""
    out = user(name, "SPE_E3", via=via)
    out["assignedLicenses"].append({"skuId": COPILOT_ID, "disabledPlans": disabled})
    out["licenseAssignmentStates"].append(
        {"skuId": COPILOT_ID, "assignedByGroup": via, "state": "Active", "error": "None", "disabledPlans": disabled}
    )
    return out


def _doc(users: list[dict[str, Any]]) -> dict[str, Any]:
    copilot = {**sku("SPE_E3"), "skuId": COPILOT_ID, "skuPartNumber": "Microsoft_365_Copilot", "consumedUnits": 3}
    return tenant(users, skus=[sku("SPE_E3"), copilot], groups=[{"id": "g-cop", "displayName": "Copilot users"}])


def test_a_seat_with_grounded_chat_off_is_a_finding_and_a_full_seat_is_not(tmp_path: Path) -> None:
    doc = _doc(
        [
            _copilot("chatonly", [GROUNDED.upper()]),  # Graph's GUIDs in any case
            _copilot("full", []),
            _copilot("noapps", [APPS]),  # another Copilot plan off: still the full Chat, not this finding
            user("plain", "SPE_E3"),
        ]
    )
    result = audit(tmp_path, POLICY, doc)
    assert fired(result) == [(CopilotSeatChatOnly.id, "chatonly@contoso.example", ("Microsoft_365_Copilot",))]
    (found,) = result.findings
    assert found.monthly_cost is None  # turning the plan on keeps the seat
    assert dict(found.details)["plan_id"] == GROUNDED and dict(found.details)["product_ids"] == [COPILOT_ID]
    # its record writes the keys its TypedDict wrote, and those alone (report.json byte for byte)
    assert list(own_json(found.own)) == ["plan", "plan_id", "product_ids"]
    said = wording.message(found.rule, finding_of(found.subject, found.skus, found.details), locale=Locale.EN)
    assert "Graph-grounded chat turned off" in said and "Chatonly" in said, said
    steps = " ".join(rem(found)["steps"])
    assert "MC1405498" in steps and "serves as the primary control" in steps  # Microsoft's sentence, with its source
    assert "Users > Active users" in steps and "turn on Microsoft Copilot with Graph-grounded chat" in steps


def test_a_group_that_gives_the_seat_without_the_plan_is_named_in_the_steps(tmp_path: Path) -> None:
    result = audit(tmp_path, POLICY, _doc([_copilot("viagroup", [GROUNDED], via="g-cop")]))
    (found,) = result.findings
    steps = " ".join(rem(found)["steps"])
    assert "The group Copilot users gives" in steps and "Users > Active users" not in steps, steps


def test_the_rule_speaks_each_language(tmp_path: Path) -> None:
    (found,) = audit(tmp_path, POLICY, _doc([_copilot("chatonly", [GROUNDED])])).findings
    english = rem(found)["steps"]
    for locale in (Locale.NL, Locale.DA, Locale.SV, Locale.TR):
        steps = rem(found, locale)["steps"]
        assert "MC1405498" in steps[0] and steps[1] != english[1], (locale, steps)


E7 = "9a18296a-025f-4e37-9ffa-30bf8d1ce775"  # MICROSOFT_365_E7 in Microsoft's table: carries the plan


def test_a_seat_whose_plan_another_product_turns_on_is_no_finding(tmp_path: Path) -> None:
    """The plan off in the Copilot seat but on in Microsoft 365 E7: the user has the full Copilot."""
    both = _copilot("both", [GROUNDED])
    both["assignedLicenses"].append({"skuId": E7, "disabledPlans": []})
    offboth = _copilot("offboth", [GROUNDED])
    offboth["assignedLicenses"].append({"skuId": E7, "disabledPlans": [GROUNDED]})
    doc = _doc([both, offboth])
    plans = [{"servicePlanId": GROUNDED, "servicePlanName": "M365_COPILOT_BUSINESS_CHAT"}]
    for product in doc["subscribedSkus"]:
        if product["skuId"] == COPILOT_ID:
            product["servicePlans"] = plans
    doc["subscribedSkus"].append(
        {**sku("SPE_E3"), "skuId": E7, "skuPartNumber": "MICROSOFT_365_E7", "servicePlans": plans}
    )
    assert [who for _, who, _ in fired(audit(tmp_path, POLICY, doc))] == ["offboth@contoso.example"]
