"""Shards of one app at once share its sign-in lane by arithmetic (auditor.graph.lane_share): each
takes its slots of the minute, and one emulator keeping the app's limits across all its tenants, as
Graph does, sees no more than 10 in any minute and answers no 429. Both sides count on one
discrete-event clock (StepTime): what is asserted is what the code decided (the slots each shard
planned its requests in, the emulator's log of the app's requests), not the wall time."""

from __future__ import annotations

import asyncio
import dataclasses
import threading
import urllib.request
from typing import Any

import pytest
from graph_tenants import make_tenant

from auditor.graph.lane_share import (
    SLOT_SPAN,
    LaneShare,
    SlotWindow,
    first_slot,
    most_in_window,
    share_floor,
    share_requests,
    slot_seconds,
)
from auditor.graph.pacing import SIGN_IN_REQUESTS, SIGN_IN_WINDOW, AppWindows, Pacing
from auditor_dev.emulator import DEMO_ROLES, GraphEmulator, app_token
from auditor_dev.emulator.budgets import AppLimits, Budgets
from auditor_dev.emulator.step_time import StepTime

APP = "00000000-0000-0000-0000-00000000e301"
SIGN_INS = "/users?$select=id,signInActivity&$top=500"


def _shard(graph: GraphEmulator, token: str, pacing: Pacing, requests: int, clock: StepTime) -> None:
    """One shard: `requests` sign-in requests, one after another, each when its pacing allows."""

    def get() -> int:
        ask = urllib.request.Request(graph.url + SIGN_INS, headers={"Authorization": f"Bearer {token}"})
        try:
            with urllib.request.urlopen(ask) as answer:
                return int(answer.status)
        except urllib.error.HTTPError as exc:
            return exc.code

    async def go() -> None:
        for _ in range(requests):
            async with pacing.turn("/users", "$select=id,signInActivity"):
                await asyncio.to_thread(get)

    try:
        asyncio.run(go())
    finally:
        clock.done()


def _night(shares: list[LaneShare | None], requests: list[int]) -> tuple[AppLimits, list[GraphEmulator], list[Pacing]]:
    """Shards of one app at once, each its own process's windows (AppWindows, with its share or the
    whole lane), against one tenant each; the emulators keep the app's limits across tenants."""
    clock = StepTime(parties=len(shares), start=1_000.0)
    limits = AppLimits(clock=clock.now)
    graphs, pacings, threads = [], [], []
    with_emulators: list[Any] = []
    for n, share in enumerate(shares):
        snap = dataclasses.replace(make_tenant(30), tenant_id=f"00000000-0000-0000-0001-{n:012d}")
        token = app_token(snap.tenant_id, DEMO_ROLES, app_id=APP)
        graph = GraphEmulator(snap, token=token, budgets=Budgets(app=limits, clock=clock.now))
        with_emulators.append(graph.__enter__())
        pacing = Pacing(timer=clock)
        pacing.windows = AppWindows(timer=clock, share=share)  # the shard's process's own windows
        graphs.append(graph)
        pacings.append(pacing)
        threads.append(threading.Thread(target=_shard, args=(graph, token, pacing, requests[n], clock)))
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        for graph in graphs:
            graph.__exit__(None, None, None)
    return limits, graphs, pacings


