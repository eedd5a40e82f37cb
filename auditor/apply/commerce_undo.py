"""`undo COMMERCE_JOURNAL --commerce`: buy back what the journal's reductions removed.

An undo is a write like any other, decided at the call from the sources (docs/bill.md); the files
beside the journal only select. Newest first, each done
line is bound to the plan it came from (undo_bound.bound: the plan of the SHA-256 the line carries,
beside the journal or the copy apply kept, must hold the change as the line says it, and the `sending`
line the quantity read before the write); the subscription is re-read (still the seats the reduction
left, active, its window open by the plan's `by`); the tenant's seats are read from Graph, and the
buy-back leaves the product at most its seats assigned plus the spare the plan's policy allows
(distributor_bound). Only after a yes to the question (which names no price: neither API gives one)
is anything sent, journaled write-ahead in commerce-undo-<UTC time>.jsonl. A cancellation cannot be
undone through the API. A change the journal leaves `sending` or `unknown` is re-read: shown made, it
is offered back; otherwise it is named, as are a line the plan does not bear out, a failed buy-back and
a cut journal line, and undo exits 3.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TextIO

import msgspec

from auditor.formats.bill_model import CommerceChange, CommerceLine, CommerceRequest, Quantity, RequestBody

from ..billing.arm import BillingSourceError
from ..billing_cli import access
from .arguments import WriteOptions
from .commerce import Commerce, answer_differs, arm_window_shut, refused
from .commerce_plan import commerce_of
from .commerce_reread import BILLING_ACCOUNT, Reread
from .distributor_bound import TenantNow
from .undo_bound import Offer, bound, tenant_of, undo_each
from .write_engine import BillJournal, Sent, journal_beside, journaled, latest, read_lines, undo_run
from .write_engine import ask as _ask


def _undo_blocked(line: CommerceChange, current: Reread, today: date) -> str | None:
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
    tenant: TenantNow,
    execute: bool,
    out: TextIO,
    today: date,
    undo_journal: BillJournal | None = None,
    problems: list[str] | None = None,
) -> int:
    """Buy back the seats of each reduction the journal records as done, newest first: only a change the
    plan beside the journal bears out (undo_bound.bound), only inside the reduction's window (the
    subscription re-read: still the seats the reduction left, active), at most what the tenant's seats
    allow now (`tenant`), only when `ask` says yes, each journaled before it is sent (`undo_journal`);
    a cancellation cannot be undone through the API. A change whose outcome the journal does not know
    (`sending` at the end, or `unknown`) is re-read: made, it is offered back like a done one; else it is
    named in `problems`, as are a line the plan does not bear out, a failed buy-back and a cut journal
    line. The number bought back."""
    problems = problems if problems is not None else []
    lines = read_lines(journal_path, problems)
    folder = journal_path.resolve().parent
    return undo_lines(
        lines,
        commerce,
        ask,
        execute=execute,
        out=out,
        today=today,
        undo_journal=undo_journal,
        problems=problems,
        folder=folder,
        tenant=tenant,
    )


def _undo_of(change: CommerceChange, to: int) -> CommerceChange:
    """The buy-back of a plan's reduction: the subscription from the seats the reduction left to `to`."""
    assert change.to is not None  # commerce_of held it to its shape
    saving = change.monthly_saving if to == change.from_ else None  # a part of the seats: not the plan's figure
    return msgspec.structs.replace(
        change, kind=f"undo_{change.kind}", from_=change.to, to=to, monthly_saving=saving, request=_back(change, to)
    )


def _target(change: CommerceChange, current: Reread, tenant: TenantNow, out: TextIO) -> int | str:
    """The seats to buy back to: the plan's change's `from`, at most what the tenant's seats allow now (the
    product's seats at most its seats assigned plus the policy's spare: distributor_bound); why none."""
    assert change.from_ is not None and change.to is not None
    now = change.to if change.kind != "schedule_reduction" else current.quantity
    if now is None:
        return f"it now has {current.said_quantity} seats: what a renewal would keep cannot be told"
    room = tenant.room(change.sku_id, now)
    if isinstance(room, str):
        return room
    allowed, billed, counted = room
    said = f"the tenant has {billed} seats of it, {counted}"
    if change.kind == "schedule_reduction":  # taken back whole: the renewal keeps the seats it has now
        if allowed < now:
            return f"{said}: its renewal may not keep {now} seats; give the licenses back first, then undo again"
        return change.from_
    target = min(change.from_, allowed)
    if target <= now:
        return (
            f"{said}: nothing to buy back above its {now} seats; give the licenses back first "
            "(undo the plan's license changes), then undo --commerce again"
        )
    if target != change.from_:
        print(f"  C{change.n}: at most {target} seats: the plan's change took it from {change.from_}; {said}", file=out)
    return target


