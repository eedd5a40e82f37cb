"""What `plan`'s flags become (the flags themselves: auditor/cli.py): a typed PlanOptions, built by
the command layer, which auditor/plan/command.py runs with (light: `--help` loads no planner)."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field

from auditor.billing.arguments import BillingOptions


@dataclass(frozen=True)
class PlanOptions:
    """`plan --report-dir DIR ...`: where the report is, which findings to plan, where the plan goes."""

    report_dir: str
    rules: tuple[str, ...] | None = None  # --rules (None: every rule's findings)
    min_severity: str | None = None  # --min-severity
    findings: tuple[str, ...] | None = None  # --findings (None: every finding)
    output_dir: str | None = None  # --output-dir (None: the report dir)
    billing_file: str | None = None  # --billing FILE
    bill: BillingOptions = field(default_factory=BillingOptions)  # --billing-source and the billing APIs
    exchange_export: str | None = None  # --exchange-export FILE
    max_age: float | None = None  # --max-age, hours (None: a warning past apply's default)
    demo: bool = False  # plan --demo: the sample's frozen moment is never stale

    @classmethod
    def of(cls, args: argparse.Namespace) -> PlanOptions:
        """The plan options of `args`, as the command layer leaves them (--demo names the report dir)."""
        return cls(
            report_dir=args.report_dir,
            rules=tuple(args.rules) if args.rules is not None else None,
            min_severity=args.min_severity,
            findings=tuple(args.findings) if args.findings is not None else None,
            output_dir=args.output_dir,
            billing_file=getattr(args, "billing", None),
            bill=BillingOptions.of(args),
            exchange_export=getattr(args, "exchange_export", None),
            max_age=getattr(args, "max_age", None),
            demo=bool(getattr(args, "demo", False)),
        )
