"""Microsoft's commerce windows: one action per subscription, for every channel and window."""

from __future__ import annotations

from datetime import date

import pytest

from auditor.billing import (
    Action,
    BillingRow,
    Channel,
    Confidence,
    Owner,
    SeatAddition,
    Term,
    Window,
    commerce_action,
    opening,
)
from auditor.data.model import Subscription

TODAY = date(2026, 11, 24)


def sub(
    total: int = 20,
    *,
    trial: bool = False,
    status: str = "Enabled",
    created: str = "2025-03-18T10:00:00Z",
    renews: str | None = "2027-03-18T00:00:00Z",
    owner_tenant: str | None = None,
) -> Subscription:
    return Subscription(
        "sub-1",
        "sku-1",
        "SPE_E3",
        status,
        trial,
        total,
        created,
        renews,
        commerce_subscription_id="c-1",
        owner_tenant_id=owner_tenant,
    )


def row(
    channel: Channel = Channel.MCA,
    *,
    start: date | None = date(2026, 3, 18),
    end: date | None = date(2027, 3, 18),
    renew: bool | None = True,
    added: tuple[SeatAddition, ...] = (),
) -> BillingRow:
    return BillingRow("c-1", channel, 2, Term.YEAR, start, end, renew, added, 36.0, "EUR")


def test_new_commerce_within_7_days_of_the_purchase_or_renewal_cancels_or_reduces_any_seats() -> None:
    renewed = row(start=date(2026, 11, 19))  # 5 days ago: the window closes at the end of Nov 25
    cancel = commerce_action(sub(), renewed, 20, TODAY)
    assert (cancel.action, cancel.window, cancel.owner, cancel.not_before, cancel.by, cancel.saving_from) == (
        Action.CANCEL,
        Window.WITHIN_7_DAYS,
        Owner.SELF,
        TODAY,
        date(2026, 11, 25),
        TODAY,
    )
    assert cancel.confidence is Confidence.DOCUMENTED and cancel.reason.key == "cancel_7_days"
    reduce = commerce_action(sub(), renewed, 13, TODAY)
    assert (reduce.action, reduce.seats, reduce.from_seats, reduce.to_seats) == (Action.REDUCE, 13, 20, 7)
    # a day after the window closed, the same reduction waits for the renewal
    late = commerce_action(sub(), row(start=date(2026, 11, 17)), 13, TODAY)
    assert (late.window, late.by, late.saving_from) == (Window.RENEWAL, date(2027, 3, 17), date(2027, 3, 18))


def test_new_commerce_seat_addition_opens_a_window_for_those_seats_only() -> None:
    added = row(added=(SeatAddition(date(2026, 11, 22), 5), SeatAddition(date(2026, 6, 1), 4)))
    o = opening(sub(), added, TODAY)
    assert (o.window, o.cap, o.by, o.added_on) == (Window.WITHIN_7_DAYS, 5, date(2026, 11, 28), date(2026, 11, 22))
    a = commerce_action(sub(), added, 5, TODAY)
    assert (a.action, a.reason.key, a.reason.values["added"]) == (Action.REDUCE, "added_7_days", date(2026, 11, 22))


def test_new_commerce_outside_a_window_schedules_the_reduction_for_the_renewal() -> None:
    a = commerce_action(sub(), row(), 13, TODAY)
    assert (a.action, a.window, a.by, a.saving_from, a.reason.key) == (
        Action.REDUCE,
        Window.RENEWAL,
        date(2027, 3, 17),
        date(2027, 3, 18),
        "reduce_at_renewal",
    )
    whole = commerce_action(sub(), row(), 20, TODAY)
    assert (whole.action, whole.reason.key) == (Action.CANCEL_AT_END_OF_TERM, "cancel_at_renewal")
    # recurring billing off: the subscription ends at the renewal; keeping some seats needs it on
    off = commerce_action(sub(), row(renew=False), 13, TODAY)
    assert (off.action, off.reason.key) == (Action.REDUCE, "renewal_recurring_off")
    # bought directly, recurring billing off ends it on its end date, unless it is set to renew to EST
    off_all = commerce_action(sub(), row(renew=False), 20, TODAY)
    assert (off_all.action, off_all.reason.key, off_all.saving_from) == (
        Action.NONE,
        "ends_at_renewal",
        date(2027, 3, 18),
    )
    cancelling = BillingRow(
        "c-1", Channel.MCA, 2, Term.YEAR, date(2026, 3, 18), date(2027, 3, 18), False, cancel_at_end_of_term=True
    )
    ends = commerce_action(sub(), cancelling, 20, TODAY)
    assert (ends.action, ends.reason.key, ends.saving_from) == (Action.NONE, "ends_at_renewal", date(2027, 3, 18))
    # legacy (no EST): recurring billing off still ends it at the renewal
    legacy_term = BillingRow("c-1", Channel.MCA, 2, Term.YEAR, date(2025, 1, 5), date(2026, 1, 5), False)
    before = commerce_action(sub(renews="2026-01-05T00:00:00Z"), legacy_term, 20, date(2025, 12, 1))
    assert (before.action, before.reason.key) == (Action.NONE, "ends_at_renewal")


