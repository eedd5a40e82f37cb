"""When a subscription's seats can leave the bill: Microsoft's commerce rules as plain functions.

    opening(subscription, row, today)                 -> Opening: the next window, who acts, the
                                                          dates, how many seats it can take
    commerce_action(subscription, row, seats, today)  -> CommerceAction: what to do to drop
                                                          `seats` seats, and why (a Reason)

`subscription` is the Graph companySubscription (auditor.data.model.Subscription), `row` its line of the
billing file (auditor.billing.file.BillingRow) or None, `today` the audit's date. Neither
function reads a clock or a file. The rules and their Microsoft sources are in docs/bill.md:

- new commerce bought directly (mca): cancel with a prorated refund only within 7 days of the
  purchase or renewal (Microsoft says "seven days"; counting them as 168 hours is ours); remove
  licenses only within 7 days of the purchase, the renewal or a seat addition, and then only the
  seats added then; otherwise schedule the reduction for the renewal, which needs recurring billing
  on (our reading: no Microsoft page we read says so in these words);
- legacy (mosa): reduce or cancel at any time, prorated; over 25 licenses, reduce to 25 first;
- a partner (csp, or Graph's ownerTenantId: the partner tenant that created it) acts, within the
  same 7-day windows;
- Enterprise Agreement and Volume Licensing (ea, vl): at the anniversary, through the VLSC;
- a trial converts to paid at nextLifecycleDateTime unless recurring billing is turned off;
- no billing row: the window is unknown, at the latest the renewal (nextLifecycleDateTime);
- the paid month-to-month Extended Service Term (EST; seats fixed, about 3 % over the monthly
  price, cancellable any time with a prorated refund) replaces the free grace period, per channel
  as its own page says it: through a partner (csp), a term ending on or after 4 May 2026 whose
  auto-renew is off moves into EST unless it is set to cancel at the end of its term (Partner
  Center, "Extended service terms"; message-center post MC1216259 gives partners 1 April 2026, the
  later date is used); bought directly (mca), EST is an option the customer selects
  for a subscription bought or renewed on or after 9 February 2026 ("Extend your subscription with
  an Extended Service Term"): without that choice a term whose recurring billing is off ends on its
  end date;
- a reduction scheduled for the renewal is locked about 24 hours before it: it is due a day
  before the renewal date (and the report warns of it from 3 days ahead, more than 24 hours before).

A subscription is never to be deleted: cancelling starts the lifecycle (expired, disabled,
deleted), during which its data can still be kept (90 days after the end, Microsoft says).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from auditor.billing.file import BillingRow, Channel, SeatAddition
from auditor.common.timestamps import timestamp_or_none
from auditor.data.model import Subscription

WINDOW_DAYS = 7  # new commerce: seven days after a purchase, renewal or seat addition
RENEWAL_LOCK_DAYS = 1  # the ~24-hour lock: a reduction for the renewal is due the day before it
# EST began: through a partner for terms ending on or after this day; bought directly for subscriptions
# bought or renewed on or after it (the term's start)
EST_SINCE = {"mca": date(2026, 2, 9), "csp": date(2026, 5, 4)}
NEEDED_ENDS_DAYS = 30  # a subscription the plan needs, ending within this many days with auto-renew off: a warning
EST_UPLIFT = 0.03  # EST: the monthly-term price plus about 3 %
EST_UPLIFT_NO_MONTHLY_TERM = 0.23  # where the product has no monthly term: about 23 % over the catalog price
MONTHLY_BILLING_UPLIFT = 0.05  # an annual or triennial term billed monthly costs about 5 % more
LEGACY_CANCEL_MAX = 25  # legacy: a subscription of more licenses is reduced to this before cancelling


class Action(StrEnum):
    REDUCE = "reduce"
    CANCEL = "cancel"
    CANCEL_AT_END_OF_TERM = "cancel_at_end_of_term"
    CONTACT_PARTNER = "contact_partner"
    CONTACT_VLSC = "contact_vlsc"
    BUY = "buy"
    NONE = "none"


class Window(StrEnum):
    WITHIN_7_DAYS = "within_7_days"
    RENEWAL = "renewal"
    ANY_TIME = "any_time"
    EST = "est"  # in its Extended Service Term: cancel any time (prorated); the seats are fixed
    ANNIVERSARY = "anniversary"
    UNKNOWN = "unknown"


class Owner(StrEnum):
    SELF = "self"
    PARTNER = "partner"
    VLSC = "vlsc"


class Confidence(StrEnum):
    DOCUMENTED = "documented"  # every fact the window needs came from Graph, a billing API or the billing file
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Reason:
    """Why: a key of auditor.plan.bill_texts and its values (dates as date, counts as int)."""

    key: str
    values: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Opening:
    """The subscription's next chance to drop seats."""

    window: Window
    owner: Owner
    not_before: date | None  # the first day it can be done
    by: date | None  # the last day it can be done (the window's close); None = not known
    saving_from: date | None  # the day the seats stop costing
    confidence: Confidence
    cap: int  # the most seats this window can take (seat additions: only the seats added then)
    added_on: date | None = None  # the seat addition whose window this is
    renews_on: date | None = None  # the term's end: the renewal or anniversary
    recurring: bool | None = None  # the billing row's auto_renew
    cancels_at_end: bool | None = None  # the billing row's cancel_at_end_of_term
    est_after: bool = False  # auto-renew off and not set to cancel: it moves into a paid EST at its term's end


