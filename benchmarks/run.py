"""Scale benchmark: the Graph paging floor, `license-auditor audit` end to end, and evaluation alone.

    python -m benchmarks.run [--sizes 10000,100000,1000000] [--seed 7] [--repeat 3] [--keep DIR]

For each tenant size it starts the Graph emulator (benchmarks.serve) in its own process, so the
emulator's CPU is not counted against the auditor, and measures side by side:

  a  floor: plain httpx fetching the same user pages (same $select and $top, following
     @odata.nextLink) and json.loads on each page, nothing else;
  b  `license-auditor audit` as a subprocess against the emulator (collect + evaluate + all four
     report formats) with policies/example.yaml: wall time, CPU time, peak RSS, requests;
  c  evaluate() alone on the tenant in memory with 50 assignment entries (benchmarks.evaluate).

Floor and audit run --repeat times in alternation per size; the table shows the pair with the
median b/a and the range. The auditor package is byte-compiled first, as an install would leave it.

Prints a Markdown table (the one in docs/benchmarks.md) and the raw figures as JSON.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO, Any

import httpx

from auditor.graph.collector import users_path

from .policies import EXAMPLE

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2026-11-01T06:00:00Z"  # the generator's reference clock


class Emulator:
    """benchmarks.serve in a child process; `command` talks to it over stdin/stdout."""

    def __init__(self, users: int, seed: int) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.serve", "--users", str(users), "--seed", str(seed)],
            cwd=ROOT, env=_env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        self.info = self._line()

    def _line(self) -> dict[str, Any]:
        out: IO[str] | None = self.proc.stdout
        line = out.readline() if out else ""
        if not line:
            raise SystemExit(f"the emulator exited ({self.proc.wait()}) before answering")
        doc: dict[str, Any] = json.loads(line)
        return doc

    def command(self, text: str) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()
        return self._line()

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(timeout=60)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def floor(url: str, token: str) -> dict[str, Any]:
    """(a): fetch every user page with plain httpx and json.loads it."""
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    next_url: str | None = url + users_path(True)
    pages = users = 0
    started, cpu = time.perf_counter(), time.process_time()
    with httpx.Client(timeout=100) as client:
        while next_url:
            doc = json.loads(client.get(next_url, headers=headers).content)
            pages += 1
            users += len(doc["value"])
            next_url = doc.get("@odata.nextLink")
    return {"wall_s": time.perf_counter() - started, "cpu_s": time.process_time() - cpu, "pages": pages,
            "users": users}


def audit(url: str, token: str, out_dir: Path) -> dict[str, Any]:
    """(b): the CLI end to end as a child process; rusage of that child alone."""
    env = _env()
    env["AUDITOR_ACCESS_TOKEN"] = token
    env["SOURCE_DATE_EPOCH"] = "1793512800"
    env["LICENSE_AUDITOR_TIMINGS"] = "1"
    command = [sys.executable, "-m", "auditor", "audit", "--graph-endpoint", url, "--policies", str(EXAMPLE),
               "--output-dir", str(out_dir), "--as-of", AS_OF, "--fail-on", "never"]
    started = time.perf_counter()
    with open(out_dir.parent / f"{out_dir.name}.stderr", "w") as err:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"audit exited {proc.returncode}; see {err.name}")
    sizes = {p.name: p.stat().st_size for p in sorted(out_dir.iterdir()) if p.is_file()}
    stderr = Path(err.name).read_text(encoding="utf-8")
    return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "peak_rss_mb": usage.ru_maxrss / 1024,
            "reports": sizes, "phases": _phases(stderr), "peaks": _peaks(stderr)}


def _phases(stderr: str) -> dict[str, float]:
    """The audit's `timings:` line (LICENSE_AUDITOR_TIMINGS=1) as {phase: seconds}."""
    line = next((ln for ln in stderr.splitlines() if ln.startswith("timings: ")), "")
    return {name: float(sec) for name, sec in re.findall(r"([a-z-]+) ([0-9.]+)s", line)}


def _peaks(stderr: str) -> dict[str, float]:
    """The audit's `peak memory:` line: {phase: peak RSS in MB by the end of that phase}."""
    line = next((ln for ln in stderr.splitlines() if ln.startswith("peak memory: ")), "")
    return {name: float(mb) for name, mb in re.findall(r"([a-z-]+) ([0-9.]+)MB", line)}


def evaluation(users: int, seed: int) -> dict[str, Any]:
    """(c): benchmarks.evaluate in a child process."""
    out = subprocess.run([sys.executable, "-m", "benchmarks.evaluate", "--users", str(users), "--seed", str(seed)],
                         cwd=ROOT, env=_env(), check=True, capture_output=True, text=True).stdout
    doc: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return doc


