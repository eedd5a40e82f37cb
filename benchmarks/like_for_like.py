"""The workload the benchmark figures of 2026-11-22 (commit 7386e07) measured, against this code.

    python -m benchmarks.like_for_like [--users 1000000] [--runs 2] [--seed 7]

That day's policy (benchmarks/policy-2026-11-22.yaml: `examples/contoso-policy.yaml` at 7386e07, no
usage section, none of the rules added since), mailbox purposes not read (the emulator's token
lacks MailboxSettings.Read: the audit records the gap and exits 3), users read one page after
another (`--concurrency 1`), no latency. Prints a Markdown table: floor (a), audit (b), b/a, the
audit's phases and the phases after the collection, peak RSS, findings.csv. The figures' own code
runs its own `python -m benchmarks.run` at 7386e07 with the policy of that day (docs/benchmarks.md,
"Like for like with the figures of 2026-11-22").
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

from .run import Emulator, audit, floor

POLICY = Path(__file__).resolve().parent / "policy-2026-11-22.yaml"
AFTER_COLLECT = ("evaluate", "free", "document", "render")


def row(a: dict[str, Any], b: dict[str, Any]) -> str:
    phases = b["phases"]
    after = sum(phases.get(p, 0.0) for p in AFTER_COLLECT)
    cells = [
        f"{a['wall_s']:.1f} s",
        f"{b['wall_s']:.1f} s",
        f"{b['wall_s'] / a['wall_s']:.2f}",
        *(f"{phases.get(p, 0.0):.1f} s" for p in ("collect", "evaluate", "document", "render")),
        f"{after:.1f} s",
        f"{b['peak_rss_mb']:.0f} MB",
        f"{b['reports'].get('findings.csv', 0) / 1e6:.1f} MB",
    ]
    return "| " + " | ".join(cells) + " |"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.like_for_like")
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=2, help="floor/audit pairs against one emulator")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(f"--- {args.users:,} users: starting the emulator", file=sys.stderr, flush=True)
    emulator = Emulator(args.users, args.seed, "--without-role", "MailboxSettings.Read")
    url, token = emulator.info["url"], emulator.info["token"]
    lines = [
        "| floor (a) | audit (b) | b/a | collect | evaluate | document | render | after collect | peak RSS "
        "| findings.csv |",
        "| ---: " * 10 + "|",
    ]
    try:
        with tempfile.TemporaryDirectory(prefix="license-auditor-like-") as tmp:
            for i in range(args.runs):
                emulator.command("reset")
                a = floor(url, token)
                emulator.command("reset")
                b = audit(url, token, Path(tmp) / "reports", 1, POLICY, exits=(3,))
                lines.append(row(a, b))
                print(f"    run {i + 1}: {lines[-1]}", file=sys.stderr, flush=True)
    finally:
        emulator.close()
    print("\n".join(lines))


if __name__ == "__main__":
    main()
