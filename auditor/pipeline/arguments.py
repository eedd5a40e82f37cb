"""`audit`'s options, typed: AuditOptions, built once from its flags (AuditOptions.of, called by
auditor/commands/__init__.py's cmd_audit, and for `audit --tenants` by auditor/fleet/arguments.py's
FleetOptions) and read by the audit's stages (auditor.pipeline), which never change them."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from msgspec import UNSET, UnsetType

from auditor.billing.arguments import BillingOptions
from auditor.billing.distributor_records import Payload
from auditor.billing.psa_records import PsaPayload
from auditor.common.errors import UsageError
from auditor.data.enums import Format, Locale
from auditor.data.remediation_json import RemediationJson
from auditor.delivery.arguments import options_from_args
from auditor.delivery.options import EmailOptions, Transport
from auditor.formats.plan_json import GUID
from auditor.formats.report_model import ReportDocument, ReportFinding
from auditor.graph.arguments import GraphSource
from auditor.insights.arguments import NightlyOptions
from auditor.vendors import arguments as flags

# what apply's fresh compile is handed (AuditOptions.handed): the audit's document and each finding's calls
Handed = Callable[[ReportDocument, Callable[[ReportFinding], RemediationJson]], None]

ONE_TENANT_DIR = "reports"  # --output-dir by default (audit --tenants: auditor.fleet.arguments.TENANTS_DIR)


@dataclass(frozen=True)
class AuditOptions:
    """What `audit` runs with: its flags, typed, built once from the Namespace (AuditOptions.of), and
    what `audit --tenants` gives each tenant's audit (auditor.fleet.run: a dataclasses.replace of the
    run's own). The audit's stages (auditor.pipeline) read them and never change them: what they derive
    (the baseline `previous` names, the kept sign-ins' folder, whether causes are read) is their own (Prepared)."""

    output_dir: str = ONE_TENANT_DIR  # --output-dir
    policies: tuple[str, ...] = ()  # --policies (none: policies/, or the demo's example policy)
    snapshot: str | None = None  # --snapshot FILE
    graph: bool = False  # --graph (also read: --graph-endpoint, --demo; see reads_graph)
    source: GraphSource = field(default_factory=GraphSource)  # the Graph connection and collection flags
    formats: tuple[Format, ...] = tuple(Format)  # --format
    fail_on: str = "high"  # --fail-on
    as_of: str | None = None  # --as-of (None: now; the demo's own moment)
    locale: Locale | None = None  # --locale (None: the policy's, else en)
    allow_gaps: bool = False  # --allow-gaps
    baseline: str | None = None  # --baseline REPORT_JSON, or `previous` (LAST_RUN)
    redact: bool = False  # --redact
    strict: bool = False  # --strict
    billing_file: str | None = None  # --billing FILE
    bill: BillingOptions = field(default_factory=BillingOptions)  # the billing sources' flags
    exchange_export: str | None = None  # --exchange-export FILE
    demo_exchange: bool = False  # a sample of `audit --demo --tenants`: the sample's protection-rules.csv
    migration: str | None = None  # --migration MIGRATION_JSON
    nightly: NightlyOptions = field(default_factory=NightlyOptions)  # --history, --causes, --notify-webhook/-format
    notify_when: str | None = None  # --notify-when (None: changed with something to compare with, else always)
    notify_weekday: str = "monday"  # --notify-weekday
    # --email-to and the transport's flags (None: no recipient); the audit signs it in to Graph as `source`
    email: EmailOptions | None = None
    # what audit --tenants gives each tenant (auditor.fleet.run); a one-tenant audit leaves them None
    tenant_label: str | None = None  # the license list's `tenant` column: the customer as the tenants file names it
    environment: Mapping[str, str] | None = None  # the tenant's own environment (None: the process's)
    distributor_seats: Payload | None = None  # the tenant's subscriptions at its distributor
    # a one-tenant audit's distributor: the tenants file whose entry of this tenant names it (--distributor)
    distributor: str | None = None
    # each vendor's URL, by its registry key: its --<key>-endpoint (auditor.vendors.arguments; None or absent: its own)
    endpoints: Mapping[str, str | None] = field(default_factory=dict)
    # what the MSP bills the customer in its PSA, as audit --tenants reads it before the tenants
    # (auditor.vendors.psa_sessions; None: the tenants entry names no PSA)
    psa_billed: PsaPayload | None = None
    # apply's fresh compile (auditor.pipeline.recompile): handed the document and each finding's calls, which it
    # compiles in memory; the audit then writes no file at all (auditor.pipeline.run: the compile reads none, and
    # report.json decoded again would sit beside the audit's heap, never given back: docs/performance.md)
    handed: Handed | None = None

    @property
    def reads_graph(self) -> bool:
        """--graph, --graph-endpoint or --demo: the tenant is read through Graph."""
        return bool(self.graph or self.source.endpoint or self.source.demo)

    @property
    def checked_domain(self) -> str | UnsetType:
        """--tenant-id given as a domain, for a tenant read from Graph, lowercased: the collection
        refuses a tenant whose verified domains lack it (auditor/graph_cli.py), so it is this tenant's
        (report.json's `tenant.domain`, which `lists` checks); else UNSET."""
        domain = self.source.tenant_id
        if domain and self.reads_graph and not self.source.demo and not GUID.match(domain):
            return domain.lower()
        return UNSET

    def graph_source(self) -> GraphSource | None:
        """The Graph source the audit reads (None: it reads --snapshot); UsageError when the flags say
        two sources (check_sources)."""
        self.check_sources()
        return self.source if self.reads_graph else None

    def check_sources(self) -> None:
        """UsageError when the flags name two sources of the tenant (--snapshot with --graph,
        --graph-endpoint or --demo; --demo, its own emulator, with --graph-endpoint, --tenant-id or --auth) or a
        --graph-endpoint that is not an http(s) URL. The audit asks (auditor.pipeline.prepare)
        before it moves or writes anything, so a mistyped command leaves the reports folder as it was."""
        if self.reads_graph and self.snapshot:
            raise UsageError("--snapshot reads a file; it cannot be combined with --graph, --graph-endpoint or --demo")
        self.source.refuse_beside_demo()
        from auditor.delivery.matrix import ENDPOINT  # the tenants file's graph_endpoint is held to the same form

        if self.source.endpoint and not ENDPOINT.match(self.source.endpoint):
            raise UsageError(f"--graph-endpoint {self.source.endpoint!r} is not an http(s) URL")

    @classmethod
    def of(cls, args: argparse.Namespace, *, mail: bool = True) -> AuditOptions:
        """The options of `audit`'s flags; a bad --format or e-mail flag is a usage error here, before
        the audit starts. `mail=False`: without the run's own e-mail (audit --tenants sends each tenant's
        report to the addresses of the tenants file)."""
        formats = Format.parse_list(args.format)
        source = GraphSource.of(args)
        email = options_from_args(args) if mail else None
        if email is not None and email.via is Transport.GRAPH and source.demo:
            raise UsageError(
                "--sender: the demo's Graph emulator stops after collection; e-mail the demo with --smtp-host"
            )
        return cls(
            output_dir=args.output_dir or ONE_TENANT_DIR,
            policies=tuple(args.policies or ()),
            snapshot=args.snapshot,
            graph=bool(args.graph),
            source=source,
            formats=formats,
            fail_on=args.fail_on,
            as_of=args.as_of,
            locale=Locale(args.locale) if args.locale else None,
            allow_gaps=bool(args.allow_gaps),
            baseline=args.baseline,
            redact=bool(args.redact),
            strict=bool(args.strict),
            billing_file=args.billing,
            bill=BillingOptions.of(args),
            exchange_export=args.exchange_export,
            migration=args.migration,
            nightly=NightlyOptions.of(args),
            notify_when=args.notify_when,
            notify_weekday=args.notify_weekday,
            email=email,
            distributor=getattr(args, "distributor", None),
            endpoints=flags.endpoints(args),
        )
