"""The nightly's first and second night at scale: sign-in activity read in full, then only what can
have changed (auditor.graph.kept_sign_ins).

    python -m benchmarks.nightly [--sizes 100000,1000000] [--latency-ms 300] [--seed 7] [--keep DIR]

For each size, benchmarks.serve serves benchmarks.tenant's generated tenant (with every license
state timed, and every signed-in user's lastSuccessfulSignInDateTime, as Graph records it since
December 2023) with every Graph limit on (--budgets) and each answer --latency-ms late.

- The first night reads every user's sign-in activity: ceil(users / 500) requests in the sign-in
  lane, 10 a minute. Its floor is computed (users.sign_in_seconds), not run: at a million users it is
  3 h 19 min, and every other read of the audit (measured by benchmarks.run: under 3 minutes) goes on
  beside it, so the lane is the night.
- The second night is measured: the folder holds what the first night keeps (written by the
  emulator's process from the tenant it serves: exactly the full read's answer, at 06:00 the day
  before), and `license-auditor audit --baseline previous` runs end to end as a child process (wall,
  CPU, peak RSS and the peak by the end of each phase), its Graph requests counted by the emulator:
  the filtered sign-in requests, and any answered 429. Its floor: the larger of the sign-in lane for
  those requests and the directory's (benchmarks.run.budget_floor).

The benchmark tenant's first night, 2026-11-01, is the night its tenant id's hash gives it for a full
read (kept_sign_ins.full_night), so the second night is 2026-11-02: the audit runs `--as-of` then.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from auditor.graph.users import sign_in_requests, sign_in_seconds

from . import results
from .run import Emulator, audit, budget_floor

FIRST = "2026-11-01T06:00:00Z"
SECOND = "2026-11-02T06:00:00Z"
WINDOW = 90  # examples/contoso-policy.yaml's inactive_users.days


# the audit's progress lines, each stamped with its time since the start (LICENSE_AUDITOR_TIMINGS=1)
STAMPED = re.compile(r"^\[\s*([0-9.]+)s\] (.*)$", re.M)
MOMENTS = {  # when, in the audit's collection, the sign-in lane starts and ends, and the collection ends
    "lane_started_s": "signInActivity: ",  # the first line of the sign-in read: its first request follows
    "lane_ended_s": "read signInActivity in ",
    "collected_s": "collected ",
}


def timeline(stderr: str) -> dict[str, float]:
    """The moments of MOMENTS in the audit's stderr (the first line of each), in seconds since its start:
    how much of the collection is the lane's and what follows it (docs/performance.md)."""
    lines = [(float(at), text) for at, text in STAMPED.findall(stderr)]
    out = {}
    for name, start in MOMENTS.items():
        at = next((t for t, text in lines if text.startswith(start)), None)
        if at is not None:
            out[name] = at
    return out


