"""The collector paces by Graph's published budgets (auditor/graph/pacing.py) instead of meeting them
as 429s: run against the emulator with its budgets on (auditor_dev/emulator/budgets.py), both scaled
the same way so the windows last seconds, not minutes."""

from __future__ import annotations

import asyncio
import io
from datetime import datetime, timedelta
from typing import Any

from graph_tenants import make_tenant

from auditor.graph import GraphClient, Progress, StaticTokenCredential, collect
from auditor.graph.pacing import DirectoryPace, Pacing
from auditor.model import TenantSnapshot
from auditor_dev.emulator import DEMO_ROLES, GraphEmulator, app_token
from auditor_dev.emulator.budgets import Budgets


def _collect(graph: GraphEmulator, snap: TenantSnapshot, token: str, pacing: Pacing, **options: Any) -> TenantSnapshot:
    at = datetime.fromisoformat(snap.collected_at.replace("Z", "+00:00"))

    async def go() -> TenantSnapshot:
        client = GraphClient(base_url=graph.url, credential=StaticTokenCredential(token), pacing=pacing,
                             progress=Progress(io.StringIO(), interval=0))
        try:
            return await collect(client, group_refs=[], need_sign_in=True, clock=lambda: at, **options)
        finally:
            await client.aclose()

    return asyncio.run(go())


def test_six_audit_log_listings_keep_to_five_requests_per_window() -> None:
    snap = make_tenant(30)
    token = app_token(snap.tenant_id, DEMO_ROLES)
    at = datetime.fromisoformat(snap.collected_at.replace("Z", "+00:00"))
    with GraphEmulator(snap, token=token, budgets=Budgets(seconds=0.3)) as graph:  # 5 per 3 s
        got = _collect(graph, snap, token, Pacing(seconds=0.3), audits_since=at - timedelta(days=1))
    audits = graph.requests_to("/auditLogs/directoryAudits")
    assert got.directory_audits is not None and len(audits) >= 6
    assert [r.status for r in graph.requests if r.status == 429] == []
    arrivals = sorted(r.at for r in audits)
    assert all(later - first > 3.0 for first, later in zip(arrivals, arrivals[5:], strict=False))


def test_directory_reads_slow_down_near_the_budget_instead_of_meeting_429s() -> None:
    # a large tenant: 8,000 units per 10 s, here 20 per 2 s (unpaced, 36 of 69 requests were 429s
    # and the run gave up)
    snap = make_tenant(20_000)
    token = app_token(snap.tenant_id, DEMO_ROLES)
    with GraphEmulator(snap, token=token, budgets=Budgets(scale=0.0025, seconds=0.2)) as graph:
        got = _collect(graph, snap, token, Pacing(seconds=0.2), concurrency=4)
    assert len(got.users) == 20_000
    throttled = [r for r in graph.requests if r.status == 429]
    assert len(throttled) <= len(graph.requests) // 10, (len(throttled), len(graph.requests))


def test_a_usage_report_is_asked_for_at_most_fourteen_times_per_window() -> None:
    snap = make_tenant(30)
    token = app_token(snap.tenant_id, DEMO_ROLES)
    path = "/reports/getMailboxUsageDetail(period='D7')"
    with GraphEmulator(snap, token=token, budgets=Budgets(seconds=0.002)) as graph:  # 14 per 1.2 s

        async def go() -> None:
            client = GraphClient(base_url=graph.url, credential=StaticTokenCredential(token),
                                 pacing=Pacing(seconds=0.002))
            try:
                await asyncio.gather(*(client.fetch(path, follow=False) for _ in range(16)))
            finally:
                await client.aclose()

        asyncio.run(go())
    asked = [r for r in graph.requests if r.path.startswith("/reports/")]
    assert len(asked) == 16 and all(r.status == 302 for r in asked)
    arrivals = sorted(r.at for r in asked)
    assert arrivals[14] - arrivals[0] > 1.2


def test_the_directory_pace_follows_the_80_percent_header() -> None:
    pace = DirectoryPace(window=10.0)
    pace.answered({"x-ms-throttle-limit-percentage": "0.85"})
    assert pace.used == 0.85
    pace.answered({"x-ms-resource-unit": "2"})
    assert pace.used is None

    async def timed() -> float:
        pace.answered({"x-ms-throttle-limit-percentage": "0.77"})
        start = asyncio.get_running_loop().time()
        async with pace.turn():
            pass
        return asyncio.get_running_loop().time() - start

    assert 0.15 < asyncio.run(timed()) < 1.0  # (0.77 - 0.75) x 10 s: the bucket back to 75 %
