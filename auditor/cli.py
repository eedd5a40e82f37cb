"""Command line: argument parsing and exit codes only; wires collect -> evaluate -> report.

Exit codes:
  0  no unwaived finding at or above --fail-on
  1  unwaived findings at or above --fail-on
  2  usage, policy or snapshot error
  3  collection error or incomplete tenant data (gaps; see --allow-gaps); apply/undo: a Graph
     write failed or its outcome is unknown, the credential lacks a permission, the journal
     could not be written, a signal stopped the run, or undo found damaged journal lines (the
     journal keeps what was done)
  4  reports written but e-mail delivery (or the --notify-webhook post) failed
  5  internal error (a defect in license-auditor; LICENSE_AUDITOR_DEBUG=1 shows the traceback)
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any, NoReturn, TypeAlias

from auditor.common.errors import EXIT_INTERNAL, AuditorError, PolicyError, clean_message, console_line
from auditor.common.numbers import english_count, whole_number
from auditor.data.enums import Format, Locale

from . import __version__, demo
from .apply.arguments import WriteOptions, add_apply_command, add_undo_command, max_age
from .billing.arguments import add_billing_arguments
from .cli_examples import add_examples
from .delivery.arguments import add_email_arguments, add_email_command
from .demo_write import demo_write
from .fleet.arguments import LANE_BUDGET_MINUTES, FleetOptions, add_fleet_commands
from .graph.arguments import (
    CollectCommandOptions,
    add_collect_command,
    add_connection_arguments,
    add_graph_arguments,
    add_sign_in_arguments,
)
from .insights.arguments import HistoryOptions, add_history_command, add_nightly_arguments
from .merge.arguments import MergeOptions
from .migration.arguments import MigrateOptions, add_migrate_command
from .plan.arguments import PlanOptions
from .policyset.arguments import InitOptions, ValidateOptions
from .vendors import arguments as flags
from .vendors.registry import DISTRIBUTORS, PSAS

EXIT_CODES = __doc__.split("Exit codes:\n", 1)[1] if __doc__ else ""
FORMATS = tuple(f.value for f in Format)
REDACT_HELP = (
    "replace names and UPNs with stable pseudonyms in HTML, Markdown and CSV; report.json stays whole "
    "(key: AUDITOR_REDACT_KEY, else the tenant id)"
)
FAIL_ON = ("low", "medium", "high", "critical", "never")
POLICY_COMMANDS = "auditor.commands.policy"  # init and validate

# what add_subparsers returns: each command's parser is added to it (typeshed's name for it)
Subcommands: TypeAlias = "argparse._SubParsersAction[_Parser]"


def _demo_tools() -> ModuleType:
    """The demo's developer tools (the sample tenant, the emulators, the vendors' stand-ins), registered with
    the seam auditor.demo below and loaded when a --demo path first asks for them."""
    import auditor_dev.demo  # the one import of auditor_dev in production (pyproject.toml): for --demo only

    return auditor_dev.demo


demo.register(_demo_tools)


def _command(
    name: str, module: str = "auditor.commands", options: Callable[[argparse.Namespace], Any] | None = None
) -> Callable[[argparse.Namespace], int]:
    """The command `name` of `module`, imported when it runs (not to build the parser); with
    `options`, given what they make of the Namespace (the area's typed options), not the Namespace."""

    def run(args: argparse.Namespace) -> int:
        func: Callable[[Any], int] = getattr(importlib.import_module(module), name)
        return func(options(args) if options is not None else args)

    run.__name__ = name
    return run


def _audit(args: argparse.Namespace) -> int:
    """`audit`: one tenant, or with --tenants every tenant of the file (auditor.fleet)."""
    if getattr(args, "tenants", None) is not None:
        return _command("cmd_tenants", "auditor.fleet.run", FleetOptions.of)(args)
    return _command("cmd_audit")(args)


_SHARDS = 100_000  # more slices than any tenants file has tenants (the run then refuses N past its count)


def _shard(text: str) -> tuple[int, int]:
    """--shard K/N (checked here so that a typo fails before any import of the run)."""
    parts = text.split("/")
    numbers = [whole_number(p) for p in parts]
    if len(numbers) != 2 or numbers[0] is None or numbers[1] is None or not 1 <= numbers[0] <= numbers[1] <= _SHARDS:
        raise argparse.ArgumentTypeError(f"{text!r} is not K/N with 1 <= K <= N <= {_SHARDS:,} (for example 1/4)")
    return numbers[0], numbers[1]


def _positive(text: str) -> int:
    if (number := whole_number(text)) is None or number < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return number


def _minutes(text: str) -> float:
    try:
        number = float(text)
    except ValueError:
        number = -1.0
    if not 0 <= number < 10_000:  # nan and inf fail too
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of minutes (0 or more)")
    return number


EXCHANGE_EXPORT_HELP = (
    "the CSV of the Get-EXOMailbox command in docs/exchange-export.md: checks litigation holds "
    "and finds synced mailboxes; the protection-rules.csv beside it says whom Defender for Office 365 reaches"
)


class _Parser(argparse.ArgumentParser):
    """A wrong argument is said in one line, with where to read the options: not after a screen of usage.

    Every parser of the command line is one (argparse builds each subcommand's with its parent's class),
    and none takes a prefix of an option for the option: `apply --demo --y` would write as `--yes`, and a
    prefix that names one option today names two once another is added. An option given that the
    command does not have is said by the command's own parser, with the nearest it has."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **{**kwargs, "allow_abbrev": False})

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (`{self.prog} --help` lists the options)\n")

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> argparse.Namespace:
        parsed, unknown = self.parse_known_args(args, namespace)
        if unknown:  # said by the subcommand that read them (argparse says them at the top), with a guess
            reader = self._subcommand(parsed) or self
            reader.error(f"unrecognized arguments: {' '.join(unknown)}{reader._nearest(unknown)}")
        return parsed

    def _subcommand(self, parsed: argparse.Namespace) -> _Parser | None:
        """The subcommand's parser that read the arguments, when this parser has subcommands."""
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction):
                chosen = action.choices.get(getattr(parsed, action.dest, None) or "")
                if isinstance(chosen, _Parser):
                    return chosen._subcommand(parsed) or chosen
        return None

    def _nearest(self, unknown: Sequence[str]) -> str:
        """ "(did you mean --format?)" for the first unknown option close to one of this parser's."""
        options = [o for action in self._actions for o in action.option_strings if o.startswith("--")]
        for given in unknown:
            if given.startswith("--"):
                near = difflib.get_close_matches(given.split("=", 1)[0], options, n=1, cutoff=0.6)
                if near:
                    return f" (did you mean {near[0]}?)"
        return ""


