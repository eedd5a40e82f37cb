"""One apply or undo run against one tenant (Session): its console and journal, the re-read of each
change's subject before it, and the steps of the write loop (skip, pend, write, and journal what
Graph answered). run.py drives the plan's changes through it; undoing.py the journal's undo.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import TextIO

from auditor.common.errors import AuthError, CollectionError, clean_message, console_line
from auditor.formats.change_model import Before, Body, Request, Undoes

from ..formats.plan_json import Change
from ..graph.client import GraphClient
from ..plan.describe import describe
from ..reference import product_names
from . import permissions
from .carry import Failures, refused, settle_unknown
from .groups import GroupState, read_group
from .journal import JournalWriter
from .state import UserState, product_name, read_state
from .write_engine import Sent, journaled_async
from .writer import send_write


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
class _Answered:
    """What one write's call learned beyond its journal line: the full note, whether Graph accepted it, and an
    exception to raise once the outcome is journaled (no token; an interruption)."""

    note: str = ""
    ok: bool = False
    raised: BaseException | None = None


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
        self.products: dict[str, str] = {}  # skuId -> the product's name, for the console (subscribedSkus)
        self.parts: dict[str, str] = {}  # skuId -> skuPartNumber, as a change's seats name the products
        self.free: dict[str, int] = {}  # skuId -> seats free (prepaidUnits.enabled - consumedUnits)
        self.plans: dict[str, tuple[tuple[str, str], ...]] = {}  # skuId -> its (servicePlanId, servicePlanName)
        self.users: dict[str, str] = {}  # user id -> "Name (UPN)", as last re-read
        self.groups: dict[str, GroupState] = {}  # group id -> the group as last re-read
        self.failures = Failures()  # the changes that did not go through, and what rests on them (carry.py)
        self.refused = 0  # changes a fresh compile does not hold as they are (auditor.apply.agree): never sent

    def check_stop(self, what: str) -> None:
        """Stop before `what` when a signal asked the run to stop."""
        if self.stop_signal:
            raise ApplyStopped(f"stopped by {self.stop_signal} before {what}; nothing more was sent")

    def say(self, text: str) -> None:
        print(console_line(text), file=self.out, flush=True)

    def warn(self, text: str) -> None:
        print(clean_message(f"license-auditor: {text}"), file=self.err, flush=True)

    def show(self, n: int, change: Change) -> None:
        # what the call does, said from the call itself (plan.json's description is only text), with
        # the names Graph gave for its ids when they were read: the user, the group, the products
        description = self.describe(change)
        seats = ", ".join(f"{product_name(part)} {delta:+d}" for part, delta in sorted(change.seats.items()))
        self.say(f"{n:>4}. {description}")
        self.say(f"      {change.request}" + (f"   (seats: {seats})" if seats else ""))

    def describe(self, change: Change, kind: str | None = None, body: Body | None = None) -> str:
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
        """Group id -> its label for the groups read so far (the skip notes name them)."""
        return {gid: found.label for gid, found in self.groups.items() if found.exists}

    async def group(self, gid: str, *, app_roles: bool = False) -> GroupState:
        """Re-read a group (groups.py); a failed read stops like a failed re-read of the user."""
        try:
            found = await read_group(self.client, gid, app_roles=app_roles)
        except CollectionError as exc:
            raise LineFailed(f"could not re-read group {gid}: {exc}") from None
        twins = [key for key, other in self.groups.items() if key != gid and other.name and other.name == found.name]
        for key in twins:  # both are named with their ids from now on
            self.groups[key] = replace(self.groups[key], twin=True)
        found = replace(found, twin=bool(twins))
        self.groups[gid] = found
        return found

    # --- before the first write ------------------------------------------------------------

    async def load_products(self) -> None:
        """The tenant's products (skuPartNumber, free seats) for the consoles and undo's seat check.
        A failed read leaves ids in the console; undo's seat check then says it could not check."""
        try:
            doc = await self.client.get(
                "/subscribedSkus?$select=skuId,skuPartNumber,prepaidUnits,consumedUnits,servicePlans"
            )
        except CollectionError as exc:
            self.warn(f"could not read the products (GET /subscribedSkus): {exc}; the console shows product ids")
            return
        for sku in (doc.get("value") or []) if isinstance(doc, dict) else []:
            if not isinstance(sku, dict) or not isinstance(sku.get("skuId"), str):
                continue
            sid = sku["skuId"].lower()
            if isinstance(sku.get("skuPartNumber"), str):
                self.parts[sid] = sku["skuPartNumber"]
                self.products[sid] = product_names().product(sid, sku["skuPartNumber"]) or sku["skuPartNumber"]
            given = sku.get("servicePlans")
            if isinstance(given, list):  # what a resource account's swap re-derives what it keeps from
                self.plans[sid] = tuple(
                    (str(p["servicePlanId"]).lower(), str(p["servicePlanName"]))
                    for p in given
                    if isinstance(p, dict) and isinstance(p.get("servicePlanName"), str) and p.get("servicePlanId")
                )
            units, used = sku.get("prepaidUnits"), sku.get("consumedUnits")
            if isinstance(units, dict) and isinstance(units.get("enabled"), int) and isinstance(used, int):
                self.free[sid] = self.free.get(sid, 0) + units["enabled"] - used

    async def verify(self, wanted: tuple[permissions.Permission, ...]) -> permissions.Check:
        """The credential signs in to the plan's tenant (else UsageError, exit 2) and has `wanted`."""
        claims = await permissions.check_tenant(self.client, self.tenant_id)
        result = permissions.check(claims, wanted)
        self.delegated = bool(claims and claims.scp is not None)
        if result.note:
            self.warn(result.note)
        return result

    # --- one change ------------------------------------------------------------------------

    def request_doc(self, change: Change) -> Request:
        return {"method": change.method, "path": change.path, "body": self.body(change)}

    def body(self, change: Change) -> Body | None:
        if change.kind == "add_member":  # the reference names the object on this Graph endpoint
            return {"@odata.id": f"{self.client.base_url}/directoryObjects/{change.user}"}
        return change.body

    @staticmethod
    def label(n: int, undoes: Undoes | None) -> str:
        return f"the undo of change {undoes['n']}" if undoes else f"change {n}"

    async def read(
        self,
        n: int,
        change: Change,
        undoes: Undoes | None = None,
        *,
        shown: bool = True,
    ) -> UserState:
        """Re-read the subject; a failed read is journaled and stops the run (`shown` False: the
        change was not shown yet, and is shown before the failure)."""
        try:
            state = await read_state(
                self.client, change.user, change.groups(), change.needs_sign_in, change.needs_kind, change.agent_parent
            )
            if state.label:
                self.users[change.user] = state.label
            return state
        except CollectionError as exc:
            if not shown:
                self.show(n, change)
            if self.journal is not None:
                self.journal.write(
                    n,
                    change,
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

    def pend(self, n: int, change: Change, reason: str, before: Before) -> None:
        """Journal a change left undone because the group's license it waits for did not become
        active (wait.py): one line, never sent, like a skipped change."""
        self.tally.pending += 1
        if self.journal is not None:
            self.journal.write(
                n, change, self.request_doc(change), status=None, outcome="pending", note=reason, before=before
            )
        self.say(f"      -> pending: {reason}")

    def skip(
        self,
        n: int,
        change: Change,
        reason: str,
        before: Before | None,
        undoes: Undoes | None = None,
    ) -> None:
        if self.execute:
            self.tally.skipped += 1
            if self.journal is not None:
                self.journal.write(
                    n,
                    change,
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
                    change,
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
        before: Before,
        undoes: Undoes | None = None,
        *,
        note: str = "",
        settle: Callable[[], Awaitable[tuple[str, str]]] | None = None,
    ) -> None:
        """Send the change (or, in a dry run, say it would be sent) and journal it through the engine's one
        write-ahead path (write_engine.journaled_async); LineFailed when it fails. `note` goes with a done
        outcome; `settle`, once Graph accepted the write, says what the outcome is (undo's re-join waits for
        the group's license: done, or failed on its error)."""
        request = self.request_doc(change)
        if not self.execute:
            self.would_write(n, change, request, before, undoes)
            return
        journal = self.journal
        assert journal is not None

        def line(outcome: str, said: str, status: int | None) -> None:
            journal.write(n, change, request, status=status, outcome=outcome, note=said, before=before, undoes=undoes)

        answered = _Answered(note)
        # write-ahead: the change is on disk before it goes out (JournalError: stop, nothing sent)
        sent = await journaled_async(
            line,
            lambda: self._send(change, request, settle, answered),
            lost=lambda s: self._unjournaled(n, change, undoes, s),
        )
        if isinstance(answered.raised, AuthError):  # no token: the request never left
            self.tally.failed += 1
            self.say("      -> FAILED: not sent")
            raise answered.raised
        if answered.raised is not None:  # an interruption, or anything unforeseen after the request went out
            self.tally.unknown += 1
            self.say("      -> outcome unknown")
            if isinstance(answered.raised, Exception):
                raise LineFailed(f"{self.label(n, undoes)} ({change.request}): {answered.note}") from None
            raise answered.raised
        if sent.outcome == "done":
            self.tally.done += 1
            self.tally.applied.add(n)
            self.say(f"      -> {sent.shown}")
            return
        self.count_failure(sent.outcome)
        self.say(f"      -> {sent.shown}" + ("" if answered.ok else f": {answered.note}"))
        text = f"{self.label(n, undoes)} ({change.request}): {answered.note}"
        if sent.outcome == "failed" or change.kind == "reprocess":
            raise Carried(text, answered.note[:300])
        raise LineFailed(text)

    async def _send(
        self,
        change: Change,
        request: Request,
        settle: Callable[[], Awaitable[tuple[str, str]]] | None,
        answered: _Answered,
    ) -> Sent:
        """The Graph call and what settles its outcome (the answer, `settle`, or a re-read of the user:
        carry.settle_unknown): the line to journal; the full note and an exception to raise once it is
        journaled go in `answered`."""
        self.in_flight = True
        try:
            result = await send_write(self.client, change.method, change.path, request["body"])
        except AuthError as exc:  # no token: the request never left
            answered.raised = exc
            return Sent("failed", f"not sent: {exc}"[:600])
        except BaseException as exc:  # an interruption, or anything unforeseen after the request went out
            reason = self.stop_signal or str(exc) or type(exc).__name__
            answered.note = f"stopped while sending ({reason}); Graph may or may not have applied it — re-read the user"
            answered.raised = exc
            return Sent("unknown", answered.note[:600])
        finally:
            self.in_flight = False
        answered.ok = result.ok
        detail = f"{result.status} {result.code}: {result.message}" if result.code else result.message
        detail = " ".join(detail.split())
        note = answered.note
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
        if outcome is None:
            outcome, shown, note = refused(result.unknown, result.status, change, detail)
        answered.note = note
        return Sent(outcome, note[:600], result.status, shown)

    def _unjournaled(self, n: int, change: Change, undoes: Undoes | None, sent: Sent) -> str:
        """A sent write's outcome the journal could not take: its "sending" line stays the last word on it (the
        change reads as outcome unknown), and the run stops."""
        self.tally.unjournaled += 1
        answer = f"HTTP {sent.status}" if sent.status else "no answer"
        self.say(f"      -> {answer}, not journaled")
        return (
            f"{self.label(n, undoes)} ({change.request}) was sent and Graph answered {answer}, but the journal "
            "keeps only its `sending` line: it reads as outcome unknown — check that user by hand"
        )

    def would_write(
        self,
        n: int,
        change: Change,
        request: Request,
        before: Before,
        undoes: Undoes | None,
    ) -> None:
        self.tally.would += 1
        self.tally.applied.add(n)
        if self.journal is not None:
            self.journal.write(
                n, change, request, status=None, outcome="dry-run", note="would apply", before=before, undoes=undoes
            )
        self.say("      -> would apply")

    def count_failure(self, outcome: str) -> None:
        if outcome == "unknown":
            self.tally.unknown += 1
        else:
            self.tally.failed += 1
