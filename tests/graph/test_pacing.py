"""The collector paces by Graph's published budgets (auditor/graph/pacing.py) instead of meeting them
as 429s: run against the emulator with its budgets on (auditor_dev/emulator/budgets.py), both scaled
the same way so the windows last seconds, not minutes."""

from __future__ import annotations

import asyncio
import contextlib
import io
import threading
from datetime import datetime, timedelta
from typing import Any

import pytest
from graph_tenants import make_tenant

from auditor.data.model import TenantSnapshot
from auditor.graph import CollectOptions, GraphClient, Progress, StaticTokenCredential, collect
from auditor.graph.lane_share import most_in_window
from auditor.graph.pacing import (
    AUDIT_REQUESTS,
    AUDIT_WINDOW,
    REAL_TIME,
    REPORT_REQUESTS,
    REPORT_WINDOW,
    AppBudget,
    DirectoryPace,
    Pacing,
    RequestWindow,
    app_budget,
    budget_streams,
)
from auditor.graph.partitions import partitions
from auditor_dev.emulator import DEMO_ROLES, GraphEmulator, VirtualTime, app_token
from auditor_dev.emulator.budgets import Bucket, Budgets
from auditor_dev.emulator.virtual_time import REAL_SLICE
from benchmarks.tenant import bench_tenant


def _collect(
    graph: GraphEmulator, snap: TenantSnapshot, token: str, pacing: Pacing, *, need_sign_in: bool = True, **options: Any
) -> TenantSnapshot:
    at = datetime.fromisoformat(snap.collected_at.replace("Z", "+00:00"))

    async def go() -> TenantSnapshot:
        client = GraphClient(
            base_url=graph.url,
            credential=StaticTokenCredential(token),
            pacing=pacing,
            progress=Progress(io.StringIO(), interval=0),
        )
        try:
            return await collect(client, CollectOptions(need_sign_in=need_sign_in, **options), clock=lambda: at)
        finally:
            await client.aclose()

    return asyncio.run(go())


def test_six_audit_log_listings_keep_to_five_requests_per_window() -> None:
    snap = make_tenant(30)
    token = app_token(snap.tenant_id, DEMO_ROLES)
    at = datetime.fromisoformat(snap.collected_at.replace("Z", "+00:00"))
    pacing = Pacing(seconds=0.3)
    with GraphEmulator(snap, token=token, budgets=Budgets(seconds=0.3)) as graph:  # 5 per 3 s
        got = _collect(graph, snap, token, pacing, audits_since=at - timedelta(days=1))
    audits = graph.requests_to("/auditLogs/directoryAudits")
    sign_ins = [r for r in graph.requests_to("/users") if "signInActivity" in r.query.get("$select", "")]
    # what the pacing planned, not when a busy machine let the requests arrive: a turn of the
    # identity reports' window for each audit-log and sign-in request, never six in a (scaled) 10 s
    assert most_in_window(pacing.audit.taken, AUDIT_WINDOW * 0.3) <= AUDIT_REQUESTS
    assert got.directory_audits is not None and len(audits) >= 6
    assert len(pacing.audit.taken) == len(audits) + len(sign_ins)


def test_directory_reads_slow_down_near_the_budget_instead_of_meeting_429s() -> None:
    # a large tenant: 8,000 units per 10 s, here 20 per 2 s (unpaced, 36 of 69 requests were 429s
    # and the run gave up). The bucket refills on a clock that moves only by the collector's waits
    # (VirtualTime without the wall clock): what it refuses follows from the requests the collector
    # sent and the pauses it chose, not from how fast a busy machine ran them
    snap = make_tenant(20_000)
    token = app_token(snap.tenant_id, DEMO_ROLES)
    clock = VirtualTime(wall=False)
    with GraphEmulator(snap, token=token, budgets=Budgets(scale=0.0025, seconds=0.2, clock=clock.now)) as graph:
        got = _collect(graph, snap, token, Pacing(seconds=0.2, timer=clock), concurrency=4, need_sign_in=False)
    assert len(got.users) == 20_000
    assert clock.skipped > 0  # the collector paused near the budget
    throttled = [r for r in graph.requests if r.status == 429]
    assert len(throttled) <= len(graph.requests) // 10, (len(throttled), len(graph.requests))