def _price(source: str) -> str:
    """The price of the seats bought back, as the source gives it now: neither API's subscription (Partner
    Center's, a billing account's) gives a price per seat, so none is named, never a file's figure."""
    return f"at a price {'the billing account' if source == BILLING_ACCOUNT else 'Partner Center'}'s API does not give"


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
    folder: Path,
    tenant: TenantNow,
) -> int:
    """undo_commerce of the journal's lines, read (write_engine.read_lines): each line's step here, the ask
    and the send in the one loop of the bill undos (undo_bound.undo_each)."""
    last = latest(lines, lambda ln: ln.n)  # the latest line of each change is its outcome
    sending = latest([ln for ln in lines if ln.outcome == "sending"], lambda ln: ln.n)
    note: Callable[..., None] = undo_journal.write if undo_journal is not None else (lambda *_: None)

    def step(line: CommerceLine) -> Offer | str | None:
        try:
            current, unread = commerce.read(line), ""
        except BillingSourceError as exc:
            current, unread = Reread(), f"could not re-read the subscription: {exc}"
        if line.outcome in _UNSETTLED and not _settled(line, current, unread, out, problems):
            return None
        if line.kind == "cancel":
            print(f"  C{line.n}: {line.sku} was cancelled: buy a new subscription if it is needed again", file=out)
            return None
        planned = bound(line, sending.get(line.n), folder, commerce_of, "commerce change C")
        if isinstance(planned, str):
            said = f"C{line.n}: {line.sku} ({line.subscription}): not bought back: {planned}"
            print(f"  {said}", file=out)
            return f"{said}; buy the seats back in the admin center (or through the partner) if needed"
        why, target, problem = unread or _undo_blocked(planned, current, today), planned.from_ or 0, None
        if not why:
            bounded = _target(planned, current, tenant, out)
            if isinstance(bounded, str):  # the tenant's seats allow none: for a person (exit 3)
                why = bounded
                problem = f"C{line.n}: {planned.sku} ({planned.subscription}) not bought back: {why}"
            else:
                target = bounded
        change = _undo_of(planned, target)
        if why:
            print(f"  C{line.n}: not bought back: {why}", file=out)
            note(change, "skipped", f"not sent: {why}")
            return problem
        return _offer(line.n, change, current, commerce, undo_journal, out)

    chosen = [ln for ln in last.values() if ln.outcome in ("done", *_UNSETTLED)]
    return undo_each(chosen, step, ask, problems, execute=execute, out=out).done


def _offer(
    n: int, change: CommerceChange, current: Reread, commerce: Commerce, undo_journal: BillJournal | None, out: TextIO
) -> Offer:
    """A buy-back (`change`) as undo --commerce asks it, for undo_each: the seats, at no price (neither API
    gives one)."""
    seats = change.seats if change.kind == "undo_schedule_reduction" else (change.to or 0) - (change.from_ or 0)
    price = _price(change.source)
    question = f"Buy back {seats} seats of {change.sku} ({change.subscription}), {price}?"

    def note(outcome: str, said: str) -> None:
        if undo_journal is not None:
            undo_journal.write(change, outcome, said)

    return Offer(
        question=question,
        would=f"  C{n}: with --yes, would ask: {question}",
        no_terminal=f"  C{n}: not bought back: no terminal to ask the price at",
        nobody=(
            f"C{n}: {seats} seats of {change.sku} ({change.subscription}) not bought back: nobody "
            f"was asked ({price}); run undo --commerce --yes at a terminal"
        ),
        declined=f"  C{n}: not bought back",
        send=lambda: _buy_back(n, change, seats, current, commerce, undo_journal, out),
        note=note,
    )


def _buy_back(
    n: int,
    change: CommerceChange,
    seats: int,
    current: Reread,
    commerce: Commerce,
    undo_journal: BillJournal | None,
    out: TextIO,
) -> str | None:
    """Send one buy-back (`change`) through the engine's write-ahead path; what needs a person when it is not
    done, else None."""
    failure: list[str] = []

    def send() -> Sent:
        """The buy-back sent, and what its answer settles (a refusal: failed; no answer, or another: unknown)."""
        try:
            answer = commerce.send(change, current, change.request.common)
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
        print(f"  C{n}: {sent.said}", file=out)
        return f"C{n}: {failure[0]}"
    print(f"  C{n}: bought back {seats} seats ({_price(change.source)})", file=out)
    return None


def undo_commerce_changes(
    options: WriteOptions, journal_path: Path, today: date, ask: Callable[[str], bool | None] | None = None
) -> int:
    """`undo COMMERCE_JOURNAL --commerce [--yes]`: buy back what the journal's reductions removed,
    each only inside its window and after a yes to its price; with --yes journaled write-ahead in
    commerce-undo-<UTC time>.jsonl beside the journal. Exit 3 when a change's outcome is unknown, a
    buy-back failed or a journal line is cut (each named)."""
    chosen = ask or _ask

    def body(lines: list[CommerceLine], problems: list[str]) -> None:
        folder = journal_path.resolve().parent
        last = latest(lines, lambda ln: ln.n).values()
        backs = [ln for ln in last if ln.outcome in ("done", *_UNSETTLED) and ln.kind != "cancel"]
        tenant = tenant_of(options, backs, folder) if backs else TenantNow()
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
                    folder=folder,
                    tenant=tenant,
                )
            finally:
                commerce.close()

    return undo_run(journal_path, "commerce journal", ("commerce change needs", "commerce changes need"), body)


def _back(change: CommerceChange, seats: int) -> CommerceRequest:
    """The request that puts the seat count back to `seats` (a reduction for the renewal: unscheduled)."""
    path = change.request.path
    if change.source == BILLING_ACCOUNT:
        return CommerceRequest(method="PATCH", path=path, body=RequestBody(properties=Quantity(seats)))
    if change.kind == "schedule_reduction":
        return CommerceRequest(method="PATCH", path=path, body=RequestBody(scheduledNextTermInstructions=None))
    return CommerceRequest(method="PATCH", path=path, body=RequestBody(quantity=seats))
