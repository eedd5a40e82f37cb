"""Scale benchmark: the Graph paging floor, `license-auditor audit` end to end, and evaluation alone.

    python -m benchmarks.run [--sizes 10000,100000,1000000] [--seed 7] [--repeat 3] [--keep DIR]
                             [--latency-ms 300 [--latency-ms-per-kib 0] [--latency-repeat 1]] [--concurrency N]
                             [--timed-states] [--no-budgets] [--without-inactivity] [--startup-runs 7]

First, start-up: `license-auditor --help` and a `--snapshot` audit of the sample tenant end to
end, each the median of 7 runs (--startup-runs). Then, for each tenant size, it starts the Graph emulator
(benchmarks.serve, tenant from benchmarks.tenant) in its own process, so the emulator's CPU is
not counted against the auditor (with --timed-states, every license assignment state of the
tenant carries a lastUpdatedDateTime, as in real tenants), and measures side by side:

  s  a sequential audit (`--concurrency 1`) without latency: the reference findings;
  a  floor: plain httpx fetching the same user pages (same $select and $top, following
     @odata.nextLink) one after another and json.loads on each page, nothing else;
  b  `license-auditor audit --concurrency N` as a subprocess against the emulator (collect +
     evaluate + all four report formats) with examples/contoso-policy.yaml: wall time, CPU time, peak
     RSS, requests, and whether its findings.csv is byte for byte the reference's;
  c  evaluate() alone on the tenant in memory with 50 assignment entries (benchmarks.evaluate).

a and b run --repeat times in alternation without latency; the table shows the pair with the
median b/a and the range. With --latency-ms, the emulator then delays every answer that long
(plus --latency-ms-per-kib per KiB of the body) and a and b run --latency-repeat times more: the
floor is then latency x pages, what a user of real Graph waits for. The auditor package is
byte-compiled first, as an install would leave it.

The emulator keeps Graph's published throttling limits (auditor_dev/emulator/budgets.py; off with
--no-budgets), and beside each latency run the table "floor under the limits" shows the largest of:
the user pages × latency ÷ the streams the tenant's budget allows, the directory's resource units ÷
its refill rate, the audit-log requests ÷ 0.5 per second, and the sign-in listing's requests at
Graph's "GET signInActivity" 10 a minute (and the identity reports' 5 per 10 s); the run's ratio to
it; the 429s by the limit that answered them (docs/performance.md).

With --without-inactivity every audit of the run audits the example policy without its inactivity
check: the collector then reads no sign-in activity, whose "GET signInActivity" limit (10 requests a
minute) makes a first night of 100,000 users 19 minutes of waiting (benchmarks.nightly computes that
floor), so (b) against (a) is the audit's own work (decoding, evaluation, the document, the reports)
against the pages' floor.

Prints Markdown tables (the ones in docs/benchmarks.md) and the raw figures as JSON.
"""

from __future__ import annotations

import argparse
import compileall
import hashlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx

from auditor.graph.collector import PAGE_SIZE, users_path
from auditor.graph.pacing import AUDIT_REQUESTS, AUDIT_WINDOW, DIRECTORY_WINDOW, budget_streams, tenant_units
from auditor.graph.partitions import stream_cap
from auditor.graph.users import sign_in_seconds

from . import results
from .policies import EXAMPLE, without_inactivity

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2026-11-01T06:00:00Z"  # the generator's reference clock


SAMPLE = ROOT / "auditor_dev" / "sample" / "sample-tenant.json"
TARGETS = {"help_s": 0.3, "latency_ratio": 0.35}  # the snapshot audit is a figure, with no target