@dataclass(frozen=True)
class CommerceAction:
    action: Action
    window: Window
    owner: Owner
    seats: int
    from_seats: int
    to_seats: int
    not_before: date | None
    by: date | None
    saving_from: date | None
    confidence: Confidence
    reason: Reason


def _day(text: str | None) -> date | None:
    when = timestamp_or_none(text)
    return when.date() if when is not None else None


def _closes(start: date) -> date:
    """The last day of the 7-day window that opens on `start` (read as 168 hours: shut a week later)."""
    return start + timedelta(days=WINDOW_DAYS - 1)


def _added_closes(addition: SeatAddition) -> date:
    """The last day of a seat addition's window: the API's allowedUntilDateTime when it gives one
    (Microsoft's end dates include their day), else 7 days from the addition."""
    return addition.until or _closes(addition.on)


def is_partner(subscription: Subscription, row: BillingRow | None) -> bool:
    """A partner buys and changes it: the billing row says csp, or Graph names the partner tenant
    that created it (ownerTenantId) or a partner owner (ownerType)."""
    if row is not None and row.channel is Channel.CSP:
        return True
    return bool(subscription.owner_tenant_id) or (subscription.owner_type or "").lower() == "partner"


def opening(subscription: Subscription, row: BillingRow | None, today: date) -> Opening:
    """The next window in which seats of `subscription` can leave the bill."""
    total = subscription.total_licenses
    renews = (row.term_end if row is not None else None) or _day(subscription.next_lifecycle_date_time)
    recurring = row.auto_renew if row is not None else None
    owner = Owner.PARTNER if is_partner(subscription, row) else Owner.SELF
    if subscription.is_trial:
        by = renews - timedelta(days=1) if renews else None
        known = Confidence.DOCUMENTED if renews else Confidence.UNKNOWN
        return Opening(Window.RENEWAL, owner, today, by, renews, known, total, renews_on=renews, recurring=recurring)
    if row is None:
        return Opening(Window.UNKNOWN, owner, today, renews, renews, Confidence.UNKNOWN, total, renews_on=renews)
    if row.channel in (Channel.EA, Channel.VL):
        known = Confidence.DOCUMENTED if renews else Confidence.UNKNOWN
        return Opening(Window.ANNIVERSARY, Owner.VLSC, today, renews, renews, known, total, renews_on=renews)
    if _in_est(row, renews, row.term_start or _day(subscription.created_date_time), today):
        return Opening(
            Window.EST,
            owner,
            today,
            None,
            today,
            Confidence.DOCUMENTED,
            total,
            renews_on=renews,
            recurring=False,
            cancels_at_end=False,
        )
    if row.channel is Channel.MOSA and owner is Owner.SELF:
        return Opening(
            Window.ANY_TIME,
            owner,
            today,
            renews,
            today,
            Confidence.DOCUMENTED,
            total,
            renews_on=renews,
            recurring=recurring,
        )
    # new commerce, bought directly or through a partner: the same 7-day windows
    start = row.term_start or _day(subscription.created_date_time)
    est = _est_after(row, renews, start)
    if start is not None and start <= today <= _closes(start):
        # the API's own end of the window (cancellationAllowedEndDate / cancellationAllowedUntilDate)
        # when it gives one: its day is the last, not rebuilt a day earlier from the start
        close = row.cancel_by if row.cancel_by and row.cancel_by >= today else _closes(start)
        return Opening(
            Window.WITHIN_7_DAYS,
            owner,
            today,
            close,
            today,
            Confidence.DOCUMENTED,
            total,
            renews_on=renews,
            recurring=recurring,
            cancels_at_end=row.cancel_at_end_of_term,
            est_after=est,
        )
    added = [a for a in row.seats_added if a.on <= today <= _added_closes(a)]
    if added:
        first = min(_added_closes(a) for a in added)
        return Opening(
            Window.WITHIN_7_DAYS,
            owner,
            today,
            first,
            today,
            Confidence.DOCUMENTED,
            min(total, sum(a.seats for a in added)),
            added_on=min(a.on for a in added),
            renews_on=renews,
            recurring=recurring,
            cancels_at_end=row.cancel_at_end_of_term,
            est_after=est,
        )
    if renews is None:
        return Opening(Window.UNKNOWN, owner, today, None, None, Confidence.UNKNOWN, total, recurring=recurring)
    return Opening(
        Window.RENEWAL,
        owner,
        today,
        renews - timedelta(days=RENEWAL_LOCK_DAYS),
        renews,
        Confidence.DOCUMENTED,
        total,
        renews_on=renews,
        recurring=recurring,
        cancels_at_end=row.cancel_at_end_of_term,
        est_after=est,
    )


