"""The reasons of the bill's actions, in the reader's language (the report catalog, msgctxt
"bill_reason_<key>"): one sentence per auditor.billing.windows Reason key."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from auditor import i18n
from auditor.billing.windows import Reason


def _values(t: i18n.Translations, reason: Reason) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in reason.values.items():
        if isinstance(value, date):
            out[name] = i18n.format_date(value, t.locale)
        elif isinstance(value, int) and not isinstance(value, bool):
            out[name] = i18n.format_number(value, t.locale)
        else:
            out[name] = str(value)
    return out


def _ending_texts(t: i18n.Translations, v: dict[str, str], n: int) -> dict[str, Callable[[], str]]:
    """What ends the subscription, or when: the status, a trial, a cancel, recurring billing off."""
    return {
        "not_active": lambda: t.pgettext(
            "bill_reason_not_active",
            "The subscription is {status}: it is not renewed, so it leaves the bill on its own. Do "
            "not delete it; its lifecycle runs on its own.",
            **v,
        ),
        "trial_off": lambda: t.pgettext(
            "bill_reason_trial_off",
            "A trial: turn off recurring billing by {by}, or it converts to a paid subscription of "
            "{total} licenses on {renews}.",
            **v,
        ),
        "trial_off_unknown": lambda: t.pgettext(
            "bill_reason_trial_off_unknown",
            "A trial whose end Graph does not give: turn off recurring billing now, or it converts to "
            "a paid subscription.",
            **v,
        ),
        "trial_converts": lambda: t.pgettext(
            "bill_reason_trial_converts",
            "A trial: it converts to a paid subscription on {renews} unless recurring billing is "
            "turned off by {by}; the plan needs its seats.",
            **v,
        ),
        "trial_converts_unknown": lambda: t.pgettext(
            "bill_reason_trial_converts_unknown",
            "A trial: it converts to a paid subscription unless recurring billing is turned off; "
            "Graph does not give the date.",
            **v,
        ),
        "nothing_to_drop": lambda: t.pgettext(
            "bill_reason_nothing_to_drop", "No seats to remove: the plan needs every seat of this subscription.", **v
        ),
        "legacy_cancel_over_25": lambda: t.pgettext(
            "bill_reason_legacy_cancel_over_25",
            "A legacy subscription: cancel it at any time, prorated. With more than {limit} licenses, "
            "first reduce it to {limit}, then cancel it. Do not delete it.",
            **v,
        ),
        "legacy_cancel": lambda: t.pgettext(
            "bill_reason_legacy_cancel",
            "A legacy subscription: cancel it at any time, prorated. Do not delete it.",
            **v,
        ),
        "cancel_7_days": lambda: t.pgettext(
            "bill_reason_cancel_7_days",
            "Cancel within 7 days of the purchase or renewal, for a prorated refund. Do not delete it.",
            **v,
        ),
        "ends_at_renewal": lambda: t.pgettext(
            "bill_reason_ends_at_renewal",
            "Recurring billing is off: the subscription ends on {renews} and its seats leave the bill then.",
            **v,
        ),
        "renewal_recurring_off": lambda: t.pgettext(
            "bill_reason_renewal_recurring_off",
            "Recurring billing is off, so the subscription ends on {renews} with all its licenses: "
            "turn it on and schedule the reduction to {to} licenses by {by}.",
            **v,
        ),
        "cancel_at_renewal": lambda: t.pgettext(
            "bill_reason_cancel_at_renewal",
            "Set the subscription to cancel at the end of its term by {by}: it then ends on {renews}, "
            "with no extra charge. Do not delete it.",
            **v,
        ),
        "est_ahead": lambda: t.pgettext(
            "bill_reason_est_ahead",
            "Recurring billing is off, but the subscription does not end on {renews}: it moves into a "
            "paid month-to-month Extended Service Term. Set it to cancel at the end of its term by "
            "{by}. Do not delete it.",
            **v,
        ),
        "partner_est_ahead": lambda: t.npgettext(
            "bill_reason_partner_est_ahead",
            "A partner manages this subscription and its auto-renew is off: on {renews} its {n} license "
            "moves into a paid Extended Service Term unless it is set to cancel at the end of its term. "
            "Ask your partner to set that by {by}.",
            "A partner manages this subscription and its auto-renew is off: on {renews} its {n} licenses "
            "move into a paid Extended Service Term unless it is set to cancel at the end of its term. "
            "Ask your partner to set that by {by}.",
            n,
            **v,
        ),
    }


def _needed_texts(t: i18n.Translations, v: dict[str, str], total: int) -> dict[str, Callable[[], str]]:
    """A subscription the plan needs that is set to end or to move into an Extended Service Term
    ({n}: all its licenses)."""
    return {
        "needed_ends": lambda: t.npgettext(
            "bill_reason_needed_ends",
            "Recurring billing is off: the subscription ends on {renews} with its {n} license, which the "
            "plan needs. Turn recurring billing on by {by}, or its users lose the product that day.",
            "Recurring billing is off: the subscription ends on {renews} with its {n} licenses, which the "
            "plan needs. Turn recurring billing on by {by}, or its users lose the product that day.",
            total,
            **v,
        ),
        "needed_ends_partner": lambda: t.npgettext(
            "bill_reason_needed_ends_partner",
            "A partner manages this subscription and it is set to end on {renews} with its {n} license, "
            "which the plan needs. Ask your partner to renew it by {by}, or its users lose the product "
            "that day.",
            "A partner manages this subscription and it is set to end on {renews} with its {n} licenses, "
            "which the plan needs. Ask your partner to renew it by {by}, or its users lose the product "
            "that day.",
            total,
            **v,
        ),
        "needed_est_ahead": lambda: t.npgettext(
            "bill_reason_needed_est_ahead",
            "Recurring billing is off and the subscription is set to renew to a paid Extended Service "
            "Term on {renews}, at a higher monthly price, with its {n} license, which the plan needs. "
            "Turn recurring billing on by {by} to renew it to a new term instead.",
            "Recurring billing is off and the subscription is set to renew to a paid Extended Service "
            "Term on {renews}, at a higher monthly price, with its {n} licenses, which the plan needs. "
            "Turn recurring billing on by {by} to renew it to a new term instead.",
            total,
            **v,
        ),
        "needed_est_ahead_partner": lambda: t.npgettext(
            "bill_reason_needed_est_ahead_partner",
            "A partner manages this subscription and its auto-renew is off: on {renews} its {n} license, "
            "which the plan needs, moves into a paid Extended Service Term at a higher monthly price. Ask "
            "your partner to turn auto-renew on by {by}.",
            "A partner manages this subscription and its auto-renew is off: on {renews} its {n} licenses, "
            "which the plan needs, move into a paid Extended Service Term at a higher monthly price. Ask "
            "your partner to turn auto-renew on by {by}.",
            total,
            **v,
        ),
    }


def _seat_texts(t: i18n.Translations, v: dict[str, str], n: int) -> dict[str, Callable[[], str]]:
    """When and how seats come off the bill (or are bought), by term and channel ({n}: the seats)."""
    return {
        "est_cancel": lambda: t.pgettext(
            "bill_reason_est_cancel",
            "In its Extended Service Term since {renews}, at a higher monthly price: cancel it at any "
            "time for a prorated refund. Do not delete it.",
            **v,
        ),
        "est_seats_fixed": lambda: t.npgettext(
            "bill_reason_est_seats_fixed",
            "In its Extended Service Term since {renews}, its licenses cannot be changed: to remove {n} "
            "license, renew it to a new term with {to} licenses, or cancel it at any time for a "
            "prorated refund.",
            "In its Extended Service Term since {renews}, its licenses cannot be changed: to remove {n} "
            "licenses, renew it to a new term with {to} licenses, or cancel it at any time for a "
            "prorated refund.",
            n,
            **v,
        ),
        "reduce_at_renewal": lambda: t.pgettext(
            "bill_reason_reduce_at_renewal",
            "Schedule the reduction for the renewal; keep recurring billing on: turning it off cancels the change.",
            **v,
        ),
        "vlsc": lambda: t.npgettext(
            "bill_reason_vlsc",
            "Volume Licensing: lower the count by {n} license at the anniversary on {renews}, through "
            "the Volume Licensing Service Center.",
            "Volume Licensing: lower the count by {n} licenses at the anniversary on {renews}, "
            "through the Volume Licensing Service Center.",
            n,
            **v,
        ),
        "vlsc_unknown": lambda: t.npgettext(
            "bill_reason_vlsc_unknown",
            "Volume Licensing: lower the count by {n} license at the next anniversary, through the "
            "Volume Licensing Service Center (the billing file gives no date).",
            "Volume Licensing: lower the count by {n} licenses at the next anniversary, through the "
            "Volume Licensing Service Center (the billing file gives no date).",
            n,
            **v,
        ),
        "partner_7_days": lambda: t.npgettext(
            "bill_reason_partner_7_days",
            "A partner manages this subscription: contact your partner to remove {n} license by {by}, "
            "while the 7-day window is open.",
            "A partner manages this subscription: contact your partner to remove {n} licenses by "
            "{by}, while the 7-day window is open.",
            n,
            **v,
        ),
        "partner_renewal": lambda: t.npgettext(
            "bill_reason_partner_renewal",
            "A partner manages this subscription: contact your partner to remove {n} license at the "
            "renewal on {renews} (by {by}).",
            "A partner manages this subscription: contact your partner to remove {n} licenses at the "
            "renewal on {renews} (by {by}).",
            n,
            **v,
        ),
        "partner_unknown": lambda: t.npgettext(
            "bill_reason_partner_unknown",
            "A partner manages this subscription: contact your partner to remove {n} license; the "
            "window is not known (at the latest the renewal on {renews}).",
            "A partner manages this subscription: contact your partner to remove {n} licenses; the "
            "window is not known (at the latest the renewal on {renews}).",
            n,
            **v,
        ),
        # the table's row says the seats and the renewal, the last day ("Do it by"): said once, there
        "unknown_term": lambda: t.pgettext(
            "bill_reason_unknown_term",
            "No billing row: the term and the channel are not known; add the subscription to the billing "
            "file to know the window.",
            **v,
        ),
        "unknown_term_no_date": lambda: t.npgettext(
            "bill_reason_unknown_term_no_date",
            "No billing row and no renewal date: when {n} license can be removed is not known; add "
            "the subscription to the billing file.",
            "No billing row and no renewal date: when {n} licenses can be removed is not known; add "
            "the subscription to the billing file.",
            n,
            **v,
        ),
        "legacy_reduce": lambda: t.npgettext(
            "bill_reason_legacy_reduce",
            "A legacy subscription: remove {n} license at any time, prorated.",
            "A legacy subscription: remove {n} licenses at any time, prorated.",
            n,
            **v,
        ),
        "added_7_days": lambda: t.npgettext(
            "bill_reason_added_7_days",
            "Remove {n} of the licenses added on {added} by {by}: only seats added in the last 7 days "
            "can be removed now; the others wait for the renewal on {renews}.",
            "Remove {n} of the licenses added on {added} by {by}: only seats added in the last 7 days "
            "can be removed now; the others wait for the renewal on {renews}.",
            n,
            **v,
        ),
        "reduce_7_days": lambda: t.npgettext(
            "bill_reason_reduce_7_days",
            "Remove {n} license by {by}, within 7 days of the purchase or renewal.",
            "Remove {n} licenses by {by}, within 7 days of the purchase or renewal.",
            n,
            **v,
        ),
        "buy": lambda: t.npgettext(
            "bill_reason_buy",
            "The changes that wait for a free license need it.",
            "The changes that wait for free licenses need them.",
            n,
            **v,
        ),
        "buy_spare": lambda: t.npgettext(
            "bill_reason_buy_spare",
            "The policy keeps {spare} spare licenses after the plan: {n} more license is needed.",
            "The policy keeps {spare} spare licenses after the plan: {n} more licenses are needed.",
            n,
            **v,
        ),
    }


def reason_text(t: i18n.Translations, reason: Reason) -> str:
    """The sentence for `reason` in `t`'s language."""
    v = _values(t, reason)
    v.setdefault("by", "?")
    v.setdefault("renews", "?")
    seats = reason.values.get("seats")
    n = seats if isinstance(seats, int) else 0  # the counted texts' {n}: the seats
    whole = reason.values.get("total")
    total = whole if isinstance(whole, int) else 0  # a needed subscription's texts count all its licenses
    v.pop("seats", None)
    if reason.key.startswith("needed_"):
        v.pop("total", None)
    texts = {**_ending_texts(t, v, n), **_needed_texts(t, v, total), **_seat_texts(t, v, n)}
    text = texts.get(reason.key)
    return text() if text is not None else reason.key
