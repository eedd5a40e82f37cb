"""How apply carries on past a change that did not go through (docs/plan-and-apply.md, "Failures").

- A definite failure (Graph answered 4xx with an error body: nothing changed) is journaled as
  `failed` with Graph's code and message. The changes that rest on it are skipped, each naming
  it: the changes that depend on it (`depends_on`, which is also how a removal names the join it
  waits for), the changes that depend on one of those, and every later change of the same user
  (the user's state is no longer the one the plan was made for). Every other change goes on.
- An unknown outcome (a timeout, a dropped connection, a redirect, a 5xx after the retries) is
  settled by re-reading the user: `done` when the change shows, `failed` when it does not. Only
  when the re-read fails too (or the change leaves no trace to read, as a reprocess) does it stay
  `unknown`; a re-read that fails stops the run.
- After `--max-failures` definite failures the run stops: a failure shared by every change (a
  permission withdrawn, a product out of seats) is not repeated a thousand times.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from auditor.common.errors import CollectionError

from ..formats.plan_json import Change
from ..graph.client import GraphClient
from . import permissions
from .preconditions import made
from .state import read_state

DEFAULT_MAX_FAILURES = 10


@dataclass
class Failures:
    """The changes of this run that did not go through, and the changes skipped because of them."""

    limit: int = DEFAULT_MAX_FAILURES
    failed: dict[int, str] = field(default_factory=dict)  # n -> what happened (Graph's code and message)
    users: dict[str, int] = field(default_factory=dict)  # user id -> n of the user's first failed change
    because: dict[int, str] = field(default_factory=dict)  # n skipped for a failure -> that failure, said

    def add(self, change: Change, why: str) -> None:
        self.failed[change.n] = why
        self.users.setdefault(change.user, change.n)

    def refuse(self, change: Change, why: str) -> None:
        """A change not sent because the tool would not make it now (auditor.apply.agree): what rests on it
        is skipped; the user's other changes are judged on their own."""
        self.failed[change.n] = why

    def blocked(self, change: Change) -> str | None:
        """Why `change` rests on a change that did not go through (None: it does not)."""
        for dep in change.depends_on:
            if dep in self.failed:
                return self._skip(change, f"it depends on change {dep}, which failed: {self.failed[dep]}")
            if dep in self.because:
                return self._skip(change, f"it depends on change {dep}, which was skipped: {self.because[dep]}")
        first = self.users.get(change.user)
        if first is not None:
            return self._skip(
                change,
                f"change {first} for the same user failed ({self.failed[first]}); the user's "
                "later changes wait until someone has looked at it",
            )
        return None

    def _skip(self, change: Change, reason: str) -> str:
        self.because[change.n] = reason
        return reason

    def reached(self, failed: int) -> bool:
        return self.limit > 0 and failed >= self.limit


async def settle_unknown(client: GraphClient, change: Change, detail: str) -> tuple[str, str]:
    """(outcome, note) of a write whose answer did not settle whether Graph made it: the user is
    re-read; `done` when the change shows, else `failed`; `unknown` when the re-read fails or the
    change leaves no trace (a reprocess)."""
    try:
        state = await read_state(client, change.user, change.groups())
    except CollectionError as exc:
        return "unknown", (
            f"{detail}; the user could not be re-read ({exc}): Graph may or may not have applied it "
            "— re-read the user before re-running"
        )
    if change.kind == "reprocess":
        return "unknown", (
            f"{detail}; a reprocess leaves nothing to re-read, so whether Graph made it is not known "
            "(making it again is harmless)"
        )
    if made(change, state):
        return "done", f"{detail}; the user, re-read, shows the change made"
    return "failed", (
        f"{detail}; the user, re-read, does not show the change: it was not made (an attempt Graph is "
        "still processing would show in the next audit)"
    )


def refused(unknown: bool, status: int | None, change: Change, detail: str) -> tuple[str, str, str]:
    """(outcome, as shown, note) of a write Graph did not accept: unknown when its answer does not
    settle whether it was made, else failed; a 403 names the permission the credential lacks."""
    if unknown:
        outcome, shown = "unknown", "outcome unknown"
        note = f"{detail}; Graph may or may not have applied it — re-read the user before re-running"
    else:
        outcome, shown, note = "failed", "FAILED", f"Graph refused it: {detail}"
    if status == 403:
        note += f"; the credential needs {permissions.for_refusal(change)}"
        if change.kind in ("add_member", "remove_member"):
            # Graph answers a member change to a dynamic group with this 403 too
            note += ", unless the group is dynamic: then change its membership rule instead"
        # a role scoped to administrative units answers this 403 for an object outside them
        note += "; or the signed-in role is scoped to administrative units this object is not in"
    return outcome, shown, note


def summary(session: Any, total: int, verb: str = "applied") -> None:
    t = session.tally
    if session.execute:
        rest = total - t.done - t.skipped - t.failed - t.unknown - t.unjournaled - t.pending
        line = f"{t.done} of {total} change(s) {verb}, {t.skipped} skipped"
        if session.failures.because:
            line += f" ({len(session.failures.because)} of them resting on a change that failed)"
        for count, what in (
            (t.pending, "pending (waiting for a group's license)"),
            (t.failed, "failed"),
            (t.unknown, "outcome unknown"),
            (t.unjournaled, "sent but not journaled (outcome unknown)"),
            (rest, "left (not attempted)"),
        ):
            if count:
                line += f", {count} {what}"
        session.say(line)
        if session.journal is not None and session.journal.lines:
            session.say(f"journal: {session.journal.path}")
    else:
        session.say(f"dry run: {t.would} change(s) would be {verb}, {t.would_skip} skipped; nothing was written")
