"""Are the findings the same after a change? Capture the demo's reports and the benchmark tenant's
before the change, capture them again after, and compare the two byte for byte. Only the run's own
clock is masked (RUN_CLOCK below), and a date-time may differ only by the distance between the two
runs (the benchmark's emulator stamps its audit log from its own clock).

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
from datetime import datetime, timedelta
from pathlib import Path

from .run import ROOT, Emulator, _env, audit

# The run's own clock: report.json's `generated_at` and `collected_at`, the reports' "Report generated"
# and "Tenant data read" rows, the calendar files' DTSTAMP. They are masked.
RUN_CLOCK = (
    re.compile(rb'(?m)^(\s*"(?:generated|collected)_at": )"[^"]*"'),
    re.compile(rb"(?m)^(DTSTAMP:)\S+"),
    re.compile(
        rb"((?:Report generated|Tenant data read)\W*(?:<[^>]*>)*)"
        rb"[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{2}\\?:\d{2} UTC"
    ),
)
# Any other date-time may differ only as the clock of the benchmark's emulator, which stamps its audit
# log (when an account was disabled) as it starts: every such date-time by the same shift, which is no
# more than the distance between the two runs.
DATE_TIME = re.compile(rb"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)")
COLLECTED = re.compile(rb'"collected_at": "([^"]*)"')
SLACK = timedelta(seconds=2)  # one clock, read at moments apart while the emulator builds its tenant


def capture(out: Path, users: int, seed: int) -> None:
    """The demo's reports and the benchmark tenant's, under `out`."""
    demo = out / "demo"
    done = subprocess.run(
        [sys.executable, "-m", "auditor", "audit", "--demo", "--output-dir", str(demo)],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
    )
    if done.returncode not in (0, 1):  # 1: findings at or above --fail-on, as the demo has
        raise SystemExit(f"the demo audit exited {done.returncode}:\n{done.stderr}")
    emulator = Emulator(users, seed)
    try:
        audit(emulator.info["url"], emulator.info["token"], out / f"tenant-{users}")
    finally:
        emulator.close()


def masked(data: bytes) -> bytes:
    for pattern in RUN_CLOCK:
        data = pattern.sub(rb"\1<run clock>", data)
    return data


def same(before: bytes, after: bytes, shift: timedelta | None) -> bool:
    """Byte for byte once the run clock is masked, but for date-times moved by one shift (± SLACK) of
    at most `shift`, the distance between the runs."""
    old, new = DATE_TIME.split(masked(before)), DATE_TIME.split(masked(after))
    if len(old) != len(new) or old[::2] != new[::2]:
        return False
    moved = [_when(b) - _when(a) for a, b in zip(old[1::2], new[1::2], strict=True) if a != b]
    return not moved or (
        shift is not None
        and max(moved) - min(moved) <= SLACK
        and timedelta(0) <= min(moved)
        and max(moved) <= shift + SLACK
    )


def _when(text: bytes) -> datetime:
    return datetime.strptime(text.decode(), "%Y-%m-%dT%H:%M:%SZ")


def run_distance(before: Path, after: Path) -> timedelta | None:
    """How far apart the two captures read their tenants (report.json's collected_at)."""
    found = [COLLECTED.search(p.read_bytes()) if p.is_file() else None for p in (before, after)]
    return _when(found[1].group(1)) - _when(found[0].group(1)) if found[0] and found[1] else None


def reports(capture: Path) -> set[Path]:
    """The files the audits wrote (not the benchmark's log of the audit's stderr, with its timings)."""
    return {p.relative_to(capture) for p in capture.rglob("*") if p.is_file() and p.suffix != ".stderr"}


def differences(before: Path, after: Path) -> list[str]:
    """Each file, relative to its capture, that is in one capture only or whose masked bytes differ."""
    files, later = reports(before), reports(after)
    lines = [f"only before: {p}" for p in sorted(files - later)] + [f"only after: {p}" for p in sorted(later - files)]
    differ = []
    for p in sorted(files & later):
        shift = run_distance(before / p.parent / "report.json", after / p.parent / "report.json")
        if not same((before / p).read_bytes(), (after / p).read_bytes(), shift):
            differ.append(f"differs: {p}")
    return lines + differ


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
