"""apply --psa's one write and its proof, the same for every PSA: the change's request sent through the PSA's
session (its body as the PSA takes it: the session's `wire`), then the line read again from the PSA's own
records (the session's `lines`, as the three-way table reads them): a change is done only when the record read
after it has the quantity asked for.

    quantity_now(session, c, on)    the quantity of the change's line in the PSA now (None: no such one line)
    send(session, c, on)            the request, then the record read again: done, failed (a 4xx) or unknown
"""

from __future__ import annotations

from auditor.formats.bill_model import CommerceChange, CommerceLine
from auditor.vendors.protocols import PsaError, PsaSession, Sent


def quantity_now(session: PsaSession, c: CommerceChange | CommerceLine, on: str) -> int | None:
    """The quantity of the change's line (its `api_id`, of the agreement its `subscription` names) in the
    company's billed lines on the day `on`; None when the PSA bills no such line, or two."""
    found = [
        line
        for line in session.lines(int(c.scope), on)
        if line.id == c.api_id and line.agreement_id == (c.subscription or "")
    ]
    return found[0].quantity if len(found) == 1 else None


def send(session: PsaSession, c: CommerceChange, on: str) -> Sent:
    """The change's request, then its line read again: `done` when it holds the quantity asked for (`c.to`)."""
    try:
        session.request(c.request.method, c.request.path, body=session.wire(c))
    except PsaError as exc:
        refused = exc.status is not None and 400 <= exc.status < 500
        return Sent("failed" if refused else "unknown", str(exc), exc.status)
    try:
        now = quantity_now(session, c, on)
    except PsaError as exc:
        return Sent("unknown", f"sent, and the line could not be read again: {exc}")
    if now != c.to:
        got = "no such line" if now is None else f"{now} seats"
        return Sent("unknown", f"sent, and the PSA's record read again says {got}, not the {c.to} asked for")
    return Sent("done")
