"""Each Copilot seat's history, night by night, from the history file's records (auditor.insights.history,
`copilot_seats`: auditor.insights.copilot_points), one tenant's, oldest first:

    retained     held and used within the policy's days (no copilot-seat-idle finding that night)
    reactivated  held and used again after a night it was idle
    lapsed       held and idle past the policy's days (a copilot-seat-idle finding)
    reassigned   no longer held, the night after its finding gave it to a candidate (`reassign`)
    reclaimed    no longer held, the night after it was held otherwise (reduced, or removed by hand)

A seat is a product held by one user; a seat that moves to a candidate is the candidate's seat from then
on (its history starts that night, retained or lapsed as the candidate uses it). A night whose record kept
no seats (written before they were recorded, or by a run that judged none) says nothing of any seat.

What a seat cost while idle: its monthly price (the finding's exposure, at the policy's prices) for each
day from the night before to a night it was lapsed (a year's price over 365 days; the first night
counts one day, a second run on the same day none), summed over the nights shown; kept unrounded, so
a sum over seats is rounded once, never seat by seat.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from auditor.data.copilot_use import LAPSED, REACTIVATED, REASSIGNED, RECLAIMED, RETAINED
from auditor.data.copilot_use import SEAT_STATES as STATES

from .copilot_points import SeatPoint
from .history import Record

__all__ = ["LAPSED", "REACTIVATED", "REASSIGNED", "RECLAIMED", "RETAINED", "STATES", "SeatHistory", "seat_histories"]
DAYS_A_YEAR = 365


@dataclass(frozen=True)
class SeatHistory:
    """One seat over the nights given: `states` one per night (None: not held that night, or not recorded),
    `idle_cost` what it cost on the nights it was lapsed, unrounded (None: no price known for them)."""

    sku: str
    user_id: str
    upn: str
    states: tuple[str | None, ...]
    idle_cost: float | None

    @property
    def last(self) -> str | None:
        """The latest night's state that says something (None: none does)."""
        return next((s for s in reversed(self.states) if s is not None), None)


def _day(record: Record) -> date:
    return date.fromisoformat((record.as_of or record.generated_at)[:10])


def _state(point: SeatPoint | None, before: SeatPoint | None, was: str | None) -> str | None:
    if point is not None:
        if point.idle:
            return LAPSED
        return REACTIVATED if was == LAPSED else RETAINED
    if before is not None:  # held the night before, not tonight
        return REASSIGNED if before.fix == "reassign" else RECLAIMED
    return None


def seat_histories(records: Sequence[Record]) -> list[SeatHistory]:
    """The history of every seat the records keep (one tenant's records, oldest first), by product and by
    the holder's user principal name."""
    nights = [(r, {p.key: p for p in r.copilot_seats} if r.copilot_seats is not None else None) for r in records]
    keys: dict[tuple[str, str], SeatPoint] = {}
    for _, seats in nights:
        for key, found in (seats or {}).items():
            keys[key] = found  # the latest night's point names the seat
    out = []
    for key, named in keys.items():
        states: list[str | None] = []
        cost: float | None = None
        before: SeatPoint | None = None
        was: str | None = None
        previous: date | None = None
        for record, seats in nights:
            if seats is None:  # a night that kept no seats says nothing (and forgets nothing)
                states.append(None)
                continue
            point = seats.get(key)
            state = _state(point, before, was)
            states.append(state)
            day = _day(record)
            if state == LAPSED and point is not None and point.price is not None:
                days = max((day - previous).days, 0) if previous is not None else 1  # a rerun that day: none
                cost = (cost or 0.0) + point.price * 12 * days / DAYS_A_YEAR
            before, was, previous = point, state if point is not None else None, day
        out.append(SeatHistory(key[0], named.user_id, named.upn, tuple(states), cost))
    return sorted(out, key=lambda h: (h.sku, h.upn.lower()))


def counts(histories: Sequence[SeatHistory]) -> dict[str, int]:
    """How many seats end in each state on the latest night that says something of them (the roll-up's)."""
    found = {s: 0 for s in STATES}
    for h in histories:
        if h.last is not None:
            found[h.last] += 1
    return found


def idle_cost(histories: Sequence[SeatHistory]) -> float | None:
    """What the seats cost while idle over the nights given (None: no idle seat had a price)."""
    known = [h.idle_cost for h in histories if h.idle_cost is not None]
    return round(sum(known), 2) if known else None
