"""The generated fleet benchmarks.msp and benchmarks.msp_shards both run: its tenants' ids and sizes, the
apps that audit them, its tenants file, the emulators' process and the two nights' clocks. Here, with
public names, so neither of the two imports the other's private parts (no import circle)."""

from __future__ import annotations

import argparse
import math
import os
import random
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
POLICY = ROOT / "examples" / "contoso-policy.yaml"


def client_id(app: int) -> str:
    """The app registration (client id) `app` (0 …) of the fleet; the first is the emulator's demo app."""
    return f"00000000-0000-0000-0000-00000000e3{app + 1:02d}"


FIRST = datetime(2026, 11, 1, 6, tzinfo=UTC)  # the generator's reference clock: the first night's full read
SECOND = FIRST + timedelta(days=1)


def sizes(count: int, seed: int) -> list[int]:
    """`count` tenant sizes in users, drawn from the small-business spread benchmarks.msp's docstring tells."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        roll = rng.random()
        low, high = (10, 300) if roll < 0.85 else (300, 1000) if roll < 0.98 else (1000, 5000)
        out.append(round(math.exp(rng.uniform(math.log(low), math.log(high)))))
    return out


def tenant_id(n: int) -> str:
    return f"00000000-0000-0000-0001-{n:012d}"


def app_of(n: int, apps: int) -> int:
    """The app (0 …) that audits tenant `n` (1 …) of a fleet split over `apps` apps: in turn."""
    return (n - 1) % apps


def tenants_file(folder: Path, urls: list[str], apps: int) -> Path:
    """The fleet's tenants file: each tenant with the `client_id` of its app (app_of)."""
    lines = ["defaults:", "  policies: policies", "tenants:"]
    for n, url in enumerate(urls, start=1):
        lines += [f"  - name: Customer {n:04d}", f"    tenant_id: {tenant_id(n)}", f"    graph_endpoint: {url}"]
        lines += [f"    client_id: {client_id(app_of(n, apps))}"]
    (folder / "policies").mkdir(exist_ok=True)
    shutil.copy(POLICY, folder / "policies" / POLICY.name)
    (folder / "tenants.yaml").write_text("\n".join(lines) + "\n", "utf-8")
    return folder / "tenants.yaml"


def server_process(args: argparse.Namespace, folder: Path) -> subprocess.Popen[str]:
    """The emulators' process (`--serve`), with the second night's kept reads in folder/out."""
    return subprocess.Popen(
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
            *(["--reads", str(folder / "out")] if args.second_night else []),
            "--apps",
            str(args.apps),
            "--lane-budget",
            str(args.lane_budget),
        ],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
