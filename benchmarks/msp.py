"""An MSP's night: many generated tenants audited by `audit --tenants` in one process.

    python -m benchmarks.msp --tenants 1000 [--latency-ms 300] [--seed 7] [--tenant-concurrency 8]
                             [--check 5] [--keep DIR] [--no-budgets] [--second-night] [--apps N]
                             [--lane-budget MINUTES] [--tenant-reports all|mailed]
    python -m benchmarks.msp --week [--tenants 1000] [--full-every 7] [--nights N] [--lane-budget MINUTES]

The tenants' sizes follow a small-business spread (`sizes`): 85 % between 10 and 300 users (the
Microsoft 365 Business plans stop at 300 seats, so most customers an MSP runs are that size), 13 %
between 300 and 1,000, 2 % between 1,000 and 5,000, each range drawn evenly on a log scale. Each
tenant is benchmarks.tenant's generated tenant of that size (which adds the sample's ~50 planted
accounts: the smallest has about 60 users), with a tenant id of its own.

Every tenant is served by its own Graph emulator, all of them in a second process (`--serve`), each
answer `--latency-ms` late. The audit runs as a child process, so its wall time, CPU time and peak
RSS are its own. The emulators keep Graph's published limits (off with --no-budgets), those per app
across all tenants shared by all of them (one app audits every tenant): GET signInActivity 10 a
minute, the identity reports 122 per 10 s, the directory's 150,000 units per 20 s. Printed: those,
the Graph requests, and the floor — the larger of each tenant's requests one after another at that
latency, summed over the tenants and divided by the concurrency used (tenant-concurrency x each
tenant's --concurrency of 4), and the app's sign-in lane: every tenant's ceil(users / 500) sign-in
requests at 10 a minute — the run's ratio to it, and the 429s by the limit that answered them. With
`--check K`, K tenants are audited again one at a time (`audit --graph-endpoint`) and their
findings.csv compared byte for byte with the run's.

Beside the wall time: the audit's CPU (user + system, its process alone), a tenant and per 1,000
users, and the machine's load average as the audit began and ended (`os.getloadavg`): on a shared
machine the wall time tells the others' work as much as the audit's, the CPU much less.

`--second-night`: the nightly's second night. The tenants carry every signed-in user's
lastSuccessfulSignInDateTime (as Graph records it since December 2023; benchmarks.tenant), each
tenant's folder holds the full read its first night kept (written by the emulators' process from the
tenant it serves, at FIRST: exactly a full read's answer), and the audit runs with `--baseline
previous --as-of SECOND` (the K checked tenants alone with `--as-of SECOND`, reading in full). The
sign-in requests expected (`planned_sign_ins`): a full read for the tenants the fleet's lane budget
takes at SECOND (`--lane-budget`, audit's --sign-in-lane-budget: auditor.fleet.sign_in_lane, the
tenants whose night SECOND is, kept_sign_ins.due, within the budget), the filtered read for those
with a licensed user the kept read saw last signing in before the cutoff, none for the others.

`--week`: no audit; for each of the --nights nights after FIRST (default --full-every), every full
read of the first night kept at FIRST, how many tenants read in full (as the lane budget schedules
them, each read then kept), how many wait and the oldest kept read among them, how many send a
filtered request, how many none, the requests and the lane's floor (each night's tenant the
generated one, its times moved on by the nights since, so only the full nights change).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor.fleet.sign_in_lane import BUDGET_MINUTES, LANE_FILE, Candidate, budget_requests, schedule
from auditor.graph.kept_sign_ins import FULL_EVERY, KEPT_FILE, SignInPlan, due, load, quiet_since
from auditor.graph.users import SIGN_IN_PAGE_SIZE, sign_in_requests, sign_in_seconds

from . import results
from .msp_fleet import FIRST, POLICY, ROOT, SECOND, app_of, client_id, server_process, sizes, tenant_id, tenants_file

if TYPE_CHECKING:
    from auditor.data.model import TenantSnapshot, User


PER_TENANT_STREAMS = 4  # audit's --concurrency default
WINDOW = 90  # examples/contoso-policy.yaml's inactive_users.days


def tenants(count: int, seed: int, successful: bool = False) -> Iterator[TenantSnapshot]:
    """The fleet's generated tenants, in order (`successful`: with lastSuccessfulSignInDateTime)."""
    from .tenant import bench_tenant

    for n, size in enumerate(sizes(count, seed), start=1):
        snapshot = bench_tenant(size, seed=seed + n, successful=successful)
        yield dataclasses.replace(snapshot, tenant_id=tenant_id(n), tenant_name=f"Customer {n:04d}")


