"""An app's sign-in lane shared through Redis by workers that come and go (docs/msp.md, "Workers that come and go").

The matrix's shards split an app's limits across tenants by arithmetic (auditor.graph.lane_share):
right for a fixed N. Workers of a queue, Container Apps jobs or Kubernetes pods have no fixed N, so
with `--shared-limiter redis://HOST:PORT/DB` (or AUDITOR_SHARED_LIMITER) every worker takes each
sign-in request's turn from one window per app kept in Redis: a sorted set of the app's turns, as a
Redis window rate limiter keeps it. The bound is the one the planner uses (pacing.SIGN_IN_REQUESTS
per SIGN_IN_WINDOW, the app's whole lane): a turn is taken, atomically in a Lua script, only while
fewer than the limit are in the window. A turn in flight counts until its answer is in, then from
the answer (as pacing.RequestWindow counts, so Graph, counting from arrivals, never sees more); a
worker that dies in flight holds its turn one window past its start at most. A worker that joins
takes from the same window; one that leaves gives back nothing it did not take. Not a coordinator
of our own: Redis's atomic script is the whole of the agreement.

The windows are counted on the clock the worker passes (the UTC clock every worker keeps alike, as
the slots of lane_share are; a test's discrete-event clock).
"""

from __future__ import annotations

import contextlib
import os
import threading
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any, Protocol

ENV = "AUDITOR_SHARED_LIMITER"
PREFIX = "license-auditor:sign-in-lane:"

# KEYS[1]: the app's turns; ARGV: now, window, limit, a new turn's id. Turns answered a window ago
# leave; with fewer than `limit` left, the new one is held (in flight, scored a window ahead) and
# 0 returned; else the seconds until the oldest leaves.
_TAKE = """
local now, window, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now + window, ARGV[4])
  return '0'
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return tostring(tonumber(oldest[2]) + window - now)
"""


class Timer(Protocol):
    """The pacing's clock and sleep (pacing.Timer)."""

    def now(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class SharedWindow:
    """At most `limit` requests in any `window` seconds across every worker reading with the app,
    kept in Redis at `url`. `taken`: when (on `clock`) this worker's turns were given."""

    def __init__(
        self, url: str, app_id: str, limit: int, window: float, timer: Timer, clock: Callable[[], float]
    ) -> None:
        # imported here: redis is an optional extra (.[redis]), loaded only by a run that shares a lane
        import redis

        self.limit, self.window, self.timer, self.clock = limit, window, timer, clock
        self.key = PREFIX + app_id
        self.client: Any = redis.Redis.from_url(url)
        self.script: Any = self.client.register_script(_TAKE)
        self.taken: list[float] = []
        self._lock = threading.Lock()

    def _take(self, turn: str) -> float:
        """Take a turn now and return 0, or the seconds to wait before looking again (at most a
        window's share: a turn in flight may be answered sooner than its score says)."""
        now = self.clock()
        wait = float(self.script(keys=[self.key], args=[repr(now), repr(self.window), self.limit, turn]))
        if wait <= 0:
            with self._lock:
                self.taken.append(now)
            return 0.0
        return max(0.001, min(wait, self.window / self.limit))

    @contextlib.asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        turn = uuid.uuid4().hex
        while (wait := self._take(turn)) > 0:
            await self.timer.sleep(wait)
        try:
            yield
        finally:  # counted from the answer (or the failure) on
            self.client.zadd(self.key, {turn: self.clock()}, xx=True)


_URL: list[str] = []


def set_shared_limiter(url: str | None) -> None:
    """The Redis the process's sign-in lanes are shared through (None: each process keeps its own)."""
    _URL[:] = [url] if url else []


def shared_limiter() -> str | None:
    """The URL set, else AUDITOR_SHARED_LIMITER's, else None."""
    return _URL[0] if _URL else (os.environ.get(ENV) or None)
