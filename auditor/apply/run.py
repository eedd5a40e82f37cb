"""`license-auditor apply PLAN` and `license-auditor undo JOURNAL`.

Both print each change (number, description, METHOD path) and what happened to it. Without
--yes they only read: each change's subject is re-read and its preconditions checked, and the
output says what a run with --yes would do. With --yes, before the first write they check that
the credential signs in to the plan's tenant and holds the permissions the changes need; then,
change by change, they re-read the subject, skip the change with a note when its preconditions no
longer hold (or a change it depends on was not applied), journal the change as "sending", send
the write, and journal its outcome (journal.py) before going on. A change Graph refused, or whose
outcome a re-read of the user settles, is journaled and the run goes on without what rests on it
(carry.py); a write whose outcome stays unknown, a failed re-read, a journal that cannot be
written, --max-failures refusals, or SIGTERM/SIGINT (after the write in flight is answered and
journaled) stop the run. Any change not made as planned ends in exit 3; the journal keeps every
change sent.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from ..errors import EXIT_OK, AuthError, CollectionError, UsageError, clean_message
from ..formats.plan_json import GUID, Change, PlanFile, check_age, load_plan
from ..graph.auth import AuthMode, build_credential
from ..graph.client import GraphClient
from ..graph.clouds import endpoints
from ..graph.progress import Progress
from ..model import Cloud
from ..plan.describe import describe
from ..reference import product_names
from . import permissions
from .carry import Failures, refused, settle_unknown, summary
from .groups import GroupState, group_unmet, read_group, what_leaving_takes
from .journal import EarlierUnknown, JournalError, JournalWriter, default_path, earlier_unknown, keep_plan
from .lock import hold
from .state import UserState, read_state, unmet
from .wait import DEFAULT_WAIT, Awaited, awaited, copies, duration, joins_of, wait_for_copies, without_awaited
from .writer import send_write


def clock() -> datetime:
    """apply's clock: the plan's age and the sign-in windows are measured against it (tests put another in)."""
    return datetime.now(UTC)


class ApplyStopped(CollectionError):
    """A write failed or its outcome is unknown, or a signal stopped the run: it stopped there. Exit 3."""


class LineFailed(ApplyStopped):
    """One change failed, or its outcome is unknown, or its subject could not be re-read: apply
    stops there; undo goes on with the lines that do not depend on it (undoing.py)."""


class Carried(LineFailed):
    """A change that did not go through, journaled already (`failed`, or `unknown` for a change that
    leaves no trace): apply goes on with the changes that do not rest on it (carry.py)."""

    def __init__(self, text: str, why: str) -> None:
        super().__init__(text)
        self.why = why  # what happened to it, as the skip notes of its dependents quote it


@dataclass
class Tally:
    done: int = 0
    skipped: int = 0
    failed: int = 0  # Graph refused it, or it was never sent
    unknown: int = 0  # sent; whether Graph made it is unknown
    unjournaled: int = 0  # sent and answered, but the journal could not take the outcome
    would: int = 0
    would_skip: int = 0
    pending: int = 0  # waited for a group's license that did not become active (wait.py)
    applied: set[int] = field(default_factory=set)  # n of changes done (or, in a dry run, that would be)
    # n of joins skipped because the user is a direct member already: a change waiting for that
    # group's license may still run (the next apply of a plan whose removal was left pending)
    joined: set[int] = field(default_factory=set)


class Session:
    """One apply or undo run against one tenant: output, journal, and the write loop's steps."""

    def __init__(
        self,
        client: GraphClient,
        *,
        tenant_id: str,
        execute: bool,
        journal: JournalWriter | None,
        out: TextIO,
        err: TextIO,
    ) -> None:
        self.client = client
        self.tenant_id = tenant_id
        self.execute = execute
        self.journal = journal
        self.out = out
        self.err = err
        self.tally = Tally()
        self.delegated = False
        self.in_flight = False  # a write is between its "sending" line and its outcome line
        self.stop_signal: str | None = None  # SIGTERM / SIGINT received: stop before the next change
        self.products: dict[str, str] = {}  # skuId -> skuPartNumber, for the console (subscribedSkus)
        self.free: dict[str, int] = {}  # skuId -> seats free (prepaidUnits.enabled - consumedUnits)
        self.users: dict[str, str] = {}  # user id -> "Name (UPN)", as last re-read
        self.groups: dict[str, GroupState] = {}  # group id -> the group as last re-read
        self.failures = Failures()  # the changes that did not go through, and what rests on them (carry.py)

    def check_stop(self, what: str) -> None:
        """Stop before `what` when a signal asked the run to stop."""
        if self.stop_signal:
            raise ApplyStopped(f"stopped by {self.stop_signal} before {what}; nothing more was sent")

    def say(self, text: str) -> None:
        print(clean_message(text), file=self.out, flush=True)

    def warn(self, text: str) -> None:
        print(clean_message(f"license-auditor: {text}"), file=self.err, flush=True)

    def show(self, n: int, change: Change) -> None:
        # what the call does, said from the call itself (plan.json's description is only text), with
        # the names Graph gave for its ids when they were read: the user, the group, the products
        description = self.describe(change)
        seats = ", ".join(f"{part} {delta:+d}" for part, delta in sorted(change.seats.items()))
        self.say(f"{n:>4}. {description}")
        self.say(f"      {change.request}" + (f"   (seats: {seats})" if seats else ""))

    def describe(self, change: Change, kind: str | None = None, body: dict[str, Any] | None = None) -> str:
        group = self.groups.get(change.group or "")
        return describe(
            kind or change.kind,
            body if kind else change.body,
            change.user,
            change.group,
            user_label=self.users.get(change.user, ""),
            group_label=group.label if group else "",
            products=self.products,
        )

    def group_labels(self) -> dict[str, str]:
        """Group id -> "Name (id)" for the groups read so far (the skip notes name them)."""
        return {gid: found.label for gid, found in self.groups.items() if found.exists}

    async def group(self, gid: str, *, app_roles: bool = False) -> GroupState:
        """Re-read a group (groups.py); a failed read stops like a failed re-read of the user."""
        try:
            found = await read_group(self.client, gid, app_roles=app_roles)
        except CollectionError as exc:
            raise LineFailed(f"could not re-read group {gid}: {exc}") from None
        self.groups[gid] = found
        return found

    # --- before the first write ------------------------------------------------------------

    async def load_products(self) -> None:
        """The tenant's products (skuPartNumber, free seats) for the consoles and undo's seat check.
        A failed read leaves ids in the console; undo's seat check then says it could not check."""
        try:
            doc = await self.client.get("/subscribedSkus?$select=skuId,skuPartNumber,prepaidUnits,consumedUnits")
        except CollectionError as exc:
            self.warn(f"could not read the products (GET /subscribedSkus): {exc}; the console shows product ids")
            return
        for sku in (doc.get("value") or []) if isinstance(doc, dict) else []:
            if not isinstance(sku, dict) or not isinstance(sku.get("skuId"), str):
                continue
            sid = sku["skuId"].lower()
            if isinstance(sku.get("skuPartNumber"), str):
                self.products[sid] = sku["skuPartNumber"]
            units, used = sku.get("prepaidUnits"), sku.get("consumedUnits")
            if isinstance(units, dict) and isinstance(units.get("enabled"), int) and isinstance(used, int):
                self.free[sid] = self.free.get(sid, 0) + units["enabled"] - used

    async def verify(self, wanted: tuple[permissions.Permission, ...]) -> permissions.Check:
        """The credential signs in to the plan's tenant (else UsageError, exit 2) and has `wanted`."""
        claims = await permissions.check_tenant(self.client, self.tenant_id)
        result = permissions.check(claims, wanted)
        self.delegated = bool(claims and isinstance(claims.get("scp"), str))
        if result.note:
            self.warn(result.note)
        return result

    # --- one change ------------------------------------------------------------------------

    def request_doc(self, change: Change) -> dict[str, Any]:
        return {"method": change.method, "path": change.path, "body": self.body(change)}

    def body(self, change: Change) -> dict[str, Any] | None:
        if change.kind == "add_member":  # the reference names the object on this Graph endpoint
            return {"@odata.id": f"{self.client.base_url}/directoryObjects/{change.user}"}
        return change.body

    @staticmethod
    def label(n: int, undoes: dict[str, Any] | None) -> str:
        return f"the undo of change {undoes['n']}" if undoes else f"change {n}"

    async def read(
        self,
        n: int,
        change: Change,
        action: dict[str, Any],
        undoes: dict[str, Any] | None = None,
        *,
        shown: bool = True,
    ) -> UserState:
        """Re-read the subject; a failed read is journaled and stops the run (`shown` False: the
        change was not shown yet, and is shown before the failure)."""
        try:
            state = await read_state(self.client, change.user, change.groups(), change.needs_sign_in)
            if state.label:
                self.users[change.user] = state.label
            return state
        except CollectionError as exc:
            if not shown:
                self.show(n, change)
            if self.journal is not None:
                self.journal.write(
                    n,
                    action,
                    self.request_doc(change),
                    status=None,
                    outcome="failed",
                    note=f"not sent: could not re-read the user before the change: {exc}"[:600],
                    undoes=undoes,
                )
            self.tally.failed += 1
            self.say("      -> FAILED: could not re-read the user")
            raise LineFailed(
                f"{self.label(n, undoes)} ({change.request}): could not re-read the user before it: {exc}"
            ) from None

    def pend(self, n: int, change: Change, reason: str, before: dict[str, Any]) -> None:
        """Journal a change left undone because the group's license it waits for did not become
        active (wait.py): one line, never sent, like a skipped change."""
        self.tally.pending += 1
        if self.journal is not None:
            self.journal.write(
                n, change.raw, self.request_doc(change), status=None, outcome="pending", note=reason, before=before
            )
        self.say(f"      -> pending: {reason}")

    def skip(
        self,
        n: int,
        change: Change,
        action: dict[str, Any],
        reason: str,
        before: dict[str, Any] | None,
        undoes: dict[str, Any] | None = None,
    ) -> None:
        if self.execute:
            self.tally.skipped += 1
            if self.journal is not None:
                self.journal.write(
                    n,
                    action,
                    self.request_doc(change),
                    status=None,
                    outcome="skipped",
                    note=reason,
                    before=before,
                    undoes=undoes,
                )
            self.say(f"      -> skipped: {reason}")
        else:
            self.tally.would_skip += 1
            if self.journal is not None:
                self.journal.write(
                    n,
                    action,
                    self.request_doc(change),
                    status=None,
                    outcome="dry-run",
                    note=f"would skip: {reason}",
                    before=before,
                    undoes=undoes,
                )
            self.say(f"      -> would skip: {reason}")

    async def write(
        self,
        n: int,
        change: Change,
        action: dict[str, Any],
        before: dict[str, Any],
        undoes: dict[str, Any] | None = None,
        *,
        note: str = "",
        settle: Callable[[], Awaitable[tuple[str, str]]] | None = None,
    ) -> None:
        """Send the change (or, in a dry run, say it would be sent) and journal it; LineFailed when it
        fails. `note` goes with a done outcome; `settle`, once Graph accepted the write, says what
        the outcome is (undo's re-join waits for the group's license: done, or failed on its error)."""
        request = self.request_doc(change)
        if not self.execute:
            self.would_write(n, action, request, before, undoes)
            return
        assert self.journal is not None
        # write-ahead: the change is on disk before it goes out (JournalError: stop, nothing sent)
        self.journal.write(n, action, request, status=None, outcome="sending", before=before, undoes=undoes)
        self.in_flight = True
        try:
            result = await send_write(self.client, change.method, change.path, request["body"])
        except AuthError as exc:  # no token: the request never left
            self.in_flight = False
            self.outcome(n, change, action, request, None, "failed", f"not sent: {exc}"[:600], before, undoes)
            self.tally.failed += 1
            self.say("      -> FAILED: not sent")
            raise
        except BaseException as exc:  # an interruption, or anything unforeseen after the request went out
            self.in_flight = False
            reason = self.stop_signal or str(exc) or type(exc).__name__
            note = f"stopped while sending ({reason}); Graph may or may not have applied it — re-read the user"
            self.outcome(n, change, action, request, None, "unknown", note[:600], before, undoes)
            self.tally.unknown += 1
            self.say("      -> outcome unknown")
            if isinstance(exc, Exception):
                raise LineFailed(f"{self.label(n, undoes)} ({change.request}): {note}") from None
            raise
        self.in_flight = False
        detail = f"{result.status} {result.code}: {result.message}" if result.code else result.message
        detail = " ".join(detail.split())
        outcome: str | None = None
        shown = f"done (HTTP {result.status})"
        if result.ok:
            outcome = "done"
            note = "; ".join(
                x for x in (note, f"after {result.retries} throttled attempt(s)" if result.retries else "") if x
            )
            if settle is not None:
                outcome, settled = await settle()
                note = "; ".join(x for x in (note, settled) if x)
                shown = f"{outcome if outcome == 'done' else outcome.upper()} (HTTP {result.status}): {settled}"
        elif result.unavailable or result.unknown:  # the user, re-read, says what happened (carry.py)
            why = (
                f"Graph answered {detail} after a 503 was retried"
                if result.unavailable
                else (f"Graph answered {detail}" if result.status else detail)
            )
            outcome, note = await settle_unknown(self.client, change, why)
            shown = "done" if outcome == "done" else outcome.upper() if outcome == "failed" else "outcome unknown"
        if outcome == "done":
            self.outcome(n, change, action, request, result.status, "done", note[:600], before, undoes)
            self.tally.done += 1
            self.tally.applied.add(n)
            self.say(f"      -> {shown}")
            return
        if outcome is None:
            outcome, shown, note = refused(result.unknown, result.status, change, detail)
        self.outcome(n, change, action, request, result.status, outcome, note[:600], before, undoes)
        self.count_failure(outcome)
        self.say(f"      -> {shown}" + ("" if result.ok else f": {note}"))
        text = f"{self.label(n, undoes)} ({change.request}): {note}"
        if outcome == "failed" or change.kind == "reprocess":
            raise Carried(text, note[:300])
        raise LineFailed(text)

    def would_write(
        self,
        n: int,
        action: dict[str, Any],
        request: dict[str, Any],
        before: dict[str, Any],
        undoes: dict[str, Any] | None,
    ) -> None:
        self.tally.would += 1
        self.tally.applied.add(n)
        if self.journal is not None:
            self.journal.write(
                n, action, request, status=None, outcome="dry-run", note="would apply", before=before, undoes=undoes
            )
        self.say("      -> would apply")

    def count_failure(self, outcome: str) -> None:
        if outcome == "unknown":
            self.tally.unknown += 1
        else:
            self.tally.failed += 1

    def outcome(
        self,
        n: int,
        change: Change,
        action: dict[str, Any],
        request: dict[str, Any],
        status: int | None,
        outcome: str,
        note: str,
        before: dict[str, Any],
        undoes: dict[str, Any] | None,
    ) -> None:
        """Journal a sent write's outcome. When the journal cannot take it, its "sending" line stays
        the last word on it: the change reads as outcome unknown, and the run stops."""
        assert self.journal is not None
        try:
            self.journal.write(
                n, action, request, status=status, outcome=outcome, note=note, before=before, undoes=undoes
            )
        except JournalError as exc:
            self.tally.unjournaled += 1
            answer = f"HTTP {status}" if status else "no answer"
            self.say(f"      -> {answer}, not journaled")
            raise JournalError(
                f"{exc}; {self.label(n, undoes)} ({change.request}) was sent and Graph answered "
                f"{answer}, but the journal keeps only its `sending` line: it reads as outcome "
                "unknown — check that user by hand"
            ) from None