def planned_sign_ins(tenant: TenantSnapshot, full: bool, folder: Path) -> int:
    """The sign-in requests `tenant`'s nightly sends at SECOND, its kept full read being the tenant
    as generated at FIRST (written to `folder`, as the nightly keeps it: serve.keep_full_read): with
    `full` (its night for a full read) ceil(users / 500); else, when a licensed user the policy's
    rules judge by sign-in (auditor.graph.sign_in_judges: a person outside `except:`, its mailbox
    purpose and agent parent those the emulator serves) is among those the filter can change
    (kept_sign_ins.quiet_since; more than 500 of those are read unasked) and the active-user usage
    report the emulator serves does not show them all idle since the kept read (_idle), the filtered
    read of all of them, ceil(quiet / 500) and at least one; else none."""
    from auditor.graph.sign_in_judges import judged
    from auditor.policyset.load import load_policies
    from auditor.rules.requests import sign_in_judges

    from .serve import keep_full_read

    keep_full_read(tenant, folder, WINDOW, FIRST.strftime("%Y-%m-%dT%H:%M:%SZ"))
    if full:
        return sign_in_requests(len(tenant.users))
    kept, why = load(folder / KEPT_FILE)
    if kept is None:
        raise SystemExit(f"{folder / KEPT_FILE}: {why}")
    quiet = set(quiet_since(kept, SignInPlan(folder, WINDOW, SECOND).cutoff(SECOND)))
    if len(quiet) > SIGN_IN_PAGE_SIZE:
        return sign_in_requests(len(quiet))
    listed = [u for u in tenant.users if u.id in quiet and u.assigned_licenses]
    judges = sign_in_judges(load_policies([POLICY]))
    dormant = judged(listed, tenant.groups, judges)
    return sign_in_requests(len(quiet)) if dormant and not _idle(tenant, dormant) else 0


def _idle(tenant: TenantSnapshot, dormant: list[User]) -> bool:
    """Whether the active-user report `tenant`'s emulator serves (every licensed user, with the
    snapshot's rows: ReportOptions.licensed_rows) shows `dormant` idle since FIRST, refreshed within
    auditor.graph.dormant_usage's MAX_LAG of SECOND, as idle_through judges it."""
    from auditor.data.usage_data import ACTIVE_USERS
    from auditor.graph.dormant_usage import ACTIVITY, MAX_LAG

    usage = tenant.usage_reports
    read = usage.read(ACTIVE_USERS.name) if usage is not None else None
    refreshed = read.refreshed if read is not None and read.refreshed else tenant.collected_at[:10]
    if refreshed < (SECOND - MAX_LAG).date().isoformat():
        return False
    rows = usage.by_upn if usage is not None else {}
    day = FIRST.date().isoformat()
    for user in dormant:
        row = rows.get(user.user_principal_name.lower())
        if (
            row is not None
            and ACTIVE_USERS.name in row.reports
            and any((getattr(row, f) or "") >= day for f in ACTIVITY)
        ):
            return False
    return True


