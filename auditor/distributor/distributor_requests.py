"""The requests a plan's distributor change sends (plan.json `bill.distributor[].request`): each
distributor writes its own (auditor.vendors.<name>.requests, through auditor.vendors.registry); here, the
shape `apply --distributor` holds a plan's change to before it sends it.

    shape_error(change)        what is wrong with a plan's distributor change (a hand edit), else None

A reduction keeps at least one seat; a change that takes a subscription's whole quantity is a
cancellation (`kind: cancel`, `to: 0`), for a distributor that cancels through its API (Pax8), its
cancelDate the day it can be made first (the plan's day, or the commitment's end: `saving_from`). A
purchase (`kind: increase`) takes the quantity up by the seats the bill buys.
"""

from __future__ import annotations

from datetime import date

from auditor.formats.bill_model import CommerceChange
from auditor.vendors.protocols import CANCEL, INCREASE, REDUCE
from auditor.vendors.registry import DISTRIBUTORS

__all__ = ["CANCEL", "INCREASE", "REDUCE", "shape_error"]


def _iso_day(text: str | None) -> bool:
    try:
        return text is not None and len(text) == 10 and date.fromisoformat(text).isoformat() == text
    except ValueError:
        return False


def _kinds() -> str:
    """The changes the distributors take, as a refusal names them ("a Pax8 reduction or cancellation, nor a
    Sherweb reduction")."""
    said = {REDUCE: "reduction", CANCEL: "cancellation", INCREASE: "purchase"}
    return ", nor a ".join(f"{v.name} {' or '.join(said[k] for k in v.kinds)}" for v in DISTRIBUTORS.values())


def shape_error(c: CommerceChange) -> str | None:
    """What is wrong with a plan's distributor change (a hand edit), else None: a reduction to at least
    one seat, or a cancellation of the whole quantity, of a distributor that takes it, and the request
    plan writes for it."""
    frm, to, seats = c.from_, c.to, c.seats
    vendor = DISTRIBUTORS.get(c.source)
    if vendor is None or c.kind not in vendor.kinds:
        return f"it is not a {_kinds()}"
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (frm, to, seats)):
        return "its from, to and seats must be whole numbers"
    assert frm is not None and to is not None
    if c.kind == INCREASE:
        if not 1 <= frm < to or seats != to - frm:
            return f"a purchase goes from {frm} up to more seats, {seats} more, not to {to}"
        return vendor.api.wrong_request(c)
    if c.kind == CANCEL:
        if frm < 1 or to != 0 or seats != frm:
            return f"a cancellation takes the whole quantity ({frm} seats) to 0, not {seats} seats to {to}"
        on = c.saving_from
        if not _iso_day(on) or (c.not_before is not None and c.not_before != on):
            return f"its cancelDate {str(on)[:20]!r} is not the day it can be made (YYYY-MM-DD)"
        return vendor.api.wrong_request(c)
    if not 1 <= to < frm or seats != frm - to:
        return f"a reduction goes from {frm} down to at least one seat, {seats} fewer, not to {to}"
    return vendor.api.wrong_request(c)
