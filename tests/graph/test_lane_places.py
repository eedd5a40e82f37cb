"""`audit --tenants`: a tenant waiting for the app's sign-in lane across tenants (10 requests a minute
for all of them) gives its place among the --tenant-concurrency tenants at work to the next tenant,
and takes one again once its request is answered (auditor.fleet.tenant_places, auditor.graph.pacing's
LANE_WAIT). With 8 places and one tenant in seven reading in full, the places had filled with
tenants waiting for the lane (benchmarks/results/history-performance.md, "1,000 tenants end to end")."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from pathlib import Path

from auditor.fleet.arguments import FleetOptions
from auditor.fleet.run import run_tenants
from auditor.fleet.tenant_places import Places
from auditor.graph.pacing import LANE_WAIT, RequestWindow
from auditor.pipeline.arguments import AuditOptions
from tests.delivery.test_rollup_rows import _job

PATIENCE = 20.0  # seconds a test thread waits for what the change makes happen at once (a hang: fails)


def _until(done: Callable[[], bool]) -> bool:
    """Look at `done` until it holds, PATIENCE seconds at most: a guard against a hang, not a timing."""
    deadline = time.monotonic() + PATIENCE
    while not done():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


class _Held:
    """A clock for one RequestWindow whose sleep lasts until `free` is set (another tenant ran), then
    moves past the window."""

    def __init__(self, free: threading.Event) -> None:
        self.free = free
        self.at = 0.0

    def now(self) -> float:
        return self.at

    async def sleep(self, seconds: float) -> None:
        assert await asyncio.to_thread(self.free.wait, PATIENCE), "the other tenant never ran"
        self.at += seconds


def test_a_tenant_waiting_for_the_lane_lets_the_next_one_work(tmp_path: Path) -> None:
    """One place: tenant `a` waits for the app's lane (spent for the minute), tenant `b` needs no
    sign-in read. `b` runs while `a` waits; `a` takes its place again once `b` gave it back."""
    free = threading.Event()
    lane = RequestWindow(1, 60.0, _Held(free), lane=True)
    lane.answered.append(0.0)  # the lane's one request of the minute is spent
    order: list[str] = []

    async def sign_in_read() -> None:
        async with lane.turn():
            order.append("a: sign-in request")

    def audit(options: AuditOptions) -> int:
        key = Path(options.output_dir).name
        if key == "a":
            asyncio.run(sign_in_read())
            order.append("a: done")
        else:
            order.append("b: ran")
            free.set()
        return 0

    outcomes = run_tenants(
        FleetOptions(AuditOptions(), concurrency=1, timeout=60.0), [_job("a"), _job("b")], tmp_path, audit=audit
    )
    assert [o.job.key for o in outcomes] == ["a", "b"]
    assert order == ["b: ran", "a: sign-in request", "a: done"]


def test_a_window_that_is_not_the_lane_keeps_the_place() -> None:
    """Only the app's sign-in lane gives the place away: the tenant's own windows do not."""
    left: list[bool] = []

    class Hook:
        def leave(self) -> bool:
            left.append(True)
            return True

        def back(self) -> None:
            left.append(False)

    class Clock:
        at = 0.0

        def now(self) -> float:
            return self.at

        async def sleep(self, seconds: float) -> None:
            self.at += seconds

    async def through(window: RequestWindow) -> None:
        window.answered.append(0.0)
        async with window.turn():
            pass

    token = LANE_WAIT.set(Hook())
    try:
        asyncio.run(through(RequestWindow(1, 60.0, Clock())))
        assert left == []
        asyncio.run(through(RequestWindow(1, 60.0, Clock(), lane=True)))
    finally:
        LANE_WAIT.reset(token)
    assert left == [True, False]  # left once while waiting, back once answered


def test_the_places_away_are_as_many_as_the_places_and_each_is_given_once() -> None:
    places = Places(1)
    a = places.seat(timeout=0)
    assert a is not None and places.seat(timeout=0) is None
    assert a.leave() and not a.leave()  # away once
    b = places.seat(timeout=0)
    assert b is not None
    assert not b.leave()  # one place: one tenant away at most, b keeps its own
    came_back = threading.Event()
    waiting = threading.Thread(target=lambda: (a.back(), came_back.set()), daemon=True)
    waiting.start()
    assert _until(lambda: places.returning == 1), "a never asked to come back"  # however late its thread ran
    assert not came_back.is_set()  # b holds the one place
    b.give()
    assert places.seat(timeout=0) is None  # the place b gave is a's, coming back, not the next tenant's
    assert came_back.wait(PATIENCE)
    assert (places.working, places.away) == (1, 0)
    a.give()
    a.give()  # once: the run gives it, and so may the time limit
    assert (places.working, places.away) == (0, 0)
    # a tenant ended by its time limit while away does not come back
    c = places.seat(timeout=0)
    assert c is not None and c.leave()
    c.give()
    c.back()  # returns at once, taking nothing
    assert (places.working, places.away) == (0, 0)
