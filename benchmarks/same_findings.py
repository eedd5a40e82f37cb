"""Are the findings the same after a change? Capture the demo's reports and the benchmark tenant's
before the change, capture them again after, and compare the two byte for byte. Only the run's own
clock is masked: report.json's `generated_at` and the calendar files' `DTSTAMP`.

    python -m benchmarks.same_findings capture DIR [--users 100000] [--seed 7]
    python -m benchmarks.same_findings compare BEFORE AFTER

`capture` writes DIR/demo (`license-auditor audit --demo`) and DIR/tenant-<users> (the benchmark's
audit of its generated tenant through the Graph emulator, as benchmarks.run audits it, without
latency). `compare` lists every file that is in one capture only or differs, and exits 1 if any.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

from .run import ROOT, Emulator, _env, audit

# the run's own clock: all that differs between two runs of the same code on the same tenant
GENERATED_AT = re.compile(rb'^(\s*"generated_at": )"[^"]*"', re.M)
DTSTAMP = re.compile(rb"^DTSTAMP:\S+", re.M)


def capture(out: Path, users: int, seed: int) -> None:
    """The demo's reports and the benchmark tenant's, under `out`."""
    demo = out / "demo"
    done = subprocess.run([sys.executable, "-m", "auditor", "audit", "--demo", "--output-dir", str(demo)],
                          cwd=ROOT, env=_env(), capture_output=True, text=True)
    if done.returncode not in (0, 1):  # 1: findings at or above --fail-on, as the demo has
        raise SystemExit(f"the demo audit exited {done.returncode}:\n{done.stderr}")
    emulator = Emulator(users, seed)
    try:
        audit(emulator.info["url"], emulator.info["token"], out / f"tenant-{users}")
    finally:
        emulator.close()


def masked(path: Path) -> bytes:
    return DTSTAMP.sub(b"DTSTAMP:<run clock>", GENERATED_AT.sub(rb'\1"<run clock>"', path.read_bytes()))


def reports(capture: Path) -> set[Path]:
    """The files the audits wrote (not the benchmark's log of the audit's stderr, with its timings)."""
    return {p.relative_to(capture) for p in capture.rglob("*") if p.is_file() and p.suffix != ".stderr"}


def differences(before: Path, after: Path) -> list[str]:
    """Each file, relative to its capture, that is in one capture only or whose masked bytes differ."""
    files, later = reports(before), reports(after)
    lines = [f"only before: {p}" for p in sorted(files - later)] + [f"only after: {p}" for p in sorted(later - files)]
    return lines + [f"differs: {p}" for p in sorted(files & later) if masked(before / p) != masked(after / p)]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.same_findings")
    sub = parser.add_subparsers(dest="command", required=True)
    cap = sub.add_parser("capture", help="audit the demo and the benchmark tenant into DIR")
    cap.add_argument("dir", type=Path)
    cap.add_argument("--users", type=int, default=100_000)
    cap.add_argument("--seed", type=int, default=7)
    cmp = sub.add_parser("compare", help="compare two captures byte for byte, the run clock masked")
    cmp.add_argument("before", type=Path)
    cmp.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.command == "capture":
        capture(args.dir, args.users, args.seed)
        return
    lines = differences(args.before, args.after)
    print("\n".join(lines) or f"the same: {len(reports(args.before))} files byte for byte (run clock masked)")
    raise SystemExit(1 if lines else 0)


if __name__ == "__main__":
    main()