# --- apply -------------------------------------------------------------------------------------


async def apply_plan(
    plan: PlanFile, session: Session, earlier: Sequence[EarlierUnknown] = (), wait: float = DEFAULT_WAIT
) -> None:
    """Apply the plan's changes in order; `wait`: the seconds a change may wait for a group's
    license after a join (wait.py)."""
    changes = plan.changes
    by_n = {c.n: c for c in changes}
    mode = "applying" if session.execute else "dry run, nothing is written (--yes applies)"
    name = f"{plan.tenant_name} ({plan.tenant_id})" if plan.tenant_name else plan.tenant_id
    session.say(f"plan {plan.path}: {len(changes)} change(s) for tenant {name}, {plan.cloud.value}; {mode}")
    if plan.stopped:
        session.warn(
            f"the plan stopped early at change {plan.stopped.get('n')}: {plan.stopped.get('reason')}; "
            "the changes after it are not in it"
        )
    if not changes:
        return
    for line in earlier:
        session.warn(
            f"change {line.n} ({line.request}): outcome unknown in {line.journal} (line {line.line}); it is "
            "re-checked against the tenant like every change, and skipped if its preconditions no longer "
            "hold"
        )
    check = await session.verify(
        permissions.needed(
            (c.kind for c in changes),
            any(c.needs_sign_in for c in changes),
            any(c.group or _rests_on_group(c) for c in changes),
        )
    )
    if check.missing and session.execute:
        raise AuthError(permissions.describe(check.missing, session.delegated) + "; no change was made")
    await session.load_products()
    _beyond_undo(session, changes)
    try:
        for change in changes:
            session.check_stop(f"change {change.n}")
            try:
                await _apply_one(session, change, changes, by_n, wait)
            except Carried as exc:
                session.warn(str(exc))
                session.failures.add(change, exc.why)
                if session.failures.reached(session.tally.failed):
                    raise ApplyStopped(
                        f"{session.tally.failed} change(s) failed (--max-failures "
                        f"{session.failures.limit}): stopped there; the last: {exc}"
                    ) from None
    finally:
        summary(session, len(changes))
    t = session.tally
    if t.failed or t.unknown:
        raise ApplyStopped(
            f"{t.failed + t.unknown} change(s) did not go through ({t.failed} failed, {t.unknown} "
            f"outcome unknown; each journaled with Graph's answer), and "
            f"{len(session.failures.because)} resting on them were skipped; every other change was "
            "applied or skipped as above"
        )
    if check.missing:
        raise AuthError(
            permissions.describe(check.missing, session.delegated) + "; `apply --yes` would stop before the first write"
        )