def test_two_shards_of_one_app_at_once_keep_its_lane_between_them() -> None:
    """Shards 1/2 and 2/2, 9 and 7 sign-in requests at once: no 429; the emulator's log of the app's
    sign-in requests holds all 16 and never more than 10 in a minute; each shard sent in its own
    slots, one after another with none skipped, so each finished within its share's floor."""
    shares = [LaneShare(1, 2), LaneShare(2, 2)]
    limits, graphs, pacings = _night(list(shares), [9, 7])
    assert [r.status for g in graphs for r in g.requests if r.status != 200] == []
    log = limits.sign_in.log
    assert log is not None and len(log) == 16
    assert most_in_window(log, SIGN_IN_WINDOW) <= SIGN_IN_REQUESTS
    slot = slot_seconds(SIGN_IN_REQUESTS, SIGN_IN_WINDOW)
    for share, pacing, graph, sent in zip(shares, pacings, graphs, [9, 7], strict=True):
        assert pacing.windows is not None
        window = pacing.windows.sign_in
        assert isinstance(window, SlotWindow)
        first = window.planned[0]
        # its own slots, in a row, none missed; the first the share's first after the start
        assert window.planned == [first + i * share.n for i in range(sent)]
        assert window.missed == []
        assert first == first_slot(share, int(1_000.0 // slot) + 1)
        # each request reached the emulator at its slot's start, the last within the share's floor
        arrivals = [r.at for r in graph.requests]
        assert arrivals == pytest.approx([s * slot for s in window.planned])
        assert arrivals[-1] - 1_000.0 <= share_floor(sent, share)


def test_without_shares_the_same_two_shards_go_over_the_apps_limit() -> None:
    """The emulator's check can fail: the same two shards each keeping the whole lane (no share) send
    20 sign-in requests within a minute, and Graph's 10 a minute for the app answers the excess 429."""
    _, graphs, _ = _night([None, None], [10, 10])
    refused = [r for g in graphs for r in g.requests if r.status == 429]
    assert refused
    assert {g.budgets.refused.get("SignInActivityLimitExceeded Application", 0) for g in graphs} != {0}


def test_a_share_is_ten_over_n_a_minute_in_slots_of_its_own() -> None:
    """Four shards (10 over 4 is not whole): slots 6.3 s apart numbered from the epoch, each shard
    every fourth; together ten in any 63 s, each 2.5 a minute; the requests a lane budget of
    minutes surely holds, and the floor of a share's requests."""
    assert SLOT_SPAN == 63.0
    slot = slot_seconds(SIGN_IN_REQUESTS, SIGN_IN_WINDOW)
    assert slot == pytest.approx(6.3)
    owners = [[k for k in range(1, 5) if LaneShare(k, 4).owns(s)] for s in range(40)]
    assert all(len(o) == 1 for o in owners)
    assert [o[0] for o in owners[:8]] == [1, 2, 3, 4, 1, 2, 3, 4]
    assert share_requests(63 * 4 / 60, LaneShare(3, 4)) == 10  # 4 x 63 s: 40 slots, 10 of each shard
    assert share_requests(13, LaneShare(1, 1)) == 123  # one process of the app: 13 min of 6.3 s slots
    assert share_floor(10, LaneShare(2, 4), latency=0.3) == pytest.approx(10 * 4 * 6.3 + 0.3)
    assert most_in_window([0.0, 59.9, 60.0, 61.0], 60.0) == 3  # 59.9 to 61.0; 0.0 and 60.0 are a minute apart
    assert most_in_window([0.0, 60.0], 60.0) == 1
    with pytest.raises(ValueError):
        LaneShare(5, 4)


def test_a_shard_woken_late_skips_its_slot() -> None:
    """A turn that wakes more than LATE after its slot's start sends nothing in it: it takes its next."""

    class Late:
        def __init__(self) -> None:
            self.time = 0.0
            self.late = [2.0, 2.0]  # a loaded machine: the next two wakes two seconds late

        def now(self) -> float:
            return self.time

        async def sleep(self, seconds: float) -> None:
            self.time += seconds + (self.late.pop(0) if self.late else 0.0)

    timer = Late()
    window = SlotWindow(10, 60.0, LaneShare(1, 2), timer)

    async def once() -> None:
        async with window.turn():
            pass

    timer.time = 0.5  # slot 0 began 0.5 s ago: still usable
    asyncio.run(once())
    assert window.planned == [0] and window.missed == []
    asyncio.run(once())  # slot 2 at 12.6 s, woken at 14.6 s: missed; slot 4 at 25.2 s, woken at 27.2 s: missed
    assert window.missed == [2, 4]
    assert window.planned == [0, 6]  # slot 6 at 37.8 s, woken on time
    assert timer.time == pytest.approx(37.8)
