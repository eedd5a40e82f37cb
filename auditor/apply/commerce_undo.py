"""`undo COMMERCE_JOURNAL --commerce`: buy back what the journal's reductions removed.

Newest first, each only inside its reduction's window (the subscription re-read: still the seats
the reduction left, active), only after a yes to the price it names, each journaled write-ahead
in commerce-undo-<UTC time>.jsonl. A cancellation cannot be undone through the API. A change the
journal leaves `sending` or `unknown` is re-read: shown made, it is offered back; otherwise it is
named, as are a failed buy-back and a cut journal line, and undo exits 3.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TextIO

import msgspec

from auditor.formats.bill_model import CommerceLine, CommerceRequest, Quantity, RequestBody

from ..billing.arm import BillingSourceError
from ..billing_cli import access
from .arguments import WriteOptions
from .commerce import Commerce, answer_differs, arm_window_shut, refused
from .commerce_reread import BILLING_ACCOUNT, Reread
from .write_engine import BillJournal, Sent, journal_beside, journaled, latest, read_lines, undo_run
from .write_engine import ask as _ask


def _undo_blocked(line: CommerceLine, current: Reread, today: date) -> str | None:
    """Why the subscription as re-read may not get the seats back through the undo (None: it may).
    Only inside the window of the reduction: after it, seats bought are a new commitment for the rest
    of the term, which the admin decides in the admin center or with the partner, not an undo."""
    by = line.by or ""
    if not by:
        return "the journal does not say until when its window was open (journaled before 'by' was kept)"
    if by < today.isoformat():
        return (
            f"its window closed on {by}: seats bought now are a new purchase for the rest of the term; "
            "buy them in the admin center (or through the partner) if they are needed"
        )
    shut = arm_window_shut(current, today) if line.source == BILLING_ACCOUNT else None
    if shut:
        return shut
    status = current.status
    if status.lower() not in ("active", "enabled"):
        return f"its status is {status or 'not given'}"
    if line.kind == "schedule_reduction":
        if not current.auto_renew:
            return "auto-renew is off: there is no scheduled renewal to take back"
        if not current.scheduled:
            return "nothing is scheduled for its renewal any more (a mid-term change erases it)"
        return None
    if current.quantity != line.to:
        return f"it now has {current.said_quantity} seats, the reduction left {line.to}: changed since"
    return None


def _price_of(line: CommerceLine, seats: int) -> str:
    """`seats` x the monthly price per seat the plan used (its bill: the billing facts, else the policy)."""
    saving = line.monthly_saving
    if saving is None or not seats:
        return "at a price not known"
    return f"{seats} x {saving / seats:.2f} = {saving:.2f} a month"


_UNSETTLED = {
    "sending": "the run stopped while its request was out",
    "unknown": "the answer did not settle it",
}


def _settled(line: CommerceLine, current: Reread, unread: str, out: TextIO, problems: list[str]) -> bool:
    """A change whose outcome the journal does not know, settled by the re-read subscription: it
    shows the change made (True), else the change is named in `problems` for a person (False)."""
    if not unread and answer_differs(line, current) is None:
        print(f"  C{line.n}: its outcome was not known; re-read, the change shows as made", file=out)
        return True
    problem = (
        f"C{line.n}: {line.kind.replace('_', ' ')} {line.sku} ({line.subscription}): "
        f"outcome unknown ({_UNSETTLED[line.outcome]}); "
        f"{unread or 'the re-read subscription does not show it'}: check it in the admin center or with the partner"
    )
    problems.append(problem)
    print(f"  {problem}", file=out)
    return False


def undo_commerce(
    journal_path: Path,
    commerce: Commerce,
    ask: Callable[[str], bool | None],
    *,
    execute: bool,
    out: TextIO,
    today: date,
    undo_journal: BillJournal | None = None,
    problems: list[str] | None = None,
) -> int:
    """Buy back the seats of each reduction the journal records as done, newest first: only inside
    the reduction's window (the subscription re-read: still the seats the reduction left, active),
    only when `ask` says yes to the price named, each journaled before it is sent (`undo_journal`);
    a cancellation cannot be undone through the API. A change whose outcome the journal does not
    know (`sending` at the end, or `unknown`) is re-read: made, it is offered back like a done one;
    else it is named in `problems`, as are a failed buy-back and a cut journal line. The number
    bought back."""
    problems = problems if problems is not None else []
    lines = read_lines(journal_path, problems)
    return undo_lines(
        lines, commerce, ask, execute=execute, out=out, today=today, undo_journal=undo_journal, problems=problems
    )


def undo_lines(
    lines: list[CommerceLine],
    commerce: Commerce,
    ask: Callable[[str], bool | None],
    *,
    execute: bool,
    out: TextIO,
    today: date,
    undo_journal: BillJournal | None,
    problems: list[str],
) -> int:
    """undo_commerce of the journal's lines, read (write_engine.read_lines)."""
    last = latest(lines, lambda ln: ln.n)  # the latest line of each change is its outcome
    note: Callable[..., None] = undo_journal.write if undo_journal is not None else (lambda *_: None)
    undone = 0
    for line in reversed([ln for ln in last.values() if ln.outcome in ("done", *_UNSETTLED)]):
        seats = (line.from_ or 0) - (line.to or 0)
        try:
            current, unread = commerce.read(line), ""
        except BillingSourceError as exc:
            current, unread = Reread(), f"could not re-read the subscription: {exc}"
        if line.outcome in _UNSETTLED and not _settled(line, current, unread, out, problems):
            continue
        if line.kind == "cancel":
            print(f"  C{line.n}: {line.sku} was cancelled: buy a new subscription if it is needed again", file=out)
            continue
        change = msgspec.structs.replace(
            line, kind=f"undo_{line.kind}", from_=line.to, to=line.from_, request=_back(line)
        )
        why = unread or _undo_blocked(line, current, today)
        if why:
            print(f"  C{line.n}: not bought back: {why}", file=out)
            note(change, "skipped", f"not sent: {why}")
            continue
        question = f"Buy back {seats} seats of {line.sku} ({line.subscription}), {_price_of(line, seats)}?"
        if not execute:
            print(f"  C{line.n}: with --yes, would ask: {question}", file=out)
            continue
        said = ask(question)
        if said is None:  # nobody could be asked (no terminal): nothing bought, and the run says so (exit 3)
            print(f"  C{line.n}: not bought back: no terminal to ask the price at", file=out)
            note(change, "declined", "not asked: no terminal")
            problems.append(
                f"C{line.n}: {seats} seats of {line.sku} ({line.subscription}) not bought back: nobody "
                f"was asked the price ({_price_of(line, seats)}); run undo --commerce --yes at a terminal"
            )
            continue
        if not said:
            print(f"  C{line.n}: not bought back", file=out)
            note(change, "declined", "no yes to the price")
            continue
        undone += _buy_back(line, change, current, commerce, undo_journal, out, problems)
    return undone