def _add_report_flags(parser: argparse.ArgumentParser, *, fail_on: str, as_of: str) -> None:
    """--format, --fail-on, --as-of and --locale of the commands that write reports (audit, merge)."""
    parser.add_argument(
        "--format", default=",".join(FORMATS), metavar="LIST", help=f"comma list of {','.join(FORMATS)} (default: all)"
    )
    parser.add_argument("--fail-on", choices=FAIL_ON, default="high", help=fail_on)
    parser.add_argument("--as-of", metavar="ISO-8601", help=as_of)
    parser.add_argument(
        "--locale",
        choices=[loc.value for loc in Locale],
        help="report language (default: the policy's metadata.locale, else en)",
    )


def _add_audit(sub: Subcommands) -> None:
    """`audit`: one tenant, or with --tenants many."""
    audit = sub.add_parser(
        "audit",
        help="audit a tenant and write reports",
        # the options are grouped below; a usage line listing all 57 of them is 35 lines nobody reads
        usage="%(prog)s [--demo | --graph | --snapshot FILE] [--tenants [FILE]] [--policies PATH] [options]",
        epilog="exit codes:\n" + EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    audit.add_argument(
        "--policies",
        action="append",
        metavar="PATH",
        help="policy file or directory of *.yaml (repeatable; default: policies/)",
    )
    audit.add_argument("--snapshot", metavar="FILE", help="audit offline from a snapshot file")
    audit.add_argument(
        "--output-dir",
        metavar="DIR",
        help="where reports go (default: reports/; with --tenants: reports/tenants/, a folder of its own)",
    )
    _add_report_flags(
        audit,
        fail_on="exit 1 when an unwaived finding is at or above this severity (default: high)",
        as_of="the clock the rules use (default: now)",
    )
    audit.add_argument(
        "--allow-gaps", action="store_true", help="exit by findings even when some tenant data could not be collected"
    )
    audit.add_argument(
        "--baseline",
        metavar="REPORT_JSON",
        help="the previous run's report.json: mark findings new or persisting, list resolved ones; "
        "`previous`: the last report of --output-dir (none on the first run)",
    )
    add_sign_in_arguments(audit)
    audit.add_argument("--redact", action="store_true", help=REDACT_HELP)
    audit.add_argument(
        "--strict",
        action="store_true",
        help="exit 2 when the configuration names something the run cannot find (a product neither "
        "the tenant nor Microsoft's product table knows, a licensing group the tenant lacks); "
        "without it each is listed in report.json config_problems and atop the reports",
    )
    add_billing_arguments(audit)
    audit.add_argument("--exchange-export", metavar="FILE", help=EXCHANGE_EXPORT_HELP)
    audit.add_argument(
        "--migration",
        metavar="MIGRATION_JSON",
        help="a migration.json written by `migrate`: its headline (users that can move, the next "
        "deadline, what paying for both tenants costs) becomes a line of the e-mail digest",
    )
    tenants = audit.add_argument_group("Many tenants (docs/msp.md)")
    tenants.add_argument(
        "--tenants",
        metavar="FILE",
        nargs="?",
        const="",
        help="audit every tenant of this tenants file (tenants.example.yaml) in one process, each "
        "into OUTPUT_DIR/<key>/ (default reports/tenants/), and write the roll-up (tenants.json, tenants.md, "
        "digest.html); "
        "with --demo and no FILE: the bundled sample tenants, offline",
    )
    tenants.add_argument(
        "--tenant-concurrency",
        type=_positive,
        default=8,
        metavar="N",
        help="tenants audited at once (default: 8); each keeps --concurrency Graph reads",
    )
    tenants.add_argument(
        "--tenant-timeout",
        type=_positive,
        default=1800,
        metavar="SECONDS",
        help="end a tenant still running after this many seconds as failed (default: 1800)",
    )
    tenants.add_argument(
        "--sign-in-lane-budget",
        type=_minutes,
        default=LANE_BUDGET_MINUTES,
        metavar="MINUTES",
        help="with --baseline previous: the full sign-in reads of a night take at most this much of each "
        "app's sign-in lane (10 requests a minute); the others wait for a night with room and are named "
        f"(default: {LANE_BUDGET_MINUTES:g}; 0: no budget; docs/msp.md)",
    )
    tenants.add_argument(
        "--tenant-reports",
        choices=("all", "mailed"),
        help="each tenant's report.html, report.md and e-mail digest: for every tenant (all), or only for "
        "those whose report is e-mailed tonight (mailed); report.json, findings.csv and licensed-users.csv "
        "are written for every tenant (default: mailed with --baseline previous, else all; docs/msp.md)",
    )
    tenants.add_argument(
        "--shard",
        type=_shard,
        metavar="K/N",
        help="audit only the K-th of N slices of the file (by a hash of each key: adding a tenant moves no other)",
    )
    tenants.add_argument(
        "--app",
        metavar="CLIENT_ID",
        help="audit only the tenants of the file whose client_id is CLIENT_ID (with --shard: slice K of N of them; "
        "the shards of a matrix planned by app, docs/msp.md)",
    )
    tenants.add_argument(
        "--lane-share",
        type=_shard,
        metavar="K/N",
        help="this run is the K-th of N that read with the same apps at once: it keeps to its share of each app's "
        "limits across tenants (the sign-in lane's slots; default: worked out from --shard and the file; docs/msp.md)",
    )
    tenants.add_argument(
        "--shared-limiter",
        metavar="URL",
        default=os.environ.get("AUDITOR_SHARED_LIMITER") or None,
        help="redis://HOST:PORT/DB: every worker takes each app's sign-in lane from one window in this Redis, "
        "instead of --lane-share's slots (workers that come and go; needs .[redis]; docs/msp.md)",
    )
    tenants.add_argument(
        "--invoice",
        metavar="ID",
        help="read Microsoft's invoice ID (Graph's billed reconciliation export, in the `partner:` tenant) "
        "beside each tenant's seats: OUTPUT_DIR/<key>/invoice.json (docs/msp.md)",
    )
    flags.add_invoices(tenants)  # each distributor's that invoices the partner through its API
    # each vendor's URL (another region's site, a stand-in), as each declares it
    vendors = audit.add_argument_group("Distributors and PSAs (docs/msp.md)")  # not among the general options
    flags.add_endpoints(vendors, [*DISTRIBUTORS.values(), *PSAS.values()], lambda said: said.audit)
    vendors.add_argument(
        "--distributor",
        metavar="TENANTS_FILE",
        help=f"without --tenants: read this tenant's seats at its distributor ({flags.named(', ')}) as audit "
        "--tenants does, with the `distributor:` block of its entry in TENANTS_FILE (docs/msp.md)",
    )
    add_graph_arguments(audit)
    add_email_arguments(audit)
    add_nightly_arguments(audit)
    audit.set_defaults(func=_audit)


def _add_merge(sub: Subcommands) -> None:
    """`merge`: per-tenant outputs into one cross-tenant report."""
    merge_cmd = sub.add_parser(
        "merge",
        help="merge per-tenant audit outputs into one cross-tenant report",
        epilog="exit codes:\n" + EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    merge_cmd.add_argument(
        "dirs",
        nargs="+",
        metavar="DIR",
        help="a tenant's output folder (report.json + snapshot.json), or a folder of them",
    )
    merge_cmd.add_argument(
        "--policies",
        action="append",
        metavar="PATH",
        help="policies with the cross_tenant identity mapping, prices and waivers (repeatable; default: policies/)",
    )
    merge_cmd.add_argument(
        "--output-dir", default="reports", metavar="DIR", help="where the merged reports go (default: reports/)"
    )
    _add_report_flags(
        merge_cmd,
        fail_on="exit 1 when an unwaived finding (of any tenant, or across tenants) is at or above "
        "this severity (default: high)",
        as_of="the clock for waiver expiry (default: now)",
    )
    merge_cmd.add_argument(
        "--allow-gaps", action="store_true", help="exit by findings even when a tenant's report is incomplete"
    )
    merge_cmd.add_argument("--redact", action="store_true", help=REDACT_HELP)
    merge_cmd.set_defaults(func=_command("cmd_merge", options=MergeOptions.of))


def _add_collect(sub: Subcommands) -> None:
    """`collect`: the Graph command (auditor.graph.arguments) with the policy options."""
    collect = add_collect_command(sub)
    collect.add_argument(
        "--policies",
        action="append",
        metavar="PATH",
        help="policies naming the groups to read and whether sign-in activity is needed (default: policies/)",
    )
    collect.add_argument(
        "--allow-gaps", action="store_true", help="exit 0 even when some tenant data could not be collected"
    )
    collect.set_defaults(func=_command("cmd_collect", options=CollectCommandOptions.of))


def _add_init(sub: Subcommands) -> None:
    """`init`: a first policy for the tenant."""
    init = sub.add_parser(
        "init",
        help="write a first policy for your tenant (every line commented)",
        description="Read the tenant (--graph, --snapshot or --demo) and write a starter policy: "
        "every subscribed product approved with a spare-seat limit, prices left for you "
        "to fill in, the hygiene rules on with their defaults; and the JSON Schema "
        "beside it. See docs/policy.md.",
    )
    init.add_argument(
        "--output",
        default="policies/license-policy.yaml",
        metavar="FILE",
        help="where the policy goes (default: policies/license-policy.yaml)",
    )
    init.add_argument("--force", action="store_true", help="replace --output when it exists")
    init.add_argument(
        "--locale",
        choices=[loc.value for loc in Locale],
        default=Locale.EN.value,
        help="the language of the policy's comments and of its reports (metadata.locale; default: en)",
    )
    init.add_argument("--snapshot", metavar="FILE", help="read the tenant from a snapshot file")
    add_graph_arguments(init)
    init.set_defaults(func=_command("cmd_init", POLICY_COMMANDS, InitOptions.of))


def _add_validate(sub: Subcommands) -> None:
    """`validate`: check policy files."""
    validate = sub.add_parser("validate", help="check policy files (a product no table knows is an error)")
    validate.add_argument("paths", nargs="+", metavar="PATH", help="policy files or directories")
    validate.add_argument(
        "--snapshot", metavar="FILE", help="its products count as known; warn of products and groups it lacks"
    )
    validate.set_defaults(func=_command("cmd_validate", POLICY_COMMANDS, ValidateOptions.of))


def _add_plan(sub: Subcommands) -> None:
    """`plan`: a report's open findings into a change set."""
    plan = sub.add_parser(
        "plan",
        help="compile a report's open findings into a reviewed, seat-checked change set",
        description="Compile the open, unwaived findings of DIR/report.json into plan.json (read by `apply`), "
        "plan.md (for review) and Graph $batch bodies batch-001.json ... (docs/plan-and-apply.md).",
    )
    plan.add_argument("--report-dir", metavar="DIR", help="the audit's output folder (report.json)")
    plan.add_argument(
        "--demo",
        action="store_true",
        help="plan the bundled sample tenant's changes: --report-dir defaults to reports/, audited "
        "with `audit --demo` first when it holds no report",
    )
    plan.add_argument("--rules", nargs="+", action="extend", metavar="ID", help="only findings of these rules")
    plan.add_argument("--min-severity", choices=FAIL_ON[:-1], help="only findings at or above this severity")
    plan.add_argument("--findings", nargs="+", action="extend", metavar="ID", help="only these findings (ids)")
    plan.add_argument("--output-dir", metavar="DIR", help="where the plan files go (default: the report dir)")
    add_billing_arguments(plan)
    plan.add_argument("--exchange-export", metavar="FILE", help=EXCHANGE_EXPORT_HELP)
    plan.add_argument(
        "--max-age",
        type=max_age,
        metavar="AGE",
        help="refuse a report whose tenant data was read longer ago than this (the same units as "
        "apply --max-age); without it, older than 7 days is a warning (apply refuses it)",
    )
    plan.set_defaults(func=demo_write(main, _command("cmd_plan", "auditor.plan.command", PlanOptions.of)))


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="license-auditor",
        description="Audit Microsoft 365 licenses against declarative YAML policies.",
        epilog="exit codes:\n" + EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"license-auditor {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    _add_audit(sub)
    add_fleet_commands(sub, _command)  # rollup and lists: the many-tenant run's own commands
    _add_merge(sub)
    _add_collect(sub)
    _add_init(sub)
    _add_validate(sub)
    connection = _Parser(add_help=False)
    add_connection_arguments(connection)
    add_email_command(sub, parents=[connection]).set_defaults(func=_command("cmd_email"))
    add_apply_command(sub, connection, demo_write(main, _command("cmd_apply", "auditor.commands", WriteOptions.of)))
    add_undo_command(sub, connection, demo_write(main, _command("cmd_undo", "auditor.apply.undoing", WriteOptions.of)))
    _add_plan(sub)
    add_history_command(sub, _command("cmd_history", "auditor.insights.nightly", HistoryOptions.of))
    add_migrate_command(sub, _command("cmd_migrate", "auditor.migration.command", MigrateOptions.of))
    schema = sub.add_parser("schema", help="print the policy JSON Schema")
    schema.set_defaults(func=_command("cmd_schema"))
    add_examples(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)

    def say(text: str) -> None:
        """Every line goes through clean_message (tokens masked, no control characters, no GitHub
        workflow commands), whatever a server or a tenant put into it."""
        print(clean_message(text), file=sys.stderr)

    try:
        return int(args.func(args))
    except PolicyError as exc:
        for issue in exc.issues:
            say(str(issue))
        say(f"license-auditor: {english_count(len(exc.issues), 'policy error', 'policy errors')}")
        return exc.exit_code
    except AuditorError as exc:  # one line, whatever a server's text put into it
        say(console_line(f"license-auditor: error: {exc}"))
        return exc.exit_code
    except KeyboardInterrupt:
        say("license-auditor: interrupted")
        return 130
    except Exception as exc:  # a defect: say so in one line with a code CI can tell from findings
        if os.environ.get("LICENSE_AUDITOR_DEBUG"):
            raise
        say(
            f"license-auditor: internal error: {type(exc).__name__}: {str(exc).replace(chr(10), ' ')[:300]} "
            "(set LICENSE_AUDITOR_DEBUG=1 for the traceback)"
        )
        return EXIT_INTERNAL
