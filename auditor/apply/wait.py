"""Waiting for a group's license after a join, before the change that rests on it.

A plan that moves a user's direct copy of a product to the policy's licensing group joins the
group first, then removes the direct copy once the group's copy is active (auditor.rules
.assignments.licensing). Group-based licensing reaches a new member in the background, usually
within minutes, so the removal cannot run right after the join: apply re-reads the user
(`licenseAssignmentStates`) until the group's copy of each product the removal waits for is
`Active` without an error, for at most `--wait` (default 5 minutes), then makes the change in the
same run. When the time runs out, or the group's copy is in error (`CountViolation`: no seat was
free), the change is journaled as `pending` with the reason and not made: the direct copy stays,
and the next apply of the plan (or a new plan) picks it up.

A change waits only for a group that a change it depends on joins (the plan's `depends_on`), and
only for the preconditions that want that group's copy active (`{"holds", "how": "group",
"group", "active": true}`); all its other preconditions are checked first, as for any change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from msgspec.structs import replace

from ..data.model import Locale
from ..formats.plan_json import Change
from ..graph.pacing import REAL_TIME, Timer
from ..guidance.library import ValueFormatter
from .state import UserState

ERRORS = ValueFormatter(
    Locale.EN
)  # a license assignment error in words, Graph's code beside it (the console's English)


class Session(Protocol):
    """What a wait needs of the apply run (session.Session): its stop check and its re-read of the user."""

    products: dict[str, str]  # skuId -> the product's name

    def check_stop(self, what: str) -> None: ...

    def group_labels(self) -> dict[str, str]: ...

    async def read(self, n: int, change: Change) -> UserState: ...


# the clock a wait reads and sleeps on: the wall clock (a test's VirtualTime skips the waits)
timer: Timer = REAL_TIME
DEFAULT_WAIT = 300.0  # seconds: `apply --wait` when not given
FIRST_POLL = 1.0  # seconds before the first re-read; each later one waits twice as long, up to MAX_POLL
MAX_POLL = 15.0


@dataclass(frozen=True)
class Awaited:
    """A group's copy of a product a change waits for."""

    sku: str  # lower case
    group: str  # lower case


def awaited(change: Change, by_n: Mapping[int, Change]) -> tuple[Awaited, ...]:
    """The group copies `change` waits for: those its preconditions want active, of a group that a
    change it depends on adds the same user to."""
    joined = {
        by_n[d].group
        for d in change.depends_on
        if d in by_n and by_n[d].kind == "add_member" and by_n[d].user == change.user
    }
    return tuple(
        Awaited(cond["holds"], cond["group"])
        for cond in change.precondition
        if cond.get("how") == "group" and cond.get("active") is True and cond.get("group") in joined
    )


def joins_of(change: Change, by_n: Mapping[int, Change], wanted: tuple[Awaited, ...]) -> set[int]:
    """The changes `change` depends on that join a group it waits for."""
    groups = {w.group for w in wanted}
    return {d for d in change.depends_on if d in by_n and by_n[d].kind == "add_member" and by_n[d].group in groups}


def without_awaited(change: Change, wanted: tuple[Awaited, ...]) -> Change:
    """`change` without the preconditions it waits for (the others are checked before any wait)."""
    keys = {(w.sku, w.group) for w in wanted}
    kept = tuple(
        cond
        for cond in change.precondition
        if not (cond.get("how") == "group" and (cond.get("holds"), cond.get("group")) in keys)
    )
    return replace(change, precondition=kept)


def copies(
    state: UserState,
    wanted: tuple[Awaited, ...],
    products: Mapping[str, str] | None = None,
    groups: Mapping[str, str] | None = None,
) -> tuple[bool, str]:
    """(every awaited copy is Active without an error; why one of them never will be, or ""), the
    products and groups by their names where `products` (skuId -> name) and `groups` (id -> label) know them.

    A copy in `Error` (or with an error beside its state) says the group's licensing failed for the
    user, e.g. CountViolation when no seat was free: waiting longer does not change it (Entra ID
    does not retry on its own), so the change is pending at once with that error."""
    ready = True
    errors: list[str] = []
    for w in wanted:
        found = [a for a in state.assignments if a.sku == w.sku and a.group == w.group]
        if any(a.state == "Active" and a.error in (None, "", "None") for a in found):
            continue
        ready = False
        failed = [a for a in found if a.state == "Error" or a.error not in (None, "", "None")]
        if failed:
            product, group = (products or {}).get(w.sku, w.sku), (groups or {}).get(w.group, w.group)
            errors.append(
                f"the license of {product} from group {group} is in state {failed[0].state or 'unknown'} "
                f"with the error {ERRORS.error(failed[0].error) if failed[0].error else 'not given'}"
            )
    return ready, "; ".join(errors)


def duration(seconds: float) -> str:
    """ "5 minutes", "90 seconds", "1 hour 30 minutes"."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{n} {unit}{'s' * (n != 1)}" for n, unit in ((hours, "hour"), (minutes, "minute"), (secs, "second")) if n]
    return " ".join(parts) or "0 seconds"


async def wait_for_copies(
    session: Session, change: Change, state: UserState, wanted: tuple[Awaited, ...], limit: float
) -> tuple[UserState, str | None]:
    """Re-read the user until every awaited copy is active: (the state last read, None), or (the
    state last read, why the change stays pending) when one is in error or `limit` seconds pass.
    A signal stops the wait like any other step (the change is then not journaled: not sent)."""
    deadline = timer.now() + limit
    delay = FIRST_POLL
    while True:
        ready, error = copies(state, wanted, session.products, session.group_labels())
        if ready:
            return state, None
        if error:
            return (
                state,
                f"{error}: the direct assignment stays; fix the group's license error, then apply the plan "
                "again (or plan again)",
            )
        left = deadline - timer.now()
        if left <= 0:
            return state, (
                f"the license from the group was not active for the user after {duration(limit)} "
                "(--wait): the direct assignment stays; apply the plan again later (or plan again)"
            )
        session.check_stop(f"change {change.n}")
        await timer.sleep(min(delay, left))
        delay = min(delay * 2, MAX_POLL)
        state = await session.read(change.n, change)