def _est_after(row: BillingRow, renews: date | None, start: date | None) -> bool:
    """Whether the term ends in a paid Extended Service Term: auto-renew off and not set to cancel
    at the term's end, and then, through a partner, a term ending since EST began there (it moves
    into EST unless set to cancel); bought directly, a subscription bought or renewed since EST
    began whose renewal setting says it renews to EST (`cancel_at_end_of_term` false: the option the
    customer selects; not known, it ends on its end date)."""
    if row.auto_renew is not False or row.cancel_at_end_of_term is True or renews is None:
        return False
    since = EST_SINCE.get(row.channel.value)
    if since is None:
        return False
    if row.channel is Channel.CSP:
        return renews >= since
    return row.cancel_at_end_of_term is False and start is not None and start >= since


def _in_est(row: BillingRow, renews: date | None, start: date | None, today: date) -> bool:
    """Its term ended with auto-renew off and no cancellation set: it runs in its Extended Service Term."""
    return _est_after(row, renews, start) and renews is not None and renews <= today


def commerce_action(subscription: Subscription, row: BillingRow | None, seats: int, today: date) -> CommerceAction:
    """What to do so that `seats` seats of `subscription` leave the bill (0: nothing to drop).

    `seats` is at most the subscription's own seats; the caller keeps it within `opening().cap`
    (what is over the cap waits for a later window)."""
    total = subscription.total_licenses
    seats = max(0, min(seats, total))
    o = opening(subscription, row, today)
    dates = {
        "by": o.by,
        "renews": o.renews_on,
        "added": o.added_on,
        "seats": seats,
        "to": total - seats,
        "total": total,
    }

    def act(action: Action, key: str, saving_from: date | None = o.saving_from, **more: object) -> CommerceAction:
        return CommerceAction(
            action,
            o.window,
            o.owner,
            seats,
            total,
            total - seats,
            o.not_before,
            o.by,
            saving_from if seats else None,
            o.confidence,
            Reason(key, {k: v for k, v in (dates | more).items() if v is not None}),
        )

    status = subscription.status.lower()
    if status != "enabled":
        return CommerceAction(
            Action.NONE,
            o.window,
            o.owner,
            0,
            total,
            total,
            None,
            None,
            None,
            o.confidence,
            Reason(
                "not_active",
                {
                    "status": subscription.status,
                    **({"next": n} if (n := _day(subscription.next_lifecycle_date_time)) else {}),
                },
            ),
        )
    if subscription.is_trial:
        if seats and seats == total:
            return act(Action.CANCEL_AT_END_OF_TERM, "trial_off" if o.by else "trial_off_unknown")
        return act(Action.NONE, "trial_converts" if o.by else "trial_converts_unknown")
    if o.window is Window.EST and 0 < seats < total:  # its seats are fixed: nothing leaves until it ends
        return CommerceAction(
            Action.NONE,
            o.window,
            o.owner,
            0,
            total,
            total,
            o.not_before,
            None,
            None,
            o.confidence,
            Reason("est_seats_fixed", {k: v for k, v in dates.items() if v is not None}),
        )
    if seats == 0:
        return act(Action.NONE, _needed_key(o, today))
    cancel = seats == total
    if o.owner is Owner.VLSC:
        return act(Action.CONTACT_VLSC, "vlsc" if o.by else "vlsc_unknown")
    if o.owner is Owner.PARTNER:
        keys = {Window.WITHIN_7_DAYS: "partner_7_days", Window.RENEWAL: "partner_renewal"}
        key = keys.get(o.window, "partner_unknown")
        if o.window is Window.RENEWAL and cancel and o.est_after:  # auto-renew off alone: into EST
            key = "partner_est_ahead"
        return act(Action.CONTACT_PARTNER, key)
    action, key, limit = _self_service(o, cancel, total)
    return act(action, key, limit=limit)  # (a value None is left out of the reason)


