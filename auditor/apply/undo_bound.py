"""What a bill undo (`undo --commerce`, `undo --distributor`) may buy back, bound by the plan and the
sources: one binding for both kinds (docs/bill.md, `undo --commerce`; docs/distributors.md, "Undo").

- `bound`: a done journal line names a change; the plan it came from (found by the SHA-256 the line
  carries: plan.json beside the journal, or the copy apply kept, its bytes hashed again) must hold
  that change equal to the line in every field the two records share (write_engine's `OF_THE_CHANGE`,
  derived from their declarations: a field both gain is compared too), and the `sending` line must
  record, as read at the call before the write, the change's `from`. Each kind gives its reader of the
  plan's changes (distributor_of, commerce_of); what it may buy back is the plan's change, never the line.
- `tenant_of`: the tenant's seats now (Graph) and the operator's policy, never a plan's
  (distributor_bound.tenant_now), read once, for the tenant of the plans the lines name; what a put-back
  may leave billed (TenantNow.room).
- `undo_each`: the one loop of both undos: each line newest first, the kind's step (bound, re-read, the
  seats: an `Offer`, or what needs a person), then the same ask and send for both: a dry run says what it
  would ask, nobody to ask (no terminal) buys nothing and needs a person (exit 3), a no buys nothing, a
  yes sends it through the engine's write-ahead path. A kind declares only its words and its write.

The days of a change (fresh.WHEN: its window, `by`) are the fresh compile's in the journal and the plan's
in the file (a plan may put them later, never sooner: auditor.apply.agree); they are not compared, and
undo reads them from the plan's change, never from the line.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from auditor.common.errors import UsageError
from auditor.formats.bill_model import CommerceChange, CommerceLine

from ..formats.plan_json import PlanFileError
from .arguments import WriteOptions
from .distributor_bound import TenantNow, tenant_now
from .fresh import WHEN
from .plan_binding import plan_beside, read_again
from .write_engine import OF_THE_CHANGE, plan_of, read_of

Reader = Callable[[bytes, str], list[CommerceChange]]  # a kind's changes of a plan (its bytes, its name)

# what a done line must say as the plan's change does: every field the two records share but the change's
# number (what finds it) and its days (the engine's to move: not compared, read from the plan)
COMPARED = tuple(f for f in OF_THE_CHANGE if f != "n" and f not in WHEN)
_NAMED = ("source", "scope", "api_id", "kind", "from_", "to")  # what a line is said by when these differ


def plan_changes(folder: Path, sha256: str, reader: Reader) -> list[CommerceChange] | None:
    """A kind's changes of the plan of that SHA-256 beside the journal (plan.json, or the copy apply kept:
    plan_binding.plan_beside), read by `reader` from the bytes that bear that SHA-256; None when neither
    is that plan (or it does not read)."""
    plan = plan_beside(folder, sha256)
    if plan is None:
        return None
    try:
        return reader(read_again(plan), str(plan.path))
    except (UsageError, PlanFileError):
        return None


def bound(
    line: CommerceLine, sent: CommerceLine | None, folder: Path, reader: Reader, what: str
) -> CommerceChange | str:
    """The plan's change a done line records (`what`: "distributor change D", "commerce change C"), as the
    plan (bound by its SHA-256) and the quantity read at the call (the change's `sending` line) say it:
    what undo may buy back at most. Why the line cannot be undone, when the journal names no plan, the
    plan is not beside it, or the line or the quantity read disagree with the plan's change (an edited
    journal)."""
    sha = plan_of(line)
    if not sha:
        return "the journal names no plan it came from: what it may put back is not known"
    changes = plan_changes(folder, sha, reader)
    if changes is None:
        return f"the plan it came from (SHA-256 {sha[:16]}…) is not beside the journal"
    found = [c for c in changes if c.n == line.n]
    if len(found) != 1:
        return f"the plan it came from has no {what}{line.n}"
    (change,) = found
    if [getattr(line, f) for f in _NAMED] != [getattr(change, f) for f in _NAMED]:
        return (
            f"the journal says {line.api_id} {line.from_} -> {line.to}, the plan's change "
            f"{change.api_id} {change.from_} -> {change.to}"
        )
    differs = next((f for f in COMPARED if getattr(line, f) != getattr(change, f)), None)
    if differs is not None:
        said, planned = repr(getattr(line, differs))[:80], repr(getattr(change, differs))[:80]
        return f"the journal's `{differs.rstrip('_')}` is {said}, the plan's change's {planned}"
    quantity = None if sent is None else read_of(sent)
    if quantity is None or quantity != change.from_:
        read = "no quantity" if quantity is None else f"{quantity} seats"
        return f"the journal records {read} read before the write, the plan's change {change.from_}"
    return change


def tenant_of(options: WriteOptions, lines: Sequence[CommerceLine], folder: Path) -> TenantNow:
    """The tenant's seats now and the operator's policy (distributor_bound), read once before any buy-back, for
    the plans the lines (those undo may buy back for) name; the tenant signed in to is the one the operator
    names, and it must be the plan's."""
    shas = {sha for ln in lines if (sha := plan_of(ln))}
    plans = [p for p in (plan_beside(folder, sha) for sha in sorted(shas)) if p is not None]
    if not plans:
        return TenantNow(unread="no plan the journal names is beside it: which tenant it is cannot be told")
    if len({p.tenant_id for p in plans}) > 1:
        return TenantNow(unread="the journal's lines name plans of more than one tenant")
    return tenant_now(options, plans[0])


def _no_note(outcome: str, note: str) -> None:
    """A kind whose undo journals only what it sends."""


@dataclass(frozen=True)
class Offer:
    """A buy-back the plan and the sources allow, as its kind says it: the question, the console's line in a
    dry run, when nobody can be asked, and after a no; the problem when nobody could be asked (exit 3); the
    write (journaled write-ahead: what needs a person when it is not done, else None); and a line of the undo's
    journal for a buy-back not sent (its outcome, its note)."""

    question: str
    would: str
    no_terminal: str
    nobody: str
    declined: str
    send: Callable[[], str | None]
    note: Callable[[str, str], None] = _no_note


@dataclass
class Undone:
    """What undo_each counts: the buy-backs done, and those a dry run would ask for."""

    done: int = 0
    would: int = 0


def undo_each(
    lines: Sequence[CommerceLine],
    step: Callable[[CommerceLine], Offer | str | None],
    ask: Callable[[str], bool | None],
    problems: list[str],
    *,
    execute: bool,
    out: TextIO,
) -> Undone:
    """Each line, newest first: the kind's `step` (an Offer; what needs a person, added to `problems`; None:
    nothing to ask, said already), then the one ask and send of every bill undo."""
    undone = Undone()
    for line in reversed(lines):
        offer = step(line)
        if offer is None or isinstance(offer, str):
            problems += [offer] if offer else []
            continue
        if not execute:
            print(offer.would, file=out)
            undone.would += 1
            continue
        yes = ask(offer.question)
        if yes is None:  # nobody could be asked (no terminal): nothing bought, and the run says so (exit 3)
            print(offer.no_terminal, file=out)
            offer.note("declined", "not asked: no terminal")
            problems.append(offer.nobody)
            continue
        if not yes:
            print(offer.declined, file=out)
            offer.note("declined", "no yes to the price")
            continue
        failed = offer.send()
        if failed:
            problems.append(failed)
        else:
            undone.done += 1
    return undone
