"""Serve a generated tenant from the Graph emulator in its own process.

    python -m benchmarks.serve --users 1000000 [--seed 7] [--latency-ms 300] [--latency-ms-per-kib 0]
                               [--without-role MailboxSettings.Read] [--timed-states] [--budgets] [--writes]

The tenant is benchmarks.tenant's (people's user names). Prints one JSON line when ready
({"url", "token", "tenant_id", "users", "setup_s"}), then answers commands on stdin, one per
line: `stats` prints the request counts since the last `reset` as one JSON line (with the directory's
resource units and the audit-log requests); `reset` clears
them; `split T` prints the same counts for the requests that arrived before the moment T and for
those from it on ({"before", "after"}, each with its requests by call, "GET /users/{id}", and the
emulator's seconds on them; T on time.monotonic(), one clock for every process of the machine);
`latency MS PER_KIB` sets the delay of every answer from then on; end of input stops the server.
Each command's answer is one JSON line.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from auditor.common.timestamps import parse_timestamp
from auditor.data.model import TenantSnapshot
from auditor.graph.collector import USER_FIELDS
from auditor.graph.kept_sign_ins import KEPT_FILE, save
from auditor.snapshot import SIGN_IN_ACTIVITY
from auditor_dev.emulator import DEMO_ROLES, WRITE_ROLES, Budgets, GraphEmulator, ReportOptions, app_token
from auditor_dev.emulator.budgets import cost
from auditor_dev.emulator.log import LoggedRequest

from .prerender import Prerendered
from .tenant import bench_tenant

# the collector's two user listings: the users (auditor.graph.users.users_path) and their sign-ins (SIGN_IN_PATH)
SELECTS = (("id", SIGN_IN_ACTIVITY), USER_FIELDS)
_ID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def _kind(path: str, query: dict[str, str] | None = None) -> str:
    if path == "/users" and "signInActivity" in (query or {}).get("$select", ""):
        return "sign_in"  # the sign-in listing, read apart (auditor/graph/users.py)
    if path == "/users":
        return "users"
    if re.fullmatch(r"/groups/[^/]+/(transitiveMembers|members)(/.*)?", path):
        return "members"
    return "other"


def _longest_chain(logged: list[LoggedRequest]) -> dict[str, Any]:
    """The listing read in the most pages: each page's @odata.nextLink comes with the page before,
    so its pages follow one another whatever the streams (a partition of /users, a group's members)."""
    chains = Counter(
        (r.path, r.query.get("$filter", ""))
        for r in logged
        if r.status < 400 and not r.batch and _kind(r.path) in ("users", "members")
    )
    if not chains:
        return {"pages": 0, "listing": ""}
    (path, where), pages = chains.most_common(1)[0]
    return {"pages": pages, "listing": f"GET {path}" + (f"?$filter={where}" if where else "")}


def _units(request: LoggedRequest) -> int:
    """A directory request's resource units (budgets.cost); 0 for the audit log, reports and Outlook."""
    path = request.path
    if path.startswith(("/auditLogs/", "/reports/")) or any(p in path for p in ("mailboxSettings", "$batch")):
        return 0
    return cost(request.method, path, request.query)


def _call(request: LoggedRequest) -> str:
    """The request's method and path with its ids left out: "POST /users/{id}/assignLicense"."""
    return f"{request.method} {_ID.sub('{id}', request.path)}"


def stats(logged: list[LoggedRequest], budgets: Budgets | None, calls: bool = False) -> dict[str, Any]:
    """The `stats` command's counts of `logged`; with `calls`, its requests by call (_call) too."""
    doc = {
        "requests": len(logged),
        "by_kind": dict(Counter(_kind(r.path, r.query) for r in logged)),
        "partition_pages": sum(1 for r in logged if r.path == "/users" and "$filter" in r.query),
        # the nightly's read of what can have changed (auditor.graph.kept_sign_ins)
        "sign_in_filtered": sum(1 for r in logged if _kind(r.path, r.query) == "sign_in" and "$filter" in r.query),
        "counts": sum(1 for r in logged if r.path == "/users/$count"),
        "errors": sum(1 for r in logged if r.status >= 400),
        "throttled": sum(1 for r in logged if r.status == 429),
        "audit_log": sum(1 for r in logged if r.path.startswith("/auditLogs/")),
        "units": sum(_units(r) for r in logged if r.status != 429),
        "longest_chain": _longest_chain(logged),
        # the 429s by the limit that answered them (budgets.Budgets.refused), since the last reset
        "refused": dict(budgets.refused) if budgets is not None else {},
    }
    if calls:
        doc["calls"] = dict(Counter(_call(r) for r in logged).most_common())
        # the emulator's own time on them (from each request's arrival to its answer being ready), by call
        spent: dict[str, float] = {}
        for r in logged:
            spent[_call(r)] = spent.get(_call(r), 0.0) + r.seconds
        doc["call_seconds"] = {name: round(s, 2) for name, s in sorted(spent.items(), key=lambda kv: -kv[1])}
    return doc


def keep_full_read(tenant: TenantSnapshot, folder: Path, window_days: int, read_at: str) -> None:
    """Write what a nightly keeps after a full read of `tenant`'s sign-in activity at `read_at`
    (auditor.graph.kept_sign_ins): the benchmark's second night without a first night of hours."""
    times = {
        u.id: (u.last_sign_in_date_time, u.last_non_interactive_sign_in_date_time, u.last_successful_sign_in_date_time)
        for u in tenant.users
    }
    folder.mkdir(parents=True, exist_ok=True)
    save(folder / KEPT_FILE, tenant.tenant_id, parse_timestamp(read_at), window_days, times)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.serve")
    parser.add_argument("--users", type=int, required=True)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--latency-ms", type=float, default=0.0, help="delay of every answer")
    parser.add_argument("--latency-ms-per-kib", type=float, default=0.0, help="and per KiB of its body")
    parser.add_argument(
        "--without-role",
        action="append",
        default=[],
        metavar="ROLE",
        help="the app token lacks this application permission (repeatable)",
    )
    parser.add_argument(
        "--budgets",
        action="store_true",
        help="keep Graph's published throttling budgets (auditor_dev/emulator/budgets.py)",
    )
    parser.add_argument(
        "--writes",
        action="store_true",
        help="the app token holds the permissions apply writes with too (auditor_dev.emulator.WRITE_ROLES)",
    )
    parser.add_argument(
        "--successful-sign-ins",
        action="store_true",
        help="every signed-in user's lastSuccessfulSignInDateTime too (benchmarks.tenant), as Graph has it since 2023",
    )
    parser.add_argument(
        "--timed-states",
        action="store_true",
        help="a lastUpdatedDateTime on every license assignment state (benchmarks.tenant)",
    )
    args = parser.parse_args()
    started = time.monotonic()
    tenant = bench_tenant(args.users, seed=args.seed, timed=args.timed_states, successful=args.successful_sign_ins)
    roles = tuple(r for r in (*DEMO_ROLES, *(WRITE_ROLES if args.writes else ())) if r not in args.without_role)
    token = app_token(tenant.tenant_id, roles, lifetime=24 * 3600)
    with (
        Prerendered(tenant, SELECTS) as listings,
        GraphEmulator(
            tenant,
            token=token,
            listings=listings,
            latency_ms=args.latency_ms,
            latency_ms_per_kib=args.latency_ms_per_kib,
            budgets=Budgets() if args.budgets else None,
            # the Copilot usage report where Microsoft documents it today: on v1.0 (the emulator's
            # default too; ReportOptions(copilot_v1=False) answers it on beta only, as first documented)
            reports=ReportOptions(copilot_v1=True),
            contract=False,  # a benchmark measures the emulator's answers, not the contract's checks
        ) as graph,
    ):
        graph.prepare(report_days=(90,))  # the usage reports' period for examples/contoso-policy.yaml's rules
        ready = {
            "url": graph.url,
            "token": token,
            "tenant_id": tenant.tenant_id,
            "users": len(tenant.users),
            "setup_s": round(time.monotonic() - started, 1),
        }
        print(json.dumps(ready), flush=True)
        for line in sys.stdin:
            command = line.strip()
            if command == "reset":
                graph.requests.clear()
                if graph.budgets is not None:  # a run of its own: not throttled by the one before
                    graph.budgets.restart()
                print("{}", flush=True)
            elif command == "stats":
                print(json.dumps(stats(list(graph.requests), graph.budgets)), flush=True)
            elif command.startswith("split "):  # split T: the requests before the moment T, and from it on
                moment = float(command.split()[1])
                logged = list(graph.requests)
                before = [r for r in logged if r.at < moment]
                after = [r for r in logged if r.at >= moment]
                print(
                    json.dumps({"before": stats(before, None, calls=True), "after": stats(after, None, calls=True)}),
                    flush=True,
                )
            elif command.startswith("keep "):  # keep FOLDER WINDOW_DAYS READ_AT: a full read's kept file
                folder, window, read_at = command.split()[1:4]
                keep_full_read(tenant, Path(folder), int(window), read_at)
                print("{}", flush=True)
            elif command.startswith("latency "):
                ms, per_kib = (float(x) for x in command.split()[1:3])
                graph.latency = (ms / 1000, per_kib / 1000) if ms > 0 or per_kib > 0 else None
                print("{}", flush=True)


if __name__ == "__main__":
    main()
