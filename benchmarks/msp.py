"""An MSP's night: many generated tenants audited by `audit --tenants` in one process.

    python -m benchmarks.msp --tenants 1000 [--latency-ms 300] [--seed 7] [--tenant-concurrency 8]
                             [--check 5] [--keep DIR]

The tenants' sizes follow a small-business spread (`sizes`): 85 % between 10 and 300 users (the
Microsoft 365 Business plans stop at 300 seats, so most customers an MSP runs are that size), 13 %
between 300 and 1,000, 2 % between 1,000 and 5,000, each range drawn evenly on a log scale. Each
tenant is benchmarks.tenant's generated tenant of that size (which adds the sample's ~50 planted
accounts: the smallest has about 60 users), with a tenant id of its own.

Every tenant is served by its own Graph emulator, all of them in a second process (`--serve`), each
answer `--latency-ms` late. The audit runs as a child process, so its wall time, CPU time and peak
RSS are its own. Printed: those, the Graph requests, and the floor — each tenant's requests one
after another at that latency, summed over the tenants and divided by the concurrency used
(tenant-concurrency x each tenant's --concurrency of 4) — and the run's ratio to it. With
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


def serve(count: int, seed: int, latency_ms: float) -> None:
    """The emulators: one per tenant; prints {"token", "urls"} when all listen, stops at end of input."""
    from auditor_dev.emulator import GraphEmulator, app_token

    from .tenant import bench_tenant

    token = app_token(tenant_id(0), lifetime=24 * 3600)
    urls = []
    with contextlib.ExitStack() as stack:
        for n, users in enumerate(sizes(count, seed), start=1):
            snapshot = dataclasses.replace(
                bench_tenant(users, seed=seed + n), tenant_id=tenant_id(n), tenant_name=f"Customer {n:04d}"
            )
            urls.append(stack.enter_context(GraphEmulator(snapshot, token=token, latency_ms=latency_ms)).url)
        print(json.dumps({"token": token, "urls": urls}), flush=True)
        sys.stdin.read()


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
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.tenants, args.seed, args.latency_ms)
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
        floor = requests * args.latency_ms / 1000 / streams
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
        "floor_s": round(floor, 1),
        "ratio_to_floor": round(wall / floor, 2) if floor else None,
        "findings_csv_equal_alone": f"{sum(same)}/{len(same)}",
    }
    print(json.dumps(result, indent=1))
    if args.keep is None:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