def week(
    count: int, seed: int, latency_ms: float, every: int = FULL_EVERY, minutes: float = BUDGET_MINUTES, nights: int = 0
) -> list[dict[str, object]]:
    """The `nights` nights after FIRST (default `every`; a full read every `every` nights: the audit's
    --sign-in-full-every), the fleet's lane given `minutes` a night (--sign-in-lane-budget; 0: none)
    and every full read of the fleet's first night kept at FIRST: the tenants that read in full
    (auditor.fleet.sign_in_lane's schedule), those whose full read waits (and the oldest kept read
    among them), those that send a filtered request or none, the sign-in requests and lane floor of
    the night (see the module docstring), the full reads' share of those requests, and what the full
    reads would take if they listed only the licensed users (ceil(licensed / 500) each: issue 86's
    point 3, docs/performance.md)."""
    fleet = list(tenants(count, seed, successful=True))
    with tempfile.TemporaryDirectory(prefix="msp-week-") as folder:
        filtered = [planned_sign_ins(t, False, Path(folder) / f"customer-{n:04d}") for n, t in enumerate(fleet, 1)]
    full = [sign_in_requests(len(t.users)) for t in fleet]
    licensed = [sign_in_requests(sum(1 for u in t.users if u.assigned_licenses)) for t in fleet]
    read_at = [FIRST] * len(fleet)
    budget = budget_requests(minutes)
    rows: list[dict[str, object]] = []
    for d in range(1, (nights or every) + 1):
        night = FIRST + timedelta(days=d)
        tonight, waiting = lane(fleet, full, read_at, night, every, budget)
        for n in tonight:
            read_at[n] = night
        reads = [n in tonight for n in range(len(fleet))]
        requests = sum(f if r else q for f, q, r in zip(full, filtered, reads, strict=True))
        full_requests = sum(f for f, r in zip(full, reads, strict=True) if r)
        rows.append(
            {
                "night": night.date().isoformat(),
                "full_reads": sum(reads),
                "waiting": len(waiting),
                "waiting_oldest_days": max(((night - read_at[n]).days for n in waiting), default=None),
                "filtered": sum(1 for q, r in zip(filtered, reads, strict=True) if q and not r),
                "no_request": sum(1 for q, r in zip(filtered, reads, strict=True) if not q and not r),
                "sign_in_requests": requests,
                "full_read_requests": full_requests,
                "full_read_requests_licensed_only": sum(n for n, r in zip(licensed, reads, strict=True) if r),
                "lane_floor_s": round(sign_in_seconds(requests, latency_ms / 1000), 1),
            }
        )
    return rows


def lane(
    fleet: list[TenantSnapshot],
    full: list[int],
    read_at: list[datetime],
    night: datetime,
    every: int,
    budget: int,
    apps: int = 1,
) -> tuple[set[int], list[int]]:
    """The tenants (0 …) that read in full at `night`, their kept reads made at `read_at`, and those
    that wait, as `audit --tenants` schedules them (auditor.fleet.sign_in_lane: each app's lane, app_of)."""
    due_ones = [
        Candidate(f"customer-{n + 1:04d}", str(app_of(n + 1, apps)), full[n], read_at[n])
        for n, t in enumerate(fleet)
        if due(t.tenant_id, read_at[n], night, every)
    ]
    tonight: set[int] = set()
    waiting: list[int] = []
    for app in range(apps):
        yes, no = schedule([c for c in due_ones if c.app == str(app)], budget)
        tonight |= {int(k[-4:]) - 1 for k in yes}
        waiting += [int(k[-4:]) - 1 for k in no]
    return tonight, waiting