def test_a_usage_report_is_asked_for_at_most_fourteen_times_per_window() -> None:
    snap = make_tenant(30)
    token = app_token(snap.tenant_id, DEMO_ROLES)
    path = "/reports/getMailboxUsageDetail(period='D7')"
    pacing = Pacing(seconds=0.002)
    with GraphEmulator(snap, token=token, budgets=Budgets(seconds=0.002)) as graph:  # 14 per 1.2 s

        async def go() -> None:
            client = GraphClient(base_url=graph.url, credential=StaticTokenCredential(token), pacing=pacing)
            try:
                await asyncio.gather(*(client.fetch(path, follow=False) for _ in range(16)))
            finally:
                await client.aclose()

        asyncio.run(go())
    # the report's window never planned 15 turns in a (scaled) 10 minutes: the 15th waited for the
    # first to leave it (the pacing's record, not the arrivals a busy machine may bunch)
    planned = pacing.reports["getMailboxUsageDetail"].taken
    assert most_in_window(planned, REPORT_WINDOW * 0.002) <= REPORT_REQUESTS
    assert planned[14] - planned[0] >= REPORT_WINDOW * 0.002
    asked = [r for r in graph.requests if r.path.startswith("/reports/")]
    assert len(asked) == len(planned) == 16  # one request each: none answered 429 and asked again


class _Slept:
    """A Timer that records every wait asked of it and moves its clock by it, at no wall time."""

    def __init__(self) -> None:
        self.time = 0.0
        self.slept: list[float] = []

    def now(self) -> float:
        return self.time

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.time += seconds


def test_the_directory_pace_follows_the_80_percent_header() -> None:
    pace = DirectoryPace(window=10.0)
    pace.answered({"x-ms-throttle-limit-percentage": "0.85"})
    assert pace.used == 0.85
    pace.answered({"x-ms-resource-unit": "2"})
    assert pace.used is None

    timer = _Slept()
    pace = DirectoryPace(window=10.0, timer=timer)

    async def one() -> None:
        pace.answered({"x-ms-throttle-limit-percentage": "0.77"})
        async with pace.turn():
            pass

    asyncio.run(one())
    # the wait the pace decided (not the wall time a busy machine took for it): (0.77 - 0.75) x 10 s,
    # the bucket back to 75 %
    assert timer.slept == [pytest.approx(0.2)]


def test_the_user_partitions_follow_the_budget_not_a_fixed_four(readers: list[Any]) -> None:
    snap = bench_tenant(20_000)  # people's user names: every partition has users
    token = app_token(snap.tenant_id, DEMO_ROLES)
    with GraphEmulator(snap, token=token, latency_ms=150, budgets=Budgets()) as graph:
        got = _collect(graph, snap, token, Pacing(), concurrency=None, need_sign_in=False)
    assert len(got.users) == len(snap.users)
    assert [r for r in graph.requests if r.status == 429] == []
    assert [r for r in graph.requests_to("/users") if "$filter" in r.query]
    # an 8,000-unit bucket allows every partition: a stream each, each of them reading one (the streams
    # the read opened and gave work, not the pages a busy machine let be in flight at once)
    assert budget_streams(20_000, cap=len(partitions())) == len(partitions())
    [read] = readers
    assert read.concurrency == read.streams_read == len(partitions())


class _Recording(AppBudget):
    """An app's budget that records who spent its units (the thread of each tenant)."""

    def __init__(self, units: float, window: float) -> None:
        super().__init__(units, window)
        self.spenders: list[tuple[str, int]] = []

    def spent(self, units: int) -> None:
        self.spenders.append((threading.current_thread().name, units))
        super().spent(units)


