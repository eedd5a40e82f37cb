"""The Copilot seats' history in the report's trends (report.json `trends.copilot_seats`,
auditor.insights.copilot_history): one row per seat, a mark per night, where it stands now and what it
cost while idle."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec  # frozen Structs, as auditor/report/view/__init__.py says why

from auditor import i18n
from auditor.data.copilot_use import LAPSED, REACTIVATED, REASSIGNED, RECLAIMED, RETAINED
from auditor.data.model import Locale
from auditor.formats.report_model import TrendCopilotSeat
from auditor.render.text import clean

SEAT_ROWS = 100  # seats shown; the rest are counted
MARKS = {RETAINED: "●", REACTIVATED: "▲", LAPSED: "○", REASSIGNED: "→", RECLAIMED: "✕"}
NOT_HELD = "·"


class CopilotSeatRow(msgspec.Struct, frozen=True):
    holder: str
    nights: str  # one mark per night, oldest first
    now: str  # the latest state, in words
    idle_cost: str  # "" when none


def state_word(t: i18n.Translations, state: str | None) -> str:
    words = {
        RETAINED: t.pgettext("copilot_state_retained", "retained"),
        REACTIVATED: t.pgettext("copilot_state_reactivated", "reactivated"),
        LAPSED: t.pgettext("copilot_state_lapsed", "idle"),
        REASSIGNED: t.pgettext("copilot_state_reassigned", "reassigned"),
        RECLAIMED: t.pgettext("copilot_state_reclaimed", "reclaimed"),
    }
    return words.get(state or "", "")


def copilot_history(
    seats: Sequence[TrendCopilotSeat], currency: str | None, t: i18n.Translations, locale: Locale
) -> tuple[tuple[CopilotSeatRow, ...], str, str]:
    """The rows (held seats first, by holder), the legend of the marks, and what is left out."""
    ordered = sorted(seats, key=lambda s: (s.states[-1] is None if s.states else True, s.upn.lower()))
    rows = []
    for seat in ordered[:SEAT_ROWS]:
        last = next((s for s in reversed(seat.states) if s is not None), None)
        cost = i18n.format_money(seat.idle_cost, currency, locale) if seat.idle_cost and currency else ""
        rows.append(
            CopilotSeatRow(
                clean(seat.upn, 200),
                "".join(MARKS.get(s or "", NOT_HELD) for s in seat.states),
                state_word(t, last),
                cost,
            )
        )
    legend = ", ".join(f"{mark} {state_word(t, state)}" for state, mark in MARKS.items())
    legend += ", " + t.pgettext("copilot_not_held", "{mark} not held", mark=NOT_HELD)
    more = ""
    if len(ordered) > SEAT_ROWS:
        left = len(ordered) - SEAT_ROWS
        more = t.npgettext("copilot_seats_more", "and {n} more seat", "and {n} more seats", left)
    return tuple(rows), legend, more