def _buy_back(
    line: CommerceLine,
    change: CommerceLine,
    current: Reread,
    commerce: Commerce,
    undo_journal: BillJournal | None,
    out: TextIO,
    problems: list[str],
) -> bool:
    """Send one buy-back (`change`, the undo of `line`) through the engine's write-ahead path; whether it is
    done (else named in `problems`)."""
    failure: list[str] = []

    def send() -> Sent:
        """The buy-back sent, and what its answer settles (a refusal: failed; no answer, or another: unknown)."""
        try:
            answer = commerce.send(change, current, change.request.body)
        except BillingSourceError as exc:
            outcome = "failed" if refused(exc) else "unknown"
            failure.append(f"the buy-back {'FAILED' if outcome == 'failed' else 'has no answer'}: {exc}")
            return Sent(outcome, str(exc), exc.status, shown=f"{outcome.upper()}: {exc}")
        differs = answer_differs(change, answer)
        if differs:
            failure.append(f"the buy-back's outcome is unknown: {differs}")
            return Sent("unknown", differs, shown=f"OUTCOME UNKNOWN: {differs}")
        return Sent("done")

    sent = journaled(undo_journal, change, send)  # write-ahead: on disk before the request goes out
    if failure:
        problems.append(f"C{line.n}: {failure[0]}")
        print(f"  C{line.n}: {sent.said}", file=out)
        return False
    seats = (line.from_ or 0) - (line.to or 0)
    print(f"  C{line.n}: bought back {seats} seats ({_price_of(line, seats)})", file=out)
    return True


def undo_commerce_changes(
    options: WriteOptions, journal_path: Path, today: date, ask: Callable[[str], bool | None] | None = None
) -> int:
    """`undo COMMERCE_JOURNAL --commerce [--yes]`: buy back what the journal's reductions removed,
    each only inside its window and after a yes to its price; with --yes journaled write-ahead in
    commerce-undo-<UTC time>.jsonl beside the journal. Exit 3 when a change's outcome is unknown, a
    buy-back failed or a journal line is cut (each named)."""
    chosen = ask or _ask

    def body(lines: list[CommerceLine], problems: list[str]) -> None:
        with (
            journal_beside(journal_path, "commerce-undo", options.yes, options.journal) as undo_journal,
            access(options.billing, os.environ, True) as reach,
        ):
            commerce = Commerce(reach)
            try:
                undo_lines(
                    lines,
                    commerce,
                    chosen,
                    execute=options.yes,
                    out=sys.stdout,
                    today=today,
                    undo_journal=undo_journal,
                    problems=problems,
                )
            finally:
                commerce.close()

    return undo_run(journal_path, "commerce journal", ("commerce change needs", "commerce changes need"), body)


def _back(line: CommerceLine) -> CommerceRequest:
    """The request that puts the seat count back to `from`."""
    path, seats = line.request.path, line.from_ or 0  # a line without `from` is not undone (undone_lines)
    if line.source == BILLING_ACCOUNT:
        return CommerceRequest(method="PATCH", path=path, body=RequestBody(properties=Quantity(seats)))
    if line.kind == "schedule_reduction":
        return CommerceRequest(method="PATCH", path=path, body=RequestBody(scheduledNextTermInstructions=None))
    return CommerceRequest(method="PATCH", path=path, body=RequestBody(quantity=seats))
