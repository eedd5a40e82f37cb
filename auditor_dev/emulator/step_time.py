"""A clock shared by several processes' stand-ins that moves only when every one of them waits.

    clock = StepTime(parties=2)          # two shards, each a thread with its own event loop
    AppLimits(clock=clock.now)           # the emulator counts on it
    Pacing(timer=clock)                  # each shard's pacing waits on it
    ...                                  # each party calls clock.done() when it has finished

VirtualTime (virtual_time.py) moves ahead by every wait on its own, one after the other, so waits made
at once by several parties take longer than on Graph: right for keeping a budget, wrong for the
slots of auditor.graph.lane_share, where a shard woken later than its slot's start skips the slot.
StepTime is a discrete-event clock: a party's `sleep` registers its wake time and blocks; when every
party still at work is asleep, the clock moves to the earliest wake time and wakes that party (the
one that asked first, on a tie). A party is a sequence of waits: a thread, or one coroutine of many
on a thread's event loop (its wait is a future that loop sets, so no thread blocks). While a party
sends a request and waits for its answer it is not asleep, so the clock stands still: the emulator
sees the request at the time it was sent. A party that starts no wait is at work: `done()` takes
it out of the count when it ends.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import threading
from collections.abc import Callable


class StepTime:
    """The pacing's Timer (auditor.graph.pacing.Timer) of a discrete-event simulation; see the module."""

    def __init__(self, parties: int, start: float = 0.0) -> None:
        self.parties = parties
        self.time = start
        self.steps = 0  # the times the clock moved
        self._asleep: list[tuple[float, int, Callable[[], None]]] = []
        self._order = itertools.count()
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self.time

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        loop = asyncio.get_running_loop()
        woken: asyncio.Future[None] = loop.create_future()

        def wake() -> None:  # on the clock's thread: the party's own loop sets its future
            loop.call_soon_threadsafe(woken.set_result, None)

        with self._lock:
            heapq.heappush(self._asleep, (self.time + seconds, next(self._order), wake))
            self._step()
        await woken

    def done(self) -> None:
        """A party has finished: the clock no longer waits for it."""
        with self._lock:
            self.parties -= 1
            self._step()

    def _step(self) -> None:
        """Under the lock: when every party at work is asleep, wake the earliest."""
        if self._asleep and len(self._asleep) >= self.parties:
            at, _, wake = heapq.heappop(self._asleep)
            if at > self.time:
                self.time = at
                self.steps += 1
            wake()
