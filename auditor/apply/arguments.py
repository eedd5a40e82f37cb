"""The apply and undo command-line flags, apart from the code that runs them: building the parser
(and `--help`) must not load the Graph SDK."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from auditor.billing.arguments import BillingOptions
from auditor.common.errors import UsageError
from auditor.common.numbers import whole_number
from auditor.graph.arguments import GraphSource
from auditor.vendors import arguments as flags
from auditor.vendors.registry import DISTRIBUTORS, PSAS

Command = Callable[[argparse.Namespace], int]
DEFAULT_MAX_FAILURES = 10


def _add_write_flags(parser: argparse.ArgumentParser, journal_default: str) -> None:
    """--yes and --journal of the commands that write to the tenant (apply, undo)."""
    parser.add_argument("--yes", action="store_true", help="make the changes (default: dry run)")
    parser.add_argument("--journal", metavar="FILE", help=f"journal to write (default with --yes: {journal_default})")


MAX_AGE_HELP = (
    "refuse a plan whose tenant data (the report's collected_at) was read longer ago than this: a number "
    "of days (7), or days or hours with a unit (7d, 36h); default: 7d"
)


def max_failures(text: str) -> int:
    """--max-failures: a whole number, 0 or more."""
    if (number := whole_number(text)) is None or number > 1_000_000:
        raise argparse.ArgumentTypeError(f"{text!r}: give a whole number of changes, 0 or more (0: no limit)")
    return number


def max_age(text: str) -> float:
    """--max-age: hours, from "<N>d", "<N>h" or "<N>" (days); a positive whole number of at most 10 years."""
    value = text.strip().lower()
    unit = value[-1:] if value[-1:] in ("d", "h") else "d"
    number = value[:-1] if value[-1:] in ("d", "h") else value
    if not (count := whole_number(number)):
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration: give days (7, 7d) or hours (36h)")
    hours = count * (24 if unit == "d" else 1)
    if hours > 3650 * 24:
        raise argparse.ArgumentTypeError(f"{text!r} is longer than 10 years")
    return float(hours)


@dataclass(frozen=True, kw_only=True)
class WriteOptions:
    """What `apply` or `undo` was asked (auditor/apply/run.py and undoing.py run it): the flags,
    typed, as the command layer leaves them (`--demo` points them at the emulator first)."""

    command: str  # "apply" or "undo": the messages name it
    graph: GraphSource = field(default_factory=GraphSource)  # the tenant to change: --tenant-id, --cloud, ...
    billing: BillingOptions = field(default_factory=BillingOptions)  # --commerce's billing APIs
    yes: bool = False  # make the changes (else a dry run)
    journal: str | None = None  # --journal FILE
    wait: float = 300.0  # --wait, seconds
    commerce: bool = False  # --commerce
    commerce_only: bool = False  # apply --commerce-only
    distributor: bool = False  # apply/undo --distributor: the plan's changes at the distributors only
    psa: bool = False  # apply/undo --psa: the quantities the plan writes back into the PSA only
    # each distributor's URL, by its registry key: its --<key>-endpoint (auditor.vendors.arguments; None: its own)
    endpoints: Mapping[str, str | None] = field(default_factory=dict)
    plan: str | None = None  # apply's PLAN, undo's --plan
    journal_file: str | None = None  # undo's JOURNAL
    max_age: float = 7 * 24.0  # apply --max-age, hours
    max_failures: int = DEFAULT_MAX_FAILURES  # apply --max-failures
    # the moment apply's fresh compile judges the tenant at, apply and undo the bill's windows, and undo the audit
    # log's 30 days (None: now; --demo: the sample's frozen moment, as `audit --demo` judged it)
    as_of: str | None = None
    # the operator's policy files (--policies, as audit takes them; none: policies/, --demo: the demo's own):
    # the fresh compile judges under them, and a plan recorded under other files is refused (operator_policy)
    policies: tuple[str, ...] = ()
    # what the reviewed plan was asked for (--rules, --min-severity, --findings, as `plan` takes them): a plan
    # whose recorded filters differ is refused (operator_policy.check_filters)
    rules: tuple[str, ...] | None = None
    min_severity: str | None = None
    findings: tuple[str, ...] | None = None

    @classmethod
    def of(cls, args: argparse.Namespace) -> WriteOptions:
        """The write options of `args` (apply's or undo's: a flag the command lacks keeps its default)."""
        return cls(
            command=args.command,
            graph=GraphSource.of(args),
            billing=BillingOptions.of(args),
            yes=args.yes,
            journal=args.journal,
            wait=args.wait,
            commerce=getattr(args, "commerce", False),
            commerce_only=getattr(args, "commerce_only", False),
            distributor=getattr(args, "distributor", False),
            psa=getattr(args, "psa", False),
            endpoints=flags.endpoints(args),
            plan=getattr(args, "plan", None),
            journal_file=getattr(args, "journal_file", None),
            max_age=getattr(args, "max_age", 7 * 24.0),
            max_failures=getattr(args, "max_failures", DEFAULT_MAX_FAILURES),
            as_of=getattr(args, "as_of", None),
            policies=tuple(getattr(args, "policies", None) or ()),
            rules=_given(getattr(args, "rules", None)),
            min_severity=getattr(args, "min_severity", None),
            findings=_given(getattr(args, "findings", None)),
        )

    def bill_moment(self, now: datetime) -> datetime:
        """The moment the bill's windows are judged at (a commerce change's seven days, a distributor's renewal,
        a purchase's hours to take it off): `now`, or with --demo the sample's own moment (`as_of`), never the
        wall clock's, so the demo's apply and undo decide alike whatever day they are run."""
        if not self.as_of:
            return now
        try:
            return datetime.fromisoformat(self.as_of.replace("Z", "+00:00"))
        except ValueError:
            raise UsageError(f"--as-of: {self.as_of!r} is not a moment (YYYY-MM-DDTHH:MM:SSZ)") from None


def _given(values: list[str] | None) -> tuple[str, ...] | None:
    return tuple(values) if values is not None else None


WAIT_HELP = (
    "how long a change may wait for a group's license after the join before it: seconds (300), or with "
    "a unit (90s, 5m, 1h); 0 does not wait. Past it, or when the group's license is in error, the change "
    "is journaled as pending and left for the next apply; default: 5m"
)


def wait_duration(text: str) -> float:
    """--wait: seconds, from "<N>", "<N>s", "<N>m" or "<N>h"; at most 24 hours."""
    value = text.strip().lower()
    unit = value[-1:] if value[-1:] in ("s", "m", "h") else "s"
    number = value[:-1] if value[-1:] in ("s", "m", "h") else value
    if (count := whole_number(number)) is None:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a duration: give seconds (300, 90s), minutes (5m) or hours (1h)"
        )
    seconds = count * {"s": 1, "m": 60, "h": 3600}[unit]
    if seconds > 24 * 3600:
        raise argparse.ArgumentTypeError(f"{text!r} is longer than 24 hours")
    return float(seconds)


SEVERITIES = ("low", "medium", "high", "critical")
_FILTER_HELP = "the {} the plan was made and reviewed with (a plan made with other filters is refused)"


def add_apply_command(sub: Any, connection: argparse.ArgumentParser, func: Command) -> None:
    """`license-auditor apply PLAN`; `func` runs it (the entry layer wraps it for --demo)."""
    apply = sub.add_parser(
        "apply",
        parents=[connection],
        help="apply a plan's changes to the tenant (dry run without --yes)",
        description="Re-check and apply the changes of a plan.json written by `license-auditor plan`, journaling "
        "each. Without --yes nothing is written: it shows what would be done.",
    )
    apply.add_argument("plan", metavar="PLAN", nargs="?", help="plan.json (with --demo: reports/plan.json)")
    apply.add_argument(
        "--demo",
        action="store_true",
        help="apply to the bundled sample tenant, served by the built-in Graph emulator (a plan of "
        "`plan --demo`); the tenant as it is left is kept for `undo --demo`; with --distributor, the sample's "
        "Pax8 too, served by its stand-in (a plan of `audit --demo --tenants`)",
    )
    _add_write_flags(apply, "journal-<UTC time>.jsonl next to the plan")
    apply.add_argument(
        "--policies",
        action="append",
        metavar="PATH",
        help="your policy file or directory of *.yaml, as audit was given it (repeatable; default: policies/; "
        "with --demo: the demo's own): the plan is compiled again under it, and refused if audited under another",
    )
    apply.add_argument("--rules", nargs="+", action="extend", metavar="ID", help=_FILTER_HELP.format("--rules"))
    apply.add_argument(
        "--min-severity", choices=SEVERITIES, metavar="SEVERITY", help=_FILTER_HELP.format("--min-severity")
    )
    apply.add_argument("--findings", nargs="+", action="extend", metavar="ID", help=_FILTER_HELP.format("--findings"))
    apply.add_argument("--max-age", type=max_age, default=max_age("7d"), metavar="AGE", help=MAX_AGE_HELP)
    apply.add_argument("--wait", type=wait_duration, default=wait_duration("5m"), metavar="DURATION", help=WAIT_HELP)
    apply.add_argument(
        "--commerce",
        action="store_true",
        help="also make the bill's commerce changes (reduce or cancel a subscription inside its "
        "window) through the billing account or Partner Center; dry run without --yes",
    )
    apply.add_argument(
        "--commerce-only",
        action="store_true",
        help="make only the bill's commerce changes, not the plan's license changes (the billing "
        "write identity of license-apply.yml's commerce job); implies --commerce",
    )
    apply.add_argument(
        "--distributor",
        action="store_true",
        help=f"make only the plan's reductions at the distributor ({flags.sends()}), not its license changes; "
        "dry run without --yes",
    )
    apply.add_argument(
        "--psa",
        action="store_true",
        help="make only the quantities the plan writes back into the customer's agreement in the PSA (its "
        "policy's psa_quantity), not its license changes; dry run without --yes",
    )
    flags.add_endpoints(apply, [*DISTRIBUTORS.values(), *PSAS.values()], lambda said: said.write)
    apply.add_argument("--billing-endpoint", metavar="URL", help="Azure Resource Manager's URL (--commerce)")
    apply.add_argument("--partner-center-endpoint", metavar="URL", help="Partner Center's URL (--commerce)")
    apply.add_argument(
        "--max-failures",
        type=max_failures,
        default=DEFAULT_MAX_FAILURES,
        metavar="N",
        help="stop after N changes Graph refused (the others go on until then); 0: never stop for "
        "refusals; default: 10",
    )
    apply.set_defaults(func=func)


def add_undo_command(sub: Any, connection: argparse.ArgumentParser, func: Command) -> None:
    """`license-auditor undo JOURNAL`; `func` runs it (the entry layer wraps it for --demo)."""
    undo = sub.add_parser(
        "undo",
        parents=[connection],
        help="revert the changes an apply journal records as done",
        description="Revert, newest first, the changes a journal records as done, restoring each user's state "
        "before them. Without --yes nothing is written: it shows what would be done.",
    )
    undo.add_argument(
        "journal_file",
        metavar="JOURNAL",
        nargs="?",
        help="journal written by apply (or undo); with --demo: the newest in reports/",
    )
    undo.add_argument(
        "--demo", action="store_true", help="undo on the bundled sample tenant as `apply --demo --yes` left it"
    )
    _add_write_flags(undo, "undo-<UTC time>.jsonl next to JOURNAL")
    undo.add_argument(
        "--plan",
        metavar="PLAN",
        help="the plan.json the journal was applied from (default: the file "
        "the journal names, next to it); undo touches only the users and groups it names",
    )
    undo.add_argument(
        "--policies",
        action="append",
        metavar="PATH",
        help="your policy file or directory of *.yaml (repeatable; default: policies/): with --distributor or "
        "--commerce, the spare seats a put-back may leave are your policy's, never a plan copy's",
    )
    undo.add_argument(
        "--wait",
        type=wait_duration,
        default=wait_duration("5m"),
        metavar="DURATION",
        help="how long undo waits, after putting a user back in a group, for the group's license to be "
        "active (the same units as apply --wait); default: 5m",
    )
    undo.add_argument(
        "--commerce",
        action="store_true",
        help="JOURNAL is a commerce journal of apply --commerce: buy back the seats its reductions "
        "removed, each only after you say yes to its price",
    )
    undo.add_argument(
        "--distributor",
        action="store_true",
        help="JOURNAL is a distributor journal of apply --distributor: put back the quantities its "
        f"reductions removed at {flags.named(' or ')}, each only after you say yes (a cancellation is named, not "
        "undone)",
    )
    undo.add_argument(
        "--psa",
        action="store_true",
        help="JOURNAL is a PSA journal of apply --psa: set each quantity it changed back, as the PSA's record "
        "read at the call shows it, each after you say yes at the terminal (--yes: without asking)",
    )
    flags.add_endpoints(undo, [*DISTRIBUTORS.values(), *PSAS.values()], lambda said: said.write)
    undo.add_argument("--billing-endpoint", metavar="URL", help="Azure Resource Manager's URL (--commerce)")
    undo.add_argument("--partner-center-endpoint", metavar="URL", help="Partner Center's URL (--commerce)")
    undo.set_defaults(func=func)
