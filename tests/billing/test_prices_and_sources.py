"""The price actually billed (EST uplift, monthly billing of a longer term) and where each fact came from."""

from __future__ import annotations

from datetime import date

import pytest

from auditor.billing import BillingRow, Channel, Term, Window, parse_billing
from auditor.model import Subscription
from auditor.plan.bill import fact_sources, locking, unit_price, urgent


def test_the_saving_uses_the_price_of_the_frequency_billed() -> None:
    annual = BillingRow("c", Channel.MCA, 2, Term.YEAR, billing_frequency=Term.YEAR)
    monthly = BillingRow("c", Channel.MCA, 2, Term.YEAR, billing_frequency=Term.MONTH)
    assert unit_price(annual, 30.0, Window.RENEWAL) == 30.0
    assert unit_price(monthly, 30.0, Window.RENEWAL) == pytest.approx(31.5)  # about 5 % more
    assert unit_price(monthly, 30.0, Window.EST) == pytest.approx(30.9)  # EST: about 3 % over
    own = BillingRow("c", Channel.MCA, 2, Term.YEAR, billing_frequency=Term.MONTH, unit_price=28.0)
    assert unit_price(own, 30.0, Window.EST) == 28.0  # the invoice's price is the price
    assert unit_price(None, 30.0, Window.UNKNOWN) == 30.0


def test_each_fact_names_its_source() -> None:
    sub = Subscription("s", "k", "SPE_E3", "Enabled", False, 10, "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z",
                       commerce_subscription_id="c")
    assert fact_sources(sub, None)["renewal"] == "graph"
    assert fact_sources(sub, None)["channel"] == "unknown"
    billing = parse_billing("subscription,channel,term,auto_renew,billing_frequency,cancel_at_end_of_term\n"
                            "c,mca,P1Y,false,P1M,true\n")
    row = billing.rows[0]
    assert (row.billing_frequency, row.cancel_at_end_of_term) == (Term.MONTH, True)
    sources = fact_sources(sub, row)
    assert (sources["term"], sources["auto_renew"], sources["renewal"], sources["price"]) == (
        "file", "file", "graph", "unknown")


def test_a_renewal_that_locks_within_three_days_is_urgent() -> None:
    bill = {"actions": [
        {"window": "renewal", "seats": 3, "by": "2026-11-26", "owner": "self", "action": "reduce"},
        {"window": "renewal", "seats": 3, "by": "2026-12-26", "owner": "self", "action": "reduce"},
        # a partner's reduction is not the admin's own: its lock gets no "Reduce" sentence
        {"window": "renewal", "seats": 3, "by": "2026-11-26", "owner": "partner", "action": "contact_partner"},
        {"window": "anniversary", "seats": 3, "by": "2026-11-25", "owner": "vlsc"},
        {"window": "within_7_days", "seats": 2, "by": "2026-11-25", "owner": "self"},
    ]}
    assert [a["by"] for a in locking(bill, date(2026, 11, 24))] == ["2026-11-26"]
    assert [a["seats"] for a in urgent(bill, date(2026, 11, 24))] == [2]
