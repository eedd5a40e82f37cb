"""Workers that come and go share an app's sign-in lane through Redis (auditor.graph.shared_lane):
three workers, one app, joining and leaving during the run, each its own process's windows, against
emulators that keep the app's limits across tenants as Graph does. With the shared limiter: no 429,
every request answered, never more than the lane's 10 in a minute in the emulator's log; without it
(each worker keeping the whole lane, as if it owned the app) the emulator answers 429s. A real
redis-server on loopback; one discrete-event clock (StepTime) for the workers and the emulators, so
what is asserted is counts, never the wall time."""

from __future__ import annotations

import asyncio
import dataclasses
import shutil
import socket
import subprocess
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from graph_tenants import make_tenant

from auditor.graph.lane_share import most_in_window
from auditor.graph.pacing import SIGN_IN_REQUESTS, SIGN_IN_WINDOW, AppWindows, Pacing
from auditor.graph.shared_lane import SharedWindow
from auditor_dev.emulator import DEMO_ROLES, GraphEmulator, app_token
from auditor_dev.emulator.budgets import AppLimits, Budgets
from auditor_dev.emulator.step_time import StepTime

APP = "00000000-0000-0000-0000-00000000e401"
SIGN_INS = "/users?$select=id,signInActivity&$top=500"
# (joins at, sign-in requests): the first leaves after its 8, the others join while it reads
WORKERS = [(0.0, 8), (30.0, 12), (70.0, 6)]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real redis-server on 127.0.0.1 (Debian's package; .ci/run installs it), on a free port."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    folder: Path = tmp_path_factory.mktemp("redis")
    args = [server, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"]
    process = subprocess.Popen([*args, "--dir", str(folder)], stdout=subprocess.DEVNULL)
    import redis  # the optional extra, as the limiter imports it

    client = redis.Redis(host="127.0.0.1", port=port)
    for _ in range(2_400):  # until it answers: a guard against a hang (a minute), not a time it must start in
        try:
            client.ping()
            break
        except redis.ConnectionError:
            assert process.poll() is None, "redis-server ended"
            threading.Event().wait(0.025)
    else:
        pytest.fail("redis-server never answered")
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        client.close()
        process.terminate()
        process.wait(timeout=10)


def _worker(graph: GraphEmulator, token: str, pacing: Pacing, join: float, requests: int, clock: StepTime) -> None:
    def get() -> int:
        ask = urllib.request.Request(graph.url + SIGN_INS, headers={"Authorization": f"Bearer {token}"})
        try:
            with urllib.request.urlopen(ask) as answer:
                return int(answer.status)
        except urllib.error.HTTPError as exc:
            return exc.code

    async def go() -> None:
        await clock.sleep(join)  # joins the run then
        for _ in range(requests):
            async with pacing.turn("/users", "$select=id,signInActivity"):
                await asyncio.to_thread(get)

    try:
        asyncio.run(go())
    finally:
        clock.done()  # leaves


def _run(url: str | None) -> tuple[AppLimits, list[GraphEmulator], list[Pacing]]:
    """The three workers at once, each against a tenant of its own, one app's limits across them."""
    clock = StepTime(parties=len(WORKERS), start=1_000.0)
    limits = AppLimits(clock=clock.now)
    graphs, pacings, threads = [], [], []
    for n, (join, requests) in enumerate(WORKERS):
        snap = dataclasses.replace(make_tenant(30), tenant_id=f"00000000-0000-0000-0002-{n:012d}")
        token = app_token(snap.tenant_id, DEMO_ROLES, app_id=APP)
        graph = GraphEmulator(snap, token=token, budgets=Budgets(app=limits, clock=clock.now))
        graph.__enter__()
        pacing = Pacing(timer=clock)
        # the worker's process's own windows: the lane in Redis, or the whole lane its own
        pacing.windows = AppWindows(timer=clock, shared=(url, APP) if url else None)
        graphs.append(graph)
        pacings.append(pacing)
        threads.append(threading.Thread(target=_worker, args=(graph, token, pacing, join, requests, clock)))
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        for graph in graphs:
            graph.__exit__(None, None, None)
    return limits, graphs, pacings


def test_three_workers_joining_and_leaving_share_the_apps_lane_through_redis(redis_url: str) -> None:
    limits, graphs, pacings = _run(redis_url)
    statuses: list[Any] = [r.status for g in graphs for r in g.requests]
    assert statuses == [200] * sum(n for _, n in WORKERS)  # every request answered, none 429
    log = limits.sign_in.log
    assert log is not None and len(log) == 26
    assert most_in_window(log, SIGN_IN_WINDOW) <= SIGN_IN_REQUESTS
    # each worker took its turns from the one window in Redis, none before it joined
    for pacing, (join, requests) in zip(pacings, WORKERS, strict=True):
        assert pacing.windows is not None and isinstance(pacing.windows.sign_in, SharedWindow)
        assert len(pacing.windows.sign_in.taken) == requests
        assert min(pacing.windows.sign_in.taken) >= 1_000.0 + join


def test_without_the_shared_limiter_the_same_workers_go_over_the_apps_lane() -> None:
    """The check can fail: each worker keeping the whole lane, the emulator answers the excess 429."""
    _, graphs, _ = _run(None)
    assert [r for g in graphs for r in g.requests if r.status == 429]
    assert {g.budgets.refused.get("SignInActivityLimitExceeded Application", 0) for g in graphs} != {0}


def test_audit_tenants_with_shared_limiter_takes_every_sign_in_turn_from_redis(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, redis_url: str
) -> None:
    """The flag through the real command: `audit --tenants ... --shared-limiter URL` against the emulator
    takes each sign-in request's turn from the app's window in Redis (one member a request), none 429;
    the same run without the flag leaves Redis untouched (the check can fail)."""
    import redis  # the optional extra, as the limiter imports it

    from auditor.fleet.run import cmd_tenants
    from auditor.graph.kept_sign_ins import KEPT_FILE
    from auditor.graph.pacing import forget_app_windows
    from auditor.graph.shared_lane import PREFIX, set_shared_limiter
    from tests.graph.test_fleet_lane_budget import _fleet
    from tests.graph.test_kept_sign_ins import START, _sign_in_reads, _tenant

    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.chdir(tmp_path)  # the tenants file's paths are relative
    snap = _tenant(600)
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", app_token(snap.tenant_id))
    client = redis.Redis.from_url(redis_url)
    key = PREFIX + "00000000-0000-0000-0000-00000000e301"  # _fleet's client_id
    client.delete(key)
    try:
        with GraphEmulator(snap, token=app_token(snap.tenant_id)) as graph:
            forget_app_windows()
            assert cmd_tenants(_fleet(tmp_path, graph.url, "--as-of", START.isoformat())) == 0
            assert _sign_in_reads(graph)[0] and client.zcard(key) == 0  # no flag: nothing in Redis
            shutil.rmtree(tmp_path / "out")
            graph.requests.clear()
            forget_app_windows()
            options = _fleet(tmp_path, graph.url, "--as-of", START.isoformat(), "--shared-limiter", redis_url)
            assert options.shared_limiter == redis_url
            assert cmd_tenants(options) == 0
            full, filtered = _sign_in_reads(graph)
            statuses = [r.status for r in graph.requests]
    finally:
        set_shared_limiter(None)
        forget_app_windows()
    assert (tmp_path / "out" / "acme" / KEPT_FILE).is_file()
    assert len(full) + len(filtered) >= 2 and 429 not in statuses
    assert client.zcard(key) == len(full) + len(filtered)  # one turn in the shared window per sign-in request
    client.close()
