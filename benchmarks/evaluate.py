"""Evaluation alone: generate a tenant in memory, then time evaluate() with 50 assignment entries.

    python -m benchmarks.evaluate --users 1000000

Prints one JSON line: users, findings, load_s (generate + decode), evaluate_s, peak RSS.
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

from auditor.evaluation.engine import evaluate
from auditor.policyset.load import load_policies
from auditor_dev.sample.generate import REFERENCE, generate_tenant

from . import results
from .policies import fifty_assignments


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.evaluate")
    parser.add_argument("--users", type=int, required=True)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of evaluate() to FILE")
    parser.add_argument(
        "--record", action="store_true", help="keep the figures in benchmarks/results/ (docs/benchmarks.md)"
    )
    args = parser.parse_args()
    started = results.start()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "benchmark-50.yaml"
        path.write_text(fifty_assignments(), encoding="utf-8")
        policies = load_policies([str(path)])
    assert sum(len(p.assignments) for p in policies.policies) == 50
    started = time.perf_counter()
    tenant = generate_tenant(args.users, seed=args.seed)
    loaded = time.perf_counter()
    as_of = REFERENCE.replace(tzinfo=__import__("datetime").UTC)
    rss_loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cpu = time.process_time()
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        result = profiler.runcall(evaluate, policies, tenant, as_of)
        profiler.dump_stats(args.profile)
    else:
        result = evaluate(policies, tenant, as_of)
    done = time.perf_counter()
    row = {
        "users": len(tenant.users),
        "findings": len(result.findings),
        "load_s": round(loaded - started, 2),
        "evaluate_s": round(done - loaded, 2),
        "evaluate_cpu_s": round(time.process_time() - cpu, 2),
        "rss_after_load_mb": round(rss_loaded / 1024),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    print(json.dumps(row))
    if args.record:
        headline = {
            "users": row["users"],
            "findings": row["findings"],
            "evaluate wall / CPU (s)": f"{row['evaluate_s']} / {row['evaluate_cpu_s']}",
            "peak RSS (MB)": row["peak_rss_mb"],
        }
        results.record("evaluate", {"users": args.users, "seed": args.seed}, headline, row, started)


if __name__ == "__main__":
    main()
