"""`undo DISTRIBUTOR_JOURNAL --distributor [--yes]`: put back each done reduction of `apply --distributor`,
newest first. An undo is a write like any other, decided at the call from the sources
(docs/plan-and-apply.md, "What undo reads at the call"); the files beside the journal only select:

- the journal's line names the change, and the plan it came from (found by the SHA-256 the line
  carries: plan.json beside the journal, or the copy apply kept) must bear it out, with the quantity
  the journal says was read before the write (bound); a hash of a file in the same folder proves
  nothing, so neither bounds what is bought;
- the subscription is re-read (it must still have the seats the reduction left) and the distributor's
  own record gives the quantity before its last change (Pax8's subscription history, DistributorSession.recorded):
  the put-back never goes above it;
- the tenant's seats are read from Graph (GET /subscribedSkus): after the put-back the distributor bills
  at most the seats assigned now plus the spare seats the operator's policy allows, never a plan's
  (distributor_bound);
- the question names the seats and the price per seat the distributor gives now (Pax8's partnerCost);
- the customer must be the tenant's by the mapping kept beside the plan (auditor.vendors.mappings, as audit
  and apply --distributor hold it): one kept as another tenant's, or whose record at the distributor changed,
  is named and nothing is sent for it (exit 3); so is every customer when no mappings.json is found there (a
  journal moved away with its plan copy) or no plan is beside the journal. A purchase's undo is held to it too.

A change an earlier undo beside the journal already gave back (its `distributor-undo-*.jsonl`: a `done`
line of the same plan, change and subscription, from the quantity this one left, written after it) is
named as already undone and not read again: a second undo exits 0 (`already_undone`).

Only after a yes is anything sent. What it cannot put back (an edited or unbound line, a quantity changed
since, a record that shows no reduction, seats not assigned, no terminal, a failed put-back, a cancellation
made, a change left sending or unknown) is named on stderr, and undo exits 3.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TextIO

import msgspec

from auditor.common.numbers import english_count
from auditor.formats.bill_model import CommerceChange, CommerceLine

from ..distributor.distributor_changes import NAMES, NOW
from ..distributor.distributor_rederive import CustomerProof, mapping_of
from ..distributor.distributor_requests import CANCEL, INCREASE, REDUCE
from ..vendors.mappings import FILE, Book
from ..vendors.opened import sessions_for
from ..vendors.protocols import DistributorSession, Now, Unread
from ..vendors.registry import DISTRIBUTOR_APIS, DISTRIBUTORS
from . import run, undo_bound
from .arguments import WriteOptions
from .distributor import distributor_of, send_journaled
from .distributor_bound import TenantNow
from .distributor_purchase_undo import Done, reread_as_left, take_back
from .plan_binding import plan_beside
from .undo_bound import Offer, undo_each
from .write_engine import BillJournal, journal_beside, latest, plan_of, read_lines, undo_run
from .write_engine import ask as _ask


def _put_back(change: CommerceChange, to: int) -> CommerceChange:
    """The undo of a done reduction: the subscription set from the seats the reduction left to `to`."""
    assert change.to is not None  # distributor_of held it to its shape
    return msgspec.structs.replace(
        change,
        kind="undo_reduce",
        sku_id=None,
        from_=change.to,
        to=to,
        seats=to - change.to,
        monthly_saving=None,
        window=NOW,
        not_before=None,
        by=None,
        saving_from=None,
        request=DISTRIBUTORS[change.source].api.quantity(change.scope, change.api_id, to),
    )


def bound(line: CommerceLine, sent: CommerceLine | None, folder: Path) -> CommerceChange | str:
    """The plan's distributor change a done line records, bound by the plan and the quantity read at the
    call (undo_bound.bound, with distributor_of): what undo may put back at most; else why not."""
    return undo_bound.bound(line, sent, folder, distributor_of, "distributor change D")


def _price(seats: int, sub: Now, at: str) -> str:
    """The seats a put-back buys, at the price per seat the distributor gives now (never a file's)."""
    if sub.price is None:
        return f" ({seats} seats, at a price {at}'s API does not give)"
    return f" ({seats} seats at {sub.price:.2f} at {at} now: they cost {seats * sub.price:.2f} a month again)"


def _target(change: CommerceChange, writer: DistributorSession, sub: Now, tenant: TenantNow, out: TextIO) -> int | str:
    """The quantity to put back, the least of what the journal's line asks (change.from_), what the
    distributor's record had before its last change, and what the tenant's seats allow now (seats billed
    of the product at most its seats assigned plus the policy's spare); why none, when it is no more
    than the quantity now."""
    assert change.from_ is not None and change.to is not None
    target, said = change.from_, f"the journal's line asks {change.from_}"
    try:
        record = writer.recorded(change.scope, change.api_id, sub.quantity)
    except Unread as exc:
        return f"{writer.name}'s record of it could not be read: {exc}"
    if record.kept:
        if record.before is None:
            return record.why
        if record.before < target:
            target, said = record.before, f"{said}, {writer.name}'s history had {record.before} before the reduction"
    room = tenant.room(sub.sku_id, sub.quantity, sub.billed)  # the product's other seats at the distributor stay billed
    if isinstance(room, str):
        return room
    allowed, _, counted = room
    if allowed < target:
        target, said = allowed, f"{said}; {writer.name} bills {sub.billed} seats of it, the tenant's {counted}"
    if target <= sub.quantity:
        return (
            f"{said}: nothing to put back above its {sub.quantity} seats; give the licenses back first "
            "(undo the plan's license changes), then undo --distributor again"
        )
    if target != change.from_:
        print(f"      at most {target} seats: {said}", file=out)
    return target


def _undo_one(
    line: CommerceLine,
    sent: CommerceLine | None,
    writer: DistributorSession,
    out: TextIO,
    *,
    journal: BillJournal | None,
    folder: Path,
    today: date,
    tenant: TenantNow,
) -> Offer | str:
    """The put-back of one done reduction the plan and the sources allow, for undo_each to ask and send;
    else what needs a person."""
    change = bound(line, sent, folder)
    if isinstance(change, str):
        said = f"D{line.n}. {line.sku} at {writer.name} (subscription {line.api_id}): not put back: {change}"
        print(f"  {said}", file=out)
        return f"{said}; put the seats back in {writer.name}'s portal if they are needed"
    unproven = tenant.unproven(change.source, writer, change.scope)
    if unproven:  # the kept mapping does not bear the customer out: nothing is read or sent for it
        said = f"D{line.n}. {change.sku} at {writer.name} (subscription {change.api_id}): not put back: {unproven}"
        print(f"  {said}", file=out)
        return said
    said = f"D{line.n}. put {change.sku} back from {change.to} seats at {writer.name}"
    print(f"  {said} (subscription {change.api_id}; the journal's line: {change.from_} before)", file=out)
    sub = reread_as_left(change, writer, today, said, "reduction", out, tenant.joins)
    if isinstance(sub, str):
        return sub
    target = _target(change, writer, sub, tenant, out)
    if isinstance(target, str):
        print(f"      -> not undone: {target}", file=out)
        return f"{said}: not undone: {target}"
    back = _put_back(change, target)
    said = f"D{line.n}. put {change.sku} back from {change.to} to {target} seats at {writer.name}"
    print(f"      {said}", file=out)

    def send() -> str | None:
        assert journal is not None
        if not send_journaled(back, writer, journal, out, plan_of(line), read=sub.quantity):
            return f"{said}: the put-back failed or its outcome is unknown"
        return None

    return Offer(
        question=f"{said}{_price(target - sub.quantity, sub, writer.name)}?",
        would=f"      -> would ask, then put them back to {target} seats",
        no_terminal="      -> not undone: no terminal to ask at",
        nobody=f"{said}: not undone: nobody was asked; run undo --distributor --yes at a terminal",
        declined="      -> not undone: no yes",
        send=send,
    )


def _take_back(
    line: CommerceLine,
    sent: CommerceLine | None,
    writer: DistributorSession,
    out: TextIO,
    execute: bool,
    journal: BillJournal | None,
    folder: Path,
    today: date,
    tenant: TenantNow,
    now: datetime | None = None,
) -> str | None:
    """A done purchase's seats taken off again (distributor_purchase_undo.take_back), once the plan bears it out."""
    change = bound(line, sent, folder)
    if isinstance(change, str):
        return f"D{line.n}. {line.sku} bought at {NAMES.get(line.source, line.source)}: not taken off: {change}"
    unproven = tenant.unproven(change.source, writer, change.scope)
    if unproven:  # the kept mapping does not bear the customer out: nothing is read or sent for it
        return f"D{line.n}. {change.sku} bought at {writer.name}: not taken off: {unproven}"
    done = Done(line.n, line.at, plan_of(line))
    return take_back(done, change, writer, out, execute=execute, journal=journal, today=today, tenant=tenant, now=now)


UNDO_PREFIX = "distributor-undo"  # an undo's own journal beside the journal it undoes (journal_beside)
_UNDOES = {REDUCE: "undo_reduce", INCREASE: "undo_increase"}  # the kind of the line that gives a change back


def already_undone(folder: Path, lines: Sequence[CommerceLine]) -> dict[tuple[int, str], tuple[str, CommerceLine]]:
    """Each done change of `lines` an earlier undo beside them gave back ((n, subscription) -> that undo's
    journal's name and its `done` line): a line of the same plan, change number and subscription, of the
    kind that undoes it, from the quantity the change left, written no earlier than the change."""
    done = [ln for ln in lines if ln.outcome == "done" and ln.kind in _UNDOES]
    found: dict[tuple[int, str], tuple[str, CommerceLine]] = {}
    if not done:
        return found
    for path in sorted(folder.glob(f"{UNDO_PREFIX}-*.jsonl")):
        for back in read_lines(path, []):  # a cut line of another run undoes nothing here
            for line in done:
                if (
                    back.outcome == "done"
                    and back.kind == _UNDOES[line.kind]
                    and (back.n, back.api_id, back.source) == (line.n, line.api_id, line.source)
                    and plan_of(back) == plan_of(line)
                    and back.from_ == line.to
                    and back.at >= line.at
                ):
                    found[(line.n, line.api_id)] = (path.name, back)
    return found


def undo_distributor(
    lines: Sequence[CommerceLine],
    writers: Mapping[str, DistributorSession],
    ask: Callable[[str], bool | None],
    *,
    execute: bool,
    journal: BillJournal | None,
    out: TextIO,
    folder: Path,
    today: date,
    tenant: TenantNow,
    undone_by: Mapping[tuple[int, str], tuple[str, CommerceLine]] | None = None,
    now: datetime | None = None,
) -> list[str]:
    """Put back the quantity of each reduction the journal's lines record as done, newest first, at most
    what the plan's change took (bound), each after a yes; what needs a person (a change left sending or
    unknown, a cancellation made, a line the plan does not bear out, a quantity changed since, a failed
    put-back)."""
    problems: list[str] = []
    last = latest(lines, lambda ln: (ln.n, ln.api_id))  # each change's outcome, as the journal ends
    sending = latest([ln for ln in lines if ln.outcome == "sending"], lambda ln: (ln.n, ln.api_id))
    problems += _left_open(last)
    done = [ln for ln in lines if ln.outcome == "done" and ln.source in NAMES]
    bought = 0

    def step(line: CommerceLine) -> Offer | str | None:
        nonlocal bought
        if line.kind == CANCEL:  # no distributor documents a way back from a cancellation: a person buys it again
            at = NAMES[line.source]
            said = (
                f"D{line.n}. the cancellation of {line.sku} at {at} (subscription {line.api_id}, {line.from_} seats) "
                f"cannot be undone by this tool: buy the product again in {at}'s portal (or ask {at} to "
                "reactivate the subscription) and assign its seats"
            )
            print(f"  {said}", file=out)
            return said
        earlier = (undone_by or {}).get((line.n, line.api_id))
        if earlier is not None:  # given back by an earlier undo: not a change made since, and nothing to do
            name, back = earlier
            print(f"  D{line.n}. {line.sku} at {NAMES[line.source]} (subscription {line.api_id}): already undone "
                  f"by {name} ({back.from_} -> {back.to} seats, {back.at})", file=out)  # fmt: skip
            return None
        sent = sending.get((line.n, line.api_id))
        writer = writers[line.source]
        if line.kind == INCREASE:  # a purchase: its seats come off again, inside the window (distributor_purchase_undo)
            problem = _take_back(line, sent, writer, out, execute, journal, folder, today, tenant, now)
            if not problem and not execute:
                bought += 1
            return problem
        return _undo_one(line, sent, writer, out, journal=journal, folder=folder, today=today, tenant=tenant)

    undone = undo_each(done, step, ask, problems, execute=execute, out=out)
    if not execute:  # a dry run says so, and how to make it: never a silent exit 0
        _dry_run(out, undone.would, bought)
    return problems


def _left_open(last: Mapping[tuple[int, str], CommerceLine]) -> list[str]:
    """The changes whose last line says `sending` or `unknown`: for a person to check at the distributor."""
    out = []
    for (n, sub_id), line in last.items():
        if line.outcome in ("sending", "unknown"):
            at = NAMES.get(line.source, line.source)
            out.append(f"D{n} ({at} subscription {sub_id}): its outcome is {line.outcome}: check it in {at}'s portal")
    return out


def _dry_run(out: TextIO, would: int, bought: int) -> None:
    put_back = english_count(would, "reduction would be", "reductions would be")
    print(
        f"dry run: {put_back} put back, nothing was written; the same undo with --yes, at a terminal, asks "
        "before each put-back (without a terminal it buys nothing and exits 3)",
        file=out,
    )
    if bought:
        print(f"dry run: {english_count(bought, 'purchase would be', 'purchases would be')} taken off", file=out)


def undo_distributor_changes(options: WriteOptions, journal_path: Path) -> int:
    """`undo DISTRIBUTOR_JOURNAL --distributor [--yes]`: exit 3 when something needs a person (undo_run). Judged
    at apply's clock, or with --demo at the demo's own moment, as apply --demo is (WriteOptions.bill_moment)."""

    def body(lines: list[CommerceLine], problems: list[str]) -> None:
        folder = journal_path.resolve().parent
        undone_by = already_undone(folder, lines)
        done = [ln for ln in lines if ln.outcome == "done" and ln.kind != CANCEL and (ln.n, ln.api_id) not in undone_by]
        sources = {ln.source for ln in done} & set(NAMES)
        tenant = undo_bound.tenant_of(options, done, folder) if sources else TenantNow()
        moment = options.bill_moment(run.clock())
        day = moment.date()
        tenant = _with_mapping(tenant, done, folder, keep=options.yes, since=f"{day.isoformat()}T00:00:00Z")
        with (
            journal_beside(journal_path, UNDO_PREFIX, options.yes, options.journal) as journal,
            sessions_for(DISTRIBUTOR_APIS, sources, options.endpoints, os.environ) as writers,
        ):
            problems += undo_distributor(
                lines,
                writers,
                _ask,
                execute=options.yes,
                journal=journal,
                out=sys.stdout,
                folder=folder,
                today=day,
                tenant=tenant,
                undone_by=undone_by,
                now=moment,
            )

    return undo_run(journal_path, "distributor journal", ("distributor change needs", "distributor changes need"), body)


def _with_mapping(
    tenant: TenantNow, lines: Sequence[CommerceLine], folder: Path, *, keep: bool, since: str
) -> TenantNow:
    """The tenant with what proves each change's customer its own: the mapping kept beside the plan the lines
    name (auditor.vendors.mappings, as audit and apply --distributor are held to it); an undo that writes
    keeps a mapping seen the first time, as apply does. No plan beside the journal: no customer is proven
    (each line is refused by `bound` too); none of its folder's mappings file: likewise (mapping_of)."""
    shas = sorted({plan_of(ln) or "" for ln in lines} - {""})
    plan = next((p for sha in shas if (p := plan_beside(folder, sha)) is not None), None)
    if plan is None:  # fail closed: the check is never skipped
        why = "no plan the journal names is beside it: which tenant's mapping proves the customer cannot be told"
        return dataclasses.replace(
            tenant, mapping=CustomerProof(Book(folder / FILE, unreadable=why), (), keep=False, since=since)
        )
    return dataclasses.replace(tenant, mapping=mapping_of(plan, keep=keep, since=since, undo=True))
