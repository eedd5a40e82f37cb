"""`license-auditor apply PLAN --yes` of a plan of N changes, and the share of it that compiles the plan again.

    python -m benchmarks.apply [--users 100000] [--changes 1000] [--seed 7] [--latency-ms 0] [--keep DIR]
                               [--with-inactivity]

Before its first write, apply compiles the plan again from the tenant as it is now (auditor/pipeline/
recompile.py: the audit's own stages read the whole tenant under the operator's policy files, `plan`'s own
function compiles the report) and makes only the changes that compile holds equal in every field
(docs/plan-and-apply.md, "The file selects, the source decides"). This measures what that read costs
beside the writes.

benchmarks.serve serves benchmarks.tenant's generated tenant from the Graph emulator in its own process,
with Graph's published limits on (--budgets, as benchmarks.run keeps them) and a token that holds apply's
write permissions too (auditor_dev.emulator.WRITE_ROLES). Then, each a child process of the real CLI:

1. `audit --format json` of the tenant: wall and CPU time, peak RSS, the audit's phases, its requests.
   What apply's fresh compile repeats (it writes no file, and judges at apply's clock, so the
   audit runs without --as-of: the plan and the fresh compile judge the tenant at the same day);
2. `plan`, then `plan --findings ...` narrowed to the first findings of that plan that give --changes
   changes (a change may fix several findings; the narrowed plan is compiled again, so its count may
   differ by a few);
3. `apply PLAN --yes --journal FILE`: wall time in all; the fresh compile's share, from its line
   "compiling the plan again" on stderr to the plan's first line on stdout, which apply prints once the
   compile and the agreement (auditor.apply.agree) are done; the writes' share, from there to the end
   (the permission check, each change's re-read of its user and its write); the Graph requests of each
   share by call ("POST /users/{id}/assignLicense"), the 429s by the limit that answered them; the
   changes done, refused and otherwise, from the journal.

The emulator's request counts and budgets are reset before the audit and before apply, so apply is not
throttled by the audit before it. A child's peak RSS (os.wait4's ru_maxrss) starts from its parent's peak when
it was started: this process decodes of the plans only each change's findings (Fixes), so apply's figure is
apply's own. The policy is examples/contoso-policy.yaml without its inactivity
check (benchmarks.policies.without_inactivity): the sign-in listing's 10 requests a minute (Graph's
"GET signInActivity" limit) would make each full read of 100,000 users wait 19 minutes, in the audit
and again in apply's fresh compile (benchmarks.nightly); --with-inactivity audits the whole example.

Prints a Markdown table (the one in docs/performance.md) and the raw figures as JSON.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import msgspec

from . import results
from .policies import EXAMPLE, without_inactivity
from .run import ROOT, Emulator, _cpu, _env, _peaks, _phases

COMPILING = "compiling the plan again"  # apply's line on stderr before its fresh compile (auditor.apply.run)
PLAN_LINE = "plan "  # apply's first line on stdout, once the fresh compile is done: "plan PATH: N change(s) ..."


@dataclass
class Lines:
    """A stream's lines, each with the moment (time.monotonic()) it was read."""

    lines: list[tuple[float, str]] = field(default_factory=list)

    def read(self, stream: IO[str]) -> None:
        for line in stream:
            self.lines.append((time.monotonic(), line.rstrip("\n")))

    def first(self, start: str) -> float | None:
        return next((at for at, text in self.lines if text.startswith(start)), None)

    def text(self) -> str:
        return "\n".join(text for _, text in self.lines)


@dataclass
class Run:
    """One CLI command as a child process: its exit code, wall and CPU time, peak RSS and its lines."""

    code: int
    started: float  # time.monotonic() when it was started
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    floor_rss_mb: float  # this process's own peak RSS when it started the child: the least peak_rss_mb can read
    out: Lines
    err: Lines