def _direct_est(start: date, end: date, term: Term = Term.YEAR) -> BillingRow:
    """Bought directly, recurring billing off, its renewal setting "Renews to Extended Service Term"."""
    return BillingRow("c-1", Channel.MCA, 2, term, start, end, False, cancel_at_end_of_term=False)


def test_bought_directly_est_is_the_option_the_customer_selects() -> None:
    """ "If you don't renew your subscription by the renewal date, you can now select a paid EST
    option" (Extend your subscription with an Extended Service Term), for subscriptions bought or
    renewed on or after 9 February 2026: selected, the term moves into EST (cancel at the end of the
    term to drop every seat); not selected, recurring billing off ends it; bought before, no EST."""
    chosen = commerce_action(sub(), _direct_est(date(2026, 3, 18), date(2027, 3, 18)), 20, TODAY)
    assert (chosen.action, chosen.reason.key, chosen.by) == (
        Action.CANCEL_AT_END_OF_TERM,
        "est_ahead",
        date(2027, 3, 17),
    )
    unknown = BillingRow("c-1", Channel.MCA, 2, Term.YEAR, date(2026, 3, 18), date(2027, 3, 18), False)
    assert commerce_action(sub(), unknown, 20, TODAY).reason.key == "ends_at_renewal"
    before = _direct_est(date(2026, 2, 8), date(2027, 2, 8))  # bought the day before EST began for direct customers
    assert commerce_action(sub(renews="2027-02-08T00:00:00Z"), before, 20, TODAY).reason.key == "ends_at_renewal"


def test_through_a_partner_auto_renew_off_moves_into_est_unless_set_to_cancel() -> None:
    """Partner Center, "Extended service terms": from 4 May 2026 a nonrenewed subscription either
    cancels at the end of its term or enters a paid EST; auto-renew off alone is not a cancellation."""
    off = BillingRow("c-1", Channel.CSP, 2, Term.YEAR, date(2026, 3, 18), date(2027, 3, 18), False)
    whole = commerce_action(sub(), off, 20, TODAY)
    assert (whole.action, whole.owner, whole.reason.key, whole.by) == (
        Action.CONTACT_PARTNER,
        Owner.PARTNER,
        "partner_est_ahead",
        date(2027, 3, 17),
    )
    cancelling = BillingRow(
        "c-1", Channel.CSP, 2, Term.YEAR, date(2026, 3, 18), date(2027, 3, 18), False, cancel_at_end_of_term=True
    )
    assert commerce_action(sub(), cancelling, 20, TODAY).reason.key == "partner_renewal"
    # its term ended after 4 May 2026: it runs in EST, its seats fixed
    ran = BillingRow("c-1", Channel.CSP, 2, Term.MONTH, date(2026, 9, 1), date(2026, 10, 1), False)
    assert opening(sub(renews="2026-10-01T00:00:00Z"), ran, TODAY).window is Window.EST


@pytest.mark.parametrize(
    ("billing", "key"),
    [
        (BillingRow("c-1", Channel.MCA, 2, Term.YEAR, date(2025, 12, 10), date(2026, 12, 10), False), "needed_ends"),
        (_direct_est(date(2026, 2, 10), date(2026, 12, 10)), "needed_est_ahead"),
        (
            BillingRow("c-1", Channel.CSP, 2, Term.YEAR, date(2025, 12, 10), date(2026, 12, 10), False),
            "needed_est_ahead_partner",
        ),
        (
            BillingRow(
                "c-1",
                Channel.CSP,
                2,
                Term.YEAR,
                date(2025, 12, 10),
                date(2026, 12, 10),
                False,
                cancel_at_end_of_term=True,
            ),
            "needed_ends_partner",
        ),
        (BillingRow("c-1", Channel.MCA, 2, Term.YEAR, date(2025, 12, 10), date(2026, 12, 10), True), "nothing_to_drop"),
    ],
)
def test_a_needed_subscription_ending_soon_with_auto_renew_off_is_a_warning(billing: BillingRow, key: str) -> None:
    """The plan needs every seat; its term ends within 30 days with auto-renew off: the reason says
    the date, the seats and what to do, and the bill marks it (warning)."""
    a = commerce_action(sub(renews="2026-12-10T00:00:00Z"), billing, 0, TODAY)
    assert (a.action, a.seats, a.reason.key) == (Action.NONE, 0, key)
    if key != "nothing_to_drop":
        assert (a.reason.values["total"], a.reason.values["renews"], a.by) == (
            20,
            date(2026, 12, 10),
            date(2026, 12, 9),
        )
    # further off than 30 days: no warning yet
    later = BillingRow("c-1", Channel.MCA, 2, Term.YEAR, date(2026, 3, 18), date(2027, 3, 18), False)
    assert commerce_action(sub(), later, 0, TODAY).reason.key == "nothing_to_drop"


