"""An app's limits across tenants shared by shards that run at once, by arithmetic (docs/msp.md, "Shards of one app").

Graph keeps an app's limits across all its tenants whatever process sends the requests: "GET
signInActivity" 10 requests a minute per app for all tenants, the identity and access reports 122
per 10 s, the directory's 150,000 resource units per 20 s (auditor.graph.pacing). The shards of a
GitHub Actions matrix are processes on machines that know nothing of each other, so each takes a
fixed share of every such limit of each of its apps (LaneShare K/N: the K-th of the N shards that
read with the app), and together they never go over:

- the sign-in lane, 10 a minute: in slots. Time (the UTC clock every runner keeps) is cut into slots
  of SLOT_SPAN / 10 seconds, numbered from the epoch; slot s belongs to the shard K with
  s mod N = K - 1, and a shard sends one sign-in request in each slot of its own at most, at the
  slot's start (SlotWindow). Any ten slots in a row span SLOT_SPAN = 60 s + GUARD, so a request
  that reaches Graph within GUARD less LATE of its slot's start is more than a minute before the
  request ten slots later, whichever shard sends it: Graph never sees eleven in a minute. A shard
  woken later than LATE after its slot's start sends nothing in it and takes its next one. A share
  is 10/N requests a minute whether N divides 10 or not (4 shards: 2.5 each), and two shards'
  bursts never meet in one window;
- the other limits across tenants (the reports' 122 per 10 s, the directory's units): each shard
  keeps the whole limit divided by N (rounded down, a request at least), in its own window counted
  from the answers, as one process keeps the whole: N shards together keep the whole.

The share of a process is set once, per app, before its first request (set_shares): by
`audit --tenants --lane-share K/N`, or worked out by auditor.fleet from `--shard K/N` and the
tenants file's `client_id`s (every shard reads the same file, so each works out the same N).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import threading
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Protocol

GUARD = 3.0  # seconds of each SLOT_SPAN no slot starts in: clock skew and the request's way to Graph
LATE = 1.0  # a slot is still used this long after its start; past it, the shard takes its next
SLOT_SPAN = 60.0 + GUARD  # ten slots, the sign-in limit's minute and the guard


@dataclass(frozen=True)
class LaneShare:
    """The K-th (1-based) of N shares of an app's limits across tenants."""

    k: int
    n: int

    def __post_init__(self) -> None:
        if not 1 <= self.k <= self.n:
            raise ValueError(f"lane share {self.k}/{self.n}: give 1 <= K <= N")

    def __str__(self) -> str:
        return f"{self.k}/{self.n}"

    def owns(self, slot: int) -> bool:
        return slot % self.n == self.k - 1

    def count(self, limit: int) -> int:
        """This share of a request limit (or of units): the limit over N, rounded down, at least one."""
        return max(1, limit // self.n)


def slot_seconds(limit: int, window: float, seconds: float = 1.0) -> float:
    """The length of a slot of a limit of `limit` requests per `window` seconds as Microsoft gives it
    (`seconds` scales every window, as in the tests): `limit` slots span the window and its guard."""
    return window * SLOT_SPAN / 60.0 * seconds / limit


def first_slot(share: LaneShare, after: int) -> int:
    """The share's first slot at or after slot `after`."""
    return after + (share.k - 1 - after) % share.n


def share_requests(minutes: float, share: LaneShare, limit: int = 10, window: float = 60.0) -> int:
    """The requests the share surely sends within `minutes` from now, whatever slot now is in: its
    slots that start within them, counted from the worst place (just after one of its own)."""
    return max(0, math.floor(minutes * 60.0 / (slot_seconds(limit, window) * share.n)))


def share_floor(requests: int, share: LaneShare, limit: int = 10, window: float = 60.0, latency: float = 0.0) -> float:
    """The least time `requests` sign-in requests take in the share's slots, from the worst start
    (just after a slot of its own): the last one's slot start and its answer."""
    if requests <= 0:
        return 0.0
    return requests * share.n * slot_seconds(limit, window) + latency


class Timer(Protocol):
    """The pacing's clock and sleep (pacing.Timer)."""

    def now(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class SlotWindow:
    """The share's slots of a request limit across tenants (the module): a turn waits for the
    share's next slot no request of the process took yet, and goes at its start. `planned`: the
    slots the requests went in (the tests and the benchmark read it), `missed`: those woken too late
    for. `epoch`: the clock the slots are numbered on (the UTC clock, shared by every runner; in
    tests the timer's own). A `lane` (the sign-in lane) lets a tenant that has to wait leave its
    place among the tenants at work meanwhile (`lane`: pacing.LANE_WAIT), as pacing.RequestWindow does."""

    def __init__(
        self,
        limit: int,
        window: float,
        share: LaneShare,
        timer: Timer,
        epoch: Callable[[], float] | None = None,
        seconds: float = 1.0,
        lane: ContextVar[Any] | None = None,
    ) -> None:
        self.limit, self.share, self.timer, self.lane = limit, share, timer, lane
        self.window = window * seconds
        self.slot = slot_seconds(limit, window, seconds)
        self.late = LATE * seconds
        self.epoch = epoch or timer.now
        self.planned: list[int] = []
        self.missed: list[int] = []
        self._next = -1  # the first slot not yet taken by this process
        self._lock = threading.Lock()

    def _take(self) -> int:
        """The share's next slot not taken, still usable now (its start at most `late` ago)."""
        with self._lock:
            now_slot = math.floor((self.epoch() - self.late) / self.slot) + 1
            slot = first_slot(self.share, max(self._next, now_slot))
            self._next = slot + 1
            return slot

    async def wait(self, away: bool = False) -> tuple[int, bool]:
        """Wait for the share's next slot free in the process, until its start; the slot, and whether
        the tenant left its place meanwhile (`away`: it had already)."""
        hook = self.lane.get() if self.lane is not None else None
        while True:
            slot = self._take()
            start = slot * self.slot
            wait = start - self.epoch()
            if wait > 0:
                if hook is not None and not away:
                    away = hook.leave()
                await self.timer.sleep(wait)
            if self.on_time(slot):
                return slot, away
            self.lost(slot)

    def on_time(self, slot: int) -> bool:
        """Whether a request sent now is still in `slot` (at most `late` after its start)."""
        return self.epoch() <= slot * self.slot + self.late

    def sent(self, slot: int) -> None:
        with self._lock:
            self.planned.append(slot)

    def lost(self, slot: int) -> None:
        with self._lock:
            self.missed.append(slot)

    async def back(self, away: bool) -> None:
        """Answered: back among the tenants at work, if the wait left its place."""
        hook = self.lane.get() if self.lane is not None else None
        if away and hook is not None:
            await asyncio.to_thread(hook.back)

    @contextlib.asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """The request in the share's next slot (pacing.Pacing.turn takes the other windows in it)."""
        slot, away = await self.wait()
        self.sent(slot)
        try:
            yield
        finally:
            await self.back(away)


def wall_epoch() -> float:
    """The UTC clock in seconds since the epoch: the clock every runner of the matrix keeps alike."""
    return time.time()


_SHARES: dict[str, LaneShare] = {}
_LOCK = threading.Lock()


def set_shares(shares: Mapping[str, LaneShare]) -> None:
    """The process's share of each app's limits across tenants (by client id), set before its first
    request; an app not named keeps the whole of its limits (one process of the app at a time)."""
    with _LOCK:
        _SHARES.clear()
        _SHARES.update(shares)


def share_of(app_id: str) -> LaneShare | None:
    with _LOCK:
        return _SHARES.get(app_id)


def most_in_window(times: list[float], window: float) -> int:
    """The most of `times` within any `window` seconds (a sliding window, its end excluded)."""
    ordered = sorted(times)
    most, first = 0, 0
    for last, at in enumerate(ordered):
        while ordered[first] <= at - window:
            first += 1
        most = max(most, last - first + 1)
    return most