def cli(args: Sequence[str], token: str, tenant_id: str, log: Path) -> Run:
    """`python -m auditor ARGS` with the emulator's token, its stdout and stderr read line by line as they
    come (and kept in `log`); rusage of that child alone, but for its peak RSS, which starts from this
    process's own when it was started (Run.floor_rss_mb)."""
    env = _env()
    env.pop("SOURCE_DATE_EPOCH", None)  # the plan's age is checked against apply's clock: both the wall clock
    env.update(AUDITOR_ACCESS_TOKEN=token, AZURE_TENANT_ID=tenant_id, LICENSE_AUDITOR_TIMINGS="1")
    out, err = Lines(), Lines()
    floor = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "auditor", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    assert proc.stdout is not None and proc.stderr is not None
    readers = [threading.Thread(target=lines.read, args=(s,)) for lines, s in ((out, proc.stdout), (err, proc.stderr))]
    for reader in readers:
        reader.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - started
    for reader in readers:
        reader.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    log.write_text(f"$ license-auditor {' '.join(args)}\n{out.text()}\n--- stderr\n{err.text()}\n", "utf-8")
    cpu = usage.ru_utime + usage.ru_stime
    return Run(proc.returncode, started, wall, cpu, usage.ru_maxrss / 1024, floor, out, err)


def failed(what: str, code: int, log: Path) -> SystemExit:
    """The benchmark's end when a command did not do its part: the command's last lines (the work folder
    is gone without --keep)."""
    tail = "\n".join(log.read_text("utf-8").splitlines()[-20:])
    return SystemExit(f"{what} exited {code}; the end of {log.name}:\n{tail}")


class Fixes(msgspec.Struct):
    """A change of plan.json as this benchmark reads it: the findings it fixes; its other fields are skipped."""

    findings: list[str]


class Changes(msgspec.Struct):
    """plan.json's changes, each as Fixes: the whole plan decoded would raise this process's peak RSS, which
    each command started after it would report as its own (the module docstring)."""

    changes: list[Fixes]


def changes_of(plan: Path) -> list[Fixes]:
    """The changes of the plan.json at `plan`, each only its findings."""
    return msgspec.json.decode(plan.read_bytes(), type=Changes).changes


def narrowed(changes: Sequence[Fixes], n: int) -> list[str]:
    """The findings of the first `n` changes, in their order (a change may fix several findings, and a
    finding have other changes after those: `plan --findings` with them gives about `n`)."""
    chosen: dict[str, None] = {}
    for change in changes[:n]:
        chosen.update(dict.fromkeys(change.findings))
    return list(chosen)


def outcomes(journal: Path) -> dict[str, int]:
    """Each change's last outcome in the journal, counted; a change refused by the fresh compile (never
    sent, journaled as failed with the note "refused ...") as "refused"."""
    last: dict[int, str] = {}
    if journal.is_file():
        for line in journal.read_text("utf-8").splitlines():
            doc = json.loads(line)
            refused = doc["outcome"] == "failed" and str(doc.get("note", "")).startswith("refused")
            last[doc["n"]] = "refused" if refused else doc["outcome"]
    return dict(Counter(last.values()))


