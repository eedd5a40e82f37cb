"""Fixtures for the Graph collector tests: generated tenants served by the real emulator."""

from __future__ import annotations

import asyncio
import io
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from graph_tenants import make_tenant

from auditor.data.model import TenantSnapshot
from auditor.data.usage_data import UsageNeed
from auditor.graph import (
    CollectOptions,
    GraphClient,
    MailboxCheck,
    Progress,
    RetryPolicy,
    StaticTokenCredential,
    collect,
)
from auditor.graph.pacing import Pacing, Timer
from auditor_dev.emulator import DEMO_ROLES, GraphEmulator, Responder, VirtualTime, app_token

FAST_RETRY = RetryPolicy(max_retries=3, backoff_base=0.05, backoff_cap=0.2, max_retry_after=5, max_total_wait=30)


@pytest.fixture(scope="session")
def tenant() -> TenantSnapshot:
    return make_tenant(250)


class Harness:
    """Runs the real collector (msgraph-sdk adapter, httpx) against a live emulator, its waits
    (Graph's request windows, Retry-After, backoff) on a virtual clock (`timer`, `waited`): a test
    that needs the wall clock passes `timer=REAL_TIME` (auditor.graph.pacing)."""

    def __init__(
        self,
        snapshot: TenantSnapshot,
        faults: Sequence[Responder] = (),  # emulator_faults.Fault, or any responder
        roles: tuple[str, ...] = DEMO_ROLES,
        token: str | None = None,
        retry: RetryPolicy = FAST_RETRY,
        timeout: float = 10.0,
        mutually_exclusive: Sequence[tuple[str, str]] = (),
        timer: Timer | None = None,
    ) -> None:
        self.snapshot = snapshot
        self.timer: Timer = timer if timer is not None else VirtualTime()
        server_token = app_token(snapshot.tenant_id, roles)
        self.token = token if token is not None else server_token
        self.emulator = GraphEmulator(
            snapshot, token=server_token, responders=faults, mutually_exclusive=mutually_exclusive
        )
        self.retry = retry
        self.timeout = timeout
        self.stderr = io.StringIO()
        self.client: GraphClient | None = None

    def __enter__(self) -> Harness:
        self.emulator.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.emulator.stop()

    @property
    def waited(self) -> float:
        """The seconds the collector waited on the virtual clock (0 on the wall clock)."""
        return self.timer.skipped if isinstance(self.timer, VirtualTime) else 0.0

    def collect(
        self,
        group_refs: Sequence[str] = (),
        need_sign_in: bool = True,
        mailboxes: MailboxCheck | None = None,
        concurrency: int | None = 4,
        usage_reports: UsageNeed | None = None,
        disable_times: bool = False,
    ) -> TenantSnapshot:
        options = CollectOptions(
            group_refs=tuple(group_refs),
            need_sign_in=need_sign_in,
            mailboxes=mailboxes,
            concurrency=concurrency,
            usage_reports=usage_reports,
            disable_times=disable_times,
        )

        async def run() -> TenantSnapshot:
            client = GraphClient(
                base_url=self.emulator.url,
                credential=StaticTokenCredential(self.token),
                cloud=self.snapshot.cloud,
                retry=self.retry,
                timeout=self.timeout,
                progress=Progress(self.stderr, interval=0),
                pacing=Pacing(timer=self.timer),
            )
            self.client = client
            try:
                return await collect(client, options, clock=lambda: _parse(self.snapshot.collected_at))
            finally:
                await client.aclose()

        return asyncio.run(run())


def _parse(text: str) -> Any:
    from datetime import datetime

    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.fixture
def harness() -> Iterator[Callable[..., Harness]]:
    opened: list[Harness] = []

    def make(snapshot: TenantSnapshot, **kwargs: Any) -> Harness:
        h = Harness(snapshot, **kwargs).__enter__()
        opened.append(h)
        return h

    yield make
    for h in opened:
        h.__exit__(None, None, None)


@pytest.fixture
def pinned_many_tenants(monkeypatch: pytest.MonkeyPatch) -> None:
    """A run of `audit --tenants` as the workflow's own: a pinned clock, outside GitHub Actions."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1793512800")
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)


class Sends:
    """What the client decided about sending, on its own clock: each request as it passed the hold a
    429 puts on every stream (`sent`: time, method and URL), and each hold (`holds`: from, until).
    Read on the wall clock (the test gives the client REAL_TIME): both sides are the client's, so a
    busy machine delays them alike, unlike the emulator's log of arrivals."""

    def __init__(self) -> None:
        self.sent: list[tuple[float, str, str]] = []
        self.holds: list[tuple[float, float]] = []

    def during(self, hold: tuple[float, float]) -> list[str]:
        """The requests sent while `hold` held the client: none, when every stream waits for it."""
        start, end = hold
        return [url for at, _, url in self.sent if start <= at < end]

    def after(self, hold: tuple[float, float]) -> list[str]:
        return [url for at, _, url in self.sent if at >= hold[1]]


@pytest.fixture
def sends(monkeypatch: pytest.MonkeyPatch) -> Sends:
    import time

    from auditor.graph import client as client_module

    record = Sends()
    build = client_module._request_information
    throttled = client_module.GraphClient.throttled

    def request_information(url: str, headers: Any, method: Any, *args: Any, **kwargs: Any) -> Any:
        record.sent.append((time.monotonic(), str(method), url))
        return build(url, headers, method, *args, **kwargs)

    def hold(self: GraphClient, seconds: float) -> None:
        throttled(self, seconds)
        record.holds.append((self._resume_at - seconds, self._resume_at))  # from the clock's now on

    monkeypatch.setattr(client_module, "_request_information", request_information)
    monkeypatch.setattr(client_module.GraphClient, "throttled", hold)
    return record


@pytest.fixture
def readers(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every partitioned read of /users the collector starts (auditor.graph.partitions.PartitionedRead),
    to read what it decided: its streams, not what a busy machine let run at once."""
    from auditor.graph import partitions

    started: list[partitions.PartitionedRead] = []

    class Kept(partitions.PartitionedRead):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            started.append(self)

    monkeypatch.setattr(partitions, "PartitionedRead", Kept)
    return started