def serve(
    count: int,
    seed: int,
    latency_ms: float,
    budgets: bool = True,
    reads: Path | None = None,
    apps: int = 1,
    minutes: float = BUDGET_MINUTES,
) -> None:
    """The emulators: one per tenant; prints {"tokens", "urls", "users", "sign_ins"} when all listen,
    and at end of input the 429s by limit ({"refused": ...}) before it stops. With `reads` (a
    folder): the second night's, each tenant's kept full read written to reads/customer-NNNN/. Each
    of the `apps` apps has its limits across its tenants (app_of), and its own id in their tokens."""
    from auditor.graph.pacing import APP_UNITS, APP_WINDOW
    from auditor_dev.emulator import GraphEmulator, app_token
    from auditor_dev.emulator.budgets import AppLimits, Bucket, Budgets
    from auditor_dev.emulator.reports import ReportOptions

    urls, users, sign_ins, tokens = [], [], [], []
    # each app's limits across all its tenants
    lanes = [(AppLimits(), Bucket(APP_UNITS, APP_WINDOW)) for _ in range(apps)]
    # the active-user report lists every licensed user, as Microsoft's (the dormant ones' usage: _idle)
    listed = ReportOptions(licensed_rows=True)
    kept: list[Budgets] = []
    emulators: list[GraphEmulator] = []
    with contextlib.ExitStack() as stack:
        fleet = list(tenants(count, seed, successful=reads is not None))
        # the second night's full reads, as audit --tenants' lane budget schedules them (each app's)
        tonight, _ = lane(
            fleet,
            [sign_in_requests(len(t.users)) for t in fleet],
            [FIRST] * count,
            SECOND,
            FULL_EVERY,
            budget_requests(minutes),
            apps,
        )
        for n, snapshot in enumerate(fleet, start=1):
            if reads is not None:  # the tenant's kept full read, written to its output folder
                sign_ins.append(planned_sign_ins(snapshot, n - 1 in tonight, reads / f"customer-{n:04d}"))
            else:
                sign_ins.append(sign_in_requests(len(snapshot.users)))  # the example policy checks inactivity
            app, units = lanes[app_of(n, apps)]
            limits = Budgets(app=app, across_tenants=units) if budgets else None
            kept += [limits] if limits is not None else []
            # each tenant's token names its tenant (tid), as Entra ID's do: the kept read is the tenant's
            tokens.append(app_token(snapshot.tenant_id, lifetime=24 * 3600, app_id=client_id(app_of(n, apps))))
            emulator = GraphEmulator(
                snapshot, token=tokens[-1], latency_ms=latency_ms, budgets=limits, reports=listed, contract=False
            )
            urls.append(stack.enter_context(emulator).url)
            emulators.append(emulator)
            users.append(len(snapshot.users))
        print(json.dumps({"tokens": tokens, "urls": urls, "users": users, "sign_ins": sign_ins}), flush=True)
        for line in sys.stdin:  # "stats": the requests so far by kind (the run's, before the checks)
            if line.strip() == "stats":
                print(json.dumps(by_kind(emulators)), flush=True)
            elif line.strip() == "lanes":  # each app's requests across tenants as it counted them (msp_shards)
                print(json.dumps([app_windows(app) for app, _ in lanes]), flush=True)
        refused: dict[str, int] = {}
        for limits in kept:
            for key, times in limits.refused.items():
                refused[key] = refused.get(key, 0) + times
        # the sign-in requests the emulators answered (their own requests: none is a $batch)
        asked = sum(
            1
            for emulator in emulators
            for r in emulator.requests
            if r.path.endswith("/users") and "signInActivity" in r.query.get("$select", "")
        )
        print(json.dumps({"refused": refused, "sign_in_requests": asked}), flush=True)


def app_windows(app: Any) -> dict[str, int]:
    """An app's requests across its tenants as the emulators counted them (AppLimits' logs): the
    sign-in requests and the most in any minute (Graph's limit: 10), the identity reports' most in
    any 10 s (122)."""
    from auditor.graph.lane_share import most_in_window

    sign_ins, reports = app.sign_in.log or [], app.reports.log or []
    return {
        "sign_in_requests": len(sign_ins),
        "most_sign_ins_in_a_minute": most_in_window(sign_ins, 60.0),
        "most_reports_in_10_s": most_in_window(reports, 10.0),
    }


def by_kind(emulators: list[Any]) -> dict[str, int]:
    """The requests the emulators answered, by kind: the sign-in reads (in full, filtered), the
    active-user usage report, the other usage reports and their settings, and everything else."""
    kinds = {"sign_in_full": 0, "sign_in_filtered": 0, "active_user_report": 0, "other_reports": 0, "other": 0}
    for emulator in emulators:
        for r in emulator.requests:
            if r.path.endswith("/users") and "signInActivity" in r.query.get("$select", ""):
                kinds["sign_in_filtered" if "$filter" in r.query else "sign_in_full"] += 1
            elif "getOffice365ActiveUserDetail" in r.path:
                kinds["active_user_report"] += 1
            elif r.path.startswith(("/reports/", "/copilot/reports/", "/admin/reportSettings", "/download/")):
                kinds["other_reports"] += 1
            else:
                kinds["other"] += 1
    return kinds


def _as_auditor(argv: list[str]) -> int:
    """`license-auditor ARGV`, each tenant of a tenants file with its own token (the emulators', by
    tenant key, from the file $MSP_TOKENS names, in the tenant's environment: FleetOptions.tenant_env),
    as the demo's tenants have theirs: a tenants file holds no token, and a token names one tenant
    (its tid: whose kept sign-in read may be used)."""
    from auditor.cli import build_parser
    from auditor.fleet.arguments import FleetOptions
    from auditor.fleet.run import cmd_tenants
    from auditor.graph.auth import TOKEN_ENV

    args = build_parser().parse_args(argv)
    if getattr(args, "tenants", None) is None:  # one tenant (a checked one): its token is the environment's
        return int(args.func(args))
    tokens = json.loads(Path(os.environ["MSP_TOKENS"]).read_text("utf-8"))
    env = {key: {TOKEN_ENV: token} for key, token in tokens.items()}
    return cmd_tenants(dataclasses.replace(FleetOptions.of(args), tenant_env=env))