def test_the_tenants_of_one_app_share_its_budget_across_tenants() -> None:
    """Two tenants of one app, each on its own event loop and thread: every directory answer's units of
    either tenant are taken from the one budget their pacings share (what the collector decided, whatever
    the machine's load), and the emulators' shared bucket throttles little."""
    snaps = [make_tenant(3_000, seed=s) for s in (1, 2)]
    shared = Bucket(40, 2.0)
    own = _Recording(40, 2.0)
    results: list[Any] = [None, None]
    with contextlib.ExitStack() as stack:
        graphs = []
        for snap in snaps:
            token = app_token(snap.tenant_id, DEMO_ROLES)
            graphs.append(
                (stack.enter_context(GraphEmulator(snap, token=token, budgets=Budgets(across_tenants=shared))), token)
            )

        def one(i: int) -> None:
            pacing = Pacing()
            pacing.app = own
            results[i] = _collect(graphs[i][0], snaps[i], graphs[i][1], pacing, concurrency=4, need_sign_in=False)

        threads = [threading.Thread(target=one, args=(i,), name=f"tenant-{i}") for i in (0, 1)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert [len(r.users) for r in results] == [3_000, 3_000]
    by_tenant = {name: sum(units for who, units in own.spenders if who == name) for name in ("tenant-0", "tenant-1")}
    assert all(units > 0 for units in by_tenant.values()), by_tenant  # both tenants spend from the one budget
    requests = [r for graph, _ in graphs for r in graph.requests]
    throttled = [r for r in requests if r.status == 429]
    assert len(throttled) <= len(requests) // 10, (len(throttled), len(requests))


def test_one_budget_across_tenants_per_app_in_the_process() -> None:
    assert app_budget("app-a") is app_budget("app-a") is not app_budget("app-b")
    now = [0.0]
    budget = AppBudget(20, 2.0, clock=lambda: now[0])  # 10 units a second
    budget.spent(25)
    assert budget.wait() == pytest.approx(0.6)  # 5 units short, and one to spend
    now[0] = 0.6
    assert budget.wait() == 0.0


def test_the_windows_wait_on_the_pacings_clock_the_wall_clock_unless_given_another(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every wait of the pacing goes through its timer: on a VirtualTime the sign-in lane's minute
    passes on the clock and costs no wall time; a collection's pacing is the wall clock's."""
    clock = VirtualTime()
    lane = RequestWindow(1, 60.0, clock)
    slept: list[float] = []  # every sleep of the wall clock asked for
    sleep = asyncio.sleep

    async def wall_sleep(seconds: float, result: Any = None) -> Any:
        slept.append(seconds)
        return await sleep(seconds, result)

    monkeypatch.setattr(asyncio, "sleep", wall_sleep)

    async def two() -> None:
        for _ in range(2):
            async with lane.turn():
                pass

    asyncio.run(two())
    # the second turn planned a minute after the first, on the clock; the wall clock asked for no
    # more than the skipped wait's slice (what the window decided, not the wall time a busy machine took)
    assert lane.taken[1] - lane.taken[0] >= 60.0 and clock.skipped >= 59.9
    assert max(slept) <= REAL_SLICE, slept
    assert Pacing().timer is REAL_TIME and Pacing(timer=clock).audit.timer is clock


def test_a_turn_given_back_is_the_threads_own_not_the_newest() -> None:
    """A window shared by tenants on their own threads: a turn one tenant gives back unused leaves another
    tenant's turn, taken meanwhile, in the record of turns given."""
    now = [1.0]

    class Moved:
        def now(self) -> float:
            return now[0]

        async def sleep(self, seconds: float) -> None:  # pragma: no cover - nothing waits here
            now[0] += seconds

    window = RequestWindow(3, 60.0, Moved())
    took, give_back = threading.Event(), threading.Event()

    def mine() -> None:  # takes a turn at 1.0, and gives it back after the other tenant took one
        window.try_take()
        took.set()
        give_back.wait(10)
        window.undo()

    tenant = threading.Thread(target=mine)
    tenant.start()
    took.wait(10)
    now[0] = 2.0
    theirs = threading.Thread(target=window.try_take)
    theirs.start()
    theirs.join()
    give_back.set()
    tenant.join()
    assert window.taken == [2.0] and window.in_flight == 1