def test_extended_service_term_cancels_any_time_but_never_reduces() -> None:
    """A term that ended with auto-renew off, set to renew to EST, runs on in a paid EST."""
    est = _direct_est(date(2026, 9, 1), date(2026, 10, 1), Term.MONTH)
    o = opening(sub(renews="2026-10-01T00:00:00Z"), est, TODAY)
    assert (o.window, o.by, o.saving_from, o.confidence) == (Window.EST, None, TODAY, Confidence.DOCUMENTED)
    whole = commerce_action(sub(renews="2026-10-01T00:00:00Z"), est, 20, TODAY)
    assert (whole.action, whole.reason.key, whole.saving_from, whole.to_seats) == (
        Action.CANCEL,
        "est_cancel",
        TODAY,
        0,
    )
    part = commerce_action(sub(renews="2026-10-01T00:00:00Z"), est, 5, TODAY)
    assert (part.action, part.seats, part.reason.key, part.saving_from) == (Action.NONE, 0, "est_seats_fixed", None)
    # through a partner EST began on 4 May 2026: a term that ended before it had no EST
    csp = BillingRow("c-1", Channel.CSP, 2, Term.YEAR, date(2025, 4, 20), date(2026, 4, 20), False)
    assert opening(sub(renews="2026-04-20T00:00:00Z"), csp, TODAY).window is not Window.EST


def test_legacy_reduces_or_cancels_at_any_time_and_over_25_licenses_reduces_first() -> None:
    a = commerce_action(sub(40), row(Channel.MOSA), 10, TODAY)
    assert (a.action, a.window, a.saving_from, a.reason.key) == (Action.REDUCE, Window.ANY_TIME, TODAY, "legacy_reduce")
    assert commerce_action(sub(40), row(Channel.MOSA), 40, TODAY).reason.key == "legacy_cancel_over_25"
    assert commerce_action(sub(25), row(Channel.MOSA), 25, TODAY).reason.key == "legacy_cancel"


@pytest.mark.parametrize(
    ("billing", "owner_tenant", "window", "key"),
    [
        (row(Channel.CSP, start=date(2026, 11, 20)), None, Window.WITHIN_7_DAYS, "partner_7_days"),
        (row(Channel.CSP), None, Window.RENEWAL, "partner_renewal"),
        (None, "partner-tenant-id", Window.UNKNOWN, "partner_unknown"),
        (row(Channel.MCA), "partner-tenant-id", Window.RENEWAL, "partner_renewal"),
    ],
)
def test_a_partner_acts_within_the_same_windows(
    billing: BillingRow | None, owner_tenant: str | None, window: Window, key: str
) -> None:
    a = commerce_action(sub(owner_tenant=owner_tenant), billing, 5, TODAY)
    assert (a.action, a.owner, a.window, a.reason.key) == (Action.CONTACT_PARTNER, Owner.PARTNER, window, key)


@pytest.mark.parametrize("channel", [Channel.EA, Channel.VL])
def test_volume_licensing_at_the_anniversary_through_the_vlsc(channel: Channel) -> None:
    a = commerce_action(sub(), row(channel, start=date(2026, 11, 20)), 5, TODAY)
    assert (a.action, a.owner, a.window, a.by, a.saving_from) == (
        Action.CONTACT_VLSC,
        Owner.VLSC,
        Window.ANNIVERSARY,
        date(2027, 3, 18),
        date(2027, 3, 18),
    )


def test_a_trial_turns_off_recurring_billing_before_it_converts() -> None:
    trial = sub(25, trial=True, renews="2026-12-01T00:00:00Z")
    a = commerce_action(trial, None, 25, TODAY)
    assert (a.action, a.by, a.reason.key) == (Action.CANCEL_AT_END_OF_TERM, date(2026, 11, 30), "trial_off")
    kept = commerce_action(trial, None, 3, TODAY)
    assert (kept.action, kept.reason.key) == (Action.NONE, "trial_converts")


def test_no_billing_row_is_unknown_at_the_latest_at_the_renewal() -> None:
    a = commerce_action(sub(), None, 5, TODAY)
    assert (a.action, a.window, a.confidence, a.by, a.owner) == (
        Action.REDUCE,
        Window.UNKNOWN,
        Confidence.UNKNOWN,
        date(2027, 3, 18),
        Owner.SELF,
    )
    # a subscription bought 2 days ago is inside its purchase window even without a row's dates
    fresh = commerce_action(sub(created="2026-11-22T09:00:00Z"), row(start=None), 20, TODAY)
    assert (fresh.action, fresh.window, fresh.by) == (Action.CANCEL, Window.WITHIN_7_DAYS, date(2026, 11, 28))


def test_nothing_to_drop_and_a_subscription_that_is_not_active() -> None:
    assert commerce_action(sub(), row(), 0, TODAY).action is Action.NONE
    expired = commerce_action(sub(status="Warning", renews="2026-12-10T00:00:00Z"), row(), 5, TODAY)
    assert (expired.action, expired.seats, expired.reason.key) == (Action.NONE, 0, "not_active")
    assert commerce_action(sub(), row(), 99, TODAY).seats == 20  # never more than its own seats
