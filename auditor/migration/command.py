"""`license-auditor migrate`: read the inputs, build the plan, write it; the exit code says whether
users are blocked (0 none, 1 some; 2 bad input, 3 Graph could not be read)."""

from __future__ import annotations

import argparse
import sys
from argparse import Namespace
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from auditor.common.cycles import collection_paused
from auditor.common.errors import EXIT_FINDINGS, EXIT_OK, CollectionError, UsageError, clean_message
from auditor.common.outputs import output_lock, rotate_previous
from auditor.common.timestamps import parse_timestamp
from auditor.data.exchange_export import read_exchange_export
from auditor.data.model import Cloud, Locale, TenantSnapshot
from auditor.data.usage_data import MAILBOXES

from .. import demo
from ..billing import BillingFile, read_billing
from ..data.reads import Requests
from ..graph.arguments import AuthMode, GraphSource
from ..snapshot import load_snapshot
from .mapping import ProductMap, read_map
from .movers import Mover, Problems, domain_movers, read_users
from .plan import PlanInputs, SourceBill, build_plan
from .source import source_bill
from .write import FILES, write_plan

DEMO_DIR = ("migration",)
DEMO_CUTOVER = date(2027, 1, 15)
NEEDED_DATASETS = frozenset(("users", "subscribedSkus", "subscriptions", "groups"))
# the source's mailbox usage report: the shared mailboxes' sizes and archives (rule 7)
# the source's shared mailboxes' sizes: the mailbox usage report's columns (its period, D7, covers 7 days)
MAILBOX_SIZES = Requests(usage=frozenset(MAILBOXES.columns.values()), usage_days=7)


def _say(text: str) -> None:
    print(clean_message(text), file=sys.stderr)


