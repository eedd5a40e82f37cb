"""Serve a generated tenant from the Graph emulator in its own process.

    python -m benchmarks.serve --users 1000000 [--seed 7]

Prints one JSON line when ready ({"url", "token", "tenant_id", "users", "setup_s"}), then
answers commands on stdin, one per line: `stats` prints the request counts since the last
`reset` as one JSON line; `reset` clears them; end of input stops the server.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter

from auditor.emulator import GraphEmulator, app_token
from auditor.graph.collector import USER_FIELDS
from auditor.sample.generate import generate_tenant
from auditor.snapshot import SIGN_IN_ACTIVITY

from .prerender import Prerendered

SELECTS = ((*USER_FIELDS, SIGN_IN_ACTIVITY), USER_FIELDS)


def _kind(path: str) -> str:
    if path == "/users":
        return "users"
    if re.fullmatch(r"/groups/[^/]+/transitiveMembers(/.*)?", path):
        return "members"
    return "other"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.serve")
    parser.add_argument("--users", type=int, required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    started = time.monotonic()
    tenant = generate_tenant(args.users, seed=args.seed)
    token = app_token(tenant.tenant_id, lifetime=24 * 3600)
    with Prerendered(tenant, SELECTS) as listings, GraphEmulator(tenant, token=token, listings=listings) as graph:
        ready = {"url": graph.url, "token": token, "tenant_id": tenant.tenant_id, "users": len(tenant.users),
                 "setup_s": round(time.monotonic() - started, 1)}
        print(json.dumps(ready), flush=True)
        for line in sys.stdin:
            command = line.strip()
            if command == "reset":
                graph.requests.clear()
                print("{}", flush=True)
            elif command == "stats":
                logged = list(graph.requests)
                kinds = Counter(_kind(r.path) for r in logged)
                print(json.dumps({"requests": len(logged), "by_kind": dict(kinds),
                                  "errors": sum(1 for r in logged if r.status >= 400)}), flush=True)


if __name__ == "__main__":
    main()
