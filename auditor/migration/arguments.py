"""The `migrate` subcommand's flags (the parser loads nothing else: the command is imported when it runs)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
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