def _needed_key(o: Opening, today: date) -> str:
    """The reason of a subscription the plan needs every seat of: a warning when its term ends
    within NEEDED_ENDS_DAYS days with auto-renew off and not in an Extended Service Term after it
    (its users lose the product then), or moves into one (the tenant pays its premium)."""
    ends = o.renews_on
    if o.recurring is not False or ends is None or not today <= ends <= today + timedelta(days=NEEDED_ENDS_DAYS):
        return "nothing_to_drop"
    if o.est_after:
        return "needed_est_ahead_partner" if o.owner is Owner.PARTNER else "needed_est_ahead"
    return "needed_ends_partner" if o.owner is Owner.PARTNER else "needed_ends"


def _self_service(o: Opening, cancel: bool, total: int) -> tuple[Action, str, int | None]:
    """A subscription bought directly: the action, its reason's key and the legacy license limit
    the reason names, by the window it is in."""
    if o.window is Window.UNKNOWN:
        return Action.CANCEL if cancel else Action.REDUCE, "unknown_term" if o.by else "unknown_term_no_date", None
    if o.window is Window.EST:
        return (Action.CANCEL, "est_cancel", None) if cancel else (Action.NONE, "est_seats_fixed", None)
    if o.window is Window.ANY_TIME:
        if cancel:
            return (
                Action.CANCEL,
                "legacy_cancel_over_25" if total > LEGACY_CANCEL_MAX else "legacy_cancel",
                LEGACY_CANCEL_MAX,
            )
        return Action.REDUCE, "legacy_reduce", None
    if o.window is Window.WITHIN_7_DAYS:
        if o.added_on is not None:
            return Action.REDUCE, "added_7_days", None
        return Action.CANCEL if cancel else Action.REDUCE, "cancel_7_days" if cancel else "reduce_7_days", None
    # at the renewal
    if o.cancels_at_end:
        return (Action.NONE, "ends_at_renewal", None) if cancel else (Action.REDUCE, "renewal_recurring_off", None)
    if o.recurring is False:
        if cancel:  # bought directly, recurring billing off ends it, unless it is set to renew to EST
            return (
                (Action.CANCEL_AT_END_OF_TERM, "est_ahead", None)
                if o.est_after
                else (Action.NONE, "ends_at_renewal", None)
            )
        return Action.REDUCE, "renewal_recurring_off", None
    if cancel:
        return Action.CANCEL_AT_END_OF_TERM, "cancel_at_renewal", None
    return Action.REDUCE, "reduce_at_renewal", None