def measure(users: int, changes: int, seed: int, latency_ms: float, work: Path, policies: Path) -> dict[str, Any]:
    print(f"--- {users:,} users: starting the emulator", file=sys.stderr, flush=True)
    emulator = Emulator(users, seed, "--budgets", "--writes")
    try:
        url, token, tenant = emulator.info["url"], emulator.info["token"], emulator.info["tenant_id"]
        print(f"    emulator ready in {emulator.info['setup_s']}s", file=sys.stderr, flush=True)
        if latency_ms:
            emulator.command(f"latency {latency_ms} 0")
        connection = ("--graph-endpoint", url, "--auth", "token")
        report, whole, planned, journal = work / "report", work / "whole", work / "plan", work / "journal.jsonl"
        for folder in (report, whole, planned):  # a run of its own in a kept folder (a journal is never reused)
            shutil.rmtree(folder, ignore_errors=True)
        journal.unlink(missing_ok=True)
        emulator.command("reset")
        audit = cli(
            [
                "audit",
                *connection,
                "--policies",
                str(policies),
                "--output-dir",
                str(report),
                "--format",
                "json",
                "--fail-on",
                "never",
            ],
            token,
            tenant,
            work / "audit.log",
        )
        audit_requests = {**emulator.command("stats"), **emulator.command(f"split {time.monotonic()}")["before"]}
        if audit.code != 0:
            raise failed("audit", audit.code, work / "audit.log")
        print(f"    audit {audit.wall_s:.1f}s", file=sys.stderr, flush=True)
        # the whole plan, whose first findings giving `changes` changes are then planned alone
        done = cli(["plan", "--report-dir", str(report), "--output-dir", str(whole)], token, tenant, work / "plan.log")
        if done.code != 0:
            raise failed("plan", done.code, work / "plan.log")
        available = changes_of(whole / "plan.json")
        if len(available) < changes:
            raise SystemExit(f"the audit gives {len(available)} changes, fewer than --changes {changes}")
        findings = narrowed(available, changes)
        done = cli(
            ["plan", "--report-dir", str(report), "--output-dir", str(planned), "--findings", *findings],
            token,
            tenant,
            work / "plan-narrowed.log",
        )
        if done.code != 0:
            raise failed("plan --findings", done.code, work / "plan-narrowed.log")
        plan = changes_of(planned / "plan.json")
        print(f"    plan: {len(plan):,} changes of {len(findings):,} findings", file=sys.stderr, flush=True)
        emulator.command("reset")
        # under the policy audit was given and the findings plan was given: the operator's, never the file's
        mine = ("--policies", str(policies), "--findings", *findings)
        applied = cli(
            ["apply", str(planned / "plan.json"), "--yes", "--journal", str(journal), *connection, *mine],
            token,
            tenant,
            work / "apply.log",
        )
        total = emulator.command("stats")
        compiling, compiled = applied.err.first(COMPILING), applied.out.first(PLAN_LINE)
        if compiling is None or compiled is None:
            raise failed("apply, before its changes,", applied.code, work / "apply.log")
        parts = emulator.command(f"split {compiled}")
        print(f"    apply {applied.wall_s:.1f}s (exit {applied.code})", file=sys.stderr, flush=True)
    finally:
        emulator.close()
    ended = applied.started + applied.wall_s
    return {
        "users": emulator.info["users"],
        "latency_ms": latency_ms,
        "policies": policies.name,
        "audit": {
            "wall_s": round(audit.wall_s, 2),
            "cpu_s": round(audit.cpu_s, 2),
            "peak_rss_mb": round(audit.peak_rss_mb),
            "floor_rss_mb": round(audit.floor_rss_mb),
            "phases": _phases(audit.err.text()),
            "cpu_phases": _cpu(audit.err.text()),
            "peaks": _peaks(audit.err.text()),
            "requests": audit_requests,
        },
        "plan": {"changes": len(plan), "findings": len(findings), "of": len(available)},
        "apply": {
            "exit": applied.code,
            "wall_s": round(applied.wall_s, 2),
            "cpu_s": round(applied.cpu_s, 2),
            "peak_rss_mb": round(applied.peak_rss_mb),
            "floor_rss_mb": round(applied.floor_rss_mb),
            "before_compile_s": round(compiling - applied.started, 2),  # start-up, the plan read and checked
            "compile_s": round(compiled - compiling, 2),  # the fresh compile and the agreement
            "writes_s": round(ended - compiled, 2),  # the permission check, each change's re-read and write
            "outcomes": outcomes(journal),
            "requests": total["requests"],
            "throttled": total["throttled"],
            "refused": total["refused"],  # the 429s by the limit that answered them
            "compile_requests": parts["before"],
            "write_requests": parts["after"],
        },
    }


def _calls(requests: dict[str, Any], most: int = 4) -> str:
    """The most frequent calls: "GET /users 101, POST /users/{id}/assignLicense 950, ..."."""
    calls = sorted(requests.get("calls", {}).items(), key=lambda kv: -kv[1])
    text = ", ".join(f"{name} {n:,}" for name, n in calls[:most])
    rest = sum(n for _, n in calls[most:])
    return text + (f", {rest:,} other" if rest else "")


def _served(requests: dict[str, Any]) -> str:
    """The emulator's own seconds on the requests, and the call it spent the most on."""
    spent = requests.get("call_seconds", {})
    if not spent:
        return "—"
    name, most = max(spent.items(), key=lambda kv: kv[1])
    return f"{sum(spent.values()):,.1f} s ({name} {most:,.1f} s)"


def headline(row: dict[str, Any]) -> dict[str, Any]:
    """What docs/performance.md shows of a run: apply against the audit, and the fresh compile's part."""
    a, p = row["audit"], row["apply"]
    return {
        "changes": row["plan"]["changes"],
        "audit (s)": a["wall_s"],
        "apply in all (s)": p["wall_s"],
        "apply's CPU (s)": p["cpu_s"],
        "of which the fresh compile (s)": p["compile_s"],
        "apply's peak RSS (MB)": p["peak_rss_mb"],
        "audit's peak RSS (MB)": a["peak_rss_mb"],
        "answered 429": p["throttled"],
    }