class Emulator:
    """benchmarks.serve in a child process; `command` talks to it over stdin/stdout."""

    def __init__(self, users: int, seed: int, *options: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.serve", "--users", str(users), "--seed", str(seed), *options],
            cwd=ROOT,
            env=_env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
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
    next_url: str | None = url + users_path()
    pages = users = 0
    started, cpu = time.perf_counter(), time.process_time()
    with httpx.Client(timeout=100) as client:
        while next_url:
            doc = json.loads(client.get(next_url, headers=headers).content)
            pages += 1
            users += len(doc["value"])
            next_url = doc.get("@odata.nextLink")
    return {"wall_s": time.perf_counter() - started, "cpu_s": time.process_time() - cpu, "pages": pages, "users": users}


def audit(
    url: str,
    token: str,
    out_dir: Path,
    concurrency: int | None = 4,
    policies: Path = EXAMPLE,
    exits: tuple[int, ...] = (0,),
    extra: tuple[str, ...] = (),
    fresh: bool = True,
) -> dict[str, Any]:
    """(b): the CLI end to end as a child process; rusage of that child alone. `exits`: the exit
    codes expected (3 when a permission is withheld on purpose: the report is marked incomplete);
    `extra`: more flags; `fresh`: empty the output folder first (not for a nightly's second night)."""
    env = _env()
    env["AUDITOR_ACCESS_TOKEN"] = token
    env["SOURCE_DATE_EPOCH"] = "1793512800"
    env["LICENSE_AUDITOR_TIMINGS"] = "1"
    if fresh:
        shutil.rmtree(out_dir, ignore_errors=True)  # each audit writes afresh; the last run's reports stay
    command = [
        sys.executable,
        "-m",
        "auditor",
        "audit",
        "--graph-endpoint",
        url,
        "--policies",
        str(policies),
        "--output-dir",
        str(out_dir),
        "--as-of",
        AS_OF,
        "--fail-on",
        "never",
        *(("--concurrency", str(concurrency)) if concurrency is not None else ()),
        *extra,
    ]
    started = time.perf_counter()
    with open(out_dir.parent / f"{out_dir.name}.stderr", "w") as err:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in exits:
        raise SystemExit(f"audit exited {proc.returncode}; see {err.name}")
    sizes = {p.name: p.stat().st_size for p in sorted(out_dir.iterdir()) if p.is_file()}
    stderr = Path(err.name).read_text(encoding="utf-8")
    return {
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_rss_mb": usage.ru_maxrss / 1024,
        "reports": sizes,
        "phases": _phases(stderr),
        "cpu_phases": _cpu(stderr),
        "peaks": _peaks(stderr),
        "findings_sha256": _digest(out_dir / "findings.csv"),
        "concurrency": concurrency,
    }


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""


def startup(work: Path, runs: int = 7) -> dict[str, Any]:
    """`--help`, and a `--snapshot` audit of the sample tenant end to end: wall time of the child
    process, median and best of `runs` (after one warm-up run each)."""
    env = _env()
    env["SOURCE_DATE_EPOCH"] = "1793512800"
    commands = {
        "help_s": [sys.executable, "-m", "auditor", "--help"],
        "snapshot_audit_s": [
            sys.executable,
            "-m",
            "auditor",
            "audit",
            "--snapshot",
            str(SAMPLE),
            "--policies",
            str(EXAMPLE),
            "--as-of",
            AS_OF,
            "--output-dir",
            str(work / "startup-reports"),
            "--fail-on",
            "never",
        ],
    }
    out: dict[str, Any] = {"runs": runs}
    for name, command in commands.items():
        times = []
        for i in range(runs + 1):
            started = time.perf_counter()
            subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if i:  # the first run warms the file cache
                times.append(time.perf_counter() - started)
        out[name] = statistics.median(times)
        out[name.replace("_s", "_best_s")] = min(times)
    return out


def _phases(stderr: str) -> dict[str, float]:
    """The audit's `timings:` line (LICENSE_AUDITOR_TIMINGS=1) as {phase: seconds}."""
    return _per_phase(stderr, "timings", "s")


def _cpu(stderr: str) -> dict[str, float]:
    """The audit's `cpu:` line: {phase: CPU seconds of the audit and its forked workers}."""
    return _per_phase(stderr, "cpu", "s")


def _peaks(stderr: str) -> dict[str, float]:
    """The audit's `peak memory:` line: {phase: peak RSS in MB by the end of that phase}."""
    return _per_phase(stderr, "peak memory", "MB")


def _per_phase(stderr: str, label: str, unit: str) -> dict[str, float]:
    """The audit's line `label: phase 1.23<unit>, ...` as {phase: number}."""
    line = next((ln for ln in stderr.splitlines() if ln.startswith(f"{label}: ")), "")
    return {name: float(n) for name, n in re.findall(rf"([a-z-]+) ([0-9.]+){unit}", line)}


def evaluation(users: int, seed: int) -> dict[str, Any]:
    """(c): benchmarks.evaluate in a child process."""
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.evaluate", "--users", str(users), "--seed", str(seed)],
        cwd=ROOT,
        env=_env(),
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    doc: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return doc


@dataclass(frozen=True)
class Latency:
    ms: float = 0.0
    per_kib_ms: float = 0.0
    repeat: int = 1


def _pairs(
    emulator: Emulator,
    work: Path,
    users: int,
    repeat: int,
    concurrency: int | None,
    label: str,
    policies: Path = EXAMPLE,
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Floor and audit `repeat` times in alternation (each pair sees the same machine state)."""
    url, token = emulator.info["url"], emulator.info["token"]
    pairs = []
    for i in range(repeat):
        emulator.command("reset")
        a = floor(url, token)
        a["requests"] = emulator.command("stats")
        emulator.command("reset")
        b = audit(url, token, work / f"reports-{users}", concurrency, policies)
        b["requests"] = emulator.command("stats")
        pairs.append((a, b))
        print(
            f"    {label} run {i + 1}: floor {a['wall_s']:.1f}s, audit {b['wall_s']:.1f}s", file=sys.stderr, flush=True
        )
    return pairs


def _median_pair(pairs: list[tuple[dict[str, Any], dict[str, Any]]]) -> dict[str, Any]:
    """The pair with the median b/a, and the range of b/a."""
    ratios = [b["wall_s"] / a["wall_s"] for a, b in pairs]
    middle = sorted(range(len(pairs)), key=ratios.__getitem__)[len(pairs) // 2]
    a, b = pairs[middle]
    return {"floor": a, "audit": b, "ratio": ratios[middle], "ratios": ratios}


def run_size(
    users: int,
    seed: int,
    work: Path,
    repeat: int,
    latency: Latency = Latency(),
    concurrency: int | None = 4,
    timed: bool = False,
    budgets: bool = False,
    policies: Path = EXAMPLE,
) -> dict[str, Any]:
    """The reference (sequential) audit, floor/audit pairs without latency and, with a latency, with
    it; the pair with the median ratio is the one reported, with the range of ratios. `policies`: what
    every audit of the size audits with."""
    print(f"--- {users:,} users: starting the emulator", file=sys.stderr, flush=True)
    emulator = Emulator(users, seed, *(["--timed-states"] if timed else []), *(["--budgets"] if budgets else []))
    try:
        url, token = emulator.info["url"], emulator.info["token"]
        print(f"    emulator ready in {emulator.info['setup_s']}s", file=sys.stderr, flush=True)
        emulator.command("reset")
        reference = audit(url, token, work / f"reports-{users}-sequential", 1, policies)
        reference["requests"] = emulator.command("stats")
        print(f"    sequential reference audit {reference['wall_s']:.1f}s", file=sys.stderr, flush=True)
        row = {
            "users": users,
            "reference": reference,
            **_median_pair(_pairs(emulator, work, users, repeat, concurrency, "no latency", policies)),
        }
        if latency.ms > 0 or latency.per_kib_ms > 0:
            emulator.command(f"latency {latency.ms} {latency.per_kib_ms}")
            slow = _median_pair(
                _pairs(
                    emulator, work, users, max(1, latency.repeat), concurrency, f"latency {latency.ms:g} ms", policies
                )
            )
            row["latency"] = {"ms": latency.ms, "per_kib_ms": latency.per_kib_ms, **slow}
            if budgets:
                row["latency"]["budget_floor"] = budget_floor(users, latency.ms, slow["audit"]["requests"])
    finally:
        emulator.close()
    print("    evaluation alone", file=sys.stderr, flush=True)
    row["evaluate"] = evaluation(users, seed)
    return row


def budget_floor(users: int, latency_ms: float, requests: dict[str, Any]) -> dict[str, Any]:
    """The floor under Graph's published limits (docs/performance.md): the largest of the user
    pages × latency ÷ the streams the tenant's budget allows, the directory's resource units ÷ its
    refill rate, the audit-log requests ÷ 0.5 per second, and the sign-in requests at 10 a minute
    and 5 per 10 s, one after another (users.sign_in_seconds); beside it, `chain`: the listing read
    in the most pages × latency (its pages follow one another, whatever the budget allows)."""
    streams = budget_streams(users, cap=stream_cap(users, PAGE_SIZE))
    pages = requests["by_kind"].get("users", 0)
    parts = {
        "pages": pages * latency_ms / 1000 / streams,
        "units": requests.get("units", 0) / (tenant_units(users) / DIRECTORY_WINDOW),
        "audit_log": requests.get("audit_log", 0) / (AUDIT_REQUESTS / AUDIT_WINDOW),
        "sign_in": sign_in_seconds(requests["by_kind"].get("sign_in", 0), latency_ms / 1000),
    }
    longest = requests.get("longest_chain") or {"pages": 0, "listing": ""}
    return {
        "s": max(parts.values()),
        "by": max(parts, key=parts.__getitem__),
        "streams": streams,
        **parts,
        "chain": longest["pages"] * latency_ms / 1000,
        "chain_listing": longest["listing"],
    }


def budget_table(rows: list[dict[str, Any]]) -> str:
    """With the budgets on: the audit against the floor the published limits leave."""
    lines = [
        "| users | latency | audit (b) | floor under the limits (what bounds it) | b ÷ that floor "
        "| pages ÷ streams / units ÷ rate / audit log ÷ 0.5 per s / sign-in requests at 10 a minute "
        "| longest chain of pages | requests | answered 429, by limit |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- |",
    ]
    for r in rows:
        lat = r.get("latency") or {}
        floor_ = lat.get("budget_floor")
        if not floor_:
            continue
        b = lat["audit"]
        lines.append(
            f"| {r['users']:,} | {lat['ms']:g} ms | {b['wall_s']:,.1f} s | {floor_['s']:,.1f} s ({floor_['by']}) "
            f"| {b['wall_s'] / floor_['s']:.2f} | {floor_['pages']:,.1f} s ({floor_['streams']} streams) / "
            f"{floor_['units']:,.1f} s / {floor_['audit_log']:,.1f} s / "
            f"{floor_['sign_in']:,.1f} s ({b['requests']['by_kind'].get('sign_in', 0):,} requests) "
            f"| {floor_.get('chain', 0):,.1f} s ({floor_.get('chain_listing') or 'none'}) "
            f"| {b['requests']['requests']:,} "
            f"| {b['requests'].get('throttled', 0):,}{_refused(b['requests'])} |"
        )
    return "\n".join(lines)


def _refused(requests: dict[str, Any]) -> str:
    """The 429s by the limit that answered them, when there were any: " (SignInActivityLimitExceeded
    Application: 3)"."""
    refused = requests.get("refused") or {}
    return f" ({', '.join(f'{k}: {v:,}' for k, v in sorted(refused.items()))})" if refused else ""


def _same(row: dict[str, Any], audit: dict[str, Any]) -> str:
    reference = row["reference"]["findings_sha256"]
    return "yes" if reference and audit["findings_sha256"] == reference else "**NO**"


def latency_table(rows: list[dict[str, Any]]) -> str:
    """Audit against the floor when every answer takes `ms` (what users of real Graph feel)."""
    lines = [
        "| users | latency per answer | floor (a): pages one after another | audit (b), concurrency N | b/a "
        "| target b/a | requests (user pages + member pages + other) | partition pages | findings = sequential |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: |",
    ]
    for r in rows:
        lat = r.get("latency")
        if not lat:
            continue
        a, b = lat["floor"], lat["audit"]
        kinds = b["requests"]["by_kind"]
        req = (
            f"{b['requests']['requests']:,} ({kinds.get('users', 0):,} + {kinds.get('members', 0):,} + "
            f"{kinds.get('other', 0):,})"
        )
        per_kib = f" + {lat['per_kib_ms']:g} ms/KiB" if lat["per_kib_ms"] else ""
        ratio = _ratio(lat)
        ok = "met" if lat["ratio"] <= TARGETS["latency_ratio"] else "**missed**"
        lines.append(
            f"| {r['users']:,} | {lat['ms']:g} ms{per_kib} | {a['wall_s']:,.1f} s ({a['pages']:,} pages) "
            f"| {b['wall_s']:,.1f} s (N = {b['concurrency'] or 'by budget'}) | {ratio} "
            f"| ≤ {TARGETS['latency_ratio']} ({ok}) "
            f"| {req} | {b['requests'].get('partition_pages', 0):,} | {_same(r, b)} |"
        )
    return "\n".join(lines)


def startup_table(figures: dict[str, Any]) -> str:
    rows = [
        ("`license-auditor --help`", "help_s"),
        ("`audit --snapshot` of the sample tenant, end to end (four reports)", "snapshot_audit_s"),
    ]
    lines = [f"| start-up | median of {figures['runs']} | best | target |", "| --- | ---: | ---: | ---: |"]
    for text, key in rows:
        target = TARGETS.get(key)
        judged = "—" if target is None else f"≤ {target} s ({'met' if figures[key] <= target else '**missed**'})"
        lines.append(f"| {text} | {figures[key]:.2f} s | {figures[key.replace('_s', '_best_s')]:.2f} s | {judged} |")
    return "\n".join(lines)


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| users | floor (a) wall / CPU | audit (b) wall / CPU | b/a | audit peak RSS | requests (user pages + "
        "member pages + other) | answered 429 | evaluate 50 entries (c) | findings (c) | report.html | report.json "
        "| findings.csv | findings = sequential |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: |",
    ]
    for r in rows:
        a, b, c = r["floor"], r["audit"], r["evaluate"]
        kinds = b["requests"]["by_kind"]
        req = (
            f"{b['requests']['requests']:,} ({kinds.get('users', 0):,} + {kinds.get('members', 0):,} + "
            f"{kinds.get('other', 0):,})"
        )
        rep = b["reports"]
        lines.append(
            f"| {r['users']:,} | {a['wall_s']:.1f} s / {a['cpu_s']:.1f} s | {b['wall_s']:.1f} s / {b['cpu_s']:.1f} s "
            f"| {_ratio(r)} | {b['peak_rss_mb']:,.0f} MB | {req} | {b['requests'].get('throttled', 0):,} "
            f"| {c['evaluate_s']:.1f} s | {c['findings']:,} "
            f"| {rep.get('report.html', 0) / 1000:,.0f} kB | {rep.get('report.json', 0) / 1e6:,.1f} MB "
            f"| {rep.get('findings.csv', 0) / 1e6:,.1f} MB | {_same(r, b)} |"
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
    parser.add_argument(
        "--latency-ms",
        type=float,
        default=0.0,
        help="also measure with every answer delayed this long (e.g. 300, Graph's time per page)",
    )
    parser.add_argument("--latency-ms-per-kib", type=float, default=0.0, help="plus this much per KiB of an answer")
    parser.add_argument("--latency-repeat", type=int, default=1, help="floor/audit pairs per size with latency")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=None,
        help="the audit's --concurrency (default: none given, the partitions follow the budget)",
    )
    parser.add_argument(
        "--budgets", dest="budgets", action="store_true", default=True, help="keep Graph's limits (the default)"
    )
    parser.add_argument(
        "--no-budgets",
        dest="budgets",
        action="store_false",
        help="the emulator keeps none of Graph's published limits (by default it keeps them all, and "
        "the floor under them is reported)",
    )
    parser.add_argument(
        "--timed-states",
        action="store_true",
        help="a lastUpdatedDateTime on every license assignment state, as real tenants have",
    )
    parser.add_argument(
        "--without-inactivity",
        action="store_true",
        help="audit the example policy without its inactivity check: no sign-in listing, whose 10 requests a "
        "minute are the first night's floor (benchmarks.nightly), so (b) measures the audit's own work",
    )
    parser.add_argument(
        "--startup-runs",
        type=int,
        default=7,
        metavar="N",
        help="runs of each start-up command, after a warm-up run (default 7; CI's smoke run: 1)",
    )
    parser.add_argument(
        "--record", action="store_true", help="keep the figures in benchmarks/results/ (docs/benchmarks.md)"
    )
    args = parser.parse_args()
    started = results.start()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    # Bytecode as an installed package has it (pip compiles at install): otherwise, with
    # PYTHONDONTWRITEBYTECODE set, every audit would compile the package again (~0.2 s).
    compileall.compile_dir(ROOT / "auditor", quiet=1)
    rows = []
    latency = Latency(args.latency_ms, args.latency_ms_per_kib, args.latency_repeat)
    with tempfile.TemporaryDirectory(prefix="license-auditor-bench-") as tmp:
        work = Path(args.keep or tmp)
        work.mkdir(parents=True, exist_ok=True)
        print("--- start-up", file=sys.stderr, flush=True)
        started = startup(work, max(1, args.startup_runs))
        policies = without_inactivity(work) if args.without_inactivity else EXAMPLE
        for n in sizes:
            rows.append(
                run_size(
                    n,
                    args.seed,
                    work,
                    max(1, args.repeat),
                    latency,
                    args.concurrency,
                    args.timed_states,
                    args.budgets,
                    policies,
                )
            )
    print(startup_table(started))
    print()
    if any("latency" in r for r in rows):
        print(latency_table(rows))
        print()
    if args.budgets:
        print(budget_table(rows))
        print()
    print(table(rows))
    print()
    print(phase_table(rows))
    print()
    print(memory_table(rows))
    result = {
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "timed_states": args.timed_states,
        "without_inactivity": args.without_inactivity,
        "startup": started,
        "runs": rows,
    }
    print(json.dumps(result, indent=1, default=str))
    if args.record:
        config = {k: v for k, v in vars(args).items() if k not in ("keep", "record", "startup_runs")}
        results.record("run", config, headline(started, rows), result, started)


def headline(started: dict[str, Any], rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The figures docs/performance.md shows of a run: start-up, and per size the audit against its floor."""
    out: dict[str, Any] = {"--help (s)": started["help_s"], "snapshot audit (s)": started["snapshot_audit_s"]}
    for r in rows:
        n = f"{r['users']:,}"
        b = r["audit"]
        out[f"{n}: audit wall / CPU (s)"] = f"{b['wall_s']:.1f} / {b['cpu_s']:.1f}"
        out[f"{n}: peak RSS (MB)"] = round(b["peak_rss_mb"])
        lat = r.get("latency") or {}
        floor_ = lat.get("budget_floor")
        if floor_:
            out[f"{n}: with latency, audit ÷ floor ({floor_['by']})"] = (
                f"{lat['audit']['wall_s']:.1f} s ÷ {floor_['s']:.1f} s = {lat['audit']['wall_s'] / floor_['s']:.2f}"
            )
            out[f"{n}: answered 429"] = lat["audit"]["requests"].get("throttled", 0)
    return out


if __name__ == "__main__":
    main()