def _beyond_undo(session: Session, changes: Sequence[Change]) -> None:
    """Said before the first change: a product assigned to more users than its enabled seats (the
    rest suspended or locked out) gets back, from an undo, only the seats that are free then; a seat
    above the enabled count cannot be assigned again."""
    given: dict[str, int] = {}
    for change in changes:
        for part, n in change.seats.items():
            if n < 0:
                given[part] = given.get(part, 0) - n
    for sku_id, free in session.free.items():
        part = session.products.get(sku_id, "")
        if free >= 0 or part not in given:
            continue
        name = product_names().product(sku_id, part) or part
        back = max(0, given[part] + free)
        session.warn(
            f"{name} is assigned to {-free} more user(s) than it has enabled seats (the other seats are "
            f"suspended or locked out, and cannot be assigned): of the {given[part]} these changes take away, "
            f"an undo can give back {back}"
        )


async def _apply_one(
    session: Session, change: Change, changes: Sequence[Change], by_n: dict[int, Change], wait: float
) -> None:
    """Re-read, check and (with --yes) make one change; Carried when it did not go through."""
    wanted = awaited(change, by_n)
    # a join whose user is a member already counts for a change that waits for its group's license
    joined = joins_of(change, by_n, wanted) & session.tally.joined
    failed = session.failures.blocked(change)
    blocked = [d for d in change.depends_on if d not in session.tally.applied and d not in joined]
    if failed or blocked:
        session.show(change.n, change)
        what = "would not be applied" if not session.execute else "was not applied"
        session.skip(
            change.n,
            change,
            change.raw,
            failed or f"it depends on change {', '.join(map(str, blocked))}, which {what}",
            None,
        )
        return
    state = await session.read(change.n, change, change.raw, shown=False)
    if change.group:
        await session.group(change.group, app_roles=change.kind == "remove_member")
    session.show(change.n, change)
    if change.kind == "add_member" and state.exists and change.group in (state.member_of or ()):
        session.tally.joined.add(change.n)
    if wanted:
        await _after_join(session, change, state, wanted, wait)
        return
    before = state.before(change.skus())
    reasons = unmet(change, state, clock(), session.products, session.group_labels()) or await group_unmet(
        session, change, state, changes, by_n
    )
    if reasons:
        session.skip(change.n, change, change.raw, "; ".join(reasons), before)
        return
    await session.write(change.n, change, change.raw, before, note=_leaving(session, change))


