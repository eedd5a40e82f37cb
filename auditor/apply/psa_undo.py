"""`undo PSA_JOURNAL --psa [--yes]`: set back each quantity `apply --psa` changed, newest first, proven by the
PSA's own record read at the call (auditor.vendors.psa_writes):

- the journal's done line must be the plan's change (the plan it came from, found by the SHA-256 the line
  carries beside the journal, or the copy apply kept: undo_bound.bound), with the quantity read before it;
  an edited journal line sets nothing back;
- the change's company must be the tenant's by the mapping kept beside the plan or in the folder above it
  (auditor.vendors.mappings, as apply --psa's fresh compile is held to it), the PSA's record of the company
  read again: a company it does not bear out, or no mappings.json found there (a journal moved away from its
  report folder with its plan copy), sets nothing back for it (exit 3);
- the line is read again from the PSA: it must still have the quantity the change set (one that has the
  quantity before it already is named as set back, nothing sent; any other is named for a person);
- the change back is the PSA's own request for the quantity before (Autotask: a compensating
  ContractServiceAdjustment, its unitChange the opposite of the one sent, from the same effectiveDate;
  ConnectWise: the addition's quantity; Halo: the line's qty_order), journaled in psa-undo-<UTC time>.jsonl
  beside the journal before it is sent, and `done` only when the line read again has the quantity before.

Each change back is asked at the terminal first (a no sets nothing back); --yes sets each back without asking.
Without --yes and with no terminal to ask at, it says what it would set back and writes nothing. What it
cannot set back is named on stderr, exit 3.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TextIO

import msgspec

from auditor.billing.psa_records import PsaLineRecord
from auditor.formats.bill_model import CommerceChange, CommerceLine

from ..distributor.distributor_rederive import mapping_of
from ..vendors import psa_writes
from ..vendors.mappings import FILE, Book, Proof
from ..vendors.opened import sessions_for
from ..vendors.protocols import PsaError, PsaSession
from ..vendors.registry import NAMES, PSAS
from . import run, undo_bound
from .arguments import WriteOptions
from .plan_binding import plan_beside
from .psa import psa_of
from .write_engine import BillJournal, Sent, journal_beside, journaled, latest, plan_of, undo_run
from .write_engine import ask as _ask

UNDO_PREFIX = "psa-undo"  # an undo's own journal beside the journal it undoes
UNDO_KIND = "undo_set_quantity"
Ask = Callable[[str], bool | None]  # a yes from the person at the terminal (None: nobody to ask)


def _can_ask() -> bool:
    """A person at a terminal, to ask before each change back when --yes is not given."""
    return sys.stdin.isatty()


def back(change: CommerceChange) -> CommerceChange:
    """The change that sets the line back to the quantity before `change` (the PSA's own request for it)."""
    assert change.to is not None and change.from_ is not None
    body = change.request.common
    day = body.effectiveDate if body is not None and isinstance(body.effectiveDate, str) else None
    line = PsaLineRecord(
        agreement_id=change.subscription or "",
        agreement="",
        id=change.api_id,
        product="",
        quantity=change.to,
        less_included=0,
        billed=change.to,
        unit_price=None,
        unit_cost=None,
        billable=True,
        effective=day[:10] if day else None,
    )
    return msgspec.structs.replace(
        change,
        kind=UNDO_KIND,
        from_=change.to,
        to=change.from_,
        monthly_saving=-change.monthly_saving,
        request=PSAS[change.source].quantity_request(line, change.from_),
    )


def _one(
    line: CommerceLine,
    sent: CommerceLine | None,
    session: PsaSession,
    *,
    execute: bool,
    journal: BillJournal | None,
    out: TextIO,
    folder: Path,
    on: str,
    ask: Ask | None = None,
    proof: Proof | None = None,
) -> str | None:
    """Set one done change back (or say what it would do); what needs a person, else None. With `ask`, only
    after its yes; with `proof`, only for a company it proves the tenant's."""
    at = NAMES.get(line.source, line.source)
    name = f"P{line.n}. {line.sku} in {at} (agreement {line.subscription}, line {line.api_id})"
    change = undo_bound.bound(line, sent, folder, psa_of, "psa change P")
    if isinstance(change, str):
        print(f"  {name}: not set back: {change}", file=out)
        return f"{name}: not set back: {change}"
    why = proof.why_not(change.source, session, change.scope, "") if proof is not None else None
    if why:  # the kept mapping does not bear the company out: nothing is read or sent for it
        said = f"{name}: not set back: {at} company {change.scope} is not proven this tenant's: {why}"
        print(f"  {said}", file=out)
        return said
    try:
        now = psa_writes.quantity_now(session, change, on)
    except PsaError as exc:
        return f"{name}: not set back: the line could not be read again: {exc}"
    if now == change.from_:
        print(f"  {name}: already {now}, the quantity before the change: nothing to set back", file=out)
        return None
    if now != change.to:
        said = "the PSA bills no such one line now" if now is None else f"the line has {now} now"
        print(f"  {name}: not set back: {said}, not the {change.to} the change set", file=out)
        return f"{name}: not set back: {said}, not the {change.to} the change set (changed since: check it in {at})"
    undo = back(change)
    print(f"  {name}: set back from {undo.from_} to {undo.to}", file=out)
    body = "" if undo.request.body is None else f" {msgspec.to_builtins(undo.request.body)}"
    print(f"      {undo.request.method} {undo.request.path}{body}", file=out)
    if not execute:
        print("      -> would apply", file=out)
        return None
    if ask is not None and ask(f"{name}: set back from {undo.from_} to {undo.to}?") is not True:
        print("      -> not set back: no yes", file=out)
        return None

    def send() -> Sent:
        answer = psa_writes.send(session, undo, on)
        return Sent(answer.outcome, answer.note, answer.status)

    result = journaled(journal, undo, send, plan=plan_of(line), read=now)
    print(f"      -> {result.said}", file=out)
    return None if result.outcome == "done" else f"{name}: set back {result.outcome}: {result.note}"


def undo_psa(
    lines: Sequence[CommerceLine],
    sessions: Mapping[str, PsaSession],
    *,
    execute: bool,
    journal: BillJournal | None,
    out: TextIO,
    folder: Path,
    on: str,
    ask: Ask | None = None,
    proof: Proof | None = None,
) -> list[str]:
    """Set back each change the journal's lines record as done, newest first, each after `ask`'s yes when
    given and for a company `proof` proves the tenant's; what needs a person."""
    problems: list[str] = []
    last = latest(lines, lambda ln: (ln.n, ln.api_id))
    sending = latest([ln for ln in lines if ln.outcome == "sending"], lambda ln: (ln.n, ln.api_id))
    for (n, line_id), ln in last.items():
        if ln.outcome in ("sending", "unknown"):
            problems.append(f"P{n} (line {line_id}): its outcome is {ln.outcome}: check it in {NAMES.get(ln.source)}")
    done = [ln for ln in last.values() if ln.outcome == "done" and ln.source in sessions]
    for line in reversed(done):
        sent = sending.get((line.n, line.api_id))
        kw = {"execute": execute, "journal": journal, "out": out, "folder": folder, "on": on, "ask": ask}
        problem = _one(line, sent, sessions[line.source], proof=proof, **kw)  # type: ignore[arg-type]
        if problem:
            problems.append(problem)
    if not execute:
        print(
            "dry run: nothing was written; the same undo at a terminal asks before each quantity it sets back, "
            "with --yes it sets each back without asking",
            file=out,
        )
    return problems


def undo_psa_changes(options: WriteOptions, journal_path: Path) -> int:
    """`undo PSA_JOURNAL --psa [--yes]`: exit 3 when something needs a person (undo_run)."""

    def body(lines: list[CommerceLine], problems: list[str]) -> None:
        folder = journal_path.resolve().parent
        sources = {ln.source for ln in lines if ln.outcome == "done"} & set(PSAS)
        asking = not options.yes and _can_ask()  # without --yes, a person at a terminal says yes to each
        with (
            journal_beside(journal_path, UNDO_PREFIX, options.yes or asking, options.journal) as journal,
            sessions_for(PSAS, sources, options.endpoints, os.environ) as sessions,
        ):
            on = run.bill_day(options).isoformat()  # apply's day (the demo's own with --demo): the lines it read
            problems += undo_psa(
                lines,
                sessions,
                execute=options.yes or asking,
                journal=journal,
                out=sys.stdout,
                folder=folder,
                on=on,
                ask=_ask if asking else None,
                proof=_proof(lines, folder, f"{on}T00:00:00Z"),
            )

    return undo_run(journal_path, "psa journal", ("psa change needs", "psa changes need"), body)


def _proof(lines: Sequence[CommerceLine], folder: Path, since: str) -> Proof:
    """What proves each change's company the tenant's: the mapping kept beside the plan the lines name or in
    the folder above it (distributor_rederive.mapping_of, as apply --psa's fresh compile reads it), never kept
    for the first time by an undo. No plan beside the journal, or no mappings file in either folder: no company
    is proven (fail closed: the check is never skipped)."""
    shas = sorted({plan_of(ln) or "" for ln in lines if ln.outcome == "done"} - {""})
    plan = next((p for sha in shas if (p := plan_beside(folder, sha)) is not None), None)
    if plan is None:
        why = "no plan the journal names is beside it: which tenant's mapping proves the company cannot be told"
        return Proof(Book(folder / FILE, unreadable=why), {"": ()}, keep=False, since=since)
    mapped = mapping_of(plan, keep=False, since=since, undo=True)
    return Proof(mapped.book, {"": mapped.tenant}, keep=False, since=since)
