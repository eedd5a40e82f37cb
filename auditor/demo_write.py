"""The write path's --demo: `plan`, `apply` and `undo` run against the bundled sample tenant, served by
the Graph emulator (and the sample's distributors by their stand-ins) on 127.0.0.1, from and back into reports/:
the tenant as the changes left it is kept in reports/demo-tenant.json for the next apply or undo
(README, docs/plan-and-apply.md). The command line (auditor.cli) wraps the three commands with
`demo_write`; the developer tools load only when --demo is given (auditor.demo, the seam)."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from auditor.common.errors import AuditorError, UsageError
from auditor.graph.arguments import GraphSource
from auditor.vendors import arguments as flags

DEMO_FOLDER = "reports"  # where `audit --demo` writes, and the write path's demo reads and writes
DEMO_STATE = "demo-tenant.json"  # the demo tenant as apply and undo --demo left it, beside their journals


def demo_write(
    main: Callable[[list[str]], int], run: Callable[[argparse.Namespace], int]
) -> Callable[[argparse.Namespace], int]:
    """`plan`, `apply` and `undo` as given, or with --demo against the bundled sample tenant served by
    the emulator: the report and plan in reports/ (plan --demo audits the demo first when there is no
    report), and the tenant as the changes left it kept in reports/demo-tenant.json for the next
    apply or undo. `main` runs a command line (the audit `plan --demo` runs first)."""

    def wrapped(args: argparse.Namespace) -> int:
        if not getattr(args, "demo", False):
            name, flag = {
                "plan": ("report_dir", "--report-dir"),
                "apply": ("plan", "PLAN"),
                "undo": ("journal_file", "JOURNAL"),
            }[args.command]
            if getattr(args, name) is None:
                raise UsageError(f"{args.command}: give {flag}, or --demo to try it on the bundled sample tenant")
            return run(args)
        folder = Path(DEMO_FOLDER)
        if args.command == "plan":
            if getattr(args, "max_age", None) is not None:  # the frozen moment is no staleness (as apply --demo)
                from auditor import demo  # only --demo's write path loads it

                args.max_age += demo.frozen_for()
            args.report_dir = args.report_dir or str(folder)
            if not (Path(args.report_dir) / "report.json").exists():
                code = main(["audit", "--demo", "--output-dir", args.report_dir])
                if code not in (0, 1):
                    return code
            return run(args)
        return _on_the_demo_tenant(args, folder, run)

    wrapped.__name__ = getattr(run, "__name__", "command")
    return wrapped


def _on_the_demo_tenant(args: argparse.Namespace, folder: Path, run: Callable[[argparse.Namespace], int]) -> int:
    from auditor import demo  # the demo and the snapshot writer: only --demo's write path loads them
    from auditor.snapshot import load_snapshot

    GraphSource.of(args).refuse_beside_demo()  # what the demo sets itself is never given and ignored
    if args.command == "apply":
        if args.plan is None and not (folder / "plan.json").exists():  # the README's order: audit, plan, apply
            raise UsageError(f"apply --demo: no plan in {folder}/: run `license-auditor plan --demo` first")
        args.plan = args.plan or str(folder / "plan.json")
        if not Path(args.plan).is_file():  # e.g. a tenant's plan of the many-tenant demo, before its audit and plan
            raise UsageError(f"apply --demo: no plan at {args.plan}: run `license-auditor plan` for it first")
        # apply compiles the plan again from the tenant as it is now, judged as `audit --demo` judged it
        args.as_of = demo.CLOCK.isoformat() + "Z"
        folder = Path(args.plan).parent
        args.max_age = max(args.max_age, demo.frozen_for() + args.max_age)
        args.policies = args.policies or [str(_own_policy(Path(args.plan)))]
    else:
        if getattr(args, "distributor", False) or getattr(args, "psa", False):  # beside its plan, below reports/
            kind = "psa" if getattr(args, "psa", False) else "distributor"
            journals = sorted(folder.rglob(f"{kind}-journal-*.jsonl"), key=lambda p: p.name)
        else:
            journals = sorted(folder.glob("journal-*.jsonl"))
        if args.journal_file is None and not journals:
            raise UsageError(f"undo --demo: no journal in {folder}/: run `license-auditor apply --demo --yes` first")
        if args.journal_file is None and not getattr(args, "distributor", False) and not getattr(args, "psa", False):
            siblings = _the_plans_journals(journals[-1])
            if len(siblings) > 1:  # every journal of the plan, newest first: undo gives every change back
                codes = []
                for journal in siblings:  # each run as given: the demo sets its own endpoint on the copy
                    one = argparse.Namespace(**{**vars(args), "journal_file": str(journal)})
                    codes.append(_on_the_demo_tenant(one, folder, run))
                return max(codes)
        args.journal_file = args.journal_file or str(journals[-1])
        folder = Path(args.journal_file).parent
        args.as_of = demo.CLOCK.isoformat() + "Z"  # a bill undo judges its windows on the demo's day, as apply --demo
        if hasattr(args, "policies"):  # a put-back's spare seats are the demo's own policy's, as apply --demo's
            args.policies = args.policies or [
                str(_own_policy(Path(getattr(args, "plan", None) or folder / "plan.json")))
            ]
    state = folder / DEMO_STATE
    others = (demo.target_tenant, lambda: demo.northwind(demo.sample_tenant()))  # Fabrikam, Northwind (its Halo)
    tenant = load_snapshot(state) if state.exists() else _sample_of(folder, demo.sample_tenant, *others)
    if getattr(args, "distributor", False):  # the sample's distributors too, as the last --distributor --demo left them
        return _at_the_demo_distributor(args, folder, lambda: _on_the_demo_graph(args, folder, tenant, state, run))
    if getattr(args, "psa", False):  # the sample's PSAs (and distributors, for the rules that read them) likewise
        graph = lambda: _on_the_demo_graph(args, folder, tenant, state, run)  # noqa: E731
        return _at_the_demo_distributor(args, folder, lambda: _at_the_demo_distributor(args, folder, graph, psa=True))
    return _on_the_demo_graph(args, folder, tenant, state, run)


def _the_plans_journals(newest: Path) -> list[Path]:
    """The journals beside `newest` of the plan it was made for, newest first: an apply interrupted and run
    again, or run twice, leaves one journal a run (issue 121). Just `newest` when its plan cannot be read."""
    from auditor.apply.journal import plan_journals, read_journal  # undo --demo only: kept out of start-up

    try:
        sha = next((line.plan_sha256 for line in read_journal(newest).lines if line.plan_sha256), None)
    except AuditorError:  # undo reads the journal and says what is wrong with it
        sha = None
    if sha is None:
        return [newest]
    return sorted((j.path for j in plan_journals(sha, [newest.parent])), key=lambda p: p.name, reverse=True)


def _own_policy(plan: Path) -> Path:
    """apply --demo without --policies: the demo's own policy, as the operator's. Of the policy files the demos
    bundle (`audit --demo`'s example policy, each tenant's of `audit --demo --tenants`), the one the plan was
    audited under; the example policy when it names none of them (then apply refuses the plan, naming both)."""
    from auditor import demo  # the demo seam: only --demo's write path loads it
    from auditor.formats.plan_json import load_plan

    try:
        recorded = {digest for _, digest in load_plan(plan).policy_sha256}
    except AuditorError:  # apply reads the plan and says what is wrong with it
        recorded = set()
    own: list[Path] = demo.policies()
    return next((p for p in own if hashlib.sha256(p.read_bytes()).hexdigest() in recorded), own[0])


def _sample_of(folder: Path, contoso: Callable[[], Any], *others: Callable[[], Any]) -> Any:
    """The bundled sample the plan beside the journal or plan is for (its tenant id): one of the many-tenant
    demo's others (Fabrikam's, Northwind's) when it names that tenant, else Contoso's, the sample `audit --demo`
    audits."""
    try:
        named = json.loads((folder / "plan.json").read_text("utf-8")).get("tenant_id")
    except (OSError, ValueError, AttributeError):
        named = None
    for made in others:
        other = made()
        if isinstance(named, str) and named.lower() == other.tenant_id.lower():
            return other
    return contoso()


def _at_the_demo_distributor(
    args: argparse.Namespace, folder: Path, run: Callable[[], int], *, psa: bool = False
) -> int:
    """`run` with the sample's distributors (`psa`: its PSAs) served by their stand-ins on 127.0.0.1 (each one's
    --<key>-endpoint and the stand-ins' keys), as the last --distributor (--psa) --demo left them in `folder`
    (auditor.demo's distributors, psas): apply --distributor --demo, then undo."""
    from auditor import demo  # the demo seam: only --demo's write path loads it

    with (demo.psas if psa else demo.distributors)(folder, keep=args.yes) as (urls, given):
        saved = {key: os.environ.get(key) for key in given}
        os.environ.update(given)
        flags.set_endpoints(args, urls)
        try:
            return run()
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


def _on_the_demo_graph(
    args: argparse.Namespace, folder: Path, tenant: Any, state: Path, run: Callable[[argparse.Namespace], int]
) -> int:
    from auditor import demo  # the demo seam: only --demo's write path loads it
    from auditor.snapshot.write import save_snapshot

    with demo.writable_emulator(tenant) as (url, token, current):
        args.graph_endpoint, args.auth, args.tenant_id = url, "token", tenant.tenant_id
        saved = os.environ.get("AUDITOR_ACCESS_TOKEN")
        os.environ["AUDITOR_ACCESS_TOKEN"] = token
        refused = False
        try:
            return run(args)
        except UsageError:  # refused before any change (another run holds the plan or journal): nothing to keep
            refused = True
            raise
        finally:
            if saved is None:
                os.environ.pop("AUDITOR_ACCESS_TOKEN", None)
            else:
                os.environ["AUDITOR_ACCESS_TOKEN"] = saved
            if args.yes and not refused:  # a refused run would write back the tenant as it read it, over the other's
                save_snapshot(current(), state)
                _say_how_to_see(state, Path(getattr(args, "plan", None) or folder / "plan.json"))


def _say_how_to_see(state: Path, plan: Path) -> None:
    """After apply or undo --demo: `audit --demo` reads the sample as shipped, so name the audit of
    the tenant as the changes left it, with the policy files the plan's report was audited with
    (plan.json's `policy_files`, which apply --demo held to its own; the demo's example policy for a plan
    without them)."""
    from auditor import demo  # the demo seam (auditor_dev): only the write path's --demo loads it
    from auditor.formats.plan_json import load_plan

    try:
        files = list(load_plan(plan).policy_files) if plan.is_file() else []
    except AuditorError:  # an unreadable plan: apply said so; the hint falls back to the example
        files = []
    with demo.example_policy() as policy:
        audit = shlex.join(
            [
                "license-auditor",
                "audit",
                "--snapshot",
                str(state),
                *[arg for file in files or [str(policy)] for arg in ("--policies", file)],
                "--as-of",
                demo.CLOCK.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "--output-dir",
                str(state.parent / "after"),
            ]
        )
    print(
        f"the demo tenant as the changes left it: {state} (`audit --demo` reads the sample as shipped); "
        f"to audit it: {audit}",
        file=sys.stderr,
    )
