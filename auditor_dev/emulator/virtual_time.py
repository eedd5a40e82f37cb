"""A clock on which waiting costs no wall time, for the tests of the collector's pacing.

    time = VirtualTime()
    GraphEmulator(snapshot, budgets=Budgets(clock=time.now))   # the emulator's budgets read it
    GraphClient(..., pacing=Pacing(timer=time))                # the collector waits on it

`now()` is the wall clock (time.monotonic) plus every wait skipped so far, so it runs on while the
emulator answers and never goes back (read under a lock: a time read after a wait moved it, on any
thread, is later than it). `sleep(seconds)` moves it `seconds` ahead at once and waits a millisecond
of wall time: a paced collection spends the wall time of its requests, not of Graph's windows.

A wait of LOOK_AGAIN or less is no window but a look again for room among streams whose requests
are in flight (pacing.py's `_LOOK_AGAIN`, a full window's "look again soon"): it waits on the wall
clock and moves nothing, or the clock would race ahead while those requests are answered and every
budget would look refilled. Waits made at once by several streams each move it ahead by their own
length, one after the other: more time passes than on Graph, never less, so a budget kept on this
clock is kept on Graph's. `skipped`: the seconds the waits would have taken on the wall clock.
Thread-safe: the emulator's request threads read it while the collector's event loop moves it.

`VirtualTime(wall=False)` leaves the wall clock out: it stands still but for the waits the collector
chose, so what a budget kept on it sees is what the collector decided (the requests it sent, the waits
between them), never how fast a busy machine ran them; no time passes while a request is answered, so
a budget kept on it is kept on Graph's however slow the requests are. Only the pacing's two looks
again (LOOKS) are wall-clock waits then; every other wait, however short, moves it (a short window's
or Retry-After's wait that moved nothing would be waited for ever).
"""

from __future__ import annotations

import asyncio
import threading
import time

from auditor.graph.pacing import _LOOK_AGAIN as STREAM_LOOK_AGAIN

REAL_SLICE = 0.001  # the wall time a skipped wait takes
LOOK_AGAIN = 0.05  # a wait this short looks again for room on the wall clock (see the module)
# the pacing's looks again: for room among the streams, and a RequestWindow's with every turn in flight
LOOKS = (STREAM_LOOK_AGAIN, 0.05)


class VirtualTime:
    """The pacing's Timer (auditor.graph.pacing.Timer) whose waits are skipped; see the module."""

    def __init__(self, wall: bool = True) -> None:
        self.wall = wall
        self.skipped = 0.0
        self.waits = 0
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return (time.monotonic() if self.wall else 0.0) + self.skipped

    def advance(self, seconds: float) -> None:
        """Move the clock `seconds` ahead (a responder that stands for a slow answer may too)."""
        with self._lock:
            self.skipped += max(0.0, seconds)
            self.waits += 1

    async def sleep(self, seconds: float) -> None:
        if (seconds <= LOOK_AGAIN) if self.wall else (seconds in LOOKS):
            await asyncio.sleep(max(0.0, seconds))
            return
        self.advance(seconds)
        await asyncio.sleep(REAL_SLICE)
