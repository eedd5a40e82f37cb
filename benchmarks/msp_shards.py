"""An MSP's night in S shard processes at once against one emulator process, then the roll-up.

    python -m benchmarks.msp --shards 4 --apps 2 --tenants 1000 --second-night [--one-process]
    python -m benchmarks.msp --shards 40 --apps 10 --tenants 10000 --lanes-only

The first runs `audit --tenants FILE --shard K/S` S times at once, each a process of its own whose
share of each app's limits across tenants is worked out from --shard and the file
(auditor.graph.lane_share), against benchmarks.msp's emulators, which keep each app's limits across
all its tenants in one process, as Graph does, and log each app's requests; then `rollup` of the S
folders. Printed, and written to benchmarks/results/msp-shards-<tenants>-<S>x<apps>.json: the
night's wall (the last shard's end), each shard's wall, CPU and peak RSS, the 429s by limit, each
app's sign-in requests and the most of them the emulators saw in any minute, the planned floor
(auditor.delivery.lanes.plan for the same tenants and shards), the machine's load average. With
--one-process the same night runs again in one process (from a copy of the same kept reads) and
every tenant's findings.csv is compared with the shards'.

`--lanes-only`: no audit and no HTTP: the lane schedule alone. The S shards are S threads, each
sending its tenants' sign-in requests through the collector's pacing (each its own AppWindows with
its share, as S processes would have) straight to the emulator's budgets of their app, on one
discrete-event clock (auditor_dev.emulator.step_time), so a night of hours takes seconds. The
tenants' requests are the second night's: a full read (ceil(users / 500)) for those whose night it
is (kept_sign_ins.due of a read kept at FIRST), none for the others (the 1,000-tenant second night
sent 140 for 124 full reads and no filtered one; docs/performance.md).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from auditor.delivery.lanes import Need, plan, slice_of
from auditor.graph.kept_sign_ins import FULL_EVERY, due
from auditor.graph.users import sign_in_requests

from . import results
from .msp_fleet import FIRST, SECOND, app_of, client_id, server_process, sizes, tenant_id, tenants_file


def _keys(count: int) -> list[str]:
    return [f"customer-{n:04d}" for n in range(1, count + 1)]


def _start(argv: list[str], cwd: Path, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """`license-auditor ARGV` (an audit through benchmarks.msp's --as-auditor: each tenant its token)."""
    command = ["benchmarks.msp", "--as-auditor"] if argv[0] == "audit" else ["auditor"]
    with log.open("wb") as err:
        return subprocess.Popen(
            [sys.executable, "-m", *command, *argv],
            cwd=cwd,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )


def _wait(processes: list[subprocess.Popen[bytes]], started: float) -> list[dict[str, Any]]:
    """Each process's exit code, wall (from `started` to its end), CPU (user + system) and peak RSS."""
    out: dict[int, dict[str, Any]] = {}
    left = {p.pid: n for n, p in enumerate(processes)}
    while left:
        pid, status, usage = os.wait4(-1, 0)
        if pid not in left:
            continue
        out[left.pop(pid)] = {
            "exit_code": os.waitstatus_to_exitcode(status),
            "wall_s": round(time.monotonic() - started, 1),
            "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
            "peak_rss_mb": round(usage.ru_maxrss / 1024),
        }
    for p in processes:
        p.returncode = out[processes.index(p)]["exit_code"]
    return [out[n] for n in range(len(processes))]


def _night_args(args: argparse.Namespace) -> list[str]:
    night = ["--baseline", "previous", "--as-of", SECOND.strftime("%Y-%m-%dT%H:%M:%SZ")] if args.second_night else []
    return [
        "--auth",
        "token",
        "--tenant-concurrency",
        str(args.tenant_concurrency),
        "--sign-in-lane-budget",
        str(args.lane_budget),
        *night,
    ]


def _ask(server: subprocess.Popen[str], what: str) -> Any:
    assert server.stdin is not None and server.stdout is not None
    server.stdin.write(what + "\n")
    server.stdin.flush()
    return json.loads(server.stdout.readline())


def shards(args: argparse.Namespace) -> None:
    """The S shards at once, the roll-up, and with --one-process the same night in one (the module)."""
    started = results.start()
    count, keys = args.shards, _keys(args.tenants)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="msp-shards-"))
    folder.mkdir(parents=True, exist_ok=True)
    server = server_process(args, folder)  # with --second-night each tenant's kept read in folder/out/<key>/
    assert server.stdout is not None and server.stdin is not None
    ready = json.loads(server.stdout.readline())
    apps = {key: client_id(app_of(n, args.apps)) for n, key in enumerate(keys, 1)}
    needs = [Need(key, apps[key], s, None) for key, s in zip(keys, ready["sign_ins"], strict=True)]
    # the shards as the matrix plans them: by app (`--app`, S / apps shards each), or --slices of the file
    each = count if args.slices else max(1, count // args.apps)
    planned = plan(needs, 24 * 3600, 0.0, args.latency_ms / 1000, each, by_app=not args.slices)
    entries = planned.entries
    count = len(entries)

    def place(key: str) -> int:  # the index of the shard auditing `key`
        for entry in entries:
            k, n = (int(x) for x in entry["shard"].split("/"))
            if entry["app"] in ("", apps[key]) and slice_of(key, n) == k:
                return int(entry["index"])
        raise AssertionError(key)

    try:
        tenants = tenants_file(folder, ready["urls"], args.apps)
        (folder / "tokens.json").write_text(json.dumps(dict(zip(keys, ready["tokens"], strict=True))), "utf-8")
        env = {
            **os.environ,
            "MSP_TOKENS": str(folder / "tokens.json"),
            "SOURCE_DATE_EPOCH": str(int((SECOND if args.second_night else FIRST).timestamp())),
            "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
        }
        env.pop("GITHUB_ACTIONS", None)
        if args.one_process and (folder / "out").is_dir():
            shutil.copytree(folder / "out", folder / "one")  # the same kept reads for the one-process night
        for k in range(1, count + 1):  # each shard's tenants' kept reads in its own folder
            (folder / f"shard-{k}").mkdir(exist_ok=True)
        for key in keys:
            if (folder / "out" / key).is_dir():
                (folder / "out" / key).rename(folder / f"shard-{place(key)}" / key)
        load_before = os.getloadavg()
        started = time.monotonic()
        children = [
            _start(
                ["audit", "--tenants", str(tenants), "--shard", e["shard"], "--output-dir", f"shard-{e['index']}"]
                + (["--app", e["app"]] if e["app"] else [])
                + _night_args(args),
                folder,
                env,
                folder / f"shard-{e['index']}.log",
            )
            for e in entries
        ]
        ran = _wait(children, started)
        load_after = os.getloadavg()
        lanes = _ask(server, "lanes")
        kinds = _ask(server, "stats")
        rolled = _start(
            ["rollup", *[f"shard-{k}" for k in range(1, count + 1)], "--tenants", str(tenants), "--output-dir", "all"],
            folder,
            env,
            folder / "rollup.log",
        )
        rollup_run = _wait([rolled], time.monotonic())[0]
        rows = json.loads((folder / "all" / "tenants.json").read_text("utf-8"))["tenants"]
        one: dict[str, Any] = {}
        same: list[bool] = []
        if args.compare:  # another run's one-process night of the same tenants (--keep DIR/one)
            same = _same(keys, args.compare, lambda key: folder / f"shard-{place(key)}")
        if args.one_process:
            time.sleep(63)  # each app's minute of sign-in requests behind it, as before the next night
            began = time.monotonic()
            alone = _start(
                ["audit", "--tenants", str(tenants), "--output-dir", "one", *_night_args(args)],
                folder,
                env,
                folder / "one.log",
            )
            one = _wait([alone], began)[0]
            same = _same(keys, folder / "one", lambda key: folder / f"shard-{place(key)}")
    finally:
        server.stdin.close()
        answer = json.loads(server.stdout.readline() or "{}")
        server.wait(timeout=120)
    floor = planned
    result = {
        "tenants": args.tenants,
        "shards": count,
        "shards_by": "slices of the file" if args.slices else "app",
        "matrix": entries,
        "apps": args.apps,
        "night": "second" if args.second_night else "every user read",
        "latency_ms": args.latency_ms,
        "tenant_concurrency": args.tenant_concurrency,
        "users": sum(ready["users"]),
        "load_average_before": [round(x, 1) for x in load_before],
        "load_average_after": [round(x, 1) for x in load_after],
        "cpus": os.cpu_count(),
        "night_wall_s": max(r["wall_s"] for r in ran),
        "shards_run": ran,
        "rollup": rollup_run,
        "status": {s: sum(1 for r in rows if r["status"] == s) for s in ("ok", "incomplete", "failed")},
        "sign_in_requests_planned": sum(ready["sign_ins"]),
        "sign_in_requests_by_app_planned": floor.requests,
        "lane_floor_s_by_app": {a: round(s, 1) for a, s in floor.lane_s.items()},
        "lane_floor_s": round(floor.longest, 1),
        "ratio_to_lane_floor": round(max(r["wall_s"] for r in ran) / floor.longest, 2) if floor.longest else None,
        "apps_as_the_emulators_counted": lanes,
        "requests_by_kind": kinds,
        "answered_429_by_limit": answer.get("refused", {}),
        "one_process": one,
        "findings_csv_equal_one_process": f"{sum(same)}/{len(same)}" if same else None,
    }
    cpu = [r["cpu_s"] for r in ran]
    headline = {
        "the night (last shard's end)": f"{result['night_wall_s']:,.1f} s",
        "CPU a shard": f"{min(cpu):,.1f}–{max(cpu):,.1f} s",
        "lane floor": f"{floor.longest:,.1f} s",
        "sign-in requests": result["sign_in_requests_planned"],
        "most of an app in a minute": max(app["most_sign_ins_in_a_minute"] for app in lanes),
        "429": sum(result["answered_429_by_limit"].values()),
        "findings.csv equal to one process": result["findings_csv_equal_one_process"],
        "one process": f"{one['wall_s']:,.1f} s, CPU {one['cpu_s']:,.1f} s" if one else None,
    }
    _write(args, "msp-shards", result, headline, started)
    if args.keep is None:
        shutil.rmtree(folder, ignore_errors=True)


def _same(keys: list[str], one: Path, shard: Callable[[str], Path]) -> list[bool]:
    """Whether each tenant's findings.csv of the one-process night (one/<key>/) is its shard's, byte for byte."""
    out = []
    for key in keys:
        mine, theirs = one / key / "findings.csv", shard(key) / key / "findings.csv"
        out.append(mine.is_file() and theirs.is_file() and mine.read_bytes() == theirs.read_bytes())
    return out


def _write(
    args: argparse.Namespace, benchmark: str, result: dict[str, Any], headline: dict[str, Any], started: dict[str, Any]
) -> None:
    """Print the result; with --record keep it in benchmarks/results/<benchmark>.json (benchmarks.results)."""
    print(json.dumps(result, indent=1))
    if args.record:
        keys = ("tenants", "shards", "apps", "second_night", "slices", "lanes_only", "one_process")
        results.record(benchmark, {k: getattr(args, k) for k in keys if getattr(args, k)}, headline, result, started)


def lanes_only(args: argparse.Namespace) -> None:
    """The lane schedule alone (the module): the plan's S shards as threads, each its own pacing with
    its shares, sending to the emulator's budgets of each app on one discrete-event clock."""
    from auditor.delivery.lanes import app_shares, of_app
    from auditor.delivery.matrix import TenantJob
    from auditor.graph.lane_share import SlotWindow, most_in_window
    from auditor.graph.pacing import AppWindows, Pacing
    from auditor_dev.emulator.budgets import AppLimits, Budgets
    from auditor_dev.emulator.errors import GraphError
    from auditor_dev.emulator.step_time import StepTime

    started = results.start()
    keys = _keys(args.tenants)
    users = sizes(args.tenants, args.seed)
    # the second night's: a full read for the tenants whose night it is (about 50 planted accounts each
    # beside the drawn size, as benchmarks.tenant adds them), none for the others
    requests = [
        sign_in_requests(u + 50) if due(tenant_id(n), FIRST, SECOND, FULL_EVERY) else 0 for n, u in enumerate(users, 1)
    ]
    apps = [client_id(a) for a in range(args.apps)]
    jobs = [
        TenantJob(k, k, tenant_id(n), client_id(app_of(n, args.apps)), "worldwide", "", "", "policies", "high")
        for n, k in enumerate(keys, 1)
    ]
    asked = dict(zip(keys, requests, strict=True))
    needs = [Need(job.key, job.client_id, asked[job.key], None) for job in jobs]
    per_app = None if args.slices else max(1, args.shards // args.apps)
    done = plan(needs, 24 * 3600, 0.0, args.latency_ms / 1000, shards=per_app or args.shards, by_app=not args.slices)
    # each shard's tenants with a request: one party of the clock each (a coroutine sending them in turn)
    work: list[tuple[dict[str, Any], list[TenantJob]]] = []
    for entry in done.entries:
        k, n = (int(x) for x in entry["shard"].split("/"))
        mine = [job for job in of_app(jobs, entry["app"] or None) if slice_of(job.key, n) == k and asked[job.key]]
        work.append((app_shares(of_app(jobs, entry["app"] or None), (k, n)), mine))
    clock = StepTime(parties=sum(len(w) for _, w in work), start=1_000_000.0)
    limits = {app: AppLimits(clock=clock.now) for app in apps}
    refused: list[str] = []
    windows: list[Any] = []

    def shard(shares: dict[str, Any], mine: list[TenantJob]) -> None:
        app_windows: dict[str, AppWindows] = {}  # the shard's process's own: its share, or the whole lane
        for app in {job.client_id for job in mine}:
            share = shares.get(app)
            app_windows[app] = AppWindows(timer=clock, share=share if share is not None and share.n > 1 else None)
            windows.append(app_windows[app])

        async def one(job: TenantJob) -> None:  # a tenant: its own pacing and emulator budgets, the app's shared
            pacing = Pacing(timer=clock)
            pacing.windows = app_windows[job.client_id]
            budgets = Budgets(app=limits[job.client_id], clock=clock.now)
            try:
                for _ in range(asked[job.key]):
                    async with pacing.turn("/users", "$select=id,signInActivity"):
                        try:
                            budgets.charge("GET", "/users", {"$select": "id,signInActivity"})
                        except GraphError:
                            refused.append(job.client_id)
            finally:
                clock.done()

        async def go() -> None:
            await asyncio.gather(*(one(job) for job in mine))

        asyncio.run(go())

    began = time.monotonic()
    threads = [threading.Thread(target=shard, args=(shares, mine)) for shares, mine in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ends = {app: max(limits[app].sign_in.log or [1_000_000.0]) - 1_000_000.0 for app in apps}
    missed = sum(len(w.sign_in.missed) for w in windows if isinstance(w.sign_in, SlotWindow))
    result = {
        "tenants": args.tenants,
        "shards": done.shards,
        "apps": args.apps,
        "shards_by": "slices of the file" if args.slices else "app",
        "users": sum(users),
        "full_reads": sum(1 for r in requests if r),
        "sign_in_requests": sum(requests),
        "sign_in_requests_by_app": done.requests,
        "lane_s_by_app_simulated": {a: round(s, 1) for a, s in ends.items()},
        "lane_s_simulated": round(max(ends.values()), 1),
        "lane_s_by_app_planned": {a: round(s, 1) for a, s in done.lane_s.items()},
        "lane_s_planned": round(done.longest, 1),
        "most_sign_ins_in_a_minute_by_app": {a: most_in_window(limits[a].sign_in.log or [], 60.0) for a in apps},
        "answered_429": len(refused),
        "slots_missed": missed,
        "wall_s_of_the_simulation": round(time.monotonic() - began, 1),
    }
    headline = {
        "sign-in requests": result["sign_in_requests"],
        "planned lane (longest app)": f"{done.longest:,.1f} s",
        "simulated lane": f"{result['lane_s_simulated']:,.1f} s",
        "most of an app in a minute": max(result["most_sign_ins_in_a_minute_by_app"].values()),
        "429": len(refused),
        "slots missed": missed,
    }
    _write(args, "msp-lanes", result, headline, started)