async def _after_join(
    session: Session, change: Change, state: UserState, wanted: tuple[Awaited, ...], wait: float
) -> None:
    """A change that waits for the license of a group joined before it (wait.py): its other
    preconditions are checked first; then, with --yes, the user is re-read until the group's copy
    is active (then the change is made) or in error or the time runs out (then it is pending)."""
    reasons = unmet(without_awaited(change, wanted), state, clock(), session.products, session.group_labels())
    if reasons:
        session.skip(change.n, change, change.raw, "; ".join(reasons), state.before(change.skus()))
        return
    ready, error = copies(state, wanted)
    if not session.execute and not ready:
        if error:  # the run would leave it pending at once
            session.skip(
                change.n,
                change,
                change.raw,
                f"{error} (with --yes it is journaled as pending)",
                state.before(change.skus()),
            )
            return
        # a dry run sends no join, so nothing can become active: it says what the run would do
        note = f"would wait up to {duration(wait)} (--wait) for the group's license to be active, then apply"
        session.tally.would += 1
        session.tally.applied.add(change.n)
        if session.journal is not None:
            session.journal.write(
                change.n,
                change.raw,
                session.request_doc(change),
                status=None,
                outcome="dry-run",
                note=note,
                before=state.before(change.skus()),
            )
        session.say(f"      -> {note}")
        return
    if not ready:
        session.say(f"      waiting up to {duration(wait)} for the group's license to be active for the user")
        state, pending = await wait_for_copies(session, change, state, wanted, wait)
        if pending is not None:
            session.pend(change.n, change, pending, state.before(change.skus()))
            return
    # the state may have changed while it waited: every precondition is checked again, and the
    # group is read again (it may have been edited since the plan)
    before = state.before(change.skus())
    reasons = unmet(change, state, clock(), session.products, session.group_labels()) or await group_unmet(
        session, change, state, (), {}
    )
    if reasons:
        session.skip(change.n, change, change.raw, "; ".join(reasons), before)
        return
    await session.write(change.n, change, change.raw, before)


