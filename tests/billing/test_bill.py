"""The bill: the surplus spread over a product's subscriptions, earliest window first."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import msgspec
import pytest

from auditor.billing import parse_billing
from auditor.cli import main
from auditor.data.model import Locale
from auditor.formats.report_model import ReportDocument, SeatRow
from auditor.plan.bill import urgent
from tests.billing import bills
from tests.billing.bills import built as build_bill
from tests.documents import report_document
from tests.report.report_fixtures import money_of, summary_of

TODAY = date(2026, 11, 24)
HEADER = "subscription,channel,term,term_start,term_end,auto_renew,seats_added,unit_price,currency\n"


def sub(sid: str, total: int, renews: str = "2027-06-01T00:00:00Z", **more: Any) -> dict[str, Any]:
    return {
        "id": sid,
        "skuId": "e3-id",
        "skuPartNumber": "SPE_E3",
        "status": "Enabled",
        "isTrial": False,
        "totalLicenses": total,
        "createdDateTime": "2024-01-01T00:00:00Z",
        "nextLifecycleDateTime": renews,
        "commerceSubscriptionId": f"c-{sid}",
        **more,
    }


def document(subs: list[dict[str, Any]], consumed: int, spare: int = 0) -> ReportDocument:
    """A report of one product, SPE_E3 at €33.75, with these subscriptions and spare_seats.min."""
    seat = {"sku": "SPE_E3", "sku_id": "e3-id", "consumed": consumed, "price_monthly": 33.75, "currency": "EUR"}
    return report_document(skus=[seat], subscriptions=subs, spare_seats={"SPE_E3": spare} if spare else {})


def test_the_surplus_goes_to_the_earliest_window_first_and_never_beyond_a_subscriptions_seats() -> None:
    subs = [sub("legacy", 10), sub("renewed", 5), sub("unknown", 20)]
    billing = parse_billing(
        HEADER + "c-renewed,mca,P1Y,2026-11-21,2027-11-21,true,,,\n"
        "c-legacy,mosa,P1Y,2026-06-01,2027-06-01,true,,30.00,EUR\n"
    )
    bill = build_bill(document(subs, consumed=18, spare=2), {}, billing, TODAY)
    assert bill["products"] == [{"sku": "SPE_E3", "purchased": 35, "assigned_after": 18, "spare": 2, "surplus": 15}]
    by = {a["subscription"]: a for a in bill["actions"]}
    # the renewal window closes first (Nov 27) and takes all 5; the legacy one any time takes the other 10 ...
    assert (by["c-renewed"]["action"], by["c-renewed"]["seats"], by["c-renewed"]["window"]) == (
        "cancel",
        5,
        "within_7_days",
    )
    assert (by["c-legacy"]["action"], by["c-legacy"]["seats"], by["c-legacy"]["to"]) == ("cancel", 10, 0)
    # ... and the one without a billing row keeps its seats
    assert (by["c-unknown"]["action"], by["c-unknown"]["seats"], by["c-unknown"]["confidence"]) == (
        "none",
        0,
        "unknown",
    )
    assert [a["subscription"] for a in bill["actions"]] == ["c-legacy", "c-renewed", "c-unknown"]
    # the legacy row's own price, the product's for the other
    assert (by["c-legacy"]["monthly_saving"], by["c-renewed"]["monthly_saving"]) == (300.0, 168.75)
    assert bill["monthly_saving_now"] == 468.75
    assert [a.subscription for a in urgent(bills.of(bill).actions, TODAY)] == ["c-renewed"]


def test_what_no_window_takes_now_is_unscheduled() -> None:
    billing = parse_billing(HEADER + "c-one,mca,P1Y,2026-03-01,2027-03-01,true,2026-11-23:4,,\n")
    bill = build_bill(document([sub("one", 30)], consumed=20), {}, billing, TODAY)
    (action,) = bill["actions"]
    assert (action["action"], action["seats"], action["window"], action["by"]) == (
        "reduce",
        4,
        "within_7_days",
        "2026-11-29",
    )
    assert bill["products"][0]["surplus"] == 10 and bill["products"][0]["unscheduled"] == 6


def test_without_billing_file_each_action_is_unknown_and_bounded_by_the_renewal() -> None:
    bill = build_bill(
        document([sub("one", 30, renews="2027-02-01T00:00:00Z")], consumed=25),
        {"SPE_E3": 20},
        None,
        TODAY,
        locale=Locale.NL,
    )
    (action,) = bill["actions"]
    assert (action["seats"], action["window"], action["by"], action["saving_from"]) == (
        10,
        "unknown",
        "2027-02-01",
        "2027-02-01",
    )
    assert action["reason"].startswith("Geen regel in het factureringsbestand")
    assert bill["monthly_saving_now"] == 0.0 and bill["monthly_saving_within_year"] == 337.5


def test_plan_with_a_bad_billing_file_exits_2_naming_the_cell(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "report.json").write_text(json.dumps({"schema_version": 5}), encoding="utf-8")
    bad = tmp_path / "billing.csv"
    bad.write_text(HEADER + "c-1,mca,P1Y,2026-01-01,2027-01-01,sometimes,,,\n", encoding="utf-8")
    assert main(["plan", "--report-dir", str(tmp_path), "--billing", str(bad)]) == 2
    assert f"{bad}:2:6: auto_renew: 'sometimes' is not true or false" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("locale", "partner", "reduce"),
    [
        (
            Locale.EN,
            "Ask your partner to reduce Power BI Pro by Nov 3, 2026: 3 seats",
            "Reduce Power BI Pro by Nov 3, 2026: 3 seats",
        ),
        (
            Locale.NL,
            "Vraag uw partner om Power BI Pro uiterlijk 3 nov 2026 met 3 licenties te verlagen",
            "Verlaag Power BI Pro uiterlijk 3 nov 2026 met 3 licenties",
        ),
    ],
)
def test_an_urgent_line_is_one_sentence_per_action(locale: Locale, partner: str, reduce: str) -> None:
    """Not "Contact your partner Power BI Pro by …": each action has its own sentence."""
    from auditor.i18n import translations
    from auditor.plan.bill_view import urgent_line

    action = {
        "action": "contact_partner",
        "sku": "POWER_BI_PRO",
        "sku_id": "f8a1db68-be16-40ed-86d5-cb42ce701560",
        "seats": 3,
        "by": "2026-11-03",
        "monthly_saving": 28.2,
    }
    assert urgent_line(translations(locale), bills.action(**action), "EUR").startswith(partner)
    assert urgent_line(translations(locale), bills.action(**{**action, "action": "reduce"}), "EUR").startswith(reduce)


def test_a_renewal_that_locks_within_three_days_is_said_with_its_money() -> None:
    """A reduction scheduled for a renewal is due the day before it (the subscription locks about 24
    hours ahead): within 3 days of that day the e-mail and the report say so, with the money."""
    from auditor.plan.bill_view import bill_view, digest_lines

    reduce = {
        "action": "reduce",
        "sku": "SPE_E3",
        "sku_id": "05e9a617-0261-4cee-bb44-138d3ef5d965",
        "seats": 4,
        "window": "renewal",
        "by": "2026-11-26",
        "monthly_saving": 135.0,
        "saving_from": "2026-11-27",
        "confidence": "documented",
    }
    later = {**reduce, "by": "2026-12-20", "saving_from": "2026-12-21", "seats": 2}
    # a partner's reduction is asked of the partner; a cancellation at the renewal does not lock seats in
    partner = {**reduce, "action": "contact_partner", "sku": "EMS", "sku_id": None}
    cancel = {**reduce, "action": "cancel_at_end_of_term", "sku": "EMS"}
    bill = bills.bill_json([reduce, later, partner, cancel], as_of=TODAY.isoformat())
    lines = digest_lines(report_document(bill=bill, money=money_of(), summary=summary_of("EUR")), Locale.EN)
    assert lines[:2] == [
        "Reduce Microsoft 365 E3 for its renewal by Nov 26, 2026: 4 seats, €135.00 per month; the "
        "subscription locks about 24 hours before it renews, and then the seats stay for another term.",
        "Ask your partner to reduce Enterprise Mobility + Security E3 for its renewal by Nov 26, 2026: 4 seats, "
        "€135.00 per month; the subscription locks about 24 hours before it renews, so ask in time for your partner "
        "to schedule it before then, or the seats stay for another term.",
    ]
    assert not any(line.startswith(("Reduce Enterprise", "Cancel")) for line in lines)
    view = bill_view(bills.of(bill), "EUR", Locale.NL)
    assert view is not None and [line[:61] for line in view.urgent] == [
        "Verlaag Microsoft 365 E3 voor de verlenging, uiterlijk 26 nov",
        "Vraag uw partner om Enterprise Mobility + Security E3 voor de",
    ]


def test_a_billing_price_in_another_currency_is_never_added_even_for_a_product_the_policy_does_not_price() -> None:
    """The policy prices E3 in EUR and gives E5 no price: the billing file's USD price for E5 is not
    added into the EUR totals."""
    doc = document([sub("e3", 12), sub("e5", 40, skuId="e5-id", skuPartNumber="SPE_E5")], consumed=10)
    doc.skus.append(SeatRow(sku="SPE_E5", sku_id="e5-id", consumed=10, price_monthly=None, free=False))
    billing = parse_billing(
        HEADER + "c-e3,mosa,P1Y,2026-06-01,2027-06-01,true,,,\nc-e5,mosa,P1Y,2026-06-01,2027-06-01,true,,100.00,USD\n"
    )
    bill = build_bill(doc, {}, billing, TODAY)
    by = {a["subscription"]: a for a in bill["actions"]}
    assert (by["c-e3"]["seats"], by["c-e5"]["seats"]) == (2, 30)
    assert by["c-e3"]["monthly_saving"] == 67.5
    assert by["c-e5"]["monthly_saving"] == 0.0  # its price is not known in EUR: 3,000 USD never joins the totals
    assert bill["monthly_saving_now"] == 67.5


def test_a_needed_subscription_ending_with_auto_renew_off_leads_the_bill_with_what_to_do() -> None:
    """The plan needs all 20 seats; the term ends on Dec 10 with recurring billing off: the bill's
    action says the date, the seats and what to do, and the report and the digest lead with it."""
    from auditor.plan.bill import ending
    from auditor.plan.bill_view import bill_view, urgent_lines

    billing = parse_billing(HEADER + "c-one,mca,P1Y,2025-12-10,2026-12-10,false,,,\n")
    doc = document([sub("one", 20, renews="2026-12-10T00:00:00Z")], consumed=20)
    bill = build_bill(doc, {}, billing, TODAY)
    (action,) = ending(bills.of(bill).actions)
    assert (action.action, action.seats, action.warning, action.by) == (
        "none",
        0,
        "needed_ends",
        "2026-12-09",
    )
    expected = (
        "Microsoft 365 E3: Recurring billing is off: the subscription ends on Dec 10, 2026 with its 20 licenses, "
        "which the plan needs. Turn recurring billing on by Dec 9, 2026, or its users lose the product that day."
    )
    view = bill_view(bills.of(bill), "EUR", Locale.EN)
    assert view is not None and expected in view.urgent
    assert expected in urgent_lines(msgspec.structs.replace(doc, bill=bills.of(bill)), Locale.EN)
    # with recurring billing on, nothing to say
    on = parse_billing(HEADER + "c-one,mca,P1Y,2025-12-10,2026-12-10,true,,,\n")
    assert ending(bills.of(build_bill(doc, {}, on, TODAY)).actions) == []