def night_two(users: int, seed: int, latency_ms: float, work: Path) -> dict[str, Any]:
    print(f"--- {users:,} users: starting the emulator", file=sys.stderr, flush=True)
    emulator = Emulator(users, seed, "--budgets", "--timed-states", "--successful-sign-ins")
    try:
        url, token = emulator.info["url"], emulator.info["token"]
        print(f"    emulator ready in {emulator.info['setup_s']}s", file=sys.stderr, flush=True)
        out = work / f"nightly-{users}"
        started = time.perf_counter()
        emulator.command(f"keep {out} {WINDOW} {FIRST}")
        kept_s = time.perf_counter() - started
        emulator.command(f"latency {latency_ms} 0")
        emulator.command("reset")
        run = audit(url, token, out, extra=("--baseline", "previous", "--as-of", SECOND), fresh=False)
        requests = emulator.command("stats")
        moments = timeline((work / f"nightly-{users}.stderr").read_text(encoding="utf-8"))
    finally:
        emulator.close()
    filtered = requests["sign_in_filtered"]
    floors = budget_floor(users, latency_ms, requests)
    lane = sign_in_seconds(filtered, latency_ms / 1000)
    bound = floors["s"]  # the largest of the pages ÷ streams, the units, the audit log and the sign-in lane
    first = sign_in_requests(users)
    row = {
        "users": users,
        "latency_ms": latency_ms,
        "first_night": {
            "sign_in_requests": first,
            "lane_floor_s": round(sign_in_seconds(first, latency_ms / 1000), 1),
            "computed": True,
        },
        "second_night": {
            "wall_s": round(run["wall_s"], 1),
            "cpu_s": round(run["cpu_s"], 1),
            "peak_rss_mb": round(run["peak_rss_mb"]),
            "phases": run["phases"],
            "peak_rss_by_phase": run["peaks"],  # the audit's peak RSS by the end of each phase, MiB
            "cpu_by_phase": run["cpu_phases"],  # the audit's CPU by phase (its forked workers' in render), s
            "timeline": moments,  # the lane's start and end and the collection's end, s since the audit's start
            "sign_in_requests": requests["by_kind"].get("sign_in", 0),
            "sign_in_filtered": filtered,
            "requests": requests["requests"],
            "throttled": requests["throttled"],
            "refused": requests["refused"],
            "lane_floor_s": round(lane, 1),
            "floors": floors,
            "floor_s": round(bound, 1),
            "ratio": round(run["wall_s"] / bound, 2) if bound else None,
            "load_average": [round(x, 2) for x in os.getloadavg()],  # the machine's, as the audit ended
            "kept_file_mb": round((out / "sign-in-activity.json.gz").stat().st_size / 2**20, 1),
            "kept_written_s": round(kept_s, 1),
        },
    }
    print(json.dumps(row), file=sys.stderr, flush=True)
    return row


def table(rows: list[dict[str, Any]]) -> str:
    out = [
        "| users | first night: sign-in requests, lane floor (computed) | second night: filtered sign-in requests, "
        "lane floor | second night: audit, floor, ratio | peak RSS | answered 429 |",
        "| ---: | --- | --- | --- | ---: | ---: |",
    ]
    for r in rows:
        a, b = r["first_night"], r["second_night"]
        out.append(
            f"| {r['users']:,} | {a['sign_in_requests']:,}, {a['lane_floor_s']:,.1f} s | "
            f"{b['sign_in_filtered']:,}, {b['lane_floor_s']:,.1f} s | {b['wall_s']:,.1f} s, {b['floor_s']:,.1f} s, "
            f"{b['ratio']} | {b['peak_rss_mb']:,} MiB | {b['throttled']} of {b['requests']:,} |"
        )
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.nightly")
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--latency-ms", type=float, default=300.0)
    parser.add_argument("--keep", metavar="DIR", help="keep the reports here (default: a temporary folder)")
    parser.add_argument(
        "--record", action="store_true", help="keep the figures in benchmarks/results/ (docs/benchmarks.md)"
    )
    args = parser.parse_args()
    started = results.start()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(args.keep) if args.keep else Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        rows = [night_two(n, args.seed, args.latency_ms, work) for n in sizes]
    print(table(rows))
    print(json.dumps(rows, indent=1))
    if args.record:
        config = {k: v for k, v in vars(args).items() if k not in ("keep", "record")}
        results.record("nightly", config, headline(rows), rows, started)


def headline(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Per size: the second night against its floor, its peak, its 429s; the first night's computed floor."""
    out: dict[str, Any] = {}
    for r in rows:
        n, a, b = f"{r['users']:,}", r["first_night"], r["second_night"]
        out[f"{n}: first night's lane floor (s, computed)"] = a["lane_floor_s"]
        out[f"{n}: second night, audit ÷ floor"] = f"{b['wall_s']:,.1f} s ÷ {b['floor_s']:,.1f} s = {b['ratio']}"
        out[f"{n}: second night's peak RSS (MiB)"] = b["peak_rss_mb"]
        out[f"{n}: answered 429"] = b["throttled"]
    return out


if __name__ == "__main__":
    main()