def _child(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, float, float, int]:
    """Run `license-auditor ARGV` (through _as_auditor); (exit code, wall s, CPU s, peak RSS in bytes)
    of that child alone."""
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.msp", "--as-auditor", *argv],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert process.stderr is not None
    err = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - started
    if process.returncode not in (0, 1):
        sys.stderr.write(err.decode("utf-8", "replace")[-3000:])
    return process.returncode, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.msp")
    parser.add_argument("--tenants", type=int, default=1000)
    parser.add_argument(
        "--record", action="store_true", help="keep the figures in benchmarks/results/ (docs/benchmarks.md)"
    )
    parser.add_argument("--latency-ms", type=float, default=300.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--tenant-concurrency", type=int, default=8)
    parser.add_argument(
        "--check",
        type=int,
        default=5,
        metavar="K",
        help="audit K tenants alone too and compare their findings.csv (default: 5)",
    )
    parser.add_argument("--keep", type=Path, metavar="DIR", help="write the outputs here and keep them")
    parser.add_argument(
        "--no-budgets", dest="budgets", action="store_false", help="the emulators keep none of Graph's limits"
    )
    parser.add_argument("--second-night", action="store_true", help="the nightly's second night (module docstring)")
    parser.add_argument("--week", action="store_true", help="count a week's sign-in requests; no audit")
    parser.add_argument(
        "--full-every",
        type=int,
        default=FULL_EVERY,
        metavar="NIGHTS",
        help=f"with --week: a full read every NIGHTS nights, as audit's --sign-in-full-every (default: {FULL_EVERY})",
    )
    parser.add_argument(
        "--lane-budget",
        type=float,
        default=BUDGET_MINUTES,
        metavar="MINUTES",
        help=f"audit's --sign-in-lane-budget, minutes of the lane a night (default: {BUDGET_MINUTES:g}; 0: none)",
    )
    parser.add_argument(
        "--tenant-reports",
        choices=("all", "mailed"),
        help="audit's --tenant-reports (default: audit's: mailed on the second night, else all)",
    )
    parser.add_argument("--nights", type=int, default=0, help="with --week: the nights counted (default: --full-every)")
    parser.add_argument(
        "--apps", type=int, default=1, help="split the fleet over this many app registrations, in turn (default: 1)"
    )
    parser.add_argument(
        "--shards", type=int, default=0, metavar="S", help="S shard processes at once, then rollup (msp_shards.py)"
    )
    parser.add_argument("--one-process", action="store_true", help="with --shards: the same night in one process too")
    parser.add_argument(
        "--compare", type=Path, metavar="DIR", help="with --shards: compare findings.csv with DIR/<key>/"
    )
    parser.add_argument("--lanes-only", action="store_true", help="with --shards: the lane schedule alone, no audit")
    parser.add_argument(
        "--slices", action="store_true", help="with --shards: slices of the whole file, not shards by app (--app)"
    )
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--reads", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args()


def _check(args: argparse.Namespace, folder: Path, ready: dict[str, Any], env: dict[str, str]) -> list[bool]:
    """Audit the first `args.check` tenants alone (reading every user's sign-in activity) and compare
    their findings.csv with the run's."""
    if args.check and args.budgets:
        time.sleep(60)  # the app's sign-in lane across tenants (the emulators') given back by the run
    night = ["--as-of", SECOND.strftime("%Y-%m-%dT%H:%M:%SZ")] if args.second_night else []
    same = []
    for n in range(1, min(args.check, args.tenants) + 1):
        key = f"customer-{n:04d}"
        alone = folder / "alone" / key
        _child(
            [
                "audit",
                "--graph-endpoint",
                ready["urls"][n - 1],
                "--tenant-id",
                tenant_id(n),
                "--auth",
                "token",
                "--policies",
                "policies",
                "--output-dir",
                str(alone),
                *night,
            ],
            folder,
            {**env, "AUDITOR_ACCESS_TOKEN": ready["tokens"][n - 1]},
        )
        mine, theirs = alone / "findings.csv", folder / "out" / key / "findings.csv"
        same.append(mine.is_file() and theirs.is_file() and mine.read_bytes() == theirs.read_bytes())
    return same


def main() -> None:
    if sys.argv[1:2] == ["--as-auditor"]:
        sys.exit(_as_auditor(sys.argv[2:]))
    args = _arguments()
    if args.serve:
        serve(args.tenants, args.seed, args.latency_ms, args.budgets, args.reads, args.apps, args.lane_budget)
        return
    if args.shards:  # several shard processes at once (msp_shards.py): loaded for that run only
        from .msp_shards import lanes_only, shards

        (lanes_only if args.lanes_only else shards)(args)
        return
    if args.week:
        rows = week(args.tenants, args.seed, args.latency_ms, args.full_every, args.lane_budget, args.nights)
        print(json.dumps(rows, indent=1))
        return
    folder = args.keep or Path(tempfile.mkdtemp(prefix="msp-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    server = server_process(args, folder)
    assert server.stdout is not None and server.stdin is not None
    ready = json.loads(server.stdout.readline())
    setup = time.monotonic() - started
    night = ["--baseline", "previous", "--as-of", SECOND.strftime("%Y-%m-%dT%H:%M:%SZ")] if args.second_night else []
    try:
        tenants = tenants_file(folder, ready["urls"], args.apps)
        keys = [f"customer-{n:04d}" for n in range(1, args.tenants + 1)]
        (folder / "tokens.json").write_text(json.dumps(dict(zip(keys, ready["tokens"], strict=True))), "utf-8")
        # the children run this checkout's code, whatever the environment's install points at
        env = {
            **os.environ,
            "AUDITOR_ACCESS_TOKEN": ready["tokens"][0],
            "MSP_TOKENS": str(folder / "tokens.json"),
            "SOURCE_DATE_EPOCH": str(int((SECOND if args.second_night else FIRST).timestamp())),
            "PYTHONPATH": str(ROOT),
        }
        env.pop("GITHUB_ACTIONS", None)
        load_before = os.getloadavg()
        commit_before = results.commit()
        code, wall, cpu, rss = _child(
            [
                "audit",
                "--tenants",
                str(tenants),
                "--auth",
                "token",
                "--output-dir",
                "out",
                "--tenant-concurrency",
                str(args.tenant_concurrency),
                "--sign-in-lane-budget",
                str(args.lane_budget),
                *(["--tenant-reports", args.tenant_reports] if args.tenant_reports else []),
                *night,
            ],
            folder,
            env,
        )
        if code not in (0, 1, 3):  # the child's stderr is written above: say which run failed, not a missing file
            raise SystemExit(f"audit --tenants exited {code}: no roll-up to read in {folder / 'out'}")
        load_after = os.getloadavg()
        rollup = json.loads((folder / "out" / "tenants.json").read_text("utf-8"))
        lane_file = folder / "out" / LANE_FILE
        lane_plan = json.loads(lane_file.read_text("utf-8")) if lane_file.is_file() else {}
        rows = rollup["tenants"]
        requests = sum(row.get("requests") or 0 for row in rows)
        streams = args.tenant_concurrency * PER_TENANT_STREAMS
        sign_ins = sum(ready["sign_ins"])
        # each app's lane carries its tenants' requests (app_of); the night waits for the longest
        per_app = [
            sum(s for n, s in enumerate(ready["sign_ins"], 1) if app_of(n, args.apps) == a) for a in range(args.apps)
        ]
        lane = max(sign_in_seconds(s, args.latency_ms / 1000) for s in per_app) if args.budgets else 0.0
        floor = max(requests * args.latency_ms / 1000 / streams, lane)
        print(
            json.dumps(
                {
                    "wall_s": round(wall, 1),
                    "cpu_s": round(cpu, 1),
                    "peak_rss_mb": round(rss / 2**20),
                    "exit_code": code,
                    "requests": requests,
                }
            ),
            file=sys.stderr,
            flush=True,
        )
        server.stdin.write("stats\n")
        server.stdin.flush()
        kinds = json.loads(server.stdout.readline())
        same = _check(args, folder, ready, env)
    finally:
        server.stdin.close()
        answer = json.loads(server.stdout.readline() or "{}")
        refused = answer.get("refused", {})
        server.wait(timeout=120)
    users = ready["users"]
    result = {
        "tenants": args.tenants,
        "apps": args.apps,
        "night": "second" if args.second_night else "every user read",
        "latency_ms": args.latency_ms,
        "tenant_concurrency": args.tenant_concurrency,
        "tenant_reports": args.tenant_reports or ("mailed" if args.second_night else "all"),
        "lane_budget_minutes": args.lane_budget,
        "sizes": {"median": sorted(users)[len(users) // 2], "max": max(users), "total": sum(users)},
        "emulators_setup_s": round(setup, 1),
        "exit_code": code,
        "status": {s: sum(1 for r in rows if r["status"] == s) for s in ("ok", "incomplete", "failed")},
        "wall_s": round(wall, 1),
        "cpu_s": round(cpu, 1),
        # the audit's user + system CPU (its own process: os.wait4), a tenant and a thousand users
        "cpu_ms_per_tenant": round(cpu * 1000 / args.tenants),
        "cpu_s_per_1000_users": round(cpu * 1000 / sum(users), 2),
        # the machine's load average (1, 5, 15 minutes) as the audit began and as it ended: a shared
        # machine's wall time says as much about the others' work as about the audit's
        "load_average_before": [round(x, 1) for x in load_before],
        "load_average_after": [round(x, 1) for x in load_after],
        "cpus": os.cpu_count(),
        "peak_rss_mb": round(rss / 2**20),
        "requests": requests,
        "lane_full_reads": len(lane_plan.get("full_reads", [])),
        "lane_waiting": len(lane_plan.get("waiting", [])),
        "sign_in_requests_expected": sign_ins,
        # as the emulators counted them, the K checked tenants' full reads (after the run) taken out
        "sign_in_requests_sent": (answer.get("sign_in_requests") or 0)
        - sum(sign_in_requests(n) for n in users[: min(args.check, args.tenants)]),
        "requests_by_kind": kinds,  # as the emulators answered them, downloads and retries included
        "tenants_without_sign_in_request": sum(1 for n in ready["sign_ins"] if n == 0),
        "sign_in_lane_s": round(lane, 1),
        "floor_s": round(floor, 1),
        "answered_429_by_limit": refused,
        "ratio_to_floor": round(wall / floor, 2) if floor else None,
        "findings_csv_equal_alone": f"{sum(same)}/{len(same)}",
    }
    print(json.dumps(result, indent=1))
    if args.keep is None:
        shutil.rmtree(folder, ignore_errors=True)
    wrong = _wrong(result, same)
    if wrong:
        sys.exit(f"benchmarks.msp: the run is not what it measures: {'; '.join(wrong)}")
    if args.record:  # a run that measured what it says, only
        config = {k: v for k, v in vars(args).items() if k not in ("keep", "record", "serve", "reads")}
        results.record(
            "msp",
            config,
            headline(result),
            result,
            {"load": round(load_before[0], 2), "commit": commit_before},
        )


def headline(result: dict[str, Any]) -> dict[str, Any]:
    """What docs/performance.md shows of a night: its wall time against the lane's floor, its CPU and peak, the
    429s, and the checked tenants."""
    return {
        "tenants": result["tenants"],
        "audit ÷ floor": f"{result['wall_s']:,.1f} s ÷ {result['floor_s']:,.1f} s = {result['ratio_to_floor']}",
        "CPU (s)": result.get("cpu_s"),
        "peak RSS (MiB)": result["peak_rss_mb"],
        "answered 429": sum((result.get("answered_429_by_limit") or {}).values()),
        "findings equal to a full read alone": result["findings_csv_equal_alone"],
    }


def _wrong(result: dict[str, Any], same: list[bool]) -> list[str]:
    """What makes a run's figures meaningless (the benchmark then exits 1, so CI notices): an audit
    that failed, a tenant not read whole, a checked tenant whose findings.csv differs, or (without
    429s) sign-in requests other than planned_sign_ins counts."""
    wrong = []
    if result["exit_code"] not in (0, 1):
        wrong.append(f"the audit exited {result['exit_code']}")
    status = result["status"]
    if status["ok"] != result["tenants"]:
        wrong.append(f"{status['failed']} tenants failed and {status['incomplete']} were read incomplete")
    if not all(same):
        wrong.append(f"{same.count(False)} of {len(same)} checked tenants' findings.csv differ from the run's")
    if not result["answered_429_by_limit"] and result["sign_in_requests_sent"] != result["sign_in_requests_expected"]:
        wrong.append(
            f"{result['sign_in_requests_sent']} sign-in requests sent, {result['sign_in_requests_expected']} planned"
        )
    return wrong


if __name__ == "__main__":
    main()
