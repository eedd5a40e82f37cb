"""The command line of the many-tenant run's own commands (auditor/cli.py registers them here, and
loads nothing else of auditor.fleet until a command runs): `rollup DIR...` (auditor.fleet.run) and
`lists DIR...` (auditor.fleet.lists)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from auditor.data.enums import Locale

from ..delivery.arguments import add_email_arguments, options_from_args

if TYPE_CHECKING:
    from ..delivery.options import EmailOptions

Command = Callable[[argparse.Namespace], int]


@dataclass(frozen=True)
class RollupOptions:
    """`rollup DIR...` and its e-mail flags, typed (auditor/fleet/run.py's cmd_rollup runs with them)."""

    dirs: tuple[str, ...]  # the shards' output folders
    tenants: str | None  # the tenants file (None: no tenant is missing by name)
    output_dir: str
    locale: Locale
    allow_gaps: bool
    # the roll-up's e-mail options (None: no recipient), read once the roll-up is written
    mail: Callable[[], EmailOptions | None]

    @classmethod
    def of(cls, args: argparse.Namespace) -> RollupOptions:
        return cls(
            dirs=tuple(args.dirs),
            tenants=args.tenants,
            output_dir=args.output_dir,
            locale=Locale(args.locale or "en"),
            allow_gaps=args.allow_gaps,
            mail=lambda: options_from_args(args),
        )


@dataclass(frozen=True)
class ListsOptions:
    """`lists DIR... --tenants FILE` and its SMTP flags, typed (auditor/fleet/lists.py sends with them)."""

    tenants: str  # the tenants file naming each list_to
    dirs: tuple[str, ...]
    locale: Locale | None  # None: each tenant's own
    smtp_host: str | None
    email_from: str | None
    # the e-mail options of the flags, sent to these recipients (one tenant's list_to)
    mail_to: Callable[[list[str]], EmailOptions | None]

    @classmethod
    def of(cls, args: argparse.Namespace) -> ListsOptions:
        return cls(
            tenants=args.tenants,
            dirs=tuple(args.dirs),
            locale=Locale(args.locale) if args.locale else None,
            smtp_host=args.smtp_host,
            email_from=args.email_from,
            mail_to=lambda to: options_from_args(args, recipients_instead=to),
        )


def add_fleet_commands(sub: Any, command: Callable[..., Command]) -> None:
    """Register `rollup` and `lists`; `command(name, module)` imports the command when it runs."""
    rollup = sub.add_parser(
        "rollup",
        help="join the roll-ups of `audit --tenants --shard` runs into one",
        description="Join the tenants.json of several shards into one roll-up (tenants.json, "
        "tenants.md, digest.html). A tenant found in two shards is an error (exit 2); "
        "with --tenants, a tenant of the file found in none is listed as missing.",
    )
    rollup.add_argument("dirs", nargs="+", metavar="DIR", help="a shard's output folder (holding tenants.json)")
    rollup.add_argument("--tenants", metavar="FILE", help="the tenants file: name the tenants no shard audited")
    rollup.add_argument("--output-dir", default="reports", metavar="DIR", help="where the roll-up goes")
    rollup.add_argument("--locale", choices=[loc.value for loc in Locale], help="the roll-up's language (default: en)")
    rollup.add_argument(
        "--allow-gaps", action="store_true", help="exit by findings even when a tenant failed or is missing"
    )
    add_email_arguments(rollup)  # the roll-up's e-mail to the MSP (SMTP); each tenant's own went with its audit
    rollup.set_defaults(func=command("cmd_rollup", "auditor.fleet.run", RollupOptions.of))

    lists = sub.add_parser(
        "lists",
        help="e-mail each customer its own licence list (licensed-users.csv) from `audit --tenants` output",
        description="For each tenant of the tenants file with list_to:, send DIR/<key>/licensed-users.csv "
        "to those addresses, with the per-product summary in the body, in the tenant's language. Each "
        "message is built from that tenant's folder alone (docs/msp.md).",
    )
    lists.add_argument("dirs", nargs="+", metavar="DIR", help="a `--tenants` run's output folder (or a shard's)")
    lists.add_argument("--tenants", required=True, metavar="FILE", help="the tenants file naming each list_to")
    lists.add_argument(
        "--locale", choices=[loc.value for loc in Locale], help="the messages' language (default: each tenant's)"
    )
    add_email_arguments(lists)  # SMTP: --smtp-host, --from; the recipients are each tenant's list_to
    lists.set_defaults(func=command("cmd_lists", "auditor.fleet.lists", ListsOptions.of))
