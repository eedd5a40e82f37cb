"""The price actually billed (EST uplift, monthly billing of a longer term) and where each fact came from."""

from __future__ import annotations

from datetime import date

import pytest

from auditor.billing import BillingRow, Channel, Term, Window, parse_billing
from auditor.common.errors import BillingFileError
from auditor.data.model import Locale, Subscription
from auditor.plan.bill import fact_sources, locking, unit_price, urgent
from auditor.plan.bill_view import urgent_lines
from tests.billing import bills
from tests.documents import empty_summary, report_document


def test_the_saving_uses_the_price_of_the_frequency_billed() -> None:
    annual = BillingRow("c", Channel.MCA, 2, Term.YEAR, billing_frequency=Term.YEAR)
    monthly = BillingRow("c", Channel.MCA, 2, Term.YEAR, billing_frequency=Term.MONTH)
    assert unit_price(annual, 30.0, Window.RENEWAL) == 30.0
    assert unit_price(monthly, 30.0, Window.RENEWAL) == pytest.approx(31.5)  # about 5 % more
    assert unit_price(monthly, 30.0, Window.EST) == pytest.approx(30.9)  # EST: about 3 % over
    own = BillingRow("c", Channel.MCA, 2, Term.YEAR, billing_frequency=Term.MONTH, unit_price=28.0)
    assert unit_price(own, 30.0, Window.EST) == 28.0  # the invoice's price is the price
    assert unit_price(None, 30.0, Window.UNKNOWN) == 30.0


def test_the_est_price_is_23_percent_over_where_the_product_has_no_monthly_term() -> None:
    billing = parse_billing(
        "subscription,channel,term,auto_renew,monthly_term\n"
        "a,mca,P1Y,false,false\n"  # no monthly term (Microsoft 365 Copilot, say)
        "b,mca,P1Y,false,true\n"
        "c,mca,P1Y,false,\n"
    )  # not known: the usual 3 %
    none, some, unknown = billing.rows
    assert (none.monthly_term, some.monthly_term, unknown.monthly_term) == (False, True, None)
    assert none.source("monthly_term") == "file" and unknown.source("monthly_term") is None
    assert unit_price(none, 30.0, Window.EST) == pytest.approx(36.9)  # 30 x 1.23
    assert unit_price(some, 30.0, Window.EST) == pytest.approx(30.9)  # 30 x 1.03
    assert unit_price(unknown, 30.0, Window.EST) == pytest.approx(30.9)
    assert unit_price(none, 30.0, Window.RENEWAL) == 30.0  # outside its EST the catalog price stands
    with pytest.raises(BillingFileError, match=r"<billing>:2:2: monthly_term: 'sometimes'"):
        parse_billing("subscription,monthly_term,channel\nd,sometimes,mca\n")


def test_a_monthly_term_from_an_api_says_the_product_has_one() -> None:
    from auditor.billing.commerce_records import BillingProperties, BillingSubscription
    from auditor.billing.facts import Joined, from_billing_account, row_from_api

    graph = Subscription("s", "k", "SPE_E3", "Enabled", False, 10, None, None, commerce_subscription_id="b1")
    monthly = from_billing_account(BillingSubscription(name="b1", properties=BillingProperties(term_duration="P1M")))
    annual = from_billing_account(BillingSubscription(name="b1", properties=BillingProperties(term_duration="P1Y")))
    row = row_from_api(Joined(monthly, graph, False))
    assert row is not None and row.monthly_term is True and row.source("monthly_term") == "billing-account"
    row = row_from_api(Joined(annual, graph, False))
    assert row is not None and row.monthly_term is None  # an annual term says nothing of a monthly one


