"""Every amount of the bill explained where it is shown: the premium an amount holds over the
policy's catalog price beside it, an amount without a price said to be unknown (never 0.00), the
seats no window takes now listed with why, whose decision the waiting amount waits for, and what
each billing source gave."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import msgspec

from auditor import i18n
from auditor.billing import parse_billing
from auditor.cli import main
from auditor.data.model import Locale
from auditor.formats.report_model import Waiting
from auditor.plan.bill_view import bill_view, urgent_line
from auditor.plan.money import bill_money, waiting_line
from tests.billing import bills
from tests.billing.bills import built as build_bill
from tests.report.report_fixtures import money_of

from .test_bill import document, sub

TODAY = date(2026, 11, 24)
HEADER = "subscription,channel,term,term_start,term_end,auto_renew,seats_added,billing_frequency\n"


def test_the_monthly_billing_premium_is_named_beside_its_amount() -> None:
    billing = parse_billing(HEADER + "c-one,mca,P1Y,2026-03-01,2027-03-01,true,,P1M\n")
    bill = build_bill(document([sub("one", 30, renews="2027-03-01T00:00:00Z")], consumed=27), {}, billing, TODAY)
    (action,) = bill["actions"]
    assert (action["monthly_saving"], action["uplift"]) == (106.31, "monthly_billing")  # 3 x 33.75 x 1.05
    (step,) = bill_money(bills.of(bill)).leaves
    assert step.uplift == "monthly_billing"
    view = bill_view(bills.of(bill), "EUR", Locale.EN, money_of(spend_monthly=1012.5))
    assert view is not None
    (row,) = view.rows  # the table's amount says the premium it holds, beside it
    assert row.saving == "€106.31 (annual term billed monthly: the catalog price plus about 5%)"
    # paid upfront, the catalog's price stands and nothing is named
    upfront = parse_billing(HEADER + "c-one,mca,P1Y,2026-03-01,2027-03-01,true,,P1Y\n")
    plain = build_bill(document([sub("one", 30, renews="2027-03-01T00:00:00Z")], consumed=27), {}, upfront, TODAY)
    assert "uplift" not in plain["actions"][0] and plain["actions"][0]["monthly_saving"] == 101.25


def test_without_a_price_the_amount_is_said_to_be_unknown() -> None:
    doc = document([sub("one", 5)], consumed=2)
    doc.skus[0].price_monthly = None  # a seat row without a price reads as None
    billing = parse_billing(HEADER + "c-one,mca,P1Y,2026-11-21,2027-11-21,true,,P1Y\n")
    bill = build_bill(doc, {}, billing, TODAY)
    (action,) = bill["actions"]
    assert (action["action"], action["seats"], action["unpriced"]) == ("reduce", 3, True)
    line = urgent_line(i18n.translations(Locale.EN), bills.action(**action), "EUR")
    assert "an amount not known (no price)" in line and "0.00" not in line
    view = bill_view(bills.of(bill), "EUR", Locale.EN)
    assert view is not None and view.rows[0].saving == "not known"


def test_seats_no_window_takes_are_listed_with_why() -> None:
    billing = parse_billing(HEADER + "c-one,mca,P1Y,2026-03-01,2027-03-01,true,2026-11-23:4,P1Y\n")
    bill = build_bill(document([sub("one", 30)], consumed=20), {}, billing, TODAY)
    assert bill["products"][0]["unscheduled"] == 6
    view = bill_view(bills.of(bill), "EUR", Locale.EN)
    assert view is not None
    assert view.unscheduled == (
        "Microsoft 365 E3: 6 more seats are not scheduled: no window to remove them is open today (only within "
        "7 days of a purchase, renewal or seat addition, and only the seats added then); the next plan schedules "
        "them.",
    )
    # and what each source gave: the file's one subscription, none without facts
    assert view.sources == "Subscriptions with billing facts, by source: the billing file: 1; without: 0."


def test_the_waiting_amount_says_whose_decision_it_waits_for() -> None:
    money = money_of(waiting_monthly=279.4, waiting=Waiting(declaration_monthly=100.0, person_monthly=179.4))
    assert waiting_line(money, Locale.EN) == (
        "Of the €279.40 that waits for a decision, €100.00 depends on the policy declaring that the users' "
        "data is kept (data_kept), and €179.40 on the findings marked “needs an admin's decision”."
    )
    only = msgspec.structs.replace(money, waiting=Waiting(declaration_monthly=0.0, person_monthly=279.4))
    assert "€0.00" not in waiting_line(only, Locale.EN)
    assert waiting_line(msgspec.structs.replace(money, waiting_monthly=None), Locale.EN) == ""


def test_the_bill_says_what_each_billing_source_gave(tmp_path: Path) -> None:
    """The demo's headline differs with --billing-source: the bill says which source gave the facts
    of how many subscriptions, and for how many none did."""
    said = {}
    for source in ("auto", "billing-account"):
        out = tmp_path / source
        argv = ["audit", "--demo", "--billing-source", source, "--output-dir", str(out), "--format", "md"]
        assert main([*argv, "--fail-on", "never"]) == 0
        text = (out / "report.md").read_text("utf-8").replace("\\", "")
        said[source] = next(line for line in text.splitlines() if line.startswith("Subscriptions with billing facts"))
    # what is not known of those without is their rows' reason ("No billing row: the term and the channel ...")
    assert said["auto"] == (
        "Subscriptions with billing facts, by source: the billing account: 6 and Partner Center: 1; without: 6."
    )
    assert said["billing-account"] == "Subscriptions with billing facts, by source: the billing account: 6; without: 7."
