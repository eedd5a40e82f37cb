"""The Graph command-line flags, apart from the code that runs them: building the parser (and
`--help`) must not load msgraph-sdk, kiota or azure-identity."""

from __future__ import annotations

import argparse
import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor.common.errors import SnapshotError, StopSignal, UsageError
from auditor.common.numbers import whole_number
from auditor.data.enums import Cloud

from .clouds import CLI_CLOUDS

if TYPE_CHECKING:
    from auditor.data.model import TenantSnapshot


DEFAULT_CONCURRENCY = 4  # access-scope reads at once (partitions and member reads: by the budget)
MAX_CONCURRENCY = 16
# Mailbox-purpose batches at once without --concurrency: Outlook's limits hold per app and mailbox,
# and every request of these batches reads another mailbox, once (docs/graph.md).
MAILBOX_BATCHES = MAX_CONCURRENCY


def _concurrency(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= value <= MAX_CONCURRENCY:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_CONCURRENCY}")
    return value


def _nights(text: str) -> int:
    if (number := whole_number(text)) is None or number < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return number


def add_sign_in_arguments(parser: argparse.ArgumentParser) -> None:
    """The nightly's sign-in reads (auditor.graph.kept_sign_ins)."""
    parser.add_argument(
        "--sign-in-full-every",
        type=_nights,
        metavar="NIGHTS",
        help="with --baseline previous and an inactivity check: read every user's sign-in activity every "
        "NIGHTS nights (default 7), and between them only the users without a recent sign-in, the others "
        "from the last full read kept in --output-dir (docs/nightly.md)",
    )


class AuthMode(enum.Enum):
    AUTO = "auto"
    TOKEN = "token"
    ENVIRONMENT = "environment"
    CERTIFICATE = "certificate"
    GITHUB_OIDC = "github-oidc"
    AZURE_CLI = "azure-cli"
    DEFAULT = "default"


def add_connection_arguments(parser: argparse.ArgumentParser) -> Any:
    """--tenant-id, --cloud, --graph-endpoint, --auth: how to reach and sign in to Graph. One set of
    flags for every command that talks to Graph (audit, collect, email --via graph)."""
    group = parser.add_argument_group("Microsoft Graph")
    group.add_argument("--tenant-id", metavar="ID", help="Entra ID tenant (GUID or domain) to sign in to")
    group.add_argument(
        "--cloud",
        choices=[c.value for c in Cloud],
        default=None,
        help="national cloud: Graph endpoint and login authority, and which admin-center steps the remediation "
        f"shows (Graph: {', '.join(CLI_CLOUDS)}; germany only for guidance; default: the snapshot's cloud, "
        "else worldwide)",
    )
    group.add_argument(
        "--graph-endpoint",
        metavar="URL",
        help="Graph v1.0 base URL overriding the cloud's (e.g. http://127.0.0.1:PORT/v1.0); implies --graph",
    )
    group.add_argument(
        "--auth",
        choices=[m.value for m in AuthMode],
        default=AuthMode.AUTO.value,
        help="how to authenticate (default: auto — AUDITOR_ACCESS_TOKEN, then GitHub OIDC in Actions, "
        "then DefaultAzureCredential)",
    )
    return group


def _add_source_arguments(parser: argparse.ArgumentParser) -> None:
    group = add_connection_arguments(parser)
    group.add_argument(
        "--concurrency",
        metavar="N",
        type=_concurrency,
        default=None,
        help="Graph reads at once: /users in up to N partitions by the first character of userPrincipalName "
        f"(for large tenants), and N group member listings (1-{MAX_CONCURRENCY}; 1 reads one page after "
        "another; default: as many partitions and member listings as the tenant's Graph budget allows)",
    )
    group.add_argument(
        "--demo",
        action="store_true",
        help="serve the bundled sample tenant through the built-in Graph emulator and read it like a real one",
    )


def add_graph_arguments(parser: argparse.ArgumentParser) -> None:
    """Add --graph, --tenant-id, --cloud, --graph-endpoint, --auth, --save-snapshot, --demo to `audit`."""
    parser.add_argument("--graph", action="store_true", help="read the live tenant through Microsoft Graph")
    parser.add_argument(
        "--save-snapshot",
        metavar="FILE",
        help="also write the tenant data the audit used to FILE (evidence, re-runs; with --snapshot, a copy)",
    )
    _add_source_arguments(parser)


