"""The group member listings' streams follow the directory budget (auditor/graph/pacing.py,
Pacing.stream), not a fixed 4: on the emulator with its budgets on, the real collector reads the
members of the groups the policies name as many at once as the tenant's bucket refills for, and
keeps to a scaled-down bucket without meeting it as 429s. How many it reads at once is counted where
it decides it (the member streams it holds), not as requests in flight at the emulator, which a busy
machine serializes (issue 110); the emulator's log still bounds them from above."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import io
import random
import uuid
from datetime import datetime
from typing import Any

import pytest
from graph_tenants import make_tenant

from auditor.data.model import Group, TenantSnapshot
from auditor.graph import CollectOptions, GraphClient, Progress, StaticTokenCredential, collect
from auditor.graph.groups import GroupReads
from auditor.graph.pacing import MEMBER_UNITS, Pacing
from auditor_dev.emulator import DEMO_ROLES, GraphEmulator, LoggedRequest, VirtualTime, app_token
from auditor_dev.emulator.budgets import Budgets
from auditor_dev.emulator.log import most_in_flight

GROUPS = 24
MEMBERS = r"/groups/[^/]+/transitiveMembers/microsoft\.graph\.user"
LATENCY = 0.1  # seconds each answer takes: a page of members is in flight at least this long


@pytest.fixture(scope="module")
def tenant() -> TenantSnapshot:
    """3,000 users (a large tenant's bucket: 8,000 units per 10 s) and 24 groups of 600 members."""
    snap = make_tenant(3_000)
    rng = random.Random(53)
    ids = [u.id for u in snap.users]
    groups = tuple(
        Group(
            str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            f"Team {n:02d}",
            members=tuple(sorted(rng.sample(ids, 600))),
        )
        for n in range(GROUPS)
    )
    return dataclasses.replace(snap, groups=snap.groups + groups)


def _named(snap: TenantSnapshot) -> list[str]:
    return [g.id for g in snap.groups if g.display_name.startswith("Team ")]


def _collect(snap: TenantSnapshot, budgets: Budgets, pacing: Pacing) -> tuple[TenantSnapshot, list[LoggedRequest]]:
    token = app_token(snap.tenant_id, DEMO_ROLES)
    at = datetime.fromisoformat(snap.collected_at.replace("Z", "+00:00"))
    with GraphEmulator(snap, token=token, latency_ms=LATENCY * 1000, budgets=budgets) as graph:

        async def go() -> TenantSnapshot:
            client = GraphClient(
                base_url=graph.url,
                credential=StaticTokenCredential(token),
                pacing=pacing,
                progress=Progress(io.StringIO(), interval=0),
            )
            try:
                return await collect(
                    client, CollectOptions(group_refs=tuple(_named(snap)), concurrency=None), clock=lambda: at
                )
            finally:
                await client.aclose()

        got = asyncio.run(go())
    return got, graph.requests


def _peak(requests: list[LoggedRequest]) -> int:
    return most_in_flight(requests, LATENCY)


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """[the member streams held now, the most held at once]: what the collector decided, counted as it
    takes and gives back each stream of member pages (GroupReads._member_stream)."""
    count = [0, 0]
    stream = GroupReads._member_stream

    @contextlib.asynccontextmanager
    async def counted(inner: Any) -> Any:
        async with inner:
            count[0] += 1
            count[1] = max(count[1], count[0])
            try:
                yield
            finally:
                count[0] -= 1

    def member_stream(self: GroupReads, limit: asyncio.Semaphore | None, relation: str) -> Any:
        return counted(stream(self, limit, relation))

    monkeypatch.setattr(GroupReads, "_member_stream", member_stream)
    return count


def _members_read(got: TenantSnapshot, snap: TenantSnapshot) -> None:
    wanted = {g.id: g.members for g in snap.groups if g.display_name.startswith("Team ")}
    assert {g.id: g.members for g in got.groups if g.id in wanted} == wanted


def test_a_large_tenant_s_bucket_reads_far_more_than_four_groups_at_once(
    tenant: TenantSnapshot, held: list[int]
) -> None:
    got, requests = _collect(tenant, Budgets(), Pacing())
    _members_read(got, tenant)
    members = [r for r in requests if r.path.startswith("/groups/") and "transitiveMembers" in r.path]
    assert len(members) == GROUPS
    assert [r for r in requests if r.status == 429] == []
    # 8,000 units per 10 s refill 200 units a page-time (0.25 s): 50 streams of 4-unit member pages, and
    # the 24 groups' listings all start at once (a busy machine only delays their answers)
    assert held[1] == GROUPS, held


def test_member_streams_share_a_scaled_bucket_without_meeting_it(tenant: TenantSnapshot, held: list[int]) -> None:
    # the bucket scaled to 800 units per 10 s: 20 units a page-time, five streams of member pages
    # (4 units each) beside the user pages; the bucket is the emulator's, scaled the same way
    got, requests = _collect(tenant, Budgets(scale=0.1), Pacing(scale=0.1))
    _members_read(got, tenant)
    members = [r for r in requests if r.path.startswith("/groups/") and "transitiveMembers" in r.path]
    most = 20 // MEMBER_UNITS["transitiveMembers"]
    assert 1 < held[1] <= most and _peak(members) <= most, (held, _peak(members))
    throttled = [r for r in requests if r.status == 429]
    assert len(throttled) <= len(requests) // 10, (len(throttled), len(requests))


def test_a_tight_bucket_reads_one_group_at_a_time_and_stays_within_it(tenant: TenantSnapshot) -> None:
    # 8,000 units scaled to 20 per 2 s (unpaced, such a bucket answered a third of the requests 429);
    # the collector's pauses and the emulator's refills on one virtual clock that moves only by those
    # pauses (no wall clock): what the bucket refuses is what the collector decided, whatever the load
    clock = VirtualTime(wall=False)
    got, requests = _collect(
        tenant,
        Budgets(scale=0.0025, seconds=0.2, clock=clock.now),
        Pacing(scale=0.0025, seconds=0.2, timer=clock),
    )
    _members_read(got, tenant)
    assert clock.skipped > 0  # the collector paused near the budget
    throttled = [r for r in requests if r.status == 429]
    assert len(throttled) <= len(requests) // 10, (len(throttled), len(requests))
