"""The journaled write engine: one write-ahead path for every write kind, and the rest of the bill's writes
(`apply --commerce`, `apply --distributor` and their undo).

A write kind declares what is its own: where its changes are in the fresh compile (`InFresh`), how a change
is shown, what it re-reads and re-derives at the call (the subscription, the tenant's seats: its `check`),
the request it sends and how the answer is read. The engine does the rest, the same for every kind:

- the file selects, the source decides (`agreed`, the one caller of auditor.apply.agree): a kind's changes
  as the file has them, against the fresh compile's (auditor.apply.fresh); a change the fresh compile does
  not hold equal in every field is refused by the engine, named with the field that differs, never sent and
  never given to the kind's `check` (the licence changes: run.py; the bill's: `selected`, then
  `run_changes`, or `refused_ahead` for a kind that says its refusals before the run);
- write-ahead (`journaled`; `journaled_async` for the licence changes' Graph calls, session.Session.write;
  `written` for a kind that writes its own lines, the tickets' PSA calls, auditor.fleet.tickets):
  `sending` on disk before the request goes out, the outcome after; a journal that cannot take a line says
  whether the request went out;
- the bill's journal (BillJournal, on journal.LineFile, as the licence changes' journal.JournalWriter):
  `--journal` or a name of its own (journal.default_path), never another run's file;
- the loop of a plan's bill changes (`run_changes`): each shown and checked, then held (skipped, refused,
  scheduled: journaled `not sent`), said (a dry run) or sent;
- the run signed in to the plan's tenant before any journal or request (`signed_in`);
- a bill kind's `apply PLAN --<flag>` (`apply_bill`): the plan read again, its changes selected, the journal
  opened, the run signed in and made, exit 3; the kind declares what differs (`BillEntry`);
- undo's frame (`undo_run`): the journal held and read (`read_lines`, on the one reader journal.whole_lines),
  each put-back sent through `journaled`, what needs a person named on stderr (exit 3).

The plan a write is bound to is found and re-checked in plan_binding.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Protocol, TextIO

import msgspec

from auditor.common import shapes
from auditor.common.errors import EXIT_COLLECTION, EXIT_OK, CollectionError, UsageError
from auditor.common.numbers import english_count
from auditor.formats.bill_model import CommerceChange, CommerceLine
from auditor.formats.change_model import Change
from auditor.formats.plan_json import PlanFile

from ..vendors.registry import BODIES
from . import permissions
from .agree import Agreement, C, Refusal, agreement
from .fresh import WHEN, FreshPlan
from .journal import JournalError, LineFile, default_path, whole_lines
from .lock import hold
from .plan_binding import keep_plan, read_again

# --- the file selects, the source decides ------------------------------------------------------------------


@dataclass(frozen=True)
class InFresh:
    """Where a write kind's changes are in a plan (the file's, and the fresh compile's): plan.json's `changes`
    (`bill` None), or its bill's `commerce` or `distributor`; and the fields that say on which day one is made
    (`when`: a bill change's; the file may put it later, never sooner). A kind declares it; the engine compares."""

    bill: str | None = None
    when: tuple[str, ...] = ()

    def fresh(self, fresh: FreshPlan) -> Sequence[Change | CommerceChange]:
        return fresh.changes if self.bill is None else fresh.bill_changes(self.bill)


LICENCE = InFresh()  # the licence changes: plan.json's `changes`


def in_bill(key: str) -> InFresh:
    """The bill's `commerce` or `distributor` changes, on their days (fresh.WHEN)."""
    return InFresh(key, WHEN)


def agreed(where: InFresh, file_changes: Sequence[C], fresh: FreshPlan, today: str = "") -> Agreement[C]:
    """The engine's one step of the fresh compile, for every kind: the file's changes of a kind (typed records,
    as apply read them) against the fresh compile's (`where`), compared in every field (auditor.apply.agree);
    `today`: apply's day (ISO: a day of the plan gone by counts as today)."""
    if not file_changes:
        return Agreement({}, {})
    kind = type(file_changes[0])  # the file's records and the fresh compile's are of one kind
    fresh_changes = [c for c in where.fresh(fresh) if isinstance(c, kind)]
    return agreement(file_changes, fresh_changes, when=where.when, today=today)


@dataclass(frozen=True)
class Selection:
    """A plan's bill changes of one kind after the fresh compile: each it holds as the fresh compile has it
    (its day, the plan's number), each other as the plan has it, refused (by its number) and never sent."""

    changes: list[CommerceChange]
    refused: dict[int, Refusal]


def selected(where: InFresh, changes: Sequence[CommerceChange], fresh: FreshPlan, today: date) -> Selection:
    """The plan's bill changes of one kind (`where`: the bill's `commerce`, `distributor` or `psa`; `changes`: as
    apply read them from the plan), agreed with the fresh compile's (`agreed`)."""
    found = agreed(where, changes, fresh, today.isoformat())
    out = [msgspec.structs.replace(found.matched[c.n], n=c.n) if c.n in found.matched else c for c in changes]
    return Selection(out, found.refused)


def refused_ahead(selection: Selection, flag: str, mark: str, err: TextIO) -> list[CommerceChange]:
    """For a kind that says its refusals before the run (apply --commerce): each refused change named on `err`
    with the field that differs (never journaled: no journal is open yet), and the changes left to run; when
    none is left, CollectionError (exit 3) before anything is signed in to."""
    for n, refusal in selection.refused.items():
        print(
            f"license-auditor: {flag} change {mark}{n} ({refusal.field}): refused, nothing sent: {refusal.why}",
            file=err,
        )
    left = [c for c in selection.changes if c.n not in selection.refused]
    if not left:
        raise CollectionError(f"{len(selection.refused)} {flag} change(s) refused, nothing sent (each named above)")
    return left


def _refused(change: CommerceChange, refusal: Refusal, said: str) -> Held:
    """A change the fresh compile does not hold as it is, refused by the engine: journaled `refused`, counted
    (exit 3), named on stderr (`said`: how the kind names the change)."""
    why = f"({refusal.field}) {refusal.why}"
    return Held(
        change,
        f"REFUSED: {why}",
        "refused",
        f"not sent: {why}",
        counts=True,
        named=f"{said}: refused, nothing sent: {why}",
    )


# --- the bill's journal ------------------------------------------------------------------------------------


# what a journal line keeps of its change: every field the two records share, so a field both gain is kept too
OF_THE_CHANGE = tuple(f for f in CommerceLine.__struct_fields__ if f in CommerceChange.__struct_fields__)


class BillJournal:
    """One JSON line per step, durable before the next (write-ahead), with the licence journal's
    guarantees (journal.LineFile): created exclusively, 0600, locked, the directory fsync'ed, and
    whole lines only; a line the disk cannot take is JournalError (exit 3)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file = LineFile(path, "the commerce journal", "the commerce journal")

    def write(
        self,
        change: CommerceChange | CommerceLine | Mapping[str, object],
        outcome: str,
        note: str = "",
        status: int | None = None,
        *,
        plan: str | None = None,
        read: int | None = None,
    ) -> None:
        """One line: the change as plan.json has it (an undo's change as undo makes it), its outcome;
        a plan's change's lines also the plan's SHA-256 and the quantity re-read before the write.
        A mapping (a change as JSON) is read as a line first."""
        if not isinstance(change, CommerceChange | CommerceLine):
            change = BODIES.change(shapes.convert(change, CommerceLine))
        line = CommerceLine(
            at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            **{name: getattr(change, name) for name in OF_THE_CHANGE},
            outcome=outcome,
            status=status,
            note=note[:600],
            plan=msgspec.UNSET if plan is None else plan,
            read=msgspec.UNSET if read is None else read,
        )
        self._file.append(line)

    def close(self) -> None:
        self._file.close()


def read_lines(path: Path, problems: list[str]) -> list[CommerceLine]:
    """The bill's journals (apply --commerce's, apply --distributor's, their undo's) read by the one reader
    (journal.whole_lines), each line typed at this border; a line cut or out of shape (no outcome, no `from`
    or `to`) is named in `problems` (its change not known), never a crash."""
    lines: list[CommerceLine] = []
    for number, raw in whole_lines(path):
        try:
            line: CommerceLine | None = BODIES.change(shapes.decode(raw, CommerceLine))
        except (ValueError, msgspec.DecodeError):
            line = None
        if line is None or not line.outcome or line.from_ is None or line.to is None:
            problems.append(f"{path.name}:{number}: not a whole journal line (cut?): its change is not known")
            continue
        lines.append(line)
    return lines


def latest(lines: Sequence[CommerceLine], key: Callable[[CommerceLine], object]) -> dict[Any, CommerceLine]:
    """The last line of each change (by `key`): its outcome, as the journal ends."""
    last: dict[Any, CommerceLine] = {}
    for line in lines:
        last[key(line)] = line
    return last


def plan_of(line: CommerceLine) -> str | None:
    """The SHA-256 of the plan a line names (apply --commerce's and --distributor's lines carry it)."""
    return line.plan if isinstance(line.plan, str) else None


def read_of(line: CommerceLine) -> int | None:
    """The quantity read at the call before the write, as a `sending` line keeps it."""
    return line.read if isinstance(line.read, int) else None


@dataclass(frozen=True)
class Sent:
    """What a write's answer settles: `done`, `failed` (refused: nothing changed) or `unknown`; the note
    journaled with it, the HTTP status, and the console's words when they are not the outcome's own."""

    outcome: str
    note: str = ""
    status: int | None = None
    shown: str = ""

    @property
    def said(self) -> str:
        """What the console says after `->`."""
        if self.shown:
            return self.shown
        word = {"done": "done", "failed": "FAILED", "unknown": "OUTCOME UNKNOWN"}[self.outcome]
        return word + (f": {self.note}" if self.note and self.outcome != "done" else "")


Line = Callable[[str, str, int | None], None]  # one journal line of a write: (outcome, note, HTTP status)


def _ahead(line: Line, note: str, not_sent: Callable[[], str] | None) -> None:
    """The `sending` line, on disk before the request goes out; nothing is sent when the journal cannot take it."""
    try:
        line("sending", note, None)
    except JournalError as exc:
        if not_sent is None:
            raise
        raise JournalError(f"{exc}; {not_sent()}") from None


def _after(line: Line, sent: Sent, lost: Callable[[Sent], str] | None) -> Sent:
    """The outcome line; a journal that cannot take it stops the run naming what was sent (`lost`)."""
    try:
        line(sent.outcome, sent.note, sent.status)
    except JournalError as exc:
        if lost is None:
            raise
        raise JournalError(f"{exc}; {lost(sent)}") from None
    return sent


def bill_line(
    journal: BillJournal | None, change: CommerceChange | CommerceLine, plan: str | None, read: int | None
) -> Line:
    """A bill change's journal lines: the plan's SHA-256 with each, the quantity `read` at the call with `sending`."""

    def line(outcome: str, note: str, status: int | None) -> None:
        if journal is not None:
            journal.write(change, outcome, note, status, plan=plan, read=read if outcome == "sending" else None)

    return line


def journaled(
    journal: BillJournal | None,
    change: CommerceChange | CommerceLine,
    send: Callable[[], Sent],
    *,
    note: str = "",
    plan: str | None = None,
    read: int | None = None,
    not_sent: Callable[[], str] | None = None,
    lost: Callable[[Sent], str] | None = None,
) -> Sent:
    """The one write-ahead path of every bill write (a plan's change, a put-back, a buy-back): `change`
    journaled `sending` (with `note`, the plan's SHA-256 and the quantity `read` at the call) before `send`
    is called, then its outcome. A journal that cannot take the `sending` line stops with nothing sent
    (`not_sent` says which change); one that cannot take the outcome stops naming what was sent (`lost`)."""
    return written(bill_line(journal, change, plan, read), send, note=note, not_sent=not_sent, lost=lost)


def written(
    line: Line,
    send: Callable[[], Sent],
    *,
    note: str = "",
    not_sent: Callable[[], str] | None = None,
    lost: Callable[[Sent], str] | None = None,
) -> Sent:
    """The write-ahead path itself, for a kind that writes its own lines (`line`: a bill change's, a ticket's):
    `sending` (with `note`) on disk before `send` is called, then its outcome; `not_sent`, `lost` as `journaled`'s."""
    _ahead(line, note, not_sent)
    return _after(line, send(), lost)


async def journaled_async(line: Line, send: Callable[[], Awaitable[Sent]], *, lost: Callable[[Sent], str]) -> Sent:
    """The same write-ahead path for a licence change (session.Session.write): `sending`, the Graph call and
    what settles it (`send`), then the outcome line."""
    _ahead(line, "", None)
    return _after(line, await send(), lost)


@dataclass(frozen=True)
class Held:
    """A change not sent: the console's words after `->`, its journaled outcome and note; `counts`: it
    counts with the failed and unknown (exit 3); `named`: the words for stderr, after the run (a refusal)."""

    change: CommerceChange
    shown: str
    outcome: str
    note: str
    counts: bool = False
    named: str = ""


@dataclass(frozen=True)
class Ready:
    """A change the re-read allows: the change as sent, its request (`send`), a note (said in brackets and
    journaled with `sending`), the quantity read at the call (journaled with `sending`), and what the kind
    counts once it is sent or, in a dry run (None), would be (`after`: what its later checks see)."""

    change: CommerceChange
    send: Callable[[], Sent]
    note: str = ""
    read: int | None = None
    after: Callable[[Sent | None], None] = lambda sent: None


class WriteKind(Protocol):
    """What a bill write kind declares; run_changes does the rest."""

    flag: str  # its apply flag, and the word its changes are counted under ("commerce", "distributor")
    plan: str | None  # the plan's SHA-256, journaled with each line (None: not journaled)
    where: InFresh  # its changes in the plan and in the fresh compile (`selected` compares them)

    def show(self, change: CommerceChange) -> CommerceChange:
        """Show the change on the console; the change as it is sent (a cancellation's day: the call's)."""
        ...

    def said(self, change: CommerceChange) -> str:
        """The change named for stderr (a refusal's line)."""
        ...

    async def check(self, change: CommerceChange, execute: bool) -> Held | Ready:
        """Re-read and re-derive the change (as shown) at the call: held (why not), or ready to send. Never
        called for a change the fresh compile refused."""
        ...

    def not_sent(self, change: CommerceChange) -> str:
        """The words for a `sending` line the journal could not take: nothing was sent."""
        ...

    def lost(self, change: CommerceChange, sent: Sent) -> str:
        """The words for an outcome the journal could not take: the request went out."""
        ...


async def run_changes(
    changes: Sequence[CommerceChange],
    kind: WriteKind,
    *,
    execute: bool,
    journal: BillJournal | None,
    out: TextIO,
    refused: Mapping[int, Refusal] | None = None,
    refusals: list[str] | None = None,
) -> int:
    """Make (or, without `execute`, check and show) each change of one kind, in order: the number held as
    refused, failed, or whose outcome is unknown. `refused`: the changes the fresh compile does not hold as
    they are (`selected`), each refused here, its kind's `check` never called; `refusals`: each refused
    change named, for stderr."""
    failed = 0
    mode = "making them" if execute else f"dry run, nothing is changed (--yes --{kind.flag} makes them)"
    print(f"{kind.flag} changes: {len(changes)} ({mode})", file=out)
    for planned in changes:
        shown = kind.show(planned)
        refusal = (refused or {}).get(planned.n)
        step = await kind.check(shown, execute) if refusal is None else _refused(shown, refusal, kind.said(shown))
        if isinstance(step, Held):
            print(f"      -> {step.shown}", file=out)
            failed += step.counts
            if step.named and refusals is not None:
                refusals.append(step.named)
            if journal is not None:
                journal.write(step.change, step.outcome, step.note, plan=kind.plan)
            continue
        if step.note:
            print(f"      ({step.note})", file=out)
        if not execute:
            step.after(None)
            print("      -> would apply", file=out)
            if journal is not None:
                journal.write(step.change, "dry-run", "would apply", plan=kind.plan)
            continue
        assert journal is not None
        change = step.change
        sent = journaled(
            journal,
            change,
            step.send,
            note=step.note,
            plan=kind.plan,
            read=step.read,
            not_sent=lambda: kind.not_sent(change),  # noqa: B023 (called before the loop goes on)
            lost=lambda s: kind.lost(change, s),  # noqa: B023
        )
        print(f"      -> {sent.said}", file=out)
        failed += sent.outcome != "done"
        step.after(sent)
    return failed


def signed_in(
    client: Any,
    tenant_id: str,
    opening: Callable[[], BillJournal | None],
    body: Callable[[BillJournal | None], Awaitable[int]],
) -> tuple[int, Path | None]:
    """One event loop for the run (the Graph client's connections belong to the loop that opened them): the
    credential shown to sign in to the plan's tenant before any journal or request (another tenant's token
    stops here), then the journal opened (`opening`: None in a dry run) and the changes run (`body`); the
    number `body` counts, and the journal's path."""
    opened: list[BillJournal] = []

    async def run() -> int:
        try:
            await permissions.check_tenant(client, tenant_id)
            journal = opening()
            if journal is not None:
                opened.append(journal)
            return await body(journal)
        finally:
            for j in opened:
                j.close()
            await client.aclose()

    failed = asyncio.run(run())
    return failed, opened[0].path if opened else None


@dataclass(frozen=True)
class BillEntry:
    """What a bill write kind's `apply PLAN --<flag>` declares; apply_bill does the rest."""

    flag: str  # its apply flag, and the word its changes are counted under
    where: InFresh  # its changes in the plan and in the fresh compile
    none: str  # the console's words when the plan has none of its changes
    prefix: str  # its journal's default name: <prefix>-<UTC time>.jsonl beside the plan
    changes: Callable[[bytes, str], list[CommerceChange]]  # the plan's changes of the kind (its bytes, its name)
    # the kind with its clients, for the changes to run, the plan's bytes and the signed-in Graph client
    opened: Callable[[Sequence[CommerceChange], bytes, Any], contextlib.AbstractContextManager[WriteKind]]
    failed: Callable[[int, Path | None], str]  # the words of exit 3: so many refused, failed or unknown; the journal
    before: Callable[[Sequence[CommerceChange]], None] = lambda changes: None  # checked before the sign-in
    ahead: str = ""  # a change's mark when its refusal is said before the run (never journaled); "": in the run
    keeps_plan: bool = False  # a copy of the plan kept beside the journal (what undo bounds a put-back by)


def apply_bill(
    entry: BillEntry,
    plan: PlanFile,
    make_client: Callable[[], Any],
    today: date,
    fresh: Callable[[], FreshPlan],
    *,
    yes: bool,
    journal: str | None,
) -> int:
    """`apply PLAN --<flag> [--yes] [--journal FILE]`, the same for every bill kind: plan.json read again (its
    bytes the ones load_plan hashed), the kind's changes agreed with the fresh compile's (`selected`), and those
    made once the credential is shown to sign in to the plan's tenant (`signed_in`); with --yes the journal is
    `journal` (--journal), else <prefix>-<UTC time>.jsonl beside the plan. Exit 3 when one is refused, failed
    or its outcome is unknown."""
    data = read_again(plan)
    changes = entry.changes(data, str(plan.path))
    if not changes:
        print(f"{entry.flag} changes: none in the plan ({entry.none})", file=sys.stdout)
        return EXIT_OK
    selection = selected(entry.where, changes, fresh(), today)  # the engine's step of the fresh compile
    changes = refused_ahead(selection, entry.flag, entry.ahead, sys.stderr) if entry.ahead else selection.changes
    entry.before(changes)
    client = make_client()

    def opening() -> BillJournal | None:
        if not yes:
            return None
        # --journal, else a name of its own beside the plan (created exclusively: never another run's journal)
        path = Path(journal) if journal else default_path(plan.path.resolve().parent, entry.prefix)
        if entry.keeps_plan:  # what undo bounds each put-back by, whatever plan.json becomes: beside the journal
            keep_plan(plan.path, path.resolve().parent, plan.sha256)
        return BillJournal(path)

    refused = {} if entry.ahead else selection.refused  # refused in the run: journaled, named after it
    refusals: list[str] = []

    async def run(file: BillJournal | None) -> int:
        with entry.opened(changes, data, client) as kind:
            return await run_changes(
                changes, kind, execute=yes, journal=file, out=sys.stdout, refused=refused, refusals=refusals
            )

    failed, path = signed_in(client, plan.tenant_id, opening, run)
    for refusal in refusals:
        print(f"  {refusal}", file=sys.stderr)
    if entry.ahead and selection.refused:
        raise CollectionError(
            f"{len(selection.refused)} {entry.flag} change(s) refused, nothing sent for them (each named above)"
            + (f", and {failed} failed or have an unknown outcome" if failed else "")
        )
    if failed:
        raise CollectionError(entry.failed(failed, path))
    return EXIT_OK


@contextlib.contextmanager
def journal_beside(
    journal_path: Path, prefix: str, execute: bool, own: str | None = None
) -> Iterator[BillJournal | None]:
    """An undo's own journal, with --yes: `own` (--journal), else `<prefix>-<UTC time>.jsonl` beside the
    journal it undoes; created exclusively, so never another run's file. None in a dry run."""
    path = Path(own) if own else default_path(journal_path.resolve().parent, prefix)
    journal = BillJournal(path) if execute else None
    try:
        yield journal
    finally:
        if journal is not None:
            journal.close()


def undo_run(
    journal_path: Path,
    what: str,
    needs: tuple[str, str],
    body: Callable[[list[CommerceLine], list[str]], None],
) -> int:
    """Undo's frame for a bill journal (`what`: "commerce journal", "distributor journal"): held against an
    apply still writing it, read by the one reader, undone by `body` (its lines, the problems to add to);
    what needs a person named on stderr (`needs`: the count's words), exit 3."""
    if not journal_path.is_file():
        raise UsageError(f"{journal_path}: no such {what}")
    problems: list[str] = []
    with hold(journal_path, f"the {what}"):  # not while an apply still writes it
        body(read_lines(journal_path, problems), problems)
    if not problems:
        return EXIT_OK
    print(f"{english_count(len(problems), *needs)} a person:", file=sys.stderr)
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)
    return EXIT_COLLECTION


def ask(question: str) -> bool | None:
    """A yes from the person at the keyboard; None when there is no terminal to ask at."""
    if not sys.stdin.isatty():
        print(f"{question} (not asked: no terminal; nothing bought)", file=sys.stdout)
        return None
    return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")
