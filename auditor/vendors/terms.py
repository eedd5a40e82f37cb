"""When a distributor's committed subscription can be reduced (docs/msp.md, "Reductions at the
distributor"): its commitment as the distributor gives it, read the same by `plan` (the report's reading)
and by `apply --distributor` (the re-read at the call). Each distributor says its own rule by two
attributes of its Distributor (auditor.vendors.protocols): whether only its commitment term commits a
subscription or its billing term too (`commits_by_term_only`), and whether the first day is its
commitment's end or the day after, the next term's first (`renews_next_day`); each vendor's folder
quotes its own."""

from __future__ import annotations

from datetime import date
from typing import Protocol

MONTHLY = "Monthly"  # a month-to-month subscription's term and billing term, as both distributors give it


class Commitments(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def commits_by_term_only(self) -> bool: ...
    @property
    def renews_next_day(self) -> bool: ...


def committed(vendor: Commitments, term: str | None, billing: str | None) -> bool:
    """Whether an annual (or longer) commitment forbids a reduction before its end."""
    if vendor.commits_by_term_only:  # its commitment term alone: Monthly, Annual, Biennial, Triennial
        return term not in (None, "", MONTHLY)
    return (term not in (None, "", MONTHLY)) or (billing not in (None, "", MONTHLY))


def due_day(
    vendor: Commitments,
    term: str | None,
    billing: str | None,
    term_end: str | None,
    today: date,
    *,
    ended: bool = False,
) -> tuple[str | None, str | None]:
    """(the first day a reduction of a distributor subscription may be made, None: now; why none can be
    planned, else None), from its commitment as the distributor gives it: a monthly one now; an annual
    (or longer) one at its commitment's end, or the day after it (`renews_next_day`). `plan` asks it of
    the report's reading (a commitment whose end has passed is a stale reading), `apply --distributor` of
    its re-read at the call, `ended`: on or after the day the plan scheduled, the commitment's end is that
    day still (a distributor that has renewed it gives another, and the change is refused: plan again)."""
    if not committed(vendor, term, billing):
        return None, None
    end = (term_end or "")[:10]
    name = vendor.name
    if not end or (end < today.isoformat() and not ended):
        return None, f"its commitment ended on {end}: read {name} again" if end else f"{name} gives no commitment end"
    if vendor.renews_next_day:  # "The first day of the next commitment term"
        return date.fromordinal(date.fromisoformat(end).toordinal() + 1).isoformat(), None
    return end, None
