"""grace_days' audit-log read both ways, on the emulator with Graph's budgets (docs/graph.md,
"Reading no more of the audit log than the rules need").

    python -m benchmarks.audit_log_choice [--users 5000] [--updates 100000,10000] [--seconds 0.05]

For each count of "Update user" entries, the benchmark's tenant (benchmarks.tenant) gets that many
entries from an HR system's sync (a Department change of a random user, spread over the 30 days the
log keeps) and a disable entry for four in five of the accounts grace_days could hold back
(account_state.candidates). It is collected with grace_days three times, the way forced each time
(`Choice.TENANT`, `Choice.ACCOUNTS`) and chosen (`Choice.AUTO`), with the emulator's budgets and
the collector's pacing windows both scaled by --seconds (a 10 s window lasts 0.5 s at 0.05), and
prints a Markdown table: the audit-log requests, what they take at Graph's published 5 per 10 s,
the measured wall time of the collection (scaled windows; the emulator's own time to filter the
log on each request is not scaled), the answers throttled, and the way AUTO chose.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import io
import json
import random
import time
import uuid
from datetime import datetime, timedelta
from typing import Any

from auditor.data.audit_entries import DISABLE, UPDATE, AuditEntry, DirectoryAudits, Modified, Target
from auditor.data.model import TenantSnapshot
from auditor.graph import CollectOptions, GraphClient, Progress, StaticTokenCredential, collect
from auditor.graph.account_state import RATE, Choice, candidates
from auditor.graph.pacing import REAL_TIME, Pacing, Timer
from auditor_dev.emulator import DEMO_ROLES, GraphEmulator, app_token
from auditor_dev.emulator.budgets import Budgets

from .tenant import bench_tenant

HR_APP = "HR provisioning"
DEPARTMENTS = ("Sales", "Finance", "Engineering", "Support", "Legal")
LOG = "/auditLogs/directoryAudits"


def _iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def hr_sync(snapshot: TenantSnapshot, updates: int, seed: int = 7) -> TenantSnapshot:
    """`snapshot` with `updates` "Update user" entries of an HR sync over the last 30 days, and the
    sync's disable ("Update user" AccountEnabled false, then "Disable account") of four in five
    candidates, on a day of those 30 (the fifth was disabled before the log's start)."""
    rng = random.Random(seed)
    until = _at(snapshot.collected_at)
    app_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    users = snapshot.users

    def entry(activity: str, user_index: int, at: datetime, modified: tuple[Modified, ...]) -> AuditEntry:
        user = users[user_index]
        return AuditEntry(
            f"Directory_{uuid.UUID(int=rng.getrandbits(128), version=4)}",
            activity,
            _iso(at),
            "success",
            "app",
            HR_APP,
            app_id,
            (Target("User", user.id, None, user.user_principal_name, modified),),
        )

    def some_time() -> datetime:
        return until - timedelta(seconds=rng.randrange(60, 30 * 86400))

    entries = list(snapshot.directory_audits.entries) if isinstance(snapshot.directory_audits, DirectoryAudits) else []
    for _ in range(updates):
        old, new = rng.sample(DEPARTMENTS, 2)
        entries.append(
            entry(
                UPDATE,
                rng.randrange(len(users)),
                some_time(),
                (Modified("Department", json.dumps([old]), json.dumps([new])),),
            )
        )
    positions = {u.id: i for i, u in enumerate(users)}
    for n, user_id in enumerate(candidates(users)):
        if n % 5:
            at = some_time()
            entries.append(entry(UPDATE, positions[user_id], at, (Modified("AccountEnabled", "[true]", "[false]"),)))
            entries.append(entry(DISABLE, positions[user_id], at, ()))
    audits = DirectoryAudits(_iso(until - timedelta(days=30)), snapshot.collected_at, tuple(entries))
    return dataclasses.replace(snapshot, directory_audits=audits)


def collect_paced(
    graph: GraphEmulator,
    snapshot: TenantSnapshot,
    token: str,
    seconds: float,
    timer: Timer = REAL_TIME,
    **options: Any,
) -> tuple[TenantSnapshot, str]:
    """The real collector against `graph`, its pacing windows scaled by `seconds` and waited on
    `timer` (the tests give the emulator's budgets and it one VirtualTime), at the snapshot's
    clock: the snapshot read and what the progress lines said."""
    at = _at(snapshot.collected_at)
    said = io.StringIO()

    async def go() -> TenantSnapshot:
        client = GraphClient(
            base_url=graph.url,
            credential=StaticTokenCredential(token),
            pacing=Pacing(seconds=seconds, timer=timer),
            progress=Progress(said, interval=0),
        )
        try:
            return await collect(client, CollectOptions(**options), clock=lambda: at)
        finally:
            await client.aclose()

    return asyncio.run(go()), said.getvalue()


def measure(snapshot: TenantSnapshot, choice: Choice, seconds: float) -> dict[str, Any]:
    """One collection with grace_days against the emulator with the budgets on, scaled by `seconds`."""
    token = app_token(snapshot.tenant_id, DEMO_ROLES)
    with GraphEmulator(snapshot, token=token, budgets=Budgets(seconds=seconds), contract=False) as graph:
        started = time.perf_counter()
        _, said = collect_paced(graph, snapshot, token, seconds, disable_times=True, audit_choice=choice)
        wall = time.perf_counter() - started
    asked = graph.requests_to(LOG)
    chosen = Choice.ACCOUNTS if any("targetResources" in r.query.get("$filter", "") for r in asked) else Choice.TENANT
    return {
        "choice": choice.value,
        "chosen": chosen.value,
        "requests": len(asked),
        "published_s": len(asked) / RATE,
        "wall_s": wall,
        "throttled": sum(1 for r in graph.requests if r.status == 429),
        "said": [line for line in said.splitlines() if line.startswith("audit log:")],
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.audit_log_choice")
    parser.add_argument("--users", type=int, default=5000)
    parser.add_argument("--updates", default="100000,10000", help='counts of HR-sync "Update user" entries')
    parser.add_argument("--seconds", type=float, default=0.05, help="the budgets' and the pacing's window scale")
    args = parser.parse_args()
    base = bench_tenant(args.users)
    print(
        f"{len(base.users):,} users, {len(candidates(base.users)):,} candidates "
        f"(licensed, disabled, no employeeLeaveDateTime); windows scaled by {args.seconds:g}"
    )
    print(
        f'| "Update user" entries | way | audit-log requests | at 5 per 10 s | measured wall (windows × '
        f"{args.seconds:g}) | answered 429 |"
    )
    print("| ---: | --- | ---: | ---: | ---: | ---: |")
    for updates in (int(n) for n in args.updates.split(",") if n.strip()):
        tenant = hr_sync(base, updates)
        for choice in (Choice.TENANT, Choice.ACCOUNTS, Choice.AUTO):
            got = measure(tenant, choice, args.seconds)
            way = got["choice"] if choice is not Choice.AUTO else f"auto: chose {got['chosen']}"
            print(
                f"| {updates:,} | {way} | {got['requests']:,} | {got['published_s']:,.0f} s "
                f"| {got['wall_s']:,.1f} s | {got['throttled']:,} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
