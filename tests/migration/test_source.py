"""Rule 5 (the source's schedule from the bill's windows) and rule 6 (the overlap), with a billing file."""

from __future__ import annotations

from datetime import date

import msgspec

from auditor.billing import parse_billing
from auditor.data.model import Locale
from auditor.migration.movers import Mover
from auditor.migration.plan import build_plan
from auditor.migration.source import source_bill

from .tenants import E3, E5, inputs, sku, subscription, tenant, user

BILLING = """subscription,channel,term,term_start,term_end,auto_renew,seats_added,unit_price,currency
sub-SPE_E3,mca,P1Y,2026-03-01,2027-02-28,true,,30.00,EUR
sub-SPE_E5,ea,P3Y,2024-12-01,2027-11-30,true,,54.00,EUR
"""


def _plan(users, movers, billing_text: str | None = BILLING, e3_total: int = 10):
    source = tenant(
        "Contoso",
        users,
        [
            sku(E3, e3_total, sum(1 for u in users if E3 in u.sku_ids)),
            sku(E5, 5, sum(1 for u in users if E5 in u.sku_ids)),
        ],
        [subscription(E3, e3_total), subscription(E5, 5)],
    )
    target = tenant("Fabrikam", [], [sku(E3, 50, 0)])
    billing = parse_billing(billing_text) if billing_text else None
    return build_plan(inputs(source, target, movers, bill=lambda freed: source_bill(source, billing, freed, Locale.EN)))


def test_freed_seats_are_reduced_at_the_window_open_when_the_move_completes() -> None:
    """Two of three E3 users move (completing 2027-01-08): new commerce, past its 7 days: at the renewal."""
    users = [user("a@contoso.example", E3), user("b@contoso.example", E3), user("stays@contoso.example", E3)]
    movers = [
        Mover("a@contoso.example", "a@fabrikam.example", complete_by=date(2027, 1, 8)),
        Mover("b@contoso.example", "b@fabrikam.example", complete_by=date(2027, 1, 15)),
    ]
    plan = _plan(users, movers)
    (action,) = plan.source_actions
    assert {
        k: msgspec.to_builtins(action)[k]
        for k in (
            "subscription",
            "sku",
            "action",
            "seats",
            "from",
            "to",
            "window",
            "owner",
            "not_before",
            "saving_from",
            "monthly_saving",
        )
    } == {
        "subscription": "sub-SPE_E3",
        "sku": "SPE_E3",
        "action": "reduce",
        "seats": 2,
        "from": 10,
        "to": 8,
        "window": "renewal",
        "owner": "self",
        "not_before": "2027-01-08",
        "saving_from": "2027-02-28",
        "monthly_saving": 60.0,
    }
    # rule 6: 2 seats paid twice from buy_by (2027-01-08) to 2027-02-28: 51 days at 30.00 a month of 30 days
    assert (
        plan.overlap.seats,
        plan.overlap.days,
        plan.overlap.amount,
        plan.overlap.currency,
        plan.overlap.confidence,
    ) == (2, 51, 102.0, "EUR", "documented")


def test_when_every_user_of_a_subscription_leaves_it_is_cancelled_with_the_lifecycle() -> None:
    users = [user("a@contoso.example", E3), user("b@contoso.example", E3)]
    plan = _plan(
        users,
        [Mover("a@contoso.example", "a@fabrikam.example"), Mover("b@contoso.example", "b@fabrikam.example")],
        e3_total=4,
    )
    (action,) = plan.source_actions
    assert (action.seats, action.from_, action.to) == (4, 4, 0)  # the spare seats go too
    # new commerce past its 7 days: recurring billing off, so it ends at the renewal; never a deletion
    assert action.action == "cancel_at_end_of_term"
    assert action.lifecycle_days == {"expired": 30, "disabled": 90, "deleted_at_the_latest": 180}


def test_cancel_says_the_lifecycle_and_never_delete() -> None:
    users = [user("a@contoso.example", E3)]
    billing = BILLING.replace("mca,P1Y,2026-03-01,2027-02-28,true", "mosa,P1M,2027-01-01,2027-01-31,true")
    plan = _plan(users, [Mover("a@contoso.example", "a@fabrikam.example")], billing, e3_total=1)
    (action,) = plan.source_actions
    assert action.action == "cancel" and action.window == "any_time"
    assert action.lifecycle_days == {"expired": 30, "disabled": 90, "deleted_at_the_latest": 180}


def test_a_volume_licensing_subscription_goes_through_the_vlsc() -> None:
    users = [user("a@contoso.example", E5), user("b@contoso.example", E5)]
    plan = _plan(users, [Mover("a@contoso.example", "a@fabrikam.example")])
    (action,) = plan.source_actions
    assert (action.action, action.owner, action.window, action.by) == (
        "contact_vlsc",
        "vlsc",
        "anniversary",
        "2027-11-30",
    )


def test_without_a_billing_file_the_window_is_unknown_and_so_is_the_overlap() -> None:
    users = [user("a@contoso.example", E3), user("stays@contoso.example", E3)]
    plan = _plan(users, [Mover("a@contoso.example", "a@fabrikam.example")], billing_text=None)
    (action,) = plan.source_actions
    assert (action.window, action.confidence) == ("unknown", "unknown")
    assert plan.overlap.amount is None and plan.overlap.confidence == "unknown"


def test_a_blocked_user_frees_no_seat() -> None:
    users = [user("a@contoso.example", E3), user("b@contoso.example")]
    plan = _plan(users, [Mover("b@contoso.example", "b@fabrikam.example")])
    assert plan.source_actions == () and plan.blocked == 1