def test_each_fact_names_its_source() -> None:
    sub = Subscription(
        "s",
        "k",
        "SPE_E3",
        "Enabled",
        False,
        10,
        "2026-01-01T00:00:00Z",
        "2027-01-01T00:00:00Z",
        commerce_subscription_id="c",
    )
    assert fact_sources(sub, None)["renewal"] == "graph"
    assert fact_sources(sub, None)["channel"] == "unknown"
    billing = parse_billing(
        "subscription,channel,term,auto_renew,billing_frequency,cancel_at_end_of_term\nc,mca,P1Y,false,P1M,true\n"
    )
    row = billing.rows[0]
    assert (row.billing_frequency, row.cancel_at_end_of_term) == (Term.MONTH, True)
    sources = fact_sources(sub, row)
    assert (sources["term"], sources["auto_renew"], sources["renewal"], sources["price"]) == (
        "file",
        "file",
        "graph",
        "unknown",
    )


def test_a_renewal_that_locks_within_three_days_is_urgent() -> None:
    bill = {
        "actions": [
            {"window": "renewal", "seats": 3, "by": "2026-11-26", "owner": "self", "action": "reduce"},
            {"window": "renewal", "seats": 3, "by": "2026-12-26", "owner": "self", "action": "reduce"},
            # a partner's reduction locks too: the admin asks the partner in time (its own sentence)
            {"window": "renewal", "seats": 4, "by": "2026-11-27", "owner": "partner", "action": "contact_partner"},
            # a cancellation at the end of the term is not a reduction that locks
            {"window": "renewal", "seats": 5, "by": "2026-11-26", "owner": "self", "action": "cancel_at_end_of_term"},
            {"window": "anniversary", "seats": 3, "by": "2026-11-25", "owner": "vlsc"},
            {"window": "within_7_days", "seats": 2, "by": "2026-11-25", "owner": "self"},
        ]
    }
    actions = bills.of(bills.bill_json(bill["actions"])).actions
    assert [(a.by, a.action) for a in locking(actions, date(2026, 11, 24))] == [
        ("2026-11-26", "reduce"),
        ("2026-11-27", "contact_partner"),
    ]
    assert [a.seats for a in urgent(actions, date(2026, 11, 24))] == [2]


def test_a_partners_renewal_lock_tells_the_admin_to_ask_the_partner_in_time() -> None:
    bill = {
        "as_of": "2026-11-24",
        "actions": [
            {
                "window": "renewal",
                "seats": 4,
                "by": "2026-11-27",
                "owner": "partner",
                "action": "contact_partner",
                "sku": "Microsoft_365_Copilot",
                "monthly_saving": 112.4,
            },
            {
                "window": "renewal",
                "seats": 3,
                "by": "2026-11-26",
                "owner": "self",
                "action": "reduce",
                "sku": "SPE_E3",
                "monthly_saving": 101.25,
            },
        ],
    }
    bill = bills.bill_json(bill["actions"], as_of=bill["as_of"])
    # the currency is the seat row's: the summary names none
    e3 = {"sku": "SPE_E3", "sku_id": "05e9a617-0261-4cee-bb44-138d3ef5d965", "currency": "EUR"}
    lines = urgent_lines(report_document(bill=bill, skus=[e3], summary=empty_summary(None)), Locale.EN)
    assert lines == [
        "Reduce Microsoft 365 E3 for its renewal by Nov 26, 2026: 3 seats, €101.25 per month; the subscription "
        "locks about 24 hours before it renews, and then the seats stay for another term.",
        "Ask your partner to reduce Microsoft Copilot for Microsoft 365 for its renewal by Nov 27, 2026: 4 seats, "
        "€112.40 per month; the subscription locks about 24 hours before it renews, so ask in time for your "
        "partner to schedule it before then, or the seats stay for another term.",
    ]
    # in each report language, the partner's sentence is its own, not the admin's "Reduce"
    for locale in (Locale.NL, Locale.DA, Locale.SV, Locale.TR):
        partner = urgent_lines(report_document(bill=bill, summary=empty_summary(None)), locale)[1]
        assert "Microsoft Copilot for Microsoft 365" in partner and "Ask your partner" not in partner
