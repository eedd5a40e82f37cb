"""`license-auditor undo JOURNAL`: the done changes of a journal reverted, newest first.

Undo is a second apply, and keeps its promises (docs/plan-and-apply.md, "What undo promises"):

- it touches only the users and groups of the plan the journal was applied from: the plan is
  found by the SHA-256 every journal line carries (beside the journal, or --plan), and a line
  whose change is not that plan's is refused;
- it reads every journal of the same plan (apply's and undo's, beside the journal and the plan),
  and never undoes a change that a later change of the same user rests on while that change's
  outcome is unknown, it was left pending, or its line is damaged;
- before the first write it counts the seats the whole undo takes back, and names each product
  short and by how many; it then undoes what the free seats allow, change by change, and names
  each change it could not undo (seats short, the user deleted since): exit 3;
- before taking a user out of a group it re-reads the user and the group: a product the user
  holds only from that group is first put back as the direct copy a later journal of the plan
  removed, else the user stays in the group (a user is never left without the product);
- after putting a user back in a group it waits (--wait) for the group's license to be active:
  an error such as CountViolation is journaled as failed, never done;
- a line that fails stops only the lines that depend on it; the run goes on, and ends with exit 3.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from pathlib import Path

from auditor.common.errors import AuthError, CollectionError
from auditor.formats.change_model import PlanName, Undoes

from ..formats.plan_json import PlanFile, Where
from . import permissions
from .arguments import WriteOptions
from .carry import settle_unknown, summary
from .journal import Damaged, Journal, JournalLine, plan_journals, read_journal, unsettled
from .lock import hold, hold_plan
from .plan_binding import find_plan
from .preconditions import unmet
from .run import _client, _run, _writer, clock
from .session import ApplyStopped, LineFailed, Session
from .state import UserState, held_apart_from, held_only_from, read_state
from .undo import inverse, no_inverse, rejoined, reverse, subject
from .undo_audit import AuditProof, borne_out_part, not_borne_out
from .wait import DEFAULT_WAIT


@dataclass
class Undo:
    """One undo run: the journal, the plan it was applied from, every journal of that plan."""

    journal: Journal
    plan: PlanFile
    history: Sequence[Journal]  # the plan's journals (this one included), lines of the plan only
    wait: float = DEFAULT_WAIT
    k: int = 0  # the number of the undo journal's last line
    kept: set[int] = field(default_factory=set)  # n of changes left in effect (not undone, or their undo failed)
    seats: dict[int, dict[str, int]] = field(default_factory=dict)  # journal line -> seats its undo takes (+)
    problems: list[str] = field(default_factory=list)
    proof: AuditProof | None = None  # the directory audit log, read at the call (undo_audit)
    # the log's clock: with --demo the sample's frozen moment, which the demo's log dates every write at (its 30
    # days end then, whatever day the demo is undone); None: the machine's now
    log_now: datetime | None = None

    def next(self) -> int:
        self.k += 1
        return self.k

    # --- what may be undone at all -------------------------------------------------------------

    def out_of_plan(self, line: JournalLine) -> str | None:
        """Why the line is not a change of the plan (a journal edited, or another plan's line)."""
        change = line.change
        if line.plan_sha256 not in (None, self.plan.sha256):
            return f"the line names another plan (SHA-256 {line.plan_sha256}), not {self.plan.path.name}"
        users = {c.user for c in self.plan.changes}
        groups = {c.group for c in self.plan.changes if c.group}
        if change.user not in users or (change.group and change.group not in groups):
            return (
                f"the plan {self.plan.path.name} names no change for user {change.user}"
                + (f" and group {change.group}" if change.group else "")
                + ": undo touches only its users and groups"
            )
        if line.undoes is None:
            planned = next((c for c in self.plan.changes if c.n == line.n), None)
            same = planned is not None and (planned.kind, planned.user, planned.group, planned.path) == (
                change.kind,
                change.user,
                change.group,
                change.path,
            )
            # an add_member body names the Graph endpoint, which the plan may give in another form
            if not same or (planned is not None and planned.body != change.body and change.kind != "add_member"):
                return f"the line's change differs from change {line.n} of the plan {self.plan.path.name}"
        return None

    def rests_on(self, line: JournalLine) -> str | None:
        """Why a later change of the same user, not settled, rests on `line` (so it stays). The
        numbers of an undo journal's lines are its own steps, not the plan's: only the damaged
        lines count for them."""
        user = line.change.user
        everything = [x for j in self.history for x in j.lines]
        for journal in self.history:
            for later in journal.lines:
                if (
                    line.undoes is not None
                    or later.undoes is not None
                    or later.change.user != user
                    or line.n not in later.change.depends_on
                    or later.time <= line.time
                    or not unsettled(later, everything)
                ):
                    continue
                if later in journal.unknown:
                    return (
                        f"change {later.n}, which rests on it, has an unknown outcome ({journal.path.name} line "
                        f"{later.line}): re-read the user, and apply the plan again or fix it by hand first"
                    )
                if later.outcome == "pending":
                    return (
                        f"change {later.n}, which rests on it, was left pending ({journal.path.name} line "
                        f"{later.line}): an apply of the plan may still make it — apply the plan again to settle "
                        "it, then undo with every journal of the plan beside this one"
                    )
            for bad in journal.damaged:
                owner = bad.user or self.user_of(bad)
                same = journal.path == self.journal.path
                if owner in (None, user) and (not same or bad.line > line.line):
                    return (
                        f"{journal.path.name} line {bad.line} is damaged ({bad.reason[:80]}) and may be a change "
                        "of the same user that rests on it: check it by hand"
                    )
        return None

    def user_of(self, bad: Damaged) -> str | None:
        """The user of a damaged line whose user cannot be read, from the plan's change of its number."""
        planned = next((c for c in self.plan.changes if c.n == bad.n), None) if bad.n is not None else None
        return planned.user if planned is not None else None

    def taken_after(self, line: JournalLine) -> list[tuple[Journal, JournalLine]]:
        """The later done lines of the plan, in the other journals, that rest on the join `line` and
        took something away: the removal of a direct copy, or the leave of another group (the second
        run of a move). Undoing the join must first give back what they took, else the user is left
        without it. A line an undo journal reverted already is not listed."""
        if line.undoes is not None:  # an undo journal's numbers are not the plan's
            return []
        undone = {
            (str(x.undoes.get("journal")), x.undoes.get("n"))
            for j in self.history
            for x in j.lines
            if x.undoes is not None and x.outcome == "done"
        }
        return [
            (journal, later)
            for journal in self.history
            if journal.path != self.journal.path
            for later in journal.lines
            if later.undoes is None
            and later.outcome == "done"
            and later.change.user == line.change.user
            and line.n in later.change.depends_on
            and later.time > line.time
            and later.change.kind in ("assign_license", "remove_member")
            and (journal.path.name, later.n) not in undone
        ]

    def put_back(self, line: JournalLine, sku: str) -> tuple[Journal, JournalLine] | None:
        """A later done line of the plan that removed the user's direct copy of `sku` and rests on
        the join `line` (the removal of a two-run move, in another journal)."""
        for journal, later in self.taken_after(line):
            change = later.change
            if change.kind == "assign_license" and change.body and sku in change.body.get("removeLicenses", []):
                return journal, later
        return None


# --- the run ----------------------------------------------------------------------------------


async def undo_journal(undo: Undo, session: Session) -> None:
    journal = undo.journal
    for bad in journal.damaged:
        session.warn(f"{journal.path}: line {bad.line}: {bad.reason} — not used; check the change it held by hand")
    made, unknown = await _settle_unknown(journal, session)
    others = [j.path.name for j in undo.history if j.path != journal.path]
    done = sorted([*journal.done, *made], key=lambda line: line.line)
    mode = "undoing" if session.execute else "dry run, nothing is written (--yes undoes)"
    session.say(
        f"journal {journal.path}: {len(done)} change(s) done, undone in reverse order; {mode}; plan "
        f"{undo.plan.path.name} (SHA-256 {undo.plan.sha256[:12]}…)"
        + (f"; read with the plan's other journals: {', '.join(others)}" if others else "")
    )
    for line in journal.pending:
        session.say(
            f"      line {line.line}: change {line.n} ({line.request}) was left pending (it waited for a "
            "group's license and was never sent): nothing to undo"
        )
    if done:
        await _undo_done(undo, done, session)
    if others:  # an apply interrupted and run again, or run twice, leaves one journal a run (issue 121)
        session.say(
            f"this run undoes {journal.path.name} only; the plan's other journals are left as they are: "
            f"{', '.join(others)} (undo each too, newest first; `undo --demo` undoes them all)"
        )
    left = [f"{len(journal.damaged)} damaged line(s)"] if journal.damaged else []
    left += [f"{len(unknown)} change(s) of unknown outcome"] if unknown else []
    if left:
        undo.problems.append(f"{journal.path}: {' and '.join(left)} not undone (named above); check them by hand")
    if undo.problems:
        raise ApplyStopped(said_once(undo.problems))


async def _settle_unknown(journal: Journal, session: Session) -> tuple[list[JournalLine], list[JournalLine]]:
    """The journal's writes of unknown outcome (the run ended, or the answer settled nothing, while
    a write was in flight), each settled by re-reading its user as apply does (carry.settle_unknown):
    (those the user shows made, undone as done; those still unknown, named). One the user does not
    show was not made: nothing to undo."""
    made: list[JournalLine] = []
    unknown: list[JournalLine] = []
    for line in journal.unknown:
        said = f"{journal.path}: line {line.line}: change {line.n} ({line.request}): outcome unknown"
        outcome, note = await settle_unknown(session.client, line.change, said)
        if outcome == "done" and line.before is not None:
            session.say(f"      {note}: undone as a change done")
            made.append(replace(line, outcome="done"))
        elif outcome == "failed":
            session.say(f"      {note}; nothing to undo")
        else:
            session.warn(f"{note}; check that user by hand (undo reverts only the changes it can tell were made)")
            unknown.append(line)
    return made, unknown


async def _undo_done(undo: Undo, done: list[JournalLine], session: Session) -> None:
    # an undo sends the same kinds of write it reverts (add_member <-> remove_member need the same permission)
    check = await session.verify(
        permissions.needed(
            (line.change.kind for line in done if no_inverse(line) is None),
            groups=any(line.change.group for line in done),
        )
    )
    if check.missing and session.execute:
        raise AuthError(permissions.describe(check.missing, session.delegated) + "; no change was made")
    await session.load_products()
    if undo.proof is None and undo.log_now is not None:  # the log's clock: the demo's moment
        undo.proof = AuditProof(session.client, now=undo.log_now, lines=done)
    undo.proof = undo.proof or AuditProof(session.client, lines=done)  # else the machine's now
    refused = {line.line: why for line in done if (why := undo.out_of_plan(line) or undo.rests_on(line))}
    await _check_seats(undo, [line for line in done if line.line not in refused], session)
    where = Where(undo.journal.path)
    try:
        for line in reversed(done):
            session.check_stop(f"undoing change {line.n}")
            undoes: Undoes = {"journal": undo.journal.path.name, "n": line.n}
            stays = [x.n for x in done if line.n in x.change.depends_on and x.n in undo.kept]
            why = (
                refused.get(line.line)
                or (
                    f"change(s) {', '.join(map(str, stays))}, which rest on it, stay in "
                    "effect (their undo was not made)"
                    if stays
                    else None
                )
                or _seats_short(undo, session, line)
            )
            if why:
                k = undo.next()
                session.say(f"{k:>4}. undo change {line.n}: not undone")
                session.skip(k, line.change, why, None, undoes)
                undo.kept.add(line.n)
                undo.problems.append(f"change {line.n} not undone: {why}")
                continue
            try:
                if await _undo_one(undo, session, line, undoes, where):
                    _took_seats(undo, session, line)
                else:
                    undo.kept.add(line.n)
            except LineFailed as exc:  # journaled already; the lines that do not depend on it go on
                undo.kept.add(line.n)
                undo.problems.append(str(exc))
    finally:
        summary(session, undo.k, "undone")
    if check.missing:
        raise AuthError(
            permissions.describe(check.missing, session.delegated) + "; `undo --yes` would stop before the first write"
        )


def _assign_seats(line: JournalLine, state: UserState) -> dict[str, int]:
    """The seats undoing an assignLicense takes back (+1) or frees (-1), per product."""
    was = {
        s["skuId"].lower()
        for s in (line.before or {}).get("licenseAssignmentStates", [])
        if s.get("assignedByGroup") is None
    }
    seats: dict[str, int] = {}
    for sku in line.change.skus():
        if sku in was and not state.holds(sku):
            seats[sku] = 1
        elif sku not in was and sku in state.direct() and not any(a.sku == sku and a.group for a in state.assignments):
            seats[sku] = -1
    return seats


async def _seats_back(line: JournalLine, session: Session) -> dict[str, int]:
    """The seats undoing `line` takes back (+1) or frees (-1), per product, as the user's state
    read now shows: the direct copies put back or removed, a group's copies when it joins again."""
    change = line.change
    try:
        state = await read_state(session.client, change.user, change.groups())
    except CollectionError as exc:
        raise ApplyStopped(
            f"could not re-read user {change.user} to count the undo's seats: {exc}; nothing was written"
        ) from None
    if not state.exists:
        return {}
    if change.kind == "assign_license":
        return _assign_seats(line, state)
    if change.kind == "remove_member" and change.group and change.group not in (state.member_of or ()):
        group = await session.group(change.group)
        return {sku: 1 for sku in group.licenses or {} if not state.holds(sku)}
    return {}


async def _check_seats(undo: Undo, lines: list[JournalLine], session: Session) -> None:
    """Before the first write: the seats each line's undo takes back (undo.seats), and for the whole
    undo, per product, against the free seats (subscribedSkus). A product short is named at once;
    the undo then restores what the free seats allow, change by change (newest first), and names
    each change it could not (`_seats_short`)."""
    need: dict[str, int] = {}
    for line in lines:
        if no_inverse(line) is not None:
            continue
        undo.seats[line.line] = await _seats_back(line, session)
        for sku, delta in undo.seats[line.line].items():
            need[sku] = need.get(sku, 0) + delta
    wanted = {sku: n for sku, n in need.items() if n > 0}
    if not wanted:
        return
    if not session.free:
        session.warn("the free seats could not be read (GET /subscribedSkus): the undo's seats are not checked")
        undo.seats.clear()
        return
    short = {sku: n - session.free.get(sku, 0) for sku, n in sorted(wanted.items()) if n > session.free.get(sku, 0)}
    if short:
        said = "; ".join(
            f"{session.products.get(sku, sku)} short by {gap} (the undo takes back {wanted[sku]}, "
            f"{max(session.free.get(sku, 0), 0)} free)"
            for sku, gap in short.items()
        )
        session.warn(
            f"not enough free seats for the whole undo: {said}; undo restores what the free seats allow, "
            "change by change, and names each change it could not — free or buy those seats, then undo "
            "again"
        )
    session.say(
        "seats: "
        + ", ".join(
            f"{session.products.get(sku, sku)} {n} of {session.free.get(sku, 0)} free"
            for sku, n in sorted(wanted.items())
        )
    )


def _seats_short(undo: Undo, session: Session, line: JournalLine) -> str | None:
    """Why the free seats left do not allow undoing `line` (None: they do, or were not read)."""
    need = undo.seats.get(line.line, {})
    short = {
        sku: n - session.free.get(sku, 0) for sku, n in sorted(need.items()) if n > 0 and n > session.free.get(sku, 0)
    }
    if not short:
        return None
    return (
        "not enough free seats: "
        + "; ".join(
            f"{session.products.get(sku, sku)} short by {gap} (its undo takes back {need[sku]}, "
            f"{max(session.free.get(sku, 0), 0)} free now)"
            for sku, gap in short.items()
        )
        + " — free or buy those seats, then undo again"
    )


def _took_seats(undo: Undo, session: Session, line: JournalLine) -> None:
    """The free seats after `line` was undone (what later lines may still take)."""
    for sku, delta in undo.seats.get(line.line, {}).items():
        if sku in session.free:
            session.free[sku] -= delta


async def _undo_one(undo: Undo, session: Session, line: JournalLine, undoes: Undoes, where: Where) -> bool:
    """Undo one done line; False when it stays in effect (skipped: not undone)."""
    original = line.change
    reason = no_inverse(line)
    if reason is not None:
        k = undo.next()
        session.say(f"{k:>4}. undo change {line.n}: nothing to send")  # the skip line says why
        session.skip(k, original, reason, None, undoes)
        return True
    # what the inverse carries (an undo of an undo re-checks what the change it makes again rested on) is read too
    state = await session.read(undo.k + 1, subject(line), undoes)
    if original.group:
        await session.group(original.group)
    lost = ""
    if original.kind == "add_member" and original.group and original.group in (state.member_of or ()):
        # its undo takes the user out of the group: a direct copy to put back goes first, as its own step
        state, lost = await _keep_products(undo, session, line, state, original.group)
    k = undo.next()
    # the reverse of the change, not the change itself: what undo is about to do
    session.say(f"{k:>4}. undo change {line.n}: {reverse(line, session.describe)}")
    inv = inverse(line, k, state, session.client.base_url, where)
    if not state.exists or inv.refused:  # the user deleted since, or an undo that kept no preconditions: exit 3
        session.skip(k, original, inv.note, state.before(original.skus()), undoes)
        undo.problems.append(f"change {line.n} not undone: {inv.note}")
        return False
    if inv.change is None:  # nothing differs from the state before: no request to show
        session.skip(k, original, inv.note, state.before(original.skus()), undoes)
        return True
    change = inv.change
    session.say(f"      {change.request}")
    if lost:
        session.skip(k, change, lost, state.before(original.skus()), undoes)
        undo.problems.append(f"change {line.n} not undone: {lost}")
        return False
    reasons = unmet(change, state, clock(), session.products, session.group_labels(), session.plans)
    before = state.before(original.skus() | change.skus())
    if reasons:
        session.skip(k, change, "; ".join(reasons), before, undoes)
        return False
    again = partial(inverse, line, k, state, session.client.base_url, where)  # the inverse but for some products
    proven, unproven = await borne_out_part(undo.proof, line, change, state, again, session.parts)  # exit 3, named
    if unproven:
        undo.problems.append(f"change {line.n} {'undone in part' if proven else 'not undone'}: {unproven}")
    if proven is None:
        session.skip(k, change, unproven, before, undoes)
        return False
    change = proven
    settle = rejoined(undo.wait, session, change, k, undoes) if change.kind == "add_member" else None
    await session.write(k, change, before, undoes, settle=settle)
    return True


async def _keep_products(
    undo: Undo, session: Session, line: JournalLine, state: UserState, gid: str
) -> tuple[UserState, str]:
    """Before taking the user out of group `gid`: every product they held before joining it (the
    join's `before`) and now hold no other way than from the group (whose copy may even be in Error)
    must be held another way. The direct copy a later journal of the plan removed is put back first;
    what is still held only from the group, in a working copy, is returned as the reason to stay (""
    when none). A product the join itself brought goes with it."""
    state = await _rejoin_first(undo, session, line, state)
    group = session.groups.get(gid) or await session.group(gid)
    had = {
        str(lic.get("skuId", "")).lower()
        for lic in (line.before or {}).get("assignedLicenses") or []
        if isinstance(lic, dict)
    }
    given = (set(group.licenses or {}) | {a.sku for a in state.assignments if a.group == gid}) & had
    back: set[str] = set()  # in a dry run: the products a put-back would give directly again
    # whatever the state of the group's copy: one in Error (CountViolation) gives nothing either
    for sku in sorted(s for s in given if not held_apart_from(state, s, gid)):
        found = undo.put_back(line, sku)
        if found is None:
            continue
        journal, removal = found
        k = undo.next()
        undoes: Undoes = {"journal": journal.path.name, "n": removal.n}
        session.say(
            f"{k:>4}. undo change {removal.n} of {journal.path.name} first (the direct assignment goes back before "
            f"the user leaves the group in the undo of change {line.n}): {reverse(removal, session.describe)}"
        )
        inv = inverse(removal, k, state, session.client.base_url, Where(journal.path))
        if inv.change is not None:
            session.say(f"      {inv.change.request}")
            unproven = await not_borne_out(undo.proof, removal, inv.change, state)
            if unproven:  # the copy is not put back: the user stays in the group (named below)
                session.skip(k, inv.change, unproven, state.before(inv.change.skus()), undoes)
                undo.problems.append(f"change {removal.n} of {journal.path.name} not undone: {unproven}")
                continue
            await session.write(k, inv.change, state.before(inv.change.skus()), undoes)
        if not session.execute:  # a dry run sends nothing: the leave is shown as the run would make it
            back.add(sku)
            continue
        state = await session.read(k, line.change, undoes)
    lost = [session.products.get(s, s) for s in sorted(given - back) if held_only_from(state, s, gid)]
    if not lost:
        return state, ""
    return state, (
        f"the user holds {', '.join(lost)} only from group {group.label}: leaving it would leave them "
        "without it; put the direct assignment back (or give it another way), then undo again"
    )


async def _rejoin_first(undo: Undo, session: Session, line: JournalLine, state: UserState) -> UserState:
    """Before the user leaves the group the join `line` put them in: the groups a later run of the
    plan took them out of, resting on that join (a group-to-group move made in two runs), are
    joined again first, each as its own step. A re-join that fails (LineFailed) keeps the user in
    the group: they are never left with neither."""
    for journal, later in undo.taken_after(line):
        if later.change.kind != "remove_member":
            continue
        k = undo.next()
        undoes: Undoes = {"journal": journal.path.name, "n": later.n}
        session.say(
            f"{k:>4}. undo change {later.n} of {journal.path.name} first (the user joins that group again "
            f"before leaving the group in the undo of change {line.n}): {reverse(later, session.describe)}"
        )
        now = await session.read(k, later.change, undoes)
        inv = inverse(later, k, now, session.client.base_url, Where(journal.path))
        if inv.change is None:
            session.skip(k, later.change, inv.note, now.before(later.change.skus()), undoes)
            continue
        session.say(f"      {inv.change.request}")
        unproven = await not_borne_out(undo.proof, later, inv.change, now)
        if unproven:  # not joined again: the user stays in the group the join put them in
            session.skip(k, inv.change, unproven, now.before(inv.change.skus()), undoes)
            raise LineFailed(f"change {later.n} of {journal.path.name} not undone: {unproven}")
        await session.write(
            k,
            inv.change,
            now.before(inv.change.skus()),
            undoes,
            settle=rejoined(undo.wait, session, inv.change, k, undoes),
        )
        if session.execute:
            state = await session.read(k, line.change, undoes)
    return state


_NOT_UNDONE = re.compile(r"change (\d+) not undone: ")


def said_once(problems: Sequence[str]) -> str:
    """The run's last line: the changes not undone by number (each reason is listed above), then the rest."""
    numbers = [m[1] for p in problems if (m := _NOT_UNDONE.match(p))]
    rest = [p for p in problems if not _NOT_UNDONE.match(p)]
    if numbers:
        rest.insert(0, f"{len(numbers)} change(s) not undone, each with its reason above: {', '.join(numbers)}")
    return "; ".join(rest)


# --- command line ------------------------------------------------------------------------------


def cmd_undo(options: WriteOptions) -> int:
    """`undo JOURNAL`: revert what the journal records as done (with --commerce: a commerce journal's)."""
    assert options.journal_file is not None  # the command layer names it (or --demo's)
    path = Path(options.journal_file)
    if options.distributor or options.psa:  # a distributor's or a PSA's journal: putting seats back asks first
        from .distributor_undo import undo_distributor_changes  # the vendors' clients (httpx) load for these only
        from .psa_undo import undo_psa_changes

        return (undo_psa_changes if options.psa else undo_distributor_changes)(options, path)
    if options.commerce:  # a commerce journal (apply --commerce): buying seats back asks first
        from .commerce_undo import undo_commerce_changes  # the billing clients load only for --commerce

        return undo_commerce_changes(options, path, options.bill_moment(clock()).date())  # --demo: the demo's day
    with hold(path, "the journal"), contextlib.ExitStack() as plan_lock:  # not while an apply still writes it
        journal = read_journal(path)
        plan = find_plan(journal, options.plan)
        plan_lock.enter_context(hold_plan(plan.sha256))  # nor while an apply or undo of its plan runs
        history = plan_journals(plan.sha256, [path.resolve().parent, plan.path.resolve().parent])
        if not any(j.path.resolve() == path.resolve() for j in history):  # lines of no plan, checked with --plan
            history.append(journal)
        log_now = options.bill_moment(clock()) if options.as_of else None  # --demo: the sample's moment
        undo = Undo(journal, plan, history, options.wait, log_now=log_now)
        client = _client(options, journal.tenant_id, journal.cloud, f"the journal {options.journal_file}")
        bound: PlanName = {"file": plan.path.name, "sha256": plan.sha256}
        writer = None  # a change of unknown outcome may show made: undone too
        if journal.done or journal.unknown:
            writer = _writer(options, path.resolve().parent, "undo", journal.tenant_id, journal.cloud, bound)
        return _run(client, writer, options.yes, journal.tenant_id, lambda s: undo_journal(undo, s))