def _day(text: str, flag: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{flag}: {text!r} is not a date (YYYY-MM-DD)") from None


MAX_AHEAD = timedelta(days=3653)  # a cutover or complete_by more than 10 years ahead is no plan


def _check_day(day: date, as_of: datetime, what: str) -> None:
    """A cutover (or a user's complete_by) lies between the plan's day and 10 years after it: the
    plan is made before the move, and its windows are counted from that day."""
    problem = _day_problem(day, as_of)
    if problem:
        raise UsageError(f"{what} {problem}")


def _day_problem(day: date, as_of: datetime) -> str | None:
    """What is wrong with a cutover or complete_by day (_check_day), or None."""
    today = as_of.date()
    if day < today:
        return (
            f"{day.isoformat()} is before the plan's day ({today.isoformat()}, --as-of): the migration plan "
            "is made before the move; give the day the moves complete"
        )
    if day - today > MAX_AHEAD:
        return (
            f"{day.isoformat()} is more than 10 years after the plan's day ({today.isoformat()}): give the "
            "day the moves complete"
        )
    return None


def _as_of(text: str | None) -> datetime:
    if text is None:
        return datetime.now(UTC).replace(microsecond=0)
    try:
        return parse_timestamp(text).astimezone(UTC)
    except ValueError:
        raise UsageError(f"--as-of: {text!r} is not an ISO-8601 date or date-time") from None


def _tenant(args: Namespace, side: str) -> TenantSnapshot:
    """--source/--target: a snapshot file, or 'graph' (read only, with --source-tenant-id/--target-tenant-id)."""
    value = getattr(args, side)
    if not value:
        raise UsageError(f"--{side}: give a snapshot file (from `collect`) or 'graph'")
    if value != "graph":
        return _complete(load_snapshot(value), side)
    tenant_id = getattr(args, f"{side}_tenant_id")
    if not tenant_id:
        raise UsageError(f"--{side} graph needs --{side}-tenant-id")
    from auditor.graph_cli import read_tenant  # the Graph SDK loads here, and only here

    reading = GraphSource(
        tenant_id=tenant_id, cloud=Cloud(args.cloud) if args.cloud else None, auth=AuthMode(args.auth)
    )
    snapshot = read_tenant(reading, group_refs=(), requests=MAILBOX_SIZES if side == "source" else Requests())
    return _complete(snapshot, side)


def _complete(snapshot: TenantSnapshot, side: str) -> TenantSnapshot:
    """A tenant read without its users, products, subscriptions or groups is no tenant to plan from:
    it would read as "nothing to move" or "no seats" (exit 3). Other gaps (the usage reports behind
    the shared mailboxes' sizes) leave what they hold unknown, and the plan says so."""
    missing = [g for g in snapshot.gaps if g.dataset in NEEDED_DATASETS]
    if missing:
        raise CollectionError(
            f"--{side}: {snapshot.tenant_name or snapshot.tenant_id} was not read in full: "
            + "; ".join(f"{g.dataset}: {g.reason} ({g.request})" for g in missing)
        )
    return snapshot


def _demo_file(name: str, folder: tuple[str, ...] = DEMO_DIR) -> Path:
    return demo.demo_file(name, *folder)


def _demo_tenants() -> tuple[TenantSnapshot, TenantSnapshot]:
    """The bundled source (Contoso) and target (Fabrikam) served by the emulator and read like real ones."""
    from auditor.graph_cli import collect_served  # the Graph SDK: loaded for --demo only

    source = collect_served(demo.sample_tenant(), MAILBOX_SIZES.usage_need)
    return source, collect_served(demo.target_tenant())


def _movers(args: Namespace, source: TenantSnapshot, as_of: datetime) -> list[Mover]:
    if args.domain:
        return domain_movers(source.users, args.domain)
    if not args.users:
        raise UsageError("give --users users.csv or --domain DOMAIN: who moves")
    path = Path(args.users)
    movers = read_users(path)
    problems = Problems(path)  # every row the source or the plan's day refuses, listed at once
    known = {u.user_principal_name.lower() for u in source.users}
    for m in movers:
        if m.source_upn.lower() not in known:
            problems.add(
                m.line,
                m.column,
                f"{m.source_upn} is not a user of the source tenant {source.tenant_name or source.tenant_id}",
            )
        if m.complete_by is not None and (problem := _day_problem(m.complete_by, as_of)):
            problems.add(m.line, 0, f"complete_by {problem}")
    problems.raise_any()
    return movers


def cmd_migrate(args: argparse.Namespace) -> int:
    as_of = demo.CLOCK.replace(tzinfo=UTC) if args.demo and not args.as_of else _as_of(args.as_of)
    if args.demo:
        if args.source or args.target:
            raise UsageError("--demo brings its own tenants; leave out --source and --target")
        args.users = args.users or (None if args.domain else str(_demo_file("users.csv")))
        args.exchange_export = args.exchange_export or str(_demo_file("mailboxes.csv"))
        args.map = args.map or str(_demo_file("products.yaml"))
        args.billing = args.billing or str(_demo_file("sample-billing.csv", ()))
    cutover = _day(args.cutover, "--cutover") if args.cutover else DEMO_CUTOVER if args.demo else None
    if cutover is None:
        raise UsageError("--cutover YYYY-MM-DD is required: the day the moves complete")
    _check_day(cutover, as_of, "--cutover")
    products = read_map(Path(args.map)) if args.map else ProductMap()
    out_dir = Path(args.output_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"--output-dir: {out_dir} exists and is not a directory")
    out_dir.mkdir(parents=True, exist_ok=True)
    with output_lock(out_dir):
        rotate_previous(out_dir, FILES)
        source, target = _demo_tenants() if args.demo else (_tenant(args, "source"), _tenant(args, "target"))
        movers = _movers(args, source, as_of)
        # read after the tenants: a tenant's decoding peaks higher than what it keeps, and the export
        # (a row per mailbox) need not sit under that peak
        mailboxes = read_exchange_export(args.exchange_export) if args.exchange_export else None
        billing = read_billing(args.billing) if args.billing else None
        # the cycle collector paused while the plan is built from two tenants (auditor.common.cycles)
        with collection_paused():
            plan = build_plan(
                PlanInputs(
                    source,
                    target,
                    movers,
                    products,
                    cutover,
                    as_of,
                    mailboxes,
                    bill=_bill(billing, source, Locale(args.locale)),
                )
            )
        del source, target, mailboxes, movers  # the plan holds what the outputs need: free the tenants first
        generated = datetime.now(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
        written = write_plan(plan, out_dir, Locale(args.locale), generated)
    _say(f"license-auditor migrate: {len(plan.users)} users, {plan.blocked} blocked")
    for path in written:
        _say(f"wrote {path}")
    return EXIT_FINDINGS if plan.blocked else EXIT_OK


Freed = Mapping[str, tuple[int, date]]


def _bill(billing: BillingFile | None, source: TenantSnapshot, locale: Locale) -> Callable[[Freed], SourceBill]:
    """The source's bill for the seats the moves free (auditor.billing; without --billing, every
    window is unknown, bounded by the renewal)."""
    return lambda freed: source_bill(source, billing, freed, locale)