def table(row: dict[str, Any]) -> str:
    a, p = row["audit"], row["apply"]
    done = p["outcomes"]
    others = ", ".join(f"{k} {v:,}" for k, v in sorted(done.items()) if k not in ("done", "refused")) or "none"
    compile_r, write_r = p["compile_requests"], p["write_requests"]

    def share(seconds: float) -> str:
        return f"{100 * seconds / p['wall_s']:.0f} %" if p["wall_s"] else "—"

    lines = [
        f"| {row['users']:,} users, {row['plan']['changes']:,} changes | wall | share of apply "
        "| the emulator's own time (the call it spent most on) | requests (the most frequent calls) | answered 429 |",
        "| --- | ---: | ---: | --- | --- | ---: |",
        f"| `audit --format json`, for comparison | {a['wall_s']:,.1f} s | — | {_served(a['requests'])} "
        f"| {a['requests']['requests']:,} ({_calls(a['requests'])}) | {a['requests']['throttled']:,} |",
        f"| `apply --yes`, in all | {p['wall_s']:,.1f} s | 100 % | — | {p['requests']:,} | {p['throttled']:,} |",
        f"| … start-up, the plan read and checked | {p['before_compile_s']:,.1f} s | {share(p['before_compile_s'])} "
        "| — | — | — |",
        f"| … the fresh compile (a full read of the tenant) | {p['compile_s']:,.1f} s | {share(p['compile_s'])} "
        f"| {_served(compile_r)} | {compile_r['requests']:,} ({_calls(compile_r)}) | {compile_r['throttled']:,} |",
        f"| … the changes: each re-read, then written | {p['writes_s']:,.1f} s | {share(p['writes_s'])} "
        f"| {_served(write_r)} | {write_r['requests']:,} ({_calls(write_r)}) | {write_r['throttled']:,} |",
        "",
        f"Changes done: {done.get('done', 0):,}; refused: {done.get('refused', 0):,}; other outcomes: {others} "
        f"(apply's exit code {p['exit']}; CPU {p['cpu_s']:,.1f} s, peak RSS {p['peak_rss_mb']:,} MB; the audit's "
        f"CPU {a['cpu_s']:,.1f} s, peak RSS {a['peak_rss_mb']:,} MB).",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.apply")
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--changes", type=int, default=1000, help="the plan's changes (about: see the docstring)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--latency-ms", type=float, default=0.0, help="delay of every answer of the emulator")
    parser.add_argument("--keep", metavar="DIR", help="keep the report, the plans, the journal and the logs here")
    parser.add_argument(
        "--with-inactivity",
        action="store_true",
        help="audit the whole example policy: each full read then waits for the sign-in listing's 10 requests "
        "a minute (19 minutes at 100,000 users), in the audit and again in apply's fresh compile",
    )
    parser.add_argument(
        "--record", action="store_true", help="keep the figures in benchmarks/results/ (docs/benchmarks.md)"
    )
    args = parser.parse_args()
    started = results.start()
    compileall.compile_dir(ROOT / "auditor", quiet=1)  # bytecode as an install leaves it (benchmarks.run)
    with tempfile.TemporaryDirectory(prefix="license-auditor-apply-") as tmp:
        work = Path(args.keep or tmp)
        work.mkdir(parents=True, exist_ok=True)
        policies = EXAMPLE if args.with_inactivity else without_inactivity(work)
        row = measure(args.users, args.changes, args.seed, args.latency_ms, work, policies)
    print(table(row))
    print()
    machine = {
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "load_average": [round(x, 2) for x in os.getloadavg()],  # the machine's, as the run ended
    }
    print(json.dumps({"machine": machine, **row}, indent=1))
    if args.record:
        config = {k: v for k, v in vars(args).items() if k not in ("keep", "record")}
        results.record("apply", config, headline(row), row, started)
    outcomes = row["apply"]["outcomes"]
    if outcomes != {"done": row["plan"]["changes"]}:  # every change of the plan is one the fresh compile makes
        raise SystemExit(f"apply did not make every change of the plan: {outcomes} (--keep DIR keeps apply.log)")


if __name__ == "__main__":
    main()