def run_size(users: int, seed: int, work: Path, repeat: int) -> dict[str, Any]:
    """Floor and audit measured `repeat` times in alternation (each pair sees the same machine
    state); the pair with the median ratio is the one reported, with the range of ratios."""
    print(f"--- {users:,} users: starting the emulator", file=sys.stderr, flush=True)
    emulator = Emulator(users, seed)
    pairs: list[tuple[dict[str, Any], dict[str, Any]]] = []
    try:
        url, token = emulator.info["url"], emulator.info["token"]
        print(f"    emulator ready in {emulator.info['setup_s']}s", file=sys.stderr, flush=True)
        for i in range(repeat):
            emulator.command("reset")
            a = floor(url, token)
            a["requests"] = emulator.command("stats")
            emulator.command("reset")
            out_dir = work / f"reports-{users}"
            shutil.rmtree(out_dir, ignore_errors=True)  # each audit writes afresh; the last run's reports stay
            b = audit(url, token, out_dir)
            b["requests"] = emulator.command("stats")
            pairs.append((a, b))
            print(f"    run {i + 1}: floor {a['wall_s']:.1f}s, audit {b['wall_s']:.1f}s", file=sys.stderr, flush=True)
    finally:
        emulator.close()
    print("    evaluation alone", file=sys.stderr, flush=True)
    c = evaluation(users, seed)
    ratios = [b["wall_s"] / a["wall_s"] for a, b in pairs]
    middle = sorted(range(len(pairs)), key=ratios.__getitem__)[len(pairs) // 2]
    a, b = pairs[middle]
    return {"users": users, "floor": a, "audit": b, "evaluate": c, "ratio": ratios[middle], "ratios": ratios}


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| users | floor (a) wall / CPU | audit (b) wall / CPU | b/a | audit peak RSS | requests (user pages + "
        "member pages + other) | evaluate 50 entries (c) | findings (c) | report.html | report.json | findings.csv |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        a, b, c = r["floor"], r["audit"], r["evaluate"]
        kinds = b["requests"]["by_kind"]
        req = (f"{b['requests']['requests']:,} ({kinds.get('users', 0):,} + {kinds.get('members', 0):,} + "
               f"{kinds.get('other', 0):,})")
        rep = b["reports"]
        lines.append(
            f"| {r['users']:,} | {a['wall_s']:.1f} s / {a['cpu_s']:.1f} s | {b['wall_s']:.1f} s / {b['cpu_s']:.1f} s "
            f"| {_ratio(r)} | {b['peak_rss_mb']:,.0f} MB | {req} | {c['evaluate_s']:.1f} s | {c['findings']:,} "
            f"| {rep.get('report.html', 0) / 1000:,.0f} kB | {rep.get('report.json', 0) / 1e6:,.1f} MB "
            f"| {rep.get('findings.csv', 0) / 1e6:,.1f} MB |"
        )
    return "\n".join(lines)


def _ratio(row: dict[str, Any]) -> str:
    ratios = row.get("ratios") or [row["ratio"]]
    if len(ratios) == 1:
        return f"{row['ratio']:.2f}"
    return f"{row['ratio']:.2f} ({min(ratios):.2f}–{max(ratios):.2f})"


def phase_table(rows: list[dict[str, Any]]) -> str:
    """Where the audit's wall time goes, per phase (from LICENSE_AUDITOR_TIMINGS)."""
    names = list(dict.fromkeys(n for r in rows for n in r["audit"].get("phases", {})))
    lines = ["| users | " + " | ".join(names) + " |", "| ---: |" + " ---: |" * len(names)]
    for r in rows:
        phases = r["audit"].get("phases", {})
        lines.append(f"| {r['users']:,} | " + " | ".join(f"{phases.get(n, 0):.2f} s" for n in names) + " |")
    return "\n".join(lines)


def memory_table(rows: list[dict[str, Any]]) -> str:
    """The audit's peak RSS by the end of each phase (from LICENSE_AUDITOR_TIMINGS)."""
    names = list(dict.fromkeys(n for r in rows for n in r["audit"].get("peaks", {})))
    lines = ["| users | " + " | ".join(names) + " |", "| ---: |" + " ---: |" * len(names)]
    for r in rows:
        peaks = r["audit"].get("peaks", {})
        lines.append(f"| {r['users']:,} | " + " | ".join(f"{peaks.get(n, 0):,.0f} MB" for n in names) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run")
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", metavar="DIR", help="keep the reports under DIR")
    parser.add_argument("--repeat", type=int, default=3, help="floor/audit pairs per size (the median is reported)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    # Bytecode as an installed package has it (pip compiles at install): otherwise, with
    # PYTHONDONTWRITEBYTECODE set, every audit would compile the package again (~0.2 s).
    compileall.compile_dir(ROOT / "auditor", quiet=1)
    rows = []
    with tempfile.TemporaryDirectory(prefix="license-auditor-bench-") as tmp:
        work = Path(args.keep or tmp)
        work.mkdir(parents=True, exist_ok=True)
        for n in sizes:
            rows.append(run_size(n, args.seed, work, max(1, args.repeat)))
    print(table(rows))
    print()
    print(phase_table(rows))
    print()
    print(memory_table(rows))
    print(json.dumps({"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]}, "runs": rows},
                     indent=1, default=str))


if __name__ == "__main__":
    main()