def _rests_on_group(change: Change) -> bool:
    return any(cond.get("how") == "group" for cond in change.precondition)


def _leaving(session: Session, change: Change) -> str:
    """For a leave: what else the group gives (said on the console, and journaled with the outcome)."""
    group = session.groups.get(change.group or "")
    if change.kind != "remove_member" or group is None or not group.exists:
        return ""
    text = what_leaving_takes(group, session.products)
    session.say(f"      {text}")
    return text


# --- command line ------------------------------------------------------------------------------


def _client(args: argparse.Namespace, tenant_id: str, cloud: Cloud, source: str) -> GraphClient:
    """Sign in to the tenant the operator names (--tenant-id, else AZURE_TENANT_ID): never to the one
    the plan or journal names, which is only checked against it (here, and against the token)."""
    if args.cloud and Cloud(args.cloud) is not cloud:
        raise UsageError(f"--cloud {args.cloud}: {source} is for the {cloud.value} cloud")
    flag, named = (
        ("--tenant-id", args.tenant_id)
        if args.tenant_id
        else ("AZURE_TENANT_ID", os.environ.get("AZURE_TENANT_ID", "").strip())
    )
    if not named:
        raise UsageError(
            f"{args.command} needs the tenant to change: give --tenant-id or AZURE_TENANT_ID (the tenant "
            f"is never taken from {source}, which is for tenant {tenant_id})"
        )
    if GUID.match(named) and named.lower() != tenant_id:
        raise UsageError(f"{flag} {named}: {source} is for tenant {tenant_id}; refusing to apply it to another tenant")
    ep = endpoints(cloud)
    cred = build_credential(AuthMode(args.auth), tenant_id=named, cloud=ep, env=os.environ)
    try:
        return GraphClient(
            base_url=args.graph_endpoint or ep.graph_v1,
            credential=cred.credential,
            cloud=cloud,
            scope=ep.scope,
            auth_description=cred.description,
            progress=Progress(sys.stderr),
        )
    except CollectionError as exc:
        raise UsageError(str(exc)) from None


