"""An MSP's night: many generated tenants audited by `audit --tenants` in one process.

    python -m benchmarks.msp --tenants 1000 [--latency-ms 300] [--seed 7] [--tenant-concurrency 8]
                             [--check 5] [--keep DIR] [--no-budgets]

The tenants' sizes follow a small-business spread (`sizes`): 85 % between 10 and 300 users (the
Microsoft 365 Business plans stop at 300 seats, so most customers an MSP runs are that size), 13 %
between 300 and 1,000, 2 % between 1,000 and 5,000, each range drawn evenly on a log scale. Each
tenant is benchmarks.tenant's generated tenant of that size (which adds the sample's ~50 planted
accounts: the smallest has about 60 users), with a tenant id of its own.

Every tenant is served by its own Graph emulator, all of them in a second process (`--serve`), each
answer `--latency-ms` late. The audit runs as a child process, so its wall time, CPU time and peak
RSS are its own. The emulators keep Graph's published limits (off with --no-budgets), those per app
across all tenants shared by all of them (one app audits every tenant): GET signInActivity 10 a
minute, the identity reports 122 per 10 s, the directory's 150,000 units per 20 s. Printed: those,
the Graph requests, and the floor — the larger of each tenant's requests one after another at that
latency, summed over the tenants and divided by the concurrency used (tenant-concurrency x each
tenant's --concurrency of 4), and the app's sign-in lane: every tenant's ceil(users / 500) sign-in
requests at 10 a minute — the run's ratio to it, and the 429s by the limit that answered them. With
`--check K`, K tenants are audited again one at a time (`audit --graph-endpoint`) and their
findings.csv compared byte for byte with the run's.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from auditor.graph.users import sign_in_requests, sign_in_seconds

ROOT = Path(__file__).resolve().parents[1]
POLICY = ROOT / "examples" / "contoso-policy.yaml"
CLIENT = "00000000-0000-0000-0000-0000000000c1"
PER_TENANT_STREAMS = 4  # audit's --concurrency default


def sizes(count: int, seed: int) -> list[int]:
    """`count` tenant sizes in users, drawn from the small-business spread of the module docstring."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        roll = rng.random()
        low, high = (10, 300) if roll < 0.85 else (300, 1000) if roll < 0.98 else (1000, 5000)
        out.append(round(math.exp(rng.uniform(math.log(low), math.log(high)))))
    return out


def tenant_id(n: int) -> str:
    return f"00000000-0000-0000-0001-{n:012d}"


def serve(count: int, seed: int, latency_ms: float, budgets: bool = True) -> None:
    """The emulators: one per tenant; prints {"token", "urls", "users"} when all listen, and at end
    of input the 429s by limit ({"refused": ...}) before it stops."""
    from auditor.graph.pacing import APP_UNITS, APP_WINDOW
    from auditor_dev.emulator import GraphEmulator, app_token
    from auditor_dev.emulator.budgets import AppLimits, Bucket, Budgets

    from .tenant import bench_tenant

    token = app_token(tenant_id(0), lifetime=24 * 3600)
    urls, users = [], []
    app, units = AppLimits(), Bucket(APP_UNITS, APP_WINDOW)  # one app: its limits across all tenants
    kept: list[Budgets] = []
    with contextlib.ExitStack() as stack:
        for n, size in enumerate(sizes(count, seed), start=1):
            snapshot = dataclasses.replace(
                bench_tenant(size, seed=seed + n), tenant_id=tenant_id(n), tenant_name=f"Customer {n:04d}"
            )
            limits = Budgets(app=app, across_tenants=units) if budgets else None
            kept += [limits] if limits is not None else []
            emulator = GraphEmulator(snapshot, token=token, latency_ms=latency_ms, budgets=limits)
            urls.append(stack.enter_context(emulator).url)
            users.append(len(snapshot.users))
        print(json.dumps({"token": token, "urls": urls, "users": users}), flush=True)
        sys.stdin.read()
        refused: dict[str, int] = {}
        for limits in kept:
            for key, times in limits.refused.items():
                refused[key] = refused.get(key, 0) + times
        print(json.dumps({"refused": refused}), flush=True)


def _tenants_file(folder: Path, urls: list[str]) -> Path:
    lines = ["defaults:", f"  client_id: {CLIENT}", "  policies: policies", "tenants:"]
    for n, url in enumerate(urls, start=1):
        lines += [f"  - name: Customer {n:04d}", f"    tenant_id: {tenant_id(n)}", f"    graph_endpoint: {url}"]
    (folder / "policies").mkdir(exist_ok=True)
    shutil.copy(POLICY, folder / "policies" / POLICY.name)
    (folder / "tenants.yaml").write_text("\n".join(lines) + "\n", "utf-8")
    return folder / "tenants.yaml"


