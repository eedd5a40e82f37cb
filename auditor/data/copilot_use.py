"""When a holder last used Microsoft 365 Copilot, as the Copilot usage report (version v2) tells it:
the one reading that copilot-seat-idle's audit, the plan built from it and apply's re-check
(auditor.apply.copilot_recheck) share, so they cannot disagree on who is idle.

Use is any date in any of the report's "... Last Activity Date" columns: the report's own `Last
Activity Date`, the per-app ones of version 1 (Teams, Word, Excel, PowerPoint, Outlook, OneNote,
Loop, Copilot Chat), the ones version 2 adds (Copilot Chat (work), Copilot Chat (web), Microsoft 365
Copilot, Edge, Copilot Agent) and any Microsoft adds later. A holder whose only use is Copilot Chat
on the web, in the Microsoft 365 Copilot app or in Edge is not idle: the report's own `Last Activity
Date` is not relied on to cover them.

Version 2's all-apps counters (`Prompts submitted for all apps`, `Active Usage Days for all apps`)
count the whole report period (90 or 180 days), not the policy's window. Where a column dates the
use, the date decides; a counter above zero with no date in any column is use the report does not
date, and keeps the seat (it may fall within the window: nothing says it does not).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import msgspec

from auditor.common.numbers import whole_number

from .usage_data import COPILOT, COPILOT_ACTIVITY, COPILOT_VERSION, LAST_ACTIVITY, USAGE_REPORTS, ReportRead, UserUsage

# the UserUsage fields the reading rests on (what a rule of the run asks the collector to read)
COPILOT_USE_FIELDS = frozenset((*COPILOT.columns.values(), COPILOT_ACTIVITY))
_DATED = {name: column for column, name in COPILOT.columns.items()}  # field -> its column


@dataclass(frozen=True)
class CopilotUse:
    """A holder's use of Copilot as one row of the report shows it."""

    day: str | None  # the latest date in any "... Last Activity Date" column (YYYY-MM-DD), None: none
    column: str | None  # the column that date is in (the first by name when several hold it)
    counted: tuple[str, int] | None = None  # an all-apps counter above zero (column, count)

    def since(self, first: date) -> bool:
        """Whether the row shows use on or after `first` (an undated count is use: see the module)."""
        if self.day is not None:
            return date.fromisoformat(self.day) >= first
        return self.counted is not None

    @property
    def where(self) -> str:
        """The app of `column` as the report names it ("Edge", "Copilot Chat (web)"; "Copilot" for
        the report's own `Last Activity Date`)."""
        name = (self.column or "").removesuffix(LAST_ACTIVITY).strip()
        return name or "Copilot"


def last_copilot_use(row: UserUsage) -> CopilotUse | None:
    """The holder's use of Copilot in `row`; None when the Copilot report does not list them (no
    evidence either way: they are not judged)."""
    if COPILOT.name not in row.reports:
        return None
    dates = [(value, column) for name, column in _DATED.items() if isinstance(value := getattr(row, name), str)]
    counted: tuple[str, int] | None = None
    for column, value in sorted((row.copilotActivity or {}).items()):
        if isinstance(value, str):
            dates.append((value, column))
        elif value > 0 and counted is None:
            counted = (column, value)
    if not dates:
        return CopilotUse(None, None, counted)
    day = max(d for d, _ in dates)
    return CopilotUse(day, min(c for d, c in dates if d == day), counted)


def copilot_report_unusable(read: ReportRead | None, days: int) -> str | None:
    """Why the Copilot report as read cannot tell an idle seat over `days` (None: it can, or it was not
    read at all): read in another version than v2 it has no Chat or agent dates; without its columns (an
    older snapshot) none of its other "... Last Activity Date" columns, so a user of Copilot Chat on the
    web or in Edge would read as idle; a period shorter than the window makes a blank date mean too little."""
    if read is None:
        return None
    if f"version='{COPILOT_VERSION}'" not in read.request:
        return f"tenant data not collected: {USAGE_REPORTS} ({COPILOT.name} in version {COPILOT_VERSION})"
    if read.columns is None:
        return f"tenant data not collected: {USAGE_REPORTS} ({COPILOT.name} with all its columns)"
    if (whole_number(read.period[1:]) or 0) < days:
        return f"tenant data not collected: {USAGE_REPORTS} ({COPILOT.name} for {COPILOT.period(days)})"
    return None


# a Copilot seat's state on one night of its history (auditor.insights.copilot_history says each)
RETAINED, REACTIVATED, LAPSED, REASSIGNED, RECLAIMED = "retained", "reactivated", "lapsed", "reassigned", "reclaimed"
SEAT_STATES = (RETAINED, REACTIVATED, LAPSED, REASSIGNED, RECLAIMED)


class CopilotSeat(msgspec.Struct, frozen=True, kw_only=True):
    """One holder of a Copilot product a `copilot_seats` entry judges, as report.json `copilot_seats` lists
    them (auditor.rules.usage.copilot_seats.seat_ledger): the night's reading behind each seat's history
    (auditor.insights.copilot_history). `last_use`: the latest date of Copilot use the report shows
    (None: none in its period); `listed`: whether the report lists the holder at all."""

    user_id: str
    upn: str
    name: str
    sku: str
    last_use: str | None = None
    listed: bool = True