def add_collect_command(
    subparsers: Any, common_parent: argparse.ArgumentParser | None = None
) -> argparse.ArgumentParser:
    """`license-auditor collect --output FILE`: read the tenant and write a snapshot only.

    `common_parent` should carry --policies (to know the groups and whether sign-in activity is
    needed) and --allow-gaps.
    """
    parents = [common_parent] if common_parent is not None else []
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "collect",
        parents=parents,
        help="read the tenant from Microsoft Graph and write a snapshot file",
        description="Read the tenant from Microsoft Graph and write a snapshot file (no audit).",
    )
    parser.add_argument("--output", "-o", metavar="FILE", required=True, help="snapshot file to write ('-' = stdout)")
    _add_source_arguments(parser)
    parser.set_defaults(graph=True, save_snapshot=None)
    return parser


def wants_graph(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "graph", False) or getattr(args, "graph_endpoint", None) or getattr(args, "demo", False))


@dataclass(frozen=True)
class GraphSource:
    """Where and how a command reads a tenant from Graph (auditor/graph_cli.py): the flags of
    add_connection_arguments and add_graph_arguments, typed, and what the audit adds to them."""

    demo: bool = False  # --demo: the bundled sample through the built-in emulator
    endpoint: str | None = None  # --graph-endpoint (None: the cloud's)
    cloud: Cloud | None = None  # --cloud (None: worldwide)
    auth: AuthMode = AuthMode.AUTO
    tenant_id: str | None = None  # a GUID or a domain
    concurrency: int | None = None  # --concurrency (None: as the tenant's budget allows)
    sign_in_full_every: int | None = None  # --sign-in-full-every
    # audit --tenants' lane budget: whether tonight reads in full (SignInPlan.tonight; None: the cadence decides)
    sign_in_full_tonight: bool | None = None
    # the nightly's folder of kept sign-in activity (`--baseline previous`: --output-dir); None: read every time
    kept_sign_ins: Path | None = None
    clock: Callable[[], datetime] | None = None  # the collection's clock (a frozen sample's); None: now
    stop: StopSignal | None = None  # cancels the collection when set (a tenant past --tenant-timeout)
    save_snapshot: str | None = None  # --save-snapshot FILE

    def refuse_beside_demo(self) -> None:
        """--demo serves the bundled sample through its own emulator, tenant and token: a flag naming
        another Graph endpoint, tenant or sign-in would be ignored, so it is refused (UsageError, exit 2)."""
        given = [
            flag
            for flag, value in (
                ("--graph-endpoint", self.endpoint),
                ("--tenant-id", self.tenant_id),
                ("--auth", self.auth is not AuthMode.AUTO),
            )
            if value
        ]
        if self.demo and given:
            raise UsageError(
                "--demo serves its own Graph endpoint, tenant and sign-in (the bundled sample's): "
                f"leave out {' and '.join(given)}"
            )

    @classmethod
    def of(cls, args: argparse.Namespace) -> GraphSource:
        """The Graph options of `args` (any command's: a flag it lacks keeps its default)."""
        cloud = getattr(args, "cloud", None)
        return cls(
            demo=bool(getattr(args, "demo", False)),
            endpoint=getattr(args, "graph_endpoint", None),
            cloud=Cloud(cloud) if cloud else None,
            auth=AuthMode(getattr(args, "auth", None) or AuthMode.AUTO.value),
            tenant_id=getattr(args, "tenant_id", None),
            concurrency=getattr(args, "concurrency", None),
            sign_in_full_every=getattr(args, "sign_in_full_every", None),
            kept_sign_ins=getattr(args, "kept_sign_ins", None),
            clock=getattr(args, "collect_clock", None),
            stop=getattr(args, "stop", None),
            save_snapshot=getattr(args, "save_snapshot", None),
        )


@dataclass(frozen=True)
class CollectCommandOptions:
    """`collect --output FILE` (add_collect_command), typed: what commands.cmd_collect runs with (not
    graph/options.py's CollectOptions, which says what one collection reads)."""

    output: str  # the snapshot file ('-': stdout)
    source: GraphSource = field(default_factory=GraphSource)  # the Graph connection (and --demo)
    policies: tuple[str, ...] = ()  # --policies: the groups to read, whether sign-in activity is needed
    allow_gaps: bool = False  # --allow-gaps

    @classmethod
    def of(cls, args: argparse.Namespace) -> CollectCommandOptions:
        return cls(
            output=args.output,
            source=GraphSource.of(args),
            policies=tuple(args.policies or ()),
            allow_gaps=bool(args.allow_gaps),
        )


def save_evidence(save_to: str | None, snapshot: TenantSnapshot) -> None:
    """--save-snapshot FILE: write the tenant data the audit used (read from Graph or from --snapshot)."""
    if save_to:
        from ..snapshot import save_snapshot  # the snapshot codec: not loaded to build the parser (`--help`)

        try:
            save_snapshot(snapshot, save_to)
        except OSError as exc:
            raise SnapshotError(f"{save_to}: cannot write snapshot: {exc.strerror}") from None
