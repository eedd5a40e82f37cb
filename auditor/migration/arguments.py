"""The `migrate` subcommand's flags (the parser loads nothing else: the command is imported when it runs)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from auditor.data.enums import Cloud, Locale

from ..graph.arguments import AuthMode

DESCRIPTION = (
    "Plan the licenses for moving users to another tenant, before the move: what to buy in the target "
    "(and the Cross Tenant User Data Migration add-on), when to license each user there, what blocks a user, "
    "and when the source's seats can go (docs/migration.md). Writes migration.json, migration.md, "
    "migration.html and migration-users.csv. Exit 0: nobody blocked; 1: some users are blocked; 2: bad input "
    "(file:line:column); 3: Graph could not be read."
)


@dataclass(frozen=True)
class MigrateOptions:
    """What `migrate` was asked (auditor/migration/command.py runs it): its flags, typed."""

    source: str | None = None  # a snapshot file, or 'graph'
    target: str | None = None
    source_tenant_id: str | None = None
    target_tenant_id: str | None = None
    users: str | None = None  # --users CSV
    domain: str | None = None  # --domain DOMAIN
    cutover: str | None = None  # --cutover YYYY-MM-DD
    exchange_export: str | None = None
    billing: str | None = None  # --billing CSV
    map: str | None = None  # --map YAML
    as_of: str | None = None  # --as-of ISO-8601
    locale: Locale = Locale.EN
    output_dir: str = "reports"
    demo: bool = False
    cloud: Cloud | None = None  # both tenants' (None: worldwide)
    auth: AuthMode = AuthMode.AUTO

    @classmethod
    def of(cls, args: argparse.Namespace) -> MigrateOptions:
        return cls(
            source=args.source,
            target=args.target,
            source_tenant_id=args.source_tenant_id,
            target_tenant_id=args.target_tenant_id,
            users=args.users,
            domain=args.domain,
            cutover=args.cutover,
            exchange_export=args.exchange_export,
            billing=args.billing,
            map=args.map,
            as_of=args.as_of,
            locale=Locale(args.locale),
            output_dir=args.output_dir,
            demo=args.demo,
            cloud=Cloud(args.cloud) if args.cloud else None,
            auth=AuthMode(args.auth),
        )

    def side(self, side: str) -> tuple[str | None, str | None]:
        """--source or --target ("source", "target"): its value, and its tenant id."""
        return (self.source, self.source_tenant_id) if side == "source" else (self.target, self.target_tenant_id)


def add_migrate_command(sub: Any, run: Callable[[argparse.Namespace], int]) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        "migrate", help="plan the licenses for moving users to another tenant", description=DESCRIPTION
    )
    parser.add_argument("--source", metavar="SNAPSHOT", help="the source tenant: a snapshot file, or 'graph'")
    parser.add_argument("--target", metavar="SNAPSHOT", help="the target tenant: a snapshot file, or 'graph'")
    parser.add_argument("--source-tenant-id", metavar="ID", help="with --source graph: the tenant to read")
    parser.add_argument("--target-tenant-id", metavar="ID", help="with --target graph: the tenant to read")
    who = parser.add_mutually_exclusive_group()
    who.add_argument("--users", metavar="CSV", help="source_upn,target_upn[,batch,complete_by,workloads]")
    who.add_argument(
        "--domain", metavar="DOMAIN", help="every source member whose UPN is in DOMAIN moves, keeping its UPN"
    )
    parser.add_argument(
        "--cutover", metavar="YYYY-MM-DD", help="the day the moves complete (a user's complete_by overrides it)"
    )
    parser.add_argument(
        "--exchange-export", metavar="CSV", help="the source's mailboxes, holds and GUIDs (docs/exchange-export.md)"
    )
    parser.add_argument(
        "--billing", metavar="CSV", help="the source's subscriptions: term, channel, price (docs/bill.md)"
    )
    parser.add_argument(
        "--map", metavar="YAML", help="source product -> target product (default: the same part number)"
    )
    parser.add_argument("--as-of", metavar="ISO-8601", help="the plan's clock (default: now)")
    parser.add_argument(
        "--locale",
        choices=[loc.value for loc in Locale],
        default=Locale.EN.value,
        help="language of migration.md and .html (default: en)",
    )
    parser.add_argument(
        "--output-dir", default="reports", metavar="DIR", help="where the plan goes (default: reports/)"
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="the bundled source and target sample tenants, served by the built-in Graph emulator "
        "and read like real ones, with the bundled users.csv, Exchange export and billing file",
    )
    graph = parser.add_argument_group("Microsoft Graph (with 'graph' as --source or --target; read only)")
    graph.add_argument(
        "--cloud",
        choices=[c.value for c in Cloud],
        default=None,
        help="national cloud of both tenants (default: worldwide)",
    )
    graph.add_argument(
        "--auth",
        choices=[m.value for m in AuthMode],
        default=AuthMode.AUTO.value,
        help="how to authenticate (as `audit`)",
    )
    parser.set_defaults(func=run)
    return parser
