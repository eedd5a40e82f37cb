"""The command line of the many-tenant run's own commands (auditor/cli.py registers them here, and
loads nothing else of auditor.fleet until a command runs): `rollup DIR...` (auditor.fleet.run) and
`lists DIR...` (auditor.fleet.lists); and the typed options of `audit --tenants` (FleetOptions)."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from auditor.common.errors import UsageError
from auditor.data.enums import Format, Locale, Severity

from ..billing.distributor_records import Payload
from ..billing.psa_records import PsaPayload
from ..delivery.arguments import add_email_arguments, options_from_args
from ..report.baseline import LAST_RUN
from ..vendors import arguments as flags
from ..vendors.registry import PSAS

if TYPE_CHECKING:
    from auditor.pipeline.arguments import AuditOptions

    from ..delivery.options import EmailOptions

Command = Callable[[argparse.Namespace], int]
# the sign-in lane's budget a night by default, in minutes (auditor.fleet.sign_in_lane): 140 requests, with the
# rest of a night's work after the last answer within 15 minutes
LANE_BUDGET_MINUTES = 13.0
TENANTS_DIR = "reports/tenants"  # `audit --tenants`' --output-dir by default; a one-tenant audit's is reports/


@dataclass(frozen=True)
class InvoiceOptions:
    """What `audit --tenants` reads of the partner's invoices (auditor.fleet.invoice_reads): --invoice
    and each distributor's --<key>-invoice (auditor.vendors.arguments), and where (the demo's stand-ins)."""

    microsoft: str | None = None  # --invoice ID: Microsoft's billed invoice reconciliation export
    distributors: Mapping[str, str] = field(default_factory=dict)  # --<key>-invoice ID|latest, by distributor
    graph: tuple[str, str] | None = None  # (the partner's Graph URL, a token): the demo's stand-in
    endpoints: Mapping[str, str | None] = field(default_factory=dict)  # each distributor's --<key>-endpoint


@dataclass(frozen=True)
class FleetOptions:
    """`audit --tenants [FILE]`, typed (auditor/fleet/run.py's cmd_tenants runs with them): the run's
    own flags, and the audit every tenant's starts from (each tenant's AuditOptions is a
    dataclasses.replace of `audit`, with the tenant's own from the tenants file)."""

    audit: AuditOptions  # the run's `audit` flags, without its own e-mail
    tenants: str = ""  # the tenants file ("": with --demo, the bundled sample tenants)
    concurrency: int = 8  # --tenant-concurrency
    timeout: float = 1800  # --tenant-timeout, in seconds
    shard: tuple[int, int] | None = None  # --shard K/N
    # --lane-share K/N: this run's share of every app's limits across tenants (auditor.graph.lane_share;
    # None: worked out from --shard and the file's apps)
    lane_share: tuple[int, int] | None = None
    shared_limiter: str | None = None  # --shared-limiter URL: each app's lane kept in Redis (graph.shared_lane)
    app: str | None = None  # --app CLIENT_ID: only the file's tenants of that app (then --shard among them)
    # each distributor's and PSA's URL, by its registry key: its --<key>-endpoint (None or absent: its own)
    endpoints: Mapping[str, str | None] = field(default_factory=dict)
    lane_minutes: float = LANE_BUDGET_MINUTES  # --sign-in-lane-budget (auditor.fleet.sign_in_lane; 0: none)
    # --tenant-reports: "all", every tenant's --format; "mailed", report.html/.md and the digest only for the
    # tenants e-mailed tonight (the nightly's default: docs/msp.md, "What the nightly writes for each tenant")
    pages: str = "all"
    # the run's e-mail flags, sent to one tenant's email_to (None: no --smtp-host nor --sender, nothing is sent)
    mail_to: Callable[[Sequence[str]], EmailOptions | None] | None = None
    # what the run sets itself: each tenant's environment over the process's (the demo's tokens), the
    # demo's billing stand-in per tenant, the distributors' credentials (None: the process's environment), and the
    # distributor's seats, read before the tenants (auditor.fleet.vendor_reads)
    tenant_env: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    billing_endpoints: Mapping[str, str] = field(default_factory=dict)
    distributor_env: Mapping[str, str] | None = None
    distributor_seats: Mapping[str, Payload] = field(default_factory=dict)
    invoices: InvoiceOptions = field(default_factory=InvoiceOptions)  # --invoice, each --<key>-invoice
    # the PSA's keys (None: the process's environment), and what each customer is billed there, read
    # before the tenants (auditor.fleet.vendor_reads)
    psa_env: Mapping[str, str] | None = None
    psa_billed: Mapping[str, PsaPayload] = field(default_factory=dict)

    lane: Mapping[str, bool] = field(default_factory=dict)  # tonight's full reads (True) and those that wait

    def tenant_formats(self, mailed: bool) -> tuple[Format, ...]:
        """A tenant's --format: with --tenant-reports mailed, for a tenant not e-mailed tonight, only the files
        the next night, the roll-up, plan and apply read (report.json, findings.csv), of those --format names."""
        formats = self.audit.formats
        kept = formats if mailed or self.pages == "all" else tuple(f for f in formats if f in (Format.JSON, Format.CSV))
        return kept or formats

    @classmethod
    def of(cls, args: argparse.Namespace) -> FleetOptions:
        # the audit's options read --format with the report writer (auditor.report.write): loaded
        # when the run starts, not to build the parser (`--help`)
        from auditor.pipeline.arguments import AuditOptions

        if args.email_to:  # else dropped without a word: each tenant's recipients are the file's
            raise UsageError(
                "--tenants: --email-to names one audit's recipients; each tenant's report goes to the email_to "
                "the tenants file gives it (the demo's samples have theirs), sent with --smtp-host HOST --from ADDR "
                "(or --sender); the roll-up goes to the MSP with `rollup --email-to` (docs/multi-tenant.md)"
            )
        sends = bool(args.smtp_host or args.sender)
        # a folder of its own by default: the one-tenant audit's reports/ is another run's (auditor.common.run_record)
        audit = replace(AuditOptions.of(args, mail=False), output_dir=args.output_dir or TENANTS_DIR)
        return cls(
            audit=audit,
            tenants=args.tenants,
            concurrency=args.tenant_concurrency,
            timeout=args.tenant_timeout,
            shard=args.shard,
            lane_share=args.lane_share,
            shared_limiter=args.shared_limiter,
            app=args.app,
            endpoints=flags.endpoints(args),
            lane_minutes=args.sign_in_lane_budget,
            pages=args.tenant_reports or ("mailed" if args.baseline == LAST_RUN else "all"),
            mail_to=(lambda to: options_from_args(args, recipients_instead=to)) if sends else None,
            invoices=InvoiceOptions(
                microsoft=getattr(args, "invoice", None),
                distributors=flags.invoices(args),
                endpoints=flags.endpoints(args),
            ),
        )


@dataclass(frozen=True)
class TicketsOptions:
    """`tickets DIR --tenants FILE --psa PSA [--yes]`, typed (auditor/fleet/tickets.py runs with them)."""

    dir: str | None  # an `audit --tenants` run's output folder (with --demo: reports/tenants by default)
    tenants: str | None  # the tenants file: each customer's psa block (company, board)
    psa: str | None  # a PSA of the registry (None: not given, which only --demo allows: then its default)
    yes: bool  # write; without it a dry run
    rules: tuple[str, ...]  # --rule (none: every rule)
    severity: Severity  # --severity: the lowest chosen
    endpoint: str | None  # the chosen PSA's --<psa>-endpoint, where it has one (None: its own)
    journal: str | None  # --journal (None: DIR/tickets-<UTC time>.jsonl)
    env: Mapping[str, str] | None = None  # the PSA keys' environment (None: the process's)
    demo: bool = False  # --demo: the demo's run and the sample MSP's PSA stand-in

    @classmethod
    def of(cls, args: argparse.Namespace) -> TicketsOptions:
        return cls(
            dir=args.dir,
            tenants=args.tenants,
            psa=args.psa,
            yes=args.yes,
            rules=tuple(args.rule or ()),
            severity=Severity.parse(args.severity),
            endpoint=flags.endpoints(args).get(args.psa),  # the flag of the PSA named (--demo: its own)
            journal=args.journal,
            demo=args.demo,
        )


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
    graph: bool  # --via graph, or --sender without --via: refused (the lists go through SMTP)
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
            graph=args.via == "graph" or (args.via is None and bool(args.sender)),
            mail_to=lambda to: options_from_args(args, recipients_instead=to),
        )


