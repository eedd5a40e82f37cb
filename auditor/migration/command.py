"""`license-auditor migrate`: read the inputs, build the plan, write it; the exit code says whether
users are blocked (0 none, 1 some; 2 bad input, 3 Graph could not be read)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from auditor.common.cycles import collection_paused
from auditor.common.errors import (
    EXIT_FINDINGS,
    EXIT_OK,
    AuditorError,
    CollectionError,
    UsageError,
    clean_message,
)
from auditor.common.outputs import output_lock
from auditor.common.timestamps import now_or_pinned, parse_timestamp
from auditor.data.exchange_export import read_exchange_export
from auditor.data.model import Locale, TenantSnapshot
from auditor.data.usage_data import MAILBOXES

from .. import demo
from ..billing import BillingFile, read_billing
from ..common.staging import fresh_staging, retire, staging_dir, swap
from ..data.reads import Requests
from ..graph.arguments import GraphSource
from ..snapshot import load_snapshot
from .arguments import MigrateOptions
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


def _tenant(options: MigrateOptions, side: str) -> TenantSnapshot:
    """--source/--target: a snapshot file, or 'graph' (read only, with --source-tenant-id/--target-tenant-id)."""
    value, tenant_id = options.side(side)
    if not value:
        raise UsageError(f"--{side}: give a snapshot file (from `collect`) or 'graph'")
    if value != "graph":
        return _complete(load_snapshot(value), side)
    if not tenant_id:
        raise UsageError(f"--{side} graph needs --{side}-tenant-id")
    from auditor.graph_cli import read_tenant  # the Graph SDK loads here, and only here

    reading = GraphSource(tenant_id=tenant_id, cloud=options.cloud, auth=options.auth)
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
    path: Path = demo.demo_file(name, *folder)  # the seam: the registered demo's (auditor.demo)
    return path


def _demo_tenants() -> tuple[TenantSnapshot, TenantSnapshot]:
    """The bundled source (Contoso) and target (Fabrikam) served by the emulator and read like real ones."""
    from auditor.graph_cli import collect_served  # the Graph SDK: loaded for --demo only

    source = collect_served(demo.sample_tenant(), MAILBOX_SIZES.usage_need)
    return source, collect_served(demo.target_tenant())


def _movers(options: MigrateOptions, source: TenantSnapshot, as_of: datetime) -> list[Mover]:
    if options.domain:
        return domain_movers(source.users, options.domain)
    if not options.users:
        raise UsageError("give --users users.csv or --domain DOMAIN: who moves")
    path = Path(options.users)
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


def _with_demo_files(options: MigrateOptions) -> MigrateOptions:
    """--demo: the bundled users.csv, Exchange export, product map and billing file, where not given."""
    if options.source or options.target:
        raise UsageError("--demo brings its own tenants; leave out --source and --target")
    return replace(
        options,
        users=options.users or (None if options.domain else str(_demo_file("users.csv"))),
        exchange_export=options.exchange_export or str(_demo_file("mailboxes.csv")),
        map=options.map or str(_demo_file("products.yaml")),
        billing=options.billing or str(_demo_file("sample-billing.csv", ())),
    )


def cmd_migrate(options: MigrateOptions) -> int:
    """`migrate`: the plan for moving the users to the target tenant (exit 1 when some are blocked)."""
    as_of = demo.CLOCK.replace(tzinfo=UTC) if options.demo and not options.as_of else _as_of(options.as_of)
    if options.demo:
        options = _with_demo_files(options)
    cutover = _day(options.cutover, "--cutover") if options.cutover else DEMO_CUTOVER if options.demo else None
    if cutover is None:
        raise UsageError("--cutover YYYY-MM-DD is required: the day the moves complete")
    _check_day(cutover, as_of, "--cutover")
    products = read_map(Path(options.map)) if options.map else ProductMap()
    out_dir = Path(options.output_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"--output-dir: {out_dir} exists and is not a directory")
    out_dir.mkdir(parents=True, exist_ok=True)
    with output_lock(out_dir):
        # the last plan stays in DIR until this one is written whole, then one swap moves it into previous/
        # (auditor.common.staging, as the audit's report); an interrupted run's left finished or undone first
        fresh_staging(out_dir, FILES)
        try:
            source, target = (
                _demo_tenants() if options.demo else (_tenant(options, "source"), _tenant(options, "target"))
            )
            movers = _movers(options, source, as_of)
            # read after the tenants: a tenant's decoding peaks higher than what it keeps, and the export
            # (a row per mailbox) need not sit under that peak
            mailboxes = read_exchange_export(options.exchange_export) if options.exchange_export else None
            billing = read_billing(options.billing) if options.billing else None
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
                        bill=_bill(billing, source, options.locale),
                    )
                )
            del source, target, mailboxes, movers  # the plan holds what the outputs need: free the tenants first
            generated = now_or_pinned().strftime("%Y-%m-%dT%H:%M:%SZ")  # SOURCE_DATE_EPOCH pins it, as a report's
            write_plan(plan, staging_dir(out_dir), options.locale, generated)
        except AuditorError:  # a failed run: the last plan into previous/, never read as this run's
            retire(out_dir, FILES, others=True)
            raise
        swap(out_dir, FILES, others=True)  # previous/ keeps an audit's report beside the last plan
        written = [out_dir / name for name in FILES]
    _say(f"license-auditor migrate: {len(plan.users)} users, {plan.blocked} blocked")
    for path in written:
        _say(f"wrote {path}")
    return EXIT_FINDINGS if plan.blocked else EXIT_OK


Freed = Mapping[str, tuple[int, date]]


def _bill(billing: BillingFile | None, source: TenantSnapshot, locale: Locale) -> Callable[[Freed], SourceBill]:
    """The source's bill for the seats the moves free (auditor.billing; without --billing, every
    window is unknown, bounded by the renewal)."""
    return lambda freed: source_bill(source, billing, freed, locale)
