"""What `merge`'s flags become (the flags themselves: auditor/cli.py): a typed MergeOptions, built by
the command layer, which auditor/commands/__init__.py's cmd_merge runs with."""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from auditor.data.enums import Format, Locale


@dataclass(frozen=True)
class MergeOptions:
    """`merge DIR... [--policies PATH] [--output-dir DIR] ...`: the tenants' outputs, the policies with
    the identity mapping, and the merged report's flags."""

    dirs: tuple[str, ...]  # the tenants' output folders (report.json + snapshot.json), or folders of them
    policies: tuple[str, ...] = ()  # --policies (none: policies/)
    output_dir: str = "reports"  # --output-dir
    formats: tuple[Format, ...] = tuple(Format)  # --format
    fail_on: str = "high"  # --fail-on
    as_of: str | None = None  # --as-of (None: now)
    locale: Locale | None = None  # --locale (None: the policy's, else en)
    allow_gaps: bool = False  # --allow-gaps
    redact: bool = False  # --redact

    @classmethod
    def of(cls, args: argparse.Namespace) -> MergeOptions:
        """The merge options of `args`; a bad --format is a usage error here, before any folder is read."""
        return cls(
            dirs=tuple(args.dirs),
            policies=tuple(args.policies or ()),
            output_dir=args.output_dir,
            formats=Format.parse_list(args.format),
            fail_on=args.fail_on,
            as_of=args.as_of,
            locale=Locale(args.locale) if args.locale else None,
            allow_gaps=bool(args.allow_gaps),
            redact=bool(args.redact),
        )
