"""A benchmark's measurement kept as data: `--record` writes it to benchmarks/results/<benchmark>.json (the
machine, its load, the commit, the date, the command's configuration, the headline figures and the full
result), replacing the run of the same configuration; `python scripts/performance_tables.py` renders one table
of current figures per benchmark into docs/performance.md, and CI checks the page against the files
(docs/benchmarks.md, "Recording a measurement")."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"


def machine() -> dict[str, Any]:
    """What the figures were measured on: cores, memory, the processor's model, Python."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text("utf-8").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        model = platform.processor()
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") if hasattr(os, "sysconf") else 0
    return {
        "cpus": os.cpu_count(),
        "model": model,
        "memory_gib": round(memory / 2**30),
        "python": sys.version.split()[0],
    }


def commit() -> str:
    """The commit measured, with `+changes` when the work tree differs from it."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short=8", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "auditor"], cwd=ROOT, capture_output=True, text=True
        )
    except OSError:
        return "unknown"
    return head.stdout.strip() + ("+changes" if dirty.stdout.strip() else "") if head.returncode == 0 else "unknown"


def load() -> float:
    return round(os.getloadavg()[0], 2)


def start() -> dict[str, Any]:
    """Taken as a benchmark starts: the machine's load and the commit measured (a later commit is not what ran)."""
    return {"load": load(), "commit": commit()}


def record(
    benchmark: str,
    config: Mapping[str, Any],
    headline: Mapping[str, Any],
    result: Any,
    started: Mapping[str, Any],
    folder: Path = RESULTS,
) -> Path:
    """Keep one run: `config` names it (a later run of the same configuration replaces it), `headline` holds the
    figures the docs' table shows (label -> value, in the table's order), `result` everything the benchmark
    printed; `started`: start()'s, as the benchmark began."""
    path = folder / f"{benchmark}.json"
    kept = json.loads(path.read_text("utf-8")) if path.is_file() else {"benchmark": benchmark, "runs": []}
    run = {
        "config": dict(config),
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "commit": started["commit"],
        "machine": machine(),
        "load": {"start": started["load"], "end": load()},
        "headline": dict(headline),
        "result": result,
    }
    kept["runs"] = [r for r in kept["runs"] if r["config"] != run["config"]] + [run]
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(kept, indent=1, default=str) + "\n", "utf-8")
    print(f"recorded in {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}", file=sys.stderr)
    return path
