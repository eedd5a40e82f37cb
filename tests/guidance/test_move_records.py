"""The subscription-move rule's details are a record (auditor.rules.moves.subscription_move): report.json
gets what its TypedDict wrote (the replacement keys only when the user lacks `to`, the kept plans, the
conflict and the whole groups only when there are any), and a report without the optional keys (an older
one) decodes with the record's defaults and reads as before."""

from __future__ import annotations

from auditor.data.finding import own_json
from auditor.data.model import Cloud, Locale
from auditor.formats.report_model import finding_of
from auditor.guidance.examples import E3, E5, USER
from auditor.rules.moves.subscription_move import SubscriptionMove, SubscriptionMoveDetails
from auditor.wording import message, remediation


def test_the_move_record_writes_what_its_typed_dict_wrote() -> None:
    held = SubscriptionMoveDetails(move="m", move_to="SPE_E5", allowed=["SPE_E5"], plans_lost=["X"])
    assert own_json(held) == {
        "allowed": ["SPE_E5"],
        "move": "m",
        "move_to": "SPE_E5",
        "plans_lost": ["X"],
        "waits_for_seats": False,
    }
    group = {"id": "g-1", "name": "E5 users", "gives": ["SPE_E5"], "kind": "assigned"}
    lacking = SubscriptionMoveDetails(
        move="m",
        move_to="SPE_E5",
        replace_with="SPE_E5",
        replace_with_id=E5,
        replace_group=group,
        keep_disabled=["FORMS"],
        keep_disabled_ids=["f-id"],
        conflict=["SPE_E3"],
        whole_group=["Sales"],
        waits_for_seats=True,
    )
    written = own_json(lacking)
    assert list(written) == sorted(written)
    assert written["replace_group"] == group and written["replace_with_id"] == E5
    assert written["keep_disabled_ids"] == ["f-id"] and written["conflict"] == ["SPE_E3"]
    assert written["whole_group"] == ["Sales"] and written["waits_for_seats"] is True


def test_an_older_reports_move_details_decode_with_the_records_defaults() -> None:
    """Without `move_to`, `plans_lost`, `waits_for_seats` or the replacement keys: "unknown" target, the
    plain message, and the fix removes `from` without waiting for a seat."""
    found = finding_of(USER, ["SPE_E3"], {"assigned_by_group": {"SPE_E3": []}, "sku_ids": {"SPE_E3": E3}})
    said = message(SubscriptionMove.id, found, locale=Locale.EN)
    assert "moves from SPE_E3" in said and "unknown" in said and "loses" not in said and "seat" not in said
    fix = remediation(SubscriptionMove.id, found, cloud=Cloud.WORLDWIDE, locale=Locale.EN)
    assert fix["actions"] and all(a.get("blocked") != "seats_to_buy" for a in fix["actions"])


def test_a_move_hands_its_replacement_to_sku_not_allowed_with_the_kept_plans_off() -> None:
    """With `replace_with`, the fix is sku-not-allowed's replacement (one call adding `to`), the kept plans
    turned off on `to`, and every ready call waits for the seat."""
    details = {
        "move": "m",
        "move_to": "SPE_E5",
        "allowed": ["SPE_E5"],
        "replace_with": "SPE_E5",
        "replace_with_id": E5,
        "keep_disabled_ids": ["f-id"],
        "waits_for_seats": True,
        "assigned_by_group": {"SPE_E3": []},
        "sku_ids": {"SPE_E3": E3},
    }
    fix = remediation(
        SubscriptionMove.id, finding_of(USER, ["SPE_E3"], details), cloud=Cloud.WORLDWIDE, locale=Locale.EN
    )
    added = [a["body"]["addLicenses"] for a in fix["actions"] if (a.get("body") or {}).get("addLicenses")]
    assert added == [[{"skuId": E5, "disabledPlans": ["f-id"]}]], fix["actions"]
    assert all(a["ready"] is False for a in fix["actions"])
