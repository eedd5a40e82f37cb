"""`license-auditor migrate` at scale: N movers between two N-user snapshots.

    python -m benchmarks.migrate [--users 100000] [--repeat 3] [--keep DIR]

Generates the source (seed 7, Contoso) and the target (seed 8, Fabrikam) with the sample
generator (auditor_dev.sample.generate), saves both as snapshot files, writes users.csv with every
member of the source moving (two batches; the target UPN in a domain of its own, so the target's
own users are not hit), an Exchange export with a row per mover, and a billing row per source
subscription. Then it runs, each as a child process (wall time, CPU time and peak RSS of that child
alone, as benchmarks.run measures the audit), `migrate` with all inputs, and for scale `audit
--snapshot` of the source with examples/contoso-policy.yaml. The medians of --repeat runs are printed as
the Markdown row of docs/benchmarks.md and as JSON.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from auditor.data.exchange_export import COLUMNS, NO_GUID
from auditor.snapshot import save_snapshot
from auditor_dev.sample.generate import generate_tenant

from . import results

ROOT = Path(__file__).resolve().parent.parent


def _inputs(users: int, folder: Path) -> None:
    source = generate_tenant(users, 7)
    target = generate_tenant(users, 8, tenant_name="Fabrikam", domain="fabrikam.example")
    save_snapshot(source, folder / "source.json")
    save_snapshot(target, folder / "target.json")
    movers = [u for u in source.users if u.user_type == "Member"]
    with open(folder / "users.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(("source_upn", "target_upn", "batch", "complete_by"))
        for n, u in enumerate(movers):
            local = u.user_principal_name.split("@")[0]
            w.writerow(
                (
                    u.user_principal_name,
                    f"{local}@new.fabrikam.example",
                    f"b{n % 2 + 1}",
                    "2027-01-08" if n % 2 == 0 else "",
                )
            )
    with open(folder / "mailboxes.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, quoting=csv.QUOTE_ALL)
        w.writerow(COLUMNS)
        for n, u in enumerate(movers):
            row = dict.fromkeys(COLUMNS, "False") | {
                "ExternalDirectoryObjectId": u.id,
                "UserPrincipalName": u.user_principal_name,
                "RecipientTypeDetails": "UserMailbox",
                "ExchangeGuid": str(uuid.UUID(int=n + 1, version=4)),
                "ArchiveGuid": NO_GUID,
                "ArchiveStatus": "None",
                "InPlaceHolds": "",
                "LitigationHoldEnabled": "True" if n % 97 == 0 else "False",
            }
            w.writerow([row[c] for c in COLUMNS])
    with open(folder / "billing.csv", "w", encoding="utf-8") as f:
        f.write("subscription,channel,term,term_start,term_end,auto_renew,seats_added,unit_price,currency\n")
        for s in source.subscriptions:
            if s.status == "Enabled":
                f.write(f"{s.id},mca,P1Y,2026-03-01,2027-02-28,true,,20.00,EUR\n")


def _child(command: list[str], ok: tuple[int, ...]) -> dict[str, float]:
    started = time.perf_counter()
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code not in ok:
        raise SystemExit(f"{command[3]} exited {code}: {proc.stderr.read().decode()[-2000:]}")
    return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "peak_rss_mb": usage.ru_maxrss / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path)
    parser.add_argument(
        "--record", action="store_true", help="keep the figures in benchmarks/results/ (docs/benchmarks.md)"
    )
    args = parser.parse_args()
    started = results.start()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="migrate-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    _inputs(args.users, folder)
    py = [sys.executable, "-m", "auditor"]
    migrate = [
        *py,
        "migrate",
        "--source",
        str(folder / "source.json"),
        "--target",
        str(folder / "target.json"),
        "--users",
        str(folder / "users.csv"),
        "--exchange-export",
        str(folder / "mailboxes.csv"),
        "--billing",
        str(folder / "billing.csv"),
        "--cutover",
        "2027-01-15",
        "--as-of",
        "2026-11-24",
        "--output-dir",
        str(folder / "out"),
    ]
    audit = [
        *py,
        "audit",
        "--snapshot",
        str(folder / "source.json"),
        "--policies",
        str(ROOT / "examples" / "contoso-policy.yaml"),
        "--as-of",
        "2026-11-01T06:00:00Z",
        "--fail-on",
        "never",
        # the generated snapshot holds no access scope (the example policy's entitlements): the audit
        # is for scale, and says so in its gaps instead of exiting 3
        "--allow-gaps",
        "--output-dir",
        str(folder / "audit"),
    ]
    runs: dict[str, list[dict[str, float]]] = {"migrate": [], "audit": []}
    for _ in range(args.repeat):
        runs["migrate"].append(_child(migrate, (0, 1)))
        runs["audit"].append(_child(audit, (0, 1)))
    median = {name: {k: statistics.median(r[k] for r in found) for k in found[0]} for name, found in runs.items()}
    plan = json.loads((folder / "out" / "migration.json").read_text("utf-8"))
    sizes = {p.name: p.stat().st_size for p in (folder / "out").iterdir()}
    m, a = median["migrate"], median["audit"]
    print(
        f"| {args.users:,} | {plan['summary']['users']:,} ({plan['summary']['blocked']:,} blocked) | "
        f"{m['wall_s']:.1f} s | {m['cpu_s']:.1f} s | {m['peak_rss_mb']:.0f} MB | {a['wall_s']:.1f} s | "
        f"{a['peak_rss_mb']:.0f} MB | {sizes['migration.json'] / 1e6:.1f} MB |"
    )
    result: dict[str, Any] = {"users": args.users, "median": median, "runs": runs, "outputs": sizes}
    print(json.dumps(result, indent=1))
    if args.record:
        headline = {
            "movers (blocked)": f"{plan['summary']['users']:,} ({plan['summary']['blocked']:,})",
            "migrate wall / CPU (s)": f"{m['wall_s']:.1f} / {m['cpu_s']:.1f}",
            "migrate peak RSS (MB)": round(m["peak_rss_mb"]),
            "audit wall / CPU (s)": f"{a['wall_s']:.1f} / {a['cpu_s']:.1f}",
            "migration.json (MB)": round(sizes["migration.json"] / 1e6, 1),
        }
        results.record("migrate", {"users": args.users, "repeat": args.repeat}, headline, result, started)


if __name__ == "__main__":
    main()