def _child(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, float, float, int]:
    """Run `python -m auditor ARGV`; (exit code, wall s, CPU s, peak RSS in bytes) of that child alone."""
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "auditor", *argv], cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    assert process.stderr is not None
    err = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - started
    if process.returncode not in (0, 1):
        sys.stderr.write(err.decode("utf-8", "replace")[-3000:])
    return process.returncode, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.msp")
    parser.add_argument("--tenants", type=int, default=1000)
    parser.add_argument("--latency-ms", type=float, default=300.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--tenant-concurrency", type=int, default=8)
    parser.add_argument(
        "--check",
        type=int,
        default=5,
        metavar="K",
        help="audit K tenants alone too and compare their findings.csv (default: 5)",
    )
    parser.add_argument("--keep", type=Path, metavar="DIR", help="write the outputs here and keep them")
    parser.add_argument(
        "--no-budgets", dest="budgets", action="store_false", help="the emulators keep none of Graph's limits"
    )
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.tenants, args.seed, args.latency_ms, args.budgets)
        return
    folder = args.keep or Path(tempfile.mkdtemp(prefix="msp-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "benchmarks.msp",
            "--serve",
            "--tenants",
            str(args.tenants),
            "--seed",
            str(args.seed),
            "--latency-ms",
            str(args.latency_ms),
            *([] if args.budgets else ["--no-budgets"]),
        ],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert server.stdout is not None and server.stdin is not None
    ready = json.loads(server.stdout.readline())
    setup = time.monotonic() - started
    try:
        tenants = _tenants_file(folder, ready["urls"])
        # the children run this checkout's code, whatever the environment's install points at
        env = {
            **os.environ,
            "AUDITOR_ACCESS_TOKEN": ready["token"],
            "SOURCE_DATE_EPOCH": "1793512800",
            "PYTHONPATH": str(ROOT),
        }
        env.pop("GITHUB_ACTIONS", None)
        code, wall, cpu, rss = _child(
            [
                "audit",
                "--tenants",
                str(tenants),
                "--auth",
                "token",
                "--output-dir",
                "out",
                "--tenant-concurrency",
                str(args.tenant_concurrency),
            ],
            folder,
            env,
        )
        rollup = json.loads((folder / "out" / "tenants.json").read_text("utf-8"))
        rows = rollup["tenants"]
        requests = sum(row.get("requests") or 0 for row in rows)
        streams = args.tenant_concurrency * PER_TENANT_STREAMS
        sign_ins = sum(sign_in_requests(n) for n in ready["users"])  # the example policy checks inactivity
        lane = sign_in_seconds(sign_ins, args.latency_ms / 1000) if args.budgets else 0.0
        floor = max(requests * args.latency_ms / 1000 / streams, lane)
        print(
            json.dumps(
                {
                    "wall_s": round(wall, 1),
                    "cpu_s": round(cpu, 1),
                    "peak_rss_mb": round(rss / 2**20),
                    "exit_code": code,
                    "requests": requests,
                }
            ),
            file=sys.stderr,
            flush=True,
        )
        same = []
        for n in range(1, min(args.check, args.tenants) + 1):
            key = f"customer-{n:04d}"
            alone = folder / "alone" / key
            _child(
                [
                    "audit",
                    "--graph-endpoint",
                    ready["urls"][n - 1],
                    "--tenant-id",
                    tenant_id(n),
                    "--auth",
                    "token",
                    "--policies",
                    "policies",
                    "--output-dir",
                    str(alone),
                ],
                folder,
                env,
            )
            mine, theirs = alone / "findings.csv", folder / "out" / key / "findings.csv"
            same.append(mine.is_file() and theirs.is_file() and mine.read_bytes() == theirs.read_bytes())
    finally:
        server.stdin.close()
        refused = json.loads(server.stdout.readline() or "{}").get("refused", {})
        server.wait(timeout=120)
    users = sizes(args.tenants, args.seed)
    result = {
        "tenants": args.tenants,
        "latency_ms": args.latency_ms,
        "tenant_concurrency": args.tenant_concurrency,
        "sizes": {"median": sorted(users)[len(users) // 2], "max": max(users), "total": sum(users)},
        "emulators_setup_s": round(setup, 1),
        "exit_code": code,
        "status": {s: sum(1 for r in rows if r["status"] == s) for s in ("ok", "incomplete", "failed")},
        "wall_s": round(wall, 1),
        "cpu_s": round(cpu, 1),
        "peak_rss_mb": round(rss / 2**20),
        "requests": requests,
        "sign_in_requests": sign_ins,
        "sign_in_lane_s": round(lane, 1),
        "floor_s": round(floor, 1),
        "answered_429_by_limit": refused,
        "ratio_to_floor": round(wall / floor, 2) if floor else None,
        "findings_csv_equal_alone": f"{sum(same)}/{len(same)}",
    }
    print(json.dumps(result, indent=1))
    if args.keep is None:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
