"""When a distributor's committed subscription can be reduced (docs/msp.md, "Reductions at the
distributor"): its commitment as the distributor gives it, read the same by `plan` (the report's reading)
and by `apply --distributor` (the re-read at the call). Each distributor says its own rule by two
attributes of its Distributor (auditor.vendors.protocols), and its monthly term by its own name (`monthly`,
"Monthly" at Pax8 and Sherweb): whether only its commitment term commits a
subscription or its billing term too (`commits_by_term_only`), and whether the first day is its
commitment's end or the day after, the next term's first (`renews_next_day`); each vendor's folder
quotes its own.

A monthly term is Microsoft's seven days too: a quantity can be decreased only within the first seven days
(168 hours) after a purchase or a renewal (Microsoft's "Manage customer subscriptions",
https://learn.microsoft.com/partner-center/create-a-new-subscription, quoted in docs/distributors.md,
"Purchases"), so outside them a reduction is due at the next monthly renewal (`renews`: a day the term
renews on, its startDate at Pax8, its current term's first day at Sherweb: `monthly_began`).
"""

from __future__ import annotations

from calendar import monthrange
from datetime import date
from typing import Protocol

MONTHLY = "Monthly"  # a month-to-month subscription's term and billing term, as Pax8 and Sherweb give it
WINDOW_DAYS = 7  # Microsoft's seven days (168 hours) after a purchase or a renewal to decrease a quantity


def _month_on(anchor: date, months: int) -> date:
    """`anchor` moved on `months` months, its day of the month kept (the month's last day where it has fewer)."""
    year, month = divmod(anchor.month - 1 + months, 12)
    year, month = anchor.year + year, month + 1
    return date(year, month, min(anchor.day, monthrange(year, month)[1]))


def monthly_due(renews: str, today: date) -> str | None:
    """The day a monthly term renewing on `renews`' day of the month lets a reduction be made: its last
    renewal (a day on or before today) while today is within the seven days after it, else its next
    renewal; None when `renews` is no date or a day still to come."""
    try:
        anchor = date.fromisoformat(renews[:10])
    except ValueError:
        return None
    if anchor > today:  # not started: no renewal to wait for (a distributor may refuse to update it yet)
        return None
    months = (today.year - anchor.year) * 12 + today.month - anchor.month
    last = _month_on(anchor, months)
    if last > today:
        months -= 1
        last = _month_on(anchor, months)
    if (today - last).days < WINDOW_DAYS:
        return last.isoformat()
    return _month_on(anchor, months + 1).isoformat()


def monthly_began(end: str | None) -> str | None:
    """The first day of a monthly term whose last day is `end` (Sherweb's termEndDate, "The last day of the
    commitment term"): a month before the next term's first day, the day after `end`; None when `end` is
    no date. Sherweb's own schema counts the seven days from it (its committedMinimalQuantities: "a monthly
    subscription is bought with 10 licenses on feb 1st ... decrease down to 0 until feb 8")."""
    try:
        following = date.fromordinal(date.fromisoformat((end or "")[:10]).toordinal() + 1)
    except ValueError:
        return None
    return _month_on(following, -1).isoformat()


class Commitments(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def commits_by_term_only(self) -> bool: ...
    @property
    def renews_next_day(self) -> bool: ...
    @property
    def monthly(self) -> str: ...


def committed(vendor: Commitments, term: str | None, billing: str | None) -> bool:
    """Whether an annual (or longer) commitment forbids a reduction before its end."""
    uncommitted = (None, "", vendor.monthly)
    if vendor.commits_by_term_only:  # its commitment term alone: Monthly, Annual, Biennial, Triennial
        return term not in uncommitted
    return (term not in uncommitted) or (billing not in uncommitted)


def due_day(
    vendor: Commitments,
    term: str | None,
    billing: str | None,
    term_end: str | None,
    today: date,
    *,
    ended: bool = False,
    renews: str | None = None,
) -> tuple[str | None, str | None]:
    """(the first day a reduction of a distributor subscription may be made, None: now; why none can be
    planned, else None), from its commitment as the distributor gives it: a monthly one now; an annual
    (or longer) one at its commitment's end, or the day after it (`renews_next_day`). `plan` asks it of
    the report's reading (a commitment whose end has passed is a stale reading), `apply --distributor` of
    its re-read at the call, `ended`: on or after the day the plan scheduled, the commitment's end is that
    day still (a distributor that has renewed it gives another, and the change is refused: plan again).
    A monthly one renewing on `renews`' day: its window's first day (monthly_due; a day on or before
    today: now), else now when no renewal day is given."""
    if not committed(vendor, term, billing):
        return (monthly_due(renews, today) if renews else None), None
    end = (term_end or "")[:10]
    name = vendor.name
    if not end or (end < today.isoformat() and not ended):
        return None, f"its commitment ended on {end}: read {name} again" if end else f"{name} gives no commitment end"
    if vendor.renews_next_day:  # "The first day of the next commitment term"
        return date.fromordinal(date.fromisoformat(end).toordinal() + 1).isoformat(), None
    return end, None