def add_fleet_commands(sub: Any, command: Callable[..., Command]) -> None:
    """Register `rollup`, `lists` and `tickets`; `command(name, module)` imports the command when it runs."""
    rollup = sub.add_parser(
        "rollup",
        help="join the roll-ups of `audit --tenants --shard` runs into one",
        description="Join the tenants.json of several shards into one roll-up (tenants.json, "
        "tenants.md, digest.html). A tenant found in two shards is an error (exit 2); "
        "with --tenants, a tenant of the file found in none is listed as missing.",
    )
    rollup.add_argument("dirs", nargs="+", metavar="DIR", help="a shard's output folder (holding tenants.json)")
    rollup.add_argument("--tenants", metavar="FILE", help="the tenants file: name the tenants no shard audited")
    rollup.add_argument(
        "--output-dir", default=TENANTS_DIR, metavar="DIR", help=f"where the roll-up goes (default: {TENANTS_DIR}/)"
    )
    rollup.add_argument("--locale", choices=[loc.value for loc in Locale], help="the roll-up's language (default: en)")
    rollup.add_argument(
        "--allow-gaps", action="store_true", help="exit by findings even when a tenant failed or is missing"
    )
    add_email_arguments(rollup)  # the roll-up's e-mail to the MSP (SMTP); each tenant's own went with its audit
    rollup.set_defaults(func=command("cmd_rollup", "auditor.fleet.run", RollupOptions.of))

    lists = sub.add_parser(
        "lists",
        help="e-mail each customer its own license list (licensed-users.csv) from `audit --tenants` output",
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

    tickets = sub.add_parser(
        "tickets",
        help="open a PSA ticket per chosen finding of `audit --tenants` output (a dry run without --yes)",
        description="For each tenant of the tenants file whose psa block names a company in the --psa PSA (and "
        "its board, queue or team), open one service ticket per open finding of the chosen rules and severity, "
        "keyed by the finding's id (a ticket still open for it is found, and nothing is added), or add each as a "
        "note to the existing ticket the block names (ticket); a finding no longer reported gets a note on its "
        "ticket, which is not closed. Writes only with --yes, journaled (docs/msp.md).",
    )
    tickets.add_argument("dir", nargs="?", metavar="DIR", help="a `--tenants` run's output folder")
    tickets.add_argument("--tenants", metavar="FILE", help="the tenants file: each psa block")
    tickets.add_argument(
        "--demo",
        action="store_true",
        help="a sample customer's findings of `audit --demo --tenants` as tickets in a PSA stand-in, kept between "
        "runs (Contoso's in ConnectWise; with --psa halo, Northwind's in Halo)",
    )
    tickets.add_argument(
        "--psa",
        choices=list(PSAS),  # the registry's PSAs, in its order
        help="the PSA the tickets go to (required, but with --demo: ConnectWise by default)",
    )
    tickets.add_argument("--yes", action="store_true", help="open the tickets and add the notes (else a dry run)")
    tickets.add_argument(
        "--rule", action="append", metavar="RULE", help="only this rule's findings (repeatable; default: every rule)"
    )
    tickets.add_argument(
        "--severity",
        default="high",
        choices=["low", "medium", "high", "critical"],
        help="the lowest severity chosen (default: high)",
    )
    flags.add_endpoints(tickets, PSAS.values(), lambda said: said.write)  # each PSA's URL, as it declares it
    tickets.add_argument("--journal", metavar="FILE", help="the journal (default: DIR/tickets-<UTC time>.jsonl)")
    tickets.set_defaults(func=command("cmd_tickets", "auditor.fleet.tickets", TicketsOptions.of))