def _writer(
    args: argparse.Namespace,
    default_dir: Path,
    prefix: str,
    tenant_id: str,
    cloud: Cloud,
    plan: dict[str, str] | None = None,
) -> JournalWriter | None:
    if args.journal:
        return JournalWriter(Path(args.journal), tenant_id=tenant_id, cloud=cloud, plan=plan)
    if not args.yes:
        return None
    return JournalWriter(default_path(default_dir, prefix), tenant_id=tenant_id, cloud=cloud, plan=plan)


def cmd_apply(args: argparse.Namespace) -> int:
    failures = Failures(args.max_failures)
    path = Path(args.plan)
    with hold(path, "the plan"):
        plan = load_plan(path)
        check_age(plan, timedelta(hours=args.max_age), clock())
        code = EXIT_OK
        only_commerce = getattr(args, "commerce_only", False)
        if not only_commerce:  # the license changes (a commerce-only run leaves them to the apply job)
            client = _client(args, plan.tenant_id, plan.cloud, f"the plan {args.plan}")
            directories = [path.resolve().parent] + ([Path(args.journal).resolve().parent] if args.journal else [])
            earlier = earlier_unknown(plan.sha256, directories) if plan.changes else []
            writer = (
                _writer(
                    args,
                    path.resolve().parent,
                    "journal",
                    plan.tenant_id,
                    plan.cloud,
                    {"file": path.name, "sha256": plan.sha256},
                )
                if plan.changes
                else None
            )
            if writer is not None and args.yes:  # what an undo of this journal needs, whatever plan.json becomes
                keep_plan(path, writer.path.parent, plan.sha256)
            code = _run(
                client, writer, args.yes, plan.tenant_id, lambda s: apply_plan(plan, s, earlier, args.wait), failures
            )
        if only_commerce or getattr(args, "commerce", False):  # the bill's commerce changes, after the license changes
            # the billing clients load only for --commerce
            from .commerce import apply_from_args

            return (
                apply_from_args(
                    args,
                    path,
                    lambda: _client(args, plan.tenant_id, plan.cloud, f"the plan {args.plan}"),
                    clock().date(),
                )
                or code
            )
        return code


def _run(
    client: GraphClient,
    writer: JournalWriter | None,
    execute: bool,
    tenant_id: str,
    body: Any,
    failures: Failures | None = None,
) -> int:
    session = Session(client, tenant_id=tenant_id, execute=execute, journal=writer, out=sys.stdout, err=sys.stderr)
    session.failures = failures or session.failures

    async def go() -> None:
        stopping = _on_signals(session, asyncio.get_running_loop(), asyncio.current_task())
        try:
            await body(session)
        finally:
            stopping()
            await client.aclose()

    try:
        asyncio.run(go())
    except (asyncio.CancelledError, KeyboardInterrupt):
        if session.stop_signal is None:
            raise
        raise ApplyStopped(f"stopped by {session.stop_signal}; the journal keeps every change sent") from None
    finally:
        if writer is not None:
            writer.close()
            if writer.lines == 0:  # stopped before any change (tenant or permission check): no empty journal
                with contextlib.suppress(OSError):
                    writer.path.unlink()
    return EXIT_OK


def _on_signals(
    session: Session, loop: asyncio.AbstractEventLoop, task: asyncio.Task[Any] | None
) -> Callable[[], None]:
    """SIGTERM and SIGINT stop the run: a write in flight is answered and journaled first (the loop
    stops before the next change); otherwise, or at a second signal, the run is cancelled where it
    is (a write then in flight is journaled as outcome unknown). Returns the function that puts the
    default handling back."""
    signals = (signal.SIGTERM, signal.SIGINT)

    def stop(sig: signal.Signals) -> None:
        first = session.stop_signal is None
        if first:
            session.stop_signal = sig.name
            session.warn(
                f"{sig.name}: stopping"
                + (" once the write in flight is answered and journaled" if session.in_flight else "")
            )
        if (not first or not session.in_flight) and task is not None:
            task.cancel()

    try:
        for sig in signals:
            loop.add_signal_handler(sig, stop, sig)
    except (ValueError, RuntimeError, NotImplementedError):  # not the main thread: leave the defaults
        return lambda: None

    def restore() -> None:
        for sig in signals:
            loop.remove_signal_handler(sig)

    return restore
